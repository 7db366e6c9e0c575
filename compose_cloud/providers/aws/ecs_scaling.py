"""An ECS service's task count under Application Auto Scaling: target tracking between min and max,
and for a model server that scales to zero, the alarms that wake it and put it back to sleep."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from compose_translate.plan.scaling import Scaling

from .scaling import step, target_tracking


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
        dimensions = pulumi.Output.all(cluster_name, service_name).apply(
            lambda v: {"ClusterName": v[0], "ServiceName": v[1]}
        )
        _wake_and_sleep(child, name, scaling.idle_minutes, target, dimensions, project, wake_model)


def _wake_and_sleep(
    child: pulumi.ResourceOptions,
    name: str,
    idle_minutes: int,
    target: aws.appautoscaling.Target,
    service_dimensions: pulumi.Output[dict[str, str]],
    project: str,
    wake_model: str,
) -> None:
    """From zero tasks to one when a request arrives (counted in the gateway's logs), and back to zero
    after `idle_minutes` without one. The GPU Auto Scaling group follows through ECS managed scaling."""
    namespace, model_dimensions = requests_namespace(project), {"Model": wake_model}
    requests: aws.cloudwatch.MetricAlarmMetricQueryMetricArgsDict = {
        "namespace": namespace,
        "metric_name": "ModelRequests",
        "dimensions": model_dimensions,
        "period": 60,
        "stat": "Sum",
    }
    running: aws.cloudwatch.MetricAlarmMetricQueryMetricArgsDict = {
        "namespace": "AWS/ECS",
        "metric_name": "CPUUtilization",
        "period": 60,
        "stat": "SampleCount",
        "dimensions": service_dimensions,
    }

    wake = step(f"{name}-wake", target, "ecs", "ChangeInCapacity", 1, child, lower="0")
    aws.cloudwatch.MetricAlarm(
        f"{name}-wake",
        alarm_description=f"requests for {wake_model} while no task runs: start one",
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
