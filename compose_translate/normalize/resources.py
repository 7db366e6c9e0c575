"""Top-level secrets, configs, volumes and networks."""

from __future__ import annotations

from typing import Any

from pydantic import SecretStr

from compose_translate.errors import KeyPath
from compose_translate.normalize.context import (
    _SECRET_KEYS,
    _Ctx,
    _loc,
    _short,
)
from compose_translate.normalize.project import Resource
from compose_translate.values import is_file, read_bounded
from compose_translate.yaml_source import YMap, plain


def _resources(ctx: _Ctx, section: str, entries: dict[str, Any]) -> dict[str, Resource]:
    """Top-level `volumes:`, `networks:`, `secrets:` or `configs:` entries, external or defined here."""
    result = {}
    for name, raw in entries.items():
        where = KeyPath(section).key(name, entries)
        loc = where.loc
        if raw is None:
            raw = YMap(loc=loc)
        if not isinstance(raw, dict):
            ctx.error(f"expected a mapping, got {_short(raw)}", where)
            continue
        if section in ("networks", "volumes") and raw.get("external") not in (None, False, "false"):
            for option in ("driver", "driver_opts", "ipam") if section == "networks" else ("driver", "driver_opts"):
                if raw.get(option):
                    ctx.error(
                        f'"external" and "{option}" cannot both be set: an external {section[:-1]} exists already',
                        where.key(option, raw),
                        hint=f"remove {option}, or remove external to create the {section[:-1]}",
                    )
        if section in ("secrets", "configs"):
            ctx.unknown_keys(raw, _SECRET_KEYS, where, f"a top-level {section[:-1]}")
            external = raw.get("external")
            if isinstance(external, dict) and external.get("name") and raw.get("name"):
                ctx.error(
                    f"an external {section[:-1]} named both by `name` and by `external.name`",
                    where.key("external", raw),
                    hint="keep `name:` (external.name is its old spelling)",
                )
                continue
            sources = [
                k for k in ("file", "environment", "content", "external") if k in raw and raw[k] not in (None, False)
            ]
            if section == "secrets" and "content" in raw:
                ctx.error(
                    "a secret cannot have `content`; only configs can",
                    where.key("content", raw),
                    hint="put the value in a file (`file:`) or a variable (`environment:`)",
                )
            if len(sources) != 1:
                ctx.error(
                    f"a {section[:-1]} needs exactly one of file, environment"
                    f"{', content' if section == 'configs' else ''} or external",
                    where,
                )
                continue
        spec = {k: plain(v) for k, v in raw.items() if k != "content"}
        if "content" in raw:
            spec["content"] = True  # the value itself is only in `value`, which is never printed
        result[str(name)] = Resource(
            name=str(name),
            kind=section[:-1],
            spec=spec,
            loc=loc,
            value=_resource_value(ctx, raw, where),
            key_locs={str(k): _loc(raw, k) for k in raw},
        )
    return result


def _resource_value(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> SecretStr | None:
    """The content of a secret or config when it is available now (a missing one was warned about)."""
    if "content" in raw:
        return SecretStr(str(raw["content"]))
    if "environment" in raw and str(raw["environment"]) in ctx.env:
        return SecretStr(ctx.env[str(raw["environment"])])
    if "file" in raw and is_file(str(raw["file"])):
        try:
            return SecretStr(read_bounded(str(raw["file"]), "file"))
        except ValueError as exc:  # outside the project, not a regular file, too large
            ctx.error(str(exc), where.key("file", raw), hint="keep the file in the project")
        except (OSError, UnicodeDecodeError) as exc:
            ctx.error(
                f"cannot read {raw['file']} as UTF-8 text: {exc}",
                where.key("file", raw),
                hint="binary secret files are not supported; store them base64-encoded",
            )
    return None


# -- models --------------------------------------------------------------------------------------
