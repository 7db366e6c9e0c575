"""The Pulumi project a Compose project is deployed with: its name is the stack's stable identity.

`pulumi up` runs the program inside a Pulumi project (Pulumi.yaml); resources are named after it
when the Compose file has no `name:`, so a checkout folder's name never decides them. The CLI finds
the same Pulumi.yaml so that `plan`, `preview` and `diff` name things as `pulumi up` will.
"""

from __future__ import annotations

from pathlib import Path

import yaml

DEFAULT = "compose-cloud"  # the preview's project when no Pulumi.yaml is found
MAX_BYTES = 64 * 1024


def find_project_name(*starts: Path) -> str | None:
    """The `name:` of the nearest Pulumi.yaml at or above each start folder, in order; None if none."""
    for start in starts:
        for folder in (start.resolve(), *start.resolve().parents):
            for candidate in (folder / "Pulumi.yaml", folder / "Pulumi.yml"):
                if candidate.is_file():
                    return _name(candidate)
    return None


def _name(path: Path) -> str | None:
    try:
        with path.open("rb") as handle:
            document = yaml.safe_load(handle.read(MAX_BYTES))
    except (OSError, yaml.YAMLError):
        return None
    name = document.get("name") if isinstance(document, dict) else None
    return name if isinstance(name, str) and name else None
