"""Stage 1: files -> one merged Compose document.

Phases in order (see PIPELINE.md): environment, parse, interpolate, resolve
relative paths, include, merge the `-f` files, legacy `provider:` services,
extends, profiles. The result is still a plain located tree; `normalize` types it.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Mapping

from .envfiles import project_environment
from .errors import ComposeError, Loc, Report, fail
from .files import SECRET_NAME
from .interpolation import SensitiveEnvironment, interpolate_string, interpolate_tree
from .merge import _merge, merge_files, strip_tags
from .values import allow_reads_under, is_file, repository_root
from .yaml_source import YList, YMap, read_yaml, read_yaml_all

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_FILES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)
RESOURCE_SECTIONS = ("services", "models", "networks", "volumes", "secrets", "configs")
_REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)


@dataclass(frozen=True)
class LoadOptions:
    """What `docker compose` takes on its command line, plus the environment."""

    files: tuple[Path, ...] = ()
    project_name: str | None = None
    # Used when neither -p, COMPOSE_PROJECT_NAME nor `name:` names the project: the Pulumi project.
    # Without it the folder's name is taken, with a warning (a clone elsewhere would rename everything).
    default_name: str | None = None
    project_directory: Path | None = None
    profiles: tuple[str, ...] = ()
    env_files: tuple[Path, ...] = ()
    environ: Mapping[str, str] | None = None
    working_dir: Path | None = None


@dataclass
class LoadedDocument:
    """The merged document and the facts the later stages need about it."""

    document: YMap
    name: str
    project_dir: Path
    files: list[Path]
    environment: dict[str, str]
    profiles: tuple[str, ...]
    report: Report = field(default_factory=Report)


def find_default_files(directory: Path) -> list[Path]:
    for name in DEFAULT_FILES:
        if is_file(directory / name):
            files = [directory / name]
            override = next((directory / o for o in OVERRIDE_FILES if is_file(directory / o)), None)
            return files + ([override] if override else [])
    raise fail(f"no Compose file found in {directory}", hint=f"pass one with -f, or create {DEFAULT_FILES[0]}")


def load(options: LoadOptions, report: Report | None = None) -> LoadedDocument:
    report = report or Report()
    cwd = (options.working_dir or Path.cwd()).resolve()
    explicit_dir = (cwd / options.project_directory).resolve() if options.project_directory else None
    files = [(cwd / f).resolve() for f in options.files] or find_default_files(explicit_dir or cwd)
    project_dir = explicit_dir or files[0].parent
    allow_reads_under(repository_root(project_dir))
    environ = dict(os.environ if options.environ is None else options.environ)
    merged = project_environment(project_dir, [(cwd / f).resolve() for f in options.env_files], environ, report)
    named = {k: merged[k] for k in ("COMPOSE_PROJECT_NAME",) if k in merged}  # as the user set it
    parsed: dict[Path, list[YMap]] = {}  # each top-level file is parsed once, for the name and the load
    if "COMPOSE_PROJECT_NAME" not in merged:  # set for interpolation, as compose-go does
        merged["COMPOSE_PROJECT_NAME"] = _early_name(options, files, merged, project_dir, parsed)
    # credential-named variables and the runner's own environment are sensitive wherever they end up
    env = SensitiveEnvironment(merged, {k for k, v in merged.items() if SECRET_NAME.search(k) or environ.get(k) == v})

    # each parse is used once: a file given twice is read again (loading changes its documents in place)
    documents = [_load_file(path, env, report, seen=(), parsed=parsed.pop(path, None)) for path in files]
    document = merge_files(documents)
    _convert_provider_services(document, report)
    profiles = _active_profiles(options.profiles, env)
    _apply_profiles(document, profiles)
    name = _project_name(options.project_name, named, document, project_dir, options.default_name, report)
    return LoadedDocument(document, name, project_dir, files, env, profiles, report)


# include: nested at most this deep, and at most this many files loaded for one project (a file that
# includes the next one twice, ten times over, would otherwise load a thousand files).
MAX_INCLUDE_DEPTH, MAX_FILES_LOADED = 10, 100


def _load_file(
    path: Path, env: Mapping[str, str], report: Report, seen: tuple[Path, ...], parsed: list[YMap] | None = None
) -> YMap:
    """`parsed`: the file's documents when they were read already (never interpolated or merged)."""
    if path in seen:
        raise fail(f"include cycle: {' -> '.join(p.name for p in seen + (path,))}", loc=Loc(str(path), 1))
    if len(seen) > MAX_INCLUDE_DEPTH:
        raise fail(
            f"includes nest more than {MAX_INCLUDE_DEPTH} levels deep",
            "include",
            Loc(str(seen[-1]), 1),
            hint="flatten the includes",
        )
    report.files_loaded += 1
    if report.files_loaded > MAX_FILES_LOADED:
        raise fail(
            f"more than {MAX_FILES_LOADED} Compose files are loaded for this project",
            "include",
            Loc(str(seen[-1] if seen else path), 1),
            hint="include each file once",
        )
    raws = parsed if parsed is not None else read_yaml_all(path)
    if not raws:
        raise fail(
            f"empty compose file: {path.name}",
            loc=Loc(str(path), 1),
            hint="a Compose file needs at least `services:`; remove it from -f if it is not one",
        )
    # several documents in one file (`---`) merge in order, as compose-go merges them
    raw = raws[0] if len(raws) == 1 else merge_files(raws)
    document = interpolate_tree(raw, env, report)
    _resolve_paths(document, path.parent)
    # extends within this file first, with its !reset / !override, then the files merge (compose-go's order)
    _apply_extends(document, env, report, path)
    return _apply_includes(document, path, env, report, seen + (path,))


# -- relative paths ------------------------------------------------------------------------------


def _abs(base: Path, value: Any) -> Any:
    if not isinstance(value, str) or not value or _REMOTE.match(value):
        return value
    try:
        return str((base / os.path.expanduser(value)).resolve())
    except (OSError, ValueError, RuntimeError):  # a name the OS cannot resolve is kept for a later clear error
        return os.path.normpath(os.path.join(base, value))


def _resolve_paths(document: YMap, base: Path) -> None:
    """Paths are relative to the file that declares them (Compose spec); make them absolute now."""
    services = document.get("services")
    for service in services.values() if isinstance(services, dict) else ():
        if not isinstance(service, dict):
            continue
        build = service.get("build")
        if isinstance(build, str):
            service["build"] = _abs(base, build)
        elif isinstance(build, YMap) and isinstance(build.get("context", "."), str):
            build["context"] = _abs(base, build.get("context", "."))
            build.key_locs.setdefault("context", build.loc)
        for key in ("env_file", "label_file"):
            value = service.get(key)
            if isinstance(value, str):
                service[key] = _abs(base, value)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        value[i] = _abs(base, item)
                    elif isinstance(item, dict) and "path" in item:
                        item["path"] = _abs(base, item["path"])
        extends = service.get("extends")
        if isinstance(extends, dict) and isinstance(extends.get("file"), str):
            extends["file"] = _abs(base, extends["file"])
        volumes = service.get("volumes")
        if not isinstance(volumes, list):
            volumes = []
        for i, volume in enumerate(volumes):
            if isinstance(volume, str) and volume[:1] in (".", "/", "~"):
                source, sep, rest = volume.partition(":")
                if sep:
                    volumes[i] = _abs(base, source) + ":" + rest
            elif isinstance(volume, dict) and volume.get("type") == "bind" and isinstance(volume.get("source"), str):
                volume["source"] = _abs(base, volume["source"])
    for section in ("secrets", "configs"):
        entries = document.get(section)
        for entry in entries.values() if isinstance(entries, dict) else ():
            if isinstance(entry, dict) and isinstance(entry.get("file"), str):
                entry["file"] = _abs(base, entry["file"])


# -- include -------------------------------------------------------------------------------------


def _apply_includes(document: YMap, path: Path, env: Mapping[str, str], report: Report, seen: tuple[Path, ...]) -> YMap:
    includes = document.pop("include", None)
    if includes is None:
        return document
    loc = document.key_locs.get("include", document.loc)
    if not isinstance(includes, list):
        raise fail("include must be a list of paths or of {path, project_directory, env_file}", "include", loc)
    for index, entry in enumerate(includes):
        entry_path = f"include[{index}]"
        entry_loc = includes.loc_of(index) if isinstance(includes, YList) else loc
        paths, project_directory, env_file = _include_entry(entry, entry_path, entry_loc)
        for p in paths:
            if _REMOTE.match(p):
                raise fail(
                    f'remote include "{p}" cannot be resolved offline',
                    entry_path,
                    entry_loc,
                    hint="download the Compose file it points to, commit it beside your project and "
                    "include it by its local path",
                )
        included_files = [Path(_abs(path.parent, p)) for p in paths]
        for file in included_files:
            if not is_file(file):
                raise fail(
                    f"included file not found: {file}",
                    entry_path,
                    entry_loc,
                    hint="check the path; it is relative to the file that has the include",
                )
        sub_dir = (path.parent / project_directory).resolve() if project_directory else included_files[0].parent
        sub_env_files = [(path.parent / e).resolve() for e in env_file] if env_file else []
        sub_report = Report()
        sub_env = {**project_environment(sub_dir, sub_env_files, {}, sub_report), **env}
        report.warnings.extend(sub_report.warnings)
        sub_docs = [_load_file(f, sub_env, report, seen) for f in included_files]
        included = merge_files(sub_docs)
        _import_resources(document, included, entry_path, entry_loc)
    return document


def _include_entry(entry: Any, path: str, loc: Loc | None) -> tuple[list[str], str | None, list[str]]:
    if isinstance(entry, str):
        return [entry], None, []
    if isinstance(entry, dict):
        unknown = sorted(set(entry) - {"path", "project_directory", "env_file"})
        if unknown:
            raise fail(
                f'unknown key "{unknown[0]}" in include entry',
                f"{path}.{unknown[0]}",
                loc,
                hint="an include entry takes path, project_directory and env_file",
            )
        paths = entry.get("path")
        paths = [paths] if isinstance(paths, str) else paths
        env_file = entry.get("env_file")
        env_file = [env_file] if isinstance(env_file, str) else (env_file or [])
        if isinstance(paths, list) and paths and all(isinstance(p, str) for p in paths):
            return list(paths), entry.get("project_directory"), list(env_file)
    raise fail("an include entry must be a path or a mapping with a `path`", path, loc)


def _import_resources(document: YMap, included: YMap, path: str, loc: Loc | None) -> None:
    for section in RESOURCE_SECTIONS:
        incoming = included.get(section)
        if not isinstance(incoming, YMap):
            continue
        target = document.get(section)
        if not isinstance(target, YMap):
            target = YMap(loc=incoming.loc)
            document[section] = target
            document.key_locs.setdefault(section, incoming.loc)
        for name, value in incoming.items():
            if name in target and target[name] != value:
                # as compose-go: the including file's definition is merged over the included one
                merged = _merge(strip_tags(value), target[name], (section, str(name)))
                target[name] = merged
                continue
            target[name] = value
            target.key_locs.setdefault(name, incoming.loc_of(name))


# -- legacy provider services (Compose 2.35-2.37) -----------------------------------------------


def _convert_provider_services(document: YMap, report: Report) -> None:
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
        loc = service.loc_of("provider")
        if provider.get("type") != "model":
            raise fail(
                f'provider type "{provider.get("type")}" is not supported in the cloud',
                f"services.{name}.provider.type",
                loc,
                hint="only `type: model` (the legacy spelling of a model) can be deployed",
            )
        options: dict[str, Any] = provider["options"] if isinstance(provider.get("options"), dict) else {}
        if not isinstance(options.get("model"), str):
            raise fail(
                "a model provider needs options.model",
                f"services.{name}.provider.options.model",
                loc,
                hint="for example `options: {model: ai/smollm2}`",
            )
        models = document.get("models")
        if not isinstance(models, YMap):
            models = YMap(loc=loc)
            document["models"] = models
        if name in models:
            raise fail(f'"{name}" is both a provider service and a top-level model', f"services.{name}", loc)
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
            f"services.{name}.provider",
            loc,
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


# -- extends -------------------------------------------------------------------------------------


def _apply_extends(document: YMap, env: Mapping[str, str], report: Report, file: Path | None = None) -> None:
    services = document.get("services")
    if not isinstance(services, YMap):
        return
    cache: dict[Path, YMap] = {}
    resolved: dict[tuple[str, str], YMap] = {}
    for name in list(services):
        services[name] = _resolve_extends(services, name, file, env, report, cache, resolved, ())


def _resolve_extends(services: YMap, name: str, file: Path | None, env, report, cache, resolved, chain: tuple) -> Any:
    key = (str(file), name)
    if key in resolved:
        return resolved[key]
    service = services.get(name)
    if not isinstance(service, YMap) or "extends" not in service:
        return service
    where = f"services.{name}.extends"
    loc = service.loc_of("extends")
    if key in chain:
        raise fail(f"extends cycle: {' -> '.join(n for _, n in chain + (key,))}", where, loc)
    spec = service["extends"]
    if isinstance(spec, str):
        spec = {"service": spec}
    if not isinstance(spec, dict) or not isinstance(spec.get("service"), str):
        raise fail("extends must be a service name or {service, file}", where, loc)
    base_file = Path(spec["file"]) if isinstance(spec.get("file"), str) else file
    if base_file is not None and base_file != file:
        if base_file not in cache:
            doc = interpolate_tree(read_yaml(base_file), env, report)
            _resolve_paths(doc, base_file.parent)
            cache[base_file] = merge_files([doc])
        pool = cache[base_file].get("services")
        pool = pool if isinstance(pool, YMap) else YMap()
    else:
        pool = services
    base_name = spec["service"]
    if base_name not in pool:
        shown = f" in {base_file}" if base_file else ""
        raise fail(
            f'extends names service "{base_name}", which is not defined{shown}',
            where + ".service",
            loc,
            hint="defined services: " + (", ".join(sorted(pool)) or "none"),
        )
    base = _resolve_extends(pool, base_name, base_file, env, report, cache, resolved, chain + (key,))
    if not isinstance(base, YMap):
        raise fail(f'service "{base_name}" must be a mapping to be extended', where, loc)
    own = YMap({k: v for k, v in service.items() if k != "extends"}, loc=service.loc, key_locs=service.key_locs)
    merged = _merge(
        strip_tags(YMap({k: v for k, v in base.items() if k != "extends"}, loc=base.loc, key_locs=base.key_locs)),
        own,
        ("services", name),
    )
    resolved[key] = merged
    return merged


# -- profiles ------------------------------------------------------------------------------------


def _active_profiles(requested: tuple[str, ...], env: Mapping[str, str]) -> tuple[str, ...]:
    if requested:
        return tuple(sorted(set(requested)))
    from_env = env.get("COMPOSE_PROFILES", "")
    return tuple(sorted({p.strip() for p in from_env.split(",") if p.strip()}))


def _apply_profiles(document: YMap, active: tuple[str, ...]) -> None:
    services = document.get("services")
    if not isinstance(services, YMap):
        return
    disabled = {}
    for name, service in list(services.items()):
        profiles = service.get("profiles") if isinstance(service, dict) else None
        if isinstance(profiles, list) and profiles and "*" not in active and not set(map(str, profiles)) & set(active):
            disabled[name] = profiles
            del services[name]
    problems = []
    for name, service in services.items():
        depends = service.get("depends_on") if isinstance(service, dict) else None
        for index, dep in enumerate(depends if isinstance(depends, (dict, list)) else ()):
            if isinstance(dep, str) and dep in disabled:
                problems.append(
                    fail(
                        f'depends on service "{dep}", which is disabled by its profiles {list(disabled[dep])}',
                        f"services.{name}.depends_on.{dep}",
                        depends.loc_of(dep if isinstance(depends, YMap) else index)  # type: ignore[arg-type]
                        if isinstance(depends, (YMap, YList))
                        else None,
                        hint=f"enable it with --profile {disabled[dep][0]}",
                    )
                )
    if problems:
        raise ComposeError([d for p in problems for d in p.diagnostics])


# -- project name --------------------------------------------------------------------------------

_NAME_OK = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def _project_name(
    explicit: str | None,
    env: Mapping[str, str],
    document: YMap,
    project_dir: Path,
    default: str | None = None,
    report: Report | None = None,
) -> str:
    for source, value, loc in (
        ("-p", explicit, None),
        ("COMPOSE_PROJECT_NAME", env.get("COMPOSE_PROJECT_NAME"), None),
        ("name", document.get("name"), document.key_locs.get("name")),
    ):
        if value:
            if not isinstance(value, str) or not _NAME_OK.match(value):
                raise fail(
                    f'invalid project name "{value}"',
                    "name" if source == "name" else "",
                    loc,
                    hint="use lowercase letters, digits, '-' and '_', starting with a letter or digit",
                )
            return value
    normalized = normalize_name(default or "")
    if normalized:
        return normalized
    normalized = normalize_name(project_dir.name)
    if not normalized:
        raise fail(
            f'cannot derive a project name from folder "{project_dir.name}"',
            hint="set `name:` in the Compose file or pass -p NAME",
        )
    if report is not None:
        report.warn(
            f'the project name "{normalized}" comes from the folder\'s name: run from a folder with '
            "another name (a CI runner, another clone) and every resource is replaced",
            "name",
            next(iter(document.key_locs.values()), None),
            hint="set `name:` in the Compose file, compose-cloud:projectName in the stack, or pass -p NAME",
        )
    return normalized


def _early_name(
    options: LoadOptions, files: list[Path], env: Mapping[str, str], project_dir: Path, parsed: dict[Path, list[YMap]]
) -> str:
    """The project name before the files are interpolated: -p, else the last file's `name:` (itself
    interpolated), else the default or the folder; invalid names are reported later, with their source.
    The documents read are kept in `parsed` for the load that follows."""
    if options.project_name:
        return options.project_name
    name = ""
    for path in files:
        try:
            documents = parsed[path] = read_yaml_all(path)
        except ComposeError:
            continue  # reported when the file is loaded
        for document in documents:
            value = document.get("name")
            if isinstance(value, str) and value:
                try:
                    name = interpolate_string(value, env, path="name")
                except ComposeError:
                    continue
    return name or normalize_name(options.default_name or "") or normalize_name(project_dir.name)


def normalize_name(name: str) -> str:
    """A name as Docker Compose normalizes a folder's: lowercase letters, digits, '-' and '_'."""
    return re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-")
