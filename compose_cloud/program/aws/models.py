"""EcsModel and ModelGateway: the ECS-side parts of serving models.

EcsModel runs llama.cpp's server for one model (Fargate for CPU aliases, EC2 GPU capacity
otherwise), reachable by name from the gateway only. ModelGateway runs the LiteLLM proxy that
serves every model at one URL; its task role may invoke exactly the stack's SageMaker
endpoints and inference components and its Bedrock models (streaming included) and nothing else.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws import iam
from compose_cloud.program.aws.ecs_scaling import requests_namespace
from compose_cloud.program.aws.former import under
from compose_cloud.program.aws.service import SERVICE_TYPE, ComposeService, ComposeServiceArgs
from compose_translate.plan.on_bedrock import BedrockServing
from compose_translate.serving import ASLEEP_EVENT, REQUEST_EVENT

REQUESTS_METRIC = "ModelRequests"  # requests per waking model: keeps it awake
ASLEEP_METRIC = "ModelAsleep"  # attempts that found an ECS model with no task: wakes it


def invoke_policy(endpoint_arns: list[str], bedrock_arns: list[str] | None = None) -> str:
    """Invoke (streaming included) exactly the stack's endpoints and inference components, and its Bedrock models
    (Converse needs bedrock:InvokeModel, ConverseStream bedrock:InvokeModelWithResponseStream)."""
    statements = []
    if endpoint_arns:
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"],
                "Resource": sorted(endpoint_arns),
            }
        )
    if bedrock_arns:
        statements.append(
            {
                "Effect": "Allow",
                "Action": ["bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"],
                "Resource": sorted(set(bedrock_arns)),
            }
        )
    return iam.document(statements)


def _inner(inner: str, name: str, args: ComposeServiceArgs, **changes: Any) -> ComposeServiceArgs:
    """A component's arguments for its inner service: its places (former and current) under the component's."""
    place = under(SERVICE_TYPE, inner, name, (args.place,))[0] if args.place else None
    return dataclasses.replace(args, formers=under(SERVICE_TYPE, inner, name, args.formers), place=place, **changes)


class EcsModel(pulumi.ComponentResource):
    service: ComposeService

    def __init__(self, name: str, args: ComposeServiceArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("compose-cloud:aws:EcsModel", name, None, opts)
        inner = f"{name}-server"
        self.service = ComposeService(
            inner,
            _inner(inner, name, args),
            pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"serviceName": self.service.service_name})


class ModelGateway(pulumi.ComponentResource):
    service: ComposeService

    def __init__(
        self,
        name: str,
        args: ComposeServiceArgs,
        endpoint_arns: list[pulumi.Output[str]],
        opts: pulumi.ResourceOptions | None = None,
        count_requests: bool = False,
        bedrock_models: Sequence[BedrockServing] = (),
    ):
        """The LiteLLM gateway as an ECS service allowed to invoke exactly the stack's endpoints and Bedrock models,
        and, for models that wake from zero, the log metrics that count its requests."""
        super().__init__("compose-cloud:aws:ModelGateway", name, None, opts)
        policy = None
        if endpoint_arns or bedrock_models:
            # an inference profile's ARN names the account: the one the stack deploys to
            account = (
                aws.get_caller_identity_output(opts=pulumi.InvokeOutputOptions(parent=self)).account_id
                if any(b.profile for b in bedrock_models)
                else pulumi.Output.from_input("")
            )
            policy = pulumi.Output.all(account, *endpoint_arns).apply(
                lambda values: invoke_policy(
                    list(values[1:]), [arn for b in bedrock_models for arn in b.invoke_arns(values[0])]
                )
            )
        inner = f"{name}-proxy"
        self.service = ComposeService(
            inner,
            _inner(inner, name, args, task_policy=policy),
            pulumi.ResourceOptions(parent=self),
        )
        if count_requests:  # the gateway logs a line per request (and per asleep answer) of a waking model
            for suffix, event, metric in (
                ("requests", REQUEST_EVENT, REQUESTS_METRIC),
                ("asleep", ASLEEP_EVENT, ASLEEP_METRIC),
            ):
                aws.cloudwatch.LogMetricFilter(
                    f"{name}-{suffix}",
                    log_group_name=self.service.log_group_name,
                    pattern=f'{{ $.event = "{event}" }}',
                    metric_transformation={
                        "name": metric,
                        "namespace": requests_namespace(args.project),
                        "value": "1",
                        "unit": "Count",
                        "dimensions": {"Model": "$.model"},
                    },
                    opts=pulumi.ResourceOptions(parent=self),
                )
        self.register_outputs({"serviceName": self.service.service_name})
