import json

import pytest

from compose_translate import ComposeError, StackSettings
from compose_translate.normalize import binding_prefix

URL = "http://model-gateway:4000/v1/"


@pytest.mark.parametrize(
    "key, prefix",
    [
        ("llm", "LLM"),
        ("embedding-model", "EMBEDDING_MODEL"),
        ("my.model", "MY.MODEL"),
        ("chat_model", "CHAT_MODEL"),
        ("Qwen3-Large", "QWEN3_LARGE"),
    ],
)
def test_variable_prefix_is_docker_compose_rule(key, prefix):
    assert binding_prefix(key) == prefix


def test_short_and_long_syntax_and_null_entry(project):
    plan = project(
        {
            "compose.yaml": """
        services:
          short: {image: s, models: [llm, embedding-model]}
          long:
            image: l
            models:
              llm: {endpoint_var: AI_URL}
              embedding-model: {model_var: EMB_NAME}
          null-entry:
            image: n
            models:
              llm:
        models:
          llm: {model: ai/smollm2}
          embedding-model: {model: ai/all-minilm}
    """
        }
    )
    assert {k: v for k, v in plan.services["short"].environment.items()} == {
        "LLM_URL": URL,
        "LLM_MODEL": "ai/smollm2",
        "EMBEDDING_MODEL_URL": URL,
        "EMBEDDING_MODEL_MODEL": "ai/all-minilm",
    }
    assert plan.services["long"].environment == {
        "AI_URL": URL,
        "LLM_MODEL": "ai/smollm2",
        "EMBEDDING_MODEL_URL": URL,
        "EMB_NAME": "ai/all-minilm",
    }
    assert plan.services["null-entry"].environment == {"LLM_URL": URL, "LLM_MODEL": "ai/smollm2"}


def test_three_models_share_one_endpoint_var(project):
    plan = project(
        {
            "compose.yaml": """
        services:
          agent:
            image: a
            models:
              a: {endpoint_var: ENGINE_URL, model_var: A_ID}
              b: {endpoint_var: ENGINE_URL, model_var: B_ID}
              c: {endpoint_var: ENGINE_URL, model_var: C_ID}
        models:
          a: {model: ai/smollm2}
          b: {model: hf.co/org/repo-gguf:q4_k_m}
          c: {model: ai/mxbai-embed-large}
    """
        }
    )
    env = plan.services["agent"].environment
    assert env == {
        "ENGINE_URL": URL,
        "A_ID": "ai/smollm2",
        "B_ID": "hf.co/org/repo-gguf:q4_k_m",
        "C_ID": "ai/mxbai-embed-large",
    }
    assert not [w for w in plan.warnings if "ENGINE_URL" in w.message]


def test_same_model_var_warns_and_first_by_name_wins(project):
    plan = project(
        {
            "compose.yaml": """
        services:
          app:
            image: a
            models:
              zeta: {model_var: MODEL}
              alpha: {model_var: MODEL}
        models:
          zeta: {model: ai/qwen3}
          alpha: {model: ai/smollm2}
    """
        }
    )
    assert plan.services["app"].environment["MODEL"] == "ai/smollm2"
    assert any('"alpha" wins' in w.message for w in plan.warnings)


def test_injected_value_overrides_environment_with_warning(project):
    plan = project(
        {
            "compose.yaml": """
        services:
          app:
            image: a
            environment: {LLM_URL: http://localhost:12434/engines/v1}
            models: [llm]
        models: {llm: {model: ai/smollm2}}
    """
        }
    )
    assert plan.services["app"].environment["LLM_URL"] == URL
    warning = next(w for w in plan.warnings if "LLM_URL" in w.message)
    assert warning.path == "services.app.environment.LLM_URL"


def test_undefined_binding_names_service_model_file_line_and_defined(project):
    with pytest.raises(ComposeError) as err:
        project(
            {
                "compose.yaml": "services:\n  app:\n    image: a\n    models:\n      - lmm\n"
                "models:\n  llm: {model: ai/x}\n"
            }
        )
    d = err.value.first
    assert d.path == "services.app.models.lmm" and d.loc.line == 5 and d.loc.file.endswith("compose.yaml")
    assert '"lmm" is not defined (defined: llm)' in d.message and "llm" in d.hint


def test_unbound_models_are_not_deployed_unless_asked(project):
    plan = project(
        {
            "compose.yaml": """
        services: {app: {image: a, models: [used]}}
        models:
          used: {model: ai/smollm2}
          spare: {model: ai/qwen3}
          wanted: {model: ai/gemma3, labels: [cloud.deploy=true]}
    """
        }
    )
    assert set(plan.models) == {"used", "wanted"} and plan.unbound_models == ("spare",)
    assert any("cloud.deploy=true" in w.hint for w in plan.warnings if w.path == "models.spare")


@pytest.mark.parametrize(
    "labels, expected",
    [
        ([], ("sagemaker", "ml.g5.xlarge", "us-east-1")),
        (["cloud.instance-type=gpu-medium"], ("sagemaker", "ml.g6e.xlarge", "us-east-1")),
        (["cloud.instance-type=gpu-large", "cloud.region=us-west-2"], ("sagemaker", "ml.g6e.12xlarge", "us-west-2")),
        (["cloud.instance-type=gpu-small", "cloud.backend=ecs"], ("ecs", "g5.xlarge", "us-east-1")),
        (["cloud.instance-type=ml.g6.2xlarge"], ("sagemaker", "ml.g6.2xlarge", "us-east-1")),
        (["cloud.instance-type=g6.xlarge"], ("ecs", "g6.xlarge", "us-east-1")),
        (["cloud.instance-type=cpu-medium"], ("ecs", "fargate", "us-east-1")),
    ],
)
def test_chat_model_placement(project, labels, expected):
    plan = project(
        {
            "compose.yaml": f"services: {{app: {{image: a, models: [m]}}}}\n"
            f"models: {{m: {{model: ai/smollm2, labels: {labels}}}}}\n"
        }
    )
    m = plan.models["m"]
    assert (m.placement.backend, m.placement.instance_type, m.placement.region) == expected


def test_embedding_models_go_to_ecs_cpu_by_default(project):
    plan = project(
        {
            "compose.yaml": """
        services: {app: {image: a, models: [e, g, f]}}
        models:
          e: {model: ai/all-minilm}
          g: {model: ai/nomic-embed-text-v1.5, labels: [cloud.instance-type=gpu-small]}
          f: {model: ai/smollm2, runtime_flags: [--embeddings]}
    """
        }
    )
    assert (
        plan.models["e"].placement.backend,
        plan.models["e"].placement.instance_type,
        plan.models["e"].placement.fargate_cpu,
    ) == ("ecs", "fargate", 2048)
    assert (plan.models["g"].placement.backend, plan.models["g"].placement.instance_type) == ("ecs", "g5.xlarge")
    assert plan.models["f"].placement.embeddings is True and plan.models["f"].placement.backend == "ecs"


def test_stack_defaults_apply(project):
    settings = StackSettings(region="eu-west-1", default_instance_type="gpu-medium", default_backend="ecs")
    plan = project(
        {"compose.yaml": "services: {app: {image: a, models: [m]}}\nmodels: {m: {model: ai/smollm2}}\n"},
        settings=settings,
    )
    assert (
        plan.models["m"].placement.backend,
        plan.models["m"].placement.instance_type,
        plan.models["m"].placement.region,
    ) == ("ecs", "g6e.xlarge", "eu-west-1")


def test_gateway_name_never_shadows_a_service(project):
    plan = project({"compose.yaml": "services: {model-gateway: {image: a, models: [m]}}\nmodels: {m: {model: ai/x}}\n"})
    assert plan.gateway.url == "http://model-gateway-2:4000/v1/"


def test_no_models_no_gateway(project):
    plan = project({"compose.yaml": "services: {app: {image: a}}\n"})
    assert plan.gateway is None and plan.models == {}


def test_unsupported_attributes_warn_with_reason(project):
    plan = project(
        {"compose.yaml": "services: {app: {image: a, use_api_socket: true, privileged: false, restart: always}}\n"}
    )
    paths = [w.path for w in plan.warnings]
    assert paths == ["services.app.use_api_socket"]


def test_credential_like_variables_move_to_secrets_and_are_redacted(project):
    plan = project(
        {
            "compose.yaml": "services: {app: {image: a, environment: {OPENAI_API_KEY: sk-123, MODE: x, "
            "EMPTY_TOKEN: ''}}}\n"
        }
    )
    service = plan.to_dict()["services"]["app"]
    assert service["environment"] == {"EMPTY_TOKEN": "", "MODE": "x"}
    assert service["secret_environment"] == {"OPENAI_API_KEY": "[secret]"}
    assert plan.services["app"].secret_environment["OPENAI_API_KEY"].get_secret_value() == "sk-123"
    assert "sk-123" not in json.dumps(plan.to_dict())


@pytest.mark.parametrize("service", ["ec2", "ecs", "sagemaker"])
def test_region_lists_match_botocore_sessions(service):
    import botocore.session

    from compose_translate.instances import regions_for

    session = botocore.session.get_session()
    expected = {
        r for p in ("aws", "aws-cn", "aws-us-gov") for r in session.get_available_regions(service, partition_name=p)
    }
    assert regions_for(service) == expected and len(expected) > 20


def test_container_only_ports_on_two_services_are_valid_compose(project):
    """`ports: ["8000"]` lets Compose pick the host port: two services may both have it; an explicit
    host port keeps its number and the others move to free ports, with a warning naming them."""
    plan = project(
        {
            "compose.yaml": 'services:\n  a: {image: x, ports: ["8000"]}\n  b: {image: x, ports: ["8000"]}\n'
            '  c: {image: x, ports: ["8000:8000"]}\n'
        }
    )
    ports = {name: [x.port for x in s.listeners] for name, s in plan.services.items()}
    assert ports == {"a": [32768], "b": [32769], "c": [8000]}
    moved = [w for w in plan.warnings if "is published on port" in w.message]
    assert [w.path for w in moved] == ["services.a.ports", "services.b.ports"]
    only = project({"compose.yaml": 'services:\n  a: {image: x, ports: ["8000"]}\n'})
    assert [x.port for x in only.services["a"].listeners] == [8000] and not only.warnings
