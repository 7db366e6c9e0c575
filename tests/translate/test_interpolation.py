import pytest

from compose_translate.errors import ComposeError, Report
from compose_translate.interpolate import interpolate_string

ENV = {"SET": "value", "EMPTY": "", "OTHER": "o"}


@pytest.mark.parametrize(
    "text, expected",
    [
        ("$SET", "value"),
        ("${SET}", "value"),
        ("pre-${SET}-post", "pre-value-post"),
        ("${UNSET:-default}", "default"),
        ("${EMPTY:-default}", "default"),
        ("${EMPTY-default}", ""),
        ("${UNSET-default}", "default"),
        ("${SET:+alt}", "alt"),
        ("${EMPTY:+alt}", ""),
        ("${EMPTY+alt}", "alt"),
        ("${UNSET+alt}", ""),
        ("${UNSET:-${OTHER}}", "o"),
        ("${UNSET:-${ALSO_UNSET:-deep}}", "deep"),
        ("${UNSET:-a ${OTHER} b}", "a o b"),
        ("$$SET", "$SET"),
        ("$${SET}", "${SET}"),
        ("echo $(cat /run/secrets/x)", "echo $(cat /run/secrets/x)"),
        ("cost: 5$ and $1", "cost: 5$ and $1"),
        ("${EMPTY?must}", ""),
        ("no dollars", "no dollars"),
    ],
)
def test_interpolation_forms(text, expected):
    assert interpolate_string(text, ENV, report=Report()) == expected


def test_unset_variable_becomes_empty_with_a_warning():
    report = Report()
    assert interpolate_string("a${NOPE}b", ENV, path="services.app.image", report=report) == "ab"
    assert len(report.warnings) == 1
    assert 'variable "NOPE" is not set' in report.warnings[0].message
    assert report.warnings[0].path == "services.app.image"


def test_default_forms_do_not_warn():
    report = Report()
    interpolate_string("${NOPE:-x}${NOPE-y}${NOPE:+z}", ENV, report=report)
    assert report.warnings == []


@pytest.mark.parametrize(
    "text, fragment",
    [
        ("${UNSET:?you must set it}", "you must set it"),
        ("${EMPTY:?empty is not enough}", "empty is not enough"),
        ("${UNSET?needed}", "needed"),
    ],
)
def test_required_variables(text, fragment):
    with pytest.raises(ComposeError) as err:
        interpolate_string(text, ENV, path="services.app.environment.X")
    assert fragment in err.value.first.message
    assert err.value.first.path == "services.app.environment.X"


@pytest.mark.parametrize("text", ["${SET", "${ SET}", "${SET BAD}", "${}", "${UNSET:-${X}"])
def test_invalid_formats(text):
    with pytest.raises(ComposeError) as err:
        interpolate_string(text, ENV)
    assert "invalid interpolation format" in err.value.first.message
