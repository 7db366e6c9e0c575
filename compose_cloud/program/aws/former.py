"""Where earlier versions registered a resource, so that a second `pulumi up` after an upgrade updates
it in place instead of replacing it.

The engine finds a resource's former state through its aliases, and a child follows its parent's
matched alias by itself (pulumi's step generator multiplies out the parent's aliases). What it cannot
follow is a resource that moved to *another* parent: its alias must name the old parent's old URN,
which the engine never resolves for it. These helpers compute those URNs from the same names the
components were registered with: at the stack's root before ComposeProject existed, under their
folder-derived former project name too.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import pulumi

# A URN as text; an Output only for a place under a user's own parent component, whose type chain is known
# at run time alone (the stack's own places are computed as text, which costs nothing per resource)
Urn = str | pulumi.Output[str]


@dataclass(frozen=True)
class Former:
    """One place a component is or was registered: its name there and its URN."""

    name: str
    urn: Urn


def at_root(type_: str, names: Iterable[str]) -> tuple[Former, ...]:
    """A top-level component's former places: registered directly under the stack, by each name."""
    return tuple(Former(name, _urn(type_, name)) for name in dict.fromkeys(names))


def under(type_: str, name: str, parent_name: str, parents: tuple[Former, ...]) -> tuple[Former, ...]:
    """A child component's former places: under each former place of its parent, its name following the
    parent's (children are named `<parent>-<suffix>`)."""
    return tuple(
        Former(renamed, child_urn(parent.urn, type_, renamed))
        for parent in parents
        for renamed in (_renamed(name, parent_name, parent.name),)
    )


def moved_from(type_: str, name: str, parent_name: str, parents: tuple[Former, ...]) -> list[Urn]:
    """The aliases of a resource of `type_` that was a child of the component now named `parent_name`, whose
    former places are `parents`, and now has another parent: its full former URNs (the SDK resolves an
    alias spec through an Output per field, a URN through one)."""
    return [child_urn(p.urn, type_, _renamed(name, parent_name, p.name)) for p in parents]


def moved_out_of(
    component_type: str, type_: str, name: str, parent_name: str, parents: tuple[Former, ...]
) -> list[Urn]:
    """The aliases of a resource of `type_` that was the child of a component of `component_type` (one per
    parent, named after it) under the parent now named `parent_name`, and is now the parent's own child: its
    URNs under that component, at each of the parent's places (`parents`: where it is now, and was)."""
    return [child_urn(p.urn, f"{component_type}${type_}", _renamed(name, parent_name, p.name)) for p in parents]


def child_urn(parent: Urn, type_: str, name: str) -> Urn:
    """The URN of a resource of `type_` named `name` whose parent has the URN `parent`."""
    if isinstance(parent, str):
        return _urn(f"{_qualified_type(parent)}${type_}", name)
    return parent.apply(lambda urn: _urn(f"{_qualified_type(urn)}${type_}", name))


def _urn(qualified_type: str, name: str) -> str:
    """A URN as the engine writes it (pulumi's resource/urn.go), as plain text: Outputs here made the preview
    of 1,000 services a third slower."""
    return f"urn:pulumi:{pulumi.get_stack()}::{pulumi.get_project()}::{qualified_type}::{name}"


def _qualified_type(urn: str) -> str:
    return urn.split("::")[2]


def _renamed(name: str, parent_name: str, former_parent: str) -> str:
    return former_parent + name[len(parent_name) :] if name.startswith(parent_name) else name
