"""`healthcheck:` typed, with each field checked where it was written (the plan converts it for ECS)."""

from __future__ import annotations

from typing import Any

from compose_translate.errors import KeyPath
from compose_translate.normalize.context import _HEALTH_KEYS, _bool_or_error, _check, _Ctx, _short, _type_ok
from compose_translate.normalize.project import Healthcheck

_DURATIONS = ("interval", "timeout", "start_period", "start_interval")
_TEST_FORMS = ("CMD", "CMD-SHELL", "NONE")


def _healthcheck(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> Healthcheck | None:
    """None when a field is wrong (each one is reported)."""
    errors = len(ctx.report.errors)
    ctx.unknown_keys(raw, _HEALTH_KEYS, where, "healthcheck")
    for field in _DURATIONS:
        if raw.get(field) is not None and not _type_ok("duration", raw[field]):
            ctx.error(f"expected a duration such as 30s, got {_short(raw[field])}", where.key(field, raw))
    retries = raw.get("retries")
    if retries is not None and not _type_ok("integer", retries):
        ctx.error("healthcheck retries must be a whole number", where.key("retries", raw))
    disable = _bool_or_error(ctx, raw["disable"], where.key("disable", raw)) if "disable" in raw else False
    test = raw.get("test")
    if isinstance(test, list):
        if not _check(ctx, "list_of_strings", test, where.key("test", raw)):
            test = None
        elif not test or test[0] not in _TEST_FORMS:
            ctx.error(
                'healthcheck.test must start with "CMD", "CMD-SHELL" or "NONE"',
                where.key("test", raw),
                hint='e.g. test: ["CMD", "curl", "-f", "http://localhost:8080/health"]',
            )
    elif test is not None and not isinstance(test, str):
        _check(ctx, "string_or_list", test, where.key("test", raw))
    if len(ctx.report.errors) > errors:
        return None
    return Healthcheck(
        test=tuple(test) if isinstance(test, list) else test,
        retries=None if retries is None else int(retries),
        disable=disable,
        **{field: raw.get(field) for field in _DURATIONS},
    )
