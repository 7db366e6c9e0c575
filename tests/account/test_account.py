"""preflight and status against a moto server on 127.0.0.1 (and botocore's Stubber where moto has no API).

moto implements STS, EC2 (regions with opt-in status, instance type offerings per zone, instance
types), SSM (AWS's public ECS AMI parameters), ECR, SageMaker, ECS and ELBv2, but Service Quotas
only for VPC quotas: the quota calls are answered by a Stubber, which checks every request and
response against the real service model.
"""

from __future__ import annotations

import json
from pathlib import Path

import boto3
from botocore.stub import Stubber
from support.common import write

from compose_cloud.account.clients import Aws
from compose_cloud.account.preflight import needs, preflight
from compose_cloud.account.status import status
from compose_cloud.cli.main import main
from compose_translate import LoadOptions, StackSettings, make_plan

SAGEMAKER_G5 = "L-ML-G5-XL"  # a made-up code: SageMaker's are found by quota name


def quotas(answers: dict[str, list[tuple[str, dict | str]]]):
    """A Service Quotas client factory: per region, the calls expected in order and their answers
    (a response, or an error code)."""
    stubbers = []

    def factory(service: str, region: str):
        client = boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
        stubber = Stubber(client)
        for method, answer in answers.get(region, []):
            if isinstance(answer, str):
                stubber.add_client_error(method, service_error_code=answer, service_message="no applied value")
            else:
                stubber.add_response(method, answer)
        stubber.activate()
        stubbers.append(stubber)
        return client

    factory.stubbers = stubbers
    return factory


def quota(code: str, name: str, value: float) -> dict:
    return {"Quota": {"QuotaCode": code, "QuotaName": name, "Value": value, "ServiceCode": "x"}}


def sagemaker_quota(value: float, applied: bool = True) -> list:
    name = "ml.g5.xlarge for endpoint usage"
    listing = {
        "Quotas": [
            {"QuotaCode": "L-OTHER", "QuotaName": "ml.g5.2xlarge for endpoint usage", "Value": 0.0},
            {"QuotaCode": SAGEMAKER_G5, "QuotaName": name, "Value": value},
        ]
    }
    calls = [("list_aws_default_service_quotas", listing)]
    if applied:
        return calls + [("get_service_quota", quota(SAGEMAKER_G5, name, value))]
    return calls + [
        ("get_service_quota", "NoSuchResourceException"),
        ("get_aws_default_service_quota", quota(SAGEMAKER_G5, name, value)),
    ]


COMPOSE = """\
name: shop
services:
  web:
    build: ./web
    models: [chat, coder]
models:
  chat:
    model: ai/smollm2
    labels: [cloud.instance-type=gpu-small, cloud.region={chat_region}]
  coder:
    model: ai/qwen2.5-coder
    labels: [cloud.instance-type=gpu-small, cloud.backend=ecs]
"""


def plan_for(tmp_path: Path, chat_region: str = "us-west-2", stack_region: str = "us-east-1"):
    write(tmp_path, {"compose.yaml": COMPOSE.format(chat_region=chat_region), "web/Dockerfile": "FROM scratch\n"})
    return make_plan(
        LoadOptions(files=(tmp_path / "compose.yaml",), environ={}),
        StackSettings(region=stack_region, stack_name="dev"),
    )


def healthy_quotas(region="us-east-1", sagemaker_region="us-west-2", sagemaker_value=2.0) -> dict:
    return {
        region: [
            ("get_service_quota", quota("L-DB2E81BA", "Running On-Demand G and VT instances", 8.0)),
            ("get_service_quota", quota("L-3032A538", "Fargate On-Demand vCPU resource count", 6.0)),
        ],
        sagemaker_region: sagemaker_quota(sagemaker_value),
    }


def by_name(checks):
    return {c.name: c for c in checks}


def test_needs_sum_what_the_plan_asks_for(tmp_path):
    wanted = needs(plan_for(tmp_path))
    assert wanted.sagemaker == {("us-west-2", "ml.g5.xlarge"): 1}
    assert wanted.ec2 == {"g5.xlarge": 1}
    assert wanted.fargate_vcpus == 1.5  # web 0.5 + the gateway 1.0
    assert wanted.builds


def test_a_ready_account_passes(account, tmp_path):
    factory = quotas(healthy_quotas())
    checks = preflight(plan_for(tmp_path), Aws(overrides={"service-quotas": factory}))
    assert {c.status for c in checks} == {"pass"}, [c for c in checks if c.status != "pass"]
    names = by_name(checks)
    assert names["credentials"].detail == "account 123456789012 as arn:aws:sts::123456789012:user/moto"
    # the zones the program's network will choose (compose_translate/plan/zones.py), from the same data
    import boto3

    from compose_translate.plan.zones import choose_zones

    ec2 = boto3.client("ec2", region_name="us-east-1")
    standard = [z["ZoneName"] for z in ec2.describe_availability_zones()["AvailabilityZones"]]
    offered = [
        o["Location"]
        for o in ec2.describe_instance_type_offerings(
            LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": ["g5.xlarge"]}]
        )["InstanceTypeOfferings"]
    ]
    chosen = [z for z in choose_zones(standard, {"g5.xlarge": offered}) if z in offered]
    assert names["g5.xlarge in us-east-1"].detail == f"offered in the network's zones ({', '.join(chosen)})"
    assert names["quota Running On-Demand G and VT instances in us-east-1"].detail == "8 vCPUs, 4 needed"
    assert names["quota ml.g5.xlarge for endpoint usage in us-west-2"].detail == "2 instances, 1 needed"
    assert names["ECS GPU AMI in us-east-1"].detail.startswith("ami-")
    assert {"region us-east-1", "region us-west-2", "ECR in us-east-1"} <= set(names)
    for stubber in factory.stubbers:
        stubber.assert_no_pending_responses()


def test_zero_sagemaker_quota_fails_with_the_request_to_make(account, tmp_path):
    checks = preflight(
        plan_for(tmp_path), Aws(overrides={"service-quotas": quotas(healthy_quotas(sagemaker_value=0.0))})
    )
    failed = [c for c in checks if c.status == "fail"]
    assert [c.name for c in failed] == ["quota ml.g5.xlarge for endpoint usage in us-west-2"]
    assert failed[0].detail == "0 instances, 1 needed"
    assert failed[0].fix == (
        "aws service-quotas request-service-quota-increase --region us-west-2 --service-code "
        f"sagemaker --quota-code {SAGEMAKER_G5} --desired-value 1"
    )


def test_default_quota_is_used_when_none_was_applied(account, tmp_path):
    answers = healthy_quotas()
    answers["us-west-2"] = sagemaker_quota(1.0, applied=False)
    checks = preflight(plan_for(tmp_path), Aws(overrides={"service-quotas": quotas(answers)}))
    assert by_name(checks)["quota ml.g5.xlarge for endpoint usage in us-west-2"].status == "pass"


def test_instance_type_not_offered_in_the_region(account, tmp_path):
    # moto's offering data (copied from AWS) has no g5.xlarge in us-west-1
    checks = preflight(
        plan_for(tmp_path, stack_region="us-west-1"),
        Aws(overrides={"service-quotas": quotas(healthy_quotas(region="us-west-1"))}),
    )
    check = by_name(checks)["g5.xlarge in us-west-1"]
    assert (check.status, check.detail) == ("fail", "not offered in this region")
    assert "cloud.backend=sagemaker" in check.fix


def test_region_not_enabled(account, tmp_path):
    # moto reports me-south-1 as not opted in, like a fresh account
    checks = preflight(
        plan_for(tmp_path, chat_region="me-south-1"), Aws(overrides={"service-quotas": quotas(healthy_quotas())})
    )
    check = by_name(checks)["region me-south-1"]
    assert (check.status, check.detail) == ("fail", "not enabled (not-opted-in)")
    assert "quota ml.g5.xlarge for endpoint usage in me-south-1" not in by_name(checks)


def test_missing_credentials(account, monkeypatch, tmp_path, capsys):
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    plan_for(tmp_path)
    assert main(["preflight", "-f", str(tmp_path / "compose.yaml")]) == 1
    out = capsys.readouterr().out
    assert out.startswith("FAIL  credentials  no AWS credentials found")
    assert "aws configure" in out


def test_cli_json_and_exit_code_and_no_secret(account, tmp_path, capsys, monkeypatch):
    plan_for(tmp_path)
    factory = quotas(healthy_quotas(sagemaker_value=0.0))
    monkeypatch.setattr("compose_cloud.account.clients.Aws.__init__", _with_overrides(factory))
    assert main(["preflight", "-f", str(tmp_path / "compose.yaml"), "--format", "json"]) == 1
    out = capsys.readouterr().out
    data = json.loads(out)
    assert data["ok"] is False and {c["status"] for c in data["checks"]} == {"pass", "fail"}
    assert "testing-secret-never-printed" not in out


def _with_overrides(factory):
    original = Aws.__init__

    def init(self, profile=None, overrides=None):
        original(self, profile, {"service-quotas": factory})

    return init


# -- status -----------------------------------------------------------------------------------------------


def deploy_fake_stack(region: str, stack_region_endpoint: str):
    tags = [{"key": "compose-cloud:project", "value": "shop"}, {"key": "compose-cloud:stack", "value": "dev"}]
    ecs = boto3.client("ecs", region_name="us-east-1")
    ecs.create_cluster(clusterName="shop-cluster-ecs-1234567", tags=tags)
    ecs.create_cluster(clusterName="someone-else", tags=[{"key": "compose-cloud:project", "value": "other"}])
    ecs.register_task_definition(family="web", containerDefinitions=[{"name": "web", "image": "a", "memory": 512}])
    ecs.create_service(cluster="shop-cluster-ecs-1234567", serviceName="web", taskDefinition="web", desiredCount=2)
    ec2 = boto3.client("ec2", region_name="us-east-1")
    vpc = ec2.create_vpc(CidrBlock="10.0.0.0/16")["Vpc"]["VpcId"]
    subnets = [
        ec2.create_subnet(VpcId=vpc, CidrBlock=f"10.0.{i}.0/24", AvailabilityZone=f"us-east-1{z}")["Subnet"]["SubnetId"]
        for i, z in enumerate("ab")
    ]
    elb = boto3.client("elbv2", region_name="us-east-1")
    balancer = elb.create_load_balancer(
        Name="shop-alb", Subnets=subnets, Tags=[{"Key": t["key"], "Value": t["value"]} for t in tags]
    )["LoadBalancers"][0]["LoadBalancerArn"]
    group = elb.create_target_group(Name="shop-web-8080", Protocol="HTTP", Port=8080, VpcId=vpc, TargetType="ip")[
        "TargetGroups"
    ][0]["TargetGroupArn"]
    elb.create_listener(
        LoadBalancerArn=balancer,
        Protocol="HTTP",
        Port=80,
        DefaultActions=[{"Type": "forward", "TargetGroupArn": group}],
    )
    elb.register_targets(TargetGroupArn=group, Targets=[{"Id": "10.0.0.5", "Port": 8080}])
    sagemaker = boto3.client("sagemaker", region_name=region)
    sagemaker.create_model(
        ModelName="m", ExecutionRoleArn="arn:aws:iam::123456789012:role/r", PrimaryContainer={"Image": "x"}
    )
    sagemaker.create_endpoint_config(
        EndpointConfigName="c",
        ProductionVariants=[
            {"VariantName": "AllTraffic", "ModelName": "m", "InitialInstanceCount": 1, "InstanceType": "ml.g4dn.xlarge"}
        ],
    )  # moto knows older types only
    sagemaker.create_endpoint(EndpointName=stack_region_endpoint, EndpointConfigName="c")


def test_status_reads_endpoints_services_and_reports_missing_ones(account, tmp_path, capsys):
    plan = plan_for(tmp_path)
    deploy_fake_stack("us-west-2", plan.models["chat"].sagemaker.endpoint_name)
    rows = {(r.kind, r.name): r for r in status(plan, Aws(), "dev")}
    endpoint = rows[("endpoint", "shop-dev-chat")]
    assert (endpoint.region, endpoint.state) == ("us-west-2", "InService") and endpoint.healthy
    service = rows[("service", "web")]
    assert service.state.endswith("/2 running")
    assert not [name for kind, name in rows if name == "someone-else"]
    targets = rows[("targets", "shop-web-8080")]
    assert targets.state.endswith("/1 healthy")
    missing = {(r.kind, r.state) for r in status(plan_for(tmp_path, chat_region="eu-west-1"), Aws(), "dev")}
    assert ("endpoint", "NotDeployed") in missing
    nothing = status(plan, Aws(), "prod")
    assert ("cluster", "NotDeployed") in {(r.kind, r.state) for r in nothing}


def test_status_needs_a_stack(account, tmp_path, capsys):
    plan_for(tmp_path)
    assert main(["status", "-f", str(tmp_path / "compose.yaml")]) == 2
    assert "status needs --stack" in capsys.readouterr().err


def test_clients_retry_with_backoff_and_time_out(account):
    config = Aws().client("sts", "us-east-1").meta.config
    assert config.retries == {"mode": "standard", "total_max_attempts": 6}  # botocore's spelling of 5 retries
    assert (config.connect_timeout, config.read_timeout) == (5, 30)


def test_report_text_shows_each_fix(account, tmp_path):
    from compose_cloud.account.preflight import render_text

    checks = preflight(
        plan_for(tmp_path), Aws(overrides={"service-quotas": quotas(healthy_quotas(sagemaker_value=0.0))})
    )
    text = render_text(checks)
    assert "FAIL  quota ml.g5.xlarge for endpoint usage in us-west-2" in text
    assert "fix: aws service-quotas request-service-quota-increase" in text
    assert text.endswith("1 failed, 0 warnings\n")


def test_status_renders_text_and_json():
    from compose_cloud.account.status import Row, render_json, render_text

    rows = [
        Row("endpoint", "shop-dev-chat", "us-west-2", "Failed", False, "CUDA out of memory"),
        Row("service", "web", "us-east-1", "2/2 running", True),
    ]
    text = render_text(rows)
    assert "!! endpoint shop-dev-chat  us-west-2      Failed  (CUDA out of memory)" in text
    assert "ok service  web" in text and text.endswith("2 checked, 1 not healthy\n")
    assert json.loads(render_json(rows))["healthy"] is False
