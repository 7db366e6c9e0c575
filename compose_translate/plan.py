"""Stage 3: a normalized project + stack settings -> the `DeploymentPlan`.

Every decision the cloud stage needs is made here (placement, the gateway URL,
the injected variables, what is deployed, every warning), so it is plain data
that can be printed, diffed and unit-tested without Pulumi.
"""

from __future__ import annotations

import graphlib
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, SecretStr, field_serializer

from .compat import status_of
from .errors import Diagnostic, Report
from .exposure import Listener, check_conflicts, container_ports, inferred_ports, listeners
from .files import REDACTED, ServiceFile, StoredValue, service_files, split_environment, stored_values
from .placement import place
from .project import Project, Service
from .runtime import Runtime, plan_runtime
from .settings import StackSettings
from .storage import PlannedMount, PlannedVolume, planned_volumes, service_mounts


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True)


class Gateway(_Frozen):
    """The stack's one OpenAI-compatible endpoint; routes by the request's `model` field."""

    name: str
    port: int
    url: str


class PlannedModel(_Frozen):
    key: str
    model: str
    source: str
    pull: str
    backend: str
    instance_type: str
    alias: str | None
    region: str
    embeddings: bool
    gpus: int | None
    fargate_cpu: int | None
    fargate_memory: int | None
    instance_count: int
    min_instances: int
    max_instances: int
    context_size: int | None
    runtime_flags: tuple[str, ...]
    tags: dict[str, str]
    bound_by: tuple[str, ...]


class PlannedBinding(_Frozen):
    endpoint_var: str
    model_var: str


class PlannedService(_Frozen):
    name: str
    image: str | None
    build: dict[str, Any] | None
    command: tuple[str, ...] | str | None
    entrypoint: tuple[str, ...] | str | None
    environment: dict[str, str]  # plain values, model variables included
    secret_environment: dict[str, SecretStr]  # credential-like variables, stored in Secrets Manager
    models: dict[str, PlannedBinding]
    container_ports: tuple[tuple[int, str], ...]  # reachable as <service>:<port>
    listeners: tuple[Listener, ...]  # published through a load balancer
    depends_on: dict[str, dict[str, Any]]
    files: tuple[ServiceFile, ...]  # secrets and configs written into the task
    file_dirs: tuple[str, ...]
    mounts: tuple[PlannedMount, ...]
    networks: tuple[str, ...]
    labels: dict[str, str]
    runtime: Runtime

    @field_serializer("secret_environment")
    def _hide(self, values: dict[str, SecretStr]) -> dict[str, str]:
        return {name: REDACTED for name in values}


class DeploymentPlan(_Frozen):
    name: str
    project_dir: str
    region: str
    gateway: Gateway | None
    models: dict[str, PlannedModel]
    unbound_models: tuple[str, ...]
    services: dict[str, PlannedService]
    deploy_order: tuple[str, ...]  # dependencies first
    secrets: dict[str, StoredValue]
    configs: dict[str, StoredValue]
    volumes: dict[str, PlannedVolume]
    networks: tuple[str, ...]
    certificate_arn: str | None
    warnings: tuple[Diagnostic, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, machine-independent (paths relative to the project), secrets redacted."""
        root = Path(self.project_dir)
        data = self.model_dump(mode="json", exclude={"warnings", "project_dir"})
        for service in data["services"].values():
            if service["build"]:
                service["build"]["context"] = _relative(service["build"]["context"], root)
        data["warnings"] = [w.as_dict(root) for w in self.warnings]
        return data


def _relative(path: str, root: Path) -> str:
    try:
        return Path(path).relative_to(root).as_posix() or "."
    except ValueError:
        return path


def build_plan(project: Project, settings: StackSettings, report: Report) -> DeploymentPlan:
    bound_by: dict[str, list[str]] = {}
    for service in project.services.values():
        for binding in service.bindings:
            bound_by.setdefault(binding.model, []).append(service.name)

    placements = {key: place(model, settings, report) for key, model in project.models.items()}
    models: dict[str, PlannedModel] = {}
    unbound: list[str] = []
    for key, model in project.models.items():
        placement = placements[key]
        if placement is None:
            continue
        if key not in bound_by and not (placement.deploy_unbound or settings.deploy_unbound_models):
            unbound.append(key)
            report.warn(f'model "{key}" is bound by no service and is not deployed', f"models.{key}", model.loc,
                        hint="bind it from a service's `models:`, or add the label cloud.deploy=true to deploy it "
                             "anyway (it costs money while it runs)")
            continue
        models[key] = PlannedModel(
            key=key, model=model.model, source=model.ref.source, pull=model.ref.pull_reference,
            backend=placement.backend, instance_type=placement.instance_type, alias=placement.alias,
            region=placement.region, embeddings=placement.embeddings, gpus=placement.gpus,
            fargate_cpu=placement.fargate_cpu, fargate_memory=placement.fargate_memory,
            instance_count=placement.instance_count, min_instances=placement.min_instances,
            max_instances=placement.max_instances, context_size=model.context_size,
            runtime_flags=model.runtime_flags,
            tags={k: v for k, v in sorted(model.labels.items()) if not k.startswith("cloud.")},
            bound_by=tuple(sorted(bound_by.get(key, ()))))

    gateway = None
    if models:
        name = _free_name(settings.gateway_name, set(project.services))
        gateway = Gateway(name=name, port=settings.gateway_port, url=f"http://{name}:{settings.gateway_port}/v1/")
    certificate = settings.certificate_arn is not None
    inferred = inferred_ports(project.services, report)
    services = {name: _plan_service(service, project, gateway, certificate, inferred.get(name, set()), report)
                for name, service in project.services.items()}
    check_conflicts([listener for s in services.values() for listener in s.listeners], project.services, report)
    order = _deploy_order(project, report)
    stored = stored_values(project, report)
    volumes = planned_volumes(project, report)
    report.raise_if_errors()
    return DeploymentPlan(
        name=project.name, project_dir=project.project_dir, region=settings.region, gateway=gateway,
        models=models, unbound_models=tuple(unbound), services=services, deploy_order=order,
        secrets=stored["secrets"], configs=stored["configs"], volumes=volumes,
        networks=tuple(sorted({n for s in services.values() for n in s.networks})),
        certificate_arn=settings.certificate_arn, warnings=tuple(report.sorted_warnings()))


def _deploy_order(project: Project, report: Report) -> tuple[str, ...]:
    """Dependencies first, ties by name; a cycle is an error, as in Docker Compose."""
    graph = {name: sorted(s.depends_on) for name, s in project.services.items()}
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        service = project.services[cycle[0]]
        report.error("dependency cycle: " + " -> ".join(cycle), f"services.{cycle[0]}.depends_on",
                     service.key_locs.get("depends_on", service.loc), hint="remove one of these depends_on entries")
        return tuple(sorted(graph))
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)


def _free_name(wanted: str, taken: set[str]) -> str:
    """The gateway is reached by name like a service: never shadow one of the user's services."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def _plan_service(service: Service, project: Project, gateway: Gateway | None, certificate: bool,
                  inferred: set[int], report: Report) -> PlannedService:
    path = f"services.{service.name}"
    _attribute_notes(service, report)
    environment = dict(service.environment)
    written: dict[str, tuple[str, str]] = {}  # variable -> (model key, value)
    for binding in service.bindings:  # sorted by model key: the first writer of a variable wins
        model = project.models[binding.model]
        for var, value in ((binding.endpoint_var, gateway.url if gateway else ""), (binding.model_var, model.model)):
            if var in written and written[var][0] == binding.model:
                # Docker Compose writes the model name after the URL, so it wins within one binding.
                report.warn(f"the binding of model \"{binding.model}\" uses {var} for both the URL and the model "
                            "name; it receives the model name, as in Docker Compose",
                            f"{path}.models.{binding.model}", binding.loc,
                            hint="set endpoint_var and model_var to different names")
            elif var in written:
                if written[var][1] != value:
                    report.warn(f'models "{written[var][0]}" and "{binding.model}" both set {var}; '
                                f'"{written[var][0]}" wins (first by name)', f"{path}.models.{binding.model}",
                                binding.loc, hint="give each binding its own model_var")
                continue
            written[var] = (binding.model, value)
            if var in environment and environment[var] != value:
                report.warn(f"{var} is set in the service's environment and by the binding of model "
                            f'"{binding.model}"; the binding wins, as in Docker Compose', f"{path}.environment.{var}",
                            service.key_locs.get("environment", service.loc),
                            hint=f"remove {var} from `environment:` or rename the binding's variable")
    environment.update({var: value for var, (_, value) in written.items()})
    volumes_loc = service.key_locs.get("volumes", service.loc)
    for mount in service.volumes:
        if mount.type == "bind":
            report.warn(f"bind mount of {mount.source} cannot be taken to the cloud; the container sees an empty "
                        f"{mount.target}", f"{path}.volumes", volumes_loc,
                        hint="copy the files into the image at build time, or use a named volume")
        elif mount.type in ("image", "npipe", "cluster"):
            report.warn(f"{mount.type} mount at {mount.target} is not supported on ECS and is skipped",
                        f"{path}.volumes", volumes_loc)
    for name, spec in service.depends_on.items():
        if spec["condition"] == "service_completed_successfully":
            report.warn(f'waits for "{name}" to complete, but ECS services run continuously; {name} is started '
                        "first and restarted when it exits", f"{path}.depends_on.{name}",
                        service.key_locs.get("depends_on", service.loc),
                        hint="run one-off jobs (migrations) from the service's entrypoint instead")
    ports = container_ports(service, inferred)
    for port, protocol in ports:
        if protocol != "tcp":
            report.warn(f"{protocol.upper()} port {port} is not reachable by name from other services: ECS Service "
                        "Connect carries TCP only", f"{path}.ports", service.key_locs.get("ports", service.loc))
    runtime = plan_runtime(service, report)
    plain, secret = split_environment(environment)
    files, file_dirs = service_files(service, report)
    build = service.build.model_dump(mode="json") if service.build else None
    if build:
        build["extra"] = {k: v for k, v in build["extra"].items() if k != "platforms"}
    return PlannedService(
        name=service.name, image=service.image, build=build, command=service.command, entrypoint=service.entrypoint,
        environment=dict(sorted(plain.items())), secret_environment=dict(sorted(secret.items())),
        models={b.model: PlannedBinding(endpoint_var=b.endpoint_var, model_var=b.model_var) for b in service.bindings},
        container_ports=ports, listeners=listeners(service, certificate, report),
        depends_on=service.depends_on, files=files, file_dirs=file_dirs,
        mounts=service_mounts(service, runtime.tmpfs, report), networks=service.networks, labels=service.labels,
        runtime=runtime)


def _attribute_notes(service: Service, report: Report) -> None:
    """Each warned or rejected attribute of the compatibility table becomes a diagnostic."""
    for key, value in service.unmapped.items():
        attribute = status_of(key, value)
        if attribute is None:
            continue
        where, loc = f"services.{service.name}.{key}", service.key_locs.get(key)
        if attribute.status == "rejected":
            report.error(f"cannot be deployed: {attribute.reason}", where, loc,
                         hint=f"remove `{key}` from the service (or move it to a local-only override file)")
        else:
            report.warn(f"ignored in the cloud: {attribute.reason}", where, loc)

