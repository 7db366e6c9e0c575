"""One service: every attribute, mapped to the typed `Service` or kept for the compatibility table."""

from __future__ import annotations

import math
import re
from pathlib import Path
from typing import Any

from compose_translate.compat import AUTOSCALING, SERVICE_ATTRIBUTES
from compose_translate.errors import ComposeError, KeyPath, did_you_mean
from compose_translate.load.envfiles import read_env_file
from compose_translate.normalize.build import _build
from compose_translate.normalize.context import (
    _check,
    _Ctx,
    _loc,
    _short,
    _to_map,
    _type_ok,
)
from compose_translate.normalize.deploy import _deploy, _gpus
from compose_translate.normalize.environment import _environment
from compose_translate.normalize.healthcheck import _healthcheck
from compose_translate.normalize.ports import _expose, _ports
from compose_translate.normalize.project import Binding, Service
from compose_translate.normalize.references import _depends_on, _file_refs, _mounts, _networks
from compose_translate.settings import SECRET_ARN
from compose_translate.values import env_value, parse_bool
from compose_translate.yaml_source import YMap, plain


def _service(
    ctx: _Ctx, name: str, raw: Any, sections: dict[str, Any], models: dict[str, Any], where: KeyPath
) -> Service | None:
    """One service, every attribute checked and typed; None (errors reported) when it is not a mapping."""
    path, loc = where.path, where.loc
    if raw is None:
        raw = YMap(loc=loc)
    if not isinstance(raw, dict):
        ctx.error(f"a service must be a mapping, got {_short(raw)}", where)
        return None
    ctx.unknown_keys(raw, SERVICE_ATTRIBUTES, where, "a service")
    for key, value in raw.items():
        attribute = SERVICE_ATTRIBUTES.get(key)
        if attribute is not None:
            _check(ctx, attribute.kind, value, where.key(key, raw))
    if ctx.report.errors and any(e.path.startswith(path + ".") or e.path == path for e in ctx.report.errors):
        return None
    if raw.get("image") is None and raw.get("build") is None:
        ctx.error(
            "service has neither an image nor a build context",
            where,
            hint="add `image: <repository>:<tag>` or `build: <folder with a Dockerfile>`",
        )
    fields: dict[str, Any] = {"name": name, "loc": loc, "key_locs": dict(getattr(raw, "key_locs", {}))}
    fields["image"] = raw.get("image")
    if raw.get("build") is not None:
        fields["build"] = _build(ctx, raw["build"], where.key("build", raw))
    for key in ("command", "entrypoint"):
        value = raw.get(key)
        fields[key] = tuple(value) if isinstance(value, list) else value
    fields["environment"] = _environment(ctx, raw, where)
    develop = raw.get("develop")
    watch = develop.get("watch") if isinstance(develop, dict) else None
    for i, entry in enumerate(watch if isinstance(watch, list) else []):
        if isinstance(entry, dict) and not entry.get("action"):
            ctx.error(
                "a develop.watch entry needs an action",
                where.key("develop", raw).key("watch").item(i),
                hint="action: sync, rebuild, restart, sync+restart or sync+exec",
            )
    if ctx.declared_models is None:  # once per project, not once per service (services x models)
        section = sections.get("models")
        ctx.declared_models = frozenset(str(k) for k in section) if isinstance(section, dict) else frozenset()
    fields["bindings"] = _bindings(ctx, raw.get("models"), where.key("models", raw), models, ctx.declared_models)
    fields["ports"] = _ports(ctx, raw.get("ports") or [], where.key("ports", raw))
    fields["expose"] = _expose(ctx, raw.get("expose") or [], where.key("expose", raw))
    if isinstance(raw.get("deploy"), dict):
        fields["deploy"] = _deploy(ctx, raw["deploy"], where.key("deploy", raw))
    if isinstance(raw.get("healthcheck"), dict):
        fields["healthcheck"] = _healthcheck(ctx, raw["healthcheck"], where.key("healthcheck", raw))
    if raw.get("gpus") is not None:
        fields["gpus"] = _gpus(ctx, raw["gpus"], where.key("gpus", raw))
    fields["depends_on"] = _depends_on(ctx, raw.get("depends_on"), where.key("depends_on", raw), sections["services"])
    fields["secrets"] = _file_refs(
        ctx, raw.get("secrets") or [], where.key("secrets", raw), sections["secrets"], "/run/secrets/"
    )
    fields["configs"] = _file_refs(ctx, raw.get("configs") or [], where.key("configs", raw), sections["configs"], "/")
    fields["volumes"] = _mounts(ctx, raw.get("volumes") or [], where.key("volumes", raw), sections["volumes"])
    tmpfs = raw.get("tmpfs")
    tmpfs_targets = [str(t).split(":")[0] for t in (tmpfs if isinstance(tmpfs, list) else [tmpfs] if tmpfs else [])]
    for target in sorted({m.target for m in fields["volumes"]} & set(tmpfs_targets)):
        ctx.error(
            f"{target} is both a tmpfs and a volume or bind mount",
            where.key("tmpfs", raw),
            hint="give each its own target",
        )
    fields["networks"] = _networks(ctx, raw.get("networks"), where.key("networks", raw), sections["networks"])
    labels = {
        **_label_files(ctx, raw, where),
        **{str(k): env_value(v) or "" for k, v in _to_map(raw.get("labels") or {}, where.key("labels").path).items()},
    }
    fields["labels"] = dict(sorted(labels.items()))
    fields["settings"], fields["unmapped"] = _settings(ctx, raw, where)
    fields["pull_credentials"] = _pull_credentials(ctx, raw, where)
    return Service(**fields)


def _label_files(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> dict[str, str]:
    """`label_file`: KEY=VALUE files read like env files (not interpolated); `labels` win over them."""
    files = raw.get("label_file")
    entries = [files] if isinstance(files, str) else (files if isinstance(files, list) else [])
    labels: dict[str, str] = {}
    for i, entry in enumerate(entries):
        entry_where = where.key("label_file", raw).item(i)  # located at `label_file:`
        try:
            values = read_env_file(
                Path(str(entry)), {}, ctx.report, raw=True, ref_path=entry_where.path, ref_loc=entry_where.loc
            )
        except ComposeError as exc:
            ctx.report.add(exc)
            continue
        labels.update({k: v or "" for k, v in values.items()})
    return labels


# Docker's ECS integration spelling: a Secrets Manager secret holding {"username": ..., "password": ...}
# for a private registry; ECS reads it as the container's repositoryCredentials.
PULL_CREDENTIALS = "x-aws-pull_credentials"
_SECRET_ARN = re.compile(SECRET_ARN)


def _pull_credentials(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> str | None:
    value = raw.get(PULL_CREDENTIALS)
    if value is None:
        return None
    if not isinstance(value, str) or not _SECRET_ARN.fullmatch(value):
        ctx.error(
            "expected the ARN of a Secrets Manager secret",
            where.key(PULL_CREDENTIALS, raw),
            hint="e.g. arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf; the secret "
            'holds {"username": ..., "password": ...}',
        )
        return None
    return value


def _bindings(
    ctx: _Ctx, raw: Any, where: KeyPath, models: dict[str, Any], declared: frozenset[str]
) -> tuple[Binding, ...]:
    """A model declared but in error has its own message: binding it is not a second error."""
    if raw is None:
        return ()
    if isinstance(raw, list):
        if not all(isinstance(v, str) for v in raw):
            ctx.error("model bindings must be model names", where)
            return ()
        entries: dict[Any, Any] = YMap(
            {v: None for v in raw}, loc=_loc(raw), key_locs={v: _loc(raw, i) for i, v in enumerate(raw)}
        )
    elif isinstance(raw, dict):
        entries = raw
    else:
        ctx.error(f"expected a list of model names or a mapping, got {_short(raw)}", where)
        return ()
    bindings = []
    defined = sorted(models)
    for key, spec in entries.items():
        key = str(key)
        binding = where.key(key).at(_loc(entries, key))
        if key not in models and key in declared:
            continue
        if key not in models:
            ctx.error(
                f'model "{key}" is not defined (defined: {", ".join(defined) or "none"})',
                binding,
                hint=did_you_mean(key, defined) or "declare it under the top-level `models:`",
            )
            continue
        spec = spec if spec is not None else {}
        if not isinstance(spec, dict):
            ctx.error(f"expected endpoint_var / model_var, got {_short(spec)}", binding)
            continue
        ctx.unknown_keys(spec, ("endpoint_var", "model_var"), binding, "a model binding")
        prefix = binding_prefix(key)
        names = {}
        for var, default in (("endpoint_var", prefix + "_URL"), ("model_var", prefix + "_MODEL")):
            value = spec.get(var, default)
            if not isinstance(value, str) or not value:
                ctx.error(f"{var} must be a variable name", binding.key(var, spec))
                value = default
            names[var] = value
        bindings.append(Binding(model=key, loc=_loc(entries, key), **names))
    return tuple(sorted(bindings, key=lambda b: b.model))


def binding_prefix(model_key: str) -> str:
    """Docker Compose's rule (pkg/compose/model.go): upper-case the key, '-' becomes '_', nothing else."""
    return model_key.upper().replace("-", "_")


_STRUCTURED = {
    "image",
    "deploy",
    "healthcheck",
    "gpus",
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


def _settings(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> tuple[dict[str, Any], dict[str, Any]]:
    """The other attributes as plain data: (mapped, not mapped)."""
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
        kind = SERVICE_ATTRIBUTES[key].kind
        if kind == "boolean" and _type_ok("boolean", value):  # `init: yes` is true, as compose-go casts it
            value = parse_bool(value)
        elif kind == "integer" and _type_ok("integer", value):
            value = int(value)
            if key == "scale" and value < 0:
                ctx.error(f"scale must be 0 or more, got {value}", where.key("scale", raw))
        elif (
            key in ("cpus", "mem_limit", "mem_reservation", "memswap_limit")
            and isinstance(value, float)
            and not math.isfinite(value)
        ):
            ctx.error(
                f"{key} must be a finite number, got {value}",
                where.key(key, raw),
                hint="write a number such as 0.5 (cpus) or a size such as 512m",
            )
            continue
        settings[str(key)] = plain(value)
    return dict(sorted(settings.items())), dict(sorted(unmapped.items()))
