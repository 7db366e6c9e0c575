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


def fitted(name: str, limit: int, allowed: str = STRICT, salt: str = "") -> str | None:
    """A resource's physical name: None (Pulumi's auto-name; an input that is None is not sent) when the
    auto-name is valid, else a valid explicit name. `salt` holds the inputs AWS cannot change in place:
    a replacement then gets another name, and Pulumi can create it before it deletes the old one."""
    unique = f"{pulumi.get_project()}/{pulumi.get_stack()}/{name}" + (f"/{salt}" if salt else "")
    return safe_name(name, limit, unique, allowed, reserve=AUTONAME_SUFFIX) or None


def fixed_name(opts: pulumi.ResourceOptions, physical: object) -> pulumi.ResourceOptions:
    """The options of a resource whose physical name we set (`physical` not None): replaced delete-first.

    Pulumi replaces create-before-delete by default; with a fixed name the new resource would be created
    under the old one's name while it still exists, and AWS refuses it (terraform-provider-aws #22408,
    #22823 for ECS services). A resource left to Pulumi's auto-name keeps create-before-delete."""
    if physical is None:
        return opts
    return pulumi.ResourceOptions.merge(opts, pulumi.ResourceOptions(delete_before_replace=True))
