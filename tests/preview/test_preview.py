"""The Pulumi program under mocks: the resources each Compose mapping creates, and how they are wired."""

from __future__ import annotations

import json
import os

import pytest
from support.common import ROOT, arn_of, ident, write
from support.previews import SECRET, SG, SUBNET, TG, by_type, containers, preview

from compose_cloud.render.preview import RENDERERS
from compose_translate import ComposeError

AGENT = ROOT / "examples" / "agent-app"
AGENT_FILES = (str(AGENT / "compose.yaml"), str(AGENT / "compose.override.yaml"))


@pytest.fixture(scope="module")
def agent():
    return preview(AGENT_FILES)


def test_every_resource_has_a_component_parent_and_the_stack_provider(agent):
    components = {r.name for r in agent.resources if r.type.startswith("compose-cloud:aws:")}
    assert {
        "agent-app-network",
        "agent-app-cluster",
        "agent-app-store",
        "agent-app-ingress",
        "agent-app-volume-vector-data",
        "agent-app-agent",
        "agent-app-ui",
        "agent-app-vectors",
        "agent-app-model-chat",
        "agent-app-model-embedder",
        "agent-app-model-embedder-server",
        "agent-app-volume-compose-cloud-model-cache",
        "agent-app-model-gateway",
        "agent-app-model-gateway-proxy",
        # a service's task definition and roles are its own children: no component of their own (issue 25)
    } == components
    for r in agent.resources:
        if r.custom and not r.type.startswith("pulumi:providers:"):
            assert r.parent in components, r.name
            if r.type.startswith("aws:"):  # the override file moves the chat model to us-west-2
                region = "us-west-2" if r.parent == "agent-app-model-chat" else "us-east-1"
                assert r.provider == f"aws-{region}", r.name


def test_new_vpc_spans_two_zones_with_private_egress(agent):
    subnets = by_type(agent, "aws:ec2/subnet:Subnet")
    zones = {name: s.inputs["availabilityZone"] for name, s in subnets.items()}
    assert zones == {
        "agent-app-network-public-0": "us-east-1a",
        "agent-app-network-public-1": "us-east-1b",
        "agent-app-network-private-0": "us-east-1a",
        "agent-app-network-private-1": "us-east-1b",
    }
    routes = by_type(agent, "aws:ec2/routeTable:RouteTable")
    assert routes["agent-app-network-private"].inputs["routes"][0]["natGatewayId"] == ident(
        agent, "agent-app-network-nat", "aws:ec2/natGateway:NatGateway"
    )
    assert routes["agent-app-network-public"].inputs["routes"][0]["gatewayId"] == ident(agent, "agent-app-network-igw")


def test_services_run_on_fargate_in_private_subnets(agent):
    services = by_type(agent, "aws:ecs/service:Service")
    assert set(services) == {
        "agent-app-agent-service",
        "agent-app-ui-service",
        "agent-app-vectors-service",
        "agent-app-model-embedder-server-service",
        "agent-app-model-gateway-proxy-service",
    }
    agent_service = services["agent-app-agent-service"].inputs
    assert agent_service["launchType"] == "FARGATE" and agent_service["desiredCount"] == 2  # override file
    network = agent_service["networkConfiguration"]
    assert network["assignPublicIp"] is False
    assert network["subnets"] == [ident(agent, f"agent-app-network-private-{i}", SUBNET) for i in (0, 1)]
    assert network["securityGroups"] == [
        ident(agent, n, SG) for n in ("agent-app-cluster-net-compose-cloud-models", "agent-app-cluster-net-default")
    ]  # it binds models; it has no group of its own: it carries no rule (no published port, nothing it admits)
    assert "agent-app-agent-sg" not in by_type(agent, "aws:ec2/securityGroup:SecurityGroup")


def test_services_reach_each_other_by_compose_name_without_proxy_timeouts(agent):
    connect = by_type(agent, "aws:ecs/service:Service")["agent-app-vectors-service"].inputs[
        "serviceConnectConfiguration"
    ]
    assert connect["enabled"] is True and connect["namespace"] == arn_of(agent, "agent-app-cluster-ns")
    (entry,) = connect["services"]
    assert entry["clientAlias"] == [{"dnsName": "vectors", "port": 6333.0}]
    assert entry["timeout"] == {"idleTimeoutSeconds": 3600.0, "perRequestTimeoutSeconds": 0.0}
    # the agent reaches it at http://vectors:6333: HTTP, so Envoy may carry a per-request timeout (disabled)
    assert containers(agent, "agent-app-vectors-task")["vectors"]["portMappings"] == [
        {"name": "tcp-6333", "containerPort": 6333, "protocol": "tcp", "appProtocol": "http"}
    ]
    ui = by_type(agent, "aws:ecs/service:Service")["agent-app-ui-service"].inputs["serviceConnectConfiguration"]
    assert [s["clientAlias"][0]["dnsName"] for s in ui["services"]] == ["ui"]


def test_tcp_ports_get_the_idle_timeout_only(tmp_path):
    """AWS refuses a per-request timeout on a TCP port (pulumi/pulumi-aws#4265): a database gets none."""
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  db: {image: postgres, expose: ['5432']}\n"
            "  api: {image: a, expose: ['8080'], environment: {DB: 'postgres://db:5432/x'}}\n"
            "  web: {image: a, environment: {API: 'http://api:8080'}}\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    services = by_type(result, "aws:ecs/service:Service")
    db = services["app-db-service"].inputs["serviceConnectConfiguration"]["services"][0]
    api = services["app-api-service"].inputs["serviceConnectConfiguration"]["services"][0]
    assert db["timeout"] == {"idleTimeoutSeconds": 3600.0}
    assert api["timeout"] == {"idleTimeoutSeconds": 3600.0, "perRequestTimeoutSeconds": 0.0}
    assert "appProtocol" not in containers(result, "app-db-task")["db"]["portMappings"][0]
    assert containers(result, "app-api-task")["api"]["portMappings"][0]["appProtocol"] == "http"


def test_compose_network_security_group_admits_only_its_members(agent):
    rules = by_type(agent, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    members = rules["agent-app-cluster-net-default-members"].inputs
    assert (
        members["securityGroupId"]
        == members["referencedSecurityGroupId"]
        == ident(agent, "agent-app-cluster-net-default", SG)
    )
    # only published ports are open to the load balancer, and only on the ui
    from_lb = {n: r.inputs for n, r in rules.items() if n.endswith("-lb-3000")}
    assert list(from_lb) == ["agent-app-ui-lb-3000"]
    assert from_lb["agent-app-ui-lb-3000"]["referencedSecurityGroupId"] == ident(agent, "agent-app-ingress-alb-sg")
    assert from_lb["agent-app-ui-lb-3000"]["fromPort"] == 3000.0


def test_published_port_gets_an_alb_listener_and_target_group(agent):
    listener = by_type(agent, "aws:lb/listener:Listener")["agent-app-ingress-alb-8080"].inputs
    assert (listener["port"], listener["protocol"]) == (8080.0, "HTTP")
    group = by_type(agent, "aws:lb/targetGroup:TargetGroup")["agent-app-ingress-alb-ui-3000"].inputs
    assert (group["port"], group["targetType"], group["healthCheck"]["matcher"]) == (3000.0, "ip", "200-499")
    assert listener["defaultActions"][0]["targetGroupArn"] == arn_of(agent, "agent-app-ingress-alb-ui-3000", TG)
    balancer = by_type(agent, "aws:lb/loadBalancer:LoadBalancer")["agent-app-ingress-alb"].inputs
    assert balancer["idleTimeout"] == 4000.0 and balancer["subnets"][0] == ident(
        agent, "agent-app-network-public-0", SUBNET
    )
    ui = by_type(agent, "aws:ecs/service:Service")["agent-app-ui-service"].inputs
    assert ui["loadBalancers"] == [
        {
            "containerName": "ui",
            "containerPort": 3000.0,
            "targetGroupArn": group_arn(agent, "agent-app-ingress-alb-ui-3000"),
        }
    ]
    assert agent.outputs["urls"]["ui"][0].startswith("http://agent-app-ingress-alb-")
    assert agent.outputs["urls"]["ui"][0].endswith(".elb.amazonaws.com:8080/")


def group_arn(result, name: str) -> str:
    return arn_of(result, name, TG)


def test_build_pushes_to_its_own_repository(agent):
    image = by_type(agent, "docker-build:index:Image")["agent-app-agent-image"].inputs
    # relative to the folder `pulumi up` runs in, so every checkout sends the same inputs
    assert image["context"]["location"] == os.path.relpath(AGENT / "agent")
    assert image["dockerfile"]["location"] == os.path.relpath(AGENT / "agent" / "Dockerfile")
    assert (image["target"], image["buildArgs"], image["push"]) == ("runtime", {"PYTHON_VERSION": "3.12"}, True)
    assert image["registries"] == "[secret]"  # the ECR password makes the whole input secret
    app = containers(agent, "agent-app-agent-task")["agent"]
    assert app["image"].startswith(
        "123456789012.dkr.ecr.us-east-1.amazonaws.com/compose-cloud/agent-app-agent-preview@sha256:"
    )


def test_secret_file_is_written_by_an_init_container_from_secrets_manager(agent):
    defs = containers(agent, "agent-app-agent-task")
    init, app = defs["compose-files"], defs["agent"]
    assert init["essential"] is False
    assert init["secrets"] == [
        {"name": "COMPOSE_FILE_0", "valueFrom": arn_of(agent, "agent-app-store-secret-github_token", SECRET)}
    ]
    assert "> /run/secrets/github_token" in init["command"][2]
    assert app["dependsOn"] == [{"containerName": "compose-files", "condition": "SUCCESS"}]
    assert {"sourceVolume": "files-0", "containerPath": "/run/secrets", "readOnly": True} in app["mountPoints"]
    version = by_type(agent, "aws:secretsmanager/secretVersion:SecretVersion")
    assert version["agent-app-store-secret-github_token"].inputs["secretString"] == "[secret]"


def test_credential_like_variables_come_from_secrets_manager(agent):
    app = containers(agent, "agent-app-agent-task")["agent"]
    assert "SEARCH_API_KEY" not in {e["name"] for e in app["environment"]}
    assert app["secrets"] == [
        {"name": "SEARCH_API_KEY", "valueFrom": arn_of(agent, "agent-app-agent-env", SECRET) + ":SEARCH_API_KEY::"}
    ]


def test_execution_role_reads_exactly_its_own_secrets_and_there_is_no_task_role(agent):
    policies = by_type(agent, "aws:iam/rolePolicy:RolePolicy")
    assert {n for n in policies if n.startswith(("agent-app-agent-", "agent-app-ui-", "agent-app-vectors-"))} == {
        "agent-app-agent-execution",
        "agent-app-ui-execution",
        "agent-app-vectors-execution",
    }  # no task policies
    document = json.loads(policies["agent-app-agent-execution"].inputs["policy"])
    reads = [s for s in document["Statement"] if s["Action"] == "secretsmanager:GetSecretValue"]
    assert reads == [
        {
            "Effect": "Allow",
            "Action": "secretsmanager:GetSecretValue",
            "Resource": [
                arn_of(agent, "agent-app-agent-env", SECRET),
                arn_of(agent, "agent-app-store-secret-github_token", SECRET),
            ],
        }
    ]
    ui = json.loads(policies["agent-app-ui-execution"].inputs["policy"])
    assert [s["Action"] for s in ui["Statement"]] == [["logs:CreateLogStream", "logs:PutLogEvents"]]
    attachments = by_type(agent, "aws:iam/rolePolicyAttachment:RolePolicyAttachment")
    assert attachments == {}
    tasks = by_type(agent, "aws:ecs/taskDefinition:TaskDefinition")
    assert "taskRoleArn" not in tasks["agent-app-agent-task"].inputs  # no AWS credentials in the task at all
    assert tasks["agent-app-model-gateway-proxy-task"].inputs["taskRoleArn"]  # the gateway invokes its models
    roles = by_type(agent, "aws:iam/role:Role")
    assert "agent-app-agent-task" not in roles and "agent-app-model-gateway-proxy-task" in roles


def test_named_volume_is_efs_mounted_only_by_its_users(agent):
    volumes = by_type(agent, "aws:ecs/taskDefinition:TaskDefinition")["agent-app-vectors-task"].inputs["volumes"]
    assert volumes == [
        {
            "name": "efs-vector-data",
            "efsVolumeConfiguration": {
                "fileSystemId": ident(agent, "agent-app-volume-vector-data-fs"),
                "transitEncryption": "ENABLED",
                "authorizationConfig": {
                    "accessPointId": ident(agent, "agent-app-volume-vector-data-ap"),
                    "iam": "DISABLED",
                },
            },
        }
    ]
    nfs = by_type(agent, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")[
        "agent-app-volume-vector-data-nfs-vectors"
    ].inputs
    assert (nfs["fromPort"], nfs["referencedSecurityGroupId"]) == (2049.0, ident(agent, "agent-app-vectors-sg"))
    assert len([n for n in by_type(agent, "aws:efs/mountTarget:MountTarget") if "vector-data" in n]) == 2
    assert containers(agent, "agent-app-vectors-task")["vectors"]["healthCheck"]["retries"] == 5


def test_awaited_healthy_dependency_is_waited_for(agent):
    services = by_type(agent, "aws:ecs/service:Service")
    assert services["agent-app-vectors-service"].inputs["waitForSteadyState"] is True
    assert services["agent-app-ui-service"].inputs["waitForSteadyState"] is False


def test_logs_go_to_a_log_group_per_service_with_retention(agent):
    groups = by_type(agent, "aws:cloudwatch/logGroup:LogGroup")
    assert groups["agent-app-ui-logs"].inputs == {
        "name": "/compose-cloud/agent-app/preview/ui",
        "retentionInDays": 30.0,
    }
    logs = containers(agent, "agent-app-ui-task")["ui"]["logConfiguration"]
    assert logs == {
        "logDriver": "awslogs",
        "options": {
            "awslogs-group": "/compose-cloud/agent-app/preview/ui",
            "awslogs-region": "us-east-1",
            "awslogs-stream-prefix": "ui",
        },
    }


# -- other mappings, on small projects ---------------------------------------------------------------


def test_runtime_settings_reach_the_container(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": """\
        services:
          app:
            image: a
            user: "1000"
            working_dir: /srv
            init: true
            read_only: true
            stop_grace_period: 20s
            platform: linux/arm64
            ulimits: {nofile: 4096}
            cap_drop: [NET_RAW]
            entrypoint: /bin/run --fast
            tmpfs: /tmp
            deploy: {resources: {limits: {cpus: "2", memory: 4g}}}
        """
        },
    )
    result = preview([tmp_path / "compose.yaml"], log_retention_days=7)
    task = by_type(result, "aws:ecs/taskDefinition:TaskDefinition")["app-app-task"].inputs
    assert (task["cpu"], task["memory"], task["runtimePlatform"]["cpuArchitecture"]) == ("2048", "4096", "ARM64")
    app = containers(result, "app-app-task")["app"]
    assert (app["user"], app["workingDirectory"], app["readonlyRootFilesystem"], app["stopTimeout"]) == (
        "1000",
        "/srv",
        True,
        20,
    )
    assert app["linuxParameters"] == {"initProcessEnabled": True, "capabilities": {"drop": ["NET_RAW"]}}
    assert app["ulimits"] == [{"name": "nofile", "softLimit": 4096, "hardLimit": 4096}]
    assert app["entryPoint"] == ["/bin/run", "--fast"]
    assert app["mountPoints"] == [{"sourceVolume": "tmpfs-0", "containerPath": "/tmp", "readOnly": False}]
    assert by_type(result, "aws:cloudwatch/logGroup:LogGroup")["app-app-logs"].inputs["retentionInDays"] == 7.0
    assert "aws:lb/loadBalancer:LoadBalancer" not in {r.type for r in result.resources}


def test_services_on_different_networks_share_no_group(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": """\
        services:
          web: {image: a, networks: [front]}
          api: {image: a, networks: [front, back]}
          db: {image: a, networks: [back]}
        networks: {front: {}, back: {}}
        """
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    groups = {
        name.removesuffix("-service"): s.inputs["networkConfiguration"]["securityGroups"]
        for name, s in by_type(result, "aws:ecs/service:Service").items()
    }
    front, back = (ident(result, f"app-cluster-net-{n}", SG) for n in ("front", "back"))
    assert groups == {"app-web": [front], "app-api": [back, front], "app-db": [back]}  # no rule: no own group


def test_https_listener_with_a_certificate_and_a_redirect(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  web: {image: a, ports: ['80:8080']}\n"})
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/abc"
    result = preview([tmp_path / "compose.yaml"], certificate_arn=cert)
    listeners = by_type(result, "aws:lb/listener:Listener")
    https = listeners["app-ingress-alb-443"].inputs
    assert (https["protocol"], https["certificateArn"]) == ("HTTPS", cert)
    redirect = listeners["app-ingress-alb-80"].inputs["defaultActions"][0]
    assert redirect["redirect"] == {"port": "443", "protocol": "HTTPS", "statusCode": "HTTP_301"}
    (url,) = result.outputs["urls"]["web"]
    assert url.startswith("https://app-ingress-alb-") and url.endswith(".elb.amazonaws.com/")  # 443: no port


def test_tcp_port_gets_a_network_load_balancer(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  db: {image: postgres, ports: ['5432:5432']}\n"})
    result = preview([tmp_path / "compose.yaml"])
    balancer = by_type(result, "aws:lb/loadBalancer:LoadBalancer")["app-ingress-nlb"].inputs
    assert balancer["loadBalancerType"] == "network"
    assert by_type(result, "aws:lb/listener:Listener")["app-ingress-nlb-5432"].inputs["protocol"] == "TCP"


def test_existing_vpc_creates_no_network(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  app: {image: a}\n"})
    result = preview(
        [tmp_path / "compose.yaml"],
        vpc_id="vpc-1",
        public_subnet_ids=("subnet-a", "subnet-b"),
        private_subnet_ids=("subnet-c", "subnet-d"),
    )
    assert not [
        r
        for r in result.resources
        if r.type.startswith("aws:ec2/") and r.type != ("aws:ec2/securityGroup:SecurityGroup")
    ]
    service = by_type(result, "aws:ecs/service:Service")["app-app-service"].inputs
    assert service["networkConfiguration"]["subnets"] == ["subnet-c", "subnet-d"]


def test_configs_become_ssm_parameters_written_at_their_target(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": """\
        services:
          app: {image: a, configs: [{source: conf, target: /etc/app/app.conf, uid: "1000", mode: 0400}]}
        configs:
          conf: {content: "port=1"}
        """
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    parameter = by_type(result, "aws:ssm/parameter:Parameter")["app-store-config-conf"].inputs
    assert (parameter["type"], parameter["value"]) == ("SecureString", "[secret]")
    init = containers(result, "app-app-task")["compose-files"]
    assert (
        "chmod 400 /etc/app/app.conf" in init["command"][2] and "chown 1000:0 /etc/app/app.conf" in init["command"][2]
    )
    policy = json.loads(by_type(result, "aws:iam/rolePolicy:RolePolicy")["app-app-execution"].inputs["policy"])
    assert {
        "Effect": "Allow",
        "Action": "ssm:GetParameters",
        "Resource": [arn_of(result, "app-store-config-conf", "aws:ssm/parameter:Parameter")],
    } in policy["Statement"]


def test_external_secret_is_looked_up_not_created(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  app: {image: a, secrets: [api]}\n"
            "secrets:\n  api: {external: true, name: prod/api}\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    assert by_type(result, "aws:secretsmanager/secret:Secret") == {}
    init = containers(result, "app-app-task")["compose-files"]
    assert init["secrets"][0]["valueFrom"] == "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/api"


# -- secrets never leak; output is deterministic ----------------------------------------------------------


@pytest.mark.parametrize("fmt", sorted(RENDERERS))
def test_secret_values_never_appear_in_any_format(agent, fmt):
    output = RENDERERS[fmt](agent)
    for secret in (
        (AGENT / "secrets" / "github_token.txt").read_text().strip(),
        "example-not-a-real-key",
        "mock-ecr-password",
    ):
        assert secret not in output
    if fmt != "mermaid":  # the diagram shows no environment at all
        # SEARCH_API_KEY comes from .env: shown by its source, never by value
        assert "SEARCH_API_KEY=${SEARCH_API_KEY}" in output or '"SEARCH_API_KEY"' in output


def test_same_input_same_bytes(agent):
    again = preview(AGENT_FILES)
    for render in RENDERERS.values():
        assert render(again) == render(agent)


USER_DATA = {"tags", "tagsAll", "buildArgs", "dockerLabels", "defaultTags"}


def snake_keys(value, path="") -> list[str]:
    """Keys still in snake_case were not recognised by the provider SDK: a misspelt argument."""
    found = []
    if isinstance(value, dict):
        for key, item in value.items():
            if "_" in key and key.lower() == key:
                found.append(f"{path}.{key}")
            if key not in USER_DATA:
                found += snake_keys(item, f"{path}.{key}")
    elif isinstance(value, list):
        for i, item in enumerate(value):
            found += snake_keys(item, f"{path}[{i}]")
    return found


def test_every_nested_argument_is_known_to_the_provider(agent, tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  web: {image: a, ports: ['80:8080', '5432:5432']}\n"})
    other = preview([tmp_path / "compose.yaml"], certificate_arn="arn:aws:acm:us-east-1:123456789012:certificate/a")
    for result in (agent, other):
        for r in result.resources:
            assert snake_keys(r.inputs) == [], r.name


def test_pulumi_entry_point_runs_the_same_program(monkeypatch, tmp_path):
    """`pulumi up` runs __main__.py: under mocks it creates the same resources, and bad input exits 1."""
    import pulumi
    from pulumi.runtime import mocks

    from compose_cloud.preview.engine import _Mocks, _Monitor
    from tests.support.pulumi_entry import run_as_language_host

    def run(config: dict) -> _Mocks:
        recorder = _Mocks("us-east-1")
        mocks.set_mocks(recorder, project="compose-cloud", stack="dev", preview=True, monitor=_Monitor(recorder))
        pulumi.runtime.set_all_config(config)
        run_as_language_host(ROOT / "__main__.py")
        return recorder

    recorder = run({"aws:region": "us-east-1", "compose-cloud:files": json.dumps(list(AGENT_FILES))})
    ours = {(r.type, r.name) for r in preview(AGENT_FILES).resources}
    assert {(r.type, r.name) for r in recorder.records.values()} == ours
    write(tmp_path, {"compose.yaml": "services:\n  app: {image: a, models: [nope]}\n"})
    with pytest.raises(SystemExit) as exit_:
        run({"aws:region": "us-east-1", "compose-cloud:files": json.dumps([str(tmp_path / "compose.yaml")])})
    assert exit_.value.code == 1


# AWS name limits (Pulumi appends 8 characters to auto-named resources).
NAME_LIMITS = {
    "aws:lb/loadBalancer:LoadBalancer": 32,
    "aws:lb/targetGroup:TargetGroup": 32,
    "aws:iam/role:Role": 64,
    "aws:sagemaker/model:Model": 63,
    "aws:sagemaker/endpointConfiguration:EndpointConfiguration": 63,
    "aws:sagemaker/endpoint:Endpoint": 63,
}


def test_physical_names_fit_aws_limits_even_for_long_names(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": """\
        name: a-rather-long-project-name-for-a-small-app
        services:
          frontend-with-a-long-name: {image: a, ports: ['8080:80'], models: [the-chat-model]}
        models:
          the-chat-model: {model: ai/smollm2}
        """
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    checked = 0
    for r in result.resources:
        limit = NAME_LIMITS.get(r.type)
        if limit:
            checked += 1
            name = r.inputs.get("name")
            length = len(name) if name else len(r.name) + 8
            assert length <= limit, (r.type, r.name, name)
    assert checked >= 8


def test_udp_port_is_admitted_over_udp(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  dns: {image: a, ports: ['53:53/udp', '53:53']}\n"})
    result = preview([tmp_path / "compose.yaml"])
    rules = by_type(result, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    assert rules["app-dns-lb-udp-53"].inputs["ipProtocol"] == "udp"
    assert rules["app-dns-lb-53"].inputs["ipProtocol"] == "tcp"
    listeners = by_type(result, "aws:lb/listener:Listener")
    assert {n: x.inputs["protocol"] for n, x in listeners.items()} == {"app-ingress-nlb-53": "TCP_UDP"}
    group = by_type(result, "aws:lb/targetGroup:TargetGroup")["app-ingress-nlb-dns-53"].inputs
    assert group["protocol"] == "TCP_UDP"


PULL_SECRET = "arn:aws:secretsmanager:us-east-1:123456789012:secret:dockerhub-AbCdEf"


def test_private_registry_credentials(tmp_path):
    """x-aws-pull_credentials (Docker's ECS integration spelling) -> repositoryCredentials, readable by the
    service's execution role only."""
    write(
        tmp_path,
        {
            "compose.yaml": f"services:\n  app:\n    image: registry.example.com/team/app:1\n"
            f"    x-aws-pull_credentials: {PULL_SECRET}\n  other: {{image: nginx}}\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    assert containers(result, "app-app-task")["app"]["repositoryCredentials"] == {"credentialsParameter": PULL_SECRET}
    assert "repositoryCredentials" not in containers(result, "app-other-task")["other"]
    policies = by_type(result, "aws:iam/rolePolicy:RolePolicy")
    reads = [
        s
        for s in json.loads(policies["app-app-execution"].inputs["policy"])["Statement"]
        if s["Action"] == "secretsmanager:GetSecretValue"
    ]
    assert reads == [{"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [PULL_SECRET]}]
    assert PULL_SECRET not in policies["app-other-execution"].inputs["policy"]


def test_pull_credentials_must_be_a_secret_arn(tmp_path):
    write(tmp_path, {"compose.yaml": "services:\n  app:\n    image: a\n    x-aws-pull_credentials: dockerhub\n"})
    with pytest.raises(ComposeError) as err:
        preview([tmp_path / "compose.yaml"])
    assert err.value.first.path == "services.app.x-aws-pull_credentials" and err.value.first.loc.line == 4


HF_COMPOSE = """\
services:
  app: {image: nginx, models: [chat, embed]}
models:
  chat:
    model: hf.co/meta-llama/Llama-3.2-1B-Instruct-GGUF:Q4_K_M
  embed:
    model: hf.co/org/embed-gguf
    labels: [cloud.backend=ecs, cloud.instance-type=gpu-small]
"""


@pytest.mark.parametrize("reference", ["hf/token", "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf-AbCdEf"])
def test_hugging_face_token_reaches_ecs_model_servers_as_a_secret(tmp_path, reference):
    write(tmp_path, {"compose.yaml": HF_COMPOSE})
    result = preview([tmp_path / "compose.yaml"], hf_token_secret=reference)
    server = containers(result, "app-model-embed-server-task")["model-embed"]
    arn = (
        reference if reference.startswith("arn:") else "arn:aws:secretsmanager:us-east-1:123456789012:secret:hf/token"
    )  # what the lookup by name answers
    assert {"name": "HF_TOKEN", "valueFrom": arn} in server["secrets"]
    assert all(e["name"] != "HF_TOKEN" for e in server["environment"])  # never plain text
    policy = json.loads(
        by_type(result, "aws:iam/rolePolicy:RolePolicy")["app-model-embed-server-execution"].inputs["policy"]
    )
    assert {"Effect": "Allow", "Action": "secretsmanager:GetSecretValue", "Resource": [arn]} in policy["Statement"]
    for other in ("app-app-execution", "app-model-gateway-proxy-execution"):
        assert arn not in by_type(result, "aws:iam/rolePolicy:RolePolicy")[other].inputs["policy"]
    sagemaker = by_type(result, "aws:sagemaker/model:Model")
    assert sagemaker and "HF_TOKEN" not in json.dumps([m.inputs for m in sagemaker.values()])
    assert [w.message.split(",")[0] for w in result.plan.warnings if w.path.endswith(".model")] == [
        "hf.co/meta-llama/Llama-3.2-1B-Instruct-GGUF:Q4_K_M runs on SageMaker"
    ]


def test_hugging_face_models_without_a_token_are_warned_about(tmp_path):
    write(tmp_path, {"compose.yaml": HF_COMPOSE})
    result = preview([tmp_path / "compose.yaml"])
    warnings = {w.path: w for w in result.plan.warnings if w.path.endswith(".model")}
    assert "no Hugging Face token is configured" in warnings["models.embed.model"].message
    assert "cloud.backend=ecs" in warnings["models.chat.model"].hint
    assert "HF_TOKEN" not in json.dumps(containers(result, "app-model-embed-server-task"))


def test_hugging_face_token_setting_is_checked(tmp_path):
    from compose_translate.settings import StackSettings as Settings

    with pytest.raises(ComposeError) as err:
        Settings.from_cli_config({"compose-cloud:hfTokenSecret": "not a name!"}, file="Pulumi.dev.yaml")
    assert err.value.first.path == "config.compose-cloud:hfTokenSecret"


MCP = """\
services:
  gateway:
    image: docker/mcp-gateway
    command: ["--config=/mcp_config"]
    configs:
      - mcp_config
      - source: tools
        target: /tools.yaml
        mode: 0440
        uid: "1000"
configs:
  mcp_config:
    content: |
      servers: [duckduckgo]
  tools:
    content: "a: 1"
"""


def test_configs_at_the_root_are_baked_into_a_derived_image(tmp_path):
    """`configs: [mcp_config]` targets /mcp_config (Compose's rule); no volume holds a file at the root,
    so an image derived from the service's carries it, and the task runs that image."""
    write(tmp_path, {"compose.yaml": MCP})
    result = preview([tmp_path / "compose.yaml"])
    [image] = by_type(result, "docker-build:index:Image").values()
    assert image.inputs["dockerfile"] == "[secret]"  # the content never in plain text
    assert image.inputs["buildOnPreview"] is False and image.inputs["push"] is True
    plan = result.plan.services["gateway"]
    assert [f.target for f in plan.baked_files] == ["/mcp_config", "/tools.yaml"] and plan.files == ()
    app = containers(result, "app-gateway-task")["gateway"]
    assert app["image"] == image.inputs.get("ref", app["image"]) and "docker/mcp-gateway" not in app["image"]
    from compose_cloud.program.aws.container import baked_dockerfile

    text = baked_dockerfile(
        "docker/mcp-gateway", [(plan.baked_files[0], "servers: [duckduckgo]\n"), (plan.baked_files[1], "a: 1")]
    )
    lines = text.splitlines()
    assert lines[:2] == ["# syntax=docker/dockerfile:1.7", "FROM docker/mcp-gateway"]
    assert lines[2].startswith('COPY --chmod=0444 <<"COMPOSE_CLOUD_') and lines[2].endswith('" /mcp_config')
    assert lines[3] == "servers: [duckduckgo]" and lines[4].startswith("COMPOSE_CLOUD_")
    assert lines[5].startswith("COPY --chown=1000:0 --chmod=0440 <<") and lines[6] == "a: 1"


def test_a_secret_at_the_root_is_refused(tmp_path):
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  a:\n    image: x\n    secrets:\n      - source: s\n        target: /s\n"
            "secrets:\n  s:\n    environment: S\n"
        },
    )
    with pytest.raises(ComposeError) as err:
        preview([tmp_path / "compose.yaml"])
    assert "not baked into an image" in err.value.first.message


def test_the_stack_trace_seam_is_only_inside_the_offline_preview():
    """Issue 25: the SDK's per-resource stack capture is skipped by the mock preview only, and restored."""
    from pulumi.runtime import resource as sdk

    from compose_cloud.sdk_seams import without_stack_traces

    original = sdk._get_stack_trace
    with without_stack_traces():
        assert sdk._get_stack_trace is not original
        assert len(sdk._get_stack_trace().frames) == 0
    assert sdk._get_stack_trace is original


def test_services_with_the_same_own_rules_share_one_group_and_gain_no_reach(tmp_path):
    """Two services the load balancer reaches on the same container port share the first one's group; a third
    on another port keeps its own. The shared group admits the load balancer on that port only, and nothing
    admits from it: neither member reaches the other through it (issue 25: fewer resources, same reach)."""
    write(
        tmp_path,
        {
            "compose.yaml": "services:\n  a: {image: x, ports: ['8001:80']}\n  b: {image: x, ports: ['8002:80']}\n"
            "  c: {image: x, ports: ['8003:3000']}\n"
        },
    )
    result = preview([tmp_path / "compose.yaml"])
    groups = {
        n: r.inputs["networkConfiguration"]["securityGroups"]
        for n, r in by_type(result, "aws:ecs/service:Service").items()
    }
    shared, own = ident(result, "app-a-sg", SG), ident(result, "app-c-sg", SG)
    assert groups["app-a-service"][0] == groups["app-b-service"][0] == shared
    assert groups["app-c-service"][0] == own and "app-b-sg" not in by_type(result, SG)
    rules = by_type(result, "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule")
    into = {n: (r.inputs.get("fromPort"), r.inputs.get("referencedSecurityGroupId")) for n, r in rules.items()}
    alb = ident(result, "app-ingress-alb-sg", SG)
    assert {n: v for n, v in into.items() if rules[n].inputs["securityGroupId"] == shared} == {
        "app-a-lb-80": (80.0, alb)
    }
    assert [n for n, r in rules.items() if r.inputs.get("referencedSecurityGroupId") in (shared, own)] == []
