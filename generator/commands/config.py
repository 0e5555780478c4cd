"""Defaults for the command line, from `[tool.hookgen]` in the working folder's `pyproject.toml`."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConfigError, Problem
from ..models.codegen import ASSERTABLE_FORMATS, DEFAULT_ASSERTED_FORMATS

KNOWN_KEYS = frozenset({"spec", "output", "package", "assert-formats", "ref-roots"})


@dataclass(frozen=True)
class Config:
    """Where the spec is, where the package goes, and what it is called."""

    spec: Path | None = None
    output: Path | None = None
    package: str | None = None
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS
    ref_roots: tuple[Path, ...] = ()  # folders besides the spec's own that its `$ref`s may read


def load_config(folder: Path) -> Config:
    """Read `[tool.hookgen]`; paths in it are relative to the pyproject's folder."""
    pyproject = folder / "pyproject.toml"
    if not pyproject.is_file():
        return Config()
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("hookgen", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(pyproject), None, "", f"invalid TOML: {exc}")]) from None
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError([Problem(str(pyproject), None, "", f"unknown [tool.hookgen] keys: {', '.join(unknown)}")])
    formats = table.get("assert-formats", sorted(DEFAULT_ASSERTED_FORMATS))
    return Config(
        spec=folder / table["spec"] if "spec" in table else None,
        output=folder / table["output"] if "output" in table else None,
        package=table.get("package"),
        asserted_formats=asserted_formats(formats, str(pyproject)),
        ref_roots=tuple(folder / root for root in _strings(table.get("ref-roots", []), "ref-roots", str(pyproject))),
    )


def _strings(value: object, key: str, where: str) -> list[str]:
    if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
        raise ConfigError([Problem(where, None, "", f"{key} must be a list of strings")])
    return value


def asserted_formats(names: object, where: str) -> frozenset[str]:
    """The formats models assert, checked against what they can assert."""
    if not isinstance(names, list) or not all(isinstance(name, str) for name in names):
        raise ConfigError([Problem(where, None, "", "assert-formats must be a list of format names")])
    unknown = sorted(set(names) - set(ASSERTABLE_FORMATS))
    if unknown:
        known = ", ".join(ASSERTABLE_FORMATS)
        raise ConfigError(
            [Problem(where, None, "", f"formats models cannot assert: {', '.join(unknown)} (known: {known})")]
        )
    return frozenset(names)
