"""Same input, same bytes: across hash seeds, and across orderings Compose treats as equal."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest
import yaml
from support.common import EXAMPLES, ROOT

from compose_cloud.preview.engine import run_preview
from compose_cloud.preview.snapshot import to_data
from compose_cloud.render.preview import RENDERERS
from compose_translate import LoadOptions, StackSettings, make_plan

RENDER_ALL = """
import json, sys
from compose_cloud.preview.engine import run_preview
from compose_cloud.preview.snapshot import to_data
from compose_cloud.render.preview import RENDERERS
from compose_translate import StackSettings
for folder, files in json.loads(sys.argv[1]):
    result = run_preview(StackSettings(files=tuple(folder + "/" + f for f in files)))
    for name in sorted(RENDERERS):
        sys.stdout.write(RENDERERS[name](result))
"""


@pytest.mark.slow
def test_every_example_previews_byte_identically_under_different_hash_seeds():
    examples = json.dumps([[str(ROOT / "examples" / name), list(files)] for name, files in sorted(EXAMPLES.items())])
    outputs = []
    for seed in ("1", "4242"):
        env = {k: v for k, v in os.environ.items() if not k.startswith(("COMPOSE_", "LOG_LEVEL", "SEARCH_API_KEY"))}
        done = subprocess.run(
            [sys.executable, "-c", RENDER_ALL, examples],
            capture_output=True,
            text=True,
            cwd=ROOT,
            env={**env, "PYTHONHASHSEED": seed},
            check=True,
        )
        outputs.append(done.stdout)
    assert len(outputs[0]) > 10_000
    assert outputs[0] == outputs[1]


def reorder(value):
    """Every mapping's keys in reverse order: Compose gives mapping order no meaning."""
    if isinstance(value, dict):
        return {k: reorder(value[k]) for k in reversed(list(value))}
    if isinstance(value, list):
        return [reorder(v) for v in value]
    return value


@pytest.mark.parametrize("example", ["agent-app", "multi-region"])
def test_mapping_order_does_not_change_the_output(tmp_path, example):
    """Both sides run from the same folder (absolute paths match); only warning line numbers may differ."""
    folder = tmp_path / example
    seen = []
    for reordered in (False, True):
        shutil.rmtree(folder, ignore_errors=True)
        shutil.copytree(ROOT / "examples" / example, folder)
        if reordered:
            for name in EXAMPLES[example]:
                document = yaml.safe_load((folder / name).read_text())
                (folder / name).write_text(yaml.safe_dump(reorder(document), sort_keys=False))
        files = tuple(folder / f for f in EXAMPLES[example])
        plan = make_plan(LoadOptions(files=files, environ={})).to_dict()
        data = to_data(run_preview(StackSettings(files=tuple(map(str, files)))))
        warnings = sorted((w["path"], w["message"]) for w in plan.pop("warnings") + data.pop("warnings"))
        seen.append(json.dumps([plan, data, warnings], sort_keys=True))
    assert seen[0] == seen[1]


def test_environment_list_and_map_forms_are_equivalent(tmp_path):
    outputs = []
    for i, env in enumerate(["[B=2, A=1]", "{A: '1', B: '2'}"]):
        folder = tmp_path / str(i)
        folder.mkdir()
        (folder / "compose.yaml").write_text(f"name: app\nservices:\n  web: {{image: a, environment: {env}}}\n")
        result = run_preview(StackSettings(files=(str(folder / "compose.yaml"),)))
        outputs.append(RENDERERS["text"](result) + json.dumps(result.outputs, sort_keys=True))
    assert outputs[0] == outputs[1]
