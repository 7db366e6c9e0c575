"""A preview -> text, JSON or Markdown (for pull-request comments). Deterministic: the resource
tree is ordered by type and name, never by registration order."""

from __future__ import annotations

import json

from compose_cloud.preview.engine import PreviewResult
from compose_cloud.preview.snapshot import NOTICE, ordered, to_data
from compose_cloud.render.markdown import block, cell, code
from compose_cloud.render.plan import cost_line, model_price, model_where


def render_json(result: PreviewResult) -> str:
    """The preview's data as sorted JSON."""
    return json.dumps(to_data(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_text(result: PreviewResult) -> str:
    """The resource tree, models, services' environments and URLs, warnings and the count, as a terminal shows
    them."""
    data = to_data(result)
    lines = [f"{data['project']} on stack {data['stack']} in {data['region']} ({NOTICE})", "", "resources:"]
    for depth, r in ordered(result.resources):
        lines.append(f"  {'  ' * depth}{r.type}  {r.name}")
    if data["models"]:
        lines += ["", f"models (one OpenAI-compatible URL for all: {data['gateway_url']}):"]
        for key, m in data["models"].items():
            if m["served_by"]:
                lines.append(f"  {key}: {m['model']} -> served by {m['served_by']} (same model and settings)")
                continue
            reached = (
                f", endpoint {m['endpoint_name']}"
                if m["endpoint_name"]
                else f", server {m['server']}:8080"
                if m["server"]
                else ""
            )
            lines.append(f"  {key}: {m['model']} -> {m['backend']} {model_where(m)}{reached}, {model_price(m)}")
    lines += ["", "services:"]
    for name, service in data["services"].items():
        lines.append(f"  {name}: {service['tasks']} task(s), {service['cpu'] / 1024:g} vCPU / {service['memory']} MiB")
        for url in service["urls"]:
            lines.append(f"    url: {url}")
        for key, value in service["environment"].items():
            lines.append(f"    {key}={value}")
        for key in service["secret_environment"]:
            lines.append(f"    {key}={service['secret_shown'].get(key, '[secret]')} (Secrets Manager)")
        for target in service["files"]:
            lines.append(f"    file: {target}")
    if data["warnings"]:
        lines += ["", "warnings:"]
        lines += [f"  {w['file']}:{w['line']}: {w['path']}: {w['message']}" for w in data["warnings"]]
    lines += ["", f"{data['summary']['total']} resources", cost_line(data["cost"])]
    return "\n".join(lines) + "\n"


def render_markdown(result: PreviewResult) -> str:
    """For a pull-request comment: every value from the Compose files is code (compose_cloud/render/markdown.py)."""
    data = to_data(result)
    lines = [
        f"### compose-cloud preview: {code(data['project'])} (stack {code(data['stack'])}, {code(data['region'])})",
        "",
        f"_{NOTICE}._",
        "",
        f"**{cost_line(data['cost'])}**",
        "",
    ]
    if data["models"]:
        lines += [
            f"Models, all at {code(data['gateway_url'])}:",
            "",
            "| model | reference | backend | runs on | region | est. cost |",
            "|---|---|---|---|---|---|",
        ]
        for k, m in data["models"].items():
            hardware = f"{m['instances']} x {cell(m['instance_type'])}"
            runs_on = cell(m["bedrock_model"]) if m["bedrock_model"] else hardware
            lines.append(
                f"| {cell(k)} | {cell(m['model'])} | {cell(m['backend'])} | {runs_on} | {cell(m['region'])} | "
                f"{model_price(m)} |"
            )
        lines.append("")
    lines += ["| service | tasks | size | public URL |", "|---|---|---|---|"]
    for name, s in data["services"].items():
        urls = "<br>".join(cell(u) for u in s["urls"]) or "–"
        lines.append(f"| {cell(name)} | {s['tasks']} | {s['cpu'] / 1024:g} vCPU / {s['memory']} MiB | {urls} |")
    if data["warnings"]:
        lines += ["", f"**Warnings ({len(data['warnings'])})**", ""]
        lines += [
            f"- {code(str(w['file']) + ':' + str(w['line']))} {code(w['path'])}: {code(w['message'])}"
            for w in data["warnings"]
        ]
    lines += ["", "<details><summary>Environment</summary>", ""]
    for name, s in data["services"].items():
        env = [f"{k}={v}" for k, v in s["environment"].items()] + [
            f"{k}={s['secret_shown'].get(k, '[secret]')}" for k in s["secret_environment"]
        ]
        lines += [f"**{code(name)}**", "", *(block(env) if env else ["(none)"]), ""]
    lines += ["</details>", ""]
    lines += [
        "<details><summary>Diagram</summary>",
        "",
        *block(render_mermaid(result).rstrip().split("\n"), "mermaid"),
        "",
        "</details>",
        "",
    ]
    lines += [f"<details><summary>{data['summary']['total']} resources</summary>", "", "| type | count |", "|---|---|"]
    lines += [f"| {cell(t)} | {n} |" for t, n in data["summary"]["by_type"].items()]
    lines += [
        "",
        *block([f"{'  ' * depth}{r.type}  {r.name}" for depth, r in ordered(result.resources)]),
        "",
        "</details>",
    ]
    return "\n".join(lines) + "\n"


def render_mermaid(result: PreviewResult) -> str:
    """Services -> gateway -> models -> where they run; the internet -> published services."""
    plan = result.plan
    lines = ["flowchart LR"]
    published = [name for name, s in plan.services.items() if s.listeners]
    if published:
        lines.append('  internet(("internet"))')
    lines.append(f'  subgraph ecs["ECS in {plan.region}"]')
    for name in plan.services:
        lines.append(f'    {_node("svc", name)}["{name}"]')
    if plan.gateway:
        lines.append(f'    gateway{{{{"{plan.gateway.name}<br/>{plan.gateway.url}"}}}}')
    for key, model in plan.models.items():
        if model.server:
            where = "Fargate" if model.placement.instance_type == "fargate" else model.placement.instance_type
            lines.append(f'    {_node("srv", key)}[("llama.cpp {model.server.name}<br/>{where}")]')
    lines.append("  end")
    for key, model in plan.models.items():
        lines.append(f'  {_node("model", key)}["{key}: {model.model}"]')
        if model.sagemaker:
            place = model.placement
            lines.append(
                f'  {_node("sm", key)}[("SageMaker {place.instance_count} x {place.instance_type}<br/>{place.region}")]'
            )
        if model.bedrock:
            lines.append(f'  {_node("br", key)}[("Bedrock {model.bedrock.model_id}<br/>{model.bedrock.region}")]')
    for name in published:
        lines.append(f"  internet --> {_node('svc', name)}")
    for name, service in plan.services.items():
        for dependency in service.depends_on:
            lines.append(f"  {_node('svc', name)} -.-> {_node('svc', dependency)}")
        if service.models:
            lines.append(f"  {_node('svc', name)} --> gateway")
    for key, model in plan.models.items():
        serving = plan.models[model.served_by or key]
        lines.append(f"  gateway --> {_node('model', key)}")
        kind = "sm" if serving.sagemaker else "br" if serving.bedrock else "srv"
        lines.append(f"  {_node('model', key)} --> {_node(kind, serving.key)}")
    return "\n".join(lines) + "\n"


def _node(kind: str, name: str) -> str:
    return f"{kind}_" + "".join(c if c.isalnum() else "_" for c in name)


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown, "mermaid": render_mermaid}
