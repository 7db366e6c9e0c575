"""Cluster: the ECS cluster, the Service Connect namespace every service is named in, and one
security group per Compose network (members reach each other on any port, as on a Compose network)
or client network (members reach only the services that admit them, on one port)."""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws.former import Former, moved_from
from compose_cloud.program.aws.naming import fixed_name
from compose_translate.plan.synthetic import CLIENT_NETWORKS

ALL_EGRESS: list[aws.ec2.SecurityGroupEgressArgsDict] = [
    {"protocol": "-1", "from_port": 0, "to_port": 0, "cidr_blocks": ["0.0.0.0/0"], "ipv6_cidr_blocks": ["::/0"]}
]


@dataclass(frozen=True)
class ClusterArgs:
    project: str
    vpc_id: pulumi.Input[str]
    networks: tuple[str, ...]  # Compose network names used by the services


class Cluster(pulumi.ComponentResource):
    arn: pulumi.Output[str]
    name: pulumi.Output[str]
    namespace_arn: pulumi.Output[str]
    network_groups: dict[str, aws.ec2.SecurityGroup]

    def __init__(self, name: str, args: ClusterArgs, opts: pulumi.ResourceOptions | None = None):
        """The Service Connect namespace, the ECS cluster using it, and one security group per Compose network."""
        super().__init__("compose-cloud:aws:Cluster", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        # Service Connect names services in a Cloud Map namespace; clients use the short alias (`api`).
        namespace = aws.servicediscovery.HttpNamespace(
            f"{name}-ns",
            name=f"{args.project}-{pulumi.get_stack()}",
            description=f"Compose services of {args.project}",
            opts=fixed_name(child, True),
        )
        cluster = aws.ecs.Cluster(
            f"{name}-ecs",
            settings=[{"name": "containerInsights", "value": "enabled"}],
            service_connect_defaults={"namespace": namespace.arn},
            opts=child,
        )
        self.network_groups = {}
        for network in args.networks:
            client_only = network in CLIENT_NETWORKS
            group = aws.ec2.SecurityGroup(
                f"{name}-net-{network}",
                vpc_id=args.vpc_id,
                egress=ALL_EGRESS,
                opts=child,
                description=f"{network}: clients of the services that admit it"
                if client_only
                else f"Compose network {network}: members reach each other",
            )
            if not client_only:  # a Compose network: members reach each other on any port
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-net-{network}-members",
                    security_group_id=group.id,
                    referenced_security_group_id=group.id,
                    ip_protocol="-1",
                    description=f"from services on Compose network {network}",
                    opts=child,
                )
            self.network_groups[network] = group
        self.arn, self.name, self.namespace_arn = cluster.arn, cluster.name, namespace.arn
        self.prefix = name  # its children's names start with it
        self.register_outputs({"arn": self.arn, "name": self.name, "namespaceArn": self.namespace_arn})


def capacity_association(
    cluster: Cluster, providers: list[pulumi.Output[str]], opts: pulumi.ResourceOptions, formers: tuple[Former, ...]
) -> aws.ecs.ClusterCapacityProviders:
    """Attach GPU capacity providers to the cluster; Fargate stays the default for everything else.

    Made after the cluster and the capacity (each needs the other's name), beside them rather than inside
    the registered Cluster; it answers to its former places under the cluster (`formers`)."""
    name = f"{cluster.prefix}-capacity"
    return aws.ecs.ClusterCapacityProviders(
        name,
        cluster_name=cluster.name,
        capacity_providers=["FARGATE", *providers],
        default_capacity_provider_strategies=[{"capacity_provider": "FARGATE", "weight": 1, "base": 0}],
        opts=pulumi.ResourceOptions.merge(
            opts,
            pulumi.ResourceOptions(
                aliases=moved_from(
                    "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders", name, cluster.prefix, formers
                )
            ),
        ),
    )
