"""Service autoscaling (`x-aws-autoscaling`, the ECS integration's spelling) and ECS model servers scaled
by `cloud.min-instances`/`cloud.max-instances`: Application Auto Scaling target tracking."""

from __future__ import annotations

import pytest
from support.common import write
from support.previews import by_type, containers, dev_preview, findings, preview

from compose_translate import ComposeError

COMPOSE = """\
services:
  web:
    image: nginx
    ports: ["80:80"]
    deploy:
      replicas: 2
      x-aws-autoscaling: {min: 1, max: 6, cpu: 70}
  worker:
    image: busybox
    x-aws-autoscaling: {max: 3, mem: 80}
  app:
    image: nginx
    models: [llm]
models:
  llm:
    model: ai/smollm2
    labels: [cloud.backend=ecs, cloud.instance-type=gpu-small, cloud.min-instances=1, cloud.max-instances=3]
"""


@pytest.fixture(scope="module")
def scaled(tmp_path_factory):
    folder = tmp_path_factory.mktemp("scaled")
    write(folder, {"compose.yaml": COMPOSE})
    return preview([folder / "compose.yaml"])


def test_services_and_model_servers_get_target_tracking(scaled):
    targets = by_type(scaled, "aws:appautoscaling/target:Target")
    policies = by_type(scaled, "aws:appautoscaling/policy:Policy")
    summary = {
        name: (
            t.inputs["minCapacity"],
            t.inputs["maxCapacity"],
            t.inputs["scalableDimension"],
            t.inputs["serviceNamespace"],
        )
        for name, t in targets.items()
    }
    assert summary == {
        "app-web-scaling": (1, 6, "ecs:service:DesiredCount", "ecs"),
        "app-worker-scaling": (1, 3, "ecs:service:DesiredCount", "ecs"),
        "app-model-llm-server-scaling": (1, 3, "ecs:service:DesiredCount", "ecs"),
    }
    assert targets["app-web-scaling"].inputs["resourceId"].startswith("service/") and targets["app-web-scaling"].inputs[
        "resourceId"
    ].endswith("/web")
    tracked = {
        name: (
            p.inputs["targetTrackingScalingPolicyConfiguration"]["predefinedMetricSpecification"][
                "predefinedMetricType"
            ],
            p.inputs["targetTrackingScalingPolicyConfiguration"]["targetValue"],
        )
        for name, p in policies.items()
    }
    assert tracked == {
        "app-web-scaling": ("ECSServiceAverageCPUUtilization", 70),
        "app-worker-scaling": ("ECSServiceAverageMemoryUtilization", 80),
        "app-model-llm-server-scaling": ("ECSServiceAverageCPUUtilization", 60),
    }
    services = by_type(scaled, "aws:ecs/service:Service")
    assert services["app-web-service"].inputs["desiredCount"] == 2
    # an autoscaled GPU task reserves CPU, which ECS measures utilization against
    assert containers(scaled, "app-model-llm-server-task")["model-llm"]["cpu"] == 1024
    assert scaled.plan.gpu_capacity == {"g5.xlarge": 3}  # room for the maximum
    assert "app" not in {t.split("-")[1] for t in targets}  # the unscaled service has none


def test_scaling_requests_are_valid(tmp_path):
    write(tmp_path, {"compose.yaml": "name: shop\n" + COMPOSE})
    assert findings(dev_preview([tmp_path / "compose.yaml"])) == []


@pytest.mark.parametrize(
    ("setting", "message"),
    [
        ("{min: 1, max: 4, cpu: 70, mem: 50}", "cpu and mem are exclusive"),
        ("{min: 3, max: 4}", "deploy.replicas (2) must lie between min (3) and max (4)"),
        ("{max: 4, memory: 50}", 'unknown key "memory"'),
        ("{max: four}", "max must be a whole number"),
        ("{min: 1}", "max is required"),
        ("{max: 4, cpu: 150}", "a target of 1-100 percent"),
        ("[1, 4]", "expected a mapping"),
    ],
)
def test_bad_autoscaling_is_a_located_error(tmp_path, setting, message):
    write(
        tmp_path,
        {
            "compose.yaml": f"services:\n  web:\n    image: nginx\n    deploy:\n      replicas: 2\n"
            f"      x-aws-autoscaling: {setting}\n"
        },
    )
    with pytest.raises(ComposeError) as err:
        preview([tmp_path / "compose.yaml"])
    assert message in err.value.first.message
    assert err.value.first.path == "services.web.deploy.x-aws-autoscaling" and err.value.first.loc.line == 4


def test_service_labels_scale_like_model_labels(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  web:\n    image: nginx\n    deploy: {replicas: 2}\n"
            "    labels: [cloud.min-instances=1, cloud.max-instances=5]\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    [target] = by_type(result, "aws:appautoscaling/target:Target").values()
    assert (target.inputs["minCapacity"], target.inputs["maxCapacity"]) == (1, 5)
    [policy] = by_type(result, "aws:appautoscaling/policy:Policy").values()
    assert policy.inputs["targetTrackingScalingPolicyConfiguration"]["targetValue"] == 75
    write(tmp_path, {"compose.yaml": "services:\n  web:\n    image: nginx\n    labels: [cloud.max-instances=lots]\n"})
    with pytest.raises(ComposeError) as err:
        preview([tmp_path / "compose.yaml"])
    assert err.value.first.path == "services.web.labels" and "max must be a whole number" in err.value.first.message
