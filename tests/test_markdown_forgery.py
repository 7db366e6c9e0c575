"""A pull request cannot forge the comment: hostile values stay code under a real CommonMark parser."""

from __future__ import annotations

import re

from conftest import write
from markdown_it import MarkdownIt

from compose_cloud.preview.compare import compare
from compose_cloud.preview.engine import run_preview
from compose_cloud.render.diff import render_markdown as diff_markdown
from compose_cloud.render.markdown import block, cell, code
from compose_cloud.render.preview import render_markdown as preview_markdown
from compose_cloud.render.preview import render_mermaid
from compose_translate import StackSettings

HOSTILE = "x```\n</details>\n\n# Pwned\n@octocat [click](https://evil.example) <img src=x onerror=alert(1)> | a |"
OURS = re.compile(
    r"^(<details( open)?>(<summary>[^<]*</summary>)?|</details>|<summary>.*</summary>|<sub>|</sub>|"
    r"<br>|<!-- compose-cloud-diff -->)$"
)


def _compose(value: str) -> str:
    quoted = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'name: shop\nservices:\n  api:\n    image: nginx\n    environment:\n      GREETING: "{quoted}"\n'


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


def test_helpers_keep_any_text_in_code():
    for text in (HOSTILE, "`", "``a``", "a | b", "\n", ""):
        assert_unforged(
            "### t\n\n" + code(text) + "\n\n" + "\n".join(block([text])) + "\n\n| a |\n|---|\n| " + cell(text) + " |\n"
        )


def test_preview_comment_cannot_be_forged(tmp_path):
    write(tmp_path, {"compose.yaml": _compose(HOSTILE)})
    result = run_preview(StackSettings(files=(str(tmp_path / "compose.yaml"),)))
    markdown = preview_markdown(result)
    assert "Pwned" in markdown  # shown, as code
    assert_unforged(markdown)


def test_diff_comment_cannot_be_forged(tmp_path):
    write(tmp_path / "a", {"compose.yaml": _compose("hello")})
    write(tmp_path / "b", {"compose.yaml": _compose(HOSTILE)})
    before, after = (run_preview(StackSettings(files=(str(tmp_path / side / "compose.yaml"),))) for side in "ab")
    diff = compare(before, after)
    diff.diagram = render_mermaid(after)  # as the command sets it: crafted names in the diagram too
    markdown = diff_markdown(diff)
    assert "Pwned" in markdown
    assert_unforged(markdown)
