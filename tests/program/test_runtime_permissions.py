"""Every AWS call our containers and hosts make at run time is allowed by the roles we create.

The calls are read off each example's preview (task definitions, endpoints, inference components,
GPU capacity); the resource types each action needs come from AWS's Service Authorization Reference
as cfn-lint ships it (`cfnlint/data/AdditionalSpecs/Policies.json`), not from memory; the policies are
the ones the program attaches (inline documents, and the managed policy by its documented statements),
evaluated as IAM does: an explicit Deny wins, else an Allow whose Action and Resource patterns match.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import cfnlint
import pytest
from support.common import ROOT
from support.previews import preview

EXAMPLES = sorted(p for p in (ROOT / "examples").glob("*/compose.yaml"))
OVERRIDES = {"agent-app": ["compose.override.yaml"]}

# AWS documentation, "Amazon ECS managed policies": AmazonEC2ContainerServiceforEC2Role's statements
MANAGED = {
    "arn:aws:iam::aws:policy/service-role/AmazonEC2ContainerServiceforEC2Role": [
        {
            "Effect": "Allow",
            "Action": [
                "ec2:DescribeTags",
                "ecs:CreateCluster",
                "ecs:DeregisterContainerInstance",
                "ecs:DiscoverPollEndpoint",
                "ecs:Poll",
                "ecs:RegisterContainerInstance",
                "ecs:StartTelemetrySession",
                "ecs:UpdateContainerInstancesState",
                "ecs:Submit*",
                "ecr:GetAuthorizationToken",
                "ecr:BatchCheckLayerAvailability",
                "ecr:GetDownloadUrlForLayer",
                "ecr:BatchGetImage",
                "logs:CreateLogStream",
                "logs:PutLogEvents",
            ],
            "Resource": "*",
        }
    ]
}


@cache
def reference() -> dict:
    return json.loads((Path(cfnlint.__file__).parent / "data" / "AdditionalSpecs" / "Policies.json").read_text())


def resource_types(action: str) -> list[str]:
    service, _, name = action.partition(":")
    entry = reference()[service]["Actions"][name.lower()]
    return list(entry.get("Resources", []))


def arn_types(service: str, arn: str) -> set[str]:
    """Which of the service's resource types an ARN can be, by the reference's ARN formats (CloudWatch
    Logs writes the same format for log groups and log streams, so an ARN may be of several)."""
    types = set()
    for name, spec in reference()[service]["Resources"].items():
        for fmt in spec["ARNFormats"]:
            pattern = re.escape(fmt).replace(re.escape(".*"), ".*")
            pattern = re.sub(r"\\\$\\\{[A-Za-z]+\\\}", "[^:]*", pattern)
            if re.fullmatch(pattern, arn):
                types.add(name.lower())
    assert types, f"{arn} is none of {service}'s resource types"
    return types


@dataclass(frozen=True)
class Call:
    who: str  # the role's logical name
    action: str
    resources: tuple[str, ...]  # every ARN the request names ("*" for actions without a resource type)
    why: str


def _matches(pattern: str, value: str, case: bool) -> bool:
    regex = re.escape(pattern).replace(r"\*", ".*").replace(r"\?", ".")
    return re.fullmatch(regex, value, 0 if case else re.IGNORECASE) is not None


def _listed(value) -> list[str]:
    return [value] if isinstance(value, str) else list(value)


def allowed(statements: list[dict], action: str, arn: str) -> bool:
    def applies(statement: dict) -> bool:
        return (
            "Condition" not in statement  # our calls carry no condition context: a conditional grant never counts
            and any(_matches(p, action, case=False) for p in _listed(statement["Action"]))
            and any(_matches(p, arn, case=True) for p in _listed(statement["Resource"]))
        )

    if any(s["Effect"] == "Deny" and applies(s) for s in statements):
        return False
    return any(s["Effect"] == "Allow" and applies(s) for s in statements)


def policies(result) -> dict[str, list[dict]]:
    """Role id -> every statement attached to it (inline policies, managed ones by their documents)."""
    out: dict[str, list[dict]] = {}
    for record in result.resources:
        if record.type == "aws:iam/rolePolicy:RolePolicy":
            out.setdefault(record.inputs["role"], []).extend(json.loads(record.inputs["policy"])["Statement"])
        if record.type == "aws:iam/rolePolicyAttachment:RolePolicyAttachment":
            out.setdefault(record.inputs["role"], []).extend(MANAGED[record.inputs["policyArn"]])
    return out


def _role_id(result, arn: str) -> str:
    [record] = [r for r in result.resources if r.type == "aws:iam/role:Role" and r.arn == arn]
    return record.id


def _secret_arn(value_from: str) -> str:
    """ECS accepts `arn:...:secret:name-abc123:json-key:version-stage:version-id`; IAM sees the secret."""
    return ":".join(value_from.split(":")[:7])


def calls(result) -> list[Call]:
    """What runs in the stack asks AWS for, read off the preview."""
    found: list[Call] = []
    by_type: dict[str, list] = {}
    for record in result.resources:
        by_type.setdefault(record.type, []).append(record)
    region = result.plan.region
    account = "123456789012"
    # the ECS agent for each task: its secrets, parameters, registry credentials, logs and image
    for task in by_type.get("aws:ecs/taskDefinition:TaskDefinition", []):
        role = _role_id(result, task.inputs["executionRoleArn"])
        for container in json.loads(task.inputs["containerDefinitions"]):
            where = f"{task.name}/{container['name']}"
            for secret in container.get("secrets", []):
                source = secret["valueFrom"]
                if ":secretsmanager:" in source:
                    found.append(Call(role, "secretsmanager:GetSecretValue", (_secret_arn(source),), where))
                else:
                    found.append(Call(role, "ssm:GetParameters", (source,), where))
            credentials = (container.get("repositoryCredentials") or {}).get("credentialsParameter")
            if credentials:
                found.append(Call(role, "secretsmanager:GetSecretValue", (_secret_arn(credentials),), where))
            options = (container.get("logConfiguration") or {}).get("options", {})
            if options.get("awslogs-group"):
                group = f"arn:aws:logs:{options['awslogs-region']}:{account}:log-group:{options['awslogs-group']}"
                stream = f"{group}:log-stream:{options.get('awslogs-stream-prefix', 'x')}/{container['name']}/task"
                found += [Call(role, a, (stream,), where) for a in ("logs:CreateLogStream", "logs:PutLogEvents")]
            image = container["image"]
            private = re.fullmatch(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+).*", image)
            if private:
                repo = f"arn:aws:ecr:{private.group(2)}:{private.group(1)}:repository/{private.group(3)}"
                found.append(Call(role, "ecr:GetAuthorizationToken", ("*",), where))
                found += [
                    Call(role, a, (repo,), where)
                    for a in ("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")
                ]
    # the gateway invokes each endpoint, naming the inference component when the model is one
    gateway = result.plan.gateway
    if gateway:
        [task] = [t for t in by_type["aws:ecs/taskDefinition:TaskDefinition"] if t.id.endswith(f"-{gateway.name}")]
        role = _role_id(result, task.inputs["taskRoleArn"])
        components = {
            c.inputs["endpointName"]: c.arn for c in by_type.get("aws-native:sagemaker:InferenceComponent", [])
        }
        for endpoint in by_type.get("aws:sagemaker/endpoint:Endpoint", []):
            named = (endpoint.arn, components[endpoint.id]) if endpoint.id in components else (endpoint.arn,)
            for action in ("sagemaker:InvokeEndpoint", "sagemaker:InvokeEndpointWithResponseStream"):
                found.append(Call(role, action, named, f"gateway -> {endpoint.id}"))
        # Converse / ConverseStream on each Bedrock model: through a cross-Region profile, IAM authorizes the
        # profile in the source Region and the foundation model in whichever destination serves the request
        for key, model in sorted(result.plan.models.items()):
            if not model.bedrock:
                continue
            serving = model.bedrock
            foundation = serving.model_id.split(".", 1)[1] if serving.profile else serving.model_id
            hops = [f"arn:aws:bedrock:{r}::foundation-model/{foundation}" for r in serving.destinations]
            if serving.profile:
                hops.insert(0, f"arn:aws:bedrock:{serving.region}:{account}:inference-profile/{serving.model_id}")
            for action in ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"):
                found += [Call(role, action, (arn,), f"gateway -> {key} ({serving.model_id})") for arn in hops]
    # each SageMaker endpoint's role: its image and its logs
    for model in by_type.get("aws:sagemaker/model:Model", []):
        role = _role_id(result, model.inputs["executionRoleArn"])
        image = model.inputs["primaryContainer"]["image"]
        registry = re.fullmatch(r"(\d{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com/([^:@]+).*", image)
        assert registry, image
        repo = f"arn:aws:ecr:{registry.group(2)}:{registry.group(1)}:repository/{registry.group(3)}"
        found.append(Call(role, "ecr:GetAuthorizationToken", ("*",), model.name))
        found += [Call(role, a, (repo,), model.name) for a in ("ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage")]
        endpoint = next(
            e.id
            for e in by_type["aws:sagemaker/endpoint:Endpoint"]
            if e.name.removesuffix("-endpoint") == model.name.removesuffix("-model")
        )
        group = f"arn:aws:logs:{registry.group(2)}:{account}:log-group:/aws/sagemaker/Endpoints/{endpoint}"
        found += [Call(role, "logs:CreateLogGroup", (group,), model.name)]
        found += [
            Call(role, a, (f"{group}:log-stream:AllTraffic/i-0",), model.name)
            for a in ("logs:CreateLogStream", "logs:PutLogEvents")
        ]
    # the ECS agent on each GPU instance: registers with the cluster, polls, reports state
    clusters = by_type.get("aws:ecs/cluster:Cluster", [])
    for profile in by_type.get("aws:iam/instanceProfile:InstanceProfile", []):
        role = profile.inputs["role"]
        for cluster in clusters:
            name = cluster.arn.rsplit("/", 1)[1]
            instance = f"arn:aws:ecs:{region}:{account}:container-instance/{name}/0123456789abcdef"
            found += [
                Call(role, "ecs:RegisterContainerInstance", (cluster.arn,), profile.name),
                Call(role, "ecs:DiscoverPollEndpoint", ("*",), profile.name),
                Call(role, "ecs:Poll", (instance,), profile.name),
                Call(role, "ecs:StartTelemetrySession", (instance,), profile.name),
                Call(role, "ecs:SubmitTaskStateChange", (cluster.arn,), profile.name),
                Call(role, "ecs:SubmitContainerStateChange", (cluster.arn,), profile.name),
                Call(role, "ecs:SubmitAttachmentStateChanges", (cluster.arn,), profile.name),
            ]
    return found


def check(result) -> list[str]:
    attached = policies(result)
    problems = []
    for call in calls(result):
        service = call.action.split(":")[0]
        needed = resource_types(call.action)
        for arn in call.resources:
            if arn != "*":  # the reference must list the type of what the request names
                kinds = arn_types(service, arn)
                assert kinds & {n.lower() for n in needed}, f"{call.action} takes {needed}, not {kinds} ({arn})"
            elif needed:
                raise AssertionError(f"{call.action} needs a resource of type {needed}, the call names none")
            if not allowed(attached.get(call.who, []), call.action, arn):
                problems.append(f"{call.who}: {call.action} on {arn} ({call.why}) is denied")
    return problems


@pytest.fixture(scope="module", params=[p.parent.name for p in EXAMPLES])
def example(request):
    folder = ROOT / "examples" / request.param
    files = [folder / "compose.yaml", *(folder / f for f in OVERRIDES.get(request.param, []))]
    return preview(files)


def test_every_run_time_call_is_allowed(example):
    assert calls(example)  # something runs
    assert check(example) == []


def test_the_reference_says_invoking_a_component_needs_its_own_arn():
    assert resource_types("sagemaker:InvokeEndpoint") == ["endpoint", "inference-component"]
    assert resource_types("sagemaker:InvokeEndpointWithResponseStream") == ["endpoint", "inference-component"]


def test_the_reference_says_bedrock_invocations_name_a_model_or_a_profile():
    for action in ("bedrock:InvokeModel", "bedrock:InvokeModelWithResponseStream"):
        assert {"foundation-model", "inference-profile"} <= set(resource_types(action))


def test_a_gateway_allowed_only_the_profile_cannot_reach_its_destination_models():
    result = preview([ROOT / "examples" / "bedrock" / "compose.yaml"])
    profile_only = [
        {
            "Effect": "Allow",
            "Action": ["bedrock:InvokeModel"],
            "Resource": [a for c in calls(result) for a in c.resources if ":inference-profile/" in a],
        }
    ]
    destination = [
        a
        for c in calls(result)
        for a in c.resources
        if a.endswith("::foundation-model/meta.llama3-3-70b-instruct-v1:0")
    ]
    assert len(set(destination)) == 3  # us-east-1, us-east-2, us-west-2
    assert not any(allowed(profile_only, "bedrock:InvokeModel", arn) for arn in destination)
    assert check(result) == []  # what the program attaches allows each hop


def test_a_gateway_allowed_only_the_endpoint_cannot_invoke_its_component():
    """The failure this test was written for: the endpoint ARN alone denies a scale-to-zero model."""
    result = preview([ROOT / "examples" / "scale-to-zero" / "compose.yaml"])
    endpoint_only = [
        {
            "Effect": "Allow",
            "Action": ["sagemaker:InvokeEndpoint"],
            "Resource": [e.arn for e in result.resources if e.type == "aws:sagemaker/endpoint:Endpoint"],
        }
    ]
    [component] = [r for r in result.resources if r.type == "aws-native:sagemaker:InferenceComponent"]
    assert not allowed(endpoint_only, "sagemaker:InvokeEndpoint", component.arn)
    assert any("inference-component" in c for call in calls(result) for c in call.resources)


def test_the_evaluator_reads_wildcards_and_deny_as_iam_does():
    statements = [
        {"Effect": "Allow", "Action": "ecs:Submit*", "Resource": "*"},
        {"Effect": "Allow", "Action": "logs:PutLogEvents", "Resource": "arn:aws:logs:r:1:log-group:/a:*"},
        {"Effect": "Deny", "Action": "ecs:SubmitTaskStateChange", "Resource": "arn:aws:ecs:r:1:cluster/x"},
    ]
    assert allowed(statements, "ECS:submitcontainerstatechange", "arn:aws:ecs:r:1:cluster/x")
    assert not allowed(statements, "ecs:SubmitTaskStateChange", "arn:aws:ecs:r:1:cluster/x")
    assert allowed(statements, "logs:PutLogEvents", "arn:aws:logs:r:1:log-group:/a:log-stream:s")
    assert not allowed(statements, "logs:PutLogEvents", "arn:aws:logs:r:1:log-group:/ab:log-stream:s")
