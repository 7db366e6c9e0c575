"""`config` and `init`: the Compose project as loaded, and the Pulumi project written beside it."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from compose_cloud.cli.request import EXIT_OK, Request, compose_file_variable
from compose_cloud.program.project import find_project_name, stack_file
from compose_cloud.render.plan import warnings_text
from compose_translate import ComposeError, Diagnostic, LoadOptions, StackSettings, make_plan
from compose_translate.load import find_default_files, normalize_name
from compose_translate.sensitive import REDACTED, mask


def cmd_config(request: Request, settings: StackSettings) -> int:
    """The project as loaded (or one of its lists), masked where values came from the runner or credentials."""
    from compose_cloud.render import compose as config
    from compose_translate import load_project

    files = request.compose_files(settings)
    options = request.load_options(settings, files, request.pulumi_project(files))
    flags = request.config
    if flags.no_interpolate and not flags.listing:
        return _config_as_written(request, options)
    project, warnings, sensitive = load_project(options)
    sys.stderr.write(warnings_text(list(warnings), Path(project.project_dir)))
    if flags.quiet:
        return EXIT_OK
    listed = config.listing(project, flags.listing) if flags.listing else None
    text = mask(
        listed if listed is not None else config.render(config.project_dict(project, sensitive), request.format),
        sensitive,
    )
    if listed is None and request.format != "json" and (REDACTED in text or "${" in text and sensitive):
        text = "# values from the runner's environment or credential-named variables are masked\n" + text
    if flags.output:
        flags.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _config_as_written(request: Request, options: LoadOptions) -> int:
    """`config --no-interpolate`: the merged files, variables as written; nothing came from the environment."""
    from compose_cloud.render import compose as config
    from compose_translate import load_document

    data, project_dir, warnings = load_document(options)
    sys.stderr.write(warnings_text(list(warnings), Path(project_dir)))
    if request.config.quiet:
        return EXIT_OK
    text = config.render(config.as_written(data, Path(project_dir)), request.format)
    if request.config.output:
        request.config.output.write_text(text, encoding="utf-8")
    else:
        sys.stdout.write(text)
    return EXIT_OK


def cmd_init(request: Request) -> int:
    """Check the Compose project loads, then write the Pulumi project beside it."""
    from compose_cloud.program import scaffold as init

    folder = (request.project_directory or Path(".")).resolve()
    files = request.files or compose_file_variable() or tuple(find_default_files(folder))
    relative = []
    for file in files:
        try:
            relative.append((folder / file).resolve().relative_to(folder).as_posix())
        except ValueError:
            raise ComposeError(
                Diagnostic(
                    f"{file} is outside the project folder {folder}",
                    "--file",
                    hint="run init in the folder that holds the Compose files",
                )
            ) from None
    settings = StackSettings(region=request.region) if request.region else StackSettings()
    settings.validate_choices("--region")
    pulumi_project = find_project_name(folder)
    plan = make_plan(
        LoadOptions(
            files=tuple(folder / f for f in relative),
            project_name=request.project_name,
            default_name=pulumi_project or normalize_name(folder.name),
            profiles=request.profiles,
            env_files=request.env_files,
        ),
        settings,
    )
    sys.stderr.write(warnings_text(plan.warnings, folder))
    stack = request.init_stack or "dev"
    if not re.fullmatch(r"[A-Za-z0-9_.-]{1,100}", stack):
        raise ComposeError(
            Diagnostic(
                f'"{stack[:100]}" is not a stack name',
                "--stack",
                hint="letters, digits, '-', '_' and '.' only, e.g. dev",
            )
        )
    wanted = init.files_for(folder, pulumi_project or plan.name, stack, settings.region, relative)
    stack_path = folder / stack_file(stack, folder)
    wanted = {(stack_path if p.name == f"Pulumi.{stack}.yaml" else p): text for p, text in wanted.items()}
    for written in init.write(wanted):
        shown = written.path.relative_to(folder)
        sys.stdout.write(f"created {shown}\n" if written.created else f"skipped {shown} (it exists; not changed)\n")
    if init.ignore_virtualenv(folder):
        sys.stdout.write("added .venv/ to .gitignore (Pulumi's virtualenv)\n")
    requirement = init.requirement()
    if "file://" in requirement:
        sys.stderr.write(
            f"warning: requirements.txt names this machine's copy ({requirement.split(' @ ', 1)[1]}); a CI "
            "runner or another clone cannot install it: replace it with a version or a git URL\n"
        )
    sys.stdout.write(
        f"next: compose-cloud preview --stack {stack}, then `pulumi stack init {stack}` and "
        "`pulumi up` (AWS credentials and the Pulumi CLI needed)\n"
    )
    return EXIT_OK
