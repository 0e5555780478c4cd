"""Fixtures of the unit tests: spec files written into a temporary working folder."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

from .specs import write_files

WriteFiles = Callable[[dict[str, Any]], Path]


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WriteFiles:
    """Write a dict of files into `tmp_path`, made the working folder so that problems name files as written."""
    monkeypatch.chdir(tmp_path)
    return partial(write_files, tmp_path)
