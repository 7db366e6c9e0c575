"""Relative paths in a Compose file are relative to that file (Compose spec): made absolute as each file is read."""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Any

from compose_translate.yaml_source import YMap

REMOTE = re.compile(r"^(?:[a-z][a-z0-9+.-]*://|git@)", re.IGNORECASE)


def absolute(base: Path, value: Any) -> Any:
    """A relative path made absolute against `base` (`~` expanded); remote references and non-strings are left
    alone."""
    if not isinstance(value, str) or not value or REMOTE.match(value):
        return value
    try:
        return str((base / os.path.expanduser(value)).resolve())
    except (OSError, ValueError, RuntimeError):  # a name the OS cannot resolve is kept for a later clear error
        return os.path.normpath(os.path.join(base, value))


def resolve_paths(document: YMap, base: Path) -> None:
    """Paths are relative to the file that declares them (Compose spec); make them absolute now."""
    services = document.get("services")
    for service in services.values() if isinstance(services, dict) else ():
        if not isinstance(service, dict):
            continue
        build = service.get("build")
        if isinstance(build, str):
            service["build"] = absolute(base, build)
        elif isinstance(build, YMap) and isinstance(build.get("context", "."), str):
            build["context"] = absolute(base, build.get("context", "."))
            build.key_locs.setdefault("context", build.loc)
        for key in ("env_file", "label_file"):
            value = service.get(key)
            if isinstance(value, str):
                service[key] = absolute(base, value)
            elif isinstance(value, list):
                for i, item in enumerate(value):
                    if isinstance(item, str):
                        value[i] = absolute(base, item)
                    elif isinstance(item, dict) and "path" in item:
                        item["path"] = absolute(base, item["path"])
        extends = service.get("extends")
        if isinstance(extends, dict) and isinstance(extends.get("file"), str):
            extends["file"] = absolute(base, extends["file"])
        volumes = service.get("volumes")
        if not isinstance(volumes, list):
            volumes = []
        for i, volume in enumerate(volumes):
            if isinstance(volume, str) and volume[:1] in (".", "/", "~"):
                source, sep, rest = volume.partition(":")
                if sep:
                    volumes[i] = absolute(base, source) + ":" + rest
            elif isinstance(volume, dict) and volume.get("type") == "bind" and isinstance(volume.get("source"), str):
                volume["source"] = absolute(base, volume["source"])
    for section in ("secrets", "configs"):
        entries = document.get(section)
        for entry in entries.values() if isinstance(entries, dict) else ():
            if isinstance(entry, dict) and isinstance(entry.get("file"), str):
                entry["file"] = absolute(base, entry["file"])
