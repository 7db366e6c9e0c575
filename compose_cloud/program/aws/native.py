"""pulumi-aws-native providers, for the one resource pulumi-aws lacks (SageMaker inference components).

They get the same region and credentials as the program's pulumi-aws providers: the settings both
providers understand are translated; the others are named in a warning rather than dropped silently.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi_aws_native as aws_native

# pulumi-aws Provider argument -> pulumi-aws-native's (same meaning)
_SAME = {
    "profile",
    "access_key",
    "secret_key",
    "token",
    "allowed_account_ids",
    "forbidden_account_ids",
    "insecure",
    "max_retries",
    "skip_credentials_validation",
    "skip_metadata_api_check",
    "skip_region_validation",
    "skip_requesting_account_id",
}
_ROLE_KEYS = {
    "roleArn": "role_arn",
    "sessionName": "session_name",
    "externalId": "external_id",
    "policy": "policy",
    "policyArns": "policy_arns",
}


def native_args(credentials: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """(pulumi-aws-native Provider arguments, pulumi-aws settings it cannot take)."""
    args = {k: v for k, v in credentials.items() if k in _SAME}
    dropped = sorted(k for k in credentials if k not in _SAME | {"assume_roles", "shared_credentials_files"})
    roles = credentials.get("assume_roles") or []
    if roles:
        args["assume_role"] = {_ROLE_KEYS[k]: v for k, v in roles[0].items() if k in _ROLE_KEYS}
        dropped += ["assume_roles (a chain: only the first role)"] if len(roles) > 1 else []
    files = credentials.get("shared_credentials_files") or []
    if files:
        args["shared_credentials_file"] = files[0]
        dropped += ["shared_credentials_files (only the first)"] if len(files) > 1 else []
    return args, dropped


def native_provider(
    region: str, tags: dict[str, str], credentials: dict[str, Any], opts: pulumi.ResourceOptions | None = None
) -> aws_native.Provider:
    """The region's pulumi-aws-native provider, with the pulumi-aws provider's tags and credentials."""
    args, dropped = native_args(credentials)
    if dropped:
        pulumi.log.warn(
            f"aws-native-{region}: pulumi-aws-native does not take {', '.join(dropped)}; the SageMaker "
            "inference components of models that scale to zero are created without them"
        )
    # a map here (the provider's declaration), unlike a resource's own `tags`, a list of {key, value}
    default_tags: aws_native.ProviderDefaultTagsArgsDict = {"tags": dict(sorted(tags.items()))}
    return aws_native.Provider(f"aws-native-{region}", region=region, default_tags=default_tags, **args, opts=opts)
