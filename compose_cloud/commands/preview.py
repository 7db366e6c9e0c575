"""`preview` and `diff`: the Pulumi program run against the mock, as `pulumi preview` runs it."""

from __future__ import annotations

import argparse
import contextlib
import os
import sys
from pathlib import Path

from compose_cloud.commands.common import (
    EXIT_CHANGED,
    EXIT_INVALID,
    EXIT_OK,
    preview_settings,
    stack_name_of,
    stack_settings,
)
from compose_cloud.progress import progress
from compose_cloud.pulumi_project import find_project_name
from compose_cloud.render import error_text
from compose_translate import ComposeError, Diagnostic, StackSettings


def cmd_preview(
    args: argparse.Namespace, settings: StackSettings, files: tuple[Path, ...], project: str, root: Path
) -> int:
    """The program makes the plan from the stack config: bad input is reported from there, under `root`."""
    from compose_cloud.preview import run_preview
    from compose_cloud.preview_render import RENDERERS

    try:
        with progress("previewing: running the Pulumi program against the mock"):
            result = run_preview(
                preview_settings(args, settings, files), stack=stack_name_of(args.stack), project=project
            )
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, root))
        return EXIT_INVALID
    sys.stdout.write(RENDERERS[args.format](result))
    return EXIT_OK


def cmd_diff(
    args: argparse.Namespace, settings: StackSettings, files: tuple[Path, ...], project: str, root: Path
) -> int:
    """The working tree's preview against the base revision's; bad input in the working tree is an error."""
    from compose_cloud import diff_render
    from compose_cloud.diff import compare
    from compose_cloud.preview import run_preview
    from compose_cloud.revisions import base_dir, base_root, on_base, scratch_dir

    stack = stack_name_of(args.stack)
    cwd = Path.cwd()
    label = args.base or args.base_dir
    with scratch_dir() as scratch:
        try:
            with progress("previewing the working tree"):
                head = run_preview(preview_settings(args, settings, files), stack=stack, project=project)
        except ComposeError as exc:
            sys.stderr.write(error_text(exc.diagnostics, root))
            return EXIT_INVALID
        try:
            base_tree = base_root(args.base, cwd, Path(scratch)) if args.base else base_dir(args.base_dir)
            base_cwd = on_base(cwd, cwd, base_tree)
            # the base is previewed as its own revision would be: its Pulumi.yaml (project name and
            # stackConfigDir), its stack file, its Compose files and env files (unless given on the command
            # line); nothing about it is looked up through the working tree's files
            base_project = find_project_name(base_cwd, stop=base_tree) or project
            base_stack = _base_stack_file(args.stack, cwd, base_cwd, base_tree) if args.stack else None
            if base_stack and not base_stack.is_file():
                missing_stack = os.path.relpath(base_stack, base_cwd)
                base_stack = None
            else:
                missing_stack = None
            base_settings = stack_settings(args, base_stack)
            wanted = files if args.files or not base_settings.files else tuple(Path(f) for f in base_settings.files)
            existing = tuple(f for f in (on_base(f, cwd, base_tree) for f in wanted) if f.is_file())
            base_env = [
                e
                for e in (on_base(Path(f), cwd, base_tree) for f in (tuple(args.env_files) or base_settings.env_files))
                if e.is_file()
            ]
        except (ComposeError, ValueError) as exc:
            diagnostics = (
                exc.diagnostics
                if isinstance(exc, ComposeError)
                else [
                    Diagnostic(
                        f"cannot compare: {exc}", hint="run diff from the project folder, with -f files inside it"
                    )
                ]
            )
            sys.stderr.write(error_text(diagnostics, None))
            return EXIT_INVALID
        base, note = None, None
        if not existing:
            note = f"the Compose files do not exist in {label}: everything is new"
        else:
            try:
                # from the base's copy of the working directory, as `pulumi up` runs the program from the
                # project folder: paths the program makes relative (build contexts) are then the same
                # on both sides for the same tree
                with progress(f"previewing {label}"), contextlib.chdir(base_cwd):
                    base = run_preview(
                        preview_settings(args, base_settings, existing, map(str, base_env)),
                        stack=stack,
                        project=base_project,
                    )
            except ComposeError as exc:
                note = f"{label} does not preview ({exc.first.message}): everything is shown as new"
        if missing_stack and note is None:
            note = f"{label} has no stack file {missing_stack}: the base was previewed with the default settings"
    result = compare(base, head)
    result.note = note
    sys.stdout.write(diff_render.RENDERERS[args.format](result))
    return EXIT_CHANGED if args.exit_code and not result.empty else EXIT_OK


def _base_stack_file(stack: str, cwd: Path, base_cwd: Path, base_tree: Path) -> Path:
    """The stack file as the base revision lays it out: a path given on the command line maps onto the
    base tree; a stack name is looked up through the base's own Pulumi.yaml (its stackConfigDir)."""
    from compose_cloud.pulumi_project import stack_file
    from compose_cloud.revisions import on_base

    candidate = Path(stack)
    if candidate.suffix in (".yaml", ".yml"):
        return on_base(candidate, cwd, base_tree)
    return (base_cwd / stack_file(stack, base_cwd)).resolve()  # refuses a stackConfigDir outside base_cwd
