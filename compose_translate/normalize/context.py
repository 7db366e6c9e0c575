"""What every normalizer shares: the collecting context, locations, type checks and list/map forms."""

from __future__ import annotations

import re
from typing import Any, Callable, Iterable

from compose_translate.errors import ComposeError, Diagnostic, KeyPath, Loc, Where, did_you_mean
from compose_translate.load import LoadedDocument
from compose_translate.values import parse_bool, parse_bytes, parse_duration
from compose_translate.yaml_source import YList, YMap

TOP_LEVEL = ("version", "name", "services", "models", "networks", "volumes", "secrets", "configs")
_RESOURCE_NAME = re.compile(r"^[a-zA-Z0-9._-]+$")
_BUILD_KEYS = (
    "context",
    "dockerfile",
    "dockerfile_inline",
    "entitlements",
    "args",
    "ssh",
    "labels",
    "cache_from",
    "cache_to",
    "no_cache",
    "additional_contexts",
    "network",
    "provenance",
    "sbom",
    "pull",
    "target",
    "shm_size",
    "extra_hosts",
    "isolation",
    "privileged",
    "secrets",
    "tags",
    "ulimits",
    "platforms",
)
_SECRET_KEYS = (
    "file",
    "environment",
    "content",
    "external",
    "name",
    "labels",
    "driver",
    "driver_opts",
    "template_driver",
)
_PORT_KEYS = ("name", "mode", "host_ip", "target", "published", "protocol", "app_protocol")
_MOUNT_KEYS = ("type", "source", "target", "read_only", "consistency", "bind", "volume", "tmpfs", "image")
_MOUNT_TYPES = ("bind", "volume", "tmpfs", "cluster", "npipe", "image")
_DEPLOY_KEYS = (
    "mode",
    "endpoint_mode",
    "replicas",
    "labels",
    "rollback_config",
    "update_config",
    "resources",
    "restart_policy",
    "placement",
)
_HEALTH_KEYS = ("disable", "interval", "retries", "test", "timeout", "start_period", "start_interval")


class _Ctx:
    def __init__(self, loaded: LoadedDocument):
        self.report = loaded.report
        self.env = loaded.environment
        self.project_dir = loaded.project_dir
        self.declared_models: frozenset[str] | None = None  # the `models:` keys, read once per project

    def error(self, message: str, where: Where, loc: Loc | None = None, hint: str = "") -> None:
        self.report.error(message, where, loc, hint)

    def warn(self, message: str, where: Where, loc: Loc | None = None, hint: str = "") -> None:
        self.report.warn(message, where, loc, hint)

    def unknown_keys(self, mapping: dict[str, Any], allowed: Iterable[str], where: KeyPath, what: str) -> None:
        for key in mapping:
            if str(key).startswith("x-") or key in allowed:
                continue
            hint = did_you_mean(str(key), allowed) or f"{what} takes: {', '.join(sorted(allowed))}"
            self.error(f'unknown key "{key}" in {what}', where.key(key, mapping), hint=hint)


def _loc(container: Any, key: Any = None) -> Loc | None:
    if isinstance(container, (YMap, YList)):
        return container.loc_of(key) if key is not None else container.loc
    return None


# -- type checks ---------------------------------------------------------------------------------

_KIND_HINTS = {
    "string": "a string",
    "boolean": "true or false",
    "integer": "a whole number",
    "number": "a number",
    "scalar": "a string or a number",
    "mapping": "a mapping of keys to values",
    "list": "a list",
    "list_of_strings": "a list of strings",
    "list_or_dict": "a list of KEY=VALUE strings or a mapping",
    "string_or_list": "a string or a list of strings",
    "command": "a string or a list of strings",
    "duration": "a duration such as 30s or 1m30s",
    "bytes": "a size such as 512m or 2g",
    "build": "a build context path or a mapping",
    "depends_on": "a list of service names or a mapping",
    "deploy": "a mapping",
    "env_file": "a path or a list of paths",
    "extends": "a service name or a mapping",
    "networks": "a list of network names or a mapping",
    "ports": "a list of ports",
    "service_models": "a list of model names or a mapping",
    "service_refs": "a list of names or {source, target}",
}


def _type_ok(kind: str, value: Any) -> bool:
    """Whether a value has the Compose schema's type `kind`, with the string forms YAML allows (`yes`, `"42"`)."""
    if kind == "string":
        return isinstance(value, str)
    if kind == "boolean":
        return isinstance(value, bool) or (
            isinstance(value, str) and value.lower() in ("y", "yes", "true", "on", "n", "no", "false", "off")
        )
    if kind == "integer":
        return (isinstance(value, int) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+", value) is not None
        )
    if kind == "scalar":  # a name or an id written as text or a number
        return isinstance(value, (str, int, float)) and not isinstance(value, bool)
    if kind == "number":
        return (isinstance(value, (int, float)) and not isinstance(value, bool)) or (
            isinstance(value, str) and re.fullmatch(r"-?\d+(\.\d+)?", value) is not None
        )
    if kind == "mapping":
        return isinstance(value, dict)
    if kind == "list":
        return isinstance(value, list)
    if kind == "list_of_strings":
        return isinstance(value, list) and all(isinstance(v, str) for v in value)
    if kind == "list_or_dict":
        return (isinstance(value, list) and all(isinstance(v, str) for v in value)) or (
            isinstance(value, dict) and all(v is None or isinstance(v, (str, int, float, bool)) for v in value.values())
        )
    if kind in ("string_or_list", "command"):
        return (
            isinstance(value, str)
            or (isinstance(value, list) and all(isinstance(v, str) for v in value))
            or (kind == "command" and value is None)
        )
    if kind in _SHAPES:
        return _SHAPES[kind](value)
    if kind == "duration":
        return _parses(parse_duration, value)
    if kind == "bytes":
        return _parses(parse_bytes, value)
    return kind == "any"


def _strings(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# The outer shape of structured attributes; their normalizers check the inside.
_SHAPES: dict[str, Callable[[Any], bool]] = {
    "build": lambda v: isinstance(v, (str, dict)),
    "depends_on": lambda v: isinstance(v, dict) or _strings(v),
    "deploy": lambda v: isinstance(v, dict),
    "env_file": lambda v: isinstance(v, str) or (isinstance(v, list) and all(isinstance(i, (str, dict)) for i in v)),
    "extends": lambda v: isinstance(v, (str, dict)),
    "networks": lambda v: isinstance(v, dict) or _strings(v),
    "ports": lambda v: isinstance(v, list),
    "service_models": lambda v: isinstance(v, dict) or _strings(v),
    "service_refs": lambda v: isinstance(v, list),
}


def _parses(fn: Callable[..., Any], value: Any) -> bool:
    try:
        fn(value)
        return True
    except (ValueError, TypeError):
        return False


def _check(ctx: _Ctx, kind: str, value: Any, where: KeyPath) -> bool:
    if _type_ok(kind, value):
        return True
    if kind == "list_or_dict" and isinstance(value, dict):  # name the entry, as compose-go does
        for key, item in value.items():
            if not (item is None or isinstance(item, (str, int, float, bool))):
                ctx.error(
                    "must be a boolean, null, number or string",
                    where.key(key, value),
                    hint="quote the value, or write it on one line",
                )
                return False
    shown = _short(value)
    ctx.error(f"expected {_KIND_HINTS.get(kind, kind)}, got {shown}", where)
    return False


def _short(value: Any) -> str:
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if value is None:
        return "nothing (null)"
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "..."


def _to_map(value: Any, where: str = "") -> dict[str, Any]:
    """list_or_dict -> dict, keeping YMap locations; `where` is the key path an error names."""
    if isinstance(value, dict):
        return value
    result = YMap(loc=_loc(value))
    for i, item in enumerate(value):
        key, sep, val = item.partition("=")
        if key != key.rstrip():  # `DEBUG = true`: compose-go refuses it rather than guess
            raise ComposeError(
                [
                    Diagnostic(
                        f'"{key.strip()}" is declared with a space before "="',
                        f"{where}[{i}]" if where else f"[{i}]",
                        _loc(value, i),
                        f"write {key.strip()}={val.strip()}",
                    )
                ]
            )
        result[key] = val if sep else None
        result.key_locs[key] = _loc(value, i)
    return result


# -- the project ---------------------------------------------------------------------------------


def _bool_or_error(ctx: _Ctx, value: Any, where: KeyPath) -> bool:
    try:
        return parse_bool(value)
    except ValueError as exc:
        ctx.error(str(exc), where)
        return True
