"""JSON Pointers (RFC 6901) and the URI fragments that carry them (RFC 3986): the one place they are read and written.

In the bundled document a local `$ref` is `#` followed by a plain JSON pointer; in the contract document the
generated package validates with, it is a percent-encoded URI fragment (`fragment`), as `referencing` requires.
"""

from __future__ import annotations

from collections.abc import Set
from typing import Any
from urllib.parse import quote

# What a URI fragment may hold unencoded. The generated package's _contract.py (generator/runtime/) encodes its
# pointers alike, with its own copy, since it cannot import the generator; a test asserts the two are equal.
FRAGMENT_SAFE = "/~!$&'()*+,;=:@"


def escape(token: str | int) -> str:
    """One reference token, escaped for a pointer (`~` as `~0`, `/` as `~1`)."""
    text = token if type(token) is str else str(token)
    if "~" in text or "/" in text:
        return text.replace("~", "~0").replace("/", "~1")
    return text  # most tokens: the walks of a large spec escape about a million


def unescape(token: str) -> str:
    """One reference token as written in a pointer, unescaped."""
    return token.replace("~1", "/").replace("~0", "~")


def join(pointer: str, *parts: str | int) -> str:
    """Append escaped reference tokens to a JSON pointer."""
    if len(parts) == 1:
        return pointer + "/" + escape(parts[0])
    return "/".join([pointer, *map(escape, parts)])


def parts(pointer: str) -> list[str]:
    """Split a JSON pointer into unescaped reference tokens."""
    if not pointer:
        return []
    return [unescape(token) for token in pointer.removeprefix("/").split("/")]


def resolve(document: Any, pointer: str) -> Any:
    """The value at a JSON pointer; KeyError when there is none."""
    node = document
    for token in parts(pointer):
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isascii() and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise KeyError(pointer)
    return node


def value_at(document: Any, tokens: list[str]) -> Any:
    """The value at unescaped reference tokens (datamodel-code-generator's model source paths), or None."""
    node = document
    for token in tokens:
        if isinstance(node, dict):
            node = node.get(token)
        elif isinstance(node, list) and str(token).isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            return None
    return node


def is_within(pointer: str, roots: Set[str]) -> bool:
    """Whether a pointer lies inside (or is) one of the given subtrees."""
    if pointer in roots:
        return True
    tokens = parts(pointer)
    return any(join("", *tokens[:size]) in roots for size in range(len(tokens)))


def fragment(pointer: str) -> str:
    """A `$ref` to `pointer` in the same document: a URI fragment, so `%` and the like are percent-encoded."""
    return "#" + quote(pointer, safe=FRAGMENT_SAFE)
