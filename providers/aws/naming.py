"""Physical names within AWS's length limits, unique per project and stack.

Pulumi names a resource `<logical name>-<7 random characters>`; when that would break an AWS
limit (32 for load balancers and target groups, 63-64 for IAM roles and SageMaker objects), the
name is shortened deterministically and made unique with a hash of project, stack and logical name.
"""

from __future__ import annotations

import re

import pulumi

from compose_translate.names import shorten

AUTONAME_SUFFIX = 8  # "-" and 7 random characters


def fitted(name: str, limit: int) -> dict[str, str]:
    """`name=` arguments for a resource: none when Pulumi's auto-name fits, else a shortened name."""
    if len(name) + AUTONAME_SUFFIX <= limit:
        return {}
    unique = f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}"
    return {"name": shorten(re.sub(r"[^a-zA-Z0-9-]", "-", name), limit, unique)}
