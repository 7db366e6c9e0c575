"""A Compose healthcheck as ECS takes it: command forms, and intervals clamped to ECS's bounds."""

from __future__ import annotations

from compose_translate.errors import KeyPath, Report
from compose_translate.frozen import Frozen
from compose_translate.normalize.project import Healthcheck
from compose_translate.values import parse_duration

# ECS HealthCheck bounds (seconds / count): (min, max, Compose default)
HEALTH_LIMITS = {"interval": (5, 300, 30), "timeout": (2, 120, 30), "retries": (1, 10, 3), "start_period": (0, 300, 0)}


class HealthCheck(Frozen):
    command: tuple[str, ...]  # ECS form: ("CMD", ...) or ("CMD-SHELL", "...")
    interval: int
    timeout: int
    retries: int
    start_period: int


def plan_healthcheck(spec: Healthcheck | None, where: KeyPath, report: Report) -> HealthCheck | None:
    """ECS's form of a checked `healthcheck:`; values outside ECS's ranges are clamped, with a warning."""
    if spec is None or spec.disable:
        return None
    test = spec.test
    if test is None:
        return None  # the image's HEALTHCHECK cannot be read offline; ECS does not inherit it either
    if isinstance(test, str):
        command: tuple[str, ...] = ("CMD-SHELL", test)
    elif test[0] == "NONE":
        return None
    else:
        command = test
    values = {}
    for field, (low, high, default) in HEALTH_LIMITS.items():
        given = getattr(spec, field)
        value = default if given is None else (int(given) if field == "retries" else round(parse_duration(given)))
        clamped = min(max(value, low), high)
        if clamped != value:
            report.warn(
                f"healthcheck {field} {given} is outside ECS's range {low}-{high}; using {clamped}",
                where.key(field),
            )
        values[field] = clamped
    return HealthCheck(command=command, **values)
