"""Compose variable interpolation (`$VAR`, `${VAR:-default}`, ...), applied to every string value.

Follows the Compose Specification's interpolation section: `$$` is a literal `$`,
a `$` not followed by a name or `{` stays as written (so shell text such as
`$(cat file)` survives), defaults may nest, and an unset variable becomes "" with
a warning. Keys are never interpolated.
"""

from __future__ import annotations

import re
from typing import Any, Callable, Mapping

from .errors import ComposeError, Diagnostic, Loc, Report
from .yaml_source import Override, Reset, YList, YMap

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_OPERATORS = (":-", "-", ":?", "?", ":+", "+")


class _TemplateError(Exception):
    pass


class _TooLong(Exception):
    pass


class _Template:
    """A small recursive-descent reader over one string, so defaults can nest."""

    def __init__(self, text: str, env: Mapping[str, str], on_unset: Callable[[str], None]):
        self.text = text
        self.env = env
        self.on_unset = on_unset
        self.size = 0
        self.sensitive: dict[str, str] = {}  # value -> name of secret-named or runner-environment variables
        self.dry = 0  # > 0 while checking the syntax of an argument that may not be evaluated

    def _grow(self, added: int) -> None:
        """Stop before building a huge string (`${A}${A}...` with a large A), not after."""
        self.size += added
        if self.size > MAX_VALUE_CHARS:
            raise _TooLong()

    def render(self) -> str:
        return self._until(0, stop_at_brace=False)[0]

    def _until(self, pos: int, stop_at_brace: bool) -> tuple[str, int]:
        text, parts = self.text, list[str]()
        depth = 0  # literal braces inside a default (`${JSON:-{"a":1}}`) pair up before the closing one
        while pos < len(text):
            ch = text[pos]
            if stop_at_brace and ch == "}":
                if depth == 0:
                    return "".join(parts), pos
                depth -= 1
            elif stop_at_brace and ch == "{":
                depth += 1
            if ch != "$":
                parts.append(ch)
                pos += 1
                continue
            nxt = text[pos + 1] if pos + 1 < len(text) else ""
            if nxt == "$":
                parts.append("$")
                pos += 2
            elif nxt == "{":
                value, pos = self._braced(pos + 2)
                parts.append(value)
                self._grow(len(value))
            else:
                match = _NAME.match(text, pos + 1)
                if match:
                    parts.append(self._lookup(match.group(0)))
                    self._grow(len(parts[-1]))
                    pos = match.end()
                else:
                    parts.append("$")
                    pos += 1
        if stop_at_brace:
            raise _TemplateError("missing closing '}'")
        return "".join(parts), pos

    def _braced(self, pos: int) -> tuple[str, int]:
        match = _NAME.match(self.text, pos)
        if not match:
            bad = self.text[pos : pos + 20]
            raise _TemplateError(f"'${{{bad}' does not start with a variable name")
        name, pos = match.group(0), match.end()
        if pos >= len(self.text):
            raise _TemplateError("missing closing '}'")
        if self.text[pos] == "}":
            return self._lookup(name), pos + 1
        operator = next((op for op in _OPERATORS if self.text.startswith(op, pos)), None)
        if operator is None:
            raise _TemplateError(f"unexpected '{self.text[pos]}' after ${{{name}")
        # The argument's syntax must be valid either way, but like Compose it is evaluated only when
        # used: `${A:+${A}}` with A unset looks nothing up and warns about nothing.
        start = pos + len(operator)
        self.dry += 1
        try:
            _, end = self._until(start, stop_at_brace=True)
        finally:
            self.dry -= 1
        if not self.dry and self._uses_argument(name, operator):
            argument, end = self._until(start, stop_at_brace=True)
            return self._apply(name, operator, argument), end + 1
        return (self._apply(name, operator, "") if not self.dry else ""), end + 1

    def _uses_argument(self, name: str, operator: str) -> bool:
        value = self.env.get(name)
        if operator in (":-", ":?"):
            return not value
        if operator in ("-", "?"):
            return value is None
        if operator == ":+":
            return bool(value)
        return value is not None  # "+"

    def _get(self, name: str) -> str | None:
        if self.dry:
            return None
        value = self.env.get(name)
        if value and name in getattr(self.env, "sensitive_names", ()):
            self.sensitive.setdefault(value, name)
        return value

    def _lookup(self, name: str) -> str:
        if self.dry:
            return ""
        if name in self.env:
            return self._get(name) or ""
        self.on_unset(name)
        return ""

    def _apply(self, name: str, operator: str, argument: str) -> str:
        value = self._get(name)
        empty = not value
        if operator == ":-":
            return argument if not value else value
        if operator == "-":
            return argument if value is None else value
        if operator == ":?":
            if not value:
                raise _Required(name, argument or f"variable {name} is required and is empty or unset")
            return value
        if operator == "?":
            if value is None:
                raise _Required(name, argument or f"variable {name} is required and is unset")
            return value
        if operator == ":+":
            return "" if empty else argument
        return "" if value is None else argument  # "+"


class _Required(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


MAX_VALUE_CHARS = 1024 * 1024


def interpolate_string(
    text: str, env: Mapping[str, str], *, path: str = "", loc: Loc | None = None, report: Report | None = None
) -> str:
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

    template = _Template(text, env, on_unset)
    try:
        result = template.render()
    except _TooLong:
        raise too_long() from None
    except _Required as exc:  # make_plan scrubs sensitive values from the message before anyone sees it
        raise ComposeError(
            Diagnostic(
                f"required variable {exc.name} is missing a value: {exc.message}",
                path,
                loc,
                hint=f"set {exc.name} in the environment or .env",
            )
        ) from None
    except _TemplateError as exc:
        raise ComposeError(
            Diagnostic(f'invalid interpolation format in "{text}": {exc}', path, loc, hint="write a literal $ as $$")
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
    top = errors is None
    errors = [] if top else errors
    result = _walk(value, env, report, path, loc, errors)
    if top and errors:
        raise ComposeError(errors)
    return result


def _walk(value, env, report, path, loc, errors):
    if isinstance(value, str):
        try:
            return interpolate_string(value, env, path=path, loc=loc, report=report)
        except ComposeError as exc:
            errors.extend(exc.diagnostics)
            return value
    if isinstance(value, YMap):
        items = [(k, v, _walk(v, env, report, _join(path, k), value.loc_of(k), errors)) for k, v in value.items()]
        if all(new is old for _, old, new in items):
            return value  # nothing interpolated beneath: no copy
        return YMap(((k, new) for k, _, new in items), loc=value.loc, key_locs=value.key_locs)
    if isinstance(value, YList):
        walked = [_walk(v, env, report, f"{path}[{i}]", value.loc_of(i), errors) for i, v in enumerate(value)]
        if all(new is old for new, old in zip(walked, value, strict=True)):
            return value
        return YList(walked, loc=value.loc, item_locs=value.item_locs)
    if isinstance(value, (Reset, Override)):
        return type(value)(_walk(value.value, env, report, path, value.loc or loc, errors), value.loc)
    return value


def _join(path: str, key) -> str:
    return f"{path}.{key}" if path else str(key)


class SensitiveEnvironment(dict):
    """Interpolation variables, knowing which are sensitive: named like credentials, or taken from the
    process environment (the CI runner's), whose values must not reach a pull-request comment."""

    def __init__(self, values: Mapping[str, str], sensitive_names: set[str]):
        super().__init__(values)
        self.sensitive_names = frozenset(sensitive_names)
