"""Bedrock through the real gateway: the pinned LiteLLM proxy with the plan's own config, against a fake Bedrock
runtime on 127.0.0.1 that answers with AWS's event-stream framing (tests/support/fake_upstream.py)."""

from __future__ import annotations

import json
import os
import urllib.parse

import pytest
from support.common import ROOT
from support.fake_upstream import REPLY, TOOL, TOOL_INPUT, Upstream
from support.gateway import running_gateway

from compose_translate import LoadOptions, make_plan

openai = pytest.importorskip("openai")
os.environ.setdefault("LITELLM_LOCAL_MODEL_COST_MAP", "True")
pytest.importorskip("litellm")

pytestmark = pytest.mark.slow
LLM, CODER, EMBEDDER, LOCKED = "ai/llama3.3", "ai/qwen3:32B-Q4_K_M", "ai/embeddinggemma", "ai/gpt-oss"
TOOLS = [
    {
        "type": "function",
        "function": {
            "name": "get_weather",
            "description": "The weather in a city",
            "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]},
        },
    }
]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    """The bedrock example's models, and one more whose access the account was not granted."""
    folder = tmp_path_factory.mktemp("project")
    text = (ROOT / "examples" / "bedrock" / "compose.yaml").read_text()
    bound = "      embedder:\n        endpoint_var"
    text = text.replace(bound, "      locked: {}\n" + bound)
    text += "  locked:\n    model: ai/gpt-oss\n    labels: {cloud.backend: bedrock, cloud.region: us-west-2}\n"
    (folder / "compose.yaml").write_text(text)
    plan = make_plan(LoadOptions(files=(folder / "compose.yaml",), environ={}))
    assert plan.models["locked"].bedrock
    upstream = Upstream(denied=frozenset({"openai.gpt-oss-20b-1:0"}))
    with upstream, running_gateway(plan, tmp_path_factory.mktemp("gateway"), upstream) as (port, log):
        client = openai.OpenAI(base_url=f"http://127.0.0.1:{port}/v1", api_key="none", max_retries=0, timeout=60)
        yield client, upstream, plan, log


def _calls(upstream: Upstream, model_id: str) -> list[dict]:
    quoted = {model_id, urllib.parse.quote(model_id, safe="")}
    return [r for r in upstream.requests if r["path"].startswith("/bedrock/") and r["path"].split("/")[4] in quoted]


@pytest.mark.parametrize("model", [LLM, CODER])
def test_chat(gateway, model):
    client, _, _, log = gateway
    reply = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}])
    assert reply.choices[0].message.content == REPLY, log.read_text()[-3000:]


@pytest.mark.parametrize("model", [LLM, CODER])
def test_streaming_with_events_split_and_coalesced(gateway, model):
    client, _, _, log = gateway
    stream = client.chat.completions.create(model=model, messages=[{"role": "user", "content": "hi"}], stream=True)
    text = "".join(chunk.choices[0].delta.content or "" for chunk in stream if chunk.choices)
    assert text == REPLY, log.read_text()[-3000:]


def test_tool_calls(gateway):
    client, _, _, log = gateway
    reply = client.chat.completions.create(
        model=LLM, messages=[{"role": "user", "content": "weather in Paris?"}], tools=TOOLS
    )
    [call] = reply.choices[0].message.tool_calls
    assert (call.function.name, json.loads(call.function.arguments)) == (TOOL["name"], TOOL_INPUT)
    assert reply.choices[0].finish_reason == "tool_calls"


def test_streamed_tool_calls(gateway):
    client, _, _, log = gateway
    stream = client.chat.completions.create(
        model=LLM, messages=[{"role": "user", "content": "weather in Paris?"}], tools=TOOLS, stream=True
    )
    names, arguments = [], ""
    for chunk in stream:
        for call in (chunk.choices[0].delta.tool_calls or []) if chunk.choices else []:
            names += [call.function.name] if call.function.name else []
            arguments += call.function.arguments or ""
    assert (names, json.loads(arguments)) == ([TOOL["name"]], TOOL_INPUT), log.read_text()[-3000:]


def test_embeddings(gateway):
    client, upstream, _, _ = gateway
    result = client.embeddings.create(model=EMBEDDER, input="hello")
    assert result.data[0].embedding == [0.1, 0.2, 0.3]
    call = _calls(upstream, "amazon.titan-embed-text-v2:0")[-1]
    assert call["path"].endswith("/invoke") and call["body"]["inputText"] == "hello"


def test_requests_go_to_the_model_id_from_the_source_region_signed_for_it(gateway):
    client, upstream, plan, _ = gateway
    client.chat.completions.create(model=LLM, messages=[{"role": "user", "content": "hi"}])
    client.chat.completions.create(model=CODER, messages=[{"role": "user", "content": "hi"}])
    for key in ("llm", "coder"):
        serving = plan.models[key].bedrock
        calls = _calls(upstream, serving.model_id)
        assert calls, f"nothing reached {serving.model_id}"
        for call in calls:
            assert call["path"].split("/")[2] == serving.region
            headers = {k.lower(): v for k, v in call["headers"].items()}
            assert f"/{serving.region}/bedrock/aws4_request" in headers["authorization"]


def test_runtime_flags_become_request_defaults(gateway):
    client, upstream, _, _ = gateway
    client.chat.completions.create(model=LLM, messages=[{"role": "user", "content": "hi"}])
    call = _calls(upstream, "us.meta.llama3-3-70b-instruct-v1:0")[-1]
    assert call["body"]["inferenceConfig"]["temperature"] == 0.3
    client.chat.completions.create(model=LLM, messages=[{"role": "user", "content": "hi"}], temperature=0.9)
    assert _calls(upstream, "us.meta.llama3-3-70b-instruct-v1:0")[-1]["body"]["inferenceConfig"]["temperature"] == 0.9


def test_a_model_without_access_fails_with_a_clear_log_line(gateway):
    client, _, _, log = gateway
    with pytest.raises(openai.APIStatusError) as raised:
        client.chat.completions.create(model=LOCKED, messages=[{"role": "user", "content": "hi"}])
    assert raised.value.status_code == 403
    lines = [json.loads(x) for x in log.read_text().splitlines() if x.startswith('{"event": "compose-cloud-bedrock')]
    assert lines, log.read_text()[-3000:]
    assert lines[-1]["event"] == "compose-cloud-bedrock-denied"
    assert (lines[-1]["model"], lines[-1]["bedrockModel"], lines[-1]["region"]) == (
        LOCKED,
        "openai.gpt-oss-20b-1:0",
        "us-west-2",
    )
    assert "preflight" in lines[-1]["fix"]


def test_every_request_the_gateway_sent_is_one_bedrock_runtime_accepts(gateway):
    """Each Converse, ConverseStream and InvokeModel request, validated against botocore's bedrock-runtime model."""
    client, upstream, _, _ = gateway
    client.chat.completions.create(model=LLM, messages=[{"role": "user", "content": "hi"}], tools=TOOLS)
    list(client.chat.completions.create(model=CODER, messages=[{"role": "user", "content": "hi"}], stream=True))
    client.embeddings.create(model=EMBEDDER, input="hello")
    from botocore.session import get_session
    from botocore.validate import ParamValidator

    service = get_session().get_service_model("bedrock-runtime")
    operations = {"converse": "Converse", "converse-stream": "ConverseStream", "invoke": "InvokeModel"}
    sent = [r for r in upstream.requests if r["path"].startswith("/bedrock/")]
    assert {r["path"].rsplit("/", 1)[1] for r in sent} == set(operations)
    for request in sent:
        model, action = request["path"].split("/")[4:6]
        params = {"modelId": urllib.parse.unquote(model)}
        if action == "invoke":
            params["body"] = json.dumps(request["body"]).encode()
        else:
            params.update(request["body"])
        shape = service.operation_model(operations[action]).input_shape
        report = ParamValidator().validate(params, shape)
        assert not report.has_errors(), f"{request['path']}: {report.generate_report()}"
