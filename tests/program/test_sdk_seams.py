"""compose_cloud/sdk_seams.py: each reach into the Pulumi SDK answers as the SDK does, and is undone on exit."""

from __future__ import annotations

import gc

import pytest
from pulumi import _types as _sdk_types
from pulumi.output import UNKNOWN
from pulumi.runtime import rpc
from pulumi.runtime.known_types import is_unknown  # noqa: F401  (the SDK's notion of unknown)

from compose_cloud.sdk_seams import acyclic_unknowns, contains_unknowns

_loop: list = [1, "a"]
_loop.append(_loop)  # a list that holds itself
VALUES = [
    None,
    "text",
    3,
    [],
    {},
    UNKNOWN,
    [1, [2, [3, UNKNOWN]]],
    {"a": {"b": [{"c": UNKNOWN}]}},
    {"a": {"b": [{"c": "known"}]}, "d": [1, 2]},
    _loop,
    [_loop, UNKNOWN],
    {"x": _loop},
    {"k": "v", "unknown key's value": [None, {"deep": UNKNOWN}]},
]


SDK = rpc.contains_unknowns  # the SDK's own: nothing in the test process installs the repair for good


@pytest.mark.parametrize("value", VALUES, ids=range(len(VALUES)))
def test_the_answer_is_the_sdks(value):
    assert SDK is not contains_unknowns
    assert contains_unknowns(value) == SDK(value)
    assert contains_unknowns(value) == _has_unknown(value, set())


def _has_unknown(value, seen: set[int]) -> bool:
    """The question asked a third way, by hand: an unknown anywhere in the dicts' values and the lists."""
    if value is UNKNOWN:
        return True
    if id(value) in seen:
        return False
    seen.add(id(value))
    items = value.values() if isinstance(value, dict) else value if isinstance(value, list) else []
    return any(_has_unknown(item, seen) for item in items)


def test_it_leaves_no_cycle_behind_where_the_sdks_leaves_one_per_call():
    sdk = SDK
    value = {"a": [1, {"b": "c"}]}
    enabled = gc.isenabled()
    gc.disable()
    gc.freeze()  # the worker's heap is not scanned: the collections below see only what the calls make
    try:
        for _ in range(100):
            sdk(value)
        left_by_sdk = gc.collect()
        for _ in range(100):
            contains_unknowns(value)
        left_by_ours = gc.collect()
    finally:
        gc.unfreeze()
        if enabled:
            gc.enable()
    assert left_by_sdk >= 100 and left_by_ours == 0


def test_the_repair_is_installed_only_while_the_block_runs():
    original = rpc.contains_unknowns
    with acyclic_unknowns():
        assert rpc.contains_unknowns is contains_unknowns
        from pulumi import output

        assert output.contains_unknowns({"a": UNKNOWN})  # output.py asks through rpc
    assert rpc.contains_unknowns is original


def _sdk_tree(module: str):
    import ast
    import importlib
    import inspect

    return ast.parse(inspect.getsource(importlib.import_module(module)))


def test_only_an_engine_without_alias_specs_reads_the_collapsed_aliases():
    """What `lazy_aliases` skips is read in one place: `all_aliases`, called only when the engine lacks alias specs
    (the `else` of `if supports_alias_specs` in `prepare_aliases`). Checked on the installed SDK's source, so an
    SDK that starts reading `Resource._aliases` elsewhere fails here."""
    import ast
    import pathlib

    import pulumi

    readers = set()
    for path in pathlib.Path(pulumi.__file__).parent.rglob("*.py"):
        tree = ast.parse(path.read_text())
        for function in ast.walk(tree):
            if isinstance(function, (ast.FunctionDef, ast.AsyncFunctionDef)):
                nodes = list(ast.walk(function))
                appended = {id(n.value) for n in nodes if isinstance(n, ast.Attribute) and n.attr == "append"}
                for node in nodes:
                    if isinstance(node, ast.Attribute) and node.attr == "_aliases" and isinstance(node.ctx, ast.Load):
                        if id(node) not in appended:  # Resource.__init__ fills the list: a write
                            readers.add(function.name)
    assert readers == {"all_aliases"}
    [prepare] = [
        f for f in ast.walk(_sdk_tree("pulumi.runtime.resource")) if getattr(f, "name", "") == "prepare_aliases"
    ]
    [branch] = [n for n in ast.walk(prepare) if isinstance(n, ast.If) and ast.unparse(n.test) == "supports_alias_specs"]
    calls = lambda nodes: [  # noqa: E731
        c for n in nodes for c in ast.walk(n) if isinstance(c, ast.Call) and ast.unparse(c.func) == "all_aliases"
    ]
    assert calls(branch.body) == [] and len(calls(branch.orelse)) == 1


def test_the_collapse_is_skipped_only_with_alias_specs(monkeypatch):
    import pulumi
    import pulumi.resource
    import pulumi.runtime.settings

    from compose_cloud.sdk_seams import lazy_aliases

    original = pulumi.resource.collapse_alias_to_urn  # the SDK's, or the seam a `run()` in this worker left
    alias = "urn:pulumi:dev::p::aws:s3/bucket:Bucket::old"
    with lazy_aliases():
        collapse = pulumi.resource.collapse_alias_to_urn
        assert getattr(collapse, "compose_cloud_seam", False)
        monkeypatch.setattr(pulumi.runtime.settings, "monitor_supports_feature", lambda feature: True)
        assert collapse(alias, "new", "aws:s3/bucket:Bucket", None) is alias  # sent as it is, never collapsed
        monkeypatch.setattr(pulumi.runtime.settings, "monitor_supports_feature", lambda feature: False)
        assert isinstance(collapse(alias, "new", "aws:s3/bucket:Bucket", None), pulumi.Output)  # the SDK's own
    assert pulumi.resource.collapse_alias_to_urn is original


def test_the_engine_is_sent_the_same_aliases_with_and_without_the_seam(monkeypatch, tmp_path):
    import contextlib

    from support.common import ROOT

    from compose_cloud import sdk_seams
    from compose_cloud.preview import engine
    from compose_translate import StackSettings

    files = tuple(str(p) for p in sorted((ROOT / "examples" / "agent-app").glob("compose*.yaml")))

    def aliases() -> dict:
        result = engine.run_preview(StackSettings(files=files), stack="dev", project="shop")
        return {(r.type, r.name): r.aliases for r in result.resources}

    with_seam = aliases()
    monkeypatch.setattr(sdk_seams, "lazy_aliases", contextlib.nullcontext)
    without = aliases()
    assert sum(len(a) for a in with_seam.values()) > 50 and with_seam == without


# -- direct_outputs: one Future per output property ------------------------------------------------------------------

SDK_TRANSFER = rpc.transfer_properties  # taken as this module is collected, before any test runs a program
SDK_UNWRAP = (_sdk_types.unwrap_type, _sdk_types.unwrap_optional_type)  # likewise
SDK_RESOURCE_TYPES = _sdk_types.resource_types  # likewise
REVIEWED = "f4e4f0c4fec6a9f0b2c52b91e17dd563e76f01adb154187b48f41d5e3c6b2c29"  # pulumi 3.254 to 3.272


def test_the_replaced_function_is_the_one_the_seam_was_written_against():
    """An SDK whose `transfer_properties` changed (other rules, other resolver arguments) fails here, so that the
    seam is read against it again; its callers pass a resolver the five arguments the seam takes."""
    import ast
    import hashlib

    tree = _sdk_tree("pulumi.runtime.rpc")
    [function] = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "transfer_properties"]
    assert hashlib.sha256(ast.dump(function).encode()).hexdigest() == REVIEWED
    callers = [n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name.startswith("resolve_")]
    calls = [c for f in callers for c in ast.walk(f) if isinstance(c, ast.Call) and ast.unparse(c.func) == "resolve"]
    assert len(calls) >= 4 and all(len(c.args) == 5 and not c.keywords for c in calls)


class _Resource:  # what transfer_properties needs of a resource: somewhere to put the Outputs
    pass


OTHER = _Resource()
FAILURE = RuntimeError("create failed")
ANSWERS = [  # what the SDK's resolve_properties and resolve_outputs_due_to_exception pass a resolver
    ("known", True, False, {OTHER}, None),
    (None, False, False, None, None),  # a preview's value not known yet
    ("s3cr3t", True, True, set(), None),
    ({"a": [1, UNKNOWN]}, True, False, {OTHER}, None),  # known, but holding an unknown: not known after all
    (None, False, False, None, FAILURE),
]


@pytest.mark.parametrize("custom", [True, False])
@pytest.mark.parametrize("answer", ANSWERS, ids=range(len(ANSWERS)))
def test_each_output_resolves_as_the_sdks_does(answer, custom):
    import asyncio

    from compose_cloud.sdk_seams import transfer_properties

    async def outcome(transfer) -> tuple:
        resource = _Resource()
        props = {"urn": None, "id": None, "arn": None, "name": "given"}
        resolvers = transfer(resource, props, custom)
        names = sorted(resolvers)
        for name in names:
            resolvers[name](*answer)
        seen = []
        for name in names:
            output = resource.__dict__[name]
            try:
                data = await output._data
            except RuntimeError as exc:
                seen.append((name, "raised", exc))
                continue
            who = {"itself" if r is resource else "other" if r is OTHER else r for r in data.resources}
            seen.append((name, data.value, data.is_known, data.is_secret, who, await output.is_known()))
        return tuple(names), seen

    loop = asyncio.new_event_loop()  # its own: the thread's loop (which the previews use) stays as it was
    try:
        assert loop.run_until_complete(outcome(transfer_properties)) == loop.run_until_complete(outcome(SDK_TRANSFER))
    finally:
        loop.close()


def test_a_preview_is_the_same_with_and_without_the_outputs_and_types_seams(monkeypatch):
    """Every resource's inputs, ids, ARNs, names and dependencies, and the stack's outputs (which read resources'
    output properties through applies), as the SDK's own functions give them. (The order the engine is sent them
    in may differ, as registrations finish in another order; the preview sorts them.)"""
    import contextlib

    from support.common import ROOT

    from compose_cloud import sdk_seams
    from compose_cloud.preview import engine
    from compose_translate import StackSettings

    files = tuple(str(p) for p in sorted((ROOT / "examples" / "agent-app").glob("compose*.yaml")))

    def preview() -> tuple:
        result = engine.run_preview(StackSettings(files=files), stack="dev", project="shop")
        return {(r.type, r.name): r for r in result.resources}, result.outputs

    with_seams = preview()
    monkeypatch.setattr(sdk_seams, "direct_outputs", contextlib.nullcontext)
    monkeypatch.setattr(sdk_seams, "known_types", contextlib.nullcontext)
    without = preview()
    assert len(with_seams[0]) > 90 and with_seams[1] and with_seams == without


def test_the_seams_are_in_place_only_while_the_block_runs():
    from pulumi import _types

    from compose_cloud.sdk_seams import installed, transfer_properties

    before = rpc.transfer_properties, _types.resource_types, _types.unwrap_type, _types.unwrap_optional_type
    with installed():
        assert rpc.transfer_properties is transfer_properties
        seams = (_types.resource_types, _types.unwrap_type, _types.unwrap_optional_type)
        assert all(getattr(f, "compose_cloud_seam", False) for f in seams)
    assert (rpc.transfer_properties, _types.resource_types, _types.unwrap_type, _types.unwrap_optional_type) == before


def test_types_are_the_sdks_once_per_class_and_each_caller_gets_its_own_copy():
    import pulumi_aws as aws

    from compose_cloud.program.aws.service import ComposeService
    from compose_cloud.sdk_seams import _cached_types

    sdk = SDK_RESOURCE_TYPES
    assert not getattr(sdk, "compose_cloud_seam", False)
    cached = _cached_types(sdk)
    for cls in (aws.ecs.Service, aws.iam.Role, ComposeService):  # a component annotates its output attributes
        first = cached(cls)
        assert first == sdk(cls) and first
        first.clear()
        assert cached(cls) == sdk(cls)
    assert _cached_types(cached) is cached  # installed twice: once


def test_a_program_keeps_the_seams_for_good():
    import subprocess
    import sys

    code = (
        "from compose_cloud import sdk_seams; sdk_seams.for_program(); from pulumi.runtime import rpc; "
        "from pulumi import _types; assert rpc.transfer_properties is sdk_seams.transfer_properties; "
        "assert _types.resource_types.compose_cloud_seam; print('ok')"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
    assert done.stdout.strip() == "ok", done.stderr


def test_a_types_unwrapping_is_the_sdks_once_per_type_object():
    """Every property type of the resources a preview makes (input and output), and typing's own shapes of them."""
    import typing

    import pulumi
    import pulumi_aws as aws

    from compose_cloud.sdk_seams import _by_identity

    types = _sdk_types
    shapes = [
        pulumi.Output[str],
        typing.Optional[pulumi.Input[str]],
        pulumi.Input[typing.Sequence[pulumi.Input[str]]],
        typing.Optional[pulumi.Input[typing.Mapping[str, pulumi.Input[str]]]],
        str,
        None,
    ]
    for cls in (aws.ecs.Service, aws.ecs.TaskDefinition, aws.iam.Role, aws.ec2.SecurityGroup):
        shapes += list(types._types_from_py_properties(cls).values())
        shapes += list(typing.get_type_hints(cls._internal_init).values())
    for original in SDK_UNWRAP:
        assert not getattr(original, "compose_cloud_seam", False)
        cached = _by_identity(original)
        for shape in shapes:
            assert cached(shape) == original(shape) and cached(shape) == original(shape)  # the second from the table
