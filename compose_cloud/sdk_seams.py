"""Every place compose-cloud reaches into the Pulumi SDK's internals, in one module, each undone on exit.

- `without_stack_traces`: inside the offline preview only, resources are registered without the stack
  trace the SDK captures for each (`traceback.extract_stack`, about a tenth of a 1,000-service preview),
  which only a real engine records as source positions; the mock drops them.
- `contains_unknowns`: the SDK's own (`pulumi.runtime.rpc.contains_unknowns`, 3.x) defines a recursive
  closure on every call, and a closure that refers to itself is a reference cycle: with the collector off
  (collector.py) each call leaves one behind, about 60 MiB at 500 services. This one answers the same
  question without a closure. Installed for the offline preview and for the Pulumi program.
- `collapse_alias_to_urn`: every resource turns each of its aliases into a full URN, an Output or several per
  alias (`pulumi.resource.Resource.__init__` keeps them as `_aliases`), which only an engine without alias
  specs reads (`pulumi.runtime.resource.all_aliases`); an engine with them (every CLI since 3.x, and the
  mocks) is sent the aliases themselves. With alias specs, the collapse is skipped; without, it runs as the
  SDK's. A service carries eleven aliases (former.py): about a tenth of a preview. Installed with the other.
- `transfer_properties`: the SDK gives each output property of each resource (about 40 for an ECS service) four
  Futures and an Output whose task awaits them one by one; this gives it one Future, resolved with the same
  `_OutputData` the task would have built: about an eighth of a preview, and of the program under `pulumi up`.
- `resource_types`, `unwrap_type`, `unwrap_optional_type`: the SDK works out a resource class's property types anew
  at every registration's answer (`get_type_hints` when the class annotates its attributes, as components do), and
  what each property's type unwraps to at every serialization; each answer depends on the class or type alone, so
  it is kept.

`installed()` puts them all in place for a block (the offline preview, the bench's floor); `for_program()` puts
all but the first in place for good, in the process `pulumi up` runs the program in.
"""

from __future__ import annotations

import asyncio
import functools
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from typing import Any

_SCALARS = frozenset({str, int, float, bool, type(None)})  # exactly these types: never the SDK's Unknown


def contains_unknowns(val: Any) -> bool:
    """Whether `val` holds an unknown value anywhere in its dicts and lists (the SDK's question), without
    making a cycle: the containers still to look at are a list, the ones seen a set of ids."""
    if type(val) in _SCALARS:  # most values asked about (every Output's, as its data is made): no unknown in them
        return False
    from pulumi.runtime import known_types

    if not isinstance(val, (dict, list)):
        return known_types.is_unknown(val)
    seen: set[int] = set()
    pending = [val]
    while pending:
        value = pending.pop()
        if known_types.is_unknown(value):
            return True
        if id(value) in seen:
            continue
        seen.add(id(value))
        if isinstance(value, dict):
            pending.extend(value.values())
        elif isinstance(value, list):
            pending.extend(value)
    return False


@contextmanager
def acyclic_unknowns() -> Iterator[None]:
    """The SDK asks `contains_unknowns` through `pulumi.runtime.rpc` (output.py too): replaced there while the
    block runs."""
    from pulumi.runtime import rpc

    original = rpc.contains_unknowns
    rpc.contains_unknowns = contains_unknowns
    try:
        yield
    finally:
        rpc.contains_unknowns = original


def for_program() -> None:
    """A process that ends with the program (`pulumi up` runs `__main__.py` once): the repairs stay."""
    import pulumi.resource
    from pulumi.runtime import rpc

    rpc.contains_unknowns = contains_unknowns
    pulumi.resource.collapse_alias_to_urn = _collapsed_for(pulumi.resource.collapse_alias_to_urn)
    rpc.transfer_properties = transfer_properties
    _install_known_types()


@contextmanager
def installed() -> Iterator[None]:
    """Every seam, for the block: the SDK as the offline preview runs it."""
    with ExitStack() as stack:
        for seam in (without_stack_traces, acyclic_unknowns, lazy_aliases, direct_outputs, known_types):
            stack.enter_context(seam())
        yield


def _collapsed_for(original: Callable[..., Any]) -> Callable[..., Any]:
    """`collapse_alias_to_urn` as `Resource.__init__` calls it: skipped when the engine takes alias specs."""
    from pulumi.runtime import settings
    from pulumi.runtime.proto import resource_pb2

    if getattr(original, "compose_cloud_seam", False):
        return original
    alias_specs = resource_pb2.RESOURCE_MONITOR_FEATURE_ALIAS_SPECS

    def collapse(alias: Any, name: str, type_: str, parent: Any) -> Any:  # per alias of every resource: no imports
        if settings.monitor_supports_feature(alias_specs):
            return alias  # kept in Resource._aliases, which nothing reads with alias specs (module docstring)
        return original(alias, name, type_, parent)

    collapse.compose_cloud_seam = True  # type: ignore[attr-defined]
    return collapse


@contextmanager
def lazy_aliases() -> Iterator[None]:
    """Resources made while the block runs collapse their aliases only for an engine without alias specs."""
    import pulumi.resource

    original = pulumi.resource.collapse_alias_to_urn
    pulumi.resource.collapse_alias_to_urn = _collapsed_for(original)
    try:
        yield
    finally:
        pulumi.resource.collapse_alias_to_urn = original


@contextmanager
def without_stack_traces() -> Iterator[None]:
    """The offline preview's registrations carry no stack trace (see the module's docstring)."""
    from pulumi.runtime import resource as sdk
    from pulumi.runtime.proto import source_pb2

    original = sdk._get_stack_trace
    sdk._get_stack_trace = source_pb2.StackTrace  # an empty trace
    try:
        yield
    finally:
        sdk._get_stack_trace = original


def transfer_properties(res: Any, props: Any, custom: bool) -> dict[str, Callable[..., None]]:
    """The SDK's `rpc.transfer_properties` (identical in 3.254-3.272, checked by tests/program/test_sdk_seams.py):
    each property of `res` but its URN and a custom resource's id becomes an Output on `res`, and the answer maps
    its name to the resolver the SDK calls with (value, is_known, is_secret, dependencies, failure). Here that
    Output's data is one Future, resolved at once, instead of four the Output's own task awaits in turn."""
    from pulumi.output import Output, _OutputData

    resolvers: dict[str, Callable[..., None]] = {}
    for name in props:
        if name == "urn" or (name == "id" and custom):
            continue  # the SDK's rule: those two are resolved elsewhere
        data: asyncio.Future[Any] = asyncio.Future()
        resolvers[name] = functools.partial(_resolve, _OutputData, res, data)
        res.__dict__[name] = Output._from_data(data)
    return resolvers


def _resolve(
    output_data: Any,  # pulumi.output._OutputData, imported once per resource rather than per property
    res: Any,
    data: asyncio.Future[Any],
    value: Any,
    is_known: bool,
    is_secret: bool,
    deps: Any,
    failed: Any,
) -> None:
    """What the SDK's resolver and Output task make of an answer, in one step: the value, whether it is known and
    secret, and the resources it depends on (the given ones and `res`); or the failure, raised to whoever awaits."""
    if failed is not None:
        data.set_exception(failed)
        return
    resources = set(deps) if deps else set()
    resources.add(res)
    data.set_result(output_data(resources=resources, value=value, is_known=is_known, is_secret=is_secret))


@contextmanager
def direct_outputs() -> Iterator[None]:
    """Resources made while the block runs get one Future per output property (`transfer_properties`)."""
    from pulumi.runtime import rpc

    original = rpc.transfer_properties
    rpc.transfer_properties = transfer_properties
    try:
        yield
    finally:
        rpc.transfer_properties = original


def _cached_types(original: Callable[[type], dict[str, type]]) -> Callable[[type], dict[str, type]]:
    """`resource_types` answered once per class (a copy each time: the SDK's callers own the dict they get)."""
    if getattr(original, "compose_cloud_seam", False):
        return original
    cache = functools.cache(original)

    def resource_types(resource_cls: type) -> dict[str, type]:
        return dict(cache(resource_cls))

    resource_types.compose_cloud_seam = True  # type: ignore[attr-defined]
    return resource_types


def _by_identity(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """`unwrap_type` or `unwrap_optional_type` answered once per type object: each is a function of the type alone,
    which `serialize_property` asks about for every property of every resource (typing introspection, a twentieth
    of a preview). Keyed by identity, since a typing alias hashes by walking its arguments; the type is kept with
    its answer, so its id cannot be reused while it is in the table."""
    if getattr(original, "compose_cloud_seam", False):
        return original
    answers: dict[int, tuple[Any, Any]] = {}

    def unwrapped(val: Any) -> Any:
        hit = answers.get(id(val))
        if hit is not None and hit[0] is val:
            return hit[1]
        answer = original(val)
        answers[id(val)] = (val, answer)
        return answer

    unwrapped.compose_cloud_seam = True  # type: ignore[attr-defined]
    return unwrapped


_TYPE_FUNCTIONS = ("unwrap_type", "unwrap_optional_type")  # pulumi._types', asked through the module by rpc.py


def _install_known_types() -> dict[str, Any]:
    """The seams of `known_types`, in place; the answer is what they replaced."""
    from pulumi import _types

    replaced = {name: getattr(_types, name) for name in ("resource_types", *_TYPE_FUNCTIONS)}
    _types.resource_types = _cached_types(_types.resource_types)  # type: ignore[assignment]
    for name in _TYPE_FUNCTIONS:
        setattr(_types, name, _by_identity(getattr(_types, name)))
    return replaced


@contextmanager
def known_types() -> Iterator[None]:
    """Registrations made while the block runs look types up once: a resource class's property types, and what a
    property's type unwraps to."""
    from pulumi import _types

    replaced = _install_known_types()
    try:
        yield
    finally:
        for name, original in replaced.items():
            setattr(_types, name, original)
