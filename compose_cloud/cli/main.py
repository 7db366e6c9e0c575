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

from compose_cloud import collector
from compose_cloud.cli.account import cmd_account
from compose_cloud.cli.parser import parse_command_line
from compose_cloud.cli.preview import cmd_diff, cmd_preview
from compose_cloud.cli.project import cmd_config, cmd_init
from compose_cloud.cli.request import EXIT_INVALID, EXIT_OK, Request, message_root
from compose_cloud.render.plan import error_text, plan_json, plan_text, warnings_text
from compose_translate import ComposeError, make_plan
from compose_translate.load import probe_name
from compose_translate.plan import DeploymentPlan
from compose_translate.sensitive import mask

# What a command needs before it runs: nothing but the request, the stack's settings, or the plan.
_ON_REQUEST = {"init": cmd_init}
_ON_SETTINGS = {"config": cmd_config}
_ON_PREVIEW = {"preview": cmd_preview, "diff": cmd_diff}
_ON_ACCOUNT = ("preflight", "status", "logs")


def main(argv: list[str] | None = None) -> int:
    """Parse once, then run the command; bad input is one message on stderr and exit 1."""
    args = parse_command_line(argv)
    root = message_root(args.project_directory, args.files)
    try:
        request = Request.from_args(args)
        if request.command in _ON_REQUEST:
            return _ON_REQUEST[request.command](request)
        settings = request.settings()
        if request.command in _ON_SETTINGS:
            return _ON_SETTINGS[request.command](request, settings)
        files = request.compose_files(settings)
        pulumi_project = request.pulumi_project(files)
        options = request.load_options(settings, files, pulumi_project)
        if request.command in _ON_PREVIEW:
            # the Pulumi program makes the plan, once, from the stack config as `pulumi preview` would;
            # without a Pulumi project the preview's is named after the Compose project
            return _ON_PREVIEW[request.command](request, settings, files, pulumi_project or probe_name(options))
        with collector.paused():
            plan = make_plan(options, settings)
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, root))
        return EXIT_INVALID
    if request.command in _ON_ACCOUNT:
        return cmd_account(request, plan)
    return _print_plan(request, plan)


def _print_plan(request: Request, plan: DeploymentPlan) -> int:
    """`check` and `plan`: warnings on stderr, the plan (or a one-line verdict) on stdout."""
    sys.stderr.write(warnings_text(plan.warnings, Path(plan.project_dir)))
    if request.command == "check":
        if request.format == "json":
            sys.stdout.write(mask(_check_json(plan), plan.sources))
        else:
            sys.stdout.write(
                f"ok: {_count(len(plan.services), 'service')}, {_count(len(plan.models), 'model')} to deploy, "
                f"{_count(len(plan.warnings), 'warning')}\n"
            )
    elif request.format == "json":
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
            # before the collector is back on: else its first young collection scans all the run built
            # (1,000 services: 4 s)
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
