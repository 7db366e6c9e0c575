"""`compose-cloud logs`: a deployed stack's CloudWatch Logs, interleaved like `docker compose logs`.

Every ECS container of the stack (services, model servers, the gateway) logs to
`/compose-cloud/<project>/<stack>/<service>`; SageMaker endpoints log to
`/aws/sagemaker/Endpoints/<endpoint>`. Groups are found by that prefix and kept only when they carry
the stack's tags, so another stack's groups never show. AWS errors propagate (AWS_ERRORS) for the
caller to report. Log lines are the containers' output, so
control characters are replaced before they reach a terminal.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass

from compose_cloud.account.clients import Aws
from compose_cloud.account.status import PROJECT_TAG, STACK_TAG
from compose_translate.errors import ComposeError, Diagnostic
from compose_translate.plan import DeploymentPlan

_DURATION = re.compile(r"^([0-9]{1,6})(s|m|h|d)$")
_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400}
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")
MAX_EVENTS = 10_000  # per call of `read`: bounded output for a long --since
POLL_SECONDS = 2.0


@dataclass(frozen=True)
class Source:
    """One log group and the name it is shown under."""

    name: str
    group: str
    region: str


@dataclass(frozen=True)
class Line:
    timestamp: int  # milliseconds since the epoch
    source: str
    message: str
    event_id: str


def since_millis(since: str, now: float) -> int:
    """`10m`, `2h`, `1d` before `now` (seconds), in milliseconds."""
    match = _DURATION.match(since.strip())
    if not match:
        raise ComposeError(
            Diagnostic(
                f'"--since {since[:40]}" is not a duration',
                "--since",
                hint="write a number and a unit: 30s, 10m, 2h or 1d",
            )
        )
    return int((now - int(match[1]) * _SECONDS[match[2]]) * 1000)


def sources(plan: DeploymentPlan, aws: Aws, stack: str, wanted: Sequence[str] = ()) -> list[Source]:
    """The stack's log groups, by service name; `wanted` limits them (unknown names are an error)."""
    found: list[Source] = []
    prefix = f"/compose-cloud/{plan.name}/{stack}/"
    logs = aws.client("logs", plan.region)
    for page in logs.get_paginator("describe_log_groups").paginate(logGroupNamePrefix=prefix):
        for group in page["logGroups"]:
            tags = logs.list_tags_for_resource(resourceArn=group["arn"].removesuffix(":*")).get("tags", {})
            if tags.get(PROJECT_TAG) == plan.name and tags.get(STACK_TAG) == stack:
                found.append(Source(group["logGroupName"].removeprefix(prefix), group["logGroupName"], plan.region))
    for key, model in sorted(plan.models.items()):
        if model.sagemaker:  # the endpoint's name is the plan's; its group exists once it has logged
            group = f"/aws/sagemaker/Endpoints/{model.sagemaker.endpoint_name}"
            listed = aws.client("logs", model.placement.region).describe_log_groups(logGroupNamePrefix=group)
            if any(g["logGroupName"] == group for g in listed["logGroups"]):
                found.append(Source(key, group, model.placement.region))
    known = {s.name for s in found} | set(plan.services) | set(plan.models)
    unknown = [name for name in wanted if name not in known]
    if unknown:
        raise ComposeError(
            Diagnostic(
                f'no service or model named "{unknown[0][:64]}" in this stack',
                "SERVICE",
                hint="names: " + ", ".join(sorted(known)),
            )
        )
    return sorted((s for s in found if not wanted or s.name in wanted), key=lambda s: s.name)


def read(aws: Aws, groups: Sequence[Source], start: int, seen: set[str] | None = None) -> list[Line]:
    """Events since `start` from every group, oldest first; `seen` ids are skipped (for --follow)."""
    seen = seen if seen is not None else set()
    lines: list[Line] = []
    for source in groups:
        pages = (
            aws.client("logs", source.region)
            .get_paginator("filter_log_events")
            .paginate(logGroupName=source.group, startTime=start, PaginationConfig={"MaxItems": MAX_EVENTS})
        )
        for page in pages:
            lines += [
                Line(e["timestamp"], source.name, e.get("message", ""), e["eventId"])
                for e in page["events"]
                if e["eventId"] not in seen
            ]
    lines.sort(key=lambda line: (line.timestamp, line.source, line.event_id))
    return lines[-MAX_EVENTS:]


def render(lines: Sequence[Line], width: int, timestamps: bool = False) -> str:
    """Lines as `docker compose logs` prints them: the source padded to `width`, control characters replaced so a
    log line cannot move the terminal's cursor."""
    out = []
    for line in lines:
        stamp = time.strftime("%Y-%m-%dT%H:%M:%SZ ", time.gmtime(line.timestamp / 1000)) if timestamps else ""
        message = _CONTROL.sub("\ufffd", line.message.rstrip("\n"))
        out.append(f"{line.source:<{width}} | {stamp}{message}\n")
    return "".join(out)


def follow(
    aws: Aws,
    groups: Sequence[Source],
    start: int,
    *,
    sleep: Callable[[float], None] = time.sleep,
    polls: int | None = None,
) -> Iterator[list[Line]]:
    """Batches of new lines, polling every POLL_SECONDS (until interrupted, or `polls` times)."""
    seen: set[str] = set()
    count = 0
    while polls is None or count < polls:
        batch = read(aws, groups, start, seen)
        if batch:
            # the next poll starts at the newest millisecond, which may hold more events: the ones
            # already shown there are remembered (and only those, so memory stays bounded)
            newest = batch[-1].timestamp
            seen = {line.event_id for line in batch if line.timestamp == newest} | (seen if newest == start else set())
            start = newest
        yield batch
        count += 1
        if polls is None or count < polls:
            sleep(POLL_SECONDS)
