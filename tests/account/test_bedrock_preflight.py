"""preflight for Bedrock models: STS, EC2 and the rest on a moto server on 127.0.0.1; Bedrock's control plane, which
moto does not implement, answered by botocore's Stubber (every request and response checked against the service
model). The checks: offered in the Region the way it is called, the account's access, and a profile's routes."""

from __future__ import annotations

import boto3
import pytest
from botocore.stub import Stubber
from support.common import ROOT

from compose_cloud.account.clients import Aws
from compose_cloud.account.preflight import preflight, render_text
from compose_translate import LoadOptions, make_plan

FARGATE = {"Quota": {"QuotaCode": "L-3032A538", "QuotaName": "Fargate On-Demand vCPU resource count", "Value": 6.0}}
GRANTED = {
    "authorizationStatus": "AUTHORIZED",
    "entitlementAvailability": "AVAILABLE",
    "regionAvailability": "AVAILABLE",
    "agreementAvailability": {"status": "AVAILABLE"},
}


@pytest.fixture(scope="module")
def plan():
    return make_plan(LoadOptions(files=(ROOT / "examples" / "bedrock" / "compose.yaml",), environ={}))


def _summary(model_id: str, ways: list[str]) -> dict:
    return {
        "modelArn": f"arn:aws:bedrock:us-east-1::foundation-model/{model_id}",
        "modelId": model_id,
        "inferenceTypesSupported": ways,
        "modelLifecycle": {"status": "ACTIVE"},
    }


def _profile(serving, regions) -> dict:
    return {
        "inferenceProfileName": serving.model_id,
        "inferenceProfileArn": f"arn:aws:bedrock:{serving.region}:123456789012:inference-profile/{serving.model_id}",
        "inferenceProfileId": serving.model_id,
        "models": [{"modelArn": f"arn:aws:bedrock:{r}::foundation-model/{serving.foundation_model}"} for r in regions],
        "status": "ACTIVE",
        "type": "SYSTEM_DEFINED",
    }


def _stubbed(plan, access=GRANTED, routes=None, offered=True):
    """Stubbed Bedrock clients per Region, answering each model's calls in preflight's order."""
    answers: dict[str, list] = {}
    for model in plan.models.values():
        serving = model.bedrock
        way = "INFERENCE_PROFILE" if serving.profile else "ON_DEMAND"
        listing = [_summary(serving.foundation_model, [way] if offered else ["PROVISIONED"])]
        calls = answers.setdefault(serving.region, [])
        calls.append(("list_foundation_models", {"modelSummaries": listing}))
        if not offered:
            continue
        if serving.profile:
            calls.append(("get_inference_profile", _profile(serving, routes or serving.destinations)))
        calls.append(("get_foundation_model_availability", {"modelId": serving.foundation_model, **access}))

    def factory(service, region):
        client = boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
        stubber = Stubber(client)
        for method, answer in answers.get(region, []) if service == "bedrock" else [("get_service_quota", FARGATE)]:
            stubber.add_response(method, answer)
        stubber.activate()
        return client

    return Aws(overrides={"bedrock": factory, "service-quotas": factory})


def _bedrock_checks(checks):
    return {c.name.split(" (")[0]: c for c in checks if c.name.startswith("Bedrock ")}


def test_a_granted_account_passes_and_asks_for_no_gpu_quota(account, plan):
    checks = preflight(plan, _stubbed(plan))
    found = _bedrock_checks(checks)
    assert set(found) == {f"Bedrock {m.bedrock.model_id}" for m in plan.models.values()}
    assert all(c.status == "pass" for c in found.values()), render_text(checks)
    assert not any("G and VT" in c.name or "endpoint usage" in c.name for c in checks)  # no GPU quota needed


def test_a_model_without_access_fails_with_what_to_do(account, plan):
    denied = {**GRANTED, "authorizationStatus": "NOT_AUTHORIZED", "entitlementAvailability": "NOT_AVAILABLE"}
    checks = preflight(plan, _stubbed(plan, access=denied))
    found = _bedrock_checks(checks)
    assert all(c.status == "fail" for c in found.values())
    check = found["Bedrock qwen.qwen3-32b-v1:0"]
    assert "not authorized" in check.detail and "no entitlement" in check.detail
    assert "qwen.qwen3-32b-v1:0 in us-west-2" in check.fix and "Model access" in check.fix


def test_a_model_not_offered_as_called_fails(account, plan):
    checks = preflight(plan, _stubbed(plan, offered=False))
    check = _bedrock_checks(checks)["Bedrock us.meta.llama3-3-70b-instruct-v1:0"]
    assert check.status == "fail" and "not offered inference profile here (offered: PROVISIONED)" in check.detail


def test_a_profile_routing_beyond_what_the_role_allows_fails(account, plan):
    checks = preflight(plan, _stubbed(plan, routes=("us-east-1", "us-east-2", "us-west-1", "us-west-2")))
    check = _bedrock_checks(checks)["Bedrock us.meta.llama3-3-70b-instruct-v1:0"]
    assert check.status == "fail" and "also routes to us-west-1" in check.detail


def test_without_permission_to_read_bedrock_it_warns(account, plan):
    def factory(service, region):
        client = boto3.client(service, region_name=region, aws_access_key_id="x", aws_secret_access_key="x")
        stubber = Stubber(client)
        if service == "bedrock":
            for _ in range(2):  # us-east-1 serves two of the example's models
                stubber.add_client_error("list_foundation_models", "AccessDeniedException", "not allowed", 403)
        else:
            stubber.add_response("get_service_quota", FARGATE)
        stubber.activate()
        return client

    checks = preflight(plan, Aws(overrides={"bedrock": factory, "service-quotas": factory}))
    found = _bedrock_checks(checks)
    assert {c.status for c in found.values()} == {"warn"}
    assert all("AccessDeniedException" in c.detail and "ListFoundationModels" in c.fix for c in found.values())


def test_status_lists_each_bedrock_model_as_on_demand(account, plan):
    from compose_cloud.account.status import status

    rows = [r for r in status(plan, Aws(), "dev") if r.kind == "bedrock"]
    assert {(r.name, r.region) for r in rows} == {(m.bedrock.model_id, m.bedrock.region) for m in plan.models.values()}
    assert all(r.healthy and r.state == "on demand" for r in rows)
