"""The import blocks hookgen writes are those ruff's isort would write, so that ruff's check has nothing to fix in them
(a file with a fix is read again: on GitHub's spec most of the check's time)."""

from __future__ import annotations

import ast
import subprocess
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from generator.models.imports import Imported, import_block, imported
from generator.pipeline import build
from generator.render.write import RUFF_OPTIONS, ruff_binary

from .conftest import WriteFiles
from .specs import openapi, post

ROOT = Path(__file__).resolve().parents[2]
# How render/write.py runs ruff's import checks (`format_folder`).
CHECKS = [*RUFF_OPTIONS, "--config", "lint.isort.split-on-trailing-comma=false", "--select", "I,F401"]
MODULES = [
    "typing",
    "enum",
    "collections.abc",
    "pydantic",
    "pydantic.experimental.missing_sentinel",
    ".._types",
    ".._contract",
    "._shared_2",
    "._shared_10",
    "._Shared_3",
    "._webhook_push",
    "._unreached",
]
NAMES = ["MISSING", "BaseModel", "Field", "StrEnum", "AwareDatetime", "date", "time", "X10", "X9", "x2", "A", "Ab"]
IMPORTED = st.builds(
    Imported,
    st.sampled_from(MODULES),
    st.sampled_from(NAMES),
    st.sampled_from(["", "", "", "date_aliased", "Other"]),
)


def isort(code: str) -> str:
    """`code` with its imports sorted by ruff, as render/write.py has it do."""
    command = [ruff_binary(), "check", *CHECKS, "--fix", "--quiet", "--exit-zero", "--stdin-filename", "m.py", "-"]
    return subprocess.run(command, input=code, capture_output=True, text=True, check=True).stdout


@settings(max_examples=60, deadline=None)
@given(st.lists(IMPORTED, min_size=1, max_size=40))
def test_an_import_block_is_sorted_and_wrapped_as_ruff_does(names: list[Imported]) -> None:
    # Every name used, so that only the sorting is compared; in the order given, one line each, as ruff reads them.
    uses = "def uses():\n" + "".join(f"    {name.bound}()\n" for name in dict.fromkeys(names))
    written = import_block([Imported("__future__", "annotations"), *names]) + "\n\n\n" + uses
    unsorted = "from __future__ import annotations\n" + "".join(f"{_line(name)}\n" for name in names) + "\n\n" + uses
    assert isort(unsorted) == written
    assert isort(written) == written


def test_long_lines_are_wrapped_one_name_a_line() -> None:
    names = [Imported("._shared_1", f"AVeryLongClassNameNumber{index}") for index in range(8)]
    block = import_block(names)
    assert block.startswith("from ._shared_1 import (\n    AVeryLongClassNameNumber0,\n")
    assert block.endswith("    AVeryLongClassNameNumber7,\n)")
    assert import_block(names[:2]) == "from ._shared_1 import AVeryLongClassNameNumber0, AVeryLongClassNameNumber1"


def test_an_import_tells_the_names_it_binds_from_where_a_subpackage_imports() -> None:
    tree = ast.parse("from ._types import date as d, StrictInt\nfrom pydantic import Field\nimport os.path\n")
    found = [name for node in tree.body if isinstance(node, ast.ImportFrom | ast.Import) for name in imported(node, 1)]
    assert found == [
        Imported(".._types", "date", "d"),
        Imported(".._types", "StrictInt"),
        Imported("pydantic", "Field"),
        Imported("", "os.path"),
    ]
    assert [name.bound for name in found] == ["d", "StrictInt", "Field", "os"]


@pytest.mark.parametrize("spec", ["example", "no bodies"])
def test_the_generated_packages_imports_leave_ruff_nothing_to_fix(write: WriteFiles, tmp_path: Path, spec: str) -> None:
    # Without bodies (Lob's spec), no module has models to import.
    spec_path = ROOT / "spec" / "openapi.yaml" if spec == "example" else write({"spec.yaml": openapi({"ping": post()})})
    for relative, text in build(spec_path).files.items():
        path = tmp_path / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    command = [ruff_binary(), "check", *CHECKS, "--output-format", "concise", "--exit-zero", str(tmp_path)]
    found = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    assert ": I001" not in found and ": F401" not in found, found


def _line(name: Imported) -> str:
    alias = f" as {name.alias}" if name.alias else ""
    return f"from {name.module} import {name.name}{alias}" if name.module else f"import {name.name}{alias}"
