"""Whether a pull-request comment was forged: only our own markup outside code, under a CommonMark parser."""

from __future__ import annotations

import re

from markdown_it import MarkdownIt

OURS = re.compile(
    r"^(<details( open)?>(<summary>[^<]*</summary>)?|</details>|<summary>.*</summary>|<sub>|</sub>|"
    r"<br>|<!-- compose-cloud-diff -->)$"
)


def assert_unforged(markdown: str) -> None:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    flat = [t for tok in tokens for t in ([tok] + list(tok.children or []))]
    assert [t.tag for t in flat if t.type == "heading_open"] == ["h3"]  # only our title
    assert not [t for t in flat if t.type in ("link_open", "image")]
    for t in flat:
        if t.type in ("html_block", "html_inline"):
            for line in filter(None, t.content.strip().split("\n")):
                assert OURS.match(line.strip()), line
        if "Pwned" in t.content and t.type not in ("fence", "code_inline", "code_block", "inline"):
            raise AssertionError(f"hostile text outside code: {t.type} {t.content!r}")
    texts = [t.content for t in flat if t.type == "text"]
    assert not any("Pwned" in text or "octocat" in text for text in texts)
