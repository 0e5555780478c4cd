"""Payloads drawn from a webhook's source schema, inside a time budget that holds on any spec.

The generator is hypothesis-jsonschema, chosen deliberately:
- it is the only Python generator that reasons about the whole schema (it merges `allOf`, filters
  `oneOf`/`not`, resolves constraints), so most of what it draws is valid: `jsf` and friends fill
  types and ignore half the keywords;
- it is Hypothesis, so draws are reproducible (`derandomize`) and need no network or Node.js;
- its gap is the dialect (drafts 4 to 7): `draft7()` translates what 2020-12 renamed, and every
  payload is judged afterwards by a real 2020-12 validator, so a translation gap can only cost
  payloads, never produce a wrong verdict.
Its cost is time: canonicalising one of Polar's unrolled schemas can take minutes and cannot be
interrupted from inside, so the draws run in a forked child that is killed when the budget ends.
Payloads stream back one by one, so a killed child still leaves what it drew.
"""

from __future__ import annotations

import contextlib
import json
import multiprocessing
import time
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import Any

from ...spec.walk import inline_refs, map_schema

_FINISHED = b""


@dataclass(frozen=True)
class Drawn:
    """What one budgeted run of the generator produced."""

    payloads: tuple[Any, ...]
    finished: bool  # False when the budget ended first


def draw_payloads(document: dict[str, Any], schema: Any, *, count: int, seconds: float) -> Drawn:
    """Up to `count` payloads for `schema` (local `$ref`s into `document`), drawn within `seconds`."""
    if count <= 0:
        return Drawn((), finished=True)
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    child = context.Process(target=_draw_into, args=(sender, document, schema, count), daemon=True)
    child.start()
    sender.close()
    payloads: list[Any] = []
    finished = False
    deadline = time.monotonic() + seconds
    try:
        while (remaining := deadline - time.monotonic()) > 0 and receiver.poll(remaining):
            message = receiver.recv_bytes()
            if message == _FINISHED:
                finished = True
                break
            payloads.append(json.loads(message))
    except EOFError:
        finished = True  # the child ended without a word: nothing more will come
    finally:
        child.kill()
        child.join()
        receiver.close()
    return Drawn(tuple(payloads), finished)


def _draw_into(sender: Connection, document: dict[str, Any], schema: Any, count: int) -> None:
    # Runs in the child: import here so the parent never pays for Hypothesis it does not use.
    from hypothesis import HealthCheck, Phase, given, settings  # noqa: PLC0415
    from hypothesis import strategies as st  # noqa: PLC0415
    from hypothesis.errors import HypothesisException  # noqa: PLC0415
    from hypothesis_jsonschema import from_schema  # noqa: PLC0415

    translated = draft7(inline_refs(document, schema))

    @settings(
        max_examples=count,
        derandomize=True,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(st.nothing() if translated is False else from_schema(translated))
    def send(payload: Any) -> None:
        sender.send_bytes(json.dumps(payload).encode())

    # Unsatisfiable once recursion is cut, or beyond hypothesis-jsonschema: the caller counts what came.
    with contextlib.suppress(HypothesisException, ValueError, TypeError, RecursionError):
        send()
    sender.send_bytes(_FINISHED)
    sender.close()


def draft7(schema: Any) -> Any:
    """The same schema in draft 7's words, where 2020-12 renamed a keyword."""
    return map_schema(schema, _draft7_keywords)


def _draft7_keywords(schema: dict[str, Any]) -> dict[str, Any]:
    result = {key: value for key, value in schema.items() if key not in ("$schema", "$id")}
    if isinstance(result.get("prefixItems"), list):
        prefix = result.pop("prefixItems")
        if "items" in result:
            result["additionalItems"] = result.pop("items")
        result["items"] = prefix
    dependencies = {**result.pop("dependentRequired", {}), **result.pop("dependentSchemas", {})}
    if dependencies:
        result["dependencies"] = dependencies
    return _containing_items_first(result)


_COUNTS = ("minContains", "maxContains")
_CONTAINS_ONLY = frozenset({"contains", "minContains", "maxContains", "title", "description", "$comment"})


def _containing_items_first(schema: dict[str, Any]) -> dict[str, Any]:
    """An array that must contain several kinds of item (`allOf` of `contains`) drawn with one of each kind first.

    hypothesis-jsonschema cannot merge two `contains`: it draws for one and filters for the others, which almost never
    passes (ucp's order totals: one `subtotal` and one `total` entry). Leading items that each match one `contains`
    narrow the draws to a part of what the schema accepts; the 2020-12 validator still judges every payload.
    """
    members, items = schema.get("allOf"), schema.get("items", True)
    if not isinstance(members, list) or isinstance(items, list):
        return schema
    wanted = [member for member in members if _is_one_required_kind(member)]
    if not wanted:
        return schema
    result = {
        **schema,
        "items": [{"allOf": [items, member["contains"]]} for member in wanted],
        "additionalItems": items,
    }
    rest = [member for member in members if member not in wanted]
    if rest:
        result["allOf"] = rest
    else:
        del result["allOf"]
    return result


def _is_one_required_kind(member: Any) -> bool:
    return (
        isinstance(member, dict)
        and "contains" in member
        and set(member) <= _CONTAINS_ONLY
        and all(isinstance(count, int) and count >= 1 for count in (member.get(key, 1) for key in _COUNTS))
    )
