"""A service's images: built from its `build:` and pushed to its own ECR repository, and the image
derived from it that carries configs at `/name`. Built by `pulumi up` only, never by a preview."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws
import pulumi_docker_build as docker_build

from compose_cloud.program.aws import container
from compose_cloud.program.aws.naming import fixed_name
from compose_translate.plan.planned_service import PlannedService
from compose_translate.sensitive import is_sensitive

DEFAULT_PLATFORM = {"X86_64": docker_build.Platform.LINUX_AMD64, "ARM64": docker_build.Platform.LINUX_ARM64}
EMPTY_CONTEXT = ".compose-cloud/empty-context"  # the derived images' build context: their Dockerfile holds all


def service_image(
    parent: pulumi.Resource, name: str, service: PlannedService, baked: dict[str, pulumi.Input[str]]
) -> tuple[pulumi.Output[str], aws.ecr.Repository | None]:
    """The image the task runs (the service's `image:`, or its build) and the repository it was pushed to."""
    image, repository = _image(parent, name, service)
    if service.baked_files:
        image, repository = _bake(parent, name, service, image, repository, baked)
    return image, repository


def _repository(parent: pulumi.Resource, name: str) -> aws.ecr.Repository:
    return aws.ecr.Repository(
        f"{name}-repo",
        name=f"compose-cloud/{name}-{pulumi.get_stack()}".lower(),
        image_tag_mutability="MUTABLE",
        force_delete=True,
        image_scanning_configuration={"scan_on_push": True},
        opts=fixed_name(pulumi.ResourceOptions(parent=parent), True),
    )


def _registries(parent: pulumi.Resource, repository: aws.ecr.Repository) -> list[docker_build.RegistryArgsDict]:
    token = aws.ecr.get_authorization_token_output(
        registry_id=repository.registry_id, opts=pulumi.InvokeOptions(parent=parent)
    )
    return [
        {
            "address": repository.repository_url,
            "username": token.user_name,
            "password": pulumi.Output.secret(token.password),
        }
    ]


def _bake(
    parent: pulumi.Resource,
    name: str,
    service: PlannedService,
    base: pulumi.Output[str],
    repository: aws.ecr.Repository | None,
    contents: dict[str, pulumi.Input[str]],
) -> tuple[pulumi.Output[str], aws.ecr.Repository]:
    """Configs at `/name` (no volume can hold a file at the root) are copied into an image derived from
    the service's, with BuildKit's heredoc COPY: no shell, no build context, the mode and owner kept."""
    repository = repository or _repository(parent, name)
    files = service.baked_files
    dockerfile = pulumi.Output.all(base, *[contents[f.source] for f in files]).apply(
        lambda values: container.baked_dockerfile(values[0], list(zip(files, values[1:], strict=True)))
    )
    if not pulumi.runtime.is_dry_run():
        Path(EMPTY_CONTEXT).mkdir(parents=True, exist_ok=True)
    return _pushed(
        parent,
        f"{name}-baked",
        repository,
        "with-configs",
        service,
        context={"location": EMPTY_CONTEXT},
        dockerfile={"inline": pulumi.Output.secret(dockerfile)},
    ), repository


def _image(
    parent: pulumi.Resource, name: str, service: PlannedService
) -> tuple[pulumi.Output[str], aws.ecr.Repository | None]:
    """The service's image: as written, or built from `build:` into its own ECR repository (by `pulumi up` only)."""
    if service.build is None:
        if service.image is None:  # the plan gives every service without `build:` an image
            raise pulumi.RunError(f"service {service.name} has neither an image nor a build")
        return pulumi.Output.from_input(service.image), None
    build = service.build
    repository = _repository(parent, name)
    context = _relative(build.context)
    dockerfile = (
        {"inline": build.dockerfile_inline}
        if build.dockerfile_inline
        else {"location": _join(context, build.dockerfile or "Dockerfile")}
    )
    contexts = build.extra.get("additional_contexts")
    named = {"named": {k: {"location": _relative(v)} for k, v in sorted(contexts.items())}} if contexts else {}
    image = _pushed(
        parent,
        f"{name}-image",
        repository,
        "latest",
        service,
        context={"location": context, **named},
        dockerfile=dockerfile,
        target=build.target,
        build_args={
            # credential-like arguments stay Pulumi secrets: never plain in the state or a preview
            k: pulumi.Output.secret(v) if is_sensitive(k, str(v)) else v
            for k, v in build.args.items()
            if v is not None
        },
    )
    return image, repository


def _pushed(
    parent: pulumi.Resource,
    logical: str,
    repository: aws.ecr.Repository,
    tag: str,
    service: PlannedService,
    **build: Any,
) -> pulumi.Output[str]:
    """An image built for the service's platform and pushed to its repository by `pulumi up` only: a pull
    request's Dockerfile must not run during `pulumi preview` (it would run with the preview's credentials)."""
    return docker_build.Image(
        logical,
        platforms=[DEFAULT_PLATFORM[service.runtime.architecture]],
        push=True,
        build_on_preview=False,
        tags=[repository.repository_url.apply(lambda url: f"{url}:{tag}")],
        registries=_registries(parent, repository),
        opts=pulumi.ResourceOptions(parent=parent),
        **build,
    ).ref


def _relative(context: str) -> str:
    """Build contexts relative to the Pulumi project folder (where `pulumi up` runs the program): the
    same commit gives the same inputs on a laptop and a CI runner. Remote contexts stay as they are."""
    if "://" in context or context.startswith("git@") or not os.path.isabs(context):
        return context
    return Path(os.path.relpath(context, Path.cwd())).as_posix()


def _join(context: str, dockerfile: str) -> str:
    return dockerfile if dockerfile.startswith("/") else f"{context.rstrip('/')}/{dockerfile}"
