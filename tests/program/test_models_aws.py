"""Models on AWS under mocks: SageMaker endpoints, ECS model servers, the gateway, regions and wiring."""

from __future__ import annotations

import json
import re

import pytest
import yaml
from support.common import ROOT, arn_of, ident, write
from support.previews import SG, by_type, containers, preview

from compose_translate import ComposeError, StackSettings

SEED = ROOT / "examples" / "seed-06-cloud" / "compose.yaml"
MULTI = ROOT / "examples" / "multi-region" / "compose.yaml"


@pytest.fixture(scope="module")
def seed():
    return preview([SEED], project_name="seed-06-cloud")  # no `name:`: as `-p` or projectName would name it


@pytest.fixture(scope="module")
def multi():
    return preview([MULTI])


def gateway_config(result) -> dict:
    parameter = result.plan.configs["compose-cloud-gateway-config"]
    return yaml.safe_load(parameter.value.get_secret_value())


# -- the seed's cloud example: gpu-small in us-west-2 ---------------------------------------------------


def test_sagemaker_endpoint_uses_the_alias_type_through_a_us_west_2_provider(seed):
    configs = by_type(seed, "aws:sagemaker/endpointConfiguration:EndpointConfiguration")
    (config,) = configs.values()
    variant = config.inputs["productionVariants"][0]
    assert (variant["instanceType"], variant["initialInstanceCount"]) == ("ml.g5.xlarge", 1.0)
    assert (
        variant["inferenceAmiVersion"] == "al2023-ami-sagemaker-inference-gpu-4-1"
    )  # driver 580: CUDA 13 natively (test_gpu_driver.py)
    assert variant["containerStartupHealthCheckTimeoutInSeconds"] >= 600
    assert config.provider == "aws-us-west-2"
    for r in seed.resources:
        if r.type.startswith("aws:sagemaker/") or r.parent == "seed-06-cloud-model-llm":
            assert r.provider == "aws-us-west-2", r.name
    providers = by_type(seed, "pulumi:providers:aws")
    assert {n: p.inputs["region"] for n, p in providers.items()} == {
        "aws-us-east-1": "us-east-1",
        "aws-us-west-2": "us-west-2",
    }


def test_sagemaker_model_pulls_the_compose_reference_with_llama_cpp(seed):
    (model,) = by_type(seed, "aws:sagemaker/model:Model").values()
    container = model.inputs["primaryContainer"]
    assert container["image"] == "763104351884.dkr.ecr.us-west-2.amazonaws.com/llama-cpp:server-sagemaker-cuda-v1"
    assert container["environment"] == {
        "SM_LLAMA_CPP_ALIAS": "ai/smollm2",
        "SM_LLAMA_CPP_DOCKER_REPO": "ai/smollm2",
        "SM_LLAMA_CPP_N_GPU_LAYERS": "999",
    }
    (policy,) = [p for n, p in by_type(seed, "aws:iam/rolePolicy:RolePolicy").items() if n.endswith("-model-llm-role")]
    document = json.loads(policy.inputs["policy"])
    pull = next(s for s in document["Statement"] if "ecr:BatchGetImage" in s["Action"])
    assert pull["Resource"] == "arn:aws:ecr:us-west-2:763104351884:repository/llama-cpp"


def test_bound_service_gets_the_gateway_url_and_model_name(seed):
    app = containers(seed, "seed-06-cloud-chat-app-task")["chat-app"]
    env = {e["name"]: e["value"] for e in app["environment"]}
    assert env == {"LLM_URL": "http://model-gateway:4000/v1/", "LLM_MODEL": "ai/smollm2"}


def test_gateway_may_invoke_exactly_the_stack_endpoints(seed):
    policy = by_type(seed, "aws:iam/rolePolicy:RolePolicy")["seed-06-cloud-model-gateway-proxy-task"]
    document = json.loads(policy.inputs["policy"])
    assert document["Statement"] == [
        {
            "Effect": "Allow",
            "Action": ["sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"],
            "Resource": [arn_of(seed, "seed-06-cloud-model-llm-endpoint")],
        }
    ]
    # the application's own task role still has no permissions
    assert "seed-06-cloud-chat-app-task" not in by_type(seed, "aws:iam/rolePolicy:RolePolicy")


def test_gateway_routes_the_compose_reference_to_the_endpoint_in_its_region(seed):
    assert gateway_config(seed)["model_list"] == [
        {
            "model_name": "ai/smollm2",
            "litellm_params": {
                "model": "sagemaker_chat/seed-06-cloud-preview-llm",
                "aws_region_name": "us-west-2",
                "num_retries": 0,  # never scales to zero: not held when down
            },
        }
    ]
    endpoint = by_type(seed, "aws:sagemaker/endpoint:Endpoint")["seed-06-cloud-model-llm-endpoint"]
    assert endpoint.inputs["name"] == "seed-06-cloud-preview-llm"
    proxy = containers(seed, "seed-06-cloud-model-gateway-proxy-task")
    assert proxy["model-gateway"]["command"] == ["--config", "/etc/litellm/config.yaml", "--port", "4000"]
    assert proxy["model-gateway"]["image"] == "ghcr.io/berriai/litellm:v1.102.1"
    assert "/etc/litellm/config.yaml" in proxy["compose-files"]["command"][2]


def test_only_binding_services_reach_the_gateway_and_only_on_its_port(seed):
    services = by_type(seed, "aws:ecs/service:Service")
    own = {r.id for r in seed.resources if r.type == SG and r.name.endswith("-sg")}  # a service's own group
    groups = {
        n: [g for g in s.inputs["networkConfiguration"]["securityGroups"] if g not in own] for n, s in services.items()
    }
    models_net = ident(seed, "seed-06-cloud-cluster-net-compose-cloud-models", SG)
    assert groups["seed-06-cloud-model-gateway-proxy-service"] == []  # no model servers to reach
    assert groups["seed-06-cloud-chat-app-service"] == [
        models_net,
        ident(seed, "seed-06-cloud-cluster-net-default", SG),
    ]
    rules = by_type(seed, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    # the clients' group is no Compose network: its members do not reach each other through it
    assert "seed-06-cloud-cluster-net-compose-cloud-models-members" not in rules
    admit = rules["seed-06-cloud-model-gateway-proxy-from-compose-cloud-models"].inputs
    assert admit["referencedSecurityGroupId"] == models_net
    assert admit["securityGroupId"] == ident(seed, "seed-06-cloud-model-gateway-proxy-sg", SG)
    assert (admit["ipProtocol"], admit["fromPort"], admit["toPort"]) == ("tcp", 4000.0, 4000.0)
    alias = services["seed-06-cloud-model-gateway-proxy-service"].inputs["serviceConnectConfiguration"]["services"]
    assert alias[0]["clientAlias"] == [{"dnsName": "model-gateway", "port": 4000.0}]


def test_services_on_other_networks_do_not_meet_through_the_gateway(tmp_path):
    """Two services that bind models but share no Compose network must not reach each other."""
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  a: {image: x, models: [m], networks: [front]}\n"
            "  b: {image: x, models: [m], networks: [back]}\n"
            "networks: {front: {}, back: {}}\nmodels:\n  m: {model: ai/smollm2}\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    rules = by_type(result, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    models_net = ident(result, "app-cluster-net-compose-cloud-models", SG)
    # the only rule naming the model clients' group admits them into the gateway, on its port
    assert [n for n, r in rules.items() if r.inputs.get("referencedSecurityGroupId") == models_net] == [
        "app-model-gateway-proxy-from-compose-cloud-models"
    ]


def test_reserved_network_names_are_refused(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  a: {image: x, networks: [compose-cloud-models]}\n"
            "networks: {compose-cloud-models: {}}\n"
        },
    )
    with pytest.raises(ComposeError, match='the network name "compose-cloud-models" is reserved'):
        preview([tmp_path / "compose.yaml"])


def test_outputs_describe_each_model(seed):
    llm = seed.outputs["models"]["llm"]
    assert llm == {
        "model": "ai/smollm2",
        "backend": "sagemaker",
        "region": "us-west-2",
        "instanceType": "ml.g5.xlarge",
        "url": "http://model-gateway:4000/v1/",
        "endpointName": "seed-06-cloud-preview-llm",
        "endpointArn": "arn:aws:sagemaker:us-west-2:123456789012:endpoint/seed-06-cloud-preview-llm",
        "server": None,
        "bedrockModel": None,
        "servedBy": None,
        "estimatedHourlyUsd": 1.408,
    }
    assert seed.outputs["modelGatewayUrl"] == "http://model-gateway:4000/v1/"


def test_outputs_name_a_bedrock_models_id_and_its_idle_cost():
    result = preview([ROOT / "examples" / "bedrock" / "compose.yaml"])
    llm = result.outputs["models"]["llm"]
    assert (llm["backend"], llm["bedrockModel"], llm["region"]) == (
        "bedrock",
        "us.meta.llama3-3-70b-instruct-v1:0",
        "us-east-1",
    )
    assert (llm["endpointName"], llm["server"]) == (None, None)
    assert result.outputs["models"]["coder"]["estimatedHourlyUsd"] == 0.0  # nothing while idle, tokens aside
    gpu = ("sagemaker", "capacityProvider", "launchTemplate", "autoscaling/group")
    assert not [r.type for r in result.resources if any(g in r.type for g in gpu)]


# -- the ecs backend ---------------------------------------------------------------------------------------


def test_ecs_gpu_model_runs_on_gpu_capacity(multi):
    server = containers(multi, "research-assistant-model-coder-server-task")["model-coder"]
    assert server["image"] == "ghcr.io/ggml-org/llama.cpp:server-cuda-b11382"
    assert server["resourceRequirements"] == [{"type": "GPU", "value": "1"}]
    env = {e["name"]: e["value"] for e in server["environment"]}
    assert env["LLAMA_ARG_HF_REPO"] == "Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M"
    assert (env["LLAMA_ARG_PORT"], env["LLAMA_ARG_N_GPU_LAYERS"]) == ("8080", "999")
    assert env["LLAMA_ARG_ALIAS"] == "hf.co/Qwen/Qwen2.5-Coder-7B-Instruct-GGUF:Q4_K_M"
    assert server["command"] == ["--jinja"]
    assert "curl -fsS http://localhost:8080/health" in server["healthCheck"]["command"][1]
    task = by_type(multi, "aws:ecs/taskDefinition:TaskDefinition")["research-assistant-model-coder-server-task"]
    assert task.inputs["requiresCompatibilities"] == ["EC2"] and "cpu" not in task.inputs
    service = by_type(multi, "aws:ecs/service:Service")["research-assistant-model-coder-server-service"].inputs
    assert service["capacityProviderStrategies"] == [
        {"capacityProvider": ident(multi, "research-assistant-gpu-g5-xlarge-cp"), "weight": 1.0, "base": 0.0}
    ]
    assert "launchType" not in service


def test_gpu_capacity_uses_the_ecs_gpu_ami_and_joins_the_cluster(multi):
    import base64

    template = by_type(multi, "aws:ec2/launchTemplate:LaunchTemplate")["research-assistant-gpu-g5-xlarge-lt"].inputs
    assert template["imageId"] == "ami-0123456789abcdef0"  # answered by the mock's SSM lookup
    assert template["instanceType"] == "g5.xlarge"
    script = base64.b64decode(template["userData"]).decode()
    cluster = ident(multi, "research-assistant-cluster-ecs").rsplit("/", 1)[1]
    assert f"ECS_CLUSTER={cluster} " in script and "ECS_ENABLE_GPU_SUPPORT=true" in script
    provider = by_type(multi, "aws:ecs/capacityProvider:CapacityProvider")["research-assistant-gpu-g5-xlarge-cp"]
    assert provider.inputs["autoScalingGroupProvider"]["managedScaling"]["status"] == "ENABLED"
    group = by_type(multi, "aws:autoscaling/group:Group")["research-assistant-gpu-g5-xlarge-asg"].inputs
    assert (group["minSize"], group["maxSize"]) == (0.0, 2.0)
    association = by_type(multi, "aws:ecs/clusterCapacityProviders:ClusterCapacityProviders")
    (cluster_providers,) = association.values()
    assert cluster_providers.inputs["capacityProviders"] == [
        "FARGATE",
        ident(multi, "research-assistant-gpu-g5-xlarge-cp"),
    ]


def test_embedding_model_runs_on_fargate_cpu_with_embeddings(multi):
    task = by_type(multi, "aws:ecs/taskDefinition:TaskDefinition")["research-assistant-model-embedder-server-task"]
    assert (task.inputs["cpu"], task.inputs["memory"], task.inputs["requiresCompatibilities"]) == (
        "2048",
        "8192",
        ["FARGATE"],
    )
    server = containers(multi, "research-assistant-model-embedder-server-task")["model-embedder"]
    env = {e["name"]: e["value"] for e in server["environment"]}
    assert server["image"] == "ghcr.io/ggml-org/llama.cpp:server-b11382"
    assert env["LLAMA_ARG_EMBEDDINGS"] == "true" and "LLAMA_ARG_N_GPU_LAYERS" not in env
    assert env["LLAMA_ARG_DOCKER_REPO"] == "ai/embeddinggemma"
    assert "resourceRequirements" not in server


def test_model_servers_are_reachable_from_the_gateway_only(multi):
    services = by_type(multi, "aws:ecs/service:Service")
    server = services["research-assistant-model-embedder-server-service"].inputs
    servers_net = ident(multi, "research-assistant-cluster-net-compose-cloud-model-servers", SG)
    assert server["networkConfiguration"]["securityGroups"][1:] == []  # a server is nobody's client
    holders = [n for n, s in services.items() if servers_net in s.inputs["networkConfiguration"]["securityGroups"]]
    assert holders == ["research-assistant-model-gateway-proxy-service"]
    rules = by_type(multi, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    admitted = sorted(n for n, r in rules.items() if r.inputs.get("referencedSecurityGroupId") == servers_net)
    # both servers have the same rules, so they share the group the first one made (rule_groups.py): one rule
    # admits the gateway's network into it, on llama.cpp's port; nothing admits one server from the other
    assert admitted == ["research-assistant-model-coder-server-from-compose-cloud-model-servers"]
    assert rules[admitted[0]].inputs["fromPort"] == 8080.0
    shared = ident(multi, "research-assistant-model-coder-server-sg", SG)
    assert rules[admitted[0]].inputs["securityGroupId"] == shared
    for name in ("coder", "embedder"):
        groups = services[f"research-assistant-model-{name}-server-service"].inputs["networkConfiguration"]
        assert groups["securityGroups"] == [shared]
    assert [n for n, r in rules.items() if r.inputs.get("referencedSecurityGroupId") == shared] == [
        "research-assistant-volume-compose-cloud-model-cache-nfs-model-coder"  # the model cache admits the group
    ]


def test_one_shared_endpoint_var_serves_three_models(multi):
    app = containers(multi, "research-assistant-assistant-task")["assistant"]
    env = {e["name"]: e["value"] for e in app["environment"]}
    assert env["OPENAI_BASE_URL"] == "http://model-gateway:4000/v1/"
    names = [env["CHAT_MODEL"], env["CODE_MODEL"], env["EMBEDDING_MODEL"]]
    routes = {m["model_name"]: m["litellm_params"] for m in gateway_config(multi)["model_list"]}
    assert all(name in routes for name in names)
    assert routes[env["CODE_MODEL"]] == {
        "model": f"openai/{env['CODE_MODEL']}",
        "api_base": "http://model-coder:8080/v1",
        "api_key": "none",
        "max_retries": 0,  # the router retries, not the OpenAI client inside it
        "num_retries": 0,
    }
    assert routes[env["CHAT_MODEL"]]["aws_region_name"] == "us-west-2"
    assert routes["hf.co/unsloth/Qwen3-32B-GGUF:Q4_K_M"]["aws_region_name"] == "eu-west-1"


def test_three_regions_three_providers_and_autoscaling(multi):
    assert sorted(by_type(multi, "pulumi:providers:aws")) == ["aws-eu-west-1", "aws-us-east-1", "aws-us-west-2"]
    endpoints = by_type(multi, "aws:sagemaker/endpoint:Endpoint")
    assert {n: e.provider for n, e in endpoints.items()} == {
        "research-assistant-model-chat-endpoint": "aws-us-west-2",
        "research-assistant-model-reasoner-endpoint": "aws-eu-west-1",
    }
    target = by_type(multi, "aws:appautoscaling/target:Target")["research-assistant-model-chat-scaling"].inputs
    assert (target["minCapacity"], target["maxCapacity"]) == (1.0, 3.0)
    assert target["resourceId"] == "endpoint/research-assistant-preview-chat/variant/AllTraffic"
    assert "research-assistant-model-reasoner-scaling" not in by_type(multi, "aws:appautoscaling/target:Target")
    reasoner = by_type(multi, "aws:sagemaker/model:Model")["research-assistant-model-reasoner-model"]
    env = reasoner.inputs["primaryContainer"]["environment"]
    assert (
        env["SM_LLAMA_CPP_HF_REPO"],
        env["SM_LLAMA_CPP_JINJA"],
        env["SM_LLAMA_CPP_TEMP"],
        env["SM_LLAMA_CPP_CTX_SIZE"],
    ) == ("unsloth/Qwen3-32B-GGUF:Q4_K_M", "true", "0.6", "32768")


def test_cost_estimate_is_in_the_plan_and_the_preview(multi):
    from compose_cloud.render.preview import render_text

    cost = multi.plan.cost
    # eu-west-1 has no built-in table: its model is named unpriced, never priced with us-east-1's numbers
    assert cost.models == {"chat": 2.329, "coder": 1.006, "embedder": 0.1165, "reasoner": None}
    assert cost.unpriced == ("eu-west-1 (no price table)", "ml.g6e.12xlarge in eu-west-1")
    priced = sum(v for v in cost.models.values() if v is not None)
    assert cost.total == pytest.approx(priced + cost.services + cost.gateway + cost.network)
    text = render_text(multi)
    assert "estimated cost: ~$3.63/hour" in text and "not included: eu-west-1 (no price table)" in text
    assert "a partial total: run `compose-cloud preflight --refresh-prices` for the rest" in text


# -- plan-time refusals ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "flags, fragment",
    [
        ('["--port", "9000"]', "--port: the server must listen where the gateway reaches it"),
        ('["--host=127.0.0.1"]', "--host: the server must listen"),
        ('["-c", "4096"]', "long flags only"),
        # spellings a block-list missed: case tricks, short and other long forms, files and URLs
        ('["--DOCKER-REPO=attacker/x"]', "--DOCKER-REPO: not on the allow-list"),
        ('["-hfr", "attacker/x"]', "-hfr: the model comes from the Compose `model:`"),
        ('["--model-url", "https://example.com/m.gguf"]', "--model-url: the model comes from"),
        ('["--api-key-file", "/etc/keys"]', "--api-key-file: the gateway reaches the server without a key"),
        ('["--lora", "/x.gguf"]', "--lora: the model comes from"),
        ('["--fim-qwen-7b-default"]', "--fim-qwen-7b-default: not on the allow-list"),
        ('["--temp", "0.2", "--log-file", "/tmp/x"]', "--log-file: not on the allow-list"),
        # llama-server reads `_` as `-` in `--` flags (common/arg.cpp): these reached refused flags as
        # the value of the flag before them
        ('["--jinja", "--api_key", "x"]', "--api-key: the gateway reaches the server without a key"),
        ('["--jinja", "--webui_mcp_proxy"]', "--webui-mcp-proxy: the server may not reach other servers"),
        ('["--jinja", "--reuse_port"]', "--reuse-port: the server must listen where the gateway reaches it"),
        ('["--jinja", "--Host_x"]', "--Host-x: not on the allow-list"),
        # values reach SageMaker through environment variables: one word of printable text
        ('["--temp", "0.1 --port 9"]', "'0.1 --port 9': a flag's value must be one word of printable text"),
        ('["--chat-template", "a\\nb"]', "a flag's value must be one word"),
        ('["--temp", "0.1", "--x.y"]', '"--x.y" is not a llama-server flag'),
    ],
)
def test_runtime_flags_that_break_wiring_are_refused(tmp_path, flags, fragment):
    write(
        tmp_path,
        {
            "compose.yaml": f"services: {{app: {{image: a, models: [m]}}}}\n"
            f"models:\n  m:\n    model: ai/smollm2\n    runtime_flags: {flags}\n"
        },
    )
    with pytest.raises(ComposeError, match=re.escape(fragment)) as err:
        preview([tmp_path / "compose.yaml"])
    assert err.value.first.path == "models.m.runtime_flags" and err.value.first.loc.line == 5


def test_sampling_and_performance_flags_are_allowed(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services: {app: {image: a, models: [m]}}\nmodels:\n  m:\n"
            "    model: ai/smollm2\n    runtime_flags: [--jinja, --temp, '0.6', --top-k=40,"
            " --ctx-size, '8192', --flash-attn, 'on', --reasoning-format, deepseek]\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    (model,) = by_type(result, "aws:sagemaker/model:Model").values()
    env = model.inputs["primaryContainer"]["environment"]
    assert (env["SM_LLAMA_CPP_TEMP"], env["SM_LLAMA_CPP_TOP_K"], env["SM_LLAMA_CPP_JINJA"]) == ("0.6", "40", "true")


def test_short_flags_are_fine_on_ecs(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services: {app: {image: a, models: [m]}}\nmodels:\n  m:\n"
            "    model: ai/smollm2\n    runtime_flags: ['-c', '4096']\n"
            "    labels: [cloud.backend=ecs]\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    assert containers(result, "app-model-m-server-task")["model-m"]["command"] == ["-c", "4096"]


def test_service_with_gpus_runs_on_gpu_capacity(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  trainer: {image: a, gpus: all}\n"})
    result = preview([tmp_path / "compose.yaml"])
    service = by_type(result, "aws:ecs/service:Service")["app-trainer-service"].inputs
    assert service["capacityProviderStrategies"][0]["capacityProvider"] == ident(result, "app-gpu-g5-xlarge-cp")
    app = containers(result, "app-trainer-task")["trainer"]
    assert app["resourceRequirements"] == [{"type": "GPU", "value": "1"}] and app["memoryReservation"] == 1024


def test_ecs_model_in_another_region_is_refused(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services: {app: {image: a, models: [m]}}\nmodels:\n  m:\n"
            "    model: ai/smollm2\n    labels: [cloud.backend=ecs, cloud.region=eu-west-1]\n"
        },
    )
    with pytest.raises(ComposeError, match="must run in the stack's region"):
        preview([tmp_path / "compose.yaml"])


def test_images_are_overridable_per_stack(tmp_path):
    write(tmp_path, {"compose.yaml": "services: {app: {image: a, models: [m]}}\nmodels: {m: {model: ai/smollm2}}\n"})
    result = run = preview([tmp_path / "compose.yaml"], images={"gateway": "registry.example.com/litellm:v9"})
    assert (
        containers(run, "app-model-gateway-proxy-task")["model-gateway"]["image"] == "registry.example.com/litellm:v9"
    )
    assert result.plan.models["m"].sagemaker.image.startswith("763104351884.dkr.ecr.us-east-1.")
    with pytest.raises(Exception, match="extra"):
        StackSettings(images={"gatway": "x"})


def test_same_reference_twice_is_balanced_with_a_warning(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services: {app: {image: a, models: [a, b]}}\n"
            "models: {a: {model: ai/smollm2}, b: {model: ai/smollm2, context_size: 8192}}\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    assert [m["model_name"] for m in gateway_config(result)["model_list"]] == ["ai/smollm2", "ai/smollm2"]
    assert any("balances requests" in w.message for w in result.plan.warnings)


def test_identical_models_are_deployed_once(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  a: {image: a, models: [guard]}\n  b: {image: b, models: [npc]}\n"
            "models:\n  guard: {model: ai/qwen2.5}\n  npc: {model: ai/qwen2.5}\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    assert list(by_type(result, "aws:sagemaker/endpoint:Endpoint")) == ["app-model-guard-endpoint"]
    assert [m["model_name"] for m in gateway_config(result)["model_list"]] == ["ai/qwen2.5"]
    assert result.plan.models["npc"].served_by == "guard" and result.plan.cost.models["npc"] == 0.0
    assert result.outputs["models"]["npc"]["endpointName"] == "app-preview-guard"
    assert not any("balances" in w.message for w in result.plan.warnings)
    env = {e["name"]: e["value"] for e in containers(result, "app-b-task")["b"]["environment"]}
    assert env == {"NPC_MODEL": "ai/qwen2.5", "NPC_URL": "http://model-gateway:4000/v1/"}
