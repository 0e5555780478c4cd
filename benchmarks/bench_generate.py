"""Benchmark: `hookgen generate` against datamodel-code-generator alone on the same spec, in the same run.

Each run is a fresh process, as a user runs it: `hookgen generate -q`, and a Python process that imports
datamodel-code-generator and calls its `generate()` with the same model options (`datamodel_code_generator_alone`);
the two alternate, so that a busy minute of a shared machine weighs on both. Prints seconds (best of N) and the ratio
hookgen / datamodel-code-generator, in wall-clock seconds (with the median and the range of the N pairs' ratios: each
hookgen run against the baseline's run just before it) and in CPU seconds (each process and the processes it waited
for: hookgen's ruff, and on Linux the child that runs datamodel-code-generator while hookgen validates, see
generator/models/child.py). Not a test: the machines are shared and noisy, so only the ratio within one run means
something; CPU seconds do not count the time spent waiting for a core another process holds. The wall-clock ratio
gains from that child only when a second core is free: on a loaded machine it tends to the CPU ratio, and it prints
at how many of hookgen's starts a core was free.

Both sides read compiled bytecode, as an installed package does (pip compiles it) and as any Python does after a
first run: the timed processes keep it in a folder of the run's own (`PYTHONPYCACHEPREFIX`), even where
`PYTHONDONTWRITEBYTECODE` is set (this machine's environment sets it), and one untimed run of each on the example spec
writes it first. Without that, every hookgen run compiled its own editable source again, which datamodel-code-generator,
compiled in site-packages, never paid: hookgen's command line imported in 0.61-0.87 s from source, 0.46-0.59 s from
bytecode (and this module, which the baseline's process imports, in 0.34-0.45 s and 0.30-0.35 s).
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from datamodel_code_generator import generate as dcg_generate
from datamodel_code_generator.enums import DataModelType, InputFileType, OpenAPIScope
from datamodel_code_generator.format import PythonVersion

from generator.models.codegen import DEFAULT_ASSERTED_FORMATS, model_options

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
# The example, a mid-size spec, and GitHub's (261 webhooks, 433 schemas): issue 13's goal there is a ratio <= 1.1.
EXAMPLE = ROOT / "spec" / "openapi.yaml"
SPECS = [EXAMPLE, CORPUS / "adyen-webhooks-v1.json", CORPUS / "github-webhooks.json"]


# A fresh Python process running `datamodel_code_generator_alone` on argv[1] into the folder argv[2] (`importable`
# when argv[3] is "importable").
BASELINE_PROCESS = """
import sys
from pathlib import Path
sys.path.insert(0, {benchmarks!r})
from bench_generate import datamodel_code_generator_alone
datamodel_code_generator_alone(Path(sys.argv[1]), Path(sys.argv[2]), importable=sys.argv[3:] == ["importable"])
"""


def children_cpu_seconds() -> float:
    """CPU seconds used so far by the child processes this process waited for (and those they waited for)."""
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return children.ru_utime + children.ru_stime


def timed(command: list[str], env: dict[str, str] | None = None) -> tuple[float, float]:
    """Wall-clock and CPU seconds of one run of `command`, a fresh process (it must succeed)."""
    cpu, start = children_cpu_seconds(), time.perf_counter()
    subprocess.run(command, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, env=env)
    return time.perf_counter() - start, children_cpu_seconds() - cpu


def compiled_env(bytecode: Path) -> dict[str, str]:
    """This process's environment, but with bytecode written to and read from the folder `bytecode`."""
    env = {name: value for name, value in os.environ.items() if name != "PYTHONDONTWRITEBYTECODE"}
    return env | {"PYTHONPYCACHEPREFIX": str(bytecode)}


def hookgen_command(spec: Path, output: Path) -> list[str]:
    """`hookgen generate` as a user runs it, quiet."""
    return [sys.executable, "-m", "generator", "generate", "-q", str(spec), "-o", str(output), "-p", "bench_pkg"]


def baseline_command(spec: Path, output: Path, *, importable: bool = False) -> list[str]:
    """datamodel-code-generator alone in a fresh process (`datamodel_code_generator_alone`), writing into `output`."""
    code = BASELINE_PROCESS.format(benchmarks=str(ROOT / "benchmarks"))
    return [sys.executable, "-c", code, str(spec), str(output), *(["importable"] if importable else [])]


def datamodel_code_generator_alone(spec: Path, output: Path, *, importable: bool = False) -> None:
    """What a user would run without hookgen: the whole document, schemas and webhooks scopes.

    Every option of hookgen's that changes the models (its type mappings, so formats read as it reads them: an `email`
    is a `str`, and the module imports without email-validator; `use_missing_sentinel`; Python 3.11), less
    `import_overrides` and `additional_imports`, which name hookgen's own modules (`MISSING` then comes from pydantic's
    experimental module). hookgen's other options serve only hookgen (the model metadata that names its classes, the
    contract check's import). No formatter: the fastest.

    `importable`, for the start-up baselines: without `set_default_enum_member` too. Its defaults (`= Mode.ALWAYS`)
    name an enum that datamodel-code-generator may define further down (GitHub's `RepositoryRulesetBypassActor`), and
    the module then fails to import; hookgen puts each module's enums first (`split._enums_first`).
    """
    hookgens_own = ("import_overrides", "additional_imports", *(("set_default_enum_member",) if importable else ()))
    options = {k: v for k, v in model_options(DEFAULT_ASSERTED_FORMATS).items() if k not in hookgens_own}
    dcg_generate(
        spec,  # the path, so that references to other files resolve next to it
        input_file_type=InputFileType.OpenAPI,
        output_model_type=DataModelType.PydanticV2BaseModel,
        openapi_scopes=[OpenAPIScope.Schemas, OpenAPIScope.Webhooks],
        target_python_version=PythonVersion.PY_311,
        output=output / "models.py",
        **options,
    )


Timing = tuple[float, float]  # wall-clock and CPU seconds of one run


def compare(spec: Path, runs: int) -> tuple[list[Timing], list[Timing], int]:
    """The (wall, CPU) timings of datamodel-code-generator alone and of hookgen on one spec, in alternating runs, with
    compiled bytecode (`compiled_env`, written by a first untimed run of each); and at how many of hookgen's starts a
    core was free for its child (`free_core`, asked just before: the child's own answer is not reported)."""
    # Not at the top: the baseline's process imports this module, and should not import hookgen's child for nothing.
    from generator.models.child import free_core  # noqa: PLC0415

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        env = compiled_env(out / "bytecode")
        timed(baseline_command(EXAMPLE, out / "warm-up"), env)
        timed(hookgen_command(EXAMPLE, out / "warm-up" / "pkg"), env)
        baseline: list[Timing] = []
        hookgen: list[Timing] = []
        free = 0
        for run in range(runs):
            baseline.append(timed(baseline_command(spec, out), env))
            free += free_core()
            hookgen.append(timed(hookgen_command(spec, out / f"pkg{run}"), env))
    return baseline, hookgen, free


def _fastest(timings: list[Timing]) -> Timing:
    return min(wall for wall, _ in timings), min(cpu for _, cpu in timings)


def pair_ratios(baseline: list[Timing], hookgen: list[Timing]) -> list[float]:
    """hookgen's wall-clock time over the baseline's, run by run: each pair ran back to back, on the same machine."""
    return sorted(mine[0] / theirs[0] for theirs, mine in zip(baseline, hookgen, strict=True))


def main(runs: int = 3, specs: list[Path] = SPECS) -> None:
    """Time both on every available spec and print the ratios: of the fastest runs, and the median of the pairs' (with
    their range: on a noisy machine it says how far one figure can be trusted)."""
    for spec in specs:
        if not spec.is_file():
            print(f"{spec.name}: skipped (not found)")
            continue
        baseline_runs, hookgen_runs, free = compare(spec, runs)
        (baseline, baseline_cpu), (hookgen, hookgen_cpu) = _fastest(baseline_runs), _fastest(hookgen_runs)
        pairs = pair_ratios(baseline_runs, hookgen_runs)
        print(f"{spec.name}: hookgen {hookgen:.2f}s, datamodel-code-generator alone {baseline:.2f}s", end=", ")
        print(f"ratio hookgen/datamodel-code-generator {hookgen / baseline:.2f}", end=" ")
        print(f"(median of the pairs {statistics.median(pairs):.2f}, {pairs[0]:.2f}-{pairs[-1]:.2f})", end="; ")
        print(f"CPU {hookgen_cpu:.2f}s against {baseline_cpu:.2f}s, ratio {hookgen_cpu / baseline_cpu:.2f}", end="; ")
        print(f"a core free at {free} of hookgen's {runs} starts")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 3)
