"""Run `__main__.py` as `pulumi up` would: config only from PULUMI_CONFIG, the engine mocked.

Used by tests/test_pulumi_cli.py in a fresh process, so nothing set by another test (config,
mocks) leaks in. Prints one JSON line: the registered resources, or the errors logged.
"""

import json
import logging
import runpy
import sys
from pathlib import Path

import pulumi
from pulumi.runtime import mocks
from pulumi.runtime.sync_await import _sync_await

from compose_cloud.preview import _Mocks, _Monitor

ROOT = Path(__file__).resolve().parent.parent


class _Errors(logging.Handler):
    def __init__(self):
        super().__init__()
        self.lines: list[str] = []

    def emit(self, record):
        if record.levelno >= logging.ERROR:
            self.lines.append(record.getMessage())


def main() -> None:
    stack, preview = sys.argv[1], sys.argv[2] == "preview"
    errors = _Errors()
    logger = logging.getLogger("pulumi-entry")
    logger.addHandler(errors)
    logger.propagate = False
    recorder = _Mocks("us-east-1", unknowns=preview)
    mocks.set_mocks(recorder, project="compose-cloud", stack=stack, preview=preview, logger=logger,
                    monitor=_Monitor(recorder))
    code = 0
    try:
        runpy.run_path(str(ROOT / "__main__.py"), run_name="__main__")
        _sync_await(pulumi.runtime.stack.wait_for_rpcs())
    except SystemExit as exc:
        code = int(exc.code or 0)
    print(json.dumps({"exit": code, "errors": errors.lines,
                      "resources": sorted(f"{r.type}::{r.name}" for r in recorder.records.values()),
                      "providers": {r.name: r.inputs for r in recorder.records.values()
                                    if r.type == "pulumi:providers:aws"}}, sort_keys=True))


if __name__ == "__main__":
    main()
