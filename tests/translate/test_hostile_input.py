"""Hostile input is bounded: every file, expansion and value has a size or time limit, with a clear error."""

from __future__ import annotations

import os
import time

import pytest
from support.common import write

from compose_translate import ComposeError, LoadOptions, make_plan


def _plan(folder, **options):
    return make_plan(LoadOptions(files=(folder / "compose.yaml",), environ={}, default_name="app", **options))


def test_billion_laughs_is_refused_quickly(tmp_path):
    levels = ["a: &a [x, x, x, x, x, x, x, x, x, x]"]
    for i in range(1, 9):
        levels.append(f"{chr(97 + i)}: &{chr(97 + i)} [{', '.join(['*' + chr(96 + i)] * 10)}]")
    write(
        tmp_path,
        {
            "compose.yaml": "x-bomb:\n"
            + "\n".join("  " + line for line in levels)
            + "\nservices:\n  app: {image: nginx}\n"
        },
    )
    assert (tmp_path / "compose.yaml").stat().st_size < 600
    started = time.monotonic()
    with pytest.raises(ComposeError) as err:
        _plan(tmp_path)
    assert time.monotonic() - started < 5
    assert "excessive aliasing" in err.value.render() and err.value.first.loc.line > 1


def test_modest_anchors_still_work(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "x-env: &env {A: '1', B: '2'}\nservices:\n"
            + "".join(f"  s{i}: {{image: nginx, environment: *env}}\n" for i in range(50))
        },
    )
    assert len(_plan(tmp_path).services) == 50


def test_a_self_doubling_env_file_stops(tmp_path):
    lines = ["A0=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"] + [f"A{i}=${{A{i - 1}}}${{A{i - 1}}}" for i in range(1, 41)]
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  app: {image: nginx, environment: {X: '${A40}'}}\n",
            ".env": "\n".join(lines) + "\n",
        },
    )
    with pytest.raises(ComposeError) as err:
        _plan(tmp_path)
    assert "longer than" in err.value.render()


@pytest.mark.parametrize("target", ["/dev/zero", "fifo"])
def test_extends_and_env_file_never_read_a_device_or_a_pipe(tmp_path, target):
    if target == "fifo":
        os.mkfifo(tmp_path / "pipe")
        target = str(tmp_path / "pipe")
    for compose in (
        f"services:\n  app:\n    image: nginx\n    env_file: {target}\n",
        f"services:\n  app:\n    extends: {{file: {target}, service: x}}\n",
    ):
        write(tmp_path, {"compose.yaml": compose})
        started = time.monotonic()
        with pytest.raises(ComposeError) as err:
            _plan(tmp_path)
        assert time.monotonic() - started < 5
        assert any(
            reason in err.value.render() for reason in ("not a regular file", "not found", "outside the project")
        )


def test_a_huge_compose_file_is_refused(tmp_path):
    (tmp_path / "compose.yaml").write_text("x-pad: '" + "a" * (5 * 1024 * 1024) + "'\nservices: {}\n")
    with pytest.raises(ComposeError, match="larger than 4 MiB"):
        _plan(tmp_path)


def test_limits_aws_enforces_later_are_checked_at_plan_time(tmp_path):
    ports = "".join(f"      - '{8000 + i}:80'\n" for i in range(6))
    write(
        tmp_path,
        {
            "compose.yaml": f"services:\n  web:\n    image: nginx\n    ports:\n{ports}"
            "  big:\n    image: nginx\n    deploy: {replicas: 1000000000}\n"
        },
    )
    with pytest.raises(ComposeError) as err:
        _plan(tmp_path)
    text = err.value.render()
    assert "6 published ports; an ECS service can join at most 5 target groups" in text
    assert "1000000000 replicas; an ECS service runs at most 5,000 tasks" in text


def test_fifty_listeners_per_load_balancer(tmp_path):
    services = "".join(
        f"  s{i}:\n    image: nginx\n    ports: ['{9000 + 2 * i}:80', '{9001 + 2 * i}:81']\n" for i in range(30)
    )
    write(tmp_path, {"compose.yaml": "services:\n" + services})
    with pytest.raises(
        ComposeError, match="60 published ports would need 60 listeners on one Application Load Balancer; AWS allows 50"
    ):
        _plan(tmp_path)


@pytest.mark.parametrize(
    "reference",
    [
        "    env_file: /proc/self/environ\n",
        "    env_file: ../outside.env\n",
        "    env_file: .git/config\n",
        "    extends: {file: ../outside.yaml, service: x}\n",
        "    secrets: [s]\nsecrets:\n  s: {file: ../outside.env}\n",
    ],
)
def test_files_outside_the_project_are_not_read(tmp_path, reference):
    project = tmp_path / "repo"
    (project / ".git").mkdir(parents=True)
    (project / ".git" / "config").write_text("[http]\n  extraheader = AUTHORIZATION: basic c2VjcmV0\n")
    (tmp_path / "outside.env").write_text("TOKEN=stolen-value\n")
    (tmp_path / "outside.yaml").write_text("services:\n  x: {image: nginx, environment: {T: stolen-value}}\n")
    write(project, {"compose.yaml": "services:\n  app:\n    image: nginx\n" + reference})
    with pytest.raises(ComposeError) as err:
        _plan(project)
    text = err.value.render()
    assert "outside the project" in text and "stolen-value" not in text and "c2VjcmV0" not in text


def test_a_symbolic_link_out_of_the_project_is_outside(tmp_path):
    (tmp_path / "outside.env").write_text("TOKEN=stolen-value\n")
    write(tmp_path / "repo", {"compose.yaml": "services:\n  app: {image: nginx, env_file: link.env}\n"})
    (tmp_path / "repo" / "link.env").symlink_to(tmp_path / "outside.env")
    with pytest.raises(ComposeError, match="outside the project"):
        _plan(tmp_path / "repo")


def test_files_anywhere_in_the_git_repository_are_fine(tmp_path):
    (tmp_path / ".git").mkdir()
    write(
        tmp_path,
        {
            "shared/common.env": "A=1\n",
            "app/compose.yaml": "services:\n  app: {image: nginx, env_file: ../shared/common.env}\n",
        },
    )
    plan = make_plan(LoadOptions(files=(tmp_path / "app" / "compose.yaml",), environ={}, default_name="app"))
    assert plan.services["app"].environment["A"] == "1"


def test_include_fan_out_is_bounded(tmp_path):
    files = {f"f{i}.yaml": f"include: [f{i + 1}.yaml, f{i + 1}.yaml]\n" for i in range(20)}
    files["f20.yaml"] = "services:\n  x: {image: nginx}\n"
    files["compose.yaml"] = "include: [f0.yaml]\nservices:\n  app: {image: nginx}\n"
    write(tmp_path, files)
    started = time.monotonic()
    with pytest.raises(ComposeError, match="more than 100 Compose files|nest more than 10 levels"):
        _plan(tmp_path)
    assert time.monotonic() - started < 5


@pytest.mark.parametrize("depth", [13, 20_000])
def test_deeply_nested_defaults_are_refused_briefly(tmp_path, depth):
    """`${A:-${A:-...}}` 20,000 deep was a RecursionError; each level also doubled the work below it."""
    value = "${A:-" * depth + "nginx" + "}" * depth
    write(tmp_path, {"compose.yaml": f'services:\n  app:\n    image: "{value}"\n'})
    with pytest.raises(ComposeError) as err:
        _plan(tmp_path)
    rendered = err.value.render()
    assert "nested deeper than 12 levels" in rendered and err.value.first.loc.line == 3
    assert len(rendered) < 600  # the value is quoted in part, not whole


def test_twelve_levels_of_defaults_still_work(tmp_path):
    write(tmp_path, {"compose.yaml": 'services:\n  app:\n    image: "' + "${A:-" * 12 + "nginx" + "}" * 12 + '"\n'})
    assert _plan(tmp_path).services["app"].image == "nginx"


def test_more_services_than_an_ecs_cluster_holds_are_refused_before_any_resource(tmp_path):
    """5,001 one-line services: refused at plan time with AWS's quota named (the preview never runs)."""
    services = "".join(f"  s{i}: {{image: nginx}}\n" for i in range(5_001))
    write(tmp_path, {"compose.yaml": "services:\n" + services})
    with pytest.raises(ComposeError) as err:
        _plan(tmp_path)
    assert 'at most 5,000 (Amazon ECS quota "Services per cluster")' in err.value.render()


def test_more_roles_than_an_account_holds_by_default_is_warned_about(tmp_path):
    services = "".join(f"  s{i}: {{image: nginx}}\n" for i in range(1_001))
    write(tmp_path, {"compose.yaml": "services:\n" + services})
    plan = _plan(tmp_path)
    assert any('1,000 by default (IAM quota "Roles in an AWS account")' in w.message for w in plan.warnings)


def test_a_recursive_alias_is_refused_not_looped_on(tmp_path):
    """`x: &a [1, *a]` made the alias check loop for ever."""
    write(tmp_path, {"compose.yaml": "x: &a [1, *a]\nservices:\n  app: {image: nginx}\n"})
    with pytest.raises(ComposeError) as err:
        _plan(tmp_path)
    assert "recursive alias" in err.value.render() and err.value.first.loc.line == 1


def test_shared_anchors_are_counted_once_per_use(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "x-a: &a {k: [1, 2]}\nx-y: [*a, *a, *a]\n"
            "services:\n  app: {image: nginx, labels: {a: '*'}}\n"
        },
    )
    assert _plan(tmp_path).services["app"].image == "nginx"
