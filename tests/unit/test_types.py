"""The types in generator/runtime/_types.py, which generated packages import, refuse what the contract refuses."""

from __future__ import annotations

import json
from typing import Any

import pydantic
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.runtime._contract import format_checker
from generator.runtime._types import (
    AwareDatetime,
    StrictBool,
    StrictFloat,
    StrictInt,
    _integral_float_as_int,
    date,
    time,
)

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


# RFC 3339, which JSON Schema's `date`, `time` and `date-time` mean. The real check is jsonschema's, as 2020-12 means
# them (rfc3339-validator underneath): what `hookgen fidelity` and the contract check judge with.
FORMATS = format_checker(["date", "date-time", "time"])
ADAPTERS = {
    "date-time": pydantic.TypeAdapter(AwareDatetime),
    "date": pydantic.TypeAdapter(date),
    "time": pydantic.TypeAdapter(time),
}


def _reads(form: str, value: Any) -> bool:
    try:
        ADAPTERS[form].validate_python(value)
    except pydantic.ValidationError:
        return False
    return True


@pytest.mark.parametrize(
    ("form", "value"),
    [
        ("date-time", "2020-01-01T00:00Z"),
        ("date-time", "2020-01-01 00:00:00Z"),
        ("date-time", "2020-01-01T00:00:00"),
        ("date-time", "2020-01-01T00:00:00+0530"),
        ("date-time", "2020-01-01"),
        ("date-time", 1577836800),
        ("time", "10:00"),
        ("time", "10:00Z"),
        ("time", "10:00:00"),
        ("date", "2021-02-03T00:00:00Z"),
        ("date", "2021-02-03 00:00"),
        ("date", 1612310400),
    ],
)
def test_what_rfc_3339_refuses_is_refused(form: str, value: Any) -> None:
    assert not FORMATS.conforms(value, form) or not isinstance(value, str)
    assert not _reads(form, value)
    with pytest.raises(pydantic.ValidationError):
        ADAPTERS[form].validate_json(json.dumps(value))


@pytest.mark.parametrize(
    ("form", "value"),
    [
        ("date-time", "2020-01-01T00:00:00Z"),
        ("date-time", "2020-01-01t00:00:00.123456789z"),
        ("date-time", "2020-02-29T23:59:59.5+05:30"),
        ("date-time", "2020-01-01T00:00:00-23:59"),
        ("time", "10:00:00Z"),
        ("time", "10:00:00.25+01:00"),
        ("date", "2021-02-03"),
    ],
)
def test_what_rfc_3339_allows_is_read(form: str, value: str) -> None:
    assert FORMATS.conforms(value, form)
    assert _reads(form, value)
    ADAPTERS[form].validate_json(json.dumps(value))


def _two_digits(low: int, high: int) -> st.SearchStrategy[str]:
    return st.one_of(st.integers(low, high), st.integers(0, 99)).map(lambda n: f"{n:02d}")


# Mostly well-formed pieces, each sometimes wrong: the strings land on both sides of RFC 3339.
_DATES = st.builds(
    "{}{}{}{}{}".format,
    st.one_of(st.integers(1, 9999), st.integers(0, 99999)).map(lambda n: f"{n:04d}"),
    st.sampled_from(["-", "-", "/"]),
    _two_digits(1, 12),
    st.sampled_from(["-", "-", ""]),
    _two_digits(1, 31),
)
_TIMES = st.builds(
    "{}{}{}{}{}{}".format,
    _two_digits(0, 23),
    st.sampled_from([":", ":", ""]),
    _two_digits(0, 59),
    st.sampled_from([":00", ":59", ":60", "", ":5", ":07"]),
    st.sampled_from(["", ".5", ".123456789", ".", "0"]),
    st.sampled_from(["Z", "z", "+05:30", "-23:59", "+24:00", "+0530", "", "+05", "+00:60"]),
)
_DATE_TIMES = st.builds("{}{}{}".format, _DATES, st.sampled_from(["T", "t", " ", "", "_"]), _TIMES)


@settings(max_examples=1500, derandomize=True, suppress_health_check=list(HealthCheck))
@given(
    st.one_of(
        st.tuples(st.just("date-time"), _DATE_TIMES),
        st.tuples(st.just("date"), _DATES),
        st.tuples(st.just("time"), _TIMES),
    )
)
def test_dates_and_times_read_what_rfc_3339_allows_and_nothing_else(drawn: tuple[str, str]) -> None:
    form, value = drawn
    assert _reads(form, value) == FORMATS.conforms(value, form), value
