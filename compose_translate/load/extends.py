"""`extends`: a service built on another one, from the same file or another, resolved per file before the merge."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from compose_translate.errors import KeyPath, Report, fail
from compose_translate.interpolate import interpolate_tree
from compose_translate.load.paths import resolve_paths
from compose_translate.merge import merge_values, strip_tags
from compose_translate.yaml_source import YMap, read_yaml


def apply_extends(document: YMap, env: Mapping[str, str], report: Report, file: Path | None = None) -> None:
    """Replace every service that `extends` another by the merge of the two, in place."""
    services = document.get("services")
    if not isinstance(services, YMap):
        return
    cache: dict[Path, YMap] = {}
    resolved: dict[tuple[str, str], YMap] = {}
    for name in list(services):
        services[name] = _resolve_extends(services, name, file, env, report, cache, resolved, ())


def _resolve_extends(
    services: YMap,
    name: str,
    file: Path | None,
    env: Mapping[str, str],
    report: Report,
    cache: dict[Path, YMap],
    resolved: dict[tuple[str, str], YMap],
    chain: tuple[tuple[str, str], ...],
) -> Any:
    """One service with its `extends` chain resolved (from this file or another, cycles refused), cached per (file,
    service)."""
    key = (str(file), name)
    if key in resolved:
        return resolved[key]
    service = services.get(name)
    if not isinstance(service, YMap) or "extends" not in service:
        return service
    where = KeyPath("services").key(name).key("extends", service)
    if key in chain:
        raise fail(f"extends cycle: {' -> '.join(n for _, n in chain + (key,))}", where)
    spec = service["extends"]
    if isinstance(spec, str):
        spec = {"service": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("service"), str):
        raise fail("extends must be a service name or {service, file}", where)
    base_file = Path(spec["file"]) if isinstance(spec.get("file"), str) else file
    if base_file is not None and base_file != file:
        if base_file not in cache:
            doc = interpolate_tree(read_yaml(base_file), env, report)
            resolve_paths(doc, base_file.parent)
            cache[base_file] = doc  # its !override and !reset still apply to its own extends
        pool = cache[base_file].get("services")
        pool = pool if isinstance(pool, YMap) else YMap()
    else:
        pool = services
    base_name = spec["service"]
    if base_name not in pool:
        shown = f" in {base_file}" if base_file else ""
        raise fail(
            f'extends names service "{base_name}", which is not defined{shown}',
            where.key("service"),
            hint="defined services: " + (", ".join(sorted(pool)) or "none"),
        )
    base = _resolve_extends(pool, base_name, base_file, env, report, cache, resolved, chain + (key,))
    if not isinstance(base, YMap):
        raise fail(f'service "{base_name}" must be a mapping to be extended', where)
    own = YMap({k: v for k, v in service.items() if k != "extends"}, loc=service.loc, key_locs=service.key_locs)
    merged = merge_values(
        strip_tags(YMap({k: v for k, v in base.items() if k != "extends"}, loc=base.loc, key_locs=base.key_locs)),
        own,
        ("services", name),
    )
    resolved[key] = merged
    return merged
