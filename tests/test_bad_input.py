"""Malformed projects: each must fail with our error naming file, line and key path; never a traceback."""

import pytest
from conftest import write

from compose_translate import ComposeError, LoadOptions, make_plan

OK_MODEL = "models:\n  llm:\n    model: ai/smollm2\n"

# (name, compose.yaml text, expected key path, expected line, fragment of the message)
CASES = [
    ("invalid-yaml", "services:\n  app:\n    image: [a\n", "", 4, "invalid YAML"),
    ("tab-indent", "services:\n\tapp: {}\n", "", 2, "invalid YAML"),
    ("top-level-list", "- a\n- b\n", "", 1, "mapping at the top level"),
    ("duplicate-key", "services:\n  app: {image: a}\n  app: {image: b}\n", "", 3, "duplicate key"),
    ("unknown-top-level", "service:\n  app: {image: a}\n", "service", 1, 'unknown key "service"'),
    (
        "unknown-service-key",
        "services:\n  app:\n    image: a\n    enviroment: {A: 1}\n",
        "services.app.enviroment",
        4,
        'unknown key "enviroment"',
    ),
    ("services-not-map", "services: [a, b]\n", "services", 1, "expected a mapping"),
    ("image-not-string", "services:\n  app:\n    image: [a]\n", "services.app.image", 3, "expected a string"),
    (
        "environment-wrong-type",
        "services:\n  app:\n    image: a\n    environment: 5\n",
        "services.app.environment",
        4,
        "KEY=VALUE",
    ),
    ("no-image-no-build", "services:\n  app:\n    environment: {A: b}\n", "services.app", 2, "neither an image"),
    (
        "model-without-model",
        "services:\n  app: {image: a, models: [llm]}\nmodels:\n  llm:\n    context_size: 10\n",
        "models.llm",
        4,
        "needs `model:`",
    ),
    ("model-not-mapping", "models:\n  llm: ai/smollm2\n", "models.llm", 2, "must be a mapping"),
    (
        "undefined-binding",
        "services:\n  app:\n    image: a\n    models: [other]\n" + OK_MODEL,
        "services.app.models.other",
        4,
        'model "other" is not defined',
    ),
    (
        "bad-instance-type",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    labels: [cloud.instance-type=ml.g5.xlarg]\n",
        "models.llm.labels.cloud.instance-type",
        5,
        "not a SageMaker endpoint instance type",
    ),
    (
        "bad-ec2-type",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    labels: [cloud.instance-type=g5.huge]\n",
        "models.llm.labels.cloud.instance-type",
        5,
        "unknown instance type",
    ),
    (
        "bad-region",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    labels: [cloud.region=us-west-9]\n",
        "models.llm.labels.cloud.region",
        5,
        "not an AWS region",
    ),
    (
        "unknown-cloud-label",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    labels: [cloud.instance-typ=gpu-small]\n",
        "models.llm.labels.cloud.instance-typ",
        5,
        "unknown label",
    ),
    (
        "bad-backend",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    labels: {cloud.backend: bedrock}\n",
        "models.llm.labels.cloud.backend",
        5,
        "unknown backend",
    ),
    (
        "embedding-on-sagemaker",
        "services: {app: {image: a, models: [e]}}\nmodels:\n  e:\n    model: ai/all-minilm\n"
        "    labels: [cloud.backend=sagemaker]\n",
        "models.e.labels.cloud.backend",
        5,
        "cannot be served by SageMaker",
    ),
    (
        "ml-type-with-ecs",
        "services: {app: {image: a, models: [llm]}}\n"
        + OK_MODEL
        + "    labels: [cloud.instance-type=ml.g5.xlarge, cloud.backend=ecs]\n",
        "models.llm.labels.cloud.backend",
        5,
        "SageMaker type",
    ),
    (
        "ecs-other-region",
        "services: {app: {image: a, models: [llm]}}\n"
        + OK_MODEL
        + "    labels: [cloud.backend=ecs, cloud.region=eu-west-1]\n",
        "models.llm.labels.cloud.region",
        5,
        "stack's region",
    ),
    (
        "min-above-max",
        "services: {app: {image: a, models: [llm]}}\n"
        + OK_MODEL
        + "    labels: [cloud.min-instances=3, cloud.max-instances=2]\n",
        "models.llm.labels.cloud.max-instances",
        5,
        "below cloud.min-instances",
    ),
    (
        "required-var",
        "services:\n  app:\n    image: ${IMAGE:?set IMAGE to the app image}\n",
        "services.app.image",
        3,
        "set IMAGE to the app image",
    ),
    ("bad-interpolation", "services:\n  app:\n    image: ${IMAGE\n", "services.app.image", 3, "invalid interpolation"),
    (
        "placeholder-flags",
        "services: {app: {image: a, models: [llm]}}\n"
        + OK_MODEL
        + "    runtime_flags: [--a-flag, --another-flag=42]\n",
        "models.llm.runtime_flags",
        5,
        "--a-flag: not on the allow-list",
    ),  # the seed page's placeholders: llama-server would refuse to start
    (
        "non-string-flag",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    runtime_flags: [--ctx, 42]\n",
        "models.llm.runtime_flags[1]",
        5,
        "must be a string",
    ),
    (
        "flags-not-list",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    runtime_flags: --ctx\n",
        "models.llm.runtime_flags",
        5,
        "must be a list",
    ),
    (
        "negative-context",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    context_size: -1\n",
        "models.llm.context_size",
        5,
        "cannot be negative",
    ),
    (
        "context-not-int",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    context_size: big\n",
        "models.llm.context_size",
        5,
        "whole number",
    ),
    ("remote-include", "include:\n  - oci://docker/labspace\n", "include[0]", 2, "cannot be resolved offline"),
    (
        "api-model-name",
        "services: {app: {image: a, models: [llm]}}\nmodels:\n  llm:\n    model: gpt-4o\n",
        "models.llm.model",
        4,
        "hosted API model name",
    ),
    (
        "other-registry",
        "services: {app: {image: a, models: [llm]}}\nmodels:\n  llm:\n    model: ghcr.io/org/model\n",
        "models.llm.model",
        4,
        'registry "ghcr.io"',
    ),
    (
        "model-and-image",
        "services: {app: {image: a, models: [llm]}}\nmodels:\n  llm:\n    model: ai/a\n    image: ai/b\n",
        "models.llm.image",
        5,
        "both `model` and `image`",
    ),
    (
        "unknown-model-key",
        "services: {app: {image: a, models: [llm]}}\n" + OK_MODEL + "    contextsize: 10\n",
        "models.llm.contextsize",
        5,
        "unknown key",
    ),
    (
        "binding-unknown-key",
        "services:\n  app:\n    image: a\n    models:\n      llm:\n        endpoint: X\n" + OK_MODEL,
        "services.app.models.llm.endpoint",
        6,
        "unknown key",
    ),
    ("bad-port", "services:\n  app:\n    image: a\n    ports: ['80:99999']\n", "services.app.ports[0]", 4, "65535"),
    (
        "undefined-volume",
        "services:\n  app:\n    image: a\n    volumes: ['data:/data']\n",
        "services.app.volumes[0]",
        4,
        'named volume "data" is not defined',
    ),
    (
        "undefined-secret",
        "services:\n  app:\n    image: a\n    secrets: [token]\n",
        "services.app.secrets[0]",
        4,
        'secret "token" is not defined',
    ),
    (
        "depends-on-undefined",
        "services:\n  app:\n    image: a\n    depends_on: [db]\n",
        "services.app.depends_on.db",
        4,
        'undefined service "db"',
    ),
    (
        "privileged",
        "services:\n  app:\n    image: a\n    privileged: true\n",
        "services.app.privileged",
        4,
        "cannot be deployed",
    ),
    (
        "network-mode-host",
        "services:\n  app:\n    image: a\n    network_mode: host\n",
        "services.app.network_mode",
        4,
        "cannot be deployed",
    ),
    (
        "bad-duration",
        "services:\n  app:\n    image: a\n    stop_grace_period: soon\n",
        "services.app.stop_grace_period",
        4,
        "duration",
    ),
    ("extends-missing", "services:\n  app:\n    extends: base\n", "services.app.extends.service", 3, "not defined"),
    ("bad-project-name", "name: My App\nservices: {app: {image: a}}\n", "name", 1, "invalid project name"),
    ("secret-with-content", "secrets:\n  s:\n    content: hunter2\n", "secrets.s.content", 3, "only configs"),
    # found by hypothesis in CI: structured attributes of the wrong outer shape
    ("build-boolean", "services:\n  app:\n    build: false\n", "services.app.build", 3, "build context"),
    ("build-list", "services:\n  app:\n    build: []\n", "services.app.build", 3, "build context"),
    (
        "depends-on-nested-list",
        "services:\n  app:\n    image: a\n    depends_on: [[]]\n",
        "services.app.depends_on",
        4,
        "list of service names",
    ),
    (
        "networks-nested-list",
        "services:\n  app:\n    image: a\n    networks: [[x]]\n",
        "services.app.networks",
        4,
        "list of network names",
    ),
]


@pytest.mark.parametrize("name, text, path, line, fragment", CASES, ids=[c[0] for c in CASES])
def test_bad_input_is_located(tmp_path, name, text, path, line, fragment):
    write(tmp_path, {"compose.yaml": text})
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}))
    diagnostic = next((d for d in err.value.diagnostics if fragment in d.message), None)
    assert diagnostic is not None, err.value.render()
    assert diagnostic.path == path, diagnostic
    assert diagnostic.loc is not None and diagnostic.loc.file == str(tmp_path / "compose.yaml")
    assert diagnostic.loc.line == line, diagnostic


def test_suite_is_large_enough():
    assert len(CASES) >= 30


def test_several_problems_are_reported_in_one_pass(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  a: {image: a, models: [x]}\n  b: {image: b, models: [y]}\n"})
    with pytest.raises(ComposeError) as err:
        make_plan(LoadOptions(files=(tmp_path / "compose.yaml",), environ={}))
    assert [d.path for d in err.value.diagnostics] == ["services.a.models.x", "services.b.models.y"]
