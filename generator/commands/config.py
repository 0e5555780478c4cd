"""Defaults for the command line, from `[tool.hookgen]` in the nearest `pyproject.toml` (as ruff and pytest find it)."""

from __future__ import annotations

import difflib
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ConfigError, Problem
from ..models.codegen import ASSERTABLE_FORMATS, DEFAULT_ASSERTED_FORMATS, model_settings
from ..runtime._signatures import scheme_from_declaration
from ..spec.load import display_path
from ..spec.rules import RuleSettings, parse_settings

KNOWN_KEYS = frozenset(
    {"spec", "output", "package", "assert-formats", "ref-roots", "templates", "rules", "signature", "models"}
)


@dataclass(frozen=True)
class Config:
    """Where the spec is, where the package goes, and what it is called."""

    spec: Path | None = None
    output: Path | None = None
    package: str | None = None
    asserted_formats: frozenset[str] = DEFAULT_ASSERTED_FORMATS
    ref_roots: tuple[Path, ...] = ()  # folders besides the spec's own that its `$ref`s may read
    templates: Path | None = None  # a folder of templates searched before the built-in ones
    rules: RuleSettings = field(default_factory=RuleSettings)  # lint rules switched off or re-levelled
    signature: dict[str, Any] | None = None  # the scheme of webhooks that declare none (x-webhook-signature form)
    models: dict[str, Any] = field(default_factory=dict)  # datamodel-code-generator options ([tool.hookgen.models])


def find_pyproject(start: Path) -> Path | None:
    """The `pyproject.toml` in `start` or the nearest folder above it, if any."""
    folder = start.resolve()
    return next((f / "pyproject.toml" for f in (folder, *folder.parents) if (f / "pyproject.toml").is_file()), None)


def load_config(start: Path) -> Config:
    """Read `[tool.hookgen]` of the nearest `pyproject.toml`; paths in it are relative to that file's folder."""
    pyproject = find_pyproject(start)
    if pyproject is None:
        return Config()
    folder = pyproject.parent
    try:
        table = tomllib.loads(pyproject.read_text(encoding="utf-8")).get("tool", {}).get("hookgen", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError([Problem(str(pyproject), None, "", f"invalid TOML: {exc}")]) from None
    unknown = sorted(set(table) - KNOWN_KEYS)
    if unknown:
        raise ConfigError([Problem(display_path(pyproject), None, "", unknown_key(key)) for key in unknown])
    formats = table.get("assert-formats", sorted(DEFAULT_ASSERTED_FORMATS))
    return Config(
        spec=folder / table["spec"] if "spec" in table else None,
        output=folder / table["output"] if "output" in table else None,
        package=table.get("package"),
        asserted_formats=asserted_formats(formats, str(pyproject)),
        ref_roots=tuple(folder / root for root in _strings(table.get("ref-roots", []), "ref-roots", str(pyproject))),
        templates=folder / table["templates"] if isinstance(table.get("templates"), str) else None,
        rules=_rules(table.get("rules", {}), display_path(pyproject)),
        signature=signature_default(table["signature"], display_path(pyproject)) if "signature" in table else None,
        models=_models(table.get("models", {}), display_path(pyproject)),
    )


def _models(table: object, where: str) -> dict[str, Any]:
    options, wrong = model_settings(table)
    if wrong:
        raise ConfigError([Problem(where, None, "", message) for message in wrong])
    return options


def _rules(table: object, where: str) -> RuleSettings:
    settings, wrong = parse_settings(table, where)
    if wrong:
        raise ConfigError([Problem(where, None, "", message) for message in wrong])
    return settings


def signature_default(value: object, where: str) -> dict[str, Any]:
    """The `signature` setting as an `x-webhook-signature` declaration (a scheme name, or a table like it)."""
    declaration = {"scheme": value} if isinstance(value, str) else value
    if not isinstance(declaration, dict):
        raise ConfigError(
            [Problem(where, None, "", "signature must be a scheme name or a table (as x-webhook-signature)")]
        )
    try:
        scheme_from_declaration(declaration)
    except ValueError as error:  # the runtime module raises ValueError: it is copied into packages, stdlib only
        raise ConfigError([Problem(where, None, "", f"[tool.hookgen] signature: {error}")]) from None
    return dict(declaration)


def unknown_key(key: str) -> str:
    """The message for a `[tool.hookgen]` key hookgen does not know, with the closest known one."""
    close = difflib.get_close_matches(key, sorted(KNOWN_KEYS), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else f" (known: {', '.join(sorted(KNOWN_KEYS))})"
    return f"unknown [tool.hookgen] key {key!r}{hint}"


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
