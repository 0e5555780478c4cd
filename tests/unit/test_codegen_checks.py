"""hookgen's class lines (the contract check, a derived class's `with_bases_json_schema()`, an enum's
`enum_json_schema(...)`) are written into the models exactly as custom datamodel-code-generator templates would write
them (the include `schema_runtime_validation.jinja2` in the class body, and an Enum template): the same code, without
making datamodel-code-generator render every model through Jinja."""

from __future__ import annotations

import ast
import re
import tempfile
import warnings
from pathlib import Path
from typing import Any

from generator.models.codegen import (
    DEFAULT_ASSERTED_FORMATS,
    GUARD_ATTRIBUTE,
    _without_header,
    check_options,
    generate_models,
    model_options,
    with_checks,
)
from generator.models.prepare import prepare

from .specs import openapi, post, ref

# Every place the include can stand: after a docstring, after `model_config`, in a class without fields (`pass`, or
# a docstring only), in a root model, in a subclass, in a class whose field has a docstring; an enum body has none.
SHAPES: dict[str, Any] = {
    "Described": {
        "type": "object",
        # Characters `str.splitlines` breaks at, which the docstring keeps: not line ends in Python.
        "description": "A class docstring\nover two lines,\u2028class X(BaseModel):\x0cform\x1efeed\x85.",
        "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
    },
    "Closed": {"type": "object", "additionalProperties": False, "properties": {"a": {"type": "string"}}},
    "ClosedDescribed": {
        "type": "object",
        "description": "Closed, with a docstring.",
        "additionalProperties": False,
        "properties": {"a": {"type": "string"}},
    },
    "Empty": {"type": "object"},
    "EmptyDescribed": {"type": "object", "description": "Nothing in it."},
    "Either": {"oneOf": [{"type": "string"}, {"type": "integer"}]},
    "Child": {"allOf": [ref("Described"), {"type": "object", "properties": {"c": {"type": "string"}}}]},
    "Colour": {"type": "string", "enum": ["red", "green"], "not": {"const": "blue"}},
    "Titled": {
        "type": "string",
        "title": "A titled colour",
        "description": "  Indented words\n  kept as written.",
        "examples": ["red"],
        "maxLength": 5,
        "enum": ["red", "green"],
    },
    "GrandChild": {"allOf": [ref("Child"), {"type": "object", "properties": {"d": {"type": "integer"}}}]},
    "Map": {"type": "object", "additionalProperties": {"type": "integer"}, "properties": {"n": {"type": "string"}}},
}
# A pointer's quotes, backslash and line separator are data: they stay in one string literal.
POINTERS = {name: f'/$defs/{name}/it\'s "quoted" \\ \u2028' for name in SHAPES}
OLD_TEMPLATE = """\
{%- if hookgen_check is defined %}
    _hookgen_contract = contract_check({{ hookgen_check | repr }})
{%- endif %}
{%- if base_class != "BaseModel" and not base_class.startswith("RootModel") %}
    __get_pydantic_json_schema__ = with_bases_json_schema()
{%- endif %}
"""
ENUM_TEMPLATE = '''\
{%- for decorator in decorators %}
{{ decorator }}
{%- endfor %}
class {{ class_name }}({{ base_class }}):
{%- if description and description.strip() %}
    """
    {{ description | indent(4) }}
    """
{%- endif %}
{%- for field in fields %}
    {{ field.name }} = {{ field.default }}
{%- endfor %}
{%- if model_extras %}

    __get_pydantic_json_schema__ = enum_json_schema({{ model_extras | repr }})
{%- endif %}
'''


def _with_custom_template(document: dict[str, Any], checks: dict[str, str]) -> str:
    """The models datamodel-code-generator writes with the check in a custom `schema_runtime_validation.jinja2`."""
    from datamodel_code_generator import generate  # noqa: PLC0415
    from datamodel_code_generator.enums import DataModelType, InputFileType, OpenAPIScope  # noqa: PLC0415
    from datamodel_code_generator.format import PythonVersion  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        templates = Path(folder) / "templates"
        (templates / "pydantic_v2").mkdir(parents=True)
        (templates / "pydantic_v2" / "schema_runtime_validation.jinja2").write_text(OLD_TEMPLATE, encoding="utf-8")
        (templates / "Enum.jinja2").write_text(ENUM_TEMPLATE, encoding="utf-8")
        output = Path(folder) / "models.py"
        data = {f"#/components/schemas/{name}": {"hookgen_check": at} for name, at in checks.items()}
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            generate(
                document,
                input_file_type=InputFileType.OpenAPI,
                output_model_type=DataModelType.PydanticV2BaseModel,
                openapi_scopes=[OpenAPIScope.Schemas],
                target_python_version=PythonVersion.PY_311,
                output=output,
                custom_template_dir=templates,
                extra_template_data=data,
                **{**model_options(DEFAULT_ASSERTED_FORMATS), **check_options(checks)},
            )
        return _without_header(output.read_text(encoding="utf-8"))


def _blank_runs_collapsed(code: str) -> str:
    return re.sub(r"\n{4,}", "\n\n\n", code)


def test_the_check_lands_where_the_template_include_would_write_it() -> None:
    model_input = prepare(openapi({name.lower(): post(ref(name)) for name in SHAPES}, schemas=SHAPES))
    models, problems = generate_models(model_input, checks=POINTERS)
    assert models is not None
    assert problems == []
    # The custom Enum template leaves a third blank line before an enum class, which ruff removes in the package.
    assert models.code == _blank_runs_collapsed(_with_custom_template(model_input.document, POINTERS))
    # Every class but the enums' carries its own pointer, read back as the same string.
    expected = {models.class_for(name): at for name, at in POINTERS.items() if name not in ("Colour", "Titled")}
    assert models.checked == expected
    found = {
        node.name: statement.value.args[0].value
        for node in ast.parse(models.code).body
        if isinstance(node, ast.ClassDef)
        for statement in node.body
        if isinstance(statement, ast.Assign) and ast.unparse(statement.targets[0]) == GUARD_ATTRIBUTE
        if isinstance(statement.value, ast.Call) and isinstance(statement.value.args[0], ast.Constant)
    }
    assert found == expected


CODE = '''\
class A(BaseModel):
    """
    class B(BaseModel):
    """

    x: int


class B(BaseModel):
    pass

    def method(self) -> None:
        pass


class C(StrEnum):
    red = "red"


D = int
'''


def test_with_checks_reads_each_class_alone_and_skips_enums_and_aliases() -> None:
    code, checked = with_checks(CODE, {"A": "/a", "B": "/b", "C": "/c", "D": "/d", "Missing": "/m"})
    assert checked == {"A": "/a", "B": "/b"}
    in_a = CODE.replace('    """\n\n    x', f'    """\n\n    {GUARD_ATTRIBUTE} = contract_check(\'/a\')\n    x')
    assert code == in_a.replace(
        "    pass\n\n    def", f"    pass\n    {GUARD_ATTRIBUTE} = contract_check('/b')\n\n    def"
    )


def test_without_checks_the_code_is_untouched() -> None:
    assert with_checks(CODE, {}) == (CODE, {})


WORDS_CODE = """\
class E(StrEnum):
    red = "red"


class M(RootModel[dict[str, str]]):
    root: dict[str, str]


class S(M):
    pass
"""


def test_with_checks_writes_a_class_words_after_an_enum_and_with_its_bases_where_derived() -> None:
    """`with_words_json_schema(...)` replaces `with_bases_json_schema()` in a derived class, and takes `bases=True`; an
    enum class before them changes nothing."""
    words = {"M": {"additionalProperties": {"description": "A value."}}, "S": {"$defs": {"x": {"title": "X"}}}}
    code, checked = with_checks(WORDS_CODE, {"S": "/s"}, {"E": {"title": "Colour"}}, words)
    assert checked == {"S": "/s"}
    classes = {node.name: node for node in ast.parse(code).body if isinstance(node, ast.ClassDef)}
    hooks = {
        name: ast.unparse(statement.value)
        for name, node in classes.items()
        for statement in node.body
        if isinstance(statement, ast.Assign) and ast.unparse(statement.targets[0]) == "__get_pydantic_json_schema__"
    }
    assert hooks == {
        "E": "enum_json_schema({'title': 'Colour'})",
        "M": "with_words_json_schema({'additionalProperties': {'description': 'A value.'}})",
        "S": "with_words_json_schema({'$defs': {'x': {'title': 'X'}}}, bases=True)",
    }
