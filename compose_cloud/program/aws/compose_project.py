"""ComposeProject: the whole Compose project on AWS as one component, the root of everything a stack
creates. A user's program can parent it, protect it, transform it and hand it providers, as with any
Pulumi component; `compose_cloud.program.deploy` (and `deploy_stepwise`, `run`) wrap it.

Earlier versions registered the top-level components at the stack's root: each answers to that
former place (and to its folder-derived former name) through aliases, so existing stacks keep them.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws.capacity import GpuCapacity, GpuCapacityArgs
from compose_cloud.program.aws.cluster import Cluster, ClusterArgs, capacity_association
from compose_cloud.program.aws.domain import CustomDomain, alias_record
from compose_cloud.program.aws.former import Former, Urn, child_urn
from compose_cloud.program.aws.former import at_root as root_places
from compose_cloud.program.aws.ingress import LoadBalancers, LoadBalancersArgs
from compose_cloud.program.aws.models import EcsModel, ModelGateway
from compose_cloud.program.aws.native import native_provider
from compose_cloud.program.aws.network import Network, NetworkArgs
from compose_cloud.program.aws.rule_groups import RuleSet
from compose_cloud.program.aws.sagemaker import SageMakerModel
from compose_cloud.program.aws.secrets import SecretStore, SecretStoreArgs, stored_value
from compose_cloud.program.aws.service import ComposeService, ComposeServiceArgs
from compose_cloud.program.aws.storage import SharedVolume, SharedVolumeArgs
from compose_translate.plan import DeploymentPlan
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.zones import ZONES
from compose_translate.settings import StackSettings

TYPE = "compose-cloud:index:ComposeProject"


@dataclass(frozen=True)
class ComposeProjectArgs:
    """What the component realises: a plan made by compose_translate, and how to reach AWS."""

    plan: DeploymentPlan
    settings: StackSettings
    # what the default AWS provider would take from `aws:` config (profile, assumeRoles, ...): explicit
    # providers ignore that config unless it is passed on
    provider_args: dict[str, Any] = field(default_factory=dict)
    # the project name earlier versions took from the folder: top-level components answer to it
    former_name: str | None = None


async def let_registrations_run(turns: int = 30) -> None:
    """Turns of the event loop: what is ready of the registrations so far runs (serialized, sent to the engine)
    without waiting for the engine's answers, which under `pulumi up` come as AWS finishes. A registration takes
    a dozen turns or more; with 3 per service most of them still waited at the end (tests/program/
    test_compose_project.py), with 30 a preview of 2,000 services peaks at about 480 MiB (docs/performance.md)
    instead of 1.26 GiB."""
    for _ in range(turns):
        await asyncio.sleep(0)


class ComposeProject(pulumi.ComponentResource):
    """The plan's providers, then its components in order, foundation first (network, cluster, GPU
    capacity, secrets, volumes), so later ones can be wired to them; outputs registered once all exist.

    Providers: a pulumi-aws provider given through `opts.providers` (or inherited) serves the plan's home
    region instead of the one made here, and so does a pulumi-aws-native one for inference components;
    other regions get their own. A provider given here should carry the `compose-cloud:project` and
    `compose-cloud:stack` default tags, by which `status` and `logs` find the stack.
    """

    outputs: dict[str, Any]

    def __init__(self, name: str, args: ComposeProjectArgs, opts: pulumi.ResourceOptions | None = None):
        """Providers first, then every component in the plan's order; outputs registered last, once everything
        exists."""
        super().__init__(TYPE, name, None, opts)
        for _ in self._create(name, args, opts):
            pass

    @classmethod
    async def stepwise(
        cls,
        name: str,
        args: ComposeProjectArgs,
        opts: pulumi.ResourceOptions | None = None,
    ) -> ComposeProject:
        """The same component, with `let_registrations_run` awaited after each model and service: the SDK registers
        what exists so far instead of holding every resource's pending registration until the program returns
        (the peak memory of a large project; issue 25)."""
        project = cls.__new__(cls)
        pulumi.ComponentResource.__init__(project, TYPE, name, None, opts)
        for _ in project._create(name, args, opts):
            await let_registrations_run()
        return project

    def _create(self, name: str, args: ComposeProjectArgs, opts: pulumi.ResourceOptions | None) -> Iterator[None]:
        """Everything under this component, in order; yields after each model and service (see `stepwise`)."""
        # this component's URN: as text at the stack's root (no Output per alias), else through the engine
        self.own_urn: Urn = (
            self.urn if opts is not None and opts.parent is not None else root_places(TYPE, [name])[0].urn
        )
        plan = self.plan = args.plan
        self.settings, self.former_name = args.settings, args.former_name
        credentials = dict(args.provider_args)
        user_tags = (credentials.pop("default_tags", None) or {}).get("tags") or {}
        tags = {**user_tags, "compose-cloud:project": plan.name, "compose-cloud:stack": pulumi.get_stack()}
        at_root = pulumi.ResourceOptions(parent=self, aliases=[pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)])
        given = self.get_provider("aws::")
        self.providers = {
            region: given
            if given is not None and region == plan.region
            else aws.Provider(f"aws-{region}", region=region, default_tags={"tags": tags}, **credentials, opts=at_root)
            for region in plan.regions
        }
        self.opts = pulumi.ResourceOptions(parent=self, providers=[self.providers[plan.region]])
        zero_regions = sorted(
            {m.placement.region for m in plan.models.values() if m.sagemaker and m.sagemaker.inference_component}
        )
        given_native = self.get_provider("aws-native::")
        self.natives = {
            region: given_native
            if given_native is not None and region == plan.region
            else native_provider(region, tags, credentials, at_root)
            for region in zero_regions
        }
        self._foundation()
        balancers = self.ingress()
        endpoints: dict[str, SageMakerModel] = {}
        yield from self.models(endpoints)
        services: dict[str, ComposeService] = {}
        yield from self.services(balancers, services)
        self.outputs = _outputs(plan, services, endpoints, balancers)
        self.register_outputs(self.outputs)

    def _foundation(self) -> None:
        """What everything else is wired to: network, cluster, GPU capacity, secrets and volumes."""
        plan, settings = self.plan, self.settings
        self.network = Network(
            f"{plan.name}-network",
            NetworkArgs(
                zones=ZONES,
                vpc_id=settings.vpc_id,
                gpu_types=tuple(sorted(plan.gpu_capacity)),
                public_subnet_ids=settings.public_subnet_ids,
                private_subnet_ids=settings.private_subnet_ids,
                nat_gateway=not plan.public_tasks,
            ),
            self.named(f"{plan.name}-network"),
        )
        self.cluster = Cluster(
            f"{plan.name}-cluster",
            ClusterArgs(project=plan.name, vpc_id=self.network.vpc_id, networks=plan.networks),
            self.named(f"{plan.name}-cluster"),
        )
        self.rule_groups: dict[RuleSet, aws.ec2.SecurityGroup] = {}  # shared by services with the same rules
        self.capacity = _gpu_capacity(plan, self.cluster, self.network, self.named)
        self.capacity_ready = (
            capacity_association(
                self.cluster,
                [self.capacity[t] for t in sorted(self.capacity)],
                self.opts,
                self.formers("compose-cloud:aws:Cluster", self.cluster.prefix),
            )
            if self.capacity
            else None
        )
        self.store = (
            SecretStore(
                f"{plan.name}-store",
                SecretStoreArgs(
                    secrets=tuple(plan.secrets.values()),
                    configs=tuple(plan.configs.values()),
                    recovery_days=settings.secret_recovery_days,
                ),
                self.named(f"{plan.name}-store"),
            )
            if plan.secrets or plan.configs
            else None
        )
        self.volumes = {
            name: SharedVolume(
                f"{plan.name}-volume-{name}",
                SharedVolumeArgs(
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.private_subnet_ids,
                    zones=ZONES,
                    file_system_id=volume.file_system_id,
                    retain=settings.retain_data and not volume.cache,
                    formers=self.formers("compose-cloud:aws:SharedVolume", f"{plan.name}-volume-{name}"),
                ),
                self.named(f"{plan.name}-volume-{name}"),
            )
            for name, volume in plan.volumes.items()
        }

    def _former_names(self, name: str) -> list[str]:
        """The names a top-level component had: this one, and the one from the folder-derived project name."""
        if self.former_name and self.former_name != self.plan.name:
            return [name, self.former_name + name[len(self.plan.name) :]]
        return [name]

    def formers(self, type_: str, name: str) -> tuple[Former, ...]:
        """Where earlier versions registered the top-level component `name`: at the stack's root, by each
        of its names (what `named` gives it aliases for)."""
        return root_places(type_, self._former_names(name))

    def place(self, type_: str, name: str) -> Former:
        """Where the top-level component `name` is registered now: under this one, whose URN is known as text
        unless a user's component is its parent."""
        return Former(name, child_urn(self.own_urn, type_, name))

    def named(self, name: str, base: pulumi.ResourceOptions | None = None) -> pulumi.ResourceOptions:
        """A top-level component's options: under this one, answering to its former places at the stack's
        root, by each of its names (the engine carries these to its children)."""
        aliases = [
            pulumi.Alias(parent=pulumi.ROOT_STACK_RESOURCE)
            if former == name
            else pulumi.Alias(name=former, parent=pulumi.ROOT_STACK_RESOURCE)
            for former in self._former_names(name)
        ]
        return pulumi.ResourceOptions.merge(base or self.opts, pulumi.ResourceOptions(parent=self, aliases=aliases))

    def _region_options(self, region: str) -> pulumi.ResourceOptions:
        """A model's region: its pulumi-aws provider, and pulumi-aws-native's when it scales to zero."""
        native = self.natives.get(region)
        return pulumi.ResourceOptions(parent=self, providers=[self.providers[region], *([native] if native else [])])

    def ingress(self) -> LoadBalancers | None:
        """The load balancers of the published ports, and the custom domain pointed at the ALB."""
        plan = self.plan
        listeners = tuple(x for s in plan.services.values() for x in s.listeners)
        domain = (
            CustomDomain(f"{plan.name}-domain", plan.domain, self.named(f"{plan.name}-domain"))
            if plan.domain and any(x.balancer == "alb" for x in listeners)
            else None
        )
        balancers = (
            LoadBalancers(
                f"{plan.name}-ingress",
                LoadBalancersArgs(
                    vpc_id=self.network.vpc_id,
                    subnet_ids=self.network.public_subnet_ids,
                    listeners=listeners,
                    certificate_arn=plan.certificate_arn or (domain.certificate_arn if domain else None),
                    domain=plan.domain.name if domain and plan.domain else None,
                ),
                self.named(f"{plan.name}-ingress"),
            )
            if listeners
            else None
        )
        if domain and balancers and balancers.alb:
            alias_record(
                domain, balancers.alb, self.opts, self.formers("compose-cloud:aws:CustomDomain", domain.prefix)
            )
        return balancers

    def service_args(self, service: PlannedService | None, **extra: Any) -> ComposeServiceArgs:
        """What every ECS service of the stack is wired to: cluster, network, secrets, volumes, capacity."""
        if service is None:  # the plan gives the gateway its service whenever it has one
            raise pulumi.RunError("the model gateway has no ECS service in the plan")
        plan, cluster, network = self.plan, self.cluster, self.network
        runtime, ready = service.runtime, self.capacity_ready
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
            log_retention_days=self.settings.log_retention_days,
            secret_recovery_days=self.settings.secret_recovery_days,
            stored=self.store.refs if self.store else {},
            volumes=self.volumes,
            rule_groups=self.rule_groups,
            baked={f.source: pulumi.Output.secret(stored_value(plan.configs[f.source])) for f in service.baked_files},
            capacity_provider=self.capacity[runtime.capacity] if runtime.capacity != "fargate" else None,
            # a first deployment must not start GPU tasks before the cluster may use the capacity provider
            capacity_ready=[ready] if ready is not None and runtime.capacity != "fargate" else [],
            **extra,
        )

    def models(self, endpoints: dict[str, SageMakerModel]) -> Iterator[None]:
        """SageMaker endpoints (through their region's providers, into `endpoints`), ECS model servers and the
        gateway; yields after each."""
        plan = self.plan
        for key, model in plan.models.items():
            if model.sagemaker:
                endpoints[key] = SageMakerModel(
                    f"{plan.name}-model-{key}",
                    model,
                    self.named(f"{plan.name}-model-{key}", self._region_options(model.placement.region)),
                )
                yield
        for model in plan.models.values():
            if model.server:
                EcsModel(
                    f"{plan.name}-{model.server.name}",
                    self.service_args(
                        model.server,
                        wake_model=model.model if model.placement.scale_to_zero else None,
                        formers=self.formers("compose-cloud:aws:EcsModel", f"{plan.name}-{model.server.name}"),
                        place=self.place("compose-cloud:aws:EcsModel", f"{plan.name}-{model.server.name}"),
                    ),
                    self.named(f"{plan.name}-{model.server.name}"),
                )
                yield
        # No ordering between services, gateway and model servers: creating one before another does not
        # make it ready sooner (clients retry), and every such edge makes Pulumi's cycle check quadratic.
        if plan.gateway:
            ModelGateway(
                f"{plan.name}-{plan.gateway.name}",
                self.service_args(
                    plan.gateway.service,
                    formers=self.formers("compose-cloud:aws:ModelGateway", f"{plan.name}-{plan.gateway.name}"),
                    place=self.place("compose-cloud:aws:ModelGateway", f"{plan.name}-{plan.gateway.name}"),
                ),
                [arn for _, e in sorted(endpoints.items()) for arn in e.invoke_arns],
                self.named(f"{plan.name}-{plan.gateway.name}"),
                count_requests=any(r.wakes for r in plan.gateway.routes),
                bedrock_models=[m.bedrock for _, m in sorted(plan.models.items()) if m.bedrock and not m.served_by],
            )
            yield

    def services(self, balancers: LoadBalancers | None, services: dict[str, ComposeService]) -> Iterator[None]:
        """The Compose services in deploy order (into `services`), each after the services it depends on; yields
        after each."""
        plan = self.plan
        awaited_healthy = {
            dep
            for s in plan.services.values()
            for dep, spec in s.depends_on.items()
            if spec.condition == "service_healthy"
        }
        for name in plan.deploy_order:
            service = plan.services[name]
            after = [services[d].ready for d in sorted(service.depends_on)]
            services[name] = ComposeService(
                f"{plan.name}-{name}",
                self.service_args(
                    service,
                    targets=balancers.targets.get(name, []) if balancers else [],
                    wait_for_steady_state=name in awaited_healthy,
                    depends_on=after,
                    formers=self.formers("compose-cloud:aws:ComposeService", f"{plan.name}-{name}"),
                    place=self.place("compose-cloud:aws:ComposeService", f"{plan.name}-{name}"),
                ),
                self.named(f"{plan.name}-{name}"),
            )
            yield


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
    return capacity


def _outputs(
    plan: DeploymentPlan,
    services: dict[str, ComposeService],
    endpoints: dict[str, SageMakerModel],
    balancers: LoadBalancers | None,
) -> dict[str, Any]:
    """The stack outputs: URLs, services, models and the cost estimate; service environments are secrets, since
    they may hold credentials."""
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
            "bedrockModel": serving.bedrock.model_id if serving.bedrock else None,
            "servedBy": model.served_by,
            "estimatedHourlyUsd": model.hourly_usd,
        }
    return {
        "services": {
            name: {
                "ecsService": services[name].service_name,
                "urls": pulumi.Output.all(*urls[name]) if name in urls else [],
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
