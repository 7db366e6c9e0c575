"""Plan -> text or JSON, byte-for-byte deterministic (sorted keys, relative paths, no timestamps)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from compose_translate.errors import Diagnostic
from compose_translate.plan import DeploymentPlan


def plan_json(plan: DeploymentPlan) -> str:
    """The plan as sorted JSON, byte-for-byte the same for the same input."""
    return json.dumps(plan.to_dict(), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def warnings_text(warnings: Iterable[Diagnostic], root: Path) -> str:
    """Warnings one per line on stderr, paths relative to the project."""
    return "".join(f"warning: {w.render(root)}\n" for w in warnings)


def plan_text(plan: DeploymentPlan) -> str:
    """The plan for a person: the gateway, models and where they run, services with their injected variables and
    ports, and the cost."""
    data = plan.to_dict()
    lines = [f"project {data['name']} (region {data['region']})"]
    if data["gateway"]:
        lines.append(f"model gateway: {data['gateway']['url']} (one OpenAI-compatible URL for every model)")
    lines.append("")
    lines.append(
        f"models: {len(data['models'])} deployed"
        + (
            f", {len(data['unbound_models'])} not deployed ({', '.join(data['unbound_models'])})"
            if data["unbound_models"]
            else ""
        )
    )
    for key, model in data["models"].items():
        place, on_bedrock = model["placement"], model["bedrock"]
        hardware = place["instance_type"] + (f" ({place['alias']})" if place["alias"] else "")
        if on_bedrock:
            hardware = on_bedrock["model_id"] + (" (cross-Region profile)" if on_bedrock["profile"] else "")
        extras = [f"context {model['context_size']}"] if model["context_size"] is not None else []
        extras += ["embeddings"] if place["embeddings"] else []
        extras += [f"{place['instance_count']}x"] if place["instance_count"] != 1 else []
        if on_bedrock:
            extras.append(
                token_price(
                    [on_bedrock["input_per_million"], on_bedrock["output_per_million"]]
                    if on_bedrock["input_per_million"] is not None
                    else None,
                    model["hourly_usd"],
                )
            )
        elif model["hourly_usd"] is not None:
            extras.append(f"~${model['hourly_usd']:.2f}/h")
        lines.append(
            f"  {key}: {model['model']} -> {place['backend']} {hardware} in {place['region']}"
            + (f" [{', '.join(extras)}]" if extras else "")
            + f"; bound by {', '.join(model['bound_by']) or '(cloud.deploy=true)'}"
        )
    lines.append("")
    lines.append(f"services: {len(data['services'])}")
    for name, service in data["services"].items():
        source = f"image {service['image']}" if service["image"] else f"build {service['build']['context']}"
        lines.append(f"  {name}: {source}")
        injected = {v for b in service["models"].values() for v in (b["endpoint_var"], b["model_var"])}
        for var in sorted(injected):
            lines.append(f"    {var}={service['environment'].get(var, '')}")
        published = [f"{x['protocol']} {x['port']} -> {x['target']}" for x in service["listeners"]]
        if published:
            lines.append(f"    published: {', '.join(published)}")
        runtime = service["runtime"]
        lines.append(
            f"    {runtime['replicas']} x {runtime['cpu'] / 1024:g} vCPU / {runtime['memory']} MiB "
            f"({runtime['architecture']})"
        )
    lines += ["", cost_line(data["cost"])]
    return "\n".join(lines) + "\n"


def token_price(prices: list[float] | None, hourly: float | None) -> str:
    """A Bedrock model's price: nothing while idle, per million tokens, and the hourly estimate when the
    expected tokens are given (cloud.expected-tokens-per-hour)."""
    per_token = f"${prices[0]:g} / ${prices[1]:g} per 1M tokens in / out" if prices else "per-token price unknown"
    expected = f", ~${hourly:.2f}/h at the expected tokens" if hourly else ""
    return f"$0/h idle + {per_token}{expected}"


def model_where(model: dict[str, Any]) -> str:
    """Where a model of a preview's data runs, one phrase for every renderer."""
    if model.get("bedrock_model"):
        return f"{model['bedrock_model']} from {model['region']}"
    return f"{model['instances']} x {model['instance_type']} in {model['region']}"


def model_price(model: dict[str, Any]) -> str:
    """What a model of a preview's data costs, one phrase for every renderer (never $0.00 for unpriced)."""
    if model.get("bedrock_model"):
        return token_price(model.get("token_prices"), model["hourly_usd"])
    return "price unknown" if model["hourly_usd"] is None else f"~${model['hourly_usd']:,.2f}/h"


def cost_line(cost: dict[str, Any]) -> str:
    """The plan's cost estimate in one line: what it covers, each region's table and its date, and what it
    could not price. Nothing unpriced is ever shown as $0.00."""
    unpriced = f"; not included: {', '.join(cost['unpriced'])}" if cost["unpriced"] else ""
    tables = ", ".join(cost.get("prices", {}).values()) or f"{cost['prices_region']} prices of {cost['prices_date']}"
    refresh = "run `compose-cloud preflight --refresh-prices`"
    if cost["total"] is None:
        return f"estimated cost: unpriced in {cost['prices_region']} ({refresh}){unpriced}"
    idle = ""
    if cost.get("idle_total") is not None:
        idle = (
            f", ~${cost['idle_total']:,.2f}/hour idle ({', '.join(cost['scale_to_zero'])} at zero instances "
            "while nobody calls it)"
        )
    partly = f"; a partial total: {refresh} for the rest" if cost["unpriced"] else ""
    tokens = (
        f" + Bedrock tokens of {', '.join(cost['per_token'])} (billed per token; "
        "cloud.expected-tokens-per-hour estimates them)"
        if cost.get("per_token")
        else ""
    )
    return (
        f"estimated cost: ~${cost['total']:,.2f}/hour on demand{idle}{tokens} (models, tasks, gateway, network, load "
        f"balancer; {tables}; an estimate{unpriced}{partly})"
    )


def error_text(diagnostics: list[Diagnostic], root: Path | None) -> str:
    """Errors as `error: file:line: key.path: message`, with the hint under each."""
    return "".join(f"error: {d.render(root)}\n" for d in diagnostics)
