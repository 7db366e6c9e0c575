"""cloud.min-instances=0: what scales each backend to zero, what wakes it, and an idle price of $0/h."""

from __future__ import annotations

import json

import pytest
from support.common import ROOT, write
from support.previews import by_type, containers, preview

from compose_translate import ComposeError

EXAMPLE = ROOT / "examples" / "scale-to-zero" / "compose.yaml"


@pytest.fixture(scope="module")
def idle():
    return preview([EXAMPLE])


def test_plan_prices_idle_and_busy_separately(idle):
    cost = idle.plan.cost
    assert cost.scale_to_zero == ("embedder", "llm")
    assert cost.models == {"embedder": 1.006, "llm": 1.408}  # while running
    assert cost.idle_total == pytest.approx(cost.total - 1.006 - 1.408)  # models at $0/h while idle
    placement = idle.plan.models["llm"].placement
    assert (placement.min_instances, placement.max_instances, placement.idle_minutes) == (0, 2, 20)


def test_sagemaker_model_is_an_inference_component_scaled_to_zero(idle):
    [config] = by_type(idle, "aws:sagemaker/endpointConfiguration:EndpointConfiguration").values()
    [variant] = config.inputs["productionVariants"]
    assert "modelName" not in variant and config.inputs["executionRoleArn"].startswith("arn:aws:iam::")
    assert variant["managedInstanceScaling"] == {"status": "ENABLED", "minInstanceCount": 0, "maxInstanceCount": 2}
    [component] = by_type(idle, "aws-native:sagemaker:InferenceComponent").values()
    assert component.inputs["inferenceComponentName"] == "idle-chat-preview-llm-ic"
    assert component.inputs["specification"]["computeResourceRequirements"]["numberOfAcceleratorDevicesRequired"] == 1
    assert component.provider == "aws-native-us-east-1"
    targets = by_type(idle, "aws:appautoscaling/target:Target")
    llm = targets["idle-chat-model-llm-scaling"].inputs
    assert (llm["resourceId"], llm["scalableDimension"], llm["minCapacity"], llm["maxCapacity"]) == (
        "inference-component/idle-chat-preview-llm-ic",
        "sagemaker:inference-component:DesiredCopyCount",
        0,
        2,
    )
    policies = by_type(idle, "aws:appautoscaling/policy:Policy")
    tracking = policies["idle-chat-model-llm-scaling"].inputs["targetTrackingScalingPolicyConfiguration"]
    assert tracking["scaleInCooldown"] == 20 * 60  # the idle period
    wake_policy = policies["idle-chat-model-llm-wake"].inputs["stepScalingPolicyConfiguration"]
    assert (wake_policy["adjustmentType"], wake_policy["stepAdjustments"]) == (
        "ExactCapacity",  # one copy, not one more per firing while the instance starts
        [{"metricIntervalLowerBound": "0", "scalingAdjustment": 1}],
    )
    wake = by_type(idle, "aws:cloudwatch/metricAlarm:MetricAlarm")["idle-chat-model-llm-wake"].inputs
    assert (wake["metricName"], wake["dimensions"]) == (
        "NoCapacityInvocationFailures",
        {"InferenceComponentName": "idle-chat-preview-llm-ic"},
    )
    assert wake["alarmActions"] == [policies["idle-chat-model-llm-wake"].arn]
    assert wake["period"] == 60  # the metric is published per minute: not a high-resolution alarm


def test_ecs_model_server_sleeps_after_idle_and_wakes_on_requests(idle):
    server = "idle-chat-model-embedder-server"
    target = by_type(idle, "aws:appautoscaling/target:Target")[f"{server}-scaling"].inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (0, 1)
    policies = by_type(idle, "aws:appautoscaling/policy:Policy")
    assert policies[f"{server}-scaling"].inputs["targetTrackingScalingPolicyConfiguration"]["disableScaleIn"] is True
    sleep = policies[f"{server}-sleep"].inputs["stepScalingPolicyConfiguration"]
    assert (sleep["adjustmentType"], sleep["stepAdjustments"]) == (
        "ExactCapacity",
        [{"metricIntervalUpperBound": "0", "scalingAdjustment": 0}],
    )
    alarms = by_type(idle, "aws:cloudwatch/metricAlarm:MetricAlarm")
    asleep = alarms[f"{server}-sleep"].inputs
    assert (asleep["evaluationPeriods"], asleep["treatMissingData"], asleep["dimensions"]) == (
        15,
        "breaching",
        {"Model": "ai/mxbai-embed-large"},
    )  # default idle period; no data = no requests
    wake = alarms[f"{server}-wake"].inputs
    # woken by a signal that exists at zero tasks: attempts the gateway saw answered "no task" (503)
    assert (wake["namespace"], wake["metricName"], wake["dimensions"], wake["period"]) == (
        "compose-cloud/idle-chat/preview",
        "ModelAsleep",
        {"Model": "ai/mxbai-embed-large"},
        60,
    )
    assert "metricQueries" not in wake and wake["treatMissingData"] == "notBreaching"
    to_one = policies[f"{server}-wake"].inputs["stepScalingPolicyConfiguration"]
    assert (to_one["adjustmentType"], to_one["stepAdjustments"]) == (
        "ExactCapacity",
        [{"metricIntervalLowerBound": "0", "scalingAdjustment": 1}],
    )  # exactly one task, however often the alarm fires while it starts
    counters = {r.name: r.inputs for r in by_type(idle, "aws:cloudwatch/logMetricFilter:LogMetricFilter").values()}
    counter = counters["idle-chat-model-gateway-requests"]
    assert counters["idle-chat-model-gateway-asleep"]["pattern"] == '{ $.event = "compose-cloud-asleep" }'
    assert counters["idle-chat-model-gateway-asleep"]["metricTransformation"]["name"] == "ModelAsleep"
    assert counter["pattern"] == '{ $.event = "compose-cloud-request" }'
    assert counter["metricTransformation"]["dimensions"] == {"Model": "$.model"}
    assert counter["logGroupName"] == "/compose-cloud/idle-chat/preview/model-gateway"
    gateway = containers(idle, "idle-chat-model-gateway-proxy-task")["model-gateway"]["environment"]
    assert {
        "name": "COMPOSE_CLOUD_INFERENCE_COMPONENTS",
        "value": '{"idle-chat-preview-llm": "idle-chat-preview-llm-ic"}',
    } in gateway


def test_ecs_model_servers_keep_weights_on_a_shared_cache(idle):
    server = containers(idle, "idle-chat-model-embedder-server-task")["model-embedder"]
    assert {"name": "LLAMA_CACHE", "value": "/models"} in server["environment"]
    assert any(m["containerPath"] == "/models" for m in server["mountPoints"])
    [cache] = [r for r in idle.resources if r.type == "aws:efs/fileSystem:FileSystem"]
    assert cache.name == "idle-chat-volume-compose-cloud-model-cache-fs" and not cache.retain_on_delete


def test_idle_minutes_need_scale_to_zero_and_bounds(tmp_path):
    for labels, message in (
        ("[cloud.idle-minutes=5]", "applies only to a model that scales to zero"),
        ("[cloud.min-instances=0, cloud.idle-minutes=0]", "must be from 1 to 1440"),
    ):
        write(
            tmp_path,
            {
                "compose.yaml": f"services:\n  a: {{image: x, models: [m]}}\nmodels:\n  m:\n"
                f"    model: ai/smollm2\n    labels: {labels}\n"
            },
        )
        with pytest.raises(ComposeError) as err:
            preview([tmp_path / "compose.yaml"])
        assert message in err.value.first.message and err.value.first.path == "models.m.labels.cloud.idle-minutes"


def test_native_provider_default_tags_are_the_map_its_schema_declares(idle):
    """pulumi-aws-native declares `defaultTags.tags` a map (ProviderDefaultTagsArgs), unlike its resources'
    `tags`, lists of {key, value}: a list there fails when the provider is configured, not in a mock."""
    providers = {r.name: r for r in idle.resources if r.type.startswith("pulumi:providers:")}
    native = json.loads(providers["aws-native-us-east-1"].inputs["defaultTags"])
    assert native == json.loads(providers["aws-us-east-1"].inputs["defaultTags"])
    assert native == {"tags": {"compose-cloud:project": "idle-chat", "compose-cloud:stack": "preview"}}
