# PYTHON_ARGCOMPLETE_OK  (argcomplete: this program answers shell completion requests)
"""`compose-cloud`: Compose files with `models:` -> an AWS deployment plan.

Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 changes (diff --exit-code), 130 interrupted.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

import argcomplete

from compose_cloud import collector
from compose_cloud.cli.account import cmd_account
from compose_cloud.cli.common import (
    EXIT_INVALID,
    EXIT_OK,
    command_settings,
    compose_files,
    load_options,
    resolve_stack,
    stack_file_path,
)
from compose_cloud.cli.parser import build_parser, merge_global_options
from compose_cloud.cli.preview import cmd_diff, cmd_preview
from compose_cloud.cli.project import cmd_config, cmd_init
from compose_cloud.program.project import find_project_name
from compose_cloud.render.plan import error_text, plan_json, plan_text, warnings_text
from compose_translate import ComposeError, make_plan
from compose_translate.load import probe_name
from compose_translate.plan import DeploymentPlan
from compose_translate.sensitive import mask


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argcomplete.autocomplete(parser)  # answers the shell's completion request and exits; else nothing
    args = merge_global_options(parser.parse_args(argv))
    root = Path(args.project_directory or (Path(args.files[0]).parent if args.files else ".")).resolve()
    try:
        if args.command == "init":
            return cmd_init(args)
        resolve_stack(args)
        settings = command_settings(args)
        if args.command == "config":
            return cmd_config(args, settings)
        files = compose_files(args, settings)
        pulumi_project = find_project_name(
            *([stack_file_path(args.stack).parent] if args.stack else []), Path.cwd(), *(f.parent for f in files[:1])
        )
        options = load_options(args, settings, files, pulumi_project)
        if args.command in ("preview", "diff"):
            # the Pulumi program makes the plan, once, from the stack config as `pulumi preview` would;
            # without a Pulumi project the preview's is named after the Compose project
            command = cmd_preview if args.command == "preview" else cmd_diff
            return command(args, settings, files, pulumi_project or probe_name(options), root)
        with collector.paused():
            plan = make_plan(options, settings)
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, root))
        return EXIT_INVALID
    root = Path(plan.project_dir)
    if args.command in ("preflight", "status", "logs"):
        return cmd_account(args, plan)
    sys.stderr.write(warnings_text(plan.warnings, root))
    if args.command == "check":
        if args.format == "json":
            sys.stdout.write(mask(_check_json(plan), plan.sources))
        else:
            sys.stdout.write(
                f"ok: {_count(len(plan.services), 'service')}, {_count(len(plan.models), 'model')} to deploy, "
                f"{_count(len(plan.warnings), 'warning')}\n"
            )
    elif args.format == "json":
        sys.stdout.write(mask(plan_json(plan), plan.sources))
    else:
        sys.stdout.write(mask(plan_text(plan), plan.sources))
    return EXIT_OK


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" + ("" if n == 1 else "s")


def _check_json(plan: DeploymentPlan) -> str:
    data = plan.to_dict()
    return (
        json.dumps(
            {
                "ok": True,
                "services": len(data["services"]),
                "models": len(data["models"]),
                "warnings": data["warnings"],
            },
            indent=2,
            sort_keys=True,
        )
        + "\n"
    )


def _interrupted(signum: int, frame: object) -> None:
    """Ctrl-C ends the command at once with 130 (128 + SIGINT), as a shell expects. A KeyboardInterrupt
    raised inside the Pulumi SDK's asynchronous machinery can be swallowed there, so none is raised."""
    sys.stderr.flush()
    os._exit(130)


def run() -> None:
    """Console-script entry: never a traceback for bad input; internal faults say so briefly."""
    signal.signal(signal.SIGINT, _interrupted)
    try:
        with collector.paused():  # a program's choice (the library keeps normal collection): no cycles worth it
            code = main()
        collector.leave_to_exit()
    except BrokenPipeError:
        code = 0
    except Exception as exc:  # noqa: BLE001 - last line of defence for the user
        if os.environ.get("COMPOSE_CLOUD_DEBUG"):
            raise
        sys.stderr.write(
            f"compose-cloud: internal error: {type(exc).__name__}: {exc}\n"
            "  this is a bug; rerun with COMPOSE_CLOUD_DEBUG=1 for details and report it\n"
        )
        code = EXIT_INVALID
    sys.exit(code)


if __name__ == "__main__":
    run()
