"""How one Compose service runs as an ECS task: size, architecture, health check, limits.

Decisions only; every rounding or clamping is a warning, every impossible value an
error. ECS limits come from the ECS API reference (HealthCheck, ContainerDefinition).
"""

from __future__ import annotations

from typing import Any, Literal

from .errors import Report
from .frozen import Frozen
from .instances import gpu_capacity_for
from .project import Service
from .sizing import SizeError, describe, fargate_size
from .values import parse_bool, parse_bytes, parse_duration

# ECS HealthCheck bounds (seconds / count): (min, max, Compose default)
HEALTH_LIMITS = {"interval": (5, 300, 30), "timeout": (2, 120, 30), "retries": (1, 10, 3), "start_period": (0, 300, 0)}
FARGATE_MAX_STOP_TIMEOUT = 120
ULIMIT_NAMES = (
    "core",
    "cpu",
    "data",
    "fsize",
    "locks",
    "memlock",
    "msgqueue",
    "nice",
    "nofile",
    "nproc",
    "rss",
    "rtprio",
    "rttime",
    "sigpending",
    "stack",
)
ARCHITECTURES = {
    "linux/amd64": "X86_64",
    "linux/x86_64": "X86_64",
    "linux/arm64": "ARM64",
    "linux/arm64/v8": "ARM64",
    "linux/aarch64": "ARM64",
}


class HealthCheck(Frozen):
    command: tuple[str, ...]  # ECS form: ("CMD", ...) or ("CMD-SHELL", "...")
    interval: int
    timeout: int
    retries: int
    start_period: int


class Ulimit(Frozen):
    name: str
    soft: int
    hard: int


class Scaling(Frozen):
    """Application Auto Scaling of an ECS service's task count: target tracking on one metric."""

    minimum: int
    maximum: int
    metric: Literal["cpu", "memory"]
    target: int  # percent of the task's reserved CPU or memory
    idle_minutes: int | None = None  # minimum 0: no request for this long scales the service to zero


class Runtime(Frozen):
    cpu: int  # Fargate cpu units
    memory: int  # MiB
    memory_reservation: int | None
    replicas: int
    architecture: str  # X86_64 | ARM64
    gpus: int
    capacity: str  # "fargate", or the EC2 GPU instance type of the ECS capacity provider
    user: str | None
    working_dir: str | None
    init: bool
    read_only: bool
    stop_timeout: int | None
    ulimits: tuple[Ulimit, ...]
    tmpfs: tuple[str, ...]
    cap_drop: tuple[str, ...]
    healthcheck: HealthCheck | None
    scaling: Scaling | None = None


def plan_runtime(service: Service, report: Report) -> Runtime:
    settings = service.settings
    path = f"services.{service.name}"

    def loc(key: str):
        return service.key_locs.get(key, service.loc)

    cpu, memory = _size(service, report)
    _deploy_notes(service, report)
    gpus = _gpus(settings)
    return Runtime(
        cpu=cpu,
        memory=memory,
        memory_reservation=_mib(settings.get("mem_reservation")),
        replicas=_replicas(settings),
        architecture=_architecture(service, report),
        gpus=gpus,
        capacity=_capacity(service, gpus, report),
        user=_str_or_none(settings.get("user")),
        working_dir=_str_or_none(settings.get("working_dir")),
        init=parse_bool(settings.get("init", False)),
        read_only=parse_bool(settings.get("read_only", False)),
        stop_timeout=_stop_timeout(
            settings.get("stop_grace_period"), f"{path}.stop_grace_period", loc("stop_grace_period"), report
        ),
        ulimits=_ulimits(settings.get("ulimits") or {}, f"{path}.ulimits", loc("ulimits"), report),
        tmpfs=_tmpfs(settings.get("tmpfs")),
        cap_drop=tuple(settings.get("cap_drop") or ()),
        healthcheck=_healthcheck(settings.get("healthcheck"), f"{path}.healthcheck", loc("healthcheck"), report),
        scaling=_scaling(settings, _replicas(settings), path, service, report),
    )


AUTOSCALING = "x-aws-autoscaling"  # Docker's ECS integration's spelling, under deploy: (or the service)
_AUTOSCALING_KEYS = ("min", "max", "cpu", "mem")
DEFAULT_CPU_TARGET = 75


def _scaling(settings: dict, replicas: int, path: str, service: Service, report: Report) -> Scaling | None:
    deploy = settings.get("deploy") or {}
    where = f"{path}.deploy.{AUTOSCALING}" if AUTOSCALING in deploy else f"{path}.{AUTOSCALING}"
    raw = deploy.get(AUTOSCALING, settings.get(AUTOSCALING))
    loc = service.key_locs.get("deploy" if AUTOSCALING in deploy else AUTOSCALING, service.loc)
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
        where, loc = f"{path}.labels", service.key_locs.get("labels", service.loc)
    example = "e.g. {min: 1, max: 4, cpu: 75}"
    if not isinstance(raw, dict):
        report.error("expected a mapping", where, loc, hint=example)
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
        report.error(what, where, loc, hint=f"{AUTOSCALING} takes min, max and cpu or mem (percent), {example}")
        return None
    low, high = int(raw.get("min", replicas)), int(raw["max"])
    if "cpu" in raw and "mem" in raw:
        report.error("cpu and mem are exclusive: one metric is tracked", where, loc, hint="keep one of them")
        return None
    metric, target = ("memory", int(raw["mem"])) if "mem" in raw else ("cpu", int(raw.get("cpu", DEFAULT_CPU_TARGET)))
    if not 0 <= low <= high or high < 1 or not 1 <= target <= 100:
        report.error(
            f"needs 0 <= min <= max, max >= 1 and a target of 1-100 percent (got min {low}, max {high}, "
            f"{metric} {target})",
            where,
            loc,
            hint=example,
        )
        return None
    if not low <= replicas <= high:
        report.error(
            f"deploy.replicas ({replicas}) must lie between min ({low}) and max ({high})",
            where,
            loc,
            hint="the service starts with deploy.replicas tasks and scales within min..max",
        )
        return None
    return Scaling(minimum=low, maximum=high, metric=metric, target=target)


def _size(service: Service, report: Report) -> tuple[int, int]:
    settings = service.settings
    resources = (settings.get("deploy") or {}).get("resources") or {}
    limits, reservations = resources.get("limits") or {}, resources.get("reservations") or {}
    cpus = next(
        (v for v in (limits.get("cpus"), settings.get("cpus"), reservations.get("cpus")) if v is not None), None
    )
    memory = next(
        (v for v in (limits.get("memory"), settings.get("mem_limit"), reservations.get("memory")) if v is not None),
        None,
    )
    path, loc = f"services.{service.name}.deploy.resources", service.key_locs.get("deploy", service.loc)
    try:
        vcpus = float(cpus) if cpus is not None else None
        memory_mib = _mib(memory)
    except (TypeError, ValueError):
        report.error(
            f"cannot read the requested resources (cpus {cpus!r}, memory {memory!r})",
            path,
            loc,
            hint='write cpus as a number ("0.5") and memory as a size ("512m")',
        )
        return fargate_size(None, None)
    try:
        cpu, mib = fargate_size(vcpus, memory_mib)
    except SizeError as exc:
        report.error(str(exc), path, loc, hint="lower the limits, or split the service")
        return fargate_size(None, None)
    asked = (vcpus is not None and cpu != round(vcpus * 1024)) or (memory_mib is not None and mib != memory_mib)
    if asked:
        report.warn(
            f"rounded up to the nearest Fargate size: {cpu / 1024:g} vCPU, {mib} MiB "
            f"(asked for {describe(vcpus, memory_mib)})",
            path,
            loc,
            hint="choose a valid Fargate cpu/memory pair to silence this",
        )
    return cpu, mib


# deploy.* keys ECS has no equivalent for, and why.
_DEPLOY_IGNORED = {
    "endpoint_mode": "services are reached through Service Connect",
    "placement": "Fargate places tasks across the VPC's availability zones itself",
    "restart_policy": "ECS replaces stopped tasks itself",
    "update_config": "ECS does rolling deployments with a circuit breaker that rolls back failures",
    "rollback_config": "ECS does rolling deployments with a circuit breaker that rolls back failures",
    "labels": "use service labels; they become resource tags",
}


def _deploy_notes(service: Service, report: Report) -> None:
    deploy = service.settings.get("deploy") or {}
    path, loc = f"services.{service.name}.deploy", service.key_locs.get("deploy", service.loc)
    for key, reason in _DEPLOY_IGNORED.items():
        if deploy.get(key):
            report.warn(f"deploy.{key} is ignored: {reason}", f"{path}.{key}", loc)
    if deploy.get("mode") not in (None, "replicated"):
        report.warn(
            f"deploy.mode {deploy['mode']} runs as one replicated ECS service",
            f"{path}.mode",
            loc,
            hint="set deploy.replicas to choose the number of tasks",
        )


def _mib(value: Any) -> int | None:
    if value is None:
        return None
    return max(1, -(-parse_bytes(value) // (1024 * 1024)))


def _replicas(settings: dict) -> int:
    deploy = settings.get("deploy") or {}
    for value in (deploy.get("replicas"), settings.get("scale")):
        if value is not None:
            return int(value)
    return 1


def _architecture(service: Service, report: Report) -> str:
    platform = service.settings.get("platform") or (
        service.build.platforms[0] if service.build and service.build.platforms else None
    )
    if platform is None:
        return "X86_64"
    if platform in ARCHITECTURES:
        return ARCHITECTURES[platform]
    report.error(
        f'platform "{platform}" cannot run on Fargate',
        f"services.{service.name}.platform",
        service.key_locs.get("platform", service.loc),
        hint="use linux/amd64 or linux/arm64",
    )
    return "X86_64"


def _gpus(settings: dict) -> int:
    """`gpus:` or an nvidia device reservation: how many GPUs the task needs (`all` counts as 1)."""
    count = 0
    gpus = settings.get("gpus")
    if gpus == "all":
        count = 1
    elif isinstance(gpus, list):
        count = sum(_device_count(d) for d in gpus if isinstance(d, dict))
    devices = (((settings.get("deploy") or {}).get("resources") or {}).get("reservations") or {}).get("devices")
    for device in devices or ():
        if isinstance(device, dict) and (
            "gpu" in (device.get("capabilities") or ()) or device.get("driver") == "nvidia"
        ):
            count += _device_count(device)
    return count


def _capacity(service: Service, gpus: int, report: Report) -> str:
    """Fargate has no GPUs: a service asking for them runs on the smallest GPU alias that has enough."""
    if not gpus:
        return "fargate"
    instance_type = gpu_capacity_for(gpus)
    if instance_type is None:
        report.error(
            f"{gpus} GPUs is more than one instance of the GPU aliases has",
            f"services.{service.name}.gpus",
            service.key_locs.get("gpus", service.key_locs.get("deploy", service.loc)),
            hint="ask for at most 4 GPUs, or split the work across services",
        )
        return "fargate"
    return instance_type


def _device_count(device: dict) -> int:
    count = device.get("count", 1)
    if count == "all":
        return 1
    if device.get("device_ids"):
        return len(device["device_ids"])
    return int(count)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _stop_timeout(value: Any, path: str, loc, report: Report) -> int | None:
    if value is None:
        return None
    seconds = round(parse_duration(value))
    if seconds > FARGATE_MAX_STOP_TIMEOUT:
        report.warn(
            f"stop_grace_period {value} is longer than Fargate allows; using {FARGATE_MAX_STOP_TIMEOUT}s",
            path,
            loc,
            hint="handle SIGTERM within two minutes",
        )
        return FARGATE_MAX_STOP_TIMEOUT
    return seconds


def _ulimits(raw: dict, path: str, loc, report: Report) -> tuple[Ulimit, ...]:
    result = []
    for name, value in sorted(raw.items()):
        if name not in ULIMIT_NAMES:
            report.warn(
                f'ulimit "{name}" cannot be set on ECS and is ignored',
                f"{path}.{name}",
                loc,
                hint="ECS ulimits: " + ", ".join(ULIMIT_NAMES),
            )
            continue
        try:
            soft, hard = (int(value["soft"]), int(value["hard"])) if isinstance(value, dict) else (int(value),) * 2
        except (KeyError, TypeError, ValueError):
            report.error("expected a number or {soft, hard}", f"{path}.{name}", loc)
            continue
        result.append(Ulimit(name=name, soft=soft, hard=hard))
    return tuple(result)


def _tmpfs(raw: Any) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw or ())
    return tuple(sorted({str(item).split(":")[0] for item in items}))


def _healthcheck(raw: Any, path: str, loc, report: Report) -> HealthCheck | None:
    if not isinstance(raw, dict) or raw.get("disable") in (True, "true"):
        return None
    test = raw.get("test")
    if test is None:
        return None  # the image's HEALTHCHECK cannot be read offline; ECS does not inherit it either
    command: tuple[str, ...]
    if isinstance(test, str):
        command = ("CMD-SHELL", test)
    elif test and test[0] == "NONE":
        return None
    elif test and test[0] in ("CMD", "CMD-SHELL"):
        command = tuple(str(t) for t in test)
    else:
        report.error(
            'healthcheck.test must start with "CMD", "CMD-SHELL" or "NONE"',
            f"{path}.test",
            loc,
            hint='e.g. test: ["CMD", "curl", "-f", "http://localhost:8080/health"]',
        )
        return None
    values = {}
    for field, (low, high, default) in HEALTH_LIMITS.items():
        given = raw.get(field)
        try:
            value = default if given is None else (int(given) if field == "retries" else round(parse_duration(given)))
        except (TypeError, ValueError):
            report.error(
                f"healthcheck {field} must be {'a whole number' if field == 'retries' else 'a duration'}",
                f"{path}.{field}",
                loc,
            )
            continue
        clamped = min(max(value, low), high)
        if clamped != value:
            report.warn(
                f"healthcheck {field} {given} is outside ECS's range {low}-{high}; using {clamped}",
                f"{path}.{field}",
                loc,
            )
        values[field] = clamped
    return HealthCheck(command=command, **values) if len(values) == len(HEALTH_LIMITS) else None
