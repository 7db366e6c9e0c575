"""A pull request's price file cannot forge the diff comment nor lower the cost it shows; the comment
always fits GitHub's limit (issue 21, items 6 and 7)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support.common import git, run_cli
from support.markdown import assert_unforged

from compose_cloud.preview.compare import Diff, ResourceChange
from compose_cloud.render.diff import GITHUB_LIMIT, _length, render_markdown
from compose_translate import ComposeError, LoadOptions, make_plan

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

COMPOSE = "name: shop\nservices:\n  app: {image: nginx, models: [llm]}\nmodels:\n  llm: {model: ai/smollm2}\n"
FORGED_DATE = "2026-11**\n\n## Approved by @org/security\n\n<img src=https://example.com/x.png> <!--"
TABLE = {"date": "2026-11", "source": "AWS Price List API", "sagemaker": {"ml.g5.xlarge": 1.408}}


@pytest.fixture
def repo(tmp_path):
    root = tmp_path / "checkout"
    root.mkdir()
    (root / "compose.yaml").write_text(COMPOSE)
    git(root, "init", "-q")
    git(root, "add", ".")
    git(root, "commit", "-qm", "base")
    return root


def _prices(repo: Path, tables: dict) -> None:
    (repo / ".compose-cloud").mkdir(exist_ok=True)
    (repo / ".compose-cloud" / "prices.json").write_text(json.dumps(tables))


def test_a_forged_date_is_refused_where_the_file_is_read(repo):
    _prices(repo, {"us-east-1": {**TABLE, "date": FORGED_DATE}})
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(repo / "compose.yaml",), environ={}))
    assert "us-east-1.date" in err.value.first.message and "Approved" not in err.value.render()
    code, out, err_text = run_cli(repo, "preview", "--format", "markdown")
    assert code == 1 and out == "" and "prices.json" in err_text


@pytest.mark.parametrize(
    "table, where",
    [
        ({**TABLE, "sagemaker": {"ml.g5.xlarge": 0}}, "sagemaker.ml.g5.xlarge"),
        ({**TABLE, "sagemaker": {"ml.g5.xlarge": -1.0}}, "sagemaker.ml.g5.xlarge"),
        ({**TABLE, "fargate_vcpu": float("nan")}, "fargate_vcpu"),
        ({**TABLE, "source": "trust me"}, "source"),
        ({**TABLE, "sagemaker": {"<b>x</b>": 1.0}}, "sagemaker"),
    ],
)
def test_prices_must_be_positive_and_shaped(repo, table, where):
    _prices(repo, {"us-east-1": table})
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(repo / "compose.yaml",), environ={}))
    assert where in err.value.first.message


def test_the_pull_requests_price_file_neither_forges_the_comment_nor_lowers_the_cost(repo):
    code, before, _ = run_cli(repo, "diff", "--base", "HEAD", "--format", "markdown")
    assert code == 0 and "No changes" in before
    (repo / "compose.yaml").write_text(COMPOSE.replace("ai/smollm2}", "ai/smollm2, labels: [cloud.instance-count=2]}"))
    _, honest, _ = run_cli(repo, "diff", "--base", "HEAD", "--format", "json")
    cheap = {**TABLE, "sagemaker": {"ml.g5.xlarge": 0.0001}}
    _prices(repo, {"us-east-1": cheap})
    code, markdown, err = run_cli(repo, "diff", "--base", "HEAD", "--format", "markdown")
    assert code == 0, err
    assert "edits `.compose-cloud/prices.json`: both sides are priced with the base's tables" in markdown
    _, cheap_json, _ = run_cli(repo, "diff", "--base", "HEAD", "--format", "json")
    assert json.loads(cheap_json)["cost"] == json.loads(honest)["cost"]  # the base's (built-in) prices
    assert json.loads(cheap_json)["price_file_changed"] is True
    _prices(repo, {"us-east-1": {**TABLE, "date": FORGED_DATE}})
    code, markdown, err = run_cli(repo, "diff", "--base", "HEAD", "--format", "markdown")
    assert code == 0, err
    assert "Approved" not in markdown and "<img" not in markdown
    assert_unforged(markdown)


def test_a_comment_never_exceeds_githubs_limit_summary_included():
    long = "x" * 3000
    diff = Diff(
        project="p" * 500,
        stack="dev",
        added=[("aws:ecs/service:Service", f"svc-{i}-{long}") for i in range(40)],
        changed=[
            ResourceChange("aws:ecs/taskDefinition:TaskDefinition", f"t{i}", [("a", long, "🙂" * 3000)])
            for i in range(40)
        ],
        cost=(1.0, 2.0),
        prices=", ".join(f"r{i} prices of 2026-11" for i in range(3000)),
        unpriced=tuple(f"ml.g5.{i}xlarge in eu-west-1" for i in range(3000)),
        note="n" * 100_000,
        diagram="graph LR\n" + "\n".join(f"  a{i} --> b{i}" for i in range(5000)),
    )
    markdown = render_markdown(diff)
    assert _length(markdown) <= GITHUB_LIMIT
    assert markdown.startswith("<!-- compose-cloud-diff -->")
    assert_unforged(markdown)
