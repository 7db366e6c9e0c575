"""The base side of a diff is the base revision as it was: its stack file, Compose files and name;
a pull request cannot substitute it (a folder named like the branch, an option smuggled in)."""

from __future__ import annotations

import shutil
import subprocess

import pytest
from support.common import cli_process

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

COMPOSE = (
    "services:\n  app: {image: nginx, models: [llm]}\nmodels:\n  llm:\n    model: ai/smollm2\n"
    "    labels: [cloud.instance-type=gpu-small]\n"
)
HARDENING = "services:\n  app:\n    read_only: true\n"
STACK = "config:\n  aws:region: us-east-1\n  compose-cloud:files: [compose.yaml, compose.hardening.yaml]\n"


def _git(repo, *args):
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo, check=True, capture_output=True
    )


@pytest.fixture
def repo(tmp_path):
    """A project without `name:` and without Pulumi.yaml, committed; the checkout folder has a CI-like name."""
    root = tmp_path / "_work-7f3a"
    (root / "stacks").mkdir(parents=True)
    (root / "compose.yaml").write_text(COMPOSE)
    (root / "compose.hardening.yaml").write_text(HARDENING)
    (root / "stacks" / "Pulumi.dev.yaml").write_text(STACK)
    _git(root, "init", "-q")
    _git(root, "add", ".")
    _git(root, "commit", "-qm", "base")
    return root


def diff(repo, *args):
    return cli_process(repo, "diff", *args)


def test_one_label_change_is_the_only_change_and_runs_are_identical(repo):
    (repo / "compose.yaml").write_text(COMPOSE.replace("gpu-small", "gpu-medium"))
    first = diff(repo, "--base", "HEAD", "--stack", "dev", "--format", "json")
    second = diff(repo, "--base", "HEAD", "--stack", "dev", "--format", "json")
    assert first.returncode == 0, first.stderr
    assert first.stdout == second.stdout  # no temporary folder name leaks into the output
    import json

    result = json.loads(first.stdout)
    assert result["added"] == [] and result["removed"] == []
    assert [c["name"] for c in result["changed"]] == ["work-7f3a-model-llm-config"]


def test_the_base_uses_its_own_stack_file(repo):
    """A pull request that drops the hardening override from the stack's file list must show it."""
    (repo / "stacks" / "Pulumi.dev.yaml").write_text(STACK.replace(", compose.hardening.yaml", ""))
    done = diff(repo, "--base", "HEAD", "--stack", "dev", "--format", "text")
    assert done.returncode == 0, done.stderr
    assert "containerDefinitions[0].readonlyRootFilesystem: true -> (none)" in done.stdout


def test_a_folder_named_like_the_base_branch_is_not_the_base(repo):
    _git(repo, "branch", "main")
    (repo / "compose.yaml").write_text(COMPOSE.replace("gpu-small", "gpu-medium"))
    shutil.copytree(repo, repo.parent / "copy", ignore=shutil.ignore_patterns(".git"))
    shutil.copytree(repo.parent / "copy", repo / "main")  # the pull request adds main/ holding its own files
    done = diff(repo, "--base", "main", "--stack", "dev", "--format", "text")
    assert done.returncode == 0, done.stderr
    assert "ml.g5.xlarge" in done.stdout and "ml.g6e.xlarge" in done.stdout  # compared with the real branch


@pytest.mark.parametrize("option", ["--output={out}", "-o{out}", "-h"])
def test_a_revision_cannot_become_a_git_option(repo, tmp_path, option):
    out = tmp_path / "owned.tar"
    done = diff(repo, f"--base={option.format(out=out)}", "--stack", "dev")
    assert done.returncode == 1 and "Traceback" not in done.stderr
    assert "not a git revision" in done.stderr
    assert not out.exists()


PULUMI_YAML = "name: demo\nruntime: python\nstackConfigDir: {}\n"


def _with_pulumi_project(repo, config_dir="stacks"):
    (repo / "Pulumi.yaml").write_text(PULUMI_YAML.format(config_dir))
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "a Pulumi project")


def test_the_base_stack_file_is_found_through_the_base_pulumi_yaml(repo):
    """The pull request moves stackConfigDir and drops settings from the moved stack file: the base is
    still read from its own stacks/ folder, so the dropped settings show as a change."""
    _with_pulumi_project(repo)
    (repo / "st2").mkdir()
    (repo / "st2" / "Pulumi.dev.yaml").write_text("config:\n  aws:region: us-east-1\n")
    (repo / "Pulumi.yaml").write_text(PULUMI_YAML.format("st2"))
    result = diff(repo, "--base", "HEAD", "--stack", "dev", "--exit-code")
    assert result.returncode == 3, result.stdout + result.stderr
    assert "hardening" in result.stdout or "read_only" in result.stdout or "readonlyRootFilesystem" in result.stdout


def test_a_base_without_the_stack_file_says_so(repo):
    """The base's Pulumi.yaml names a stack folder the base does not have: said, not silently defaulted."""
    _with_pulumi_project(repo, "st3")
    (repo / "Pulumi.yaml").write_text(PULUMI_YAML.format("stacks"))
    result = diff(repo, "--base", "HEAD", "--stack", "dev")
    assert result.returncode == 0, result.stderr
    assert "has no stack file st3/Pulumi.dev.yaml" in result.stdout


def test_a_pulumi_yaml_above_the_scratch_folder_does_not_name_the_base(repo, tmp_path):
    """The base's project name comes from the base tree only; the scratch folder's parent is not searched."""
    scratch_parent = tmp_path / "scratch"
    scratch_parent.mkdir()
    (scratch_parent / "Pulumi.yaml").write_text("name: intruder\nruntime: python\n")
    result = cli_process(
        repo, "diff", "--base", "HEAD", "--stack", "dev", "--exit-code", env={"TMPDIR": str(scratch_parent)}
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "intruder" not in result.stdout


def test_a_base_stack_folder_outside_the_repository_is_refused(repo):
    (repo / "Pulumi.yaml").write_text(PULUMI_YAML.format("../../elsewhere"))
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "outside")
    result = diff(repo, "--base", "HEAD", "--stack", "dev")
    assert result.returncode == 1
    assert "stackConfigDir" in result.stderr and "Traceback" not in result.stderr


def test_an_absolute_symlink_in_the_base_is_left_out(repo):
    """A link committed in the base to an absolute path made every later diff an internal error."""
    (repo / "host-passwd").symlink_to("/etc/passwd")
    (repo / "up").symlink_to("../..")
    _git(repo, "add", ".")
    _git(repo, "commit", "-qm", "links")
    result = diff(repo, "--base", "HEAD", "--stack", "dev", "--exit-code")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "No changes" in result.stdout
    assert "links outside the tree: left out" in result.stderr and "internal error" not in result.stderr
