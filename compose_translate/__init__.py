"""Compose files -> DeploymentPlan. Pure Python: nothing here imports Pulumi (a test checks it).

The pipeline (see PIPELINE.md): `loader.load` -> `normalize.normalize` -> `plan.build_plan`.
"""

from __future__ import annotations

import gc

from .errors import ComposeError, Diagnostic, Loc, Report
from .loader import LoadOptions, load
from .normalize import normalize
from .plan import DeploymentPlan, build_plan
from .settings import StackSettings
from .values import confined_reads

__all__ = ["ComposeError", "DeploymentPlan", "Diagnostic", "LoadOptions", "Loc", "Report", "StackSettings",
           "make_plan"]


def make_plan(options: LoadOptions, settings: StackSettings | None = None) -> DeploymentPlan:
    """Run the whole pipeline; raises `ComposeError` (and only that) for bad input.

    The pipeline builds many small acyclic containers; the cyclic garbage collector would scan
    them again and again (a third of the time for 1,000 services), so it pauses while planning.
    """
    paused = gc.isenabled()
    gc.disable()
    try:
        report = Report()
        with confined_reads():  # files only from the project's folder or its git repository
            loaded = load(options, report)
            project = normalize(loaded)
        return build_plan(project, settings or StackSettings(), report)
    finally:
        if paused:
            gc.enable()
