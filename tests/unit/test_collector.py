"""A generation runs the cycle collector less often, and leaves it as it found it (hookgen is also a library)."""

from __future__ import annotations

import gc
from pathlib import Path
from typing import Any

import pytest

from generator import pipeline


class StopError(Exception):
    """Raised by the stand-in first stage, to end the run there."""


def test_build_raises_the_collector_thresholds_and_restores_them_even_on_failure(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    seen: list[tuple[int, ...]] = []

    def first_stage(*args: Any, **kwargs: Any) -> Any:
        seen.append(gc.get_threshold())
        raise StopError

    before = gc.get_threshold()
    assert before != pipeline.COLLECTOR_THRESHOLDS
    monkeypatch.setattr(pipeline, "bundled_spec", first_stage)
    with pytest.raises(StopError):
        pipeline.build(Path("spec.yaml"))
    assert seen == [pipeline.COLLECTOR_THRESHOLDS]
    assert gc.get_threshold() == before
