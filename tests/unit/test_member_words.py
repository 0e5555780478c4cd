"""The words of union members written into the models' code (generator/models/member_words.py): each class read
alone, members found by the `ast` positions of their field, whatever the text before them on the line."""

from __future__ import annotations

from generator.models.member_words import MemberWords, with_member_words

CODE = '''from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, Field


class A(BaseModel):
    """Déjà\u2028vu\x0c: a docstring with characters `str.splitlines` breaks at."""

    a: int


class B(BaseModel):
    b: int


class Event(BaseModel):
    """Événement."""

    data_x: Annotated[Literal["é", "ü"] | A | B | None, Field(alias="Data-X", description="Données")]
    items: list[A | B]
    other: A | B
    whole: A | B
'''


def test_members_are_annotated_where_they_stand_after_non_ascii_text() -> None:
    words = {
        "Event": [
            MemberWords("Data-X", ("A", "B"), (("title", "Ordre «A|B»"),)),
            MemberWords("items", ("A", "B"), (("title", "Item"), ("examples", [{"a": 1}])), items=True),
            MemberWords("other", ("B",), (("description", "Le B\n"),)),
            MemberWords("missing", ("A",), (("title", "absent"),)),
            # The field's whole type: Pydantic would merge the member's `Field` into the field's own.
            MemberWords("whole", ("A", "B"), (("title", "All"),)),
        ]
    }
    code = with_member_words(CODE, words)
    assert (
        '    data_x: Annotated[Literal["é", "ü"] | Annotated[A | B, Field(title=\'Ordre «A|B»\')] | None, '
        'Field(alias="Data-X", description="Données")]\n'
    ) in code
    assert "    items: list[Annotated[A | B, Field(title='Item', examples=[{'a': 1}])]]\n" in code
    assert "    other: A | Annotated[B, Field(description='Le B\\n')]\n" in code
    assert "    whole: A | B\n" in code
    # Everything else as it was: the other classes, with their characters.
    assert code.split("class Event", maxsplit=1)[0] == CODE.split("class Event", maxsplit=1)[0]
    namespace: dict[str, object] = {}
    exec(compile(code, "<models>", "exec"), namespace)  # the rewritten code is valid Python


def test_nothing_is_written_without_annotated_and_field_imported() -> None:
    code = CODE.replace("from typing import Annotated, Literal", "from typing import Literal")
    words = {"Event": [MemberWords("other", ("B",), (("title", "T"),))]}
    assert with_member_words(code, words) == code
