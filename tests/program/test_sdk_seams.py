"""compose_cloud/sdk_seams.py: each reach into the Pulumi SDK answers as the SDK does, and is undone on exit."""

from __future__ import annotations

import gc

import pytest
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

    from compose_cloud.preview import engine
    from compose_translate import StackSettings

    files = tuple(str(p) for p in sorted((ROOT / "examples" / "agent-app").glob("compose*.yaml")))

    def aliases() -> dict:
        result = engine.run_preview(StackSettings(files=files), stack="dev", project="shop")
        return {(r.type, r.name): r.aliases for r in result.resources}

    with_seam = aliases()
    monkeypatch.setattr(engine, "lazy_aliases", contextlib.nullcontext)
    without = aliases()
    assert sum(len(a) for a in with_seam.values()) > 50 and with_seam == without
