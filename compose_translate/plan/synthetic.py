"""The ECS services compose-cloud adds itself (model servers, the gateway) and the networks that join
them to the services that use them."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from compose_translate.plan.files import ServiceFile
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.runtime import Runtime

# Synthetic Compose networks: bound services <-> gateway, gateway <-> model servers. Nothing else joins them.
MODELS_NETWORK = "compose-cloud-models"


SERVERS_NETWORK = "compose-cloud-model-servers"


# Client networks: their members share no rule among themselves; they only reach the services that
# admit them (the gateway admits model clients on its port, model servers admit the gateway).
CLIENT_NETWORKS = (MODELS_NETWORK, SERVERS_NETWORK)


def synthetic_runtime(**values: Any) -> Runtime:
    """A runtime for a service compose-cloud adds (model server, gateway): defaults with the given values."""
    defaults = dict(
        memory_reservation=None,
        architecture="X86_64",
        user=None,
        working_dir=None,
        init=False,
        read_only=False,
        stop_timeout=None,
        ulimits=(),
        tmpfs=(),
        cap_drop=(),
    )
    return Runtime(**{**defaults, **values})


def synthetic_service(
    name: str,
    image: str,
    *,
    command: Sequence[str] | None,
    environment: dict[str, str],
    port: int,
    networks: tuple[str, ...],
    runtime: Runtime,
    files: tuple[ServiceFile, ...] = (),
    file_dirs: tuple[str, ...] = (),
    admits: tuple[tuple[str, int], ...] = (),
) -> PlannedService:
    """A service compose-cloud adds, with the same shape as the Compose ones so it is realised by the same code."""
    return PlannedService(
        name=name,
        image=image,
        build=None,
        command=tuple(command) if command else None,
        entrypoint=None,
        environment=environment,
        secret_environment={},
        models={},
        container_ports=((port, "tcp"),),
        listeners=(),
        app_protocols={port: "http"},  # llama.cpp's server and LiteLLM speak HTTP
        depends_on={},
        files=files,
        file_dirs=file_dirs,
        mounts=(),
        networks=networks,
        admits=admits,
        labels={},
        runtime=runtime,
    )
