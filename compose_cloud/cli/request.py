"""One typed, frozen `Request` built once from the command line (compose-go's ProjectOptions): every
command receives it, and the stack, settings, Compose files and load options are derived from it here,
the same way for every command."""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal, get_args

from compose_cloud.program.project import find_project_name, stack_file, stack_folder
from compose_translate import ComposeError, Diagnostic, LoadOptions, StackSettings
from compose_translate.load import find_default_files
from compose_translate.settings import read_stack_file

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
EXIT_CHANGED = 3  # diff --exit-code: there are changes

Listing = Literal["services", "volumes", "profiles", "images", "models"]


@dataclass(frozen=True)
class ConfigFlags:
    """`config`'s own options, as docker compose config takes them."""

    listing: Listing | None = None  # --services, --volumes, ...: names one per line instead of the project
    quiet: bool = False
    output: Path | None = None
    no_interpolate: bool = False  # the merged files with every variable as written


@dataclass(frozen=True)
class DiffFlags:
    """Where the base side of `diff` comes from, and whether changes set the exit code."""

    base: str | None = None  # a git revision
    base_dir: Path | None = None  # or a folder
    exit_code: bool = False


@dataclass(frozen=True)
class AccountFlags:
    """What `preflight`, `status` and `logs` take beyond the project: the AWS side."""

    aws_profile: str | None = None
    refresh_prices: bool = False
    services: tuple[str, ...] = ()  # logs: only these services or models
    since: str = "1h"
    follow: bool = False
    timestamps: bool = False


@dataclass(frozen=True)
class Request:
    """What the user asked for, typed: docker compose's global options, the command and its flags."""

    command: str
    files: tuple[Path, ...] = ()  # -f as given (order kept), before any default applies
    stack: str | None = None  # a stack name or a stack file's path, resolved once (see resolved_stack)
    project_name: str | None = None
    project_directory: Path | None = None
    profiles: tuple[str, ...] = ()
    env_files: tuple[Path, ...] = ()
    region: str | None = None
    format: str = "text"
    init_stack: str | None = None  # `init --stack`: the stack to write, not one to read
    config: ConfigFlags = field(default_factory=ConfigFlags)
    diff: DiffFlags = field(default_factory=DiffFlags)
    account: AccountFlags = field(default_factory=AccountFlags)

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> Request:
        """The parsed command line (global options already merged) as a Request; the stack resolved."""
        given = vars(args)
        listing = next((kind for kind in get_args(Listing) if given.get(f"list_{kind}")), None)
        base_dir = given.get("base_dir")
        output = given.get("output")
        init = args.command == "init"
        return cls(
            command=args.command,
            files=tuple(Path(f) for f in args.files),
            stack=None if init else resolved_stack(args.stack),
            init_stack=args.stack if init else None,
            project_name=args.project_name,
            project_directory=Path(args.project_directory) if args.project_directory else None,
            profiles=tuple(args.profiles),
            env_files=tuple(Path(f) for f in args.env_files),
            region=args.region,
            format=given.get("format") or "text",
            config=ConfigFlags(
                listing=listing,
                quiet=bool(given.get("quiet")),
                output=Path(output) if output else None,
                no_interpolate=bool(given.get("no_interpolate")),
            ),
            diff=DiffFlags(
                base=given.get("base"),
                base_dir=Path(base_dir) if base_dir else None,
                exit_code=bool(given.get("exit_code")),
            ),
            account=AccountFlags(
                aws_profile=given.get("aws_profile"),
                refresh_prices=bool(given.get("refresh_prices")),
                services=tuple(given.get("services") or ()),
                since=given.get("since") or "1h",
                follow=bool(given.get("follow")),
                timestamps=bool(given.get("timestamps")),
            ),
        )

    @property
    def stack_name(self) -> str:
        """The stack's name: `preview` without one, a stack file's name without `Pulumi.` and `.yaml`."""
        if not self.stack:
            return "preview"
        path = Path(self.stack)
        return path.stem.removeprefix("Pulumi.") if path.suffix in (".yaml", ".yml") else self.stack

    @property
    def root(self) -> Path:
        """The folder messages are relative to: --project-directory, else the first file's, else here."""
        return message_root(self.project_directory, self.files)

    def stack_path(self) -> Path | None:
        """The stack file: a path as given, or a name looked up in Pulumi.yaml's stackConfigDir."""
        if not self.stack:
            return None
        candidate = Path(self.stack)
        return candidate if candidate.suffix in (".yaml", ".yml") else stack_file(self.stack)

    def settings(self) -> StackSettings:
        """The stack file's settings with --region over them; a named stack file must exist."""
        path = self.stack_path()
        if path and not path.is_file():
            raise ComposeError(
                Diagnostic(
                    f"stack settings not found: {path}",
                    hint="pass a stack name that has a Pulumi.<name>.yaml, or a file path",
                )
            )
        return self.settings_from(path)

    def settings_from(self, path: Path | None) -> StackSettings:
        """A stack file's settings (defaults without one), with --region applied."""
        settings = StackSettings()
        if path:
            settings = read_stack_file(path).model_copy(update={"stack_name": self.stack_name})
        if self.region:
            settings = StackSettings(**{**settings.model_dump(), "region": self.region})
            settings.validate_choices("--region")
        return settings

    def compose_files(self, settings: StackSettings) -> tuple[Path, ...]:
        """-f, else the stack's compose-cloud:files, else COMPOSE_FILE, else compose.yaml and its override."""
        return (
            self.files
            or tuple(Path(f) for f in settings.files)
            or compose_file_variable()
            or tuple(find_default_files((self.project_directory or Path(".")).resolve()))
        )

    def pulumi_project(self, files: tuple[Path, ...]) -> str | None:
        """The Pulumi project's name, the default project name: found beside the stack file, here, or
        beside the first Compose file (the one place this is worked out)."""
        path = self.stack_path()
        return find_project_name(*([path.parent] if path else []), Path.cwd(), *(f.parent for f in files[:1]))

    def load_options(self, settings: StackSettings, files: tuple[Path, ...], default_name: str | None) -> LoadOptions:
        """The command line over the stack file's settings, as `docker compose` reads them."""
        return LoadOptions(
            files=files,
            project_name=self.project_name,
            default_name=default_name,
            project_directory=self.project_directory,
            profiles=self.profiles or settings.profiles,
            env_files=self.env_files or tuple(map(Path, settings.env_files)),
        )

    def program_settings(
        self, settings: StackSettings, files: Iterable[Path | str], env_files: Iterable[Path | str] | None = None
    ) -> StackSettings:
        """The stack settings the Pulumi program runs with: command-line options over the stack file's."""
        return settings.model_copy(
            update={
                "files": tuple(map(str, files)),
                "profiles": self.profiles or settings.profiles,
                "env_files": (tuple(map(str, self.env_files)) or settings.env_files)
                if env_files is None
                else tuple(map(str, env_files)),
                "project_name": self.project_name or settings.project_name,
            }
        )


def message_root(project_directory: Path | str | None, files: tuple[Path | str, ...] | list[str]) -> Path:
    """The folder messages are relative to: --project-directory, else the first file's, else here (also
    for an error raised while the Request itself is made)."""
    return Path(project_directory or (Path(files[0]).parent if files else ".")).resolve()


def resolved_stack(given: str | None) -> str | None:
    """Every command finds the stack the same way: --stack, else PULUMI_STACK, else the only stack file
    of the project, else the built-in defaults, said once on stderr."""
    if given:
        return given
    chosen = os.environ.get("PULUMI_STACK", "").rsplit("/", 1)[-1]
    if chosen:
        return chosen
    folder = stack_folder() or Path(".")  # no Pulumi project yet: the stack files beside the Compose files
    found = sorted(p.name[len("Pulumi.") : -len(".yaml")] for p in folder.glob("Pulumi.*.yaml"))
    if len(found) == 1:
        return found[0]
    why = f"{len(found)} stack files ({', '.join(found)})" if found else "no stack file"
    sys.stderr.write(f'compose-cloud: no --stack and {why}: using the built-in defaults (stack "preview", us-east-1)\n')
    return None


def compose_file_variable() -> tuple[Path, ...]:
    """COMPOSE_FILE, as docker compose reads it when no -f is given (COMPOSE_PATH_SEPARATOR, default ':')."""
    value = os.environ.get("COMPOSE_FILE", "")
    separator = os.environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
    return tuple(Path(part) for part in value.split(separator) if part)
