"""Stage 1: files -> one merged Compose document.

Phases in order (see PIPELINE.md): environment, parse, interpolate, resolve
relative paths, include, merge the `-f` files, legacy `provider:` services,
extends, profiles. The result is still a plain located tree; `normalize` types it.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Mapping

from compose_translate.errors import Report, fail
from compose_translate.interpolate import SensitiveEnvironment
from compose_translate.load.envfiles import project_environment
from compose_translate.load.file import load_file
from compose_translate.load.legacy import convert_provider_services
from compose_translate.load.name import early_name, normalize_name, project_name
from compose_translate.load.profiles import active_profiles, apply_profiles, declared_profiles
from compose_translate.merge import merge_files
from compose_translate.sensitive import SECRET_NAME
from compose_translate.values import allow_files, allow_reads_under, confined_reads, is_file, repository_root
from compose_translate.yaml_source import YMap

__all__ = ["LoadOptions", "LoadedDocument", "find_default_files", "load", "normalize_name", "probe_name"]

DEFAULT_FILES = ("compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml")
OVERRIDE_FILES = (
    "compose.override.yaml",
    "compose.override.yml",
    "docker-compose.override.yaml",
    "docker-compose.override.yml",
)


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
    declared_profiles: tuple[str, ...] = ()  # every profile a service names, active or not


def find_default_files(directory: Path) -> list[Path]:
    """compose.yaml (or its older names) and its override in `directory`, as docker compose finds them without -f."""
    for name in DEFAULT_FILES:
        if is_file(directory / name):
            files = [directory / name]
            override = next((directory / o for o in OVERRIDE_FILES if is_file(directory / o)), None)
            return files + ([override] if override else [])
    raise fail(f"no Compose file found in {directory}", hint=f"pass one with -f, or create {DEFAULT_FILES[0]}")


def _environment(options: LoadOptions, report: Report) -> tuple[list[Path], Path, dict[str, str], dict[str, str]]:
    """The files, the project folder, the runner's environment and the project's (`.env` applied)."""
    cwd = (options.working_dir or Path.cwd()).resolve()
    explicit_dir = (cwd / options.project_directory).resolve() if options.project_directory else None
    files = [(cwd / f).resolve() for f in options.files] or find_default_files(explicit_dir or cwd)
    project_dir = explicit_dir or files[0].parent
    allow_reads_under(repository_root(project_dir))
    allow_files([*files, *((cwd / f).resolve() for f in options.env_files)])  # the user's own choice
    environ = dict(os.environ if options.environ is None else options.environ)
    merged = project_environment(project_dir, [(cwd / f).resolve() for f in options.env_files], environ, report)
    return files, project_dir, environ, merged


def probe_name(options: LoadOptions) -> str:
    """The project's name as `load` will choose it, read without loading the project (only `name:` is
    looked at): what an offline preview names its Pulumi project before the program makes the plan.
    An invalid name is returned as written; the load reports it."""
    with confined_reads():  # the files `load` may read, and no others
        files, project_dir, _, merged = _environment(options, Report())
        return (
            options.project_name
            or merged.get("COMPOSE_PROJECT_NAME")
            or early_name(None, options.default_name, files, merged, project_dir, {})
        )


def load(options: LoadOptions, report: Report | None = None) -> LoadedDocument:
    """Files read, interpolated, included, extended and merged into one document, with the environment and project
    name docker compose would use."""
    report = report or Report()
    files, project_dir, environ, merged = _environment(options, report)
    named = {k: merged[k] for k in ("COMPOSE_PROJECT_NAME",) if k in merged}  # as the user set it
    parsed: dict[Path, list[YMap]] = {}  # each top-level file is parsed once, for the name and the load
    if "COMPOSE_PROJECT_NAME" not in merged:  # set for interpolation, as compose-go does
        merged["COMPOSE_PROJECT_NAME"] = early_name(
            options.project_name, options.default_name, files, merged, project_dir, parsed
        )
    # credential-named variables and the runner's own environment are sensitive wherever they end up
    env = SensitiveEnvironment(merged, {k for k, v in merged.items() if SECRET_NAME.search(k) or environ.get(k) == v})

    # each parse is used once: a file given twice is read again (loading changes its documents in place)
    documents = [load_file(path, env, report, seen=(), parsed=parsed.pop(path, None)) for path in files]
    document = merge_files(documents)
    convert_provider_services(document, report)
    profiles = active_profiles(options.profiles, env)
    declared = declared_profiles(document)
    apply_profiles(document, profiles)
    name = project_name(options.project_name, named, document, project_dir, options.default_name, report)
    return LoadedDocument(document, name, project_dir, files, env, profiles, report, declared)
