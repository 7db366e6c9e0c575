"""Stage 3: a normalized project + stack settings -> the `DeploymentPlan`.

Every decision the cloud stage needs is made here (placement, the gateway URL,
the injected variables, what is deployed, every warning), so it is plain data
that can be printed, diffed and unit-tested without Pulumi.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict

from .compat import SERVICE_ATTRIBUTES, status_of
from .errors import Diagnostic, Report
from .placement import place
from .project import Project, Service
from .settings import StackSettings

SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)", re.IGNORECASE)
REDACTED = "[secret]"


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
    environment: dict[str, str]
    models: dict[str, PlannedBinding]
    ports: tuple[dict[str, Any], ...]
    expose: tuple[int, ...]
    depends_on: dict[str, dict[str, Any]]
    secrets: tuple[dict[str, Any], ...]
    configs: tuple[dict[str, Any], ...]
    volumes: tuple[dict[str, Any], ...]
    networks: tuple[str, ...]
    labels: dict[str, str]
    settings: dict[str, Any]


class DeploymentPlan(_Frozen):
    name: str
    project_dir: str
    region: str
    gateway: Gateway | None
    models: dict[str, PlannedModel]
    unbound_models: tuple[str, ...]
    services: dict[str, PlannedService]
    secrets: dict[str, dict[str, Any]]
    configs: dict[str, dict[str, Any]]
    volumes: dict[str, dict[str, Any]]
    networks: dict[str, dict[str, Any]]
    warnings: tuple[Diagnostic, ...]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, machine-independent (paths relative to the project), secrets redacted."""
        root = Path(self.project_dir)
        data = self.model_dump(mode="json", exclude={"warnings", "project_dir"})
        for service in data["services"].values():
            service["environment"] = redact_environment(service["environment"])
            if service["build"]:
                service["build"]["context"] = _relative(service["build"]["context"], root)
            for volume in service["volumes"]:
                if volume["type"] == "bind" and volume["source"]:
                    volume["source"] = _relative(volume["source"], root)
        for section in ("secrets", "configs"):
            for spec in data[section].values():
                if "file" in spec:
                    spec["file"] = _relative(spec["file"], root)
        data["warnings"] = [w.as_dict(root) for w in self.warnings]
        return data


def redact_environment(environment: dict[str, str]) -> dict[str, str]:
    """Values of variables named like credentials never reach printed output."""
    return {k: (REDACTED if SECRET_NAME.search(k) and v else v) for k, v in environment.items()}


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
    services = {name: _plan_service(service, project, gateway, report) for name, service in project.services.items()}
    report.raise_if_errors()
    return DeploymentPlan(
        name=project.name, project_dir=project.project_dir, region=settings.region, gateway=gateway,
        models=models, unbound_models=tuple(unbound), services=services,
        **{section: {n: r.spec for n, r in getattr(project, section).items()}
           for section in ("secrets", "configs", "volumes", "networks")},
        warnings=tuple(report.sorted_warnings()))


def _free_name(wanted: str, taken: set[str]) -> str:
    """The gateway is reached by name like a service: never shadow one of the user's services."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"


def _plan_service(service: Service, project: Project, gateway: Gateway | None, report: Report) -> PlannedService:
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
    for mount in service.volumes:
        if mount.type == "bind":
            report.warn(f"bind mount of {mount.source} cannot be taken to the cloud; the container sees an empty "
                        f"{mount.target}", f"{path}.volumes", service.key_locs.get("volumes", service.loc),
                        hint="copy the files into the image at build time, or use a named volume")
    build = service.build.model_dump(mode="json") if service.build else None
    return PlannedService(
        name=service.name, image=service.image, build=build, command=service.command, entrypoint=service.entrypoint,
        environment=dict(sorted(environment.items())),
        models={b.model: PlannedBinding(endpoint_var=b.endpoint_var, model_var=b.model_var) for b in service.bindings},
        ports=tuple(p.model_dump(mode="json") for p in service.ports), expose=service.expose,
        depends_on=service.depends_on, secrets=tuple(s.model_dump(mode="json") for s in service.secrets),
        configs=tuple(c.model_dump(mode="json") for c in service.configs),
        volumes=tuple(v.model_dump(mode="json") for v in service.volumes), networks=service.networks,
        labels=service.labels, settings=service.settings)


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

