"""Stack settings: the per-environment defaults a plan is made with.

They come from `stacks/Pulumi.<stack>.yaml` (`compose-cloud:*` and `aws:region`)
and are validated with the same located errors as Compose input.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from .errors import ComposeError, Diagnostic, Loc, fail
from .instances import ALIASES, all_regions, did_you_mean
from .serving import Images
from .yaml_source import YMap, read_yaml

NAMESPACE = "compose-cloud"

# Stack config key -> settings field. Keys the AWS provider reads are listed too, so a typo is caught here.
CONFIG_KEYS = {
    "files": "files", "profiles": "profiles", "envFile": "env_files", "projectName": "project_name",
    "defaultBackend": "default_backend", "defaultInstanceType": "default_instance_type",
    "embeddingInstanceType": "embedding_instance_type", "gatewayName": "gateway_name",
    "gatewayPort": "gateway_port", "deployUnboundModels": "deploy_unbound_models",
    "vpcId": "vpc_id", "publicSubnetIds": "public_subnet_ids", "privateSubnetIds": "private_subnet_ids",
    "logRetentionDays": "log_retention_days", "certificateArn": "certificate_arn", "images": "images",
}


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
    stack_name: str = "preview"  # set by the Pulumi program; names per-stack resources such as endpoints

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
                if name in ("files", "profiles", "envFile", "publicSubnetIds", "privateSubnetIds") \
                        and isinstance(value, str):
                    value = [value]
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
        settings.validate_choices(file)
        return settings

    def validate_choices(self, file: str = "<stack config>") -> None:
        if self.region not in all_regions():
            raise fail(f'unknown AWS region "{self.region}"', "config.aws:region", Loc(file, 1),
                       did_you_mean(self.region, all_regions()))
        if self.vpc_id and (len(self.public_subnet_ids) < 2 or len(self.private_subnet_ids) < 2):
            raise fail("an existing VPC needs at least two public and two private subnets, in different "
                       "availability zones", f"config.{NAMESPACE}:vpcId", Loc(file, 1),
                       "set compose-cloud:publicSubnetIds and compose-cloud:privateSubnetIds (private subnets "
                       "need a route to the internet through a NAT gateway)")
        if not self.vpc_id and (self.public_subnet_ids or self.private_subnet_ids):
            raise fail("subnet ids are set without compose-cloud:vpcId", f"config.{NAMESPACE}:vpcId", Loc(file, 1),
                       "set compose-cloud:vpcId to the VPC the subnets belong to")
        for field, value in (("defaultInstanceType", self.default_instance_type),
                             ("embeddingInstanceType", self.embedding_instance_type)):
            if value not in ALIASES and "." not in value:
                raise fail(f'"{value}" is neither an alias nor an instance type', f"config.{NAMESPACE}:{field}",
                           Loc(file, 1), did_you_mean(value, ALIASES) or "aliases: " + ", ".join(ALIASES))


def read_stack_file(path: Path) -> StackSettings:
    document = read_yaml(path)
    config = document.get("config") or YMap()
    if not isinstance(config, dict):
        raise fail("`config` must be a mapping", "config", document.loc_of("config"))
    plain = {str(k): (v.get("value") if isinstance(v, dict) and "value" in v else v) for k, v in config.items()}
    locs = {str(k): config.loc_of(k) for k in config} if isinstance(config, YMap) else {}
    return StackSettings.from_config(plain, file=str(path), locs=locs)
