"""Pulumi program entry point: the stack's config (compose-cloud:files, ...) -> resources."""

from compose_cloud.program import run

run()
