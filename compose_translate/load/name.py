"""The project name: -p, COMPOSE_PROJECT_NAME, `name:`, the Pulumi project, or the folder, in that order."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Mapping

from compose_translate.errors import ComposeError, Report, fail
from compose_translate.interpolate import interpolate_string
from compose_translate.yaml_source import YMap, read_yaml_all

_NAME_OK = re.compile(r"^[a-z0-9][a-z0-9_-]*$")


def project_name(
    explicit: str | None,
    env: Mapping[str, str],
    document: YMap,
    project_dir: Path,
    default: str | None = None,
    report: Report | None = None,
) -> str:
    """The project name by docker compose's precedence: -p, COMPOSE_PROJECT_NAME, `name:`, then the default (the
    Pulumi project) or the folder, with a warning for the folder."""
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


def early_name(
    explicit: str | None,
    default: str | None,
    files: list[Path],
    env: Mapping[str, str],
    project_dir: Path,
    parsed: dict[Path, list[YMap]],
) -> str:
    """The project name before the files are interpolated: -p, else the last file's `name:` (itself
    interpolated), else the default or the folder; invalid names are reported later, with their source.
    The documents read are kept in `parsed` for the load that follows."""
    if explicit:
        return explicit
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
    return name or normalize_name(default or "") or normalize_name(project_dir.name)


def normalize_name(name: str) -> str:
    """A name as Docker Compose normalizes a folder's: lowercase letters, digits, '-' and '_'."""
    return re.sub(r"[^a-z0-9_-]", "", name.lower()).lstrip("_-")
