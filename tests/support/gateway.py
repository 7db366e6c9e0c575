"""The pinned LiteLLM proxy run for real with a plan's gateway config, against a fake upstream on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

from support.common import ROOT
from support.fake_upstream import Upstream


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def running_gateway(plan, folder: Path, upstream: Upstream):
    """The plan's gateway as its task runs it: its files as the init container writes them (server names
    resolved to the fake upstream, as DNS would), its environment, the pinned LiteLLM."""
    base = f"http://127.0.0.1:{upstream.port}"
    servers = [m.server.name for m in plan.models.values() if m.server]
    for file in plan.gateway.service.files:
        text = plan.configs[file.source].value.get_secret_value()
        for server in servers:
            text = text.replace(f"http://{server}:8080", base)
        (folder / Path(file.target).name).write_text(text)
    config = folder / "config.yaml"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "LITELLM", "OPENAI"))},
        **plan.gateway.service.environment,
        "AWS_ACCESS_KEY_ID": "AKIAIOSFODNN7EXAMPLE",
        "AWS_SECRET_ACCESS_KEY": "test-secret-not-real",
    }
    log = (folder / "proxy.log").open("w")
    proxy = subprocess.Popen(
        [sys.executable, str(ROOT / "tests" / "support" / "gateway_proxy.py"), base, str(config), str(port)],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=folder,
    )
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/health/liveliness", timeout=2) as r:
                    if r.status == 200:
                        break
            except OSError:
                pass
            if proxy.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError("the gateway did not start:\n" + (folder / "proxy.log").read_text()[-4000:])
            time.sleep(0.5)
        yield port, folder / "proxy.log"
    finally:
        proxy.terminate()
        try:
            proxy.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proxy.kill()
        log.close()
