"""What happens to every attribute of a Compose service: the one table that says so.

`kind` drives type validation; `status` says whether the plan carries the
attribute to the cloud (`mapped`), drops it with a warning (`warned`), or refuses
the file (`rejected`, only when the value is set to something that cannot be
honoured). `docs/compatibility.md` is generated from this table.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any, Callable


@dataclass(frozen=True)
class Attribute:
    kind: str
    status: str  # mapped | warned | rejected
    reason: str
    harmless: Callable[[Any], bool] | None = None  # values that need no warning or error


def _falsy(value: Any) -> bool:
    return value in (False, "false", None, 0, "0", "")


RETRIES_WITHOUT_A_COUNT = 3  # `on-failure` alone: Docker retries without end, a deploy cannot


def job_attempts(restart: Any) -> int | None:
    """How many times a service that finishes is run: `no` once, `on-failure[:N]` up to N + 1 times
    (without N, RETRIES_WITHOUT_A_COUNT retries); None for a service that runs continuously."""
    match = re.fullmatch(r"(no|on-failure)(?::(\d{1,3}))?", str(restart).strip("'\""))
    if match is None or (match.group(1) == "no" and match.group(2)):
        return None
    if match.group(1) == "no":
        return 1
    return 1 + (int(match.group(2)) if match.group(2) else RETRIES_WITHOUT_A_COUNT)


def _is(*allowed: str) -> Callable[[Any], bool]:
    return lambda value: value is None or str(value) in allowed


M, W, R = "mapped", "warned", "rejected"
# Docker's ECS integration's autoscaling extension, under `deploy:` (or on the service itself)
AUTOSCALING = "x-aws-autoscaling"
_LATER = "not carried by the plan yet (a later release maps it); the container runs without it"

SERVICE_ATTRIBUTES: dict[str, Attribute] = {
    "annotations": Attribute("list_or_dict", W, "ECS has no container annotations; use labels for resource tags"),
    "attach": Attribute("boolean", W, "log attachment is a local CLI concern; logs go to CloudWatch", _falsy),
    "blkio_config": Attribute("mapping", W, "Fargate does not expose block IO weights or limits"),
    "build": Attribute(
        "build", M, "built (context, dockerfile, target, args, platforms) and pushed to an ECR repository of its own"
    ),
    "cap_add": Attribute("list_of_strings", W, "Fargate only allows adding SYS_PTRACE"),
    "cap_drop": Attribute("list_of_strings", M, "kept as Linux capabilities to drop"),
    "cgroup": Attribute("string", R, "tasks cannot join the host's cgroup namespace", _is("private")),
    "cgroup_parent": Attribute("string", W, "cgroup placement is managed by ECS"),
    "command": Attribute("command", M, "the container command"),
    "configs": Attribute(
        "service_refs",
        M,
        "stored as SSM SecureString parameters and written at the target path "
        "by an init container (the target's directory is a task volume); a "
        "target at the root (`/name`, the short syntax's default) is copied "
        "into an image derived from the service's",
    ),
    "container_name": Attribute(
        "string", W, "ECS names tasks itself; other services still reach this one by its service name"
    ),
    "cpu_count": Attribute("integer", W, "use deploy.resources.limits.cpus to size the task"),
    "cpu_percent": Attribute("integer", W, "use deploy.resources.limits.cpus to size the task"),
    "cpu_period": Attribute("number", W, "CFS tuning is not available on Fargate"),
    "cpu_quota": Attribute("number", W, "CFS tuning is not available on Fargate"),
    "cpu_rt_period": Attribute("number", W, "real-time scheduling is not available on Fargate"),
    "cpu_rt_runtime": Attribute("number", W, "real-time scheduling is not available on Fargate"),
    "cpu_shares": Attribute("number", W, "use deploy.resources.limits.cpus to size the task"),
    "cpus": Attribute("number", M, "sizes the task like deploy.resources.limits.cpus"),
    "cpuset": Attribute("string", W, "CPU pinning is not available on Fargate"),
    "credential_spec": Attribute("mapping", R, "Windows gMSA credential specs are not supported"),
    "depends_on": Attribute("depends_on", M, "deployment ordering between services"),
    "deploy": Attribute(
        "deploy",
        M,
        "replicas -> task count; resources -> the nearest valid Fargate size (a warning "
        "when rounded up); x-aws-autoscaling {min, max, cpu|mem} -> Application Auto "
        "Scaling target tracking; other deploy keys are ignored with a warning",
    ),
    "develop": Attribute("mapping", W, "watch mode is a local development feature", lambda v: not v),
    "device_cgroup_rules": Attribute("list_of_strings", R, "device access is not available on Fargate"),
    "devices": Attribute("list", R, "host devices cannot be mapped into cloud tasks; use `gpus:` for GPUs"),
    "dns": Attribute("string_or_list", W, "tasks use the VPC resolver"),
    "dns_opt": Attribute("list_of_strings", W, "tasks use the VPC resolver"),
    "dns_search": Attribute("string_or_list", W, "tasks use the VPC resolver"),
    "domainname": Attribute("string", W, "not settable in awsvpc network mode"),
    "entrypoint": Attribute("command", M, "the container entrypoint"),
    "env_file": Attribute("env_file", M, "read at plan time into the container environment"),
    "environment": Attribute(
        "list_or_dict",
        M,
        "the container environment; credential-like names (*KEY*, *TOKEN*, "
        "*SECRET*, *PASSWORD*) are stored in Secrets Manager",
    ),
    "expose": Attribute("list", M, "reachable by other services at <service>:<port>"),
    "extends": Attribute("extends", M, "resolved while loading"),
    "external_links": Attribute("list_of_strings", W, "containers outside the project do not exist in the cloud"),
    "extra_hosts": Attribute(
        "list_or_dict", W, "Fargate tasks (awsvpc networking) cannot add /etc/hosts entries; use DNS names"
    ),
    "gpus": Attribute("any", M, "runs the service on GPU capacity"),
    "group_add": Attribute("list", W, "supplementary groups are not settable on Fargate"),
    "healthcheck": Attribute(
        "mapping", M, "the ECS container health check; values outside ECS's limits are clamped with a warning"
    ),
    "hostname": Attribute("string", W, "not settable in awsvpc network mode; the service name still resolves"),
    "image": Attribute("string", M, "the container image"),
    "init": Attribute("boolean", M, "runs an init process in the container"),
    "ipc": Attribute("string", R, "tasks cannot share IPC namespaces", _is("private", "none")),
    "isolation": Attribute("string", W, "Linux tasks have one isolation mode", _is("default")),
    "label_file": Attribute("string_or_list", M, "read at plan time into labels"),
    "labels": Attribute("list_or_dict", M, "container (Docker) labels"),
    "links": Attribute("list_of_strings", W, "every service already reaches every other by its name"),
    "logging": Attribute("mapping", W, "logs always go to CloudWatch Logs"),
    "mac_address": Attribute("string", W, "MAC addresses are assigned by the VPC"),
    "mem_limit": Attribute("bytes", M, "sizes the task like deploy.resources.limits.memory"),
    "mem_reservation": Attribute("bytes", M, "the container's soft memory limit"),
    "mem_swappiness": Attribute("integer", W, "swap is not available on Fargate"),
    "memswap_limit": Attribute("bytes", W, "swap is not available on Fargate"),
    "models": Attribute("service_models", M, "model bindings: injected <MODEL>_URL / <MODEL>_MODEL variables"),
    "network_mode": Attribute(
        "string",
        R,
        "tasks use awsvpc networking; host, none and shared namespaces cannot be honoured",
        _is("bridge", "default"),
    ),
    "networks": Attribute("networks", M, "security groups: services talk to services on a shared network"),
    "oom_kill_disable": Attribute("boolean", W, "the OOM killer cannot be disabled on Fargate", _falsy),
    "oom_score_adj": Attribute("integer", W, "OOM scores are not settable on Fargate"),
    "pid": Attribute("string", R, "tasks cannot share the host's PID namespace"),
    "pids_limit": Attribute("integer", W, "PID limits are not settable on Fargate"),
    "platform": Attribute("string", M, "linux/arm64 runs on Graviton; linux/amd64 on x86"),
    "ports": Attribute(
        "ports",
        M,
        "HTTP ports -> an Application Load Balancer listener (HTTPS with a certificate), "
        "other TCP/UDP -> a Network Load Balancer; every port is reachable by service name",
    ),
    "post_start": Attribute("list", W, "lifecycle hooks do not exist on ECS; run the command from the entrypoint"),
    "pre_stop": Attribute("list", W, "lifecycle hooks do not exist on ECS; handle SIGTERM in the application"),
    "privileged": Attribute("boolean", R, "privileged containers are not allowed on Fargate", _falsy),
    "profiles": Attribute("list_of_strings", M, "selects the services that are deployed"),
    "provider": Attribute("mapping", M, "legacy model services become top-level models"),
    "pull_policy": Attribute("string", W, "ECS pulls the image on every task start"),
    "pull_refresh_after": Attribute("string", W, "ECS pulls the image on every task start"),
    "read_only": Attribute("boolean", M, "read-only root file system"),
    "restart": Attribute(
        "string",
        M,
        "always/unless-stopped: an ECS service; no/on-failure[:N]: a task run once per deploy that changes it",
    ),
    "runtime": Attribute("string", R, "the container runtime is chosen by ECS", _is("runc")),
    "scale": Attribute("integer", M, "the number of tasks, like deploy.replicas"),
    "secrets": Attribute(
        "service_refs",
        M,
        "stored in Secrets Manager and written to /run/secrets/<name> by an init "
        "container; values never appear in plain text",
    ),
    "security_opt": Attribute("list_of_strings", W, "security options are not settable on Fargate"),
    "shm_size": Attribute("bytes", W, "/dev/shm size is not settable on Fargate"),
    "stdin_open": Attribute("boolean", W, "cloud tasks have no interactive stdin", _falsy),
    "stop_grace_period": Attribute("duration", M, "ECS stop timeout (at most 120 s on Fargate)"),
    "stop_signal": Attribute("string", W, "ECS sends SIGTERM; set STOPSIGNAL in the image instead"),
    "storage_opt": Attribute("mapping", W, "storage driver options are not settable on Fargate"),
    "sysctls": Attribute("list_or_dict", W, "only a few namespaced sysctls are allowed on Fargate"),
    "tmpfs": Attribute(
        "string_or_list",
        M,
        "an empty task-scoped volume (Fargate has no tmpfs: it lives on the task's disk, not in memory)",
    ),
    "tty": Attribute("boolean", W, "cloud tasks have no terminal", _falsy),
    "ulimits": Attribute("mapping", M, "container ulimits"),
    "use_api_socket": Attribute(
        "boolean",
        W,
        "there is no Docker API socket in the cloud; a service that "
        "starts containers (e.g. an MCP gateway) cannot do so there",
        _falsy,
    ),
    "user": Attribute("string", M, "the container user"),
    "userns_mode": Attribute("string", R, "user namespaces are not configurable on Fargate"),
    "uts": Attribute("string", R, "tasks cannot share the host's UTS namespace"),
    "volumes": Attribute(
        "list",
        M,
        "named volumes -> EFS file systems; anonymous volumes -> task storage; bind "
        "mounts cannot leave the laptop (warning)",
    ),
    "volumes_from": Attribute(
        "list_of_strings", R, "tasks cannot mount another service's volumes; use a shared named volume"
    ),
    "working_dir": Attribute("string", M, "the container working directory"),
}

MODEL_ATTRIBUTES = {
    "model": "the model reference (required)",
    "name": "a display name; the binding variables still use the model's key",
    "image": "legacy spelling of `model` (accepted with a warning)",
    "context_size": "the inference engine's context size",
    "runtime_flags": "extra flags for the inference engine",
    "labels": "`cloud.*` labels place the model; others become resource tags",
}


def status_of(key: str, value: Any) -> Attribute | None:
    """The attribute's entry, or None when its value is harmless enough to need no note."""
    attribute = SERVICE_ATTRIBUTES[key]
    if attribute.status != M and attribute.harmless is not None and attribute.harmless(value):
        return None
    return attribute


# Where compose-cloud deliberately reads or delivers Compose differently from Docker Compose, and why
# (tests/translate/conformance/ asserts each one; `compose-cloud config` shows the result).
DIFFERENCES = (
    (
        "error messages",
        "a message never shows a value taken from the runner's environment (a pull request is "
        "untrusted): `${X:?need ${Y}}` says `need [secret]` where compose-go prints Y's value",
    ),
    (
        "`compose-cloud config`",
        "values from the runner's environment print as `${NAME}`, credential-like values as [secret] (a comment "
        "line says so); `--no-interpolate` prints the merged files with variables as written but not "
        "normalized (short syntax stays short): types are checked once values are known",
    ),
    (
        "network aliases",
        "not carried: ECS Service Connect names each service by its Compose name only, so `config` lists a "
        "service's networks without aliases",
    ),
    (
        "services that finish",
        '`restart: "no"` and `on-failure[:N]` run once per deploy that changes them (an ECS task), where '
        "docker compose runs them once per `up`",
    ),
    (
        "ports without a host port",
        '`ports: ["8000"]` on two services is valid Compose (random host ports): '
        "the first keeps 8000 on the load balancer, the others get free ports from "
        "32768, with a warning naming each",
    ),
    (
        "configs at the root",
        "`configs: [name]` targets `/name`, where no volume can hold a file: the file is "
        "copied into an image derived from the service's (an external config cannot be, and "
        "a secret at the root is refused rather than put in an image)",
    ),
    ("numbers", "a number of more than 30 digits is refused at its line instead of being parsed"),
)
