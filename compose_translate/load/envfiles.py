"""Reading `.env` and `env_file` files, with Compose's rules for values and lookups.

The syntax is compose-go's (compose_translate/load/dotenv.py); interpolation is ours, so
`${VAR:-default}` and friends behave exactly as in Compose files. As in compose-go, a variable
is looked up in the environment first and then in the file's earlier lines, and single-quoted
values are taken literally.
"""

from __future__ import annotations

from pathlib import Path
from typing import Mapping

from compose_translate.errors import Loc, Report, fail
from compose_translate.interpolate import interpolate_string
from compose_translate.load.dotenv import DotenvError, parse
from compose_translate.values import is_file, read_bounded

MAX_ENV_BYTES = 1024 * 1024


def read_env_file(
    path: Path,
    lookup: Mapping[str, str],
    report: Report,
    *,
    raw: bool = False,
    ref_path: str = "",
    ref_loc: Loc | None = None,
) -> dict[str, str | None]:
    """Parse one env file; a bare `KEY` takes its value from `lookup` (or stays unset: None)."""
    try:
        text = read_bounded(path, "env file", MAX_ENV_BYTES)
    except UnicodeDecodeError as exc:
        raise fail(
            f"env file {path} is not UTF-8 text (byte {exc.start}: {exc.reason})",
            ref_path,
            ref_loc,
            hint="save it as UTF-8",
        ) from None
    except ValueError as exc:
        raise fail(str(exc), ref_path, ref_loc, hint="env files hold KEY=VALUE lines") from None
    except FileNotFoundError:
        hint = (
            "create the file, or mark it optional with the long form `required: false`"
            if ref_path
            else "check the --env-file path (or the stack's envFile)"  # named on the command line
        )
        raise fail(f"env file not found: {path}", ref_path, ref_loc, hint=hint) from None
    except IsADirectoryError:
        raise fail(f"env file {path} is a folder", ref_path, ref_loc, hint="name the file inside it") from None
    except OSError as exc:
        raise fail(f"cannot read env file {path}: {getattr(exc, 'strerror', None) or exc}", ref_path, ref_loc) from None
    try:
        entries = parse(text.removeprefix("\ufeff"))
    except DotenvError as exc:
        raise fail(
            f"cannot read env file {path}: {exc}",
            ref_path,
            Loc(str(path), exc.line),
            hint='write KEY=VALUE lines (quote values with spaces: KEY="a value")',
        ) from None
    values: dict[str, str | None] = {}
    for entry in entries:
        if entry.value is None:
            values[entry.key] = lookup.get(entry.key)
            continue
        if raw or entry.quote == "'":
            values[entry.key] = entry.value
            continue
        scope = {**{k: v for k, v in values.items() if v is not None}, **lookup}  # the environment wins
        values[entry.key] = interpolate_string(
            entry.value, scope, path=entry.key, loc=Loc(str(path), entry.line), report=report
        )
    return values


def project_environment(
    project_dir: Path, env_files: list[Path], environ: Mapping[str, str], report: Report
) -> dict[str, str]:
    """The variables used for interpolation: the process environment wins over `.env` files."""
    files = env_files or ([project_dir / ".env"] if is_file(project_dir / ".env") else [])
    merged: dict[str, str] = {}
    for file in files:
        values = read_env_file(file, {**merged, **environ}, report)
        merged.update({k: v for k, v in values.items() if v is not None})
    merged.update(environ)
    return merged
