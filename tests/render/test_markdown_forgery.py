"""A pull request cannot forge the comment: hostile values stay code under a real CommonMark parser."""

from __future__ import annotations

from support.common import write
from support.markdown import assert_unforged

from compose_cloud.preview.compare import compare
from compose_cloud.preview.engine import run_preview
from compose_cloud.render.diff import render_markdown as diff_markdown
from compose_cloud.render.markdown import block, cell, code
from compose_cloud.render.preview import render_markdown as preview_markdown
from compose_cloud.render.preview import render_mermaid
from compose_translate import StackSettings

HOSTILE = "x```\n</details>\n\n# Pwned\n@octocat [click](https://evil.example) <img src=x onerror=alert(1)> | a |"


def _compose(value: str) -> str:
    quoted = value.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")
    return f'name: shop\nservices:\n  api:\n    image: nginx\n    environment:\n      GREETING: "{quoted}"\n'


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
