"""Types the models use where Pydantic's own would accept more than the contract allows."""

import copy
import datetime as _datetime
import inspect
import re
from typing import Annotated, Any

from pydantic import AwareDatetime as _AwareDatetime
from pydantic import BaseModel, BeforeValidator, GetJsonSchemaHandler, GetPydanticSchema, Strict
from pydantic.json_schema import JsonSchemaValue

# RFC 3339 (what JSON Schema's `date`, `time` and `date-time` mean): seconds and an offset are required, `T` separates
# date and time (either case, as `Z`). Pydantic alone also reads `2020-01-01 00:00Z`, `10:00` and a date-time as a
# date. Day ranges, and what a datetime can hold, Pydantic checks after this.
_FULL_DATE = r"\d{4}-(?:0[1-9]|1[0-2])-\d{2}"
_FULL_TIME = r"(?:[01]\d|2[0-3]):[0-5]\d:[0-5]\d(?:\.\d+)?(?:[Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)"
_DATE = re.compile(_FULL_DATE, re.ASCII)
_TIME = re.compile(_FULL_TIME, re.ASCII)
_DATE_TIME = re.compile(f"{_FULL_DATE}[Tt]{_FULL_TIME}", re.ASCII)


def _rfc3339(pattern: re.Pattern[str], name: str, rule: str) -> Any:
    def check(value: Any) -> Any:
        # JSON carries dates and times as strings; Pydantic alone would read 12345 as a Unix time.
        if isinstance(value, int | float):
            raise ValueError(f"a {name} must be given as a string")
        if isinstance(value, str) and pattern.fullmatch(value) is None:
            raise ValueError(f"not an RFC 3339 {name}{rule}")
        return value

    return BeforeValidator(check)


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


# Values that are JSON data, not schemas: nothing under them is renamed. Under these, each value is a schema, whatever
# its name (a property may be called `default`).
_DATA_KEYWORDS = frozenset({"examples", "example", "default", "const", "enum"})
_SCHEMA_MAPS = frozenset({"properties", "patternProperties", "$defs", "dependentSchemas"})


def with_json_schema_names(schema: Any) -> Any:
    """A JSON schema with Pydantic's constraint names (`ge`) written as JSON Schema's (`minimum`), in place.

    Where a field's type is a union (`StrictInt | None`, `StrictInt | MISSING`), Pydantic applies its constraints to
    the integer inside the union after `StrictInt`'s own schema is made, and writes them with their Python names: no
    hook of the type sees them. Only numbers are renamed, in schemas typed `integer` or `number`.
    """
    if isinstance(schema, list):
        for item in schema:
            with_json_schema_names(item)
        return schema
    if not isinstance(schema, dict):
        return schema
    numeric = schema.get("type") in ("integer", "number")
    for key in list(schema):
        value = schema[key]
        if numeric and key in _JSON_SCHEMA_NAMES and isinstance(value, int | float) and not isinstance(value, bool):
            schema[_JSON_SCHEMA_NAMES[key]] = schema.pop(key)
        elif key in _SCHEMA_MAPS and isinstance(value, dict):
            for subschema in value.values():
                with_json_schema_names(subschema)
        elif key not in _DATA_KEYWORDS:
            with_json_schema_names(value)
    return schema


def enum_json_schema(extra: dict[str, Any]) -> Any:
    """An Enum class's `__get_pydantic_json_schema__`: Pydantic's schema of it, with the spec's `title`, `examples`.

    Pydantic titles an enum with its class name and has no `json_schema_extra` for it, as a model's config has.
    """

    def json_schema(cls: type, core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)  # a `$ref` to the enum's own definition, which takes the keywords
        handler.resolve_ref_schema(schema).update(copy.deepcopy(extra))
        return schema

    return classmethod(json_schema)


def with_bases_json_schema() -> Any:
    """A derived model's `__get_pydantic_json_schema__`: Pydantic's flat schema of it, and `allOf` its bases' schemas.

    The spec's `allOf: [{$ref: Base}, {...}]` is a Python subclass, whose schema Pydantic writes flat: every field is
    there, but not the base's own title, description and examples. The bases' schemas say them (what they require,
    the flat schema requires too). A title or examples the class only inherits with its base's `model_config` are
    the base's, not its own: they are taken off the flat schema.
    """

    def json_schema(cls: type[BaseModel], core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = handler(core_schema)
        target = handler.resolve_ref_schema(schema)
        bases = [base for base in cls.__bases__ if issubclass(base, BaseModel) and base is not BaseModel]
        inherited = cls.model_config.get("json_schema_extra")
        if isinstance(inherited, dict) and any(inherited is b.model_config.get("json_schema_extra") for b in bases):
            for key in inherited:
                target.pop(key, None)
            target["title"] = cls.__name__  # Pydantic's title for a class the spec does not title
            if cls.__doc__:
                target["description"] = inspect.cleandoc(cls.__doc__)
        if bases:
            # After the conditions the class's own `model_config` may give (`allOf: [{if: ..., then: ...}]`).
            target["allOf"] = [*target.get("allOf", []), *(handler(base.__pydantic_core_schema__) for base in bases)]
        return schema

    return classmethod(json_schema)


def with_words_json_schema(words: dict[str, Any], *, bases: bool = False) -> Any:
    """A model's `__get_pydantic_json_schema__`: Pydantic's schema of it, with the spec's words where it has no place.

    `words` mirrors the schema's shape (`properties`, `items`, `additionalProperties`, `$defs`; `anyOf` lists a union's
    scalar branches by `type`): a scalar branch's examples, a map value's description. Each word is added to the schema
    object Pydantic wrote at that place, if it wrote one and says nothing there itself; nothing else is created.
    `bases`: the class is derived from generated classes, and its schema is `with_bases_json_schema`'s first.
    """
    then = with_bases_json_schema().__func__ if bases else None

    def json_schema(cls: type[BaseModel], core_schema: Any, handler: GetJsonSchemaHandler) -> JsonSchemaValue:
        schema = then(cls, core_schema, handler) if then is not None else handler(core_schema)
        _with_words(handler.resolve_ref_schema(schema), words)
        return schema

    return classmethod(json_schema)


_WORD_PLACES = frozenset({"items", "additionalProperties"})


def _with_words(schema: dict[str, Any], words: dict[str, Any]) -> None:
    for key, value in words.items():
        if key == "properties":
            produced = schema.get("properties")
            for name, inner in value.items():
                if isinstance(produced, dict) and isinstance(produced.get(name), dict):
                    _with_words(produced[name], inner)
        elif key in _WORD_PLACES:
            place = schema.get(key)
            patterned = schema.get("patternProperties")
            if key == "additionalProperties" and place is None and isinstance(patterned, dict) and len(patterned) == 1:
                place = next(iter(patterned.values()))  # a map whose keys have a pattern: its values are there
            if isinstance(place, dict):
                _with_words(place, value)
        elif key == "anyOf":  # Pydantic writes a union `anyOf`, whatever the source's keyword
            branches = [branch for branch in schema.get("anyOf", []) if isinstance(branch, dict)]
            for inner in value:
                typed = [branch for branch in branches if branch.get("type") == inner["type"]]
                if len(typed) == 1:
                    _with_words(typed[0], {k: v for k, v in inner.items() if k != "type"})
        else:
            schema.setdefault(key, copy.deepcopy(value))


AwareDatetime = Annotated[
    _AwareDatetime, _rfc3339(_DATE_TIME, "date-time", " (YYYY-MM-DDThh:mm:ss, then Z or a timezone offset)")
]
date = Annotated[_datetime.date, _rfc3339(_DATE, "date", " (YYYY-MM-DD)")]
time = Annotated[_datetime.time, _rfc3339(_TIME, "time", " (hh:mm:ss, then Z or a timezone offset)")]
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

__all__ = [
    "AwareDatetime",
    "StrictBool",
    "StrictFloat",
    "StrictInt",
    "date",
    "enum_json_schema",
    "time",
    "with_bases_json_schema",
    "with_words_json_schema",
]
