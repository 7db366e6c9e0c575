"""compose-cloud:natGateway false: no NAT gateway, tasks in public subnets with public IPs, a light gateway;
the seed's cloud example then costs at most $0.05/h besides its model."""

from __future__ import annotations

import pytest
from support.common import ROOT, write
from support.previews import by_type, findings, preview

from compose_translate import ComposeError, StackSettings

SEED = ROOT / "examples" / "seed-06-cloud" / "compose.yaml"


@pytest.fixture(scope="module")
def dev():
    return preview([SEED], project_name="seed-06-cloud", nat_gateway=False)


def test_no_nat_gateway_and_tasks_get_public_ips(dev):
    types = {r.type for r in dev.resources}
    assert not types & {"aws:ec2/natGateway:NatGateway", "aws:ec2/eip:Eip"}
    subnets = by_type(dev, "aws:ec2/subnet:Subnet")
    assert sorted(subnets) == ["seed-06-cloud-network-public-0", "seed-06-cloud-network-public-1"]
    public_ids = sorted(s.id for s in subnets.values())
    for service in by_type(dev, "aws:ecs/service:Service").values():
        network = service.inputs["networkConfiguration"]
        assert network["assignPublicIp"] is True and sorted(network["subnets"]) == public_ids


def test_security_groups_admit_nothing_new_from_the_internet(dev):
    """Only the load balancer's groups take traffic from anywhere; the seed publishes nothing, so none do."""
    rules = by_type(dev, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule").values()
    assert rules and all("cidrIpv4" not in r.inputs and "cidrIpv6" not in r.inputs for r in rules)


def test_overhead_is_at_most_five_cents_an_hour(dev):
    cost = dev.plan.cost
    overhead = cost.total - sum(v for v in cost.models.values() if v)
    assert overhead <= 0.05
    assert dev.plan.services["chat-app"].runtime.cpu == 512
    assert dev.plan.gateway.service.runtime.cpu == 256 and dev.plan.gateway.service.runtime.memory == 1024
    default = preview([SEED], project_name="seed-06-cloud")
    assert round(default.plan.cost.total - dev.plan.cost.total, 4) == 0.0748  # NAT + its address, larger gateway


def test_dev_mode_requests_are_valid(dev):
    assert findings(dev) == []


def test_gpu_tasks_on_ec2_need_the_nat_gateway(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  app: {image: nginx, models: [llm]}\nmodels:\n  llm:\n"
            "    model: ai/smollm2\n    labels: [cloud.backend=ecs]\n"
        },
    )
    with pytest.raises(ComposeError) as err:
        preview([tmp_path / "compose.yaml"], nat_gateway=False)
    assert err.value.first.path == "config.compose-cloud:natGateway" and "model-llm cannot" in err.value.first.message


def test_an_existing_vpc_without_nat_needs_only_public_subnets():
    settings = StackSettings.from_cli_config(
        {
            "compose-cloud:vpcId": "vpc-1",
            "compose-cloud:natGateway": "false",
            "compose-cloud:publicSubnetIds": '["subnet-a", "subnet-b"]',
        }
    )
    assert settings.nat_gateway is False
    with pytest.raises(ComposeError) as err:
        StackSettings.from_cli_config({"compose-cloud:vpcId": "vpc-1", "compose-cloud:natGateway": "false"})
    assert "at least two are needed" in err.value.first.message
