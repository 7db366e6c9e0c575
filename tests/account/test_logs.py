"""`compose-cloud logs` against a moto server on 127.0.0.1: groups found by name and tags, interleaved."""

from __future__ import annotations

import time
import urllib.request

import boto3
import pytest
from support.common import write

from compose_cloud.account import logs
from compose_cloud.account.clients import Aws
from compose_cloud.cli.main import main

COMPOSE = """\
name: shop
services:
  web:
    image: nginx
    ports: ["80:80"]
    models: [llm]
  worker:
    image: busybox
models:
  llm:
    model: ai/smollm2
"""
STACK = "config:\n  aws:region: us-east-1\n  compose-cloud:files: [compose.yaml]\n"


def _group(client, name: str, stack: str = "dev", project: str = "shop") -> None:
    client.create_log_group(logGroupName=name, tags={"compose-cloud:project": project, "compose-cloud:stack": stack})
    client.create_log_stream(logGroupName=name, logStreamName="ecs/main/1")


def _put(client, group: str, events: list[tuple[int, str]]) -> None:
    client.put_log_events(
        logGroupName=group, logStreamName="ecs/main/1", logEvents=[{"timestamp": t, "message": m} for t, m in events]
    )


@pytest.fixture
def deployed(account, tmp_path, monkeypatch):
    urllib.request.urlopen(urllib.request.Request(f"{account}/moto-api/reset", method="POST"), timeout=10).close()
    write(tmp_path, {"compose.yaml": COMPOSE, "stacks/Pulumi.dev.yaml": STACK})
    monkeypatch.chdir(tmp_path)
    client = boto3.client("logs", region_name="us-east-1")
    now = int(time.time() * 1000)
    for name in ("web", "worker", "model-gateway"):
        _group(client, f"/compose-cloud/shop/dev/{name}")
    _group(client, "/compose-cloud/shop/dev/intruder", stack="prod")  # right prefix, another stack's tags
    _group(client, "/compose-cloud/shop/prod/web", stack="prod")
    _put(client, "/compose-cloud/shop/dev/web", [(now - 3000, "GET / 200"), (now - 1000, "GET /chat 200")])
    _put(client, "/compose-cloud/shop/dev/worker", [(now - 2000, "tick\x1b]0;pwned\x07 done")])
    _put(client, "/compose-cloud/shop/dev/model-gateway", [(now - 7_200_000, "two hours ago")])
    _put(client, "/compose-cloud/shop/dev/intruder", [(now - 1500, "not ours")])
    _put(client, "/compose-cloud/shop/prod/web", [(now - 1500, "prod line")])
    return client, now


def test_lines_are_interleaved_oldest_first_with_a_service_prefix(deployed, capsys):
    assert main(["logs", "--stack", "dev", "--since", "10m"]) == 0
    out = capsys.readouterr().out
    assert out.splitlines() == [
        "web           | GET / 200",
        "worker        | tick\ufffd]0;pwned\ufffd done",  # a container cannot drive the terminal
        "web           | GET /chat 200",
    ]


def test_since_and_service_selection(deployed, capsys):
    assert main(["logs", "model-gateway", "--stack", "dev", "--since", "3h", "-t"]) == 0
    [line] = capsys.readouterr().out.splitlines()
    assert line.startswith("model-gateway | 20") and line.endswith("Z two hours ago")
    assert main(["logs", "nope", "--stack", "dev"]) == 1
    err = capsys.readouterr().err
    assert 'no service or model named "nope"' in err and "web" in err
    assert main(["logs", "--stack", "dev", "--since", "yesterday"]) == 1
    assert "30s, 10m, 2h or 1d" in capsys.readouterr().err
    assert main(["logs"]) == 2
    assert "needs --stack" in capsys.readouterr().err


def test_follow_prints_each_new_line_once(deployed, tmp_path):
    client, now = deployed
    from compose_translate import LoadOptions, StackSettings, make_plan

    plan = make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}), StackSettings())
    aws = Aws()
    groups = [g for g in logs.sources(plan, aws, "dev") if g.name in ("web", "worker")]
    polls = iter(
        [
            lambda: None,
            lambda: _put(client, "/compose-cloud/shop/dev/web", [(now - 1000, "same ms"), (now + 5, "newer")]),
        ]
    )
    batches = logs.follow(aws, groups, now - 600_000, sleep=lambda _: next(polls)(), polls=3)
    seen = [[line.message for line in batch] for batch in batches]
    assert seen == [["GET / 200", "tick\x1b]0;pwned\x07 done", "GET /chat 200"], [], ["same ms", "newer"]]


def test_a_stack_never_deployed_says_so(account, tmp_path, monkeypatch, capsys):
    write(tmp_path, {"compose.yaml": COMPOSE.replace("name: shop", "name: empty"), "stacks/Pulumi.dev.yaml": STACK})
    monkeypatch.chdir(tmp_path)
    assert main(["logs", "--stack", "dev"]) == 1
    assert "deploy it with `pulumi up` first" in capsys.readouterr().err


def test_a_sagemaker_endpoints_group_is_read_when_it_exists(deployed, tmp_path, capsys):
    client, now = deployed
    from compose_translate import LoadOptions, StackSettings, make_plan

    plan = make_plan(
        LoadOptions(files=(tmp_path / "compose.yaml",), environ={}, default_name="shop"),
        StackSettings(stack_name="dev"),
    )
    group = f"/aws/sagemaker/Endpoints/{plan.models['llm'].sagemaker.endpoint_name}"
    client.create_log_group(logGroupName=group)
    client.create_log_stream(logGroupName=group, logStreamName="AllTraffic/i-0")
    client.put_log_events(
        logGroupName=group,
        logStreamName="AllTraffic/i-0",
        logEvents=[{"timestamp": now - 500, "message": "model loaded"}],
    )
    assert main(["logs", "llm", "web", "--stack", "dev"]) == 0
    assert capsys.readouterr().out.splitlines() == ["web | GET / 200", "web | GET /chat 200", "llm | model loaded"]


def test_no_credentials_is_a_clear_error(account, tmp_path, monkeypatch, capsys):
    write(tmp_path, {"compose.yaml": COMPOSE, "stacks/Pulumi.dev.yaml": STACK})
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("AWS_ACCESS_KEY_ID")
    monkeypatch.delenv("AWS_SECRET_ACCESS_KEY")
    assert main(["logs", "--stack", "dev"]) == 1
    err = capsys.readouterr().err
    assert "no AWS credentials found" in err and "Traceback" not in err
