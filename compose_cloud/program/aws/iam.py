"""IAM policy documents, least privilege: each statement names exactly the resources it needs."""

from __future__ import annotations

import json
from typing import Any

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws.naming import fitted, fixed_name
from compose_translate.names import IAM

ECS_TASKS = "ecs-tasks.amazonaws.com"


def document(statements: list[dict[str, Any]]) -> str:
    """An IAM policy document, serialised the same way every time (sorted keys: stable diffs)."""
    return json.dumps({"Version": "2012-10-17", "Statement": statements}, sort_keys=True)


def assume_role(service: str) -> str:
    """The trust policy letting one AWS service assume a role."""
    return document([{"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}])


def role(logical: str, service: str, description: str, opts: pulumi.ResourceOptions) -> aws.iam.Role:
    """A role `service` assumes, its physical name within IAM's 64 characters (auto-named when it fits)."""
    name = fitted(logical, 64, IAM)
    return aws.iam.Role(
        logical,
        name=name,
        assume_role_policy=assume_role(service),
        description=description,
        opts=fixed_name(opts, name),
    )


def execution_policy(
    log_group_arn: pulumi.Input[str],
    repository_arn: pulumi.Input[str] | None,
    secret_arns: list[pulumi.Input[str]],
    parameter_arns: list[pulumi.Input[str]],
) -> pulumi.Output[str]:
    """Pull the image, write logs, read exactly this service's secrets and parameters."""

    def build(args: list[Any]) -> str:
        log_group, repository, n_secrets = args[0], args[1], args[2]
        secrets, parameters = args[3 : 3 + n_secrets], args[3 + n_secrets :]
        statements = [
            {"Effect": "Allow", "Action": ["logs:CreateLogStream", "logs:PutLogEvents"], "Resource": f"{log_group}:*"}
        ]
        if repository:
            statements += [
                {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
                {
                    "Effect": "Allow",
                    "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
                    "Resource": repository,
                },
            ]
        if secrets:
            statements.append(
                {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": sorted(set(secrets))}
            )
        if parameters:
            statements.append({"Effect": "Allow", "Action": "ssm:GetParameters", "Resource": sorted(set(parameters))})
        return document(statements)

    return pulumi.Output.all(log_group_arn, repository_arn, len(secret_arns), *secret_arns, *parameter_arns).apply(
        build
    )
