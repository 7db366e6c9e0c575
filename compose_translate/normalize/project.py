"""Stage 2's output: the typed, normalized Compose project (pydantic, frozen).

Long syntax everywhere: bindings are maps with both variable names, ports and
volumes are long-form entries, environment is a map. Paths are absolute.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import ConfigDict, Field, SecretStr, SerializerFunctionWrapHandler, model_serializer

from compose_translate.errors import KeyPath, Loc
from compose_translate.frozen import Frozen
from compose_translate.model_ref import ModelRef


def _located(base: KeyPath, key_locs: dict[str, Loc | None], keys: tuple[str, ...]) -> KeyPath:
    for i, key in enumerate(keys):
        base = base.key(key).at(key_locs.get(key)) if i == 0 else base.key(key)
    return base


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

    def where(self, *keys: str) -> KeyPath:
        """`models.<key>.<keys...>`, located where its first key was written (else at the model)."""
        return _located(KeyPath(f"models.{self.key}", self.loc), self.key_locs, keys)

    def label(self, name: str) -> KeyPath:
        """`models.<key>.labels.<name>`, located at that label."""
        return KeyPath(f"models.{self.key}.labels", self.loc).key(name).at(self.label_locs.get(name))


class Binding(_Frozen):
    model: str
    endpoint_var: str
    model_var: str
    loc: Loc | None = None


Protocol = Literal["tcp", "udp", "sctp"]


class Port(_Frozen):
    target: int
    published: str | None = None  # None: Compose picks a host port; in the cloud, the target port
    protocol: Protocol = "tcp"
    host_ip: str | None = None
    app_protocol: str | None = None
    name: str | None = None


class Mount(_Frozen):
    type: Literal["volume", "bind", "tmpfs", "image", "npipe", "cluster"]
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


class Dependency(_Frozen):
    """One `depends_on` entry, long syntax."""

    condition: Literal["service_started", "service_healthy", "service_completed_successfully"] = "service_started"
    required: bool = True
    restart: bool | None = None  # None: not written (and not printed, as compose-go prints it)

    @model_serializer(mode="wrap")
    def _as_written(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        data: dict[str, Any] = handler(self)
        if self.restart is None:
            data.pop("restart", None)
        return data


class DeviceRequest(_Frozen):
    """One `deploy.resources.reservations.devices` entry (a GPU request, for the cloud)."""

    capabilities: tuple[str, ...] = ()
    count: int | str | None = None  # a number, or "all"
    device_ids: tuple[str, ...] = ()
    driver: str | None = None
    options: dict[str, Any] = {}


class ResourceSpec(_Frozen):
    """`limits` or `reservations`: values as written (0.5 or "0.5", 512m); the plan reads them."""

    cpus: float | int | str | None = None
    memory: int | str | None = None
    pids: int | None = None
    devices: tuple[DeviceRequest, ...] = ()
    generic_resources: tuple[Any, ...] = ()


class Resources(_Frozen):
    limits: ResourceSpec = ResourceSpec()
    reservations: ResourceSpec = ResourceSpec()


class Deploy(_Frozen):
    """`deploy:` with its shape checked (every level a mapping, devices a list of them). Keys ECS has no
    use for are kept as written, for the plan's warnings and `compose-cloud config`."""

    model_config = ConfigDict(frozen=True, arbitrary_types_allowed=True, populate_by_name=True)

    mode: str | None = None
    replicas: int | None = None
    resources: Resources = Resources()
    # the ECS integration's extension: its shape and values are the plan's to check (scaling.py)
    autoscaling: Any = Field(None, alias="x-aws-autoscaling")
    labels: Any = None
    endpoint_mode: str | None = None
    placement: Any = None
    restart_policy: Any = None
    update_config: Any = None
    rollback_config: Any = None
    extensions: dict[str, Any] = {}  # other x-* keys


class Healthcheck(_Frozen):
    """`healthcheck:` as written, its shape checked; the plan turns it into ECS's form (plan/health.py)."""

    test: str | tuple[str, ...] | None = None  # a shell command, or ["CMD" | "CMD-SHELL" | "NONE", ...]
    interval: str | int | float | None = None  # durations as written; each one parses
    timeout: str | int | float | None = None
    start_period: str | int | float | None = None
    start_interval: str | int | float | None = None
    retries: int | None = None
    disable: bool = False


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
    depends_on: dict[str, Dependency] = {}
    deploy: Deploy | None = None
    healthcheck: Healthcheck | None = None
    gpus: str | tuple[DeviceRequest, ...] | None = None  # "all", or device requests
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

    def where(self, *keys: str) -> KeyPath:
        """`services.<name>.<keys...>`, located where its first key was written (else at the service)."""
        return _located(KeyPath(f"services.{self.name}", self.loc), self.key_locs, keys)


class Resource(_Frozen):
    """A top-level secret, config, volume or network."""

    name: str
    kind: str
    spec: dict[str, Any] = {}
    value: SecretStr | None = None  # secrets' and configs' content; never printed
    loc: Loc | None = None
    key_locs: dict[str, Loc | None] = {}

    def where(self, *keys: str) -> KeyPath:
        """`<kind>s.<name>.<keys...>` (e.g. `secrets.db.file`), located like a service's."""
        return _located(KeyPath(f"{self.kind}s.{self.name}", self.loc), self.key_locs, keys)


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
    profiles: tuple[str, ...] = ()  # active
    declared_profiles: tuple[str, ...] = ()  # every profile a service names
