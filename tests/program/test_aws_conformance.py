"""What the program would send to AWS, checked against AWS's own API models and documented rules.

For every bundled example and every previewable real Compose file (../shared/corpus/wild), the
preview's resources are translated into the API requests pulumi-aws makes (tests/support/aws_api.py),
with physical names as pulumi-aws auto-names them, then validated with botocore's service models
(members, required members, enums, lengths, ranges, name patterns) and the server-side rules AWS
documents (tests/support/aws_rules.py). Every nested Pulumi input key must also be one that pulumi-aws's
typed `*ArgsDict` declares. The expected number of findings is zero.
"""

from __future__ import annotations

import os

import pytest
from support.aws_api import check
from support.aws_rules import rule_findings
from support.common import ROOT, WILD
from support.corpus import EXPECTED_ERRORS, FILES
from support.previews import dev_preview, findings, resource_args, walk_keys

EXAMPLES = sorted(p.parent.name for p in (ROOT / "examples").glob("*/compose.yaml"))


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
    assert findings(dev_preview(files)) == []


@pytest.mark.skipif(not WILD.is_dir(), reason="../shared/corpus/wild is not beside this clone")
@pytest.mark.parametrize("name", [f for f in FILES if f not in EXPECTED_ERRORS])
def test_every_real_file_sends_only_what_aws_accepts(name, monkeypatch):
    monkeypatch.chdir(WILD / name.split("/")[0])
    assert findings(dev_preview([WILD / name])) == []  # a file that stops loading fails here, never skips


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
    from support.aws_api import Request

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


def test_the_key_check_finds_undeclared_keys():
    module, declared = resource_args("aws:ecs/service:Service")
    found: list[str] = []
    walk_keys({"serviceConnectConfiguration": {"services": [{"clientAliases": []}]}}, declared, module, "s", found)
    assert found == ["s.serviceConnectConfiguration.services.clientAliases: not declared by pulumi-aws"]


def test_underscores_in_project_and_model_keys_give_names_aws_accepts(tmp_path):
    """`qwen2_5`, `chat_model` and project names with `_` occur in real files; SageMaker and ELB refuse `_`."""
    (tmp_path / "compose.yaml").write_text(
        "name: my_app\nservices:\n  web_ui: {image: a, ports: ['80:8080'], models: [chat_model, qwen2_5]}\n"
        "models:\n  chat_model: {model: ai/smollm2}\n  qwen2_5: {model: ai/qwen2.5, labels: [cloud.region=eu-west-1]}\n"
    )
    result = dev_preview([tmp_path / "compose.yaml"])
    assert findings(result) == []
    names = [r.physical_name for r in result.resources if r.type.startswith("aws:sagemaker/")]
    assert len(names) == 6 and all("_" not in n for n in names)


def test_private_registry_credentials_are_a_valid_request(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "name: shop\nservices:\n  app:\n    image: registry.example.com/app:1\n    x-aws-pull_credentials: "
        "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf\n"
    )
    assert findings(dev_preview([tmp_path / "compose.yaml"])) == []


def test_hugging_face_token_secret_is_a_valid_request(tmp_path):
    (tmp_path / "compose.yaml").write_text(
        "name: shop\nservices:\n  app: {image: nginx, models: [embed]}\nmodels:\n  embed:\n"
        "    model: hf.co/org/embed-gguf\n    labels: [cloud.backend=ecs, cloud.instance-type=gpu-small]\n"
    )
    assert findings(dev_preview([tmp_path / "compose.yaml"], hf_token_secret="team/hf-token")) == []
