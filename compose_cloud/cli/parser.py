"""The command line: every command, option and help text, with examples in each command's --help."""

from __future__ import annotations

import argparse
from typing import Any

_DESCRIPTION = """\
Deploy a Docker Compose application that declares AI models (`models:`) to AWS.


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


EXAMPLES = {
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

    def __init__(self, actions: Any) -> None:  # argparse's _SubParsersAction
        self.actions = actions

    def add_parser(self, name: str, **kwargs: Any) -> argparse.ArgumentParser:
        examples = "\n".join(f"  {line}" for line in EXAMPLES.get(name, []))
        parser: argparse.ArgumentParser = self.actions.add_parser(
            name, epilog=f"examples:\n{examples}" if examples else None, formatter_class=_ExamplesFormatter, **kwargs
        )
        return parser


def package_version() -> str:
    """The installed distribution's version, for `--version` and the requirement `init` writes."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("compose-cloud")
    except PackageNotFoundError:  # run from a source tree that was never installed
        return "unknown"


# The options every command takes (docker compose's global flags), as (flags, keyword arguments).
_GLOBAL: list[tuple[tuple[str, ...], dict[str, Any]]] = [
    (
        ("-f", "--file"),
        dict(
            dest="files",
            action="append",
            metavar="FILE",
            help="Compose file (repeat to merge overrides, like docker compose); "
            "default: compose.yaml and compose.override.yaml in this folder",
        ),
    ),
    (
        ("-p", "--project-name"),
        dict(metavar="NAME", help="project name (default: `name:`, else the Pulumi project's name)"),
    ),
    (("--project-directory",), dict(metavar="DIR", help="folder relative paths and .env are read from")),
    (
        ("--profile",),
        dict(dest="profiles", action="append", metavar="PROFILE", help="enable services of this profile (repeatable)"),
    ),
    (
        ("--env-file",),
        dict(
            dest="env_files",
            action="append",
            metavar="FILE",
            help="read interpolation variables from FILE instead of .env (repeatable)",
        ),
    ),
    (
        ("--stack",),
        dict(
            metavar="NAME|FILE",
            help="stack settings: Pulumi.NAME.yaml (in Pulumi.yaml's stackConfigDir), or a path to such a file",
        ),
    ),
    (("--region",), dict(metavar="REGION", help="AWS region for the stack (overrides the stack's aws:region)")),
]
LISTS = ("files", "profiles", "env_files")
GLOBAL = "global_"  # options given before the command land under this prefix, then are merged


def _common(short_file: bool = True) -> argparse.ArgumentParser:
    """The options as a command takes them after its name; `logs` keeps -f for --follow, as docker compose."""
    common = argparse.ArgumentParser(add_help=False)
    for flags, kwargs in _GLOBAL:
        if not short_file and flags[0] == "-f":
            flags = flags[1:]
        common.add_argument(*flags, **kwargs)
    return common


def merge_global_options(args: argparse.Namespace) -> argparse.Namespace:
    """`compose-cloud -f a.yaml -p x logs -f` as docker compose reads it: options before the command,
    then the command's own (lists: both, in that order; single values: the command's wins)."""
    for name in [n for n in vars(args) if n.startswith(GLOBAL)]:
        key, before = name.removeprefix(GLOBAL), getattr(args, name)
        after = getattr(args, key, None)
        if key in LISTS:
            setattr(args, key, [*(before or []), *(after or [])])
        elif after is None:
            setattr(args, key, before)
        delattr(args, name)
    for key in LISTS:
        if getattr(args, key, None) is None:
            setattr(args, key, [])
    return args


def build_parser() -> argparse.ArgumentParser:
    """Every command, in the order `--help` lists them, each with docker compose's global options."""
    common = _common()
    parser = argparse.ArgumentParser(
        prog="compose-cloud",
        description=_DESCRIPTION,
        epilog=_EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"compose-cloud {package_version()}")
    for flags, kwargs in _GLOBAL:  # before the command, as docker compose takes them
        parser.add_argument(
            *flags, **{**kwargs, "dest": GLOBAL + kwargs.get("dest", flags[-1].lstrip("-").replace("-", "_"))}
        )
    commands = _Commands(parser.add_subparsers(dest="command", metavar="COMMAND", required=True))
    made = {**_project_commands(commands, common), **_preview_commands(commands, common)}
    made |= _account_commands(commands, common)
    commands.add_parser(
        "init",
        parents=[common],
        help="write Pulumi.yaml, __main__.py and a stack file for this Compose project",
        description="Make the folder of a Compose project a Pulumi project that deploys it: Pulumi.yaml (Python, "
        "its own virtualenv), requirements.txt naming compose-cloud, a few-line __main__.py that calls "
        "the library, and Pulumi.<stack>.yaml with the Compose files and region. Existing files are "
        "never overwritten. Then: `pulumi stack init <stack>` and `pulumi up`.",
    )
    for sub, formats in (
        (made["config"], ("yaml", "json")),
        (made["check"], ("text", "json")),
        (made["plan"], ("text", "json")),
        (made["preflight"], ("text", "json")),
        (made["status"], ("text", "json")),
        (made["preview"], ("text", "json", "markdown", "mermaid")),
        (made["diff"], ("text", "markdown", "json")),
    ):
        sub.add_argument("--format", choices=formats, default=formats[0], help=f"output format (default: {formats[0]})")
    return parser


def _project_commands(commands: _Commands, common: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """check, config and plan: the project read, validated and planned; nothing deployed."""
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
    for flag, what in (
        ("--services", "the service names"),
        ("--volumes", "the volume names"),
        ("--profiles", "the profile names services use"),
        ("--images", "each service's image"),
        ("--models", "the model names"),
    ):
        config.add_argument(flag, dest="list_" + flag[2:], action="store_true", help=f"print {what}, one per line")
    config.add_argument("-q", "--quiet", action="store_true", help="only validate: print nothing")
    config.add_argument(
        "--no-interpolate",
        action="store_true",
        help="print the merged files with every ${VARIABLE} as written (not normalized: types are checked "
        "only once values are known)",
    )
    config.add_argument("-o", "--output", metavar="FILE", help="write the project to FILE instead of stdout")
    plan = commands.add_parser(
        "plan",
        parents=[common],
        help="print the deployment plan",
        description="Print the deployment plan (JSON on stdout with --format json; warnings on stderr).",
    )
    return {"check": check, "config": config, "plan": plan}


def _preview_commands(commands: _Commands, common: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """preview and diff: the Pulumi program run offline, alone or against a base revision."""
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
    return {"preview": preview, "diff": diff}


def _account_commands(commands: _Commands, common: argparse.ArgumentParser) -> dict[str, argparse.ArgumentParser]:
    """preflight, status and logs: the plan against an AWS account, and a deployed stack."""
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
        parents=[_common(short_file=False)],
        help="CloudWatch Logs of a deployed stack, interleaved",
        description="Print the CloudWatch Logs of a deployed stack's services, ECS model servers, gateway and "
        "SageMaker endpoints, oldest first, each line prefixed with its service as `docker compose "
        "logs` does. Groups are found by the stack's name and tags.",
    )
    logs.add_argument("services", nargs="*", metavar="SERVICE", help="only these services or models")
    logs.add_argument("--since", default="1h", metavar="DURATION", help="how far back: 30s, 10m, 2h, 1d (default 1h)")
    logs.add_argument("-f", "--follow", action="store_true", help="keep printing new lines until Ctrl-C")
    logs.add_argument("-t", "--timestamps", action="store_true", help="show each line's time (UTC)")
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
    return {"preflight": preflight, "status": status, "logs": logs}


def parse_command_line(argv: list[str] | None = None) -> argparse.Namespace:
    """The command line parsed, global options merged; `Request.from_args` makes it typed, at once."""
    import argcomplete

    parser = build_parser()
    argcomplete.autocomplete(parser)  # answers the shell's completion request and exits; else nothing
    return merge_global_options(parser.parse_args(argv))
