"""What every command shares: exit codes, the stack's settings, the Compose files and load options."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from pathlib import Path

from compose_cloud.program.project import stack_file, stack_folder
from compose_translate import ComposeError, Diagnostic, LoadOptions, StackSettings
from compose_translate.load import find_default_files
from compose_translate.settings import read_stack_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_CHANGED = 3  # diff --exit-code: there are changes


def resolve_stack(args: argparse.Namespace) -> None:
    """Every command finds the stack the same way: --stack, else PULUMI_STACK, else the only stack file
    of the project, else the built-in defaults, said once on stderr (`init` names its own stack)."""
    if args.stack or args.command == "init":
        return
    chosen = os.environ.get("PULUMI_STACK", "").rsplit("/", 1)[-1]
    if chosen:
        args.stack = chosen
        return
    folder = stack_folder() or Path(".")  # no Pulumi project yet: the stack files beside the Compose files
    found = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))
    if len(found) == 1:
        args.stack = found[0]
        return
    why = f"{len(found)} stack files ({', '.join(found)})" if found else "no stack file"
    sys.stderr.write(f'compose-cloud: no --stack and {why}: using the built-in defaults (stack "preview", us-east-1)\n')


def command_settings(args: argparse.Namespace) -> StackSettings:
    path = stack_file_path(args.stack) if args.stack else None
    if path and not path.is_file():
        raise ComposeError(
            Diagnostic(
                f"stack settings not found: {path}",
                hint="pass a stack name that has a Pulumi.<name>.yaml, or a file path",
            )
        )
    return stack_settings(args, path)


def stack_settings(args: argparse.Namespace, path: Path | None) -> StackSettings:
    """A stack file's settings (defaults without one), with --region applied."""
    settings = StackSettings()
    if path:
        settings = read_stack_file(path).model_copy(update={"stack_name": stack_name_of(args.stack)})
    if args.region:
        settings = StackSettings(**{**settings.model_dump(), "region": args.region})
        settings.validate_choices("--region")
    return settings


def preview_settings(
    args: argparse.Namespace,
    settings: StackSettings,
    files: Iterable[Path | str],
    env_files: Iterable[str] | None = None,
) -> StackSettings:
    """The stack settings the program runs with: command-line options over the stack file's."""
    return settings.model_copy(
        update={
            "files": tuple(map(str, files)),
            "profiles": tuple(args.profiles) or settings.profiles,
            "env_files": (tuple(args.env_files) or settings.env_files) if env_files is None else tuple(env_files),
            "project_name": args.project_name or settings.project_name,
        }
    )


def compose_file_variable() -> tuple[Path, ...]:
    """COMPOSE_FILE, as docker compose reads it when no -f is given (COMPOSE_PATH_SEPARATOR, default ':')."""
    value = os.environ.get("COMPOSE_FILE", "")
    separator = os.environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
    return tuple(Path(part) for part in value.split(separator) if part)


def stack_file_path(stack: str) -> Path:
    candidate = Path(stack)
    return candidate if candidate.suffix in (".yaml", ".yml") else stack_file(stack)


def stack_name_of(stack: str | None) -> str:
    if not stack:
        return "preview"
    path = Path(stack)
    return path.stem.removeprefix("Pulumi.") if path.suffix in (".yaml", ".yml") else stack


def compose_files(args: argparse.Namespace, settings: StackSettings) -> tuple[Path, ...]:
    """-f, else the stack's compose-cloud:files, else COMPOSE_FILE, else compose.yaml and its override."""
    return (
        tuple(Path(f) for f in args.files)
        or tuple(Path(f) for f in settings.files)
        or compose_file_variable()
        or tuple(find_default_files(Path(args.project_directory or ".").resolve()))
    )


def load_options(
    args: argparse.Namespace, settings: StackSettings, files: tuple[Path, ...], default_name: str | None
) -> LoadOptions:
    """The command line over the stack file's settings, as `docker compose` reads them."""
    return LoadOptions(
        files=files,
        project_name=args.project_name,
        default_name=default_name,
        project_directory=Path(args.project_directory) if args.project_directory else None,
        profiles=tuple(args.profiles) or settings.profiles,
        env_files=tuple(Path(f) for f in args.env_files) or tuple(map(Path, settings.env_files)),
    )
