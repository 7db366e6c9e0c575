"""How a model is served: every image, tag, flag and environment variable name, in one place.

Sources (re-check before changing a pin; all overridable per stack, see StackSettings):
- llama.cpp server: ggml-org/llama.cpp `tools/server/README.md` (options and their LLAMA_ARG_*
  variables) and `docs/docker.md` (images `ghcr.io/ggml-org/llama.cpp:server[-cuda]-b<build>`).
  The default port is moving from 8080 to 9931, so the port is always set explicitly.
- AWS's llama.cpp SageMaker container: aws/deep-learning-containers `docs/llama-cpp/index.md`
  (`SM_LLAMA_CPP_FOO_BAR=value` becomes `--foo-bar value`; `true` a bare flag; serves
  /v1/chat/completions behind /invocations only, hence no embedding models there), its
  `docker/llama_cpp/Dockerfile.gpu` (FROM `nvidia/cuda:13.0.2-runtime-amzn2023`: CUDA 13.0; its entrypoint
  does not put `/usr/local/cuda/compat` on the loader path), and `available_images.md` (registry
  accounts per region).
- SageMaker inference AMIs: botocore's own documentation of `ProductionVariant.InferenceAmiVersion`
  (driver and CUDA version of each; the 3-1 and 4-1 AMIs disable the toolkit's CUDA-compat mounting,
  so the host driver must support the image's CUDA natively: al2023-ami-sagemaker-inference-gpu-4-1,
  driver 580 / CUDA 13.0).
- ECS: ggml-org's `server-cuda` tags are built on CUDA 12.8.1 (`.devops/cuda.Dockerfile`,
  CUDA_VERSION; `server-cuda13` is a separate tag); the ECS GPU-optimized AL2023 AMI ships NVIDIA
  driver 580 (aws/amazon-ecs-ami CHANGELOG).
- Minimum Linux driver per CUDA release: NVIDIA's CUDA Toolkit release notes, table "CUDA Toolkit and
  Corresponding Driver Versions" (12.4 GA: 550.54.14; 12.8 GA: 570.26; 13.0 GA: 580.65.06).
- LiteLLM proxy: BerriAI/litellm docs (`sagemaker_chat/<endpoint>` for OpenAI-format SageMaker
  endpoints, `openai/<name>` + `api_base` for OpenAI-compatible servers; port 4000).
"""

from __future__ import annotations

import re

from pydantic import ConfigDict

from compose_translate.frozen import Frozen
from compose_translate.llama_flags import refused

LLAMA_CPP_BUILD = "b11382"
LLAMA_CPP_CPU_IMAGE = f"ghcr.io/ggml-org/llama.cpp:server-{LLAMA_CPP_BUILD}"
LLAMA_CPP_CUDA_IMAGE = f"ghcr.io/ggml-org/llama.cpp:server-cuda-{LLAMA_CPP_BUILD}"
LLAMA_CPP_PORT = 8080
LLAMA_CPP_HEALTH_PATH = "/health"  # 503 while the model loads, 200 when ready

SAGEMAKER_IMAGE_REPOSITORY = "llama-cpp"
SAGEMAKER_IMAGE_TAG = "server-sagemaker-cuda-v1"
SAGEMAKER_INFERENCE_AMI = "al2023-ami-sagemaker-inference-gpu-4-1"  # driver 580: CUDA 13.0 natively
SAGEMAKER_IMAGE_CUDA = "13.0"  # AWS's llama.cpp SageMaker image (Dockerfile.gpu's base image)
LLAMA_CPP_CUDA_IMAGE_CUDA = "12.8"  # ggml-org's server-cuda image
ECS_GPU_AMI_DRIVER = 580  # the ECS GPU-optimized Amazon Linux 2023 AMI's NVIDIA driver
CUDA_MINIMUM_DRIVER = {"12.4": 550, "12.8": 570, "13.0": 580}  # NVIDIA's release notes (major versions)
SAGEMAKER_DEFAULT_ACCOUNT = "763104351884"
# Deep Learning Container registries that differ from the default account (opt-in and China regions).
SAGEMAKER_ACCOUNTS = {
    "af-south-1": "626614931356",
    "ap-east-1": "871362719292",
    "ap-south-2": "772153158452",
    "ap-southeast-3": "907027046896",
    "ap-southeast-4": "457447274322",
    "ca-west-1": "204538143572",
    "cn-north-1": "727897471807",
    "cn-northwest-1": "727897471807",
    "eu-central-2": "380420809688",
    "eu-south-1": "692866216735",
    "eu-south-2": "503227376785",
    "il-central-1": "780543022126",
    "me-central-1": "914824155844",
    "me-south-1": "217643126080",
}
# Pulling a multi-GB model can take many minutes; SageMaker kills a container that is not healthy by then.
SAGEMAKER_STARTUP_TIMEOUT = 1800
SAGEMAKER_DOWNLOAD_TIMEOUT = 1800

# AWS's public SSM parameter naming the current ECS GPU-optimized Amazon Linux 2023 AMI (not in every region).
ECS_GPU_AMI_PARAMETER = "/aws/service/ecs/optimized-ami/amazon-linux-2023/gpu/recommended/image_id"

GATEWAY_IMAGE = "ghcr.io/berriai/litellm:v1.102.1"
GATEWAY_CONFIG_PATH = "/etc/litellm/config.yaml"
# LLM responses stream for minutes: the gateway's upstream timeout is generous on purpose.
GATEWAY_REQUEST_TIMEOUT = 600
# A model at zero instances: the gateway holds a request and retries every WAKE_RETRY_SECONDS until
# the model answers or WAKE_LIMIT_SECONDS pass (a SageMaker instance start, the image pull and the
# weights load take 5-10 minutes; an ECS task on a warm GPU instance about 1-3)
WAKE_RETRY_SECONDS = 10
WAKE_LIMIT_SECONDS = 900
# The gateway's log line per request for a model that scales to zero (a metric filter counts them)
REQUEST_EVENT = "compose-cloud-request"
# ... and per attempt that found an ECS model asleep: Service Connect's 503 while the service has no task.
# A signal that exists exactly at zero tasks (an ECS metric such as CPUUtilization has no data then).
ASLEEP_EVENT = "compose-cloud-asleep"

_FLAG = re.compile(r"-{1,2}[A-Za-z0-9][A-Za-z0-9-]*")


class Images(Frozen):
    """Pinned images; a stack may override each (`compose-cloud:images: {gateway: ...}`)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    llama_cpp_cpu: str = LLAMA_CPP_CPU_IMAGE
    llama_cpp_cuda: str = LLAMA_CPP_CUDA_IMAGE
    gateway: str = GATEWAY_IMAGE
    sagemaker: str | None = None  # full image URI; default: AWS's container in the model's region


def sagemaker_image(region: str, images: Images) -> str:
    """AWS's llama.cpp container for SageMaker in the region (its account and domain), unless the stack names one."""
    if images.sagemaker:
        return images.sagemaker
    account = SAGEMAKER_ACCOUNTS.get(region, SAGEMAKER_DEFAULT_ACCOUNT)
    domain = "amazonaws.com.cn" if region.startswith("cn-") else "amazonaws.com"
    return f"{account}.dkr.ecr.{region}.{domain}/{SAGEMAKER_IMAGE_REPOSITORY}:{SAGEMAKER_IMAGE_TAG}"


def split_flags(flags: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """["--ctx-size", "8", "--jinja", "--temp=0.1"] -> [("--ctx-size", "8"), ("--jinja", None), ("--temp", "0.1")].

    Read as llama-server reads its arguments (llama.cpp `common/arg.cpp`): every token starting with `-`
    is a flag (a negative number is a value), and in a `--` flag `_` is `-` (`--api_key` is `--api-key`),
    so no spelling reaches a refused flag as another flag's value. Values are one word of printable
    text: SageMaker's container passes them through environment variables and a shell.
    """
    result: list[tuple[str, str | None]] = []
    for token in flags:
        for part in token.split() if " " in token and token.startswith("-") else [token]:
            if part.startswith("-") and not _is_number(part):
                name, _, value = part.partition("=")
                if name.startswith("--"):
                    name = name.replace("_", "-")
                if not _FLAG.fullmatch(name):
                    raise ValueError(f'"{name[:60]}" is not a llama-server flag')
                result.append((name, _checked_value(value) if "=" in part else None))
            elif result and result[-1][1] is None:
                result[-1] = (result[-1][0], _checked_value(part))
            else:
                raise ValueError(f'"{part[:60]}" is not a flag and follows no flag')
    return result


def _checked_value(value: str) -> str:
    if not value or any(ch.isspace() or not ch.isprintable() for ch in value):
        raise ValueError(f"{value[:60]!r}: a flag's value must be one word of printable text")
    return value


def _is_number(text: str) -> bool:
    return re.fullmatch(r"-?\d+(\.\d+)?", text) is not None


def refused_flags(flags: list[tuple[str, str | None]]) -> list[str]:
    """Each flag `runtime_flags` may not carry, with the reason (compose_translate/llama_flags.py)."""
    return [f"{flag}: {reason}" for flag, reason in ((f, refused(f)) for f, _ in flags) if reason]


def llama_server_environment(
    pull: str, source: str, alias: str, context_size: int | None, embeddings: bool, gpu: bool
) -> dict[str, str]:
    """llama.cpp server settings as its LLAMA_ARG_* variables (runtime flags are passed as arguments)."""
    env = {
        "LLAMA_ARG_HOST": "0.0.0.0",
        "LLAMA_ARG_PORT": str(LLAMA_CPP_PORT),
        "LLAMA_ARG_ALIAS": alias,
        ("LLAMA_ARG_HF_REPO" if source == "huggingface" else "LLAMA_ARG_DOCKER_REPO"): pull,
    }
    if context_size is not None:
        env["LLAMA_ARG_CTX_SIZE"] = str(context_size)
    if embeddings:
        env["LLAMA_ARG_EMBEDDINGS"] = "true"
    if gpu:
        env["LLAMA_ARG_N_GPU_LAYERS"] = "999"  # offload every layer
    return dict(sorted(env.items()))


def sagemaker_environment(
    pull: str, source: str, alias: str, context_size: int | None, flags: list[tuple[str, str | None]]
) -> dict[str, str]:
    """AWS's container turns SM_LLAMA_CPP_FOO_BAR=value into --foo-bar value; long flags only."""
    env = {
        "SM_LLAMA_CPP_N_GPU_LAYERS": "999",
        "SM_LLAMA_CPP_ALIAS": alias,
        ("SM_LLAMA_CPP_HF_REPO" if source == "huggingface" else "SM_LLAMA_CPP_DOCKER_REPO"): pull,
    }
    if context_size is not None:
        env["SM_LLAMA_CPP_CTX_SIZE"] = str(context_size)
    for flag, value in flags:
        env["SM_LLAMA_CPP_" + flag.lstrip("-").replace("-", "_").upper()] = "true" if value is None else value
    return dict(sorted(env.items()))
