"""ComposeService: one service of the plan as an ECS service, on Fargate or on EC2 GPU capacity.

Children: log group, image repository and build (for `build:`), execution role (pull, logs,
its own secrets only), task role (no permissions unless the plan gives it some), a secret for
its credential-like variables, its security group, task definition and ECS service with
Service Connect. Model servers and the model gateway are realised by it too.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from compose_translate.names import IAM
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.runtime import Scaling
from compose_translate.sensitive import is_sensitive

from . import container, iam
from .cluster import ALL_EGRESS
from .ingress import Target
from .naming import fitted
from .scaling import step, target_tracking
from .secrets import StoredRef, recovery
from .storage import SharedVolume

# Service Connect's Envoy proxy: LLM responses stream for minutes, so no per-request limit, and
# an idle connection is closed only after an hour of silence. AWS accepts a per-request timeout
# only on ports whose appProtocol is http/http2/grpc (ECS TimeoutConfiguration; pulumi-aws#4265):
# plain TCP ports get the idle timeout alone.
PER_REQUEST_TIMEOUT = 0  # 0 disables the limit
IDLE_TIMEOUT = 3600
DEFAULT_PLATFORM = {"X86_64": "linux/amd64", "ARM64": "linux/arm64"}
EMPTY_CONTEXT = ".compose-cloud/empty-context"  # the derived images' build context: their Dockerfile holds all


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


class ComposeService(pulumi.ComponentResource):
    service_name: pulumi.Output[str]
    task_definition_arn: pulumi.Output[str]
    security_group_id: pulumi.Output[str]
    ecs_service: aws.ecs.Service

    def __init__(self, name: str, args: ComposeServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("compose-cloud:aws:ComposeService", name, None, opts)
        service, child = args.service, pulumi.ResourceOptions(parent=self)
        on_ec2 = service.runtime.capacity != "fargate"
        if on_ec2 and args.capacity_provider is None:
            raise pulumi.RunError(
                f"service {service.name} needs {service.runtime.capacity} capacity, and none was created for it"
            )
        log_group = aws.cloudwatch.LogGroup(
            f"{name}-logs",
            name=f"/compose-cloud/{args.project}/{pulumi.get_stack()}/{service.name}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        image, repository = self._image(name, service)
        if service.baked_files:
            image, repository = self._bake(name, service, image, repository, args.baked)
        repository_arn = repository.arn if repository else None
        env_secret = self._env_secret(name, service, args.secret_recovery_days)
        wanted = {f.store_key for f in service.files}
        files = {key: ref for key, ref in args.stored.items() if key in wanted}
        secret_arns = [ref.arn for ref in files.values() if ref.store == "secretsmanager"]
        secret_arns += [env_secret.arn] if env_secret else []
        secret_arns += [service.pull_credentials] if service.pull_credentials else []  # a private registry
        secret_refs = {variable: self._secret_arn(reference) for variable, reference in service.secret_refs.items()}
        secret_arns += list(secret_refs.values())
        execution_role = aws.iam.Role(
            f"{name}-execution",
            **fitted(f"{name}-execution", 64, IAM),
            assume_role_policy=iam.assume_role(iam.ECS_TASKS),
            description=f"ECS agent for {service.name}: pull, logs, its secrets",
            opts=child,
        )
        aws.iam.RolePolicy(
            f"{name}-execution",
            role=execution_role.id,
            policy=iam.execution_policy(
                log_group.arn, repository_arn, secret_arns, [r.arn for r in files.values() if r.store == "ssm"]
            ),
            opts=child,
        )
        task_role = aws.iam.Role(
            f"{name}-task",
            **fitted(f"{name}-task", 64, IAM),
            assume_role_policy=iam.assume_role(iam.ECS_TASKS),
            description=f"the {service.name} application" + ("" if args.task_policy else ": no AWS permissions"),
            opts=child,
        )
        if args.task_policy is not None:
            aws.iam.RolePolicy(f"{name}-task", role=task_role.id, policy=args.task_policy, opts=child)

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
        for mount in service.mounts:
            if mount.kind == "efs":
                args.volumes[mount.volume].allow(service.name, group.id)

        efs = {
            m.volume: (args.volumes[m.volume].file_system_id, args.volumes[m.volume].access_point_id)
            for m in service.mounts
            if m.kind == "efs"
        }
        definitions = pulumi.Output.all(
            image,
            log_group.name,
            env_secret.arn if env_secret else None,
            {key: ref.arn for key, ref in files.items()},
            secret_refs,
        ).apply(
            lambda v: json.dumps(
                container.container_definitions(
                    service,
                    container.Resolved(
                        image=v[0],
                        log_group=v[1],
                        region=args.region,
                        env_secret_arn=v[2],
                        file_sources=v[3],
                        secret_refs=v[4],
                    ),
                )
            )
        )
        size = {} if on_ec2 else {"cpu": str(service.runtime.cpu), "memory": str(service.runtime.memory)}
        task = aws.ecs.TaskDefinition(
            f"{name}-task",
            family=f"{args.project}-{pulumi.get_stack()}-{service.name}",
            network_mode="awsvpc",
            requires_compatibilities=["EC2" if on_ec2 else "FARGATE"],
            **size,
            runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": service.runtime.architecture},
            execution_role_arn=execution_role.arn,
            task_role_arn=task_role.arn,
            container_definitions=definitions,
            volumes=container.task_volumes(service, efs),
            opts=child,
        )
        self.ecs_service = aws.ecs.Service(
            f"{name}-service",
            name=service.name,
            cluster=args.cluster_arn,
            task_definition=task.arn,
            desired_count=service.runtime.replicas,
            **_placement(args.capacity_provider),
            network_configuration={
                "subnets": args.subnet_ids,
                "assign_public_ip": args.public_ip,
                "security_groups": [group.id, *args.network_group_ids],
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
            opts=pulumi.ResourceOptions(
                parent=self,
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
        if service.runtime.scaling:
            self._autoscaling(name, service.runtime.scaling, args)
        self.log_group_name = log_group.name
        self.service_name, self.task_definition_arn = self.ecs_service.name, task.arn
        self.security_group_id = group.id
        self.register_outputs({"serviceName": self.service_name, "taskDefinitionArn": self.task_definition_arn})

    def _repository(self, name: str) -> aws.ecr.Repository:
        return aws.ecr.Repository(
            f"{name}-repo",
            name=f"compose-cloud/{name}-{pulumi.get_stack()}".lower(),
            image_tag_mutability="MUTABLE",
            force_delete=True,
            image_scanning_configuration={"scan_on_push": True},
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _registries(self, repository: aws.ecr.Repository) -> list[dict]:
        token = aws.ecr.get_authorization_token_output(
            registry_id=repository.registry_id, opts=pulumi.InvokeOptions(parent=self)
        )
        return [
            {
                "address": repository.repository_url,
                "username": token.user_name,
                "password": pulumi.Output.secret(token.password),
            }
        ]

    def _bake(
        self,
        name: str,
        service: PlannedService,
        base: pulumi.Output[str],
        repository: aws.ecr.Repository | None,
        contents: dict[str, pulumi.Input[str]],
    ) -> tuple[pulumi.Output[str], aws.ecr.Repository]:
        """Configs at `/name` (no volume can hold a file at the root) are copied into an image derived from
        the service's, with BuildKit's heredoc COPY: no shell, no build context, the mode and owner kept."""
        repository = repository or self._repository(name)
        files = service.baked_files
        dockerfile = pulumi.Output.all(base, *[contents[f.source] for f in files]).apply(
            lambda values: container.baked_dockerfile(values[0], list(zip(files, values[1:], strict=True)))
        )
        if not pulumi.runtime.is_dry_run():
            Path(EMPTY_CONTEXT).mkdir(parents=True, exist_ok=True)
        return self._pushed(
            f"{name}-baked",
            repository,
            "with-configs",
            service,
            context={"location": EMPTY_CONTEXT},
            dockerfile={"inline": pulumi.Output.secret(dockerfile)},
        ), repository

    def _image(self, name: str, service: PlannedService) -> tuple[pulumi.Output[str], aws.ecr.Repository | None]:
        if service.build is None:
            return pulumi.Output.from_input(service.image), None
        build = service.build
        repository = self._repository(name)
        context = _relative(build["context"])
        dockerfile = (
            {"inline": build["dockerfile_inline"]}
            if build.get("dockerfile_inline")
            else {"location": _join(context, build.get("dockerfile") or "Dockerfile")}
        )
        contexts = build["extra"].get("additional_contexts")
        named = {"named": {k: {"location": _relative(v)} for k, v in sorted(contexts.items())}} if contexts else {}
        image = self._pushed(
            f"{name}-image",
            repository,
            "latest",
            service,
            context={"location": context, **named},
            dockerfile=dockerfile,
            target=build.get("target"),
            build_args={
                # credential-like arguments stay Pulumi secrets: never plain in the state or a preview
                k: pulumi.Output.secret(v) if is_sensitive(k, str(v)) else v
                for k, v in build["args"].items()
                if v is not None
            },
        )
        return image, repository

    def _pushed(
        self, logical: str, repository: aws.ecr.Repository, tag: str, service: PlannedService, **build: Any
    ) -> pulumi.Output[str]:
        """An image built for the service's platform and pushed to its repository by `pulumi up` only: a pull
        request's Dockerfile must not run during `pulumi preview` (it would run with the preview's credentials)."""
        return docker_build.Image(
            logical,
            platforms=[DEFAULT_PLATFORM[service.runtime.architecture]],
            push=True,
            build_on_preview=False,
            tags=[repository.repository_url.apply(lambda url: f"{url}:{tag}")],
            registries=self._registries(repository),
            opts=pulumi.ResourceOptions(parent=self),
            **build,
        ).ref

    def _autoscaling(self, name: str, scaling: Scaling, args: ComposeServiceArgs) -> None:
        """Application Auto Scaling keeps the task count in min..max, tracking the average CPU or memory."""
        child = pulumi.ResourceOptions(parent=self)
        cluster_name = pulumi.Output.from_input(args.cluster_arn).apply(lambda arn: arn.split("/")[-1])
        resource_id = pulumi.Output.all(cluster_name, self.ecs_service.name).apply(lambda v: f"service/{v[0]}/{v[1]}")
        metric = "ECSServiceAverageCPUUtilization" if scaling.metric == "cpu" else "ECSServiceAverageMemoryUtilization"
        target = target_tracking(
            name,
            "ecs",
            resource_id,
            "ecs:service:DesiredCount",
            (scaling.minimum, scaling.maximum),
            metric,
            scaling.target,
            (300, 60),
            child,
            # a service that scales to zero is scaled in by its idle alarm only
            disable_scale_in=bool(scaling.idle_minutes),
        )
        if scaling.idle_minutes and args.wake_model:
            self._wake_and_sleep(name, scaling.idle_minutes, args, target, cluster_name)

    def _wake_and_sleep(
        self,
        name: str,
        idle_minutes: int,
        args: ComposeServiceArgs,
        target: aws.appautoscaling.Target,
        cluster_name: pulumi.Output[str],
    ) -> None:
        """From zero tasks to one when a request arrives (counted in the gateway's logs), and back to zero
        after `idle_minutes` without one. The GPU Auto Scaling group follows through ECS managed scaling."""
        child = pulumi.ResourceOptions(parent=self)
        requests = {
            "namespace": requests_namespace(args.project),
            "metric_name": "ModelRequests",
            "dimensions": {"Model": args.wake_model},
            "period": 60,
            "stat": "Sum",
        }
        running = {
            "namespace": "AWS/ECS",
            "metric_name": "CPUUtilization",
            "period": 60,
            "stat": "SampleCount",
            "dimensions": pulumi.Output.all(cluster_name, self.ecs_service.name).apply(
                lambda v: {"ClusterName": v[0], "ServiceName": v[1]}
            ),
        }

        wake = step(f"{name}-wake", target, "ecs", "ChangeInCapacity", {"metric_interval_lower_bound": "0"}, 1, child)
        aws.cloudwatch.MetricAlarm(
            f"{name}-wake",
            alarm_description=f"requests for {args.wake_model} while no task runs: start one",
            comparison_operator="GreaterThanOrEqualToThreshold",
            evaluation_periods=1,
            threshold=1,
            metric_queries=[
                {"id": "requests", "metric": requests, "return_data": False},
                {"id": "tasks", "metric": running, "return_data": False},
                {
                    "id": "asleep",
                    "expression": "IF(FILL(requests, 0) > 0 AND FILL(tasks, 0) == 0, 1, 0)",
                    "label": "requests while at zero tasks",
                    "return_data": True,
                },
            ],
            alarm_actions=[wake.arn],
            opts=child,
        )
        sleep = step(f"{name}-sleep", target, "ecs", "ExactCapacity", {"metric_interval_upper_bound": "0"}, 0, child)
        aws.cloudwatch.MetricAlarm(
            f"{name}-sleep",
            alarm_description=f"no request for {args.wake_model} in {idle_minutes} minutes: stop",
            namespace=requests["namespace"],
            metric_name="ModelRequests",
            dimensions=requests["dimensions"],
            statistic="Sum",
            period=60,
            evaluation_periods=idle_minutes,
            datapoints_to_alarm=idle_minutes,
            threshold=1,
            comparison_operator="LessThanThreshold",
            treat_missing_data="breaching",
            alarm_actions=[sleep.arn],
            opts=child,
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
            **recovery(recovery_days),
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
    def _service_connect(service: PlannedService, namespace_arn: pulumi.Input[str]) -> dict:
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


def _placement(capacity_provider: pulumi.Input[str] | None) -> dict:
    if capacity_provider is None:
        return {"launch_type": "FARGATE", "platform_version": "LATEST"}
    return {"capacity_provider_strategies": [{"capacity_provider": capacity_provider, "weight": 1, "base": 0}]}


def requests_namespace(project: str) -> str:
    """The CloudWatch namespace of the stack's own metrics (requests per waking model)."""
    return f"compose-cloud/{project}/{pulumi.get_stack()}"


def _grace_period(service: PlannedService) -> int:
    """Time for the app to start before load balancer health checks count."""
    check = service.runtime.healthcheck
    return max(60, check.start_period + check.interval * check.retries) if check else 60


def _relative(context: str) -> str:
    """Build contexts relative to the Pulumi project folder (where `pulumi up` runs the program): the
    same commit gives the same inputs on a laptop and a CI runner. Remote contexts stay as they are."""
    if "://" in context or context.startswith("git@") or not os.path.isabs(context):
        return context
    return Path(os.path.relpath(context, Path.cwd())).as_posix()


def _join(context: str, dockerfile: str) -> str:
    return dockerfile if dockerfile.startswith("/") else f"{context.rstrip('/')}/{dockerfile}"
