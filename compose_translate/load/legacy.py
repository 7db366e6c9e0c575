"""Compose 2.35-2.37's `provider: {type: model}` services, read as the top-level models they stand for."""

from __future__ import annotations

from typing import Any

from compose_translate.errors import KeyPath, Loc, Report, fail
from compose_translate.yaml_source import YList, YMap


def convert_provider_services(document: YMap, report: Report) -> None:
    """`provider: {type: model, options: {model: X}}` services become top-level models.

    Services that depended on them get a short-syntax binding, which is what
    Compose 2.35-2.37 injected (`<SERVICE>_URL` / `<SERVICE>_MODEL`).
    """
    services = document.get("services")
    if not isinstance(services, YMap):
        return
    converted: list[str] = []
    for name, service in list(services.items()):
        provider = service.get("provider") if isinstance(service, dict) else None
        if not isinstance(provider, dict):
            continue
        service_where = KeyPath("services").key(name)
        where = service_where.key("provider", service)
        loc = where.loc
        if provider.get("type") != "model":
            raise fail(
                f'provider type "{provider.get("type")}" is not supported in the cloud',
                where.key("type"),
                hint="only `type: model` (the legacy spelling of a model) can be deployed",
            )
        options: dict[str, Any] = provider["options"] if isinstance(provider.get("options"), dict) else {}
        if not isinstance(options.get("model"), str):
            raise fail(
                "a model provider needs options.model",
                where.key("options").key("model"),
                hint="for example `options: {model: ai/smollm2}`",
            )
        models = document.get("models")
        if not isinstance(models, YMap):
            models = YMap(loc=loc)
            document["models"] = models
        if name in models:
            raise fail(f'"{name}" is both a provider service and a top-level model', service_where.at(loc))
        definition = YMap({"model": options["model"]}, loc=loc, key_locs={"model": loc})
        for key in ("context-size", "context_size"):
            if key in options:
                definition["context_size"] = options[key]
                definition.key_locs["context_size"] = loc
        models[name] = definition
        models.key_locs[name] = loc
        del services[name]
        converted.append(name)
        report.warn(
            "the `provider: {type: model}` service form is legacy (Compose 2.35-2.37); "
            "it is deployed as the top-level model of the same name",
            where,
            hint=f"declare `models: {{{name}: {{model: {options['model']}}}}}` and bind it with "
            f"`models: [{name}]` on the services that use it",
        )
    for name in converted:
        for service in services.values():
            depends = service.get("depends_on") if isinstance(service, dict) else None
            if isinstance(depends, YList) and name in depends:
                index = depends.index(name)
                dep_loc = depends.loc_of(index)
                del depends[index]
                del depends.item_locs[index]
            elif isinstance(depends, dict) and name in depends:
                dep_loc = depends.loc_of(name) if isinstance(depends, YMap) else None
                del depends[name]
            else:
                continue
            if not depends:
                del service["depends_on"]
            _bind_legacy(service, name, dep_loc)


def _bind_legacy(service: YMap, model: str, loc: Loc | None) -> None:
    bindings = service.get("models")
    if bindings is None:
        bindings = YMap(loc=loc)
        service["models"] = bindings
        service.key_locs["models"] = loc
    if isinstance(bindings, YList):
        if model not in bindings:
            bindings.append(model)
            bindings.item_locs.append(loc)
    elif isinstance(bindings, dict):
        bindings.setdefault(model, None)
        if isinstance(bindings, YMap):
            bindings.key_locs.setdefault(model, loc)
