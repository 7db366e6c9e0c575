"""The offline preview: the real Pulumi program under `pulumi.runtime.set_mocks`.

No Pulumi CLI, plugin or AWS account is involved. The mock answers deterministically (ids
and ARNs derived from resource names), so the same input gives the same bytes. Values the
program marked secret are recorded as `[secret]` and never leave this module.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pulumi
from google.protobuf import struct_pb2
from pulumi.runtime import mocks, rpc
from pulumi.runtime.proto import resource_pb2
from pulumi.runtime.sync_await import _sync_await

from compose_cloud import collector, sdk_seams
from compose_cloud.preview.mock_aws import ACCOUNT, AUTONAMED, created_state
from compose_cloud.program.project import DEFAULT as DEFAULT_PROJECT
from compose_translate.errors import ComposeError, Diagnostic
from compose_translate.plan import DeploymentPlan
from compose_translate.sensitive import REDACTED
from compose_translate.settings import StackSettings

SECRET_SIG = "4dabf18193072939515e22adb298388d"  # Pulumi's marker for a secret value on the wire
PROJECT = DEFAULT_PROJECT  # the Pulumi project when none is given: this repository's


@dataclass
class Recorded:
    type: str
    name: str
    provider: str | None
    inputs: dict[str, Any]
    custom: bool
    urn: str = ""
    parent_urn: str = ""
    id: str = ""  # what the mock answered: the id, ARN and physical name a real resource would get
    arn: str = ""
    physical_name: str = ""
    aliases: tuple[str, ...] = ()  # former names (alias specs) the resource answers to
    retain_on_delete: bool = False
    protect: bool = False
    delete_before_replace: bool = False
    dependencies: tuple[str, ...] = ()  # URNs it waits for (depends_on and input references)

    @property
    def parent(self) -> str | None:
        """The parent's name (the last part of its URN); None for the stack's direct children."""
        if not self.parent_urn or self.parent_urn.split("::")[2].endswith("pulumi:pulumi:Stack"):
            return None
        return self.parent_urn.split("::")[-1]


@dataclass
class PreviewResult:
    stack: str
    plan: DeploymentPlan
    resources: list[Recorded]
    outputs: dict[str, Any]


class _Mocks(pulumi.runtime.Mocks):
    """Answers like the engine: inputs echoed, computed values (ids, ARNs, DNS names) derived from
    names, or, with `unknowns`, unknown as in a real `pulumi preview` of resources to create."""

    def __init__(self, region: str, unknowns: bool = False, offerings: dict[str, list[str]] | None = None):
        self.region = region
        self.unknowns = unknowns
        self.offerings = offerings  # instance type -> zone letters offering it; None: every zone
        self.records: dict[tuple[str, str], Recorded] = {}
        self.provider_regions: dict[str, str] = {}
        self.stack_outputs: dict[str, Any] = {}

    def new_resource(self, args: pulumi.runtime.MockResourceArgs) -> tuple[str, dict[str, Any]]:
        provider = args.provider.split("::")[-2] if args.provider else None
        if args.typ.startswith("pulumi:providers:"):
            self.provider_regions[args.name] = args.inputs.get("region", self.region)
        region = args.inputs.get("region") or self.provider_regions.get(provider or "", self.region)
        resource_id, computed = created_state(args.typ, args.name, args.inputs, region)
        self.records[(args.typ, args.name)] = Recorded(
            args.typ,
            args.name,
            provider,
            redact(args.inputs),
            bool(args.custom),
            id=resource_id,
            arn=computed["arn"],
            physical_name=str(computed.get(AUTONAMED.get(args.typ, "name"), "")),
        )
        if self.unknowns and args.typ != "pulumi:providers:aws":
            return "", {**{k: rpc.UNKNOWN for k in computed if k not in args.inputs}, **args.inputs}
        return resource_id, {**args.inputs, **computed}

    def call(self, args: pulumi.runtime.MockCallArgs) -> Any:  # a dict of outputs, as the SDK accepts
        """What the data-source calls the program makes answer in a real account (zones, AMIs, caller identity, ECR
        token, secrets), deterministically."""
        region = self.region
        if self.unknowns and args.token in ("aws:ecr/getAuthorizationToken:getAuthorizationToken",):
            return {"userName": rpc.UNKNOWN, "password": rpc.UNKNOWN, "proxyEndpoint": rpc.UNKNOWN}
        if args.token == "aws:index/getAvailabilityZones:getAvailabilityZones":
            # a region also has Local Zones (opted in or not): only a zone-type filter keeps them out
            standard = any(
                f.get("name") == "zone-type" and f.get("values") == ["availability-zone"]
                for f in args.args.get("filters") or []
            )
            names = [f"{region}-bos-1a"] * (not standard) + [f"{region}{z}" for z in "abc"]
            return {"names": names, "zoneIds": [f"use1-az{i}" for i in range(len(names))]}
        if args.token == "aws:ec2/getInstanceTypeOfferings:getInstanceTypeOfferings":
            types = [v for f in args.args.get("filters") or [] for v in f.get("values", [])]
            pairs = [(t, f"{region}{z}") for t in types for z in (self.offerings or {}).get(t, "abc")]
            return {
                "locations": [z for _, z in pairs],
                "locationTypes": ["availability-zone"] * len(pairs),
                "instanceTypes": [t for t, _ in pairs],
                "id": region,
            }
        if args.token == "aws:index/getCallerIdentity:getCallerIdentity":
            return {
                "accountId": ACCOUNT,
                "arn": f"arn:aws:iam::{ACCOUNT}:user/preview",
                "userId": "AIDAPREVIEW",
                "id": ACCOUNT,
            }
        if args.token == "aws:ecr/getAuthorizationToken:getAuthorizationToken":
            return {
                "userName": "AWS",
                "password": "mock-ecr-password",
                "authorizationToken": "mock",
                "proxyEndpoint": f"https://{ACCOUNT}.dkr.ecr.{region}.amazonaws.com",
            }
        if args.token == "aws:secretsmanager/getSecret:getSecret":
            return {
                "arn": f"arn:aws:secretsmanager:{region}:{ACCOUNT}:secret:{args.args.get('name')}",
                "name": args.args.get("name"),
            }
        if args.token == "aws:ssm/getParameter:getParameter":
            return {
                "arn": f"arn:aws:ssm:{region}:{ACCOUNT}:parameter/{str(args.args.get('name')).lstrip('/')}",
                "name": args.args.get("name"),
                "value": "ami-0123456789abcdef0",
                "type": "String",
            }
        return {}


def _alias(alias: Any) -> str:  # the engine's Alias message
    """An alias as the engine receives it: a URN, or a former type, name and/or place: `parent <urn>`,
    or `(root)` for the stack's root (where top-level components were before ComposeProject)."""
    if alias.urn:
        return str(alias.urn)
    spec = alias.spec
    place = f"parent {spec.parentUrn}" if spec.parentUrn else "(root)" if spec.noParent else ""
    kind = f"type {spec.type}" if spec.type else ""  # pulumi-aws's own, for types it renamed
    return " ".join(part for part in (kind, str(spec.name), place) if part)


class _Monitor(mocks.MockMonitor):
    """Also records each resource's parent, which the mock's `new_resource` is not told."""

    def __init__(self, recorder: _Mocks):
        super().__init__(recorder)
        self.recorder = recorder

    def RegisterResourceOutputs(self, request: Any) -> Any:
        """The stack's exported outputs, as the engine receives them: secrets still marked, then redacted."""
        if request.urn.endswith("::pulumi:pulumi:Stack::" + request.urn.split("::")[-1]):
            from google.protobuf import json_format

            self.recorder.stack_outputs = redact(json_format.MessageToDict(request.outputs))
        return super().RegisterResourceOutputs(request)  # type: ignore[no-untyped-call]

    def RegisterResource(self, request: Any) -> Any:
        response = self._register(request)
        record = self.recorder.records.get((request.type, request.name))
        if record is not None:
            record.urn, record.parent_urn = response.urn, request.parent
            record.aliases = tuple(_alias(a) for a in request.aliases)
            record.retain_on_delete, record.protect = bool(request.retainOnDelete), bool(request.protect)
            record.delete_before_replace = bool(request.deleteBeforeReplace)
            record.dependencies = tuple(sorted(request.dependencies))  # the SDK sends them from a set
        return response

    def _register(self, request: Any) -> Any:
        """The SDK's MockMonitor.RegisterResource, but the answer's state becomes a Struct directly when it is plain
        data, as the engine's would (`plain_struct`), instead of through the SDK's asynchronous serializer run on
        this worker thread's own event loop: a tenth or so of the offline preview. Anything else (an asset, a
        resource reference) takes the SDK's way."""
        if request.type == "pulumi:pulumi:Stack":
            return super().RegisterResource(request)  # type: ignore[no-untyped-call]
        urn = self.make_urn(request.parent, request.type, request.name)
        mocks._ensure_event_loop()  # type: ignore[no-untyped-call]  # deserializing a resource reference needs one on this thread
        args = pulumi.runtime.MockResourceArgs(
            typ=request.type,
            name=request.name,
            inputs=rpc.deserialize_properties(request.object),
            provider=request.provider,
            resource_id=request.importId,
            custom=request.custom or False,
            transforms=mocks._resolve_callbacks(request.transforms),
        )
        resource_id, state = self.mocks.new_resource(args)
        answer = plain_struct(state)
        if answer is None:
            answer = _sync_await(rpc.serialize_properties(state, {}))
        self.resources[urn] = mocks.MockMonitor.ResourceRegistration(urn, resource_id or "", state)
        return resource_pb2.RegisterResourceResponse(urn=urn, id=resource_id or "", object=answer)


def plain_struct(state: dict[str, Any]) -> struct_pb2.Struct | None:
    """`state` as the protobuf Struct the SDK's serializer makes of it, when it holds only JSON's types (the
    serializer's answer for those is the same, tests/preview/test_engine.py); None for anything else."""
    if not _plain(state):
        return None
    answer = struct_pb2.Struct()
    answer.update(state)
    return answer


def _plain(value: Any) -> bool:
    kind = type(value)
    if kind is str or kind is bool or kind is int or kind is float or value is None:
        return True
    if kind is dict:
        return all(type(k) is str and _plain(v) for k, v in value.items())
    if kind is list:
        return all(_plain(v) for v in value)
    return False


def redact(value: Any) -> Any:
    """Pulumi's secret-marked values replaced by [secret], wherever they sit in the outputs."""
    if isinstance(value, dict):
        if SECRET_SIG in value:
            return REDACTED
        return {k: redact(v) for k, v in value.items()}
    if isinstance(value, list):
        return [redact(v) for v in value]
    return value


# The program's own log lines (warnings) are printed from the plan; the mock engine's copies are dropped.
_LOGGER = logging.getLogger("compose-cloud.preview")
_LOGGER.addHandler(logging.NullHandler())
_LOGGER.propagate = False


def run_preview(
    settings: StackSettings,
    stack: str = "preview",
    project: str = PROJECT,
    offerings: dict[str, list[str]] | None = None,
    root_options: Callable[[], pulumi.ResourceOptions] | None = None,
) -> PreviewResult:
    """Run the program; ComposeError (bad input) propagates before any resource is recorded.

    `root_options` makes the root ComposeProject's options once the mocks are in place, as a user's
    program would (a parent, providers, transforms), for `deploy(opts=...)`."""
    from compose_cloud.program.main import main_stepwise  # imported late: it imports pulumi_aws, which is slow

    recorder = _Mocks(settings.region, offerings=offerings)
    # a fresh root stack for this project and stack: set_mocks keeps the one an earlier run in this process
    # left (a diff previews twice), and every top-level resource would be registered under its URN
    pulumi.runtime.settings.reset_options(project=project, stack=stack, preview=True)
    mocks.set_mocks(recorder, project=project, stack=stack, preview=True, logger=_LOGGER, monitor=_Monitor(recorder))
    pulumi.runtime.set_all_config(settings.cli_config())  # the strings `pulumi up` would pass
    planned: list[DeploymentPlan] = []

    async def program() -> None:
        plan, _ = await main_stepwise(opts=root_options() if root_options else None)
        planned.append(plan)

    try:
        with collector.relaxed(), sdk_seams.installed():
            # as the language host runs `__main__.py` (whose `run()` calls pulumi.run): in a fresh root stack,
            # which registers the exports as its outputs once the program has returned
            pulumi.runtime.settings.set_root_resource(None)  # type: ignore[arg-type]
            _sync_await(pulumi.runtime.stack.run_in_stack(lambda: pulumi.run(program)))
    except pulumi.RunError as exc:
        raise ComposeError(Diagnostic(str(exc))) from None
    plan = planned[0]
    return PreviewResult(
        stack=stack, plan=plan, resources=list(recorder.records.values()), outputs=recorder.stack_outputs
    )
