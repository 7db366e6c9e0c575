"""The defaults a user meets after `init` (issue 24): one stack for every command, and nothing unpriced
shown as $0.00."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

from compose_cloud.cli import main

COMPOSE = "services:\n  app: {image: nginx, models: [m]}\nmodels:\n  m: {model: ai/smollm2}\n"


def _run(folder, *argv, env=None, monkeypatch=None):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def initialised(tmp_path, monkeypatch):
    monkeypatch.delenv("PULUMI_STACK", raising=False)
    monkeypatch.delenv("COMPOSE_FILE", raising=False)
    (tmp_path / "compose.yaml").write_text(COMPOSE)
    code, _, err = _run(tmp_path, "init", "--stack", "dev", "--region", "eu-west-1")
    assert code == 0, err
    return tmp_path


@pytest.mark.parametrize("command", [["plan", "--format", "json"], ["check", "--format", "json"]])
def test_every_command_uses_the_only_stack(initialised, command):
    code, out, err = _run(initialised, *command)
    assert code == 0, err
    assert "built-in defaults" not in err
    if command[0] == "plan":
        assert json.loads(out)["region"] == "eu-west-1"


def test_the_preview_uses_the_only_stack_too(initialised):
    code, out, err = _run(initialised, "preview", "--format", "json")
    assert code == 0, err
    data = json.loads(out)
    assert (data["stack"], data["region"]) == ("dev", "eu-west-1")


def test_pulumi_stack_chooses_among_several(initialised, monkeypatch):
    (initialised / "Pulumi.prod.yaml").write_text("config:\n  aws:region: us-west-2\n")
    code, out, err = _run(initialised, "plan", "--format", "json")
    assert json.loads(out)["region"] == "us-east-1"
    assert err.count("using the built-in defaults") == 1 and "2 stack files (dev, prod)" in err
    monkeypatch.setenv("PULUMI_STACK", "acme/app/prod")
    code, out, err = _run(initialised, "plan", "--format", "json")
    assert json.loads(out)["region"] == "us-west-2" and "built-in defaults" not in err


def test_unpriced_is_null_never_zero(initialised):
    code, out, _ = _run(initialised, "plan", "--format", "json")
    cost = json.loads(out)["cost"]
    assert cost["total"] is None and cost["models"] == {"m": None}
    assert cost["services"] is None and cost["gateway"] is None and cost["network"] is None
    code, out, _ = _run(initialised, "plan")
    assert "$0.00" not in out
    assert "unpriced in eu-west-1 (run `compose-cloud preflight --refresh-prices`)" in out
