"""The library entry point: deploy Compose files from any Pulumi program.

`__main__.py` of this repository, the program `compose-cloud init` writes, and a user's own
Pulumi program all call `deploy` (or `run`, which reports bad input and exits): one code path.
Settings come from the stack's config exactly as the Pulumi CLI passes it (strings, lists and
maps as JSON); keyword settings given here are encoded the same way and win over the stack's.

Everything is created under one `ComposeProject` component: `deploy(opts=...)` gives it a parent,
protection, transforms or providers, as a user's program would give any component. This module stays
light (the CLI imports its siblings); `ComposeProject` is imported from pulumi-aws's side on first use.
"""

from __future__ import annotations

import sys
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

from compose_cloud import collector, sdk_seams
from compose_translate.cli_config import encode
from compose_translate.errors import ComposeError
from compose_translate.settings import NAMESPACE

if TYPE_CHECKING:
    import pulumi

    from compose_cloud.program.aws.compose_project import ComposeProject, ComposeProjectArgs

__all__ = ["ComposeProject", "ComposeProjectArgs", "deploy", "deploy_stepwise", "run"]


def __getattr__(name: str) -> Any:
    """`ComposeProject` and its args on first use: pulumi-aws takes seconds to import."""
    if name in ("ComposeProject", "ComposeProjectArgs"):
        from compose_cloud.program.aws import compose_project

        return getattr(compose_project, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def deploy(
    files: Sequence[str] | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
    export: bool = True,
    opts: pulumi.ResourceOptions | None = None,
) -> dict[str, Any]:
    """Create the stack's resources for the Compose `files`; returns the outputs (URLs, endpoints).

    `settings` takes the stack settings' keys (`defaultInstanceType`, `logRetentionDays`, or
    `aws:region`); they are applied over the stack's config. `opts` are the root ComposeProject's.
    Raises ComposeError on bad input, before any resource exists.
    """
    from compose_cloud.program.main import main  # imported late: pulumi_aws takes a while to import

    _, outputs = main(_overrides(files, settings), export=export, opts=opts)
    return outputs


async def deploy_stepwise(
    files: Sequence[str] | None = None,
    *,
    settings: Mapping[str, Any] | None = None,
    export: bool = True,
    opts: pulumi.ResourceOptions | None = None,
) -> dict[str, Any]:
    """`deploy` for an async program (`pulumi.run(...)`): the same resources, registered as they are made rather
    than all at the end, which bounds the program's memory on large projects."""
    from compose_cloud.program.main import main_stepwise

    _, outputs = await main_stepwise(_overrides(files, settings), export=export, opts=opts)
    return outputs


def _overrides(files: Sequence[str] | None, settings: Mapping[str, Any] | None) -> dict[str, str]:
    """Keyword settings in the form the Pulumi CLI passes config (strings; lists and maps as JSON)."""
    overrides: dict[str, str] = {}
    for key, value in {**({"files": list(files)} if files is not None else {}), **(settings or {})}.items():
        text = encode(list(value) if isinstance(value, tuple) else value)
        if text is not None:
            overrides[key if ":" in key else f"{NAMESPACE}:{key}"] = text
    return overrides


def run(files: Sequence[str] | None = None, *, settings: Mapping[str, Any] | None = None) -> None:
    """`deploy` for a program's top level, as its async entry point (`pulumi.run`): bad input is logged once,
    without a traceback, exit 1.

    Also tunes the garbage collector for this process, which ends with the program (collector.py).
    """
    import pulumi

    collector.for_program()
    sdk_seams.for_program()  # with the collector off, the SDK must not leave a cycle per value it checks

    async def program() -> None:
        try:
            await deploy_stepwise(files, settings=settings)
        except ComposeError as exc:
            pulumi.log.error(exc.render())
            sys.exit(1)

    pulumi.run(program)
