"""Profiles: services outside the active ones are dropped, and nothing may depend on a dropped one."""

from __future__ import annotations

from typing import Mapping

from compose_translate.errors import ComposeError, fail
from compose_translate.yaml_source import YList, YMap


def active_profiles(requested: tuple[str, ...], env: Mapping[str, str]) -> tuple[str, ...]:
    """--profile, else COMPOSE_PROFILES, as docker compose chooses."""
    if requested:
        return tuple(sorted(set(requested)))
    from_env = env.get("COMPOSE_PROFILES", "")
    return tuple(sorted({p.strip() for p in from_env.split(",") if p.strip()}))


def apply_profiles(document: YMap, active: tuple[str, ...]) -> None:
    """Drop services whose profiles are all inactive; an active service that depends on a dropped one is an
    error naming the profile that would enable it (docker compose refuses it too)."""
    services = document.get("services")
    if not isinstance(services, YMap):
        return
    disabled = {}
    for name, service in list(services.items()):
        profiles = service.get("profiles") if isinstance(service, dict) else None
        if isinstance(profiles, list) and profiles and "*" not in active and not set(map(str, profiles)) & set(active):
            disabled[name] = profiles
            del services[name]
    problems = []
    for name, service in services.items():
        depends = service.get("depends_on") if isinstance(service, dict) else None
        for index, dep in enumerate(depends if isinstance(depends, (dict, list)) else ()):
            if isinstance(dep, str) and dep in disabled:
                problems.append(
                    fail(
                        f'depends on service "{dep}", which is disabled by its profiles {list(disabled[dep])}',
                        f"services.{name}.depends_on.{dep}",
                        depends.loc_of(dep if isinstance(depends, YMap) else index)  # type: ignore[arg-type]
                        if isinstance(depends, (YMap, YList))
                        else None,
                        hint=f"enable it with --profile {disabled[dep][0]}",
                    )
                )
    if problems:
        raise ComposeError([d for p in problems for d in p.diagnostics])


def declared_profiles(document: YMap) -> tuple[str, ...]:
    """Every profile a service names (what `config --profiles` lists), before any is applied."""
    services = document.get("services")
    found: set[str] = set()
    if isinstance(services, dict):
        for service in services.values():
            profiles = service.get("profiles") if isinstance(service, dict) else None
            if isinstance(profiles, list):
                found |= {str(p) for p in profiles}
    return tuple(sorted(found))
