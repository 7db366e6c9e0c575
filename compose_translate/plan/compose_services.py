"""One Compose service as the plan runs it: image, command, environment, bindings, ports, files, mounts and runtime."""

from __future__ import annotations

from pathlib import Path

from compose_translate.compat import job_attempts, status_of
from compose_translate.errors import Report
from compose_translate.normalize.project import Project, Service
from compose_translate.plan.deployment import relative_path
from compose_translate.plan.exposure import (
    TASKS_PER_SERVICE,
    Listener,
    app_protocols,
    container_ports,
    listeners,
)
from compose_translate.plan.files import service_files
from compose_translate.plan.planned_service import Job, PlannedBinding, PlannedService
from compose_translate.plan.runtime import Runtime, plan_runtime
from compose_translate.plan.storage import (
    service_mounts,
)
from compose_translate.plan.synthetic import CLIENT_NETWORKS, MODELS_NETWORK
from compose_translate.sensitive import split_environment


def plan_service(
    service: Service,
    project: Project,
    gateway_url: str | None,
    certificate: bool,
    inferred: set[int],
    addressed: set[int],
    report: Report,
) -> PlannedService:
    """One Compose service as an ECS service: environment with the model variables injected, ports, listeners,
    mounts, files, runtime and the notes on what the cloud does differently."""
    _attribute_notes(service, report)
    environment = _environment(service, project, gateway_url, report)
    _volume_and_dependency_notes(service, project, report)
    ports = container_ports(service, inferred)
    for port, protocol in ports:
        if protocol != "tcp":
            report.warn(
                f"{protocol.upper()} port {port} is not reachable by name from other services: ECS Service "
                "Connect carries TCP only",
                service.where("ports"),
            )
    for network in sorted(set(service.networks) & set(CLIENT_NETWORKS)):
        report.error(
            f'the network name "{network}" is reserved for the model gateway',
            service.where("networks"),
            hint="rename the network",
        )
    runtime = plan_runtime(service, report)
    if runtime.replicas > TASKS_PER_SERVICE:
        report.error(
            f"{runtime.replicas} replicas; an ECS service runs at most {TASKS_PER_SERVICE:,} tasks",
            service.where("deploy", "replicas").at(service.key_locs.get("deploy", service.key_locs.get("scale"))),
            hint=f"use at most {TASKS_PER_SERVICE:,} replicas",
        )
    plain, secret, shown = split_environment(environment, report.sensitive_values)
    files, file_dirs, baked = service_files(service, report)
    for file in baked:
        stored = project.configs.get(file.source)
        if stored is not None and stored.spec.get("external") not in (None, False):
            report.error(
                f'config "{file.source}" targets {file.target}, at the root of the file system, and is '
                "external: its content is not known to build it into the image",
                service.where("configs"),
                hint=f"give it a target in a directory, e.g. target: /etc/{service.name}/{file.source}",
            )
    # the platforms go to the image build (runtime.architecture); the rest is what the build takes
    build = (
        service.build.model_copy(update={"extra": {k: v for k, v in service.build.extra.items() if k != "platforms"}})
        if service.build
        else None
    )
    published = listeners(service, certificate, report)
    tcp_ports = {port for port, protocol in ports if protocol == "tcp"}
    job = _job(service, published, runtime, report)
    return PlannedService(
        name=service.name,
        image=service.image,
        build=build,
        command=service.command,
        entrypoint=service.entrypoint,
        environment=dict(sorted(plain.items())),
        secret_environment=dict(sorted(secret.items())),
        secret_shown=dict(sorted(shown.items())),
        models={b.model: PlannedBinding(endpoint_var=b.endpoint_var, model_var=b.model_var) for b in service.bindings},
        container_ports=ports,
        listeners=published,
        app_protocols={p: v for p, v in app_protocols(service, published, addressed).items() if p in tcp_ports},
        depends_on=service.depends_on,
        files=files,
        file_dirs=file_dirs,
        baked_files=baked,
        mounts=service_mounts(service, runtime.tmpfs, report),
        networks=tuple(sorted(service.networks + ((MODELS_NETWORK,) if service.bindings and gateway_url else ()))),
        labels=service.labels,
        pull_credentials=service.pull_credentials,
        runtime=runtime,
        job=job,
    )


def _job(service: Service, published: tuple[Listener, ...], runtime: Runtime, report: Report) -> Job | None:
    """`restart: "no"` or `on-failure[:N]` mark a service that finishes (an agent run, an importer): it
    runs once per deploy that changes it, not as an ECS service restarted without end."""
    restart = service.settings.get("restart")
    attempts = job_attempts(restart) if restart is not None else None
    where = service.where("restart")
    if attempts is None:
        if restart is not None and str(restart) not in ("always", "unless-stopped"):
            report.warn(
                f"restart: {str(restart)[:40]} is not a restart policy; {service.name} runs continuously",
                where,
                hint='use "no", always, on-failure[:N] or unless-stopped',
            )
        return None
    if str(restart).strip() == "on-failure":
        report.warn(
            f"restart: on-failure retries without end in Docker; a deploy runs {service.name} at most {attempts} times",
            where,
            hint="write on-failure:N to choose the number of retries",
        )
    if published:
        report.error(
            f"{service.name} runs once (restart: {restart}) and also publishes ports: nothing would answer them "
            "once it finishes",
            where,
            hint='remove `ports:`, or let it run continuously (restart: "always")',
        )
    if runtime.scaling:
        report.error(
            f"{service.name} runs once (restart: {restart}) and also autoscales",
            where,
            hint="remove the autoscaling settings, or let it run continuously",
        )
    return Job(attempts=attempts)


def _environment(service: Service, project: Project, gateway_url: str | None, report: Report) -> dict[str, str]:
    """The service's environment with each binding's `<NAME>_URL` / `<NAME>_MODEL`, as Docker Compose
    injects them: a binding wins over `environment:`, and the first model by name over a later one."""
    environment = dict(service.environment)
    written: dict[str, tuple[str, str]] = {}  # variable -> (model key, value)
    for binding in service.bindings:  # sorted by model key: the first writer of a variable wins
        model = project.models[binding.model]
        for var, value in ((binding.endpoint_var, gateway_url or ""), (binding.model_var, model.model)):
            if var in written and written[var][0] == binding.model:
                # Docker Compose writes the model name after the URL, so it wins within one binding.
                report.warn(
                    f'the binding of model "{binding.model}" uses {var} for both the URL and the model '
                    "name; it receives the model name, as in Docker Compose",
                    service.where("models", binding.model).at(binding.loc),
                    hint="set endpoint_var and model_var to different names",
                )
            elif var in written:
                if written[var][1] != value:
                    report.warn(
                        f'models "{written[var][0]}" and "{binding.model}" both set {var}; '
                        f'"{written[var][0]}" wins (first by name)',
                        service.where("models", binding.model).at(binding.loc),
                        hint="give each binding its own model_var",
                    )
                continue
            written[var] = (binding.model, value)
            if var in environment and environment[var] != value:
                report.warn(
                    f"{var} is set in the service's environment and by the binding of model "
                    f'"{binding.model}"; the binding wins, as in Docker Compose',
                    service.where("environment", var),
                    hint=f"remove {var} from `environment:` or rename the binding's variable",
                )
    environment.update({var: value for var, (_, value) in written.items()})
    return environment


def _volume_and_dependency_notes(service: Service, project: Project, report: Report) -> None:
    """What the cloud cannot carry over from volumes and depends_on, said once per service."""
    for mount in service.volumes:
        if mount.type == "bind":
            source = relative_path(mount.source, Path(project.project_dir)) if mount.source else "?"
            report.warn(
                f"bind mount of {source} cannot be taken to the cloud; the container sees an empty {mount.target}",
                service.where("volumes"),
                hint="copy the files into the image at build time, or use a named volume",
            )
        elif mount.type in ("image", "npipe", "cluster"):
            report.warn(
                f"{mount.type} mount at {mount.target} is not supported on ECS and is skipped",
                service.where("volumes"),
            )
    for name, spec in service.depends_on.items():
        target = project.services.get(name)
        runs_once = target is not None and job_attempts(target.settings.get("restart", "always")) is not None
        if spec.condition == "service_completed_successfully" and not runs_once:
            report.warn(
                f'waits for "{name}" to complete, but {name} runs continuously (its restart policy); it is '
                "started first",
                service.where("depends_on", name),
                hint=f'give {name} `restart: "no"` (or on-failure:N) to run it once before {service.name}',
            )


def _attribute_notes(service: Service, report: Report) -> None:
    """Each warned or rejected attribute of the compatibility table becomes a diagnostic."""
    for key, value in service.unmapped.items():
        attribute = status_of(key, value)
        if attribute is None:
            continue
        where = service.where(key)
        if attribute.status == "rejected":
            report.error(
                f"cannot be deployed: {attribute.reason}",
                where,
                hint=f"remove `{key}` from the service (or move it to a local-only override file)",
            )
        else:
            report.warn(f"ignored in the cloud: {attribute.reason}", where)
