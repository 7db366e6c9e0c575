"""SageMakerModel: one model as a SageMaker real-time endpoint running AWS's llama.cpp container.

Created through the provider of the model's region. The execution role may pull the container
image and write the endpoint's logs and metrics, nothing else; autoscaling follows the model's
`cloud.min-instances` / `cloud.max-instances` labels when they differ.

With `cloud.min-instances=0` the model is an inference component (pulumi-aws-native: pulumi-aws
has no such resource) on an endpoint whose managed instance scaling goes down to zero instances:
target tracking on concurrent requests per copy scales the copies in to zero after the idle
period, and a step scaling policy on the `NoCapacityInvocationFailures` alarm starts a copy when a
request arrives while there is none (AWS's documented scale-out-from-zero path).
"""

from __future__ import annotations

from typing import Any, cast

import pulumi
import pulumi_aws as aws
import pulumi_aws_native as aws_native

from compose_cloud.program.aws import iam, scaling
from compose_cloud.program.aws.naming import fitted, fixed_name
from compose_translate.plan.models import PlannedModel, SageMakerServing

VARIANT = "AllTraffic"
CONCURRENT_REQUESTS_PER_COPY = 4  # target tracking: another copy (and instance) beyond this many in flight
COPY_MEMORY_MB = 1024  # what a copy reserves on its instance besides the GPU


def execution_policy(image: str, region: str, endpoint_name: str) -> str:
    """Least privilege for the endpoint's role: pull its one image and write its own logs, nothing else."""
    account, _, rest = image.partition(".dkr.ecr.")
    repository = rest.split("/", 1)[1].split(":", 1)[0] if "/" in rest else ""
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    statements: list[dict[str, Any]] = [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {
            "Effect": "Allow",
            "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"],
            "Resource": f"arn:{partition}:ecr:{region}:{account}:repository/{repository}",
        },
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"],
            "Resource": f"arn:{partition}:logs:{region}:*:log-group:/aws/sagemaker/Endpoints/{endpoint_name}*",
        },
        {
            "Effect": "Allow",
            "Action": "cloudwatch:PutMetricData",
            "Resource": "*",
            "Condition": {"StringEquals": {"cloudwatch:namespace": ["/aws/sagemaker/Endpoints", "AWS/SageMaker"]}},
        },
    ]
    return iam.document(statements)


class SageMakerModel(pulumi.ComponentResource):
    endpoint_name: pulumi.Output[str]
    endpoint_arn: pulumi.Output[str]

    def __init__(
        self,
        name: str,
        model: PlannedModel,
        opts: pulumi.ResourceOptions | None = None,
    ):
        """Role, model, endpoint configuration and endpoint (or an inference component that scales to zero), with
        autoscaling between the plan's bounds."""
        super().__init__("compose-cloud:aws:SageMakerModel", name, None, opts)
        serving, place = model.sagemaker, model.placement
        if serving is None:
            raise pulumi.RunError(f"model {model.key} is not planned for SageMaker")
        child = pulumi.ResourceOptions(parent=self)
        role = self._role(name, serving, place.region)
        model_name = fitted(f"{name}-model", 63)
        sm_model = aws.sagemaker.Model(
            f"{name}-model",
            name=model_name,
            execution_role_arn=role.arn,
            primary_container={"image": serving.image, "mode": "SingleModel", "environment": serving.environment},
            tags=model.tags,
            opts=fixed_name(child, model_name),
        )
        config_name = fitted(f"{name}-config", 63)
        config = aws.sagemaker.EndpointConfiguration(
            f"{name}-config",
            name=config_name,
            execution_role_arn=role.arn if serving.inference_component else None,
            production_variants=[self._variant(model, serving, sm_model)],
            tags=model.tags,
            opts=fixed_name(child, config_name),
        )
        endpoint = aws.sagemaker.Endpoint(
            f"{name}-endpoint",
            name=serving.endpoint_name,
            endpoint_config_name=config.name,
            tags=model.tags,
            opts=fixed_name(child, serving.endpoint_name),
        )
        outputs: dict[str, Any] = {"endpointName": endpoint.name, "endpointArn": endpoint.arn}
        # what the gateway invokes: the endpoint, and its component when the model is one (SageMaker's
        # InvokeEndpoint authorizes both resource types, per the Service Authorization Reference)
        self.invoke_arns: list[pulumi.Output[str]] = [endpoint.arn]
        if serving.inference_component:
            component_name, component_arn = self._scale_to_zero(name, model, endpoint, sm_model)
            outputs["inferenceComponentName"] = component_name
            self.invoke_arns.append(component_arn)
        elif place.min_instances != place.max_instances:
            scaling.target_tracking(
                name,
                "sagemaker",
                endpoint.name.apply(lambda n: f"endpoint/{n}/variant/{VARIANT}"),
                "sagemaker:variant:DesiredInstanceCount",
                (place.min_instances, place.max_instances),
                "SageMakerVariantInvocationsPerInstance",
                serving.invocations_per_instance,
                (600, 300),
                child,
            )
        self.endpoint_name, self.endpoint_arn = endpoint.name, endpoint.arn
        self.register_outputs(outputs)

    def _role(self, name: str, serving: SageMakerServing, region: str) -> aws.iam.Role:
        """The endpoint's execution role: pull its image, write its logs and metrics, nothing else."""
        child = pulumi.ResourceOptions(parent=self)
        role = iam.role(
            f"{name}-role",
            "sagemaker.amazonaws.com",
            f"SageMaker endpoint {serving.endpoint_name}: pull, logs, metrics",
            child,
        )
        aws.iam.RolePolicy(
            f"{name}-role",
            role=role.id,
            policy=execution_policy(serving.image, region, serving.endpoint_name),
            opts=child,
        )
        return role

    @staticmethod
    def _variant(
        model: PlannedModel, serving: SageMakerServing, sm_model: aws.sagemaker.Model
    ) -> aws.sagemaker.EndpointConfigurationProductionVariantArgsDict:
        """The one production variant: the model itself, or (scale to zero) instances its component uses."""
        place = model.placement
        # typed by pulumi-aws's own declaration: mypy refuses a key the provider does not take
        variant: aws.sagemaker.EndpointConfigurationProductionVariantArgsDict = {
            "variant_name": VARIANT,
            "instance_type": place.instance_type,
            "inference_ami_version": serving.inference_ami_version,
        }
        if serving.inference_component:  # the model runs as a component; the instances scale to zero
            variant["initial_instance_count"] = 1
            variant["managed_instance_scaling"] = {
                "status": "ENABLED",
                "min_instance_count": 0,
                "max_instance_count": place.max_instances,
            }
            variant["routing_configs"] = [{"routing_strategy": "LEAST_OUTSTANDING_REQUESTS"}]
        else:
            variant["model_name"] = sm_model.name
            variant["initial_instance_count"] = place.instance_count
            variant["container_startup_health_check_timeout_in_seconds"] = serving.startup_timeout
            variant["model_data_download_timeout_in_seconds"] = serving.download_timeout
        return variant

    def _scale_to_zero(
        self,
        name: str,
        model: PlannedModel,
        endpoint: aws.sagemaker.Endpoint,
        sm_model: aws.sagemaker.Model,
    ) -> tuple[pulumi.Output[str], pulumi.Output[str]]:
        """The inference component on the endpoint, scaled in to zero copies after the idle period and
        woken by a request that finds none; returns the component's name and ARN. Its pulumi-aws-native
        provider comes from this component's `providers`, as any child's would."""
        serving, place = model.sagemaker, model.placement
        assert serving is not None and serving.inference_component is not None
        child = pulumi.ResourceOptions(parent=self)
        component = aws_native.sagemaker.InferenceComponent(
            f"{name}-component",
            inference_component_name=serving.inference_component,
            endpoint_name=endpoint.name,
            variant_name=VARIANT,
            specification={
                "model_name": sm_model.name,
                "compute_resource_requirements": {
                    "number_of_accelerator_devices_required": max(place.gpus, 1),
                    "min_memory_required_in_mb": COPY_MEMORY_MB,
                },
                "startup_parameters": {
                    "container_startup_health_check_timeout_in_seconds": serving.startup_timeout,
                    "model_data_download_timeout_in_seconds": serving.download_timeout,
                },
            },
            runtime_config={"copy_count": place.instance_count},
            tags=[{"key": k, "value": v} for k, v in sorted(model.tags.items())],
            opts=fixed_name(pulumi.ResourceOptions(parent=self, depends_on=[endpoint]), True),
        )
        # set from a string above, so never None (aws-native declares every output optional)
        name_of_component = cast(pulumi.Output[str], component.inference_component_name)
        # busy: copies follow the requests in flight; idle for the idle period: in to zero copies,
        # and managed instance scaling then stops the instances
        target = scaling.target_tracking(
            name,
            "sagemaker",
            component.inference_component_name.apply(lambda n: f"inference-component/{n}"),
            "sagemaker:inference-component:DesiredCopyCount",
            (0, place.max_instances),
            "SageMakerInferenceComponentConcurrentRequestsPerCopyHighResolution",
            CONCURRENT_REQUESTS_PER_COPY,
            (place.idle_minutes * 60, 60),
            child,
        )
        # the alarm fires only while no copy runs: exactly one copy, however often it fires while one starts
        # (a +1 step ran on every evaluation of a 5-10 minute start and overshot to the maximum)
        wake = scaling.step(f"{name}-wake", target, "sagemaker", "ExactCapacity", 1, child, lower="0")
        aws.cloudwatch.MetricAlarm(
            f"{name}-wake",
            alarm_description=f"a request for {model.model} found no copy running: start one",
            namespace="AWS/SageMaker",
            metric_name="NoCapacityInvocationFailures",
            dimensions={"InferenceComponentName": name_of_component},
            statistic="Maximum",
            period=60,  # SageMaker publishes it once a minute: a shorter period is a high-resolution alarm
            evaluation_periods=1,
            threshold=1,
            comparison_operator="GreaterThanOrEqualToThreshold",
            treat_missing_data="missing",
            alarm_actions=[wake.arn],
            opts=child,
        )
        return name_of_component, component.inference_component_arn
