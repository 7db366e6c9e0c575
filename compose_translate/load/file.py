"""One Compose file as loaded: parsed, interpolated, paths resolved, extends applied, and what it includes."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from compose_translate.errors import Loc, Report, fail
from compose_translate.interpolate import interpolate_tree
from compose_translate.load.envfiles import project_environment, read_env_file
from compose_translate.load.extends import apply_extends
from compose_translate.load.paths import REMOTE, absolute, resolve_paths
from compose_translate.merge import merge_files, merge_values, strip_tags
from compose_translate.values import is_file
from compose_translate.yaml_source import YList, YMap, read_yaml_all

RESOURCE_SECTIONS = ("services", "models", "networks", "volumes", "secrets", "configs")


# include: nested at most this deep, and at most this many files loaded for one project (a file that
# includes the next one twice, ten times over, would otherwise load a thousand files).
MAX_INCLUDE_DEPTH, MAX_FILES_LOADED = 10, 100


def load_file(
    path: Path,
    env: Mapping[str, str],
    report: Report,
    seen: tuple[Path, ...],
    parsed: list[YMap] | None = None,
    base: Path | None = None,
) -> YMap:
    """`parsed`: the file's documents when they were read already (never interpolated or merged); `base`:
    the folder its relative paths start from (an include's project_directory), else its own folder."""
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
    resolve_paths(document, base or path.parent)
    # extends within this file first, with its !reset / !override, then the files merge (compose-go's order)
    apply_extends(document, env, report, path)
    return _apply_includes(document, path, env, report, seen + (path,))


def _apply_includes(document: YMap, path: Path, env: Mapping[str, str], report: Report, seen: tuple[Path, ...]) -> YMap:
    """`include:` entries loaded as projects of their own (their folder, env_file and project_directory) and
    imported; where the including file defines the same resource, its definition is merged over the included
    one, as in compose-go."""
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
            if REMOTE.match(p):
                raise fail(
                    f'remote include "{p}" cannot be resolved offline',
                    entry_path,
                    entry_loc,
                    hint="download the Compose file it points to, commit it beside your project and "
                    "include it by its local path",
                )
        included_files = [Path(absolute(path.parent, p)) for p in paths]
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
        base = sub_dir if project_directory else None
        sub_docs = [load_file(f, sub_env, report, seen, base=base) for f in included_files]
        included = merge_files(sub_docs)
        _scope_environment(included, sub_env, env, report)
        _import_resources(document, included, entry_path, entry_loc)
    return document


def _scope_environment(included: YMap, sub_env: Mapping[str, str], env: Mapping[str, str], report: Report) -> None:
    """What an include's env_file defines is seen by the included services only (compose-go reads their
    `environment` and env files in the included project's environment): their bare `VAR` entries take
    its values, and their env files are read with it, now, into `environment`."""
    own = {k: v for k, v in sub_env.items() if k not in env}
    services = included.get("services")
    for service in services.values() if isinstance(services, dict) else ():
        if not isinstance(service, YMap):
            continue
        environment = service.get("environment")
        if isinstance(environment, YList):
            service["environment"] = YList(
                [f"{e}={own[e]}" if isinstance(e, str) and "=" not in e and e in own else e for e in environment],
                loc=environment.loc,
                item_locs=environment.item_locs,
            )
        elif isinstance(environment, YMap):
            for key, value in list(environment.items()):
                if value is None and key in own:
                    environment[key] = own[key]
        files = service.get("env_file")
        entries = [files] if isinstance(files, str) else files if isinstance(files, list) else None
        if not own or entries is None or not all(isinstance(e, str) for e in entries):
            continue  # the long form ({path, required, format}) is read later, in the project's environment
        values: dict[str, str] = {}
        for entry in entries:
            file = Path(entry)
            if is_file(file):
                read = read_env_file(file, sub_env, report, ref_path="env_file")
                values.update({k: v for k, v in read.items() if v is not None})
        written = service.get("environment")
        listed: dict[str, Any] = {}
        if isinstance(written, list):
            for item in map(str, written):
                key, sep, value = item.partition("=")
                listed[key] = value if sep else None  # a bare name still comes from the environment
        elif isinstance(written, dict):
            listed = dict(written)
        service["environment"] = YMap({**values, **listed}, loc=service.loc)
        service.pop("env_file")


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
                merged = merge_values(strip_tags(value), target[name], (section, str(name)))
                target[name] = merged
                continue
            target[name] = value
            target.key_locs.setdefault(name, incoming.loc_of(name))
