"""`deploy:` typed. Every level's shape is checked here with a located error, so the plan reads
attributes: `resources: 5` or `devices: 3` is a clear error, not a crash in a chained lookup."""

from __future__ import annotations

from typing import Any

from compose_translate.compat import AUTOSCALING
from compose_translate.errors import KeyPath
from compose_translate.normalize.context import _DEPLOY_KEYS, _check, _Ctx, _short, _type_ok
from compose_translate.normalize.project import Deploy, DeviceRequest, Resources, ResourceSpec
from compose_translate.yaml_source import plain

_RESOURCE_KEYS = ("cpus", "memory", "pids", "devices", "generic_resources")
_DEVICE_KEYS = ("capabilities", "count", "device_ids", "driver", "options")


def _deploy(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> Deploy | None:
    """None when the section has errors (they are reported)."""
    errors = len(ctx.report.errors)
    ctx.unknown_keys(raw, _DEPLOY_KEYS, where, "deploy")
    replicas = raw.get("replicas")
    if replicas is not None and not (_type_ok("integer", replicas) and int(replicas) >= 0):
        ctx.error(f"replicas must be a whole number >= 0, got {_short(replicas)}", where.key("replicas", raw))
    for key in ("mode", "endpoint_mode"):
        if raw.get(key) is not None:
            _check(ctx, "string", raw[key], where.key(key, raw))
    resources = Resources()
    if raw.get("resources") is not None:
        at = where.key("resources", raw)
        section = raw["resources"]
        if _is_mapping(ctx, section, at, "limits and reservations"):
            ctx.unknown_keys(section, ("limits", "reservations"), at, "deploy.resources")
            resources = Resources(
                limits=_spec(ctx, section.get("limits"), at.key("limits", section)),
                reservations=_spec(ctx, section.get("reservations"), at.key("reservations", section)),
            )
    if len(ctx.report.errors) > errors:
        return None
    return Deploy(
        mode=raw.get("mode"),
        replicas=None if replicas is None else int(replicas),
        resources=resources,
        autoscaling=plain(raw.get(AUTOSCALING)),  # its inside is the plan's to check (scaling.py)
        labels=plain(raw.get("labels")),
        endpoint_mode=raw.get("endpoint_mode"),
        placement=plain(raw.get("placement")),
        restart_policy=plain(raw.get("restart_policy")),
        update_config=plain(raw.get("update_config")),
        rollback_config=plain(raw.get("rollback_config")),
        extensions={str(k): plain(v) for k, v in raw.items() if str(k).startswith("x-") and k != AUTOSCALING},
    )


def _is_mapping(ctx: _Ctx, value: Any, where: KeyPath, holding: str) -> bool:
    if isinstance(value, dict):
        return True
    ctx.error(f"expected a mapping of {holding}, got {_short(value)}", where)
    return False


def _spec(ctx: _Ctx, raw: Any, where: KeyPath) -> ResourceSpec:
    """`limits` or `reservations`: cpus and memory as written (the plan reads and sizes them)."""
    if raw is None or not _is_mapping(ctx, raw, where, "cpus, memory and devices"):
        return ResourceSpec()
    ctx.unknown_keys(raw, _RESOURCE_KEYS, where, "resources")
    for key, kind in (("cpus", "a number such as 0.5"), ("memory", "a size such as 512m")):
        value = raw.get(key)
        if value is not None and (isinstance(value, (bool, dict, list))):
            ctx.error(f"expected {kind}, got {_short(value)}", where.key(key, raw))
    if raw.get("pids") is not None:
        _check(ctx, "integer", raw["pids"], where.key("pids", raw))
    devices = raw.get("devices")
    requests: list[DeviceRequest] = []
    if devices is not None:
        at = where.key("devices", raw)
        if not isinstance(devices, list):
            ctx.error(f"expected a list of device requests, got {_short(devices)}", at)
        else:
            requests = [r for i, d in enumerate(devices) if (r := _device(ctx, d, at.item(i, devices))) is not None]
    generic = raw.get("generic_resources")
    if generic is not None and not isinstance(generic, list):
        ctx.error(f"expected a list, got {_short(generic)}", where.key("generic_resources", raw))
        generic = None
    cpus, memory, pids = raw.get("cpus"), raw.get("memory"), raw.get("pids")
    return ResourceSpec(
        cpus=cpus if isinstance(cpus, (int, float, str)) and not isinstance(cpus, bool) else None,
        memory=memory if isinstance(memory, (int, str)) and not isinstance(memory, bool) else None,
        pids=int(pids) if pids is not None and _type_ok("integer", pids) else None,
        devices=tuple(requests),
        generic_resources=tuple(plain(generic) or ()),
    )


def _device(ctx: _Ctx, raw: Any, where: KeyPath) -> DeviceRequest | None:
    """As compose-go checks a device request: count is a number or "all", and not with device_ids."""
    if not _is_mapping(ctx, raw, where, "capabilities, count, device_ids, driver and options"):
        return None
    ctx.unknown_keys(raw, _DEVICE_KEYS, where, "a device request")
    count = raw.get("count")
    if count is not None and count != "all" and not _type_ok("integer", count):
        ctx.error(f'count must be a number or "all", got {_short(count)}', where.key("count"))
        return None
    if count is not None and raw.get("device_ids"):
        ctx.error(
            "count and device_ids cannot be used together", where, hint="reserve devices either by count or by id"
        )
        return None
    lists = {}
    for key in ("capabilities", "device_ids"):
        value = raw.get(key) or []
        if not _check(ctx, "list_of_strings", value, where.key(key, raw)):
            return None
        lists[key] = tuple(value)
    if not lists["capabilities"]:  # compose-go refuses a device request without them
        ctx.error("a device request needs capabilities", where, hint="e.g. capabilities: [gpu]")
        return None
    if raw.get("driver") is not None and not _check(ctx, "string", raw["driver"], where.key("driver", raw)):
        return None
    options = raw.get("options") or {}
    if not _is_mapping(ctx, options, where.key("options", raw), "driver options"):
        return None
    return DeviceRequest(
        count=count if count in (None, "all") else int(count),
        driver=raw.get("driver"),
        options=plain(options),
        **lists,
    )


def _gpus(ctx: _Ctx, raw: Any, where: KeyPath) -> str | tuple[DeviceRequest, ...] | None:
    """`gpus: all`, or device requests checked as `deploy`'s are."""
    if raw == "all":
        return "all"
    if not isinstance(raw, list) or not all(isinstance(v, dict) for v in raw):
        ctx.error(
            f'gpus must be "all" or a list of device requests, got {_short(raw)}',
            where,
            hint="write gpus: all, or gpus: [{driver: nvidia, count: 1}]",
        )
        return None
    requests = [_device(ctx, d, where.item(i, raw)) for i, d in enumerate(raw)]
    return tuple(r for r in requests if r is not None)
