"""`[tool.hookgen.models]`: the allow-listed datamodel-code-generator options, read from the config and honoured."""

from __future__ import annotations

import shutil
import subprocess
import sys
import typing
from pathlib import Path

import pytest
import yaml

from generator.commands.cli import main
from generator.commands.imported import import_generated

from .conftest import EXAMPLE_SPEC, generate_and_import

SETTINGS = """
[tool.hookgen.models]
enum-field-as-literal = "all"
snake-case-field = false
capitalise-enum-members = false
use-default-kwarg = true
"""


def _project(folder: Path, settings: str) -> Path:
    shutil.copytree(EXAMPLE_SPEC.parent, folder / "spec")
    config = f'[tool.hookgen]\nspec = "spec/openapi.yaml"\noutput = "out"\npackage = "shop"\n{settings}'
    (folder / "pyproject.toml").write_text(config, encoding="utf-8")
    return folder


def test_the_configured_model_options_shape_the_models_and_the_package_still_type_checks(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(_project(tmp_path, SETTINGS))
    assert main(["generate", "-q"]) == 0
    (models,) = import_generated(tmp_path / "out", "shop", "models")
    severity = models.Alert.model_fields["severity"].annotation
    assert typing.get_origin(severity) is typing.Literal  # an enum class without the setting
    assert set(typing.get_args(severity)) == {"info", "warning", "critical"}
    alert = {
        "alert_id": "a1",
        "severity": "critical",
        "metric": "cpu",
        "value": 0.9,
        "threshold": 0.8,
        "triggered_at": "2026-01-01T00:00:00Z",
    }
    assert models.Alert.model_validate(alert).severity == "critical"
    with pytest.raises(ValueError, match="severity"):
        models.Alert.model_validate({**alert, "severity": "fatal"})
    checked = subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "shop"],
        cwd=tmp_path / "out",
        capture_output=True,
        text=True,
        check=False,
    )
    assert checked.returncode == 0, checked.stdout


def test_without_the_table_enums_are_classes(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The control: the same project with no `[tool.hookgen.models]` gives the default enum classes."""
    monkeypatch.chdir(_project(tmp_path, ""))
    assert main(["generate", "-q"]) == 0
    (models,) = import_generated(tmp_path / "out", "shop", "models")
    assert typing.get_origin(models.Alert.model_fields["severity"].annotation) is not typing.Literal


def test_snake_case_field_false_keeps_the_json_names(tmp_path: Path) -> None:
    document = {
        "openapi": "3.1.0",
        "info": {"title": "Names", "version": "1"},
        "webhooks": {
            "order": {
                "post": {
                    "requestBody": {
                        "required": True,
                        "content": {
                            "application/json": {
                                "schema": {
                                    "type": "object",
                                    "required": ["orderId"],
                                    "properties": {"orderId": {"type": "string"}},
                                }
                            }
                        },
                    },
                    "responses": {"200": {"description": "ok"}},
                }
            }
        },
    }
    (tmp_path / "openapi.yaml").write_text(yaml.safe_dump(document), encoding="utf-8")
    kept = generate_and_import(
        tmp_path / "openapi.yaml", tmp_path / "kept", "kept", model_settings={"snake_case_field": False}
    )
    snake = generate_and_import(tmp_path / "openapi.yaml", tmp_path / "snake", "snake")
    assert list(_body_model(kept).model_fields) == ["orderId"]
    assert list(_body_model(snake).model_fields) == ["order_id"]
    assert _body_model(snake).model_validate({"orderId": "o1"}).order_id == "o1"  # the alias reads the JSON name


def _body_model(imported: typing.Any) -> typing.Any:
    webhook = imported.generated.spec.webhooks[0]
    return imported.model(webhook)


@pytest.mark.parametrize(
    ("settings", "message"),
    [
        (
            '[tool.hookgen.models]\nenum-field-as-litteral = "all"\n',
            "[tool.hookgen.models]: unknown option 'enum-field-as-litteral'; did you mean 'enum-field-as-literal'?",
        ),
        ('[tool.hookgen.models]\nsnake-case-field = "no"\n', "snake-case-field: 'no' is not one of True, False"),
        ("[tool.hookgen.models]\nfield-constraints = false\n", "unknown option 'field-constraints' (allowed: "),
    ],
)
def test_a_model_option_that_is_not_offered_is_one_line_and_exit_2(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str], settings: str, message: str
) -> None:
    monkeypatch.chdir(_project(tmp_path, settings))
    assert main(["generate"]) == 2
    err = capsys.readouterr().err
    assert len(err.splitlines()) == 1, err
    assert message in err
    assert not (tmp_path / "out").exists()
