"""The pull-request diff's promise: a tree that deploys the same says "No changes" and `--exit-code` exits 0.

Checked over every bundled example and every real Compose file of ../shared/corpus/wild (copied into a
temporary git repository, never into the project), for three trees that deploy the same as their
base: the base itself, the base with comment and blank lines added, and the base with its services
and keys reordered. Each project runs the real CLI twice per variant (base, head) in this process.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from support.common import ROOT, WILD, git, run_cli
from support.corpus import EXPECTED_ERRORS

pytestmark = pytest.mark.skipif(shutil.which("git") is None, reason="git is not installed")

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))
# real files that load on their own (test_wild pins the error each of the others must give)
WILD_FILES = (
    sorted(str(p.relative_to(WILD)) for p in WILD.glob("*/*.y*ml") if str(p.relative_to(WILD)) not in EXPECTED_ERRORS)
    if WILD.is_dir()
    else []
)


def _commented(text: str) -> str:
    """A comment and a blank line at the top and before every top-level key: every line number moves,
    and no block scalar gains a line (top-level keys are never inside one)."""
    lines = [f"# a reviewer's note\n\n{line}" if line[:1].isalpha() else line for line in text.splitlines()]
    return "# a comment a reviewer added\n\n" + "\n".join(lines) + "\n"


def _reordered(text: str) -> str:
    """Services, models and the keys of each in reverse order (anchors resolved, tags kept out)."""
    document = yaml.safe_load(text)

    def flip(mapping: dict) -> dict:
        return dict(reversed(list(mapping.items())))

    for section in ("services", "models", "volumes", "networks", "secrets", "configs"):
        if isinstance(document.get(section), dict):
            document[section] = flip({k: flip(v) if isinstance(v, dict) else v for k, v in document[section].items()})
    return yaml.safe_dump(flip(document), sort_keys=False)


def _project(tmp_path: Path, source: Path, name: str) -> tuple[Path, Path]:
    repo = tmp_path / "checkout"
    shutil.copytree(source, repo, symlinks=True)
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-qm", "base")
    return repo, repo / name


def _assert_no_changes(repo: Path, file: Path, variant: str) -> None:
    code, out, err = run_cli(repo, "diff", "--base", "HEAD", "-f", file.name, "--exit-code")
    assert code == 0, f"{variant}: {out}{err}"
    assert "No changes" in out, f"{variant}: {out}"
    assert str(repo) not in out + err and "compose-cloud-base-" not in out + err, out + err
    code, out, err = run_cli(repo, "diff", "--base", "HEAD", "-f", file.name, "--format", "markdown", "--exit-code")
    assert code == 0 and str(repo) not in out and "compose-cloud-base-" not in out, variant


def _check_invariant(repo: Path, file: Path) -> None:
    original = file.read_text()
    _assert_no_changes(repo, file, "unchanged tree")
    file.write_text(_commented(original))
    _assert_no_changes(repo, file, "comments and blank lines added")
    if "!reset" not in original and "!override" not in original and "<<" not in original:
        file.write_text(_reordered(original))
        _assert_no_changes(repo, file, "services and keys reordered")
    file.write_text(original)


@pytest.mark.slow
@pytest.mark.parametrize("example", EXAMPLES)
def test_example_unchanged_tree_has_no_changes(example, tmp_path, monkeypatch):
    monkeypatch.delenv("COMPOSE_FILE", raising=False)
    repo, file = _project(tmp_path, ROOT / "examples" / example, "compose.yaml")
    _check_invariant(repo, file)


@pytest.mark.slow
@pytest.mark.parametrize("name", WILD_FILES)
def test_real_project_unchanged_tree_has_no_changes(name, tmp_path, monkeypatch):
    monkeypatch.delenv("COMPOSE_FILE", raising=False)
    source = WILD / name
    repo, file = _project(tmp_path, source.parent, source.name)
    _check_invariant(repo, file)
