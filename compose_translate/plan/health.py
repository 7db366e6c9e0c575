"""A Compose healthcheck as ECS takes it: command forms, and intervals clamped to ECS's bounds."""

from __future__ import annotations

from typing import Any

from compose_translate.errors import Report
from compose_translate.frozen import Frozen
from compose_translate.values import parse_duration

# ECS HealthCheck bounds (seconds / count): (min, max, Compose default)
HEALTH_LIMITS = {"interval": (5, 300, 30), "timeout": (2, 120, 30), "retries": (1, 10, 3), "start_period": (0, 300, 0)}


class HealthCheck(Frozen):
    command: tuple[str, ...]  # ECS form: ("CMD", ...) or ("CMD-SHELL", "...")
    interval: int
    timeout: int
    retries: int
    start_period: int


def plan_healthcheck(raw: Any, path: str, loc, report: Report) -> HealthCheck | None:
    if not isinstance(raw, dict) or raw.get("disable") in (True, "true"):
        return None
    test = raw.get("test")
    if test is None:
        return None  # the image's HEALTHCHECK cannot be read offline; ECS does not inherit it either
    command: tuple[str, ...]
    if isinstance(test, str):
        command = ("CMD-SHELL", test)
    elif test and test[0] == "NONE":
        return None
    elif test and test[0] in ("CMD", "CMD-SHELL"):
        command = tuple(str(t) for t in test)
    else:
        report.error(
            'healthcheck.test must start with "CMD", "CMD-SHELL" or "NONE"',
            f"{path}.test",
            loc,
            hint='e.g. test: ["CMD", "curl", "-f", "http://localhost:8080/health"]',
        )
        return None
    values = {}
    for field, (low, high, default) in HEALTH_LIMITS.items():
        given = raw.get(field)
        try:
            value = default if given is None else (int(given) if field == "retries" else round(parse_duration(given)))
        except (TypeError, ValueError):
            report.error(
                f"healthcheck {field} must be {'a whole number' if field == 'retries' else 'a duration'}",
                f"{path}.{field}",
                loc,
            )
            continue
        clamped = min(max(value, low), high)
        if clamped != value:
            report.warn(
                f"healthcheck {field} {given} is outside ECS's range {low}-{high}; using {clamped}",
                f"{path}.{field}",
                loc,
            )
        values[field] = clamped
    return HealthCheck(command=command, **values) if len(values) == len(HEALTH_LIMITS) else None
