"""Nothing from the runner's environment, no credential-shaped value, reaches printed output or plain
task-definition environment: by source variable, destination name, URL userinfo, bearer token, token format."""

from __future__ import annotations

import json
import os
import subprocess

import pytest
from support.common import cli_process, write

from compose_translate import ComposeError, LoadOptions, make_plan

RUNNER = {
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
    "DB_PASSWORD": "hunter2-db-pass",
    "CI_SIGNING": "runner-only-value-7731",
}
COMPOSE = """\
name: shop
services:
  api:
    image: nginx
    environment:
      X: ${AWS_SECRET_ACCESS_KEY}
      DATABASE_URL: postgres://app:${DB_PASSWORD}@db/app
      SIGNING: ${CI_SIGNING}
      AUTH: Bearer abcdefghijklmnopqrstuvwxyz012345
      GH: ghp_abcdefghijklmnopqrstuvwxyz0123456789
      PLAIN: hello
"""
LEAKED = [*RUNNER.values(), "abcdefghijklmnopqrstuvwxyz012345", "ghp_abcdefghijklmnopqrstuvwxyz0123456789"]


def test_sensitive_values_are_deployed_as_secrets(tmp_path):
    write(tmp_path, {"compose.yaml": COMPOSE})
    plan = make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ=RUNNER))
    api = plan.services["api"]
    assert set(api.secret_environment) == {"X", "DATABASE_URL", "SIGNING", "AUTH", "GH"}
    assert api.environment == {"PLAIN": "hello"}


@pytest.mark.parametrize("fmt", ["plan-json", "plan-text", "preview-markdown", "preview-json", "preview-text"])
def test_nothing_sensitive_is_printed(tmp_path, fmt):
    write(tmp_path, {"compose.yaml": COMPOSE})
    command, _, form = fmt.partition("-")
    done = cli_process(tmp_path, command, "--format", form, env=RUNNER)
    assert done.returncode == 0, done.stderr
    for value in LEAKED:
        assert value not in done.stdout and value not in done.stderr, (value, fmt)


@pytest.mark.parametrize(
    "compose",
    [
        "services:\n  api: {image: nginx, environment: {A: '${MISSING:?${AWS_SECRET_ACCESS_KEY}}'}}\n",
        "services:\n  api: {image: nginx, cpus: '${AWS_SECRET_ACCESS_KEY}'}\n",
        "services:\n  api: {image: nginx, mem_limit: '${CI_SIGNING}'}\n",
    ],
)
def test_error_messages_never_echo_a_sensitive_value(tmp_path, compose):
    write(tmp_path, {"compose.yaml": compose})
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ=RUNNER, default_name="app"))
    text = err.value.render()
    assert not any(value in text for value in RUNNER.values()), text
    assert "[secret]" in text


def test_credential_like_build_arguments_stay_secret(tmp_path):
    from compose_cloud.preview.engine import run_preview
    from compose_cloud.render.plan import plan_json
    from compose_translate import StackSettings

    write(
        tmp_path,
        {
            "compose.yaml": "name: shop\nservices:\n  api:\n    build:\n      context: .\n"
            "      args: {NPM_TOKEN: npm-secret-value-123, NODE_VERSION: '22'}\n",
            "Dockerfile": "FROM scratch\n",
        },
    )
    plan = make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}))
    assert "npm-secret-value-123" not in plan_json(plan) and '"NODE_VERSION": "22"' in plan_json(plan)
    result = run_preview(StackSettings(files=(str(tmp_path / "compose.yaml"),)))
    image = next(r for r in result.resources if r.type == "docker-build:index:Image")
    assert "npm-secret-value-123" not in json.dumps(image.inputs)


def test_the_comment_shows_where_a_hidden_value_came_from(tmp_path):
    from compose_cloud.preview.engine import run_preview
    from compose_cloud.render.preview import render_markdown
    from compose_translate import StackSettings

    write(tmp_path, {"compose.yaml": COMPOSE})
    old = {k: os.environ.get(k) for k in RUNNER}
    os.environ.update(RUNNER)
    try:
        markdown = render_markdown(run_preview(StackSettings(files=(str(tmp_path / "compose.yaml"),))))
    finally:
        for k, v in old.items():
            os.environ.pop(k) if v is None else os.environ.__setitem__(k, v)
    assert "DATABASE_URL=postgres://app:${DB_PASSWORD}@db/app" in markdown
    assert "X=${AWS_SECRET_ACCESS_KEY}" in markdown and "AUTH=[secret]" in markdown
    assert not any(value in markdown for value in LEAKED)


# Issue 21 item 4: the rule is about where a value came from, not which field holds it.
EVERY_FIELD = """\
name: shop
services:
  app:
    image: nginx:${HOSTTAG}
    command: [echo, "${AWS_SECRET_ACCESS_KEY}", "--db", "postgres://app:hunter2-in-file@db/app",
              "Bearer abcdefghijklmnop0123"]
    labels: {dsn: "https://user:pw-in-label@host/", tag: "t-${HOSTTAG}"}
    user: "${HOSTTAG}"
    working_dir: /srv/${HOSTTAG}
    hostname: h${HOSTTAG}
    healthcheck: {test: ["CMD", "curl", "http://localhost/${HOSTTAG}"]}
    deploy: {labels: {d: "${HOSTTAG}"}}
    models: [llm]
  web:
    build: {context: ., args: {VERSION: "${HOSTTAG}"}}
models:
  llm:
    model: ai/smollm2:${HOSTTAG}
    runtime_flags: ["--temp", "${TEMPV}"]
"""
FIELD_RUNNER = {
    "HOSTTAG": "runner-host-tag-1234",
    "AWS_SECRET_ACCESS_KEY": "wJalrXUtnFEMIK7MDENGbPxRfiCYEXAMPLEKEY",
    "TEMPV": "0.7531",
}
IN_FILE = ["hunter2-in-file", "abcdefghijklmnop0123", "pw-in-label"]
COMMANDS = [
    ["plan"],
    ["plan", "--format", "json"],
    ["check", "--format", "json"],
    ["config"],
    ["config", "--format", "json"],
    *(["preview", "--format", form] for form in ("text", "json", "markdown", "mermaid")),
]


def _cli(folder, argv, extra_env):
    return cli_process(folder, *argv, env=extra_env)


@pytest.mark.parametrize("argv", COMMANDS, ids=lambda a: "-".join(a))
def test_runner_values_are_masked_in_every_field_and_output(tmp_path, argv):
    write(tmp_path, {"compose.yaml": EVERY_FIELD, "Dockerfile": "FROM nginx\n"})
    done = _cli(tmp_path, argv, FIELD_RUNNER)
    assert done.returncode == 0, done.stderr
    printed = done.stdout + done.stderr
    for value in [*FIELD_RUNNER.values(), *IN_FILE]:
        assert value not in printed, (value, argv)
    if argv[0] != "check":
        assert "${HOSTTAG}" in done.stdout  # where it came from is still shown
    if argv[0] == "config":
        assert "postgres://app:[secret]@db/app" in done.stdout


def test_runner_values_are_masked_in_the_diff(tmp_path):
    write(
        tmp_path,
        {"compose.yaml": EVERY_FIELD.replace("image: nginx:${HOSTTAG}", "image: nginx"), "Dockerfile": "FROM nginx\n"},
    )
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", *args], cwd=tmp_path, check=True)
    write(tmp_path, {"compose.yaml": EVERY_FIELD})
    for form in ("text", "json", "markdown"):
        done = _cli(tmp_path, ["diff", "--base", "HEAD", "--format", form], FIELD_RUNNER)
        assert done.returncode == 0, done.stderr
        for value in [*FIELD_RUNNER.values(), *IN_FILE]:
            assert value not in done.stdout + done.stderr, (value, form)
        assert "nginx:${HOSTTAG}" in done.stdout
