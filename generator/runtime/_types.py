"""Types the models use where Pydantic's own would accept more than the contract allows."""

import datetime as _datetime
from typing import Annotated, Any

from pydantic import AwareDatetime as _AwareDatetime
from pydantic import BeforeValidator, GetJsonSchemaHandler, GetPydanticSchema, Strict
from pydantic.json_schema import JsonSchemaValue


def _not_a_number(value: Any) -> Any:
    # JSON carries dates and times as strings; Pydantic alone would read 12345 as a Unix time.
    if isinstance(value, int | float):
        raise ValueError("a date or time must be given as a string")
    return value


def _integral_float_as_int(value: Any) -> Any:
    """A float with no fractional part as the integer it is (JSON Schema's `5.0` is an integer); all else unchanged."""
    # The strict `int` after this refuses what remains: strings, booleans, fractions.
    if type(value) is float and value.is_integer():
        return int(value)
    return value


# Pydantic names a constraint it cannot place inside a validator function (`ge`); JSON Schema names it `minimum`.
_JSON_SCHEMA_NAMES = {
    "ge": "minimum",
    "le": "maximum",
    "gt": "exclusiveMinimum",
    "lt": "exclusiveMaximum",
    "multiple_of": "multipleOf",
}


def _json_schema_names(schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
    """The JSON schema Pydantic writes, with its constraint names written as JSON Schema's keywords."""
    return {_JSON_SCHEMA_NAMES.get(key, key): value for key, value in handler(schema).items()}


AwareDatetime = Annotated[_AwareDatetime, BeforeValidator(_not_a_number)]
date = Annotated[_datetime.date, BeforeValidator(_not_a_number)]
time = Annotated[_datetime.time, BeforeValidator(_not_a_number)]
# JSON Schema's `integer`: a whole number, also written `5.0`; never `"5"` or `true` (Pydantic's `int` takes both).
StrictInt = Annotated[
    int,
    Strict(),
    BeforeValidator(_integral_float_as_int),
    GetPydanticSchema(get_pydantic_json_schema=_json_schema_names),
]
# JSON Schema's `number`: an integer or a float; never `"1.5"` or `true`. Pydantic's strict float is exactly that.
StrictFloat = Annotated[float, Strict()]
# JSON Schema's `boolean`: `true` or `false`; never `"true"`, `1` or `"yes"`.
StrictBool = Annotated[bool, Strict()]

__all__ = ["AwareDatetime", "StrictBool", "StrictFloat", "StrictInt", "date", "time"]
