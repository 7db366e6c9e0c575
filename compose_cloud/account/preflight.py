"""`compose-cloud preflight`: will this plan deploy in this AWS account? Learn it before `pulumi up`.

GPU deploys fail late and expensively: new accounts often have a quota of 0 for SageMaker GPU
endpoint instances and for G/P EC2 instances, and not every instance type is offered in every
region. A Bedrock model needs no quota but must be offered in its Region and granted to the account.
Each check is pass, warn or fail, and a failure says how to fix it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import botocore.exceptions

from compose_cloud.account.clients import AWS_ERRORS, NO_CREDENTIALS_FIX, Aws, failure_text
from compose_translate.plan import DeploymentPlan
from compose_translate.plan.on_bedrock import ANY_REGION, BedrockServing
from compose_translate.plan.zones import choose_zones, gpu_zones
from compose_translate.serving import ECS_GPU_AMI_PARAMETER

# EC2 on-demand vCPU quotas (service code ec2) by instance family initial, and Fargate's.
EC2_QUOTAS = {
    "g": ("L-DB2E81BA", "Running On-Demand G and VT instances"),
    "p": ("L-417A185B", "Running On-Demand P instances"),
}
FARGATE_QUOTA = ("L-3032A538", "Fargate On-Demand vCPU resource count")
ENABLED = ("opt-in-not-required", "opted-in")


@dataclass
class Check:
    name: str
    status: str  # pass | warn | fail
    detail: str
    fix: str = ""


@dataclass
class Needs:
    """What the plan asks of the account, per region."""

    sagemaker: dict[tuple[str, str], int]  # (region, ml.* type) -> instances at most
    ec2: dict[str, int]  # EC2 GPU type (stack region) -> instances
    fargate_vcpus: float
    builds: bool


def needs(plan: DeploymentPlan) -> Needs:
    """What the plan asks of the account: SageMaker instances per (region, type) and vCPUs per quota, at the
    scaling maximum, since that is what the quotas must allow."""
    sagemaker: dict[tuple[str, str], int] = {}
    for model in plan.models.values():
        if model.sagemaker:
            key = (model.placement.region, model.placement.instance_type)
            sagemaker[key] = sagemaker.get(key, 0) + model.placement.max_instances
    vcpus = sum(
        s.runtime.cpu / 1024 * s.runtime.replicas for s in plan.ecs_services() if s.runtime.capacity == "fargate"
    )
    return Needs(
        sagemaker=dict(sorted(sagemaker.items())),
        ec2=dict(plan.gpu_capacity),
        fargate_vcpus=vcpus,
        builds=any(s.build for s in plan.services.values()),
    )


def preflight(plan: DeploymentPlan, aws: Aws) -> list[Check]:
    """Every check, in the order a failure would stop `pulumi up`; without working credentials nothing else is
    tried."""
    checks: list[Check] = []
    if not _caller(aws, plan.region, checks):
        return checks
    wanted = needs(plan)
    enabled = _regions(aws, plan, checks)
    if wanted.ec2:
        _offerings(aws, plan.region, wanted.ec2, checks)
        _ec2_quotas(aws, plan.region, wanted.ec2, checks)
        _gpu_ami(aws, plan.region, checks)
    for (region, instance_type), count in wanted.sagemaker.items():
        if region in enabled:
            _sagemaker_quota(aws, region, instance_type, count, checks)
    _fargate_quota(aws, plan.region, wanted.fargate_vcpus, checks)
    if wanted.builds:
        _ecr(aws, plan.region, checks)
    for key, model in plan.models.items():
        if model.bedrock and not model.served_by:
            _bedrock(aws, key, model.bedrock, checks)
    return checks


def _caller(aws: Aws, region: str, checks: list[Check]) -> bool:
    try:
        identity = aws.client("sts", region).get_caller_identity()
    except botocore.exceptions.NoCredentialsError:
        checks.append(Check("credentials", "fail", "no AWS credentials found", NO_CREDENTIALS_FIX))
        return False
    except AWS_ERRORS as exc:
        checks.append(Check("credentials", "fail", failure_text(exc), NO_CREDENTIALS_FIX))
        return False
    checks.append(Check("credentials", "pass", f"account {identity['Account']} as {identity['Arn']}"))
    return True


def _regions(aws: Aws, plan: DeploymentPlan, checks: list[Check]) -> set[str]:
    """The plan's regions that the account has enabled; an opt-in region not enabled fails with the command that
    enables it."""
    try:
        regions = {
            r["RegionName"]: r.get("OptInStatus", "opt-in-not-required")
            for r in aws.client("ec2", plan.region).describe_regions(AllRegions=True)["Regions"]
        }
    except AWS_ERRORS as exc:
        checks.append(Check("regions", "fail", failure_text(exc), "allow ec2:DescribeRegions"))
        return set()
    enabled = set()
    for region in plan.regions:
        status = regions.get(region)
        if status is None:
            checks.append(
                Check(
                    f"region {region}",
                    "fail",
                    "not available to this account",
                    "use a region this account's partition offers",
                )
            )
        elif status not in ENABLED:
            checks.append(
                Check(
                    f"region {region}",
                    "fail",
                    f"not enabled ({status})",
                    f"enable {region} under Account > AWS Regions, or move the model elsewhere",
                )
            )
        else:
            enabled.add(region)
            checks.append(Check(f"region {region}", "pass", "enabled"))
    return enabled


def _offerings(aws: Aws, region: str, types: dict[str, int], checks: list[Check]) -> None:
    """Each GPU type in the zones the program will choose (compose_translate/plan/zones.py), not just the region."""
    ec2 = aws.client("ec2", region)
    try:
        standard = [
            z["ZoneName"]
            for z in ec2.describe_availability_zones(Filters=[{"Name": "state", "Values": ["available"]}])[
                "AvailabilityZones"
            ]
            if z.get("ZoneType", "availability-zone") == "availability-zone"
        ]
        offered = ec2.describe_instance_type_offerings(
            LocationType="availability-zone", Filters=[{"Name": "instance-type", "Values": sorted(types)}]
        )
    except AWS_ERRORS as exc:
        checks.append(
            Check(
                f"instance types in {region}",
                "fail",
                failure_text(exc),
                "allow ec2:DescribeAvailabilityZones and ec2:DescribeInstanceTypeOfferings",
            )
        )
        return
    zones: dict[str, set[str]] = {t: set() for t in types}
    for offering in offered["InstanceTypeOfferings"]:
        zones.setdefault(offering["InstanceType"], set()).add(offering["Location"])
    chosen = choose_zones(standard, zones)
    usable = gpu_zones(chosen, zones)
    for instance_type in sorted(types):
        found, name = usable.get(instance_type, []), f"{instance_type} in {region}"
        if not zones.get(instance_type):
            checks.append(
                Check(
                    name,
                    "fail",
                    "not offered in this region",
                    "choose another GPU type (cloud.instance-type) or cloud.backend=sagemaker",
                )
            )
        elif not found:
            checks.append(
                Check(
                    name,
                    "fail",
                    f"not offered in the zones the network will use ({', '.join(chosen)})",
                    "choose a GPU type offered with the others, or cloud.backend=sagemaker",
                )
            )
        elif len(found) < 2:
            checks.append(
                Check(
                    name,
                    "warn",
                    f"offered in one of the network's zones only ({found[0]})",
                    "tasks may wait for capacity; consider a more common type",
                )
            )
        else:
            checks.append(Check(name, "pass", f"offered in the network's zones ({', '.join(found)})"))


def _quota(aws: Aws, region: str, service: str, code: str | None, name: str) -> tuple[float, str] | None:
    """The applied quota value (or AWS's default when none was applied), found by code or by name."""
    quotas = aws.client("service-quotas", region)
    if code is None:
        pages = quotas.get_paginator("list_aws_default_service_quotas").paginate(ServiceCode=service)
        code = next((q["QuotaCode"] for page in pages for q in page["Quotas"] if q["QuotaName"] == name), None)
        if code is None:
            return None
    try:
        return quotas.get_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"], code
    except botocore.exceptions.ClientError as exc:
        if exc.response.get("Error", {}).get("Code") != "NoSuchResourceException":
            raise
    return quotas.get_aws_default_service_quota(ServiceCode=service, QuotaCode=code)["Quota"]["Value"], code


def _quota_check(
    aws: Aws, region: str, service: str, code: str | None, name: str, needed: float, unit: str, checks: list[Check]
) -> None:
    """One Service Quotas value against what the plan needs; an unreadable quota is a warning, since the deploy may
    still succeed."""
    label = f"quota {name} in {region}"
    try:
        found = _quota(aws, region, service, code, name)
    except AWS_ERRORS as exc:
        checks.append(
            Check(
                label,
                "warn",
                f"cannot read the quota ({failure_text(exc)})",
                "allow servicequotas:GetServiceQuota and ListAWSDefaultServiceQuotas, or check the "
                "Service Quotas console",
            )
        )
        return
    if found is None:
        checks.append(Check(label, "warn", "no such quota in this region", "check the Service Quotas console"))
        return
    value, code = found
    if value >= needed:
        checks.append(Check(label, "pass", f"{value:g} {unit}, {needed:g} needed"))
        return
    checks.append(
        Check(
            label,
            "fail",
            f"{value:g} {unit}, {needed:g} needed",
            f"aws service-quotas request-service-quota-increase --region {region} --service-code "
            f"{service} --quota-code {code} --desired-value {needed:g}",
        )
    )


def _sagemaker_quota(aws: Aws, region: str, instance_type: str, count: int, checks: list[Check]) -> None:
    _quota_check(aws, region, "sagemaker", None, f"{instance_type} for endpoint usage", count, "instances", checks)


def _ec2_quotas(aws: Aws, region: str, types: dict[str, int], checks: list[Check]) -> None:
    try:
        described = aws.client("ec2", region).describe_instance_types(InstanceTypes=sorted(types))
    except AWS_ERRORS as exc:
        checks.append(
            Check(f"GPU instance sizes in {region}", "warn", failure_text(exc), "allow ec2:DescribeInstanceTypes")
        )
        return
    vcpus = {t["InstanceType"]: t["VCpuInfo"]["DefaultVCpus"] for t in described["InstanceTypes"]}
    by_quota: dict[str, float] = {}
    for instance_type, count in types.items():
        family = instance_type[0]
        if family in EC2_QUOTAS and instance_type in vcpus:
            by_quota[family] = by_quota.get(family, 0) + vcpus[instance_type] * count
    for family, needed in sorted(by_quota.items()):
        code, name = EC2_QUOTAS[family]
        _quota_check(aws, region, "ec2", code, name, needed, "vCPUs", checks)


def _fargate_quota(aws: Aws, region: str, vcpus: float, checks: list[Check]) -> None:
    if vcpus:
        _quota_check(aws, region, "fargate", FARGATE_QUOTA[0], FARGATE_QUOTA[1], vcpus, "vCPUs", checks)


def _gpu_ami(aws: Aws, region: str, checks: list[Check]) -> None:
    try:
        value = aws.client("ssm", region).get_parameter(Name=ECS_GPU_AMI_PARAMETER)["Parameter"]["Value"]
    except AWS_ERRORS as exc:
        checks.append(
            Check(
                f"ECS GPU AMI in {region}",
                "fail",
                f"{ECS_GPU_AMI_PARAMETER}: {failure_text(exc)}",
                "AWS does not publish the ECS GPU AMI here: use cloud.backend=sagemaker or another region",
            )
        )
        return
    checks.append(Check(f"ECS GPU AMI in {region}", "pass", value))


BEDROCK_READ_FIX = (
    "allow bedrock:ListFoundationModels, bedrock:GetFoundationModelAvailability and bedrock:GetInferenceProfile "
    "to check, or check the model in the Bedrock console"
)


def _bedrock(aws: Aws, key: str, serving: BedrockServing, checks: list[Check]) -> None:
    """A Bedrock model: offered in the Region for the way it is called, the account's access to it, and, through a
    profile, destinations the gateway's role allows (compose_translate/plan/on_bedrock.py)."""
    name, region = f"Bedrock {serving.model_id} ({key}) in {_region_of(serving)}", serving.region
    client = aws.client("bedrock", region)
    try:
        listed = {
            m["modelId"]: m
            for m in client.list_foundation_models(byOutputModality=_modality(serving))["modelSummaries"]
        }
        offered = _offered(listed.get(serving.foundation_model), serving)
        if offered:
            checks.append(Check(name, "fail", offered, _bedrock_fix(serving)))
            return
        if serving.profile:
            problem = _profile_routes(
                client.get_inference_profile(inferenceProfileIdentifier=serving.model_id), serving
            )
            if problem:
                checks.append(Check(name, "fail", problem, "name a Region the model is served in (cloud.region)"))
                return
        access = client.get_foundation_model_availability(modelId=serving.foundation_model)
    except AWS_ERRORS as exc:
        checks.append(Check(name, "warn", f"cannot check ({failure_text(exc)})", BEDROCK_READ_FIX))
        return
    denied = _access(access)
    if denied:
        checks.append(
            Check(
                name,
                "fail",
                f"no access: {denied}",
                f"grant access to {serving.foundation_model} in {region} (Bedrock console, Model access), then run "
                "preflight again",
            )
        )
        return
    checks.append(Check(name, "pass", "offered and this account has access"))


def _region_of(serving: BedrockServing) -> str:
    """Where a Bedrock model is called from, and where a profile may serve it."""
    return serving.region + (f" (profile to {', '.join(serving.destinations)})" if serving.profile else "")


def _modality(serving: BedrockServing) -> str:
    return "EMBEDDING" if serving.embeddings else "TEXT"


def _offered(summary: dict[str, Any] | None, serving: BedrockServing) -> str:
    """Why the Region does not offer the model as it is called (on demand, or through a profile), or ''."""
    if summary is None:
        return f"{serving.foundation_model} is not offered in {serving.region}"
    if (summary.get("modelLifecycle") or {}).get("status") not in (None, "ACTIVE", "LEGACY"):
        return f"{serving.foundation_model} is no longer served"
    way = "INFERENCE_PROFILE" if serving.profile else "ON_DEMAND"
    if way not in summary.get("inferenceTypesSupported", []):
        listed = ", ".join(summary.get("inferenceTypesSupported", [])) or "none"
        return f"{serving.foundation_model} is not offered {way.lower().replace('_', ' ')} here (offered: {listed})"
    return ""


def _bedrock_fix(serving: BedrockServing) -> str:
    if serving.profile:
        return "call the model from a source Region of its profile (cloud.region), or name another model"
    return f"choose a Region that serves it (cloud.region), or its cross-Region profile (us.{serving.foundation_model})"


def _profile_routes(profile: dict[str, Any], serving: BedrockServing) -> str:
    """A profile that routes to Regions the gateway's role may not invoke would fail there: say which."""
    if profile.get("status") != "ACTIVE":
        return f"inference profile {serving.model_id} is {profile.get('status')}"
    routed = {m["modelArn"].split(":")[3] for m in profile.get("models", []) if m.get("modelArn")}
    extra = sorted(routed - set(serving.destinations)) if ANY_REGION not in serving.destinations else []
    if extra:
        return (
            f"the profile also routes to {', '.join(extra)}, which the gateway's role may not invoke (compose-cloud's "
            f"table lists {', '.join(serving.destinations)}): requests served there would be denied"
        )
    return ""


def _access(answer: dict[str, Any]) -> str:
    """What stops the account using the model (bedrock GetFoundationModelAvailability), or ''."""
    problems = []
    if answer.get("authorizationStatus") != "AUTHORIZED":
        problems.append("not authorized")
    if answer.get("entitlementAvailability") != "AVAILABLE":
        problems.append("no entitlement (the model's AWS Marketplace offer is not accepted)")
    if answer.get("regionAvailability") != "AVAILABLE":
        problems.append("not available in the Region")
    agreement = str((answer.get("agreementAvailability") or {}).get("status") or "AVAILABLE")
    if agreement in ("PENDING", "ERROR"):  # NOT_AVAILABLE: the model has no offer to agree to
        problems.append(f"agreement {agreement.lower()}")
    return ", ".join(problems)


def _ecr(aws: Aws, region: str, checks: list[Check]) -> None:
    try:
        aws.client("ecr", region).get_authorization_token()
    except AWS_ERRORS as exc:
        checks.append(
            Check(
                f"ECR in {region}",
                "fail",
                failure_text(exc),
                "allow ecr:GetAuthorizationToken and repository actions to push built images",
            )
        )
        return
    checks.append(Check(f"ECR in {region}", "pass", "can push the images `build:` produces"))


def render_text(checks: list[Check]) -> str:
    """The checks one per line, with the fix under each that did not pass."""
    width = max(len(c.name) for c in checks)
    lines = []
    for check in checks:
        lines.append(f"{check.status.upper():5} {check.name:{width}}  {check.detail}")
        if check.fix and check.status != "pass":
            lines.append(f"{'':5} {'':{width}}  fix: {check.fix}")
    failed = sum(c.status == "fail" for c in checks)
    warned = sum(c.status == "warn" for c in checks)
    lines.append(f"\n{len(checks)} checks: {failed} failed, {warned} warnings")
    return "\n".join(lines) + "\n"


def render_json(checks: list[Check]) -> str:
    """The checks for a pipeline: `ok` is false when any check failed."""
    data: dict[str, Any] = {"ok": not any(c.status == "fail" for c in checks), "checks": [asdict(c) for c in checks]}
    return json.dumps(data, indent=2, sort_keys=True) + "\n"
