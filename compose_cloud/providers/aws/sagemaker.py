"""SageMakerModel: one model as a SageMaker real-time endpoint running AWS's llama.cpp container.

Created through the provider of the model's region. The execution role may pull the container
image and write the endpoint's logs and metrics, nothing else; autoscaling follows the model's
`cloud.min-instances` / `cloud.max-instances` labels when they differ.
"""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from compose_translate.inference import PlannedModel

from . import iam
from compose_translate.names import IAM

from .naming import fitted

VARIANT = "AllTraffic"


def execution_policy(image: str, region: str, endpoint_name: str) -> str:
    account, _, rest = image.partition(".dkr.ecr.")
    repository = rest.split("/", 1)[1].split(":", 1)[0] if "/" in rest else ""
    partition = "aws-cn" if region.startswith("cn-") else "aws"
    statements = [
        {"Effect": "Allow", "Action": "ecr:GetAuthorizationToken", "Resource": "*"},
        {"Effect": "Allow", "Action": ["ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer",
                                       "ecr:BatchGetImage"],
         "Resource": f"arn:{partition}:ecr:{region}:{account}:repository/{repository}"},
        {"Effect": "Allow", "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents",
                                       "logs:DescribeLogStreams"],
         "Resource": f"arn:{partition}:logs:{region}:*:log-group:/aws/sagemaker/Endpoints/{endpoint_name}*"},
        {"Effect": "Allow", "Action": "cloudwatch:PutMetricData", "Resource": "*",
         "Condition": {"StringEquals": {"cloudwatch:namespace": ["/aws/sagemaker/Endpoints",
                                                                 "AWS/SageMaker"]}}},
    ]
    return iam.document(statements)


class SageMakerModel(pulumi.ComponentResource):
    endpoint_name: pulumi.Output[str]
    endpoint_arn: pulumi.Output[str]

    def __init__(self, name: str, model: PlannedModel, opts: pulumi.ResourceOptions | None = None):
        super().__init__("compose-cloud:aws:SageMakerModel", name, None, opts)
        serving, place = model.sagemaker, model.placement
        child = pulumi.ResourceOptions(parent=self)
        role = aws.iam.Role(f"{name}-role", **fitted(f"{name}-role", 64, IAM),
                            assume_role_policy=iam.assume_role("sagemaker.amazonaws.com"),
                            description=f"SageMaker endpoint {serving.endpoint_name}: pull, logs, metrics",
                            opts=child)
        aws.iam.RolePolicy(f"{name}-role", role=role.id,
                           policy=execution_policy(serving.image, place.region, serving.endpoint_name), opts=child)
        sm_model = aws.sagemaker.Model(
            f"{name}-model", **fitted(f"{name}-model", 63), execution_role_arn=role.arn,
            primary_container={"image": serving.image, "mode": "SingleModel", "environment": serving.environment},
            tags=model.tags, opts=child)
        config = aws.sagemaker.EndpointConfiguration(f"{name}-config", **fitted(f"{name}-config", 63),
                                                     production_variants=[{
            "variant_name": VARIANT, "model_name": sm_model.name, "instance_type": place.instance_type,
            "initial_instance_count": place.instance_count, "inference_ami_version": serving.inference_ami_version,
            "container_startup_health_check_timeout_in_seconds": serving.startup_timeout,
            "model_data_download_timeout_in_seconds": serving.download_timeout}], tags=model.tags, opts=child)
        endpoint = aws.sagemaker.Endpoint(f"{name}-endpoint", name=serving.endpoint_name,
                                          endpoint_config_name=config.name, tags=model.tags, opts=child)
        if place.min_instances != place.max_instances:
            resource_id = endpoint.name.apply(lambda n: f"endpoint/{n}/variant/{VARIANT}")
            target = aws.appautoscaling.Target(
                f"{name}-scaling", service_namespace="sagemaker", resource_id=resource_id,
                scalable_dimension="sagemaker:variant:DesiredInstanceCount", min_capacity=place.min_instances,
                max_capacity=place.max_instances, opts=child)
            aws.appautoscaling.Policy(
                f"{name}-scaling", policy_type="TargetTrackingScaling", service_namespace="sagemaker",
                resource_id=target.resource_id, scalable_dimension=target.scalable_dimension,
                target_tracking_scaling_policy_configuration={
                    "target_value": serving.invocations_per_instance, "scale_in_cooldown": 600,
                    "scale_out_cooldown": 300, "predefined_metric_specification": {
                        "predefined_metric_type": "SageMakerVariantInvocationsPerInstance"}}, opts=child)
        self.endpoint_name, self.endpoint_arn = endpoint.name, endpoint.arn
        self.register_outputs({"endpointName": self.endpoint_name, "endpointArn": self.endpoint_arn})
