"""A first `pulumi up` in an empty account: resources wait for what they need, in zones that have it."""

from __future__ import annotations

from support.common import write

from compose_cloud.preview.engine import run_preview
from compose_translate import StackSettings
from compose_translate.plan.zones import choose_zones, gpu_zones

GPU_APP = """\
name: shop
services:
  app: {image: nginx, models: [coder], volumes: [data:/data]}
models:
  coder: {model: ai/qwen2.5, labels: [cloud.backend=ecs, cloud.instance-type=gpu-medium]}
volumes:
  data: {}
"""


def _run(tmp_path, offerings=None):
    write(tmp_path, {"compose.yaml": GPU_APP})
    return run_preview(
        StackSettings(files=(str(tmp_path / "compose.yaml"),)), stack="dev", project="shop", offerings=offerings
    )


def _record(result, name):
    return next(r for r in result.resources if r.name == name)


def test_zones_offering_the_gpu_types_come_first():
    zones = ["us-east-1a", "us-east-1b", "us-east-1c", "us-east-1d"]
    assert choose_zones(zones, {}) == ["us-east-1a", "us-east-1b"]
    assert choose_zones(zones, {"g6e.xlarge": ["us-east-1c", "us-east-1d"]}) == ["us-east-1c", "us-east-1d"]
    offered = {"g5.xlarge": ["us-east-1a", "us-east-1b"], "g6e.xlarge": ["us-east-1b"]}
    assert choose_zones(zones, offered) == ["us-east-1a", "us-east-1b"]
    assert gpu_zones(["us-east-1a", "us-east-1b"], offered) == {
        "g5.xlarge": ["us-east-1a", "us-east-1b"],
        "g6e.xlarge": ["us-east-1b"],
    }


def test_services_wait_for_mount_targets_and_gpu_capacity(tmp_path):
    result = _run(tmp_path)
    targets = {
        r.urn for r in result.resources if r.type == "aws:efs/mountTarget:MountTarget" and "model-cache" not in r.name
    }  # the app's volume; the model servers' cache is another
    association = next(
        r.urn for r in result.resources if r.type == "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders"
    )
    app = _record(result, "shop-app-service")
    assert len(targets) == 2 and targets <= set(app.dependencies)
    server = _record(result, "shop-model-coder-server-service")
    assert association in server.dependencies
    cache = {r.urn for r in result.resources if r.type == "aws:efs/mountTarget:MountTarget" and "model-cache" in r.name}
    assert len(cache) == 2 and cache <= set(server.dependencies) and not cache & set(app.dependencies)
    assert association not in app.dependencies  # Fargate needs no capacity provider


def test_the_network_uses_standard_zones_that_offer_the_gpu_type(tmp_path):
    result = _run(tmp_path, offerings={"g6e.xlarge": ["b", "c"]})
    zones = sorted(r.inputs["availabilityZone"] for r in result.resources if r.type == "aws:ec2/subnet:Subnet")
    assert zones == ["us-east-1b", "us-east-1b", "us-east-1c", "us-east-1c"]  # never the Local Zone us-east-1-bos-1a
    group = _record(result, "shop-gpu-g6e-xlarge-asg").inputs
    private = sorted(
        r.id
        for r in result.resources
        if r.name.startswith("shop-network-private-") and r.type == "aws:ec2/subnet:Subnet"
    )
    assert sorted(group["vpcZoneIdentifiers"]) == private


def test_gpu_capacity_only_where_its_type_is_offered(tmp_path):
    result = _run(tmp_path, offerings={"g6e.xlarge": ["a"]})  # a, b chosen; only a has the type
    group = _record(result, "shop-gpu-g6e-xlarge-asg").inputs
    subnet_a = next(
        r.id
        for r in result.resources
        if r.type == "aws:ec2/subnet:Subnet"
        and r.name.startswith("shop-network-private-")
        and r.inputs["availabilityZone"] == "us-east-1a"
    )
    assert group["vpcZoneIdentifiers"] == [subnet_a]
