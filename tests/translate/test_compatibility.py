"""The compatibility table covers the Compose service schema, and docs/compatibility.md is generated from it."""

from pathlib import Path

from compose_translate.compat import SERVICE_ATTRIBUTES
from tools.docs import COSTS, DOC, PERFORMANCE, compatibility_markdown, costs_markdown, performance_page

SPEC_KEYS = Path(__file__).parent / "data" / "compose_spec_service_keys.txt"


def spec_service_keys() -> set[str]:
    return {line.strip() for line in SPEC_KEYS.read_text().splitlines() if line.strip() and not line.startswith("#")}


def test_every_schema_attribute_has_an_entry():
    assert sorted(spec_service_keys() - set(SERVICE_ATTRIBUTES)) == []


def test_no_entry_for_attributes_the_schema_does_not_have():
    assert sorted(set(SERVICE_ATTRIBUTES) - spec_service_keys()) == []


def test_every_entry_has_a_status_and_a_reason():
    for name, attribute in SERVICE_ATTRIBUTES.items():
        assert attribute.status in ("mapped", "warned", "rejected"), name
        assert len(attribute.reason) > 10, name


def test_generated_document_is_up_to_date():
    assert DOC.read_text() == compatibility_markdown(), "run: python -m tools.docs"


def test_document_lists_every_attribute():
    text = DOC.read_text()
    for name in SERVICE_ATTRIBUTES:
        assert f"| `{name}` |" in text


def test_the_cost_table_is_generated_from_the_examples():
    assert COSTS.read_text() == costs_markdown(), "run: python -m tools.docs"


def test_the_resource_table_follows_the_reviewed_previews():
    """docs/performance.md's resources per example: counted from the golden previews, so it changes with them."""
    text = PERFORMANCE.read_text()
    assert text == performance_page(), "run: python -m tools.docs"
    assert "| agent-app | 111 | 102 | 84 |" in text  # before issue 25, now, and what AWS gets
