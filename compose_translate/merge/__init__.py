"""Merge several Compose files the way the Compose Specification's merge rules say.

Mappings merge key by key and scalars are replaced; sequences are appended,
except where a table below keyed by dotted path says otherwise (environment and
labels merge by variable name, volumes by target, `command` replaces, ...).
`!reset` removes what earlier files set; `!override` replaces without merging.
"""

from __future__ import annotations

from typing import Any, Callable

from compose_translate.merge.keys import (
    as_sequence,
    device_target,
    identity,
    key_before_equals,
    list_to_map,
    locations,
    mount_target,
    port_key,
    unique,
    volume_target,
)
from compose_translate.yaml_source import SCALARS, Override, Reset, YList, YMap

_DELETE = object()
Path = tuple[str, ...]


def strip_tags(value: Any) -> Any:
    """Resolve tags in a value that has nothing beneath it to merge with."""
    if isinstance(value, Override):
        return strip_tags(value.value)
    if isinstance(value, Reset):
        return _DELETE
    if isinstance(value, YMap):
        changed = _changed(value.items())
        if not changed:
            return value  # nothing tagged beneath: no copy
        out = YMap(loc=value.loc)
        for key, item in value.items():
            item = changed.get(key, item)
            if item is not _DELETE:
                out[key] = item
                out.key_locs[key] = value.loc_of(key)
        return out
    if isinstance(value, YList):
        changed = _changed(enumerate(value))
        if not changed:
            return value
        kept = [(changed.get(i, v), value.loc_of(i)) for i, v in enumerate(value) if changed.get(i) is not _DELETE]
        return YList([v for v, _ in kept], loc=value.loc, item_locs=[loc for _, loc in kept])
    return value


def _changed(entries: Any) -> dict[Any, Any]:
    """The entries (key or index, value) whose value has tags beneath it, stripped; most have none, and a scalar
    never has: those are stepped over without a call or a copy."""
    changed: dict[Any, Any] = {}
    for where, item in entries:
        if type(item) not in SCALARS:  # nothing beneath to strip
            stripped = strip_tags(item)
            if stripped is not item:
                changed[where] = stripped
    return changed


def merge_files(documents: list[YMap]) -> YMap:
    """Later files over earlier ones by docker compose's merge rules; `!reset`/`!override` honoured, then lists
    that must be unique checked."""
    result = strip_tags(documents[0])
    if result is _DELETE:  # pragma: no cover - a top-level document is never tagged
        result = YMap()
    for doc in documents[1:]:
        result = merge_values(result, doc, ())
    _enforce_unique(result)
    return result if isinstance(result, YMap) else YMap()


def _enforce_unique(document: YMap) -> None:
    """One entry per key in the lists compose-go keeps unique, within a file too (override/uncity.go)."""
    services = document.get("services")
    if not isinstance(services, dict):
        return
    for service in services.values():
        if not isinstance(service, dict):
            continue
        for key, key_of in _UNIQUE.items():
            if isinstance(service.get(key), YList):
                service[key] = unique(service[key], key_of)


def merge_values(base: Any, over: Any, path: Path) -> Any:
    """One value over another at `path`: the key's own rule (unique lists, mappings by key), else mappings merge
    and anything else is replaced."""
    if isinstance(over, Reset):
        return _DELETE
    if isinstance(over, Override):
        return strip_tags(over.value)
    rule = _rule_for(path)
    if rule is not None:
        return rule(base, over, path)
    if isinstance(base, dict) and isinstance(over, dict):
        return _merge_maps(base, over, path)
    if isinstance(base, list) and isinstance(over, list):
        return _append(base, strip_tags(over))
    return strip_tags(over)


def _merge_maps(base: dict[str, Any], over: dict[str, Any], path: Path) -> YMap:
    base_locs = getattr(base, "key_locs", {})
    over_locs = getattr(over, "key_locs", {})
    result = YMap(base, loc=getattr(base, "loc", None) or getattr(over, "loc", None), key_locs=base_locs)
    for key, value in over.items():
        merged = merge_values(result[key], value, path + (str(key),)) if key in result else strip_tags(value)
        if merged is _DELETE:
            result.pop(key, None)
            result.key_locs.pop(key, None)
        else:
            result[key] = merged
            if key in over_locs:
                result.key_locs[key] = over_locs[key]
    return result


def _append(base: list[Any], over: list[Any]) -> YList:
    return YList(
        list(base) + list(over),
        loc=getattr(base, "loc", None) or getattr(over, "loc", None),
        item_locs=locations(base) + locations(over),
    )


# -- list <-> map forms ------------------------------------------------------------------------


def _by_map(separator: str = "=", default: Any = None) -> Callable[..., Any]:
    def rule(base: Any, over: Any, path: Path) -> Any:
        base_m = list_to_map(base, separator=separator, default=default)
        # a mapping keeps its tags, so `FOO: !reset` removes FOO when merged
        over_m = over if isinstance(over, dict) else list_to_map(strip_tags(over), separator=separator, default=default)
        if isinstance(base_m, dict) and isinstance(over_m, dict):
            return _merge_maps(base_m, over_m, path)
        return strip_tags(over_m)

    return rule


def _replace(base: Any, over: Any, path: Path) -> Any:
    return strip_tags(over)


def _unique_by(key_of: Callable[[Any], Any]) -> Callable[..., Any]:
    """Append, then keep one entry per key as compose-go's EnforceUnicity does (override/uncity.go):
    a later entry replaces an earlier one with the same key in the earlier one's place."""

    def rule(base: Any, over: Any, path: Path) -> Any:
        over = strip_tags(over)
        if isinstance(base, str):
            base = YList([base])
        if isinstance(over, str):
            over = YList([over])
        if not (isinstance(base, list) and isinstance(over, list)):
            return over
        return unique(
            YList(list(base) + list(over), loc=getattr(base, "loc", None), item_locs=locations(base) + locations(over)),
            key_of,
        )

    return rule


def _extra_hosts(base: Any, over: Any, path: Path) -> Any:
    """Hosts from both, the later file's only when not already there (compose-go's mergeExtraHosts)."""
    base_s, over_s = as_sequence(base), as_sequence(strip_tags(over))
    if not (isinstance(base_s, list) and isinstance(over_s, list)):
        return over_s
    added = [v for v in over_s if v not in base_s]
    return YList(list(base_s) + added, loc=getattr(base_s, "loc", None))


def _logging(base: Any, over: Any, path: Path) -> Any:
    """Another driver replaces the logging section; the same driver merges its options."""
    over = strip_tags(over)
    if (
        isinstance(base, dict)
        and isinstance(over, dict)
        and "driver" in base
        and "driver" in over
        and base["driver"] != over["driver"]
    ):
        return over
    if isinstance(base, dict) and isinstance(over, dict):
        return _merge_maps(base, over, path)
    return over


def _ipam_config(base: Any, over: Any, path: Path) -> Any:
    """IPAM pools merge by subnet (compose-go's mergeIPAMConfig)."""
    over = strip_tags(over)
    if not (isinstance(base, list) and isinstance(over, list)):
        return over
    merged: list[Any] = []
    for original in base:
        for entry in over:
            if isinstance(entry, dict) and isinstance(original, dict) and entry.get("subnet") != original.get("subnet"):
                if not any(isinstance(m, dict) and m.get("subnet") == entry.get("subnet") for m in merged):
                    merged.append(entry)
                continue
            combined = (
                _merge_maps(original, entry, path) if isinstance(original, dict) and isinstance(entry, dict) else entry
            )
            index = next(
                (
                    i
                    for i, m in enumerate(merged)
                    if isinstance(m, dict) and isinstance(combined, dict) and m.get("subnet") == combined.get("subnet")
                ),
                None,
            )
            if index is None:
                merged.append(combined)
            else:
                merged[index] = combined
    return YList(merged, loc=getattr(base, "loc", None))


def _build(base: Any, over: Any, path: Path) -> Any:
    def as_map(value: Any) -> Any:
        return YMap({"context": value}, loc=None, key_locs={}) if isinstance(value, str) else value

    base_m, over_m = as_map(base), as_map(strip_tags(over))
    if isinstance(base_m, dict) and isinstance(over_m, dict):
        return _merge_maps(base_m, over_m, path)
    return over_m


def _depends_on(base: Any, over: Any, path: Path) -> Any:
    def as_map(value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return YMap(
                {v: YMap({"condition": "service_started"}) for v in value},
                loc=getattr(value, "loc", None),
                key_locs={v: value.loc_of(i) for i, v in enumerate(value)} if isinstance(value, YList) else {},
            )
        return value

    base_m, over_m = as_map(base), as_map(strip_tags(over))
    if isinstance(base_m, dict) and isinstance(over_m, dict):
        return _merge_maps(base_m, over_m, path)
    return over_m


_S = ("services", "*")
_RULES: dict[Path, Callable[..., Any]] = {
    _S + ("environment",): _by_map(),
    _S + ("labels",): _by_map(),
    _S + ("annotations",): _by_map(),
    _S + ("sysctls",): _by_map(),
    _S + ("extra_hosts",): _extra_hosts,
    _S + ("build",): _build,
    _S + ("build", "args"): _by_map(),
    _S + ("build", "labels"): _by_map(),
    _S + ("build", "additional_contexts"): _by_map(),
    _S + ("build", "extra_hosts"): _extra_hosts,
    _S + ("build", "platforms"): _unique_by(identity),
    _S + ("build", "platform"): _unique_by(identity),  # compose-go keeps this one unique too (uncity.go)
    _S + ("build", "tags"): _unique_by(identity),
    _S + ("deploy", "labels"): _by_map(),
    _S + ("models",): _by_map(default=None),
    _S + ("networks",): _by_map(default=None),
    _S + ("networks", "*", "aliases"): _unique_by(identity),
    _S + ("networks", "*", "link_local_ips"): _unique_by(identity),
    _S + ("depends_on",): _depends_on,
    _S + ("command",): _replace,
    _S + ("entrypoint",): _replace,
    _S + ("healthcheck", "test"): _replace,
    _S + ("logging",): _logging,
    _S + ("ulimits", "*"): _replace,
    _S + ("ports",): _unique_by(port_key),
    _S + ("expose",): _unique_by(identity),
    _S + ("volumes",): _unique_by(volume_target),
    _S + ("devices",): _unique_by(device_target),
    _S + ("secrets",): _unique_by(mount_target("/run/secrets")),
    _S + ("configs",): _unique_by(mount_target("")),
    _S + ("env_file",): _unique_by(lambda i: i.get("path") if isinstance(i, dict) else str(i)),
    _S + ("label_file",): _unique_by(identity),
    _S + ("profiles",): _unique_by(identity),
    _S + ("dns",): _unique_by(identity),
    _S + ("dns_search",): _unique_by(identity),
    _S + ("dns_opt",): _unique_by(identity),
    _S + ("cap_add",): _unique_by(identity),
    _S + ("cap_drop",): _unique_by(identity),
    _S + ("security_opt",): _unique_by(identity),
    _S + ("tmpfs",): _unique_by(identity),
    _S + ("external_links",): _unique_by(identity),
    _S + ("links",): _unique_by(key_before_equals),
    _S + ("volumes_from",): _unique_by(identity),
    _S + ("group_add",): _unique_by(identity),
    ("networks", "*", "labels"): _by_map(),
    ("networks", "*", "ipam", "config"): _ipam_config,
    ("volumes", "*", "labels"): _by_map(),
    ("models", "*", "runtime_flags"): _replace,
    ("models", "*", "labels"): _by_map(),
}


# Lists kept unique by these keys (the same as the merge rules above use).
_UNIQUE: dict[str, Callable[[Any], Any]] = {
    "ports": port_key,
    "expose": identity,
    "volumes": volume_target,
    "devices": device_target,
    "secrets": mount_target("/run/secrets"),
    "configs": mount_target(""),
    "env_file": lambda i: i.get("path") if isinstance(i, dict) else str(i),
    "profiles": identity,
    "dns": identity,
    "cap_add": identity,
    "cap_drop": identity,
    "tmpfs": identity,
    "links": key_before_equals,
}


def _rule_for(path: Path) -> Callable[..., Any] | None:
    if len(path) < 2:
        return None
    key = path[:1] + ("*",) + path[2:]
    if key in _RULES:
        return _RULES[key]
    if len(path) >= 4:  # services.*.networks.*.aliases, services.*.ulimits.*
        starred = key[:3] + ("*",) + key[4:]
        return _RULES.get(starred)
    return None
