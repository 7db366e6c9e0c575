"""The base side of a diff: a folder, or a git revision exported to a temporary folder.

Either way the result is "the base version of the current directory", so the same relative
`-f` paths and stack file can be looked up on both sides.
"""

from __future__ import annotations

import io
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

from compose_translate.errors import fail


def base_root(revision: str, cwd: Path, scratch: Path) -> Path:
    """The base version of `cwd`: git revision `revision`, exported into `scratch`.

    A revision is never read as a folder (a pull request could add a folder named `origin/main`) nor
    as an option (`--output=...`): it is resolved to a commit with `--end-of-options` first.
    """
    if not revision or revision.startswith("-"):
        raise fail(f"not a git revision: {revision!r}", hint="pass a branch, tag or commit, e.g. origin/main")
    top = Path(_git(["rev-parse", "--show-toplevel"], cwd, "not inside a git repository").decode().strip())
    commit = (
        _git(
            ["rev-parse", "--verify", "--quiet", "--end-of-options", f"{revision}^{{commit}}"],
            top,
            f"git revision {revision!r} not found",
        )
        .decode()
        .strip()
    )
    # from the top: in a subdirectory, git archive would export only that subdirectory
    archive = _git(["archive", "--format=tar", commit], top, f"git revision {revision!r} cannot be exported")
    with tarfile.open(fileobj=io.BytesIO(archive)) as tar:
        tar.extractall(scratch, filter=_inside_only)
    return scratch / cwd.resolve().relative_to(top.resolve())


def _inside_only(member: tarfile.TarInfo, path: str) -> tarfile.TarInfo | None:
    """tarfile's "data" filter, except that an entry it refuses (a link to an absolute path or out of the
    tree) is left out instead of failing the whole export: the base then lacks what the link named, as a
    clean checkout of it would on another machine, and every later diff still runs."""
    try:
        return tarfile.data_filter(member, path)
    except tarfile.FilterError:
        sys.stderr.write(f"compose-cloud: the base's {member.name[:200]!r} links outside the tree: left out\n")
        return None


def base_dir(folder: str) -> Path:
    """`--base-dir`: an existing folder holding the base version, resolved."""
    path = Path(folder)
    if not path.is_dir():
        raise fail(f"--base-dir {folder!r} is not a folder", hint="pass the folder holding the base version")
    return path.resolve()


def _git(args: list[str], cwd: Path, problem: str) -> bytes:
    try:
        done = subprocess.run(["git", *args], cwd=cwd, capture_output=True, check=False, timeout=120)
    except (OSError, subprocess.TimeoutExpired) as exc:
        raise fail(f"{problem}: {exc}", hint="install git, or pass --base a folder") from None
    if done.returncode != 0:
        detail = done.stderr.decode(errors="replace").strip().splitlines()[-1:] or [""]
        raise fail(
            f"{problem} ({detail[0]})" if detail[0] else problem,
            hint="pass --base a branch, tag or commit (or --base-dir a folder); in CI fetch the base branch "
            "first (actions/checkout fetch-depth: 0)",
        )
    return done.stdout


def on_base(path: Path, cwd: Path, root: Path) -> Path:
    """Where a working-tree path lives on the base side."""
    absolute = path if path.is_absolute() else cwd / path
    return root / absolute.resolve().relative_to(cwd.resolve())


def scratch_dir() -> tempfile.TemporaryDirectory[str]:
    """A temporary folder for the exported base revision, removed when the diff ends."""
    return tempfile.TemporaryDirectory(prefix="compose-cloud-base-")
