"""Top-level `models:`: references checked, labels and runtime settings read."""

from __future__ import annotations

from typing import Any

from compose_translate.compat import MODEL_ATTRIBUTES
from compose_translate.errors import KeyPath, Loc
from compose_translate.model_ref import SUPPORTED_FORMS, ModelRef, ModelRefError, parse_model_ref
from compose_translate.normalize.context import (
    _check,
    _Ctx,
    _loc,
    _short,
    _to_map,
)
from compose_translate.normalize.project import ModelSpec
from compose_translate.values import env_value
from compose_translate.yaml_source import plain


def _model(ctx: _Ctx, key: str, raw: Any, section: dict[str, Any]) -> ModelSpec | None:
    """One `models:` entry, checked as Docker Compose reads it; None (with errors reported) when it has no
    usable reference, so that one bad model yields its own errors and no follow-on ones."""
    where = KeyPath("models").key(key, section)
    if not isinstance(raw, dict):
        ctx.error(
            f"a model must be a mapping with at least `model:`, got {_short(raw)}",
            where,
            hint="for example `llm: {model: ai/smollm2}`",
        )
        return None
    ctx.unknown_keys(raw, MODEL_ATTRIBUTES, where, "a model")
    found = _reference(ctx, raw, where)
    if found is None:
        return None
    reference, ref = found
    context_size, flags = _context_size(ctx, raw, where), _runtime_flags(ctx, raw, where)
    labels_raw = raw.get("labels") or {}
    labels: dict[str, str] = {}
    label_locs: dict[str, Loc | None] = {}
    if _check(ctx, "list_or_dict", labels_raw, where.key("labels", raw)):
        as_map = _to_map(labels_raw, where.key("labels").path)
        for name, value in as_map.items():
            labels[str(name)] = env_value(value) or ""
            label_locs[str(name)] = _loc(as_map, name)
    return ModelSpec(
        key=key,
        model=reference,
        ref=ref,
        context_size=context_size,
        runtime_flags=flags,
        labels=labels,
        extensions={k: plain(v) for k, v in raw.items() if str(k).startswith("x-")},
        loc=where.loc,
        label_locs=label_locs,
        key_locs=dict(getattr(raw, "key_locs", {})),
    )


def _reference(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> tuple[str, ModelRef] | None:
    """`model:` (or its legacy spelling `image:`) as text and parsed; None after reporting why not."""
    reference = raw.get("model")
    if "image" in raw:
        if reference is None:
            reference = raw.get("image")
            ctx.warn(
                "`image` is the legacy spelling of `model`",
                where.key("image", raw),
                hint="rename the key to `model:`",
            )
        else:
            ctx.error(
                "a model has both `model` and `image`",
                where.key("image", raw),
                hint="`image` is the legacy spelling of `model`: keep only `model`",
            )
    if reference is None:
        ctx.error("a model needs `model:`, the model's reference", where, hint="for example `model: ai/smollm2`")
        return None
    ref_key = "model" if "model" in raw else "image"
    if not isinstance(reference, str):
        ctx.error(f"expected a model reference string, got {_short(reference)}", where.key(ref_key, raw))
        return None
    try:
        return reference, parse_model_ref(reference)
    except ModelRefError as exc:
        ctx.error(
            f"unsupported model reference: {exc}",
            where.key(ref_key, raw),
            hint="supported forms: " + "; ".join(SUPPORTED_FORMS),
        )
        return None


def _context_size(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> int | None:
    """`context_size`: a whole, non-negative number of tokens (0: the model's own); None when absent or wrong."""
    context_size = raw.get("context_size")
    if context_size is None:
        return None
    if isinstance(context_size, bool) or not isinstance(context_size, int):
        ctx.error(
            f"context_size must be a whole number of tokens, got {_short(context_size)}",
            where.key("context_size", raw),
        )
        return None
    if context_size < 0:
        ctx.error(
            f"context_size cannot be negative ({context_size})",
            where.key("context_size", raw),
            hint="use 0 to take the model's own context size, or omit it",
        )
        return None
    return int(context_size)


def _runtime_flags(ctx: _Ctx, raw: dict[str, Any], where: KeyPath) -> tuple[str, ...]:
    """`runtime_flags`: a list of strings; each wrong item is reported where it is, and left out."""
    flags = raw.get("runtime_flags") or []
    if not isinstance(flags, list):
        ctx.error(
            f"runtime_flags must be a list of strings, got {_short(flags)}",
            where.key("runtime_flags", raw),
        )
        return ()
    for i, flag in enumerate(flags):
        if not isinstance(flag, str):
            ctx.error(
                f"runtime flag {i + 1} must be a string, got {_short(flag)}",
                where.key("runtime_flags", raw).item(i, flags),
                hint='quote it: "--flag=42"',
            )
    return tuple(f for f in flags if isinstance(f, str))


# -- services ------------------------------------------------------------------------------------
