"""The template language of one string: `$VAR`, `${VAR:-default}` and the other operators, nesting, `$$`."""

from __future__ import annotations

import re
from typing import Callable, Mapping

_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


_OPERATORS = (":-", "-", ":?", "?", ":+", "+")


class TemplateError(Exception):
    pass


class ValueTooLong(Exception):
    pass


class Template:
    """A small recursive-descent reader over one string, so defaults can nest."""

    def __init__(self, text: str, env: Mapping[str, str], on_unset: Callable[[str], None]):
        self.text = text
        self.env = env
        self.on_unset = on_unset
        self.size = 0
        self.sensitive: dict[str, str] = {}  # value -> name of secret-named or runner-environment variables
        self.dry = 0  # > 0 while checking the syntax of an argument that may not be evaluated
        self.nesting = 0  # `${...}` open around the current position

    def _grow(self, added: int) -> None:
        """Stop before building a huge string (`${A}${A}...` with a large A), not after."""
        self.size += added
        if self.size > MAX_VALUE_CHARS:
            raise ValueTooLong()

    def render(self) -> str:
        """The whole text, substituted."""
        return self._until(0, stop_at_brace=False)[0]

    def _until(self, pos: int, stop_at_brace: bool) -> tuple[str, int]:
        """Substitute from `pos` to the end, or to the brace closing the current `${`, returning the text and where
        it stopped; nesting is bounded."""
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
            raise TemplateError("missing closing '}'")
        return "".join(parts), pos

    def _braced(self, pos: int) -> tuple[str, int]:
        """One `${...}`: its depth is bounded, since each level reads its argument twice (syntax, then value)
        and a crafted value would otherwise exhaust the stack or run for ever."""
        if self.nesting >= MAX_NESTING:
            raise TemplateError(f"'${{' nested deeper than {MAX_NESTING} levels")
        self.nesting += 1
        try:
            return self._braced_body(pos)
        finally:
            self.nesting -= 1

    def _braced_body(self, pos: int) -> tuple[str, int]:
        match = _NAME.match(self.text, pos)
        if not match:
            bad = self.text[pos : pos + 20]
            raise TemplateError(f"'${{{bad}' does not start with a variable name")
        name, pos = match.group(0), match.end()
        if pos >= len(self.text):
            raise TemplateError("missing closing '}'")
        if self.text[pos] == "}":
            return self._lookup(name), pos + 1
        operator = next((op for op in _OPERATORS if self.text.startswith(op, pos)), None)
        if operator is None:
            raise TemplateError(f"unexpected '{self.text[pos]}' after ${{{name}")
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
                raise RequiredVariable(name, argument or f"variable {name} is required and is empty or unset")
            return value
        if operator == "?":
            if value is None:
                raise RequiredVariable(name, argument or f"variable {name} is required and is unset")
            return value
        if operator == ":+":
            return "" if empty else argument
        return "" if value is None else argument  # "+"


class RequiredVariable(Exception):
    def __init__(self, name: str, message: str):
        super().__init__(message)
        self.name = name
        self.message = message


MAX_VALUE_CHARS = 1024 * 1024
MAX_NESTING = 12  # real files nest two or three levels; 2**12 readings at most
