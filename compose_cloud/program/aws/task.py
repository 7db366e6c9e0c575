"""What one service's tasks are (awsx's split: the service runs what this describes).

The execution role (pull, logs, its own secrets only) and its policy, the task role (no permissions
unless the plan gives it some), and the ECS task definition with its containers, made as children
of the service's ComposeService. An earlier version grouped them under a TaskDefinition component
of their own (one more resource per service, issue 25): each answers to its place there, at each
place the service is or was registered (aliases), so a stack made by that version keeps them rather
than replacing them. Their places before that component, directly under the service, are the
service's own former places, which the engine follows by itself.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws import container, iam
from compose_cloud.program.aws.former import Former, moved_out_of
from compose_cloud.program.aws.secrets import StoredRef
from compose_translate.plan.planned_service import PlannedService

ROLE, ROLE_POLICY = "aws:iam/role:Role", "aws:iam/rolePolicy:RolePolicy"
FORMER_TYPE = "compose-cloud:aws:TaskDefinition"  # the component these resources had in an earlier version


@dataclass(frozen=True)
class TaskDefinitionArgs:
    service: PlannedService
    project: str
    region: str
    image: pulumi.Input[str]
    log_group: aws.cloudwatch.LogGroup
    repository_arn: pulumi.Input[str] | None  # the service's own ECR repository, when it builds
    env_secret_arn: pulumi.Input[str] | None  # its credential-like variables
    files: dict[str, StoredRef]  # store key -> where its secrets and configs are stored
    secret_refs: dict[str, pulumi.Input[str]]  # variable -> ARN of a secret the stack names
    efs: dict[str, tuple[pulumi.Input[str], pulumi.Input[str]]]  # volume -> (file system, access point)
    task_policy: pulumi.Input[str] | None = None  # what the application may do in AWS; None: nothing
    service_places: tuple[Former, ...] = ()  # where the service is and was registered (see former.py)


def task_definition(name: str, args: TaskDefinitionArgs, service_component: pulumi.Resource) -> pulumi.Output[str]:
    """The execution role (only this service's secrets), the task role when the service needs AWS permissions,
    and the task definition itself, as the service component's children; the task definition's ARN."""

    def child(type_: str, resource: str) -> pulumi.ResourceOptions:
        """Under the service, answering to its place under the TaskDefinition component of an earlier version."""
        return pulumi.ResourceOptions(
            parent=service_component,
            aliases=list(moved_out_of(FORMER_TYPE, type_, resource, name, args.service_places)),
        )

    service, on_ec2 = args.service, args.service.runtime.capacity != "fargate"
    execution_role, task_role = _roles(name, args, child)
    definitions = pulumi.Output.all(
        args.image,
        args.log_group.name,
        args.env_secret_arn,
        {key: ref.arn for key, ref in args.files.items()},
        args.secret_refs,
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
    task = aws.ecs.TaskDefinition(
        f"{name}-task",
        family=f"{args.project}-{pulumi.get_stack()}-{service.name}",
        network_mode="awsvpc",
        requires_compatibilities=["EC2" if on_ec2 else "FARGATE"],
        cpu=None if on_ec2 else str(service.runtime.cpu),  # EC2 tasks are sized by their containers
        memory=None if on_ec2 else str(service.runtime.memory),
        runtime_platform={"operating_system_family": "LINUX", "cpu_architecture": service.runtime.architecture},
        execution_role_arn=execution_role.arn,
        task_role_arn=task_role.arn if task_role is not None else None,
        container_definitions=definitions,
        volumes=container.task_volumes(service, args.efs),
        opts=child("aws:ecs/taskDefinition:TaskDefinition", f"{name}-task"),
    )
    return task.arn


def _roles(
    name: str, args: TaskDefinitionArgs, child: Callable[[str, str], pulumi.ResourceOptions]
) -> tuple[aws.iam.Role, aws.iam.Role | None]:
    """The ECS agent's role reads only this service's secrets; the application's has only its policy."""
    service = args.service
    secret_arns: list[pulumi.Input[str]] = [ref.arn for ref in args.files.values() if ref.store == "secretsmanager"]
    secret_arns += [args.env_secret_arn] if args.env_secret_arn else []
    secret_arns += [service.pull_credentials] if service.pull_credentials else []  # a private registry
    secret_arns += list(args.secret_refs.values())
    execution_role = iam.role(
        f"{name}-execution",
        iam.ECS_TASKS,
        f"ECS agent for {service.name}: pull, logs, its secrets",
        child(ROLE, f"{name}-execution"),
    )
    aws.iam.RolePolicy(
        f"{name}-execution",
        role=execution_role.id,
        policy=iam.execution_policy(
            args.log_group.arn,
            args.repository_arn,
            secret_arns,
            [ref.arn for ref in args.files.values() if ref.store == "ssm"],
        ),
        opts=child(ROLE_POLICY, f"{name}-execution"),
    )
    # the application's own AWS permissions: none for almost every service, so no role at all (a task
    # without a task role gets no AWS credentials); the gateway's invokes its models
    task_role = None
    if args.task_policy is not None:
        task_role = iam.role(
            f"{name}-task", iam.ECS_TASKS, f"the {service.name} application", child(ROLE, f"{name}-task")
        )
        aws.iam.RolePolicy(
            f"{name}-task", role=task_role.id, policy=args.task_policy, opts=child(ROLE_POLICY, f"{name}-task")
        )
    return execution_role, task_role
