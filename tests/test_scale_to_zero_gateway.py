"""The first request after idle waits, it does not fail: the pinned LiteLLM proxy with the plan's config,
against fake model servers that answer as models at zero instances do (SageMaker: 400 "no capacity";
ECS: Service Connect's 503) before they wake."""

from __future__ import annotations

import json
import time

import pytest
from conftest import write
from fake_upstream import REPLY, Upstream
from test_gateway_litellm import openai, running_gateway

from compose_translate import LoadOptions, make_plan
from compose_translate.serving import REQUEST_EVENT, WAKE_RETRY_SECONDS

pytestmark = pytest.mark.slow
COMPOSE = """\
services:
  app: {image: nginx, models: [llm, embed, steady]}
models:
  llm:
    model: ai/smollm2
    labels: [cloud.min-instances=0]
  embed:
    model: ai/mxbai-embed-large
    labels: [cloud.min-instances=0, cloud.instance-type=cpu-small]
  steady:
    model: ai/qwen3
    labels: [cloud.backend=ecs, cloud.instance-type=cpu-small]
"""


@pytest.fixture(scope="module")
def waking(tmp_path_factory):
    folder = tmp_path_factory.mktemp("waking")
    write(folder, {"compose.yaml": COMPOSE})
    plan = make_plan(LoadOptions(files=(folder / "compose.yaml",), environ={}, default_name="app"))
    with Upstream(asleep=1) as upstream, running_gateway(plan, folder, upstream) as (port, log):
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=120)
        yield client, upstream, log


def test_a_sagemaker_model_at_zero_is_waited_for(waking):
    client, upstream, _ = waking
    started = time.monotonic()
    reply = client.chat.completions.create(model="ai/smollm2", messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == REPLY
    assert time.monotonic() - started >= 2  # held (LiteLLM's pause before a retry), then retried
    calls = [r for r in upstream.requests if "/endpoints/app-preview-llm/" in r["path"]]
    assert len(calls) == 2
    named = {
        value
        for c in calls
        for key, value in c["headers"].items()
        if key.lower() == "x-amzn-sagemaker-inference-component"
    }
    signatures = [v for c in calls for k, v in c["headers"].items() if k.lower() == "authorization"]
    assert named == {"app-preview-llm-ic"} and len(signatures) == 2
    assert all("x-amzn-sagemaker-inference-component" in s for s in signatures)  # part of the signature


def test_an_ecs_model_at_zero_is_waited_for(waking):
    client, upstream, _ = waking
    reply = client.embeddings.create(model="ai/mxbai-embed-large", input="hello")
    assert reply.data[0].embedding == [0.1, 0.2, 0.3]
    assert len([r for r in upstream.requests if r.get("body", {}).get("model") == "ai/mxbai-embed-large"]) == 2


def test_a_model_that_does_not_scale_to_zero_is_not_held(waking):
    client, _, _ = waking
    started = time.monotonic()
    try:  # its first answer is a 503: LiteLLM's own quick retries may or may not get past it
        client.chat.completions.create(model="ai/qwen3", messages=[{"role": "user", "content": "hi"}])
    except openai.APIStatusError:
        pass
    assert time.monotonic() - started < WAKE_RETRY_SECONDS  # never held for a wake


def test_requests_for_waking_models_are_logged_for_the_wake_metric(waking):
    _, _, log = waking
    events = [json.loads(line) for line in log.read_text().splitlines() if REQUEST_EVENT in line]
    assert {"event": REQUEST_EVENT, "model": "ai/smollm2"} in events
    assert {"event": REQUEST_EVENT, "model": "ai/mxbai-embed-large"} in events
    assert all(e["model"] != "ai/qwen3" for e in events)  # only names the metric filter should count
