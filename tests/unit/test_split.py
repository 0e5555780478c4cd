"""Cutting the models module into groups: which classes share a module, what each imports, and that they import."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path
from typing import Any

import pytest

from generator.models.split import UNREACHED, module_statements, pieces, split_models

# Written as datamodel-code-generator writes them: alphabetical, so a class may name one defined after it.
CODE = """from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel


class Base(BaseModel):
    state: State
    shared: Shared | None = None


class Node(BaseModel):
    children: list[Node] = []
    owner: Owner | None = None


class Orphan(BaseModel):
    x: int


class Owner(BaseModel):
    nodes: list[Node] = []


class PushEvent(Base):
    head: Node


class ReleaseEvent(BaseModel):
    base: Base
    shared: Shared


class Shared(BaseModel):
    id: int


class State(StrEnum):
    OPEN = "open"


Node.model_rebuild()
"""
BODIES = [("push", "push", ["PushEvent"]), ("release", "release", ["ReleaseEvent"]), ("ping", "ping", [])]


def test_classes_reached_by_the_same_webhooks_share_a_module() -> None:
    groups = {group.module: group for group in split_models(CODE, BODIES)}
    assert {name: (group.webhooks, group.classes) for name, group in groups.items()} == {
        "_shared_1": (("push", "release"), ("State", "Base", "Shared")),  # enums first, see the test below
        "_webhook_push": (("push",), ("Node", "Owner", "PushEvent")),  # a reference cycle stays in one module
        UNREACHED: ((), ("Orphan",)),
        "_webhook_release": (("release",), ("ReleaseEvent",)),
    }
    push = groups["_webhook_push"].code
    assert "from ._shared_1 import Base\n" in push
    assert push.rstrip().endswith("Node.model_rebuild()")  # the module's own statements stay with it
    # Base names State, defined after it, and PushEvent derives from it in another module: Base is completed where
    # State is known, at the end of its own module.
    assert groups["_shared_1"].code.rstrip().endswith("Base.model_rebuild()")
    assert "model_rebuild" not in groups["_webhook_release"].code


def test_a_modules_enums_come_first_so_that_a_default_can_name_their_member() -> None:
    code = CODE.replace("    state: State\n", "    state: State = State.OPEN\n")
    [shared] = [group for group in split_models(code, BODIES) if group.module == "_shared_1"]
    assert shared.classes == ("State", "Base", "Shared")
    namespace: dict[str, Any] = {}
    exec(compile(shared.code, "<shared>", "exec"), namespace)  # it imports no other group
    assert namespace["Base"].model_fields["state"].default is namespace["State"].OPEN


def test_the_groups_import_and_validate_as_the_single_module_did(tmp_path: Path) -> None:
    package = tmp_path / "split_models_case"
    package.mkdir()
    groups = split_models(CODE, BODIES)
    (package / "__init__.py").write_text("", encoding="utf-8")
    for group in groups:
        # The groups import `..module` for what the models' own imports reach; none here.
        (package / f"{group.module}.py").write_text(group.code, encoding="utf-8")
    sys.path.insert(0, str(tmp_path))
    try:
        push = importlib.import_module("split_models_case._webhook_push")
        event = push.PushEvent.model_validate({"state": "open", "head": {"children": [{"owner": {"nodes": []}}]}})
        assert event.head.children[0].owner is not None
        with pytest.raises(ValueError, match="state"):
            push.PushEvent.model_validate({"state": "closed", "head": {}})
        assert "split_models_case._webhook_release" not in sys.modules
    finally:
        sys.path.remove(str(tmp_path))
        for name in [name for name in sys.modules if name.startswith("split_models_case")]:
            del sys.modules[name]


def test_the_pieces_read_alone_read_as_the_whole() -> None:
    whole = module_statements(CODE)
    assert [s.defines for s in whole.statements][-2:] == [("State",), ()]  # the rebuild line is a statement too
    assert split_models(CODE, BODIES, whole) == split_models(CODE, BODIES)
    for count in (1, 2, 3, 5, 24):
        parts = pieces(CODE, count)
        assert "".join(parts) == CODE
        assert 1 <= len(parts) <= count
        assert all(part.startswith("class ") and not part.startswith("class \n") for part in parts[1:])
        assert sum((module_statements(part) for part in parts[1:]), module_statements(parts[0])) == whole
    first, _ = pieces(CODE, 2)
    assert len(first) >= len(CODE) // 2 and first.endswith("\n\n\n")


def test_code_without_a_class_after_a_cut_is_fewer_pieces() -> None:
    assert pieces("x = 1\n", 4) == ["x = 1\n"]
    assert pieces("", 4) == []
    code = "x = 1\n\n\nclass A:\n    pass\n" + "A.b = 2\n" * 10  # its last class starts before its middle
    assert pieces(code, 2) == [code]
    assert pieces(code, 100)[1].startswith("class A:")
