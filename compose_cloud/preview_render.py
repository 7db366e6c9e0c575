"""A preview -> text, JSON or Markdown (for pull-request comments). Deterministic: the resource
tree is ordered by type and name, never by registration order."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

from .preview import PreviewResult, Recorded

NOTICE = "offline preview: the Pulumi program ran against a mock; nothing was created"


def ordered(resources: list[Recorded]) -> list[tuple[int, Recorded]]:
    """(depth, resource) in tree order: parents before children, siblings by (type, name)."""
    urns = {r.urn for r in resources}
    children: dict[str | None, list[Recorded]] = {}
    for r in resources:
        children.setdefault(r.parent_urn if r.parent_urn in urns else None, []).append(r)
    result: list[tuple[int, Recorded]] = []

    def walk(parent: str | None, depth: int) -> None:
        for child in sorted(children.get(parent, []), key=lambda r: (r.type, r.name)):
            result.append((depth, child))
            walk(child.urn, depth + 1)

    walk(None, 0)
    return result


def to_data(result: PreviewResult) -> dict[str, Any]:
    plan = result.plan
    resources = [{"type": r.type, "name": r.name, "parent": r.parent, "provider": r.provider, "inputs": r.inputs}
                 for _, r in ordered(result.resources)]
    services = {}
    for name, service in plan.services.items():
        out = (result.outputs.get("services") or {}).get(name, {})
        services[name] = {"environment": service.environment,
                          "secret_environment": sorted(service.secret_environment),
                          "files": [f.target for f in service.files],
                          "tasks": service.runtime.replicas, "cpu": service.runtime.cpu,
                          "memory": service.runtime.memory, "urls": out.get("urls", [])}
    return {
        "notice": NOTICE, "stack": result.stack, "project": plan.name, "region": plan.region,
        "resources": resources, "services": services, "outputs": result.outputs,
        "summary": {"total": len(resources), "by_type": dict(sorted(Counter(r.type for r in result.resources).items()))},
        "warnings": [w.as_dict(Path(plan.project_dir)) for w in plan.warnings],
    }


def render_json(result: PreviewResult) -> str:
    return json.dumps(to_data(result), indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_text(result: PreviewResult) -> str:
    data = to_data(result)
    lines = [f"{data['project']} on stack {data['stack']} in {data['region']} ({NOTICE})", "", "resources:"]
    for depth, r in ordered(result.resources):
        lines.append(f"  {'  ' * depth}{r.type}  {r.name}")
    lines += ["", "services:"]
    for name, service in data["services"].items():
        lines.append(f"  {name}: {service['tasks']} task(s), {service['cpu'] / 1024:g} vCPU / {service['memory']} MiB")
        for url in service["urls"]:
            lines.append(f"    url: {url}")
        for key, value in service["environment"].items():
            lines.append(f"    {key}={value}")
        for key in service["secret_environment"]:
            lines.append(f"    {key}=[secret] (Secrets Manager)")
        for target in service["files"]:
            lines.append(f"    file: {target}")
    if data["warnings"]:
        lines += ["", "warnings:"]
        lines += [f"  {w['file']}:{w['line']}: {w['path']}: {w['message']}" for w in data["warnings"]]
    lines += ["", f"{data['summary']['total']} resources"]
    return "\n".join(lines) + "\n"


def render_markdown(result: PreviewResult) -> str:
    data = to_data(result)
    lines = [f"### compose-cloud preview: `{data['project']}` (stack `{data['stack']}`, {data['region']})", "",
             f"_{NOTICE}._", "", "| service | tasks | size | public URL |", "|---|---|---|---|"]
    for name, s in data["services"].items():
        urls = "<br>".join(s["urls"]) or "–"
        lines.append(f"| `{name}` | {s['tasks']} | {s['cpu'] / 1024:g} vCPU / {s['memory']} MiB | {urls} |")
    lines += ["", "<details><summary>Environment</summary>", ""]
    for name, s in data["services"].items():
        lines.append(f"**{name}**")
        lines.append("")
        env = [f"{k}={v}" for k, v in s["environment"].items()] + [f"{k}=[secret]" for k in s["secret_environment"]]
        lines += ["```", *env, "```", ""] if env else ["(none)", ""]
    lines += ["</details>", ""]
    if data["warnings"]:
        lines += [f"**Warnings ({len(data['warnings'])})**", ""]
        lines += [f"- `{w['file']}:{w['line']}` `{w['path']}`: {_md(w['message'])}" for w in data["warnings"]]
        lines.append("")
    lines += [f"<details><summary>{data['summary']['total']} resources</summary>", "", "| type | count |",
              "|---|---|"]
    lines += [f"| `{t}` | {n} |" for t, n in data["summary"]["by_type"].items()]
    lines += ["", "```"] + [f"{'  ' * depth}{r.type}  {r.name}" for depth, r in ordered(result.resources)]
    lines += ["```", "", "</details>"]
    return "\n".join(lines) + "\n"


def _md(text: str) -> str:
    return text.replace("|", "\\|").replace("<", "&lt;")


RENDERERS = {"text": render_text, "json": render_json, "markdown": render_markdown}
