"""ComposeProject: the root of everything a stack creates, a component a user's program can parent,
protect, transform and give providers; every component is complete before it registers its outputs,
and everything answers to where earlier versions registered it (the stack's root)."""

from __future__ import annotations

from pathlib import Path

import pulumi
import pulumi.resource
import pytest
from support.common import ROOT, write

from compose_cloud.preview.engine import run_preview
from compose_translate import StackSettings

COMPOSE = """\
services:
  web:
    image: nginx
    ports: ["80:8080"]
    models: [llm]
    volumes: [data:/data]
  worker: {image: busybox, models: [embedder]}
models:
  llm: {model: ai/smollm2, labels: [cloud.min-instances=0]}
  embedder: {model: ai/mxbai-embed-large, labels: [cloud.backend=ecs]}
volumes:
  data: {}
"""
DOMAIN = {"domain": "chat.example.com", "hosted_zone_id": "Z0123456789ABCDEFGHIJ"}
ROOT_TYPE = "compose-cloud:index:ComposeProject"


@pytest.fixture(scope="module")
def folder(tmp_path_factory) -> Path:
    return write(tmp_path_factory.mktemp("shop") / "my-shop", {"compose.yaml": COMPOSE})


def _settings(folder: Path) -> StackSettings:
    return StackSettings(files=(str(folder / "compose.yaml"),), **DOMAIN)


def test_everything_descends_from_one_compose_project(folder):
    result = run_preview(_settings(folder), stack="dev", project="shop")
    [root] = [r for r in result.resources if r.type == ROOT_TYPE]
    assert root.name == "shop" and root.parent_urn.endswith("::pulumi:pulumi:Stack::shop-dev")
    by_urn = {r.urn: r for r in result.resources}
    for resource in result.resources:
        if resource is root:
            continue
        ancestor = resource
        while ancestor.parent_urn in by_urn and ancestor is not root:
            ancestor = by_urn[ancestor.parent_urn]
        assert ancestor is root, f"{resource.type} {resource.name} is outside the ComposeProject"


def test_top_level_components_and_providers_answer_to_the_stack_root(folder):
    """A stack deployed before ComposeProject existed keeps its resources: each direct child of the root
    answers to its former place, and to its former folder-derived name there."""
    result = run_preview(_settings(folder), stack="dev", project="shop")
    [root] = [r for r in result.resources if r.type == ROOT_TYPE]
    children = [r for r in result.resources if r.parent_urn == root.urn]
    assert {r.type for r in children} >= {
        "pulumi:providers:aws",
        "pulumi:providers:aws-native",
        "compose-cloud:aws:Network",
        "compose-cloud:aws:Cluster",
        "compose-cloud:aws:SharedVolume",
        "compose-cloud:aws:CustomDomain",
        "compose-cloud:aws:SageMakerModel",
        "compose-cloud:aws:ComposeService",
    }
    for child in children:
        if child.type.startswith("pulumi:providers:"):
            assert child.aliases == ("(root)",), child.name
        elif child.type.startswith("compose-cloud:"):
            former = child.name.replace("shop-", "my-shop-", 1)
            assert child.aliases == ("(root)", f"{former} (root)"), child.name
    # made beside the component they belonged to, so that it is complete: each answers to its place under
    # that component where it was, at the stack's root, by both names (the engine follows a parent's alias
    # to its children by itself, but not a resource that changed parents)
    moved = {r.name: r for r in result.resources if r.name in ("shop-domain-alias", "shop-volume-data-nfs-web")}
    root = "urn:pulumi:dev::shop::compose-cloud:aws:"
    record, rule = "aws:route53/record:Record", "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
    assert moved["shop-domain-alias"].aliases == (
        f"{root}CustomDomain${record}::shop-domain-alias",
        f"{root}CustomDomain${record}::my-shop-domain-alias",
    )
    assert moved["shop-volume-data-nfs-web"].aliases == (
        f"{root}SharedVolume${rule}::shop-volume-data-nfs-web",
        f"{root}SharedVolume${rule}::my-shop-volume-data-nfs-web",
    )


@pytest.mark.parametrize("example", ["scale-to-zero", "agent-app", "multi-region", "jobs"])
def test_no_component_gains_children_after_registering_its_outputs(example, monkeypatch):
    """awsx's rule: a component registers its outputs once it is complete. Checked in program order,
    where the mock's asynchronous messages could hide it."""
    completed: set[int] = set()
    late: list[str] = []
    register, init = pulumi.ComponentResource.register_outputs, pulumi.resource.Resource.__init__

    def registering(self, outputs):  # type: ignore[no-untyped-def]
        completed.add(id(self))
        return register(self, outputs)

    def creating(self, t, name, custom=False, props=None, opts=None, *args, **kwargs):  # type: ignore[no-untyped-def]
        if opts is not None and opts.parent is not None and id(opts.parent) in completed:
            late.append(f"{t} {name} under {opts.parent._name}")
        return init(self, t, name, custom, props, opts, *args, **kwargs)

    monkeypatch.setattr(pulumi.ComponentResource, "register_outputs", registering)
    monkeypatch.setattr(pulumi.resource.Resource, "__init__", creating)
    files = tuple(str(p) for p in sorted((ROOT / "examples" / example).glob("compose*.yaml")))
    result = run_preview(StackSettings(files=files, **DOMAIN), stack="dev", project=example)
    assert len(result.resources) > 20 and completed
    assert late == []


def test_a_users_program_parents_protects_transforms_and_provides(folder):
    """`deploy(opts=...)` as a user's program calls it: under the user's own component, protected, with a
    transformation and the user's pulumi-aws provider for the home region."""
    import pulumi_aws as aws

    seen: list[str] = []

    def tag(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        seen.append(args.name)
        return None

    def options() -> pulumi.ResourceOptions:
        mine = pulumi.ComponentResource("acme:platform:Apps", "apps")
        provider = aws.Provider("acme-aws", region="us-east-1", opts=pulumi.ResourceOptions(parent=mine))
        return pulumi.ResourceOptions(parent=mine, protect=True, providers=[provider], transformations=[tag])

    result = run_preview(_settings(folder), stack="dev", project="shop", root_options=options)
    [root] = [r for r in result.resources if r.type == ROOT_TYPE]
    [mine] = [r for r in result.resources if r.type == "acme:platform:Apps"]
    assert root.parent_urn == mine.urn
    providers = {r.name for r in result.resources if r.type == "pulumi:providers:aws"}
    assert providers == {"acme-aws"}  # the user's, not one of ours, for the home region
    custom = [r for r in result.resources if r.custom and not r.type.startswith("pulumi:providers:")]
    aws_resources = [r for r in custom if r.type.startswith("aws:")]
    assert aws_resources and {r.provider for r in aws_resources} == {"acme-aws"}
    assert all(r.protect for r in custom), [r.name for r in custom if not r.protect]
    assert {r.name for r in custom} <= set(seen)
    # a service's task resources answer to their place under the former TaskDefinition component, under the
    # service where it is now: below the user's component, whose type the engine gives at run time
    [role] = [r for r in custom if r.name == "shop-web-execution" and r.type == "aws:iam/role:Role"]
    assert list(role.aliases)[0] == (
        "urn:pulumi:dev::shop::acme:platform:Apps$compose-cloud:index:ComposeProject$compose-cloud:aws:ComposeService"
        "$compose-cloud:aws:TaskDefinition$aws:iam/role:Role::shop-web-execution"
    )


def test_each_run_has_its_own_stack_root(folder):
    """A diff previews twice in one process: the second run's resources are under its own stack, not the
    first one's (the SDK's mocks keep an existing root stack)."""
    first = run_preview(_settings(folder), stack="base", project="before")
    second = run_preview(_settings(folder), stack="dev", project="shop")
    for result, stack in ((first, "before-base"), (second, "shop-dev")):
        [root] = [r for r in result.resources if r.type == ROOT_TYPE]
        assert root.parent_urn.endswith(f"::pulumi:pulumi:Stack::{stack}")


def _services(count: int) -> str:
    lines = ["services:"]
    for i in range(count):
        lines += [f"  s{i:03d}:", "    image: busybox", f"    models: [m{i % 5}]"]
    models = [f"  m{i}: {{model: ai/smollm2, labels: [cloud.backend=ecs]}}" for i in range(5)]
    return "\n".join([*lines, "models:", *models])


def test_registrations_reach_the_engine_while_the_project_is_built(tmp_path, monkeypatch):
    """The program (`run()` under `pulumi up`, and the preview, which runs it the same way) lets the event loop
    run after each model and service: when the last service is made, what came before has been registered,
    instead of every registration pending until the program returns (the peak memory of large projects)."""
    from compose_cloud.program.aws import compose_project

    write(tmp_path, {"compose.yaml": _services(40)})
    recorders: list = []
    registered_at_pause: list[int] = []
    pause = compose_project.let_registrations_run

    async def counting() -> None:
        registered_at_pause.append(len(recorders[0].records) if recorders else 0)
        await pause()

    monkeypatch.setattr(compose_project, "let_registrations_run", counting)
    from compose_cloud.preview import engine

    original = engine._Mocks.__init__

    def keep(self, *args, **kwargs):  # type: ignore[no-untyped-def]
        original(self, *args, **kwargs)
        recorders.append(self)

    monkeypatch.setattr(engine._Mocks, "__init__", keep)
    result = run_preview(StackSettings(files=(str(tmp_path / "compose.yaml"),)), stack="dev", project="big")
    # after each service, the model server (one serves the five models) and the gateway
    assert len(registered_at_pause) == 40 + 2, registered_at_pause
    assert registered_at_pause == sorted(registered_at_pause), registered_at_pause
    # by the last pause, all but the last few services' resources have reached the engine
    assert registered_at_pause[-1] >= 0.8 * len(result.resources), (registered_at_pause, len(result.resources))


def test_a_synchronous_program_makes_the_same_resources(tmp_path):
    """`deploy()` called from a user's synchronous program builds the project in one go; `run()` and the preview
    build it step by step on the event loop: the same resources, with the same inputs."""
    import json

    from pulumi.runtime import mocks
    from pulumi.runtime.sync_await import _sync_await

    from compose_cloud.preview.engine import _Mocks, _Monitor
    from compose_cloud.program import deploy

    files = (str(write(tmp_path, {"compose.yaml": COMPOSE}) / "compose.yaml"),)
    stepwise = run_preview(StackSettings(files=files), stack="dev", project="shop")
    recorder = _Mocks("us-east-1")
    pulumi.runtime.settings.reset_options(project="shop", stack="dev", preview=True)
    mocks.set_mocks(recorder, project="shop", stack="dev", preview=True, monitor=_Monitor(recorder))
    pulumi.runtime.set_all_config(StackSettings(files=files).cli_config())
    deploy()
    _sync_await(pulumi.runtime.stack.wait_for_rpcs())

    def inputs(records) -> dict:  # type: ignore[no-untyped-def]
        return {(r.type, r.name): json.dumps(r.inputs, sort_keys=True, default=str) for r in records}

    whole = inputs(recorder.records.values())
    assert len(whole) > 30 and whole == inputs(stepwise.resources)
