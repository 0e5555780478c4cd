"""generator/runtime/_contract.py, the contract check's runtime: imported directly, and as the package ships it."""

from __future__ import annotations

from typing import Any

import pytest
from pydantic import BaseModel, ValidationError

from generator.models import contract_check as writer
from generator.render.render import MARKER
from generator.runtime import _contract
from generator.spec import pointers

from .conftest import ROOT

# A name that a URI fragment must percent-encode, so that the check finds its schema only if both encode alike.
SCHEMA = "/components/schemas/Event %41"
CHECK = pointers.join("", writer.CHECKS, SCHEMA)
EVENT = {
    "type": "object",
    "properties": {
        "tags": {"type": "array", "uniqueItems": True, "items": {"type": "string"}},
        "at": {"type": "string", "format": "date-time"},
    },
}


def document(formats: list[str]) -> dict[str, Any]:
    """A contract document as the generator writes it: the schemas, one check, and the asserted formats."""
    return {
        _contract.FORMATS: formats,
        "components": {"schemas": {"Event %41": EVENT}},
        writer.CHECKS: {SCHEMA: {"$ref": pointers.fragment(SCHEMA)}},
    }


def event_model(contract: _contract.Contract) -> type[BaseModel]:
    """A body model carrying the check as the generated ones do."""

    class Event(BaseModel):
        _hookgen_contract = _contract.contract_check(CHECK, contract)
        tags: list[str] = []
        at: str | None = None

    return Event


def test_a_payload_the_contract_allows_is_accepted() -> None:
    event = event_model(_contract.Contract(document(["date-time"])))
    assert event.model_validate({"tags": ["a", "b"], "at": "2024-05-01T12:00:00Z"}).tags == ["a", "b"]


def test_a_payload_the_contract_refuses_is_refused_where_it_breaks_it() -> None:
    event = event_model(_contract.Contract(document(["date-time"])))
    with pytest.raises(ValidationError, match=r"the contract refuses this payload at /tags: .* non-unique"):
        event.model_validate({"tags": ["a", "a"]})


def test_the_formats_asserted_are_the_ones_the_contract_lists() -> None:
    payload = {"at": "yesterday"}
    with pytest.raises(ValidationError, match="at /at: 'yesterday' is not a 'date-time'"):
        event_model(_contract.Contract(document(["date-time"]))).model_validate(payload)
    assert event_model(_contract.Contract(document([]))).model_validate(payload).at == "yesterday"


def test_the_runtime_reads_the_contract_as_the_generator_writes_it() -> None:
    # The runtime module cannot import the generator, so it keeps its own copies.
    assert _contract._FRAGMENT_SAFE == pointers.FRAGMENT_SAFE
    assert _contract.FORMATS == writer.FORMATS


def test_the_package_ships_the_module_verbatim() -> None:
    copied = (ROOT / "generated" / "subscriptions_webhooks" / "_contract.py").read_text(encoding="utf-8")
    source = (ROOT / "generator" / "runtime" / "_contract.py").read_text(encoding="utf-8")
    assert copied == f"# {MARKER}\n{source}"


@pytest.mark.parametrize(("value", "valid"), [("10:00:00Z", True), ("10:00:00.5+01:00", True), ("10:00:00", False)])
def test_a_time_is_judged_as_json_schema_2020_12_means_it(value: str, valid: bool) -> None:
    # jsonschema's FormatChecker(formats=["time"]) picks draft 3's `%H:%M:%S`, which refuses an offset and wants none.
    assert _contract.format_checker(["time"]).conforms(value, "time") is valid
