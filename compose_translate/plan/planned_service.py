"""The plan's description of one ECS service: a Compose service, a model server or the gateway."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr, SerializerFunctionWrapHandler, field_serializer

from compose_translate.frozen import Frozen
from compose_translate.normalize.project import Build, Dependency
from compose_translate.plan.exposure import Listener
from compose_translate.plan.files import ServiceFile
from compose_translate.plan.runtime import Runtime
from compose_translate.plan.storage import PlannedMount
from compose_translate.sensitive import REDACTED, is_sensitive


class PlannedBinding(Frozen):
    endpoint_var: str
    model_var: str


JOB_STARTED_BY = "compose-cloud-job"  # ECS RunTask's startedBy for a job's runs: how `status` finds them


class Job(Frozen):
    """A service that finishes (`restart: "no"` or `on-failure[:N]`): an ECS task run once per deploy in
    which its definition changes, retried up to `attempts` runs in all, instead of an ECS service (which
    would restart it without end)."""

    attempts: int


class PlannedService(Frozen):
    name: str
    image: str | None
    build: Build | None
    command: tuple[str, ...] | str | None
    entrypoint: tuple[str, ...] | str | None
    environment: dict[str, str]  # plain values, model variables included
    secret_environment: dict[str, SecretStr]  # credential-like variables, stored in Secrets Manager
    # how a secret variable may be shown: its value with the sensitive parts as `${NAME}` references
    secret_shown: dict[str, str] = {}
    models: dict[str, PlannedBinding]
    container_ports: tuple[tuple[int, str], ...]  # reachable as <service>:<port>
    listeners: tuple[Listener, ...]  # published through a load balancer
    app_protocols: dict[int, str] = {}  # TCP ports known to speak http/http2/grpc; the others are plain TCP
    depends_on: dict[str, Dependency]
    files: tuple[ServiceFile, ...]  # secrets and configs written into the task
    file_dirs: tuple[str, ...]
    mounts: tuple[PlannedMount, ...]
    networks: tuple[str, ...]  # security groups it is a member of
    # (client network, port): members of that network may reach this service on that port, nothing else
    admits: tuple[tuple[str, int], ...] = ()
    labels: dict[str, str]
    runtime: Runtime
    pull_credentials: str | None = None  # Secrets Manager ARN: the container's repositoryCredentials
    # variables the ECS agent reads from Secrets Manager at start: name -> a secret's name or ARN that
    # the stack gives (HF_TOKEN); the plan never holds their values
    secret_refs: dict[str, str] = {}
    # configs at the root of the file system (`/name`): copied into an image derived from this one
    baked_files: tuple[ServiceFile, ...] = ()
    job: Job | None = None  # runs once per deploy instead of continuously

    @field_serializer("build", mode="wrap")
    def _hide_build_secrets(self, build: Build | None, handler: SerializerFunctionWrapHandler) -> dict[str, Any] | None:
        """Build arguments that look like credentials (NPM_TOKEN=...) print as [secret]."""
        data: dict[str, Any] | None = handler(build)
        if data and data.get("args"):
            data["args"] = {k: REDACTED if v and is_sensitive(k, str(v)) else v for k, v in data["args"].items()}
        return data

    @field_serializer("secret_environment")
    def _hide(self, values: dict[str, SecretStr]) -> dict[str, str]:
        return {name: REDACTED for name in values}
