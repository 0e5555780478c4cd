"""The round trip of schemas on tiny specs: each keyword the models cannot hold by themselves reaches the app's
`/openapi.json` (tests/compare.annotation_differences, which the corpus test runs on every real spec)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from generator.commands.fidelity.measure import accepts

from .conftest import Imported, generate_document
from .roundtrip import check_annotations


def _one_webhook(tmp_path: Path, package: str, schemas: dict[str, Any], body: str = "Event") -> Imported:
    """A spec whose one webhook `event` carries the component schema `body`, generated and imported."""
    spec = {
        "openapi": "3.1.0",
        "info": {"title": "Annotations", "version": "1"},
        "webhooks": {
            "event": {
                "post": {
                    "summary": "An event",
                    "requestBody": {
                        "required": True,
                        "content": {"application/json": {"schema": {"$ref": f"#/components/schemas/{body}"}}},
                    },
                    "responses": {"200": {"description": "Received."}},
                }
            }
        },
        "components": {"schemas": schemas},
    }
    return generate_document(tmp_path, spec, package)


def _schemas(imported: Imported) -> dict[str, Any]:
    return imported.webhooks.app.openapi()["components"]["schemas"]


def test_an_enum_class_carries_its_title_examples_description_and_constraints(tmp_path: Path) -> None:
    """Pydantic titles an enum with its class name and keeps no examples: the Enum template gives it the spec's."""
    imported = _one_webhook(
        tmp_path,
        "annotations_enum",
        {
            "Kind": {
                "type": "string",
                "title": "Kind of event",
                "description": "  What happened,\n  indented.\n",
                "enum": ["created", "deleted"],
                "example": "created",
                # Paddle's currency codes: an Enum class drops string constraints.
                "minLength": 7,
                "maxLength": 7,
                "pattern": "^[a-z]+$",
                "minItems": 1,  # GitHub's, on an enum of strings: meaningless, but what the spec says
            },
            "Event": {
                "type": "object",
                "properties": {
                    "kind": {"$ref": "#/components/schemas/Kind"},
                    "mode": {"type": "string", "title": "Mode", "enum": ["live", "test"], "examples": ["live"]},
                },
            },
        },
    )
    schemas = _schemas(imported)
    kind = schemas["Kind"]
    assert (kind["title"], kind["example"], kind["description"]) == (
        "Kind of event",
        "created",
        "  What happened,\n  indented.\n",
    )
    assert (kind["minLength"], kind["maxLength"], kind["pattern"], kind["minItems"]) == (7, 7, "^[a-z]+$", 1)
    mode = schemas["EventMode"]
    assert (mode["title"], mode["examples"]) == ("Mode", ["live"])
    assert check_annotations(imported) == []
    # Documented only: the enum still reads its values, and refuses others.
    assert imported.models.Event.model_validate({"kind": "deleted"}).kind == imported.models.Kind.DELETED
    assert list(imported.models.Kind) == [imported.models.Kind.CREATED, imported.models.Kind.DELETED]


def test_string_keywords_beside_a_typed_time_or_date_are_documented(tmp_path: Path) -> None:
    """datamodel-code-generator drops `pattern`/`minLength`/`maxLength` beside `format: time` (Adyen's `HH:mm:SS`)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_time",
        {
            "Event": {
                "type": "object",
                "properties": {
                    "closing": {"type": "string", "format": "time", "pattern": "^[0-2][0-9]:", "maxLength": 30},
                    "day": {"type": ["string", "null"], "format": "date", "minLength": 10},
                },
            }
        },
    )
    properties = _schemas(imported)["Event"]["properties"]
    assert (properties["closing"]["pattern"], properties["closing"]["maxLength"]) == ("^[0-2][0-9]:", 30)
    assert properties["day"]["minLength"] == 10
    assert check_annotations(imported) == []
    # The model still types the time, as before.
    assert str(imported.models.Event.model_validate({"closing": "10:00:00Z"}).closing) == "10:00:00+00:00"


def test_a_derived_model_documents_its_bases_and_not_their_title_as_its_own(tmp_path: Path) -> None:
    """`allOf: [{$ref: Base}, {...}]` is a subclass, whose schema Pydantic writes flat (Clerk's, Paddle's)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_bases",
        {
            "Base": {
                "type": "object",
                "title": "The base",
                "description": "What every event has.",
                "examples": [{"id": "e1"}],
                "properties": {"id": {"type": "string"}},
                "required": ["id"],
            },
            "Event": {
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {"type": "object", "properties": {"at": {"type": "integer"}}},
                ]
            },
        },
    )
    assert imported.models.Event.__bases__ == (imported.models.Base,)
    event = _schemas(imported)["Event"]
    assert [(base["title"], base["description"], base["examples"]) for base in event["allOf"]] == [
        ("The base", "What every event has.", [{"id": "e1"}])
    ]
    # The flat schema keeps every field; the base's title and examples are not the derived class's own.
    assert set(event["properties"]) == {"id", "at"}
    assert (event["title"], "examples" in event) == ("Event", False)
    assert check_annotations(imported) == []


def test_constraints_of_an_integer_in_a_union_have_json_schema_names(tmp_path: Path) -> None:
    """`StrictInt | None`, `StrictInt | MISSING` with `Field(ge=...)`: Pydantic writes `ge`, JSON Schema `minimum`."""
    imported = _one_webhook(
        tmp_path,
        "annotations_union_int",
        {
            "Event": {
                "type": "object",
                "required": ["count"],
                "properties": {
                    "count": {"type": "integer", "minimum": 1},
                    "limit": {"type": "integer", "maximum": 5, "exclusiveMinimum": 0},
                    "offset": {"type": ["integer", "null"], "minimum": -3, "multipleOf": 3},
                    # A property named as a keyword is a schema like any other.
                    "default": {"type": ["integer", "null"], "exclusiveMaximum": 9},
                },
            }
        },
    )
    document = imported.webhooks.app.openapi()
    properties = document["components"]["schemas"]["Event"]["properties"]
    assert (properties["limit"]["maximum"], properties["limit"]["exclusiveMinimum"]) == (5, 0)
    offset = next(branch for branch in properties["offset"]["anyOf"] if branch["type"] == "integer")
    assert (offset["minimum"], offset["multipleOf"]) == (-3, 3)
    default = next(branch for branch in properties["default"]["anyOf"] if branch["type"] == "integer")
    assert default["exclusiveMaximum"] == 9
    assert not {"ge", "le", "gt", "lt", "multiple_of"} & set(json.dumps(document).replace('"', " ").split())
    assert check_annotations(imported) == []
    # The model enforces them, as before.
    event = imported.models.Event
    assert event.model_validate({"count": 1, "limit": 5, "offset": -3}).offset == -3
    for refused in ({"count": 0}, {"count": 1, "limit": 0}, {"count": 1, "offset": -6}, {"count": 1, "default": 9}):
        assert not accepts(event, refused), refused


def test_nulls_inside_a_schemas_examples_are_kept(tmp_path: Path) -> None:
    """FastAPI's document drops every null it writes, those inside `examples` too (Autumn's `previous_attributes`)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_null_examples",
        {
            "Event": {
                "type": "object",
                "examples": [{"id": "e1", "previous": None}],
                "properties": {
                    "id": {"type": "string"},
                    "previous": {"type": ["object", "null"], "examples": [None, {"plan": None}]},
                },
            }
        },
    )
    event = _schemas(imported)["Event"]
    assert event["examples"] == [{"id": "e1", "previous": None}]
    assert event["properties"]["previous"]["examples"] == [None, {"plan": None}]
    assert check_annotations(imported) == []


def test_the_words_of_a_union_branch_that_is_no_class_reach_the_field(tmp_path: Path) -> None:
    """Polar's nullable fields: `anyOf: [{type: string, format: ...}, {type: null}]` is `str | None`, and
    `{$ref: Address, description: ...}` is `Address`: the branch's words are lifted to the field."""
    imported = _one_webhook(
        tmp_path,
        "annotations_branch_words",
        {
            "Address": {"type": "object", "properties": {"city": {"type": "string"}}},
            "Event": {
                "type": "object",
                "properties": {
                    "ip": {"anyOf": [{"type": "string", "format": "ipvanyaddress"}, {"type": "null"}], "title": "IP"},
                    "billing": {
                        "anyOf": [{"$ref": "#/components/schemas/Address", "description": "Billing."}, {"type": "null"}]
                    },
                    "note": {"anyOf": [{"anyOf": [{"type": "string"}, {"type": "null"}], "description": "A note."}]},
                    # Two branches say different things: neither is the field's.
                    "either": {
                        "oneOf": [{"type": "string", "description": "A"}, {"type": "integer", "description": "B"}]
                    },
                },
            },
        },
    )
    properties = _schemas(imported)["Event"]["properties"]
    assert (properties["ip"]["format"], properties["ip"]["title"]) == ("ipvanyaddress", "IP")
    assert properties["billing"]["description"] == "Billing."
    assert properties["note"]["description"] == "A note."
    # Two branches say different things: neither is the field's, each is its branch's (`with_words_json_schema`).
    assert "description" not in properties["either"]
    assert properties["either"]["anyOf"] == [
        {"type": "string", "description": "A"},
        {"type": "integer", "description": "B"},
    ]
    assert check_annotations(imported) == []
    # Documented only: the field still reads any string.
    assert imported.models.Event.model_validate({"ip": "not an address"}).ip == "not an address"


def test_a_component_naming_an_enum_through_all_of_keeps_its_title(tmp_path: Path) -> None:
    """Paddle's `apikey-permission: {title: ApiKeyPermission, type: string, allOf: [{$ref: permission}]}`."""
    imported = _one_webhook(
        tmp_path,
        "annotations_named_reference",
        {
            "permission": {"type": "string", "enum": ["read", "write"]},
            "apikey-permission": {
                "title": "ApiKeyPermission",
                "description": "Permission assigned to this key.",
                "type": "string",
                "allOf": [{"$ref": "#/components/schemas/permission"}],
            },
            "Event": {
                "type": "object",
                "properties": {
                    "permissions": {"type": "array", "items": {"$ref": "#/components/schemas/apikey-permission"}}
                },
            },
        },
    )
    named = _schemas(imported)["ApikeyPermission"]
    assert (named["title"], named["description"]) == ("ApiKeyPermission", "Permission assigned to this key.")
    assert check_annotations(imported) == []
    # The model reads the same: a list of permissions, each the enum's member.
    event = imported.models.Event.model_validate({"permissions": ["read"]})
    assert event.permissions[0].root == imported.models.Permission.READ


def test_the_words_of_merged_all_of_branches_and_restated_properties_are_kept(tmp_path: Path) -> None:
    """GitHub's `workflow_job: {allOf: [{title: Workflow Job, properties: {labels: {description, ...}}}, {properties:
    {labels: <richer>}}]}` is one class; and a string branch's examples beside a number branch (`insecure_ssl`)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_merged_words",
        {
            "Event": {
                "type": "object",
                "properties": {
                    "job": {
                        "allOf": [
                            {
                                "title": "Workflow Job",
                                "description": "The job.",
                                "type": "object",
                                "properties": {"labels": {"description": "Its labels.", "type": "array"}},
                            },
                            {
                                "type": "object",
                                "properties": {"labels": {"type": "array", "items": {"type": ["string", "null"]}}},
                            },
                        ]
                    },
                    "insecure": {"oneOf": [{"type": "string", "examples": ['"0"']}, {"type": "number"}]},
                },
            }
        },
    )
    assert check_annotations(imported) == []
    # One class, still reading the richer `labels` (nulls inside).
    job = imported.models.Event.model_validate({"job": {"labels": ["a", None]}}).job
    assert (type(job).__name__, job.labels) == ("Job", ["a", None])


def test_conditions_only_the_contract_check_enforces_are_in_the_document(tmp_path: Path) -> None:
    """ucp's `total`: `allOf: [{if: {type: discount}, then: {amount: {exclusiveMaximum: 0}}}]` is no field of the model;
    the class's schema says it as the source writes it."""
    condition = {
        "if": {"properties": {"type": {"enum": ["discount", "items_discount"]}}, "required": ["type"]},
        "then": {"properties": {"amount": {"exclusiveMaximum": 0}}},
    }
    imported = _one_webhook(
        tmp_path,
        "annotations_conditions",
        {
            "Event": {
                "type": "object",
                "required": ["type", "amount"],
                "properties": {"type": {"type": "string"}, "amount": {"type": "integer"}},
                "allOf": [condition],
            }
        },
    )
    assert _schemas(imported)["Event"]["allOf"] == [condition]
    assert check_annotations(imported) == []
    # Enforced as before: by the contract check, not by the fields.
    assert accepts(imported.models.Event, {"type": "fee", "amount": 5})
    assert not accepts(imported.models.Event, {"type": "discount", "amount": 5})


def test_a_merged_all_of_branch_keeps_its_description_beside_the_fields(tmp_path: Path) -> None:
    """GitHub's `issue: {description: <the field's>, allOf: [{description: <the issue's>, ...}, {...}]}`."""
    imported = _one_webhook(
        tmp_path,
        "annotations_merged_description",
        {
            "Event": {
                "type": "object",
                "properties": {
                    "issue": {
                        "description": "The issue the comment belongs to.",
                        "allOf": [
                            {
                                "description": "The issue itself.",
                                "type": "object",
                                "properties": {"id": {"type": "integer"}},
                            },
                            {"type": "object", "properties": {"state": {"type": "string"}}},
                        ],
                    }
                },
            }
        },
    )
    schemas = _schemas(imported)
    field = schemas["Event"]["properties"]["issue"]
    assert field["description"] == "The issue the comment belongs to."
    assert schemas[field["$ref"].rsplit("/", 1)[1]]["description"] == "The issue itself."
    assert check_annotations(imported) == []


def test_a_base_inlined_for_a_restated_property_keeps_its_words(tmp_path: Path) -> None:
    """Paddle's `price.created: {allOf: [{$ref: event}, {properties: {data: <the price>}}]}`: the base's `data` is an
    object, the event's says which; the base is merged into the event's class (see normalize._refinements_merged),
    and its title, description and its `data`'s description are said beside the class's own."""
    imported = _one_webhook(
        tmp_path,
        "annotations_inlined_base",
        {
            "Base": {
                "title": "Event",
                "description": "Represents an event entity.",
                "type": "object",
                "properties": {
                    "id": {"type": "string"},
                    "data": {"type": "object", "description": "New or changed entity."},
                },
            },
            "Event": {
                "title": "price.created",
                "type": "object",
                "allOf": [
                    {"$ref": "#/components/schemas/Base"},
                    {
                        "properties": {
                            "data": {
                                "type": "object",
                                "description": "The price.",
                                "properties": {"amount": {"type": "integer"}},
                                "required": ["amount"],
                            }
                        }
                    },
                ],
            },
        },
    )
    event = _schemas(imported)["Event"]
    assert event["title"] == "price.created"
    assert event["allOf"] == [
        {
            "title": "Event",
            "description": "Represents an event entity.",
            "properties": {"data": {"description": "New or changed entity."}},
        }
    ]
    assert check_annotations(imported) == []
    # The model reads the event's `data`, not the base's object.
    assert imported.models.Event.model_validate({"id": "e", "data": {"amount": 5}}).data.amount == 5
    assert not accepts(imported.models.Event, {"id": "e", "data": {"amount": "5"}})


def test_the_words_beside_each_union_branchs_ref_are_the_members(tmp_path: Path) -> None:
    """Paddle's `data: {oneOf: [{title: Adjustments reports, description, $ref: report-adjustments}, ...]}`: each
    member is written `Annotated[ReportAdjustments, Field(title=..., description=...)]`."""
    imported = _one_webhook(
        tmp_path,
        "annotations_member_words",
        {
            "Adjustments": {
                "type": "object",
                "properties": {"adjusted": {"type": "integer"}},
                "required": ["adjusted"],
            },
            "Discounts": {"type": "object", "properties": {"code": {"type": "string"}}, "required": ["code"]},
            "Event": {
                "type": "object",
                "properties": {
                    "data": {
                        "title": "Report Notification",
                        "description": "New or changed entity.",
                        "oneOf": [
                            {
                                "title": "Adjustments reports",
                                "description": "Reports for adjustments.",
                                "$ref": "#/components/schemas/Adjustments",
                            },
                            {"title": "Discounts report", "$ref": "#/components/schemas/Discounts"},
                        ],
                    }
                },
            },
        },
    )
    data = _schemas(imported)["Event"]["properties"]["data"]
    assert (data["title"], data["description"]) == ("Report Notification", "New or changed entity.")
    assert [{key: value for key, value in member.items() if key != "$ref"} for member in data["anyOf"]] == [
        {"title": "Adjustments reports", "description": "Reports for adjustments."},
        {"title": "Discounts report"},
    ]
    assert check_annotations(imported) == []
    # The field reads as before: each branch's class, a handler's `payload.data.code`.
    event = imported.models.Event
    assert event.model_validate({"data": {"code": "X"}}).data.code == "X"
    assert type(event.model_validate({"data": {"adjusted": 1}}).data).__name__ == "Adjustments"
    assert not accepts(event, {"data": {"other": 1}})


def test_the_title_of_a_nested_union_or_of_a_lists_item_union_is_kept(tmp_path: Path) -> None:
    """Polar's `discount: {title: Discount, anyOf: [{oneOf: [...], title: OrderDiscount}, {type: null}]}`, flattened
    to `A | B | None` by the models, and `benefits: {items: {$ref: Benefit, title: Benefit}}` where `Benefit` is a
    pure union (typed by its branches, see normalize._unions_inlined)."""
    refs = [{"$ref": "#/components/schemas/Fixed"}, {"$ref": "#/components/schemas/Percentage"}]
    imported = _one_webhook(
        tmp_path,
        "annotations_nested_union_title",
        {
            "Fixed": {"type": "object", "properties": {"amount": {"type": "integer"}}, "required": ["amount"]},
            "Percentage": {"type": "object", "properties": {"basis": {"type": "integer"}}, "required": ["basis"]},
            "Benefit": {"oneOf": refs},
            "Event": {
                "type": "object",
                "required": ["discount"],
                "properties": {
                    "discount": {
                        "title": "Discount",
                        "anyOf": [{"oneOf": refs, "title": "OrderDiscount"}, {"type": "null"}],
                    },
                    "benefits": {
                        "type": "array",
                        "title": "Benefits",
                        "items": {"$ref": "#/components/schemas/Benefit", "title": "Benefit"},
                    },
                },
            },
        },
    )
    properties = _schemas(imported)["Event"]["properties"]
    assert properties["discount"]["title"] == "Discount"
    assert [branch.get("title") for branch in properties["discount"]["anyOf"]] == ["OrderDiscount", None]
    assert properties["benefits"]["items"]["title"] == "Benefit"
    assert check_annotations(imported) == []
    # What the fields accept is unchanged, and no `.root`: `payload.benefits[0].basis`.
    event = imported.models.Event
    parsed = event.model_validate({"discount": {"amount": 5}, "benefits": [{"basis": 2}, {"amount": 1}]})
    assert (parsed.discount.amount, parsed.benefits[0].basis, parsed.benefits[1].amount) == (5, 2, 1)
    assert event.model_validate({"discount": None}).discount is None
    assert not accepts(event, {"discount": {"other": 1}})
    assert not accepts(event, {"discount": None, "benefits": [{"other": 1}]})


def test_the_examples_of_several_scalar_branches_of_a_union_are_each_their_branchs(tmp_path: Path) -> None:
    """GitHub's `issue-field-value.value: {anyOf: [{type: string, examples: [Sample text]}, {type: number, examples:
    [42.5]}, {type: integer, examples: [1]}]}` is `str | float | int`: the field has one place for examples, the
    document has one per branch."""
    imported = _one_webhook(
        tmp_path,
        "annotations_branch_examples",
        {
            "Event": {
                "type": "object",
                "required": ["value"],
                "properties": {
                    "value": {
                        "description": "The value of the issue field",
                        "anyOf": [
                            {"type": "string", "examples": ["Sample text"]},
                            {"type": "number", "examples": [42.5]},
                            {"type": "integer", "examples": [7]},
                        ],
                        "type": ["null", "string", "number", "integer"],
                    },
                    "maybe": {
                        "anyOf": [{"type": "string", "examples": ["s"]}, {"type": "boolean", "examples": [True]}]
                    },
                },
            }
        },
    )
    properties = _schemas(imported)["Event"]["properties"]
    assert properties["value"]["anyOf"] == [
        {"type": "string", "examples": ["Sample text"]},
        {"type": "number", "examples": [42.5]},
        {"type": "integer", "examples": [7]},
    ]
    assert properties["value"]["description"] == "The value of the issue field"
    assert properties["maybe"]["anyOf"] == [
        {"type": "string", "examples": ["s"]},
        {"type": "boolean", "examples": [True]},
    ]
    assert check_annotations(imported) == []
    # Documented only: the union reads as before, and refuses what it refused.
    assert imported.models.Event.model_validate({"value": 42.5}).value == 42.5
    assert imported.models.Event.model_validate({"value": "x", "maybe": True}).maybe is True
    assert not accepts(imported.models.Event, {"value": None})
    assert not accepts(imported.models.Event, {"value": "x", "maybe": 1})


def test_a_map_values_words_are_in_the_document(tmp_path: Path) -> None:
    """ucp's `attribution: {type: object, additionalProperties: {type: string, description: ...}}` is a
    `RootModel[dict[str, str]]`: the value's description has no place in the model. The same for an array's items, and
    for a map whose keys have a pattern (Pydantic writes its values under `patternProperties`)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_map_values",
        {
            "key": {"type": "string", "pattern": "^[a-z]+$"},
            "attribution": {
                "title": "Attribution",
                "type": "object",
                "additionalProperties": {"type": "string", "description": "URL-style parameter value."},
            },
            "Event": {
                "type": "object",
                "properties": {
                    "attribution": {"$ref": "#/components/schemas/attribution"},
                    # As ucp's `extends`: a key's pattern alone is only the name under `patternProperties`.
                    "source": {"$ref": "#/components/schemas/key"},
                    "tags": {"type": "array", "items": {"type": "string", "description": "A tag.", "examples": ["a"]}},
                    "scores": {
                        "type": "object",
                        "propertyNames": {"$ref": "#/components/schemas/key"},  # ucp's `reverse_domain_name`
                        "additionalProperties": {"type": "integer", "description": "A score."},
                    },
                },
            },
        },
    )
    schemas = _schemas(imported)
    assert schemas["Attribution"]["additionalProperties"] == {
        "type": "string",
        "description": "URL-style parameter value.",
    }
    properties = schemas["Event"]["properties"]
    assert properties["tags"]["items"] == {"type": "string", "description": "A tag.", "examples": ["a"]}
    assert [value["description"] for value in properties["scores"]["patternProperties"].values()] == ["A score."]
    assert check_annotations(imported) == []
    # Documented only: the maps still take what they took, and refuse the rest.
    assert imported.models.Attribution.model_validate({"utm_source": "x"}).root == {"utm_source": "x"}
    assert not accepts(imported.models.Event, {"attribution": {"utm_source": 5}})
    assert not accepts(imported.models.Event, {"scores": {"Upper": 1}})


def test_a_restatement_the_merge_drops_keeps_the_words_of_the_component_it_names(tmp_path: Path) -> None:
    """ucp's `response_order_schema: {allOf: [{$ref: base}, {properties: {capabilities: {additionalProperties: {items:
    {$ref: capability_response_schema}}}}}]}`: base's `capabilities` says more and is kept (the subclass cannot retype
    it), and `capability_response_schema` (`allOf: [{$ref: capability_base}]`, its own title and description) is in
    no field; its words stand beside the items' `$ref` of the class's document."""
    imported = _one_webhook(
        tmp_path,
        "annotations_dropped_restatement",
        {
            "capability": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
            "capability_response": {
                "title": "Capability (Response Schema)",
                "description": "Capability reference in responses.",
                "allOf": [{"$ref": "#/components/schemas/capability"}],
            },
            "base": {
                "type": "object",
                "properties": {
                    "capabilities": {
                        "type": "object",
                        "description": "Capability registry.",
                        "additionalProperties": {
                            "type": "array",
                            "items": {"$ref": "#/components/schemas/capability"},
                        },
                    }
                },
            },
            "Event": {
                "title": "Order response",
                "allOf": [
                    {"$ref": "#/components/schemas/base"},
                    {
                        "properties": {
                            "capabilities": {
                                "additionalProperties": {"items": {"$ref": "#/components/schemas/capability_response"}}
                            }
                        }
                    },
                ],
            },
        },
    )
    items = _schemas(imported)["Event"]["properties"]["capabilities"]["additionalProperties"]["items"]
    assert (items["title"], items["description"]) == (
        "Capability (Response Schema)",
        "Capability reference in responses.",
    )
    assert check_annotations(imported) == []
    # The base's schema is not changed by its subclass's words.
    schemas = _schemas(imported)
    base = schemas["Event"]["allOf"][0]  # Pydantic writes it inline or as a `$ref`
    base = schemas[base["$ref"].rsplit("/", 1)[1]] if "$ref" in base else base
    assert base["properties"]["capabilities"]["additionalProperties"]["items"] == {
        "$ref": "#/components/schemas/Capability"
    }
    # Documented only: the model reads as before (the contract check enforces both branches).
    assert accepts(imported.models.Event, {"capabilities": {"dev.a": [{"name": "x"}]}})
    assert not accepts(imported.models.Event, {"capabilities": {"dev.a": [{}]}})


def test_a_defs_entry_nothing_refers_to_is_in_the_document(tmp_path: Path) -> None:
    """ucp's `order: {$defs: {platform_schema: {title, description, ...}}, ...}`: no `$ref` reaches it, so it makes no
    class; the class's schema carries it as the spec writes it (an entry that refers to a component would name it
    otherwise in the document: it is left out)."""
    platform = {
        "title": "Platform Order Schema",
        "description": "Platform's order capability configuration.",
        "type": "object",
        "required": ["webhook_url"],
        "properties": {"webhook_url": {"type": "string", "format": "uri", "description": "Where events go."}},
    }
    imported = _one_webhook(
        tmp_path,
        "annotations_defs",
        {
            "Thing": {"type": "object", "properties": {"id": {"type": "string"}}},
            "Event": {
                "type": "object",
                "$defs": {"platform_schema": platform, "thing": {"$ref": "#/components/schemas/Thing"}},
                "properties": {"id": {"type": "string"}},
            },
        },
    )
    assert _schemas(imported)["Event"]["$defs"] == {"platform_schema": platform}
    assert check_annotations(imported) == []
    assert accepts(imported.models.Event, {"id": "o1"})


def test_a_derived_class_carries_the_words_of_the_fields_it_inherits(tmp_path: Path) -> None:
    """Pydantic's schema of a subclass is flat: the fields of `allOf: [{$ref: Valued}, {...}]` are written again in it,
    and the words their models drop too (the base's own schema may be written inline, without its hook)."""
    imported = _one_webhook(
        tmp_path,
        "annotations_inherited_words",
        {
            "Valued": {
                "type": "object",
                "properties": {
                    "value": {
                        "anyOf": [
                            {"type": "string", "examples": ["Sample text"]},
                            {"type": "number", "examples": [42.5]},
                        ]
                    },
                    "tags": {"type": "array", "items": {"type": "string", "description": "A tag."}},
                },
            },
            "Event": {
                "allOf": [
                    {"$ref": "#/components/schemas/Valued"},
                    {
                        "type": "object",
                        "properties": {
                            "id": {"type": "string"},
                            "tags": {"type": "array", "items": {"type": "string"}},
                        },
                    },
                ]
            },
        },
    )
    properties = _schemas(imported)["Event"]["properties"]
    assert properties["value"]["anyOf"] == [
        {"type": "string", "examples": ["Sample text"]},
        {"type": "number", "examples": [42.5]},
    ]
    # `Valued`'s `tags` says more than the restatement, which the merge drops (`_refinements_merged`): it is the field.
    assert properties["tags"]["items"] == {"type": "string", "description": "A tag."}
    assert check_annotations(imported) == []
    assert imported.models.Event.model_validate({"value": 1.5, "id": "e"}).value == 1.5
