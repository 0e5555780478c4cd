"""Benchmark: finding the lines of reported pointers in a big JSON spec, against composing it as YAML.

`SourceFile.line` finds a pointer's line in a JSON file by skipping siblings with the C JSON decoder
(`load.JsonLines`). The baseline, timed in the same run on the same file and pointers, is how every file's
lines were found before: `yaml.compose` over the whole text, then a walk down the nodes (still the way for
YAML files). A third figure, `json.loads` of the same text, says what one plain parse costs. Pointers: every
webhook operation and a sample of component schemas' properties, as a run's problems and diff findings
name them. Prints seconds for each and the ratio new/old. Not a test: only the ratio within one run means something.
"""

from __future__ import annotations

import json
import sys
import time
from collections.abc import Callable
from pathlib import Path

from generator.spec.load import SourceFile
from generator.spec.pointers import join

ROOT = Path(__file__).resolve().parents[1]
SPEC = ROOT.parent / "shared" / "corpus" / "github-webhooks.json"
SAMPLE = 200


def sample_pointers(document: dict, size: int = SAMPLE) -> list[str]:
    """Every webhook operation, and the first property of every `size`-th component schema."""
    found = [join("/webhooks", key, method) for key, item in document.get("webhooks", {}).items() for method in item]
    schemas = list(document.get("components", {}).get("schemas", {}).items())
    for name, schema in schemas[:: max(1, len(schemas) // size)]:
        first = next(iter(schema.get("properties", {})), None)
        found.append(join("/components/schemas", name, *(("properties", first) if first else ())))
    return found


def seconds(action: Callable[[], object]) -> float:
    """The best of three timings of one call."""
    timings = []
    for _ in range(3):
        start = time.perf_counter()
        action()
        timings.append(time.perf_counter() - start)
    return min(timings)


def lines(path: Path, text: str, data: object, wanted: list[str]) -> list[int | None]:
    """The line of every pointer, found by a fresh SourceFile (no lines cached) named `path`."""
    source = SourceFile(path=path, data=data, text=text)
    return [source.line(pointer) for pointer in wanted]


def main(spec: Path = SPEC) -> None:
    """Time the JSON line finder and YAML composing on the same pointers; print both and the ratio."""
    if not spec.is_file():
        print(f"{spec.name}: skipped (not found; the corpus is ../shared/corpus)")
        return
    text = spec.read_text(encoding="utf-8")
    data = json.loads(text)
    wanted = sample_pointers(data)
    as_yaml = spec.with_suffix(".yaml")  # only the name: the same text, read the way YAML files are
    assert lines(spec, text, data, wanted) == lines(as_yaml, text, data, wanted), "the two finders disagree"
    new = seconds(lambda: lines(spec, text, data, wanted))
    old = seconds(lambda: lines(as_yaml, text, data, wanted))
    parse = seconds(lambda: json.loads(text))
    print(f"{spec.name} ({len(text) / 1e6:.1f} MB): lines of {len(wanted)} pointers: JSON finder {new:.3f} s", end=", ")
    print(f"yaml.compose {old:.3f} s, json.loads {parse:.3f} s; ratio new/old {new / old:.3f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else SPEC)
