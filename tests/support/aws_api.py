"""The AWS API requests pulumi-aws would send for a preview's resources, checked against AWS's
own API models (botocore's service JSON) and the server-side rules AWS documents.

`requests(result)` turns each recorded resource into the API calls that create it, with the
physical names and ids the mock gave (pulumi-aws's `<logical>-<7 hex>` auto-names, `sg-...`
ids); `check(service, operation, params)` walks a request against the operation's input shape:
unknown and missing members, types, enums, lengths, ranges and name patterns. Every input a
translator does not consume is itself a finding, so a new argument cannot slip past unchecked.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from typing import Any

import botocore.session

from compose_cloud.preview.engine import PreviewResult, Recorded


@cache
def _model(service: str):
    return botocore.session.get_session().get_service_model(service)


def input_shape(service: str, operation: str):
    return _model(service).operation_model(operation).input_shape


@cache
def _pattern(pattern: str) -> re.Pattern | None:
    try:
        return re.compile(pattern)
    except re.error:  # a Java-only construct (\p{...}): AWS checks it, we cannot
        return None


def check(service: str, operation: str, params: dict[str, Any]) -> list[str]:
    """Everything in `params` that AWS's model of `operation` rejects."""
    return _walk(params, input_shape(service, operation), f"{service}:{operation}")


def _walk(value: Any, shape, path: str) -> list[str]:
    kind, meta, found = shape.type_name, shape.metadata, []
    if kind == "structure":
        if not isinstance(value, dict):
            return [f"{path}: expected a structure, got {type(value).__name__}"]
        found += [f"{path}.{m}: required member missing" for m in shape.required_members if m not in value]
        for key, item in value.items():
            if key not in shape.members:
                found.append(f"{path}.{key}: no such member in {shape.name}")
            else:
                found += _walk(item, shape.members[key], f"{path}.{key}")
    elif kind == "list":
        if not isinstance(value, list):
            return [f"{path}: expected a list"]
        found += _bounds(len(value), meta, path, "items")
        for i, item in enumerate(value):
            found += _walk(item, shape.member, f"{path}[{i}]")
    elif kind == "map":
        if not isinstance(value, dict):
            return [f"{path}: expected a map"]
        found += _bounds(len(value), meta, path, "entries")
        for key, item in value.items():
            found += _walk(key, shape.key, f"{path}<key {key}>") + _walk(item, shape.value, f"{path}.{key}")
    elif kind == "string":
        if not isinstance(value, str):
            return [f"{path}: expected a string, got {type(value).__name__}"]
        if shape.enum and value not in shape.enum:
            found.append(f"{path}: {value!r} is not one of {sorted(shape.enum)}")
        found += _bounds(len(value), meta, path, "characters")
        pattern = _pattern(meta["pattern"]) if "pattern" in meta else None
        if pattern is not None and not pattern.fullmatch(value):
            found.append(f"{path}: {value!r} does not match {meta['pattern']}")
    elif kind in ("integer", "long"):
        if not isinstance(value, int) or isinstance(value, bool):
            return [f"{path}: expected an integer, got {value!r}"]
        found += _bounds(value, meta, path, "")
    elif kind in ("float", "double"):
        if not isinstance(value, (int, float)) or isinstance(value, bool):
            return [f"{path}: expected a number, got {value!r}"]
    elif kind == "boolean" and not isinstance(value, bool):
        return [f"{path}: expected a boolean, got {value!r}"]
    return found


def _bounds(size: int, meta: dict, path: str, unit: str) -> list[str]:
    low, high = meta.get("min"), meta.get("max")
    if low is not None and size < low:
        return [f"{path}: {size} {unit} is below the minimum {low}".replace("  ", " ")]
    if high is not None and size > high:
        return [f"{path}: {size} {unit} is above the maximum {high}".replace("  ", " ")]
    return []


# -- from Pulumi inputs to API parameters -------------------------------------------------------------------


def _norm(key: str) -> str:
    return key.replace("_", "").lower()


def convert(value: Any, shape, path: str, found: list[str], renames: dict[str, str] | None = None) -> Any:
    """Pulumi's camelCase inputs as the API's members (matched by name, case-insensitively); numbers
    arrive from the engine as floats and booleans as strings in places: cast where the model says."""
    kind = shape.type_name
    if kind == "structure" and isinstance(value, dict):
        members = {_norm(m): m for m in shape.members}
        out = {}
        for key, item in value.items():
            target = (renames or {}).get(key) or members.get(_norm(key))
            if target is None:
                found.append(f"{path}.{key}: pulumi input with no API member in {shape.name}")
                continue
            out[target] = convert(item, shape.members[target], f"{path}.{key}", found)
        return out
    if kind == "list" and isinstance(value, dict) and shape.member.type_name == "structure":
        keys = {_norm(m): m for m in shape.member.members}
        if "key" in keys and "value" in keys:  # tags: a map in Pulumi, a list of pairs in the API
            return [{keys["key"]: k, keys["value"]: v} for k, v in value.items()]
    if kind == "list" and isinstance(value, list):
        return [convert(v, shape.member, f"{path}[{i}]", found) for i, v in enumerate(value)]
    if kind == "map" and isinstance(value, dict):
        return {k: convert(v, shape.value, f"{path}.{k}", found) for k, v in value.items()}
    if kind in ("integer", "long") and isinstance(value, float) and value.is_integer():
        return int(value)
    if kind in ("double", "float") and isinstance(value, str):
        try:
            return float(value)  # pulumi-aws takes step bounds as strings; the API as numbers
        except ValueError:
            return value
    if kind in ("integer", "long") and isinstance(value, str) and value.isdigit():
        return int(value)
    if kind == "boolean" and value in ("true", "false"):
        return value == "true"
    if kind == "string" and isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(int(value)) if float(value).is_integer() else str(value)
    return value


@dataclass
class Request:
    service: str
    operation: str
    params: dict[str, Any]
    resource: str


@dataclass
class Context:
    result: PreviewResult
    by_name: dict[str, list[Recorded]] = field(default_factory=dict)

    def __post_init__(self):
        for r in self.result.resources:
            self.by_name.setdefault(r.name, []).append(r)

    def default_tags(self, record: Recorded) -> dict[str, str]:
        providers = [r for r in self.by_name.get(record.provider or "", []) if r.type == "pulumi:providers:aws"]
        tags = providers[0].inputs.get("defaultTags") if providers else None
        if isinstance(tags, str):
            tags = json.loads(tags)
        return dict((tags or {}).get("tags") or {})

    def tags(self, record: Recorded, inputs: dict) -> dict[str, str]:
        return {**self.default_tags(record), **(inputs.pop("tags", None) or {})}


class Inputs(dict):
    """A resource's inputs; whatever no translator takes is reported."""

    def take(self, *keys: str) -> dict[str, Any]:
        return {k: self.pop(k) for k in keys if k in self}


def _api(
    service: str,
    operation: str,
    inputs: dict,
    record: Recorded,
    found: list[str],
    renames: dict[str, str] | None = None,
    **fixed,
) -> Request:
    shape = input_shape(service, operation)
    params = convert(inputs, shape, record.name, found, renames)
    return Request(service, operation, {**params, **fixed}, record.name)


def _name(r: Recorded, i: Inputs) -> str:
    """The name sent: the input, else pulumi-aws's auto-name (`<logical>-<7 hex>`) as the mock gave it."""
    return i.pop("name", None) or r.physical_name


def _tag_list(tags: dict[str, str]) -> list[dict]:
    """Tags as most create calls take them: a list of Key/Value pairs."""
    return [{"Key": k, "Value": v} for k, v in tags.items()]


def _tag_spec(resource_type: str, tags: dict[str, str]) -> list[dict]:
    return [{"ResourceType": resource_type, "Tags": _tag_list(tags)}] if tags else []


# Inputs pulumi-aws handles itself (waits, deletion behaviour), never sent to AWS as such.
PROVIDER_ONLY = {"waitForSteadyState", "forceDelete", "forceDestroy", "skipDestroy", "region"}

Translator = Callable[[Recorded, Inputs, Context, list[str]], list[Request]]
TRANSLATORS: dict[str, Translator] = {}


def translates(typ: str):
    def register(fn: Translator) -> Translator:
        TRANSLATORS[typ] = fn
        return fn

    return register


@translates("aws:ec2/vpc:Vpc")
def _vpc(r, i, ctx, found):
    tags = ctx.tags(r, i)
    flags = i.take("enableDnsHostnames", "enableDnsSupport")
    calls = [_api("ec2", "CreateVpc", i.take("cidrBlock"), r, found, TagSpecifications=_tag_spec("vpc", tags))]
    for key, value in flags.items():
        calls.append(
            Request("ec2", "ModifyVpcAttribute", {"VpcId": r.id, key[0].upper() + key[1:]: {"Value": value}}, r.name)
        )
    return calls


@translates("aws:ec2/internetGateway:InternetGateway")
def _igw(r, i, ctx, found):
    tags, vpc = ctx.tags(r, i), i.pop("vpcId")
    return [
        Request("ec2", "CreateInternetGateway", {"TagSpecifications": _tag_spec("internet-gateway", tags)}, r.name),
        Request("ec2", "AttachInternetGateway", {"InternetGatewayId": r.id, "VpcId": vpc}, r.name),
    ]


@translates("aws:ec2/subnet:Subnet")
def _subnet(r, i, ctx, found):
    tags, public = ctx.tags(r, i), i.take("mapPublicIpOnLaunch")
    calls = [
        _api(
            "ec2",
            "CreateSubnet",
            i.take("vpcId", "availabilityZone", "cidrBlock"),
            r,
            found,
            TagSpecifications=_tag_spec("subnet", tags),
        )
    ]
    if public:
        calls.append(
            Request(
                "ec2",
                "ModifySubnetAttribute",
                {"SubnetId": r.id, "MapPublicIpOnLaunch": {"Value": public["mapPublicIpOnLaunch"]}},
                r.name,
            )
        )
    return calls


@translates("aws:ec2/routeTable:RouteTable")
def _route_table(r, i, ctx, found):
    tags, routes = ctx.tags(r, i), i.pop("routes", [])
    calls = [
        _api("ec2", "CreateRouteTable", i.take("vpcId"), r, found, TagSpecifications=_tag_spec("route-table", tags))
    ]
    for route in routes:
        calls.append(
            _api("ec2", "CreateRoute", route, r, found, {"cidrBlock": "DestinationCidrBlock"}, RouteTableId=r.id)
        )
    return calls


@translates("aws:ec2/routeTableAssociation:RouteTableAssociation")
def _association(r, i, ctx, found):
    return [_api("ec2", "AssociateRouteTable", i.take("subnetId", "routeTableId"), r, found)]


@translates("aws:ec2/eip:Eip")
def _eip(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [_api("ec2", "AllocateAddress", i.take("domain"), r, found, TagSpecifications=_tag_spec("elastic-ip", tags))]


@translates("aws:ec2/natGateway:NatGateway")
def _nat(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "ec2",
            "CreateNatGateway",
            i.take("subnetId", "allocationId"),
            r,
            found,
            TagSpecifications=_tag_spec("natgateway", tags),
        )
    ]


def _permission(rule: dict) -> dict:
    """An ingress/egress rule in the shape of EC2's IpPermission."""
    permission: dict[str, Any] = {"IpProtocol": rule.pop("protocol", rule.pop("ipProtocol", None))}
    for pulumi_key, api_key in (("fromPort", "FromPort"), ("toPort", "ToPort")):
        if pulumi_key in rule:
            permission[api_key] = int(rule.pop(pulumi_key))
    if permission["IpProtocol"] == "-1" and permission.get("FromPort") == permission.get("ToPort") == 0:
        permission.pop("FromPort"), permission.pop("ToPort")  # pulumi-aws sends no ports for "all traffic"
    description = rule.pop("description", None)
    extra = {"Description": description} if description else {}
    ranges = [{"CidrIp": c, **extra} for c in rule.pop("cidrBlocks", [])]
    ranges += [{"CidrIp": rule.pop("cidrIpv4"), **extra}] if "cidrIpv4" in rule else []
    ranges6 = [{"CidrIpv6": c, **extra} for c in rule.pop("ipv6CidrBlocks", [])]
    ranges6 += [{"CidrIpv6": rule.pop("cidrIpv6"), **extra}] if "cidrIpv6" in rule else []
    pairs = [{"GroupId": rule.pop("referencedSecurityGroupId"), **extra}] if "referencedSecurityGroupId" in rule else []
    permission.update(
        {k: v for k, v in (("IpRanges", ranges), ("Ipv6Ranges", ranges6), ("UserIdGroupPairs", pairs)) if v}
    )
    return permission


@translates("aws:ec2/securityGroup:SecurityGroup")
def _security_group(r, i, ctx, found):
    tags, egress = ctx.tags(r, i), i.pop("egress", [])
    i.pop("ingress", None)
    calls = [
        _api(
            "ec2",
            "CreateSecurityGroup",
            {"name": _name(r, i)} | i.take("description", "vpcId"),
            r,
            found,
            {"name": "GroupName"},
            TagSpecifications=_tag_spec("security-group", tags),
        )
    ]
    if "Description" not in calls[0].params:
        calls[0].params["Description"] = "Managed by Pulumi"  # pulumi-aws's default
    for rule in egress:
        calls.append(
            Request(
                "ec2",
                "AuthorizeSecurityGroupEgress",
                {"GroupId": r.id, "IpPermissions": [_permission(dict(rule))]},
                r.name,
            )
        )
    return calls


@translates("aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
def _ingress(r, i, ctx, found):
    tags, group = ctx.tags(r, i), i.pop("securityGroupId")
    rule = i.take(
        "ipProtocol", "fromPort", "toPort", "cidrIpv4", "cidrIpv6", "referencedSecurityGroupId", "description"
    )
    return [
        Request(
            "ec2",
            "AuthorizeSecurityGroupIngress",
            {
                "GroupId": group,
                "IpPermissions": [_permission(rule)],
                "TagSpecifications": _tag_spec("security-group-rule", tags),
            },
            r.name,
        )
    ]


@translates("aws:ec2/launchTemplate:LaunchTemplate")
def _launch_template(r, i, ctx, found):
    tags, name = ctx.tags(r, i), _name(r, i)
    data = i.take(
        "imageId",
        "instanceType",
        "iamInstanceProfile",
        "userData",
        "metadataOptions",
        "blockDeviceMappings",
        "vpcSecurityGroupIds",
    )
    if "vpcSecurityGroupIds" in data:
        data["securityGroupIds"] = data.pop("vpcSecurityGroupIds")
    shape = input_shape("ec2", "CreateLaunchTemplate").members["LaunchTemplateData"]
    return [
        Request(
            "ec2",
            "CreateLaunchTemplate",
            {
                "LaunchTemplateName": name,
                "LaunchTemplateData": convert(data, shape, r.name, found),
                "TagSpecifications": _tag_spec("launch-template", tags),
            },
            r.name,
        )
    ]


@translates("aws:autoscaling/group:Group")
def _asg(r, i, ctx, found):
    params = i.take("minSize", "maxSize", "launchTemplate", "protectFromScaleIn", "tags", "vpcZoneIdentifiers")
    zones = params.pop("vpcZoneIdentifiers", [])
    template = params.pop("launchTemplate", {})
    tags = [
        {"Key": t["key"], "Value": t["value"], "PropagateAtLaunch": t.get("propagateAtLaunch", False)}
        for t in params.pop("tags", [])
    ]
    api = convert(
        params,
        input_shape("autoscaling", "CreateAutoScalingGroup"),
        r.name,
        found,
        {"protectFromScaleIn": "NewInstancesProtectedFromScaleIn"},
    )
    return [
        Request(
            "autoscaling",
            "CreateAutoScalingGroup",
            {
                **api,
                "AutoScalingGroupName": r.id,
                "VPCZoneIdentifier": ",".join(zones),
                "Tags": tags,
                "LaunchTemplate": {"LaunchTemplateId": template.get("id"), "Version": template.get("version")},
            },
            r.name,
        )
    ]


@translates("aws:iam/role:Role")
def _role(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "iam",
            "CreateRole",
            {"name": _name(r, i)} | i.take("assumeRolePolicy", "description", "path"),
            r,
            found,
            {"name": "RoleName", "assumeRolePolicy": "AssumeRolePolicyDocument"},
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:iam/rolePolicy:RolePolicy")
def _role_policy(r, i, ctx, found):
    name, params = _name(r, i), i.take("role", "policy")
    return [
        Request(
            "iam",
            "PutRolePolicy",
            {"RoleName": params["role"], "PolicyDocument": params["policy"], "PolicyName": name},
            r.name,
        )
    ]


@translates("aws:iam/rolePolicyAttachment:RolePolicyAttachment")
def _attachment(r, i, ctx, found):
    return [_api("iam", "AttachRolePolicy", i.take("role", "policyArn"), r, found, {"role": "RoleName"})]


@translates("aws:iam/instanceProfile:InstanceProfile")
def _instance_profile(r, i, ctx, found):
    tags, role = ctx.tags(r, i), i.pop("role")
    name = _name(r, i)
    return [
        Request(
            "iam",
            "CreateInstanceProfile",
            {"InstanceProfileName": name, "Tags": _tag_list(tags)},
            r.name,
        ),
        Request("iam", "AddRoleToInstanceProfile", {"InstanceProfileName": name, "RoleName": role}, r.name),
    ]


@translates("aws:cloudwatch/logGroup:LogGroup")
def _log_group(r, i, ctx, found):
    tags, name = ctx.tags(r, i), _name(r, i)
    calls = [Request("logs", "CreateLogGroup", {"logGroupName": name, **({"tags": tags} if tags else {})}, r.name)]
    if "retentionInDays" in i:
        calls.append(
            Request(
                "logs",
                "PutRetentionPolicy",
                {"logGroupName": name, "retentionInDays": int(i.pop("retentionInDays"))},
                r.name,
            )
        )
    return calls


@translates("aws:ecr/repository:Repository")
def _repository(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "ecr",
            "CreateRepository",
            {"name": _name(r, i)} | i.take("imageTagMutability", "imageScanningConfiguration"),
            r,
            found,
            {"name": "repositoryName"},
            tags=_tag_list(tags),
        )
    ]


@translates("aws:ecs/cluster:Cluster")
def _cluster(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "ecs",
            "CreateCluster",
            {"name": _name(r, i)} | i.take("settings", "serviceConnectDefaults"),
            r,
            found,
            {"name": "clusterName"},
            tags=[{"key": k, "value": v} for k, v in tags.items()],
        )
    ]


@translates("aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
def _cluster_capacity(r, i, ctx, found):
    return [
        _api(
            "ecs",
            "PutClusterCapacityProviders",
            i.take("clusterName", "capacityProviders", "defaultCapacityProviderStrategies"),
            r,
            found,
            {"clusterName": "cluster", "defaultCapacityProviderStrategies": "defaultCapacityProviderStrategy"},
        )
    ]


@translates("aws:ecs/capacityProvider:CapacityProvider")
def _capacity_provider(r, i, ctx, found):
    tags, name = ctx.tags(r, i), _name(r, i)
    return [
        _api(
            "ecs",
            "CreateCapacityProvider",
            i.take("autoScalingGroupProvider"),
            r,
            found,
            name=name,
            tags=[{"key": k, "value": v} for k, v in tags.items()],
        )
    ]


@translates("aws:ecs/taskDefinition:TaskDefinition")
def _task_definition(r, i, ctx, found):
    tags = ctx.tags(r, i)
    params = i.take(
        "family",
        "networkMode",
        "requiresCompatibilities",
        "cpu",
        "memory",
        "runtimePlatform",
        "executionRoleArn",
        "taskRoleArn",
        "volumes",
        "containerDefinitions",
    )
    params["containerDefinitions"] = json.loads(params["containerDefinitions"])
    return [
        _api("ecs", "RegisterTaskDefinition", params, r, found, tags=[{"key": k, "value": v} for k, v in tags.items()])
    ]


@translates("aws:ecs/service:Service")
def _service(r, i, ctx, found):
    tags = ctx.tags(r, i)
    params = {"name": _name(r, i)} | i.take(
        "cluster",
        "taskDefinition",
        "desiredCount",
        "launchType",
        "platformVersion",
        "capacityProviderStrategies",
        "loadBalancers",
        "healthCheckGracePeriodSeconds",
        "propagateTags",
        "serviceConnectConfiguration",
        "enableExecuteCommand",
    )
    network = dict(i.pop("networkConfiguration"))
    network["assignPublicIp"] = "ENABLED" if network.get("assignPublicIp") else "DISABLED"
    params["networkConfiguration"] = {"awsvpcConfiguration": network}
    if "deploymentCircuitBreaker" in i:
        params["deploymentConfiguration"] = {"deploymentCircuitBreaker": i.pop("deploymentCircuitBreaker")}
    connect = params.get("serviceConnectConfiguration")
    if connect:
        connect["services"] = [
            {**{k: v for k, v in s.items() if k != "clientAlias"}, "clientAliases": s.get("clientAlias", [])}
            for s in connect.get("services", [])
        ]
    return [
        _api(
            "ecs",
            "CreateService",
            params,
            r,
            found,
            {"name": "serviceName", "capacityProviderStrategies": "capacityProviderStrategy"},
            tags=[{"key": k, "value": v} for k, v in tags.items()],
        )
    ]


@translates("aws:servicediscovery/httpNamespace:HttpNamespace")
def _namespace(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "servicediscovery",
            "CreateHttpNamespace",
            {"name": _name(r, i)} | i.take("description"),
            r,
            found,
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:lb/loadBalancer:LoadBalancer")
def _load_balancer(r, i, ctx, found):
    tags, name = ctx.tags(r, i), _name(r, i)
    params = i.take("subnets", "securityGroups", "ipAddressType", "loadBalancerType")
    params["Scheme"] = "internal" if i.pop("internal", False) else "internet-facing"
    calls = [
        _api(
            "elbv2",
            "CreateLoadBalancer",
            params,
            r,
            found,
            {"loadBalancerType": "Type"},
            Name=name,
            Tags=_tag_list(tags),
        )
    ]
    if "idleTimeout" in i:
        calls.append(
            Request(
                "elbv2",
                "ModifyLoadBalancerAttributes",
                {
                    "LoadBalancerArn": r.id,
                    "Attributes": [{"Key": "idle_timeout.timeout_seconds", "Value": str(int(i.pop("idleTimeout")))}],
                },
                r.name,
            )
        )
    return calls


@translates("aws:lb/targetGroup:TargetGroup")
def _target_group(r, i, ctx, found):
    tags, name = ctx.tags(r, i), _name(r, i)
    check = dict(i.pop("healthCheck", {}))
    params = i.take("vpcId", "targetType", "port", "protocol")
    api = convert(params, input_shape("elbv2", "CreateTargetGroup"), r.name, found)
    api.update({"Name": name, "Tags": _tag_list(tags)})
    for key, target in (("path", "HealthCheckPath"), ("protocol", "HealthCheckProtocol"), ("port", "HealthCheckPort")):
        if key in check:
            api[target] = str(check.pop(key))
    if "matcher" in check:
        api["Matcher"] = {"HttpCode": check.pop("matcher")}
    found += [f"{r.name}.healthCheck.{k}: not translated" for k in check]
    calls = [Request("elbv2", "CreateTargetGroup", api, r.name)]
    if "deregistrationDelay" in i:
        calls.append(
            Request(
                "elbv2",
                "ModifyTargetGroupAttributes",
                {
                    "TargetGroupArn": r.id,
                    "Attributes": [
                        {"Key": "deregistration_delay.timeout_seconds", "Value": str(int(i.pop("deregistrationDelay")))}
                    ],
                },
                r.name,
            )
        )
    return calls


@translates("aws:lb/listener:Listener")
def _listener(r, i, ctx, found):
    tags = ctx.tags(r, i)
    params = i.take("loadBalancerArn", "port", "protocol", "defaultActions", "sslPolicy")
    # pulumi-aws's action blocks are the API's *Config members (redirect -> RedirectConfig, ...)
    blocks = {"redirect": "redirectConfig", "fixedResponse": "fixedResponseConfig", "forward": "forwardConfig"}
    params["defaultActions"] = [
        {blocks.get(k, k): v for k, v in action.items()} for action in params.get("defaultActions", [])
    ]
    if "certificateArn" in i:
        params["certificates"] = [{"certificateArn": i.pop("certificateArn")}]
    return [_api("elbv2", "CreateListener", params, r, found, Tags=_tag_list(tags))]


@translates("aws:efs/fileSystem:FileSystem")
def _file_system(r, i, ctx, found):
    tags = ctx.tags(r, i)
    token = i.pop("creationToken", None) or r.physical_name
    return [
        _api(
            "efs",
            "CreateFileSystem",
            i.take("encrypted", "performanceMode", "throughputMode"),
            r,
            found,
            CreationToken=token,
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:efs/mountTarget:MountTarget")
def _mount_target(r, i, ctx, found):
    return [_api("efs", "CreateMountTarget", i.take("fileSystemId", "subnetId", "securityGroups"), r, found)]


@translates("aws:efs/accessPoint:AccessPoint")
def _access_point(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "efs",
            "CreateAccessPoint",
            i.take("fileSystemId", "rootDirectory", "posixUser"),
            r,
            found,
            ClientToken="terraform-20261127000000000000000001",
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:secretsmanager/secret:Secret")
def _secret(r, i, ctx, found):
    tags, name = ctx.tags(r, i), _name(r, i)
    return [
        _api(
            "secretsmanager",
            "CreateSecret",
            i.take("description", "kmsKeyId"),
            r,
            found,
            Name=name,
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:secretsmanager/secretVersion:SecretVersion")
def _secret_version(r, i, ctx, found):
    return [_api("secretsmanager", "PutSecretValue", i.take("secretId", "secretString"), r, found)]


@translates("aws:ssm/parameter:Parameter")
def _parameter(r, i, ctx, found):
    tags, name = ctx.tags(r, i), _name(r, i)
    return [
        _api(
            "ssm",
            "PutParameter",
            i.take("type", "value", "description", "tier", "keyId"),
            r,
            found,
            Name=name,
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:sagemaker/model:Model")
def _sm_model(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "sagemaker",
            "CreateModel",
            {"name": _name(r, i)} | i.take("executionRoleArn", "primaryContainer"),
            r,
            found,
            {"name": "ModelName"},
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:sagemaker/endpointConfiguration:EndpointConfiguration")
def _sm_config(r, i, ctx, found):
    tags = ctx.tags(r, i)
    variants = [dict(v) for v in i.pop("productionVariants", [])]
    for variant in variants:  # pulumi-aws's routing_configs list is the API's one RoutingConfig
        if "routingConfigs" in variant:
            configs = variant.pop("routingConfigs")
            found += [f"{r.name}.routingConfigs: more than one"] if len(configs) > 1 else []
            variant["routingConfig"] = configs[0]
    return [
        _api(
            "sagemaker",
            "CreateEndpointConfig",
            {"name": _name(r, i), "productionVariants": variants} | i.take("executionRoleArn"),
            r,
            found,
            {"name": "EndpointConfigName"},
            Tags=_tag_list(tags),
        )
    ]


@translates("aws-native:sagemaker:InferenceComponent")
def _inference_component(r, i, ctx, found):
    """pulumi-aws-native sends CloudFormation's shape through Cloud Control; the API call it becomes."""
    tags = [{"Key": t["key"], "Value": t["value"]} for t in i.pop("tags", [])]
    return [
        _api(
            "sagemaker",
            "CreateInferenceComponent",
            i.take("inferenceComponentName", "endpointName", "variantName", "specification", "runtimeConfig"),
            r,
            found,
            Tags=tags,
        )
    ]


@translates("aws:cloudwatch/metricAlarm:MetricAlarm")
def _alarm(r, i, ctx, found):
    tags = ctx.tags(r, i)
    params = i.take(
        "alarmDescription",
        "namespace",
        "metricName",
        "statistic",
        "period",
        "evaluationPeriods",
        "datapointsToAlarm",
        "threshold",
        "comparisonOperator",
        "treatMissingData",
        "alarmActions",
    )
    if "dimensions" in i:
        params["dimensions"] = [{"Name": k, "Value": v} for k, v in i.pop("dimensions").items()]
    metrics = []
    for query in i.pop("metricQueries", []):
        item = {k: query[k] for k in ("id", "expression", "label", "returnData") if k in query}
        if "metric" in query:
            metric = dict(query["metric"])
            item["MetricStat"] = {
                "Metric": {
                    "Namespace": metric.pop("namespace"),
                    "MetricName": metric.pop("metricName"),
                    "Dimensions": [{"Name": k, "Value": v} for k, v in metric.pop("dimensions", {}).items()],
                },
                "Period": int(metric.pop("period")),
                "Stat": metric.pop("stat"),
            }
            found += [f"{r.name}.metricQueries.metric.{k}: not translated" for k in metric]
        metrics.append(item)
    if metrics:
        params["metrics"] = metrics
    return [
        _api(
            "cloudwatch",
            "PutMetricAlarm",
            params,
            r,
            found,
            AlarmName=_name(r, i),
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:cloudwatch/logMetricFilter:LogMetricFilter")
def _metric_filter(r, i, ctx, found):
    transformation = dict(i.pop("metricTransformation"))
    api = {
        "metricName": transformation.pop("name"),
        "metricNamespace": transformation.pop("namespace"),
        "metricValue": transformation.pop("value"),
        **transformation,
    }  # unit, dimensions, defaultValue
    return [
        _api(
            "logs",
            "PutMetricFilter",
            i.take("logGroupName") | {"metricTransformations": [api]},
            r,
            found,
            filterName=_name(r, i),
            filterPattern=i.pop("pattern"),
        )
    ]


@translates("aws:sagemaker/endpoint:Endpoint")
def _sm_endpoint(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "sagemaker",
            "CreateEndpoint",
            {"name": _name(r, i)} | i.take("endpointConfigName"),
            r,
            found,
            {"name": "EndpointName"},
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:appautoscaling/target:Target")
def _scaling_target(r, i, ctx, found):
    ctx.tags(r, i)  # tags go through TagResource, checked with the others below
    return [
        _api(
            "application-autoscaling",
            "RegisterScalableTarget",
            i.take("serviceNamespace", "resourceId", "scalableDimension", "minCapacity", "maxCapacity"),
            r,
            found,
        )
    ]


@translates("aws:appautoscaling/policy:Policy")
def _scaling_policy(r, i, ctx, found):
    name = _name(r, i)
    return [
        _api(
            "application-autoscaling",
            "PutScalingPolicy",
            i.take(
                "policyType",
                "serviceNamespace",
                "resourceId",
                "scalableDimension",
                "targetTrackingScalingPolicyConfiguration",
                "stepScalingPolicyConfiguration",
            ),
            r,
            found,
            PolicyName=name,
        )
    ]


@translates("aws:acm/certificate:Certificate")
def _certificate(r, i, ctx, found):
    tags = ctx.tags(r, i)
    return [
        _api(
            "acm",
            "RequestCertificate",
            i.take("domainName", "validationMethod", "subjectAlternativeNames"),
            r,
            found,
            Tags=_tag_list(tags),
        )
    ]


@translates("aws:acm/certificateValidation:CertificateValidation")
def _certificate_validation(r, i, ctx, found):
    """pulumi-aws only waits here (DescribeCertificate until ISSUED), checking the records exist."""
    i.pop("validationRecordFqdns", None)
    return [_api("acm", "DescribeCertificate", i.take("certificateArn"), r, found)]


@translates("aws:route53/record:Record")
def _record(r, i, ctx, found):
    zone = i.pop("zoneId")
    i.pop("allowOverwrite", None)  # UPSERT instead of CREATE: the provider's choice
    record: dict[str, Any] = {"Name": i.pop("name"), "Type": i.pop("type")}
    if "ttl" in i:
        record["TTL"] = int(i.pop("ttl"))
    if "records" in i:
        record["ResourceRecords"] = [{"Value": v} for v in i.pop("records")]
    if "aliases" in i:
        [alias] = i.pop("aliases")
        record["AliasTarget"] = {
            "HostedZoneId": alias["zoneId"],
            "DNSName": alias["name"],
            "EvaluateTargetHealth": alias["evaluateTargetHealth"],
        }
    return [
        Request(
            "route53",
            "ChangeResourceRecordSets",
            {"HostedZoneId": zone, "ChangeBatch": {"Changes": [{"Action": "UPSERT", "ResourceRecordSet": record}]}},
            r.name,
        )
    ]


# Not AWS API calls: Pulumi's own resources, and the image build (Docker, then ECR's push protocol).
NOT_AWS = ("pulumi:providers:", "compose-cloud:", "docker-build:")


@translates("pulumi-python:dynamic:Resource")
def _task_run(r, i, ctx, found):
    """A job's run (compose_cloud/program/aws/oneshot.py): the ECS RunTask its provider sends, built by
    the same function; the other inputs are the provider's own (where to wait, how often to try)."""
    from compose_cloud.program.aws.oneshot import run_task_request

    props = {k: i.pop(k, None) for k in list(i)}
    request = run_task_request(props)
    return [Request("ecs", "RunTask", request, r.name)]


def requests(result: PreviewResult) -> tuple[list[Request], list[str]]:
    """Every API request of the preview, and what could not be translated (itself a finding)."""
    ctx, calls, found = Context(result), [], []
    for record in result.resources:
        if record.type.startswith(NOT_AWS):
            continue
        translator = TRANSLATORS.get(record.type)
        if translator is None:
            found.append(f"{record.type}: no translation to AWS API calls (add one to tests/support/aws_api.py)")
            continue
        inputs = Inputs(json.loads(json.dumps(record.inputs)))  # a deep copy the translator may consume
        for key in PROVIDER_ONLY:
            inputs.pop(key, None)
        calls += translator(record, inputs, ctx, found)
        found += [f"{record.name}.{key}: input not sent to AWS by any translated call" for key in inputs]
    return calls, found
