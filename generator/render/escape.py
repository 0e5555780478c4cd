"""Serializers for spec text in generated files: a spec string is data, and lands in code only through these.

Python values go through `repr` (`python_literal`), TOML values through tomli-w, docstring text and Markdown
through escaping that keeps them one line and inert. No template pastes spec text between quotes itself.
"""

from __future__ import annotations

import json
import re
from typing import Any

import tomli_w

from ..errors import printable

# PEP 440's public version scheme (its appendix's regular expression, without the local part).
_PEP440 = re.compile(
    r"v?(?:[0-9]+!)?[0-9]+(?:\.[0-9]+)*(?:[-_.]?(?:a|b|c|rc|alpha|beta|pre|preview)[-_.]?[0-9]*)?"
    r"(?:-[0-9]+|[-_.]?(?:post|rev|r)[-_.]?[0-9]*)?(?:[-_.]?dev[-_.]?[0-9]*)?",
    re.IGNORECASE,
)
_NOT_LOCAL = re.compile(r"[^a-z0-9]+")
# Inline Markdown syntax (the text is never at the start of a line, where `1.` or `-` would matter too).
_MARKDOWN_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def python_literal(value: Any) -> str:
    """A Python literal for a JSON value (dicts keep their order); `repr` escapes every string."""
    return repr(value)


def json_text(value: Any) -> str:
    """A JSON document on one line (dicts keep their order; text as it is, UTF-8), ending with a newline."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":")) + "\n"


def one_line(text: object) -> str:
    """Text with every run of white space (newlines, U+2028...) made one space."""
    return " ".join(str(text).split())


def docstring(text: object) -> str:
    """Text that can stand inside a triple-quoted docstring: one line, quotes and backslashes escaped."""
    return printable(one_line(text).replace("\\", "\\\\").replace('"', '\\"'))


def toml_value(value: Any) -> str:
    """A TOML value, written by tomli-w."""
    return tomli_w.dumps({"v": value}).removeprefix("v = ").rstrip("\n")


def package_version(version: object) -> str:
    """A PEP 440 version for the generated distribution: the spec's own when valid, else `0.0.0+<it, as a label>`.

    `info.version` is free text (`2024-10-01`, `v2 beta`); pip refuses a package whose version is not PEP 440.
    """
    text = str(version).strip()
    if _PEP440.fullmatch(text):
        return text
    label = _NOT_LOCAL.sub(".", text.lower()).strip(".")
    return f"0.0.0+{label}" if label else "0.0.0"


def markdown(text: object) -> str:
    """Text for Markdown prose: one line, every character Markdown gives a meaning to escaped."""
    return printable(_MARKDOWN_SPECIAL.sub(r"\\\1", one_line(text)))


def markdown_code(text: object) -> str:
    """A Markdown code span holding the text as it is, fenced with more backticks than it contains."""
    content = printable(one_line(text))
    fence = "`" * (max((len(run) for run in re.findall(r"`+", content)), default=0) + 1)
    padding = " " if content.startswith("`") or content.endswith("`") else ""
    return f"{fence}{padding}{content}{padding}{fence}"
