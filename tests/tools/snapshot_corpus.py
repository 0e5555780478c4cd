"""Generate the example spec and every corpus spec into one folder, to compare two versions of hookgen byte for byte.

    python tests/tools/snapshot_corpus.py OUT       # writes OUT/<spec>/ (the package, or stderr and exit status)
    diff -r BEFORE AFTER                             # identical output prints nothing

Each spec runs `hookgen generate` in a child process, so a failure is recorded as its exit status and stderr,
which are compared too.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORPUS = ROOT.parent / "shared" / "corpus"
CORPUS_ROOTS = [
    "*.json",
    "*.yaml",
    "openapi-3.0-x-webhooks/*.yml",
    "ucp-shopping/source/services/shopping/rest.openapi.json",
]


def specs() -> list[tuple[str, Path]]:
    """The example spec and every corpus root document, each with a folder name."""
    found = [("example", ROOT / "spec" / "openapi.yaml")]
    for pattern in CORPUS_ROOTS:
        found += [
            (path.relative_to(CORPUS).as_posix().replace("/", "__"), path) for path in sorted(CORPUS.glob(pattern))
        ]
    return found


def snapshot(out: Path) -> None:
    """Generate each spec into out/<name>/package, recording exit status and stderr beside it."""
    out.mkdir(parents=True, exist_ok=True)
    for name, spec in specs():
        folder = out / name
        folder.mkdir(exist_ok=True)
        result = subprocess.run(
            [
                sys.executable,
                "-m",
                "generator",
                "generate",
                str(spec),
                "--output",
                str(folder / "package"),
                "--package",
                "pkg",
            ],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=False,
        )
        (folder / "exit").write_text(f"{result.returncode}\n")
        output = os.path.relpath(folder / "package", ROOT)
        (folder / "stderr").write_text(result.stderr.replace(output, "OUTPUT"))
        print(f"{name}: exit {result.returncode}", flush=True)


if __name__ == "__main__":
    snapshot(Path(sys.argv[1]))
