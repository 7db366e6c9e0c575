"""Stack config (Pulumi) -> StackSettings, read exactly as `pulumi up` passes it.

The Pulumi CLI hands the program every config value as a string (PULUMI_CONFIG): the settings
are decoded from that form (compose_translate/cli_config.py), and the offline preview feeds its
config through the same encoding, so there is one path.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi
from pulumi.runtime import config as runtime_config

from compose_cloud.program.project import stack_file
from compose_translate.cli_config import decode
from compose_translate.errors import ComposeError, Loc
from compose_translate.settings import AWS_PROVIDER_KINDS, AWS_SECRET_KEYS, StackSettings
from compose_translate.yaml_source import YMap, read_yaml


def settings_from_stack(overrides: dict[str, str] | None = None) -> StackSettings:
    """The stack's config, with a program's own settings (same string form) over it."""
    stack = pulumi.get_stack()
    file = stack_file(stack)
    settings = StackSettings.from_cli_config(
        {**all_config(), **(overrides or {})}, file=str(file), locs=_locations(file)
    )
    return settings.model_copy(update={"stack_name": stack})


def all_config() -> dict[str, str]:
    """Every config value the program was given: PULUMI_CONFIG under the CLI, set values under mocks."""
    config = {**runtime_config.get_config_env(), **runtime_config.CONFIG.get()}
    return {str(k): v for k, v in config.items() if isinstance(v, str)}


def aws_credentials() -> dict[str, Any]:
    """The `aws:` credential settings as Provider arguments; the secret ones stay Pulumi secrets."""
    config = pulumi.Config("aws")
    return {_snake(key): config.get_secret(key) for key in sorted(AWS_SECRET_KEYS) if config.get(key) is not None}


def _snake(key: str) -> str:
    return "".join(f"_{c.lower()}" if c.isupper() else c for c in key)


def provider_args(settings: StackSettings) -> dict[str, Any]:
    """What the default AWS provider would take from `aws:` config, as explicit Provider arguments."""
    args: dict[str, Any] = {}
    for key, raw in sorted(settings.aws.items()):
        value = decode(f"aws:{key}", raw, AWS_PROVIDER_KINDS[key], Loc("<config>", 1))
        # nested objects keep the config's camelCase keys (`roleArn`): a provider's object inputs reach it
        # as JSON without the SDK's name translation, and camelCase is what pulumi-aws reads there
        args[_snake(key)] = value  # checked when the settings were read: never a Diagnostic here
    return {**args, **aws_credentials()}


def _locations(path: Path) -> dict[str, Loc | None]:
    """Lines of the stack file's keys, for errors; nothing when the file is not there."""
    try:
        document = read_yaml(path) if path.is_file() else YMap()
    except ComposeError:
        return {}
    config = document.get("config")
    return {str(k): config.loc_of(k) for k in config} if isinstance(config, YMap) else {}
