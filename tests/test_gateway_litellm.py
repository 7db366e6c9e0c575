"""The model gateway for real: the pinned LiteLLM proxy, run with the plan's own config and environment,
driven with the `openai` client as a service would, against fake model servers on 127.0.0.1."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import contextmanager
from pathlib import Path

import pytest
from conftest import ROOT
from fake_upstream import REPLY, Upstream

from compose_translate import LoadOptions, make_plan
from compose_translate.serving import GATEWAY_IMAGE

openai = pytest.importorskip("openai")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # importing litellm must not reach the internet
pytest.importorskip("litellm")

pytestmark = pytest.mark.slow
CHAT, CODER, EMBEDDER = "ai/gemma3:12B-Q4_K_M", "hf.co/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M", "ai/embeddinggemma"
REASONER = "hf.co/unsloth/Qwen3-32B-GGUF:Q4_K_M"


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
        [sys.executable, str(ROOT / "tests" / "gateway_proxy.py"), base, str(config), str(port)],
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


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """The multi-region example's gateway: two SageMaker models in two regions, two llama.cpp servers."""
    plan = make_plan(LoadOptions(files=(ROOT / "examples" / "multi-region" / "compose.yaml",), environ={}))
    with Upstream() as upstream, running_gateway(plan, tmp_path_factory.mktemp("gateway"), upstream) as (port, log):
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=60)
        yield client, upstream, plan, log


def test_the_pinned_litellm_is_the_gateway_image_version():
    from importlib.metadata import version

    assert GATEWAY_IMAGE.rsplit(":v", 1)[1] == version("litellm")


def test_the_gateway_needs_no_price_map_from_the_internet():
    plan = make_plan(LoadOptions(files=(ROOT / "examples" / "seed-06-cloud" / "compose.yaml",), environ={}))
    assert plan.gateway.service.environment["LITELLM_LOCAL_MODEL_COST_MAP"] == "True"


@pytest.mark.parametrize("model", [CHAT, REASONER, CODER])
def test_chat(gateway, model):
    client, upstream, _, _ = gateway
    reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == REPLY


@pytest.mark.parametrize("model", [CHAT, REASONER, CODER])
def test_streaming(gateway, model):
    client, _, _, log = gateway
    stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}], stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == REPLY, log.read_text()[-3000:]


def test_sagemaker_requests_are_signed_for_their_region_and_carry_only_openai_fields(gateway):
    client, upstream, _, _ = gateway
    client.chat.completions.create(model=REASONER, messages=[{"role": "user", "content": "hi"}])
    calls = [r for r in upstream.requests if "/endpoints/" in r["path"]]
    assert calls, "no SageMaker request reached the upstream"
    for call in calls:
        region = call["path"].split("/")[1]
        headers = {k.lower(): v for k, v in call["headers"].items()}
        assert f"/{region}/sagemaker/aws4_request" in headers["authorization"]
        assert set(call["body"]) <= {
            "messages",
            "max_tokens",
            "temperature",
            "top_p",
            "stream",
            "stream_options",
            "model",
            "stop",
            "n",
        }, call["body"]
    assert {c["path"].split("/")[1] for c in calls} >= {"eu-west-1"}


def test_embeddings(gateway):
    client, _, _, _ = gateway
    result = client.embeddings.create(model=EMBEDDER, input=["a", "b"])
    assert [len(d.embedding) for d in result.data] == [3, 3]


def test_models_lists_every_compose_reference(gateway):
    client, _, _, _ = gateway
    assert sorted(m.id for m in client.models.list().data) == sorted([CHAT, REASONER, CODER, EMBEDDER])


def test_an_unknown_model_is_a_clear_client_error(gateway):
    client, _, _, _ = gateway
    with pytest.raises((openai.BadRequestError, openai.NotFoundError)) as error:
        client.chat.completions.create(model="ai/not-declared", messages=[{"role": "user", "content": "hi"}])
    assert "ai/not-declared" in str(error.value)


def test_the_health_check_the_task_runs_passes(gateway):
    _, _, plan, _ = gateway
    command = plan.gateway.service.runtime.healthcheck.command[1]
    port = gateway[0].base_url.port
    done = subprocess.run(
        [
            "sh",
            "-c",
            command.replace("python3", sys.executable).replace(f"localhost:{plan.gateway.port}", f"127.0.0.1:{port}"),
        ],
        timeout=30,
        check=False,
    )
    assert done.returncode == 0
