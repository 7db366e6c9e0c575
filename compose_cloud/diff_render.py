"""A Diff -> Markdown (a pull-request comment), text or JSON; deterministic, secrets never shown."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from .diff import Diff
from .markdown import block, code

MARKER = "<!-- compose-cloud-diff -->"  # lets a workflow find and update its one comment
COMMENT_LIMIT = 60_000  # GitHub rejects comments over 65,536 characters; keep room for the marker and note
MAX_SHOWN = 25  # input changes listed per resource


def summary(diff: Diff) -> str:
    if diff.empty:
        return "No changes."
    counts = diff.counts()
    parts = [f"{counts['add']} to add, {counts['change']} to change, {counts['remove']} to remove"]
    before, after = diff.cost
    if before != after:
        delta = after - before
        parts.append(
            f"cost ~${before:,.2f}/h -> ~${after:,.2f}/h ({'+' if delta >= 0 else '-'}${abs(delta):,.2f}/h"
            + (f"; {diff.prices}" if diff.prices else "")
            + (f"; not included: {', '.join(diff.unpriced)}" if diff.unpriced else "")
            + ")"
        )
    if diff.idle != (None, None) and diff.idle[0] != diff.idle[1]:
        # without a model that scales to zero, the idle cost is the whole cost
        idle_before, idle_after = (v if v is not None else total for v, total in zip(diff.idle, diff.cost, strict=True))
        parts.append(f"idle (models at zero) ~${idle_before:,.2f}/h -> ~${idle_after:,.2f}/h")
    if diff.models:
        parts.append(f"{len(diff.models)} model(s) changed")
    if diff.secrets_changed:
        parts.append(f"{len(diff.secrets_changed)} secret or config value(s) changed")
    if diff.new_warnings:
        parts.append(f"{len(diff.new_warnings)} new warning(s)")
    return "; ".join(parts) + "."


def _model(value: dict | None) -> str:
    if value is None:
        return "(none)"
    where = f"{value['instances']} x {value['instance_type']} in {value['region']}"
    return f"`{value['model']}` on {value['backend']}, {where}"


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _sections(diff: Diff) -> list[tuple[str, list[str]]]:
    """(title, plain lines) shared by text and Markdown."""
    sections = []
    if diff.models:
        sections.append(
            ("Models", [f"{key}: {_model(old)} -> {_model(new)}" for key, (old, new) in diff.models.items()])
        )
    if diff.bindings:
        sections.append(
            (
                "Model bindings",
                [
                    f"{service}: [{', '.join(old)}] -> [{', '.join(new)}]"
                    for service, (old, new) in diff.bindings.items()
                ],
            )
        )
    if diff.environment:
        lines = []
        for service, changes in diff.environment.items():
            for var, old, new in changes:
                lines.append(f"{service}: {var}: {_show(old)} -> {_show(new)}")
        sections.append(("Environment", lines))
    if diff.secrets_changed:
        sections.append(("Secret and config contents changed (never shown)", list(diff.secrets_changed)))
    if diff.new_warnings or diff.resolved_warnings:
        sections.append(
            (
                "Warnings",
                [f"new: {w['file']}:{w['line']}: {w['path']}: {w['message']}" for w in diff.new_warnings]
                + [f"resolved: {w['file']}:{w['line']}: {w['path']}: {w['message']}" for w in diff.resolved_warnings],
            )
        )
    return sections


def _resource_lines(diff: Diff) -> list[str]:
    lines = [f"+ {t}  {n}" for t, n in diff.added] + [f"- {t}  {n}" for t, n in diff.removed]
    for change in diff.changed:
        lines.append(f"~ {change.type}  {change.name}")
        for path, old, new in change.changes[:MAX_SHOWN]:
            lines.append(f"    {path}: {_show(old)} -> {_show(new)}")
        if len(change.changes) > MAX_SHOWN:
            lines.append(f"    ... and {len(change.changes) - MAX_SHOWN} more input changes")
    return lines


def render_text(diff: Diff) -> str:
    lines = [f"{diff.project} on stack {diff.stack}: {summary(diff)}"] + ([f"note: {diff.note}"] if diff.note else [])
    for title, body in _sections(diff):
        lines += ["", f"{title}:"] + [f"  {line}" for line in body]
    resources = _resource_lines(diff)
    if resources:
        lines += ["", "Resources:"] + [f"  {line}" for line in resources]
    return "\n".join(lines) + "\n"


def render_markdown(diff: Diff) -> str:
    """A pull-request comment: values are code (compose_cloud/markdown.py), and when it must be cut,
    the summary, models, warnings and resources stay while environment and diagram go first."""
    head = [
        MARKER,
        f"### compose-cloud diff: {code(diff.project)} (stack {code(diff.stack)})",
        "",
        f"**{summary(diff)}**",
    ]
    head += ["", f"_{code(diff.note)}_"] if diff.note else []
    titled = dict(_sections(diff))
    parts: list[tuple[str, list[str], bool]] = []  # (summary line, content lines, open), most important first
    for title in ("Models", "Warnings"):
        if title in titled:
            parts.append((f"{title} ({len(titled[title])})", [f"- {code(line)}" for line in titled[title]], True))
    resources = _resource_lines(diff)
    if resources:
        parts.append((f"Resources ({summary(diff).split(';')[0].rstrip('.')})", block(resources, "diff"), False))
    for title, lines in titled.items():
        if title not in ("Models", "Warnings"):
            parts.append((f"{title} ({len(lines)})", [f"- {code(line)}" for line in lines], True))
    if diff.diagram and not diff.empty:
        parts.append(("Diagram (after)", block(diff.diagram.rstrip().split("\n"), "mermaid"), False))
    footer = ["", "<sub>Offline preview of the Pulumi program against a mock; costs are on-demand estimates.</sub>"]
    budget = COMMENT_LIMIT - len("\n".join(head + footer)) - 300 * (len(parts) + 1)
    body: list[str] = []
    cut = 0
    for title, content, is_open in parts:
        kept = _fit(content, budget)
        budget -= sum(len(line) + 1 for line in kept)
        cut += len(content) - len(kept)
        body += ["", f"<details{' open' if is_open else ''}><summary>{title}</summary>", "", *kept]
        if len(kept) < len(content):
            body += ["", f"_{len(content) - len(kept)} more lines not shown._"]
        body += ["", "</details>"]
    if cut:
        footer.insert(
            0, f"\n_Shortened to fit a comment: run `compose-cloud diff` locally for all {cut} lines left out._"
        )
    return "\n".join(head + body + footer) + "\n"


def _fit(content: list[str], budget: int) -> list[str]:
    """As many lines as fit in `budget` characters; a cut code block is closed with its own fence."""
    if sum(len(line) + 1 for line in content) <= budget:
        return content
    fence = content[0] if content and content[0].startswith("```") else None
    kept, size = [], len(fence or "") * 2 + 4
    for line in content:
        if size + len(line) + 1 > budget:
            break
        kept.append(line)
        size += len(line) + 1
    if fence is not None and kept:
        kept.append(fence.rstrip("abcdefghijklmnopqrstuvwxyz"))
    return kept


def render_json(diff: Diff) -> str:
    data = dataclasses.asdict(diff)
    del data["diagram"]
    data["summary"] = summary(diff)
    data["empty"] = diff.empty
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
