"""The base side of a diff: a folder, or a git revision exported to a temporary folder.

Either way the result is "the base version of the current directory", so the same relative
`-f` paths and stack file can be looked up on both sides.
"""

from __future__ import annotations

import io
import subprocess
import tarfile
import tempfile
from pathlib import Path

from compose_translate.errors import fail


def base_root(base: str, cwd: Path, scratch: Path) -> Path:
    folder = Path(base)
    if folder.is_dir():
        return folder.resolve()
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd,
                    f'"{base}" is neither a folder nor a git revision here').decode().strip())
    # from the top: in a subdirectory, git archive would export only that subdirectory
    archive = _git(["archive", "--format=tar", base], top, f'git revision "{base}" not found')
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(scratch, filter="data")
    return scratch / cwd.resolve().relative_to(top.resolve())


def _git(args: list[str], cwd: Path, problem: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise fail(f"{problem}: {exc}", hint="install git, or pass --base a folder") from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise fail(f"{problem} ({detail[0]})", hint="pass --base a branch, tag, commit or folder; in CI fetch "
                                                    "the base branch first (actions/checkout fetch-depth: 0)")
    return done.stdout


def on_base(path: Path, cwd: Path, root: Path) -> Path:
    """Where a working-tree path lives on the base side."""
    absolute = path if path.is_absolute() else cwd / path
    return root / absolute.resolve().relative_to(cwd.resolve())


def scratch_dir() -> tempfile.TemporaryDirectory:
    return tempfile.TemporaryDirectory(prefix="compose-cloud-base-")
