"""The schemas as datamodel-code-generator is given them: written so that the models it makes type well
and never refuse what the contract allows. `for_contract` gives the schemas the contract check
(contract_check.py) validates against, which mean exactly what the source means. The rewrites for the models:
- vendor extensions are dropped (they come in every shape, and Paddle's crash the generator);
- a `default` that does not fit the schema's type or enum is dropped (the validate stage warns);
- `properties` without `type` describes objects but accepts any other JSON value too (Adyen's
  `*ItemWrapper`): the schema becomes `type: object`, and every place that uses it also accepts
  the non-object values, so the model stays a class and nothing valid is refused;
- a `discriminator` whose property some branch does not require, or does not pin (`const`/`enum`), cannot tag
  every payload the schema allows (Polar's `aggregation`): it is dropped, and the union is tried branch by branch
  (`oneOf` exactness is then checked by the contract guard, see contract_check.py);
- an `allOf` branch restating a property an earlier branch defines: the property is kept in the
  branch that says more (see `_refinements_merged`), and the contract check enforces both; a component branch is
  then merged into the class, and the words it leaves behind go into the class's `allOf` (see `_words_left_behind`);
- a nullable map (`type: [object, null]` with typed `additionalProperties`) is written `anyOf` [map, null], which
  datamodel-code-generator types `dict[str, V] | None` instead of `dict[str, Any] | None`;
- a `$ref` to a component that is only a union (see `is_pure_union`) is replaced, where a property, an item, a map
  value or a union branch uses it, by a copy of that union: the field is typed `Card | BankTransfer` (discriminated
  where the spec says so), not by a `RootModel` a handler would read through `.root`. The component keeps its class.
- the words of a union branch that becomes no class (a description beside a `$ref`, a string's format) are
  lifted to the union, where the field documents them (see `_branch_words_lifted`);
- a component that is only `allOf: [{$ref: X}]` with a title or description is written `$ref: X` beside them
  (see `_named_reference`).
What no model can hold (a scalar union branch's examples, a map value's description, the words of a restatement the
merge drops) each class's JSON schema is given by `_types.with_words_json_schema` (see `document_words`).
`nullable: true` is read as its author meant it, in both documents.
"""

from __future__ import annotations

import inspect
import json
from typing import Any

from ..spec import pointers
from ..spec.lint import default_fits
from ..spec.upgrade import with_null_for_nullable
from ..spec.walk import component_ref_name, map_schema

NON_OBJECT_TYPES = ["array", "boolean", "number", "string", "null"]
_TYPED_BY = ("type", "$ref", "allOf", "anyOf", "oneOf", "const", "enum", "not", "if")
_PLACES_OF_USE = ("items", "additionalProperties")
_ANNOTATIONS = frozenset({"title", "description", "examples", "example", "deprecated", "readOnly", "writeOnly"})


def normalize(schemas: dict[str, Any]) -> dict[str, Any]:
    """Every component schema rewritten for the models (see the module docstring)."""
    cleaned = {
        name: map_schema(
            schema,
            lambda node: _merged_descriptions(_documented(_branch_words_lifted(_without_unfit_default(_clean(node))))),
        )
        for name, schema in schemas.items()
    }
    loose = {name for name, schema in cleaned.items() if is_loose_object(schema)}
    typed = {name: {**schema, "type": "object"} if name in loose else schema for name, schema in cleaned.items()}
    rewritten = {
        name: _named_reference(
            map_schema(
                schema,
                lambda node: _refinements_merged(
                    _widen_uses(_tag_only_if_required(_nullable_map_split(node), cleaned), loose), cleaned
                ),
            ),
            cleaned,
        )
        for name, schema in typed.items()
    }
    unions = {name for name, schema in rewritten.items() if is_pure_union(schema)}
    return {
        name: map_schema(schema, lambda node: _unions_inlined(node, rewritten, unions))
        for name, schema in rewritten.items()
    }


def _named_reference(schema: Any, components: dict[str, Any]) -> Any:
    """A component that only names another and says what it is (`allOf: [{$ref: X}]` beside a title), as `$ref: X`.

    Where X is no class of fields (an enum, a string), datamodel-code-generator makes both a RootModel of X's type;
    from `allOf` it drops the title (Paddle's `ApiKeyPermission`), beside `$ref` it writes it on the root field. A
    `type` beside them is dropped only where X's own type is the same: nothing else changes what the model accepts.
    """
    branches = schema.get("allOf") if isinstance(schema, dict) else None  # a component may be `true` or `false`
    if not (isinstance(branches, list) and len(branches) == 1 and isinstance(branches[0], dict)):
        return schema
    ref = branches[0].get("$ref")
    target = components.get(component_ref_name(ref) or "")
    if (
        len(branches[0]) != 1
        or not isinstance(target, dict)
        or any(key in target for key in ("properties", "allOf", "anyOf", "oneOf"))
        or target.get("type") == "object"
    ):
        return schema  # a class's subclass stays one: its fields are read without `.root`
    words = {key for key in schema if key in _ANNOTATIONS or key.startswith("x-")}
    if set(schema) - words - {"allOf", "type"} or ("type" in schema and target.get("type") != schema["type"]):
        return schema
    return {**{key: schema[key] for key in words}, "$ref": ref}


def for_contract(schemas: dict[str, Any]) -> dict[str, Any]:
    """The component schemas as the contract check reads them: exactly the source's meaning.

    Only what carries no validation meaning is dropped (vendor extensions), and `nullable: true` is
    read as its author meant it, as the models read it. None of the rewrites for the models applies:
    those for loose objects and restated properties type the models, and this is what keeps them honest.
    """
    return {name: map_schema(schema, _clean) for name, schema in schemas.items()}


def _without_unfit_default(schema: dict[str, Any]) -> dict[str, Any]:
    # `title: str = 5` would not type-check; the validate stage warns about such a default.
    return schema if default_fits(schema) else {key: value for key, value in schema.items() if key != "default"}


# What a model's JSON schema would not say by itself, for the provider's document: a `format` the model reads as a
# plain string (`email`, `int64`), `uniqueItems` on a list, a schema's `title` (Pydantic titles a class with its
# name) and examples (a property's are `Field(examples=...)`; a class's have no place of their own), and a
# description that Python would clean as a docstring (indentation, the last newline). Each is copied under an `x-`
# name (the source's own `x-` keys are gone by then); datamodel-code-generator writes it, without the prefix, into
# `Field(json_schema_extra=...)`, a class's `model_config`, or an enum class's `__get_pydantic_json_schema__`
# (codegen's `*_extra_keys_without_x_prefix` and its Enum template). None of them validates anything. The date and
# time formats are left out: the models type them by default, and Pydantic writes those formats itself (with
# `--assert-formats` leaving one out, the document lacks it). Beside those formats, datamodel-code-generator drops the
# string keywords a `date` or `time` cannot take (`pattern`, Adyen's `HH:mm:SS`): they are copied as one
# `x-json_schema_extra` (a copied `x-pattern` would be read as `Field(pattern=...)`, and dropped again). An enum class
# drops them too: there they are copied one by one, for its `__get_pydantic_json_schema__`.
DOCUMENTED_KEYWORDS = ("format", "uniqueItems", "title", "examples", "example")
_TYPED_FORMATS = frozenset({"date", "date-time", "time"})
_STRING_KEYWORDS = ("pattern", "minLength", "maxLength")
# What an Enum class cannot hold either (GitHub writes `minItems` on an enum of strings).
ENUM_DROPS = (
    *_STRING_KEYWORDS,
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "multipleOf",
    "minItems",
    "maxItems",
    "minProperties",
    "maxProperties",
)


def _documented(schema: dict[str, Any]) -> dict[str, Any]:
    copied = {f"x-{key}": schema[key] for key in DOCUMENTED_KEYWORDS if key in schema}
    if copied.get("x-format") in _TYPED_FORMATS:
        del copied["x-format"]
        dropped = {key: schema[key] for key in _STRING_KEYWORDS if key in schema}
        if dropped:
            copied["x-json_schema_extra"] = dropped
    if "enum" in schema:  # an Enum class holds no constraint (Paddle's three-letter codes)
        copied.update({f"x-{key}": schema[key] for key in ENUM_DROPS if key in schema})
    if isinstance(schema.get("description"), str) and inspect.cleandoc(schema["description"]) != schema["description"]:
        copied["x-description"] = schema["description"]
    conditions = _conditions(schema)
    if conditions:
        copied["x-allOf"] = conditions
    return {**schema, **copied} if copied else schema


# What the models do not express, and the contract check enforces (contract_check.py): the `allOf` branches made only
# of these (ucp's `if: {type: discount} then: {amount: {exclusiveMaximum: 0}}`, `contains: {type: {const: total}}`)
# are copied as they are into the class's JSON schema, so that the document says them too.
_CONDITIONAL = frozenset(
    {"if", "then", "else", "not", "contains", "minContains", "maxContains", "dependentRequired", "dependentSchemas"}
)


def _conditions(schema: dict[str, Any]) -> list[Any]:
    """The `allOf` branches of `schema` that only say what the models do not express, as the source writes them."""
    if "allOf" not in schema:
        return []
    branches = [
        map_schema(branch, without_extensions)  # without the `x-` copies made for the models
        for branch in _list(schema.get("allOf"))
        if isinstance(branch, dict) and branch and all(key in _CONDITIONAL or key.startswith("x-") for key in branch)
    ]
    return [] if '"$ref"' in json.dumps(branches) else [branch for branch in branches if branch]


# The words of a union's branch that becomes no class of its own: `anyOf: [{type: string, format: ipvanyaddress},
# {type: null}]` is `str | None`, and `{$ref: Address, description: ...}` is `Address`; their annotations have no place
# in the model. Each is lifted to the union when no other branch says otherwise and the union does not say it itself
# (a format as `x-format`: it documents, and a union's `format` would not type anything). Polar's nullable fields.
# The same for an inline `allOf` branch, merged into the class the schema makes (GitHub's `Workflow Job`): its title
# and description. Examples are lifted from a scalar branch only: datamodel-code-generator already gives a field the
# examples of a branch it inlines (an array's), and would write them twice.
_LIFTED_WORDS = ("description", "title", "format")
_EXAMPLE_SCALARS = ("string", "number", "integer", "boolean")


def _branch_words_lifted(schema: dict[str, Any]) -> dict[str, Any]:
    if "anyOf" not in schema and "oneOf" not in schema and "allOf" not in schema:
        return schema  # no branch to lift words from
    union = [
        branch
        for key in ("anyOf", "oneOf")
        for branch in _list(schema.get(key))
        if isinstance(branch, dict) and not _makes_a_class(branch)
    ]
    merged = [branch for branch in _list(schema.get("allOf")) if isinstance(branch, dict) and "$ref" not in branch]
    lifted = {}
    for word in _LIFTED_WORDS:
        name = "x-format" if word == "format" else word
        values = [branch[word] for branch in (union if word == "format" else union + merged) if word in branch]
        typed = word == "format" and values[:1] in ([f] for f in _TYPED_FORMATS)  # Pydantic writes those itself
        if len(values) == 1 and word not in schema and name not in schema and not typed:
            lifted[name] = values[0]
    examples = [
        branch["examples"] for branch in union if "examples" in branch and branch.get("type") in _EXAMPLE_SCALARS
    ]
    if len(examples) == 1 and "examples" not in schema and "example" not in schema:
        lifted["examples"] = examples[0]
    return {**schema, **lifted} if lifted else schema


def _merged_descriptions(schema: dict[str, Any]) -> dict[str, Any]:
    """Each inline property made of `allOf` branches, with the description of the branch it merges as its class's.

    GitHub's `issue: {description: "The issue the comment belongs to.", allOf: [{description: "The issue itself.",
    ...}, ...]}`: the property's description is the field's, and the merged branch's the class's (`x-description`,
    which the class's `model_config` writes). A component has no field: it is left as it is.
    """
    properties = schema.get("properties")
    if not isinstance(properties, dict):
        return schema
    described = {name: _with_merged_description(value) for name, value in properties.items()}
    changed = any(described[name] is not properties[name] for name in properties)
    return {**schema, "properties": described} if changed else schema


def _with_merged_description(schema: Any) -> Any:
    if not isinstance(schema, dict) or "description" not in schema or "x-description" in schema or "$ref" in schema:
        return schema
    merged = [b for b in _list(schema.get("allOf")) if isinstance(b, dict) and "$ref" not in b and "description" in b]
    if len(merged) != 1 or merged[0]["description"] == schema["description"]:
        return schema
    return {**schema, "x-description": merged[0]["description"]}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _makes_a_class(schema: dict[str, Any]) -> bool:
    """Whether datamodel-code-generator makes a class of an inline schema, which carries its annotations."""
    return any(key in schema for key in ("properties", "allOf", "enum")) and "$ref" not in schema


def _clean(schema: dict[str, Any]) -> dict[str, Any]:
    return with_null_for_nullable(without_extensions(schema))


def without_extensions(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema object without vendor extensions (`x-...`), which carry no validation meaning."""
    return {key: value for key, value in schema.items() if not key.startswith("x-")}


def is_loose_object(schema: Any) -> bool:
    """A schema with `properties` but nothing that limits it to objects."""
    return isinstance(schema, dict) and "properties" in schema and not any(key in schema for key in _TYPED_BY)


def _widen_uses(schema: dict[str, Any], loose: set[str]) -> dict[str, Any]:
    result = dict(schema)
    if isinstance(result.get("properties"), dict):
        result["properties"] = {name: _widened(value, loose) for name, value in result["properties"].items()}
    for key in _PLACES_OF_USE:
        if key in result:
            result[key] = _widened(result[key], loose)
    for key in ("anyOf", "oneOf"):
        if isinstance(result.get(key), list):
            result[key] = [_widened(value, loose) for value in result[key]]
    return result


def _widened(schema: Any, loose: set[str]) -> Any:
    if is_loose_object(schema):
        return {"anyOf": [{**schema, "type": "object"}, {"type": NON_OBJECT_TYPES}]}
    ref = schema.get("$ref") if isinstance(schema, dict) else None
    if component_ref_name(ref) not in loose:
        return schema
    annotations = {key: value for key, value in schema.items() if key != "$ref"}
    return {**annotations, "anyOf": [{"$ref": ref}, {"type": NON_OBJECT_TYPES}]}


def _nullable_map_split(schema: dict[str, Any]) -> dict[str, Any]:
    """`type: [object, null]` with typed `additionalProperties` and no `properties`, as `anyOf` [the map, null].

    datamodel-code-generator types the first `dict[str, Any]` (any value taken); the second `dict[str, V] | None`.
    """
    types = schema.get("type")
    if not (isinstance(types, list) and sorted(types) == ["null", "object"]):
        return schema
    if "properties" in schema or not isinstance(schema.get("additionalProperties"), dict):
        return schema
    annotations = {key: value for key, value in schema.items() if key in _ANNOTATIONS}
    the_map = {key: value for key, value in schema.items() if key not in _ANNOTATIONS}
    return {**annotations, "anyOf": [{**the_map, "type": "object"}, {"type": "null"}]}


def _refinements_merged(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    """An `allOf` whose later branch restates a property an earlier branch defines.

    datamodel-code-generator keeps the earlier property, even when the later one carries the detail
    (Paddle's inherited `data: {type: object}` wins over the full object that refines it, and the
    payload is lost to `dict[str, Any]`). Each such property is kept in one branch only, the one that
    says more; either accepts at least what both accept together, and the body model's contract check
    (contract_check.py: the schema reaches `allOf`) refuses what the other branch forbids. The words of a restatement
    left out (ucp's `capabilities` whose items are `capability_response_schema`, its base titled otherwise) are kept
    under `DROPPED_WORDS` for the class's document.
    """
    branches = schema.get("allOf")
    if not isinstance(branches, list):
        return schema
    merged = list(branches)
    words: list[dict[str, Any]] = []  # what merged branches leave behind, for the document (`_words_left_behind`)
    dropped: dict[str, Any] = {}  # the words of each restatement left out, for the document (`document_words`)
    for index in range(len(merged)):
        earlier = _branch_schema(merged[index], components)
        if earlier is None:
            continue
        inherited: dict[str, Any] = earlier["properties"]
        kept_by: dict[str, Any] = {}
        for position in range(index + 1, len(merged)):
            later = merged[position]
            if not (isinstance(later, dict) and "$ref" not in later and isinstance(later.get("properties"), dict)):
                continue
            restated = set(later["properties"]) & set(inherited)
            richer_later = {name for name in restated if _detail(later["properties"][name]) > _detail(inherited[name])}
            # A restated property kept in the later branch keeps the earlier one's words too (GitHub's `labels`).
            kept = {
                k: _with_words_of(v, inherited[k]) if k in richer_later else v
                for k, v in later["properties"].items()
                if k not in restated - richer_later
            }
            inherited = {k: v for k, v in inherited.items() if k not in richer_later}
            kept_by.update({name: kept[name] for name in richer_later})
            merged[position] = {**later, "properties": kept}
            for name in sorted(restated - richer_later):
                said = _place_words(later["properties"][name], components=components)
                if said:
                    dropped.setdefault(name, said)
        if inherited != earlier["properties"]:
            words += _words_left_behind(merged[index], earlier, kept_by)
            merged[index] = {**earlier, "properties": inherited}
    result = {**schema, "allOf": merged}
    if words:
        result["x-allOf"] = [*_list(schema.get("x-allOf")), *words]
    if dropped:
        result[DROPPED_WORDS] = {"properties": dropped}
    return result


def _words_left_behind(branch: dict[str, Any], earlier: dict[str, Any], kept_by: dict[str, Any]) -> list[Any]:
    """What an `allOf` branch says that its merge into the class loses, as a schema of words only (or nothing).

    A component's own title and description (`$ref: event` is merged, not a base class), and the words of each property
    moved to a later branch where that branch says otherwise (the event's `data` has its own description). Written
    into the class's `allOf` for the document (`x-allOf`, see `_documented`), it validates nothing.
    """
    said = {key: value for key, value in earlier.items() if key in _ANNOTATIONS} if "$ref" in branch else {}
    properties = {}
    for name, kept in kept_by.items():
        dropped = earlier["properties"][name]
        lost = {
            key: value
            for key, value in (dropped.items() if isinstance(dropped, dict) else ())
            if key in _ANNOTATIONS and not (isinstance(kept, dict) and kept.get(key) == value)
        }
        if lost:
            properties[name] = lost
    if properties:
        said["properties"] = properties
    return [said] if said else []


def _with_words_of(kept: Any, dropped: Any) -> Any:
    """`kept`, with the annotations (and their `x-` copies) of `dropped` that it does not say itself."""
    if not (isinstance(kept, dict) and isinstance(dropped, dict)):
        return kept
    words = {k: v for k, v in dropped.items() if (k in _ANNOTATIONS or k.startswith("x-")) and k not in kept}
    return {**kept, **words} if words else kept


def _detail(schema: Any) -> int:
    """How much a schema says about a value, annotations aside: the longer, the more."""
    if not isinstance(schema, dict):
        return 0
    return len(json.dumps({k: v for k, v in schema.items() if k not in _ANNOTATIONS}, sort_keys=True))


def is_restatable(branch: Any) -> bool:
    """An allOf branch whose properties `_refinements_merged` may move: inline, or a bare component `$ref`."""
    if not isinstance(branch, dict):
        return False
    return "$ref" not in branch or (len(branch) == 1 and component_ref_name(branch["$ref"]) is not None)


def _branch_schema(branch: Any, components: dict[str, Any]) -> dict[str, Any] | None:
    """The schema an allOf branch stands for when it defines properties: itself, or the component it names."""
    if not is_restatable(branch):
        return None
    target = components.get(component_ref_name(branch["$ref"]) or "") if "$ref" in branch else branch
    return target if isinstance(target, dict) and isinstance(target.get("properties"), dict) else None


def _tag_only_if_required(schema: dict[str, Any], components: dict[str, Any]) -> dict[str, Any]:
    if "discriminator" not in schema or tags_every_branch(schema, components):
        return schema
    return {key: value for key, value in schema.items() if key != "discriminator"}


def tags_every_branch(schema: dict[str, Any], components: dict[str, Any]) -> bool:
    """Whether the schema's `discriminator` names a property every `oneOf`/`anyOf` branch requires and pins.

    Pinned: limited to given values (`const` or `enum`). A branch that does not pin its tag is tagged by
    datamodel-code-generator with its schema's name, which refuses the tags JSON Schema allows it.
    """
    discriminator = schema.get("discriminator")
    branches = schema.get("oneOf") or schema.get("anyOf")
    if not isinstance(discriminator, dict) or not isinstance(branches, list):
        return False
    name = discriminator.get("propertyName")
    return all(
        name in _required(branch, components, set()) and _pins(branch, name, components, set()) for branch in branches
    )


def _pins(schema: Any, name: str, components: dict[str, Any], seen: set[str]) -> bool:
    """Whether a branch limits property `name` to given values (`const` or `enum`), itself or through `$ref`/`allOf`."""
    if not isinstance(schema, dict):
        return False
    tag = (schema.get("properties") or {}).get(name)
    if isinstance(tag, dict) and ("const" in tag or "enum" in tag):
        return True
    target = component_ref_name(schema.get("$ref"))
    if target is not None and target not in seen and _pins(components.get(target), name, components, {*seen, target}):
        return True
    return any(_pins(branch, name, components, seen) for branch in schema.get("allOf") or [])


def _required(schema: Any, components: dict[str, Any], seen: set[str]) -> set[str]:
    if not isinstance(schema, dict):
        return set()
    found = set(schema.get("required") or [])
    name = component_ref_name(schema.get("$ref"))
    if name is not None and name not in seen:
        found |= _required(components.get(name), components, {*seen, name})
    for branch in schema.get("allOf") or []:
        found |= _required(branch, components, seen)
    return found


# What a pure union may hold besides its `oneOf`/`anyOf`: nothing that validates (a `discriminator` only tags).
_UNION_KEEPS = frozenset({*_ANNOTATIONS, "discriminator", "x-title", "x-description", "x-examples", "x-example"})
# What a place using a union may say beside its `$ref`: annotations and their copies for the document (`_documented`).
_WORDS = _UNION_KEEPS - {"discriminator"}
_SCALARS = frozenset({"string", "integer", "number", "boolean", "null"})


def is_pure_union(schema: Any) -> bool:
    """A schema that is only a `oneOf` or an `anyOf` whose branches make no class of their own.

    Each branch is a bare component `$ref`, `null`, or a scalar type without `enum`/`const` (inline objects and enums
    would be copied into a new class at every place that uses the union).
    """
    if not isinstance(schema, dict) or set(schema) - _UNION_KEEPS - {"oneOf", "anyOf"}:
        return False
    keyword = [key for key in ("oneOf", "anyOf") if key in schema]
    branches = schema.get(keyword[0]) if len(keyword) == 1 else None
    return isinstance(branches, list) and len(branches) > 1 and all(map(_classless_branch, branches))


def _classless_branch(branch: Any) -> bool:
    if not isinstance(branch, dict):
        return False
    if "$ref" in branch:
        return set(branch) == {"$ref"} and component_ref_name(branch["$ref"]) is not None
    return set(branch) - _WORDS == {"type"} and branch["type"] in _SCALARS


def _unions_inlined(schema: dict[str, Any], components: dict[str, Any], unions: set[str]) -> dict[str, Any]:
    """Each use of a pure union component (a property, an item, a map value, a union branch) as a copy of the union.

    Only a property keeps the union's `discriminator` (`Annotated[A | B, Field(discriminator=...)]`): for an item or a
    map value datamodel-code-generator would wrap a tagged union in a new `RootModel`. Untagged, the union is tried
    branch by branch, which accepts the same payloads: the tag is kept only where every branch requires and pins it
    (`tags_every_branch`).
    """
    result = dict(schema)
    if isinstance(result.get("properties"), dict):
        result["properties"] = {
            name: _inlined_property(value, components, unions) for name, value in result["properties"].items()
        }
    for key in _PLACES_OF_USE:
        if key in result:
            result[key] = _inlined(result[key], components, unions)
    for key in ("anyOf", "oneOf"):
        if isinstance(result.get(key), list):
            result[key] = [_inlined(value, components, unions) for value in result[key]]
    return result


def _inlined_property(schema: Any, components: dict[str, Any], unions: set[str]) -> Any:
    """A property that is a pure union, or exactly `anyOf`/`oneOf` [a pure union, null], typed by the union itself.

    `X | None` is written as one union, the branches and null (the model reads `A | B | None`, untagged).
    """
    keyword = next((key for key in ("anyOf", "oneOf") if key in schema), None) if isinstance(schema, dict) else None
    branches = schema.get(keyword) if keyword else None
    if not (isinstance(branches, list) and len(branches) == 2 and {"type": "null"} in branches):
        return _inlined(schema, components, unions, tagged=True)
    if set(schema) - _WORDS - {keyword}:
        return schema
    union = next(branch for branch in branches if branch != {"type": "null"})
    copied = next(iter(union.values())) if set(union) in ({"oneOf"}, {"anyOf"}) else None
    if isinstance(copied, list) and all(map(_classless_branch, copied)):  # copied as a branch already (innermost first)
        inlined = union
    else:
        words = {key: value for key, value in schema.items() if key in _WORDS}
        inlined = _inlined({**words, **union}, components, unions, tagged=True)
        if "$ref" in inlined or set(union) != {"$ref"}:
            return schema
    inner = "oneOf" if "oneOf" in inlined else "anyOf"
    words = {key: value for key, value in inlined.items() if key not in (inner, "discriminator")}
    return {**words, keyword: [*inlined[inner], {"type": "null"}]}


def _inlined(
    schema: Any,
    components: dict[str, Any],
    unions: set[str],
    *,
    tagged: bool = False,
    seen: frozenset[str] = frozenset(),
) -> Any:
    """A use of a pure union as the union itself (its own branches too, once along each path), else unchanged.

    The place's annotations (its description) win over the union's; a union whose words the copy would lose stays a
    reference (see `_words_lost`), so the provider's document keeps every description.
    """
    name = component_ref_name(schema.get("$ref")) if isinstance(schema, dict) else None
    if name is None or name not in unions or name in seen or set(schema) - _WORDS - {"$ref"}:
        return schema
    union = components[name]
    if _words_lost(union, schema, at_property=tagged):
        return schema
    keyword = "oneOf" if "oneOf" in union else "anyOf"
    branches = [_inlined(branch, components, unions, seen=seen | {name}) for branch in union[keyword]]
    kept = {key: value for key, value in union.items() if tagged or key != "discriminator"}
    annotations = {key: value for key, value in schema.items() if key != "$ref"}
    return {**kept, keyword: branches, **annotations}


def _words_lost(union: dict[str, Any], place: dict[str, Any], *, at_property: bool) -> bool:
    """Whether copying the union to this place would lose one of its annotations.

    A property writes its annotations into `Field(...)`, so only one the place says otherwise is lost; an item, a map
    value or a union branch writes none (datamodel-code-generator drops them there).
    """
    words = {key: value for key, value in union.items() if key in _UNION_KEEPS and key != "discriminator"}
    if not at_property:
        return bool(words)
    return any(key in place and place[key] != value for key, value in words.items())


# The words no model holds, for the provider's document: datamodel-code-generator types a scalar `anyOf` branch, an
# array's items or a map's values inline (`str | float`, `dict[str, str]`), and their annotations have no place in
# the model. `document_words` gathers them for each class, shaped as its schema (`properties`, `items`,
# `additionalProperties`; `anyOf` lists scalar branches by `type`), and `_types.with_words_json_schema` adds each to
# the schema object Pydantic writes at that place. A union branch's word already lifted to the union (see
# `_branch_words_lifted`) is not repeated. A `$defs` entry nothing refers to (ucp's `order`) makes no class: it is
# copied as the spec writes it, unless it refers to a component (its name in the document would be another).
_PLACE_WORDS = ("title", "description", "examples", "example", "format")
DROPPED_WORDS = "x-hookgen-dropped-words"


def document_words(
    schema: Any,
    referenced: frozenset[str] = frozenset(),
    pointer: str = "",
    components: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The words of the class made from `schema` that its model does not write (see above), shaped as its schema.

    `referenced`: every `$ref` of the document, to leave out the `$defs` entries that make classes; `pointer`: where
    `schema` stands; `components`: the component schemas, whose fields a derived class's schema writes again (Pydantic's
    schema of a subclass is flat): their words are its too.
    """
    if not isinstance(schema, dict):
        return {}
    words = _place_words(schema, own=False)
    properties = _fields_words(schema, components or {}, frozenset())
    if properties:
        words["properties"] = properties
    definitions = {
        name: map_schema(value, without_extensions)  # without the `x-` copies made for the models
        for name, value in (schema.get("$defs") or {}).items()
        if "#" + pointers.join(pointer, "$defs", name) not in referenced and '"$ref"' not in json.dumps(value)
    }
    if definitions:
        words["$defs"] = definitions
    return _deep_merged(words, schema.get(DROPPED_WORDS) or {})


def _fields_words(schema: dict[str, Any], components: dict[str, Any], seen: frozenset[str]) -> dict[str, Any]:
    """The words of a class's fields, its inline `allOf` branches' and its bases' (`$ref` branches) included.

    A field the class defines itself says only its own words.
    """
    branches = [schema, *(b for b in _list(schema.get("allOf")) if isinstance(b, dict))]
    inline = [branch for branch in branches if "$ref" not in branch]
    own = {name for branch in inline for name in branch.get("properties") or {}}
    found: dict[str, Any] = {}
    for branch in inline:
        for name, value in (branch.get("properties") or {}).items():
            said = _place_words(value, own=False)
            if said:
                found = _deep_merged(found, {name: said})
    for branch in branches:
        base = component_ref_name(branch.get("$ref"))
        if base is not None and base not in seen and isinstance(components.get(base), dict):
            inherited = _fields_words(components[base], components, seen | {base})
            found = _deep_merged(found, {name: said for name, said in inherited.items() if name not in own})
    return found


def _place_words(schema: Any, *, own: bool = True, components: dict[str, Any] | None = None) -> dict[str, Any]:
    """The words at one place of a class that its model drops; `own`: the place's own too (a property has `Field`).

    With `components`, a `$ref` to a component that only names another class (`allOf: [{$ref: X}]` and words) says
    its words at the place.
    """
    if not isinstance(schema, dict) or (_makes_a_class(schema) and own):
        return {}
    words = _words_of(schema) if own else {}
    named = components.get(component_ref_name(schema.get("$ref")) or "") if components is not None else None
    if isinstance(named, dict) and _only_names_another(named):
        words = {**_words_of(named), **words}
    if "$ref" in schema or _makes_a_class(schema):
        return words
    for key in _PLACES_OF_USE:
        said = _place_words(schema.get(key), components=components)
        if said:
            words[key] = said
    branches = _scalar_branch_words(schema)
    if branches:
        words["anyOf"] = branches
    return words


def _words_of(schema: dict[str, Any]) -> dict[str, Any]:
    """A schema's words, but a date or time format: Pydantic writes those itself (see `_branch_words_lifted`)."""
    return {
        key: schema[key]
        for key in _PLACE_WORDS
        if key in schema and not (key == "format" and schema[key] in _TYPED_FORMATS)
    }


def _only_names_another(schema: dict[str, Any]) -> bool:
    """A schema that is `allOf: [{$ref: X}]` and words only (their `x-` copies aside)."""
    branches = _list(schema.get("allOf"))
    said = {key for key in schema if not key.startswith("x-")} - _ANNOTATIONS
    return said == {"allOf"} and len(branches) == 1 and isinstance(branches[0], dict) and set(branches[0]) == {"$ref"}


def _scalar_branch_words(schema: dict[str, Any]) -> list[dict[str, Any]]:
    """The words of each scalar branch of a union that the union does not say itself, by the branch's `type`."""
    branches = [branch for key in ("anyOf", "oneOf") for branch in _list(schema.get(key)) if isinstance(branch, dict)]
    types = [branch.get("type") for branch in branches]
    lifted = {**schema, "format": schema.get("x-format", schema.get("format"))}  # see `_branch_words_lifted`
    said = []
    for branch in branches:
        kind = branch.get("type")
        said_more = {key for key in branch if not key.startswith("x-")} - {*_PLACE_WORDS, "type"}
        if kind not in _EXAMPLE_SCALARS or types.count(kind) > 1 or said_more:
            continue
        words = {key: value for key, value in _words_of(branch).items() if lifted.get(key) != value}
        if words:
            said.append({"type": kind, **words})
    return said


def _deep_merged(first: dict[str, Any], second: dict[str, Any]) -> dict[str, Any]:
    """`first` with what `second` adds, object by object (`first` wins where both say a word)."""
    merged = dict(first)
    for key, value in second.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            merged[key] = _deep_merged(merged[key], value)
        else:
            merged.setdefault(key, value)
    return merged
