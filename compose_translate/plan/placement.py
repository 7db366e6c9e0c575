"""Where and on what each model runs: the `cloud.*` labels resolved against stack defaults.

All placement rules live here so they can be tested without Pulumi. An embedding
model never goes to SageMaker: AWS's llama.cpp container there serves chat
completions only.
"""

from __future__ import annotations

from typing import Any, Callable

from pydantic import BaseModel, ConfigDict

from compose_translate.errors import Report, did_you_mean
from compose_translate.instances import (
    ALIASES,
    ec2_instance_types,
    gpu_count,
    is_gpu_ec2_type,
    regions_for,
    sagemaker_instance_types,
)
from compose_translate.normalize.project import ModelSpec
from compose_translate.settings import StackSettings
from compose_translate.values import parse_bool

LABELS = {
    "cloud.instance-type": "hardware: an alias (gpu-small, gpu-medium, gpu-large, cpu-small, cpu-medium), "
    "an ml.* type (SageMaker) or an EC2 type (ECS)",
    "cloud.region": "the AWS region the model runs in (default: the stack's aws:region)",
    "cloud.backend": "sagemaker (default for chat models), ecs, or bedrock (paid per token, no GPU quota; "
    "only models AWS serves: see docs/backends.md)",
    "cloud.bedrock-model": "a Bedrock model ID or cross-Region inference profile ID (e.g. "
    "us.meta.llama3-3-70b-instruct-v1:0); implies cloud.backend=bedrock",
    "cloud.expected-tokens-per-hour": "with Bedrock: INPUT/OUTPUT tokens per hour (e.g. 900000/100000), "
    "which turns its per-token prices into an hourly estimate",
    "cloud.instance-count": "instances (SageMaker) or tasks (ECS) to start with (default 1)",
    "cloud.min-instances": "autoscaling lower bound (default: the instance count); 0 scales the model to zero "
    "while nobody calls it",
    "cloud.idle-minutes": "with cloud.min-instances=0: minutes without a request before the model scales to zero "
    "(default 15)",
    "cloud.max-instances": "autoscaling upper bound (default: the instance count; equal bounds: no autoscaling)",
    "cloud.embeddings": "true/false: serve an embeddings API (default: guessed from the model name and flags)",
    "cloud.deploy": "true: deploy the model even when no service binds it",
}
_EMBEDDING_FLAGS = ("--embedding", "--embeddings")
BACKENDS = ("sagemaker", "ecs", "bedrock")
# Hardware and scaling labels: Bedrock chooses its own hardware and bills per token, idle or not.
_HARDWARE_LABELS = (
    "cloud.instance-type",
    "cloud.instance-count",
    "cloud.min-instances",
    "cloud.max-instances",
    "cloud.idle-minutes",
)
BEDROCK_ONLY_LABELS = ("cloud.bedrock-model", "cloud.expected-tokens-per-hour")
DEFAULT_IDLE_MINUTES = 15
MAX_IDLE_MINUTES = 24 * 60


class Placement(BaseModel):
    model_config = ConfigDict(frozen=True)

    backend: str  # sagemaker | ecs | bedrock
    instance_type: str  # ml.* / EC2 type, "fargate", or "bedrock" (no hardware of ours)
    alias: str | None
    region: str
    embeddings: bool
    gpus: int  # per instance; 0 on Fargate
    fargate_cpu: int | None
    fargate_memory: int | None
    instance_count: int
    min_instances: int
    max_instances: int
    deploy_unbound: bool
    idle_minutes: int = DEFAULT_IDLE_MINUTES  # with min_instances 0: idle time before scaling to zero

    @property
    def scale_to_zero(self) -> bool:
        """Whether the model sleeps when idle and wakes on a request."""
        return self.min_instances == 0


# reports one problem with one `cloud.*` label: (label, message, hint)
LabelError = Callable[..., None]


def place(model: ModelSpec, settings: StackSettings, report: Report) -> Placement | None:
    """Resolve one model's placement; problems go to `report` and None is returned."""
    errors_before = len(report.errors)

    def label_error(name: str, message: str, hint: str = "") -> None:
        report.error(message, model.label(name), hint=hint)

    for name in model.labels:
        if name.startswith("cloud.") and name not in LABELS:
            label_error(
                name, f'unknown label "{name}"', did_you_mean(name, LABELS) or "cloud labels: " + ", ".join(LABELS)
            )

    embeddings = _embeddings(model, label_error)
    backend_label = model.labels.get("cloud.backend")
    if backend_label is not None and backend_label not in BACKENDS:
        label_error(
            "cloud.backend",
            f'unknown backend "{backend_label}"',
            did_you_mean(backend_label, BACKENDS) or "use " + ", ".join(BACKENDS),
        )
        backend_label = None
    if backend_label == "bedrock" or (backend_label is None and "cloud.bedrock-model" in model.labels):
        return _bedrock(model, settings, embeddings, report, label_error, errors_before)
    for name in BEDROCK_ONLY_LABELS:
        if name in model.labels:
            label_error(name, f"{name} applies only to Bedrock models", "add cloud.backend=bedrock, or drop the label")
    default_type = settings.embedding_instance_type if embeddings else settings.default_instance_type
    written = model.labels.get("cloud.instance-type") or default_type
    resolved = _instance(written, backend_label, embeddings, settings, label_error)
    region = model.labels.get("cloud.region") or settings.region
    counts = _counts(model, label_error)
    deploy = _bool_label(model, "cloud.deploy", label_error) or False
    if resolved is None or len(report.errors) > errors_before:
        return None
    backend, instance_type, alias = resolved
    service = "sagemaker" if backend == "sagemaker" else "ecs"
    if region not in regions_for(service):
        label_error(
            "cloud.region",
            f'"{region}" is not an AWS region where {service} is offered',
            did_you_mean(region, regions_for(service)),
        )
        return None
    if backend == "ecs" and region != settings.region:
        label_error(
            "cloud.region",
            f"an ecs-backed model must run in the stack's region ({settings.region}), not {region}",
            "use cloud.backend=sagemaker for a model in another region, or drop the label",
        )
        return None
    if backend == "ecs" and instance_type != "fargate" and not is_gpu_ec2_type(instance_type):
        report.warn(
            f"{instance_type} has no GPU: llama.cpp will run on its CPUs, which is slow for chat models",
            model.label("cloud.instance-type"),
            hint="use gpu-small or a g5/g6/g6e type, or cpu-small/cpu-medium for Fargate",
        )
    spec = ALIASES.get(alias) if alias else None
    return Placement(
        backend=backend,
        instance_type=instance_type,
        alias=alias,
        region=region,
        embeddings=embeddings,
        gpus=spec.gpus if spec else gpu_count(instance_type),
        fargate_cpu=spec.fargate_cpu if spec else None,
        fargate_memory=spec.fargate_memory if spec else None,
        deploy_unbound=deploy,
        **counts,
    )


def _bedrock(
    model: ModelSpec,
    settings: StackSettings,
    embeddings: bool,
    report: Report,
    label_error: LabelError,
    errors_before: int,
) -> Placement | None:
    """A Bedrock model: no hardware, no instances; the Region is where the gateway calls it from."""
    for name in _HARDWARE_LABELS:
        if name in model.labels:
            label_error(
                name,
                f"{name} does not apply to a Bedrock model: Bedrock chooses its own hardware and bills per token "
                "(nothing while idle)",
                "remove the label, or choose cloud.backend=sagemaker or ecs to pick hardware",
            )
    deploy = _bool_label(model, "cloud.deploy", label_error) or False
    region = model.labels.get("cloud.region") or settings.region
    if region not in regions_for("bedrock"):
        label_error(
            "cloud.region",
            f'"{region}" is not an AWS region where Bedrock is offered',
            did_you_mean(region, regions_for("bedrock")),
        )
    if len(report.errors) > errors_before:
        return None
    return Placement(
        backend="bedrock",
        instance_type="bedrock",
        alias=None,
        region=region,
        embeddings=embeddings,
        gpus=0,
        fargate_cpu=None,
        fargate_memory=None,
        instance_count=1,
        min_instances=1,
        max_instances=1,
        deploy_unbound=deploy,
    )


def _embeddings(model: ModelSpec, label_error: LabelError) -> bool:
    explicit = _bool_label(model, "cloud.embeddings", label_error)
    if explicit is not None:
        return explicit
    flagged = any(flag.split("=", 1)[0] in _EMBEDDING_FLAGS for flag in model.runtime_flags)
    return flagged or model.ref.looks_like_embedding


def _bool_label(model: ModelSpec, name: str, label_error: LabelError) -> bool | None:
    if name not in model.labels:
        return None
    try:
        return parse_bool(model.labels[name])
    except ValueError:
        label_error(name, f'{name} must be true or false, got "{model.labels[name]}"')
        return None


def _instance(
    written: str, backend: str | None, embeddings: bool, settings: StackSettings, label_error: LabelError
) -> tuple[str, str, str | None] | None:
    """-> (backend, instance type, alias)."""
    label = "cloud.instance-type"
    no_sagemaker = "AWS's SageMaker llama.cpp container serves chat completions only, so embedding models run on ECS"
    if embeddings and backend == "sagemaker":
        label_error(
            "cloud.backend",
            "an embedding model cannot be served by SageMaker",
            no_sagemaker + ": drop cloud.backend=sagemaker",
        )
        return None
    if written in ALIASES:
        alias = ALIASES[written]
        if alias.sagemaker is None:
            if backend == "sagemaker":
                label_error(
                    "cloud.backend",
                    f"{written} runs on Fargate (no GPU); SageMaker needs a GPU alias",
                    "use cloud.instance-type=gpu-small, or drop cloud.backend",
                )
                return None
            return "ecs", "fargate", written
        chosen = backend or ("ecs" if embeddings else settings.default_backend)
        instance_type = alias.sagemaker if chosen == "sagemaker" else alias.ec2
        assert instance_type is not None  # a GPU alias has both
        return chosen, instance_type, written
    if written.startswith("ml."):
        if written not in sagemaker_instance_types():
            label_error(
                label,
                f'"{written}" is not a SageMaker endpoint instance type',
                did_you_mean(written, sagemaker_instance_types()),
            )
            return None
        if backend == "ecs":
            label_error(
                "cloud.backend",
                f"{written} is a SageMaker type but cloud.backend is ecs",
                f"use the EC2 type {written[3:]} for ecs, or drop cloud.backend",
            )
            return None
        if embeddings:
            label_error(
                label,
                "an embedding model cannot be served by SageMaker",
                no_sagemaker + f": use {written[3:]} (ECS on GPU) or cpu-small (Fargate)",
            )
            return None
        return "sagemaker", written, None
    if written not in ec2_instance_types():
        choices = set(ALIASES) | ec2_instance_types()
        label_error(
            label,
            f'unknown instance type "{written}"',
            did_you_mean(written, choices) or "use an alias (" + ", ".join(ALIASES) + "), an ml.* type or an EC2 type",
        )
        return None
    if backend == "sagemaker":
        hint = f"use ml.{written}" if f"ml.{written}" in sagemaker_instance_types() else "use an ml.* type"
        label_error("cloud.backend", f"{written} is an EC2 type; SageMaker needs an ml.* type", hint)
        return None
    return "ecs", written, None


def _counts(model: ModelSpec, label_error: LabelError) -> dict[str, int]:
    """The count labels (instance count, min/max, idle minutes) as whole numbers, checked against each other."""
    values: dict[str, Any] = {}
    for name, default in (
        ("cloud.instance-count", 1),
        ("cloud.min-instances", None),
        ("cloud.max-instances", None),
        ("cloud.idle-minutes", DEFAULT_IDLE_MINUTES),
    ):
        raw = model.labels.get(name)
        if raw is None:
            values[name] = default
            continue
        if not raw.isdigit():
            label_error(name, f'{name} must be a whole number, got "{raw}"')
            values[name] = default
            continue
        values[name] = int(raw)
    count = values["cloud.instance-count"] or 1
    if values["cloud.instance-count"] == 0:
        label_error("cloud.instance-count", "cloud.instance-count must be at least 1")
    low = values["cloud.min-instances"] if values["cloud.min-instances"] is not None else count
    high = values["cloud.max-instances"] if values["cloud.max-instances"] is not None else max(count, low)
    idle = values["cloud.idle-minutes"]
    if not 1 <= idle <= MAX_IDLE_MINUTES:
        label_error("cloud.idle-minutes", f"cloud.idle-minutes must be from 1 to {MAX_IDLE_MINUTES}, got {idle}")
    elif "cloud.idle-minutes" in model.labels and low != 0:
        label_error(
            "cloud.idle-minutes",
            "cloud.idle-minutes applies only to a model that scales to zero",
            "add cloud.min-instances=0, or drop the label",
        )
    if low > high:
        label_error("cloud.max-instances", f"cloud.max-instances ({high}) is below cloud.min-instances ({low})")
    if not low <= count <= high:
        label_error(
            "cloud.instance-count", f"cloud.instance-count ({count}) must lie between min ({low}) and max ({high})"
        )
    return {"instance_count": count, "min_instances": low, "max_instances": high, "idle_minutes": idle}
