"""`compose-cloud`: Compose files with `models:` -> an AWS deployment plan.

Exit codes: 0 ok, 1 invalid input, 2 usage error.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from compose_translate import ComposeError, Diagnostic, LoadOptions, StackSettings, make_plan
from compose_translate.settings import read_stack_file

from .render import error_text, plan_json, plan_text, warnings_text

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

_DESCRIPTION = """\
Deploy a Docker Compose application that declares AI models (`models:`) to AWS.

  check    validate the Compose files and the stack settings; print warnings
  plan     print the deployment plan: where each model runs, what each service gets
  preview  run the Pulumi program offline (mocked) and print the resources it creates
"""
_EPILOG = """\
Model placement comes from labels on each model, e.g.
  models:
    llm:
      model: ai/smollm2
      labels: ["cloud.instance-type=gpu-small", "cloud.region=us-west-2"]
Each service that binds a model receives <NAME>_URL (the stack's OpenAI-compatible
gateway, ending in /v1/) and <NAME>_MODEL, exactly as Docker Compose injects them.
"""


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("-f", "--file", dest="files", action="append", default=[], metavar="FILE",
                        help="Compose file (repeat to merge overrides, like docker compose); "
                             "default: compose.yaml and compose.override.yaml in this folder")
    common.add_argument("-p", "--project-name", metavar="NAME", help="project name (default: `name:` or the folder)")
    common.add_argument("--project-directory", metavar="DIR", help="folder relative paths and .env are read from")
    common.add_argument("--profile", dest="profiles", action="append", default=[], metavar="PROFILE",
                        help="enable services of this profile (repeatable)")
    common.add_argument("--env-file", dest="env_files", action="append", default=[], metavar="FILE",
                        help="read interpolation variables from FILE instead of .env (repeatable)")
    common.add_argument("--stack", metavar="NAME|FILE",
                        help="stack settings: stacks/Pulumi.NAME.yaml, or a path to such a file")
    common.add_argument("--region", help="AWS region for the stack (overrides the stack's aws:region)")

    parser = argparse.ArgumentParser(prog="compose-cloud", description=_DESCRIPTION, epilog=_EPILOG,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)
    check = commands.add_parser("check", parents=[common], help="validate Compose files and stack settings",
                                description="Validate; exit 0 when the project can be deployed, 1 when it cannot.")
    plan = commands.add_parser("plan", parents=[common], help="print the deployment plan",
                               description="Print the deployment plan (JSON on stdout with --format json; warnings "
                                           "on stderr).")
    preview = commands.add_parser(
        "preview", parents=[common], help="run the Pulumi program offline and print what it would create",
        description="Run the same Pulumi program as `pulumi up` against a deterministic mock: no Pulumi CLI, "
                    "plugin or AWS account needed. Prints the resource tree, each service's environment and "
                    "public URL, warnings and the resource count. Secret values print as [secret].")
    for sub, formats in ((check, ("text", "json")), (plan, ("text", "json")),
                         (preview, ("text", "json", "markdown"))):
        sub.add_argument("--format", choices=formats, default="text", help="output format (default: text)")
    return parser


def _settings(args: argparse.Namespace) -> StackSettings:
    settings = StackSettings()
    if args.stack:
        candidate = Path(args.stack)
        path = candidate if candidate.suffix in (".yaml", ".yml") else Path("stacks") / f"Pulumi.{args.stack}.yaml"
        if not path.is_file():
            raise ComposeError(Diagnostic(f"stack settings not found: {path}",
                                          hint="pass a stack name that has stacks/Pulumi.<name>.yaml, or a file path"))
        settings = read_stack_file(path).model_copy(update={"stack_name": _stack_name(args.stack)})
    if args.region:
        settings = StackSettings(**{**settings.model_dump(), "region": args.region})
        settings.validate_choices("--region")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    root = Path(args.project_directory or (Path(args.files[0]).parent if args.files else ".")).resolve()
    try:
        settings = _settings(args)
        files = tuple(Path(f) for f in args.files) or tuple(Path(f) for f in settings.files)
        options = LoadOptions(files=files, project_name=args.project_name,
                              project_directory=Path(args.project_directory) if args.project_directory else None,
                              profiles=tuple(args.profiles) or settings.profiles,
                              env_files=tuple(Path(f) for f in args.env_files) or tuple(map(Path, settings.env_files)))
        plan = make_plan(options, settings)
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, root))
        return EXIT_INVALID
    root = Path(plan.project_dir)
    if args.command == "preview":
        return _preview(args, settings, files)
    sys.stderr.write(warnings_text(plan.warnings, root))
    if args.command == "check":
        if args.format == "json":
            sys.stdout.write(_check_json(plan))
        else:
            sys.stdout.write(f"ok: {len(plan.services)} services, {len(plan.models)} models to deploy, "
                             f"{len(plan.warnings)} warnings\n")
    elif args.format == "json":
        sys.stdout.write(plan_json(plan))
    else:
        sys.stdout.write(plan_text(plan))
    return EXIT_OK


def _preview(args: argparse.Namespace, settings: StackSettings, files: tuple[Path, ...]) -> int:
    """The plan was made above, so bad input has already been reported; now run the program."""
    from .preview import run_preview
    from .preview_render import RENDERERS

    settings = StackSettings(**{**settings.model_dump(), "files": tuple(map(str, files)),
                                "profiles": tuple(args.profiles) or settings.profiles,
                                "env_files": tuple(args.env_files) or settings.env_files,
                                "project_name": args.project_name or settings.project_name})
    try:
        result = run_preview(settings, stack=_stack_name(args.stack))
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, None))
        return EXIT_INVALID
    sys.stdout.write(RENDERERS[args.format](result))
    return EXIT_OK


def _stack_name(stack: str | None) -> str:
    if not stack:
        return "preview"
    path = Path(stack)
    return path.stem.removeprefix("Pulumi.") if path.suffix in (".yaml", ".yml") else stack


def _check_json(plan) -> str:
    data = plan.to_dict()
    return json.dumps({"ok": True, "services": len(data["services"]), "models": len(data["models"]),
                       "warnings": data["warnings"]}, indent=2, sort_keys=True) + "\n"


def run() -> None:
    """Console-script entry: never a traceback for bad input; internal faults say so briefly."""
    try:
        code = main()
    except KeyboardInterrupt:
        code = 130
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        if os.environ.get("COMPOSE_CLOUD_DEBUG"):
            raise
        sys.stderr.write(f"compose-cloud: internal error: {type(exc).__name__}: {exc}\n"
                         "  this is a bug; rerun with COMPOSE_CLOUD_DEBUG=1 for details and report it\n")
        code = EXIT_INVALID
    sys.exit(code)


if __name__ == "__main__":
    run()
