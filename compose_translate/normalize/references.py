"""What a service refers to: dependencies, secrets and configs, volumes, networks."""

from __future__ import annotations

import re
from typing import Any

from compose_translate.errors import KeyPath, did_you_mean
from compose_translate.normalize.context import (
    _MOUNT_KEYS,
    _MOUNT_TYPES,
    _check,
    _Ctx,
    _loc,
    _short,
)
from compose_translate.normalize.project import Dependency, FileRef, Mount
from compose_translate.values import env_value, parse_bool
from compose_translate.yaml_source import YMap


def _depends_on(ctx: _Ctx, raw: Any, where: KeyPath, services: dict[str, Any]) -> dict[str, Dependency]:
    """`depends_on` as a list or mapping, each dependency a known service with a known condition; `required` cast
    after interpolation."""
    if raw is None:
        return {}
    entries = (
        YMap(
            {v: {"condition": "service_started"} for v in raw},
            loc=_loc(raw),
            key_locs={v: _loc(raw, i) for i, v in enumerate(raw)},
        )
        if isinstance(raw, list)
        else raw
    )
    if not isinstance(entries, dict):
        ctx.error(f"expected a list or mapping of services, got {_short(raw)}", where.at(_loc(raw)))
        return {}
    result: dict[str, Dependency] = {}
    for name, spec in entries.items():
        entry = where.key(name, entries)
        if name not in services:
            ctx.error(
                f'depends on undefined service "{name}"',
                entry,
                hint=did_you_mean(str(name), services) or "defined services: " + ", ".join(sorted(services)),
            )
            continue
        spec = spec if isinstance(spec, dict) else {}
        ctx.unknown_keys(spec, ("condition", "required", "restart"), entry, "a dependency")
        condition = spec.get("condition", "service_started")
        if condition not in ("service_started", "service_healthy", "service_completed_successfully"):
            ctx.error(
                f'unknown condition "{condition}"',
                entry.key("condition", spec),
                hint="use service_started, service_healthy or service_completed_successfully",
            )
            continue
        flags: dict[str, bool | None] = {}
        for flag, default in (("required", True), ("restart", None)):
            value = spec.get(flag, default)
            try:  # cast after interpolation, as compose-go does: `required: ${REQ}` with REQ=false is false
                flags[flag] = parse_bool(value) if value is not None else None
            except ValueError:
                ctx.error(f"{flag} must be true or false, got {_short(value)}", entry.key(flag, spec))
        if len(flags) < 2:
            continue
        result[str(name)] = Dependency(
            condition=condition, required=flags["required"] is not False, restart=flags["restart"]
        )
    return dict(sorted(result.items()))


def _file_refs(
    ctx: _Ctx, raw: list[Any], where: KeyPath, defined: dict[str, Any], target_base: str
) -> tuple[FileRef, ...]:
    """A service's `secrets:` or `configs:`, short or long syntax, each naming a defined one."""
    what = where.path.rsplit(".", 1)[-1]
    refs = []
    for i, item in enumerate(raw):
        item_where = where.item(i, raw)
        if isinstance(item, str):
            item = {"source": item}
        if not isinstance(item, dict) or not isinstance(item.get("source"), str):
            ctx.error(f"expected a {what[:-1]} name or {{source, target}}", item_where)
            continue
        ctx.unknown_keys(item, ("source", "target", "uid", "gid", "mode"), item_where, f"a {what[:-1]} reference")
        source = item["source"]
        if source not in defined:
            ctx.error(
                f'{what[:-1]} "{source}" is not defined (defined: {", ".join(sorted(defined)) or "none"})',
                item_where,
                hint=f"declare it under the top-level `{what}:`",
            )
            continue
        if not all(
            _check(ctx, "string" if key == "target" else "scalar", item[key], item_where.key(key, item))
            for key in ("target", "uid", "gid")
            if item.get(key) is not None
        ):
            continue
        target = str(item.get("target") or source)
        if not target.startswith("/"):
            target = target_base + target
        mode = _file_mode(ctx, item.get("mode"), item_where.key("mode"))
        refs.append(
            FileRef(
                source=source, target=target, uid=env_value(item.get("uid")), gid=env_value(item.get("gid")), mode=mode
            )
        )
    return tuple(refs)


def _file_mode(ctx: _Ctx, mode: Any, where: KeyPath) -> int | None:
    """A file mode as compose-go reads it: a YAML number (0440 and 0o440 are octal) or an octal string."""
    if mode is None:
        return None
    if isinstance(mode, int) and not isinstance(mode, bool) and 0 <= mode <= 0o7777:
        return mode
    if isinstance(mode, str) and re.fullmatch(r"(?:0o)?[0-7]{1,5}", mode.strip()):
        value = int(mode.strip().removeprefix("0o"), 8)
        if value <= 0o7777:
            return value
    ctx.error(
        f"expected a file mode such as 0440, got {_short(mode)}", where, hint="write the mode in octal, e.g. 0440"
    )
    return None


def _mounts(ctx: _Ctx, raw: list[Any], where: KeyPath, volumes: dict[str, Any]) -> tuple[Mount, ...]:
    """`volumes:` of a service in short or long syntax, checked as compose-go checks them (sources, targets,
    colons, tmpfs sizes)."""
    mounts = []
    for i, item in enumerate(raw):
        item_where = where.item(i, raw)
        if isinstance(item, str):
            parts = item.split(":")
            if len(parts) > 3 or (len(parts) > 1 and "" in parts):
                problem = "too many colons" if len(parts) > 3 else "an empty section between colons"
                ctx.error(
                    f'invalid volume "{item[:80]}": {problem}',
                    item_where,
                    hint="write SOURCE:TARGET[:MODE], e.g. data:/var/lib/data or ./src:/src:ro",
                )
                continue
            if len(parts) == 1:
                mounts.append(Mount(type="volume", target=parts[0]))
                continue
            source, target = parts[0], parts[1]
            mode = parts[2] if len(parts) > 2 else ""
            kind = "bind" if source[:1] in ("/", ".", "~") else "volume"
            mount = Mount(type=kind, source=source, target=target, read_only="ro" in mode.split(","))
        elif isinstance(item, dict):
            ctx.unknown_keys(item, _MOUNT_KEYS, item_where, "a volume mount")
            if item.get("type") not in _MOUNT_TYPES or not isinstance(item.get("target"), str):
                ctx.error(f"a long-form mount needs type ({', '.join(_MOUNT_TYPES)}) and target", item_where)
                continue
            sub: dict[str, Any] = item["volume"] if isinstance(item.get("volume"), dict) else {}
            fields = {"source": item.get("source"), "subpath": sub.get("subpath")}
            if not all(
                _check(ctx, "string", value, item_where.key(key, item))
                for key, value in fields.items()
                if value is not None
            ):
                continue
            if item["type"] == "bind" and not item.get("source"):
                ctx.error("a bind mount needs a source", item_where, hint="give `source:` the host path")
                continue
            size = (item.get("tmpfs") or {}).get("size") if isinstance(item.get("tmpfs"), dict) else None
            if isinstance(size, (int, float)) and not isinstance(size, bool) and (size < 0 or size != int(size)):
                ctx.error(
                    f"tmpfs size {size} is not a whole, positive number of bytes",
                    item_where.key("tmpfs", item),
                    hint="write a size in bytes or with a unit, e.g. 64m",
                )
                continue
            mount = Mount(
                type=item["type"],
                source=item.get("source"),
                target=item["target"],
                read_only=item.get("read_only") in (True, "true"),
                subpath=sub.get("subpath"),
            )
        else:
            ctx.error(f'expected a mount such as "data:/var/lib/data", got {_short(item)}', item_where)
            continue
        if mount.type == "volume" and mount.source and mount.source not in volumes:
            ctx.error(
                f'named volume "{mount.source}" is not defined (defined: {", ".join(sorted(volumes)) or "none"})',
                item_where,
                hint="declare it under the top-level `volumes:`",
            )
            continue
        mounts.append(mount)
    seen: dict[str, int] = {}
    for i, mount in enumerate(mounts):
        if mount.target in seen:
            ctx.error(
                f"two mounts at {mount.target}",
                where,
                hint="give each volume, bind and tmpfs its own target",
            )
        seen.setdefault(mount.target, i)
    return tuple(mounts)


def _networks(ctx: _Ctx, raw: Any, where: KeyPath, networks: dict[str, Any]) -> tuple[str, ...]:
    if raw is None:
        return ("default",)
    if not isinstance(raw, (list, dict)):
        ctx.error(f"expected a list or mapping of networks, got {_short(raw)}", where)
        return ()
    names = list(raw)
    for name in names:
        if name != "default" and name not in networks:
            ctx.error(
                f'network "{name}" is not defined (defined: {", ".join(sorted(networks)) or "none"})',
                # a list names its networks where the list starts
                where.key(name).at(_loc(raw, name) if isinstance(raw, dict) else _loc(raw)),
                hint="declare it under the top-level `networks:`",
            )
    return tuple(sorted(str(n) for n in names))
