"""Realise a DeploymentPlan on AWS: wire the components together, in the plan's deploy order."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from compose_translate.plan import DeploymentPlan
from compose_translate.settings import StackSettings

from .cluster import Cluster, ClusterArgs
from .ingress import LoadBalancers, LoadBalancersArgs
from .network import Network, NetworkArgs
from .secrets import SecretStore, SecretStoreArgs
from .service import ComposeService, ComposeServiceArgs
from .storage import SharedVolume, SharedVolumeArgs

ZONES = 2


def deploy(plan: DeploymentPlan, settings: StackSettings) -> dict[str, pulumi.Output]:
    """Create every resource of the plan; returns the stack outputs."""
    provider = aws.Provider(f"aws-{plan.region}", region=plan.region, default_tags={"tags": {
        "compose-cloud:project": plan.name, "compose-cloud:stack": pulumi.get_stack()}})
    opts = pulumi.ResourceOptions(providers=[provider])
    network = Network(f"{plan.name}-network", NetworkArgs(zones=ZONES, vpc_id=settings.vpc_id,
                                             public_subnet_ids=settings.public_subnet_ids,
                                             private_subnet_ids=settings.private_subnet_ids), opts)
    cluster = Cluster(f"{plan.name}-cluster", ClusterArgs(project=plan.name, vpc_id=network.vpc_id, networks=plan.networks), opts)
    store = SecretStore(f"{plan.name}-store", SecretStoreArgs(secrets=tuple(plan.secrets.values()),
                                                              configs=tuple(plan.configs.values())), opts) \
        if plan.secrets or plan.configs else None
    volumes = {name: SharedVolume(f"{plan.name}-volume-{name}", SharedVolumeArgs(
        vpc_id=network.vpc_id, subnet_ids=network.private_subnet_ids, zones=ZONES,
        file_system_id=volume.file_system_id), opts) for name, volume in plan.volumes.items()}
    listeners = tuple(x for s in plan.services.values() for x in s.listeners)
    balancers = LoadBalancers(f"{plan.name}-ingress", LoadBalancersArgs(
        vpc_id=network.vpc_id, subnet_ids=network.public_subnet_ids, listeners=listeners,
        certificate_arn=plan.certificate_arn), opts) if listeners else None

    awaited_healthy = {dep for s in plan.services.values() for dep, spec in s.depends_on.items()
                       if spec["condition"] == "service_healthy"}
    services: dict[str, ComposeService] = {}
    for name in plan.deploy_order:
        service = plan.services[name]
        services[name] = ComposeService(f"{plan.name}-{name}", ComposeServiceArgs(
            service=service, project=plan.name, region=plan.region, cluster_arn=cluster.arn,
            namespace_arn=cluster.namespace_arn, vpc_id=network.vpc_id, subnet_ids=network.private_subnet_ids,
            network_group_ids=[cluster.network_groups[n].id for n in service.networks],
            log_retention_days=settings.log_retention_days, stored=store.refs if store else {}, volumes=volumes,
            targets=balancers.targets.get(name, []) if balancers else [],
            wait_for_steady_state=name in awaited_healthy,
            depends_on=[services[d].ecs_service for d in sorted(service.depends_on)]), opts)

    urls = balancers.urls if balancers else {}
    return {
        "cluster": cluster.name,
        "vpcId": network.vpc_id,
        "services": {name: {"ecsService": services[name].service_name,
                            "urls": pulumi.Output.all(*urls.get(name, [])),
                            "environment": dict(plan.services[name].environment)}
                     for name in sorted(services)},
        "urls": {name: pulumi.Output.all(*u) for name, u in sorted(urls.items())},
    }
