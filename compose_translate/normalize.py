"""Stage 2: the merged document -> a validated, typed `Project`.

Every problem is collected in one pass and raised together; unknown keys are
errors (with a "did you mean"), except `x-*` extensions.
"""

from __future__ import annotations

import ipaddress
import math
import re
from pathlib import Path
from typing import Any, Callable

from pydantic import SecretStr

from .compat import MODEL_ATTRIBUTES, SERVICE_ATTRIBUTES
from .envfiles import read_env_file
from .errors import ComposeError, Diagnostic, Loc, did_you_mean
from .loader import LoadedDocument
from .model_ref import SUPPORTED_FORMS, ModelRefError, parse_model_ref
from .project import Binding, Build, FileRef, ModelSpec, Mount, Port, Project, Resource, Service
from .runtime import AUTOSCALING
from .settings import SECRET_ARN
from .values import env_value, is_file, parse_bool, parse_bytes, parse_duration, parse_port_range, read_bounded
from .yaml_source import YList, YMap, plain

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

    def error(self, message: str, path: str, loc: Loc | None, hint: str = "") -> None:
        self.report.error(message, path, loc, hint)

    def warn(self, message: str, path: str, loc: Loc | None, hint: str = "") -> None:
        self.report.warn(message, path, loc, hint)

    def unknown_keys(self, mapping: dict, allowed, path: str, what: str) -> None:
        for key in mapping:
            if str(key).startswith("x-") or key in allowed:
                continue
            hint = did_you_mean(str(key), allowed) or f"{what} takes: {', '.join(sorted(allowed))}"
            self.error(
                f'unknown key "{key}" in {what}', f"{path}.{key}" if path else str(key), _loc(mapping, key), hint
            )


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


def _parses(fn: Callable, value: Any) -> bool:
    try:
        fn(value)
        return True
    except (ValueError, TypeError):
        return False


def _check(ctx: _Ctx, kind: str, value: Any, path: str, loc: Loc | None) -> bool:
    if _type_ok(kind, value):
        return True
    if kind == "list_or_dict" and isinstance(value, dict):  # name the entry, as compose-go does
        for key, item in value.items():
            if not (item is None or isinstance(item, (str, int, float, bool))):
                ctx.error(
                    "must be a boolean, null, number or string",
                    f"{path}.{key}",
                    _loc(value, key),
                    hint="quote the value, or write it on one line",
                )
                return False
    shown = _short(value)
    ctx.error(f"expected {_KIND_HINTS.get(kind, kind)}, got {shown}", path, loc)
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


def _to_map(value: Any) -> dict[str, Any]:
    """list_or_dict -> dict, keeping YMap locations."""
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
                        "",
                        _loc(value, i),
                        f"write {key.strip()}={val.strip()}",
                    )
                ]
            )
        result[key] = val if sep else None
        result.key_locs[key] = _loc(value, i)
    return result


# -- the project ---------------------------------------------------------------------------------


def normalize(loaded: LoadedDocument) -> Project:
    ctx = _Ctx(loaded)
    doc = loaded.document
    ctx.unknown_keys(doc, TOP_LEVEL, "", "the top level of a Compose file")
    if "version" in doc:
        ctx.warn(
            "`version` is obsolete and ignored",
            "version",
            _loc(doc, "version"),
            hint="remove the line; Compose ignores it too",
        )
    sections: dict[str, dict[Any, Any]] = {}
    for section in ("services", "models", "networks", "volumes", "secrets", "configs"):
        value = doc.get(section)
        if value is None:
            sections[section] = YMap()
        elif not isinstance(value, dict):
            ctx.error(f"expected a mapping of names to definitions, got {_short(value)}", section, _loc(doc, section))
            sections[section] = YMap()
        else:
            sections[section] = value
            for name in value:
                if not _RESOURCE_NAME.match(str(name)):
                    ctx.error(
                        f'invalid name "{name}"',
                        f"{section}.{name}",
                        _loc(value, name),
                        hint="names may contain letters, digits, '.', '_' and '-'",
                    )
    resources = {s: _resources(ctx, s, sections[s]) for s in ("secrets", "configs", "volumes", "networks")}
    models = {
        k: m
        for k, m in ((k, _model(ctx, k, v, sections["models"])) for k, v in sections["models"].items())
        if m is not None
    }
    services = {}
    for name, raw in sections["services"].items():
        service = _service(ctx, str(name), raw, sections, models, _loc(sections["services"], name))
        if service is not None:
            services[str(name)] = service
    ctx.report.raise_if_errors()
    return Project(
        name=loaded.name,
        project_dir=str(loaded.project_dir),
        files=tuple(map(str, loaded.files)),
        services=dict(sorted(services.items())),
        models=dict(sorted(models.items())),
        profiles=loaded.profiles,
        **{k: dict(sorted(v.items())) for k, v in resources.items()},
    )


def _resources(ctx: _Ctx, section: str, entries: dict) -> dict[str, Resource]:
    result = {}
    for name, raw in entries.items():
        path, loc = f"{section}.{name}", _loc(entries, name)
        if raw is None:
            raw = YMap(loc=loc)
        if not isinstance(raw, dict):
            ctx.error(f"expected a mapping, got {_short(raw)}", path, loc)
            continue
        if section in ("networks", "volumes") and raw.get("external") not in (None, False, "false"):
            for option in ("driver", "driver_opts", "ipam") if section == "networks" else ("driver", "driver_opts"):
                if raw.get(option):
                    ctx.error(
                        f'"external" and "{option}" cannot both be set: an external {section[:-1]} exists already',
                        f"{path}.{option}",
                        _loc(raw, option),
                        hint=f"remove {option}, or remove external to create the {section[:-1]}",
                    )
        if section in ("secrets", "configs"):
            ctx.unknown_keys(raw, _SECRET_KEYS, path, f"a top-level {section[:-1]}")
            sources = [
                k for k in ("file", "environment", "content", "external") if k in raw and raw[k] not in (None, False)
            ]
            if section == "secrets" and "content" in raw:
                ctx.error(
                    "a secret cannot have `content`; only configs can",
                    f"{path}.content",
                    _loc(raw, "content"),
                    hint="put the value in a file (`file:`) or a variable (`environment:`)",
                )
            if len(sources) != 1:
                ctx.error(
                    f"a {section[:-1]} needs exactly one of file, environment"
                    f"{', content' if section == 'configs' else ''} or external",
                    path,
                    loc,
                )
                continue
        spec = {k: plain(v) for k, v in raw.items() if k != "content"}
        if "content" in raw:
            spec["content"] = True  # the value itself is only in `value`, which is never printed
        result[str(name)] = Resource(
            name=str(name),
            kind=section[:-1],
            spec=spec,
            loc=loc,
            value=_resource_value(ctx, raw, path, loc),
            key_locs={str(k): _loc(raw, k) for k in raw},
        )
    return result


def _resource_value(ctx: _Ctx, raw: dict, path: str, loc: Loc | None) -> SecretStr | None:
    """The content of a secret or config when it is available now (a missing one was warned about)."""
    if "content" in raw:
        return SecretStr(str(raw["content"]))
    if "environment" in raw and str(raw["environment"]) in ctx.env:
        return SecretStr(ctx.env[str(raw["environment"])])
    if "file" in raw and is_file(str(raw["file"])):
        try:
            return SecretStr(read_bounded(str(raw["file"]), "file"))
        except ValueError as exc:  # outside the project, not a regular file, too large
            ctx.error(str(exc), f"{path}.file", _loc(raw, "file") or loc, hint="keep the file in the project")
        except (OSError, UnicodeDecodeError) as exc:
            ctx.error(
                f"cannot read {raw['file']} as UTF-8 text: {exc}",
                f"{path}.file",
                _loc(raw, "file") or loc,
                hint="binary secret files are not supported; store them base64-encoded",
            )
    return None


# -- models --------------------------------------------------------------------------------------


def _model(ctx: _Ctx, key: str, raw: Any, section: dict) -> ModelSpec | None:
    path, loc = f"models.{key}", _loc(section, key)
    if not isinstance(raw, dict):
        ctx.error(
            f"a model must be a mapping with at least `model:`, got {_short(raw)}",
            path,
            loc,
            hint="for example `llm: {model: ai/smollm2}`",
        )
        return None
    ctx.unknown_keys(raw, MODEL_ATTRIBUTES, path, "a model")
    reference = raw.get("model")
    if "image" in raw:
        if reference is None:
            reference = raw.get("image")
            ctx.warn(
                "`image` is the legacy spelling of `model`",
                f"{path}.image",
                _loc(raw, "image"),
                hint="rename the key to `model:`",
            )
        else:
            ctx.error(
                "a model has both `model` and `image`",
                f"{path}.image",
                _loc(raw, "image"),
                hint="`image` is the legacy spelling of `model`: keep only `model`",
            )
    if reference is None:
        ctx.error("a model needs `model:`, the model's reference", path, loc, hint="for example `model: ai/smollm2`")
        return None
    ref_key = "model" if "model" in raw else "image"
    if not isinstance(reference, str):
        ctx.error(
            f"expected a model reference string, got {_short(reference)}", f"{path}.{ref_key}", _loc(raw, ref_key)
        )
        return None
    try:
        ref = parse_model_ref(reference)
    except ModelRefError as exc:
        ctx.error(
            f"unsupported model reference: {exc}",
            f"{path}.{ref_key}",
            _loc(raw, ref_key),
            hint="supported forms: " + "; ".join(SUPPORTED_FORMS),
        )
        return None
    context_size = raw.get("context_size")
    if context_size is not None:
        if isinstance(context_size, bool) or not isinstance(context_size, int):
            ctx.error(
                f"context_size must be a whole number of tokens, got {_short(context_size)}",
                f"{path}.context_size",
                _loc(raw, "context_size"),
            )
            context_size = None
        elif context_size < 0:
            ctx.error(
                f"context_size cannot be negative ({context_size})",
                f"{path}.context_size",
                _loc(raw, "context_size"),
                hint="use 0 to take the model's own context size, or omit it",
            )
            context_size = None
    flags = raw.get("runtime_flags") or []
    if not isinstance(flags, list):
        ctx.error(
            f"runtime_flags must be a list of strings, got {_short(flags)}",
            f"{path}.runtime_flags",
            _loc(raw, "runtime_flags"),
        )
        flags = []
    for i, flag in enumerate(flags):
        if not isinstance(flag, str):
            ctx.error(
                f"runtime flag {i + 1} must be a string, got {_short(flag)}",
                f"{path}.runtime_flags[{i}]",
                _loc(flags, i),
                hint='quote it: "--flag=42"',
            )
    labels_raw = raw.get("labels") or {}
    labels: dict[str, str] = {}
    label_locs: dict[str, Loc | None] = {}
    if _check(ctx, "list_or_dict", labels_raw, f"{path}.labels", _loc(raw, "labels")):
        as_map = _to_map(labels_raw)
        for name, value in as_map.items():
            labels[str(name)] = env_value(value) or ""
            label_locs[str(name)] = _loc(as_map, name)
    return ModelSpec(
        key=key,
        model=reference,
        ref=ref,
        context_size=context_size,
        runtime_flags=tuple(f for f in flags if isinstance(f, str)),
        labels=labels,
        extensions={k: plain(v) for k, v in raw.items() if str(k).startswith("x-")},
        loc=loc,
        label_locs=label_locs,
        key_locs=dict(getattr(raw, "key_locs", {})),
    )


# -- services ------------------------------------------------------------------------------------


def _service(ctx: _Ctx, name: str, raw: Any, sections: dict, models: dict, loc: Loc | None) -> Service | None:
    path = f"services.{name}"
    if raw is None:
        raw = YMap(loc=loc)
    if not isinstance(raw, dict):
        ctx.error(f"a service must be a mapping, got {_short(raw)}", path, loc)
        return None
    ctx.unknown_keys(raw, SERVICE_ATTRIBUTES, path, "a service")
    for key, value in raw.items():
        attribute = SERVICE_ATTRIBUTES.get(key)
        if attribute is not None:
            _check(ctx, attribute.kind, value, f"{path}.{key}", _loc(raw, key))
    if ctx.report.errors and any(e.path.startswith(path + ".") or e.path == path for e in ctx.report.errors):
        return None
    if raw.get("image") is None and raw.get("build") is None:
        ctx.error(
            "service has neither an image nor a build context",
            path,
            loc,
            hint="add `image: <repository>:<tag>` or `build: <folder with a Dockerfile>`",
        )
    fields: dict[str, Any] = {"name": name, "loc": loc, "key_locs": dict(getattr(raw, "key_locs", {}))}
    fields["image"] = raw.get("image")
    if raw.get("build") is not None:
        fields["build"] = _build(ctx, raw["build"], f"{path}.build", _loc(raw, "build"))
    for key in ("command", "entrypoint"):
        value = raw.get(key)
        fields[key] = tuple(value) if isinstance(value, list) else value
    fields["environment"] = _environment(ctx, raw, path)
    fields["bindings"] = _bindings(ctx, raw.get("models"), path, _loc(raw, "models"), models)
    fields["ports"] = _ports(ctx, raw.get("ports") or [], f"{path}.ports")
    fields["expose"] = _expose(ctx, raw.get("expose") or [], f"{path}.expose")
    fields["depends_on"] = _depends_on(ctx, raw.get("depends_on"), path, sections["services"], _loc(raw, "depends_on"))
    fields["secrets"] = _file_refs(
        ctx, raw.get("secrets") or [], f"{path}.secrets", sections["secrets"], "/run/secrets/"
    )
    fields["configs"] = _file_refs(ctx, raw.get("configs") or [], f"{path}.configs", sections["configs"], "/")
    fields["volumes"] = _mounts(ctx, raw.get("volumes") or [], f"{path}.volumes", sections["volumes"])
    fields["networks"] = _networks(
        ctx, raw.get("networks"), f"{path}.networks", sections["networks"], _loc(raw, "networks")
    )
    labels = {
        **_label_files(ctx, raw, path),
        **{str(k): env_value(v) or "" for k, v in _to_map(raw.get("labels") or {}).items()},
    }
    fields["labels"] = dict(sorted(labels.items()))
    fields["settings"], fields["unmapped"] = _settings(ctx, raw, path)
    fields["pull_credentials"] = _pull_credentials(ctx, raw, path)
    return Service(**fields)


def _label_files(ctx: _Ctx, raw: dict, path: str) -> dict[str, str]:
    """`label_file`: KEY=VALUE files read like env files (not interpolated); `labels` win over them."""
    files = raw.get("label_file")
    entries = [files] if isinstance(files, str) else (files if isinstance(files, list) else [])
    labels: dict[str, str] = {}
    for i, entry in enumerate(entries):
        entry_path, loc = f"{path}.label_file[{i}]", _loc(raw, "label_file")
        try:
            values = read_env_file(Path(str(entry)), {}, ctx.report, raw=True, ref_path=entry_path, ref_loc=loc)
        except ComposeError as exc:
            ctx.report.add(exc)
            continue
        labels.update({k: v or "" for k, v in values.items()})
    return labels


# Docker's ECS integration spelling: a Secrets Manager secret holding {"username": ..., "password": ...}
# for a private registry; ECS reads it as the container's repositoryCredentials.
PULL_CREDENTIALS = "x-aws-pull_credentials"
_SECRET_ARN = re.compile(SECRET_ARN)


def _pull_credentials(ctx: _Ctx, raw: dict, path: str) -> str | None:
    value = raw.get(PULL_CREDENTIALS)
    if value is None:
        return None
    if not isinstance(value, str) or not _SECRET_ARN.fullmatch(value):
        ctx.error(
            "expected the ARN of a Secrets Manager secret",
            f"{path}.{PULL_CREDENTIALS}",
            _loc(raw, PULL_CREDENTIALS),
            hint="e.g. arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf; the secret "
            'holds {"username": ..., "password": ...}',
        )
        return None
    return value


# build keys whose values the deployment does not pass to the builder, and why
_BUILD_NOT_SENT = {
    "secrets": "build secrets would have to be read at deploy time; pass them as build args from the stack instead",
    "ssh": "the deployment's builder has no SSH agent",
}


def _build(ctx: _Ctx, raw: Any, path: str, loc: Loc | None) -> Build | None:
    if isinstance(raw, str):
        return Build(context=raw)
    ctx.unknown_keys(raw, _BUILD_KEYS, path, "build")
    args = raw.get("args") or {}
    if not _check(ctx, "list_or_dict", args, f"{path}.args", _loc(raw, "args")):
        args = {}
    for key in ("dockerfile", "dockerfile_inline", "target"):
        if key in raw:
            _check(ctx, "string", raw[key], f"{path}.{key}", _loc(raw, key))
    if "dockerfile" in raw and "dockerfile_inline" in raw:
        ctx.error("build has both dockerfile and dockerfile_inline", path, loc, hint="keep one of them")
    platforms = raw.get("platforms") or []
    for key, why in _BUILD_NOT_SENT.items():  # said, not silently dropped
        if raw.get(key):
            ctx.warn(
                f"build.{key} is not used by the cloud build: {why}",
                f"{path}.{key}",
                _loc(raw, key),
                hint="build the image yourself and set `image:`, or drop the setting",
            )
    contexts = raw.get("additional_contexts")
    if contexts is not None and not _check(
        ctx, "list_or_dict", contexts, f"{path}.additional_contexts", _loc(raw, "additional_contexts")
    ):
        contexts = None
    return Build(
        context=str(raw.get("context", ".")),
        dockerfile=raw.get("dockerfile"),
        dockerfile_inline=raw.get("dockerfile_inline"),
        target=raw.get("target"),
        args={str(k): env_value(v) for k, v in sorted(_to_map(args).items())},
        platforms=tuple(platforms) if isinstance(platforms, list) else (),
        extra={
            **{
                k: plain(v)
                for k, v in sorted(raw.items())
                if k
                not in (
                    "context",
                    "dockerfile",
                    "dockerfile_inline",
                    "target",
                    "args",
                    "platforms",
                    "additional_contexts",
                )
            },
            # named build contexts, as a mapping whichever form was written (the builder's `named`)
            **(
                {"additional_contexts": {str(k): str(v) for k, v in sorted(_to_map(contexts).items())}}
                if contexts
                else {}
            ),
        },
    )


def _environment(ctx: _Ctx, raw: dict, path: str) -> dict[str, str]:
    """env_file values first, then `environment` over them; a bare NAME takes the shell's value."""
    result: dict[str, str] = {}
    env_files = raw.get("env_file")
    entries = [env_files] if isinstance(env_files, str) else (env_files or [])
    for i, entry in enumerate(entries):
        entry_path, entry_loc = f"{path}.env_file[{i}]", _loc(raw, "env_file")
        required, fmt = True, None
        if isinstance(entry, dict):
            ctx.unknown_keys(entry, ("path", "required", "format"), entry_path, "an env_file entry")
            required = _bool_or_error(ctx, entry.get("required", True), f"{entry_path}.required", entry_loc)
            fmt, entry = entry.get("format"), entry.get("path")
        if not isinstance(entry, str):
            ctx.error("an env_file entry needs a path", entry_path, entry_loc)
            continue
        file = Path(entry)
        if not is_file(file):
            if required:
                ctx.error(
                    f"env file not found: {file}",
                    entry_path,
                    entry_loc,
                    hint="create it, or use `- path: ...` with `required: false`",
                )
            continue
        try:
            values = read_env_file(file, ctx.env, ctx.report, raw=fmt == "raw", ref_path=entry_path, ref_loc=entry_loc)
        except ComposeError as exc:
            ctx.report.add(exc)
            continue
        result.update({k: v for k, v in values.items() if v is not None})
    environment = raw.get("environment")
    if environment is not None:
        as_map = _to_map(environment)
        for key, value in as_map.items():
            value = env_value(value)
            if value is None:
                if key in ctx.env:
                    result[str(key)] = ctx.env[key]
                else:
                    result.pop(str(key), None)
                    ctx.warn(
                        f'"{key}" takes its value from the environment, where it is not set; the variable is left out',
                        f"{path}.environment.{key}",
                        _loc(as_map, key),
                        hint=f"set {key} where you run the deployment, or give it a value",
                    )
            else:
                result[str(key)] = value
    return dict(sorted(result.items()))


def _devices(ctx: _Ctx, deploy: dict, path: str, loc: Loc | None) -> None:
    """Device reservations as compose-go checks them: count is a number or "all", and not with device_ids."""
    resources = deploy.get("resources")
    reservations = resources.get("reservations") if isinstance(resources, dict) else None
    devices = reservations.get("devices") if isinstance(reservations, dict) else None
    for i, device in enumerate(devices if isinstance(devices, list) else []):
        if not isinstance(device, dict):
            continue
        count = device.get("count")
        if count is not None and count != "all" and not _type_ok("integer", count):
            ctx.error(f'count must be a number or "all", got {_short(count)}', f"{path}[{i}].count", loc)
        if count is not None and device.get("device_ids"):
            ctx.error(
                "count and device_ids cannot be used together",
                f"{path}[{i}]",
                loc,
                hint="reserve devices either by count or by id",
            )


def _bool_or_error(ctx: _Ctx, value: Any, path: str, loc: Loc | None) -> bool:
    try:
        return parse_bool(value)
    except ValueError as exc:
        ctx.error(str(exc), path, loc)
        return True


def _bindings(ctx: _Ctx, raw: Any, path: str, loc: Loc | None, models: dict) -> tuple[Binding, ...]:
    if raw is None:
        return ()
    path = f"{path}.models"
    if isinstance(raw, list):
        if not all(isinstance(v, str) for v in raw):
            ctx.error("model bindings must be model names", path, loc)
            return ()
        entries: dict[Any, Any] = YMap(
            {v: None for v in raw}, loc=_loc(raw), key_locs={v: _loc(raw, i) for i, v in enumerate(raw)}
        )
    elif isinstance(raw, dict):
        entries = raw
    else:
        ctx.error(f"expected a list of model names or a mapping, got {_short(raw)}", path, loc)
        return ()
    bindings = []
    defined = sorted(models)
    for key, spec in entries.items():
        key = str(key)
        binding_path, binding_loc = f"{path}.{key}", _loc(entries, key)
        if key not in models:
            ctx.error(
                f'model "{key}" is not defined (defined: {", ".join(defined) or "none"})',
                binding_path,
                binding_loc,
                hint=did_you_mean(key, defined) or "declare it under the top-level `models:`",
            )
            continue
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            ctx.error(f"expected endpoint_var / model_var, got {_short(spec)}", binding_path, binding_loc)
            continue
        ctx.unknown_keys(spec, ("endpoint_var", "model_var"), binding_path, "a model binding")
        prefix = binding_prefix(key)
        names = {}
        for var, default in (("endpoint_var", prefix + "_URL"), ("model_var", prefix + "_MODEL")):
            value = spec.get(var, default)
            if not isinstance(value, str) or not value:
                ctx.error(f"{var} must be a variable name", f"{binding_path}.{var}", _loc(spec, var))
                value = default
            names[var] = value
        bindings.append(Binding(model=key, loc=binding_loc, **names))
    return tuple(sorted(bindings, key=lambda b: b.model))


def binding_prefix(model_key: str) -> str:
    """Docker Compose's rule (pkg/compose/model.go): upper-case the key, '-' becomes '_', nothing else."""
    return model_key.upper().replace("-", "_")


def _ports(ctx: _Ctx, raw: list, path: str) -> tuple[Port, ...]:
    ports: list[Port] = []
    for i, item in enumerate(raw):
        item_path, item_loc = f"{path}[{i}]", _loc(raw, i)
        try:
            if isinstance(item, dict):
                ctx.unknown_keys(item, _PORT_KEYS, item_path, "a port")
                target = parse_port_range(str(item.get("target", "")))
                published = item.get("published")
                if published not in (None, ""):
                    parse_port_range(str(published))  # a port or a range, nothing else
                _host_ip(item.get("host_ip"))
                ports.extend(
                    Port(
                        target=t,
                        published=None if published in (None, "") else str(published),
                        protocol=str(item.get("protocol", "tcp")),
                        host_ip=item.get("host_ip"),
                        app_protocol=item.get("app_protocol"),
                        name=item.get("name"),
                    )
                    for t in target
                )
            elif isinstance(item, (int, str)) and not isinstance(item, bool):
                ports.extend(_short_port(str(item)))
            else:
                raise ValueError(f'expected a port such as "8080:80", got {_short(item)}')
        except ValueError as exc:
            ctx.error(str(exc), item_path, item_loc, hint='write ports as "[HOST:]CONTAINER[/PROTOCOL]"')
    return tuple(ports)


def _short_port(text: str) -> list[Port]:
    spec, _, protocol = text.partition("/")
    protocol = protocol or "tcp"
    if protocol not in ("tcp", "udp", "sctp"):
        raise ValueError(f'unknown protocol "{protocol}"')
    host_ip = None
    if spec.startswith("["):  # IPv6 host address
        end = spec.find("]")
        if end < 0:
            raise ValueError(f'"{text}" opens "[" for an IPv6 address without closing it')
        host_ip, spec = spec[1:end], spec[end + 2 :]
    parts = spec.split(":")
    if len(parts) == 3:
        host_ip, parts = parts[0], parts[1:]
    _host_ip(host_ip)
    if len(parts) > 2:
        raise ValueError(f'"{text}" is not a port mapping')
    targets = parse_port_range(parts[-1])
    if len(parts) == 1 or parts[0] == "":
        published = [None] * len(targets) if len(parts) == 1 else [str(t) for t in targets]
    else:
        hosts = parse_port_range(parts[0])
        published = [str(h) for h in hosts] if len(hosts) == len(targets) else [parts[0]] * len(targets)
    return [
        Port(target=t, published=p, protocol=protocol, host_ip=host_ip or None)
        for t, p in zip(targets, published, strict=True)
    ]


def _host_ip(address: Any) -> None:
    if address in (None, ""):
        return
    try:
        ipaddress.ip_address(str(address))
    except ValueError:
        raise ValueError(f'"{address}" is not an IP address') from None


def _expose(ctx: _Ctx, raw: list, path: str) -> tuple[int, ...]:
    result: list[int] = []
    for i, item in enumerate(raw):
        try:
            result.extend(parse_port_range(str(item).partition("/")[0]))
        except ValueError as exc:
            ctx.error(str(exc), f"{path}[{i}]", _loc(raw, i))
    return tuple(sorted(set(result)))


def _depends_on(ctx: _Ctx, raw: Any, path: str, services: dict, loc: Loc | None) -> dict[str, dict[str, Any]]:
    if raw is None:
        return {}
    path = f"{path}.depends_on"
    entries = (
        YMap(
            {v: {"condition": "service_started"} for v in raw},
            loc=_loc(raw),
            key_locs={v: _loc(raw, i) for i, v in enumerate(raw)},
        )
        if isinstance(raw, list)
        else raw
    )
    if not isinstance(entries, dict):
        ctx.error(f"expected a list or mapping of services, got {_short(raw)}", path, _loc(raw) or loc)
        return {}
    result = {}
    for name, spec in entries.items():
        entry_path, loc = f"{path}.{name}", _loc(entries, name)
        if name not in services:
            ctx.error(
                f'depends on undefined service "{name}"',
                entry_path,
                loc,
                hint=did_you_mean(str(name), services) or "defined services: " + ", ".join(sorted(services)),
            )
            continue
        spec = spec if isinstance(spec, dict) else {}
        ctx.unknown_keys(spec, ("condition", "required", "restart"), entry_path, "a dependency")
        condition = spec.get("condition", "service_started")
        if condition not in ("service_started", "service_healthy", "service_completed_successfully"):
            ctx.error(
                f'unknown condition "{condition}"',
                f"{entry_path}.condition",
                _loc(spec, "condition"),
                hint="use service_started, service_healthy or service_completed_successfully",
            )
        result[str(name)] = {
            "condition": condition,
            "required": spec.get("required", True) is not False,
            **({"restart": spec["restart"] in (True, "true")} if "restart" in spec else {}),
        }
    return dict(sorted(result.items()))


def _file_refs(ctx: _Ctx, raw: list, path: str, defined: dict, target_base: str) -> tuple[FileRef, ...]:
    what = path.rsplit(".", 1)[-1]
    refs = []
    for i, item in enumerate(raw):
        item_path, loc = f"{path}[{i}]", _loc(raw, i)
        if isinstance(item, str):
            item = {"source": item}
        if not isinstance(item, dict) or not isinstance(item.get("source"), str):
            ctx.error(f"expected a {what[:-1]} name or {{source, target}}", item_path, loc)
            continue
        ctx.unknown_keys(item, ("source", "target", "uid", "gid", "mode"), item_path, f"a {what[:-1]} reference")
        source = item["source"]
        if source not in defined:
            ctx.error(
                f'{what[:-1]} "{source}" is not defined (defined: {", ".join(sorted(defined)) or "none"})',
                item_path,
                loc,
                hint=f"declare it under the top-level `{what}:`",
            )
            continue
        target = str(item.get("target") or source)
        if not target.startswith("/"):
            target = target_base + target
        mode = _file_mode(ctx, item.get("mode"), f"{item_path}.mode", loc)
        refs.append(
            FileRef(
                source=source, target=target, uid=env_value(item.get("uid")), gid=env_value(item.get("gid")), mode=mode
            )
        )
    return tuple(refs)


def _file_mode(ctx: _Ctx, mode: Any, path: str, loc: Loc | None) -> int | None:
    """A file mode as compose-go reads it: a YAML number (0440 and 0o440 are octal) or an octal string."""
    if mode is None:
        return None
    if isinstance(mode, int) and not isinstance(mode, bool) and 0 <= mode <= 0o7777:
        return mode
    if isinstance(mode, str) and re.fullmatch(r"(?:0o)?[0-7]{1,5}", mode.strip()):
        value = int(mode.strip().removeprefix("0o"), 8)
        if value <= 0o7777:
            return value
    ctx.error(
        f"expected a file mode such as 0440, got {_short(mode)}", path, loc, hint="write the mode in octal, e.g. 0440"
    )
    return None


def _mounts(ctx: _Ctx, raw: list, path: str, volumes: dict) -> tuple[Mount, ...]:
    mounts = []
    for i, item in enumerate(raw):
        item_path, loc = f"{path}[{i}]", _loc(raw, i)
        if isinstance(item, str):
            parts = item.split(":")
            if len(parts) == 1:
                mounts.append(Mount(type="volume", target=parts[0]))
                continue
            source, target = parts[0], parts[1]
            mode = parts[2] if len(parts) > 2 else ""
            kind = "bind" if source[:1] in ("/", ".", "~") else "volume"
            mount = Mount(type=kind, source=source, target=target, read_only="ro" in mode.split(","))
        elif isinstance(item, dict):
            ctx.unknown_keys(item, _MOUNT_KEYS, item_path, "a volume mount")
            if item.get("type") not in _MOUNT_TYPES or not isinstance(item.get("target"), str):
                ctx.error(f"a long-form mount needs type ({', '.join(_MOUNT_TYPES)}) and target", item_path, loc)
                continue
            sub: dict[str, Any] = item["volume"] if isinstance(item.get("volume"), dict) else {}
            mount = Mount(
                type=item["type"],
                source=item.get("source"),
                target=item["target"],
                read_only=item.get("read_only") in (True, "true"),
                subpath=sub.get("subpath"),
            )
        else:
            ctx.error(f'expected a mount such as "data:/var/lib/data", got {_short(item)}', item_path, loc)
            continue
        if mount.type == "volume" and mount.source and mount.source not in volumes:
            ctx.error(
                f'named volume "{mount.source}" is not defined (defined: {", ".join(sorted(volumes)) or "none"})',
                item_path,
                loc,
                hint="declare it under the top-level `volumes:`",
            )
            continue
        mounts.append(mount)
    return tuple(mounts)


def _networks(ctx: _Ctx, raw: Any, path: str, networks: dict, loc: Loc | None) -> tuple[str, ...]:
    if raw is None:
        return ("default",)
    if not isinstance(raw, (list, dict)):
        ctx.error(f"expected a list or mapping of networks, got {_short(raw)}", path, loc)
        return ()
    names = list(raw)
    for name in names:
        if name != "default" and name not in networks:
            ctx.error(
                f'network "{name}" is not defined (defined: {", ".join(sorted(networks)) or "none"})',
                f"{path}.{name}",
                _loc(raw, name) if isinstance(raw, dict) else _loc(raw),
                hint="declare it under the top-level `networks:`",
            )
    return tuple(sorted(str(n) for n in names))


_STRUCTURED = {
    "image",
    "build",
    "command",
    "entrypoint",
    "environment",
    "env_file",
    "models",
    "ports",
    "expose",
    "depends_on",
    "secrets",
    "configs",
    "volumes",
    "networks",
    "labels",
    "profiles",
    "extends",
    "provider",
}


def _settings(ctx: _Ctx, raw: dict, path: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The other attributes as plain data: (mapped, not mapped); deploy and healthcheck are checked here."""
    settings: dict[str, Any] = {}
    unmapped: dict[str, Any] = {}
    for key, value in raw.items():
        if key == AUTOSCALING:  # the ECS integration's extension, read by the runtime plan
            settings[key] = plain(value)
            continue
        if key in _STRUCTURED or str(key).startswith("x-") or key not in SERVICE_ATTRIBUTES:
            continue
        if SERVICE_ATTRIBUTES[key].status != "mapped":
            unmapped[str(key)] = plain(value)
            continue
        if key == "deploy" and isinstance(value, dict):
            ctx.unknown_keys(value, _DEPLOY_KEYS, f"{path}.deploy", "deploy")
            _devices(ctx, value, f"{path}.deploy.resources.reservations.devices", _loc(raw, key))
            replicas = value.get("replicas")
            if replicas is not None and not (_type_ok("integer", replicas) and int(replicas) >= 0):
                ctx.error(
                    f"replicas must be a whole number >= 0, got {_short(replicas)}",
                    f"{path}.deploy.replicas",
                    _loc(value, "replicas"),
                )
        if key == "healthcheck" and isinstance(value, dict):
            ctx.unknown_keys(value, _HEALTH_KEYS, f"{path}.healthcheck", "healthcheck")
            for field in ("interval", "timeout", "start_period", "start_interval"):
                if field in value and not _type_ok("duration", value[field]):
                    ctx.error(
                        f"expected a duration such as 30s, got {_short(value[field])}",
                        f"{path}.healthcheck.{field}",
                        _loc(value, field),
                    )
        kind = SERVICE_ATTRIBUTES[key].kind
        if key == "gpus" and not (
            value == "all" or (isinstance(value, list) and all(isinstance(v, dict) for v in value))
        ):
            ctx.error(
                f'gpus must be "all" or a list of device requests, got {_short(value)}',
                f"{path}.gpus",
                _loc(raw, key),
                hint="write gpus: all, or gpus: [{driver: nvidia, count: 1}]",
            )
            continue
        if kind == "boolean" and _type_ok("boolean", value):  # `init: yes` is true, as compose-go casts it
            value = parse_bool(value)
        elif kind == "integer" and _type_ok("integer", value):
            value = int(value)
            if key == "scale" and value < 0:
                ctx.error(f"scale must be 0 or more, got {value}", f"{path}.scale", _loc(raw, key))
        elif (
            key in ("cpus", "mem_limit", "mem_reservation", "memswap_limit")
            and isinstance(value, float)
            and not math.isfinite(value)
        ):
            ctx.error(
                f"{key} must be a finite number, got {value}",
                f"{path}.{key}",
                _loc(raw, key),
                hint="write a number such as 0.5 (cpus) or a size such as 512m",
            )
            continue
        settings[str(key)] = plain(value)
    return dict(sorted(settings.items())), dict(sorted(unmapped.items()))
