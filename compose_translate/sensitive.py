"""What counts as a secret, wherever a value travels: by the variable's name, the value's shape, or its source.

Every stage asks this module, so the loader's sensitive environment, the plan's Secrets Manager
variables and every printed form hide the same values.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable

from pydantic import SecretStr

SECRET_NAME = re.compile(r"(KEY|TOKEN|SECRET|PASSWORD|PASSWD|CREDENTIAL|PRIVATE)", re.IGNORECASE)
REDACTED = "[secret]"

# Values that are credentials whatever their variable is called: a password in a URL, a bearer
# token, and well-known token formats (AWS access keys, GitHub, OpenAI-style, Slack, Hugging Face).
SECRET_VALUE = re.compile(
    r"://[^/\s:@]*:[^/\s@]+@"  # scheme://user:password@host
    r"|\b(?:Bearer|Basic|Token)\s+[A-Za-z0-9._~+/=-]{8,}"
    r"|\b(?:AKIA|ASIA)[0-9A-Z]{16}\b|\bgh[pousr]_[A-Za-z0-9]{20,}|\bgithub_pat_[A-Za-z0-9_]{20,}"
    r"|\bsk-[A-Za-z0-9_-]{16,}|\bxox[abpr]-[A-Za-z0-9-]{10,}|\bhf_[A-Za-z0-9]{20,}"
)
MIN_SENSITIVE = 4  # shorter sensitive values ("1", "on") are too common to hide every occurrence of


def _longest_first(sensitive_values: Iterable[str]) -> list[str]:
    """The sensitive values worth hiding, longest first (so a value is never left in part)."""
    return sorted((v for v in sensitive_values if len(v) >= MIN_SENSITIVE), key=len, reverse=True)


def is_sensitive(name: str, value: str, sensitive_values: Iterable[str] = ()) -> bool:
    """A credential by the variable's name, the value's shape, or where the value came from."""
    return bool(value) and (
        bool(SECRET_NAME.search(name))
        or bool(SECRET_VALUE.search(value))
        or any(len(s) >= MIN_SENSITIVE and s in value for s in sensitive_values)
    )


def split_environment(
    environment: dict[str, str],
    sensitive_values: dict[str, str] | None = None,
) -> tuple[dict[str, str], dict[str, SecretStr], dict[str, str]]:
    """Credential-like variables move to Secrets Manager; the rest stay plain. Also returns, for secret
    variables whose value was interpolated, how to show them: `postgres://app:${DB_PASSWORD}@db/app`."""
    sensitive_values = sensitive_values or {}
    hidden = _longest_first(sensitive_values)
    plain, secret, shown = {}, {}, {}
    for name, value in environment.items():
        if is_sensitive(name, value, hidden):
            secret[name] = SecretStr(value)
            display = _as_references(value, hidden, sensitive_values)
            if display is not None:
                shown[name] = display
        else:
            plain[name] = value
    return plain, secret, shown


def _as_references(value: str, hidden: list[str], sources: dict[str, str]) -> str | None:
    """`value` with each sensitive part written as its `${NAME}`; None when a credential would remain."""
    text = value
    for part in hidden:
        text = text.replace(part, "${" + sources[part] + "}")
    return None if text == value or SECRET_VALUE.search(re.sub(r"\$\{\w+\}", "", text)) else text


def scrub(text: str, sensitive_values: dict[str, str]) -> str:
    """`text` with every sensitive value (and anything credential-shaped) replaced by [secret]."""
    for value in _longest_first(sensitive_values):
        text = text.replace(value, REDACTED)
    return SECRET_VALUE.sub(REDACTED, text)


# The credential inside a value, kept apart from what names it: `postgres://app:[secret]@db/app`,
# `Bearer [secret]`; other token shapes are replaced whole.
_URL_PASSWORD = re.compile(r"(://[^/\s:@]*:)[^/\s@]+(@)")
_AUTH_TOKEN = re.compile(r"\b(Bearer|Basic|Token)(\s+)[A-Za-z0-9._~+/=-]{8,}")


def mask(text: str, sources: dict[str, str]) -> str:
    """`text` as it may be printed, whatever field it came from: each value interpolated from the process
    environment as its `${NAME}` (a CI runner's variables never reach a pull-request comment), each value
    of a credential-named variable as [secret], and every credential written in the files (a password in
    a URL, a bearer token, a well-known token format) as [secret]. Values are matched both as written and
    as JSON escapes them, so a rendered JSON document is masked the same way."""
    for value in _longest_first(sources):
        name = sources[value]
        shown = REDACTED if SECRET_NAME.search(name) else "${" + name + "}"
        text = text.replace(value, shown)
        escaped = json.dumps(value, ensure_ascii=False)[1:-1]
        if escaped != value:
            text = text.replace(escaped, shown)
    text = _URL_PASSWORD.sub(lambda m: m.group(1) + REDACTED + m.group(2), text)
    text = _AUTH_TOKEN.sub(lambda m: m.group(1) + m.group(2) + REDACTED, text)
    return SECRET_VALUE.sub(lambda m: m.group(0) if REDACTED in m.group(0) else REDACTED, text)
