"""The Pulumi project a Compose project is deployed with: its name is the stack's stable identity.

`pulumi up` runs the program inside a Pulumi project (Pulumi.yaml); resources are named after it
when the Compose file has no `name:`, so a checkout folder's name never decides them. The CLI finds
the same Pulumi.yaml so that `plan`, `preview` and `diff` name things as `pulumi up` will.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from compose_translate.errors import ComposeError, Diagnostic, Loc

DEFAULT = "compose-cloud"  # the preview's project when no Pulumi.yaml is found
MAX_BYTES = 64 * 1024


def find_project_name(*starts: Path, stop: Path | None = None) -> str | None:
    """The `name:` of the nearest Pulumi.yaml at or above each start folder, in order; None if none.
    With `stop`, folders above it are not searched (a base revision exported to a scratch folder must
    not be named by a Pulumi.yaml that happens to lie above that folder)."""
    limit = stop.resolve() if stop else None
    for start in starts:
        for folder in (start.resolve(), *start.resolve().parents):
            if limit is not None and not folder.is_relative_to(limit):
                break
            for candidate in (folder / "Pulumi.yaml", folder / "Pulumi.yml"):
                if candidate.is_file():
                    return _name(candidate)
    return None


def stack_folder(folder: Path | None = None) -> Path | None:
    """The project's stackConfigDir, relative to `folder` (Path(".") when it names none); None without a
    Pulumi project. A stackConfigDir outside the project is refused (it would read or write elsewhere)."""
    folder = folder or Path.cwd()
    for candidate in (folder / "Pulumi.yaml", folder / "Pulumi.yml"):
        if candidate.is_file():
            config_dir = _document(candidate).get("stackConfigDir")
            if not (isinstance(config_dir, str) and config_dir):
                return Path(".")
            inside = (folder / config_dir).resolve()
            if Path(config_dir).is_absolute() or not inside.is_relative_to(folder.resolve()):
                raise ComposeError(
                    Diagnostic(
                        f"stackConfigDir {config_dir[:200]!r} is outside the project folder",
                        "stackConfigDir",
                        Loc(str(candidate), 1),
                        hint="name a folder inside the project, e.g. stackConfigDir: stacks",
                    )
                )
            return Path(config_dir)
    return None


def stack_file(stack: str, folder: Path | None = None) -> Path:
    """Where `pulumi` keeps the stack's settings: Pulumi.<stack>.yaml in the project's stackConfigDir."""
    folder = folder or Path.cwd()
    name = f"Pulumi.{stack}.yaml"
    config_dir = stack_folder(folder)
    if config_dir is not None:
        return Path(name) if config_dir == Path(".") else config_dir / name
    # no Pulumi project here (yet): this repository's layout, stacks/, when that is what exists
    return (
        Path("stacks") / name if not (folder / name).is_file() and (folder / "stacks" / name).is_file() else Path(name)
    )


def _document(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as handle:
            document = yaml.safe_load(handle.read(MAX_BYTES))
    except (OSError, yaml.YAMLError):
        return {}
    return document if isinstance(document, dict) else {}


def _name(path: Path) -> str | None:
    name = _document(path).get("name")
    return name if isinstance(name, str) and name else None
