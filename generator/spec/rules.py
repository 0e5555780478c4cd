"""The lint rules: the one catalogue (id, default level, one line), and the settings that switch or re-level them.

A finding of a rule is a `Problem` carrying the rule's id. `[tool.hookgen.rules]` sets a rule `off`, `warning`
or `error`; `--strict` then makes every finding still on an error. `x-hookgen-ignore: [rule-id, ...]` on a map
of a spec file silences the findings of those rules placed at that map or inside it, in that file (a `$ref`
is not followed: a finding in another file is silenced there).
"""

from __future__ import annotations

import difflib
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from ..errors import Level, Problem
from . import pointers
from .load import SourceFile
from .walk import json_values

IGNORE_EXTENSION = "x-hookgen-ignore"
OFF = "off"
SETTINGS = (OFF, Level.WARNING.value, Level.ERROR.value)


@dataclass(frozen=True)
class Rule:
    """One lint rule: its id, the level of its findings unless configured, and what it asks of a spec."""

    id: str
    level: Level
    summary: str


CATALOGUE = (
    Rule("request-body", Level.WARNING, "every webhook has a required request body with a JSON schema"),
    Rule("invalid-example", Level.WARNING, "examples (a body's `example`/`examples`, a schema's) fit their schema"),
    Rule("operation-id", Level.WARNING, "operationIds are unique and give distinct Python names"),
    Rule(
        "signature-scheme",
        Level.WARNING,
        "each webhook has a signature scheme: its own `x-webhook-signature`, the document's, or the configured one",
    ),
    Rule("success-response", Level.WARNING, "each webhook declares a 2xx response"),
    Rule("missing-description", Level.WARNING, "each webhook operation has a description or a summary"),
    Rule(
        "name-collision",
        Level.WARNING,
        "no two webhooks, nor two headers of one webhook, get the same Python name after normalisation",
    ),
    Rule("unknown-keyword", Level.WARNING, "no misspelt schema keyword (`propertes`): it would be ignored"),
    Rule("undeclared-required", Level.WARNING, "every `required` name is a declared property"),
    Rule("default-mismatch", Level.WARNING, "a `default` fits its schema's type and enum"),
    Rule("discriminator-mapping", Level.ERROR, "every `discriminator` mapping names a schema that exists"),
    Rule(
        "numbered-name",
        Level.WARNING,
        "an inline schema's model is named from where it stands; a number is the last resort, and said",
    ),
)
RULES: Mapping[str, Rule] = {rule.id: rule for rule in CATALOGUE}


def finding(problem: Problem, rule_id: str) -> Problem:
    """The problem as a finding of a rule, at the rule's default level."""
    return replace(problem, rule=rule_id, level=RULES[rule_id].level)


def unknown_rule(rule_id: str) -> str:
    """The message for a rule id that is not in the catalogue, with the closest one."""
    close = difflib.get_close_matches(rule_id, list(RULES), n=1, cutoff=0.6)
    hint = f"; did you mean {close[0]!r}?" if close else " (`hookgen rules` lists them)"
    return f"unknown rule {rule_id!r}{hint}"


@dataclass(frozen=True)
class RuleSettings:
    """The configured level of each re-levelled rule (None: off)."""

    levels: Mapping[str, Level | None] = field(default_factory=dict)

    def apply(self, problems: Iterable[Problem], sources: Iterable[SourceFile], *, strict: bool) -> list[Problem]:
        """The problems with every finding re-levelled as configured, and those switched off or ignored dropped.

        Also an error for each `x-hookgen-ignore` that names no known rule.
        """
        files = {source.name: source for source in sources}
        kept: list[Problem] = []
        bad: list[Problem] = []
        for source in files.values():
            bad += _bad_ignores(source)
        for problem in problems:
            if not problem.rule:
                kept.append(problem)
                continue
            level = self.levels.get(problem.rule, problem.level)
            if level is None or _ignored(files.get(problem.file), problem):
                continue
            kept.append(replace(problem, level=Level.ERROR if strict else level))
        return sorted(set(kept + bad))


def parse_settings(table: object, where: str) -> tuple[RuleSettings, list[str]]:
    """The settings of a `[tool.hookgen.rules]` table, and a message for each entry that cannot be used."""
    if not isinstance(table, dict):
        return RuleSettings(), ["[tool.hookgen.rules] must be a table of rule ids to off, warning or error"]
    levels: dict[str, Level | None] = {}
    wrong = []
    for rule_id, value in table.items():
        if rule_id not in RULES:
            wrong.append(f"[tool.hookgen.rules]: {unknown_rule(rule_id)}")
        elif value not in SETTINGS:
            wrong.append(f"[tool.hookgen.rules] {rule_id} must be one of {', '.join(SETTINGS)}, not {value!r}")
        else:
            levels[rule_id] = None if value == OFF else Level(value)
    return RuleSettings(levels), wrong


def _ignored(source: SourceFile | None, problem: Problem) -> bool:
    """Whether a map on the way from the file's root to the problem's place ignores its rule."""
    if source is None:
        return False
    node = source.data
    for token in [None, *pointers.parts(problem.pointer)]:
        if token is not None:
            node = _child(node, token)
        if not isinstance(node, dict):
            return False
        ignored = node.get(IGNORE_EXTENSION)
        if isinstance(ignored, list) and problem.rule in ignored:
            return True
    return False


def _child(node: Any, token: str) -> Any:
    if isinstance(node, dict):
        return node.get(token)
    if isinstance(node, list) and token.isascii() and token.isdigit() and int(token) < len(node):
        return node[int(token)]
    return None


def _bad_ignores(source: SourceFile) -> Iterator[Problem]:
    if IGNORE_EXTENSION not in source.text:  # the walk costs time on big specs; most have no such key
        return
    for pointer, node in json_values(source.data):
        if not isinstance(node, dict) or IGNORE_EXTENSION not in node:
            continue
        at = pointers.join(pointer, IGNORE_EXTENSION)
        ignored = node[IGNORE_EXTENSION]
        if not isinstance(ignored, list) or not all(isinstance(rule_id, str) for rule_id in ignored):
            yield Problem(source.name, source.line(at), at, f"{IGNORE_EXTENSION} must be a list of rule ids")
            continue
        for index, rule_id in enumerate(ignored):
            if rule_id not in RULES:
                place = pointers.join(at, index)
                yield Problem(source.name, source.line(place), place, f"{IGNORE_EXTENSION}: {unknown_rule(rule_id)}")
