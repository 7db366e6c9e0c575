"""Scalar conversions Compose applies everywhere: durations, byte sizes, booleans, ports."""

from __future__ import annotations

import re
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from pathlib import Path
from typing import Any

_DURATION = re.compile(r"(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)")
_UNIT_SECONDS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1, "m": 60, "h": 3600}
_BYTES = re.compile(r"^(\d+(?:\.\d+)?)\s*([kmgt]?)i?b?$", re.IGNORECASE)
_BYTE_UNITS = {"": 1, "k": 1024, "m": 1024**2, "g": 1024**3, "t": 1024**4}


def parse_duration(value: Any) -> float:
    """Go duration syntax as Compose uses it ("1m30s", "500ms"); a bare number is seconds."""
    if isinstance(value, bool):
        raise ValueError("expected a duration such as 30s or 1m30s")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("a duration cannot be negative")
        return float(value)
    text = str(value).strip()
    if not text:
        raise ValueError("expected a duration such as 30s or 1m30s")
    pos, total = 0, 0.0
    for match in _DURATION.finditer(text):
        if match.start() != pos:
            break
        total += float(match.group(1)) * _UNIT_SECONDS[match.group(2)]
        pos = match.end()
    if pos != len(text):
        raise ValueError(f'"{text}" is not a duration such as 30s or 1m30s')
    return total


def parse_bytes(value: Any) -> int:
    """A Compose size (`512m`, `2g`, bytes) as a number of bytes."""
    if isinstance(value, bool):
        raise ValueError("expected a size such as 512m or 2g")
    if isinstance(value, (int, float)):
        if value < 0:
            raise ValueError("a size cannot be negative")
        return int(value)
    match = _BYTES.match(str(value).strip())
    if not match:
        raise ValueError(f'"{value}" is not a size such as 512m or 2g')
    return int(float(match.group(1)) * _BYTE_UNITS[match.group(2).lower()])


_TRUE, _FALSE = ("y", "yes", "true", "on"), ("n", "no", "false", "off")


def parse_bool(value: Any) -> bool:
    """A boolean as compose-go casts one (interpolation/cast: y, yes, true, on / n, no, false, off)."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in _TRUE + _FALSE:
        return value.lower() in _TRUE
    raise ValueError("expected true or false")


def env_value(value: Any) -> str | None:
    """Environment values are strings; YAML booleans and numbers are written as Compose writes them."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def parse_port_range(text: str) -> list[int]:
    """`80` or `8000-8010` as the ports it covers, each between 1 and 65535."""
    if not re.fullmatch(r"\d{1,5}(?:-\d{1,5})?", text.strip()):
        raise ValueError(f'"{text[:40]}" is not a port or port range between 1 and 65535')
    start, sep, end = text.strip().partition("-")
    first = int(start)
    last = int(end) if sep else first
    if not (0 < first <= 65535 and 0 < last <= 65535) or last < first:
        raise ValueError(f'"{text}" is not a port or port range between 1 and 65535')
    if last - first >= 1000:
        raise ValueError(f'port range "{text}" is larger than 1000 ports')
    return list(range(first, last + 1))


def is_file(path: str | Path) -> bool:
    """Path.is_file, but a name the OS rejects (too long, NUL byte) is simply not a file."""
    try:
        return Path(path).is_file()
    except (OSError, ValueError):
        return False


MAX_FILE_BYTES = 4 * 1024 * 1024  # a Compose, .env, secret or config file; AWS stores far less anyway


# The folders a plan may read files from (None: unconfined, as for a library caller that opts out).
_ROOTS: ContextVar[list[Path] | None] = ContextVar("compose_cloud_read_roots", default=None)
# Files the user named themselves (-f, COMPOSE_FILE, --env-file, a stack's files in their checkout): read
# wherever they are, as docker compose reads them; what those files reference stays confined.
_CHOSEN: ContextVar[frozenset[Path]] = ContextVar("compose_cloud_chosen_files", default=frozenset())
# Set while previewing trees a pull request controls (`diff`): its stack's file list is not the user's choice.
_REVIEWING: ContextVar[bool] = ContextVar("compose_cloud_reviewing", default=False)


@contextmanager
def reviewing() -> Iterator[None]:
    """Plans made inside read trees a pull request controls: no file is read from outside them."""
    token = _REVIEWING.set(True)
    try:
        yield
    finally:
        _REVIEWING.reset(token)


def under_review() -> bool:
    """Whether files outside the trees being compared must not be read (a pull request's diff)."""
    return _REVIEWING.get()


def allow_files(paths: list[Path]) -> None:
    """The user's own choice of files (never while reviewing a pull request)."""
    if not _REVIEWING.get():
        _CHOSEN.set(_CHOSEN.get() | {p.resolve() for p in paths})


@contextmanager
def confined_reads() -> Iterator[None]:
    """Within this block, files are read only under the folders `allow_reads_under` names."""
    token, chosen = _ROOTS.set([]), _CHOSEN.set(frozenset())
    try:
        yield
    finally:
        _ROOTS.reset(token)
        _CHOSEN.reset(chosen)


def allow_reads_under(folder: Path) -> None:
    """Let this run read files under `folder` too (a diff's base tree)."""
    roots = _ROOTS.get()
    if roots is not None:
        roots.append(folder.resolve())


def repository_root(folder: Path) -> Path:
    """The git repository holding `folder` (the folder with `.git`), else `folder` itself."""
    folder = folder.resolve()
    for candidate in (folder, *folder.parents):
        if (candidate / ".git").exists():
            return candidate
    return folder


def _check_confined(path: Path, what: str) -> None:
    roots = _ROOTS.get()
    if roots is None:
        return
    resolved = path.resolve()  # symbolic links are followed: a link inside pointing outside is outside
    if resolved in _CHOSEN.get():
        return
    if ".git" in resolved.parts or not any(resolved.is_relative_to(root) for root in roots):
        raise ValueError(
            f"{what} {path} is outside the project and its git repository (or inside .git); "
            "files from a pull request may only read the project's own files"
        )


def read_bounded(path: str | Path, what: str, limit: int = MAX_FILE_BYTES) -> str:
    """A regular file's UTF-8 text, at most `limit` bytes: a FIFO, a device (/dev/zero) or a huge file
    is refused at once instead of hanging or filling memory, and so is a file outside the project
    (`/proc/self/environ`, `../../secrets`, `.git/config`) while reads are confined. Raises OSError or
    UnicodeDecodeError, or ValueError with a message naming the file."""
    path = Path(path)
    _check_confined(path, what)
    mode = path.stat().st_mode
    if not stat.S_ISREG(mode):
        raise ValueError(f"{what} {path} is not a regular file")
    with path.open("rb") as handle:
        data = handle.read(limit + 1)
    if len(data) > limit:
        raise ValueError(f"{what} {path} is larger than {limit // (1024 * 1024)} MiB")
    return data.decode("utf-8")


_AS_WRITTEN: ContextVar[bool] = ContextVar("compose_translate_as_written", default=False)


@contextmanager
def as_written() -> Iterator[None]:
    """`config --no-interpolate`: the files are loaded with every `${...}` and `$$` kept as written (the
    project name alone is still worked out, as docker compose does)."""
    token = _AS_WRITTEN.set(True)
    try:
        yield
    finally:
        _AS_WRITTEN.reset(token)


def kept_as_written() -> bool:
    """Whether variables are left as written in this run (`as_written`)."""
    return _AS_WRITTEN.get()
