"""Account-wide AWS quotas a plan would exceed, refused (or warned about) before the Pulumi program runs.

A pull request of 2,000 one-line services is cheap to write and expensive to preview; the bound is
AWS's own, not ours: a project that cannot be deployed is refused with the quota named, before any
resource is registered. Sources: Amazon ECS service quotas ("Services per cluster": 5,000); IAM and
AWS STS quotas ("Roles in an AWS account": 1,000 by default, adjustable up to 5,000); Amazon VPC
quotas ("VPC security groups per Region": 2,500 by default).
"""

from __future__ import annotations

from compose_translate.errors import Report
from compose_translate.plan.planned_service import PlannedService

SERVICES_PER_CLUSTER = 5_000
ROLES_DEFAULT, ROLES_MAXIMUM = 1_000, 5_000
SECURITY_GROUPS_DEFAULT = 2_500
ROLES_PER_ECS_SERVICE = 1  # its execution role (secrets, image pull, logs); only the gateway has a task role
STACK_SECURITY_GROUPS = 4  # the network's groups: load balancers, gateway, model servers, GPU instances


def check_quotas(everything: list[PlannedService], sagemaker_models: int, gpu_instances: bool, report: Report) -> None:
    """The stack's ECS services in one cluster, its IAM roles and security groups against AWS's quotas."""
    services = len(everything)
    if services > SERVICES_PER_CLUSTER:
        report.error(
            f"{services} ECS services; an ECS cluster holds at most {SERVICES_PER_CLUSTER:,} (Amazon ECS quota "
            '"Services per cluster")',
            "services",
            hint="split the project into several stacks",
        )
        return  # the other counts follow from this one
    # + the gateway's task role (it invokes SageMaker models), each SageMaker model's role, the GPU instances'
    roles = services * ROLES_PER_ECS_SERVICE + int(sagemaker_models > 0) + sagemaker_models + int(gpu_instances)
    if roles > ROLES_MAXIMUM:
        report.error(
            f"{roles} IAM roles (one per ECS service); an AWS account holds at most "
            f'{ROLES_MAXIMUM:,} even after an increase (IAM quota "Roles in an AWS account")',
            "services",
            hint="split the project into several stacks in separate accounts",
        )
    elif roles > ROLES_DEFAULT:
        report.warn(
            f"{roles} IAM roles (one per ECS service); an account holds {ROLES_DEFAULT:,} by "
            'default (IAM quota "Roles in an AWS account")',
            "services",
            hint="request an increase in Service Quotas before `pulumi up`, or split the project",
        )
    groups = services + STACK_SECURITY_GROUPS  # at most: a service has its own group only when it carries a rule
    if groups > SECURITY_GROUPS_DEFAULT:
        report.warn(
            f"about {groups} security groups; a region holds {SECURITY_GROUPS_DEFAULT:,} by default (Amazon VPC "
            'quota "VPC security groups per Region")',
            "services",
            hint="request an increase in Service Quotas before `pulumi up`, or split the project",
        )
