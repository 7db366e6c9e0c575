"""The gateway: one OpenAI-compatible URL for the stack (a LiteLLM proxy on ECS), routing by the
request's `model` field as Docker Model Runner does."""

from __future__ import annotations

import json
from functools import partial
from importlib import resources
from typing import Any

import yaml
from pydantic import SecretStr

from compose_translate.frozen import Frozen
from compose_translate.plan.files import SSM_STANDARD_MAX, ServiceFile, StoredValue
from compose_translate.plan.health import HealthCheck
from compose_translate.plan.models import PlannedModel
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.synthetic import MODELS_NETWORK, SERVERS_NETWORK, synthetic_runtime, synthetic_service
from compose_translate.serving import (
    GATEWAY_CONFIG_PATH,
    GATEWAY_REQUEST_TIMEOUT,
    LLAMA_CPP_PORT,
    WAKE_LIMIT_SECONDS,
    WAKE_RETRY_SECONDS,
)
from compose_translate.settings import StackSettings

GATEWAY_CONFIG = "compose-cloud-gateway-config"


GATEWAY_FIXES = "compose-cloud-gateway-litellm-fixes"


GATEWAY_FIXES_PATH = f"{GATEWAY_CONFIG_PATH.rsplit('/', 1)[0]}/compose_cloud_litellm.py"


GATEWAY_FIXES_SOURCE = (resources.files("compose_translate") / "gateway_files" / "compose_cloud_litellm.py").read_text()


GATEWAY_CPU, GATEWAY_MEMORY = 1024, 2048


# Dev mode (compose-cloud:natGateway false) is for light traffic: the smallest Fargate size LiteLLM runs in
GATEWAY_LIGHT_CPU, GATEWAY_LIGHT_MEMORY = 256, 1024


# LiteLLM fetches a price map from GitHub at start unless told to use its bundled copy; in private
# subnets that fetch waits on the network (litellm_core_utils/get_model_cost_map.py).
# The OpenAI client inside LiteLLM retries twice on every attempt unless told otherwise, and LiteLLM's
# embeddings path turns a `max_retries: 0` into that default (`max_retries or DEFAULT_MAX_RETRIES`,
# litellm/llms/openai/openai.py, 1.102.1): the default itself is set to 0, so retries are the router's alone.
GATEWAY_ENVIRONMENT = {"LITELLM_LOCAL_MODEL_COST_MAP": "True", "DEFAULT_MAX_RETRIES": "0"}


# The models (references) whose requests the gateway logs as REQUEST_EVENT lines: they scale to zero
WAKE_MODELS_VARIABLE = "COMPOSE_CLOUD_WAKE_MODELS"


# endpoint name -> inference component: requests to those endpoints name the component (gateway_files/)
COMPONENTS_VARIABLE = "COMPOSE_CLOUD_INFERENCE_COMPONENTS"


# model name -> its Bedrock model ID and Region: a refused request's log line names them (gateway_files/)
BEDROCK_VARIABLE = "COMPOSE_CLOUD_BEDROCK_MODELS"


GATEWAY_HEALTH = HealthCheck(
    command=(
        "CMD-SHELL",
        'python3 -c "import urllib.request,sys; urllib.request.urlopen('
        "'http://localhost:{port}/health/liveliness')\" || exit 1",
    ),
    interval=30,
    timeout=10,
    retries=3,
    start_period=60,
)


class Route(Frozen):
    """One entry of the gateway's model list."""

    model_name: str
    model_key: str
    target: str  # sagemaker | server | bedrock
    region: str
    endpoint_name: str | None = None
    bedrock_model: str | None = None  # a model ID or cross-Region inference profile ID
    embeddings: bool = False
    defaults: dict[str, float] = {}  # request defaults (Bedrock: from the model's runtime_flags)
    inference_component: str | None = None
    api_base: str | None = None
    wakes: bool = False  # scales to zero: the gateway holds requests while it starts


class Gateway(Frozen):
    """The stack's one OpenAI-compatible endpoint; routes by the request's `model` field."""

    name: str
    port: int
    url: str
    routes: tuple[Route, ...] = ()
    service: PlannedService | None = None


def plan_gateway(
    name: str,
    port: int,
    models: dict[str, PlannedModel],
    settings: StackSettings,
) -> tuple[Gateway, tuple[StoredValue, ...]]:
    """The gateway's routes, its ECS service, and the files it reads: its generated configuration
    and, when it routes to SageMaker, compose-cloud's fixes to LiteLLM (gateway_files/)."""
    routes = []
    for key, model in models.items():
        if model.served_by:
            continue
        # what every route of the model says; the target says how it is reached
        make_route = partial(
            Route,
            model_name=model.model,
            model_key=key,
            region=model.placement.region,
            wakes=model.placement.scale_to_zero,
        )
        if model.bedrock:
            routes.append(
                make_route(
                    target="bedrock",
                    bedrock_model=model.bedrock.model_id,
                    embeddings=model.bedrock.embeddings,
                    defaults=model.bedrock.defaults,
                )
            )
        elif model.sagemaker:
            routes.append(
                make_route(
                    target="sagemaker",
                    endpoint_name=model.sagemaker.endpoint_name,
                    inference_component=model.sagemaker.inference_component,
                )
            )
        else:
            server = model.server.name if model.server else key
            routes.append(make_route(target="server", api_base=f"http://{server}:{LLAMA_CPP_PORT}/v1"))
    # the module beside the config fixes LiteLLM's SageMaker route, logs requests for waking models and says
    # which Bedrock model refused access
    patched = any(route.target in ("sagemaker", "bedrock") or route.wakes for route in routes)
    texts = {GATEWAY_CONFIG: gateway_config(routes, patched)}
    if patched:
        texts[GATEWAY_FIXES] = GATEWAY_FIXES_SOURCE
    stored = tuple(
        StoredValue(
            name=key,
            kind="config",
            source="content",
            external_name=None,
            store="ssm" if len(text.encode()) <= SSM_STANDARD_MAX else "ssm-advanced",
            value=SecretStr(text),
            used_by=(name,),
        )
        for key, text in texts.items()
    )
    targets = {GATEWAY_CONFIG: GATEWAY_CONFIG_PATH, GATEWAY_FIXES: GATEWAY_FIXES_PATH}
    health = GATEWAY_HEALTH.model_copy(
        update={"command": tuple(c.replace("{port}", str(port)) for c in GATEWAY_HEALTH.command)}
    )
    cpu, memory = (GATEWAY_CPU, GATEWAY_MEMORY) if settings.nat_gateway else (GATEWAY_LIGHT_CPU, GATEWAY_LIGHT_MEMORY)
    runtime = synthetic_runtime(cpu=cpu, memory=memory, replicas=1, gpus=0, capacity="fargate", healthcheck=health)
    service = synthetic_service(
        name,
        settings.images.gateway,
        command=("--config", GATEWAY_CONFIG_PATH, "--port", str(port)),
        environment=_gateway_environment(routes),
        port=port,
        networks=(SERVERS_NETWORK,) if any(m.server for m in models.values()) else (),
        admits=((MODELS_NETWORK, port),),
        runtime=runtime,
        files=tuple(
            ServiceFile(kind="config", source=key, target=targets[key], uid=None, gid=None, mode=None) for key in texts
        ),
        file_dirs=(GATEWAY_CONFIG_PATH.rsplit("/", 1)[0],),
    )
    gateway = Gateway(name=name, port=port, url=f"http://{name}:{port}/v1/", routes=tuple(routes), service=service)
    return gateway, stored


# LiteLLM's pause before a retry is min(max(0.5 s x 2^n, retry_after), MAX_RETRY_DELAY) + up to JITTER
# (litellm/utils.py `_calculate_retry_after`, constants read from the environment in litellm/constants.py;
# defaults 8 s and 0.75 s). Capped at 8 s, our 10 s never applied and the hold was 90 x ~8.4 s: the cap
# is set to the pause and the jitter to none, so the pause is exactly WAKE_RETRY_SECONDS.
WAKE_PAUSE_ENVIRONMENT = {"MAX_RETRY_DELAY": str(WAKE_RETRY_SECONDS), "JITTER": "0"}


def _gateway_environment(routes: list[Route]) -> dict[str, str]:
    environment = dict(GATEWAY_ENVIRONMENT)
    waking = sorted(r.model_name for r in routes if r.wakes)
    if waking:
        environment[WAKE_MODELS_VARIABLE] = json.dumps(waking)
        environment.update(WAKE_PAUSE_ENVIRONMENT)
    components = {r.endpoint_name: r.inference_component for r in routes if r.inference_component}
    if components:
        environment[COMPONENTS_VARIABLE] = json.dumps(components, sort_keys=True)
    on_bedrock = {r.model_name: {"id": r.bedrock_model, "region": r.region} for r in routes if r.bedrock_model}
    if on_bedrock:
        environment[BEDROCK_VARIABLE] = json.dumps(on_bedrock, sort_keys=True)
    return environment


# LiteLLM's router pauses after the first failure and after every failed retry, the last one included
# (router.py `async_function_with_retries`): R retries hold a request R + 1 pauses. The budget is the
# pause times that: WAKE_LIMIT_SECONDS exactly, in WAKE_LIMIT_SECONDS / WAKE_RETRY_SECONDS attempts.
WAKE_RETRIES = WAKE_LIMIT_SECONDS // WAKE_RETRY_SECONDS - 1


def gateway_config(routes: list[Route], patched: bool = False) -> str:
    """LiteLLM proxy configuration: one model_list entry per route; same model_name -> load balanced."""
    model_list = []
    for route in routes:
        params: dict[str, Any]
        if route.target == "sagemaker":
            params = {"model": f"sagemaker_chat/{route.endpoint_name}", "aws_region_name": route.region}
        elif route.target == "bedrock":
            # Converse (chat, streaming, tool calls) for chat models; embeddings through InvokeModel
            route_name = "bedrock/" if route.embeddings else "bedrock/converse/"
            params = {"model": f"{route_name}{route.bedrock_model}", "aws_region_name": route.region}
            params.update(route.defaults)
        else:
            params = {"model": f"openai/{route.model_name}", "api_base": route.api_base, "api_key": "none"}
            params["max_retries"] = 0  # the OpenAI client's own retries (2 by default) on every attempt
        # held while the model starts: retried every WAKE_RETRY_SECONDS up to the limit; a model that
        # never scales to zero is not held when it is down (retry_after is the whole router's pause)
        params["num_retries"] = WAKE_RETRIES if route.wakes else 0
        model_list.append({"model_name": route.model_name, "litellm_params": params})
    settings: dict[str, Any] = {"request_timeout": GATEWAY_REQUEST_TIMEOUT, "drop_params": True}
    waking = sorted({r.model_name for r in routes if r.wakes})
    if patched:  # the proxy imports the module beside its config: that applies the fixes
        settings["callbacks"] = [f"{GATEWAY_FIXES_PATH.rsplit('/', 1)[1].removesuffix('.py')}.handler"]
    document: dict[str, Any] = {"model_list": model_list, "litellm_settings": settings}
    if waking:
        # a sleeping model answers 503 (ECS: no task behind Service Connect) or 400 (SageMaker: "no
        # capacity"): both are retried for waking models only, with a fixed pause between tries
        retries = WAKE_RETRIES
        document["router_settings"] = {
            "retry_after": WAKE_RETRY_SECONDS,
            "model_group_retry_policy": {
                name: {
                    "BadRequestErrorRetries": retries,
                    "ServiceUnavailableErrorRetries": retries,
                    "InternalServerErrorRetries": retries,
                    # a sleeping model answers at once; what times out or refuses is not asleep
                    "TimeoutErrorRetries": 0,
                    "RateLimitErrorRetries": 0,
                    "AuthenticationErrorRetries": 0,
                    "ContentPolicyViolationErrorRetries": 0,
                }
                for name in waking
            },
        }
    return yaml.dump(
        document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=True, default_flow_style=False
    )
