"""Benchmark: what the contract check costs a delivery, against validating the whole payload, on GitHub's spec.

A body model whose schema reaches a keyword Pydantic cannot carry (`oneOf`, `uniqueItems`, ...) checks
the payload against the contract, but only along the paths that lead to such a keyword (contract_check.py). The
baseline, timed in the same run on the same payloads, is what the check did before: validating the whole
payload against the body's schema with the same jsonschema validator. Payloads are the spec's own examples
of the bodies that carry a check. Prints the median of each and the ratio check / whole payload.
Not a test: only the ratio within one run means something.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from generator.commands.fidelity.judge import body_examples, webhooks_with_bodies
from generator.commands.imported import import_generated
from generator.models.contract_check import attached_checks
from generator.pipeline import generate

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "corpus" / "github-webhooks.json"
REPEATS = 50


def seconds_per_call(action: Callable[[], object], repeats: int = REPEATS) -> float:
    """The best of three timings of `repeats` calls, per call."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        for _ in range(repeats):
            action()
        timings.append((time.perf_counter() - start) / repeats)
    return min(timings)


def validation_seconds(validator: Any, payload: Any, repeats: int) -> float:
    """Seconds per validation of `payload`, every error collected as the contract check collects them."""
    return seconds_per_call(lambda: list(validator.iter_errors(payload)), repeats)


def checked_examples(spec: Path, folder: Path) -> tuple[Any, Any, list[tuple[str, str, Any]]]:
    """Generate the spec; return its `_contract` module, a `Contract` of the whole spec, and (check pointer, body
    schema pointer, example) of every checked body."""
    generated = generate(spec, folder / "out", package="bench_check")
    (contract,) = import_generated(folder / "out", "bench_check", "_contract")
    # The models are a package of groups (generator/models/split.py): read every module of it.
    modules = sorted((folder / "out" / "bench_check" / "models").glob("*.py"))
    checks = attached_checks("\n".join(path.read_text(encoding="utf-8") for path in modules))
    pairs = []
    for webhook in webhooks_with_bodies(generated.spec):
        if webhook.body.model_name in checks:
            pointer = checks[webhook.body.model_name]
            schema = webhook.body.schema_pointer
            pairs += [(pointer, schema, example) for example in body_examples(generated.document, webhook)]
    # The package ships only what the checks reach; the whole body schemas are the spec's own.
    whole = contract.Contract({**generated.document, "assertedFormats": sorted(generated.asserted_formats)})
    return contract, whole, pairs


def main(spec: Path = SPEC, repeats: int = REPEATS) -> None:
    """Time the check and the whole-payload validation on every example, and print the medians and ratio."""
    if not spec.is_file():
        print(f"{spec.name}: skipped (not found; the corpus is ../shared/corpus)")
        return
    checks, wholes = [], []
    with tempfile.TemporaryDirectory() as folder:  # the validators read the contract's shares from the package
        contract, spec_contract, pairs = checked_examples(spec, Path(folder))
        for pointer, schema, example in pairs:
            check = contract.validator(pointer)
            whole = spec_contract.validator(schema)  # the body's whole schema, with the same validator and formats
            assert check.is_valid(example) and whole.is_valid(example), pointer
            checks.append(validation_seconds(check, example, repeats))
            wholes.append(validation_seconds(whole, example, repeats))
    check_ms, whole_ms = statistics.median(checks) * 1e3, statistics.median(wholes) * 1e3
    print(f"{spec.name}: examples of checked bodies: {len(pairs)}; contract check {check_ms:.2f} ms", end=", ")
    print(f"whole-payload validation {whole_ms:.2f} ms (medians), ratio check/whole {check_ms / whole_ms:.2f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SPEC)
