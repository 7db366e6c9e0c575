"""Compose as compose-go reads it: cases taken from compose-go's own tests, run through the same path
as `compose-cloud config` (load, interpolate, merge, normalize).

Each case in tests/translate/conformance/*.yaml is a small input and what compose-go's test expects, with the
test it comes from (`source`). Kinds of case:
  files + expect     the Compose files (and .env, env files ...); `expect` maps a dotted path of the
                     `config` output to its value (`~absent`: not there). A literal dot is `\\.`.
  files + error      loading fails and the message contains `error`.
  template + value   shorthand for interpolation: `environment: {V: <template>}` must give `value`.
  service + expect   shorthand for a project `test` with one service `foo` (its body; `top` adds
                     top-level sections); paths in `expect` may start with `foo.` for services.foo.
  dotenv + expect    shorthand for an env_file: its text, and `expect` maps each variable to its value
                     (`~absent`: not set); with `error`, reading it must fail.
  merge + merged     the files in `merge`, merged in order, read the same as the one file `merged`
                     (compose-go's override tests state merges this way).
  differs            a deliberate difference for the cloud, explained (docs/compatibility.md says it too).
  differs_note       the case runs, asserting our deliberate behaviour; the note says how compose-go differs.
  xfail              a known disagreement still to fix: the case must fail (strict), so fixing it is noticed.
Run one with `pytest tests/translate/test_conformance.py -k "<name>"`.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

from compose_cloud.render.compose import project_dict
from compose_translate import ComposeError, LoadOptions, Report, load_project
from compose_translate.load import load as load_document
from compose_translate.yaml_source import plain

CASES = Path(__file__).parent / "conformance"
ABSENT = "~absent"


def _cases() -> list[Any]:
    params = []
    for path in sorted(CASES.glob("*.yaml")):
        for case in yaml.safe_load(path.read_text()):
            marks = [pytest.mark.xfail(reason=case["xfail"], strict=True)] if case.get("xfail") else []
            params.append(pytest.param(case, id=f"{path.stem}:{case['name']}", marks=marks))
    return params


def _files(case: dict) -> dict[str, str]:
    if "service" in case:  # the body of one service `foo` in project `test`
        body = "".join(f"    {line}\n" for line in case["service"].splitlines())
        extra = case.get("top", "")
        return {"compose.yaml": f"name: test\nservices:\n  foo:\n{body}{extra}", **case.get("files", {})}
    if "dotenv" in case:
        return {
            "compose.yaml": "services:\n  s:\n    image: busybox\n    env_file: [vars.env]\n",
            "vars.env": case["dotenv"],
        }
    if "template" in case:
        template = yaml.safe_dump(case["template"], default_style='"').strip()
        return {"compose.yaml": f"services:\n  s:\n    image: busybox\n    environment:\n      V: {template}\n"}
    return case["files"]


def _lookup(data: Any, path: str) -> Any:
    for part in (p.replace("\\.", ".") for p in re.split(r"(?<!\\)\.", path)):
        if isinstance(data, list) and part.isdigit() and int(part) < len(data):
            data = data[int(part)]
        elif isinstance(data, dict) and part in data:
            data = data[part]
        else:
            return ABSENT
    return data


def load(case: dict, folder: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in _files(case).items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_text(text)
    compose = case.get("compose", ["compose.yaml"])
    project, _, _ = load_project(
        LoadOptions(
            files=tuple(folder / f for f in compose),
            environ=dict(case.get("env", {})),
            project_name=case.get("project"),
            default_name="conformance",
            profiles=tuple(case.get("profiles", ())),
            env_files=tuple(folder / f for f in case.get("env_files", ())),
            working_dir=folder,
        )
    )
    # what compose-cloud read, not what it prints: `config` hides values taken from the environment
    return project_dict(project, reveal=True)


# Attributes Compose writes as a list of KEY=VALUE or a mapping: compared as mappings, as compose-go does.
_KEY_VALUE = ("environment", "labels", "annotations", "sysctls", "extra_hosts", "args", "additional_contexts")


def _canonical(value: Any, key: str = "") -> Any:
    if key in _KEY_VALUE and isinstance(value, list):
        pairs = [str(v).split("=", 1) if key != "extra_hosts" or "=" in str(v) else str(v).split(":", 1) for v in value]
        value = {p[0]: (p[1] if len(p) > 1 else None) for p in pairs}
    if isinstance(value, dict):
        return {
            str(k): _canonical(v, str(k)) if key not in _KEY_VALUE else (None if v is None else str(v))
            for k, v in value.items()
        }
    if isinstance(value, list):
        return [_canonical(v) for v in value]
    return value


def _merged_document(files: dict[str, str], folder: Path) -> Any:
    """What the files merge into, before normalization (the merge rules alone, as compose-go's tests check)."""
    folder.mkdir(parents=True, exist_ok=True)
    for name, text in files.items():
        (folder / name).write_text(text)
    document = load_document(
        LoadOptions(files=tuple(folder / n for n in files), environ={}, default_name="conformance", working_dir=folder),
        Report(),
    ).document
    return _canonical({k: v for k, v in plain(document).items() if k != "name"})


def _merge(case: dict, folder: Path) -> None:
    names = [f"file{i}.yaml" for i in range(len(case["merge"]))]
    expected = _merged_document({"merged.yaml": case["merged"]}, folder)  # one folder: the same paths
    actual = _merged_document(dict(zip(names, case["merge"], strict=True)), folder)
    assert actual == expected


@pytest.mark.parametrize("case", _cases())
def test_conformance(case, tmp_path):
    if "differs" in case:
        pytest.skip(f"deliberate difference: {case['differs']}")
    if "merge" in case:
        _merge(case, tmp_path)
        return
    if "error" in case:
        with pytest.raises(ComposeError) as err:
            load(case, tmp_path)
        text = " ".join(f"{d.path} {d.message} {d.hint}" for d in err.value.diagnostics)
        assert case["error"].lower() in text.lower(), text
        return
    data = load(case, tmp_path)
    if "template" in case:
        expected = {"services.s.environment.V": case["value"]}
    elif "dotenv" in case:
        expected = {"services.s.environment." + k.replace(".", "\\."): v for k, v in case["expect"].items()}
    else:
        expected = {
            (f"services.{k}" if "service" in case and k.startswith("foo.") else k): v for k, v in case["expect"].items()
        }
    actual = {path: _lookup(data, path) for path in expected}
    assert actual == expected


def test_the_suite_is_large_enough():
    assert len(_cases()) >= 300
