from __future__ import annotations

import os
import socket

import pytest
from hypothesis import settings as hypothesis_settings
from moto.server import ThreadedMotoServer
from support.common import WILD, write

from compose_translate import LoadOptions, StackSettings, make_plan

# Locally each run explores new examples; CI replays a fixed sequence so a red build is
# reproducible; `HYPOTHESIS_PROFILE=deep` searches much longer before a release.
hypothesis_settings.register_profile("dev", max_examples=150, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.register_profile("deep", max_examples=5000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


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
