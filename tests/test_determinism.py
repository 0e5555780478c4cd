"""Output is byte-identical on every run and under any PYTHONHASHSEED."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from .conftest import EXAMPLE_SPEC


def _generate(output: Path, seed: str) -> dict[str, bytes]:
    env = {**os.environ, "PYTHONHASHSEED": seed}
    command = [sys.executable, "-m", "generator", "generate", str(EXAMPLE_SPEC), "--output", str(output)]
    subprocess.run(command, env=env, check=True, capture_output=True)
    return {str(p.relative_to(output)): p.read_bytes() for p in sorted(output.rglob("*")) if p.is_file()}


def test_same_bytes_under_different_hash_seeds(tmp_path: Path) -> None:
    first = _generate(tmp_path / "a", "0")
    second = _generate(tmp_path / "b", "4242")
    again = _generate(tmp_path / "a", "random")
    assert first.keys() == second.keys() == again.keys()
    assert "subscriptions_webhooks/models/__init__.py" in first
    assert first == second == again
