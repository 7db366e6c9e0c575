"""Offline previews for tests: the program under the mock, resources by type, a task's containers, and
what AWS and pulumi-aws would reject in what it sends."""

from __future__ import annotations

import importlib
import json
import re
from functools import cache
from pathlib import Path

from compose_cloud.preview.engine import PreviewResult, run_preview
from compose_translate import StackSettings
from support.aws_api import check, requests
from support.aws_rules import rule_findings
from support.common import ROOT

SG, SUBNET = "aws:ec2/securityGroup:SecurityGroup", "aws:ec2/subnet:Subnet"


TG, SECRET = "aws:lb/targetGroup:TargetGroup", "aws:secretsmanager/secret:Secret"


def preview(files, **settings):
    """Run the program; projects written to a temporary folder are named "app"."""
    if not str(files[0]).startswith(str(ROOT)):
        settings.setdefault("project_name", "app")
    return run_preview(StackSettings(files=tuple(map(str, files)), **settings))


def by_type(result, type_: str) -> dict:
    return {r.name: r for r in result.resources if r.type == type_}


def containers(result, task: str) -> dict[str, dict]:
    definition = by_type(result, "aws:ecs/taskDefinition:TaskDefinition")[task]
    return {c["name"]: c for c in json.loads(definition.inputs["containerDefinitions"])}


def dev_preview(files: list[Path], **settings) -> PreviewResult:
    """The program under the mock for stack "dev", as the AWS conformance checks run it."""
    return run_preview(StackSettings(files=tuple(map(str, files)), **settings), stack="dev")


def findings(result: PreviewResult) -> list[str]:
    calls, found = requests(result)
    for call in calls:
        found += check(call.service, call.operation, call.params)
    return found + rule_findings(calls) + args_dict_findings(result)


def _camel(snake: str) -> str:
    head, *rest = snake.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


@cache
def _declared(module: str, type_name: str) -> dict[str, tuple[str | None, bool]]:
    """camelCase key -> (nested ArgsDict name or None, is a free-form map) for one pulumi-aws type."""
    inputs = importlib.import_module(f"{module}._inputs")
    annotations = getattr(inputs, type_name).__annotations__
    return {_camel(key): _nested(repr(annotation)) for key, annotation in annotations.items()}


def _nested(annotation: str) -> tuple[str | None, bool]:
    found = re.search(r"ForwardRef\('(\w+?)Args(?:Dict)?'\)", annotation)
    free_map = (
        annotation.startswith("typing.Union[typing.Mapping[")
        or "NotRequired[typing.Union[typing.Mapping[" in annotation
    )
    return (f"{found.group(1)}ArgsDict" if found else None), free_map and not found


def resource_args(typ: str) -> tuple[str, dict[str, tuple[str | None, bool]]]:
    package, rest = typ.split(":", 1)
    module_path, cls = rest.split(":")
    module = f"pulumi_{package.replace('-', '_')}.{module_path.split('/')[0]}"
    annotations = getattr(importlib.import_module(module), f"{cls}Args").__init__.__annotations__
    return module, {_camel(k): _nested(repr(v)) for k, v in annotations.items() if k != "return"}


def walk_keys(value, declared, module: str, path: str, found: list[str]) -> None:
    items = value if isinstance(value, list) else [value]
    for item in items:
        if not isinstance(item, dict):
            continue
        for key, nested in item.items():
            if key not in declared:
                found.append(f"{path}.{key}: not declared by pulumi-aws")
                continue
            type_name, free_map = declared[key]
            if type_name and not free_map:
                walk_keys(nested, _declared(module, type_name), module, f"{path}.{key}", found)


def args_dict_findings(result: PreviewResult) -> list[str]:
    found: list[str] = []
    for record in result.resources:
        if not record.type.startswith(("aws:", "aws-native:")) or record.type.startswith("aws:index"):
            continue
        module, declared = resource_args(record.type)
        walk_keys(record.inputs, declared, module, record.name, found)
    return found
