from __future__ import annotations

import contextlib
import io
import os
import socket
import subprocess
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings
from moto.server import ThreadedMotoServer

from compose_translate import LoadOptions, StackSettings, make_plan

ROOT = Path(__file__).resolve().parent.parent
WILD = ROOT.parent / "shared" / "corpus" / "wild"

# Locally each run explores new examples; CI replays a fixed sequence so a red build is
# reproducible; `HYPOTHESIS_PROFILE=deep` searches much longer before a release.
hypothesis_settings.register_profile("dev", max_examples=150, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.register_profile("deep", max_examples=5000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def git(repo: Path, *args: str) -> None:
    """git in `repo`, as a throw-away identity (tests commit base revisions of their own)."""
    subprocess.run(
        ["git", "-c", "user.email=t@example.com", "-c", "user.name=t", *args], cwd=repo, check=True, capture_output=True
    )


def run_cli(folder: Path, *argv: str) -> tuple[int, str, str]:
    """The real CLI in this process, from `folder`: (exit code, stdout, stderr)."""
    from compose_cloud.cli.main import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.chdir(folder), contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(argv))
    return code, out.getvalue(), err.getvalue()


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


@pytest.fixture
def project(tmp_path):
    """Write files into a fresh folder and plan them: project({"compose.yaml": ...}, files=[...])."""

    def make(files: dict[str, str], compose_files=("compose.yaml",), environ=None, settings=None, **options):
        write(tmp_path, files)
        options.setdefault("default_name", "app")  # as the Pulumi project would name it: no folder warning
        opts = LoadOptions(files=tuple(tmp_path / f for f in compose_files), environ=environ or {}, **options)
        return make_plan(opts, settings or StackSettings())

    make.dir = tmp_path
    return make


def ident(result, name: str, type_: str | None = None) -> str:
    """The id the mock gave resource `name` (as AWS would: `sg-...`, a role's name, an ARN)."""
    [record] = [r for r in result.resources if r.name == name and (type_ is None or r.type == type_)]
    return record.id


def arn_of(result, name: str, type_: str | None = None) -> str:
    [record] = [r for r in result.resources if r.name == name and (type_ is None or r.type == type_)]
    return record.arn


@pytest.fixture(scope="module")
def moto_url():
    """A moto server on 127.0.0.1 at a free port, fresh for each test module."""
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def account(moto_url, monkeypatch, tmp_path):
    """Fake credentials, every client pointed at moto, no other credential source or address."""
    for name in ("AWS_PROFILE", "AWS_SESSION_TOKEN", "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI"):
        monkeypatch.delenv(name, raising=False)
    (tmp_path / "empty").write_text("")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "empty"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing-secret-never-printed")
    return moto_url


def pytest_configure(config):
    """CI prints the slowest tests (the README's command stays the same everywhere), and CI without the
    real Compose files is an error, not a quiet skip of every test that reads them."""
    if os.environ.get("CI") and not config.option.durations:
        config.option.durations = 15
    if os.environ.get("CI") and not WILD.is_dir():
        raise pytest.UsageError(f"{WILD} is missing: CI runs with ../shared/corpus/wild beside the clone")
