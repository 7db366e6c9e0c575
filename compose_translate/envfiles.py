"""Reading `.env` and `env_file` files, with Compose's rules for values and lookups.

python-dotenv parses the syntax (quotes, `export`, comments); interpolation is
ours, so `${VAR:-default}` and friends behave exactly as in Compose files.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Mapping

from dotenv import dotenv_values

from .errors import Loc, Report, fail
from .interpolation import interpolate_string
from .values import is_file, read_bounded

MAX_ENV_BYTES = 1024 * 1024


def read_env_file(path: Path, lookup: Mapping[str, str], report: Report, *, raw: bool = False,
                  ref_path: str = "", ref_loc: Loc | None = None) -> dict[str, str | None]:
    """Parse one env file; a bare `KEY` takes its value from `lookup` (or stays unset: None)."""
    try:
        text = read_bounded(path, "env file", MAX_ENV_BYTES)
    except ValueError as exc:
        raise fail(str(exc), ref_path, ref_loc, hint="env files hold KEY=VALUE lines") from None
    except FileNotFoundError:
        raise fail(f"env file not found: {path}", ref_path, ref_loc,
                   hint="create the file, or mark it optional with the long form `required: false`") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise fail(f"cannot read env file {path}: {exc}", ref_path, ref_loc) from None
    parsed = dotenv_values(stream=io.StringIO(text), interpolate=False)
    values: dict[str, str | None] = {}
    for key, value in parsed.items():
        if value is None:
            values[key] = lookup.get(key)
            continue
        if raw:
            values[key] = value
            continue
        scope = {**lookup, **{k: v for k, v in values.items() if v is not None}}
        values[key] = interpolate_string(value, scope, path=key, loc=Loc(str(path), _line_of(text, key)),
                                         report=report)
    return values


def _line_of(text: str, key: str) -> int:
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if stripped.startswith("export "):
            stripped = stripped[len("export "):].lstrip()
        if stripped.startswith(key) and stripped[len(key):].lstrip()[:1] in ("=", ""):
            return number
    return 1


def project_environment(project_dir: Path, env_files: list[Path], environ: Mapping[str, str],
                        report: Report) -> dict[str, str]:
    """The variables used for interpolation: the process environment wins over `.env` files."""
    files = env_files or ([project_dir / ".env"] if is_file(project_dir / ".env") else [])
    merged: dict[str, str] = {}
    for file in files:
        values = read_env_file(file, {**merged, **environ}, report)
        merged.update({k: v for k, v in values.items() if v is not None})
    merged.update(environ)
    return merged
