"""`compose-cloud diff` on before/after pairs, against reviewed golden Markdown; secrets never shown."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from support.common import ROOT

from compose_cloud.cli.main import main
from compose_cloud.preview.compare import flatten
from compose_cloud.render.diff import COMMENT_LIMIT, MARKER

CASES = Path(__file__).parent / "diff_cases"  # each case: its `after` tree and the reviewed expected.md beside it
SECRETS = ("token-before-7c1f3a", "token-after-9d2e4b")


def sides(tmp_path: Path, case: str) -> tuple[Path, Path]:
    before, after = tmp_path / "before", tmp_path / "after"
    shutil.copytree(CASES / "base", before)
    shutil.copytree(CASES / "base", after)
    shutil.copytree(CASES / case / "after", after, dirs_exist_ok=True)
    return before, after


def run_diff(after: Path, base: str, *options: str) -> tuple[int, str]:
    cwd = os.getcwd()
    os.chdir(after)
    try:
        from contextlib import redirect_stdout
        from io import StringIO

        out = StringIO()
        with redirect_stdout(out):
            where = ["--base-dir", base] if base.startswith(".") else ["--base", base]
            code = main(["diff", *where, *options])
        return code, out.getvalue()
    finally:
        os.chdir(cwd)


@pytest.mark.parametrize("case", sorted(p.name for p in CASES.iterdir() if p.name != "base"))
def test_diff_matches_golden(tmp_path, case):
    _, after = sides(tmp_path, case)
    code, markdown = run_diff(after, "../before", "--format", "markdown")
    assert code == 0
    golden = CASES / case / "expected.md"
    if os.environ.get("UPDATE_GOLDEN"):
        golden.write_text(markdown)
    assert markdown == golden.read_text()
    assert markdown.startswith(MARKER) and len(markdown) < COMMENT_LIMIT
    for secret in SECRETS:
        assert secret not in markdown


@pytest.mark.parametrize("fmt", ["text", "json", "markdown"])
def test_changed_secret_is_reported_by_name_only(tmp_path, fmt):
    _, after = sides(tmp_path, "secret-change")
    code, output = run_diff(after, "../before", "--format", fmt, "--exit-code")
    assert code == 3
    assert "secret api_token" in output
    for secret in SECRETS:
        assert secret not in output


def test_no_change_exits_zero_even_with_exit_code(tmp_path):
    _, after = sides(tmp_path, "no-change")
    code, output = run_diff(after, "../before", "--exit-code")
    assert code == 0 and output.endswith("No changes.\n")


def test_json_lists_structured_changes(tmp_path):
    _, after = sides(tmp_path, "instance-type")
    _, output = run_diff(after, "../before", "--format", "json")
    data = json.loads(output)
    assert data["models"]["llm"][0]["instance_type"] == "ml.g5.xlarge"
    assert data["models"]["llm"][1]["instance_type"] == "ml.g6e.xlarge"
    # ml.g5.xlarge 1.408 -> ml.g6e.xlarge 2.329, plus 2 x 0.5 vCPU/1 GiB tasks, the gateway, NAT and the ALB
    assert data["cost"] == [1.5893, 2.5103]


def test_git_revision_as_base(tmp_path):
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    repo = tmp_path / "repo"
    shutil.copytree(CASES / "base", repo / "app")

    def git(*args):
        subprocess.run(
            ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args],
            cwd=repo,
            check=True,
            capture_output=True,
        )

    git("init", "-q")
    git("add", ".")
    git("commit", "-qm", "base")
    shutil.copy(CASES / "instance-type" / "after" / "compose.yaml", repo / "app" / "compose.yaml")
    code, output = run_diff(repo / "app", "HEAD", "--format", "text")
    assert code == 0 and "ml.g5.xlarge in us-west-2, ~$1.41/h -> `ai/smollm2` on sagemaker, 1 x ml.g6e.xlarge" in output
    code, _ = run_diff(repo / "app", "no-such-revision")
    assert code == 1


def test_project_new_on_the_base_side(tmp_path):
    shutil.copytree(CASES / "base", tmp_path / "after")
    (tmp_path / "before").mkdir()
    code, output = run_diff(tmp_path / "after", "../before", "--format", "text")
    assert code == 0 and "note: the Compose files do not exist in ../before: everything is new" in output
    assert " 0 to change, 0 to remove" in output


def test_flatten_opens_json_documents_and_keys_name_value_lists():
    assert flatten({"a": '[{"b": 1}]', "c": {"d": [True]}, "e": "{not json"}) == {
        "a[0].b": 1,
        "c.d[0]": True,
        "e": "{not json",
    }
    assert flatten({"env": [{"name": "B", "value": "2"}, {"name": "A", "value": "1"}]}) == {"env.A": "1", "env.B": "2"}


def test_huge_diff_is_truncated_for_a_comment(tmp_path):
    services = "".join(
        f"  svc{i}:\n    image: ghcr.io/example/s:{i}\n    environment: {{X: '{'y' * 200}'}}\n" for i in range(150)
    )
    (tmp_path / "before").mkdir()
    (tmp_path / "after").mkdir()
    (tmp_path / "after" / "compose.yaml").write_text("name: big\nservices:\n" + services)
    (tmp_path / "before" / "compose.yaml").write_text("name: big\nservices:\n  svc0: {image: a}\n")
    _, markdown = run_diff(tmp_path / "after", "../before", "--format", "markdown")
    assert len(markdown) <= COMMENT_LIMIT and "Shortened to fit a comment" in markdown
    assert markdown.count("```") % 2 == 0
    # what matters survives: the summary and the resources; the environment is what gets cut
    assert "<summary>Resources (" in markdown and "+ aws:ecs/service:Service  big-svc149-service" in markdown
    assert "more lines not shown" in markdown.split("<summary>Environment")[1]


def test_repository_workflow_is_valid():
    import yaml

    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "preview.yml").read_text())
    triggers = workflow[True]  # YAML 1.1 reads the key `on` as true
    assert set(triggers) == {"pull_request", "push"} and triggers["push"]["branches"] == ["main"]
    jobs = workflow["jobs"]
    diff_steps = jobs["offline-diff"]["steps"]
    assert any('compose-cloud" diff --base' in str(step.get("run", "")) for step in diff_steps)
    assert any(str(step.get("uses", "")).startswith("actions/upload-artifact@") for step in diff_steps)
    # compose-cloud comes from the base branch's checkout, never from the pull request's
    install = next(s for s in diff_steps if "requirements.txt" in str(s.get("run", "")))
    tool = next(s for s in diff_steps if s.get("with", {}).get("path") == install["working-directory"])
    assert tool["with"]["ref"] == "${{ github.event.pull_request.base.sha }}"
    pulumi_steps = [s for job in ("pulumi-preview", "pulumi-up") for s in jobs[job]["steps"]]
    assert sum(str(s.get("uses", "")).startswith("pulumi/actions@") for s in pulumi_steps) == 2
    assert jobs["pulumi-up"]["if"].startswith("github.event_name == 'push'")


WRITE = {"write"}


def _all_jobs():
    import yaml

    for path in sorted((ROOT / ".github" / "workflows").glob("*.yml")):
        workflow = yaml.safe_load(path.read_text())
        for name, job in workflow["jobs"].items():
            yield path.name, name, workflow, job


def test_no_job_that_reads_pull_request_content_holds_a_write_token():
    """Issue 21 item 13: a step of such a job could write NODE_OPTIONS to GITHUB_ENV and act with the token."""
    for file, name, workflow, job in _all_jobs():
        triggers = workflow[True]
        writes = {k for k, v in (job.get("permissions") or {}).items() if v == "write" and k != "id-token"}
        checks_out = any(str(s.get("uses", "")).startswith("actions/checkout@") for s in job["steps"])
        if "pull_request" in triggers or "pull_request_target" in triggers:
            if "pull_request" in str(job.get("if", "")):
                assert not writes, (file, name, writes)
        if writes:  # a job holding a write token checks out nothing (its inputs are data)
            assert not checks_out or "push" in str(job.get("if", "")), (file, name)
    comment = (ROOT / ".github" / "workflows" / "compose-cloud-comment.yml").read_text()
    assert "workflow_run" in comment and "actions/checkout" not in comment


def test_the_workflow_is_hardened():
    """Bounded in time, no persisted token, a read-only role for previews, and nothing from a pull request
    expanded inside a shell script."""
    import re

    import yaml

    text = (ROOT / ".github" / "workflows" / "compose-cloud-comment.yml").read_text()
    for _, name, workflow, job in _all_jobs():
        assert workflow["permissions"] == {}
        assert 0 < job["timeout-minutes"] <= 120, name
        for step in job["steps"]:
            assert "${{" not in str(step.get("run", "")), (name, step)
            if str(step.get("uses", "")).startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False
            if "uses" in step:
                assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    preview = yaml.safe_load((ROOT / ".github" / "workflows" / "preview.yml").read_text())
    assert "AWS_PREVIEW_ROLE_ARN" in preview["jobs"]["pulumi-preview"]["if"]
    assert "github-actions[bot]" in text  # the comment updated is the workflow's own


def test_the_workflow_passes_zizmor():
    """zizmor, the GitHub Actions auditor (from PyPI), finds nothing in the workflow."""
    import json
    import shutil
    import subprocess
    import sys

    zizmor = shutil.which("zizmor") or str(Path(sys.executable).parent / "zizmor")
    done = subprocess.run(
        [zizmor, "--offline", "--format", "json", str(ROOT / ".github" / "workflows")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout) == []
