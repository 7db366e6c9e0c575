"""Hardware aliases and offline validation of instance types and regions.

The alias table is the single source of truth for what `gpu-small` etc. mean.
Raw types are checked against botocore's bundled service models (SageMaker's
`ProductionVariantInstanceType`, EC2's `InstanceType`), regions against its
endpoint data, so no hand-typed list goes stale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import botocore.loaders
import botocore.session


@dataclass(frozen=True)
class Alias:
    description: str
    sagemaker: str | None  # ml.* type for the SageMaker backend; None: not servable there
    ec2: str | None  # EC2 type for the ECS backend on GPU capacity; None: Fargate
    gpus: int
    fargate_cpu: int | None = None  # CPU units, for Fargate aliases
    fargate_memory: int | None = None  # MiB


ALIASES: dict[str, Alias] = {
    "gpu-small": Alias("1x NVIDIA A10G, 24 GB GPU memory", "ml.g5.xlarge", "g5.xlarge", 1),
    "gpu-medium": Alias("1x NVIDIA L40S, 48 GB GPU memory", "ml.g6e.xlarge", "g6e.xlarge", 1),
    "gpu-large": Alias("4x NVIDIA L40S, 192 GB GPU memory", "ml.g6e.12xlarge", "g6e.12xlarge", 4),
    "cpu-small": Alias("Fargate, 2 vCPU, 8 GB memory (no GPU)", None, None, 0, 2048, 8192),
    "cpu-medium": Alias("Fargate, 4 vCPU, 16 GB memory (no GPU)", None, None, 0, 4096, 16384),
}

# Partitions a stack can deploy to with ordinary credentials.
_PARTITIONS = ("aws", "aws-cn", "aws-us-gov")


@lru_cache(maxsize=None)
def _session() -> botocore.session.Session:
    return botocore.session.get_session()


@lru_cache(maxsize=None)
def sagemaker_instance_types() -> frozenset[str]:
    """Every SageMaker hosting instance type, from botocore's API model, so a new type needs no release of ours."""
    shape = _session().get_service_model("sagemaker").shape_for("ProductionVariantInstanceType")
    return frozenset(shape.enum)


@lru_cache(maxsize=None)
def ec2_instance_types() -> frozenset[str]:
    """Every EC2 instance type, from botocore's API model."""
    return frozenset(_session().get_service_model("ec2").shape_for("InstanceType").enum)


@lru_cache(maxsize=None)
def log_retention_days() -> tuple[int, ...]:
    """CloudWatch Logs' allowed retention periods, as its API documentation in botocore lists them
    ("Possible values are: 1, 3, 5, ..."); the API model itself takes any integer."""
    shape = _session().get_service_model("logs").shape_for("PutRetentionPolicyRequest")
    text = re.sub(r"<[^>]+>", "", shape.members["retentionInDays"].documentation)
    listed = text.partition("Possible values are:")[2].partition(".")[0]
    return tuple(sorted({int(n) for n in re.findall(r"\d+", listed)}))


# Services whose endpoint prefix differs from their name (the service model's `endpointPrefix`).
_ENDPOINT_PREFIX = {"sagemaker": "api.sagemaker"}


@lru_cache(maxsize=None)
def _endpoints() -> dict[str, Any]:
    data: dict[str, Any] = botocore.loaders.create_loader().load_data("endpoints")
    return data


@lru_cache(maxsize=None)
def regions_for(service: str) -> frozenset[str]:
    """Regions botocore knows the service in, read from its endpoint data directly (as
    `Session.get_available_regions` does, without the cost of a session: 20 ms, not 130 ms)."""
    regions: set[str] = set()
    for partition in _endpoints()["partitions"]:
        if partition["partition"] not in _PARTITIONS:
            continue
        pattern = re.compile(partition["regionRegex"])
        endpoints = partition["services"].get(_ENDPOINT_PREFIX.get(service, service), {}).get("endpoints", {})
        regions.update(name for name, spec in endpoints.items() if pattern.match(name) and not spec.get("deprecated"))
    return frozenset(regions)


def all_regions() -> frozenset[str]:
    """Every AWS region botocore knows, for checking a stack's region."""
    return regions_for("ec2")


# EC2 families with NVIDIA GPUs that the ECS GPU AMI can drive.
GPU_FAMILIES = (
    "g4dn",
    "g5",
    "g5g",
    "g6",
    "g6e",
    "g6f",
    "gr6",
    "gr6f",
    "p3",
    "p3dn",
    "p4d",
    "p4de",
    "p5",
    "p5e",
    "p5en",
    "p6-b200",
)


def is_gpu_ec2_type(instance_type: str) -> bool:
    """Whether an EC2 type has NVIDIA GPUs (by family), so that its tasks need the ECS GPU AMI."""
    return instance_type.split(".", 1)[0] in GPU_FAMILIES


# GPUs per instance for multi-GPU sizes (AWS EC2 accelerated-computing instance specifications);
# every other size of a GPU family has one.
_MULTI_GPU = {
    "g4dn.12xlarge": 4,
    "g4dn.metal": 8,
    "g5.12xlarge": 4,
    "g5.24xlarge": 4,
    "g5.48xlarge": 8,
    "g6.12xlarge": 4,
    "g6.24xlarge": 4,
    "g6.48xlarge": 8,
    "g6e.12xlarge": 4,
    "g6e.24xlarge": 4,
    "g6e.48xlarge": 8,
    "p3.8xlarge": 4,
    "p3.16xlarge": 8,
    "p3dn.24xlarge": 8,
    "p4d.24xlarge": 8,
    "p4de.24xlarge": 8,
    "p5.48xlarge": 8,
    "p5e.48xlarge": 8,
    "p5en.48xlarge": 8,
    "p6-b200.48xlarge": 8,
}


def gpu_count(instance_type: str) -> int:
    """GPUs of an EC2 (or ml.*) instance type; 0 without GPUs."""
    name = instance_type.removeprefix("ml.")
    if not is_gpu_ec2_type(name):
        return 0
    return _MULTI_GPU.get(name, 1)


def gpu_capacity_for(gpus: int) -> str | None:
    """The smallest GPU alias's EC2 type with at least `gpus` GPUs (for services asking `gpus:`)."""
    fitting = sorted((a.gpus, a.ec2) for a in ALIASES.values() if a.ec2 and a.gpus >= gpus)
    return fitting[0][1] if fitting else None
