"""Services that finish run once (issue 22, item 5): `restart: "no"` and `on-failure[:N]` become an ECS task
run by `pulumi up` (compose_cloud/program/aws/oneshot.py), in dependency order, retried up to N, its
exit code recorded and shown by `status`; the task is started only when its definition changes."""

from __future__ import annotations

import boto3
import pytest
from botocore.exceptions import ParamValidationError
from botocore.stub import Stubber
from support.common import write
from support.previews import by_type, preview

from compose_cloud.account.clients import Aws
from compose_cloud.account.status import _jobs
from compose_cloud.program.aws.oneshot import STARTED_BY, _Provider, run_once, run_task_request
from compose_translate import ComposeError, LoadOptions, make_plan

CREW = """\
name: crew
services:
  importer:
    image: busybox
    command: [sh, -c, "echo loading"]
    restart: on-failure:2
  agent:
    image: python:3.12
    command: [python, -c, "print('crew ran')"]
    restart: "no"
    depends_on:
      importer: {condition: service_completed_successfully}
  web:
    image: nginx
    ports: ["80:80"]
    depends_on:
      agent: {condition: service_completed_successfully}
"""
CLUSTER = "arn:aws:ecs:us-east-1:123456789012:cluster/crew"
TASK = "arn:aws:ecs:us-east-1:123456789012:task/crew/0123456789abcdef0123456789abcdef"
PROPS = {
    "cluster": CLUSTER,
    "task_definition": "arn:aws:ecs:us-east-1:123456789012:task-definition/crew-dev-agent:3",
    "subnets": ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"],
    "security_groups": ["sg-0123456789abcdef0"],
    "public_ip": False,
    "capacity_provider": None,
    "region": "us-east-1",
    "attempts": 3,
    "container": "agent",
}


def _plan(folder, text=CREW):
    write(folder, {"compose.yaml": text})
    return make_plan(LoadOptions(files=(folder / "compose.yaml",), environ={}, default_name="crew"))


def test_restart_no_and_on_failure_make_jobs(tmp_path):
    plan = _plan(tmp_path)
    assert plan.services["agent"].job.attempts == 1
    assert plan.services["importer"].job.attempts == 3  # on-failure:2: the run and two retries
    assert plan.services["web"].job is None
    assert not [w for w in plan.warnings if "restart" in w.path or "complete" in w.message]


def test_on_failure_without_a_count_is_bounded_with_a_warning(tmp_path):
    plan = _plan(tmp_path, CREW.replace("on-failure:2", "on-failure"))
    assert plan.services["importer"].job.attempts == 4
    [warning] = [w for w in plan.warnings if w.path == "services.importer.restart"]
    assert "retries without end in Docker" in warning.message and warning.loc.line == 6


def test_a_job_that_publishes_ports_is_refused(tmp_path):
    with pytest.raises(ComposeError) as err:
        _plan(tmp_path, CREW.replace('    restart: "no"', '    restart: "no"\n    ports: ["8080:8080"]'))
    assert err.value.first.path == "services.agent.restart" and "publishes ports" in err.value.first.message


def test_waiting_for_a_continuous_service_to_complete_is_still_warned_about(tmp_path):
    plan = _plan(tmp_path, CREW.replace('    restart: "no"\n', ""))
    [warning] = [w for w in plan.warnings if w.path == "services.web.depends_on.agent"]
    assert "runs continuously" in warning.message and 'restart: "no"' in warning.hint


def test_jobs_run_once_in_order_and_are_no_ecs_service(tmp_path):
    write(tmp_path, {"compose.yaml": CREW})
    result = preview([tmp_path / "compose.yaml"], project_name="crew")
    services = by_type(result, "aws:ecs/service:Service")
    assert set(services) == {"crew-web-service"}  # the jobs are not restarted without end
    runs = by_type(result, "pulumi-python:dynamic:Resource")
    assert set(runs) == {"crew-agent-run", "crew-importer-run"}
    assert runs["crew-importer-run"].inputs["attempts"] == 3 and runs["crew-agent-run"].inputs["attempts"] == 1
    deps = {name: {d.split("::")[-1] for d in r.dependencies} for name, r in runs.items()}
    assert "crew-importer-run" in deps["crew-agent-run"]  # service_completed_successfully
    assert "crew-agent-run" in {d.split("::")[-1] for d in services["crew-web-service"].dependencies}
    assert runs["crew-agent-run"].inputs["task_definition"].endswith("task-definition/crew-preview-agent:1")
    assert runs["crew-agent-run"].inputs["__provider"] == "[secret]"  # the serialized provider is never shown


def test_the_run_task_request_is_valid_for_fargate_and_gpu_capacity():
    """Checked by botocore against AWS's model (the stubbed client validates every request)."""
    ecs = boto3.client("ecs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")
    for props in (PROPS, {**PROPS, "capacity_provider": "crew-gpu-g5", "public_ip": True}):
        with Stubber(ecs) as stub:
            stub.add_response("run_task", {"tasks": [], "failures": []}, run_task_request(props))
            ecs.run_task(**run_task_request(props))
    assert run_task_request(PROPS)["startedBy"] == STARTED_BY and len(STARTED_BY) <= 36
    with pytest.raises(ParamValidationError):
        ecs.run_task(**{**run_task_request(PROPS), "count": "one"})


def _stopped(code: int | None) -> dict:
    return {
        "tasks": [
            {
                "taskArn": TASK,
                "lastStatus": "STOPPED",
                "stoppedReason": "Essential container in task exited",
                "containers": [{"name": "compose-files", "exitCode": 0}, {"name": "agent", "exitCode": code}],
            }
        ]
    }


def _attempt(stub: Stubber, code: int | None) -> None:
    stub.add_response("run_task", {"tasks": [{"taskArn": TASK}], "failures": []}, run_task_request(PROPS))
    stub.add_response("describe_tasks", _stopped(code), {"cluster": CLUSTER, "tasks": [TASK]})  # the waiter
    stub.add_response("describe_tasks", _stopped(code), {"cluster": CLUSTER, "tasks": [TASK]})


def _client():
    return boto3.client("ecs", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y")


def test_a_failed_run_is_retried_up_to_its_attempts_and_the_exit_code_recorded():
    ecs = _client()
    with Stubber(ecs) as stub:
        _attempt(stub, 1)
        _attempt(stub, 0)
        assert run_once(ecs, PROPS) == {"task_arn": TASK, "exit_code": 0, "attempt": 2}
        stub.assert_no_pending_responses()


def test_every_attempt_failing_fails_the_deploy_with_the_exit_code():
    ecs = _client()
    with Stubber(ecs) as stub:
        for _ in range(3):
            _attempt(stub, 2)
        with pytest.raises(RuntimeError) as err:
            run_once(ecs, PROPS)
    assert "did not complete successfully in 3 attempt(s): exit code 2" in str(err.value)
    assert "compose-cloud logs agent" in str(err.value)


def test_it_runs_again_only_when_its_task_definition_changes():
    provider = _Provider()
    same = provider.diff("id", {**PROPS, "exit_code": 0}, dict(PROPS))
    changed = provider.diff("id", PROPS, {**PROPS, "task_definition": PROPS["task_definition"][:-1] + "4"})
    assert (same.changes, changed.changes, changed.replaces) == (False, True, [])


def test_status_shows_the_last_run_and_its_exit_code(tmp_path, moto_url, account):
    plan = _plan(tmp_path)
    ecs = boto3.client("ecs", region_name=plan.region)
    cluster = ecs.create_cluster(
        clusterName="crew-cluster",
        tags=[{"key": "compose-cloud:project", "value": "crew"}, {"key": "compose-cloud:stack", "value": "dev"}],
    )["cluster"]["clusterArn"]
    aws = Aws()
    rows = {r.name: r for r in _jobs(aws, plan, "dev")}
    assert rows["agent"].state == "NotRun" and not rows["agent"].healthy
    ecs.register_task_definition(
        family="crew-dev-agent", containerDefinitions=[{"name": "agent", "image": "python:3.12", "memory": 512}]
    )
    ecs.register_task_definition(
        family="crew-dev-importer", containerDefinitions=[{"name": "importer", "image": "b", "memory": 512}]
    )
    ec2 = boto3.client("ec2", region_name=plan.region)
    ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
    for family in ("crew-dev-agent", "crew-dev-importer"):
        ecs.run_task(cluster=cluster, taskDefinition=family, count=1, startedBy=STARTED_BY, launchType="FARGATE")
    for arn in ecs.list_tasks(cluster=cluster)["taskArns"]:
        ecs.stop_task(cluster=cluster, task=arn, reason="finished")
    rows = {r.name: r for r in _jobs(aws, plan, "dev")}
    assert set(rows) == {"agent", "importer"}
    assert all(r.kind == "job" and r.state.startswith(("exited", "running")) for r in rows.values()), rows
