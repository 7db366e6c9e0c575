# PYTHON_ARGCOMPLETE_OK  (argcomplete: this program answers shell completion requests)
"""`compose-cloud`: Compose files with `models:` -> an AWS deployment plan.

Exit codes: 0 ok, 1 invalid input, 2 usage error, 3 changes (diff --exit-code), 130 interrupted.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import signal
import sys
from pathlib import Path

import argcomplete

from compose_translate import ComposeError, Diagnostic, LoadOptions, StackSettings, make_plan, paused_gc
from compose_translate.load import find_default_files, normalize_name
from compose_translate.settings import read_stack_file

from .progress import progress
from .pulumi_project import find_project_name, stack_file
from .render import error_text, plan_json, plan_text, warnings_text

EXIT_OK, EXIT_INVALID, EXIT_USAGE = 0, 1, 2

_DESCRIPTION = """\
Deploy a Docker Compose application that declares AI models (`models:`) to AWS.

  check      validate the Compose files and the stack settings; print warnings
  config     print the merged, interpolated, normalized Compose project (like docker compose config)
  plan       print the deployment plan: where each model runs, what each service gets
  preview    run the Pulumi program offline (mocked) and print the resources it creates
  diff       compare the preview of a base revision with the working tree (for pull requests)
  preflight  check quotas, regions and instance types in your AWS account before deploying
  status     state of a deployed stack: endpoints, services, load balancer targets
  logs       CloudWatch Logs of a deployed stack's services, model servers and gateway
  init       make this Compose project's folder a Pulumi project that deploys it

Exit codes: 0 ok, 1 invalid input (or a failed check), 2 usage error, 3 changes (diff --exit-code).
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


_EXAMPLES = {
    "config": ["compose-cloud config", "compose-cloud config -f compose.yaml -f compose.prod.yaml --format json"],
    "check": ["compose-cloud check", "compose-cloud check -f compose.yaml -f compose.prod.yaml --format json"],
    "plan": ["compose-cloud plan --stack dev", "compose-cloud plan -f compose.yaml --format json | jq .models"],
    "preview": ["compose-cloud preview --stack dev", "compose-cloud preview --format markdown > preview.md"],
    "diff": [
        "compose-cloud diff --base origin/main --stack dev --format markdown",
        "compose-cloud diff --base-dir ../release-1.2 --exit-code",
    ],
    "preflight": ["compose-cloud preflight --stack dev", "compose-cloud preflight --stack prod --aws-profile deploy"],
    "status": ["compose-cloud status --stack dev", "compose-cloud status --stack prod --format json"],
    "logs": ["compose-cloud logs --stack dev --since 30m", "compose-cloud logs web model-gateway --stack dev --follow"],
    "init": [
        "compose-cloud init",
        "compose-cloud init --stack prod -f compose.yaml -f compose.prod.yaml --region eu-west-1",
    ],
}


class _ExamplesFormatter(argparse.HelpFormatter):
    """Wraps descriptions as usual, keeps the examples' lines as written."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        return text if text.startswith("examples:") else super()._fill_text(text, width, indent)


class _Commands:
    """Sub-commands whose --help ends with real examples."""

    def __init__(self, actions):
        self.actions = actions

    def add_parser(self, name: str, **kwargs) -> argparse.ArgumentParser:
        examples = "\n".join(f"  {line}" for line in _EXAMPLES.get(name, []))
        return self.actions.add_parser(
            name, epilog=f"examples:\n{examples}" if examples else None, formatter_class=_ExamplesFormatter, **kwargs
        )


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("compose-cloud")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


def _parser() -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument(
        "-f",
        "--file",
        dest="files",
        action="append",
        default=[],
        metavar="FILE",
        help="Compose file (repeat to merge overrides, like docker compose); "
        "default: compose.yaml and compose.override.yaml in this folder",
    )
    common.add_argument("-p", "--project-name", metavar="NAME", help="project name (default: `name:` or the folder)")
    common.add_argument("--project-directory", metavar="DIR", help="folder relative paths and .env are read from")
    common.add_argument(
        "--profile",
        dest="profiles",
        action="append",
        default=[],
        metavar="PROFILE",
        help="enable services of this profile (repeatable)",
    )
    common.add_argument(
        "--env-file",
        dest="env_files",
        action="append",
        default=[],
        metavar="FILE",
        help="read interpolation variables from FILE instead of .env (repeatable)",
    )
    common.add_argument(
        "--stack",
        metavar="NAME|FILE",
        help="stack settings: Pulumi.NAME.yaml (in Pulumi.yaml's stackConfigDir), or a path to such a file",
    )
    common.add_argument("--region", help="AWS region for the stack (overrides the stack's aws:region)")

    parser = argparse.ArgumentParser(
        prog="compose-cloud",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"compose-cloud {_version()}")
    commands = _Commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    check = commands.add_parser(
        "check",
        parents=[common],
        help="validate Compose files and stack settings",
        description="Validate; exit 0 when the project can be deployed, 1 when it cannot.",
    )
    config = commands.add_parser(
        "config",
        parents=[common],
        help="print the project as compose-cloud reads it (like docker compose config)",
        description="Print the merged, interpolated and normalized Compose project, before any cloud decision: "
        "what `docker compose config` prints, in compose-cloud's reading. Secret and config contents "
        "and credential-like values are never printed.",
    )
    plan = commands.add_parser(
        "plan",
        parents=[common],
        help="print the deployment plan",
        description="Print the deployment plan (JSON on stdout with --format json; warnings on stderr).",
    )
    preview = commands.add_parser(
        "preview",
        parents=[common],
        help="run the Pulumi program offline and print what it would create",
        description="Run the same Pulumi program as `pulumi up` against a deterministic mock: no Pulumi CLI, "
        "plugin or AWS account needed. Prints the resource tree, each service's environment and "
        "public URL, warnings and the resource count. Secret values print as [secret].",
    )
    diff = commands.add_parser(
        "diff",
        parents=[common],
        help="what a change does in the cloud: preview the base and the working tree",
        description="Preview the base (a git revision, or with --base-dir a folder holding the base version of this "
        "directory) "
        "and the working tree offline, and report resources added, removed and changed, environment "
        "and binding changes per service, model placement changes, the hourly cost before -> after, "
        "and new or resolved warnings. Secret values are compared but never shown.",
    )
    base = diff.add_mutually_exclusive_group(required=True)
    base.add_argument(
        "--base",
        metavar="REV",
        help="git revision to compare against (origin/main, a tag, a commit); "
        "its own stack file, Compose files and Pulumi project are used",
    )
    base.add_argument("--base-dir", metavar="DIR", help="a folder holding the base version of this directory")
    diff.add_argument("--exit-code", action="store_true", help="exit 3 when there are changes (for pipelines)")
    preflight = commands.add_parser(
        "preflight",
        parents=[common],
        help="check the AWS account can take this plan (quotas, regions, types)",
        description="Check, with your AWS credentials (boto3's chain: environment, AWS_PROFILE or --aws-profile, "
        "SSO), that the account can deploy the plan: caller identity, regions enabled, ECS GPU types "
        "offered, SageMaker endpoint and EC2/Fargate vCPU quotas against what the plan needs, the ECS "
        "GPU AMI, ECR access. Exit 0 when nothing fails, 1 otherwise.",
    )
    status = commands.add_parser(
        "status",
        parents=[common],
        help="state of a deployed stack: endpoints, ECS services, target health",
        description="Read the state of a deployed stack from AWS: each SageMaker endpoint (with its failure "
        "reason), each ECS service (running/desired, latest events), load balancer target health. "
        "Exit 0 when everything is healthy, 1 otherwise.",
    )
    logs = commands.add_parser(
        "logs",
        parents=[common],
        help="CloudWatch Logs of a deployed stack, interleaved",
        description="Print the CloudWatch Logs of a deployed stack's services, ECS model servers, gateway and "
        "SageMaker endpoints, oldest first, each line prefixed with its service as `docker compose "
        "logs` does. Groups are found by the stack's name and tags.",
    )
    logs.add_argument("services", nargs="*", metavar="SERVICE", help="only these services or models")
    logs.add_argument("--since", default="1h", metavar="DURATION", help="how far back: 30s, 10m, 2h, 1d (default 1h)")
    logs.add_argument("--follow", action="store_true", help="keep printing new lines until Ctrl-C")
    logs.add_argument("-t", "--timestamps", action="store_true", help="show each line's time (UTC)")
    commands.add_parser(
        "init",
        parents=[common],
        help="write Pulumi.yaml, __main__.py and a stack file for this Compose project",
        description="Make the folder of a Compose project a Pulumi project that deploys it: Pulumi.yaml (Python, "
        "its own virtualenv), requirements.txt naming compose-cloud, a few-line __main__.py that calls "
        "the library, and Pulumi.<stack>.yaml with the Compose files and region. Existing files are "
        "never overwritten. Then: `pulumi stack init <stack>` and `pulumi up`.",
    )
    preflight.add_argument(
        "--refresh-prices",
        action="store_true",
        help="also price the plan's regions from the AWS Price List API into "
        ".compose-cloud/prices.json (used by plan, preview and diff)",
    )
    for sub in (preflight, status, logs):
        sub.add_argument(
            "--aws-profile",
            metavar="NAME",
            help="AWS profile (default: AWS_PROFILE or the default chain); --profile is Compose's",
        )
    for sub, formats in (
        (config, ("yaml", "json")),
        (check, ("text", "json")),
        (plan, ("text", "json")),
        (preflight, ("text", "json")),
        (status, ("text", "json")),
        (preview, ("text", "json", "markdown", "mermaid")),
        (diff, ("text", "markdown", "json")),
    ):
        sub.add_argument("--format", choices=formats, default=formats[0], help=f"output format (default: {formats[0]})")
    return parser


def _settings(args: argparse.Namespace) -> StackSettings:
    path = _stack_path(args.stack) if args.stack else None
    if path and not path.is_file():
        raise ComposeError(
            Diagnostic(
                f"stack settings not found: {path}",
                hint="pass a stack name that has a Pulumi.<name>.yaml, or a file path",
            )
        )
    return _stack_settings(args, path)


def _stack_settings(args: argparse.Namespace, path: Path | None) -> StackSettings:
    """A stack file's settings (defaults without one), with --region applied."""
    settings = StackSettings()
    if path:
        settings = read_stack_file(path).model_copy(update={"stack_name": _stack_name(args.stack)})
    if args.region:
        settings = StackSettings(**{**settings.model_dump(), "region": args.region})
        settings.validate_choices("--region")
    return settings


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    argcomplete.autocomplete(parser)  # answers the shell's completion request and exits; else nothing
    args = parser.parse_args(argv)
    root = Path(args.project_directory or (Path(args.files[0]).parent if args.files else ".")).resolve()
    try:
        if args.command == "init":
            return _init(args)
        settings = _settings(args)
        if args.command == "config":
            return _config(args, settings, root)
        files = (
            tuple(Path(f) for f in args.files)
            or tuple(Path(f) for f in settings.files)
            or _compose_file_variable()
            or tuple(find_default_files(Path(args.project_directory or ".").resolve()))
        )
        pulumi_project = find_project_name(
            *([_stack_path(args.stack).parent] if args.stack else []), Path.cwd(), *(f.parent for f in files[:1])
        )
        options = LoadOptions(
            files=files,
            project_name=args.project_name,
            default_name=pulumi_project,
            project_directory=Path(args.project_directory) if args.project_directory else None,
            profiles=tuple(args.profiles) or settings.profiles,
            env_files=tuple(Path(f) for f in args.env_files) or tuple(map(Path, settings.env_files)),
        )
        with paused_gc():
            plan = make_plan(options, settings)
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, root))
        return EXIT_INVALID
    root = Path(plan.project_dir)
    if args.command == "preview":
        return _preview(args, settings, files, pulumi_project or plan.name)
    if args.command == "diff":
        return _diff(args, settings, files, pulumi_project or plan.name)
    if args.command in ("preflight", "status", "logs"):
        return _account(args, plan)
    sys.stderr.write(warnings_text(plan.warnings, root))
    if args.command == "check":
        if args.format == "json":
            sys.stdout.write(_check_json(plan))
        else:
            sys.stdout.write(
                f"ok: {len(plan.services)} services, {len(plan.models)} models to deploy, "
                f"{len(plan.warnings)} warnings\n"
            )
    elif args.format == "json":
        sys.stdout.write(plan_json(plan))
    else:
        sys.stdout.write(plan_text(plan))
    return EXIT_OK


def _preview_settings(args: argparse.Namespace, settings: StackSettings, files, env_files=None) -> StackSettings:
    """The stack settings the program runs with: command-line options over the stack file's."""
    return settings.model_copy(
        update={
            "files": tuple(map(str, files)),
            "profiles": tuple(args.profiles) or settings.profiles,
            "env_files": (tuple(args.env_files) or settings.env_files) if env_files is None else tuple(env_files),
            "project_name": args.project_name or settings.project_name,
        }
    )


def _preview(args: argparse.Namespace, settings: StackSettings, files: tuple[Path, ...], project: str) -> int:
    """The plan was made above, so bad input has already been reported; now run the program."""
    from .preview import run_preview
    from .preview_render import RENDERERS

    try:
        with progress("previewing: running the Pulumi program against the mock"):
            result = run_preview(
                _preview_settings(args, settings, files), stack=_stack_name(args.stack), project=project
            )
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, None))
        return EXIT_INVALID
    sys.stdout.write(RENDERERS[args.format](result))
    return EXIT_OK


def _account(args: argparse.Namespace, plan) -> int:
    """preflight / status: the plan against the AWS account."""
    from . import preflight, status
    from .aws import Aws

    if args.command in ("status", "logs") and not args.stack:
        sys.stderr.write(f"error: {args.command} needs --stack NAME (the deployed stack to read)\n")
        return EXIT_USAGE
    try:
        aws = Aws(args.aws_profile)
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, None))
        return EXIT_INVALID
    if args.command == "logs":
        return _logs(args, plan, aws)
    if args.command == "preflight":
        with progress("checking the AWS account"):
            checks = preflight.preflight(plan, aws)
        if args.refresh_prices:
            with progress("reading the AWS Price List API"):
                checks.append(_refresh_prices(plan, aws))
        sys.stdout.write((preflight.render_json if args.format == "json" else preflight.render_text)(checks))
        return EXIT_INVALID if any(c.status == "fail" for c in checks) else EXIT_OK
    with progress("reading the stack's state from AWS"):
        rows = status.status(plan, aws, _stack_name(args.stack))
    sys.stdout.write((status.render_json if args.format == "json" else status.render_text)(rows))
    return EXIT_OK if all(r.healthy for r in rows) else EXIT_INVALID


def _logs(args: argparse.Namespace, plan, aws) -> int:
    import time

    from . import logs
    from .aws import AWS_ERRORS, NO_CREDENTIALS_FIX, failure_text

    try:
        start = logs.since_millis(args.since, time.time())
        groups = logs.sources(plan, aws, _stack_name(args.stack), args.services)
        if not groups:
            sys.stderr.write(
                f"no log groups for {plan.name} ({_stack_name(args.stack)}) in {plan.region}: "
                "deploy it with `pulumi up` first\n"
            )
            return EXIT_INVALID
        width = max(len(g.name) for g in groups)
        batches = logs.follow(aws, groups, start) if args.follow else iter([logs.read(aws, groups, start)])
        for batch in batches:
            sys.stdout.write(logs.render(batch, width, args.timestamps))
            sys.stdout.flush()
    except ComposeError as exc:
        sys.stderr.write(error_text(exc.diagnostics, None))
        return EXIT_INVALID
    except AWS_ERRORS as exc:
        sys.stderr.write(f"error: cannot read the stack's logs: {failure_text(exc)}\n  hint: {NO_CREDENTIALS_FIX}\n")
        return EXIT_INVALID
    return EXIT_OK


def _config(args: argparse.Namespace, settings: StackSettings, root: Path) -> int:
    from compose_translate import load_project

    from . import config

    files = (
        tuple(Path(f) for f in args.files)
        or tuple(Path(f) for f in settings.files)
        or _compose_file_variable()
        or tuple(find_default_files(Path(args.project_directory or ".").resolve()))
    )
    project, warnings, sensitive = load_project(
        LoadOptions(
            files=files,
            project_name=args.project_name,
            default_name=find_project_name(Path.cwd(), *(f.parent for f in files[:1])),
            project_directory=Path(args.project_directory) if args.project_directory else None,
            profiles=tuple(args.profiles) or settings.profiles,
            env_files=tuple(Path(f) for f in args.env_files) or tuple(map(Path, settings.env_files)),
        )
    )
    sys.stderr.write(warnings_text(list(warnings), Path(project.project_dir)))
    sys.stdout.write(config.render(config.project_dict(project, sensitive), args.format))
    return EXIT_OK


def _init(args: argparse.Namespace) -> int:
    """Check the Compose project loads, then write the Pulumi project beside it."""
    from . import init

    folder = Path(args.project_directory or ".").resolve()
    files = tuple(Path(f) for f in args.files) or _compose_file_variable() or tuple(find_default_files(folder))
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
    settings = StackSettings(region=args.region) if args.region else StackSettings()
    settings.validate_choices("--region")
    pulumi_project = find_project_name(folder)
    plan = make_plan(
        LoadOptions(
            files=tuple(folder / f for f in relative),
            project_name=args.project_name,
            default_name=pulumi_project or normalize_name(folder.name),
            profiles=tuple(args.profiles),
            env_files=tuple(Path(f) for f in args.env_files),
        ),
        settings,
    )
    sys.stderr.write(warnings_text(plan.warnings, folder))
    stack = args.stack or "dev"
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
    sys.stdout.write(
        f"next: compose-cloud preview --stack {stack}, then `pulumi stack init {stack}` and "
        "`pulumi up` (AWS credentials and the Pulumi CLI needed)\n"
    )
    return EXIT_OK


def _refresh_prices(plan, aws):
    import time

    from . import prices
    from .aws import AWS_ERRORS, failure_text
    from .preflight import Check

    try:
        tables = prices.refresh(plan, aws, time.strftime("%Y-%m-%d", time.gmtime()))
    except AWS_ERRORS as exc:
        return Check(
            "prices",
            "fail",
            f"cannot read the AWS Price List API: {failure_text(exc)}",
            "the caller needs pricing:GetProducts; the built-in tables stay in use",
        )
    path = prices.write(Path(plan.project_dir), tables)
    missing = [f"{r}: {', '.join(t)}" for r, t in sorted(_unpriced(plan, tables).items()) if t]
    return Check(
        "prices",
        "warn" if missing else "pass",
        f"{', '.join(sorted(tables))} priced from the AWS Price List API into "
        f"{path.relative_to(plan.project_dir).as_posix()}"
        + (f"; no price found for {'; '.join(missing)}" if missing else ""),
        "commit the file so that CI prices the same way"
        if not missing
        else "those items stay unpriced in the estimate",
    )


def _unpriced(plan, tables) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for region, table in tables.items():
        gaps = [
            k
            for k in ("fargate_vcpu", "fargate_gb", "nat_gateway", "load_balancer", "public_ipv4")
            if getattr(table, k) is None
        ]
        gaps += [
            m.placement.instance_type
            for m in plan.models.values()
            if m.placement.region == region
            and m.placement.backend == "sagemaker"
            and m.placement.instance_type not in table.sagemaker
        ]
        found[region] = gaps
    return found


EXIT_CHANGED = 3


def _diff(args: argparse.Namespace, settings: StackSettings, files: tuple[Path, ...], project: str) -> int:
    from . import diff_render
    from .diff import compare
    from .preview import run_preview
    from .revisions import base_dir, base_root, on_base, scratch_dir

    stack = _stack_name(args.stack)
    cwd = Path.cwd()
    label = args.base or args.base_dir
    with scratch_dir() as scratch:
        try:
            with progress("previewing the working tree"):
                head = run_preview(_preview_settings(args, settings, files), stack=stack, project=project)
            root = base_root(args.base, cwd, Path(scratch)) if args.base else base_dir(args.base_dir)
            # the base is previewed as its own revision would be: its stack file, its Compose files and
            # env files (unless given on the command line), its Pulumi project's name
            base_project = find_project_name(on_base(cwd, cwd, root)) or project
            base_stack = on_base(_stack_path(args.stack), cwd, root) if args.stack else None
            base_settings = (
                _stack_settings(args, base_stack)
                if base_stack and base_stack.is_file()
                else _stack_settings(args, None)
            )
            wanted = files if args.files or not base_settings.files else tuple(Path(f) for f in base_settings.files)
            existing = tuple(f for f in (on_base(f, cwd, root) for f in wanted) if f.is_file())
            base_env = [
                e
                for e in (on_base(Path(f), cwd, root) for f in (tuple(args.env_files) or base_settings.env_files))
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
                        _preview_settings(args, base_settings, existing, map(str, base_env)),
                        stack=stack,
                        project=base_project,
                    )
            except ComposeError as exc:
                note = f"{label} does not preview ({exc.first.message}): everything is shown as new"
    result = compare(base, head)
    result.note = note
    sys.stdout.write(diff_render.RENDERERS[args.format](result))
    return EXIT_CHANGED if args.exit_code and not result.empty else EXIT_OK


def _compose_file_variable() -> tuple[Path, ...]:
    """COMPOSE_FILE, as docker compose reads it when no -f is given (COMPOSE_PATH_SEPARATOR, default ':')."""
    value = os.environ.get("COMPOSE_FILE", "")
    separator = os.environ.get("COMPOSE_PATH_SEPARATOR") or os.pathsep
    return tuple(Path(part) for part in value.split(separator) if part)


def _stack_path(stack: str) -> Path:
    candidate = Path(stack)
    return candidate if candidate.suffix in (".yaml", ".yml") else stack_file(stack)


def _stack_name(stack: str | None) -> str:
    if not stack:
        return "preview"
    path = Path(stack)
    return path.stem.removeprefix("Pulumi.") if path.suffix in (".yaml", ".yml") else stack


def _check_json(plan) -> str:
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
        code = main()
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
