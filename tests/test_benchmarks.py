"""The benchmarks still run: each on the example spec, with few repeats. Their timings are not judged here."""

from __future__ import annotations

import importlib
import json
import sys
from pathlib import Path

import pytest
import yaml

from .conftest import EXAMPLE_SPEC, ROOT

sys.path.insert(0, str(ROOT / "benchmarks"))


def test_bench_generate_prints_its_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    bench = importlib.import_module("bench_generate")
    bench.main(2, [EXAMPLE_SPEC])
    out = capsys.readouterr().out
    assert "ratio hookgen/datamodel-code-generator" in out and "(median of the pairs " in out
    assert "of hookgen's 2 starts" in out
    baseline, hookgen = [(2.0, 2.0), (4.0, 4.0), (1.0, 1.0)], [(3.0, 9.0), (4.0, 9.0), (1.5, 9.0)]
    assert bench.pair_ratios(baseline, hookgen) == [1.0, 1.5, 1.5]  # wall-clock, run by run, sorted


def test_bench_generate_times_both_sides_with_compiled_bytecode(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # This machine's environment sets PYTHONDONTWRITEBYTECODE: hookgen's editable source was compiled again in every
    # timed run, datamodel-code-generator's (compiled by pip) never.
    monkeypatch.setenv("PYTHONDONTWRITEBYTECODE", "1")
    bench = importlib.import_module("bench_generate")
    env = bench.compiled_env(tmp_path / "bytecode")
    assert "PYTHONDONTWRITEBYTECODE" not in env and env["PYTHONPYCACHEPREFIX"] == str(tmp_path / "bytecode")
    bench.timed(bench.hookgen_command(EXAMPLE_SPEC, tmp_path / "pkg"), env)
    bench.timed(bench.baseline_command(EXAMPLE_SPEC, tmp_path), env)
    assert list((tmp_path / "bytecode").rglob("generator/pipeline.*.pyc"))
    assert list((tmp_path / "bytecode").rglob("datamodel_code_generator/parser/openapi.*.pyc"))
    assert list((tmp_path / "bytecode").rglob("benchmarks/bench_generate.*.pyc"))


def test_bench_receive_prints_its_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    importlib.import_module("bench_receive").main(20)
    assert "ratio generated/hand-written" in capsys.readouterr().out


def test_bench_startup_prints_its_ratios(capsys: pytest.CaptureFixture[str]) -> None:
    importlib.import_module("bench_startup").main(1, EXAMPLE_SPEC)
    out = capsys.readouterr().out
    assert "receiver app import + first delivery" in out
    assert out.count("ratio to baseline") == 2


def test_bench_startup_baseline_imports_where_an_enum_default_comes_before_its_enum(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # datamodel-code-generator alone writes `bypass_mode: Mode = Mode.ALWAYS` above `class Mode` (as in GitHub's
    # RepositoryRulesetBypassActor): with every option its flat module would not import, and the benchmark stopped.
    body = {"schema": {"$ref": "#/components/schemas/BypassActor"}, "example": {"bypass_mode": "always"}}
    mode = {"type": "string", "enum": ["always", "pull_request"], "default": "always"}
    spec = tmp_path / "spec.yaml"
    spec.write_text(
        yaml.safe_dump(
            {
                "openapi": "3.1.0",
                "info": {"title": "Actors", "version": "1"},
                "webhooks": {
                    "actor": {
                        "post": {
                            "requestBody": {"content": {"application/json": body}},
                            "responses": {"200": {"description": "ok"}},
                        }
                    }
                },
                "components": {
                    "schemas": {
                        "BypassActor": {
                            "type": "object",
                            "properties": {"bypass_mode": mode},
                        }
                    }
                },
            }
        )
    )
    importlib.import_module("bench_startup").main(1, spec)
    assert capsys.readouterr().out.count("ratio to baseline") == 2


def test_bench_check_prints_its_ratio(capsys: pytest.CaptureFixture[str]) -> None:
    importlib.import_module("bench_check").main(EXAMPLE_SPEC, repeats=2)
    out = capsys.readouterr().out
    assert "examples of checked bodies: 1;" in out
    assert "ratio check/whole" in out


def test_bench_lines_prints_its_ratio(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    spec = tmp_path / "spec.json"
    spec.write_text(json.dumps(yaml.safe_load(EXAMPLE_SPEC.read_text()), indent=2))
    importlib.import_module("bench_lines").main(spec)
    assert "ratio new/old" in capsys.readouterr().out
