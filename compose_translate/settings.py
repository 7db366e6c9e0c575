"""Stack settings: the per-environment defaults a plan is made with.

They come from `stacks/Pulumi.<stack>.yaml` (`compose-cloud:*` and `aws:region`)
and are validated with the same located errors as Compose input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .cli_config import Kind, decode, encode
from .errors import ComposeError, Diagnostic, Loc, fail
from .instances import ALIASES, all_regions, did_you_mean, log_retention_days
from .serving import Images
from .yaml_source import YMap, plain, read_yaml

NAMESPACE = "compose-cloud"

# Stack config key -> settings field. Keys the AWS provider reads are listed too, so a typo is caught here.
CONFIG_KEYS = {
    "files": "files", "profiles": "profiles", "envFile": "env_files", "projectName": "project_name",
    "defaultBackend": "default_backend", "defaultInstanceType": "default_instance_type",
    "embeddingInstanceType": "embedding_instance_type", "gatewayName": "gateway_name",
    "gatewayPort": "gateway_port", "deployUnboundModels": "deploy_unbound_models",
    "vpcId": "vpc_id", "publicSubnetIds": "public_subnet_ids", "privateSubnetIds": "private_subnet_ids",
    "logRetentionDays": "log_retention_days", "certificateArn": "certificate_arn", "images": "images",
    "retainData": "retain_data",
}
# What each setting is, as the Pulumi CLI passes it (compose_translate/cli_config.py).
CONFIG_KINDS: dict[str, Kind] = {
    "files": "list", "profiles": "list", "envFile": "list", "publicSubnetIds": "list", "privateSubnetIds": "list",
    "gatewayPort": "int", "logRetentionDays": "int", "deployUnboundModels": "bool", "retainData": "bool",
    "images": "map",
}
# `aws:` settings the default provider would take; the program's explicit providers take them too.
AWS_PROVIDER_KINDS: dict[str, Kind] = {
    **dict.fromkeys(("profile", "accessKey", "secretKey", "token", "retryMode", "stsRegion", "customCaBundle",
                     "httpProxy", "httpsProxy", "noProxy", "ec2MetadataServiceEndpoint",
                     "ec2MetadataServiceEndpointMode"), "text"),
    **dict.fromkeys(("skipCredentialsValidation", "skipMetadataApiCheck", "skipRegionValidation",
                     "skipRequestingAccountId", "insecure", "useFipsEndpoint", "useDualstackEndpoint"), "bool"),
    "maxRetries": "int",
    **dict.fromkeys(("allowedAccountIds", "forbiddenAccountIds", "sharedConfigFiles", "sharedCredentialsFiles"),
                    "list"),
    **dict.fromkeys(("assumeRoles", "assumeRoleWithWebIdentity", "endpoints", "ignoreTags", "defaultTags"), "json"),
}
AWS_SECRET_KEYS = frozenset({"accessKey", "secretKey", "token"})


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
    # `aws:` provider settings (profile, assumeRoles, ...) in their CLI string form; secrets never kept here
    aws: dict[str, str] = Field(default_factory=dict)
    stack_name: str = "preview"  # set by the Pulumi program; names per-stack resources such as endpoints

    @classmethod
    def from_cli_config(cls, config: dict[str, str], *, file: str = "<stack config>",
                        locs: dict[str, Loc | None] | None = None) -> "StackSettings":
        """Build from config as the Pulumi CLI passes it (PULUMI_CONFIG): every value a string."""
        locs = locs or {}
        values: dict[str, Any] = {}
        aws: dict[str, str] = {}
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
            value = decode(key, raw, CONFIG_KINDS.get(name, "text"), locs.get(key) or Loc(file, 1))
            if isinstance(value, Diagnostic):
                problems.append(value)
            else:
                values[key] = value
        if problems:
            raise ComposeError(problems)
        settings = cls.from_config(values, file=file, locs=locs)
        return settings.model_copy(update={"aws": aws}) if aws else settings

    def cli_config(self) -> dict[str, str]:
        """The config `pulumi up` would pass for these settings (non-default values only)."""
        defaults = StackSettings()
        config = {"aws:region": self.region, **{f"aws:{k}": v for k, v in sorted(self.aws.items())}}
        for key, attribute in CONFIG_KEYS.items():
            value = getattr(self, attribute)
            if value != getattr(defaults, attribute):
                plain = value.model_dump(exclude_defaults=True) if isinstance(value, BaseModel) else value
                encoded = encode(list(plain) if isinstance(plain, tuple) else plain)
                if encoded is not None:
                    config[f"{NAMESPACE}:{key}"] = encoded
        return config

    @classmethod
    def from_config(cls, config: dict[str, Any], *, file: str = "<stack config>",
                    locs: dict[str, Loc | None] | None = None) -> "StackSettings":
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
                    problems.append(Diagnostic(f'unknown setting "{key}"', f"config.{key}", loc,
                                               did_you_mean(name, CONFIG_KEYS) or
                                               "settings: " + ", ".join(sorted(CONFIG_KEYS))))
                    continue
                values[CONFIG_KEYS[name]] = value
        if problems:
            raise ComposeError(problems)
        try:
            settings = cls(**values)
        except ValidationError as exc:
            fields = {v: k for k, v in CONFIG_KEYS.items()}
            raise ComposeError([
                Diagnostic(f"invalid value: {err['msg']}",
                           "config." + (f"{NAMESPACE}:{fields[err['loc'][0]]}" if err["loc"][0] in fields
                                        else "aws:region"),
                           locs.get(f"{NAMESPACE}:{fields.get(err['loc'][0], '')}") or Loc(file, 1))
                for err in exc.errors()]) from None
        settings.validate_choices(file, locs)
        return settings

    def validate_choices(self, file: str = "<stack config>", locs: dict[str, Loc | None] | None = None) -> None:
        def at(key: str) -> Loc:
            return (locs or {}).get(key) or Loc(file, 1)

        if self.region not in all_regions():
            raise fail(f'unknown AWS region "{self.region}"', "config.aws:region", at("aws:region"),
                       did_you_mean(self.region, all_regions()))
        if self.log_retention_days not in log_retention_days():
            allowed = log_retention_days()
            nearest = min(allowed, key=lambda d: (abs(d - self.log_retention_days), d))
            key = f"{NAMESPACE}:logRetentionDays"
            raise fail("CloudWatch Logs does not keep logs for that many days", f"config.{key}", at(key),
                       f"use one of {', '.join(map(str, allowed))} (nearest: {nearest})")
        if self.vpc_id and (len(self.public_subnet_ids) < 2 or len(self.private_subnet_ids) < 2):
            raise fail("an existing VPC needs at least two public and two private subnets, in different "
                       "availability zones", f"config.{NAMESPACE}:vpcId", at(f"{NAMESPACE}:vpcId"),
                       "set compose-cloud:publicSubnetIds and compose-cloud:privateSubnetIds (private subnets "
                       "need a route to the internet through a NAT gateway)")
        if not self.vpc_id and (self.public_subnet_ids or self.private_subnet_ids):
            raise fail("subnet ids are set without compose-cloud:vpcId", f"config.{NAMESPACE}:vpcId",
                       at(f"{NAMESPACE}:publicSubnetIds"), "set compose-cloud:vpcId to the VPC the subnets belong to")
        for field, value in (("defaultInstanceType", self.default_instance_type),
                             ("embeddingInstanceType", self.embedding_instance_type)):
            if value not in ALIASES and "." not in value:
                raise fail(f'"{value}" is neither an alias nor an instance type', f"config.{NAMESPACE}:{field}",
                           at(f"{NAMESPACE}:{field}"),
                           did_you_mean(value, ALIASES) or "aliases: " + ", ".join(ALIASES))


def read_stack_file(path: Path) -> StackSettings:
    document = read_yaml(path)
    config = document.get("config") or YMap()
    if not isinstance(config, dict):
        raise fail("`config` must be a mapping", "config", document.loc_of("config"))
    locs = {str(k): config.loc_of(k) for k in config} if isinstance(config, YMap) else {}
    return StackSettings.from_cli_config(cli_encoded(config), file=str(path), locs=locs)


def cli_encoded(config: dict) -> dict[str, str]:
    """A stack file's `config:` as the Pulumi CLI passes it; encrypted (`secure:`) values are left out."""
    encoded: dict[str, str] = {}
    for key, value in config.items():
        if isinstance(value, dict) and "secure" in value:
            continue
        if isinstance(value, dict) and "value" in value:  # Pulumi's long form {value: ...}
            value = value["value"]
        text = encode(plain(value))
        if text is not None:
            encoded[str(key)] = text
    return encoded
