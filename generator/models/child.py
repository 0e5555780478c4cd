"""datamodel-code-generator's run in a child process, started as soon as its input can be made.

The run is most of a generation (on GitHub's spec 13 of 16.5 s) and needs only the prepared document, while
validation, lint, the contract check's analysis and the deviations need only the bundle. `started` forks a child as
soon as the spec is bundled: it makes the input as the pipeline makes it (`job`) and runs datamodel-code-generator on
it, while the parent validates, prepares its own copy, finds the checks and the deviations; `ModelsRun` is then
`generate_models`'s `runner`, handing over the child's output. The child then parses half of the models for
`split.split_models` while the parent parses the other half (`ModelsRun.reading`). The child is a fork: it inherits
the bundle (nothing is copied or pickled on the way in), the hash seed (the same names, in the same order) and the
code; only the output comes back, through a pipe. Both sides make the input with the same functions from the same
bundle, so it is the same input; should the child give nothing (its input failed, or it died), the run is made in this
process, as without a child.

Without `fork` (Windows, macOS, where it is unsafe), with other threads running (a fork copies only the thread that
calls it: another thread's held lock would stay held in the child), without a free core or for a spec too small to
gain (see CHILD_FROM_SCHEMAS), no child is started and the run is made here.
"""

from __future__ import annotations

import gc
import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from multiprocessing.connection import Connection
from typing import Any

from ..spec.walk import reached_roots
from .codegen import RawModels, RunFailed, failure, has_models, model_extra_keys, raw_models
from .prepare import ModelInput
from .split import ModuleStatements, halves, module_statements

Job = Callable[[], tuple[ModelInput, dict[str, Any]]]  # the input and options, made in the child


class ModelsRun:
    """A run started in a child process: called with the input and options, it gives the child's output.

    The child then stays until `stop`, to read half of the models' statements while this process reads the other half
    (`reading`): parsing them is the longest step after the run (on GitHub's spec a second).
    """

    def __init__(self, job: Job) -> None:
        context = multiprocessing.get_context("fork")
        self._answered = False  # whether the child has answered (it then waits only for what the parent asks)
        self._channel, theirs = context.Pipe(duplex=True)
        self._process = context.Process(target=_child, args=(job, theirs, self._channel), daemon=True)
        gc.freeze()  # the inherited objects out of the child's collections: they are not copied for their counts
        try:
            self._process.start()
        finally:
            gc.unfreeze()
        theirs.close()

    def __call__(self, model_input: ModelInput, options: dict[str, Any]) -> RawModels:
        """The child's output (raises RunFailed as the run failed there); the run made here when the child gave none."""
        model_extra_keys()  # while the child runs: reading its output imports that part of datamodel-code-generator
        status, value = self._answer()
        if status == "ok":
            return value  # type: ignore[no-any-return]
        if status == "failed":
            raise RunFailed(value)
        return raw_models(model_input, options)

    def reading(self, code: str) -> Callable[[], ModuleStatements]:
        """Start reading the second half of models `code` in the child; the function made gives what the whole reads.

        That function reads the first half here, then takes the child's half (or reads it here if the child gave none).
        """
        first, second = halves(code)
        sent = bool(second) and self._send(second)

        def read() -> ModuleStatements:
            mine = module_statements(first)
            if not second:
                return mine
            _, theirs = self._answer() if sent else ("none", None)
            return mine + (theirs if isinstance(theirs, ModuleStatements) else module_statements(second))

        return read

    def stop(self) -> None:
        """End the child, and wait for it: once it has answered it ends when its channel closes; before (the spec is
        invalid, or the user pressed Ctrl-C), or if it does not end, it is ended."""
        self._channel.close()
        if self._answered:
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def _send(self, request: str) -> bool:
        try:
            self._channel.send(request)
        except (OSError, ValueError):  # the child is gone, or stopped
            return False
        return True

    def _answer(self) -> tuple[str, Any]:
        try:
            answer: tuple[str, Any] = self._channel.recv()
        except (EOFError, OSError, ValueError):  # the child died or gave nothing
            return "none", None
        self._answered = True
        return answer


# A child costs CPU time: the fork, the copies of the memory pages it writes to (its objects' reference counts
# included), and the input it makes again beside the parent (on GitHub's spec about a second in all). It pays only
# when the parent's work meanwhile (validation, lint, the checks, the deviations: about a fifth of the run) runs on a
# core of its own, and when that work is long. Measured with no free core: Adyen's 94 component schemas 1.2 s -> 1.4 s,
# Paddle's 160 3.1 -> 3.7, Polar's 197 2.5 -> 2.7, GitHub's 433 19.7 -> 20.8. So a child only for GitHub's scale, and
# only with a core free.
CHILD_FROM_SCHEMAS = 300


def worth_a_child(document: Any) -> bool:
    """Whether the webhooks of a bundled document reach CHILD_FROM_SCHEMAS component schemas or more."""
    try:
        roots = reached_roots(document)
    except Exception:  # noqa: BLE001 - a document validation will refuse: no run to start
        return False
    return sum(1 for root in roots if root.startswith("/components/schemas/")) >= CHILD_FROM_SCHEMAS


@contextmanager
def started(job: Job, document: Any) -> Iterator[ModelsRun | None]:
    """A run started in a child process for the block, for a bundled `document` large enough (`worth_a_child`);
    None where no child is started. The child is ended at the block's end."""
    if not (can_fork() and free_core() and worth_a_child(document)):
        yield None
        return
    run = ModelsRun(job)
    try:
        yield run
    finally:
        run.stop()


def can_fork() -> bool:
    """Whether a child can be forked safely here: Linux, and no other thread running."""
    return sys.platform.startswith("linux") and threading.active_count() == 1


def free_core() -> bool:
    """Whether a core is free for the child: the load (1-minute average, which counts this busy process as about 1) is
    at most the cores this process may run on, less a half."""
    try:
        cores = len(os.sched_getaffinity(0))
        load = os.getloadavg()[0]
    except (AttributeError, OSError):
        return False
    return load <= cores - 0.5


def _child(job: Job, channel: Connection, parents: Connection) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends the child: no traceback here
    parents.close()  # the parent's end, inherited: the channel ends when the parent closes it
    answer: tuple[str, Any]
    try:
        model_input, options = job()
    except BaseException:  # noqa: BLE001 - the parent makes the input again, and says what is wrong with it
        answer = ("none", None)
    else:
        try:
            answer = ("ok", raw_models(model_input, options)) if has_models(model_input) else ("none", None)
        except Exception as exc:  # noqa: BLE001 - told to the parent as `generate_models` tells it
            answer = ("failed", failure(exc))
    with suppress(OSError):  # the parent is gone: nobody to tell
        channel.send(answer)
        while True:  # what the parent asks to read, until it closes the channel
            try:
                code = channel.recv()
            except EOFError:
                break
            try:
                answer = ("ok", module_statements(code))
            except Exception:  # noqa: BLE001 - the parent reads it itself
                answer = ("none", None)
            channel.send(answer)
    channel.close()


__all__ = ["CHILD_FROM_SCHEMAS", "Job", "ModelsRun", "can_fork", "free_core", "started", "worth_a_child"]
