"""Run `__main__.py` as `pulumi up` would: config only from PULUMI_CONFIG, the engine mocked.

Used by tests/program/test_pulumi_cli.py in a fresh process, so nothing set by another test (config,
mocks) leaks in. Prints one JSON line: the registered resources, or the errors logged.
"""

import asyncio
import json
import logging
import runpy
import sys
from pathlib import Path

import pulumi
from pulumi.runtime import mocks
from pulumi.runtime.sync_await import _sync_await

from compose_cloud.preview.engine import _Mocks, _Monitor

ROOT = Path(__file__).resolve().parents[2]


class _Recorder(_Mocks):
    """Also keeps what a Secrets Manager secret version is given, unwrapped: what AWS would receive."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.secret_strings: list = []

    def new_resource(self, args):
        if args.typ == "aws:secretsmanager/secretVersion:SecretVersion":
            value = args.inputs.get("secretString")
            self.secret_strings.append(value.get("value") if isinstance(value, dict) else value)
        return super().new_resource(args)


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        if record.levelno >= logging.ERROR:
            self.lines.append(record.getMessage())


def run_as_language_host(program: Path) -> None:
    """As pulumi-language-python-exec runs a program: the module inside a fresh root stack, which awaits what the
    module hands `pulumi.run`, then every registration, then registers the stack's outputs."""
    pulumi.runtime.settings.set_root_resource(None)
    _sync_await(pulumi.runtime.stack.run_in_stack(lambda: runpy.run_path(str(program), run_name="__main__")))


def main() -> None:
    """argv: STACK MODE [PROGRAM_FOLDER PROJECT]; the program folder is also the working directory."""
    stack, preview = sys.argv[1], sys.argv[2] == "preview"
    folder = Path(sys.argv[3]) if len(sys.argv) > 3 else ROOT
    project = sys.argv[4] if len(sys.argv) > 4 else "compose-cloud"
    errors = _Errors()
    logger = logging.getLogger("pulumi-entry")
    logger.addHandler(errors)
    logger.propagate = False
    recorder = _Recorder("us-east-1", unknowns=preview)
    mocks.set_mocks(recorder, project=project, stack=stack, preview=preview, logger=logger, monitor=_Monitor(recorder))
    code = 0
    try:
        run_as_language_host(folder / "__main__.py")
    except SystemExit as exc:
        code = int(exc.code or 0)
    # the loop `_sync_await` made, closed while the interpreter is whole: left open, it is closed by its
    # __del__ during shutdown, which then fails now and again ("Exception ignored in BaseEventLoop.__del__")
    asyncio.get_event_loop().close()
    print(
        json.dumps(
            {
                "exit": code,
                "errors": errors.lines,
                "resources": sorted(f"{r.type}::{r.name}" for r in recorder.records.values()),
                "inputs": {f"{r.type}::{r.name}": r.inputs for r in recorder.records.values()},
                "secret_strings": recorder.secret_strings,
                "providers": {r.name: r.inputs for r in recorder.records.values() if r.type == "pulumi:providers:aws"},
            },
            sort_keys=True,
            default=repr,
        )
    )


if __name__ == "__main__":
    main()
