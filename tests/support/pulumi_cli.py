"""The program run as the Pulumi CLI runs it: stack config encoded as PULUMI_CONFIG strings, in a fresh
process (support/pulumi_entry.py)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import yaml

from support.common import ROOT


def cli_encoding(stack_file: Path) -> dict[str, str]:
    config = yaml.safe_load(stack_file.read_text())["config"]
    encoded = {}
    for key, value in config.items():
        if isinstance(value, (dict, list)):
            encoded[key] = json.dumps(value)
        elif isinstance(value, bool):
            encoded[key] = str(value).lower()
        else:
            encoded[key] = str(value)
    return encoded


def run_entry(
    stack: str, config: dict[str, str], mode: str = "preview", cwd: Path = ROOT, program: tuple[Path, str] | None = None
) -> dict:
    """Run a program (this repository's, or `program`: its folder and Pulumi project name) as `pulumi up` does."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PULUMI_CONFIG")}
    env["PULUMI_CONFIG"] = json.dumps(config)
    extra = [str(program[0]), program[1]] if program else []
    done = subprocess.run(
        [sys.executable, str(ROOT / "tests" / "support" / "pulumi_entry.py"), stack, mode, *extra],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr, done.stderr[-3000:]
    return json.loads(done.stdout.strip().splitlines()[-1])
