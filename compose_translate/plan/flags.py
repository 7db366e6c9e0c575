"""A model's `runtime_flags` read as llama-server reads them, or one located error saying why they cannot be."""

from __future__ import annotations

from compose_translate.errors import Report
from compose_translate.normalize.project import ModelSpec
from compose_translate.serving import split_flags


def read_flags(model: ModelSpec, report: Report) -> list[tuple[str, str | None]] | None:
    """[(flag, value or None)], or None after reporting what is unreadable (each backend then says what it honours)."""
    try:
        return split_flags(model.runtime_flags)
    except ValueError as exc:
        report.error(
            f"cannot read runtime_flags: {exc}", model.where("runtime_flags"), hint='write flags as ["--flag", "value"]'
        )
        return None
