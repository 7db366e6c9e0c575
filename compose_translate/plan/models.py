"""Models on AWS: where and how each model is served.

Chat models default to a SageMaker endpoint running AWS's llama.cpp container; embedding
models and CPU aliases run llama.cpp's own server on ECS (Fargate, or EC2 GPU capacity),
described as an ECS service (`PlannedService`) so it is realised by the same code as the
user's services. The gateway in front of them all is `gateway.py`.
"""

from __future__ import annotations

from typing import Any

from compose_translate.errors import Report
from compose_translate.frozen import Frozen
from compose_translate.names import clean, free_name, shorten
from compose_translate.normalize.project import ModelSpec, Project
from compose_translate.plan import pricing
from compose_translate.plan.flags import read_flags
from compose_translate.plan.health import HealthCheck
from compose_translate.plan.on_bedrock import BedrockServing, plan_bedrock
from compose_translate.plan.placement import Placement, place
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.scaling import Scaling
from compose_translate.plan.synthetic import SERVERS_NETWORK, synthetic_runtime, synthetic_service
from compose_translate.serving import (
    LLAMA_CPP_HEALTH_PATH,
    LLAMA_CPP_PORT,
    SAGEMAKER_DOWNLOAD_TIMEOUT,
    SAGEMAKER_INFERENCE_AMI,
    SAGEMAKER_STARTUP_TIMEOUT,
    llama_server_environment,
    refused_flags,
    sagemaker_environment,
    sagemaker_image,
)
from compose_translate.settings import StackSettings

# A model server may spend minutes pulling GBs before /health turns 200: 5 min grace, then 10 x 60 s.
SERVER_HEALTH = HealthCheck(
    command=("CMD-SHELL", f"curl -fsS http://localhost:{LLAMA_CPP_PORT}{LLAMA_CPP_HEALTH_PATH} || exit 1"),
    interval=60,
    timeout=10,
    retries=10,
    start_period=300,
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
    bedrock: BedrockServing | None = None  # backend bedrock: the model ID the gateway calls
    hourly_usd: float | None  # estimate; None when the instance type has no price in the table
    served_by: str | None = None  # an identical model (same reference and settings) already deployed


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
    """Every bound model placed (backend, region, instance) from its labels and the stack's defaults, with its
    server, and the unbound ones named."""
    prices = prices or pricing.PriceBook()
    bound_by: dict[str, list[str]] = {}
    for service in project.services.values():
        for binding in service.bindings:
            bound_by.setdefault(binding.model, []).append(service.name)
    models: dict[str, PlannedModel] = {}
    unbound: list[str] = []
    deployed: dict[tuple[Any, ...], str] = {}  # deployment signature -> the model key that deploys it
    for key, model in project.models.items():
        placement = place(model, settings, report)
        if placement is None:
            continue
        if key not in bound_by and not (placement.deploy_unbound or settings.deploy_unbound_models):
            unbound.append(key)
            report.warn(
                f'model "{key}" is bound by no service and is not deployed',
                model.where(),
                hint="bind it from a service's `models:`, or add the label cloud.deploy=true to deploy it "
                "anyway (it costs money while it runs)",
            )
            continue
        on_bedrock = plan_bedrock(model, placement, report) if placement.backend == "bedrock" else None
        flags = _flags(model, placement, report) if placement.backend != "bedrock" else []
        if flags is None or (placement.backend == "bedrock" and on_bedrock is None):
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
            on_bedrock.model_dump_json() if on_bedrock else None,
        )
        if signature in deployed:  # Docker Model Runner runs one model per reference: so do we
            models[key] = PlannedModel(
                **common, sagemaker=None, server=None, hourly_usd=0.0, served_by=deployed[signature]
            )
            continue
        deployed[signature] = key
        if on_bedrock is not None:
            models[key] = PlannedModel(
                **common, sagemaker=None, server=None, bedrock=on_bedrock, hourly_usd=on_bedrock.hourly_usd
            )
            continue
        sagemaker, server = _hosted(key, model, placement, flags, project.name, settings, taken)
        models[key] = PlannedModel(
            **common, sagemaker=sagemaker, server=server, hourly_usd=_model_price(placement, prices)
        )
    _shared_references(models, project, report)
    return models, tuple(unbound)


def _hosted(
    key: str,
    model: ModelSpec,
    placement: Placement,
    flags: list[tuple[str, str | None]],
    project: str,
    settings: StackSettings,
    taken: set[str],
) -> tuple[SageMakerServing | None, PlannedService | None]:
    """A model on hardware of the stack's: a SageMaker endpoint, or a llama.cpp server on ECS (named in `taken`)."""
    if placement.backend == "sagemaker":
        endpoint = endpoint_name(project, settings.stack_name, key)
        return SageMakerServing(
            endpoint_name=endpoint,
            inference_component=component_name(endpoint) if placement.scale_to_zero else None,
            image=sagemaker_image(placement.region, settings.images),
            environment=sagemaker_environment(
                model.ref.pull_reference, model.ref.source, model.model, model.context_size, flags
            ),
            inference_ami_version=SAGEMAKER_INFERENCE_AMI,
            startup_timeout=SAGEMAKER_STARTUP_TIMEOUT,
            download_timeout=SAGEMAKER_DOWNLOAD_TIMEOUT,
            invocations_per_instance=INVOCATIONS_PER_INSTANCE,
        ), None
    name = free_name(f"model-{key}", taken)
    taken.add(name)
    return None, _server(name, model, placement, settings)


def _flags(model: ModelSpec, placement: Placement, report: Report) -> list[tuple[str, str | None]] | None:
    where = model.where("runtime_flags")
    flags = read_flags(model, report)
    if flags is None:
        return None
    conflicts = refused_flags(flags)
    if conflicts:
        report.error(
            "runtime_flags refused: " + "; ".join(conflicts),
            where,
            hint="remove these flags: compose-cloud sets the model, its address and its access itself; "
            "sampling, context and performance flags are allowed",
        )
        return None
    short = [flag for flag, _ in flags if not flag.startswith("--")]
    if placement.backend == "sagemaker" and short:
        report.error(
            f"SageMaker's llama.cpp container takes long flags only, got {', '.join(short)}",
            where,
            hint="use the long form, e.g. --ctx-size instead of -c",
        )
        return None
    return flags


def _server(name: str, model: ModelSpec, placement: Placement, settings: StackSettings) -> PlannedService:
    """A model's llama.cpp server as an ECS service on its GPU (or Fargate) capacity, with its scaling and health
    check."""
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
    runtime = synthetic_runtime(
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
    if model.ref.source != "huggingface" or placement.backend == "bedrock":
        return
    where = model.where("model")
    if placement.backend == "sagemaker":
        report.warn(
            f"{model.model} runs on SageMaker, whose container takes a Hugging Face token only as a plain "
            "environment variable, so none is given: if the repository is gated, its download fails",
            where,
            hint="for a gated model add the label cloud.backend=ecs and set "
            "compose-cloud:hfTokenSecret (the token then reaches the server as an ECS secret)",
        )
    elif not settings.hf_token_secret:
        report.warn(
            f"no Hugging Face token is configured: if {model.model} is a gated repository, its download fails",
            where,
            hint="store a token in Secrets Manager and set compose-cloud:hfTokenSecret to its name or ARN",
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
                spec.where(),
                hint="give them the same settings (one deployment), or different references",
            )
