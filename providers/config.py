"""Stack config (Pulumi) -> StackSettings, validated like Compose input."""

from __future__ import annotations

import pulumi

from compose_translate.settings import CONFIG_KEYS, NAMESPACE, StackSettings


def settings_from_stack() -> StackSettings:
    config = pulumi.Config(NAMESPACE)
    values: dict = {}
    for key in CONFIG_KEYS:
        value = config.get_object(key)
        if value is not None:
            values[f"{NAMESPACE}:{key}"] = value
    region = pulumi.Config("aws").get("region")
    if region:
        values["aws:region"] = region
    settings = StackSettings.from_config(values, file=f"stacks/Pulumi.{pulumi.get_stack()}.yaml")
    return settings.model_copy(update={"stack_name": pulumi.get_stack()})
