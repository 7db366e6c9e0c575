"""ComposeService: one service of the plan as an ECS service, on Fargate or on EC2 GPU capacity.

Composes, as awsx's FargateService does: its log group, its images (`images.py`), a secret for its
credential-like variables, its task definition (roles and containers, `task.py`), its security
group, and the ECS service with Service Connect, scaled by `ecs_scaling.py`. Model servers and the
model gateway are realised by it too.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws import container
from compose_cloud.program.aws.cluster import ALL_EGRESS
from compose_cloud.program.aws.ecs_scaling import autoscale
from compose_cloud.program.aws.former import Former
from compose_cloud.program.aws.images import service_image
from compose_cloud.program.aws.ingress import Target
from compose_cloud.program.aws.naming import fixed_name
from compose_cloud.program.aws.oneshot import TaskRun
from compose_cloud.program.aws.rule_groups import RuleSet
from compose_cloud.program.aws.secrets import StoredRef, recovery
from compose_cloud.program.aws.storage import SharedVolume
from compose_cloud.program.aws.task import TaskDefinitionArgs, task_definition
from compose_translate.plan.planned_service import PlannedService

# Service Connect's Envoy proxy: LLM responses stream for minutes, so no per-request limit, and
# an idle connection is closed only after an hour of silence. AWS accepts a per-request timeout
# only on ports whose appProtocol is http/http2/grpc (ECS TimeoutConfiguration; pulumi-aws#4265):
# plain TCP ports get the idle timeout alone.
PER_REQUEST_TIMEOUT = 0  # 0 disables the limit
IDLE_TIMEOUT = 3600


SERVICE_TYPE = "compose-cloud:aws:ComposeService"


@dataclass(frozen=True)
class ComposeServiceArgs:
    service: PlannedService
    project: str
    region: str
    cluster_arn: pulumi.Input[str]
    namespace_arn: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    network_group_ids: list[pulumi.Input[str]]
    log_retention_days: int
    stored: dict[str, StoredRef]
    volumes: dict[str, SharedVolume]
    baked: dict[str, pulumi.Input[str]] = field(default_factory=dict)  # config name -> content, for /name files
    targets: list[Target] = field(default_factory=list)
    public_ip: bool = False  # tasks in public subnets (no NAT gateway) need one to reach the internet
    wake_model: str | None = None  # an ECS model server at zero tasks: the model reference requests name
    secret_recovery_days: int = 30
    wait_for_steady_state: bool = False
    depends_on: list[pulumi.Resource] = field(default_factory=list)
    admitted_group_ids: dict[str, pulumi.Input[str]] = field(default_factory=dict)  # client network -> group
    capacity_provider: pulumi.Input[str] | None = None  # EC2 GPU capacity; None: Fargate
    capacity_ready: list[pulumi.Resource] = field(default_factory=list)  # the cluster's capacity association
    task_policy: pulumi.Input[str] | None = None  # what the application may do in AWS; None: nothing
    # the project's groups for services' own rules, by rule set (rule_groups.py): services with the same share one
    rule_groups: dict[RuleSet, aws.ec2.SecurityGroup] = field(default_factory=dict)
    formers: tuple[Former, ...] = ()  # where earlier versions registered this service (see former.py)
    place: Former | None = None  # where it is registered now (its task's resources answer to places under it)


class ComposeService(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    task_definition_arn: pulumi.Output[str]
    security_group_ids: list[pulumi.Input[str]]

    def __init__(self, name: str, args: ComposeServiceArgs, opts: pulumi.ResourceOptions | None = None):
        """Log group, task definition, security group when it carries a rule, then an ECS service, or a one-off
        task run for a service that finishes."""
        super().__init__(SERVICE_TYPE, name, None, opts)
        service, child = args.service, pulumi.ResourceOptions(parent=self)
        if service.runtime.capacity != "fargate" and args.capacity_provider is None:
            raise pulumi.RunError(
                f"service {service.name} needs {service.runtime.capacity} capacity, and none was created for it"
            )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/compose-cloud/{args.project}/{pulumi.get_stack()}/{service.name}",
            retention_in_days=args.log_retention_days,
            opts=fixed_name(child, True),
        )
        image, repository = service_image(self, name, service, args.baked)
        env_secret = self._env_secret(name, service, args.secret_recovery_days)
        efs_mounts = [m for m in service.mounts if m.kind == "efs"]
        task_arn = task_definition(
            name,
            TaskDefinitionArgs(
                service=service,
                project=args.project,
                region=args.region,
                image=image,
                log_group=log_group,
                repository_arn=repository.arn if repository else None,
                env_secret_arn=env_secret.arn if env_secret else None,
                files={f.store_key: args.stored[f.store_key] for f in service.files if f.store_key in args.stored},
                secret_refs={variable: self._secret_arn(ref) for variable, ref in service.secret_refs.items()},
                efs={
                    m.volume: (args.volumes[m.volume].file_system_id, args.volumes[m.volume].access_point_id)
                    for m in efs_mounts
                },
                task_policy=args.task_policy,
                service_places=(*([args.place] if args.place else []), *args.formers),
            ),
            self,
        )
        # a group for its own rules only when it has some (load balancer ports, client networks it admits, an
        # EFS file system that admits it) or it is on no network: else its networks' groups are all it needs,
        # with the same egress; the first service with these rules makes it, later ones share it (rule_groups.py)
        group = None
        if args.targets or service.admits or efs_mounts or not args.network_group_ids:
            rules = RuleSet.of(args.targets, service.admits, [m.volume for m in efs_mounts])
            group = args.rule_groups.get(rules)
            if group is None:
                group = args.rule_groups[rules] = self._security_group(name, args)
                for mount in efs_mounts:
                    args.volumes[mount.volume].admit(service.name, group.id, child)
        group_ids: list[pulumi.Input[str]] = [*([group.id] if group else []), *args.network_group_ids]
        self.ecs_service: aws.ecs.Service | None = None
        self.ready: pulumi.Resource  # what services that depend on this one wait for
        if service.job is not None:  # it finishes: run once per change, not restarted without end
            self.ready = self._run_once(name, args, task_arn, group_ids)
            self.log_group_name, self.task_definition_arn = log_group.name, task_arn
            self.service_name = pulumi.Output.from_input(f"{service.name} (runs once)")
            self.security_group_ids = group_ids
            self.register_outputs({"taskDefinitionArn": task_arn})
            return
        self.ecs_service = self._ecs_service(name, args, task_arn, group_ids)
        self.ready = self.ecs_service
        if service.runtime.scaling:
            autoscale(
                self,
                name,
                service.runtime.scaling,
                args.cluster_arn,
                self.ecs_service.name,
                args.project,
                args.wake_model,
            )
        self.log_group_name = log_group.name
        self.service_name, self.task_definition_arn = self.ecs_service.name, task_arn
        self.security_group_ids = group_ids
        self.register_outputs({"serviceName": self.service_name, "taskDefinitionArn": self.task_definition_arn})

    def _run_once(
        self, name: str, args: ComposeServiceArgs, task_arn: pulumi.Output[str], group_ids: list[pulumi.Input[str]]
    ) -> TaskRun:
        """The job's task, run by `pulumi up` after what it depends on, retried up to its attempts."""
        service = args.service
        assert service.job is not None
        return TaskRun(
            f"{name}-run",
            {
                "cluster": args.cluster_arn,
                "task_definition": task_arn,
                "subnets": args.subnet_ids,
                "security_groups": group_ids,
                "public_ip": args.public_ip,
                "capacity_provider": args.capacity_provider,
                "region": args.region,
                "attempts": service.job.attempts,
                "container": service.name,
            },
            pulumi.ResourceOptions(parent=self, depends_on=[*args.depends_on, *args.capacity_ready]),
        )

    def _security_group(self, name: str, args: ComposeServiceArgs) -> aws.ec2.SecurityGroup:
        """Its own group: the load balancer on the target ports, and the client networks it admits."""
        child, service = pulumi.ResourceOptions(parent=self), args.service
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            egress=ALL_EGRESS,
            description=f"Compose service {service.name}",
            opts=child,
        )
        for target in args.targets:
            for transport in target.transports:
                suffix = f"{'udp-' if transport == 'udp' else ''}{target.container_port}"
                aws.vpc.SecurityGroupIngressRule(
                    f"{name}-lb-{suffix}",
                    security_group_id=group.id,
                    referenced_security_group_id=target.balancer_group_id,
                    ip_protocol=transport,
                    from_port=target.container_port,
                    to_port=target.container_port,
                    description="from the load balancer",
                    opts=child,
                )
        for network, port in service.admits:  # e.g. the gateway admits model clients on its port only
            aws.vpc.SecurityGroupIngressRule(
                f"{name}-from-{network}",
                security_group_id=group.id,
                referenced_security_group_id=args.admitted_group_ids[network],
                ip_protocol="tcp",
                from_port=port,
                to_port=port,
                description=f"from {network} on {port}",
                opts=child,
            )
        return group

    def _ecs_service(
        self, name: str, args: ComposeServiceArgs, task_arn: pulumi.Output[str], group_ids: list[pulumi.Input[str]]
    ) -> aws.ecs.Service:
        """The ECS service: Service Connect name and aliases, load balancer targets, capacity, and a circuit
        breaker that rolls back a deployment whose tasks do not start."""
        service = args.service
        return aws.ecs.Service(
            f"{name}-service",
            name=service.name,
            cluster=args.cluster_arn,
            task_definition=task_arn,
            desired_count=service.runtime.replicas,
            # Fargate, or a capacity provider's EC2 GPU instances
            launch_type="FARGATE" if args.capacity_provider is None else None,
            platform_version="LATEST" if args.capacity_provider is None else None,
            capacity_provider_strategies=None
            if args.capacity_provider is None
            else [{"capacity_provider": args.capacity_provider, "weight": 1, "base": 0}],
            network_configuration={
                "subnets": args.subnet_ids,
                "assign_public_ip": args.public_ip,
                "security_groups": group_ids,
            },
            service_connect_configuration=self._service_connect(service, args.namespace_arn),
            load_balancers=[
                {
                    "target_group_arn": t.target_group_arn,
                    "container_name": service.name,
                    "container_port": t.container_port,
                }
                for t in args.targets
            ],
            health_check_grace_period_seconds=_grace_period(service) if args.targets else None,
            deployment_circuit_breaker={"enable": True, "rollback": True},
            propagate_tags="SERVICE",
            wait_for_steady_state=args.wait_for_steady_state,
            # with autoscaling, the task count is Application Auto Scaling's: `up` must not reset it
            # named after the Compose service (Service Connect and `logs` find it so): replaced delete-first
            opts=pulumi.ResourceOptions(
                parent=self,
                delete_before_replace=True,
                ignore_changes=["desiredCount"] if service.runtime.scaling else None,
                depends_on=[
                    *args.depends_on,
                    *[t.listener for t in args.targets],
                    *args.capacity_ready,
                    # tasks fail to start while their EFS file systems have no mount targets yet
                    *[mt for m in service.mounts if m.kind == "efs" for mt in args.volumes[m.volume].mount_targets],
                ],
            ),
        )

    def _secret_arn(self, reference: str) -> pulumi.Input[str]:
        """A secret the stack names (e.g. compose-cloud:hfTokenSecret): its ARN, looked up when given by name."""
        if reference.startswith("arn:"):
            return reference
        return aws.secretsmanager.get_secret_output(name=reference, opts=pulumi.InvokeOptions(parent=self)).arn

    def _env_secret(self, name: str, service: PlannedService, recovery_days: int) -> aws.secretsmanager.Secret | None:
        if not service.secret_environment:
            return None
        secret = aws.secretsmanager.Secret(
            f"{name}-env",
            description=f"credential-like variables of {service.name}",
            recovery_window_in_days=recovery(recovery_days),
            opts=pulumi.ResourceOptions(parent=self),
        )
        values = {k: v.get_secret_value() for k, v in sorted(service.secret_environment.items())}
        aws.secretsmanager.SecretVersion(
            f"{name}-env",
            secret_id=secret.id,
            secret_string=pulumi.Output.secret(json.dumps(values, sort_keys=True)),
            opts=pulumi.ResourceOptions(parent=self),
        )
        return secret

    @staticmethod
    def _service_connect(
        service: PlannedService, namespace_arn: pulumi.Input[str]
    ) -> aws.ecs.ServiceServiceConnectConfigurationArgsDict:
        """Every TCP port is reachable as <service>:<port>; a service without ports is a client only."""
        return {
            "enabled": True,
            "namespace": namespace_arn,
            "services": [
                {
                    "port_name": container.port_name(port, protocol),
                    "discovery_name": f"{service.name}-{port}",
                    "client_alias": [{"port": port, "dns_name": service.name}],
                    "timeout": {
                        "idle_timeout_seconds": IDLE_TIMEOUT,
                        **(
                            {"per_request_timeout_seconds": PER_REQUEST_TIMEOUT}
                            if port in service.app_protocols
                            else {}
                        ),
                    },
                }
                for port, protocol in service.container_ports
                if protocol == "tcp"
            ],
        }


def _grace_period(service: PlannedService) -> int:
    """Time for the app to start before load balancer health checks count."""
    check = service.runtime.healthcheck
    return max(60, check.start_period + check.interval * check.retries) if check else 60
