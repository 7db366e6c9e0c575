"""Stage 3: a normalized project + stack settings -> the `DeploymentPlan`.

Every decision the cloud stage needs is made here (placement, the gateway URL,
the injected variables, what is deployed, every warning), so it is plain data
that can be printed, diffed and unit-tested without Pulumi.
"""

from __future__ import annotations

import graphlib
from pathlib import Path
from typing import Any

from . import pricing
from .compat import status_of
from .errors import Diagnostic, Report
from .exposure import (
    TASKS_PER_SERVICE,
    app_protocols,
    assign_ephemeral,
    check_conflicts,
    check_limits,
    container_ports,
    http_addressed,
    inferred_ports,
    listeners,
)
from .files import StoredValue, service_files, split_environment, stored_values
from .frozen import Frozen
from .inference import CLIENT_NETWORKS, MODELS_NETWORK, Gateway, PlannedModel, plan_gateway, plan_models
from .names import free_name
from .planned import PlannedBinding, PlannedService
from .project import Project, Service
from .runtime import plan_runtime
from .settings import StackSettings
from .storage import MODEL_CACHE, MODEL_CACHE_PATH, PlannedMount, PlannedVolume, planned_volumes, service_mounts
from .zones import ZONES


class Cost(Frozen):
    """Estimated on-demand USD per hour (see pricing.py for what is and is not included)."""

    models: dict[str, float | None]
    services: float
    gateway: float
    network: float
    total: float
    unpriced: tuple[str, ...]  # instance types or regions without a price: not in the total
    prices_date: str  # the stack region's table ("none" without one)
    prices_region: str
    prices: dict[str, str] = {}  # every region priced -> "<region> prices of <date>" (or why not)
    # with models that scale to zero: the total while they are at zero (their busy price is in `models`)
    idle_total: float | None = None
    scale_to_zero: tuple[str, ...] = ()


class CustomDomain(Frozen):
    """The stack's own name for its load balancer: ACM certificate (DNS-validated) and alias in the zone."""

    name: str
    hosted_zone_id: str


class DeploymentPlan(Frozen):
    name: str
    project_dir: str
    region: str
    gateway: Gateway | None
    models: dict[str, PlannedModel]
    unbound_models: tuple[str, ...]
    services: dict[str, PlannedService]
    deploy_order: tuple[str, ...]  # dependencies first
    gpu_capacity: dict[str, int]  # EC2 GPU instance type -> tasks that need one (a capacity provider each)
    regions: tuple[str, ...]  # the stack's region first, then every other model region
    secrets: dict[str, StoredValue]
    configs: dict[str, StoredValue]
    volumes: dict[str, PlannedVolume]
    networks: tuple[str, ...]
    certificate_arn: str | None
    domain: CustomDomain | None = None
    public_tasks: bool = False  # no NAT gateway: tasks run in public subnets with public IPs
    cost: Cost
    warnings: tuple[Diagnostic, ...]

    def ecs_services(self) -> list[PlannedService]:
        return ecs_services(self.services, self.models, self.gateway)

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
    taken = set(project.services)
    gateway_name = free_name(settings.gateway_name, taken)
    taken.add(gateway_name)
    prices = pricing.PriceBook(pricing.load(Path(project.project_dir)))
    models, unbound = plan_models(project, settings, taken, report, prices)
    gateway_url = f"http://{gateway_name}:{settings.gateway_port}/v1/" if models else None
    certificate = settings.certificate_arn is not None or settings.domain is not None
    inferred, addressed = inferred_ports(project.services, report), http_addressed(project.services)
    services = {
        name: _plan_service(
            service, project, gateway_url, certificate, inferred.get(name, set()), addressed.get(name, set()), report
        )
        for name, service in project.services.items()
    }
    moved = assign_ephemeral({n: s.listeners for n, s in services.items()}, project.services, report)
    services = {
        n: s if s.listeners == moved[n] else s.model_copy(update={"listeners": moved[n]}) for n, s in services.items()
    }
    published = [listener for s in services.values() for listener in s.listeners]
    if settings.domain and not any(x.balancer == "alb" for x in published):
        report.warn(
            f"compose-cloud:domain {settings.domain} is set, but no service publishes an HTTP port, so there "
            "is no load balancer to give it",
            "config.compose-cloud:domain",
            None,
            hint='publish the web service\'s port (`ports: ["80:8080"]`), or remove the setting',
        )
    check_conflicts(published, project.services, report)
    check_limits(published, project.services, report)
    order = _deploy_order(project, report)
    stored = stored_values(project, report, settings.stack_values)
    volumes = planned_volumes(project, report)
    models, volumes = _model_cache(models, volumes, taken | set(project.volumes))
    gateway = None
    if models:
        gateway, gateway_files = plan_gateway(gateway_name, settings.gateway_port, models, settings)
        stored["configs"].update({f.name: f for f in gateway_files})
    everything = ecs_services(services, models, gateway)
    on_ec2 = sorted(s.name for s in everything if s.runtime.capacity != "fargate")
    if not settings.nat_gateway and on_ec2:
        report.error(
            f"without a NAT gateway, {', '.join(on_ec2)} cannot reach the internet: ECS tasks on EC2 GPU "
            "instances get no public IP (only Fargate tasks can)",
            "config.compose-cloud:natGateway",
            None,
            hint="keep the NAT gateway (remove compose-cloud:natGateway: false), or serve the model on "
            "SageMaker (cloud.backend=sagemaker)",
        )
    report.raise_if_errors()
    gpu_tasks: dict[str, int] = {}
    for service in everything:
        if service.runtime.capacity != "fargate":
            tasks = service.runtime.scaling.maximum if service.runtime.scaling else service.runtime.replicas
            gpu_tasks[service.runtime.capacity] = gpu_tasks.get(service.runtime.capacity, 0) + tasks
    return DeploymentPlan(
        name=project.name,
        project_dir=project.project_dir,
        region=settings.region,
        gateway=gateway,
        models=models,
        unbound_models=unbound,
        services=services,
        deploy_order=order,
        gpu_capacity=dict(sorted(gpu_tasks.items())),
        regions=(settings.region, *sorted({m.placement.region for m in models.values()} - {settings.region})),
        secrets=stored["secrets"],
        configs=dict(sorted(stored["configs"].items())),
        volumes=volumes,
        networks=tuple(sorted({n for s in everything for n in (*s.networks, *(n for n, _ in s.admits))})),
        certificate_arn=settings.certificate_arn,
        cost=_cost(services, models, gateway, settings.nat_gateway, prices, settings.region),
        public_tasks=not settings.nat_gateway,
        domain=CustomDomain(name=settings.domain, hosted_zone_id=settings.hosted_zone_id)
        if settings.domain and settings.hosted_zone_id
        else None,
        warnings=tuple(report.sorted_warnings()),
    )


def ecs_services(
    services: dict[str, PlannedService], models: dict[str, PlannedModel], gateway: Gateway | None
) -> list[PlannedService]:
    """Every ECS service the plan runs: the Compose services, the model servers and the gateway."""
    return [
        *services.values(),
        *(m.server for m in models.values() if m.server),
        *([gateway.service] if gateway and gateway.service else []),
    ]


def _cost(
    services: dict[str, PlannedService],
    models: dict[str, PlannedModel],
    gateway: Gateway | None,
    nat_gateway: bool,
    prices: pricing.PriceBook,
    region: str,
) -> Cost:
    """Each figure from its own region's table; what cannot be priced is named and left out of the total."""
    table = prices.region(region)
    unpriced = {f"{m.placement.instance_type} in {m.placement.region}" for m in models.values() if m.hourly_usd is None}
    unpriced |= {
        f"{r} (no price table)"
        for r in {region, *(m.placement.region for m in models.values())}
        if prices.region(r) is None
    }
    service_cost = 0.0
    for runtime in (s.runtime for s in services.values()):
        price = (
            pricing.fargate(table, runtime.cpu, runtime.memory, runtime.replicas)
            if runtime.capacity == "fargate"
            else pricing.instance(table, "ecs", runtime.capacity, runtime.replicas)
        )
        service_cost += price or 0
        if price is None and table is not None:
            unpriced.add(f"{runtime.capacity} in {region}")
    gateway_cost = (
        (pricing.fargate(table, gateway.service.runtime.cpu, gateway.service.runtime.memory) or 0.0)
        if gateway and gateway.service
        else 0.0
    )
    network = 0.0
    if table and table.load_balancer is not None and table.public_ipv4 is not None and table.nat_gateway is not None:
        balancers = {x.balancer for s in services.values() for x in s.listeners}
        network = len(balancers) * (table.load_balancer + ZONES * table.public_ipv4)
        if nat_gateway:
            network += table.nat_gateway + table.public_ipv4
        else:  # every task has a public address instead
            network += sum(s.runtime.replicas for s in ecs_services(services, models, gateway)) * table.public_ipv4
    total = (
        sum(v for v in (m.hourly_usd for m in models.values()) if v is not None) + service_cost + gateway_cost + network
    )
    regions = sorted({region, *(m.placement.region for m in models.values())})
    zero = tuple(sorted(k for k, m in models.items() if m.placement.scale_to_zero and not m.served_by))
    idle = round(total - sum(models[k].hourly_usd or 0 for k in zero), 4) if zero else None
    return Cost(
        idle_total=idle,
        scale_to_zero=zero,
        models={k: m.hourly_usd for k, m in models.items()},
        services=round(service_cost, 4),
        gateway=gateway_cost,
        network=round(network, 4),
        total=round(total, 4),
        unpriced=tuple(sorted(unpriced)),
        prices_date=table.date if table else "none",
        prices_region=region,
        prices={r: prices.label(r) for r in regions},
    )


def _model_cache(
    models: dict[str, PlannedModel], volumes: dict[str, PlannedVolume], taken: set[str]
) -> tuple[dict[str, PlannedModel], dict[str, PlannedVolume]]:
    """ECS model servers keep downloaded weights on one shared EFS file system: a new task (a wake
    from zero, a scale-out, a redeploy) loads the model from there instead of downloading it again."""
    servers = sorted(k for k, m in models.items() if m.server)
    if not servers:
        return models, volumes
    name = free_name(MODEL_CACHE, taken)
    mount = PlannedMount(kind="efs", volume=name, target=MODEL_CACHE_PATH, read_only=False)
    updated = dict(models)
    for key in servers:
        server = models[key].server
        assert server is not None
        updated[key] = models[key].model_copy(
            update={
                "server": server.model_copy(
                    update={
                        "mounts": (*server.mounts, mount),
                        "environment": {**server.environment, "LLAMA_CACHE": MODEL_CACHE_PATH},
                    }
                )
            }
        )
    cache = PlannedVolume(
        name=name,
        file_system_id=None,
        cache=True,
        used_by=tuple(sorted(server.name for k in servers if (server := models[k].server) is not None)),
    )
    return updated, {**volumes, name: cache}


def _deploy_order(project: Project, report: Report) -> tuple[str, ...]:
    """Dependencies first, ties by name; a cycle is an error, as in Docker Compose."""
    graph = {name: sorted(s.depends_on) for name, s in project.services.items()}
    sorter = graphlib.TopologicalSorter(graph)
    try:
        sorter.prepare()
    except graphlib.CycleError as exc:
        cycle = exc.args[1]
        service = project.services[cycle[0]]
        report.error(
            "dependency cycle: " + " -> ".join(cycle),
            f"services.{cycle[0]}.depends_on",
            service.key_locs.get("depends_on", service.loc),
            hint="remove one of these depends_on entries",
        )
        return tuple(sorted(graph))
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)


def _plan_service(
    service: Service,
    project: Project,
    gateway_url: str | None,
    certificate: bool,
    inferred: set[int],
    addressed: set[int],
    report: Report,
) -> PlannedService:
    path = f"services.{service.name}"
    _attribute_notes(service, report)
    environment = dict(service.environment)
    written: dict[str, tuple[str, str]] = {}  # variable -> (model key, value)
    for binding in service.bindings:  # sorted by model key: the first writer of a variable wins
        model = project.models[binding.model]
        for var, value in ((binding.endpoint_var, gateway_url or ""), (binding.model_var, model.model)):
            if var in written and written[var][0] == binding.model:
                # Docker Compose writes the model name after the URL, so it wins within one binding.
                report.warn(
                    f'the binding of model "{binding.model}" uses {var} for both the URL and the model '
                    "name; it receives the model name, as in Docker Compose",
                    f"{path}.models.{binding.model}",
                    binding.loc,
                    hint="set endpoint_var and model_var to different names",
                )
            elif var in written:
                if written[var][1] != value:
                    report.warn(
                        f'models "{written[var][0]}" and "{binding.model}" both set {var}; '
                        f'"{written[var][0]}" wins (first by name)',
                        f"{path}.models.{binding.model}",
                        binding.loc,
                        hint="give each binding its own model_var",
                    )
                continue
            written[var] = (binding.model, value)
            if var in environment and environment[var] != value:
                report.warn(
                    f"{var} is set in the service's environment and by the binding of model "
                    f'"{binding.model}"; the binding wins, as in Docker Compose',
                    f"{path}.environment.{var}",
                    service.key_locs.get("environment", service.loc),
                    hint=f"remove {var} from `environment:` or rename the binding's variable",
                )
    environment.update({var: value for var, (_, value) in written.items()})
    volumes_loc = service.key_locs.get("volumes", service.loc)
    for mount in service.volumes:
        if mount.type == "bind":
            source = _relative(mount.source, Path(project.project_dir)) if mount.source else "?"
            report.warn(
                f"bind mount of {source} cannot be taken to the cloud; the container sees an empty {mount.target}",
                f"{path}.volumes",
                volumes_loc,
                hint="copy the files into the image at build time, or use a named volume",
            )
        elif mount.type in ("image", "npipe", "cluster"):
            report.warn(
                f"{mount.type} mount at {mount.target} is not supported on ECS and is skipped",
                f"{path}.volumes",
                volumes_loc,
            )
    for name, spec in service.depends_on.items():
        if spec["condition"] == "service_completed_successfully":
            report.warn(
                f'waits for "{name}" to complete, but ECS services run continuously; {name} is started '
                "first and restarted when it exits",
                f"{path}.depends_on.{name}",
                service.key_locs.get("depends_on", service.loc),
                hint="run one-off jobs (migrations) from the service's entrypoint instead",
            )
    ports = container_ports(service, inferred)
    for port, protocol in ports:
        if protocol != "tcp":
            report.warn(
                f"{protocol.upper()} port {port} is not reachable by name from other services: ECS Service "
                "Connect carries TCP only",
                f"{path}.ports",
                service.key_locs.get("ports", service.loc),
            )
    for network in sorted(set(service.networks) & set(CLIENT_NETWORKS)):
        report.error(
            f'the network name "{network}" is reserved for the model gateway',
            f"{path}.networks",
            service.key_locs.get("networks", service.loc),
            hint="rename the network",
        )
    runtime = plan_runtime(service, report)
    if runtime.replicas > TASKS_PER_SERVICE:
        report.error(
            f"{runtime.replicas} replicas; an ECS service runs at most {TASKS_PER_SERVICE:,} tasks",
            f"{path}.deploy.replicas",
            service.key_locs.get("deploy", service.key_locs.get("scale", service.loc)),
            hint=f"use at most {TASKS_PER_SERVICE:,} replicas",
        )
    plain, secret, shown = split_environment(environment, report.sensitive_values)
    files, file_dirs, baked = service_files(service, report)
    for file in baked:
        stored = project.configs.get(file.source)
        if stored is not None and stored.spec.get("external") not in (None, False):
            report.error(
                f'config "{file.source}" targets {file.target}, at the root of the file system, and is '
                "external: its content is not known to build it into the image",
                f"services.{service.name}.configs",
                service.key_locs.get("configs", service.loc),
                hint=f"give it a target in a directory, e.g. target: /etc/{service.name}/{file.source}",
            )
    build = service.build.model_dump(mode="json") if service.build else None
    published = listeners(service, certificate, report)
    tcp_ports = {port for port, protocol in ports if protocol == "tcp"}
    if build:
        build["extra"] = {k: v for k, v in build["extra"].items() if k != "platforms"}
    return PlannedService(
        name=service.name,
        image=service.image,
        build=build,
        command=service.command,
        entrypoint=service.entrypoint,
        environment=dict(sorted(plain.items())),
        secret_environment=dict(sorted(secret.items())),
        secret_shown=dict(sorted(shown.items())),
        models={b.model: PlannedBinding(endpoint_var=b.endpoint_var, model_var=b.model_var) for b in service.bindings},
        container_ports=ports,
        listeners=published,
        app_protocols={p: v for p, v in app_protocols(service, published, addressed).items() if p in tcp_ports},
        depends_on=service.depends_on,
        files=files,
        file_dirs=file_dirs,
        baked_files=baked,
        mounts=service_mounts(service, runtime.tmpfs, report),
        networks=tuple(sorted(service.networks + ((MODELS_NETWORK,) if service.bindings and gateway_url else ()))),
        labels=service.labels,
        pull_credentials=service.pull_credentials,
        runtime=runtime,
    )


def _attribute_notes(service: Service, report: Report) -> None:
    """Each warned or rejected attribute of the compatibility table becomes a diagnostic."""
    for key, value in service.unmapped.items():
        attribute = status_of(key, value)
        if attribute is None:
            continue
        where, loc = f"services.{service.name}.{key}", service.key_locs.get(key)
        if attribute.status == "rejected":
            report.error(
                f"cannot be deployed: {attribute.reason}",
                where,
                loc,
                hint=f"remove `{key}` from the service (or move it to a local-only override file)",
            )
        else:
            report.warn(f"ignored in the cloud: {attribute.reason}", where, loc)
