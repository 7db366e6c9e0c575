"""Stack config in the form the Pulumi CLI hands it to a program: every value a string.

`pulumi up` passes a stack's config through PULUMI_CONFIG: plain strings as text (`gpu-small`),
numbers and booleans as their text (`14`, `false`), lists and maps as JSON. The program decodes
each setting from that form by the setting's type; the offline preview and the stack-file reader
encode with `encode`, so every path reads config the way `pulumi up` does.
"""

from __future__ import annotations

import json
import re
from typing import Any, Literal

from compose_translate.errors import Diagnostic, Loc

Kind = Literal["text", "int", "bool", "list", "map", "json"]
_INT = re.compile(r"^-?[0-9]{1,18}$")
_HINTS = {
    "int": "write a whole number, e.g. 14",
    "bool": "write true or false",
    "list": 'write a list, e.g. ["compose.yaml"] (one plain string is read as a one-item list)',
    "map": "write a mapping, e.g. {key: value}",
    "json": "write a list or mapping",
}


def encode(value: Any) -> str | None:
    """A stack file's YAML value as the Pulumi CLI passes it; None (YAML null) means unset."""
    if value is None:
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    return json.dumps(value, sort_keys=True)


def decode(key: str, raw: str, kind: Kind, loc: Loc) -> Any | Diagnostic:
    """One setting from its CLI string form; a Diagnostic (never echoing the value) when it does not fit."""
    if kind == "text":
        return raw
    if kind == "int":
        return int(raw) if _INT.match(raw.strip()) else _problem(key, "is not a whole number", kind, loc)
    if kind == "bool":
        if raw in ("true", "false"):
            return raw == "true"
        return _problem(key, "is not true or false", kind, loc)
    stripped = raw.strip()
    if kind == "list" and not stripped.startswith("["):
        return [raw]  # a plain string in the stack file
    try:
        value = json.loads(stripped)
    except ValueError:
        return _problem(key, "is not valid JSON", kind, loc)
    if kind == "list":
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            return _problem(key, "is not a list of strings", kind, loc)
    elif kind == "map" and not isinstance(value, dict):
        return _problem(key, "is not a mapping", kind, loc)
    elif kind == "json" and not isinstance(value, (list, dict)):
        return _problem(key, "is not a list or mapping", kind, loc)
    return value


def _problem(key: str, what: str, kind: Kind, loc: Loc) -> Diagnostic:
    return Diagnostic(f"the value {what}", f"config.{key}", loc, _HINTS[kind])
