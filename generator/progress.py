"""Stage timing: the pipeline names each stage it runs; whoever listens (the command line) hears about it.

Nothing is printed from here. `stage` times one call and tells the listener set by `listening`, if any, the
stage's name, what it produced (a count) and the seconds it took. Without a listener it only runs the call.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import ParamSpec, TypeVar

T = TypeVar("T")
P = ParamSpec("P")
Listener = Callable[[str, str, float], None]  # (stage, count, seconds)

_LISTENER: ContextVar[Listener | None] = ContextVar("hookgen_progress", default=None)


@contextmanager
def listening(listener: Listener | None) -> Iterator[None]:
    """Tell `listener` about every stage run inside this block."""
    token = _LISTENER.set(listener)
    try:
        yield
    finally:
        _LISTENER.reset(token)


def stage(name: str, counted: Callable[[T], str], run: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`run(*args, **kwargs)`, timed and reported as stage `name`, with `counted(result)` saying what it made."""
    listener = _LISTENER.get()
    if listener is None:
        return run(*args, **kwargs)
    started = time.perf_counter()
    result = run(*args, **kwargs)
    listener(name, counted(result), time.perf_counter() - started)
    return result
