"""Secrets, configs and credential-like variables: where each value is stored and where it appears.

Under Docker Compose a secret is a file at /run/secrets/<name> and a config a file at its
target path. In the cloud the values live in AWS (Secrets Manager for secrets and
credential-like environment variables, SSM parameters for configs); a short-lived init
container writes them into task-scoped volumes mounted at the same directories, so the
application's files and image stay unchanged. Values are pydantic `SecretStr`: they
never appear in a printed plan.
"""

from __future__ import annotations

import posixpath

from pydantic import SecretStr, field_serializer

from compose_translate.errors import Report
from compose_translate.frozen import Frozen
from compose_translate.normalize.project import FileRef, Project, Resource, Service
from compose_translate.sensitive import REDACTED

SECRETS_DIR = "/run/secrets"
# SSM parameter tiers by size (bytes); larger configs go to Secrets Manager (64 KiB).
SSM_STANDARD_MAX = 4096
SSM_ADVANCED_MAX = 8192
SECRETS_MANAGER_MAX = 65536


class StoredValue(Frozen):
    """One top-level secret or config as stored in AWS."""

    name: str
    kind: str  # secret | config
    source: str  # file | environment | content | external
    store: str  # secretsmanager | ssm | ssm-advanced
    external_name: str | None  # `external: true`: an existing Secrets Manager secret / SSM parameter
    value: SecretStr | None  # None: not available now (external, or missing until deploy time)
    used_by: tuple[str, ...]

    @field_serializer("value")
    def _hide(self, value: SecretStr | None) -> str | None:
        return REDACTED if value is not None else None


def store_key(kind: str, name: str) -> str:
    """How a service's file names the stored value it is written from: "secret:<name>" / "config:<name>"."""
    return f"{kind}:{name}"


class ServiceFile(Frozen):
    kind: str  # secret | config
    source: str
    target: str  # absolute path in the container
    uid: str | None
    gid: str | None
    mode: int | None

    @property
    def store_key(self) -> str:
        """Where the file's content is stored (its secret or parameter)."""
        return store_key(self.kind, self.source)


def stored_values(
    project: Project, report: Report, from_stack: tuple[str, ...] = ()
) -> dict[str, dict[str, StoredValue]]:
    """{"secrets": {...}, "configs": {...}} for the top-level entries some service uses.

    `from_stack` ("secret:<name>") are values the stack supplies as Pulumi secrets: used when the
    file or variable is absent (secret files are usually git-ignored, so CI does not have them).
    """
    used: dict[tuple[str, str], list[str]] = {}
    for service in project.services.values():
        for kind, refs in (("secrets", service.secrets), ("configs", service.configs)):
            for ref in refs:
                used.setdefault((kind, ref.source), []).append(service.name)
    result: dict[str, dict[str, StoredValue]] = {"secrets": {}, "configs": {}}
    for kind in ("secrets", "configs"):
        for name, resource in getattr(project, kind).items():
            if (kind, name) not in used:
                continue
            result[kind][name] = _stored(
                resource, kind, tuple(sorted(set(used[(kind, name)]))), report, store_key(kind[:-1], name) in from_stack
            )
    declared = {store_key(kind[:-1], name) for kind in ("secrets", "configs") for name in getattr(project, kind)}
    for key in from_stack:
        if key not in declared:
            kind, _, name = key.partition(":")
            report.warn(
                f'the stack sets a value for {kind} "{name}", which the Compose files do not declare; it is not used',
                f"config.compose-cloud:{kind}s.{name}",
                None,
                hint=f"remove it (`pulumi config rm compose-cloud:{kind}s.{name}`) or fix the name",
            )
    return result


def _stored(
    resource: Resource, kind: str, used_by: tuple[str, ...], report: Report, in_stack: bool = False
) -> StoredValue:
    spec = resource.spec
    source = next(k for k in ("file", "environment", "content", "external") if spec.get(k) not in (None, False))
    if resource.value is None and source in ("file", "environment"):
        if in_stack:
            source = "stack"
        else:
            _missing(resource, kind, source, report)
    size = len(resource.value.get_secret_value().encode()) if resource.value else 0
    if kind == "secrets":
        store = "secretsmanager"
    else:
        store = "ssm" if size <= SSM_STANDARD_MAX else "ssm-advanced" if size <= SSM_ADVANCED_MAX else "secretsmanager"
    if size > SECRETS_MANAGER_MAX:
        report.error(
            f"{kind[:-1]} is {size} bytes; AWS stores at most {SECRETS_MANAGER_MAX}",
            resource.where(),
            hint="ship large files in the image instead",
        )
    return StoredValue(
        name=resource.name,
        kind=kind[:-1],
        source=source,
        store=store,
        external_name=str(spec.get("name") or resource.name) if source == "external" else None,
        value=resource.value,
        used_by=used_by,
    )


def _missing(resource: Resource, kind: str, source: str, report: Report) -> None:
    """A deployment refuses to run without the value; the plan (a preview in CI) only warns."""
    what = resource.spec[source]
    config_key = f"compose-cloud:{kind}.{resource.name}"
    alternative = f"or set it in the stack: `pulumi config set --secret {config_key} ...`"
    if source == "file":
        message = f"{kind[:-1]} file not found: {what}; it must exist when you deploy"
        hint = f"create the file before `pulumi up` (its content is uploaded, never printed), {alternative}"
    else:
        message = f'{kind[:-1]} reads variable "{what}", which is not set; it must be set when you deploy'
        hint = f"set {what} in the environment or .env before `pulumi up`, {alternative}"
    report.warn(message, resource.where(source), hint=hint)


def service_files(
    service: Service, report: Report
) -> tuple[tuple[ServiceFile, ...], tuple[str, ...], tuple[ServiceFile, ...]]:
    """The files the init container writes, the directories mounted to hold them, and the files at
    the root of the file system (`configs: [name]` targets /name), which no volume can hold: those are
    baked into a derived image instead."""
    files: list[ServiceFile] = []
    for kind, refs in (("secret", service.secrets), ("config", service.configs)):
        for ref in refs:
            files.append(_file(kind, ref))
    directories: set[str] = set()
    baked: list[ServiceFile] = []
    for file in files:
        directory = posixpath.dirname(file.target)
        where = service.where(f"{file.kind}s")
        if directory == "/":
            if file.kind == "secret":  # an image layer is readable by anyone who can pull it
                report.error(
                    f'secret "{file.source}" targets {file.target}, at the root of the file system: a '
                    "task cannot mount a file there, and a secret is not baked into an image",
                    where,
                    hint=f"give it a target in a directory, e.g. target: /run/secrets/{file.source}",
                )
            else:
                baked.append(file)
            continue
        if directory != SECRETS_DIR and directory not in directories:
            report.warn(
                f"{directory} is mounted to hold {file.kind} {file.source}: files the image has in "
                f"{directory} are hidden in the cloud (if the application lives there, it will not start)",
                where,
                hint=f"give it a target in a directory of its own, e.g. "
                f"{directory.rstrip('/')}/config/{posixpath.basename(file.target)}",
            )
        directories.add(directory)
    return tuple(f for f in files if f not in baked), tuple(sorted(directories)), tuple(baked)


def _file(kind: str, ref: FileRef) -> ServiceFile:
    return ServiceFile(kind=kind, source=ref.source, target=ref.target, uid=ref.uid, gid=ref.gid, mode=ref.mode)
