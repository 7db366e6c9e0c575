"""Amazon Bedrock as a model backend: which Docker Hub models it serves, where, and at what price per token.

One table, dated, with one source per fact:
- model IDs, context windows and cross-Region inference profiles: AWS's model pages (each entry's `source`:
  the Bedrock user guide's model card or model-parameters page for that model);
- Regions: the same pages, as read on CATALOGUE_DATE. This is the plan's first check only: AWS adds Regions
  often, so `compose-cloud preflight` asks the account itself (bedrock:ListFoundationModels,
  GetFoundationModelAvailability and, for a profile, GetInferenceProfile);
- prices per token: AWS's Bedrock pricing page (on-demand, US list), as the pinned LiteLLM release records it
  (`litellm/model_prices_and_context_window_backup.json`; tests/translate/test_bedrock.py compares the two).

A Docker Hub model maps only where AWS serves the same family and size. Bedrock serves the provider's weights,
not the GGUF that Docker Model Runner runs, so answers differ; a plan says so. Embedding models have no
match here (their vectors differ from the local model's): they are chosen by ID with `cloud.bedrock-model`.
"""

from __future__ import annotations

import re

from compose_translate.frozen import Frozen
from compose_translate.model_ref import ModelRef

CATALOGUE_DATE = "2026-12-05"
USER_GUIDE = "https://docs.aws.amazon.com/bedrock/latest/userguide"
# A cross-Region (system-defined) inference profile's ID is its geography's prefix and the model's ID.
PROFILE_PREFIXES = ("us", "eu", "apac", "us-gov", "global")
# Bedrock's own ID syntax (botocore's `bedrock-runtime` model: ConverseRequest.modelId, at most 2048)
_MODEL_ID = re.compile(r"[a-z0-9-]{1,63}\.[a-z0-9.:-]{1,200}")
_US = ("us-east-1", "us-east-2", "us-west-2")


class Profile(Frozen):
    """A cross-Region inference profile: called from a source Region, served in any destination Region."""

    prefix: str
    sources: tuple[str, ...]
    destinations: tuple[str, ...]
    # a geography may list another price than the model's (USD per million tokens; None: the model's)
    input_per_million: float | None = None
    output_per_million: float | None = None


class BedrockModel(Frozen):
    """One model Bedrock serves on demand, and the Docker Hub models it stands for."""

    model_id: str
    name: str
    source: str  # the AWS page this entry was read from
    docker: tuple[str, ...] = ()  # "ai/<name>:<size>" matches; empty: by explicit ID only
    regions: tuple[str, ...] = ()  # in-Region (on-demand) availability
    profiles: tuple[Profile, ...] = ()
    context_window: int
    input_per_million: float  # USD per million input tokens
    output_per_million: float  # USD per million output tokens
    embeddings: bool = False
    differs: str = ""  # how the Bedrock model differs from the Docker Hub one, beyond quantisation


def _us(*, sources: tuple[str, ...] = _US) -> Profile:
    return Profile(prefix="us", sources=sources, destinations=_US)


CATALOGUE: tuple[BedrockModel, ...] = (
    BedrockModel(
        model_id="meta.llama3-1-8b-instruct-v1:0",
        name="Llama 3.1 8B Instruct",
        source=f"{USER_GUIDE}/model-card-meta-llama-3-1-8b-instruct.html",
        docker=("ai/llama3.1:8B",),
        regions=("us-west-2",),
        profiles=(_us(),),
        context_window=128_000,
        input_per_million=0.22,
        output_per_million=0.22,
    ),
    BedrockModel(
        model_id="meta.llama3-1-70b-instruct-v1:0",
        name="Llama 3.1 70B Instruct",
        source=f"{USER_GUIDE}/model-card-meta-llama-3-1-70b-instruct.html",
        docker=("ai/llama3.1:70B",),
        regions=("us-west-2",),
        profiles=(_us(),),
        context_window=128_000,
        input_per_million=0.99,
        output_per_million=0.99,
    ),
    BedrockModel(
        model_id="meta.llama3-2-1b-instruct-v1:0",
        name="Llama 3.2 1B Instruct",
        source=f"{USER_GUIDE}/model-card-meta-llama-3-2-1b-instruct.html",
        docker=("ai/llama3.2:1B",),
        profiles=(
            Profile(prefix="us", sources=("us-east-1", "us-west-2"), destinations=("us-east-1", "us-west-2")),
            Profile(
                prefix="eu",
                sources=("eu-central-1", "eu-west-1", "eu-west-3"),
                destinations=("eu-central-1", "eu-west-1", "eu-west-3"),
                input_per_million=0.13,
                output_per_million=0.13,
            ),
        ),
        context_window=128_000,
        input_per_million=0.10,
        output_per_million=0.10,
    ),
    BedrockModel(
        model_id="meta.llama3-2-3b-instruct-v1:0",
        name="Llama 3.2 3B Instruct",
        source=f"{USER_GUIDE}/model-card-meta-llama-3-2-3b-instruct.html",
        docker=("ai/llama3.2:3B",),
        profiles=(
            Profile(prefix="us", sources=("us-east-1", "us-west-2"), destinations=("us-east-1", "us-west-2")),
            Profile(
                prefix="eu",
                sources=("eu-central-1", "eu-west-1", "eu-west-3"),
                destinations=("eu-central-1", "eu-west-1", "eu-west-3"),
                input_per_million=0.19,
                output_per_million=0.19,
            ),
        ),
        context_window=128_000,
        input_per_million=0.15,
        output_per_million=0.15,
    ),
    BedrockModel(
        model_id="meta.llama3-3-70b-instruct-v1:0",
        name="Llama 3.3 70B Instruct",
        source=f"{USER_GUIDE}/model-card-meta-llama-3-3-70b-instruct.html",
        docker=("ai/llama3.3:70B",),
        regions=("us-east-2",),
        profiles=(_us(),),
        context_window=128_000,
        input_per_million=0.72,
        output_per_million=0.72,
    ),
    BedrockModel(
        model_id="mistral.mistral-7b-instruct-v0:2",
        name="Mistral 7B Instruct",
        source=f"{USER_GUIDE}/model-card-mistral-mistral-7b-instruct.html",
        docker=("ai/mistral:7B",),
        regions=("eu-west-3", "us-east-1", "us-west-2"),
        context_window=32_000,
        input_per_million=0.15,
        output_per_million=0.20,
        differs="Docker Hub's ai/mistral is Mistral 7B Instruct v0.3; Bedrock serves v0.2, which has no tool calls",
    ),
    BedrockModel(
        model_id="qwen.qwen3-32b-v1:0",
        name="Qwen3 32B (dense)",
        source=f"{USER_GUIDE}/model-card-qwen-qwen3-32b.html",
        docker=("ai/qwen3:32B",),
        regions=("ap-northeast-1", "ap-south-1", "eu-north-1", "eu-west-2", "us-west-2"),
        context_window=131_072,
        input_per_million=0.15,
        output_per_million=0.60,
    ),
    BedrockModel(
        model_id="qwen.qwen3-coder-30b-a3b-v1:0",
        name="Qwen3 Coder 30B-A3B Instruct",
        source=f"{USER_GUIDE}/model-card-qwen-qwen3-coder-30b-a3b.html",
        docker=("ai/qwen3-coder:30B-A3B",),
        regions=("ap-northeast-1", "ap-south-1", "eu-north-1", "eu-west-2", "us-west-2"),
        context_window=262_144,
        input_per_million=0.15,
        output_per_million=0.60,
    ),
    BedrockModel(
        model_id="openai.gpt-oss-20b-1:0",
        name="gpt-oss-20b",
        source=f"{USER_GUIDE}/model-parameters-openai.html",
        docker=("ai/gpt-oss:20B",),
        regions=("us-west-2",),
        context_window=128_000,
        input_per_million=0.07,
        output_per_million=0.30,
    ),
    BedrockModel(
        model_id="openai.gpt-oss-120b-1:0",
        name="gpt-oss-120b",
        source=f"{USER_GUIDE}/model-parameters-openai.html",
        docker=("ai/gpt-oss:120B",),
        regions=("us-west-2",),
        context_window=128_000,
        input_per_million=0.15,
        output_per_million=0.60,
    ),
    BedrockModel(
        model_id="amazon.titan-embed-text-v2:0",
        name="Titan Text Embeddings V2",
        source=f"{USER_GUIDE}/model-card-amazon-titan-text-embeddings-v2.html",
        regions=("us-east-1", "us-west-2"),
        context_window=8_192,
        input_per_million=0.02,
        output_per_million=0.0,
        embeddings=True,
    ),
)
# The size a Docker Hub repository serves when the reference has no tag, or `latest` (its Docker Hub page).
DOCKER_DEFAULT_SIZE = {
    "ai/llama3.1": "8B",
    "ai/llama3.2": "3B",
    "ai/llama3.3": "70B",
    "ai/mistral": "7B",
    "ai/qwen3": "8B",
    "ai/qwen3-coder": "30B-A3B",
    "ai/gpt-oss": "20B",
}
_SIZE = re.compile(r"(\d+(?:\.\d+)?[BM](?:-A\d+(?:\.\d+)?B)?)(?:-|$)", re.IGNORECASE)
_BY_DOCKER = {name: entry for entry in CATALOGUE for name in entry.docker}
_BY_ID = {entry.model_id: entry for entry in CATALOGUE}


def docker_size(ref: ModelRef) -> str | None:
    """The parameter count a Docker Hub tag names (`3B-Q4_K_M` -> 3B, `30B-A3B-UD-Q4_K_XL` -> 30B-A3B)."""
    if ref.tag in (None, "latest"):
        return DOCKER_DEFAULT_SIZE.get(ref.repository)
    assert ref.tag is not None
    match = _SIZE.match(ref.tag)
    return match.group(1).upper() if match else None


def matching(ref: ModelRef) -> BedrockModel | None:
    """The Bedrock model of the same family and size as a Docker Hub reference, if AWS serves one."""
    if ref.source != "docker":
        return None
    size = docker_size(ref)
    return _BY_DOCKER.get(f"{ref.repository}:{size}") if size else None


def split_profile(model_id: str) -> tuple[str | None, str]:
    """`us.meta.llama3-3-70b-instruct-v1:0` -> ("us", "meta.llama3-3-70b-instruct-v1:0"); a plain ID -> (None, id)."""
    head, _, rest = model_id.partition(".")
    if head in PROFILE_PREFIXES and _MODEL_ID.fullmatch(rest):
        return head, rest
    return None, model_id


def is_model_id(text: str) -> bool:
    """Whether `text` reads as a Bedrock model ID or cross-Region inference profile ID."""
    return _MODEL_ID.fullmatch(split_profile(text)[1]) is not None and len(text) <= 2048


def known(model_id: str) -> BedrockModel | None:
    """The catalogue's entry for a foundation model ID (without a profile prefix)."""
    return _BY_ID.get(model_id)


def family_names() -> list[str]:
    """Every Docker Hub name the catalogue maps, for error messages and docs."""
    return sorted(_BY_DOCKER)
