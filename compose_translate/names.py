"""Names: shortened to fit AWS limits (unique by a hash), and chosen not to shadow a service."""

from __future__ import annotations

import hashlib
import re

# Characters AWS allows in physical names: SageMaker and Elastic Load Balancing take letters, digits
# and inner hyphens only ([a-zA-Z0-9](-*[a-zA-Z0-9])*); IAM role names also take _+=,.@
STRICT = "a-zA-Z0-9-"
IAM = r"\w+=,.@-"


def clean(name: str, allowed: str = STRICT) -> str:
    """`name` with every character AWS refuses turned into "-", runs of "-" collapsed, none at the ends."""
    return re.sub(r"-+", "-", re.sub(f"[^{allowed}]", "-", name)).strip("-")


def safe_name(name: str, limit: int, unique: str, allowed: str = STRICT, reserve: int = 0) -> str | None:
    """None when `name` (plus `reserve` characters Pulumi appends when auto-naming) is valid as it is;
    else a valid name of at most `limit` characters, kept distinct by a hash of `unique`."""
    if len(name) + reserve <= limit and clean(name, allowed) == name:
        return None
    return shorten(clean(name, allowed), limit, unique)


def shorten(name: str, limit: int, unique: str) -> str:
    """`name` cut to fit `limit` with "-" and 8 hex characters of `unique`'s hash appended."""
    digest = hashlib.sha256(unique.encode()).hexdigest()[:8]
    return f"{name[: limit - 9].rstrip('-')}-{digest}"


def free_name(wanted: str, taken: set[str]) -> str:
    """Model servers and the gateway are reached by name like services: never shadow one."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"
