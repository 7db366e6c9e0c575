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
