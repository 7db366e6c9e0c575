"""`compose-cloud init` in a user's own folder, and the library entry point its program uses.

The program init writes is run as `pulumi up` runs it (tests/support/pulumi_entry.py: config only from
PULUMI_CONFIG, every value a string), from the user's folder, with the user's project name.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from support.pulumi_cli import cli_encoding, run_entry

from compose_cloud.cli.main import main

COMPOSE = """\
services:
  chat:
    image: ghcr.io/example/chat:1.0
    ports: ["8080:8080"]
    models: [llm]
models:
  llm:
    model: ai/smollm2
"""


@pytest.fixture
def user_folder(tmp_path, monkeypatch):
    """An empty folder holding only a Compose file with models, named as a user's repository might be."""
    folder = tmp_path / "My Chat.App"
    folder.mkdir()
    (folder / "compose.yaml").write_text(COMPOSE)
    monkeypatch.chdir(folder)
    for name in ("COMPOSE_FILE", "COMPOSE_PROJECT_NAME"):
        monkeypatch.delenv(name, raising=False)
    return folder


def test_init_writes_a_pulumi_project_that_runs_like_pulumi_up(user_folder, capsys):
    assert main(["init", "--region", "eu-west-1"]) == 0
    out = capsys.readouterr().out
    for name in ("Pulumi.yaml", "requirements.txt", "__main__.py", "Pulumi.dev.yaml"):
        assert f"created {name}" in out
    project = yaml.safe_load((user_folder / "Pulumi.yaml").read_text())
    assert project["name"] == "mychatapp"  # the folder's name as Docker Compose normalizes it
    assert project["runtime"] == {"name": "python", "options": {"toolchain": "pip", "virtualenv": ".venv"}}
    assert "compose-cloud" in (user_folder / "requirements.txt").read_text()
    assert "from compose_cloud.program import run" in (user_folder / "__main__.py").read_text()
    assert yaml.safe_load((user_folder / "Pulumi.dev.yaml").read_text()) == {
        "config": {"aws:region": "eu-west-1", "compose-cloud:files": ["compose.yaml"]}
    }

    for mode in ("up", "preview"):
        result = run_entry(
            "dev",
            cli_encoding(user_folder / "Pulumi.dev.yaml"),
            mode,
            cwd=user_folder,
            program=(user_folder, project["name"]),
        )
        assert result["exit"] == 0, result["errors"]
        types = {r.split("::")[0] for r in result["resources"]}
        assert {
            "aws:ecs/service:Service",
            "aws:sagemaker/endpoint:Endpoint",
            "aws:lb/loadBalancer:LoadBalancer",
        } <= types
        groups = [v for k, v in result["inputs"].items() if k.startswith("aws:cloudwatch/logGroup:LogGroup")]
        assert {g["name"] for g in groups} >= {"/compose-cloud/mychatapp/dev/chat"}
        regions = {v["region"] for k, v in result["inputs"].items() if k.startswith("pulumi:providers:aws")}
        assert regions == {"eu-west-1"}


def test_init_never_overwrites_and_says_what_it_skipped(user_folder, capsys):
    (user_folder / "Pulumi.yaml").write_text("name: mine\nruntime: python\nstackConfigDir: stacks\n")
    assert main(["init", "--stack", "prod"]) == 0
    out = capsys.readouterr().out
    assert "skipped Pulumi.yaml (it exists; not changed)" in out
    assert (user_folder / "Pulumi.yaml").read_text() == "name: mine\nruntime: python\nstackConfigDir: stacks\n"
    assert "created stacks/Pulumi.prod.yaml" in out  # where this project's Pulumi keeps stack settings
    before = {p.name: p.read_text() for p in user_folder.glob("*") if p.is_file()}
    assert main(["init", "--stack", "prod"]) == 0
    assert {p.name: p.read_text() for p in user_folder.glob("*") if p.is_file()} == before
    assert capsys.readouterr().out.count("skipped") == 4


def test_init_takes_the_files_given_and_refuses_bad_input_without_writing(user_folder, capsys):
    (user_folder / "compose.prod.yaml").write_text("services:\n  chat:\n    read_only: true\n")
    assert main(["init", "-f", "compose.yaml", "-f", "compose.prod.yaml", "--stack", "prod"]) == 0
    assert yaml.safe_load((user_folder / "Pulumi.prod.yaml").read_text())["config"]["compose-cloud:files"] == [
        "compose.yaml",
        "compose.prod.yaml",
    ]
    capsys.readouterr()
    broken = user_folder.parent / "broken"
    broken.mkdir()
    (broken / "compose.yaml").write_text("services:\n  chat:\n    image: [not, a, string]\n")
    assert main(["init", "--project-directory", str(broken)]) == 1
    assert "compose.yaml:3" in capsys.readouterr().err
    assert sorted(p.name for p in broken.iterdir()) == ["compose.yaml"]  # nothing half-written
    assert main(["init", "--stack", "../evil"]) == 1
    assert "not a stack name" in capsys.readouterr().err
    assert main(["init", "-f", str(user_folder.parent / "broken" / "compose.yaml")]) == 1
    assert "outside the project folder" in capsys.readouterr().err


def test_a_users_own_program_calls_the_library_with_its_own_settings(user_folder):
    """The README's example: settings given in code win over the stack's, through the same string path."""
    (user_folder / "__main__.py").write_text(
        "import pulumi\n"
        "from compose_cloud.program import deploy\n\n"
        "outputs = deploy(['compose.yaml'], settings={'logRetentionDays': 7, 'defaultInstanceType': 'gpu-medium'})\n"
        "pulumi.export('chat', outputs['urls']['chat'])\n"
    )
    result = run_entry(
        "dev",
        {"aws:region": "us-east-1", "compose-cloud:logRetentionDays": "30"},
        "up",
        cwd=user_folder,
        program=(user_folder, "chat"),
    )
    assert result["exit"] == 0, result["errors"]
    groups = [v for k, v in result["inputs"].items() if k.startswith("aws:cloudwatch/logGroup:LogGroup")]
    assert groups and {g["retentionInDays"] for g in groups} == {7}
    configs = [v for k, v in result["inputs"].items() if k.startswith("aws:sagemaker/endpointConfiguration")]
    assert [c["productionVariants"][0]["instanceType"] for c in configs] == ["ml.g6e.xlarge"]


def test_a_bad_setting_in_code_is_a_clear_error(user_folder):
    (user_folder / "__main__.py").write_text(
        "from compose_cloud.program import run\n\nrun(['compose.yaml'], settings={'logRetentionDays': 8})\n"
    )
    result = run_entry("dev", {"aws:region": "us-east-1"}, "up", cwd=user_folder, program=(user_folder, "chat"))
    assert result["exit"] == 1
    assert any("logRetentionDays" in line and "nearest: 7" in line for line in result["errors"])


@pytest.mark.parametrize("config_dir", ["../../x", "/tmp/compose-cloud-init-abs"])
def test_init_never_writes_outside_its_folder(tmp_path, config_dir):
    """A Pulumi.yaml whose stackConfigDir leaves the folder is refused before anything is written."""
    folder = tmp_path / "a" / "b"
    folder.mkdir(parents=True)
    (folder / "compose.yaml").write_text("services:\n  app: {image: nginx}\n")
    (folder / "Pulumi.yaml").write_text(f"name: app\nruntime: python\nstackConfigDir: {config_dir}\n")
    before = sorted(p for p in tmp_path.rglob("*"))
    result = subprocess.run(
        [sys.executable, "-m", "compose_cloud.cli.main", "init", "--stack", "dev"],
        cwd=folder,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "stackConfigDir" in result.stderr and "outside the project folder" in result.stderr
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr
    assert sorted(p for p in tmp_path.rglob("*")) == before
    assert not Path("/tmp/compose-cloud-init-abs").exists()


def test_init_ignores_the_virtualenv_once_and_warns_about_a_local_requirement(tmp_path):
    from compose_cloud.program import scaffold as init

    (tmp_path / "compose.yaml").write_text("services:\n  app: {image: nginx}\n")
    (tmp_path / ".gitignore").write_text("node_modules")
    result = subprocess.run(
        [sys.executable, "-m", "compose_cloud.cli.main", "init", "--stack", "dev"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert (tmp_path / ".gitignore").read_text() == "node_modules\n.venv/\n"
    assert init.ignore_virtualenv(tmp_path) is False  # once
    local = "file://" in (tmp_path / "requirements.txt").read_text()  # an editable checkout names itself so
    assert local == ("a CI runner or another clone cannot install it" in result.stderr)
