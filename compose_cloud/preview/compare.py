"""`compose-cloud diff`: what a change to Compose files or a stack does in the cloud.

Both sides are offline previews; resources are matched by type and logical name (their URN
within the stack), inputs compared path by path (JSON documents such as container definitions
and policies included), secrets compared in memory and reported only as "changed".
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

from compose_cloud.preview.engine import PreviewResult
from compose_cloud.preview.replacement import replaces
from compose_cloud.preview.snapshot import to_data
from compose_translate.plan.gateway import GATEWAY_CONFIG
from compose_translate.sensitive import REDACTED


@dataclass
class ResourceChange:
    type: str
    name: str
    changes: list[tuple[str, Any, Any]]  # (input path, before, after); missing -> None
    action: str = "update"  # "update" in place, "replace", or "replace, delete first" (a fixed name)


@dataclass
class Diff:
    project: str
    stack: str
    added: list[tuple[str, str]] = field(default_factory=list)  # (type, name)
    removed: list[tuple[str, str]] = field(default_factory=list)
    changed: list[ResourceChange] = field(default_factory=list)
    environment: dict[str, list[tuple[str, str | None, str | None]]] = field(default_factory=dict)
    bindings: dict[str, tuple[list[str], list[str]]] = field(default_factory=dict)  # service -> (before, after)
    models: dict[str, tuple[dict[str, Any] | None, dict[str, Any] | None]] = field(default_factory=dict[str, Any])
    secrets_changed: list[str] = field(default_factory=list)  # secrets and configs whose content changed
    cost: tuple[float | None, float | None] = (0.0, 0.0)  # None: unpriced (never $0.00)
    prices: str = ""  # which tables the head's figures come from (region and date)
    unpriced: tuple[str, ...] = ()  # what neither total includes: a delta is not a saving there
    idle: tuple[float | None, float | None] = (None, None)  # totals while models that scale to zero are idle
    new_warnings: list[dict[str, Any]] = field(default_factory=list)
    resolved_warnings: list[dict[str, Any]] = field(default_factory=list)
    note: str | None = None  # why the base side is empty, when it is
    price_file_changed: bool = False  # the head edits the price tables (both sides are priced with the base's)
    diagram: str | None = None  # Mermaid diagram of the working tree's deployment (set by the command)

    @property
    def empty(self) -> bool:
        """True when the change does nothing in the cloud (the diff then says so, and `--exit-code` exits 0)."""
        return not (
            self.added
            or self.removed
            or self.changed
            or self.environment
            or self.bindings
            or self.models
            or self.secrets_changed
            or self.new_warnings
            or self.resolved_warnings
            or self.cost[0] != self.cost[1]
        )

    def counts(self) -> dict[str, int]:
        """Resources to add, change and remove, as `pulumi preview` summarises them."""
        return {"add": len(self.added), "change": len(self.changed), "remove": len(self.removed)}


EMPTY: dict[str, Any] = {"resources": [], "services": {}, "models": {}, "warnings": [], "cost": {"total": 0.0}}


def compare(base: PreviewResult | None, head: PreviewResult) -> Diff:
    """Base None: the project does not exist on the base side (everything is added)."""
    before, after = (to_data(base) if base else EMPTY), to_data(head)
    diff = Diff(
        project=after["project"],
        stack=after["stack"],
        cost=(before["cost"]["total"], after["cost"]["total"]),
        prices=", ".join(after["cost"].get("prices", {}).values()),
        unpriced=tuple(sorted(set(before["cost"].get("unpriced", [])) | set(after["cost"].get("unpriced", [])))),
        idle=(before["cost"].get("idle_total"), after["cost"].get("idle_total")),
    )
    _resources(before["resources"], after["resources"], diff)
    _actions(diff, head)
    _services(before["services"], after["services"], diff)
    for key in sorted(set(before["models"]) | set(after["models"])):
        old, new = before["models"].get(key), after["models"].get(key)
        if old != new:
            diff.models[key] = (old, new)
    if base is not None:
        diff.secrets_changed = _secret_changes(base, head)
    old_warnings = {(w["path"], w["message"]) for w in before["warnings"]}
    new_warnings = {(w["path"], w["message"]) for w in after["warnings"]}
    diff.new_warnings = [w for w in after["warnings"] if (w["path"], w["message"]) not in old_warnings]
    diff.resolved_warnings = [w for w in before["warnings"] if (w["path"], w["message"]) not in new_warnings]
    return diff


def _resources(before: list[dict[str, Any]], after: list[dict[str, Any]], diff: Diff) -> None:
    old = {(r["type"], r["name"]): r for r in before}
    new = {(r["type"], r["name"]): r for r in after}
    diff.added = sorted(set(new) - set(old))
    diff.removed = sorted(set(old) - set(new))
    for key in sorted(set(old) & set(new)):
        changes = _changes(flatten(old[key]["inputs"]), flatten(new[key]["inputs"]))
        for field_ in ("provider", "parent"):  # another region's provider means a replacement there
            if old[key].get(field_) != new[key].get(field_):
                changes.insert(0, (f"({field_})", old[key].get(field_), new[key].get(field_)))
        if changes:
            diff.changed.append(ResourceChange(type=key[0], name=key[1], changes=changes))


def _actions(diff: Diff, head: PreviewResult) -> None:
    """What Pulumi will do with each changed resource: update it, or replace it (delete-first when its
    physical name is fixed), from the inputs that changed (compose_cloud/preview/replacement.py)."""
    delete_first = {(r.type, r.name) for r in head.resources if r.delete_before_replace}
    for change in diff.changed:
        if replaces(change.type, [path for path, _, _ in change.changes]):
            first = (change.type, change.name) in delete_first
            change.action = "replace, delete first" if first else "replace"


def _changes(old: dict[str, Any], new: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Changed leaves; an empty container that gained or lost entries is told by those entries."""
    return [
        (path, old.get(path), new.get(path))
        for path in sorted(set(old) | set(new))
        if old.get(path) != new.get(path) and not _emptied(old.get(path), new.get(path))
    ]


def _emptied(before: Any, after: Any) -> bool:
    return (before in ([], {}) and after is None) or (after in ([], {}) and before is None)


def flatten(value: Any, prefix: str = "") -> dict[str, Any]:
    """Nested inputs -> {"a.b[0].c": leaf}; JSON documents inside strings are opened too."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return flatten(json.loads(value), prefix)
        except ValueError:
            pass
    if isinstance(value, dict):
        if not value:
            return {prefix: {}} if prefix else {}
        result: dict[str, Any] = {}
        for key in sorted(value):
            result.update(flatten(value[key], f"{prefix}.{key}" if prefix else str(key)))
        return result
    if isinstance(value, list) and value and all(isinstance(i, dict) and "name" in i and len(i) == 2 for i in value):
        # ECS name/value lists (environment, secrets): compare by name, not by position
        return flatten({str(i["name"]): next(v for k, v in i.items() if k != "name") for i in value}, prefix)
    if isinstance(value, list):
        if not value:
            return {prefix: []}
        result = {}
        for i, item in enumerate(value):
            result.update(flatten(item, f"{prefix}[{i}]"))
        return result
    return {prefix: value}


def _services(before: dict[str, Any], after: dict[str, Any], diff: Diff) -> None:
    for name in sorted(set(before) | set(after)):
        old, new = before.get(name) or {}, after.get(name) or {}
        old_env = {
            **old.get("environment", {}),
            **{k: old.get("secret_shown", {}).get(k, REDACTED) for k in old.get("secret_environment", [])},
        }
        new_env = {
            **new.get("environment", {}),
            **{k: new.get("secret_shown", {}).get(k, REDACTED) for k in new.get("secret_environment", [])},
        }
        changes = [
            (var, old_env.get(var), new_env.get(var))
            for var in sorted(set(old_env) | set(new_env))
            if old_env.get(var) != new_env.get(var)
        ]
        if changes:
            diff.environment[name] = changes
        old_models, new_models = sorted(old.get("models", {})), sorted(new.get("models", {}))
        if old_models != new_models:
            diff.bindings[name] = (old_models, new_models)


def _secret_changes(base: PreviewResult, head: PreviewResult) -> list[str]:
    """Names whose secret value differs; the values are compared here and never leave this function."""
    changed = []
    for section in ("secrets", "configs"):
        old, new = getattr(base.plan, section), getattr(head.plan, section)
        for name in sorted(set(old) & set(new) - {GATEWAY_CONFIG}):  # the gateway's follows the models
            if _value(old[name].value) != _value(new[name].value):
                changed.append(f"{section[:-1]} {name}")
    for service in sorted(set(base.plan.services) & set(head.plan.services)):
        old = base.plan.services[service].secret_environment
        new = head.plan.services[service].secret_environment
        for var in sorted(set(old) & set(new)):
            if old[var].get_secret_value() != new[var].get_secret_value():
                changed.append(f"variable {var} of {service}")
    return changed


def _value(secret: Any) -> str | None:
    return secret.get_secret_value() if secret is not None else None
