"""Stage 3: a normalized project + stack settings -> the `DeploymentPlan`.

Every decision the cloud stage needs is made here (placement, the gateway URL,
the injected variables, what is deployed, every warning), so it is plain data
that can be printed, diffed and unit-tested without Pulumi.
"""

from __future__ import annotations

import graphlib
from pathlib import Path

from compose_translate.errors import Report
from compose_translate.names import free_name
from compose_translate.normalize.project import Project
from compose_translate.plan import pricing
from compose_translate.plan.compose_services import plan_service
from compose_translate.plan.cost import estimate_cost
from compose_translate.plan.deployment import Cost, CustomDomain, DeploymentPlan, ecs_services
from compose_translate.plan.exposure import (
    Listener,
    assign_ephemeral,
    check_conflicts,
    check_limits,
    http_addressed,
    inferred_ports,
)
from compose_translate.plan.files import stored_values
from compose_translate.plan.gateway import plan_gateway
from compose_translate.plan.limits import check_quotas
from compose_translate.plan.models import PlannedModel, plan_models
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.storage import MODEL_CACHE, MODEL_CACHE_PATH, PlannedMount, PlannedVolume, planned_volumes
from compose_translate.settings import StackSettings

__all__ = ["Cost", "CustomDomain", "DeploymentPlan", "build_plan", "ecs_services"]


def build_plan(project: Project, settings: StackSettings, report: Report) -> DeploymentPlan:
    """Every cloud decision for a normalized project: models placed, services sized and exposed, the
    gateway, storage and cost. All errors are reported together, then raised, before a plan exists."""
    taken = set(project.services)
    gateway_name = free_name(settings.gateway_name, taken)
    taken.add(gateway_name)
    prices = pricing.PriceBook(pricing.load(Path(project.project_dir)))
    _plaintext_warnings(settings, report)
    models, unbound = plan_models(project, settings, taken, report, prices)
    gateway_url = f"http://{gateway_name}:{settings.gateway_port}/v1/" if models else None
    certificate = settings.certificate_arn is not None or settings.domain is not None
    inferred, addressed = inferred_ports(project.services, report), http_addressed(project.services)
    services = {
        name: plan_service(
            service, project, gateway_url, certificate, inferred.get(name, set()), addressed.get(name, set()), report
        )
        for name, service in project.services.items()
    }
    moved = assign_ephemeral({n: s.listeners for n, s in services.items()}, project.services, report)
    services = {
        n: s if s.listeners == moved[n] else s.model_copy(update={"listeners": moved[n]}) for n, s in services.items()
    }
    published = [listener for s in services.values() for listener in s.listeners]
    _domain_warning(settings, published, report)
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
    check_quotas(
        everything,
        sum(1 for m in models.values() if m.sagemaker and not m.served_by),
        any(s.runtime.capacity != "fargate" for s in everything),
        report,
    )
    _nat_check(everything, settings, report)
    report.raise_if_errors()
    return DeploymentPlan(
        name=project.name,
        project_dir=project.project_dir,
        region=settings.region,
        gateway=gateway,
        models=models,
        unbound_models=unbound,
        services=services,
        deploy_order=order,
        gpu_capacity=_gpu_tasks(everything),
        # where resources are made: a Bedrock model makes none (the gateway calls it from the stack's region)
        regions=(
            settings.region,
            *sorted({m.placement.region for m in models.values() if not m.bedrock} - {settings.region}),
        ),
        secrets=stored["secrets"],
        configs=dict(sorted(stored["configs"].items())),
        volumes=volumes,
        networks=tuple(sorted({n for s in everything for n in (*s.networks, *(n for n, _ in s.admits))})),
        certificate_arn=settings.certificate_arn,
        cost=estimate_cost(services, models, gateway, settings.nat_gateway, prices, settings.region),
        public_tasks=not settings.nat_gateway,
        domain=CustomDomain(name=settings.domain, hosted_zone_id=settings.hosted_zone_id)
        if settings.domain and settings.hosted_zone_id
        else None,
        warnings=tuple(report.sorted_warnings()),
    )


def _plaintext_warnings(settings: StackSettings, report: Report) -> None:
    """Credentials a stack file holds in plain text are readable by anyone who can read the repository."""
    for key in settings.plaintext:
        report.warn(
            f"{key} is stored in the stack file as plain text: anyone who can read the repository can read it",
            f"config.{key}",
            None,
            hint=f'set it encrypted: pulumi config set --secret {key} "..."',
        )


def _domain_warning(settings: StackSettings, published: list[Listener], report: Report) -> None:
    """A custom domain needs an Application Load Balancer, which only a published HTTP port makes."""
    if settings.domain and not any(x.balancer == "alb" for x in published):
        report.warn(
            f"compose-cloud:domain {settings.domain} is set, but no service publishes an HTTP port, so there "
            "is no load balancer to give it",
            "config.compose-cloud:domain",
            None,
            hint='publish the web service\'s port (`ports: ["80:8080"]`), or remove the setting',
        )


def _nat_check(everything: list[PlannedService], settings: StackSettings, report: Report) -> None:
    """Tasks on EC2 GPU instances get no public IP: without a NAT gateway they could not pull or download."""
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


def _gpu_tasks(everything: list[PlannedService]) -> dict[str, int]:
    """Tasks per GPU instance type at their most (scaling maximum), which sizes each capacity provider."""
    gpu_tasks: dict[str, int] = {}
    for service in everything:
        if service.runtime.capacity != "fargate":
            tasks = service.runtime.scaling.maximum if service.runtime.scaling else service.runtime.replicas
            gpu_tasks[service.runtime.capacity] = gpu_tasks.get(service.runtime.capacity, 0) + tasks
    return dict(sorted(gpu_tasks.items()))


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
            service.where("depends_on"),
            hint="remove one of these depends_on entries",
        )
        return tuple(sorted(graph))
    order: list[str] = []
    while sorter.is_active():
        ready = sorted(sorter.get_ready())
        order.extend(ready)
        sorter.done(*ready)
    return tuple(order)
