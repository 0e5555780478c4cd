"""Regeneration touches only what changed: unchanged files keep their bytes and modification times."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

from generator.pipeline import generate

from .conftest import ROOT

PAST = 1_000_000_000  # 2001: any mtime a fresh write could not give


def _age(folder: Path) -> None:
    for path in folder.rglob("*"):
        if path.is_file():
            os.utime(path, (PAST, PAST))


def _fresh(folder: Path) -> set[str]:
    return {
        str(path.relative_to(folder)) for path in folder.rglob("*") if path.is_file() and path.stat().st_mtime != PAST
    }


def test_generating_again_changes_nothing(tmp_path: Path) -> None:
    spec = ROOT / "spec" / "openapi.yaml"
    first = generate(spec, tmp_path / "out", package="p")
    assert first.changed
    _age(tmp_path / "out")
    again = generate(spec, tmp_path / "out", package="p")
    assert not again.changed
    assert _fresh(tmp_path / "out") == set()


def test_after_one_webhook_changes_only_the_files_it_reaches_are_rewritten(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "spec", tmp_path / "spec")
    generate(tmp_path / "spec" / "openapi.yaml", tmp_path / "out", package="p")
    _age(tmp_path / "out")
    spec = tmp_path / "spec" / "openapi.yaml"
    text = spec.read_text(encoding="utf-8")
    assert "summary: A customer subscribed" in text
    spec.write_text(text.replace("summary: A customer subscribed", "summary: A customer joined"), "utf-8")
    changed = generate(spec, tmp_path / "out", package="p")
    assert changed.changed
    # A summary is said in the provider app's declarations only: every other file keeps its bytes and its mtime.
    assert _fresh(tmp_path / "out") == {"p/webhooks.py"}
    assert "A customer joined" in (tmp_path / "out" / "p" / "webhooks.py").read_text(encoding="utf-8")
