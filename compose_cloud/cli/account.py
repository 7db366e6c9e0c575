"""`preflight`, `status` and `logs`: the plan against the user's AWS account."""

from __future__ import annotations

import sys
from pathlib import Path

from compose_cloud.account.clients import Aws
from compose_cloud.account.preflight import Check
from compose_cloud.cli.progress import progress
from compose_cloud.cli.request import EXIT_INVALID, EXIT_OK, EXIT_USAGE, Request
from compose_cloud.render.plan import error_text
from compose_translate import ComposeError
from compose_translate.plan import DeploymentPlan
from compose_translate.plan.pricing import Prices


def cmd_account(request: Request, plan: DeploymentPlan) -> int:
    """preflight / status: the plan against the AWS account."""
    from compose_cloud.account import preflight, status
    from compose_cloud.account.clients import Aws

    if request.command in ("status", "logs") and not request.stack:
        sys.stderr.write(f"error: {request.command} needs --stack NAME (the deployed stack to read)\n")
        return EXIT_USAGE
    try:
        aws = Aws(request.account.aws_profile)
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, None))
        return EXIT_INVALID
    if request.command == "logs":
        return cmd_logs(request, plan, aws)
    if request.command == "preflight":
        with progress("checking the AWS account"):
            checks = preflight.preflight(plan, aws)
        if request.account.refresh_prices:
            with progress("reading the AWS Price List API"):
                checks.append(refresh_prices(plan, aws))
        sys.stdout.write((preflight.render_json if request.format == "json" else preflight.render_text)(checks))
        return EXIT_INVALID if any(c.status == "fail" for c in checks) else EXIT_OK
    with progress("reading the stack's state from AWS"):
        rows = status.status(plan, aws, request.stack_name)
    sys.stdout.write((status.render_json if request.format == "json" else status.render_text)(rows))
    return EXIT_OK if all(r.healthy for r in rows) else EXIT_INVALID


def cmd_logs(request: Request, plan: DeploymentPlan, aws: Aws) -> int:
    """`logs [-f] [SERVICE...]`: the stack's log groups, read once or followed until Ctrl-C."""
    import time

    from compose_cloud.account import logs
    from compose_cloud.account.clients import AWS_ERRORS, NO_CREDENTIALS_FIX, failure_text

    try:
        flags = request.account
        start = logs.since_millis(flags.since, time.time())
        groups = logs.sources(plan, aws, request.stack_name, flags.services)
        if not groups:
            sys.stderr.write(
                f"no log groups for {plan.name} ({request.stack_name}) in {plan.region}: "
                "deploy it with `pulumi up` first\n"
            )
            return EXIT_INVALID
        width = max(len(g.name) for g in groups)
        batches = logs.follow(aws, groups, start) if flags.follow else iter([logs.read(aws, groups, start)])
        for batch in batches:
            sys.stdout.write(logs.render(batch, width, flags.timestamps))
            sys.stdout.flush()
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, None))
        return EXIT_INVALID
    except AWS_ERRORS as exc:
        sys.stderr.write(f"error: cannot read the stack's logs: {failure_text(exc)}\n  hint: {NO_CREDENTIALS_FIX}\n")
        return EXIT_INVALID
    return EXIT_OK


def refresh_prices(plan: DeploymentPlan, aws: Aws) -> Check:
    """`preflight --refresh-prices`: the plan's regions priced into .compose-cloud/prices.json, with what stayed
    unpriced named, since a missing price is never shown as zero."""
    import time

    from compose_cloud.account import prices
    from compose_cloud.account.clients import AWS_ERRORS, failure_text
    from compose_cloud.account.preflight import Check

    try:
        tables = prices.refresh(plan, aws, time.strftime("%Y-%m-%d", time.gmtime()))
    except AWS_ERRORS as exc:
        return Check(
            "prices",
            "fail",
            f"cannot read the AWS Price List API: {failure_text(exc)}",
            "the caller needs pricing:GetProducts; the built-in tables stay in use",
        )
    path = prices.write(Path(plan.project_dir), tables)
    missing = [f"{r}: {', '.join(t)}" for r, t in sorted(_unpriced(plan, tables).items()) if t]
    return Check(
        "prices",
        "warn" if missing else "pass",
        f"{', '.join(sorted(tables))} priced from the AWS Price List API into "
        f"{path.relative_to(plan.project_dir).as_posix()}"
        + (f"; no price found for {'; '.join(missing)}" if missing else ""),
        "commit the file so that CI prices the same way"
        if not missing
        else "those items stay unpriced in the estimate",
    )


def _unpriced(plan: DeploymentPlan, tables: dict[str, Prices]) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for region, table in tables.items():
        gaps = [
            k
            for k in ("fargate_vcpu", "fargate_gb", "nat_gateway", "load_balancer", "public_ipv4")
            if getattr(table, k) is None
        ]
        gaps += [
            m.placement.instance_type
            for m in plan.models.values()
            if m.placement.region == region
            and m.placement.backend == "sagemaker"
            and m.placement.instance_type not in table.sagemaker
        ]
        found[region] = gaps
    return found
