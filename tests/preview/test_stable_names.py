"""State survives a new checkout: names never come from the folder the project was cloned into."""

from __future__ import annotations

import shutil

from support.common import ROOT, cli_process, write

from compose_cloud.preview.compare import compare
from compose_cloud.preview.engine import run_preview
from compose_translate import StackSettings

COMPOSE = """\
services:
  app: {image: nginx, models: [llm], volumes: [data:/data]}
models:
  llm: {model: ai/smollm2, labels: [cloud.instance-type=gpu-small]}
volumes:
  data: {}
"""


def _preview(folder):
    return run_preview(StackSettings(files=(str(folder / "compose.yaml"),)), stack="dev", project="shop")


def test_a_label_change_from_another_folder_changes_only_that_model(tmp_path):
    laptop, runner = tmp_path / "shop", tmp_path / "_work-runner-4711"
    write(laptop, {"compose.yaml": COMPOSE})
    write(runner, {"compose.yaml": COMPOSE.replace("gpu-small", "gpu-medium")})
    diff = compare(_preview(laptop), _preview(runner))
    assert diff.added == [] and diff.removed == []
    assert {(c.type, c.name) for c in diff.changed} == {
        ("aws:sagemaker/endpointConfiguration:EndpointConfiguration", "shop-model-llm-config")
    }
    assert set(diff.models) == {"llm"}


def test_efs_is_kept_on_destroy_unless_the_stack_says_otherwise(tmp_path):
    write(tmp_path, {"compose.yaml": COMPOSE})
    kept = run_preview(StackSettings(files=(str(tmp_path / "compose.yaml"),)), stack="dev", project="shop")
    assert [r.retain_on_delete for r in kept.resources if r.type == "aws:efs/fileSystem:FileSystem"] == [True]
    dropped = run_preview(
        StackSettings(files=(str(tmp_path / "compose.yaml"),), retain_data=False), stack="dev", project="shop"
    )
    assert [r.retain_on_delete for r in dropped.resources if r.type == "aws:efs/fileSystem:FileSystem"] == [False]


def test_stacks_named_after_the_folder_keep_their_resources(tmp_path):
    """Earlier versions named resources after the folder, at the stack's root: each top-level component
    answers to that name and place."""
    folder = tmp_path / "my-shop"
    write(folder, {"compose.yaml": COMPOSE})
    result = _preview(folder)
    network = next(r for r in result.resources if r.name == "shop-network")
    assert network.aliases == ("(root)", "my-shop-network (root)")
    # children follow their parent's alias by name prefix; they need none of their own
    assert next(r for r in result.resources if r.name == "shop-network-vpc").aliases == ()


def test_build_context_is_relative_so_every_checkout_sends_the_same_inputs(tmp_path, monkeypatch):
    copies = []
    for name in ("a", "b"):
        folder = tmp_path / name / "project"
        write(
            folder,
            {"compose.yaml": "name: shop\nservices:\n  api: {build: ./api}\n", "api/Dockerfile": "FROM scratch\n"},
        )
        monkeypatch.chdir(folder)
        result = run_preview(StackSettings(files=("compose.yaml",)), stack="dev", project="shop")
        copies.append(next(r.inputs for r in result.resources if r.type == "docker-build:index:Image"))
    assert copies[0]["context"] == copies[1]["context"] == {"location": "api"}
    assert copies[0]["dockerfile"] == {"location": "api/Dockerfile"}


def test_the_cli_names_the_project_after_pulumi_yaml_and_warns_about_a_folder_name(tmp_path):
    write(tmp_path / "web", {"compose.yaml": "services:\n  app: {image: nginx}\n"})
    alone = cli_process(tmp_path / "web", "plan", "--format", "json")
    assert alone.returncode == 0 and '"name": "web"' in alone.stdout
    assert "comes from the folder's name" in alone.stderr
    (tmp_path / "web" / "Pulumi.yaml").write_text("name: storefront\nruntime: python\n")
    named = cli_process(tmp_path / "web", "plan", "--format", "json")
    assert named.returncode == 0 and '"name": "storefront"' in named.stdout
    assert "folder's name" not in named.stderr


def test_this_repository_names_examples_after_its_pulumi_project():
    done = cli_process(ROOT, "plan", "--format", "json", "-f", "examples/seed-01-basic/compose.yaml")
    assert done.returncode == 0 and '"name": "compose-cloud"' in done.stdout, done.stderr
    assert shutil.which("git") is None or "folder's name" not in done.stderr


def test_task_resources_answer_to_their_place_under_the_former_task_definition_component(tmp_path):
    """Roles, policies and task definitions are the service's own children again (a TaskDefinition component
    cost one resource per service, issue 25): a stack made while they were under it keeps them only if each
    names that place, under the service where it is now and where it was, as an alias."""
    write(tmp_path, {"compose.yaml": COMPOSE})
    result = _preview(tmp_path)
    urns = {r.urn: r for r in result.resources}
    assert not [r for r in result.resources if r.type == "compose-cloud:aws:TaskDefinition"]
    services = [r for r in result.resources if r.type == "compose-cloud:aws:ComposeService"]
    assert {s.name for s in services} == {"shop-app", "shop-model-gateway-proxy"}
    folder = tmp_path.name  # the folder-derived project name earlier versions used
    for service in services:
        base = service.name
        children = [r for r in result.resources if r.parent_urn == service.urn and r.type.startswith("aws:i")]
        children += [r for r in result.resources if r.parent_urn == service.urn and r.type.startswith("aws:ecs/task")]
        # only the gateway's application has AWS permissions (it invokes the SageMaker endpoint): only it
        # has a task role, with its policy
        invokes = base == "shop-model-gateway-proxy"
        assert sorted((r.type.split(":")[-1], r.name) for r in children) == [
            ("Role", f"{base}-execution"),
            *([("Role", f"{base}-task")] if invokes else []),
            ("RolePolicy", f"{base}-execution"),
            *([("RolePolicy", f"{base}-task")] if invokes else []),
            ("TaskDefinition", f"{base}-task"),
        ]
        assert urns[service.parent_urn].type in ("compose-cloud:index:ComposeProject", "compose-cloud:aws:ModelGateway")
        chain = (
            "compose-cloud:aws:ModelGateway$compose-cloud:aws:ComposeService"
            if invokes
            else ("compose-cloud:aws:ComposeService")
        )
        former = "compose-cloud:aws:TaskDefinition"
        for child in children:
            renamed = f"{folder}{child.name[len('shop') :]}"
            assert list(child.aliases) == [
                # under the service where it is now (ComposeProject's), then at the stack's root by both names
                f"urn:pulumi:dev::shop::compose-cloud:index:ComposeProject${chain}${former}${child.type}::{child.name}",
                f"urn:pulumi:dev::shop::{chain}${former}${child.type}::{child.name}",
                f"urn:pulumi:dev::shop::{chain}${former}${child.type}::{renamed}",
            ], child.name
