"""The contract's own schema, for what the models cannot say (`oneOf`, `not`, `uniqueItems`, ...).

Body models whose schema needs it carry `contract_check(pointer)`: a `before` validator that refuses a
payload the contract refuses, before Pydantic reads it. The contract is cut into shares, one per group of models
(`_contracts/NAME.json`, beside this module, NAME as in `models/NAME.py`): a share holds the checks of its group's
bodies (under `$defs`), the schemas they reach, and the formats the models assert (`assertedFormats`), which the
check asserts too, so that both read a string alike. `_contracts/index.json` names the share of each check. A
share is read, and each validator built, on the first payload that needs it: a receiver reads only the shares of
the webhooks it is sent.
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Any
from urllib.parse import quote

import jsonschema
from pydantic import model_validator
from referencing import Registry, Resource
from referencing.jsonschema import DRAFT202012

# The shares' folder beside this module, and the file in it naming each check's share (render.py writes both).
SHARES = "_contracts"
INDEX = "index.json"
CONTRACT_URI = "urn:hookgen:contract"
# The contract's top-level key that lists the formats the models assert.
FORMATS = "assertedFormats"
# A JSON pointer in a URI fragment: what a fragment may hold stays, anything else (`%`, spaces) is percent-encoded.
# The generator's copy is generator/spec/pointers.py's FRAGMENT_SAFE (this module cannot import it).
_FRAGMENT_SAFE = "/~!$&'()*+,;=:@"


class Contract:
    """A contract document, and a JSON Schema 2020-12 validator for each of its schemas, built on first use."""

    def __init__(self, document: dict[str, Any]) -> None:
        resource = Resource.from_contents(document, DRAFT202012)
        self._registry: Registry[Any] = Registry().with_resource(CONTRACT_URI, resource)
        self._formats = format_checker(document[FORMATS])
        self._validators: dict[str, jsonschema.Draft202012Validator] = {}

    def validator(self, pointer: str) -> jsonschema.Draft202012Validator:
        """The validator of the schema at `pointer` in the document."""
        if pointer not in self._validators:
            self._validators[pointer] = jsonschema.Draft202012Validator(
                {"$ref": f"{CONTRACT_URI}#{quote(pointer, safe=_FRAGMENT_SAFE)}"},
                registry=self._registry,
                format_checker=self._formats,
            )
        return self._validators[pointer]


def format_checker(formats: list[str]) -> jsonschema.FormatChecker:
    """A checker of these formats as JSON Schema 2020-12 means them (RFC 3339 `time`: seconds and an offset)."""
    # `FormatChecker(formats=...)` would pick draft 3's `time` (`%H:%M:%S`), which refuses `10:00:00Z`.
    known = jsonschema.Draft202012Validator.FORMAT_CHECKER.checkers
    checker = jsonschema.FormatChecker(formats=())
    checker.checkers = {name: known[name] for name in formats if name in known}
    return checker


@cache
def _shares() -> dict[str, str]:
    """The name of the share that holds each check, by the check's pointer."""
    index: dict[str, str] = json.loads(_read(INDEX))
    return index


@cache
def share(name: str) -> Contract:
    """The share `name` of the contract this package ships (`_contracts/NAME.json`, beside this module)."""
    document: dict[str, Any] = json.loads(_read(f"{name}.json"))
    return Contract(document)


def _read(file: str) -> str:
    return resources.files(__package__).joinpath(SHARES, file).read_text(encoding="utf-8")


def package_contract(pointer: str) -> Contract:
    """The share of the package's contract that holds the check at `pointer`."""
    return share(_shares()[pointer])


def validator(pointer: str) -> jsonschema.Draft202012Validator:
    """The validator of the check at `pointer` in the package's contract."""
    return package_contract(pointer).validator(pointer)


def contract_check(pointer: str, contract: Contract | None = None) -> Any:
    """A `before` model validator: the payload must be valid against the schema at `pointer` in the contract."""
    # `contract` is the package's own unless given; its share is read on the first payload, not when the models are
    # imported.

    def check(cls: type, data: Any) -> Any:
        checked = (contract or package_contract(pointer)).validator(pointer)
        error = jsonschema.exceptions.best_match(checked.iter_errors(data))
        if error is not None:
            where = "/".join(str(part) for part in error.absolute_path)
            raise ValueError(f"the contract refuses this payload at /{where}: {error.message}")
        return data

    return model_validator(mode="before")(classmethod(check))  # type: ignore[arg-type]


__all__ = ["Contract", "contract_check", "format_checker", "package_contract", "share", "validator"]
