"""Models on AWS: how each model is served, and the one gateway that serves them all.

Chat models default to a SageMaker endpoint running AWS's llama.cpp container; embedding
models and CPU aliases run llama.cpp's own server on ECS (Fargate, or EC2 GPU capacity). The
gateway, a LiteLLM proxy on ECS, answers at one OpenAI-compatible base URL and routes by the
request's `model` field (the Compose model reference), exactly like Docker Model Runner.
Model servers and the gateway are described as ECS services (`PlannedService`), so they are
realised by the same code as the user's services.
"""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

import yaml
from pydantic import SecretStr

from . import pricing
from .errors import Report
from .files import SSM_STANDARD_MAX, ServiceFile, StoredValue
from .frozen import Frozen
from .names import clean, free_name, shorten
from .placement import Placement, place
from .planned import PlannedService
from .project import ModelSpec, Project
from .runtime import HealthCheck, Runtime, Scaling
from .serving import (
    GATEWAY_CONFIG_PATH,
    GATEWAY_REQUEST_TIMEOUT,
    LLAMA_CPP_HEALTH_PATH,
    LLAMA_CPP_PORT,
    SAGEMAKER_DOWNLOAD_TIMEOUT,
    SAGEMAKER_INFERENCE_AMI,
    SAGEMAKER_STARTUP_TIMEOUT,
    WAKE_LIMIT_SECONDS,
    WAKE_RETRY_SECONDS,
    llama_server_environment,
    refused_flags,
    sagemaker_environment,
    sagemaker_image,
    split_flags,
)
from .settings import StackSettings

# Synthetic Compose networks: bound services <-> gateway, gateway <-> model servers. Nothing else joins them.
MODELS_NETWORK = "compose-cloud-models"
SERVERS_NETWORK = "compose-cloud-model-servers"
# Client networks: their members share no rule among themselves; they only reach the services that
# admit them (the gateway admits model clients on its port, model servers admit the gateway).
CLIENT_NETWORKS = (MODELS_NETWORK, SERVERS_NETWORK)
GATEWAY_CONFIG = "compose-cloud-gateway-config"
GATEWAY_FIXES = "compose-cloud-gateway-litellm-fixes"
GATEWAY_FIXES_PATH = f"{GATEWAY_CONFIG_PATH.rsplit('/', 1)[0]}/compose_cloud_litellm.py"
GATEWAY_FIXES_SOURCE = (resources.files(__package__) / "gateway_files" / "compose_cloud_litellm.py").read_text()
GATEWAY_CPU, GATEWAY_MEMORY = 1024, 2048
# Dev mode (compose-cloud:natGateway false) is for light traffic: the smallest Fargate size LiteLLM runs in
GATEWAY_LIGHT_CPU, GATEWAY_LIGHT_MEMORY = 256, 1024
# LiteLLM fetches a price map from GitHub at start unless told to use its bundled copy; in private
# subnets that fetch waits on the network (litellm_core_utils/get_model_cost_map.py).
GATEWAY_ENVIRONMENT = {"LITELLM_LOCAL_MODEL_COST_MAP": "True"}
# The models (references) whose requests the gateway logs as REQUEST_EVENT lines: they scale to zero
WAKE_MODELS_VARIABLE = "COMPOSE_CLOUD_WAKE_MODELS"
# endpoint name -> inference component: requests to those endpoints name the component (gateway_files/)
COMPONENTS_VARIABLE = "COMPOSE_CLOUD_INFERENCE_COMPONENTS"
# A model server may spend minutes pulling GBs before /health turns 200: 5 min grace, then 10 x 60 s.
SERVER_HEALTH = HealthCheck(
    command=("CMD-SHELL", f"curl -fsS http://localhost:{LLAMA_CPP_PORT}{LLAMA_CPP_HEALTH_PATH} || exit 1"),
    interval=60,
    timeout=10,
    retries=10,
    start_period=300,
)
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
# SageMaker target tracking: invocations per instance per minute before another instance starts.
INVOCATIONS_PER_INSTANCE = 20
# ECS model servers scale on CPU: llama.cpp's server keeps a core busy per sequence it decodes, so
# CPU tracks concurrent requests even when the model runs on the GPU
SERVER_CPU_TARGET = 60


class SageMakerServing(Frozen):
    endpoint_name: str
    image: str
    environment: dict[str, str]
    inference_ami_version: str
    startup_timeout: int
    download_timeout: int
    invocations_per_instance: int  # autoscaling target when min < max
    # cloud.min-instances=0: the model runs as this inference component on an endpoint whose
    # managed instance scaling goes down to zero instances (requests name the component)
    inference_component: str | None = None


class PlannedModel(Frozen):
    key: str
    model: str  # the reference as written: the `model` field clients send
    source: str
    pull: str
    placement: Placement
    context_size: int | None
    runtime_flags: tuple[str, ...]
    tags: dict[str, str]
    bound_by: tuple[str, ...]
    sagemaker: SageMakerServing | None  # backend sagemaker
    server: PlannedService | None  # backend ecs: the llama.cpp server as an ECS service
    hourly_usd: float | None  # estimate; None when the instance type has no price in the table
    served_by: str | None = None  # an identical model (same reference and settings) already deployed


class Route(Frozen):
    """One entry of the gateway's model list."""

    model_name: str
    model_key: str
    target: str  # sagemaker | server
    region: str
    endpoint_name: str | None = None
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


def endpoint_name(project: str, stack: str, key: str) -> str:
    """SageMaker endpoint names: [a-zA-Z0-9-], at most 63, unique per project, stack and model."""
    name = clean(f"{project}-{stack}-{key}")
    return name if len(name) <= 63 else shorten(name, 63, name)


def component_name(endpoint: str) -> str:
    """An inference component's name ([a-zA-Z0-9-], at most 63): its endpoint's, marked."""
    name = f"{endpoint}-ic"
    return name if len(name) <= 63 else shorten(name, 63, name)


def plan_models(
    project: Project, settings: StackSettings, taken: set[str], report: Report, prices: pricing.PriceBook | None = None
) -> tuple[dict[str, PlannedModel], tuple[str, ...]]:
    prices = prices or pricing.PriceBook()
    bound_by: dict[str, list[str]] = {}
    for service in project.services.values():
        for binding in service.bindings:
            bound_by.setdefault(binding.model, []).append(service.name)
    models: dict[str, PlannedModel] = {}
    unbound: list[str] = []
    deployed: dict[tuple, str] = {}  # deployment signature -> the model key that deploys it
    for key, model in project.models.items():
        placement = place(model, settings, report)
        if placement is None:
            continue
        if key not in bound_by and not (placement.deploy_unbound or settings.deploy_unbound_models):
            unbound.append(key)
            report.warn(
                f'model "{key}" is bound by no service and is not deployed',
                f"models.{key}",
                model.loc,
                hint="bind it from a service's `models:`, or add the label cloud.deploy=true to deploy it "
                "anyway (it costs money while it runs)",
            )
            continue
        flags = _flags(model, placement, report)
        if flags is None:
            continue
        _gated_warning(model, placement, settings, report)
        common = dict(
            key=key,
            model=model.model,
            source=model.ref.source,
            pull=model.ref.pull_reference,
            placement=placement,
            context_size=model.context_size,
            runtime_flags=model.runtime_flags,
            tags={k: v for k, v in sorted(model.labels.items()) if not k.startswith("cloud.")},
            bound_by=tuple(sorted(bound_by.get(key, ()))),
        )
        signature = (
            model.model,
            placement.model_copy(update={"deploy_unbound": False}),
            model.context_size,
            model.runtime_flags,
        )
        if signature in deployed:  # Docker Model Runner runs one model per reference: so do we
            models[key] = PlannedModel(
                **common, sagemaker=None, server=None, hourly_usd=0.0, served_by=deployed[signature]
            )
            continue
        deployed[signature] = key
        sagemaker = server = None
        if placement.backend == "sagemaker":
            sagemaker = SageMakerServing(
                endpoint_name=endpoint_name(project.name, settings.stack_name, key),
                inference_component=component_name(endpoint_name(project.name, settings.stack_name, key))
                if placement.scale_to_zero
                else None,
                image=sagemaker_image(placement.region, settings.images),
                environment=sagemaker_environment(
                    model.ref.pull_reference, model.ref.source, model.model, model.context_size, flags
                ),
                inference_ami_version=SAGEMAKER_INFERENCE_AMI,
                startup_timeout=SAGEMAKER_STARTUP_TIMEOUT,
                download_timeout=SAGEMAKER_DOWNLOAD_TIMEOUT,
                invocations_per_instance=INVOCATIONS_PER_INSTANCE,
            )
        else:
            name = free_name(f"model-{key}", taken)
            taken.add(name)
            server = _server(name, model, placement, settings)
        models[key] = PlannedModel(
            **common, sagemaker=sagemaker, server=server, hourly_usd=_model_price(placement, prices)
        )
    _shared_references(models, project, report)
    return models, tuple(unbound)


def _flags(model: ModelSpec, placement: Placement, report: Report) -> list[tuple[str, str | None]] | None:
    path, loc = f"models.{model.key}.runtime_flags", model.key_locs.get("runtime_flags", model.loc)
    try:
        flags = split_flags(model.runtime_flags)
    except ValueError as exc:
        report.error(f"cannot read runtime_flags: {exc}", path, loc, hint='write flags as ["--flag", "value"]')
        return None
    conflicts = refused_flags(flags)
    if conflicts:
        report.error(
            "runtime_flags refused: " + "; ".join(conflicts),
            path,
            loc,
            hint="remove these flags: compose-cloud sets the model, its address and its access itself; "
            "sampling, context and performance flags are allowed",
        )
        return None
    short = [flag for flag, _ in flags if not flag.startswith("--")]
    if placement.backend == "sagemaker" and short:
        report.error(
            f"SageMaker's llama.cpp container takes long flags only, got {', '.join(short)}",
            path,
            loc,
            hint="use the long form, e.g. --ctx-size instead of -c",
        )
        return None
    return flags


def _server(name: str, model: ModelSpec, placement: Placement, settings: StackSettings) -> PlannedService:
    gpu = placement.instance_type != "fargate"
    environment = llama_server_environment(
        model.ref.pull_reference, model.ref.source, model.model, model.context_size, placement.embeddings, gpu
    )
    cpu, memory = (placement.fargate_cpu or 0, placement.fargate_memory or 0) if not gpu else (0, 0)
    scaling = (
        Scaling(
            minimum=placement.min_instances,
            maximum=placement.max_instances,
            metric="cpu",
            target=SERVER_CPU_TARGET,
            idle_minutes=placement.idle_minutes if placement.scale_to_zero else None,
        )
        if placement.min_instances != placement.max_instances
        else None
    )
    runtime = _runtime(
        cpu=cpu,
        memory=memory,
        replicas=placement.instance_count,
        gpus=placement.gpus,
        capacity=placement.instance_type if gpu else "fargate",
        healthcheck=SERVER_HEALTH,
        scaling=scaling,
    )
    server = synthetic_service(
        name,
        settings.images.llama_cpp_cuda if gpu else settings.images.llama_cpp_cpu,
        command=model.runtime_flags or None,
        environment=environment,
        port=LLAMA_CPP_PORT,
        networks=(),
        admits=((SERVERS_NETWORK, LLAMA_CPP_PORT),),
        runtime=runtime,
    )
    if settings.hf_token_secret:  # llama.cpp reads HF_TOKEN for gated Hugging Face repositories
        server = server.model_copy(update={"secret_refs": {"HF_TOKEN": settings.hf_token_secret}})
    return server


def _gated_warning(model: ModelSpec, placement: Placement, settings: StackSettings, report: Report) -> None:
    """Gated Hugging Face repositories need a token; SageMaker's container could only take it in plain text."""
    if model.ref.source != "huggingface":
        return
    path, loc = f"models.{model.key}.model", model.key_locs.get("model", model.loc)
    if placement.backend == "sagemaker":
        report.warn(
            f"{model.model} runs on SageMaker, whose container takes a Hugging Face token only as a plain "
            "environment variable, so none is given: if the repository is gated, its download fails",
            path,
            loc,
            hint="for a gated model add the label cloud.backend=ecs and set "
            "compose-cloud:hfTokenSecret (the token then reaches the server as an ECS secret)",
        )
    elif not settings.hf_token_secret:
        report.warn(
            f"no Hugging Face token is configured: if {model.model} is a gated repository, its download fails",
            path,
            loc,
            hint="store a token in Secrets Manager and set compose-cloud:hfTokenSecret to its name or ARN",
        )


def _runtime(**values) -> Runtime:
    defaults = dict(
        memory_reservation=None,
        architecture="X86_64",
        user=None,
        working_dir=None,
        init=False,
        read_only=False,
        stop_timeout=None,
        ulimits=(),
        tmpfs=(),
        cap_drop=(),
    )
    return Runtime(**{**defaults, **values})


def synthetic_service(
    name: str,
    image: str,
    *,
    command,
    environment: dict[str, str],
    port: int,
    networks: tuple[str, ...],
    runtime: Runtime,
    files: tuple[ServiceFile, ...] = (),
    file_dirs: tuple[str, ...] = (),
    admits: tuple[tuple[str, int], ...] = (),
) -> PlannedService:
    return PlannedService(
        name=name,
        image=image,
        build=None,
        command=tuple(command) if command else None,
        entrypoint=None,
        environment=environment,
        secret_environment={},
        models={},
        container_ports=((port, "tcp"),),
        listeners=(),
        app_protocols={port: "http"},  # llama.cpp's server and LiteLLM speak HTTP
        depends_on={},
        files=files,
        file_dirs=file_dirs,
        mounts=(),
        networks=networks,
        admits=admits,
        labels={},
        runtime=runtime,
    )


def _model_price(placement: Placement, prices: pricing.PriceBook) -> float | None:
    table = prices.region(placement.region)
    if placement.instance_type == "fargate":
        return pricing.fargate(
            table, placement.fargate_cpu or 0, placement.fargate_memory or 0, placement.instance_count
        )
    return pricing.instance(table, placement.backend, placement.instance_type, placement.instance_count)


def _shared_references(models: dict[str, PlannedModel], project: Project, report: Report) -> None:
    """Same reference, different settings: two deployments the gateway cannot tell apart."""
    by_reference: dict[str, list[str]] = {}
    for key, model in models.items():
        if model.served_by is None:
            by_reference.setdefault(model.model, []).append(key)
    for reference, keys in by_reference.items():
        if len(keys) > 1:
            spec = project.models[keys[1]]
            report.warn(
                f"models {', '.join(keys)} have the same reference {reference} but different settings: "
                "the gateway knows models by reference, so it balances requests across their deployments",
                f"models.{keys[1]}",
                spec.loc,
                hint="give them the same settings (one deployment), or different references",
            )


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
        if model.sagemaker:
            routes.append(
                Route(
                    model_name=model.model,
                    model_key=key,
                    target="sagemaker",
                    region=model.placement.region,
                    endpoint_name=model.sagemaker.endpoint_name,
                    inference_component=model.sagemaker.inference_component,
                    wakes=model.placement.scale_to_zero,
                )
            )
        else:
            routes.append(
                Route(
                    model_name=model.model,
                    model_key=key,
                    target="server",
                    region=model.placement.region,
                    api_base=f"http://{model.server.name if model.server else key}:{LLAMA_CPP_PORT}/v1",
                    wakes=model.placement.scale_to_zero,
                )
            )
    # the module beside the config fixes LiteLLM's SageMaker route and logs requests for waking models
    patched = any(route.target == "sagemaker" or route.wakes for route in routes)
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
    runtime = _runtime(cpu=cpu, memory=memory, replicas=1, gpus=0, capacity="fargate", healthcheck=health)
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


def _gateway_environment(routes: list[Route]) -> dict[str, str]:
    environment = dict(GATEWAY_ENVIRONMENT)
    waking = sorted(r.model_name for r in routes if r.wakes)
    if waking:
        environment[WAKE_MODELS_VARIABLE] = json.dumps(waking)
    components = {r.endpoint_name: r.inference_component for r in routes if r.inference_component}
    if components:
        environment[COMPONENTS_VARIABLE] = json.dumps(components, sort_keys=True)
    return environment


def gateway_config(routes: list[Route], patched: bool = False) -> str:
    """LiteLLM proxy configuration: one model_list entry per route; same model_name -> load balanced."""
    model_list = []
    for route in routes:
        params: dict[str, Any]
        if route.target == "sagemaker":
            params = {"model": f"sagemaker_chat/{route.endpoint_name}", "aws_region_name": route.region}
        else:
            params = {"model": f"openai/{route.model_name}", "api_base": route.api_base, "api_key": "none"}
        if route.wakes:  # held while the model starts: retried every WAKE_RETRY_SECONDS up to the limit
            params["num_retries"] = WAKE_LIMIT_SECONDS // WAKE_RETRY_SECONDS
        model_list.append({"model_name": route.model_name, "litellm_params": params})
    settings: dict = {"request_timeout": GATEWAY_REQUEST_TIMEOUT, "drop_params": True}
    waking = sorted({r.model_name for r in routes if r.wakes})
    if patched:  # the proxy imports the module beside its config: that applies the fixes
        settings["callbacks"] = [f"{GATEWAY_FIXES_PATH.rsplit('/', 1)[1].removesuffix('.py')}.handler"]
    document: dict = {"model_list": model_list, "litellm_settings": settings}
    if waking:
        # a sleeping model answers 503 (ECS: no task behind Service Connect) or 400 (SageMaker: "no
        # capacity"): both are retried for waking models only, with a fixed pause between tries
        retries = WAKE_LIMIT_SECONDS // WAKE_RETRY_SECONDS
        document["router_settings"] = {
            "retry_after": WAKE_RETRY_SECONDS,
            "model_group_retry_policy": {
                name: {
                    "BadRequestErrorRetries": retries,
                    "ServiceUnavailableErrorRetries": retries,
                    "InternalServerErrorRetries": retries,
                    "TimeoutErrorRetries": retries,
                }
                for name in waking
            },
        }
    return yaml.dump(
        document, Dumper=getattr(yaml, "CSafeDumper", yaml.SafeDumper), sort_keys=True, default_flow_style=False
    )
