"""The model gateway for real: the pinned LiteLLM proxy, run with the plan's own config and environment,
driven with the `openai` client as a service would, against fake model servers on 127.0.0.1."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
from support.common import ROOT
from support.fake_upstream import REPLY, Upstream
from support.gateway import running_gateway

from compose_translate import LoadOptions, make_plan
from compose_translate.serving import GATEWAY_IMAGE

openai = pytest.importorskip("openai")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")  # importing litellm must not reach the internet
pytest.importorskip("litellm")

pytestmark = pytest.mark.slow
CHAT, CODER, EMBEDDER = "ai/gemma3:12B-Q4_K_M", "hf.co/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M", "ai/embeddinggemma"
REASONER = "hf.co/unsloth/Qwen3-32B-GGUF:Q4_K_M"


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
