"""What identifies an entry of a list Compose keeps unique (compose-go's override/uncity.go), and the
list <-> map forms the merge rules convert between."""

from __future__ import annotations

from typing import Any, Callable

from compose_translate.errors import Loc
from compose_translate.yaml_source import YList, YMap


def locations(items: list[Any]) -> list[Any]:
    """The source line of each list item, or the list's own for all."""
    return list(getattr(items, "item_locs", [getattr(items, "loc", None)] * len(items)))


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


def unique(items: YList, key_of: Callable[[Any], Any]) -> YList:
    """A list with later items replacing earlier ones of the same key, in first-seen order, as compose-go merges
    ports, volumes and the like."""
    positions: dict[Any, int] = {}
    values: list[Any] = []
    locs: list[Loc | None] = []
    for item, loc in zip(items, locations(items), strict=False):  # a location list may be shorter
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
        key = key_of(item)
        hash(key)  # a list or mapping where a name belongs (`target: [x]`) is not a key
        return key
    except Exception:  # noqa: BLE001 - a malformed item keeps its own identity; validation reports it
        return ("raw", repr(item))


def identity(item: Any) -> Any:
    """An item as its own merge key."""
    return repr(item) if isinstance(item, (dict, list)) else str(item)


def volume_target(item: Any) -> Any:
    """A mount's merge key: its target path, in short or long syntax."""
    if isinstance(item, dict):
        return item.get("target")
    parts = str(item).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def mount_target(default_dir: str) -> Callable[[Any], Any]:
    """Secrets and configs are one per target path (`/run/secrets/<name>` or `/<name>` by default)."""

    def key(item: Any) -> Any:
        if isinstance(item, dict):
            return item.get("target") or f"{default_dir}/{item.get('source')}"
        return f"{default_dir}/{item}"

    return key


def key_before_equals(item: Any) -> Any:
    """`KEY=value` items merge by KEY."""
    return str(item).split("=", 1)[0]


def port_key(item: Any) -> Any:
    """A port's merge key: host IP, published and target port, protocol."""
    if isinstance(item, dict):
        return (
            f"{item.get('host_ip', '0.0.0.0')}:{item.get('published')}:{item.get('target')}/"
            f"{item.get('protocol', 'tcp')}"
        )
    return str(item)


def device_target(item: Any) -> Any:
    """A device's merge key: its path in the container."""
    if isinstance(item, dict):
        return item.get("target")
    parts = str(item).split(":")
    return parts[1] if len(parts) > 1 else parts[0]


def as_sequence(value: Any) -> Any:
    """compose-go's convertIntoSequence: a mapping becomes sorted `key=value` strings (bare keys alone)."""
    if isinstance(value, dict):
        items = []
        for key, item in value.items():
            if item is None:
                items.append(str(key))
            elif isinstance(item, list):
                items.extend(f"{key}={v}" for v in item)
            else:
                items.append(f"{key}={as_text(item)}")
        return YList(sorted(items), loc=getattr(value, "loc", None))
    if isinstance(value, str):
        return YList([value])
    return value


def as_text(value: Any) -> str:
    """A scalar as Compose writes it (booleans lower case)."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)
