"""ECS container definitions from a planned service: plain functions over resolved values.

Kept free of Pulumi so the exact JSON ECS receives is easy to test. Field names follow the
ECS RegisterTaskDefinition API (ContainerDefinition).
"""

from __future__ import annotations

import hashlib
import shlex
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from compose_translate.plan.files import ServiceFile
from compose_translate.plan.planned_service import PlannedService

if TYPE_CHECKING:  # typed by pulumi-aws's declarations; nothing here needs Pulumi at run time
    import pulumi
    import pulumi_aws as aws

# The init container that writes secrets and configs into the task's volumes before the app starts.
FILES_INIT_NAME = "compose-files"
FILES_INIT_IMAGE = "public.ecr.aws/docker/library/busybox:1.37"
DEFAULT_FILE_MODE = 0o444  # Docker Compose's default for secrets and configs
EC2_MEMORY_RESERVATION = 4096  # MiB a GPU task reserves on its instance; it may use more
EC2_CPU_RESERVATION = 1024  # CPU units an autoscaled GPU task reserves (one vCPU); it may use more


@dataclass(frozen=True)
class Resolved:
    """Values known only once AWS resources exist (ARNs, image references)."""

    image: str
    log_group: str
    region: str
    env_secret_arn: str | None  # the service's Secrets Manager secret holding credential-like variables
    file_sources: dict[str, str]  # "secret:<name>" / "config:<name>" -> ARN for `valueFrom`
    secret_refs: dict[str, str] = field(default_factory=dict)  # variable -> secret ARN (HF_TOKEN)


def baked_dockerfile(base: str, files: list[tuple[ServiceFile, str]]) -> str:
    """FROM the service's image, each file written where its target says (heredoc COPY, BuildKit 1.4+)."""
    lines = ["# syntax=docker/dockerfile:1.7", f"FROM {base}"]
    for file, content in files:
        marker = "COMPOSE_CLOUD_" + hashlib.sha256(content.encode()).hexdigest()[:16].upper()
        owner = f" --chown={file.uid or 0}:{file.gid or 0}" if file.uid or file.gid else ""
        mode = f" --chmod={file.mode:04o}" if file.mode is not None else " --chmod=0444"
        body = content if content.endswith("\n") else content + "\n"  # a heredoc ends its last line
        lines.append(f'COPY{owner}{mode} <<"{marker}" {file.target}\n{body}{marker}')
    return "\n".join(lines) + "\n"


def port_name(port: int, protocol: str) -> str:
    """A port mapping's name, which Service Connect and load balancer targets refer to."""
    return f"{protocol}-{port}"


def file_volume(directory: str, directories: tuple[str, ...]) -> str:
    """The task volume holding the files of one target directory (configs and secrets as files)."""
    return f"files-{directories.index(directory)}"


def container_definitions(service: PlannedService, resolved: Resolved) -> list[dict[str, Any]]:
    """The task's containers: the service's own, plus a sidecar that writes its configs and secrets as files before
    it starts, since ECS has no file mounts of its own."""
    app = {
        "name": service.name,
        "image": resolved.image,
        "essential": True,
        "environment": [{"name": k, "value": v} for k, v in sorted(service.environment.items())],
        "secrets": [
            {"name": k, "valueFrom": f"{resolved.env_secret_arn}:{k}::"} for k in sorted(service.secret_environment)
        ]
        + [{"name": k, "valueFrom": resolved.secret_refs[k]} for k in sorted(service.secret_refs)],
        "portMappings": [
            {
                "name": port_name(port, protocol),
                "containerPort": port,
                "protocol": protocol,
                **(
                    {"appProtocol": service.app_protocols[port]}
                    if protocol == "tcp" and port in service.app_protocols
                    else {}
                ),
            }
            for port, protocol in service.container_ports
            if protocol in ("tcp", "udp")
        ],
        "mountPoints": _mount_points(service),
        "logConfiguration": _logs(resolved, service.name),
        "dockerLabels": dict(sorted(service.labels.items())),
        **(
            {"repositoryCredentials": {"credentialsParameter": service.pull_credentials}}
            if service.pull_credentials
            else {}
        ),
    }
    for key, value in (("command", service.command), ("entryPoint", service.entrypoint)):
        if value is not None:
            app[key] = shlex.split(value) if isinstance(value, str) else list(value)
    runtime = service.runtime
    optional = {
        "user": runtime.user,
        "workingDirectory": runtime.working_dir,
        "stopTimeout": runtime.stop_timeout,
        "memoryReservation": runtime.memory_reservation,
    }
    app.update({k: v for k, v in optional.items() if v is not None})
    if runtime.capacity != "fargate" and runtime.memory_reservation is None:
        app["memoryReservation"] = runtime.memory or EC2_MEMORY_RESERVATION  # EC2 tasks have no task-level size
    if runtime.capacity != "fargate" and runtime.scaling and runtime.scaling.metric == "cpu":
        app["cpu"] = EC2_CPU_RESERVATION  # what ECS measures the service's CPU utilization against
    if runtime.read_only:
        app["readonlyRootFilesystem"] = True
    linux: dict[str, Any] = {}
    if runtime.init:
        linux["initProcessEnabled"] = True
    if runtime.cap_drop:
        linux["capabilities"] = {"drop": list(runtime.cap_drop)}
    if linux:
        app["linuxParameters"] = linux
    if runtime.ulimits:
        app["ulimits"] = [{"name": u.name, "softLimit": u.soft, "hardLimit": u.hard} for u in runtime.ulimits]
    if runtime.healthcheck:
        check = runtime.healthcheck
        app["healthCheck"] = {
            "command": list(check.command),
            "interval": check.interval,
            "timeout": check.timeout,
            "retries": check.retries,
            "startPeriod": check.start_period,
        }
    if runtime.gpus:
        app["resourceRequirements"] = [{"type": "GPU", "value": str(runtime.gpus)}]
    if not service.files:
        return [app]
    app["dependsOn"] = [{"containerName": FILES_INIT_NAME, "condition": "SUCCESS"}]
    return [files_init(service, resolved), app]


def files_init(service: PlannedService, resolved: Resolved) -> dict[str, Any]:
    """A container that receives each value through ECS `secrets` and writes it as a file, then exits."""
    script, secrets = ["set -e"], []
    for index, file in enumerate(service.files):
        variable = f"COMPOSE_FILE_{index}"
        secrets.append({"name": variable, "valueFrom": resolved.file_sources[file.store_key]})
        script.extend(_write_file(file, variable))
    return {
        "name": FILES_INIT_NAME,
        "image": FILES_INIT_IMAGE,
        "essential": False,
        "command": ["sh", "-c", "\n".join(script)],
        "secrets": secrets,
        "mountPoints": [
            {"sourceVolume": file_volume(d, service.file_dirs), "containerPath": d, "readOnly": False}
            for d in service.file_dirs
        ],
        "logConfiguration": _logs(resolved, FILES_INIT_NAME),
    }


def _write_file(file: ServiceFile, variable: str) -> list[str]:
    target = shlex.quote(file.target)
    mode = file.mode if file.mode is not None else DEFAULT_FILE_MODE
    lines = [f'printf "%s" "${variable}" > {target}', f"chmod {mode:o} {target}"]
    if file.uid is not None or file.gid is not None:
        lines.append(f"chown {shlex.quote(file.uid or '0')}:{shlex.quote(file.gid or '0')} {target}")
    return lines


def _mount_points(service: PlannedService) -> list[dict[str, Any]]:
    points = [
        {"sourceVolume": _volume_name(m.kind, m.volume), "containerPath": m.target, "readOnly": m.read_only}
        for m in service.mounts
    ]
    points += [
        {"sourceVolume": file_volume(d, service.file_dirs), "containerPath": d, "readOnly": True}
        for d in service.file_dirs
    ]
    return points


def _volume_name(kind: str, volume: str) -> str:
    return f"efs-{volume}" if kind == "efs" else volume


def task_volumes(
    service: PlannedService, efs: dict[str, tuple[pulumi.Input[str], pulumi.Input[str]]]
) -> list[aws.ecs.TaskDefinitionVolumeArgsDict]:
    """Pulumi `volumes` input: EFS volumes ({volume: (file system id, access point id)}) and task scratch."""
    volumes: list[aws.ecs.TaskDefinitionVolumeArgsDict] = []
    for mount in service.mounts:
        if mount.kind == "efs":
            file_system, access_point = efs[mount.volume]
            volumes.append(
                {
                    "name": _volume_name("efs", mount.volume),
                    "efs_volume_configuration": {
                        "file_system_id": file_system,
                        "transit_encryption": "ENABLED",
                        "authorization_config": {"access_point_id": access_point, "iam": "DISABLED"},
                    },
                }
            )
        else:
            volumes.append({"name": mount.volume})
    volumes += [{"name": file_volume(d, service.file_dirs)} for d in service.file_dirs]
    unique = {str(v["name"]): v for v in volumes}  # one volume may be mounted at several paths
    return [unique[name] for name in sorted(unique)]


def _logs(resolved: Resolved, prefix: str) -> dict[str, Any]:
    return {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": resolved.log_group,
            "awslogs-region": resolved.region,
            "awslogs-stream-prefix": prefix,
        },
    }
