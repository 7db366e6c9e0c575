"""`env_file` and `environment`, merged as Compose merges them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from compose_translate.errors import ComposeError, KeyPath, NumericKeyLoc
from compose_translate.load.envfiles import read_env_file
from compose_translate.normalize.context import (
    _bool_or_error,
    _Ctx,
    _to_map,
)
from compose_translate.values import env_value, is_file


def _environment(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> dict[str, str]:
    """env_file values first, then `environment` over them; a bare NAME takes the shell's value."""
    result: dict[str, str] = {}
    env_files = raw.get("env_file")
    entries = [env_files] if isinstance(env_files, str) else (env_files or [])
    for i, entry in enumerate(entries):
        entry_where = where.key("env_file", raw).item(i)  # located at `env_file:`
        required, fmt = True, None
        if isinstance(entry, dict):
            ctx.unknown_keys(entry, ("path", "required", "format"), entry_where, "an env_file entry")
            required = _bool_or_error(ctx, entry.get("required", True), entry_where.key("required"))
            fmt, entry = entry.get("format"), entry.get("path")
        if not isinstance(entry, str):
            ctx.error("an env_file entry needs a path", entry_where)
            continue
        file = Path(entry)
        if file.is_dir():
            ctx.error(f"env file {file} is a folder", entry_where, hint="name the file inside it")
            continue
        if not is_file(file):
            if required:
                ctx.error(
                    f"env file not found: {file}",
                    entry_where,
                    hint="create it, or use `- path: ...` with `required: false`",
                )
            continue
        try:
            values = read_env_file(
                file, ctx.env, ctx.report, raw=fmt == "raw", ref_path=entry_where.path, ref_loc=entry_where.loc
            )
        except ComposeError as exc:
            ctx.report.add(exc)
            continue
        result.update({k: v for k, v in values.items() if v is not None})
    environment = raw.get("environment")
    if environment is not None:
        as_map = _to_map(environment, where.key("environment").path)
        numeric = [
            k
            for k in as_map
            if not isinstance(k, str) or isinstance(getattr(as_map, "key_locs", {}).get(k), NumericKeyLoc)
        ]
        for key in numeric:  # `environment: {1: FOO}`: compose-go refuses a key that is a number
            ctx.error(
                f"environment variable name {key} is a number, not a string",
                where.key("environment", raw).key(key, as_map),
                hint=f'quote it: "{key}":',
            )
        as_map = {k: v for k, v in as_map.items() if k not in numeric}
        for key, value in as_map.items():
            value = env_value(value)
            if value is None:
                if key in ctx.env:
                    result[str(key)] = ctx.env[key]
                else:
                    result.pop(str(key), None)
                    ctx.warn(
                        f'"{key}" takes its value from the environment, where it is not set; the variable is left out',
                        where.key("environment", raw).key(key, as_map),
                        hint=f"set {key} where you run the deployment, or give it a value",
                    )
            else:
                result[str(key)] = value
    return dict(sorted(result.items()))
