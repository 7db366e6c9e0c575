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
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any


def contains_unknowns(val: Any) -> bool:
    """Whether `val` holds an unknown value anywhere in its dicts and lists (the SDK's question), without
    making a cycle: the containers still to look at are a list, the ones seen a set of ids."""
    from pulumi.runtime import known_types

    if not isinstance(val, (dict, list)):  # most values asked about: answered without the walk's set and list
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
