"""JSON Pointers and the URI fragments that carry them: escaping, splitting, resolving, containment."""

from __future__ import annotations

from urllib.parse import unquote

import jsonschema
import pytest
from hypothesis import given
from hypothesis import strategies as st

from generator.spec import pointers

# Any text a JSON key may hold (lone surrogates cannot be encoded, in JSON or in a URI).
KEYS = st.text(st.characters(exclude_categories=["Cs"]))


@pytest.mark.parametrize(
    ("token", "escaped"),
    [("a/b", "a~1b"), ("a~b", "a~0b"), ("~1", "~01"), ("/~", "~1~0"), ("", ""), (3, "3"), ("100%", "100%")],
)
def test_escape_and_unescape(token: str | int, escaped: str) -> None:
    assert pointers.escape(token) == escaped
    assert pointers.unescape(escaped) == str(token)


def test_unescape_reads_tilde_one_before_tilde_zero() -> None:
    # `~01` is an escaped `~` followed by `1`, never a `/`.
    assert pointers.unescape("~01") == "~1"


@given(KEYS)
def test_escape_round_trips(token: str) -> None:
    assert pointers.unescape(pointers.escape(token)) == token
    assert "/" not in pointers.escape(token)


def test_join_escapes_each_token() -> None:
    assert pointers.join("/components/schemas", "a/b", "c~d", 0) == "/components/schemas/a~1b/c~0d/0"
    assert pointers.join("") == ""


@pytest.mark.parametrize(
    ("pointer", "tokens"),
    [("", []), ("/", [""]), ("/a~1b/c~0d", ["a/b", "c~d"]), ("/a//b", ["a", "", "b"]), ("//a", ["", "a"])],
)
def test_parts(pointer: str, tokens: list[str]) -> None:
    assert pointers.parts(pointer) == tokens


@given(st.lists(KEYS))
def test_join_and_parts_round_trip(tokens: list[str]) -> None:
    pointer = pointers.join("", *tokens)
    assert pointers.parts(pointer) == tokens
    assert pointers.join("", *pointers.parts(pointer)) == pointer


DOCUMENT = {"a/b": {"c~d": [10, {"": "empty key"}]}, "": {"x": 1}, "list": [0, 1]}


@pytest.mark.parametrize(
    ("pointer", "value"),
    [
        ("", DOCUMENT),
        ("/a~1b/c~0d/0", 10),
        ("/a~1b/c~0d/1/", "empty key"),
        ("//x", 1),
        ("/list/1", 1),
    ],
)
def test_resolve(pointer: str, value: object) -> None:
    assert pointers.resolve(DOCUMENT, pointer) == value


@pytest.mark.parametrize(
    "pointer",
    # Superscript two and Arabic-Indic one are digits to str.isdigit, not list indexes.
    [
        "/missing",
        "/a/b",
        "/list/2",
        "/list/-",
        "/list/x",
        "/list/²",
        "/list/\u0661",
        "/list/0/deeper",
        "/a~1b/c~0d/1/x",
    ],
)
def test_resolve_raises_key_error_naming_the_pointer(pointer: str) -> None:
    with pytest.raises(KeyError) as raised:
        pointers.resolve(DOCUMENT, pointer)
    assert raised.value.args == (pointer,)


@given(KEYS)
def test_resolve_in_a_list_gives_an_item_or_key_error(token: str) -> None:
    items = list(range(12))
    try:
        found = pointers.resolve(items, pointers.join("", token))
    except KeyError:
        assert not (token.isascii() and token.isdigit() and int(token) < len(items))
    else:
        assert found == int(token)


@pytest.mark.parametrize(
    ("pointer", "roots", "within"),
    [
        ("/a", {"/a"}, True),
        ("/a/b/c", {"/a"}, True),
        ("/a/b", {"/x", "/a/b"}, True),
        ("/ab", {"/a"}, False),  # a shared prefix is not a shared token
        ("/a", {"/a/b"}, False),
        ("/a~1b/c", {"/a~1b"}, True),
        ("/a~1b", {"/a"}, False),  # `a/b` is one token
        ("/a", set(), False),
    ],
)
def test_is_within(pointer: str, roots: set[str], within: bool) -> None:
    assert pointers.is_within(pointer, roots) is within


@pytest.mark.parametrize(
    ("pointer", "expected"),
    [
        ("/components/schemas/Pet", "#/components/schemas/Pet"),
        ("/components/schemas/a~1b", "#/components/schemas/a~1b"),
        ("/components/schemas/100%", "#/components/schemas/100%25"),
        ("/components/schemas/a b", "#/components/schemas/a%20b"),
        ("/$defs/x:y", "#/$defs/x:y"),
    ],
)
def test_fragment_percent_encodes(pointer: str, expected: str) -> None:
    assert pointers.fragment(pointer) == expected


@given(st.lists(KEYS))
def test_fragment_is_ascii_and_decodes_to_the_pointer(tokens: list[str]) -> None:
    pointer = pointers.join("", *tokens)
    encoded = pointers.fragment(pointer)
    assert encoded.isascii()
    assert "#" not in encoded[1:]
    assert unquote(encoded[1:]) == pointer


@pytest.mark.parametrize("name", ["100%", "a b", "a/b", "a~b", "é#?"])
def test_fragment_is_a_ref_jsonschema_resolves(name: str) -> None:
    schema = {"$defs": {name: {"type": "integer"}}, "$ref": pointers.fragment(pointers.join("/$defs", name))}
    validator = jsonschema.Draft202012Validator(schema)
    assert validator.is_valid(3)
    assert not validator.is_valid("3")
