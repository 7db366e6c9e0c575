"""Compose variable interpolation (`$VAR`, `${VAR:-default}`, ...), applied to every string value.

Follows the Compose Specification's interpolation section: `$$` is a literal `$`,
a `$` not followed by a name or `{` stays as written (so shell text such as
`$(cat file)` survives), defaults may nest, and an unset variable becomes "" with
a warning. Keys are never interpolated.
"""

from __future__ import annotations

from typing import Any, Callable, Mapping

from compose_translate.errors import ComposeError, Diagnostic, Loc, Report
from compose_translate.interpolate.template import (
    MAX_VALUE_CHARS,
    RequiredVariable,
    Template,
    TemplateError,
    ValueTooLong,
)
from compose_translate.values import kept_as_written
from compose_translate.yaml_source import SCALARS, Override, Reset, YList, YMap


def interpolate_string(
    text: str, env: Mapping[str, str], *, path: str = "", loc: Loc | None = None, report: Report | None = None
) -> str:
    """`${VAR}`, `${VAR:-default}`, `${VAR?error}` and their kin, as compose-go substitutes them; unset variables
    are warned about once with their key path."""
    if "$" not in text:
        return text

    def on_unset(name: str) -> None:
        if report is not None:
            report.warn(
                f'variable "{name}" is not set; using an empty string',
                path,
                loc,
                hint=f"set {name} in the environment or in the project's .env file",
            )

    def too_long() -> ComposeError:  # `A=${A}${A}` repeated in .env doubles a value per line
        return ComposeError(
            Diagnostic(
                f"the interpolated value is longer than {MAX_VALUE_CHARS:,} characters",
                path,
                loc,
                hint="check for variables that repeat themselves",
            )
        )

    template = Template(text, env, on_unset)
    try:
        result = template.render()
    except ValueTooLong:
        raise too_long() from None
    except RequiredVariable as exc:  # make_plan scrubs sensitive values from the message before anyone sees it
        raise ComposeError(
            Diagnostic(
                f"required variable {exc.name} is missing a value: {exc.message}",
                path,
                loc,
                hint=f"set {exc.name} in the environment or .env",
            )
        ) from None
    except TemplateError as exc:
        raise ComposeError(
            Diagnostic(
                f'invalid interpolation format in "{text if len(text) <= 120 else text[:100] + "..."}": {exc}',
                path,
                loc,
                hint="write a literal $ as $$",
            )
        ) from None
    finally:
        if report is not None:
            for value, name in template.sensitive.items():
                report.sensitive_values.setdefault(value, name)
    if len(result) > MAX_VALUE_CHARS:  # long literal text around the variables
        raise too_long()
    return result


def interpolate_tree(
    value: Any,
    env: Mapping[str, str],
    report: Report,
    path: str = "",
    loc: Loc | None = None,
    errors: list[Diagnostic] | None = None,
) -> Any:
    """Return a copy of `value` with every string interpolated; all errors of the tree are collected."""
    if kept_as_written():
        return value
    collected: list[Diagnostic] = [] if errors is None else errors
    result = _walk(value, env, report, path, loc, collected)
    if errors is None and collected:
        raise ComposeError(collected)
    return result


def _walk(
    value: Any, env: Mapping[str, str], report: Report, path: str, loc: Loc | None, errors: list[Diagnostic]
) -> Any:
    """`value` interpolated, its errors added to `errors`; a container is copied only when something beneath it
    changed, and a plain scalar beneath it is not visited (`_plain`)."""
    if isinstance(value, str):
        try:
            return interpolate_string(value, env, path=path, loc=loc, report=report)
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
            return value
    if isinstance(value, YMap):
        changed = _walk_entries(value, value.items(), lambda k: _join(path, k), env, report, errors)
        if not changed:
            return value  # nothing interpolated beneath: no copy
        return YMap(((k, changed.get(k, v)) for k, v in value.items()), loc=value.loc, key_locs=value.key_locs)
    if isinstance(value, YList):
        changed = _walk_entries(value, enumerate(value), lambda i: f"{path}[{i}]", env, report, errors)
        if not changed:
            return value
        return YList([changed.get(i, v) for i, v in enumerate(value)], loc=value.loc, item_locs=value.item_locs)
    if isinstance(value, (Reset, Override)):
        return type(value)(_walk(value.value, env, report, path, value.loc or loc, errors), value.loc)
    return value


def _walk_entries(
    container: YMap | YList,
    entries: Any,
    path_of: Callable[[Any], str],
    env: Mapping[str, str],
    report: Report,
    errors: list[Diagnostic],
) -> dict[Any, Any]:
    """The entries (key or index, value) of `container` that interpolation changes, interpolated; plain scalars
    are stepped over without a call, a key path or a line."""
    changed: dict[Any, Any] = {}
    for where, item in entries:
        if not _plain(item):
            new = _walk(item, env, report, path_of(where), container.loc_of(where), errors)
            if new is not item:
                changed[where] = new
    return changed


def _plain(value: Any) -> bool:
    """A value interpolation leaves as it is: text without `$`, a number, a boolean or null. Most of a file is;
    its key path and line are then never needed, so they are not worked out."""
    kind = type(value)
    return kind in SCALARS and (kind is not str or "$" not in value)


def _join(path: str, key: Any) -> str:
    return f"{path}.{key}" if path else str(key)


class SensitiveEnvironment(dict[str, str]):
    """Interpolation variables, knowing which are sensitive: named like credentials, or taken from the
    process environment (the CI runner's), whose values must not reach a pull-request comment."""

    def __init__(self, values: Mapping[str, str], sensitive_names: set[str]):
        super().__init__(values)
        self.sensitive_names = frozenset(sensitive_names)
