"""Python names for things a spec names freely (`payment.succeeded`, `/AUTHORISATION`), and free names.

Every stage that names something (bundled schemas, hoisted bodies, handler functions) picks a free name here.
"""

from __future__ import annotations

import keyword
import re
from collections.abc import Callable, Container, Iterable
from functools import partial
from itertools import chain, count

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NOT_WORD = re.compile(r"[^0-9A-Za-z]+")


def words(text: str) -> list[str]:
    """The words in a name, split at punctuation and at camelCase boundaries, lower-cased."""
    spaced = _WORD_BOUNDARY.sub(" ", text)
    return [word.lower() for word in _NOT_WORD.split(spaced) if word]


def snake_case(text: str, *, fallback: str = "webhook") -> str:
    """A valid snake_case Python identifier for any text (never empty, never a keyword)."""
    name = "_".join(words(text)) or fallback
    if name[0].isdigit():
        name = f"{fallback}_{name}"
    if keyword.iskeyword(name) or keyword.issoftkeyword(name):
        name += "_"
    return name


def pascal_case(text: str, *, fallback: str = "Webhook") -> str:
    """A valid PascalCase Python identifier for any text."""
    name = "".join(word.capitalize() for word in words(text)) or fallback
    return f"{fallback}{name}" if name[0].isdigit() else name


# Words a title is full of that say nothing about whose webhooks these are.
_NOISE = frozenset(
    {
        *("a", "an", "and", "api", "apis", "the", "of", "for", "by", "s", "official", "openapi", "swagger"),
        *("spec", "specification", "schema", "webhook", "webhooks", "extension", "event", "events", "service"),
        *("services", "example", "document", "definition", "definitions", "reference", "public", "rest", "http"),
    }
)


# A version (`v1`) or anything starting with a digit (`3d`) cannot start a package name.
_VERSIONED = re.compile(r"v?\d")


def default_package(title: str, spec_stem: str) -> str:
    """A short package name for a spec: its title's first telling word (acronyms whole) and `_webhooks`.

    `GitHub's official Webhooks OpenAPI spec` gives `github_webhooks`, `OpenAI API` `openai_webhooks`; a title
    with no telling word (Adyen's `Webhooks`) falls back to the spec file's name (`adyen-webhooks-v1`).
    """
    for text in (title, spec_stem):
        telling = [word for word in _plain_words(text) if word not in _NOISE and not _VERSIONED.match(word)]
        if telling:
            return snake_case(f"{telling[0]}_webhooks", fallback="webhooks")
    return "webhooks"


def _plain_words(text: str) -> list[str]:
    """The words of a title, lower-cased, split at punctuation only (`GitHub's` is `github`)."""
    return [word.lower() for word in re.split(r"[^0-9A-Za-z]+", re.sub(r"'s\b", "", text)) if word]


def free_name(taken: Container[str], *preferred: str, numbered: Callable[[int], str]) -> str:
    """The first name not taken: each preferred one in order, then `numbered(2)`, `numbered(3)`..."""
    return next(name for name in chain(preferred, map(numbered, count(2))) if name not in taken)


def unique(names: Iterable[str], reserved: Iterable[str] = ()) -> tuple[list[str], list[tuple[str, str]]]:
    """Make names unique in order: the first keeps its name, later ones get `_2`, `_3`...

    Returns the unique names and, for each renamed one, (original, new).
    """
    taken = set(reserved)
    result: list[str] = []
    renamed: list[tuple[str, str]] = []
    for name in names:
        candidate = free_name(taken, name, numbered=partial("{}_{}".format, name))
        if candidate != name:
            renamed.append((name, candidate))
        taken.add(candidate)
        result.append(candidate)
    return result, renamed
