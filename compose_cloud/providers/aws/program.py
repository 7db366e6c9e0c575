"""Realise a DeploymentPlan on AWS: wire the components together, in the plan's deploy order."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws

from compose_translate.plan import DeploymentPlan
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.zones import ZONES
from compose_translate.settings import StackSettings

from .capacity import GpuCapacity, GpuCapacityArgs
from .cluster import Cluster, ClusterArgs
from .domain import CustomDomain
from .ingress import LoadBalancers, LoadBalancersArgs
from .models import EcsModel, ModelGateway
from .native import native_provider
from .network import Network, NetworkArgs
from .sagemaker import SageMakerModel
from .secrets import SecretStore, SecretStoreArgs, stored_value
from .service import ComposeService, ComposeServiceArgs
from .storage import SharedVolume, SharedVolumeArgs


def deploy(
    plan: DeploymentPlan,
    settings: StackSettings,
    former_name: str | None = None,
    provider_args: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Create every resource of the plan; returns the stack outputs.

    `provider_args`: what the default AWS provider would take from `aws:` config (profile,
    assumeRoles, ...); explicit providers ignore that config unless it is passed on.
    `former_name`: the project name earlier versions took from the folder; every top-level component
    gets an alias from it (its children follow by name prefix), so existing stacks are not replaced.
    """
    credentials = dict(provider_args or {})
    user_tags = (credentials.pop("default_tags", None) or {}).get("tags") or {}
    tags = {**user_tags, "compose-cloud:project": plan.name, "compose-cloud:stack": pulumi.get_stack()}
    providers = {
        region: aws.Provider(f"aws-{region}", region=region, default_tags={"tags": tags}, **credentials)
        for region in plan.regions
    }
    opts = pulumi.ResourceOptions(providers=[providers[plan.region]])
    zero_regions = sorted(
        {m.placement.region for m in plan.models.values() if m.sagemaker and m.sagemaker.inference_component}
    )
    natives = {region: native_provider(region, tags, credentials) for region in zero_regions}

    def named(name: str, base: pulumi.ResourceOptions = opts) -> pulumi.ResourceOptions:
        if not former_name or former_name == plan.name:
            return base
        return pulumi.ResourceOptions.merge(
            base, pulumi.ResourceOptions(aliases=[pulumi.Alias(name=former_name + name[len(plan.name) :])])
        )

    network = Network(
        f"{plan.name}-network",
        NetworkArgs(
            zones=ZONES,
            vpc_id=settings.vpc_id,
            gpu_types=tuple(sorted(plan.gpu_capacity)),
            public_subnet_ids=settings.public_subnet_ids,
            private_subnet_ids=settings.private_subnet_ids,
            nat_gateway=not plan.public_tasks,
        ),
        named(f"{plan.name}-network"),
    )
    cluster = Cluster(
        f"{plan.name}-cluster",
        ClusterArgs(project=plan.name, vpc_id=network.vpc_id, networks=plan.networks),
        named(f"{plan.name}-cluster"),
    )
    capacity = _gpu_capacity(plan, cluster, network, named)
    store = (
        SecretStore(
            f"{plan.name}-store",
            SecretStoreArgs(
                secrets=tuple(plan.secrets.values()),
                configs=tuple(plan.configs.values()),
                recovery_days=settings.secret_recovery_days,
            ),
            named(f"{plan.name}-store"),
        )
        if plan.secrets or plan.configs
        else None
    )
    volumes = {
        name: SharedVolume(
            f"{plan.name}-volume-{name}",
            SharedVolumeArgs(
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnet_ids,
                zones=ZONES,
                file_system_id=volume.file_system_id,
                retain=settings.retain_data and not volume.cache,
            ),
            named(f"{plan.name}-volume-{name}"),
        )
        for name, volume in plan.volumes.items()
    }
    listeners = tuple(x for s in plan.services.values() for x in s.listeners)
    domain = (
        CustomDomain(f"{plan.name}-domain", plan.domain, named(f"{plan.name}-domain"))
        if plan.domain and any(x.balancer == "alb" for x in listeners)
        else None
    )
    balancers = (
        LoadBalancers(
            f"{plan.name}-ingress",
            LoadBalancersArgs(
                vpc_id=network.vpc_id,
                subnet_ids=network.public_subnet_ids,
                listeners=listeners,
                certificate_arn=plan.certificate_arn or (domain.certificate_arn if domain else None),
                domain=plan.domain.name if domain and plan.domain else None,
            ),
            named(f"{plan.name}-ingress"),
        )
        if listeners
        else None
    )
    if domain and balancers and balancers.alb:
        domain.point_at(balancers.alb)

    def service_args(service: PlannedService | None, **extra: Any) -> ComposeServiceArgs:
        if service is None:  # the plan gives the gateway its service whenever it has one
            raise pulumi.RunError("the model gateway has no ECS service in the plan")
        runtime, ready = service.runtime, cluster.capacity_association
        return ComposeServiceArgs(
            service=service,
            project=plan.name,
            region=plan.region,
            cluster_arn=cluster.arn,
            namespace_arn=cluster.namespace_arn,
            vpc_id=network.vpc_id,
            subnet_ids=network.private_subnet_ids,
            public_ip=plan.public_tasks,
            network_group_ids=[cluster.network_groups[n].id for n in service.networks],
            admitted_group_ids={n: cluster.network_groups[n].id for n, _ in service.admits},
            log_retention_days=settings.log_retention_days,
            secret_recovery_days=settings.secret_recovery_days,
            stored=store.refs if store else {},
            volumes=volumes,
            baked={f.source: pulumi.Output.secret(stored_value(plan.configs[f.source])) for f in service.baked_files},
            capacity_provider=capacity[runtime.capacity] if runtime.capacity != "fargate" else None,
            # a first deployment must not start GPU tasks before the cluster may use the capacity provider
            capacity_ready=[ready] if ready is not None and runtime.capacity != "fargate" else [],
            **extra,
        )

    endpoints = {
        key: SageMakerModel(
            f"{plan.name}-model-{key}",
            model,
            named(f"{plan.name}-model-{key}", pulumi.ResourceOptions(provider=providers[model.placement.region])),
            native_provider=natives.get(model.placement.region),
        )
        for key, model in plan.models.items()
        if model.sagemaker
    }
    for model in plan.models.values():
        if model.server:
            EcsModel(
                f"{plan.name}-{model.server.name}",
                service_args(model.server, wake_model=model.model if model.placement.scale_to_zero else None),
                named(f"{plan.name}-{model.server.name}"),
            )
    # No ordering between services, gateway and model servers: creating one before another does not
    # make it ready sooner (clients retry), and every such edge makes Pulumi's cycle check quadratic.
    if plan.gateway:
        ModelGateway(
            f"{plan.name}-{plan.gateway.name}",
            service_args(plan.gateway.service),
            [e.endpoint_arn for _, e in sorted(endpoints.items())],
            named(f"{plan.name}-{plan.gateway.name}"),
            count_requests=any(r.wakes for r in plan.gateway.routes),
        )

    awaited_healthy = {
        dep for s in plan.services.values() for dep, spec in s.depends_on.items() if spec.condition == "service_healthy"
    }
    services: dict[str, ComposeService] = {}
    for name in plan.deploy_order:
        service = plan.services[name]
        after = [services[d].ecs_service for d in sorted(service.depends_on)]
        services[name] = ComposeService(
            f"{plan.name}-{name}",
            service_args(
                service,
                targets=balancers.targets.get(name, []) if balancers else [],
                wait_for_steady_state=name in awaited_healthy,
                depends_on=after,
            ),
            named(f"{plan.name}-{name}"),
        )
    return _outputs(plan, services, endpoints, balancers)


def _gpu_capacity(
    plan: DeploymentPlan, cluster: Cluster, network: Network, named: Callable[[str], pulumi.ResourceOptions]
) -> dict[str, pulumi.Output[str]]:
    """One capacity provider per GPU instance type the plan needs; room for twice the tasks (rolling deploys)."""
    capacity = {
        instance_type: GpuCapacity(
            f"{plan.name}-gpu-{instance_type.replace('.', '-')}",
            GpuCapacityArgs(
                instance_type=instance_type,
                cluster_name=cluster.name,
                vpc_id=network.vpc_id,
                subnet_ids=network.private_subnets_for(instance_type),
                max_instances=2 * tasks,
            ),
            named(f"{plan.name}-gpu-{instance_type.replace('.', '-')}"),
        ).capacity_provider_name
        for instance_type, tasks in plan.gpu_capacity.items()
    }
    if capacity:
        cluster.use_capacity([capacity[t] for t in sorted(capacity)])
    return capacity


def _outputs(
    plan: DeploymentPlan,
    services: dict[str, ComposeService],
    endpoints: dict[str, SageMakerModel],
    balancers: LoadBalancers | None,
) -> dict[str, Any]:
    urls = balancers.urls if balancers else {}
    models = {}
    for key, model in plan.models.items():
        place, serving = model.placement, plan.models[model.served_by or key]
        endpoint = endpoints.get(serving.key)
        models[key] = {
            "model": model.model,
            "backend": place.backend,
            "region": place.region,
            "instanceType": place.instance_type,
            "url": plan.gateway.url if plan.gateway else None,
            "endpointName": endpoint.endpoint_name if endpoint else None,
            "endpointArn": endpoint.endpoint_arn if endpoint else None,
            "server": serving.server.name if serving.server else None,
            "servedBy": model.served_by,
            "estimatedHourlyUsd": model.hourly_usd,
        }
    return {
        "services": {
            name: {
                "ecsService": services[name].service_name,
                "urls": pulumi.Output.all(*urls.get(name, [])),
                # values may hold credentials (a password inside a URL): readable with
                # `pulumi stack output --show-secrets`, never in logs or PR comments
                "environment": pulumi.Output.secret(dict(plan.services[name].environment)),
            }
            for name in sorted(services)
        },
        "urls": {name: pulumi.Output.all(*u) for name, u in sorted(urls.items())},
        "models": models,
        "modelGatewayUrl": plan.gateway.url if plan.gateway else None,
        "estimatedHourlyUsd": {
            "total": plan.cost.total,
            "pricesDate": plan.cost.prices_date,
            "note": "on-demand estimate; see docs",
        },
    }
