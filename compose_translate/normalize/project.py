"""Stage 2's output: the typed, normalized Compose project (pydantic, frozen).

Long syntax everywhere: bindings are maps with both variable names, ports and
volumes are long-form entries, environment is a map. Paths are absolute.
"""

from __future__ import annotations

from typing import Any

from pydantic import ConfigDict, SecretStr

from compose_translate.errors import Loc
from compose_translate.frozen import Frozen
from compose_translate.model_ref import ModelRef


class _Frozen(Frozen):
    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True)  # Loc is a plain dataclass


class ModelSpec(_Frozen):
    key: str
    model: str  # as written: what the application sends as `model`
    ref: ModelRef
    context_size: int | None = None
    runtime_flags: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    extensions: dict[str, Any] = {}
    loc: Loc | None = None
    label_locs: dict[str, Loc | None] = {}
    key_locs: dict[str, Loc | None] = {}


class Binding(_Frozen):
    model: str
    endpoint_var: str
    model_var: str
    loc: Loc | None = None


class Port(_Frozen):
    target: int
    published: str | None = None  # None: Compose picks a host port; in the cloud, the target port
    protocol: str = "tcp"
    host_ip: str | None = None
    app_protocol: str | None = None
    name: str | None = None


class Mount(_Frozen):
    type: str  # volume | bind | tmpfs | image | npipe | cluster
    target: str
    source: str | None = None
    read_only: bool = False
    subpath: str | None = None


class FileRef(_Frozen):
    """A service's use of a top-level secret or config."""

    source: str
    target: str
    uid: str | None = None
    gid: str | None = None
    mode: int | None = None


class Build(_Frozen):
    context: str
    dockerfile: str | None = None
    dockerfile_inline: str | None = None
    target: str | None = None
    args: dict[str, str | None] = {}
    platforms: tuple[str, ...] = ()
    extra: dict[str, Any] = {}


class Service(_Frozen):
    name: str
    image: str | None = None
    build: Build | None = None
    command: tuple[str, ...] | str | None = None
    entrypoint: tuple[str, ...] | str | None = None
    environment: dict[str, str] = {}
    bindings: tuple[Binding, ...] = ()
    ports: tuple[Port, ...] = ()
    expose: tuple[int, ...] = ()
    depends_on: dict[str, dict[str, Any]] = {}
    secrets: tuple[FileRef, ...] = ()
    configs: tuple[FileRef, ...] = ()
    volumes: tuple[Mount, ...] = ()
    networks: tuple[str, ...] = ()
    labels: dict[str, str] = {}
    settings: dict[str, Any] = {}  # other mapped attributes, as plain data
    unmapped: dict[str, Any] = {}  # attributes the compatibility table warns about or rejects
    pull_credentials: str | None = None  # x-aws-pull_credentials: a Secrets Manager ARN for a private registry
    loc: Loc | None = None
    key_locs: dict[str, Loc | None] = {}


class Resource(_Frozen):
    """A top-level secret, config, volume or network."""

    name: str
    kind: str
    spec: dict[str, Any] = {}
    value: SecretStr | None = None  # secrets' and configs' content; never printed
    loc: Loc | None = None
    key_locs: dict[str, Loc | None] = {}


class Project(_Frozen):
    name: str
    project_dir: str
    files: tuple[str, ...]
    services: dict[str, Service]
    models: dict[str, ModelSpec]
    secrets: dict[str, Resource] = {}
    configs: dict[str, Resource] = {}
    volumes: dict[str, Resource] = {}
    networks: dict[str, Resource] = {}
    profiles: tuple[str, ...] = ()
