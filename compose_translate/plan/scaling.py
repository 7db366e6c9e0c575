"""Application Auto Scaling of a service's task count, from `x-aws-autoscaling` or the `cloud.*-instances` labels."""

from __future__ import annotations

from typing import Literal

from compose_translate.compat import AUTOSCALING
from compose_translate.errors import Report
from compose_translate.frozen import Frozen
from compose_translate.normalize.project import Service


class Scaling(Frozen):
    """Application Auto Scaling of an ECS service's task count: target tracking on one metric."""

    minimum: int
    maximum: int
    metric: Literal["cpu", "memory"]
    target: int  # percent of the task's reserved CPU or memory
    idle_minutes: int | None = None  # minimum 0: no request for this long scales the service to zero


_AUTOSCALING_KEYS = ("min", "max", "cpu", "mem")
DEFAULT_CPU_TARGET = 75


def plan_scaling(replicas: int, service: Service, report: Report) -> Scaling | None:
    """From `deploy.x-aws-autoscaling` (or the key on the service), else the cloud.*-instances labels."""
    in_deploy = service.deploy.autoscaling if service.deploy else None
    where = service.where("deploy", AUTOSCALING) if in_deploy is not None else service.where(AUTOSCALING)
    raw = in_deploy if in_deploy is not None else service.settings.get(AUTOSCALING)
    if raw is None:  # or the labels models use: cloud.min-instances / cloud.max-instances
        bounds = {
            k: service.labels[f"cloud.{k}-instances"]
            for k in ("min", "max")
            if f"cloud.{k}-instances" in service.labels
        }
        if not bounds:
            return None
        raw = {k: int(v) if v.isdigit() else v for k, v in bounds.items()}
        low = raw.get("min", replicas)
        raw.setdefault("max", max(replicas, low) if isinstance(low, int) else replicas)
        where = service.where("labels")
    example = "e.g. {min: 1, max: 4, cpu: 75}"
    if not isinstance(raw, dict):
        report.error("expected a mapping", where, hint=example)
        return None
    unknown = [str(k) for k in raw if k not in _AUTOSCALING_KEYS]
    numbers = {k: raw[k] for k in _AUTOSCALING_KEYS if k in raw}
    bad = [k for k, v in numbers.items() if isinstance(v, bool) or not isinstance(v, int)]
    if unknown or bad or "max" not in raw:
        what = (
            f'unknown key "{unknown[0]}"'
            if unknown
            else f"{bad[0]} must be a whole number"
            if bad
            else "max is required"
        )
        report.error(what, where, hint=f"{AUTOSCALING} takes min, max and cpu or mem (percent), {example}")
        return None
    low, high = int(raw.get("min", replicas)), int(raw["max"])
    if "cpu" in raw and "mem" in raw:
        report.error("cpu and mem are exclusive: one metric is tracked", where, hint="keep one of them")
        return None
    metric, target = ("memory", int(raw["mem"])) if "mem" in raw else ("cpu", int(raw.get("cpu", DEFAULT_CPU_TARGET)))
    if not 0 <= low <= high or high < 1 or not 1 <= target <= 100:
        report.error(
            f"needs 0 <= min <= max, max >= 1 and a target of 1-100 percent (got min {low}, max {high}, "
            f"{metric} {target})",
            where,
            hint=example,
        )
        return None
    if not low <= replicas <= high:
        report.error(
            f"deploy.replicas ({replicas}) must lie between min ({low}) and max ({high})",
            where,
            hint="the service starts with deploy.replicas tasks and scales within min..max",
        )
        return None
    return Scaling(minimum=low, maximum=high, metric=metric, target=target)
