"""Application Auto Scaling, one way for every scalable thing the stack has (SageMaker variants and
inference components, ECS services): a target between bounds, target tracking on one predefined
metric, and step policies that alarms trigger (waking from zero, sleeping after idle)."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws


def target_tracking(
    name: str,
    namespace: str,
    resource_id: pulumi.Input[str],
    dimension: str,
    bounds: tuple[int, int],
    metric: str,
    target_value: float,
    cooldowns: tuple[int, int],
    opts: pulumi.ResourceOptions,
    disable_scale_in: bool = False,
) -> aws.appautoscaling.Target:
    """The scalable target within `bounds` (min, max) and its tracking policy; `cooldowns` is (in, out)."""
    target = aws.appautoscaling.Target(
        f"{name}-scaling",
        service_namespace=namespace,
        resource_id=resource_id,
        scalable_dimension=dimension,
        min_capacity=bounds[0],
        max_capacity=bounds[1],
        opts=opts,
    )
    configuration: aws.appautoscaling.PolicyTargetTrackingScalingPolicyConfigurationArgsDict = {
        "target_value": target_value,
        "scale_in_cooldown": cooldowns[0],
        "scale_out_cooldown": cooldowns[1],
    }
    if disable_scale_in:
        configuration["disable_scale_in"] = True
    configuration["predefined_metric_specification"] = {"predefined_metric_type": metric}
    aws.appautoscaling.Policy(
        f"{name}-scaling",
        policy_type="TargetTrackingScaling",
        service_namespace=namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        target_tracking_scaling_policy_configuration=configuration,
        opts=opts,
    )
    return target


def step(
    name: str,
    target: aws.appautoscaling.Target,
    namespace: str,
    adjustment_type: str,
    adjustment: int,
    opts: pulumi.ResourceOptions,
    *,
    lower: str | None = None,
    upper: str | None = None,
) -> aws.appautoscaling.Policy:
    """A step policy an alarm runs: one step, over the metric's interval (`lower`/`upper`, relative to the
    alarm's threshold)."""
    one_step: aws.appautoscaling.PolicyStepScalingPolicyConfigurationStepAdjustmentArgsDict = {
        "scaling_adjustment": adjustment
    }
    if lower is not None:
        one_step["metric_interval_lower_bound"] = lower
    if upper is not None:
        one_step["metric_interval_upper_bound"] = upper
    configuration: aws.appautoscaling.PolicyStepScalingPolicyConfigurationArgsDict = {
        "adjustment_type": adjustment_type,
        "metric_aggregation_type": "Maximum",
        "cooldown": 60,
        "step_adjustments": [one_step],
    }
    return aws.appautoscaling.Policy(
        name,
        policy_type="StepScaling",
        service_namespace=namespace,
        resource_id=target.resource_id,
        scalable_dimension=target.scalable_dimension,
        step_scaling_policy_configuration=configuration,
        opts=opts,
    )
