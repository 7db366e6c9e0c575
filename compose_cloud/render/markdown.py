"""Markdown that a pull request cannot forge: every user value is code, never markup.

A value from a Compose file (an environment value, a model reference, a path in a warning) goes
into an inline code span or a fenced block whose fence is longer than any run of backticks in it,
so it cannot close the block, open HTML (`</details>`), add headings or mention anyone.
"""

from __future__ import annotations

import re

_RUN = re.compile(r"`+")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u2028\u2029]")


def _longest_run(text: str) -> int:
    return max((len(m.group()) for m in _RUN.finditer(text)), default=0)


def code(text: str) -> str:
    """`text` as one inline code span, on one line (newlines shown as ⏎), whatever it holds."""
    flat = _CONTROL.sub("\N{REPLACEMENT CHARACTER}", text.replace("\r\n", "\n").replace("\n", " \N{RETURN SYMBOL} "))
    fence = "`" * (_longest_run(flat) + 1)
    pad = " " if flat.startswith("`") or flat.endswith("`") or not flat.strip() else ""
    return f"{fence}{pad}{flat}{pad}{fence}"


def block(lines: list[str], info: str = "") -> list[str]:
    """A fenced code block holding `lines` verbatim (control characters replaced)."""
    body = [_CONTROL.sub("\N{REPLACEMENT CHARACTER}", line.replace("\r", "")) for line in lines]
    body = [part for line in body for part in line.split("\n")]
    fence = "`" * max(3, max((_longest_run(line) for line in body), default=0) + 1)
    return [fence + info, *body, fence]


def cell(text: str) -> str:
    """A table cell holding `text` as code: `|` cannot split the row."""
    return code(text).replace("|", "\\|")
