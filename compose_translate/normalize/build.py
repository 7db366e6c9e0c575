"""`build:` in its short and long forms."""

from __future__ import annotations

from typing import Any

from compose_translate.errors import KeyPath
from compose_translate.normalize.context import (
    _BUILD_KEYS,
    _check,
    _Ctx,
    _to_map,
)
from compose_translate.normalize.project import Build
from compose_translate.values import env_value
from compose_translate.yaml_source import plain

_BUILD_NOT_SENT = {
    "secrets": "build secrets would have to be read at deploy time; pass them as build args from the stack instead",
    "ssh": "the deployment's builder has no SSH agent",
}


def _build(ctx: _Ctx, raw: Any, where: KeyPath) -> Build | None:
    """`build:` in short or long syntax, with args, secrets, ssh and the rest checked as docker compose checks
    them."""
    if isinstance(raw, str):
        return Build(context=raw)
    ctx.unknown_keys(raw, _BUILD_KEYS, where, "build")
    args = raw.get("args") or {}
    if not _check(ctx, "list_or_dict", args, where.key("args", raw)):
        args = {}
    for key in ("dockerfile", "dockerfile_inline", "target"):
        if key in raw:
            _check(ctx, "string", raw[key], where.key(key, raw))
    if "ssh" in raw and raw["ssh"] is None:
        ctx.error("build.ssh is empty", where.key("ssh", raw), hint="list the SSH agents or keys, or remove it")
    if "dockerfile" in raw and "dockerfile_inline" in raw:
        ctx.error("build has both dockerfile and dockerfile_inline", where, hint="keep one of them")
    platforms = raw.get("platforms") or []
    for key, why in _BUILD_NOT_SENT.items():  # said, not silently dropped
        if raw.get(key):
            ctx.warn(
                f"build.{key} is not used by the cloud build: {why}",
                where.key(key, raw),
                hint="build the image yourself and set `image:`, or drop the setting",
            )
    contexts = raw.get("additional_contexts")
    if contexts is not None and not _check(ctx, "list_or_dict", contexts, where.key("additional_contexts", raw)):
        contexts = None
    return Build(
        context=str(raw.get("context", ".")),
        dockerfile=raw.get("dockerfile"),
        dockerfile_inline=raw.get("dockerfile_inline"),
        target=raw.get("target"),
        args={str(k): env_value(v) for k, v in sorted(_to_map(args, where.key("args").path).items())},
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
                {
                    "additional_contexts": {
                        str(k): str(v)
                        for k, v in sorted(_to_map(contexts, where.key("additional_contexts").path).items())
                    }
                }
                if contexts
                else {}
            ),
        },
    )
