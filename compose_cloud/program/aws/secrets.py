"""SecretStore: the stack's Compose secrets (Secrets Manager) and configs (SSM parameters).

Values enter Pulumi only as secrets, so they are encrypted in the state and never printed.
A value missing on this machine (git-ignored file, unset variable) is allowed in a preview and
refused by a real deployment.
"""

from __future__ import annotations

from dataclasses import dataclass

import pulumi
import pulumi_aws as aws

from compose_translate.plan.files import StoredValue, store_key
from compose_translate.settings import NAMESPACE

PLACEHOLDER = "(provided at deploy time)"


@dataclass(frozen=True)
class StoredRef:
    arn: pulumi.Output[str]
    store: str  # secretsmanager | ssm


@dataclass(frozen=True)
class SecretStoreArgs:
    secrets: tuple[StoredValue, ...]
    configs: tuple[StoredValue, ...]
    recovery_days: int = 30  # Secrets Manager's recovery window when the stack deletes a secret


class SecretStore(pulumi.ComponentResource):
    refs: dict[str, StoredRef]  # "secret:<name>" / "config:<name>"

    def __init__(self, name: str, args: SecretStoreArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("compose-cloud:aws:SecretStore", name, None, opts)
        self.refs = {}
        for stored in (*args.secrets, *args.configs):
            self.refs[store_key(stored.kind, stored.name)] = self._store(name, stored, args.recovery_days)
        self.register_outputs({"arns": {k: v.arn for k, v in sorted(self.refs.items())}})

    def _store(self, name: str, stored: StoredValue, recovery_days: int) -> StoredRef:
        child = pulumi.ResourceOptions(parent=self)
        invoke = pulumi.InvokeOptions(parent=self)
        resource_name = f"{name}-{stored.kind}-{stored.name}"
        store = "secretsmanager" if stored.store == "secretsmanager" else "ssm"
        if stored.source == "external":
            if store == "ssm":
                return StoredRef(aws.ssm.get_parameter_output(name=stored.external_name, opts=invoke).arn, store)
            return StoredRef(aws.secretsmanager.get_secret_output(name=stored.external_name, opts=invoke).arn, store)
        value = pulumi.Output.secret(_value(stored))
        if store == "secretsmanager":
            secret = aws.secretsmanager.Secret(
                resource_name,
                description=f"Compose {stored.kind} {stored.name}",
                recovery_window_in_days=recovery(recovery_days),
                opts=child,
            )
            aws.secretsmanager.SecretVersion(resource_name, secret_id=secret.id, secret_string=value, opts=child)
            return StoredRef(secret.arn, store)
        tier = "Advanced" if stored.store == "ssm-advanced" else "Standard"
        parameter = aws.ssm.Parameter(
            resource_name,
            type="SecureString",
            tier=tier,
            value=value,
            description=f"Compose config {stored.name}",
            opts=child,
        )
        return StoredRef(parameter.arn, store)


def stored_value(stored: StoredValue) -> pulumi.Input[str]:
    """The content of a secret or config: from the files now, from the stack, or (preview) a placeholder."""
    return _value(stored)


def _value(stored: StoredValue) -> pulumi.Input[str]:
    if stored.value is not None:
        return stored.value.get_secret_value()
    if stored.source == "stack":  # `pulumi config set --secret compose-cloud:secrets.<name>`: stays a secret
        config = pulumi.Config(NAMESPACE)
        flat = config.get_secret(f"{stored.kind}s.{stored.name}")
        if flat is not None:
            return flat
        # `pulumi config set --path --secret compose-cloud:secrets.<name>` writes one map of every value
        name = stored.name
        return config.require_secret_object(f"{stored.kind}s").apply(lambda values: str(values[name]))
    if pulumi.runtime.is_dry_run():
        return PLACEHOLDER
    raise pulumi.RunError(
        f'{stored.kind} "{stored.name}" has no value on this machine (its {stored.source} is '
        "missing); create it before deploying"
    )


def recovery(days: int) -> int | None:
    """A secret's recovery window; AWS's own default (30 days) is left implicit (None is not sent)."""
    return None if days == 30 else days
