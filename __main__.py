"""Pulumi program: stack config -> compose_translate -> providers -> outputs. Kept thin on purpose."""

import sys
from pathlib import Path

import pulumi

from compose_translate import ComposeError, LoadOptions, make_plan
from providers.config import settings_from_stack

try:
    settings = settings_from_stack()
    plan = make_plan(LoadOptions(files=tuple(map(Path, settings.files)), project_name=settings.project_name,
                                 profiles=settings.profiles, env_files=tuple(map(Path, settings.env_files))),
                     settings)
except ComposeError as exc:
    pulumi.log.error(exc.render())
    sys.exit(1)

for warning in plan.warnings:
    pulumi.log.warn(warning.render(Path(plan.project_dir)))
pulumi.export("plan", plan.to_dict())
