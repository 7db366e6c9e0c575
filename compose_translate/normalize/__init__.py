"""Stage 2: the merged document -> a validated, typed `Project`.

Every problem is collected in one pass and raised together; unknown keys are
errors (with a "did you mean"), except `x-*` extensions. One module per attribute family
(context, resources, models, services, build, deploy, healthcheck, environment, ports, references),
as compose-go's `transform/` has one file per attribute.
"""

from __future__ import annotations

from typing import Any

from compose_translate.errors import KeyPath, NumericKeyLoc
from compose_translate.load import LoadedDocument
from compose_translate.normalize.context import _RESOURCE_NAME, TOP_LEVEL, _Ctx, _short
from compose_translate.normalize.models import _model
from compose_translate.normalize.project import Project
from compose_translate.normalize.resources import _resources
from compose_translate.normalize.services import PULL_CREDENTIALS, _service, binding_prefix
from compose_translate.yaml_source import YMap

__all__ = ["PULL_CREDENTIALS", "binding_prefix", "normalize"]


def normalize(loaded: LoadedDocument) -> Project:
    """The merged document as a typed Project: every section checked against the Compose spec, all errors reported
    together."""
    ctx = _Ctx(loaded)
    doc = loaded.document
    top = KeyPath()
    ctx.unknown_keys(doc, TOP_LEVEL, top, "the top level of a Compose file")
    if "version" in doc:
        ctx.warn(
            "`version` is obsolete and ignored",
            top.key("version", doc),
            hint="remove the line; Compose ignores it too",
        )
    sections: dict[str, dict[Any, Any]] = {}
    for section in ("services", "models", "networks", "volumes", "secrets", "configs"):
        value = doc.get(section)
        if value is None:
            sections[section] = YMap()
        elif not isinstance(value, dict):
            ctx.error(f"expected a mapping of names to definitions, got {_short(value)}", top.key(section, doc))
            sections[section] = YMap()
        else:
            sections[section] = value
            for name in value:
                if not _RESOURCE_NAME.match(str(name)):
                    ctx.error(
                        f'invalid name "{name}"',
                        top.key(section, doc).key(name, value),
                        hint="names may contain letters, digits, '.', '_' and '-'",
                    )
    resources = {s: _resources(ctx, s, sections[s]) for s in ("secrets", "configs", "volumes", "networks")}
    models = {
        k: m
        for k, m in ((k, _model(ctx, k, v, sections["models"])) for k, v in sections["models"].items())
        if m is not None
    }
    services = {}
    for name, raw in sections["services"].items():
        where_name = top.key("services").key(name, sections["services"])
        if not isinstance(name, str) or isinstance(where_name.loc, NumericKeyLoc):  # `123:`: compose-go refuses it
            ctx.error(f"service name {name} is a number, not a string", where_name, hint=f'quote it: "{name}":')
            continue
        service = _service(ctx, str(name), raw, sections, models, top.key("services").key(name, sections["services"]))
        if service is not None:
            services[str(name)] = service
    ctx.report.raise_if_errors()
    return Project(
        name=loaded.name,
        project_dir=str(loaded.project_dir),
        files=tuple(map(str, loaded.files)),
        services=dict(sorted(services.items())),
        models=dict(sorted(models.items())),
        profiles=loaded.profiles,
        declared_profiles=loaded.declared_profiles,
        **{k: dict(sorted(v.items())) for k, v in resources.items()},
    )
