"""Server-side rules AWS documents but its API models do not encode, checked on translated requests.

Each rule cites where AWS states it (the documentation botocore ships with the model, quoted in
the docstring, or an AWS limits page); nothing here is taken from compose_translate.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

import botocore.session

from support.aws_api import Request


def _doc(service: str, shape: str, member: str) -> str:
    model = botocore.session.get_session().get_service_model(service)
    return re.sub(r"<[^>]+>", "", model.shape_for(shape).members[member].documentation)


def retention_days() -> set[int]:
    """logs PutRetentionPolicy.retentionInDays: "Possible values are: 1, 3, 5, ..." (botocore's doc)."""
    text = _doc("logs", "PutRetentionPolicyRequest", "retentionInDays")
    listed = text.split("Possible values are:")[1].split(".")[0]
    return {int(n) for n in re.findall(r"\d+", listed)}


# ECS developer guide, "Task size" (and ../shared/FACTS.md): Fargate cpu units -> valid memory MiB.
FARGATE = {
    256: {512, 1024, 2048},
    512: set(range(1024, 4097, 1024)),
    1024: set(range(2048, 8193, 1024)),
    2048: set(range(4096, 16385, 1024)),
    4096: set(range(8192, 30721, 1024)),
    8192: set(range(16384, 61441, 4096)),
    16384: set(range(32768, 122881, 8192)),
}
# Service Connect (ecs TimeoutConfiguration.perRequestTimeoutSeconds): "can only be set if Service
# Connect appProtocol isn't TCP"; with no appProtocol, TCP is used (PortMapping.appProtocol).
HTTP_LIKE = {"http", "http2", "grpc"}
# Elastic Load Balancing quotas: 50 listeners per load balancer; ECS: 5 target groups per service.
LISTENERS_PER_BALANCER, TARGET_GROUPS_PER_SERVICE = 50, 5
# Tagging best practices (every service here): 50 user tags per resource, `aws:` is reserved.
MAX_TAGS = 50

# Names whose rules AWS gives in prose (botocore's documentation of the member, quoted).
_ECS_NAME = re.compile(r"[A-Za-z0-9_-]{1,255}")  # "Up to 255 letters ..., numbers, underscores, and hyphens"
_PORT_NAME = re.compile(r"[a-z0-9_][a-z0-9_-]{0,63}")  # PortMapping.name / discoveryName: lowercase, no leading -
_DNS_ALIAS = re.compile(r"[a-z0-9_.][a-z0-9_.-]{0,126}")  # ServiceConnectClientAlias.dnsName
_ELB_NAME = re.compile(r"(?!internal-)[A-Za-z0-9](?:[A-Za-z0-9-]{0,30}[A-Za-z0-9])?")  # max 32, no edge hyphen
_SG_TEXT = re.compile(r"[a-zA-Z0-9 ._\-:/()#,@\[\]+=&;{}!$*]{0,255}")  # GroupName / Description characters


def rule_findings(calls: Iterable[Request]) -> list[str]:
    calls = list(calls)
    found: list[str] = []
    tasks = {c.params.get("family"): c for c in calls if c.operation == "RegisterTaskDefinition"}
    days = retention_days()
    listeners: Counter[str] = Counter()
    for c in calls:
        p, where = c.params, f"{c.service}:{c.operation} {c.resource}"
        for tag in p.get("Tags") or p.get("tags") or []:
            if isinstance(tag, dict) and str(tag.get("Key", tag.get("key", ""))).lower().startswith("aws:"):
                found.append(f"{where}: tag keys starting with aws: are reserved")
        if len(p.get("Tags") or p.get("tags") or []) > MAX_TAGS:
            found.append(f"{where}: more than {MAX_TAGS} tags")
        if c.operation == "PutRetentionPolicy" and p["retentionInDays"] not in days:
            found.append(f"{where}: retentionInDays {p['retentionInDays']} is not one of {sorted(days)}")
        if c.operation in ("CreateCluster", "CreateService", "CreateCapacityProvider", "RegisterTaskDefinition"):
            name = p.get("clusterName") or p.get("serviceName") or p.get("name") or p.get("family") or ""
            if not _ECS_NAME.fullmatch(name):
                found.append(f"{where}: name {name!r} breaks ECS's naming rule (letters, digits, _ and -, max 255)")
            if c.operation == "CreateCapacityProvider" and name.lower().startswith(("aws", "ecs", "fargate")):
                found.append(f"{where}: capacity provider names can't start with aws, ecs or fargate")
        if c.operation in ("CreateLoadBalancer", "CreateTargetGroup") and not _ELB_NAME.fullmatch(p["Name"]):
            found.append(f"{where}: name {p['Name']!r} breaks ELB's rule (max 32, letters, digits, inner hyphens)")
        if c.operation == "CreateListener":
            listeners[p["LoadBalancerArn"]] += 1
        if c.operation == "CreateSecurityGroup":
            for key in ("GroupName", "Description"):
                if key in p and not _SG_TEXT.fullmatch(p[key]):
                    found.append(f"{where}: {key} {p[key]!r} has characters EC2 refuses")
            if p.get("GroupName", "").startswith("sg-"):
                found.append(f"{where}: GroupName can't start with sg-")
        if c.operation == "RegisterTaskDefinition":
            found += _task_rules(p, where)
        if c.operation == "CreateService":
            found += _service_rules(p, where, tasks)
    found += [
        f"elbv2: load balancer {arn} has {n} listeners (limit {LISTENERS_PER_BALANCER})"
        for arn, n in listeners.items()
        if n > LISTENERS_PER_BALANCER
    ]
    return found


def _task_rules(p: dict, where: str) -> list[str]:
    found = []
    if "FARGATE" in p.get("requiresCompatibilities", []):
        cpu, memory = int(p.get("cpu", 0)), int(p.get("memory", 0))
        if memory not in FARGATE.get(cpu, set()):
            found.append(f"{where}: Fargate has no size {cpu} cpu / {memory} MiB")
    names = [c["name"] for c in p["containerDefinitions"]]
    if len(names) != len(set(names)):
        found.append(f"{where}: container names repeat")
    for container in p["containerDefinitions"]:
        for mapping in container.get("portMappings", []):
            if "name" in mapping and not _PORT_NAME.fullmatch(mapping["name"]):
                found.append(f"{where}: port mapping name {mapping['name']!r} breaks ECS's rule")
    return found


def _service_rules(p: dict, where: str, tasks: dict[str, Request]) -> list[str]:
    found = []
    if len(p.get("loadBalancers", [])) > TARGET_GROUPS_PER_SERVICE:
        found.append(f"{where}: {len(p['loadBalancers'])} target groups (ECS allows {TARGET_GROUPS_PER_SERVICE})")
    family = p["taskDefinition"].rsplit("/", 1)[-1].rsplit(":", 1)[0]
    task = tasks.get(family)
    mappings = {
        m["name"]: m
        for c in (task.params["containerDefinitions"] if task else [])
        for m in c.get("portMappings", [])
        if "name" in m
    }
    for entry in (p.get("serviceConnectConfiguration") or {}).get("services", []):
        mapping = mappings.get(entry["portName"])
        if mapping is None:
            found.append(
                f"{where}: Service Connect portName {entry['portName']!r} names no port mapping of "
                f"task definition {family}"
            )
            continue
        protocol = mapping.get("appProtocol", "tcp")
        timeout = entry.get("timeout") or {}
        if "perRequestTimeoutSeconds" in timeout and protocol not in HTTP_LIKE:
            found.append(
                f"{where}: perRequestTimeoutSeconds set for a {protocol} port ({entry['portName']}): "
                "AWS refuses it (InvalidParameterException)"
            )
        if "discoveryName" in entry and not _PORT_NAME.fullmatch(entry["discoveryName"]):
            found.append(f"{where}: discoveryName {entry['discoveryName']!r} breaks ECS's rule")
        for alias in entry.get("clientAliases", []):
            if not _DNS_ALIAS.fullmatch(alias["dnsName"]):
                found.append(f"{where}: client alias {alias['dnsName']!r} breaks ECS's rule")
    return found
