"""Per corpus spec: model classes, numbered class names, and places a handler reads a union through `.root`.

    python tests/tools/model_names.py OUT.json [SPEC ...]   # SPEC relative to the corpus; default every root

Runs only the models stage (load, prepare, datamodel-code-generator), not the whole package. A `.root` place is a
reference, in the models' code, to the RootModel class of a component that is only a `oneOf`/`anyOf` (beside
annotations and a discriminator), outside its own class line, strings and docstrings. To compare two versions, run
it with each on `PYTHONPATH` (e.g. `git archive BASE generator | tar -x -C /tmp/base` and `PYTHONPATH=/tmp/base`).
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

from generator.models.codegen import generate_models
from generator.models.prepare import prepare
from generator.pipeline import SpecError, load_bundle

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
UCP = "ucp-shopping/source/services/shopping/rest.openapi.json"
ROOTS = ["*.json", "*.yaml", "openapi-3.0-x-webhooks/*.yml", UCP]
UNION_WORDS = {"title", "description", "examples", "example", "deprecated", "readOnly", "writeOnly", "discriminator"}
STRINGS = re.compile(r"'(?:[^'\\\n]|\\.)*'|\"(?:[^\"\\\n]|\\.)*\"")


def measure(name: str) -> dict[str, Any]:
    """Classes, numbered names and `.root` places of one corpus spec's models."""
    roots = [CORPUS / "ucp-shopping" / "source"] if name == UCP else []
    try:
        _, reached, _ = load_bundle(CORPUS / name, ref_roots=roots)
    except SpecError:
        return {"error": "the spec cannot be generated"}
    models, _ = generate_models(prepare(reached))
    if models is None:
        return {"error": "datamodel-code-generator failed"}
    code = models.code
    bare = STRINGS.sub("''", re.sub(r'"""(?:.|\n)*?"""', '""', code))
    components = (reached.get("components") or {}).get("schemas") or {}
    unions = [cls for schema_name, cls in models.class_names.items() if _union(components.get(schema_name))]
    root_places = {
        cls: count
        for cls in unions
        if f"class {cls}(RootModel" in code and (count := len(re.findall(rf"\b{cls}\b", bare)) - 1)
    }
    return {
        "classes": len(re.findall(r"^class \w+\(", code, re.MULTILINE)),
        "numbered": sorted(name for name, _ in models.numbered),
        "root_places": root_places,
    }


def _union(schema: Any) -> bool:
    if not isinstance(schema, dict) or sum(key in schema for key in ("oneOf", "anyOf")) != 1:
        return False
    return not {key for key in schema if not key.startswith("x-")} - UNION_WORDS - {"oneOf", "anyOf"}


def main(out: str, *names: str) -> None:
    """Measure the named specs (default: every corpus root), print a line each and write them all as JSON."""
    chosen = list(names) or sorted(str(p.relative_to(CORPUS)) for pattern in ROOTS for p in CORPUS.glob(pattern))
    rows = {}
    for name in chosen:
        rows[name] = row = measure(name)
        if "error" in row:
            print(name, row["error"], flush=True)
            continue
        print(name, row["classes"], len(row["numbered"]), sum(row["root_places"].values()), flush=True)
    Path(out).write_text(json.dumps(rows, indent=1, sort_keys=True), encoding="utf-8")


if __name__ == "__main__":
    main(*sys.argv[1:])
