from __future__ import annotations

import os
import textwrap
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

from compose_translate import LoadOptions, StackSettings, make_plan

ROOT = Path(__file__).resolve().parent.parent
WILD = ROOT.parent / "shared" / "corpus" / "wild"

# Locally each run explores new examples; CI replays a fixed sequence so a red build is
# reproducible; `HYPOTHESIS_PROFILE=deep` searches much longer before a release.
hypothesis_settings.register_profile("dev", max_examples=150, deadline=None)
hypothesis_settings.register_profile("ci", max_examples=300, deadline=None, derandomize=True, print_blob=True)
hypothesis_settings.register_profile("deep", max_examples=5000, deadline=None)
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))


def write(folder: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = folder / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return folder


@pytest.fixture
def project(tmp_path):
    """Write files into a fresh folder and plan them: project({"compose.yaml": ...}, files=[...])."""

    def make(files: dict[str, str], compose_files=("compose.yaml",), environ=None, settings=None, **options):
        write(tmp_path, files)
        options.setdefault("default_name", "app")  # as the Pulumi project would name it: no folder warning
        opts = LoadOptions(files=tuple(tmp_path / f for f in compose_files), environ=environ or {}, **options)
        return make_plan(opts, settings or StackSettings())

    make.dir = tmp_path
    return make


def ident(result, name: str, type_: str | None = None) -> str:
    """The id the mock gave resource `name` (as AWS would: `sg-...`, a role's name, an ARN)."""
    [record] = [r for r in result.resources if r.name == name and (type_ is None or r.type == type_)]
    return record.id


def arn_of(result, name: str, type_: str | None = None) -> str:
    [record] = [r for r in result.resources if r.name == name and (type_ is None or r.type == type_)]
    return record.arn
