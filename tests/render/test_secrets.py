"""A secret's value never appears in any output: plan, preview (all formats), diff (all formats)."""

from __future__ import annotations

import json
import os
from contextlib import redirect_stderr, redirect_stdout
from io import StringIO
from pathlib import Path

import pytest

from compose_cloud.cli.main import main

FILE_SECRET = "file-secret-5b8e41c2d7"
ENV_SECRET = "env-secret-93af07e6b1"
VARIABLE_SECRET = "variable-secret-c4d2e8"
COMPOSE = """\
name: vault
services:
  app:
    image: ghcr.io/example/app:1
    ports: ["80:8080"]
    environment:
      DATABASE_PASSWORD: ${DB_PASSWORD}
    secrets: [from_file, from_env]
    models: [llm]
models:
  llm: {model: ai/smollm2}
secrets:
  from_file: {file: ./secret.txt}
  from_env: {environment: API_TOKEN}
"""


def project(folder: Path, file_value: str) -> Path:
    folder.mkdir(parents=True)
    (folder / "compose.yaml").write_text(COMPOSE)
    (folder / "secret.txt").write_text(file_value)
    (folder / ".env").write_text(f"DB_PASSWORD={VARIABLE_SECRET}\n")
    return folder


def cli(cwd: Path, *args: str) -> str:
    out, err = StringIO(), StringIO()
    previous = os.getcwd()
    os.chdir(cwd)
    try:
        with redirect_stdout(out), redirect_stderr(err):
            main(list(args))
    finally:
        os.chdir(previous)
    return out.getvalue() + err.getvalue()


@pytest.fixture
def outputs(tmp_path, monkeypatch) -> dict[str, str]:
    monkeypatch.setenv("API_TOKEN", ENV_SECRET)
    project(tmp_path / "base", "an-older-value")
    head = project(tmp_path / "head", FILE_SECRET)
    results = {}
    for command, formats in (
        ("check", ("text", "json")),
        ("plan", ("text", "json")),
        ("preview", ("text", "json", "markdown", "mermaid")),
    ):
        for fmt in formats:
            results[f"{command} {fmt}"] = cli(head, command, "--format", fmt)
    for fmt in ("text", "json", "markdown"):
        results[f"diff {fmt}"] = cli(head, "diff", "--base-dir", "../base", "--format", fmt)
    return results


def test_no_secret_value_in_any_output(outputs):
    assert len(outputs) == 11
    for name, text in outputs.items():
        assert text, name
        for secret in (FILE_SECRET, ENV_SECRET, VARIABLE_SECRET):
            assert secret not in text, (name, secret)
    assert "secret from_file" in outputs["diff text"]  # the change is reported, by name
    # shown by where it came from, never by value
    assert "DATABASE_PASSWORD=${DB_PASSWORD} (Secrets Manager)" in outputs["preview text"]


def test_stack_outputs_keep_environment_values_secret(tmp_path):
    """Outputs are printed by `pulumi up` and CI logs: a password inside a URL must not be."""
    from support.common import write

    from compose_cloud.preview.engine import run_preview
    from compose_translate import StackSettings

    write(
        tmp_path,
        {
            "compose.yaml": "name: shop\nservices:\n  api:\n    image: a\n    environment:\n"
            "      DATABASE_URL: postgres://app:hunter2@db/app\n"
        },
    )
    result = run_preview(StackSettings(files=(str(tmp_path / "compose.yaml"),)))
    assert "hunter2" not in json.dumps(result.outputs, default=str)
    assert result.outputs["services"]["api"]["environment"] == "[secret]"
