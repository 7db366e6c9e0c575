"""`preview` and `diff`: the Pulumi program run against the mock, as `pulumi preview` runs it."""

from __future__ import annotations

import contextlib
import os
import sys
from dataclasses import dataclass
from pathlib import Path

from compose_cloud.cli.progress import progress
from compose_cloud.cli.request import EXIT_CHANGED, EXIT_INVALID, EXIT_OK, Request
from compose_cloud.program.project import find_project_name
from compose_cloud.render.plan import error_text
from compose_translate import ComposeError, Diagnostic, StackSettings
from compose_translate.sensitive import mask


def cmd_preview(request: Request, settings: StackSettings, files: tuple[Path, ...], project: str) -> int:
    """The program makes the plan from the stack config: bad input is reported from there, under `root`."""
    from compose_cloud.preview.engine import run_preview
    from compose_cloud.render.preview import RENDERERS

    try:
        with progress("previewing: running the Pulumi program against the mock"):
            result = run_preview(request.program_settings(settings, files), stack=request.stack_name, project=project)
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, request.root))
        return EXIT_INVALID
    sys.stdout.write(mask(RENDERERS[request.format](result), result.plan.sources))
    return EXIT_OK


def cmd_diff(request: Request, settings: StackSettings, files: tuple[Path, ...], project: str) -> int:
    """The working tree's preview against the base revision's; bad input in the working tree is an error.

    Both sides are priced with the base's price tables (a pull request's own file cannot lower the cost
    it shows) and previewed from their own copy of the working folder."""
    from compose_cloud.preview.compare import compare
    from compose_cloud.preview.engine import run_preview
    from compose_cloud.preview.revisions import scratch_dir
    from compose_cloud.render import diff as diff_render
    from compose_cloud.render.preview import render_mermaid
    from compose_translate.plan.pricing import PRICES_FILE, priced_from
    from compose_translate.values import reviewing

    stack, root, cwd = request.stack_name, request.root, Path.cwd()
    label = request.diff.base or str(request.diff.base_dir)
    with scratch_dir() as scratch:
        try:
            side = _base_side(request, files, project, cwd, Path(scratch))
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
        base_prices = _on_base_or_none(root, cwd, side.tree)
        try:
            # both trees are the pull request's or the base's: files outside them are not read (reviewing)
            with progress("previewing the working tree"), priced_from(base_prices), reviewing():
                head = run_preview(request.program_settings(settings, files), stack=stack, project=project)
        except ComposeError as exc:
            sys.stderr.write(error_text(exc.diagnostics, root))
            return EXIT_INVALID
        base, note = None, None
        if not side.files:
            note = f"the Compose files do not exist in {label}: everything is new"
        else:
            try:
                # from the base's copy of the working directory, as `pulumi up` runs the program from the
                # project folder: paths the program makes relative (build contexts) are then the same
                # on both sides for the same tree
                with progress(f"previewing {label}"), contextlib.chdir(side.cwd), priced_from(base_prices), reviewing():
                    base = run_preview(
                        request.program_settings(side.settings, side.files, side.env_files),
                        stack=stack,
                        project=side.project,
                    )
            except ComposeError as exc:
                note = f"{label} does not preview ({exc.first.message}): everything is shown as new"
        if side.missing_stack and note is None:
            note = f"{label} has no stack file {side.missing_stack}: the base was previewed with the default settings"
        price_file_changed = _read_or_none(root / PRICES_FILE) != (
            _read_or_none(base_prices / PRICES_FILE) if base_prices else None
        )
    result = compare(base, head)
    result.diagram = render_mermaid(head)
    result.note = note
    result.price_file_changed = price_file_changed
    sources = {**(base.plan.sources if base else {}), **head.plan.sources}
    sys.stdout.write(mask(diff_render.RENDERERS[request.format](result), sources))
    return EXIT_CHANGED if request.diff.exit_code and not result.empty else EXIT_OK


@dataclass(frozen=True)
class _BaseSide:
    """What the base revision itself says about how it deploys; nothing read through the working tree."""

    tree: Path  # the base revision's root
    cwd: Path  # its copy of the working folder
    project: str  # its Pulumi project's name
    settings: StackSettings  # its stack file's (defaults without one)
    files: tuple[Path, ...]  # its Compose files that exist
    env_files: tuple[Path, ...]
    missing_stack: str | None  # the stack file its Pulumi.yaml names, when the base lacks it


def _base_side(request: Request, files: tuple[Path, ...], project: str, cwd: Path, scratch: Path) -> _BaseSide:
    """The base tree, exported or given, and how it deploys by its own files."""
    from compose_cloud.preview.revisions import base_dir, base_root, on_base

    wanted_base = request.diff
    tree = base_root(wanted_base.base, cwd, scratch) if wanted_base.base else base_dir(str(wanted_base.base_dir))
    base_cwd = on_base(cwd, cwd, tree)
    stack_path = _base_stack_file(request.stack, cwd, base_cwd, tree) if request.stack else None
    missing = os.path.relpath(stack_path, base_cwd) if stack_path and not stack_path.is_file() else None
    settings = request.settings_from(None if missing else stack_path)
    wanted = files if request.files or not settings.files else tuple(Path(f) for f in settings.files)
    env_files = (on_base(Path(f), cwd, tree) for f in (request.env_files or settings.env_files))
    return _BaseSide(
        tree=tree,
        cwd=base_cwd,
        project=find_project_name(base_cwd, stop=tree) or project,
        settings=settings,
        files=tuple(f for f in (on_base(f, cwd, tree) for f in wanted) if f.is_file()),
        env_files=tuple(e for e in env_files if e.is_file()),
        missing_stack=missing,
    )


def _on_base_or_none(path: Path, cwd: Path, tree: Path) -> Path | None:
    from compose_cloud.preview.revisions import on_base

    try:
        return on_base(path, cwd, tree)
    except ValueError:  # a project folder outside the working folder has no place in the base
        return None


def _read_or_none(path: Path) -> bytes | None:
    try:
        return path.read_bytes() if path.is_file() else None
    except OSError:
        return None


def _base_stack_file(stack: str, cwd: Path, base_cwd: Path, base_tree: Path) -> Path:
    """The stack file as the base revision lays it out: a path given on the command line maps onto the
    base tree; a stack name is looked up through the base's own Pulumi.yaml (its stackConfigDir)."""
    from compose_cloud.preview.revisions import on_base
    from compose_cloud.program.project import stack_file

    candidate = Path(stack)
    if candidate.suffix in (".yaml", ".yml"):
        return on_base(candidate, cwd, base_tree)
    return (base_cwd / stack_file(stack, base_cwd)).resolve()  # refuses a stackConfigDir outside base_cwd
