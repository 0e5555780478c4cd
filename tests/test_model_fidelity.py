"""Each cause of disagreement in ../shared/FIDELITY.md, reproduced in a small spec and shown fixed.

One webhook per cause; every case is judged twice, by the source schema and by the generated model,
and both must agree: on the payloads named here, and on what `hookgen fidelity` draws and mutates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pydantic
import pytest

from generator.commands.fidelity.measure import accepts

from .conftest import Imported, generate_document

USER = {"type": "object", "required": ["login"], "properties": {"login": {"type": "string"}}}
SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Causes", "version": "1.0.0"},
    "components": {
        "schemas": {
            "User": USER,
            # Adyen's *ItemWrapper: `properties` without `type` accepts any non-object too.
            "ItemWrapper": {"properties": {"item": {"type": "string"}}},
            # Polar: a discriminator whose property one branch does not require.
            "Sum": {"type": "object", "required": ["func"], "properties": {"func": {"const": "sum"}}},
            "Count": {"type": "object", "properties": {"func": {"const": "count"}}},
            # A tag every branch requires, which AnyKind does not pin.
            "SumKind": {"type": "object", "required": ["kind"], "properties": {"kind": {"const": "sum"}}},
            "AnyKind": {
                "type": "object",
                "required": ["kind"],
                "properties": {"kind": {"type": "string"}, "extra": {"type": "integer"}},
            },
            # GitHub / Paddle: an allOf branch restating a property of the branch it extends.
            "Base": {
                "type": "object",
                "x-enum-descriptions": {"odd": "a vendor extension of unexpected shape"},
                "properties": {
                    "user": {"anyOf": [{"type": "null"}, {"$ref": "#/components/schemas/User"}]},
                    "data": {"type": "object"},
                },
            },
        }
    },
    "webhooks": {},
}
BODIES: dict[str, Any] = {
    "typeless": {
        "type": "object",
        "properties": {"items": {"type": "array", "items": {"$ref": "#/components/schemas/ItemWrapper"}}},
    },
    "optional-tag": {
        "type": "object",
        "properties": {
            "aggregation": {
                "oneOf": [{"$ref": "#/components/schemas/Sum"}, {"$ref": "#/components/schemas/Count"}],
                "discriminator": {"propertyName": "func"},
            }
        },
    },
    "one-of": {
        "type": "object",
        "properties": {
            "contact": {
                "oneOf": [
                    {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
                    {"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
                ]
            }
        },
    },
    "null-excluded": {
        "type": "object",
        "properties": {
            "account": {"anyOf": [{"$ref": "#/components/schemas/User"}], "type": ["null", "object"]},
        },
    },
    "restated": {
        "allOf": [
            {"$ref": "#/components/schemas/Base"},
            {
                "type": "object",
                "properties": {
                    "user": {"$ref": "#/components/schemas/User"},
                    "data": {"type": "object", "required": ["id"], "properties": {"id": {"type": "integer"}}},
                },
            },
        ]
    },
    "author-nullable": {"type": "object", "properties": {"image": {"type": "string", "nullable": True}}},
    # Decided (README): a body with `properties` and no `type` is read as an object, and the warning says so.
    "typeless-root": {"required": ["name"], "properties": {"name": {"type": "string"}}},
    "formats": {
        "type": "object",
        "properties": {
            "id": {"type": "string", "format": "uuid4"},
            "at": {"type": "string", "format": "date-time"},
            "day": {"type": "string", "format": "date"},
            "clock": {"type": "string", "format": "time"},
        },
    },
    # Pydantic's lax mode: an int takes "5" and true, a float "1.5" and true, a bool "true", 1 and "yes".
    "scalars": {
        "type": "object",
        "properties": {
            "count": {"type": "integer"},
            "amount": {"type": "number"},
            "flag": {"type": "boolean"},
        },
    },
    "scalars-constrained": {
        "type": "object",
        "required": ["step"],
        "properties": {
            "step": {"type": "integer", "minimum": 0, "multipleOf": 5},
            "ratio": {"type": "number", "exclusiveMinimum": 0},
            "either": {"anyOf": [{"type": "integer"}, {"type": "string"}]},
            "maybe": {"type": ["integer", "null"]},
            "counts": {"type": "object", "additionalProperties": {"type": "integer"}},
            "flags": {"type": "array", "items": {"type": "boolean"}},
            "flag": {"type": "boolean", "default": False},
        },
    },
    # An integer enum is an IntEnum, which reads "2" as IntEnum(2): the contract check refuses it first.
    "integer-enum": {"type": "object", "properties": {"level": {"type": "integer", "enum": [2, 3]}}},
    # Literal[1] reads true, Literal[True] and an Enum of true read 1; an object or array const is typed by its shape.
    "consts": {
        "type": "object",
        "properties": {
            "one": {"const": 1},
            "yes": {"const": True},
            "flag": {"type": "boolean", "enum": [True]},
            "point": {"const": {"x": 1}},
            "pair": {"const": [1, 2]},
        },
    },
    "never": {"type": "object", "properties": {"gone": False, "name": {"type": "string"}}},
    # JSON Schema applies a `$ref` and its siblings each on their own: `additionalProperties` sees only `properties`.
    "ref-closed": {
        "type": "object",
        "properties": {
            "user": {
                "$ref": "#/components/schemas/User",
                "properties": {"login": {"type": "string"}, "id": {"type": "integer"}},
                "additionalProperties": False,
            },
            "owner": {
                "$ref": "#/components/schemas/User",
                "properties": {"id": {"type": "integer"}},
                "additionalProperties": False,
            },
        },
    },
    "null-beside": {
        "type": "object",
        "properties": {
            "account": {"$ref": "#/components/schemas/User", "type": ["object", "null"]},
            "state": {"type": ["string", "null"], "enum": ["open", "closed"]},
        },
    },
    "maps": {
        "type": "object",
        "properties": {
            "headers": {"type": "object", "additionalProperties": {"type": "array", "items": {"type": "string"}}},
            "labels": {"type": ["object", "null"], "additionalProperties": {"type": ["string", "null"]}},
            "typeless": {"additionalProperties": {"type": "string"}},
        },
    },
    "ghost-required": {"type": "object", "required": ["ghost"], "properties": {"name": {"type": "string"}}},
    # Every branch requires the tag, but Any does not pin it: {"kind": "sum"} matches both, which oneOf refuses.
    "unpinned-tag": {
        "oneOf": [{"$ref": "#/components/schemas/SumKind"}, {"$ref": "#/components/schemas/AnyKind"}],
        "discriminator": {"propertyName": "kind"},
    },
}
for key, schema in BODIES.items():
    SPEC["webhooks"][key] = {
        "post": {
            "requestBody": {"content": {"application/json": {"schema": schema}}},
            "responses": {"200": {"description": "ok"}},
        }
    }

# (webhook, payload, what the source schema says)
CASES = [
    ("typeless", {"items": [{"item": "a"}, None, "x", 3, []]}, True),
    ("typeless", {"items": [{"item": 3}]}, False),
    ("optional-tag", {"aggregation": {}}, True),
    ("optional-tag", {"aggregation": {"func": "sum"}}, True),
    ("optional-tag", {"aggregation": {"func": "max"}}, False),
    ("one-of", {"contact": {"email": "e"}}, True),
    ("one-of", {"contact": {"email": "e", "phone": "p"}}, False),
    ("one-of", {"contact": {}}, False),
    ("null-excluded", {"account": {"login": "ada"}}, True),
    ("null-excluded", {"account": None}, False),
    ("restated", {"user": {"login": "ada"}, "data": {"id": 1}}, True),
    ("restated", {"user": None}, False),
    ("restated", {"data": {"id": "one"}}, False),
    ("formats", {"id": "not-a-uuid", "at": "2026-11-27T10:00:00Z"}, True),
    ("formats", {"at": 12345}, False),
    # RFC 3339: seconds, an offset, and `T` (or `t`); a date is a date only.
    ("formats", {"at": "2026-11-27t10:00:00.123456789z", "day": "2026-11-27", "clock": "10:00:00+01:00"}, True),
    ("formats", {"at": "2026-11-27T10:00Z"}, False),
    ("formats", {"at": "2026-11-27 10:00:00Z"}, False),
    ("formats", {"at": "2026-11-27T10:00:00"}, False),
    ("formats", {"day": "2026-11-27T00:00:00Z"}, False),
    ("formats", {"clock": "10:00Z"}, False),
    ("formats", {"clock": "10:00:00"}, False),
    ("scalars", {"count": 5, "amount": 5, "flag": True}, True),
    ("scalars", {"count": 5.0, "amount": 1.5, "flag": False}, True),
    ("scalars", {"count": 1e20}, True),
    ("scalars", {"count": "5"}, False),
    ("scalars", {"count": True}, False),
    ("scalars", {"count": 5.5}, False),
    ("scalars", {"amount": "1.5"}, False),
    ("scalars", {"amount": True}, False),
    ("scalars", {"flag": "true"}, False),
    ("scalars", {"flag": 1}, False),
    ("scalars", {"flag": "yes"}, False),
    ("scalars-constrained", {"step": 10.0, "ratio": 0.5, "either": "5", "maybe": None, "counts": {"a": 2.0}}, True),
    ("scalars-constrained", {"step": 15, "either": 5, "maybe": 3, "flags": [True, False], "flag": True}, True),
    ("scalars-constrained", {"step": 7}, False),
    ("scalars-constrained", {"step": -5.0}, False),
    ("scalars-constrained", {"step": "10"}, False),
    ("scalars-constrained", {"step": 5, "ratio": 0}, False),
    ("scalars-constrained", {"step": 5, "ratio": "0.5"}, False),
    ("scalars-constrained", {"step": 5, "either": True}, False),
    ("scalars-constrained", {"step": 5, "maybe": "3"}, False),
    ("scalars-constrained", {"step": 5, "counts": {"a": "2"}}, False),
    ("scalars-constrained", {"step": 5, "flags": [1]}, False),
    ("scalars-constrained", {"step": 5, "flag": None}, False),
    ("scalars-constrained", {"step": 5, "flag": "false"}, False),
    ("integer-enum", {"level": 2}, True),
    ("integer-enum", {"level": 3.0}, True),
    ("integer-enum", {"level": "2"}, False),
    ("integer-enum", {"level": True}, False),
    ("consts", {"one": 1, "yes": True, "flag": True, "point": {"x": 1}, "pair": [1, 2]}, True),
    ("consts", {"one": 1.0}, True),
    ("consts", {"one": True}, False),
    ("consts", {"yes": 1}, False),
    ("consts", {"flag": 1}, False),
    ("consts", {"point": {"x": 2}}, False),
    ("consts", {"point": {"x": 1, "y": 2}}, False),
    ("consts", {"pair": [2, 1]}, False),
    ("never", {"name": "a"}, True),
    ("never", {"gone": None}, False),
    ("never", {"gone": "x"}, False),
    ("ref-closed", {"user": {"login": "ada", "id": 1}}, True),
    ("ref-closed", {"user": {"login": "ada", "x": 1}}, False),
    ("ref-closed", {"owner": {"login": "ada", "id": 1}}, False),
    ("null-beside", {"account": {"login": "ada"}, "state": "open"}, True),
    ("null-beside", {"account": None}, False),
    ("null-beside", {"state": None}, False),
    ("maps", {"headers": {"a": ["x"]}, "labels": {"a": None, "b": "c"}, "typeless": {"k": "v"}}, True),
    ("maps", {"labels": None, "typeless": 5}, True),
    ("maps", {"headers": {"a": [1]}}, False),
    ("maps", {"headers": {"a": "x"}}, False),
    ("maps", {"labels": {"a": 1}}, False),
    ("maps", {"typeless": {"k": 1}}, False),
    ("ghost-required", {"ghost": 1}, True),
    ("ghost-required", {"name": "a"}, False),
    ("unpinned-tag", {"kind": "x", "extra": 1}, True),
    ("unpinned-tag", {"kind": "sum"}, False),
    ("unpinned-tag", {"kind": "sum", "extra": 1}, False),
]


@pytest.fixture(scope="module")
def causes(tmp_path_factory: pytest.TempPathFactory) -> Imported:
    return generate_document(tmp_path_factory.mktemp("causes"), SPEC, "causes_webhooks")


@pytest.mark.parametrize(("key", "payload", "valid"), CASES)
def test_the_model_agrees_with_the_schema(causes: Imported, key: str, payload: Any, valid: bool) -> None:
    assert causes.verdicts(key, payload) == (valid, valid)


@pytest.mark.parametrize("key", sorted(set(BODIES) - {"author-nullable", "typeless-root"}))
def test_drawn_payloads_and_their_mutations_agree(causes: Imported, key: str) -> None:
    result = causes.drawn(key)
    assert result.payloads > 0
    assert result.first == (), result.first


def test_a_restated_property_is_typed_by_the_branch_that_says_more(causes: Imported) -> None:
    event = causes.model(causes.webhook("restated")).model_validate({"user": {"login": "ada"}, "data": {"id": 1}})
    assert event.data.id == 1  # the refinement, not Base's bare `object` (it was lost to dict[str, Any])
    assert event.user.login == "ada"


def test_an_integral_float_is_read_as_the_integer_it_is(causes: Imported) -> None:
    event = causes.model(causes.webhook("scalars")).model_validate_json('{"count": 5.0, "amount": 5, "flag": true}')
    assert (event.count, type(event.count)) == (5, int)
    assert (event.amount, type(event.amount)) == (5.0, float)
    assert event.flag is True


@pytest.mark.parametrize("body", ['{"count": "5"}', '{"count": true}', '{"amount": "1.5"}', '{"flag": 1}'])
def test_json_deliveries_are_judged_alike(causes: Imported, body: str) -> None:
    # Receivers parse the raw body (model_validate_json), where Pydantic's lax mode reads the same way.
    with pytest.raises(pydantic.ValidationError):
        causes.model(causes.webhook("scalars")).model_validate_json(body)


def test_an_integer_enum_refuses_a_numeric_string(causes: Imported) -> None:
    assert causes.verdicts("integer-enum", {"level": 2}) == (True, True)
    assert causes.verdicts("integer-enum", {"level": "2"}) == (False, False)
    with pytest.raises(pydantic.ValidationError):
        causes.model(causes.webhook("integer-enum")).model_validate_json('{"level": "2"}')


def test_author_nullable_is_followed_and_warned(causes: Imported) -> None:
    webhook = causes.webhook("author-nullable")
    assert accepts(causes.model(webhook), {"image": None})
    warned = [p for p in causes.generated.warnings if "nullable: true" in p.message]
    assert [(p.webhooks, p.pointer.endswith("/image")) for p in warned] == [(("author-nullable",), True)]


def test_a_typeless_body_is_read_as_an_object_and_the_warning_says_what_is_refused(causes: Imported) -> None:
    assert causes.verdicts("typeless-root", {"name": "ada"}) == (True, True)
    assert causes.verdicts("typeless-root", {}) == (False, False)
    assert causes.verdicts("typeless-root", "ada") == (True, False)
    [warned] = [p for p in causes.generated.warnings if p.webhooks == ("typeless-root",)]
    assert "not an object, which the receiver refuses (422)" in warned.message
    assert "write `type: object`" in warned.message


def test_no_deviation_is_left_undocumented(causes: Imported) -> None:
    documented = {key for p in causes.generated.warnings for key in p.webhooks}
    assert documented == {"author-nullable", "typeless-root"}


def test_the_generated_package_names_no_extension(causes: Imported) -> None:
    code = causes.models_source()
    assert "x-enum-descriptions" not in code


NAMES_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Names", "version": "1.0.0"},
    "components": {
        "schemas": {
            "Order": {
                "type": "object",
                "properties": {
                    "status": {"type": "string", "enum": ["open", "closed"]},
                    "refund": {
                        "type": "object",
                        "properties": {"reason": {"type": "string", "enum": ["damaged", "late"]}},
                    },
                    "contact": {
                        "oneOf": [
                            {"type": "object", "required": ["email"], "properties": {"email": {"type": "string"}}},
                            {"type": "object", "required": ["phone"], "properties": {"phone": {"type": "string"}}},
                        ]
                    },
                },
            },
            "Shipment": {"type": "object", "properties": {"status": {"type": "string", "enum": ["sent"]}}},
        }
    },
    "webhooks": {
        "order.updated": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Order"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
        "shipment.sent": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Shipment"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        },
    },
}


def test_inline_models_are_named_from_where_they_stand_and_a_number_is_warned(tmp_path: Path) -> None:
    names = generate_document(tmp_path, NAMES_SPEC, "names_webhooks")
    models = names.models
    order = models.Order.model_validate({"status": "open", "refund": {"reason": "late"}, "contact": {"phone": "1"}})
    assert order.status is models.OrderStatus.OPEN
    assert type(order.refund) is models.OrderRefund
    assert order.refund.reason is models.OrderRefundReason.LATE
    assert type(order.contact) is models.OrderContact1
    assert models.Shipment.model_validate({"status": "sent"}).status is models.ShipmentStatus.SENT
    assert not hasattr(models, "Status1")
    numbered = [p for p in names.generated.warnings if "named with a number" in p.message]
    assert [(p.pointer, p.message.split(":")[0]) for p in numbered] == [
        ("/components/schemas/Order/properties/contact/oneOf/1", "model OrderContact1 is named with a number")
    ]


def _titled(title: str, field: str) -> dict[str, Any]:
    return {"title": title, "type": "object", "required": [field], "properties": {field: {"type": "string"}}}


TITLES_SPEC: dict[str, Any] = {
    "openapi": "3.1.0",
    "info": {"title": "Titles", "version": "1.0.0"},
    "components": {
        "schemas": {
            "Customer": {
                "type": "object",
                "properties": {
                    "contact": {"oneOf": [_titled("Email contact", "email"), _titled("PhoneContact", "phone")]},
                    # `Address` is a component already: this branch is named from its place and its title.
                    "ship_to": {"anyOf": [_titled("Address", "line1"), _titled("Pickup point", "point_id")]},
                    # One titled, one not: the titled one takes its title, the other its place, without a number.
                    "reach": {
                        "oneOf": [
                            _titled("Pager", "pager"),
                            {"type": "object", "required": ["fax"], "properties": {"fax": {}}},
                        ]
                    },
                    # A titled scalar or a lone titled object makes no class of its own title.
                    "nickname": {"title": "Nick name", "type": "string", "maxLength": 10},
                    "referrer": {"title": "Referrer", "type": "object", "properties": {"id": {"type": "string"}}},
                    "home": {"$ref": "#/components/schemas/Address"},
                },
            },
            "Address": {"type": "object", "properties": {"street": {"type": "string"}}},
        }
    },
    "webhooks": {
        "customer.updated": {
            "post": {
                "requestBody": {"content": {"application/json": {"schema": {"$ref": "#/components/schemas/Customer"}}}},
                "responses": {"200": {"description": "ok"}},
            }
        }
    },
}


def test_titled_union_branches_are_named_by_their_titles_and_nothing_is_numbered(tmp_path: Path) -> None:
    titles = generate_document(tmp_path, TITLES_SPEC, "titles_webhooks")
    models = titles.models
    customer = models.Customer.model_validate(
        {"contact": {"phone": "1"}, "ship_to": {"line1": "x"}, "reach": {"fax": 1}, "referrer": {"id": "r"}}
    )
    assert type(customer.contact) is models.PhoneContact
    assert type(models.Customer.model_validate({"contact": {"email": "e"}}).contact) is models.EmailContact
    assert type(customer.ship_to) is models.CustomerShipToAddress
    assert models.Customer.model_validate({"home": {"street": "s"}}).home.street == "s"  # the component keeps its name
    assert type(customer.reach) is models.CustomerReach
    assert type(models.Customer.model_validate({"reach": {"pager": "p"}}).reach) is models.Pager
    assert type(customer.referrer) is models.CustomerReferrer
    assert sorted(name for name in models.__all__) == [
        "Address",
        "Customer",
        "CustomerReach",
        "CustomerReferrer",
        "CustomerShipToAddress",
        "EmailContact",
        "Pager",
        "PhoneContact",
        "PickupPoint",
    ]
    assert [p.message for p in titles.generated.warnings if p.rule == "numbered-name"] == []
    # The provider's document keeps each title.
    schemas = titles.webhooks.app.openapi()["components"]["schemas"]
    assert schemas["EmailContact"]["title"] == "Email contact"
