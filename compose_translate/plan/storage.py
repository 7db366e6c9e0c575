"""Volumes: named volumes become EFS file systems shared by the services that mount them.

Anonymous volumes and `tmpfs` become empty task-scoped volumes (they live as long as the
task, like a fresh container's). Bind mounts cannot leave the laptop: the plan warns about
them elsewhere and they are not mounted.
"""

from __future__ import annotations

import re

from compose_translate.errors import Report
from compose_translate.frozen import Frozen
from compose_translate.normalize.project import Project, Service

EFS_ID = re.compile(r"^fs-[0-9a-f]{8,40}$")


class PlannedVolume(Frozen):
    name: str
    file_system_id: str | None  # an existing EFS file system (`external: true`, `name: fs-...`)
    used_by: tuple[str, ...]
    cache: bool = False  # compose-cloud's own (downloaded model weights): deleted with the stack


MODEL_CACHE = "compose-cloud-model-cache"  # ECS model servers share downloaded weights here
MODEL_CACHE_PATH = "/models"  # mounted in each server; llama.cpp downloads into LLAMA_CACHE


class PlannedMount(Frozen):
    kind: str  # efs | task
    volume: str  # top-level volume name (efs) or a task volume name
    target: str
    read_only: bool


def planned_volumes(project: Project, report: Report) -> dict[str, PlannedVolume]:
    """Named volumes used by services as EFS volumes; an external one reuses its file system (its name must be an
    EFS id), and driver options, which EFS has no use for, are said to be ignored."""
    used: dict[str, set[str]] = {}
    for service in project.services.values():
        for mount in service.volumes:
            if mount.type == "volume" and mount.source:
                used.setdefault(mount.source, set()).add(service.name)
    result = {}
    for name in sorted(used):
        resource = project.volumes[name]
        spec, file_system_id = resource.spec, None
        if spec.get("external") in (True, "true"):
            file_system_id = str(spec.get("name") or name)
            if not EFS_ID.match(file_system_id):
                report.error(
                    f'external volume "{file_system_id}" is not an EFS file system id',
                    f"volumes.{name}",
                    resource.loc,
                    hint="set `name: fs-0123456789abcdef0` to reuse an existing EFS file "
                    "system, or drop `external: true` to create one",
                )
        for option in ("driver", "driver_opts"):
            if spec.get(option):
                report.warn(
                    f"volume {option} is ignored: every named volume is an EFS file system",
                    f"volumes.{name}.{option}",
                    resource.loc,
                )
        result[name] = PlannedVolume(name=name, file_system_id=file_system_id, used_by=tuple(sorted(used[name])))
    return result


def service_mounts(service: Service, tmpfs: tuple[str, ...], report: Report) -> tuple[PlannedMount, ...]:
    """A service's mounts: named volumes on EFS (a subpath is said to be ignored, not dropped silently), anonymous
    volumes and tmpfs on the task's own storage."""
    mounts = []
    for index, mount in enumerate(service.volumes):
        if mount.type == "volume" and mount.source:
            if mount.subpath:
                report.warn(
                    f"volume subpath {mount.subpath} is ignored: the whole volume {mount.source} is mounted "
                    f"at {mount.target}",
                    service.where("volumes"),
                    hint="use a separate named volume",
                )
            mounts.append(PlannedMount(kind="efs", volume=mount.source, target=mount.target, read_only=mount.read_only))
        elif mount.type in ("volume", "tmpfs"):
            mounts.append(PlannedMount(kind="task", volume=f"scratch-{index}", target=mount.target, read_only=False))
    mounts.extend(
        PlannedMount(kind="task", volume=f"tmpfs-{i}", target=target, read_only=False) for i, target in enumerate(tmpfs)
    )
    return tuple(mounts)
