"""Fixtures of the unit tests: spec files written into a temporary working folder, a deadline, and the entries a run's
names are read from."""

from __future__ import annotations

import signal
from collections.abc import Callable, Iterator
from functools import partial
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

from generator.models import codegen

from .specs import write_files

WriteFiles = Callable[[dict[str, Any]], Path]


@pytest.fixture
def write(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> WriteFiles:
    """Write a dict of files into `tmp_path`, made the working folder so that problems name files as written."""
    monkeypatch.chdir(tmp_path)
    return partial(write_files, tmp_path)


@pytest.fixture
def deadline() -> Iterator[None]:
    """Fail, instead of hanging, a test of a walk over cycles that runs for more than two seconds."""
    if not hasattr(signal, "setitimer"):  # not on Windows: such a test then hangs when it fails
        yield
        return

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError("still running after 2 s: does a walk over a cycle never end?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, 2)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


@pytest.fixture
def entries_read(monkeypatch: pytest.MonkeyPatch) -> list[codegen.Entries]:
    """The entries `codegen._named` reads, from now on, in order (each still read)."""
    read: list[codegen.Entries] = []
    named = codegen._named

    def reading(model_input: Any, entries: codegen.Entries, checks: Any) -> Any:
        read.append(entries)
        return named(model_input, entries, checks)

    monkeypatch.setattr(codegen, "_named", reading)
    return read
