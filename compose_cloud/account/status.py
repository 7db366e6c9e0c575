"""`compose-cloud status`: how a deployed stack is doing, read from AWS.

SageMaker endpoints by the names the plan gives them; the ECS cluster and load balancers by
the tags every resource of the stack carries (`compose-cloud:project`, `compose-cloud:stack`).
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass
from typing import Any

import botocore.exceptions

from compose_cloud.account.clients import AWS_ERRORS, Aws, failure_text
from compose_translate.plan import DeploymentPlan
from compose_translate.plan.planned_service import JOB_STARTED_BY

PROJECT_TAG, STACK_TAG = "compose-cloud:project", "compose-cloud:stack"


@dataclass
class Row:
    kind: str  # endpoint | bedrock | service | job | targets | cluster
    name: str
    region: str
    state: str
    healthy: bool
    detail: str = ""


def status(plan: DeploymentPlan, aws: Aws, stack: str) -> list[Row]:
    """One row per endpoint, ECS service, job and load balancer target of the deployed stack, read from AWS."""
    rows: list[Row] = []
    for model in plan.models.values():
        if model.sagemaker:
            rows.append(_endpoint(aws, model.placement.region, model.sagemaker.endpoint_name))
        elif model.bedrock and not model.served_by:  # nothing of the stack's runs it: preflight checks access
            serving = model.bedrock
            rows.append(
                Row("bedrock", serving.model_id, serving.region, "on demand", True, "`preflight` checks access")
            )
    rows += _services(aws, plan, stack)
    rows += _jobs(aws, plan, stack)
    rows += _targets(aws, plan, stack)
    return rows


def _jobs(aws: Aws, plan: DeploymentPlan, stack: str) -> list[Row]:
    """The last run of each service that runs once per deploy: running, or stopped with its exit code."""
    jobs = sorted(name for name, s in plan.services.items() if s.job is not None)
    if not jobs:
        return []
    ecs = aws.client("ecs", plan.region)
    rows = []
    try:
        clusters = _stack_clusters(ecs, plan, stack)
        tasks = []
        for cluster in clusters:
            for desired in ("RUNNING", "STOPPED"):
                found = [
                    a
                    for page in ecs.get_paginator("list_tasks").paginate(
                        cluster=cluster, startedBy=JOB_STARTED_BY, desiredStatus=desired
                    )
                    for a in page["taskArns"]
                ]
                for i in range(0, len(found), 100):
                    tasks += ecs.describe_tasks(cluster=cluster, tasks=found[i : i + 100])["tasks"]
    except AWS_ERRORS as exc:
        return [Row("job", ", ".join(jobs), plan.region, "Unknown", False, failure_text(exc))]
    for name in jobs:
        family = f"{plan.name}-{stack}-{name}"
        runs = [t for t in tasks if t.get("taskDefinitionArn", "").rsplit("/", 1)[-1].split(":")[0] == family]
        if not runs:
            rows.append(Row("job", name, plan.region, "NotRun", False, "no run found: run `pulumi up`"))
            continue
        last = max(runs, key=lambda t: str(t.get("createdAt", "")))
        code = next((c.get("exitCode") for c in last.get("containers", []) if c.get("name") == name), None)
        when = str(last.get("stoppedAt") or last.get("createdAt") or "")
        if last.get("lastStatus") != "STOPPED":
            rows.append(Row("job", name, plan.region, f"running ({last.get('lastStatus')})", True, when))
        else:
            detail = f"{when}; `compose-cloud logs {name}` shows its output"
            rows.append(Row("job", name, plan.region, f"exited {code}", code == 0, detail))
    return rows


def _endpoint(aws: Aws, region: str, name: str) -> Row:
    try:
        endpoint = aws.client("sagemaker", region).describe_endpoint(EndpointName=name)
    except botocore.exceptions.ClientError as exc:
        if "Could not find" in exc.response.get("Error", {}).get("Message", ""):
            return Row("endpoint", name, region, "NotDeployed", False, "no such endpoint: run `pulumi up`")
        return Row("endpoint", name, region, "Unknown", False, failure_text(exc))
    except AWS_ERRORS as exc:
        return Row("endpoint", name, region, "Unknown", False, failure_text(exc))
    state = endpoint["EndpointStatus"]
    return Row("endpoint", name, region, state, state == "InService", endpoint.get("FailureReason", ""))


def _tagged(
    tags: list[dict[str, Any]], plan: DeploymentPlan, stack: str, key: str = "key", value: str = "value"
) -> bool:
    found = {t[key]: t[value] for t in tags}
    return found.get(PROJECT_TAG) == plan.name and found.get(STACK_TAG) == stack


def _stack_clusters(ecs: Any, plan: DeploymentPlan, stack: str) -> list[str]:
    """The ARNs of the ECS clusters tagged for this project and stack."""
    arns = [a for page in ecs.get_paginator("list_clusters").paginate() for a in page["clusterArns"]]
    return [
        c["clusterArn"]
        for i in range(0, len(arns), 100)
        for c in ecs.describe_clusters(clusters=arns[i : i + 100], include=["TAGS"])["clusters"]
        if _tagged(c.get("tags", []), plan, stack)
    ]


def _services(aws: Aws, plan: DeploymentPlan, stack: str) -> list[Row]:
    ecs = aws.client("ecs", plan.region)
    try:
        clusters = _stack_clusters(ecs, plan, stack)
        if not clusters:
            return [
                Row(
                    "cluster",
                    f"{plan.name} ({stack})",
                    plan.region,
                    "NotDeployed",
                    False,
                    "no ECS cluster tagged for this project and stack: run `pulumi up`",
                )
            ]
        rows = []
        for cluster in clusters:
            services = [
                a for page in ecs.get_paginator("list_services").paginate(cluster=cluster) for a in page["serviceArns"]
            ]
            for i in range(0, len(services), 10):
                described = ecs.describe_services(cluster=cluster, services=services[i : i + 10])
                rows += [_service_row(s, plan.region) for s in described["services"]]
        return sorted(rows, key=lambda r: r.name)
    except AWS_ERRORS as exc:
        return [Row("cluster", f"{plan.name} ({stack})", plan.region, "Unknown", False, failure_text(exc))]


def _service_row(service: dict[str, Any], region: str) -> Row:
    running, desired = service.get("runningCount", 0), service.get("desiredCount", 0)
    events = [e["message"] for e in service.get("events", [])[:2]]
    healthy = service.get("status") == "ACTIVE" and running >= desired
    return Row("service", service["serviceName"], region, f"{running}/{desired} running", healthy, " | ".join(events))


def _targets(aws: Aws, plan: DeploymentPlan, stack: str) -> list[Row]:
    """Target health of the stack's load balancers (found by its tags): an unhealthy target is why a URL fails."""
    elb = aws.client("elbv2", plan.region)
    try:
        balancers = [
            b for page in elb.get_paginator("describe_load_balancers").paginate() for b in page["LoadBalancers"]
        ]
        rows = []
        for i in range(0, len(balancers), 20):
            chunk = balancers[i : i + 20]
            tags = elb.describe_tags(ResourceArns=[b["LoadBalancerArn"] for b in chunk])["TagDescriptions"]
            ours = {t["ResourceArn"] for t in tags if _tagged(t["Tags"], plan, stack, "Key", "Value")}
            for balancer in (b for b in chunk if b["LoadBalancerArn"] in ours):
                groups = elb.describe_target_groups(LoadBalancerArn=balancer["LoadBalancerArn"])["TargetGroups"]
                for group in groups:
                    health = elb.describe_target_health(TargetGroupArn=group["TargetGroupArn"])
                    states = [d["TargetHealth"]["State"] for d in health["TargetHealthDescriptions"]]
                    reasons = sorted(
                        {d["TargetHealth"].get("Description", "") for d in health["TargetHealthDescriptions"]} - {""}
                    )
                    healthy = states.count("healthy")
                    rows.append(
                        Row(
                            "targets",
                            group["TargetGroupName"],
                            plan.region,
                            f"{healthy}/{len(states)} healthy",
                            bool(states) and healthy == len(states),
                            "; ".join(reasons),
                        )
                    )
        return rows
    except AWS_ERRORS as exc:
        return [Row("targets", "load balancers", plan.region, "Unknown", False, failure_text(exc))]


def render_text(rows: list[Row]) -> str:
    """The rows as a table, `!!` in front of every unhealthy one."""
    width = max((len(r.name) for r in rows), default=0)
    lines = [
        f"{'ok' if r.healthy else '!!':2} {r.kind:8} {r.name:{width}}  {r.region:14} {r.state}"
        + (f"  ({r.detail})" if r.detail else "")
        for r in rows
    ]
    unhealthy = sum(not r.healthy for r in rows)
    lines.append(f"\n{len(rows)} checked, {unhealthy} not healthy")
    return "\n".join(lines) + "\n"


def render_json(rows: list[Row]) -> str:
    """The rows for a pipeline: `healthy` is false when any row is not."""
    return (
        json.dumps(
            {"healthy": all(r.healthy for r in rows), "rows": [asdict(r) for r in rows]}, indent=2, sort_keys=True
        )
        + "\n"
    )
