"""What the program would send to AWS, checked against AWS's own API models and documented rules.

For every bundled example and every previewable real Compose file (../shared/corpus/wild), the
preview's resources are translated into the API requests pulumi-aws makes (tests/aws_api.py),
with physical names as pulumi-aws auto-names them, then validated with botocore's service models
(members, required members, enums, lengths, ranges, name patterns) and the server-side rules AWS
documents (tests/aws_rules.py). Every nested Pulumi input key must also be one that pulumi-aws's
typed `*ArgsDict` declares. The expected number of findings is zero.
"""

from __future__ import annotations

import importlib
import os
import re
from functools import cache
from pathlib import Path

import pytest
from aws_api import check, requests
from aws_rules import rule_findings
from conftest import ROOT, WILD
from test_wild import EXPECTED_ERRORS, FILES

from compose_cloud.preview.engine import PreviewResult, run_preview
from compose_translate import StackSettings

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))


def _preview(files: list[Path], **settings) -> PreviewResult:
    return run_preview(StackSettings(files=tuple(map(str, files)), **settings), stack="dev")


def findings(result: PreviewResult) -> list[str]:
    calls, found = requests(result)
    for call in calls:
        found += check(call.service, call.operation, call.params)
    return found + rule_findings(calls) + args_dict_findings(result)


@pytest.fixture(autouse=True)
def _no_runner_environment(monkeypatch):
    for name in [n for n in os.environ if n.startswith("COMPOSE_")]:
        monkeypatch.delenv(name)


@pytest.mark.parametrize("example", EXAMPLES)
def test_every_example_sends_only_what_aws_accepts(example):
    folder = ROOT / "examples" / example
    files = [folder / "compose.yaml"] + (
        [folder / "compose.override.yaml"] if (folder / "compose.override.yaml").is_file() else []
    )
    assert findings(_preview(files)) == []


@pytest.mark.skipif(not WILD.is_dir(), reason="../shared/corpus/wild is not beside this clone")
@pytest.mark.parametrize("name", [f for f in FILES if f not in EXPECTED_ERRORS])
def test_every_real_file_sends_only_what_aws_accepts(name, monkeypatch):
    monkeypatch.chdir(WILD / name.split("/")[0])
    assert findings(_preview([WILD / name])) == []  # a file that stops loading fails here, never skips


def test_the_checks_find_what_aws_rejects():
    """The validator is not blind: requests AWS refuses are reported."""
    assert check(
        "sagemaker",
        "CreateModel",
        {"ModelName": "chat_model-abc1234", "ExecutionRoleArn": "arn:aws:iam::123456789012:role/r"},
    )
    assert check("elbv2", "CreateLoadBalancer", {"Name": "x", "Type": "gateway-ish"})
    assert check("ecs", "CreateService", {"serviceName": "a", "clientAliases": []})
    assert check("logs", "CreateLogGroup", {"logGroupName": "a" * 600})
    from aws_api import Request

    task = Request(
        "ecs",
        "RegisterTaskDefinition",
        {
            "family": "f",
            "requiresCompatibilities": ["FARGATE"],
            "cpu": "256",
            "memory": "4096",
            "containerDefinitions": [{"name": "app", "portMappings": [{"name": "tcp-80", "containerPort": 80}]}],
        },
        "t",
    )
    service = Request(
        "ecs",
        "CreateService",
        {
            "serviceName": "s",
            "taskDefinition": "f",
            "serviceConnectConfiguration": {
                "enabled": True,
                "services": [{"portName": "tcp-80", "timeout": {"perRequestTimeoutSeconds": 0}}],
            },
        },
        "s",
    )
    problems = rule_findings([task, service])
    assert any("Fargate has no size 256 cpu / 4096 MiB" in p for p in problems)
    assert any("perRequestTimeoutSeconds set for a tcp port" in p for p in problems)


# -- pulumi-aws's typed inputs --------------------------------------------------------------------------


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


def _resource_args(typ: str) -> tuple[str, dict[str, tuple[str | None, bool]]]:
    package, rest = typ.split(":", 1)
    module_path, cls = rest.split(":")
    module = f"pulumi_{package.replace('-', '_')}.{module_path.split('/')[0]}"
    annotations = getattr(importlib.import_module(module), f"{cls}Args").__init__.__annotations__
    return module, {_camel(k): _nested(repr(v)) for k, v in annotations.items() if k != "return"}


def _walk(value, declared, module: str, path: str, found: list[str]) -> None:
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
                _walk(nested, _declared(module, type_name), module, f"{path}.{key}", found)


def args_dict_findings(result: PreviewResult) -> list[str]:
    found: list[str] = []
    for record in result.resources:
        if not record.type.startswith(("aws:", "aws-native:")) or record.type.startswith("aws:index"):
            continue
        module, declared = _resource_args(record.type)
        _walk(record.inputs, declared, module, record.name, found)
    return found


def test_the_key_check_finds_undeclared_keys():
    module, declared = _resource_args("aws:ecs/service:Service")
    found: list[str] = []
    _walk({"serviceConnectConfiguration": {"services": [{"clientAliases": []}]}}, declared, module, "s", found)
    assert found == ["s.serviceConnectConfiguration.services.clientAliases: not declared by pulumi-aws"]


def test_underscores_in_project_and_model_keys_give_names_aws_accepts(tmp_path):
    """`qwen2_5`, `chat_model` and project names with `_` occur in real files; SageMaker and ELB refuse `_`."""
    (tmp_path / "compose.yaml").write_text(
        "name: my_app\nservices:\n  web_ui: {image: a, ports: ['80:8080'], models: [chat_model, qwen2_5]}\n"
        "models:\n  chat_model: {model: ai/smollm2}\n  qwen2_5: {model: ai/qwen2.5, labels: [cloud.region=eu-west-1]}\n"
    )
    result = _preview([tmp_path / "compose.yaml"])
    assert findings(result) == []
    names = [r.physical_name for r in result.resources if r.type.startswith("aws:sagemaker/")]
    assert len(names) == 6 and all("_" not in n for n in names)


def test_private_registry_credentials_are_a_valid_request(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "name: shop\nservices:\n  app:\n    image: registry.example.com/app:1\n    x-aws-pull_credentials: "
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf\n"
    )
    assert findings(_preview([tmp_path / "compose.yaml"])) == []


def test_hugging_face_token_secret_is_a_valid_request(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "name: shop\nservices:\n  app: {image: nginx, models: [embed]}\nmodels:\n  embed:\n"
        "    model: hf.co/org/embed-gguf\n    labels: [cloud.backend=ecs, cloud.instance-type=gpu-small]\n"
    )
    assert findings(_preview([tmp_path / "compose.yaml"], hf_token_secret="team/hf-token")) == []
