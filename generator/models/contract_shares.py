"""Cut the contract document into shares: what the checks of one group of models reach, and nothing else.

A receiver's first delivery then reads only the share of its body's models (GitHub's whole contract is 2 MB; a
webhook's share is 1 to 100 kB). A share is the contract document itself with everything the group's checks do not
reach left out: the same pointers, the same `$ref`s, so a check means in its share what it means in the whole. What
is kept is whole: each check under `$defs` a kept check refers to, and each component schema anything kept refers
into. A share of a document whose `$ref`s are not all local JSON pointers keeps everything.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from typing import Any
from urllib.parse import unquote

from ..spec import pointers
from ..spec.walk import ref_strings
from .contract_check import CHECKS

# The top-level members whose entries are kept or left out one by one, and how deep an entry lies in each.
_ENTRY_DEPTH = {CHECKS: 2, "components": 3}


def contract_shares(document: dict[str, Any], checks: Mapping[str, Sequence[str]]) -> dict[str, dict[str, Any]]:
    """For each share name, the part of `document` that the checks at the given pointers reach."""
    referred: dict[tuple[str, ...], list[tuple[str, ...] | None]] = {}  # one walk per entry for all the shares
    return {
        name: contract_share(document, pointers_of, referred) for name, pointers_of in checks.items() if pointers_of
    }


def contract_share(
    document: dict[str, Any],
    checks: Iterable[str],
    referred: dict[tuple[str, ...], list[tuple[str, ...] | None]] | None = None,
) -> dict[str, Any]:
    """The part of the contract `document` that the checks at these pointers reach, in the document's order.

    `referred` keeps the entries each entry refers to, for the next share of the same document.
    """
    referred = {} if referred is None else referred
    kept: set[tuple[str, ...]] = set()
    pending = [_entry(pointers.parts(pointer)) for pointer in checks]
    while pending:
        entry = pending.pop()
        if entry is None:
            return document  # a `$ref` this cut does not follow: the whole document, which means what it means
        if entry in kept:
            continue
        kept.add(entry)
        if entry not in referred:
            referred[entry] = _referred(document, entry)
        pending.extend(referred[entry])
    return _kept(document, kept, ())


def _referred(document: dict[str, Any], entry: tuple[str, ...]) -> list[tuple[str, ...] | None]:
    """The entries an entry's `$ref`s point into (None for a `$ref` the cut does not follow)."""
    try:
        value = pointers.resolve(document, pointers.join("", *entry))
    except KeyError:
        return []  # not in the document: the validator says so, in the share as in the whole
    return [_entry(_ref_parts(ref)) if ref.startswith("#") else None for ref in ref_strings(value)]


def _entry(tokens: list[str]) -> tuple[str, ...] | None:
    """The entry a pointer lies in (a check, a component schema); None where the cut keeps no entries."""
    depth = _ENTRY_DEPTH.get(tokens[0]) if tokens else None
    return tuple(tokens[:depth]) if depth is not None and len(tokens) >= depth else None


def _ref_parts(ref: str) -> list[str]:
    fragment = unquote(ref[1:])
    return pointers.parts(fragment) if fragment.startswith("/") else ["#anchor"]  # `#name`: an anchor, not a pointer


def _kept(node: dict[str, Any], kept: set[tuple[str, ...]], at: tuple[str, ...]) -> dict[str, Any]:
    """`node` with the entries under it that are not kept left out (what lies above or beside entries stays)."""
    depth = _ENTRY_DEPTH.get(at[0]) if at else None
    result: dict[str, Any] = {}
    for key, value in node.items():
        path = (*at, key)
        if not at and key not in _ENTRY_DEPTH:
            result[key] = value  # `assertedFormats`, and anything else the document holds beside its schemas
        elif depth is not None and len(path) == depth:
            if path in kept:
                result[key] = value
        elif isinstance(value, dict):
            result[key] = _kept(value, kept, path)
    return result


__all__ = ["contract_share", "contract_shares"]
