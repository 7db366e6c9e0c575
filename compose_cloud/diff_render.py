"""A Diff -> Markdown (a pull-request comment), text or JSON; deterministic, secrets never shown."""

from __future__ import annotations

import dataclasses
import json
from typing import Any

from .diff import Diff
from .preview_render import md_escape

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
        parts.append(f"cost ~${before:,.2f}/h -> ~${after:,.2f}/h ({'+' if delta >= 0 else '-'}${abs(delta):,.2f}/h)")
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
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) \
        else value


def _sections(diff: Diff) -> list[tuple[str, list[str]]]:
    """(title, plain lines) shared by text and Markdown."""
    sections = []
    if diff.models:
        sections.append(("Models", [f"{key}: {_model(old)} -> {_model(new)}"
                                    for key, (old, new) in diff.models.items()]))
    if diff.bindings:
        sections.append(("Model bindings", [f"{service}: [{', '.join(old)}] -> [{', '.join(new)}]"
                                            for service, (old, new) in diff.bindings.items()]))
    if diff.environment:
        lines = []
        for service, changes in diff.environment.items():
            for var, old, new in changes:
                lines.append(f"{service}: {var}: {_show(old)} -> {_show(new)}")
        sections.append(("Environment", lines))
    if diff.secrets_changed:
        sections.append(("Secret and config contents changed (never shown)", list(diff.secrets_changed)))
    if diff.new_warnings or diff.resolved_warnings:
        sections.append(("Warnings", [f"new: {w['file']}:{w['line']}: {w['path']}: {w['message']}"
                                      for w in diff.new_warnings]
                         + [f"resolved: {w['file']}:{w['line']}: {w['path']}: {w['message']}"
                            for w in diff.resolved_warnings]))
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
    head = [MARKER, f"### compose-cloud diff: `{diff.project}` (stack `{diff.stack}`)", "", f"**{summary(diff)}**"]
    head += ["", f"_{md_escape(diff.note)}_"] if diff.note else []
    body: list[str] = []
    for title, lines in _sections(diff):
        body += ["", f"<details open><summary>{title} ({len(lines)})</summary>", ""]
        body += [f"- {md_escape(line)}" for line in lines] + ["", "</details>"]
    resources = _resource_lines(diff)
    if resources:
        body += ["", f"<details><summary>Resources ({summary(diff).split(';')[0].rstrip('.')})</summary>", "",
                 "```diff"] + resources + ["```", "", "</details>"]
    if diff.diagram and not diff.empty:
        body += ["", "<details><summary>Diagram (after)</summary>", "", "```mermaid", diff.diagram.rstrip(), "```", "",
                 "</details>"]
    body += ["", "<sub>Offline preview of the Pulumi program against a mock; costs are on-demand estimates.</sub>"]
    text = "\n".join(head + body) + "\n"
    if len(text) <= COMMENT_LIMIT:
        return text
    kept, size, in_fence = [], len("\n".join(head)) + 200, False
    for line in body:
        if size + len(line) + 1 > COMMENT_LIMIT:
            break
        kept.append(line)
        size += len(line) + 1
        in_fence = line.startswith("```") != in_fence
    omitted = len(body) - len(kept)
    if in_fence:
        kept.append("```")
    return "\n".join(head + kept + ["", f"_Truncated: {omitted} more lines. Run `compose-cloud diff` locally "
                                        "for the whole diff._"]) + "\n"


def render_json(diff: Diff) -> str:
    data = dataclasses.asdict(diff)
    del data["diagram"]
    data["summary"] = summary(diff)
    data["empty"] = diff.empty
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
