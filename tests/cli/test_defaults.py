"""The defaults a user meets after `init` (issue 24): one stack for every command, and nothing unpriced
shown as $0.00."""

from __future__ import annotations

import json

import pytest
from support.common import cli_process, run_cli, write

COMPOSE = "services:\n  app: {image: nginx, models: [m]}\nmodels:\n  m: {model: ai/smollm2}\n"


@pytest.fixture
def initialised(tmp_path, monkeypatch):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    monkeypatch.delenv("COMPOSE_FILE", raising=False)
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    code, _, err = run_cli(tmp_path, "init", "--stack", "dev", "--region", "eu-west-1")
    assert code == 0, err
    return tmp_path


@pytest.mark.parametrize("command", [["plan", "--format", "json"], ["check", "--format", "json"]])
def test_every_command_uses_the_only_stack(initialised, command):
    code, out, err = run_cli(initialised, *command)
    assert code == 0, err
    assert "built-in defaults" not in err
    if command[0] == "plan":
        assert json.loads(out)["region"] == "eu-west-1"


def test_the_preview_uses_the_only_stack_too(initialised):
    code, out, err = run_cli(initialised, "preview", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["stack"], data["region"]) == ("dev", "eu-west-1")


def test_pulumi_stack_chooses_among_several(initialised, monkeypatch):
    (initialised / "Pulumi.prod.yaml").write_text("config:\n  aws:region: us-west-2\n")
    code, out, err = run_cli(initialised, "plan", "--format", "json")
    assert json.loads(out)["region"] == "us-east-1"
    assert err.count("using the built-in defaults") == 1 and "2 stack files (dev, prod)" in err
    monkeypatch.setenv("PULUMI_STACK", "acme/app/prod")
    code, out, err = run_cli(initialised, "plan", "--format", "json")
    assert json.loads(out)["region"] == "us-west-2" and "built-in defaults" not in err


def test_unpriced_is_null_never_zero(initialised):
    code, out, _ = run_cli(initialised, "plan", "--format", "json")
    cost = json.loads(out)["cost"]
    assert cost["total"] is None and cost["models"] == {"m": None}
    assert cost["services"] is None and cost["gateway"] is None and cost["network"] is None
    code, out, _ = run_cli(initialised, "plan")
    assert "$0.00" not in out
    assert "unpriced in eu-west-1 (run `compose-cloud preflight --refresh-prices`)" in out


CONFIG = """\
name: shop
services:
  web: {image: "nginx:1.27", profiles: [web]}
  api: {build: ., models: [llm]}
  admin: {image: adminer, profiles: [debug]}
models:
  llm: {model: ai/smollm2}
volumes:
  data: {}
"""


@pytest.mark.parametrize(
    "flag, expected",
    [
        ("--services", "api\n"),  # the active ones (no profile given)
        ("--volumes", "data\n"),
        ("--profiles", "debug\nweb\n"),  # every profile a service names
        ("--images", "shop-api\n"),
        ("--models", "llm\n"),
        ("-q", ""),
    ],
)
def test_config_lists_as_docker_compose_does(tmp_path, monkeypatch, flag, expected):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    (tmp_path / "compose.yaml").write_text(CONFIG)
    (tmp_path / "Dockerfile").write_text("FROM nginx\n")
    code, out, err = run_cli(tmp_path, "config", flag)
    assert code == 0, err
    assert out == expected


def test_config_output_loads_again_to_the_same_project(tmp_path, monkeypatch):
    """`config | config -f -`, and `-o FILE`."""
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    (tmp_path / "compose.yaml").write_text(CONFIG)
    (tmp_path / "Dockerfile").write_text("FROM nginx\n")
    code, first, err = run_cli(tmp_path, "config", "--profile", "web", "-o", "out.yaml")
    assert code == 0 and first == "", err
    text = (tmp_path / "out.yaml").read_text()
    again = cli_process(tmp_path, "config", "-f", "-", "--profile", "web", stdin=text)
    assert again.returncode == 0, again.stderr
    assert again.stdout == text


AS_WRITTEN = """\
services:
  web:
    image: ${IMG:-nginx}
    build: ./web
    command: ["sh", "-c", "echo $$HOME ${GREETING}"]
    environment: {TOKEN: "${API_TOKEN}"}
    volumes: ["./data:/data", "cache:/cache"]
    models: [llm]
models:
  llm: {model: "ai/${MODEL:-smollm2}"}
volumes:
  cache: {}
"""


def test_config_no_interpolate_keeps_variables_and_loads_again_to_the_same_project(tmp_path, monkeypatch):
    """`config --no-interpolate` prints every variable and `$$` as written, paths relative to the project
    (a short-syntax bind source keeps its `./`), nothing from the environment; interpolating that output
    gives the project `config` gives."""
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    monkeypatch.setenv("API_TOKEN", "tok-1234567890")
    monkeypatch.setenv("GREETING", "hi")
    write(tmp_path, {"compose.yaml": AS_WRITTEN, "web/Dockerfile": "FROM scratch\n"})
    code, raw, err = run_cli(tmp_path, "config", "--no-interpolate")
    assert code == 0, err
    assert "image: ${IMG:-nginx}" in raw and "echo $$HOME ${GREETING}" in raw and "TOKEN: ${API_TOKEN}" in raw
    assert "build: ./web" in raw and "- ./data:/data" in raw and "model: ai/${MODEL:-smollm2}" in raw
    assert "tok-1234567890" not in raw and str(tmp_path) not in raw
    again = cli_process(tmp_path, "config", "-f", "-", stdin=raw)
    code, interpolated, err = run_cli(tmp_path, "config")
    assert again.returncode == 0 == code, again.stderr + err
    assert again.stdout == interpolated
    assert "echo $HOME hi" in interpolated


def test_masked_config_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("API_TOKEN", "tok-1234567890")
    (tmp_path / "compose.yaml").write_text("services:\n  web: {image: nginx, environment: [API_TOKEN]}\n")
    code, out, _ = run_cli(tmp_path, "config")
    assert out.startswith("# values from the runner's environment or credential-named variables are masked\n")
    assert "tok-1234567890" not in out


def test_files_named_on_the_command_line_are_the_users_choice(tmp_path, monkeypatch):
    """docker compose reads `-f ../shared/compose.yaml -f compose.yaml`; what the files reference stays
    confined to the project (include, extends, env_file, secrets, configs, build contexts)."""
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    (tmp_path / "shared").mkdir()
    (tmp_path / "app").mkdir()
    (tmp_path / "shared" / "compose.yaml").write_text("services:\n  web: {image: nginx}\n")
    (tmp_path / "app" / "compose.yaml").write_text("services:\n  web: {environment: {A: '1'}}\n")
    code, out, err = run_cli(
        tmp_path / "app", "plan", "-f", "../shared/compose.yaml", "-f", "compose.yaml", "--format", "json"
    )
    assert code == 0, err
    assert json.loads(out)["services"]["web"]["environment"] == {"A": "1"}
    (tmp_path / "app" / "compose.yaml").write_text(
        "include: [../../outside.yaml]\nservices:\n  web: {environment: {A: '1'}}\n"
    )
    (tmp_path.parent / "outside.yaml").write_text("services:\n  x: {image: nginx}\n")
    code, _, err = run_cli(tmp_path / "app", "plan", "-f", "../shared/compose.yaml", "-f", "compose.yaml")
    assert code == 1 and "outside the project" in err


def test_a_pull_requests_stack_cannot_name_files_outside_its_tree(tmp_path, monkeypatch):
    import subprocess

    monkeypatch.delenv("PULUMI_STACK", raising=False)
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "compose.yaml").write_text("services:\n  web: {image: nginx}\n")
    (repo / "Pulumi.dev.yaml").write_text("config:\n  compose-cloud:files: [compose.yaml]\n")
    for args in (["init", "-q"], ["add", "."], ["commit", "-qm", "base"]):
        subprocess.run(["git", "-c", "user.email=t@e", "-c", "user.name=t", *args], cwd=repo, check=True)
    (tmp_path / "secret.yaml").write_text("services:\n  leak: {image: 'hunter2-from-outside'}\n")
    (repo / "Pulumi.dev.yaml").write_text("config:\n  compose-cloud:files: [compose.yaml, ../secret.yaml]\n")
    code, out, err = run_cli(repo, "diff", "--base", "HEAD", "--stack", "dev")
    assert code == 1 and "outside the project" in err and "hunter2" not in out + err
    code, out, err = run_cli(repo, "plan", "--stack", "dev", "--format", "json")  # the user's own checkout
    assert code == 0 and "leak" in json.loads(out)["services"], err


@pytest.mark.parametrize(
    "compose, setup, expected",
    [
        ("services:\n  a: {image: nginx, env_file: d.env}\n", "dir", "env file d.env is a folder"),
        ("services:\n  a: {image: nginx, env_file: bad.env}\n", "latin1", "env file bad.env is not UTF-8 text"),
        ("services:\n  a: {image: nginx, environment: ['DEBUG = true']}\n", None, "services.a.environment[0]"),
    ],
)
def test_env_file_problems_are_plain_messages(tmp_path, monkeypatch, compose, setup, expected):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    (tmp_path / "compose.yaml").write_text(compose)
    if setup == "dir":
        (tmp_path / "d.env").mkdir()
    elif setup == "latin1":
        (tmp_path / "bad.env").write_bytes(b"A=caf\xe9\n")
    code, _, err = run_cli(tmp_path, "check")
    assert code == 1 and expected in err and "codec" not in err and "Errno" not in err


def test_a_missing_env_file_on_the_command_line_gets_its_own_hint(tmp_path, monkeypatch):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    (tmp_path / "compose.yaml").write_text("services:\n  a: {image: nginx}\n")
    code, _, err = run_cli(tmp_path, "check", "--env-file", "nope.env")
    assert code == 1 and "check the --env-file path" in err and "required: false" not in err


def test_a_model_without_model_is_one_error(tmp_path, monkeypatch):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    (tmp_path / "compose.yaml").write_text(
        "services:\n  a: {image: nginx, models: [m]}\nmodels:\n  m: {context_size: 10}\n"
    )
    code, _, err = run_cli(tmp_path, "check")
    assert code == 1 and err.count("error:") == 1 and "a model needs `model:`" in err


def test_the_readme_lists_every_stack_setting():
    """The README's list of stack settings is the settings model's, no more and no fewer."""
    import re

    from support.common import ROOT

    from compose_translate.settings import CONFIG_KEYS

    text = (ROOT / "README.md").read_text()
    start = text.index("<!-- stack settings:")
    listed = re.findall(r"`([A-Za-z]+)`", text[start : text.index("Unknown keys are errors.", start)])
    assert listed == list(CONFIG_KEYS)


def test_a_duplicate_key_names_its_key_path(tmp_path, monkeypatch):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    (tmp_path / "compose.yaml").write_text("services:\n  app:\n    image: a\n    image: b\n")
    code, _, err = run_cli(tmp_path, "check")
    assert code == 1 and 'compose.yaml:4: services.app.image: duplicate key "image" (first defined on line 3)' in err
