"""Stack settings: the per-environment defaults a plan is made with.

They come from `stacks/Pulumi.<stack>.yaml` (`compose-cloud:*` and `aws:region`)
and are validated with the same located errors as Compose input.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from compose_translate.cli_config import Kind, decode, encode
from compose_translate.errors import ComposeError, Diagnostic, Loc, did_you_mean, fail
from compose_translate.instances import ALIASES, all_regions, log_retention_days
from compose_translate.serving import Images
from compose_translate.yaml_source import YMap, plain, read_yaml

NAMESPACE = "compose-cloud"

# Stack config key -> settings field. Keys the AWS provider reads are listed too, so a typo is caught here.
CONFIG_KEYS = {
    "files": "files",
    "profiles": "profiles",
    "envFile": "env_files",
    "projectName": "project_name",
    "defaultBackend": "default_backend",
    "defaultInstanceType": "default_instance_type",
    "embeddingInstanceType": "embedding_instance_type",
    "gatewayName": "gateway_name",
    "gatewayPort": "gateway_port",
    "deployUnboundModels": "deploy_unbound_models",
    "vpcId": "vpc_id",
    "publicSubnetIds": "public_subnet_ids",
    "privateSubnetIds": "private_subnet_ids",
    "logRetentionDays": "log_retention_days",
    "certificateArn": "certificate_arn",
    "images": "images",
    "retainData": "retain_data",
    "hfTokenSecret": "hf_token_secret",
    "secretRecoveryDays": "secret_recovery_days",
    "domain": "domain",
    "hostedZoneId": "hosted_zone_id",
    "natGateway": "nat_gateway",
}
# What each setting is, as the Pulumi CLI passes it (compose_translate/cli_config.py).
CONFIG_KINDS: dict[str, Kind] = {
    "files": "list",
    "profiles": "list",
    "envFile": "list",
    "publicSubnetIds": "list",
    "privateSubnetIds": "list",
    "gatewayPort": "int",
    "logRetentionDays": "int",
    "secretRecoveryDays": "int",
    "deployUnboundModels": "bool",
    "retainData": "bool",
    "natGateway": "bool",
    "images": "map",
}
# `aws:` settings the default provider would take; the program's explicit providers take them too.
AWS_PROVIDER_KINDS: dict[str, Kind] = {
    **dict.fromkeys(
        (
            "profile",
            "accessKey",
            "secretKey",
            "token",
            "retryMode",
            "stsRegion",
            "customCaBundle",
            "httpProxy",
            "httpsProxy",
            "noProxy",
            "ec2MetadataServiceEndpoint",
            "ec2MetadataServiceEndpointMode",
        ),
        "text",
    ),
    **dict.fromkeys(
        (
            "skipCredentialsValidation",
            "skipMetadataApiCheck",
            "skipRegionValidation",
            "skipRequestingAccountId",
            "insecure",
            "useFipsEndpoint",
            "useDualstackEndpoint",
        ),
        "bool",
    ),
    "maxRetries": "int",
    **dict.fromkeys(
        ("allowedAccountIds", "forbiddenAccountIds", "sharedConfigFiles", "sharedCredentialsFiles"), "list"
    ),
    **dict.fromkeys(("assumeRoles", "assumeRoleWithWebIdentity", "endpoints", "ignoreTags", "defaultTags"), "json"),
}
AWS_SECRET_KEYS = frozenset({"accessKey", "secretKey", "token"})
# A Secrets Manager secret's ARN, or its name (Secrets Manager's name characters)
SECRET_ARN = r"arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[A-Za-z0-9/_+=.@-]{1,512}"
SECRET_REFERENCE = rf"^(?:{SECRET_ARN}|[A-Za-z0-9/_+=.@-]{{1,512}})$"


# `compose-cloud:secrets.<name>` / `compose-cloud:configs.<name>`: a Compose secret's value from the stack
STACK_VALUE_KINDS = ("secrets", "configs")
STACK_VALUE_PLACEHOLDER = "[secret]"  # what the offline preview knows of such a value
PLAINTEXT = "[plaintext]"  # a value written without --secret: readable by anyone who reads the stack file
_RESOURCE_NAME = re.compile(r"[A-Za-z0-9._-]{1,128}")


class StackSettings(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    region: str = "us-east-1"
    files: tuple[str, ...] = ()
    profiles: tuple[str, ...] = ()
    env_files: tuple[str, ...] = ()
    project_name: str | None = None
    default_backend: Literal["sagemaker", "ecs"] = "sagemaker"
    default_instance_type: str = "gpu-small"
    embedding_instance_type: str = "cpu-small"
    gateway_name: str = Field("model-gateway", pattern=r"^[a-z][a-z0-9-]{0,62}$")
    gateway_port: int = Field(4000, ge=1, le=65535)
    deploy_unbound_models: bool = False
    vpc_id: str | None = None
    public_subnet_ids: tuple[str, ...] = ()
    private_subnet_ids: tuple[str, ...] = ()
    log_retention_days: int = Field(30, ge=1)
    certificate_arn: str | None = None
    images: Images = Images()  # pinned serving images (compose_translate/serving.py), overridable
    retain_data: bool = True  # `pulumi destroy` keeps EFS file systems (the volumes' data)
    # false: a dev mode without NAT gateway: tasks in public subnets with public IPs (security groups unchanged)
    nat_gateway: bool = True
    # a custom domain for the load balancer: a DNS-validated ACM certificate and an alias record in the zone
    domain: str | None = Field(
        None, max_length=253, pattern=r"^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$"
    )
    hosted_zone_id: str | None = Field(None, pattern=r"^Z[A-Z0-9]{1,31}$")
    # days Secrets Manager keeps a deleted secret restorable (7-30), or 0: deleted at once (`pulumi destroy`)
    secret_recovery_days: int = 30
    # a Secrets Manager secret (name or ARN) holding a Hugging Face token: HF_TOKEN of ECS model servers
    hf_token_secret: str | None = Field(None, pattern=SECRET_REFERENCE)
    # `aws:` provider settings (profile, assumeRoles, ...) in their CLI string form; secrets never kept here
    aws: dict[str, str] = Field(default_factory=dict)
    # Compose secrets/configs whose value the stack supplies as Pulumi secret config
    # (`compose-cloud:secrets.<name>`, `compose-cloud:configs.<name>`): store keys only, never values
    stack_values: tuple[str, ...] = ()
    plaintext: tuple[str, ...] = ()  # of those, the keys written without --secret (warned about)
    stack_name: str = "preview"  # set by the Pulumi program; names per-stack resources such as endpoints

    @classmethod
    def from_cli_config(
        cls, config: dict[str, str], *, file: str = "<stack config>", locs: dict[str, Loc | None] | None = None
    ) -> "StackSettings":
        """Build from config as the Pulumi CLI passes it (PULUMI_CONFIG): every value a string."""
        locs = locs or {}
        values: dict[str, Any] = {}
        aws: dict[str, str] = {}
        stack_values: list[str] = []
        plaintext: list[str] = []
        problems: list[Diagnostic] = []
        for key, raw in sorted(config.items()):
            namespace, _, name = key.partition(":")
            if namespace == "aws" and name in AWS_PROVIDER_KINDS:
                checked = decode(key, raw, AWS_PROVIDER_KINDS[name], locs.get(key) or Loc(file, 1))
                if isinstance(checked, Diagnostic):
                    problems.append(checked)
                elif name not in AWS_SECRET_KEYS:  # credentials are read by the program as Pulumi secrets
                    aws[name] = raw
                continue
            if namespace != NAMESPACE and key != "aws:region":
                continue
            kind, dot, resource = name.partition(".")
            if not dot and kind in STACK_VALUE_KINDS:  # `pulumi config set --path`: {name: value, ...}
                nested = decode(key, raw, "map", locs.get(key) or Loc(file, 1))
                if isinstance(nested, Diagnostic):
                    problems.append(nested)
                    continue
                for item in nested:
                    config_key = f"{key}.{item}"
                    if _RESOURCE_NAME.fullmatch(str(item)):
                        stack_values.append(f"{kind[:-1]}:{item}")
                        if nested[item] == PLAINTEXT:
                            plaintext.append(config_key)
                    else:
                        problems.append(
                            Diagnostic(
                                f'"{config_key[:80]}" does not name a Compose {kind[:-1]}',
                                f"config.{key}",
                                locs.get(key) or Loc(file, 1),
                                f"write compose-cloud:{kind}.<name>, <name> as in the Compose file",
                            )
                        )
                continue
            if dot and kind in STACK_VALUE_KINDS:  # a secret's value: the program reads it as a Pulumi secret
                if not _RESOURCE_NAME.fullmatch(resource):
                    problems.append(
                        Diagnostic(
                            f'"{key[:80]}" does not name a Compose {kind[:-1]}',
                            f"config.{key}",
                            locs.get(key) or Loc(file, 1),
                            f"write compose-cloud:{kind}.<name>, <name> as in the Compose file",
                        )
                    )
                else:
                    stack_values.append(f"{kind[:-1]}:{resource}")
                    if raw == PLAINTEXT:
                        plaintext.append(key)
                continue
            value = decode(key, raw, CONFIG_KINDS.get(name, "text"), locs.get(key) or Loc(file, 1))
            if isinstance(value, Diagnostic):
                problems.append(value)
            else:
                values[key] = value
        if problems:
            raise ComposeError(problems)
        settings = cls.from_config(values, file=file, locs=locs)
        return settings.model_copy(
            update={"aws": aws, "stack_values": tuple(sorted(stack_values)), "plaintext": tuple(sorted(plaintext))}
        )

    def cli_config(self) -> dict[str, str]:
        """The config `pulumi up` would pass for these settings (non-default values only)."""
        defaults = StackSettings()
        config = {"aws:region": self.region, **{f"aws:{k}": v for k, v in sorted(self.aws.items())}}
        for store_key in self.stack_values:  # set in the stack (encrypted): the value is not known here
            kind, _, resource = store_key.partition(":")
            key = f"{NAMESPACE}:{kind}s.{resource}"
            config[key] = PLAINTEXT if key in self.plaintext else STACK_VALUE_PLACEHOLDER
        for key, attribute in CONFIG_KEYS.items():
            value = getattr(self, attribute)
            if value != getattr(defaults, attribute):
                plain = value.model_dump(exclude_defaults=True) if isinstance(value, BaseModel) else value
                encoded = encode(list(plain) if isinstance(plain, tuple) else plain)
                if encoded is not None:
                    config[f"{NAMESPACE}:{key}"] = encoded
        return config

    @classmethod
    def from_config(
        cls, config: dict[str, Any], *, file: str = "<stack config>", locs: dict[str, Loc | None] | None = None
    ) -> "StackSettings":
        """Build from Pulumi config keys (`compose-cloud:defaultBackend`, `aws:region`, ...)."""
        locs = locs or {}
        values: dict[str, Any] = {}
        problems: list[Diagnostic] = []
        for key, value in config.items():
            loc = locs.get(key) or Loc(file, 1)
            namespace, _, name = key.partition(":")
            if key == "aws:region":
                values["region"] = value
            elif namespace == NAMESPACE:
                if name not in CONFIG_KEYS:
                    problems.append(
                        Diagnostic(
                            f'unknown setting "{key}"',
                            f"config.{key}",
                            loc,
                            did_you_mean(name, CONFIG_KEYS) or "settings: " + ", ".join(sorted(CONFIG_KEYS)),
                        )
                    )
                    continue
                values[CONFIG_KEYS[name]] = value
        if problems:
            raise ComposeError(problems)
        try:
            settings = cls(**values)
        except ValidationError as exc:
            fields = {v: k for k, v in CONFIG_KEYS.items()}
            raise ComposeError(
                [
                    Diagnostic(
                        f"invalid value: {err['msg']}",
                        "config."
                        + (f"{NAMESPACE}:{fields[err['loc'][0]]}" if err["loc"][0] in fields else "aws:region"),
                        locs.get(f"{NAMESPACE}:{fields.get(str(err['loc'][0]), '')}") or Loc(file, 1),
                    )
                    for err in exc.errors()
                ]
            ) from None
        settings.validate_choices(file, locs)
        return settings

    def validate_choices(self, file: str = "<stack config>", locs: dict[str, Loc | None] | None = None) -> None:
        """Region, instance types, ids and the other closed choices checked against AWS's own lists, each error at
        its key's line."""

        def at(key: str) -> Loc:
            return (locs or {}).get(key) or Loc(file, 1)

        if self.region not in all_regions():
            raise fail(
                f'unknown AWS region "{self.region}"',
                "config.aws:region",
                at("aws:region"),
                did_you_mean(self.region, all_regions()),
            )
        if self.log_retention_days not in log_retention_days():
            allowed = log_retention_days()
            nearest = min(allowed, key=lambda d: (abs(d - self.log_retention_days), d))
            key = f"{NAMESPACE}:logRetentionDays"
            raise fail(
                "CloudWatch Logs does not keep logs for that many days",
                f"config.{key}",
                at(key),
                f"use one of {', '.join(map(str, allowed))} (nearest: {nearest})",
            )
        if (self.domain is None) != (self.hosted_zone_id is None):
            key = f"{NAMESPACE}:{'hostedZoneId' if self.domain else 'domain'}"
            raise fail(
                "a custom domain needs both compose-cloud:domain and compose-cloud:hostedZoneId",
                f"config.{key}",
                at(f"{NAMESPACE}:{'domain' if self.domain else 'hostedZoneId'}"),
                "set the Route 53 hosted zone that holds the domain (its id: `aws route53 "
                "list-hosted-zones`) and the name, e.g. chat.example.com",
            )
        if self.secret_recovery_days != 0 and not 7 <= self.secret_recovery_days <= 30:
            key = f"{NAMESPACE}:secretRecoveryDays"
            raise fail(
                "Secrets Manager keeps a deleted secret for 7 to 30 days, or deletes it at once (0)",
                f"config.{key}",
                at(key),
                "use 0, or a number of days from 7 to 30",
            )
        if self.vpc_id and not self.nat_gateway and len(self.public_subnet_ids) < 2:
            raise fail(
                "without a NAT gateway, tasks run in the public subnets: at least two are needed, in different "
                "availability zones",
                f"config.{NAMESPACE}:publicSubnetIds",
                at(f"{NAMESPACE}:vpcId"),
                "set compose-cloud:publicSubnetIds (subnets with a route to an internet gateway)",
            )
        if self.vpc_id and self.nat_gateway and (len(self.public_subnet_ids) < 2 or len(self.private_subnet_ids) < 2):
            raise fail(
                "an existing VPC needs at least two public and two private subnets, in different availability zones",
                f"config.{NAMESPACE}:vpcId",
                at(f"{NAMESPACE}:vpcId"),
                "set compose-cloud:publicSubnetIds and compose-cloud:privateSubnetIds (private subnets "
                "need a route to the internet through a NAT gateway)",
            )
        if not self.vpc_id and (self.public_subnet_ids or self.private_subnet_ids):
            raise fail(
                "subnet ids are set without compose-cloud:vpcId",
                f"config.{NAMESPACE}:vpcId",
                at(f"{NAMESPACE}:publicSubnetIds"),
                "set compose-cloud:vpcId to the VPC the subnets belong to",
            )
        for field, value in (
            ("defaultInstanceType", self.default_instance_type),
            ("embeddingInstanceType", self.embedding_instance_type),
        ):
            if value not in ALIASES and "." not in value:
                raise fail(
                    f'"{value}" is neither an alias nor an instance type',
                    f"config.{NAMESPACE}:{field}",
                    at(f"{NAMESPACE}:{field}"),
                    did_you_mean(value, ALIASES) or "aliases: " + ", ".join(ALIASES),
                )


def read_stack_file(path: Path) -> StackSettings:
    """A Pulumi.<stack>.yaml's settings, encoded as the Pulumi CLI would pass them, with each key's line for
    errors."""
    document = read_yaml(path)
    config = document.get("config") or YMap()
    if not isinstance(config, dict):
        raise fail("`config` must be a mapping", "config", document.loc_of("config"))
    locs = {str(k): config.loc_of(k) for k in config} if isinstance(config, YMap) else {}
    return StackSettings.from_cli_config(cli_encoded(config), file=str(path), locs=locs)


def cli_encoded(config: dict[str, Any]) -> dict[str, str]:
    """A stack file's `config:` as the Pulumi CLI passes it; encrypted (`secure:`) values are left out,
    except that a secret's value set for a Compose secret or config is known to exist."""
    encoded: dict[str, str] = {}
    for key, value in config.items():
        namespace, _, name = str(key).partition(":")
        if namespace == NAMESPACE and name in STACK_VALUE_KINDS and isinstance(value, dict) and "secure" not in value:
            # `pulumi config set --path compose-cloud:secrets.api_key`: one map of name -> value
            for item, inner in value.items():
                if isinstance(inner, dict) and "secure" in inner:
                    encoded[f"{key}.{item}"] = STACK_VALUE_PLACEHOLDER
                elif inner is not None:
                    encoded[f"{key}.{item}"] = PLAINTEXT
            continue
        if isinstance(value, dict) and "secure" in value:
            if namespace == NAMESPACE and name.partition(".")[0] in STACK_VALUE_KINDS:
                encoded[str(key)] = STACK_VALUE_PLACEHOLDER
            continue
        if namespace == NAMESPACE and name.partition(".")[0] in STACK_VALUE_KINDS and "." in name:
            encoded[str(key)] = PLAINTEXT  # its value is never carried; the plan warns that it is not encrypted
            continue
        if isinstance(value, dict) and "value" in value:  # Pulumi's long form {value: ...}
            value = value["value"]
        text = encode(plain(value))
        if text is not None:
            encoded[str(key)] = text
    return encoded
