"""How one Compose service runs as an ECS task: size, architecture, health check, limits.

Decisions only; every rounding or clamping is a warning, every impossible value an
error. ECS limits come from the ECS API reference (HealthCheck, ContainerDefinition).
"""

from __future__ import annotations

from typing import Any

from compose_translate.errors import KeyPath, Report
from compose_translate.frozen import Frozen
from compose_translate.instances import gpu_capacity_for
from compose_translate.normalize.project import DeviceRequest, Resources, Service
from compose_translate.plan.health import HealthCheck, plan_healthcheck
from compose_translate.plan.scaling import Scaling, plan_scaling
from compose_translate.plan.sizing import SizeError, describe, fargate_size
from compose_translate.values import parse_bool, parse_bytes, parse_duration

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


class Ulimit(Frozen):
    name: str
    soft: int
    hard: int


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
    """How a service's tasks run: size, GPUs, replicas, scaling, user, init and the rest of its runtime settings."""
    settings = service.settings
    cpu, memory = _size(service, report)
    _deploy_notes(service, report)
    gpus, replicas = _gpus(service), _replicas(service)
    return Runtime(
        cpu=cpu,
        memory=memory,
        memory_reservation=_mib(settings.get("mem_reservation")),
        replicas=replicas,
        architecture=_architecture(service, report),
        gpus=gpus,
        capacity=_capacity(service, gpus, report),
        user=_str_or_none(settings.get("user")),
        working_dir=_str_or_none(settings.get("working_dir")),
        init=parse_bool(settings.get("init", False)),
        read_only=parse_bool(settings.get("read_only", False)),
        stop_timeout=_stop_timeout(settings.get("stop_grace_period"), service.where("stop_grace_period"), report),
        ulimits=_ulimits(settings.get("ulimits") or {}, service.where("ulimits"), report),
        tmpfs=_tmpfs(settings.get("tmpfs")),
        cap_drop=tuple(settings.get("cap_drop") or ()),
        healthcheck=plan_healthcheck(service.healthcheck, service.where("healthcheck"), report),
        scaling=plan_scaling(replicas, service, report),
    )


def _size(service: Service, report: Report) -> tuple[int, int]:
    """CPU units and MiB from limits, `cpus`/`mem_limit` or reservations, fitted to a Fargate size (said in a note
    when rounded up)."""
    settings = service.settings
    resources = service.deploy.resources if service.deploy else Resources()
    limits, reservations = resources.limits, resources.reservations
    cpus = next((v for v in (limits.cpus, settings.get("cpus"), reservations.cpus) if v is not None), None)
    memory = next(
        (v for v in (limits.memory, settings.get("mem_limit"), reservations.memory) if v is not None),
        None,
    )
    where = service.where("deploy", "resources")
    try:
        vcpus = float(cpus) if cpus is not None else None
        memory_mib = _mib(memory)
    except (TypeError, ValueError):
        report.error(
            f"cannot read the requested resources (cpus {cpus!r}, memory {memory!r})",
            where,
            hint='write cpus as a number ("0.5") and memory as a size ("512m")',
        )
        return fargate_size(None, None)
    try:
        cpu, mib = fargate_size(vcpus, memory_mib)
    except SizeError as exc:
        report.error(str(exc), where, hint="lower the limits, or split the service")
        return fargate_size(None, None)
    asked = (vcpus is not None and cpu != round(vcpus * 1024)) or (memory_mib is not None and mib != memory_mib)
    if asked:
        report.warn(
            f"rounded up to the nearest Fargate size: {cpu / 1024:g} vCPU, {mib} MiB "
            f"(asked for {describe(vcpus, memory_mib)})",
            where,
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
    """`deploy:` settings ECS does not have, each named with what happens instead."""
    deploy = service.deploy
    if deploy is None:
        return
    where = service.where("deploy")
    for key, reason in _DEPLOY_IGNORED.items():
        if getattr(deploy, key):
            report.warn(f"deploy.{key} is ignored: {reason}", where.key(key))
    if deploy.mode not in (None, "replicated"):
        report.warn(
            f"deploy.mode {deploy.mode} runs as one replicated ECS service",
            where.key("mode"),
            hint="set deploy.replicas to choose the number of tasks",
        )
    resources = where.key("resources")
    for kind, spec in (("limits", deploy.resources.limits), ("reservations", deploy.resources.reservations)):
        if spec.pids is not None:
            report.warn(f"deploy.resources.{kind}.pids is ignored: ECS sets no process limit", resources.key(kind))
        if spec.generic_resources:
            report.warn(
                f"deploy.resources.{kind}.generic_resources is ignored: ECS schedules CPUs, memory and GPUs only",
                resources.key(kind),
            )
    for device in deploy.resources.reservations.devices:
        if not ("gpu" in device.capabilities or device.driver == "nvidia"):
            report.warn(
                f"a device request for {', '.join(device.capabilities) or device.driver or 'no capability'} is "
                "ignored: ECS reserves GPUs only",
                resources.key("reservations"),
                hint="ask for a GPU with capabilities: [gpu], or remove the request",
            )


def _mib(value: Any) -> int | None:
    if value is None:
        return None
    return max(1, -(-parse_bytes(value) // (1024 * 1024)))


def _replicas(service: Service) -> int:
    for value in (service.deploy.replicas if service.deploy else None, service.settings.get("scale")):
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
        service.where("platform"),
        hint="use linux/amd64 or linux/arm64",
    )
    return "X86_64"


def _gpus(service: Service) -> int:
    """`gpus:` or an nvidia device reservation: how many GPUs the task needs (`all` counts as 1)."""
    count = 0
    count = 1 if service.gpus == "all" else 0
    for device in service.gpus if isinstance(service.gpus, tuple) else ():
        count += _device_count(device)
    for device in service.deploy.resources.reservations.devices if service.deploy else ():
        if "gpu" in device.capabilities or device.driver == "nvidia":
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
            # `gpus:`, else the device reservation under `deploy:`
            service.where("gpus").at(service.key_locs.get("gpus", service.key_locs.get("deploy"))),
            hint="ask for at most 4 GPUs, or split the work across services",
        )
        return "fargate"
    return instance_type


def _device_count(device: DeviceRequest) -> int:
    if device.count == "all":
        return 1
    if device.device_ids:
        return len(device.device_ids)
    return 1 if device.count is None else int(device.count)


def _str_or_none(value: Any) -> str | None:
    return None if value is None else str(value)


def _stop_timeout(value: Any, where: KeyPath, report: Report) -> int | None:
    if value is None:
        return None
    seconds = round(parse_duration(value))
    if seconds > FARGATE_MAX_STOP_TIMEOUT:
        report.warn(
            f"stop_grace_period {value} is longer than Fargate allows; using {FARGATE_MAX_STOP_TIMEOUT}s",
            where,
            hint="handle SIGTERM within two minutes",
        )
        return FARGATE_MAX_STOP_TIMEOUT
    return seconds


def _ulimits(raw: dict[str, Any], where: KeyPath, report: Report) -> tuple[Ulimit, ...]:
    result = []
    for name, value in sorted(raw.items()):
        if name not in ULIMIT_NAMES:
            report.warn(
                f'ulimit "{name}" cannot be set on ECS and is ignored',
                where.key(name),
                hint="ECS ulimits: " + ", ".join(ULIMIT_NAMES),
            )
            continue
        try:
            soft, hard = (int(value["soft"]), int(value["hard"])) if isinstance(value, dict) else (int(value),) * 2
        except (KeyError, TypeError, ValueError):
            report.error("expected a number or {soft, hard}", where.key(name))
            continue
        result.append(Ulimit(name=name, soft=soft, hard=hard))
    return tuple(result)


def _tmpfs(raw: Any) -> tuple[str, ...]:
    items = [raw] if isinstance(raw, str) else list(raw or ())
    return tuple(sorted({str(item).split(":")[0] for item in items}))
