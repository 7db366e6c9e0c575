"""The `DeploymentPlan`: every decision the cloud stage needs, as plain data that prints, diffs and
tests without Pulumi."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from pydantic import Field

from compose_translate.errors import Diagnostic
from compose_translate.frozen import Frozen
from compose_translate.plan.files import StoredValue
from compose_translate.plan.gateway import Gateway
from compose_translate.plan.models import PlannedModel
from compose_translate.plan.planned_service import PlannedService
from compose_translate.plan.storage import (
    PlannedVolume,
)


class Cost(Frozen):
    """Estimated on-demand USD per hour (see pricing.py for what is and is not included)."""

    models: dict[str, float | None]  # None: not priced (never 0)
    services: float | None  # None: the stack's region has no price table
    gateway: float | None
    network: float | None
    total: float | None  # what is priced; None when nothing is
    unpriced: tuple[str, ...]  # instance types or regions without a price: not in the total
    prices_date: str  # the stack region's table ("none" without one)
    prices_region: str
    prices: dict[str, str] = {}  # every region priced -> "<region> prices of <date>" (or why not)
    # with models that scale to zero: the total while they are at zero (their busy price is in `models`)
    idle_total: float | None = None
    scale_to_zero: tuple[str, ...] = ()
    # Bedrock models billed per token with no expected tokens given: $0 while idle, the rest not in the total
    per_token: tuple[str, ...] = ()


class CustomDomain(Frozen):
    """The stack's own name for its load balancer: ACM certificate (DNS-validated) and alias in the zone."""

    name: str
    hosted_zone_id: str


class DeploymentPlan(Frozen):
    name: str
    project_dir: str
    region: str
    gateway: Gateway | None
    models: dict[str, PlannedModel]
    unbound_models: tuple[str, ...]
    services: dict[str, PlannedService]
    deploy_order: tuple[str, ...]  # dependencies first
    gpu_capacity: dict[str, int]  # EC2 GPU instance type -> tasks that need one (a capacity provider each)
    regions: tuple[str, ...]  # the stack's region first, then every other model region
    secrets: dict[str, StoredValue]
    configs: dict[str, StoredValue]
    volumes: dict[str, PlannedVolume]
    networks: tuple[str, ...]
    certificate_arn: str | None
    domain: CustomDomain | None = None
    public_tasks: bool = False  # no NAT gateway: tasks run in public subnets with public IPs
    cost: Cost
    warnings: tuple[Diagnostic, ...]
    # value -> the variable it was interpolated from, for every value from the process environment or a
    # credential-named variable: what every printed form shows as `${NAME}` or [secret] (never serialized)
    sources: dict[str, str] = Field(default_factory=dict, exclude=True, repr=False)

    def ecs_services(self) -> list[PlannedService]:
        """Every ECS service of the plan, the model servers and gateway included."""
        return ecs_services(self.services, self.models, self.gateway)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready, machine-independent (paths relative to the project), secrets redacted."""
        root = Path(self.project_dir)
        data = self.model_dump(mode="json", exclude={"warnings", "project_dir", "sources"})
        for service in data["services"].values():
            if service["build"]:
                service["build"]["context"] = relative_path(service["build"]["context"], root)
        data["warnings"] = [w.as_dict(root) for w in self.warnings]
        return data


def relative_path(path: str, root: Path) -> str:
    """A path relative to the project, as printed; a path outside it stays absolute."""
    try:
        return Path(path).relative_to(root).as_posix() or "."
    except ValueError:
        return path


def ecs_services(
    services: dict[str, PlannedService], models: dict[str, PlannedModel], gateway: Gateway | None
) -> list[PlannedService]:
    """Every ECS service the plan runs: the Compose services, the model servers and the gateway."""
    return [
        *services.values(),
        *(m.server for m in models.values() if m.server),
        *([gateway.service] if gateway and gateway.service else []),
    ]
