"""`[tool.hookgen]`: found in the nearest pyproject.toml, paths relative to it, unknown keys named with a suggestion."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.commands.config import find_pyproject, load_config, unknown_key
from generator.errors import ConfigError


def test_the_nearest_pyproject_above_the_working_folder_is_read(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.hookgen]\nspec = "spec/openapi.yaml"\nref-roots = ["shared"]\n')
    deep = tmp_path / "src" / "app"
    deep.mkdir(parents=True)
    config = load_config(deep)
    assert config.spec == tmp_path.resolve() / "spec" / "openapi.yaml"
    assert config.ref_roots == (tmp_path.resolve() / "shared",)


def test_a_nearer_pyproject_wins_even_without_hookgen_settings(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[tool.hookgen]\npackage = "outer"\n')
    (tmp_path / "inner").mkdir()
    (tmp_path / "inner" / "pyproject.toml").write_text("[tool.other]\nx = 1\n")
    assert find_pyproject(tmp_path / "inner") == (tmp_path / "inner" / "pyproject.toml").resolve()
    assert load_config(tmp_path / "inner").package is None
    assert load_config(tmp_path).package == "outer"


def test_no_pyproject_gives_the_defaults(tmp_path: Path) -> None:
    if find_pyproject(tmp_path) is not None:
        pytest.skip("a pyproject.toml sits above the temporary folder")
    assert load_config(tmp_path).spec is None


@pytest.mark.parametrize(
    ("key", "message"),
    [
        ("assert_formats", "unknown [tool.hookgen] key 'assert_formats'; did you mean 'assert-formats'?"),
        ("ref_root", "unknown [tool.hookgen] key 'ref_root'; did you mean 'ref-roots'?"),
        ("outptu", "unknown [tool.hookgen] key 'outptu'; did you mean 'output'?"),
        (
            "colour",
            "unknown [tool.hookgen] key 'colour' (known: assert-formats, models, output, package, ref-roots, rules, "
            "signature, spec, templates)",
        ),
    ],
)
def test_an_unknown_key_is_named_with_the_closest_known_one(key: str, message: str) -> None:
    assert unknown_key(key) == message


def test_an_unknown_key_is_an_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.hookgen]\nassert_formats = []\n")
    with pytest.raises(ConfigError) as raised:
        load_config(tmp_path)
    assert [p.message for p in raised.value.problems] == [unknown_key("assert_formats")]
    assert raised.value.problems[0].file.endswith("pyproject.toml")
