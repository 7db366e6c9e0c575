"""Names: shortened to fit AWS limits (unique by a hash), and chosen not to shadow a service."""

from __future__ import annotations

import hashlib


def shorten(name: str, limit: int, unique: str) -> str:
    """`name` cut to fit `limit` with "-" and 8 hex characters of `unique`'s hash appended."""
    digest = hashlib.sha256(unique.encode()).hexdigest()[:8]
    return f"{name[:limit - 9].rstrip('-')}-{digest}"


def free_name(wanted: str, taken: set[str]) -> str:
    """Model servers and the gateway are reached by name like services: never shadow one."""
    if wanted not in taken:
        return wanted
    n = 2
    while f"{wanted}-{n}" in taken:
        n += 1
    return f"{wanted}-{n}"
