"""`compose-cloud config`: the merged, interpolated, normalized project, like `docker compose config`.

It is what compose-cloud understood from the files, before any cloud decision: the interface the
Compose conformance suite (tests/translate/conformance/) is measured through. Secret and config contents are
never printed, nor environment values that look like credentials or came from sensitive sources.
"""

from __future__ import annotations

import json
import shlex
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel

from compose_translate.normalize.project import Deploy, Project, Resource, Service
from compose_translate.sensitive import REDACTED, is_sensitive


def listing(project: Project, kind: str) -> str:
    """`config --services` and its siblings (`kind`: services, volumes, profiles, images, models), one
    name per line as docker compose prints them."""
    if kind == "services":
        names = sorted(project.services)
    elif kind == "volumes":
        names = sorted(project.volumes)
    elif kind == "profiles":
        names = list(project.declared_profiles)
    elif kind == "images":  # a built service's default image name, as docker compose names it
        names = [s.image or f"{project.name}-{name}" for name, s in sorted(project.services.items())]
    else:
        names = sorted(project.models)
    return "".join(f"{n}\n" for n in names)


def project_dict(
    project: Project, sensitive_values: dict[str, str] | None = None, *, reveal: bool = False
) -> dict[str, Any]:
    """`reveal` (tests only) keeps credential-like environment values, to compare what was read."""
    hidden = None if reveal else tuple(sensitive_values or {})
    root = Path(project.project_dir)
    data: dict[str, Any] = {"name": project.name}
    data["services"] = {name: _service(s, root, hidden) for name, s in sorted(project.services.items())}
    if project.models:
        data["models"] = {
            key: _drop_empty(
                {
                    "model": m.model,
                    "context_size": m.context_size,
                    "runtime_flags": list(m.runtime_flags) or None,
                    "labels": dict(m.labels) or None,
                    **m.extensions,
                }
            )
            for key, m in sorted(project.models.items())
        }
    for kind in ("networks", "volumes", "secrets", "configs"):
        resources: dict[str, Resource] = getattr(project, kind)
        if resources:
            data[kind] = {name: _resource(r) for name, r in sorted(resources.items())}
    return data


def _service(service: Service, root: Path, hidden: tuple[str, ...] | None) -> dict[str, Any]:
    """One service as `docker compose config` prints it, with paths relative to the project and sensitive values
    hidden."""
    out: dict[str, Any] = {"image": service.image}
    if service.build:
        build = service.build
        out["build"] = _drop_empty(
            {
                "context": _relative(build.context, root),
                "dockerfile": build.dockerfile,
                "dockerfile_inline": build.dockerfile_inline,
                "target": build.target,
                "args": dict(build.args) or None,
                "platforms": list(build.platforms) or None,
                **build.extra,
            }
        )
    for key in ("command", "entrypoint"):
        value = getattr(service, key)
        if value is not None:  # a string is split as a shell would, as compose-go does (and ECS receives)
            out[key] = list(value) if isinstance(value, tuple) else _split(value)
    if service.environment:
        out["environment"] = {
            k: (REDACTED if hidden is not None and is_sensitive(k, v, hidden) else v)
            for k, v in sorted(service.environment.items())
        }
    if service.bindings:
        out["models"] = {b.model: {"endpoint_var": b.endpoint_var, "model_var": b.model_var} for b in service.bindings}
    if service.ports:
        out["ports"] = [_drop_empty(p.model_dump()) for p in service.ports]
    if service.expose:
        out["expose"] = [str(p) for p in service.expose]
    if service.depends_on:
        out["depends_on"] = {k: v.model_dump() for k, v in sorted(service.depends_on.items())}
    for kind in ("secrets", "configs"):
        refs = getattr(service, kind)
        if refs:
            out[kind] = [_drop_empty(r.model_dump()) for r in refs]
    if service.volumes:
        out["volumes"] = [
            _drop_empty(
                {**m.model_dump(), "source": _relative(m.source, root) if m.type == "bind" and m.source else m.source}
            )
            for m in service.volumes
        ]
    if service.networks:
        out["networks"] = list(service.networks)
    if service.labels:
        out["labels"] = dict(sorted(service.labels.items()))
    # the other attributes in name order, the typed ones among them as Compose writes them
    typed: dict[str, Any] = {}
    if service.deploy:
        typed["deploy"] = _deploy(service.deploy)
    if service.healthcheck:
        typed["healthcheck"] = _as_written(service.healthcheck)
    if service.gpus is not None:
        typed["gpus"] = service.gpus if isinstance(service.gpus, str) else [_as_written(d) for d in service.gpus]
    out.update(sorted({**service.settings, **typed}.items()))
    out.update(service.unmapped)
    return _drop_empty(out)


def _as_written(value: BaseModel) -> dict[str, Any]:
    """A typed section as Compose writes it: what was not written (a default) is not printed."""
    data: dict[str, Any] = value.model_dump(mode="json", by_alias=True, exclude_defaults=True)
    return data


def _deploy(deploy: Deploy) -> dict[str, Any]:
    data = _as_written(deploy)
    return {**{k: v for k, v in data.items() if k != "extensions"}, **deploy.extensions}


def _split(command: str) -> list[str] | str:
    try:
        return shlex.split(command)
    except ValueError:  # unbalanced quotes: shown as written
        return command


def _resource(resource: Resource) -> dict[str, Any]:
    spec = dict(resource.spec)
    if spec.get("content") is True:
        spec["content"] = REDACTED  # a config's inline content: shown as present, never printed
    return spec


def as_written(data: Any, root: Path) -> Any:
    """The document of `config --no-interpolate` with the paths the loader made absolute shown relative to
    the project again, as the interpolated project is shown (a container path is never under the project)."""
    if isinstance(data, dict):
        return {k: as_written(v, root) for k, v in data.items()}
    if isinstance(data, list):
        return [as_written(v, root) for v in data]
    if isinstance(data, str) and (data == str(root) or data.startswith(str(root) + "/")):
        relative = _relative(data, root) or "."
        return relative if relative == "." else f"./{relative}"  # `./`: a volume source stays a path
    return data


def _relative(path: str | None, root: Path) -> str | None:
    if path is None:
        return None
    try:
        return Path(path).relative_to(root).as_posix() or "."
    except ValueError:
        return path


def _drop_empty(values: dict[str, Any]) -> dict[str, Any]:
    return {k: v for k, v in values.items() if v is not None and v != {} and v != [] and v != ()}


def render(data: dict[str, Any], fmt: str) -> str:
    """YAML in the order the project keeps, or JSON."""
    if fmt == "json":
        return json.dumps(data, indent=2, sort_keys=False) + "\n"
    return yaml.safe_dump(data, sort_keys=False, default_flow_style=False, allow_unicode=True)
