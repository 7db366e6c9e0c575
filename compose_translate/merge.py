"""Merge several Compose files the way the Compose Specification's merge rules say.

Mappings merge key by key and scalars are replaced; sequences are appended,
except where a table below keyed by dotted path says otherwise (environment and
labels merge by variable name, volumes by target, `command` replaces, ...).
`!reset` removes what earlier files set; `!override` replaces without merging.
"""

from __future__ import annotations

from typing import Any, Callable

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
        stripped = [strip_tags(v) for v in value]
        if all(new is old for new, old in zip(stripped, value)):
            return value
        kept = [(v, value.loc_of(i)) for i, v in enumerate(stripped) if v is not _DELETE]
        return YList([v for v, _ in kept], loc=value.loc, item_locs=[loc for _, loc in kept])
    return value


def merge_files(documents: list[YMap]) -> YMap:
    result = strip_tags(documents[0])
    if result is _DELETE:  # pragma: no cover - a top-level document is never tagged
        result = YMap()
    for doc in documents[1:]:
        result = _merge(result, doc, ())
    return result


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
    return YList(list(base) + list(over), loc=getattr(base, "loc", None) or getattr(over, "loc", None),
                 item_locs=_locs(base) + _locs(over))


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
        over_m = list_to_map(strip_tags(over), separator=separator, default=default)
        if isinstance(base_m, dict) and isinstance(over_m, dict):
            return _merge_maps(base_m, over_m, path)
        return over_m

    return rule


def _replace(base: Any, over: Any, path: Path) -> Any:
    return strip_tags(over)


def _unique_by(key_of: Callable[[Any], Any]) -> Callable:
    """Append, and let an entry of the later file replace an earlier one with the same key."""

    def rule(base: Any, over: Any, path: Path) -> Any:
        over = strip_tags(over)
        if isinstance(base, str):
            base = YList([base])
        if isinstance(over, str):
            over = YList([over])
        if not (isinstance(base, list) and isinstance(over, list)):
            return over
        merged: dict[Any, tuple[Any, Any]] = {}
        for item, loc in zip(list(base) + list(over), _locs(base) + _locs(over)):
            merged.pop(_safe_key(key_of, item), None)
            merged[_safe_key(key_of, item)] = (item, loc)
        values = list(merged.values())
        return YList([v for v, _ in values], loc=getattr(base, "loc", None), item_locs=[loc for _, loc in values])

    return rule


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


def _source(item: Any) -> Any:
    return item.get("source") if isinstance(item, dict) else str(item)


def _build(base: Any, over: Any, path: Path) -> Any:
    as_map = lambda b: YMap({"context": b}, loc=None, key_locs={}) if isinstance(b, str) else b  # noqa: E731
    base_m, over_m = as_map(base), as_map(strip_tags(over))
    if isinstance(base_m, dict) and isinstance(over_m, dict):
        return _merge_maps(base_m, over_m, path)
    return over_m


def _depends_on(base: Any, over: Any, path: Path) -> Any:
    def as_map(value: Any) -> Any:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return YMap({v: YMap({"condition": "service_started"}) for v in value}, loc=getattr(value, "loc", None),
                        key_locs={v: value.loc_of(i) for i, v in enumerate(value)} if isinstance(value, YList) else {})
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
    _S + ("extra_hosts",): _by_map(separator=":"),
    _S + ("build",): _build,
    _S + ("build", "args"): _by_map(),
    _S + ("build", "labels"): _by_map(),
    _S + ("deploy", "labels"): _by_map(),
    _S + ("models",): _by_map(default=None),
    _S + ("networks",): _by_map(default=None),
    _S + ("depends_on",): _depends_on,
    _S + ("command",): _replace,
    _S + ("entrypoint",): _replace,
    _S + ("healthcheck", "test"): _replace,
    _S + ("ports",): _unique_by(_identity),
    _S + ("expose",): _unique_by(_identity),
    _S + ("volumes",): _unique_by(_volume_target),
    _S + ("devices",): _unique_by(_volume_target),
    _S + ("secrets",): _unique_by(_source),
    _S + ("configs",): _unique_by(_source),
    _S + ("env_file",): _unique_by(lambda i: i.get("path") if isinstance(i, dict) else str(i)),
    _S + ("profiles",): _unique_by(_identity),
    _S + ("dns",): _unique_by(_identity),
    _S + ("dns_search",): _unique_by(_identity),
    _S + ("dns_opt",): _unique_by(_identity),
    _S + ("cap_add",): _unique_by(_identity),
    _S + ("cap_drop",): _unique_by(_identity),
    _S + ("security_opt",): _unique_by(_identity),
    _S + ("tmpfs",): _unique_by(_identity),
    _S + ("external_links",): _unique_by(_identity),
    _S + ("links",): _unique_by(_identity),
    _S + ("volumes_from",): _unique_by(_identity),
    _S + ("group_add",): _unique_by(_identity),
    ("models", "*", "runtime_flags"): _replace,
    ("models", "*", "labels"): _by_map(),
}


def _rule_for(path: Path) -> Callable | None:
    if len(path) < 2:
        return None
    key = path[:1] + ("*",) + path[2:]
    return _RULES.get(key)
