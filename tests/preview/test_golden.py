"""Plans of the bundled examples against reviewed golden files.

Regenerate with UPDATE_GOLDEN=1 and review every changed line before committing.
"""

import os
from pathlib import Path

import pytest
from support.common import EXAMPLES, ROOT

from compose_cloud.render.plan import plan_json
from compose_translate import LoadOptions, make_plan

GOLDEN = Path(__file__).parent / "golden"  # one folder per example: plan.json and preview.txt, reviewed


def render(example: str) -> str:
    folder = ROOT / "examples" / example
    return plan_json(make_plan(LoadOptions(files=tuple(folder / f for f in EXAMPLES[example]), environ={})))


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_plan_matches_golden(example):
    golden = GOLDEN / example / "plan.json"
    actual = render(example)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(actual)
    assert actual == golden.read_text()


def test_every_example_folder_has_a_golden():
    examples = sorted(p.name for p in (ROOT / "examples").iterdir() if p.is_dir())
    assert examples == sorted(EXAMPLES) == sorted(p.name for p in GOLDEN.iterdir())


@pytest.mark.parametrize(
    "example, variables",
    [
        ("seed-03-short-syntax", {"LLM_URL", "LLM_MODEL", "EMBEDDING_MODEL_URL", "EMBEDDING_MODEL_MODEL"}),
        ("seed-04-long-syntax", {"AI_MODEL_URL", "AI_MODEL_NAME", "EMBEDDING_URL", "EMBEDDING_NAME"}),
        ("seed-01-basic", {"LLM_URL", "LLM_MODEL"}),
    ],
)
def test_seed_variable_names(example, variables):
    folder = ROOT / "examples" / example
    plan = make_plan(LoadOptions(files=(folder / "compose.yaml",), environ={}))
    (service,) = plan.services.values()
    assert set(service.environment) == variables


@pytest.mark.parametrize("example", sorted(EXAMPLES))
def test_example_preview_matches_golden(example, monkeypatch):
    """The offline preview (text) of each example; review the resource tree line by line when it changes."""
    from compose_cloud.preview.engine import run_preview
    from compose_cloud.render.preview import render_text
    from compose_translate import StackSettings

    for name in [n for n in os.environ if n.startswith(("COMPOSE_", "LOG_LEVEL", "SEARCH_API_KEY"))]:
        monkeypatch.delenv(name)
    folder = ROOT / "examples" / example
    result = run_preview(StackSettings(files=tuple(str(folder / f) for f in EXAMPLES[example])))
    golden = GOLDEN / example / "preview.txt"
    actual = render_text(result)
    if os.environ.get("UPDATE_GOLDEN"):
        golden.parent.mkdir(exist_ok=True)
        golden.write_text(actual)
    assert actual == golden.read_text()
