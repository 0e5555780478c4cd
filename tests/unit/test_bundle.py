"""Bundling a split spec: external schemas named in components, other references inlined, problems located."""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator import pipeline
from generator.errors import Level, Problem
from generator.models import child
from generator.spec import bundle as bundle_module
from generator.spec import pointers, walk
from generator.spec import validate as validate_module
from generator.spec.bundle import Bundle, bundle
from generator.spec.walk import component_ref_name, ref_target

from .conftest import WriteFiles
from .specs import body_pointer, line_of, openapi, post, ref

PETS = """\
Pet:
  type: object
  properties:
    owner:
      $ref: '#/Owner'
Owner:
  type: object
  properties:
    pets:
      type: array
      items:
        $ref: '#/Pet'
a/b:
  type: integer
Broken:
  type: object
  properties:
    thing:
      $ref: '#/Nowhere'
"""

HOOKS = """\
order:
  post:
    summary: An order
    requestBody:
      content:
        application/json:
          schema:
            $ref: '#/Order'
    responses:
      '200': {description: ok}
Order:
  type: object
looping:
  $ref: '#/loops'
loops:
  $ref: '#/looping'
"""


def bundled(write: WriteFiles, files: dict[str, Any], *, strict: bool = False) -> tuple[Bundle, list[Problem]]:
    result, problems = bundle(write(files), strict=strict)
    assert result is not None
    return result, problems


def body_ref(result: Bundle, key: str) -> str:
    schema = pointers.resolve(result.document, body_pointer(key))
    assert isinstance(schema["$ref"], str)
    return schema["$ref"]


@pytest.mark.usefixtures("deadline")
def test_external_schemas_become_components_named_by_their_key(write: WriteFiles) -> None:
    files = {"openapi.yaml": openapi({"pet": post({"$ref": "schemas/pets.yaml#/Pet"})}), "schemas/pets.yaml": PETS}
    result, problems = bundled(write, files)
    assert problems == []
    assert body_ref(result, "pet") == "#/components/schemas/Pet"
    schemas = result.document["components"]["schemas"]
    # Pet and Owner refer to each other: each is bundled once, and the references are rewritten.
    assert set(schemas) == {"Pet", "Owner"}
    assert schemas["Pet"]["properties"]["owner"] == {"$ref": "#/components/schemas/Owner"}
    assert schemas["Owner"]["properties"]["pets"]["items"] == {"$ref": "#/components/schemas/Pet"}
    assert [source.name for source in result.sources] == ["openapi.yaml", "schemas/pets.yaml"]


def test_a_taken_name_gets_the_file_stem_then_a_number(write: WriteFiles) -> None:
    webhooks = {
        "a": post({"$ref": "schemas/pets.yaml#/Pet"}),
        "b": post({"$ref": "v2/pets.yaml#/Pet"}),
        "c": post({"$ref": "schemas/other.yaml#/Pet"}),
        "again": post({"$ref": "./schemas/../schemas/pets.yaml#/Pet"}),
    }
    files = {
        "openapi.yaml": openapi(webhooks, schemas={"Pet": {"type": "string"}}),
        "schemas/pets.yaml": PETS,
        "v2/pets.yaml": {"Pet": {"type": "boolean"}},
        "schemas/other.yaml": {"Pet": {"type": "number"}},
    }
    result, _ = bundled(write, files)
    refs = {key: body_ref(result, key) for key in webhooks}
    assert refs == {
        "a": "#/components/schemas/pets_Pet",
        "b": "#/components/schemas/Pet2",
        "c": "#/components/schemas/other_Pet",
        "again": "#/components/schemas/pets_Pet",  # the same schema, named once
    }
    schemas = result.document["components"]["schemas"]
    assert schemas["Pet"] == {"type": "string"}  # the root's own is untouched
    assert schemas["Pet2"] == {"type": "boolean"}
    assert schemas["other_Pet"] == {"type": "number"}


def test_a_whole_file_schema_is_named_by_the_file_stem(write: WriteFiles) -> None:
    files = {"openapi.yaml": openapi({"pay": post({"$ref": "money.yaml"})}), "money.yaml": {"type": "number"}}
    result, problems = bundled(write, files)
    assert problems == []
    assert body_ref(result, "pay") == "#/components/schemas/money"
    assert result.document["components"]["schemas"]["money"] == {"type": "number"}


def test_a_component_keyed_with_a_slash_is_bundled_under_a_valid_component_key(write: WriteFiles) -> None:
    files = {"openapi.yaml": openapi({"ab": post({"$ref": "schemas/pets.yaml#/a~1b"})}), "schemas/pets.yaml": PETS}
    result, problems = bundled(write, files)
    assert problems == []
    reference = body_ref(result, "ab")
    # OpenAPI's component keys match ^[a-zA-Z0-9._-]+$, so `a/b` is renamed (it was once written unescaped).
    assert reference == "#/components/schemas/a_b"
    assert component_ref_name(reference) == "a_b"
    target = ref_target({"$ref": reference})
    assert target is not None
    assert pointers.resolve(result.document, target) == {"type": "integer"}
    # A problem inside it is placed in the external file, at its line.
    problem = result.problem(pointers.join(target, "type"), "wrong")
    assert (problem.file, problem.pointer) == ("schemas/pets.yaml", "/a~1b/type")
    assert problem.line == line_of(Path("schemas/pets.yaml"), "type: integer")


def test_siblings_of_an_external_ref_are_kept(write: WriteFiles) -> None:
    schema = {"$ref": "money.yaml", "description": "the amount"}
    files = {"openapi.yaml": openapi({"pay": post(schema)}), "money.yaml": {"type": "number"}}
    result, _ = bundled(write, files)
    body = pointers.resolve(result.document, body_pointer("pay"))
    assert body == {"$ref": "#/components/schemas/money", "description": "the amount"}


def test_local_refs_stay_local_as_plain_pointers(write: WriteFiles) -> None:
    schemas = {"100%": {"type": "integer"}, "Common": {"type": "string"}}
    webhooks = {"pct": post({"$ref": "#/components/schemas/100%25"}), "back": post({"$ref": "schemas/back.yaml#/X"})}
    files = {
        "openapi.yaml": openapi(webhooks, schemas=schemas),
        # An external schema that refers back into the root file: no copy of Common is made.
        "schemas/back.yaml": {"X": {"type": "array", "items": {"$ref": "../openapi.yaml#/components/schemas/Common"}}},
    }
    result, problems = bundled(write, files)
    assert problems == []
    assert body_ref(result, "pct") == "#/components/schemas/100%"
    assert pointers.resolve(result.document, "/components/schemas/100%") == {"type": "integer"}
    schemas = result.document["components"]["schemas"]
    assert set(schemas) == {"100%", "Common", "X"}
    assert schemas["X"]["items"] == {"$ref": "#/components/schemas/Common"}


def test_other_external_refs_are_inlined_and_located_in_their_file(write: WriteFiles) -> None:
    files = {"openapi.yaml": openapi({"order": {"$ref": "hooks.yaml#/order"}}), "hooks.yaml": HOOKS}
    result, problems = bundled(write, files)
    assert problems == []
    operation = result.document["webhooks"]["order"]["post"]
    assert operation["summary"] == "An order"
    # The schema it reaches is still a named component.
    assert operation["requestBody"]["content"]["application/json"]["schema"] == ref("Order")
    problem = result.problem("/webhooks/order/post/summary", "too short", Level.WARNING)
    assert problem == Problem("hooks.yaml", 3, "/order/post/summary", "too short", Level.WARNING)


@pytest.mark.usefixtures("deadline")
def test_a_cycle_outside_schemas_is_an_error_at_its_line(write: WriteFiles) -> None:
    files = {"openapi.yaml": openapi({"loop": {"$ref": "hooks.yaml#/looping"}}), "hooks.yaml": HOOKS}
    result, problems = bundled(write, files)
    line = line_of(Path("hooks.yaml"), "$ref: '#/looping'")
    assert problems == [Problem("hooks.yaml", line, "/loops/$ref", "$ref cycle outside schemas")]
    assert result.document["webhooks"]["loop"] == {}


@pytest.mark.usefixtures("deadline")
def test_a_cycle_across_files_is_reported_in_the_file_that_closes_it(write: WriteFiles) -> None:
    files = {
        "openapi.yaml": openapi({"loop": {"$ref": "hooks.yaml#/across"}}),
        "hooks.yaml": HOOKS + "across:\n  $ref: 'more.yaml#/back'\n",
        "more.yaml": "# the way back\nback:\n  $ref: 'hooks.yaml#/across'\n",
    }
    _, problems = bundled(write, files)
    assert problems == [Problem("more.yaml", 3, "/back/$ref", "$ref cycle outside schemas")]


def test_a_missing_file_is_an_error_where_the_webhooks_reach_it_else_a_warning(write: WriteFiles) -> None:
    document = openapi(
        {"gone": post({"$ref": "nowhere.yaml#/X"})},
        schemas={"Unused": {"$ref": "schemas/nowhere.yaml#/Y"}},
    )
    _, problems = bundled(write, {"openapi.yaml": document})
    root = Path("openapi.yaml")
    assert problems == [
        Problem(
            "openapi.yaml",
            line_of(root, "nowhere.yaml#/X"),
            pointers.join(body_pointer("gone"), "$ref"),
            "$ref points to a missing file: nowhere.yaml#/X",
        ),
        Problem(
            "openapi.yaml",
            line_of(root, "schemas/nowhere.yaml#/Y"),
            "/components/schemas/Unused/$ref",
            "$ref points to a missing file: schemas/nowhere.yaml#/Y",
            Level.WARNING,
        ),
    ]
    _, strict = bundled(write, {"openapi.yaml": document}, strict=True)
    assert [problem.level for problem in strict] == [Level.ERROR, Level.ERROR]


def test_an_unresolved_pointer_is_located_in_the_file_that_writes_it(write: WriteFiles) -> None:
    files = {
        "openapi.yaml": openapi({"broken": post({"$ref": "schemas/pets.yaml#/Broken"})}),
        "schemas/pets.yaml": PETS,
    }
    _, problems = bundled(write, files)
    assert problems == [
        Problem(
            "schemas/pets.yaml",
            line_of(Path("schemas/pets.yaml"), "$ref: '#/Nowhere'"),
            "/Broken/properties/thing/$ref",
            "$ref does not resolve: #/Nowhere",
        )
    ]


def test_an_unreached_broken_ref_in_an_external_file_is_a_warning(write: WriteFiles) -> None:
    document = openapi(
        {"pet": post({"$ref": "schemas/pets.yaml#/Pet"})}, schemas={"B": {"$ref": "schemas/pets.yaml#/Broken"}}
    )
    files = {"openapi.yaml": document, "schemas/pets.yaml": PETS}
    _, problems = bundled(write, files)
    assert [(p.file, p.pointer, p.level) for p in problems] == [
        ("schemas/pets.yaml", "/Broken/properties/thing/$ref", Level.WARNING)
    ]
    _, strict = bundled(write, files, strict=True)
    assert [p.level for p in strict] == [Level.ERROR]


def test_refs_that_cannot_be_followed(write: WriteFiles) -> None:
    webhooks = {
        "remote": post({"$ref": "https://example.com/schemas.yaml#/Pet"}),
        "anchor": post({"$ref": "#Pet"}),
        "unparsable": post({"$ref": "bad.yaml#/X"}),
    }
    files = {"openapi.yaml": openapi(webhooks), "bad.yaml": "X: [unclosed\n"}
    result, problems = bundled(write, files)
    assert [(p.pointer, p.message.split(":")[0], p.level) for p in problems] == [
        (pointers.join(body_pointer("remote"), "$ref"), "remote $ref is not supported", Level.ERROR),
        (pointers.join(body_pointer("anchor"), "$ref"), "$ref fragment is not a JSON pointer", Level.ERROR),
        (pointers.join(body_pointer("unparsable"), "$ref"), "$ref to a file that cannot be loaded", Level.ERROR),
    ]
    assert "bad.yaml:2: /: invalid YAML" in problems[2].message
    # What cannot be followed is left as written.
    assert body_ref(result, "remote") == "https://example.com/schemas.yaml#/Pet"


def test_a_missing_root_file_gives_no_bundle(write: WriteFiles) -> None:
    write({"other.yaml": "a: 1"})
    result, problems = bundle(Path("openapi.yaml"))
    assert result is None
    assert problems == [Problem("openapi.yaml", None, "", "file does not exist")]


def test_the_loaded_files_are_not_changed(write: WriteFiles) -> None:
    files = {
        "openapi.yaml": openapi(
            {"pet": post({"$ref": "schemas/pets.yaml#/Pet"}), "order": {"$ref": "hooks.yaml#/order"}}
        ),
        "schemas/pets.yaml": PETS,
        "hooks.yaml": HOOKS,
    }
    result, _ = bundled(write, files)
    for source in result.sources:
        assert source.data == yaml.safe_load(source.path.read_text(encoding="utf-8"))
    assert result.root.data["webhooks"]["pet"]["post"]["requestBody"]["content"]["application/json"]["schema"] == {
        "$ref": "schemas/pets.yaml#/Pet"
    }


@pytest.mark.parametrize("child_from_bytes", [0, 10**9, None], ids=["early child", "late child", "no child"])
def test_the_webhooks_references_are_walked_once_per_bundle(
    write: WriteFiles, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, child_from_bytes: int | None
) -> None:
    # The bundle, validation, the child's decision and the models' input each need what the webhooks reach: one walk
    # of the references per bundle, in each process that bundles the spec.
    spec = openapi({"order": post(ref("Order"))}, schemas={"Order": {"type": "object"}, "Unused": {"type": "string"}})
    path = write({"spec.yaml": spec})
    walks = tmp_path / "walks"

    def counted(document: Any, start: str = "/webhooks") -> set[str]:
        with walks.open("a") as file:
            file.write(f"{os.getpid()} {start}\n")
        return walk.reached_roots(document, start)

    for module in (bundle_module, validate_module, pipeline, child):
        monkeypatch.setattr(module, "reached_roots", counted, raising=False)
    if child_from_bytes is None or not child.can_fork():
        monkeypatch.setattr(child, "can_fork", lambda: False)
    else:
        monkeypatch.setattr(child, "free_core", lambda: True)
        monkeypatch.setattr(child, "CHILD_FROM_SCHEMAS", 1)
        monkeypatch.setattr(child, "CHILD_FROM_BYTES", child_from_bytes)
    pipeline.build(path)
    by_process = Counter(line.split()[0] for line in walks.read_text().splitlines())
    assert set(walks.read_text().split()[1::2]) == {"/webhooks"}
    assert by_process[str(os.getpid())] == 1
    # An early child bundles the spec itself; a late one makes its input from this process's bundle.
    assert sorted(by_process.values()) == ([1, 1] if child_from_bytes == 0 and child.can_fork() else [1])
    bundled, _ = bundle(path)
    assert bundled is not None
    assert bundled.webhook_roots == walk.reached_roots(bundled.document) == {"/webhooks", "/components/schemas/Order"}
    assert bundled.webhook_roots is bundled.webhook_roots
