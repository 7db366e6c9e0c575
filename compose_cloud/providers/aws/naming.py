"""Physical names AWS accepts: within its length limits and character sets, unique per project and stack.

Pulumi names a resource `<logical name>-<7 random characters>`; when that would break an AWS
limit (32 for load balancers and target groups, 63-64 for IAM roles and SageMaker objects) or the
logical name holds characters the service refuses (`_` from a model key such as `qwen2_5`), the
name is set explicitly: cleaned, shortened deterministically and made unique with a hash of
project, stack and logical name (compose_translate/names.py).
"""

from __future__ import annotations

import pulumi

from compose_translate.names import STRICT, safe_name

AUTONAME_SUFFIX = 8  # "-" and 7 random characters


def fitted(name: str, limit: int, allowed: str = STRICT) -> str | None:
    """A resource's physical name: None (Pulumi's auto-name; an input that is None is not sent) when the
    auto-name is valid, else a valid explicit name."""
    unique = f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}"
    return safe_name(name, limit, unique, allowed, reserve=AUTONAME_SUFFIX) or None
