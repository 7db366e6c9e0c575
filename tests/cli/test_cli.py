import json
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO

import pytest
from support.common import ROOT, write

from compose_cloud.cli.main import main

SEED = ROOT / "examples" / "seed-06-cloud" / "compose.yaml"


def test_plan_json(capsys):
    assert main(["plan", "-f", str(SEED), "--format", "json"]) == 0
    out, err = capsys.readouterr()
    data = json.loads(out)
    assert data["models"]["llm"]["placement"]["instance_type"] == "ml.g5.xlarge"
    assert data["services"]["chat-app"]["environment"]["LLM_MODEL"] == "ai/smollm2"
    assert "legacy spelling" in err


def test_check_ok_and_invalid(tmp_path, capsys):
    assert main(["check", "-f", str(SEED)]) == 0
    assert capsys.readouterr().out.startswith("ok: 1 service, 1 model to deploy")
    write(tmp_path, {"compose.yaml": "services:\n  app:\n    image: a\n    models: [nope]\n"})
    assert main(["check", "-f", str(tmp_path / "compose.yaml")]) == 1
    note, err = _defaults_note(capsys.readouterr().err)
    assert err.startswith("error: compose.yaml:4: services.app.models.nope:")
    assert note.endswith('2 stack files (dev, prod): using the built-in defaults (stack "preview", us-east-1)')


def _defaults_note(err: str) -> tuple[str, str]:
    """This repository has two stack files: without --stack, every command says once that it uses the
    built-in defaults, before anything else (issue 24)."""
    first, _, rest = err.partition("\n")
    assert first.startswith("compose-cloud: no --stack") and "compose-cloud: no --stack" not in rest, err
    return first, rest


def test_region_option_and_stack_file(tmp_path, capsys):
    write(
        tmp_path,
        {"Pulumi.test.yaml": "config:\n  aws:region: eu-west-1\n  compose-cloud:defaultInstanceType: gpu-medium\n"},
    )
    assert main(["plan", "-f", str(SEED), "--stack", str(tmp_path / "Pulumi.test.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["region"] == "eu-west-1" and data["models"]["llm"]["placement"]["region"] == "us-west-2"
    assert main(["plan", "-f", str(SEED), "--region", "eu-wst-1"]) == 1
    assert "unknown AWS region" in capsys.readouterr().err


def test_unknown_stack_setting_is_an_error(tmp_path, capsys):
    write(tmp_path, {"Pulumi.x.yaml": "config:\n  compose-cloud:defaultInstanceTyp: gpu-small\n"})
    assert main(["check", "-f", str(SEED), "--stack", str(tmp_path / "Pulumi.x.yaml")]) == 1
    err = capsys.readouterr().err
    assert "Pulumi.x.yaml:2" in err and "defaultInstanceType" in err


def test_usage_error_exit_code_and_no_traceback(tmp_path):
    run = subprocess.run(
        [sys.executable, "-m", "compose_cloud.cli.main", "plan", "--format", "yaml"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 2 and "Traceback" not in run.stderr
    write(tmp_path, {"compose.yaml": "services: {a: {image: [x]}}\n"})
    run = subprocess.run(
        [sys.executable, "-m", "compose_cloud.cli.main", "plan", "-f", str(tmp_path / "compose.yaml")],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert run.returncode == 1 and "Traceback" not in run.stderr and "services.a.image" in run.stderr


AGENT = ROOT / "examples" / "agent-app"


def test_preview_formats(capsys):
    files = ["-f", str(AGENT / "compose.yaml"), "-f", str(AGENT / "compose.override.yaml")]
    assert main(["preview", *files]) == 0
    text = capsys.readouterr().out
    assert "  compose-cloud:aws:ComposeService  agent-app-ui\n" in text and " resources\nestimated cost: ~$" in text
    assert main(["preview", *files, "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    task = next(r for r in data["resources"] if r["type"] == "aws:ecs/taskDefinition:TaskDefinition")
    assert set(task) == {"type", "name", "parent", "provider", "inputs"} and task["parent"].startswith("agent-app-")
    assert data["summary"]["total"] == len(data["resources"]) and data["warnings"]
    assert main(["preview", *files, "--format", "markdown"]) == 0
    assert capsys.readouterr().out.startswith("### compose-cloud preview: `agent-app`")


def test_preview_reads_the_stack_and_names_it(tmp_path, capsys):
    write(tmp_path, {"Pulumi.prod.yaml": "config:\n  aws:region: eu-west-1\n  compose-cloud:logRetentionDays: 90\n"})
    assert main(["preview", "-f", str(SEED), "--stack", str(tmp_path / "Pulumi.prod.yaml"), "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["stack"], data["region"]) == ("prod", "eu-west-1")
    group = next(r for r in data["resources"] if r["type"] == "aws:cloudwatch/logGroup:LogGroup")
    assert group["inputs"]["retentionInDays"] == 90


def test_preview_of_bad_input_is_one_located_error(tmp_path, capsys):
    write(tmp_path, {"compose.yaml": "services:\n  app:\n    image: a\n    privileged: true\n"})
    assert main(["preview", "-f", str(tmp_path / "compose.yaml")]) == 1
    out, err = capsys.readouterr()
    _, err = _defaults_note(err)
    assert out == "" and err.startswith("error: compose.yaml:4: services.app.privileged: cannot be deployed")


def test_preview_and_diff_make_each_plan_once(tmp_path, capsys, monkeypatch):
    """The Pulumi program makes the plan, as `pulumi preview` would; the command does not make it first.
    A diff makes two: the working tree's and the base's."""
    import compose_translate

    made = []
    real = compose_translate.build_plan
    monkeypatch.setattr(compose_translate, "build_plan", lambda *a: made.append(1) or real(*a))
    assert main(["preview", "-f", str(SEED)]) == 0
    assert len(made) == 1
    capsys.readouterr()
    made.clear()
    monkeypatch.chdir(SEED.parent)  # the base folder holds the same files at the same paths
    assert main(["diff", "-f", "compose.yaml", "--base-dir", "."]) == 0
    assert len(made) == 2 and "No changes." in capsys.readouterr().out
    made.clear()
    assert main(["check", "-f", str(SEED)]) == 0
    assert len(made) == 1


def test_markdown_is_not_offered_where_it_does_not_exist(capsys):
    import pytest

    with pytest.raises(SystemExit) as exit_:
        main(["plan", "-f", str(SEED), "--format", "markdown"])
    assert exit_.value.code == 2


def test_ctrl_c_ends_with_130_and_no_traceback(tmp_path):
    """An interrupted preview stops quietly, as a shell expects (128 + SIGINT)."""
    import signal
    import subprocess
    import sys
    import time

    services = "".join(f"  s{i}: {{image: nginx, environment: {{N: '{i}'}}}}\n" for i in range(400))
    (tmp_path / "compose.yaml").write_text("name: big\nservices:\n" + services)
    process = subprocess.Popen(
        [sys.executable, "-m", "compose_cloud.cli.main", "preview"],
        cwd=tmp_path,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    time.sleep(3)
    process.send_signal(signal.SIGINT)
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr[-2000:]
    assert "Traceback" not in stderr


def test_version_and_examples_in_every_command_help(capsys):
    from compose_cloud.cli.main import main
    from compose_cloud.cli.parser import EXAMPLES

    with pytest.raises(SystemExit) as done:
        main(["--version"])
    assert done.value.code == 0 and capsys.readouterr().out.startswith("compose-cloud ")
    for command, examples in EXAMPLES.items():
        with pytest.raises(SystemExit):
            main([command, "--help"])
        text = capsys.readouterr().out
        assert "examples:" in text and all(example in text for example in examples), command


def test_compose_file_variable_like_docker_compose(tmp_path, monkeypatch):
    from compose_cloud.cli.main import main

    (tmp_path / "base.yaml").write_text("services:\n  web: {image: nginx}\n")
    (tmp_path / "extra.yaml").write_text("services:\n  api: {image: nginx}\n")
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("COMPOSE_FILE", "base.yaml;extra.yaml")
    monkeypatch.setenv("COMPOSE_PATH_SEPARATOR", ";")
    out = StringIO()
    with redirect_stdout(out), redirect_stderr(StringIO()):
        assert main(["plan", "--format", "json", "-p", "app"]) == 0
    assert set(json.loads(out.getvalue())["services"]) == {"web", "api"}


def test_preview_name_probe_reads_only_what_the_load_may_read(tmp_path, monkeypatch):
    """Without a Pulumi project, preview names its mock project after the Compose project before the
    program runs; that probe keeps the load's confinement: an --env-file outside the project is the user's
    choice (read by both), but not while previewing a pull request's tree (refused by both)."""
    from compose_translate import ComposeError, LoadOptions, load_project
    from compose_translate.load import probe_name
    from compose_translate.values import reviewing

    write(
        tmp_path,
        {"outside.env": "COMPOSE_PROJECT_NAME=fromoutside\n", "proj/compose.yaml": "services: {app: {image: a}}\n"},
    )
    monkeypatch.chdir(tmp_path / "proj")
    options = LoadOptions(
        files=(tmp_path / "proj" / "compose.yaml",), env_files=(tmp_path / "outside.env",), environ={}
    )
    assert probe_name(options) == "fromoutside" == load_project(options)[0].name
    with reviewing():
        with pytest.raises(ComposeError, match="outside the project"):
            probe_name(options)
        with pytest.raises(ComposeError, match="outside the project"):
            load_project(options)
    assert probe_name(LoadOptions(files=options.files, environ={"COMPOSE_PROJECT_NAME": "shop"})) == "shop"
