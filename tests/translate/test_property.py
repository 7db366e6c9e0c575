"""Random and mutated Compose documents: only ComposeError, always with a location."""

import copy
from pathlib import Path

import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support.common import ROOT

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


# Every structured service attribute, nested as deep as Compose nests it: mutations anywhere inside
# (lists included) found crashes the example above could not reach (`deploy: {resources: 5}`).
FULL = yaml.safe_load(
    """
services:
  app:
    image: a
    models: {llm: {endpoint_var: U, model_var: M}}
    ports: ["8080:80", {target: 81, published: "9090", protocol: tcp}]
    deploy:
      replicas: 2
      x-aws-autoscaling: {min: 1, max: 3, cpu: 60}
      resources:
        limits: {cpus: "0.5", memory: 512m}
        reservations: {devices: [{capabilities: [gpu], count: 1, driver: nvidia}]}
    healthcheck: {test: [CMD, curl, -f, http://localhost], interval: 30s, retries: 3}
    gpus: [{driver: nvidia, count: 1}]
    ulimits: {nofile: {soft: 1024, hard: 2048}}
    depends_on: {db: {condition: service_healthy}}
    secrets: [{source: s, target: /run/secrets/s, mode: 0440}]
    volumes: [{type: volume, source: data, target: /data}]
    environment: {A: "1"}
  db: {image: postgres, build: {context: ., args: {X: "1"}}}
models:
  llm: {model: ai/smollm2, context_size: 4096, runtime_flags: [--threads, "4"], labels: [cloud.backend=ecs]}
secrets:
  s: {environment: S}
volumes:
  data: {}
"""
)


@settings(suppress_health_check=[HealthCheck.function_scoped_fixture], max_examples=300)
@given(data=st.data())
def test_mutated_anywhere_inside_a_full_service(tmp_path, data):
    document = copy.deepcopy(FULL)
    parent, key = document, None
    node: object = document
    for _ in range(data.draw(st.integers(1, 7))):  # walk down through mappings and lists
        if isinstance(node, dict) and node:
            parent, key = node, data.draw(st.sampled_from(sorted(node, key=str)))
        elif isinstance(node, list) and node:
            parent, key = node, data.draw(st.integers(0, len(node) - 1))
        else:
            break
        node = parent[key]
    if key is not None:
        parent[key] = data.draw(trees)
    _plan(tmp_path, document)
