"""The collector choices of compose_cloud/collector.py, each in a fresh process (they are process-wide)."""

from __future__ import annotations

import subprocess
import sys

from support.common import ROOT


def _in_a_fresh_process(code: str) -> list[str]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, check=True)
    return done.stdout.split()


def test_a_program_runs_with_imports_frozen_and_no_cyclic_collection():
    code = "import gc; from compose_cloud import collector; collector.for_program(); "
    code += "print(gc.isenabled(), gc.get_freeze_count() > 0)"
    assert _in_a_fresh_process(code) == ["False", "True"]


def test_a_program_leaves_what_it_built_to_the_exit():
    """The interpreter's last collection runs even with the collector off: everything is frozen before it."""
    code = "import atexit, gc; from compose_cloud import collector; collector.for_program(); "
    code += "x = [[] for _ in range(1000)]; before = gc.get_freeze_count(); atexit._run_exitfuncs(); "
    code += "print(gc.get_freeze_count() >= before + 1000)"
    assert _in_a_fresh_process(code) == ["True"]


def test_a_library_caller_keeps_its_collector():
    code = "import gc; from compose_cloud import collector\n"
    code += "before = (gc.isenabled(), gc.get_threshold())\n"
    code += "with collector.relaxed():\n    inside = gc.get_threshold()\n"
    code += "with collector.paused():\n    off = gc.isenabled()\n"
    code += "print(before == (gc.isenabled(), gc.get_threshold()), inside == collector.THRESHOLDS, off)"
    assert _in_a_fresh_process(code) == ["True", "True", "False"]
