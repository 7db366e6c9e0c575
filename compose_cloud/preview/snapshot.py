"""A preview as plain, ordered data: the one form that JSON output and the diff's comparison share."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

from compose_cloud.preview.engine import PreviewResult, Recorded

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
    """The preview as plain data: what `preview --format json` prints and what a diff compares, side by side."""
    plan = result.plan
    resources = [
        {"type": r.type, "name": r.name, "parent": r.parent, "provider": r.provider, "inputs": r.inputs}
        for _, r in ordered(result.resources)
    ]
    services = {}
    for name, service in plan.services.items():
        out = (result.outputs.get("services") or {}).get(name, {})
        services[name] = {
            "environment": service.environment,
            "models": {k: b.model_dump() for k, b in service.models.items()},
            "secret_environment": sorted(service.secret_environment),
            "secret_shown": dict(service.secret_shown),
            "files": [f.target for f in service.files],
            "tasks": service.runtime.replicas,
            "cpu": service.runtime.cpu,
            "memory": service.runtime.memory,
            "urls": out.get("urls", []),
        }
    models = {}
    for key, m in plan.models.items():
        serving = plan.models[m.served_by or key]
        models[key] = {
            "model": m.model,
            "backend": m.placement.backend,
            "region": m.placement.region,
            "instance_type": m.placement.instance_type,
            "instances": m.placement.instance_count,
            "endpoint_name": serving.sagemaker.endpoint_name if serving.sagemaker else None,
            "server": serving.server.name if serving.server else None,
            "bedrock_model": serving.bedrock.model_id if serving.bedrock else None,
            # USD per million input and output tokens (Bedrock), when known
            "token_prices": [serving.bedrock.input_per_million, serving.bedrock.output_per_million]
            if serving.bedrock and serving.bedrock.input_per_million is not None
            else None,
            "served_by": m.served_by,
            "hourly_usd": m.hourly_usd,
        }
    return {
        "notice": NOTICE,
        "stack": result.stack,
        "project": plan.name,
        "region": plan.region,
        "gateway_url": plan.gateway.url if plan.gateway else None,
        "models": models,
        "cost": plan.cost.model_dump(mode="json"),
        "resources": resources,
        "services": services,
        "outputs": result.outputs,
        "summary": {
            "total": len(resources),
            "by_type": dict(sorted(Counter(r.type for r in result.resources).items())),
        },
        "warnings": [w.as_dict(Path(plan.project_dir)) for w in plan.warnings],
    }
