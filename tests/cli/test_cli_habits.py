"""What `docker compose` users expect of a CLI: shell completion, and a progress line only on a terminal."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import time
from pathlib import Path

from support.common import ROOT

from compose_cloud.cli.progress import progress


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _complete(line: str, tmp_path) -> list[str]:
    """Ask the installed program for completions the way bash's hook does (argcomplete's protocol)."""
    out = tmp_path / "completions"
    env = {
        **os.environ,
        "_ARGCOMPLETE": "1",
        "_ARGCOMPLETE_IFS": "\n",
        "COMP_LINE": line,
        "COMP_POINT": str(len(line)),
        "_ARGCOMPLETE_STDOUT_FILENAME": str(out),
        "COMP_TYPE": "9",
    }
    subprocess.run(
        [sys.executable, "-m", "compose_cloud.cli.main"],
        env=env,
        cwd=ROOT,
        capture_output=True,
        timeout=60,
        check=False,
    )
    return sorted(out.read_text().split("\n")) if out.exists() else []


def test_commands_and_options_complete(tmp_path):
    assert _complete("compose-cloud pre", tmp_path) == ["preflight", "preview"]
    assert "--follow" in _complete("compose-cloud logs --f", tmp_path)
    assert _complete("compose-cloud preview --format m", tmp_path) == ["markdown", "mermaid"]


def test_progress_is_drawn_on_a_terminal_and_erased():
    terminal = _Terminal()
    with progress("previewing", terminal, delay=0):
        time.sleep(0.5)
    text = terminal.getvalue()
    assert "previewing (0s)" in text
    assert text.endswith("\r\x1b[K")


def test_no_progress_when_quick_or_not_a_terminal():
    quick, piped = _Terminal(), io.StringIO()
    with progress("previewing", quick, delay=5):
        pass
    with progress("previewing", piped, delay=0):
        time.sleep(0.3)
    assert quick.getvalue() == "" and piped.getvalue() == ""


def test_global_options_before_the_command_as_docker_compose_takes_them(tmp_path, capsys, monkeypatch):
    """`compose-cloud -f a.yaml -p x plan`, and both places at once (lists add up, the command's value wins)."""
    from compose_cloud.cli.main import main

    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text("services:\n  web: {image: nginx}\n")
    (tmp_path / "b.yaml").write_text("services:\n  web: {environment: {X: '1'}}\n")
    assert main(["-f", "a.yaml", "-p", "before", "plan", "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["name"] == "before"
    assert main(["-f", "a.yaml", "-p", "before", "plan", "-f", "b.yaml", "-p", "after", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["name"] == "after" and data["services"]["web"]["environment"] == {"X": "1"}


def test_logs_dash_f_follows_as_in_docker_compose():
    from compose_cloud.cli.parser import parse_command_line
    from compose_cloud.cli.request import Request

    request = Request.from_args(parse_command_line(["-f", "compose.yaml", "logs", "-f", "web", "--stack", "dev"]))
    assert request.account.follow is True and request.account.services == ("web",)
    assert request.files == (Path("compose.yaml"),)
    request = Request.from_args(parse_command_line(["logs", "--file", "c.yaml", "--follow", "--stack", "dev"]))
    assert request.account.follow is True and request.files == (Path("c.yaml"),)
