"""Malformed projects: each must fail with our error naming file, line and key path; never a traceback."""

import shutil
from pathlib import Path

import pytest
import yaml
from support.common import write

from compose_translate import ComposeError, LoadOptions, make_plan

# One folder per case under tests/translate/bad_input/: the compose.yaml and what its error must say
# (expected.yaml: key path, line, a fragment of the message). Add a case by adding a folder.
CASES_DIR = Path(__file__).parent / "bad_input"
CASES = sorted(p.name for p in CASES_DIR.iterdir() if (p / "compose.yaml").is_file())


@pytest.mark.parametrize("name", CASES)
def test_bad_input_is_located(tmp_path, name):
    case = CASES_DIR / name
    expected = yaml.safe_load((case / "expected.yaml").read_text())
    shutil.copy(case / "compose.yaml", tmp_path / "compose.yaml")
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}))
    diagnostic = next((d for d in err.value.diagnostics if expected["message"] in d.message), None)
    assert diagnostic is not None, err.value.render()
    assert diagnostic.path == expected["path"], diagnostic
    assert diagnostic.loc is not None and diagnostic.loc.file == str(tmp_path / "compose.yaml")
    assert diagnostic.loc.line == expected["line"], diagnostic


def test_every_case_folder_is_complete():
    """A folder without its expectation would be skipped silently."""
    folders = sorted(p.name for p in CASES_DIR.iterdir() if p.is_dir())
    assert folders == CASES
    for name in CASES:
        assert set(yaml.safe_load((CASES_DIR / name / "expected.yaml").read_text())) == {"path", "line", "message"}


def test_suite_is_large_enough():
    assert len(CASES) >= 30


def test_several_problems_are_reported_in_one_pass(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  a: {image: a, models: [x]}\n  b: {image: b, models: [y]}\n"})
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}))
    assert [d.path for d in err.value.diagnostics] == ["services.a.models.x", "services.b.models.y"]
