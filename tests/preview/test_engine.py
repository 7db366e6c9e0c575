"""The offline preview's mock engine answers as the SDK's MockMonitor would."""

from __future__ import annotations

import pytest
from pulumi.runtime import rpc
from pulumi.runtime.sync_await import _sync_await
from support.common import EXAMPLES, ROOT

from compose_cloud.preview import engine
from compose_translate import StackSettings


@pytest.mark.parametrize("example", ["agent-app", "jobs", "multi-region", "scale-to-zero"])
def test_a_plain_answer_is_the_sdks_serialization(example, monkeypatch):
    """Every state the mock answers with, built directly (`plain_struct`), equals what the SDK's serializer makes of
    it; a state that is not plain data (none in these examples) takes the SDK's way."""
    direct, compared = engine.plain_struct, []

    def checked(state):  # type: ignore[no-untyped-def]
        answer = direct(state)
        assert answer is not None, state  # the examples' states are all plain data
        assert answer == _sync_await(rpc.serialize_properties(state, {})), state
        compared.append(state)
        return answer

    monkeypatch.setattr(engine, "plain_struct", checked)
    folder = ROOT / "examples" / example
    result = engine.run_preview(StackSettings(files=tuple(str(folder / f) for f in EXAMPLES[example])))
    assert len(compared) == len(result.resources)  # every registration (the stack itself is not recorded)


def test_anything_but_plain_data_takes_the_sdks_way():
    import pulumi

    assert engine.plain_struct({"a": [1, 2.5, "x", None, True, {"b": {}}]}) is not None
    assert engine.plain_struct({"asset": pulumi.StringAsset("x")}) is None
    assert engine.plain_struct({"tuple": (1, 2)}) is None
    assert engine.plain_struct({1: "key that is no string"}) is None  # type: ignore[dict-item]
