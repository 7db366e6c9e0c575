from compose_translate.merge import merge_files
from compose_translate.yaml_source import parse_yaml


def merged(*texts):
    return merge_files([parse_yaml(t, f"f{i}.yaml") for i, t in enumerate(texts)])


BASE = """
services:
  app:
    image: app:1
    command: [run, --fast]
    environment: [A=1, B=2]
    labels: {team: x}
    ports: ["80:80"]
    volumes: ["data:/data", "./logs:/logs"]
    models: [llm]
    healthcheck: {test: [CMD, true], interval: 5s}
models:
  llm: {model: ai/smollm2, runtime_flags: [--a]}
"""


def test_maps_merge_and_scalars_replace():
    doc = merged(BASE, "services: {app: {image: app:2, user: root}}")
    app = doc["services"]["app"]
    assert app["image"] == "app:2" and app["user"] == "root" and app["command"] == ["run", "--fast"]


def test_environment_and_labels_merge_by_key_across_list_and_map_forms():
    doc = merged(BASE, "services: {app: {environment: {B: 3, C: 4}, labels: [owner=y]}}")
    assert doc["services"]["app"]["environment"] == {"A": "1", "B": 3, "C": 4}
    assert doc["services"]["app"]["labels"] == {"team": "x", "owner": "y"}


def test_command_and_healthcheck_test_replace():
    doc = merged(BASE, "services: {app: {command: [other], healthcheck: {test: [CMD, false]}}}")
    app = doc["services"]["app"]
    assert app["command"] == ["other"]
    assert app["healthcheck"] == {"test": ["CMD", False], "interval": "5s"}


def test_volumes_merge_by_target_and_ports_are_unique():
    doc = merged(BASE, 'services: {app: {volumes: ["other:/data"], ports: ["80:80", "443:443"]}}')
    app = doc["services"]["app"]
    assert sorted(app["volumes"]) == sorted(["./logs:/logs", "other:/data"])
    assert app["ports"] == ["80:80", "443:443"]


def test_model_bindings_merge_list_with_map():
    doc = merged(BASE, "services: {app: {models: {embed: {endpoint_var: E}}}}")
    assert doc["services"]["app"]["models"] == {"llm": None, "embed": {"endpoint_var": "E"}}


def test_override_tag_replaces_instead_of_merging():
    doc = merged(BASE, "services: {app: {models: !override {big: {endpoint_var: U}}}}")
    assert doc["services"]["app"]["models"] == {"big": {"endpoint_var": "U"}}


def test_reset_tag_removes_values():
    doc = merged(BASE, "services: {app: {ports: !reset [], image: !reset null}}\nmodels: !reset")
    assert "ports" not in doc["services"]["app"] and "image" not in doc["services"]["app"]
    assert "models" not in doc


def test_runtime_flags_replace():
    doc = merged(BASE, "models: {llm: {runtime_flags: [--b]}}")
    assert doc["models"]["llm"]["runtime_flags"] == ["--b"]


def test_locations_follow_the_file_that_set_the_value():
    doc = merged(BASE, "\n\nservices:\n  app:\n    image: app:2\n")
    app = doc["services"]["app"]
    assert app.key_locs["image"].file == "f1.yaml" and app.key_locs["image"].line == 5
    assert app.key_locs["command"].file == "f0.yaml"
