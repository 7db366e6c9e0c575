"""Bedrock as a backend, decided in the plan: the catalogue checked against independent sources (the pinned
LiteLLM's price map, botocore's API model and endpoint data), matching, labels, flags, Regions, profiles, cost."""

from __future__ import annotations

import json
import re
from importlib import resources

import botocore.session
import pytest
from support.common import ROOT

from compose_translate import ComposeError, LoadOptions, make_plan
from compose_translate.bedrock import CATALOGUE, USER_GUIDE, docker_size, matching
from compose_translate.instances import regions_for
from compose_translate.model_ref import parse_model_ref


def _litellm_prices() -> dict:
    return json.loads((resources.files("litellm") / "model_prices_and_context_window_backup.json").read_text())


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.model_id)
def test_catalogue_prices_and_windows_agree_with_the_pinned_litellm(entry):
    """Two records of AWS's pricing page must agree; LiteLLM's is the gateway's own (1.102.1)."""
    recorded = _litellm_prices()[entry.model_id]
    assert recorded["litellm_provider"].startswith("bedrock")
    assert round(recorded["input_cost_per_token"] * 1e6, 6) == entry.input_per_million
    assert round(recorded.get("output_cost_per_token", 0) * 1e6, 6) == entry.output_per_million
    assert recorded["max_input_tokens"] == entry.context_window
    assert (recorded["mode"] == "embedding") == entry.embeddings
    for profile in entry.profiles:  # every profile we route through is one LiteLLM knows, at its geography's price
        listed = _litellm_prices()[f"{profile.prefix}.{entry.model_id}"]
        own = (
            profile.input_per_million or entry.input_per_million,
            profile.output_per_million or entry.output_per_million,
        )
        assert (round(listed["input_cost_per_token"] * 1e6, 6), round(listed["output_cost_per_token"] * 1e6, 6)) == own


@pytest.mark.parametrize("entry", CATALOGUE, ids=lambda e: e.model_id)
def test_catalogue_ids_regions_and_sources_are_well_formed(entry):
    pattern = botocore.session.get_session().get_service_model("bedrock-runtime").shape_for("ConversationalModelId")
    ids = [entry.model_id, *(f"{p.prefix}.{entry.model_id}" for p in entry.profiles)]
    for model_id in ids:  # the first alternatives of AWS's pattern: a model ID, or a profile's
        assert re.fullmatch(r"[a-z0-9-]{1,63}[.]{1}[a-z0-9-]{1,63}([.:]?[a-z0-9-]{1,63})|[a-zA-Z0-9-:.]+", model_id)
        assert len(model_id) <= pattern.metadata["max"]
    bedrock_regions = regions_for("bedrock")
    assert set(entry.regions) <= bedrock_regions
    for profile in entry.profiles:
        assert set(profile.sources) | set(profile.destinations) <= bedrock_regions
    assert entry.regions or entry.profiles, "a model served nowhere"
    assert entry.source.startswith(USER_GUIDE + "/")
    assert entry.embeddings or entry.docker, "chat models are in the table to be matched"


@pytest.mark.parametrize(
    "reference, model_id",
    [
        ("ai/llama3.3", "meta.llama3-3-70b-instruct-v1:0"),
        ("ai/llama3.2", "meta.llama3-2-3b-instruct-v1:0"),
        ("ai/llama3.2:latest", "meta.llama3-2-3b-instruct-v1:0"),
        ("ai/llama3.2:1B-Q8_0", "meta.llama3-2-1b-instruct-v1:0"),
        ("llama3.1:8B-F16", "meta.llama3-1-8b-instruct-v1:0"),
        ("ai/qwen3:32B-Q4_K_M", "qwen.qwen3-32b-v1:0"),
        ("ai/qwen3-coder:30B-A3B-UD-Q4_K_XL", "qwen.qwen3-coder-30b-a3b-v1:0"),
        ("ai/gpt-oss:120B-F16", "openai.gpt-oss-120b-1:0"),
        ("ai/gpt-oss", "openai.gpt-oss-20b-1:0"),
        ("ai/qwen3", None),  # 8B: Bedrock serves no 8B Qwen3
        ("ai/qwen3:30B-A3B-Q4_K_M", None),  # the general model, not the Coder
        ("ai/smollm2", None),
        ("hf.co/bartowski/Llama-3.3-70B-Instruct-GGUF", None),
        ("someone/llama3.3:70B", None),  # same name, another publisher
    ],
)
def test_a_docker_hub_model_matches_only_the_same_family_and_size(reference, model_id):
    entry = matching(parse_model_ref(reference))
    assert (entry.model_id if entry else None) == model_id


def test_sizes_read_from_tags():
    assert docker_size(parse_model_ref("ai/qwen3-coder:30B-A3B-UD-Q4_K_XL")) == "30B-A3B"
    assert docker_size(parse_model_ref("ai/qwen3:0.6B-F16")) == "0.6B"
    assert docker_size(parse_model_ref("ai/mistral:latest")) == "7B"
    assert docker_size(parse_model_ref("ai/mistral:Q4_K_M")) is None


def _plan(project, models: str, service_models: str = "[llm]", **settings):
    return project(
        {
            "compose.yaml": f"""
        name: demo
        services:
          app: {{image: app, models: {service_models}}}
        models:
{models}
        """
        },
        **settings,
    )


def _error(project, models: str) -> str:
    with pytest.raises(ComposeError) as raised:
        _plan(project, models)
    return str(raised.value)


def test_backend_bedrock_is_a_route_to_the_model_id_with_no_hardware(project):
    plan = _plan(
        project, "          llm: {model: ai/llama3.3, labels: {cloud.backend: bedrock, cloud.region: us-east-2}}"
    )
    model = plan.models["llm"]
    assert (model.sagemaker, model.server) == (None, None)
    assert model.bedrock.model_id == "meta.llama3-3-70b-instruct-v1:0" and model.bedrock.profile is None
    assert model.bedrock.destinations == ("us-east-2",)
    [route] = plan.gateway.routes
    assert (route.target, route.bedrock_model, route.region) == (
        "bedrock",
        "meta.llama3-3-70b-instruct-v1:0",
        "us-east-2",
    )
    assert plan.regions == ("us-east-1",)  # nothing is created in us-east-2
    assert plan.gpu_capacity == {}
    assert plan.services["app"].environment["LLM_URL"] == plan.gateway.url
    assert plan.services["app"].environment["LLM_MODEL"] == "ai/llama3.3"


def test_a_model_not_served_in_the_region_goes_through_its_profile_with_a_warning(project):
    plan = _plan(project, "          llm: {model: ai/llama3.3, labels: {cloud.backend: bedrock}}")
    serving = plan.models["llm"].bedrock
    assert (serving.model_id, serving.region) == ("us.meta.llama3-3-70b-instruct-v1:0", "us-east-1")
    assert serving.destinations == ("us-east-1", "us-east-2", "us-west-2")
    assert any("cross-Region inference profile" in w.message for w in plan.warnings)
    arns = serving.invoke_arns("111122223333")
    assert arns[0] == "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.meta.llama3-3-70b-instruct-v1:0"
    assert arns[1:] == [
        f"arn:aws:bedrock:{r}::foundation-model/meta.llama3-3-70b-instruct-v1:0"
        for r in ("us-east-1", "us-east-2", "us-west-2")
    ]


def test_an_explicit_profile_id_is_checked_against_its_source_regions(project):
    plan = _plan(
        project,
        "          llm: {model: ai/llama3.2, labels: {cloud.bedrock-model: eu.meta.llama3-2-3b-instruct-v1:0, "
        "cloud.region: eu-west-1}}",
    )
    serving = plan.models["llm"].bedrock
    assert serving.destinations == ("eu-central-1", "eu-west-1", "eu-west-3")
    assert (serving.input_per_million, serving.output_per_million) == (0.19, 0.19)  # the EU price
    message = _error(
        project,
        "          llm: {model: ai/llama3.2, labels: {cloud.bedrock-model: eu.meta.llama3-2-3b-instruct-v1:0}}",
    )
    assert "cannot be called from us-east-1" in message and "eu-central-1, eu-west-1, eu-west-3" in message


@pytest.mark.parametrize(
    "models, expected",
    [
        ("llm: {model: ai/gpt-oss, labels: {cloud.backend: bedrock}}", "does not serve gpt-oss-20b in us-east-1"),
        ("llm: {model: ai/smollm2, labels: {cloud.backend: bedrock}}", "no Bedrock model of the same family"),
        (
            "llm: {model: ai/embeddinggemma, labels: {cloud.backend: bedrock}}",
            "is an embedding model: Bedrock's embedding models are different models",
        ),
        (
            "llm: {model: ai/llama3.3, labels: {cloud.backend: bedrock, cloud.instance-type: gpu-small}}",
            "cloud.instance-type does not apply to a Bedrock model",
        ),
        (
            "llm: {model: ai/llama3.3, labels: {cloud.backend: bedrock, cloud.min-instances: '0'}}",
            "cloud.min-instances does not apply to a Bedrock model",
        ),
        (
            "llm: {model: ai/llama3.3, labels: {cloud.backend: ecs, cloud.bedrock-model: meta.x-v1:0}}",
            "cloud.bedrock-model applies only to Bedrock models",
        ),
        (
            "llm: {model: ai/llama3.3, labels: {cloud.backend: bedrok}}",
            'unknown backend "bedrok"',
        ),
        (
            "llm: {model: ai/llama3.3, labels: {cloud.bedrock-model: 'not an id!'}}",
            "is not a Bedrock model ID",
        ),
        (
            "llm: {model: ai/llama3.3, labels: {cloud.backend: bedrock, cloud.expected-tokens-per-hour: '1000'}}",
            "must be INPUT/OUTPUT tokens per hour",
        ),
        (
            "llm: {model: ai/llama3.3, context_size: 200000, labels: {cloud.backend: bedrock}}",
            "context_size 200000 is above Llama 3.3 70B Instruct's limit on Bedrock (128000 tokens)",
        ),
        (
            "llm: {model: ai/llama3.3, runtime_flags: [--threads, '8', --jinja, --top-k, '5'], "
            "labels: {cloud.backend: bedrock}}",
            "--threads: Bedrock chooses its own hardware and serving engine; --jinja: Bedrock applies the model's "
            "own chat template and features; --top-k: Bedrock's Converse API takes temperature, top-p and the "
            "output length only",
        ),
        (
            "llm: {model: ai/llama3.3, runtime_flags: [--api-key, x], labels: {cloud.backend: bedrock}}",
            "--api-key:",
        ),
        (
            "llm: {model: ai/embeddinggemma, labels: {cloud.bedrock-model: meta.llama3-3-70b-instruct-v1:0}}",
            "is a chat model, but ai/embeddinggemma is served as an embedding model",
        ),
    ],
)
def test_what_bedrock_cannot_do_is_refused_with_the_reason(project, models, expected):
    message = _error(project, "          " + models)
    assert expected in message
    assert "compose.yaml:" in message  # file and line


def test_sampling_flags_become_request_defaults(project):
    plan = _plan(
        project,
        "          llm: {model: ai/llama3.3, runtime_flags: [--temp, '0.2', --top-p=0.9, -n, '256'], "
        "labels: {cloud.backend: bedrock}}",
    )
    assert plan.models["llm"].bedrock.defaults == {"max_tokens": 256.0, "temperature": 0.2, "top_p": 0.9}
    config = plan.configs["compose-cloud-gateway-config"].value.get_secret_value()
    assert "temperature: 0.2" in config and "max_tokens: 256" in config


def test_quantisation_and_version_differences_are_warned(project):
    plan = _plan(project, "          llm: {model: 'ai/mistral:7B-Q4_K_M', labels: {cloud.backend: bedrock}}")
    [warning] = [w for w in plan.warnings if "provider's weights" in w.message]
    assert "7B-Q4_K_M" in warning.message and "v0.3" in warning.message and "v0.2" in warning.message


def test_an_id_outside_the_table_is_allowed_with_what_is_not_checked(project):
    plan = _plan(
        project,
        "          llm: {model: ai/llama3.3, labels: {cloud.bedrock-model: 'meta.llama4-maverick-17b-instruct-v1:0'}}",
    )
    serving = plan.models["llm"].bedrock
    assert (serving.name, serving.input_per_million, serving.context_window) == (None, None, None)
    assert any("not in compose-cloud's Bedrock table" in w.message for w in plan.warnings)
    assert "llm" in plan.cost.per_token


def test_a_profile_outside_the_table_may_be_served_in_any_region_of_its_route(project):
    """Its destinations are unknown offline: the gateway may invoke that one model anywhere, nothing else."""
    plan = _plan(
        project,
        "          llm: {model: ai/llama3.3, labels: {cloud.bedrock-model: 'us.meta.llama4-scout-17b-instruct-v1:0'}}",
    )
    serving = plan.models["llm"].bedrock
    assert serving.invoke_arns("111122223333") == [
        "arn:aws:bedrock:us-east-1:111122223333:inference-profile/us.meta.llama4-scout-17b-instruct-v1:0",
        "arn:aws:bedrock:*::foundation-model/meta.llama4-scout-17b-instruct-v1:0",
    ]


def test_cost_is_zero_idle_and_the_expected_tokens_make_an_hourly_estimate(project):
    idle = _plan(
        project, "          llm: {model: ai/qwen3:32B, labels: {cloud.backend: bedrock, cloud.region: us-west-2}}"
    )
    assert idle.models["llm"].hourly_usd == 0.0 and idle.cost.per_token == ("llm",)
    busy = _plan(
        project,
        "          llm: {model: ai/qwen3:32B, labels: {cloud.backend: bedrock, cloud.region: us-west-2, "
        "cloud.expected-tokens-per-hour: '2_000_000/500000'}}",
    )
    assert busy.models["llm"].hourly_usd == pytest.approx(2 * 0.15 + 0.5 * 0.60)
    assert busy.cost.per_token == ()
    assert busy.cost.total == pytest.approx(idle.cost.total + 0.6)
    assert "us-west-2" not in busy.cost.prices  # token prices are not a region's table


def test_the_bedrock_example_has_no_gpu_and_no_quota_to_ask_for():
    plan = make_plan(LoadOptions(files=(ROOT / "examples" / "bedrock" / "compose.yaml",), environ={}))
    assert {m.placement.backend for m in plan.models.values()} == {"bedrock"}
    assert plan.gpu_capacity == {} and all(not m.sagemaker and not m.server for m in plan.models.values())
    assert all(s.runtime.capacity == "fargate" for s in plan.ecs_services())
