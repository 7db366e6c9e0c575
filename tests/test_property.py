"""Random and mutated Compose documents: only ComposeError, always with a location."""

import copy
from pathlib import Path

import yaml
from conftest import ROOT
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from compose_translate import ComposeError, LoadOptions, make_plan

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(10**12), 10**12),
    st.integers(10**18, 10**40),
    st.floats(allow_nan=False),
    st.text(max_size=12),
    st.sampled_from(["ai/smollm2", "${X}", "${X:?boom}", "$$", "80:80", "gpu-small", "-1", "llm"]),
)
keys = st.one_of(
    st.text(min_size=1, max_size=10),
    st.sampled_from(
        [
            "services",
            "models",
            "image",
            "model",
            "models",
            "labels",
            "environment",
            "ports",
            "volumes",
            "context_size",
            "runtime_flags",
            "endpoint_var",
            "build",
            "depends_on",
            "secrets",
            "include",
            "extends",
            "profiles",
            "x-a",
        ]
    ),
)
trees = st.recursive(
    scalars,
    lambda inner: st.one_of(st.lists(inner, max_size=4), st.dictionaries(keys, inner, max_size=4)),
    max_leaves=25,
)

FILE_LEVEL = (
    "invalid YAML",
    "a Compose file must be a mapping",
    "mapping keys must be strings",
    "duplicate key",
    "a number of",
    "empty compose file",
)  # refused where written, or the file as a whole
BASE = yaml.safe_load((ROOT / "examples" / "agent-app" / "compose.yaml").read_text())


def _plan(tmp: Path, document) -> None:
    path = tmp / "compose.yaml"
    path.write_text(yaml.safe_dump(document, allow_unicode=True) if not isinstance(document, str) else document)
    try:
        make_plan(LoadOptions(files=(path,), environ={}))
    except ComposeError as exc:
        assert all(d.loc is not None and d.loc.line >= 1 for d in exc.diagnostics), exc.render()
        # a key path, unless the problem is the file as a whole (not YAML, not a mapping, ...)
        assert all(d.path or d.message.startswith(FILE_LEVEL) for d in exc.diagnostics), exc.render()


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(document=st.dictionaries(keys, trees, max_size=5))
def test_random_documents(tmp_path, document):
    _plan(tmp_path, document)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_mutated_example(tmp_path, data):
    document = copy.deepcopy(BASE)
    node = document
    for _ in range(data.draw(st.integers(1, 4))):
        if not isinstance(node, dict) or not node:
            break
        key = data.draw(st.sampled_from(sorted(node, key=str)))
        if data.draw(st.booleans()) and isinstance(node[key], dict):
            node = node[key]
            continue
        action = data.draw(st.sampled_from(["drop", "replace", "unicode", "deep"]))
        if action == "drop":
            del node[key]
        elif action == "replace":
            node[key] = data.draw(trees)
        elif action == "unicode":
            node[data.draw(st.text(min_size=1, max_size=8))] = node.pop(key)
        else:
            deep = data.draw(scalars)
            for _ in range(60):
                deep = {"x": deep}
            node[key] = deep
        break
    _plan(tmp_path, document)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=st.text(max_size=200))
def test_arbitrary_text(tmp_path, text):
    _plan(tmp_path, text)
