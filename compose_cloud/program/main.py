"""The Pulumi program, callable: `__main__.py` runs it under `pulumi up`, the offline preview under mocks."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pulumi

from compose_cloud.program.aws.compose_project import ComposeProject, ComposeProjectArgs
from compose_cloud.program.project import stack_file
from compose_cloud.program.stack_config import provider_args, settings_from_stack
from compose_translate import LoadOptions, make_plan
from compose_translate.errors import Loc, fail
from compose_translate.load import normalize_name
from compose_translate.plan import DeploymentPlan


def main(
    overrides: dict[str, str] | None = None, export: bool = True, opts: pulumi.ResourceOptions | None = None
) -> tuple[DeploymentPlan, dict[str, Any]]:
    """Stack config (with `overrides`, in the CLI's string form) -> plan -> resources and outputs.

    `opts` are the root ComposeProject's. Raises ComposeError, before any resource exists, on bad input.
    """
    plan, args = _plan(overrides)
    return plan, _exported(ComposeProject(plan.name, args, opts).outputs, export)


async def main_stepwise(
    overrides: dict[str, str] | None = None, export: bool = True, opts: pulumi.ResourceOptions | None = None
) -> tuple[DeploymentPlan, dict[str, Any]]:
    """`main` for a program on the event loop (`pulumi.run`, and the offline preview, which runs the program as
    the language host does): the loop runs registrations between components (ComposeProject.stepwise)."""
    plan, args = _plan(overrides)
    return plan, _exported((await ComposeProject.stepwise(plan.name, args, opts)).outputs, export)


def _plan(overrides: dict[str, str] | None) -> tuple[DeploymentPlan, ComposeProjectArgs]:
    """The plan (its warnings logged) and what ComposeProject realises it with: the stack's settings, the AWS
    provider's arguments and the folder-derived project name of earlier versions."""
    settings = settings_from_stack(overrides or {})
    if not settings.files:
        raise fail(
            "no Compose files: set compose-cloud:files in the stack's config",
            "config.compose-cloud:files",
            Loc(str(stack_file(pulumi.get_stack())), 1),
            'e.g. compose-cloud:files: ["compose.yaml"]',
        )
    # Without `name:` or compose-cloud:projectName, resources are named after the Pulumi project,
    # never after the checkout folder (another clone's folder name would replace the stack).
    plan = make_plan(
        LoadOptions(
            files=tuple(map(Path, settings.files)),
            project_name=settings.project_name,
            default_name=pulumi.get_project(),
            profiles=settings.profiles,
            env_files=tuple(map(Path, settings.env_files)),
        ),
        settings,
    )
    for warning in plan.warnings:
        pulumi.log.warn(warning.render(Path(plan.project_dir)))
    former_name = normalize_name(Path(plan.project_dir).name)
    return plan, ComposeProjectArgs(plan, settings, provider_args(settings), former_name)


def _exported(outputs: dict[str, Any], export: bool) -> dict[str, Any]:
    if export:
        for key, value in outputs.items():
            pulumi.export(key, value)
    return outputs
