"""Compose files -> DeploymentPlan. Pure Python: nothing here imports Pulumi (a test checks it).

The pipeline (see PIPELINE.md), a package per stage: `load` (with `interpolate` and `merge`) -> `normalize` -> `plan`.
"""

from __future__ import annotations

import dataclasses
from typing import Any

from compose_translate.errors import ComposeError, Diagnostic, Loc, Report
from compose_translate.load import LoadOptions, load
from compose_translate.normalize import normalize
from compose_translate.normalize.project import Project
from compose_translate.plan import DeploymentPlan, build_plan
from compose_translate.sensitive import scrub
from compose_translate.settings import StackSettings
from compose_translate.values import as_written, confined_reads
from compose_translate.yaml_source import plain

__all__ = [
    "ComposeError",
    "DeploymentPlan",
    "Diagnostic",
    "LoadOptions",
    "Loc",
    "Report",
    "StackSettings",
    "load_document",
    "load_project",
    "make_plan",
]


def load_project(options: LoadOptions) -> tuple[Project, tuple[Diagnostic, ...], dict[str, str]]:
    """Load and normalize only (what `compose-cloud config` prints): the project, its warnings, and the
    values that came from sensitive sources (never to be printed). Raises `ComposeError` for bad input."""
    report = Report()
    try:
        with confined_reads():
            project = normalize(load(options, report))
    except ComposeError as exc:
        raise ComposeError([_scrubbed(d, report.sensitive_values) for d in exc.diagnostics]) from None
    warnings = tuple(_scrubbed(w, report.sensitive_values) for w in report.sorted_warnings())
    return project, warnings, dict(report.sensitive_values)


def load_document(options: LoadOptions) -> tuple[Any, str, tuple[Diagnostic, ...]]:
    """`config --no-interpolate`: the merged document (includes, extends and profiles applied) with every
    variable as written, as plain data, with the project's folder and the warnings; no value is read from
    the environment, so none is sensitive. Not normalized: types cannot be checked before interpolation."""
    report = Report()
    with confined_reads(), as_written():
        loaded = load(options, report)
    data = {"name": loaded.name, **{k: v for k, v in plain(loaded.document).items() if k != "name"}}
    return data, str(loaded.project_dir), tuple(report.sorted_warnings())


def make_plan(options: LoadOptions, settings: StackSettings | None = None) -> DeploymentPlan:
    """Run the whole pipeline; raises `ComposeError` (and only that) for bad input.

    It changes nothing process-wide; a program planning large projects may pause the cyclic collector
    around it (compose_cloud/collector.py says why).
    """
    report = Report()
    try:
        with confined_reads():  # files only from the project's folder or its git repository
            loaded = load(options, report)
            project = normalize(loaded)
        plan = build_plan(project, settings or StackSettings(), report)
    except ComposeError as exc:  # an error message never shows a sensitive value
        raise ComposeError([_scrubbed(d, report.sensitive_values) for d in exc.diagnostics]) from None
    return plan.model_copy(
        update={
            "warnings": tuple(_scrubbed(w, report.sensitive_values) for w in plan.warnings),
            "sources": dict(report.sensitive_values),
        }
    )


def _scrubbed(diagnostic: Diagnostic, sensitive_values: dict[str, str]) -> Diagnostic:
    return dataclasses.replace(
        diagnostic, message=scrub(diagnostic.message, sensitive_values), hint=scrub(diagnostic.hint, sensitive_values)
    )
