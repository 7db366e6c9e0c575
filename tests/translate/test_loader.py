import pytest

from compose_translate import ComposeError


def test_anchors_merge_keys_and_x_blocks(project):
    plan = project(
        {
            "compose.yaml": """
        x-env: &env
          MODE: prod
        x-models: &models
          llm: {endpoint_var: BASE_URL, model_var: LLM_ID}
        services:
          a:
            image: a
            environment:
              <<: *env
              EXTRA: "1"
            models:
              <<: *models
        models:
          llm: {model: ai/smollm2}
    """
        }
    )
    env = plan.services["a"].environment
    assert env["MODE"] == "prod" and env["EXTRA"] == "1" and env["LLM_ID"] == "ai/smollm2"


def test_yes_and_no_stay_strings_like_compose(project):
    plan = project({"compose.yaml": "services: {a: {image: a, environment: {FLAG: yes, OFF: no, B: true}}}"})
    assert plan.services["a"].environment == {"FLAG": "yes", "OFF": "no", "B": "true"}


def test_dotenv_and_process_environment(project):
    plan = project(
        {
            "compose.yaml": "services: {a: {image: 'a:${TAG}', environment: {X: '${FROM_ENV}'}}}",
            ".env": "TAG=1.2\nFROM_ENV=dotenv\n",
        },
        environ={"FROM_ENV": "process"},
    )
    assert plan.services["a"].image == "a:1.2"
    # the process environment wins; a value from the runner's environment is deployed as a secret
    assert plan.services["a"].secret_environment["X"].get_secret_value() == "process"


def test_env_file_option_replaces_dotenv(project):
    plan = project(
        {"compose.yaml": "services: {a: {image: 'a:${TAG}'}}", ".env": "TAG=dot\n", "prod.env": "TAG=prod\n"},
        env_files=(project.dir / "prod.env",),
    )
    assert plan.services["a"].image == "a:prod"


def test_service_env_file_forms_and_precedence(project):
    plan = project(
        {
            "compose.yaml": """
            services:
              a:
                image: a
                env_file:
                  - common.env
                  - path: missing.env
                    required: false
                environment: {B: from-environment}
        """,
            "common.env": "A=1\nB=from-file\nC=${TAG:-d}\n",
        }
    )
    assert plan.services["a"].environment == {"A": "1", "B": "from-environment", "C": "d"}


def test_missing_required_env_file_is_an_error(project):
    with pytest.raises(ComposeError) as err:
        project({"compose.yaml": "services:\n  a:\n    image: a\n    env_file: nope.env\n"})
    assert "env file not found" in err.value.first.message and err.value.first.loc.line == 4


def test_include_and_relative_paths(project):
    plan = project(
        {
            "compose.yaml": "include: [sub/compose.yaml]\nservices: {a: {image: a, models: [llm]}}\n",
            "sub/compose.yaml": "services: {b: {build: ./app}}\nmodels: {llm: {model: ai/smollm2}}\n",
        }
    )
    assert set(plan.services) == {"a", "b"}
    assert plan.to_dict()["services"]["b"]["build"]["context"] == "sub/app"


def test_a_local_service_merges_over_an_included_one(project):
    """compose-go merges the including file's definition over the included one (no longer refused)."""
    plan = project(
        {
            "compose.yaml": "include: [other.yaml]\nservices: {a: {image: a}}\n",
            "other.yaml": "services: {a: {image: b, read_only: true}}\n",
        }
    )
    assert plan.services["a"].image == "a" and plan.services["a"].runtime.read_only is True


def test_remote_include_is_a_clear_error(project):
    with pytest.raises(ComposeError) as err:
        project({"compose.yaml": "include:\n  - oci://example/thing\n"})
    d = err.value.first
    assert d.path == "include[0]" and d.loc.line == 2 and "offline" in d.message


def test_extends_same_file_and_other_file(project):
    plan = project(
        {
            "compose.yaml": """
            services:
              base: {image: base, environment: {A: "1"}}
              child:
                extends: base
                environment: {B: "2"}
              remote:
                extends: {file: common/services.yaml, service: web}
        """,
            "common/services.yaml": "services: {web: {build: ., environment: {W: w}}}\n",
        }
    )
    assert plan.services["child"].environment == {"A": "1", "B": "2"}
    assert plan.services["child"].image == "base"
    assert plan.to_dict()["services"]["remote"]["build"]["context"] == "common"


def test_extends_cycle_is_an_error(project):
    with pytest.raises(ComposeError) as err:
        project({"compose.yaml": "services: {a: {extends: b, image: x}, b: {extends: a, image: y}}\n"})
    assert "cycle" in err.value.first.message


def test_profiles(project):
    files = {"compose.yaml": "services: {a: {image: a}, dbg: {image: d, profiles: [debug]}}\n"}
    assert set(project(files).services) == {"a"}
    assert set(project(files, profiles=("debug",)).services) == {"a", "dbg"}


def test_depending_on_a_disabled_profile_is_an_error(project):
    with pytest.raises(ComposeError) as err:
        project({"compose.yaml": "services: {a: {image: a, depends_on: [dbg]}, dbg: {image: d, profiles: [debug]}}\n"})
    assert "--profile debug" in err.value.first.hint


def test_project_name_precedence(project):
    files = {"compose.yaml": "name: from-file\nservices: {a: {image: a}}\n"}
    assert project(files).name == "from-file"
    assert project(files, project_name="cli").name == "cli"
    assert project(files, environ={"COMPOSE_PROJECT_NAME": "envname"}).name == "envname"


def test_legacy_provider_service_becomes_a_model(project):
    plan = project(
        {
            "compose.yaml": """
        services:
          app: {image: app, depends_on: [ai-runner]}
          ai-runner:
            provider: {type: model, options: {model: ai/smollm2}}
    """
        }
    )
    assert set(plan.services) == {"app"}
    assert plan.services["app"].environment["AI_RUNNER_URL"].endswith("/v1/")
    assert plan.services["app"].environment["AI_RUNNER_MODEL"] == "ai/smollm2"
    assert any("legacy" in w.message for w in plan.warnings)


def test_override_file_swaps_a_model(project):
    plan = project(
        {
            "compose.yaml": "services: {a: {image: a, models: {small: {}}}}\nmodels: {small: {model: ai/smollm2}}\n",
            "big.yaml": "services: {a: {models: !override [big]}}\nmodels: {big: {model: ai/qwen3}}\n",
        },
        compose_files=("compose.yaml", "big.yaml"),
    )
    assert plan.services["a"].environment["BIG_MODEL"] == "ai/qwen3"
    assert "SMALL_MODEL" not in plan.services["a"].environment
    assert plan.unbound_models == ("small",)
