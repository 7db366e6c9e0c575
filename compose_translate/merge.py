"""Merge several Compose files the way the Compose Specification's merge rules say.

Mappings merge key by key and scalars are replaced; sequences are appended,
except where a table below keyed by dotted path says otherwise (environment and
labels merge by variable name, volumes by target, `command` replaces, ...).
`!reset` removes what earlier files set; `!override` replaces without merging.
"""

from __future__ import annotations

from typing import Any, Callable

from .errors import Loc
from .yaml_source import Override, Reset, YList, YMap

_DELETE = object()
Path = tuple[str, ...]


def strip_tags(value: Any) -> Any:
    """Resolve tags in a value that has nothing beneath it to merge with."""
    if isinstance(value, Override):
        return strip_tags(value.value)
    if isinstance(value, Reset):
        return _DELETE
    if isinstance(value, YMap):
        stripped = {key: strip_tags(item) for key, item in value.items()}
        if all(stripped[key] is item for key, item in value.items()):
            return value  # nothing tagged beneath: no copy
        out = YMap(loc=value.loc)
        for key, item in stripped.items():
            if item is not _DELETE:
                out[key] = item
                out.key_locs[key] = value.loc_of(key)
        return out
    if isinstance(value, YList):
        stripped_items = [strip_tags(v) for v in value]
        if all(new is old for new, old in zip(stripped_items, value, strict=True)):
            return value
        kept = [(v, value.loc_of(i)) for i, v in enumerate(stripped_items) if v is not _DELETE]
        return YList([v for v, _ in kept], loc=value.loc, item_locs=[loc for _, loc in kept])
    return value


def merge_files(documents: list[YMap]) -> YMap:
    result = strip_tags(documents[0])
    if result is _DELETE:  # pragma: no cover - a top-level document is never tagged
        result = YMap()
    for doc in documents[1:]:
        result = _merge(result, doc, ())
    _enforce_unique(result)
    return result


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


def _merge(base: Any, over: Any, path: Path) -> Any:
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


def _merge_maps(base: dict, over: dict, path: Path) -> YMap:
    base_locs = getattr(base, "key_locs", {})
    over_locs = getattr(over, "key_locs", {})
    result = YMap(base, loc=getattr(base, "loc", None) or getattr(over, "loc", None), key_locs=base_locs)
    for key, value in over.items():
        merged = _merge(result[key], value, path + (str(key),)) if key in result else strip_tags(value)
        if merged is _DELETE:
            result.pop(key, None)
            result.key_locs.pop(key, None)
        else:
            result[key] = merged
            if key in over_locs:
                result.key_locs[key] = over_locs[key]
    return result


def _append(base: list, over: list) -> YList:
    return YList(
        list(base) + list(over),
        loc=getattr(base, "loc", None) or getattr(over, "loc", None),
        item_locs=_locs(base) + _locs(over),
    )


def _locs(items: list) -> list:
    return list(getattr(items, "item_locs", [getattr(items, "loc", None)] * len(items)))


# -- list <-> map forms ------------------------------------------------------------------------


def list_to_map(value: Any, *, separator: str = "=", default: Any = None) -> Any:
    """`["A=1", "B"]` -> `{"A": "1", "B": None}`; anything else is returned unchanged."""
    if not isinstance(value, list):
        return value
    result = YMap(loc=getattr(value, "loc", None))
    for index, item in enumerate(value):
        if not isinstance(item, str):
            return value  # wrong type: left for validation to report with its location
        key, sep, val = item.partition(separator)
        result[key] = val if sep else default
        result.key_locs[key] = value.loc_of(index) if isinstance(value, YList) else None
    return result


def _by_map(separator: str = "=", default: Any = None) -> Callable:
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


def _unique_by(key_of: Callable[[Any], Any]) -> Callable:
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
            YList(list(base) + list(over), loc=getattr(base, "loc", None), item_locs=_locs(base) + _locs(over)), key_of
        )

    return rule


def unique(items: YList, key_of: Callable[[Any], Any]) -> YList:
    positions: dict[Any, int] = {}
    values: list[Any] = []
    locs: list[Loc | None] = []
    for item, loc in zip(items, _locs(items), strict=False):  # a location list may be shorter
        key = _safe_key(key_of, item)
        if key in positions:
            values[positions[key]], locs[positions[key]] = item, loc
        else:
            positions[key] = len(values)
            values.append(item)
            locs.append(loc)
    return YList(values, loc=getattr(items, "loc", None), item_locs=locs)


def _safe_key(key_of: Callable[[Any], Any], item: Any) -> Any:
    try:
        return key_of(item)
    except Exception:  # noqa: BLE001 - a malformed item keeps its own identity; validation reports it
        return ("raw", repr(item))


def _identity(item: Any) -> Any:
    return repr(item) if isinstance(item, (dict, list)) else str(item)


def _volume_target(item: Any) -> Any:
    if isinstance(item, dict):
        return item.get("target")
    parts = str(item).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def _mount_target(default_dir: str) -> Callable[[Any], Any]:
    """Secrets and configs are one per target path (`/run/secrets/<name>` or `/<name>` by default)."""

    def key(item: Any) -> Any:
        if isinstance(item, dict):
            return item.get("target") or f"{default_dir}/{item.get('source')}"
        return f"{default_dir}/{item}"

    return key


def _key_before_equals(item: Any) -> Any:
    return str(item).split("=", 1)[0]


def _port_key(item: Any) -> Any:
    if isinstance(item, dict):
        return (
            f"{item.get('host_ip', '0.0.0.0')}:{item.get('published')}:{item.get('target')}/"
            f"{item.get('protocol', 'tcp')}"
        )
    return str(item)


def _device_target(item: Any) -> Any:
    if isinstance(item, dict):
        return item.get("target")
    parts = str(item).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def _as_sequence(value: Any) -> Any:
    """compose-go's convertIntoSequence: a mapping becomes sorted `key=value` strings (bare keys alone)."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if item is None:
                items.append(str(key))
            elif isinstance(item, list):
                items.extend(f"{key}={v}" for v in item)
            else:
                items.append(f"{key}={_text(item)}")
        return YList(sorted(items), loc=getattr(value, "loc", None))
    if isinstance(value, str):
        return YList([value])
    return value


def _text(value: Any) -> str:
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _extra_hosts(base: Any, over: Any, path: Path) -> Any:
    """Hosts from both, the later file's only when not already there (compose-go's mergeExtraHosts)."""
    base_s, over_s = _as_sequence(base), _as_sequence(strip_tags(over))
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
    as_map = lambda b: YMap({"context": b}, loc=None, key_locs={}) if isinstance(b, str) else b  # noqa: E731
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
_RULES: dict[Path, Callable] = {
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
    _S + ("build", "platforms"): _unique_by(_identity),
    _S + ("build", "platform"): _unique_by(_identity),  # compose-go keeps this one unique too (uncity.go)
    _S + ("build", "tags"): _unique_by(_identity),
    _S + ("deploy", "labels"): _by_map(),
    _S + ("models",): _by_map(default=None),
    _S + ("networks",): _by_map(default=None),
    _S + ("networks", "*", "aliases"): _unique_by(_identity),
    _S + ("networks", "*", "link_local_ips"): _unique_by(_identity),
    _S + ("depends_on",): _depends_on,
    _S + ("command",): _replace,
    _S + ("entrypoint",): _replace,
    _S + ("healthcheck", "test"): _replace,
    _S + ("logging",): _logging,
    _S + ("ulimits", "*"): _replace,
    _S + ("ports",): _unique_by(_port_key),
    _S + ("expose",): _unique_by(_identity),
    _S + ("volumes",): _unique_by(_volume_target),
    _S + ("devices",): _unique_by(_device_target),
    _S + ("secrets",): _unique_by(_mount_target("/run/secrets")),
    _S + ("configs",): _unique_by(_mount_target("")),
    _S + ("env_file",): _unique_by(lambda i: i.get("path") if isinstance(i, dict) else str(i)),
    _S + ("label_file",): _unique_by(_identity),
    _S + ("profiles",): _unique_by(_identity),
    _S + ("dns",): _unique_by(_identity),
    _S + ("dns_search",): _unique_by(_identity),
    _S + ("dns_opt",): _unique_by(_identity),
    _S + ("cap_add",): _unique_by(_identity),
    _S + ("cap_drop",): _unique_by(_identity),
    _S + ("security_opt",): _unique_by(_identity),
    _S + ("tmpfs",): _unique_by(_identity),
    _S + ("external_links",): _unique_by(_identity),
    _S + ("links",): _unique_by(_key_before_equals),
    _S + ("volumes_from",): _unique_by(_identity),
    _S + ("group_add",): _unique_by(_identity),
    ("networks", "*", "labels"): _by_map(),
    ("networks", "*", "ipam", "config"): _ipam_config,
    ("volumes", "*", "labels"): _by_map(),
    ("models", "*", "runtime_flags"): _replace,
    ("models", "*", "labels"): _by_map(),
}


# Lists kept unique by these keys (the same as the merge rules above use).
_UNIQUE: dict[str, Callable[[Any], Any]] = {
    "ports": _port_key,
    "expose": _identity,
    "volumes": _volume_target,
    "devices": _device_target,
    "secrets": _mount_target("/run/secrets"),
    "configs": _mount_target(""),
    "env_file": lambda i: i.get("path") if isinstance(i, dict) else str(i),
    "profiles": _identity,
    "dns": _identity,
    "cap_add": _identity,
    "cap_drop": _identity,
    "tmpfs": _identity,
    "links": _key_before_equals,
}


def _rule_for(path: Path) -> Callable | None:
    if len(path) < 2:
        return None
    key = path[:1] + ("*",) + path[2:]
    if key in _RULES:
        return _RULES[key]
    if len(path) >= 4:  # services.*.networks.*.aliases, services.*.ulimits.*
        starred = key[:3] + ("*",) + key[4:]
        return _RULES.get(starred)
    return None
