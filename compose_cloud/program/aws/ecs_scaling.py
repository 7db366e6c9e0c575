"""An ECS service's task count under Application Auto Scaling: target tracking between min and max,
and for a model server that scales to zero, the alarms that wake it and put it back to sleep."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from compose_cloud.program.aws.scaling import step, target_tracking
from compose_translate.plan.scaling import Scaling


def requests_namespace(project: str) -> str:
    """The CloudWatch namespace of the stack's own metrics (requests per waking model)."""
    return f"compose-cloud/{project}/{pulumi.get_stack()}"


def autoscale(
    parent: pulumi.Resource,
    name: str,
    scaling: Scaling,
    cluster_arn: pulumi.Input[str],
    service_name: pulumi.Output[str],
    project: str,
    wake_model: str | None,
) -> None:
    """Application Auto Scaling keeps the task count in min..max, tracking the average CPU or memory."""
    child = pulumi.ResourceOptions(parent=parent)
    cluster_name = pulumi.Output.from_input(cluster_arn).apply(lambda arn: arn.split("/")[-1])
    resource_id = pulumi.Output.all(cluster_name, service_name).apply(lambda v: f"service/{v[0]}/{v[1]}")
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
    if scaling.idle_minutes and wake_model:
        _wake_and_sleep(child, name, scaling.idle_minutes, target, project, wake_model)


def _wake_and_sleep(
    child: pulumi.ResourceOptions,
    name: str,
    idle_minutes: int,
    target: aws.appautoscaling.Target,
    project: str,
    wake_model: str,
) -> None:
    """From zero tasks to one when a request finds none (counted in the gateway's logs), and back to zero
    after `idle_minutes` without one. The GPU Auto Scaling group follows through ECS managed scaling."""
    namespace, model_dimensions = requests_namespace(project), {"Model": wake_model}
    # exactly one task when a request finds none: the gateway logs each attempt answered by Service
    # Connect's 503 (no task behind the name), a signal that exists at zero tasks, where ECS publishes
    # no service metric; docs/scale-to-zero.md. Exactly one: a +1 step would add one per evaluation.
    wake = step(f"{name}-wake", target, "ecs", "ExactCapacity", 1, child, lower="0")
    aws.cloudwatch.MetricAlarm(
        f"{name}-wake",
        alarm_description=f"a request for {wake_model} found no task: start one",
        namespace=namespace,
        metric_name="ModelAsleep",
        dimensions=model_dimensions,
        statistic="Sum",
        period=60,
        evaluation_periods=1,
        threshold=1,
        comparison_operator="GreaterThanOrEqualToThreshold",
        treat_missing_data="notBreaching",
        alarm_actions=[wake.arn],
        opts=child,
    )
    sleep = step(f"{name}-sleep", target, "ecs", "ExactCapacity", 0, child, upper="0")
    aws.cloudwatch.MetricAlarm(
        f"{name}-sleep",
        alarm_description=f"no request for {wake_model} in {idle_minutes} minutes: stop",
        namespace=namespace,
        metric_name="ModelRequests",
        dimensions=model_dimensions,
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
