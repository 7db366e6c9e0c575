"""`preview` and `diff`: the Pulumi program run against the mock, as `pulumi preview` runs it."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from compose_cloud.commands.common import (
    EXIT_CHANGED,
    EXIT_INVALID,
    EXIT_OK,
    preview_settings,
    stack_file_path,
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
            # the base is previewed as its own revision would be: its stack file, its Compose files and
            # env files (unless given on the command line), its Pulumi project's name
            base_project = find_project_name(on_base(cwd, cwd, base_tree)) or project
            base_stack = on_base(stack_file_path(args.stack), cwd, base_tree) if args.stack else None
            base_settings = (
                stack_settings(args, base_stack) if base_stack and base_stack.is_file() else stack_settings(args, None)
            )
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
                with progress(f"previewing {label}"):
                    base = run_preview(
                        preview_settings(args, base_settings, existing, map(str, base_env)),
                        stack=stack,
                        project=base_project,
                    )
            except ComposeError as exc:
                note = f"{label} does not preview ({exc.first.message}): everything is shown as new"
    result = compare(base, head)
    result.note = note
    sys.stdout.write(diff_render.RENDERERS[args.format](result))
    return EXIT_CHANGED if args.exit_code and not result.empty else EXIT_OK
