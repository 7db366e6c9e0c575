"""The README's two commands are the ones that work: CI runs the second verbatim, the first previews an example."""

import re
import shlex

from support.common import ROOT

from compose_cloud.cli.main import main


def readme_commands() -> list[str]:
    section = (ROOT / "README.md").read_text().split("## The two commands", 1)[1].split("\n## ", 1)[0]
    return re.findall(r"```sh\n(.+?)\n```", section)


def test_ci_runs_exactly_the_readme_test_command():
    _, test_command = readme_commands()
    assert (ROOT / ".ci" / "run").read_text().strip().splitlines()[-1] == test_command


def test_the_main_job_previews_a_bundled_example(capsys, monkeypatch):
    main_job, _ = readme_commands()
    args = shlex.split(main_job.split("compose-cloud ", 1)[1])
    monkeypatch.chdir(ROOT)
    assert args[0] == "preview" and main(args) == 0
    assert "estimated cost" in capsys.readouterr().out


def test_every_folder_of_python_code_is_a_package_the_wheel_ships():
    """setuptools finds packages by their __init__.py: a folder without one is left out of the wheel
    (an editable install, as CI uses, would not notice; `pip install compose-cloud` would)."""
    folders = {
        path.parent
        for package in ("compose_translate", "compose_cloud")
        for path in (ROOT / package).rglob("*.py")
        if "gateway_files" not in path.parts  # data the gateway image runs, shipped as package data
    }
    assert [str(f.relative_to(ROOT)) for f in sorted(folders) if not (f / "__init__.py").is_file()] == []
