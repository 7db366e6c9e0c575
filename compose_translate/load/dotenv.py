"""The `.env` / `env_file` syntax exactly as compose-go's dotenv parser reads it (dotenv/parser.go).

Ported rule for rule, because python-dotenv differs where users notice: `KEY: value` lines, `export`,
inline comments only after ` #`, single quotes literal, `\\$` an escaped dollar, octal escapes,
unknown escapes kept, and lines such as `INVALID LINE` or `KEY="value` are errors (with the line).
Interpolation of the values is the caller's (compose_translate/load/envfiles.py).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

_ESCAPE = re.compile(r'(\\(?:[abcfnrtv$"\\]|0\d{0,3}))')
_EXPORT = re.compile(r"^export\s+")
_SPACE = "\t\v\f\r \x85\xa0"
_SIMPLE = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v", '"': '"', "\\": "\\"}


class DotenvError(ValueError):
    def __init__(self, line: int, message: str):
        super().__init__(f"line {line}: {message}")
        self.line = line


@dataclass(frozen=True)
class Entry:
    key: str
    value: str | None  # None: a bare `KEY` line, which takes the value from the environment
    quote: str  # "", "'" or '"': single-quoted values are not interpolated
    line: int


def _is_letter_or_number(ch: str) -> bool:
    return unicodedata.category(ch)[0] in ("L", "N")


class _Parser:
    def __init__(self) -> None:
        self.line = 1

    def parse(self, src: str) -> list[Entry]:
        entries: list[Entry] = []
        rest = src
        while True:
            rest = self._statement_start(rest)
            if rest == "":
                return entries
            start_line = self.line
            key, rest, inherited = self._key(rest)
            if " " in key:
                raise DotenvError(self.line, "key cannot contain a space")
            if inherited:
                entries.append(Entry(key, None, "", start_line))
                continue
            value, quote, rest = self._value(rest)
            entries.append(Entry(key, value, quote, start_line))

    def _statement_start(self, src: str) -> str:
        while True:
            pos = next((i for i, ch in enumerate(src) if not (ch.isspace() or ch in _SPACE)), -1)
            self.line += src[: pos if pos >= 0 else len(src)].count("\n")
            if pos == -1:
                return ""
            src = src[pos:]
            if src[0] != "#":
                return src
            newline = src.find("\n")
            if newline == -1:
                return ""
            src = src[newline:]

    def _key(self, src: str) -> tuple[str, str, bool]:
        if _EXPORT.match(src):
            src = src[len("export") :].lstrip(_SPACE)
        key, offset, inherited = None, 0, False
        for i, ch in enumerate(src):
            if ch in _SPACE:
                continue
            if ch in "=:\n":
                key, offset, inherited = src[:i], i + 1, ch == "\n"
                break
            if ch in "_.-[]" or _is_letter_or_number(ch):
                continue
            raise DotenvError(self.line, f"unexpected character {ch!r} in variable name {src.split(chr(10))[0]!r}")
        if key is None:  # the last line, without `=` or a newline
            key, offset, inherited = src, len(src), True
        if inherited and " " not in key:
            self.line += 1
        key = key.rstrip()
        return key, src[offset:].lstrip(_SPACE), inherited

    def _value(self, src: str) -> tuple[str, str, str]:
        quote = src[:1] if src[:1] in ("'", '"') else ""
        if not quote:
            value, _, rest = src.partition("\n")
            self.line += 1
            value = value.split(" #", 1)[0].rstrip()
            return value, "", rest
        escaped, chars = False, []
        for i in range(1, len(src)):
            ch = src[i]
            if ch == "\n":
                self.line += 1
            if ch != quote:
                if not escaped and ch == "\\":
                    escaped = True
                    continue
                if escaped:
                    escaped = False
                    chars.append("\\")
                chars.append(ch)
                continue
            if escaped:
                escaped = False
                chars.append(ch)
                continue
            value = "".join(chars)
            return (_expand_escapes(value) if quote == '"' else value), quote, src[i + 1 :]
        end = src.find("\n")
        raise DotenvError(self.line, f"unterminated quoted value {src[: end if end >= 0 else len(src)]}")


def _expand_escapes(text: str) -> str:
    """Go's strconv.UnquoteChar on each escape; `\\$` becomes `$$`, which interpolation reads as `$`."""

    def one(match: re.Match[str]) -> str:
        escape = match.group(0)
        if escape == "\\$":
            return "$$"
        if escape.startswith("\\0"):
            digits = escape[2:]
            if len(digits) == 3 and all(d in "01234567" for d in digits):
                return chr(int(digits, 8))
            return escape  # Go needs exactly three octal digits
        return _SIMPLE.get(escape[1], escape)

    return _ESCAPE.sub(one, text)


def parse(src: str) -> list[Entry]:
    """Entries in file order; raises DotenvError (with the line) on bad syntax."""
    return _Parser().parse(src)
