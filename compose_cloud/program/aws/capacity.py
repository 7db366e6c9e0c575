"""GpuCapacity: EC2 GPU instances for the ECS cluster, one capacity provider per instance type.

Instances run AWS's ECS GPU-optimized Amazon Linux 2023 AMI (looked up from AWS's public SSM
parameter at deploy time), join the cluster from their user data, and are started and stopped by
ECS managed scaling as GPU tasks need them (none run while nothing needs a GPU).
"""

from __future__ import annotations

import base64
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws import iam
from compose_cloud.program.aws.cluster import ALL_EGRESS
from compose_translate.serving import ECS_GPU_AMI_PARAMETER

ROOT_VOLUME_GB = 200  # container images with CUDA plus multi-GB models
ECS_INSTANCE_POLICY = "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role"


@dataclass(frozen=True)
class GpuCapacityArgs:
    instance_type: str
    cluster_name: pulumi.Input[str]
    vpc_id: pulumi.Input[str]
    subnet_ids: pulumi.Input[list[str]]
    max_instances: int


def user_data(cluster_name: str) -> str:
    """The GPU instances' boot script: join the cluster with GPU support on, as the ECS GPU AMI expects."""
    script = "\n".join(
        [
            "#!/bin/bash",
            f"echo ECS_CLUSTER={cluster_name} >> /etc/ecs/ecs.config",
            "echo ECS_ENABLE_GPU_SUPPORT=true >> /etc/ecs/ecs.config",
            "",
        ]
    )
    return base64.b64encode(script.encode()).decode()


class GpuCapacity(pulumi.ComponentResource):
    capacity_provider_name: pulumi.Output[str]

    def __init__(self, name: str, args: GpuCapacityArgs, opts: pulumi.ResourceOptions | None = None):
        """An instance role, launch template (ECS GPU AMI), Auto Scaling group and ECS capacity provider with
        managed scaling, so GPU tasks get instances only while they run."""
        super().__init__("compose-cloud:aws:GpuCapacity", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        role = iam.role(
            f"{name}-instance", "ec2.amazonaws.com", f"ECS container instances ({args.instance_type})", child
        )
        aws.iam.RolePolicyAttachment(f"{name}-instance", role=role.name, policy_arn=ECS_INSTANCE_POLICY, opts=child)
        profile = aws.iam.InstanceProfile(f"{name}-instance", role=role.name, opts=child)
        group = aws.ec2.SecurityGroup(
            f"{name}-sg",
            vpc_id=args.vpc_id,
            egress=ALL_EGRESS,
            description="GPU container instances (tasks have their own interfaces)",
            opts=child,
        )
        ami = aws.ssm.get_parameter_output(name=ECS_GPU_AMI_PARAMETER, opts=pulumi.InvokeOptions(parent=self))
        template = aws.ec2.LaunchTemplate(
            f"{name}-lt",
            image_id=ami.value,
            instance_type=args.instance_type,
            iam_instance_profile={"arn": profile.arn},
            vpc_security_group_ids=[group.id],
            user_data=pulumi.Output.from_input(args.cluster_name).apply(user_data),
            metadata_options={"http_tokens": "required", "http_endpoint": "enabled"},
            block_device_mappings=[
                {
                    "device_name": "/dev/xvda",
                    "ebs": {
                        "volume_size": ROOT_VOLUME_GB,
                        "volume_type": "gp3",
                        "encrypted": "true",
                        "delete_on_termination": "true",
                    },
                }
            ],
            opts=child,
        )
        scaling_group = aws.autoscaling.Group(
            f"{name}-asg",
            min_size=0,
            max_size=args.max_instances,
            vpc_zone_identifiers=args.subnet_ids,
            launch_template={"id": template.id, "version": "$Latest"},
            protect_from_scale_in=False,
            tags=[{"key": "AmazonECSManaged", "value": "true", "propagate_at_launch": True}],
            opts=child,
        )
        provider = aws.ecs.CapacityProvider(
            f"{name}-cp",
            auto_scaling_group_provider={
                "auto_scaling_group_arn": scaling_group.arn,
                "managed_termination_protection": "DISABLED",
                "managed_scaling": {
                    "status": "ENABLED",
                    "target_capacity": 100,
                    "minimum_scaling_step_size": 1,
                    "maximum_scaling_step_size": 2,
                },
            },
            opts=child,
        )
        self.capacity_provider_name = provider.name
        self.register_outputs({"capacityProviderName": self.capacity_provider_name})
