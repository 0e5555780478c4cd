"""The scale table of issue 13, for every corpus spec: a Markdown table printed to stdout.

    .venv/bin/python benchmarks/corpus_table.py [RUNS]

Per spec: webhooks and schemas; `hookgen generate` seconds and peak RSS, beside datamodel-code-generator alone
(the same options, no formatter) run the same way; the import of the provider app (`NAME.webhooks`) and of the
receiver app with its first delivery (bench_startup.py), beside the import of datamodel-code-generator's flat
models module. Every figure comes from a fresh child process, best of RUNS; peak RSS is that child's own
(`os.wait4` in a small runner process). A receiver figure marked `*` is import and `create_app` only: the spec
has no example its model takes.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
from pathlib import Path

from bench_generate import baseline_command
from bench_startup import _BASELINE, _PROVIDER, _RECEIVER, PACKAGE, SECRET, child_seconds, first_delivery

from generator.errors import HookgenError
from generator.pipeline import load_bundle

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PATTERNS = ["*.json", "*.yaml", "openapi-3.0-x-webhooks/*.yml"]
# Without an example to deliver: the receiver app's import and `create_app` only.
_RECEIVER_IMPORT = f"""
import time
t = time.perf_counter()
import {PACKAGE}.receivers as receivers

class Handlers:
    def __getattr__(self, name):
        return lambda payload: None

credentials = {{name: "bench-key" if scheme.get("type") == "apiKey" else ("bench", "secret")
               for name, scheme in receivers.SECURITY_SCHEMES.items()}}
receivers.create_app(Handlers(), secrets=["{SECRET}"], credentials=credentials)
print(time.perf_counter() - t)
"""


# Peak RSS must be measured from a small process: a child forked from this one (which has imported generated
# packages) starts with this process's RSS as its high-water mark. This runner forks the command and reports it.
_RUNNER = """
import os, subprocess, sys, time
start = time.perf_counter()
child = subprocess.Popen(sys.argv[1:], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
_, status, usage = os.wait4(child.pid, 0)
print(time.perf_counter() - start, usage.ru_maxrss, os.waitstatus_to_exitcode(status))
"""


def run_measured(command: list[str]) -> tuple[float, float, int]:
    """Wall seconds, peak RSS in MB and exit status of one child process."""
    result = subprocess.run(
        [sys.executable, "-c", _RUNNER, *command], check=False, capture_output=True, text=True, cwd=ROOT
    )
    seconds, peak_kb, status = result.stdout.split()
    return float(seconds), int(peak_kb) / 1024, int(status)


def best(runs: int, command: list[str]) -> tuple[float, float, int]:
    """The fastest of `runs` measured runs (with the highest peak seen)."""
    results = [run_measured(command) for _ in range(runs)]
    return min(r[0] for r in results), max(r[1] for r in results), results[-1][2]


def row(spec: Path, runs: int, folder: Path) -> str:
    """One Markdown row for `spec`."""
    try:
        _, reached, _ = load_bundle(spec)
    except HookgenError:
        return f"| {spec.name} | | | refused (see `hookgen generate`) | | | | |"
    webhooks = sum(1 for item in reached.get("webhooks", {}).values() if isinstance(item, dict))
    schemas = len((reached.get("components") or {}).get("schemas") or {})
    generate = [sys.executable, "-m", "generator", "generate", str(spec), "--output", str(folder / "g"), "--package"]
    gen_s, gen_mb, status = best(runs, [*generate, PACKAGE])
    dcg_s, dcg_mb, dcg_status = best(runs, baseline_command(spec, folder / "alone"))
    if dcg_status == 0:  # the module whose import is the start-up baseline
        run_measured(baseline_command(spec, folder / "flat", importable=True))
    dcg = f"{dcg_s:.1f} / {dcg_mb:.0f}" if dcg_status == 0 else f"exit {dcg_status}"
    if status != 0:
        return f"| {spec.name} | {webhooks} | {schemas} | exit {status} | {dcg} | | | |"
    try:
        delivery = json.dumps(first_delivery(spec, folder / "r"))
        receiver = f"{min(child_seconds(_RECEIVER, folder / 'r' / 'pkg', delivery) for _ in range(runs)):.2f}"
    except RuntimeError:
        receiver = f"{min(child_seconds(_RECEIVER_IMPORT, folder / 'g') for _ in range(runs)):.2f}*"
    provider = min(child_seconds(_PROVIDER, folder / "g") for _ in range(runs))
    try:
        baseline = (
            f"{min(child_seconds(_BASELINE, folder / 'flat') for _ in range(runs)):.2f}" if dcg_status == 0 else "-"
        )
    except RuntimeError:  # datamodel-code-generator's own module does not import (Apideck's)
        baseline = "import fails"
    return (
        f"| {spec.name} | {webhooks} | {schemas} | {gen_s:.1f} / {gen_mb:.0f} | {dcg} "
        f"| {provider:.2f} | {receiver} | {baseline} |"
    )


def main(runs: int = 1) -> None:
    """Print the table, one row per corpus spec, as each is measured."""
    print(
        "| spec | webhooks | schemas | hookgen generate s / peak MB | datamodel-codegen alone s / peak MB "
        "| provider import s | receiver import + 1st delivery s | flat models import s (baseline) |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for pattern in PATTERNS:
        for spec in sorted(CORPUS.glob(pattern)):
            with tempfile.TemporaryDirectory() as folder:
                print(row(spec, runs, Path(folder)), flush=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1)
