"""A Compose service that finishes (`restart: "no"` or `on-failure[:N]`), run once per deploy that changes it.

Why a Pulumi dynamic resource running ECS RunTask, and not an ECS service or a schedule:
- an ECS service replaces a stopped task without end: an agent that runs a crew would run again and
  again, spending model tokens and GPU hours;
- an EventBridge Scheduler one-time schedule (`at(...)`) starts the task, but `pulumi up` does not wait
  for it: services that `depends_on` it with `service_completed_successfully` could not start after it,
  nothing would report its exit code, and the schedule's time makes every preview differ;
- this resource runs the task during `pulumi up` itself (boto3, with the credentials `pulumi up` has; no
  Docker engine or AWS CLI), waits for it to stop, retries a failure up to the planned attempts, records
  the task and its exit code in the stack, and fails the deployment when every attempt failed, so the
  services that wait for it are not started. It shows in `pulumi preview` (and the offline preview), and
  runs again only when its task definition changes.
"""

from __future__ import annotations

from typing import Any

import pulumi
import pulumi.dynamic

from compose_translate.plan.planned_service import JOB_STARTED_BY as STARTED_BY

WAIT_SECONDS, WAIT_CHECKS = 15, 480  # up to two hours per attempt


def run_task_request(props: dict[str, Any]) -> dict[str, Any]:
    """The ECS RunTask request for one attempt (checked against botocore's model in the tests)."""
    request: dict[str, Any] = {
        "cluster": props["cluster"],
        "taskDefinition": props["task_definition"],
        "count": 1,
        "startedBy": STARTED_BY,
        "propagateTags": "TASK_DEFINITION",
        "networkConfiguration": {
            "awsvpcConfiguration": {
                "subnets": list(props["subnets"]),
                "securityGroups": list(props["security_groups"]),
                "assignPublicIp": "ENABLED" if props.get("public_ip") else "DISABLED",
            }
        },
    }
    if props.get("capacity_provider"):
        request["capacityProviderStrategy"] = [{"capacityProvider": props["capacity_provider"], "weight": 1}]
    else:
        request["launchType"] = "FARGATE"
        request["platformVersion"] = "LATEST"
    return request


def exit_code(task: dict[str, Any], container: str) -> int | None:
    """The exit code of the service's own container (the others are the init containers)."""
    for item in task.get("containers", []):
        if item.get("name") == container:
            code = item.get("exitCode")
            return int(code) if code is not None else None
    return None


def run_once(ecs: Any, props: dict[str, Any]) -> dict[str, Any]:
    """Run the task until it succeeds or the attempts are spent; raise with the last exit code."""
    attempts, container = int(props["attempts"]), props["container"]
    last: str = "it did not start"
    for attempt in range(1, attempts + 1):
        started = ecs.run_task(**run_task_request(props))
        if started.get("failures") or not started.get("tasks"):
            reasons = "; ".join(
                f"{f.get('arn', '')} {f.get('reason', '')}".strip() for f in started.get("failures", [])
            )
            last = f"ECS did not start it ({reasons or 'no task'})"
            continue
        arn = started["tasks"][0]["taskArn"]
        ecs.get_waiter("tasks_stopped").wait(
            cluster=props["cluster"], tasks=[arn], WaiterConfig={"Delay": WAIT_SECONDS, "MaxAttempts": WAIT_CHECKS}
        )
        task = ecs.describe_tasks(cluster=props["cluster"], tasks=[arn])["tasks"][0]
        code = exit_code(task, container)
        if code == 0:
            return {"task_arn": arn, "exit_code": 0, "attempt": attempt}
        last = f"exit code {code} ({task.get('stoppedReason', 'stopped')})"
    raise RuntimeError(
        f"{container} did not complete successfully in {attempts} attempt(s): {last}; "
        f"see `compose-cloud logs {container}`"
    )


class _Provider(pulumi.dynamic.ResourceProvider):
    def _run(self, props: dict[str, Any]) -> dict[str, Any]:
        import boto3
        from botocore.config import Config

        ecs = boto3.client("ecs", region_name=props["region"], config=Config(retries={"mode": "standard"}))
        return {**props, **run_once(ecs, props)}

    def create(self, props: dict[str, Any]) -> pulumi.dynamic.CreateResult:
        outs = self._run(props)
        return pulumi.dynamic.CreateResult(id_=outs["task_arn"], outs=outs)

    def diff(self, _id: str, olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.DiffResult:
        """Run again when what runs changes (its task definition), not for an unrelated deploy."""
        changed = [k for k in ("task_definition", "attempts", "capacity_provider") if olds.get(k) != news.get(k)]
        return pulumi.dynamic.DiffResult(changes=bool(changed), replaces=[], delete_before_replace=False)

    def update(self, _id: str, _olds: dict[str, Any], news: dict[str, Any]) -> pulumi.dynamic.UpdateResult:
        return pulumi.dynamic.UpdateResult(outs=self._run(news))


class TaskRun(pulumi.dynamic.Resource):
    """One run of a job's task per change of its definition; `exit_code` and `task_arn` are its outputs."""

    exit_code: pulumi.Output[int]
    task_arn: pulumi.Output[str]

    def __init__(self, name: str, props: dict[str, Any], opts: pulumi.ResourceOptions | None = None):
        super().__init__(_Provider(), name, {**props, "exit_code": None, "task_arn": None, "attempt": None}, opts)
