"""boto3 clients for preflight and status: standard credential chain, bounded retries, timeouts.

Credentials come from boto3's chain (environment, `--profile`, SSO, instance roles); nothing
here ever prints them. `AWS_ENDPOINT_URL` (a boto3 feature) points every client elsewhere, which
is how the tests use a local moto server.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import boto3
import botocore.config
import botocore.exceptions

from compose_translate.errors import ComposeError, Diagnostic

CONFIG = botocore.config.Config(
    retries={"mode": "standard", "max_attempts": 5},  # exponential backoff, throttling included
    connect_timeout=5,
    read_timeout=30,
    user_agent_extra="compose-cloud",
)
ClientFactory = Callable[[str, str], Any]  # (service, region) -> client


class Aws:
    """Clients per (service, region), made once; `overrides` replaces some (tests use Stubber there)."""

    def __init__(self, profile: str | None = None, overrides: dict[str, ClientFactory] | None = None):
        try:
            self.session = boto3.Session(profile_name=profile)
        except botocore.exceptions.ProfileNotFound:
            raise ComposeError(
                Diagnostic(
                    f'AWS profile "{profile}" not found', hint="list profiles with `aws configure list-profiles`"
                )
            ) from None
        self.overrides = overrides or {}
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str) -> Any:
        """One boto3 client per (service, region), made once: tests put a moto-backed factory in `overrides`."""
        key = (service, region)
        if key not in self._clients:
            factory = self.overrides.get(service)
            self._clients[key] = (
                factory(service, region) if factory else self.session.client(service, region_name=region, config=CONFIG)
            )
        return self._clients[key]


def failure_text(exc: Exception) -> str:
    """A short, credential-free description of a failed AWS call."""
    if isinstance(exc, botocore.exceptions.NoCredentialsError):
        return "no AWS credentials found"
    if isinstance(exc, botocore.exceptions.ClientError):
        error = exc.response.get("Error", {})
        return f"{error.get('Code', 'Error')}: {error.get('Message', '')}".strip()
    if isinstance(exc, botocore.exceptions.EndpointConnectionError):
        return f"cannot reach {exc.kwargs.get('endpoint_url', 'AWS')}"
    if isinstance(exc, botocore.exceptions.BotoCoreError):
        return type(exc).__name__
    raise exc


AWS_ERRORS = (botocore.exceptions.BotoCoreError, botocore.exceptions.ClientError)
NO_CREDENTIALS_FIX = (
    "configure credentials: `aws configure`, or `aws sso login --profile NAME` then "
    "--aws-profile NAME (or AWS_PROFILE), or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY"
)
