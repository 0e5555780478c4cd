"""The types in generator/runtime/_types.py, which generated packages import, refuse what the contract refuses."""

from __future__ import annotations

from typing import Any

import pydantic
import pytest

from generator.runtime._types import StrictBool, StrictFloat, StrictInt, _integral_float_as_int

INTEGER = pydantic.TypeAdapter(StrictInt)
NUMBER = pydantic.TypeAdapter(StrictFloat)
BOOLEAN = pydantic.TypeAdapter(StrictBool)


@pytest.mark.parametrize(("value", "read"), [(5.0, 5), (-3.0, -3), (1e20, 10**20), (5, 5), (5.5, 5.5), ("5", "5")])
def test_only_an_integral_float_becomes_an_int(value: Any, read: Any) -> None:
    assert _integral_float_as_int(value) == read
    assert type(_integral_float_as_int(value)) is type(read)


def test_a_bool_is_not_taken_for_a_float() -> None:
    assert _integral_float_as_int(True) is True


@pytest.mark.parametrize(("adapter", "value", "read"), [(INTEGER, 5, 5), (INTEGER, 5.0, 5), (NUMBER, 5, 5.0)])
def test_what_json_schema_allows_is_accepted(adapter: pydantic.TypeAdapter[Any], value: Any, read: Any) -> None:
    assert (adapter.validate_python(value), type(adapter.validate_python(value))) == (read, type(read))
    assert adapter.validate_json(repr(value)) == read


@pytest.mark.parametrize(
    ("adapter", "value"),
    [
        (INTEGER, "5"),
        (INTEGER, True),
        (INTEGER, 5.5),
        (INTEGER, float("inf")),
        (NUMBER, "1.5"),
        (NUMBER, True),
        (BOOLEAN, "true"),
        (BOOLEAN, 1),
        (BOOLEAN, "yes"),
    ],
)
def test_what_json_schema_refuses_is_refused(adapter: pydantic.TypeAdapter[Any], value: Any) -> None:
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_python(value)


@pytest.mark.parametrize(("adapter", "body"), [(INTEGER, '"5"'), (INTEGER, "true"), (NUMBER, '"1.5"'), (BOOLEAN, "1")])
def test_json_is_refused_alike(adapter: pydantic.TypeAdapter[Any], body: str) -> None:
    with pytest.raises(pydantic.ValidationError):
        adapter.validate_json(body)
