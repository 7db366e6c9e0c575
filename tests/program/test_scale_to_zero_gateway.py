"""The first request after idle waits, it does not fail: the pinned LiteLLM proxy with the plan's config,
against fake model servers that answer as models at zero instances do (SageMaker: 400 "no capacity";
ECS: Service Connect's 503) before they wake."""

from __future__ import annotations

import json
import time

import openai
import pytest
from pydantic import SecretStr
from support.common import write
from support.fake_upstream import REPLY, Upstream
from support.gateway import running_gateway

from compose_translate import LoadOptions, make_plan
from compose_translate.serving import ASLEEP_EVENT, REQUEST_EVENT, WAKE_RETRY_SECONDS

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
    with (
        Upstream(asleep=1, down=frozenset({"ai/qwen3"})) as upstream,
        running_gateway(plan, folder, upstream) as (
            port,
            log,
        ),
    ):
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
    """Down for good and never scaling to zero: one attempt, the error at once (no pause, no client retry)."""
    client, upstream, _ = waking
    started = time.monotonic()
    with pytest.raises(openai.APIStatusError):
        client.chat.completions.create(model="ai/qwen3", messages=[{"role": "user", "content": "hi"}])
    held = time.monotonic() - started
    assert held < 2, held  # the router's pause (10 s) is not taken
    assert len([r for r in upstream.requests if r.get("body", {}).get("model") == "ai/qwen3"]) == 1


def test_requests_for_waking_models_are_logged_for_the_wake_metric(waking):
    _, _, log = waking
    events = [json.loads(line) for line in log.read_text().splitlines() if REQUEST_EVENT in line]
    assert {"event": REQUEST_EVENT, "model": "ai/smollm2"} in events
    assert {"event": REQUEST_EVENT, "model": "ai/mxbai-embed-large"} in events
    assert all(e["model"] != "ai/qwen3" for e in events)  # only names the metric filter should count


def test_each_attempt_that_finds_an_ecs_model_asleep_is_logged_for_the_wake_alarm(waking):
    """The wake signal exists at zero tasks: Service Connect's 503 seen by the gateway, one line per attempt."""
    client, _, log = waking
    client.embeddings.create(model="ai/mxbai-embed-large", input="hello")  # awake by now: no new line
    asleep = [json.loads(line) for line in log.read_text().splitlines() if ASLEEP_EVENT in line]
    assert asleep == [{"event": ASLEEP_EVENT, "model": "ai/mxbai-embed-large"}]  # its one 503, nothing else


BUDGET_RETRIES = 2  # the real budget is WAKE_RETRIES (89): the same rule, shorter


def test_a_model_asleep_past_the_budget_is_held_exactly_the_budget(tmp_path):
    """The pause LiteLLM really takes is WAKE_RETRY_SECONDS (its cap and jitter set by the plan), and the
    number of retries is the budget: a model that never wakes is answered with its error after exactly
    BUDGET_RETRIES + 1 attempts and as many pauses (LiteLLM pauses after the last failure too)."""
    write(tmp_path, {"compose.yaml": COMPOSE})
    plan = make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}, default_name="app"))
    shortened = patched_retries(plan, BUDGET_RETRIES)
    with (
        Upstream(down=frozenset({"ai/mxbai-embed-large"})) as upstream,
        running_gateway(shortened, tmp_path, upstream) as (port, _),
    ):
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=120)
        started = time.monotonic()
        with pytest.raises(openai.APIStatusError):
            client.embeddings.create(model="ai/mxbai-embed-large", input="hello")
        held = time.monotonic() - started
    attempts = [r for r in upstream.requests if r.get("body", {}).get("model") == "ai/mxbai-embed-large"]
    assert len(attempts) == BUDGET_RETRIES + 1  # no hidden retries by the OpenAI client inside LiteLLM
    budget = (BUDGET_RETRIES + 1) * WAKE_RETRY_SECONDS
    assert budget <= held < budget + 3, held


def test_the_real_budget_is_the_wake_limit():
    from compose_translate.plan.gateway import WAKE_RETRIES
    from compose_translate.serving import WAKE_LIMIT_SECONDS

    assert (WAKE_RETRIES + 1) * WAKE_RETRY_SECONDS == WAKE_LIMIT_SECONDS


def patched_retries(plan, retries: int):
    """The plan with its gateway config's retry count replaced (the pause is kept): a test-sized budget."""
    from compose_translate.plan.gateway import WAKE_RETRIES

    configs = dict(plan.configs)
    for file in plan.gateway.service.files:
        stored = configs[file.source]
        text = stored.value.get_secret_value()
        if "num_retries" in text:
            text = text.replace(f": {WAKE_RETRIES}\n", f": {retries}\n")
            configs[file.source] = stored.model_copy(update={"value": SecretStr(text)})
    return plan.model_copy(update={"configs": configs})
