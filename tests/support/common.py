"""Paths, files and the CLI, for every test: the repository's root, the real Compose files beside it, a
folder written from a dict, git and the CLI run in-process, and what the mock gave a resource."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


WILD = ROOT.parent / "shared" / "corpus" / "wild"


def git(repo: Path, *args: str) -> None:
    """git in `repo`, as a throw-away identity (tests commit base revisions of their own)."""
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo, check=True, capture_output=True
    )


def cli_process(
    folder: Path, *argv: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The real CLI in a fresh process, from `folder`, as a user runs it: this environment without the
    runner's COMPOSE_* variables, with `env` over it; text in (`stdin`) and out."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("COMPOSE_")}
    return subprocess.run(
        [sys.executable, "-m", "compose_cloud.cli.main", *argv],
        cwd=folder,
        env={**environment, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def run_cli(folder: Path, *argv: str) -> tuple[int, str, str]:
    """The real CLI in this process, from `folder`: (exit code, stdout, stderr)."""
    from compose_cloud.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


def ident(result, name: str, type_: str | None = None) -> str:
    """The id the mock gave resource `name` (as AWS would: `sg-...`, a role's name, an ARN)."""
    [record] = [r for r in result.resources if r.name == name and (type_ is None or r.type == type_)]
    return record.id


def arn_of(result, name: str, type_: str | None = None) -> str:
    [record] = [r for r in result.resources if r.name == name and (type_ is None or r.type == type_)]
    return record.arn


# every bundled example: its folder name -> its Compose files, as `docker compose` finds them
EXAMPLES = {
    folder.name: tuple(name for name in ("compose.yaml", "compose.override.yaml") if (folder / name).is_file())
    for folder in sorted((ROOT / "examples").iterdir())
    if (folder / "compose.yaml").is_file()
}
