"""A Diff -> Markdown (a pull-request comment), text or JSON; deterministic, secrets never shown."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Callable
from typing import Any

from compose_cloud.preview.compare import Diff
from compose_cloud.render.markdown import block, code
from compose_cloud.render.plan import model_price, model_where
from compose_translate.plan.pricing import PRICES_FILE

MARKER = "<!-- compose-cloud-diff -->"  # lets a workflow find and update its one comment
GITHUB_LIMIT = 65_536  # GitHub refuses a comment body longer than this (the previous comment then stays up)
COMMENT_LIMIT = 60_000  # what the sections may fill; the whole comment is then measured against GITHUB_LIMIT
MAX_SHOWN = 25  # input changes listed per resource


def summary(diff: Diff, value: Callable[[str], str] = str) -> str:
    """One line; `value` shows what came from input files (price labels, unpriced items): code in Markdown."""
    if diff.empty:
        return "No changes."
    counts = diff.counts()
    parts = [f"{counts['add']} to add, {counts['change']} to change, {counts['remove']} to remove"]
    before, after = diff.cost
    if before != after:
        shown = [f"~${v:,.2f}/h" if v is not None else "unpriced" for v in (before, after)]
        delta = _delta(before, after)
        parts.append(
            f"cost {shown[0]} -> {shown[1]} ({delta}"
            + (f"; {value(diff.prices)}" if diff.prices else "")
            + (f"; not included: {', '.join(map(value, diff.unpriced))}" if diff.unpriced else "")
            + ")"
        )
    if diff.idle != (None, None) and diff.idle[0] != diff.idle[1] and None not in diff.cost:
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


def _delta(before: float | None, after: float | None) -> str:
    if before is None or after is None:
        return "not comparable"
    return f"{'+' if after - before >= 0 else '-'}${abs(after - before):,.2f}/h"


def _model(value: dict[str, Any] | None) -> str:
    if value is None:
        return "(none)"
    return f"`{value['model']}` on {value['backend']}, {model_where(value)}, {model_price(value)}"


def _model_change(old: dict[str, Any] | None, new: dict[str, Any] | None) -> str:
    """A model's change; a move between backends says so, with what it does to the model's hourly cost."""
    line = f"{_model(old)} -> {_model(new)}"
    if old and new and old["backend"] != new["backend"]:
        line += f" (moved from {old['backend']} to {new['backend']}: {_delta(old['hourly_usd'], new['hourly_usd'])})"
    return line


def _show(value: Any) -> str:
    return "(none)" if value is None else json.dumps(value, ensure_ascii=False) if not isinstance(value, str) else value


def _sections(diff: Diff) -> list[tuple[str, list[str]]]:
    """(title, plain lines) shared by text and Markdown."""
    sections = []
    if diff.models:
        sections.append(("Models", [f"{key}: {_model_change(old, new)}" for key, (old, new) in diff.models.items()]))
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


MARKS = {"update": "~", "replace": "+-", "replace, delete first": "-+"}  # as `pulumi preview` marks them
_ACTION_NOTE = {"replace": "  (replace)", "replace, delete first": "  (replace: the old one is deleted first)"}


def _resource_lines(diff: Diff) -> list[str]:
    lines = [f"+ {t}  {n}" for t, n in diff.added] + [f"- {t}  {n}" for t, n in diff.removed]
    for change in diff.changed:
        lines.append(f"{MARKS[change.action]} {change.type}  {change.name}" + _ACTION_NOTE.get(change.action, ""))
        for path, old, new in change.changes[:MAX_SHOWN]:
            lines.append(f"    {path}: {_show(old)} -> {_show(new)}")
        if len(change.changes) > MAX_SHOWN:
            lines.append(f"    ... and {len(change.changes) - MAX_SHOWN} more input changes")
    return lines


def render_text(diff: Diff) -> str:
    """The diff for a terminal: the summary, notes, sections and the resource changes."""
    lines = [f"{diff.project} on stack {diff.stack}: {summary(diff)}"] + ([f"note: {diff.note}"] if diff.note else [])
    if diff.price_file_changed:
        lines.append(f"note: this change edits {PRICES_FILE}: both sides are priced with the base's tables")
    for title, body in _sections(diff):
        lines += ["", f"{title}:"] + [f"  {line}" for line in body]
    resources = _resource_lines(diff)
    if resources:
        lines += ["", "Resources:"] + [f"  {line}" for line in resources]
    return "\n".join(lines) + "\n"


def render_markdown(diff: Diff) -> str:
    """A pull-request comment: values are code (compose_cloud/render/markdown.py), and when it must be cut,
    the summary, models, warnings and resources stay while environment and diagram go first. The whole
    comment, summary and note included, is measured against GitHub's limit, in its units."""
    budget = COMMENT_LIMIT
    for _ in range(8):
        text = _markdown(diff, budget)
        over = _length(text) - (GITHUB_LIMIT - 512)
        if over <= 0:
            return text
        budget -= over + 1024
    head = _markdown_head(diff)[:2] + ["", f"**{summary(diff, lambda _: '...')}**", "", _TOO_LONG]
    return "\n".join(head) + "\n"


_TOO_LONG = "_This diff does not fit a comment: run `compose-cloud diff` locally to read it._"


def _length(text: str) -> int:
    """Characters as GitHub counts them (UTF-16 code units: an emoji counts twice)."""
    return len(text.encode("utf-16-le")) // 2


def _shown(value: str) -> str:
    """An input-derived part of the summary, as code and at most 500 characters."""
    return code(value if len(value) <= 500 else value[:500] + "...")


def _markdown_head(diff: Diff) -> list[str]:
    head = [
        MARKER,
        f"### compose-cloud diff: {_shown(diff.project)} (stack {_shown(diff.stack)})",
        "",
        f"**{summary(diff, _shown)}**",
    ]
    if diff.price_file_changed:
        head += ["", f"_This change edits {code(PRICES_FILE)}: both sides are priced with the base's tables._"]
    note = diff.note if diff.note is None or len(diff.note) <= 2000 else diff.note[:2000] + "..."
    return head + (["", f"_{code(note)}_"] if note else [])


def _markdown(diff: Diff, budget: int) -> str:
    """The comment within `budget` characters: the summary and notes always, then sections by importance, the least
    important cut first."""
    head = _markdown_head(diff)
    titled = dict(_sections(diff))
    parts: list[tuple[str, list[str], bool]] = []  # (summary line, content lines, open), most important first
    for title in ("Models", "Warnings"):
        if title in titled:
            parts.append((f"{title} ({len(titled[title])})", [f"- {code(line)}" for line in titled[title]], True))
    resources = _resource_lines(diff)
    if resources:
        counts = diff.counts()
        line = f"{counts['add']} to add, {counts['change']} to change, {counts['remove']} to remove"
        parts.append((f"Resources ({line})", block(resources, "diff"), False))
    for title, lines in titled.items():
        if title not in ("Models", "Warnings"):
            parts.append((f"{title} ({len(lines)})", [f"- {code(line)}" for line in lines], True))
    if diff.diagram and not diff.empty:
        parts.append(("Diagram (after)", block(diff.diagram.rstrip().split("\n"), "mermaid"), False))
    footer = ["", "<sub>Offline preview of the Pulumi program against a mock; costs are on-demand estimates.</sub>"]
    budget -= len("\n".join(head + footer)) + 300 * (len(parts) + 1)
    body: list[str] = []
    cut = 0
    for title, content, is_open in parts:
        kept = _fit(content, max(budget, 0))
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
    """The diff for a pipeline, without the diagram."""
    data = dataclasses.asdict(diff)
    del data["diagram"]
    data["summary"] = summary(diff)
    data["empty"] = diff.empty
    return json.dumps(data, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


RENDERERS = {"text": render_text, "markdown": render_markdown, "json": render_json}
