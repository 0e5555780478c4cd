"""Benchmark: `hookgen generate` against datamodel-code-generator alone on the same spec, in the same run.

Prints seconds (best of N) and the ratio hookgen / datamodel-code-generator. Not a test: the
machines are shared and noisy, so only the ratio within one run means something.
"""

from __future__ import annotations

import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from datamodel_code_generator import generate as dcg_generate
from datamodel_code_generator.enums import DataModelType, InputFileType, OpenAPIScope
from datamodel_code_generator.format import PythonVersion

from generator.models.codegen import DEFAULT_ASSERTED_FORMATS, model_options
from generator.pipeline import generate

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
# The example, a mid-size spec, and GitHub's (261 webhooks, 433 schemas): issue 13's goal there is a ratio <= 1.1.
SPECS = [ROOT / "spec" / "openapi.yaml", CORPUS / "adyen-webhooks-v1.json", CORPUS / "github-webhooks.json"]


def best_of(runs: int, action: Callable[[], object]) -> float:
    """The fastest of `runs` timings of `action`."""
    timings = []
    for _ in range(runs):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def datamodel_code_generator_alone(spec: Path, output: Path) -> None:
    """What a user would run without hookgen: the whole document, schemas and webhooks scopes.

    Every option of hookgen's that changes the models (its type mappings, so formats read as it reads them: an `email`
    is a `str`, and the module imports without email-validator; `use_missing_sentinel`; Python 3.11), less
    `import_overrides`, which names hookgen's own modules (`MISSING` then comes from pydantic's experimental module).
    hookgen's other options serve only hookgen (the model metadata that names its classes, the contract check's
    import). No formatter: the fastest.
    """
    options = {k: v for k, v in model_options(DEFAULT_ASSERTED_FORMATS).items() if k != "import_overrides"}
    dcg_generate(
        spec,  # the path, so that references to other files resolve next to it
        input_file_type=InputFileType.OpenAPI,
        output_model_type=DataModelType.PydanticV2BaseModel,
        openapi_scopes=[OpenAPIScope.Schemas, OpenAPIScope.Webhooks],
        target_python_version=PythonVersion.PY_311,
        output=output / "models.py",
        **options,
    )


def compare(spec: Path, runs: int) -> tuple[float, float]:
    """Best-of timings of datamodel-code-generator alone and of hookgen, on one spec."""
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        baseline = best_of(runs, lambda: datamodel_code_generator_alone(spec, out))
        hookgen = best_of(runs, lambda: generate(spec, out / "pkg", package="bench_pkg"))
    return baseline, hookgen


def main(runs: int = 3, specs: list[Path] = SPECS) -> None:
    """Time both on every available spec and print the ratios."""
    for spec in specs:
        if not spec.is_file():
            print(f"{spec.name}: skipped (not found)")
            continue
        baseline, hookgen = compare(spec, runs)
        print(f"{spec.name}: hookgen {hookgen:.2f}s, datamodel-code-generator alone {baseline:.2f}s", end=", ")
        print(f"ratio hookgen/datamodel-code-generator {hookgen / baseline:.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
