"""datamodel-code-generator's run in a child process, started before the spec is even bundled.

The run is most of a generation (on GitHub's spec 20 of 25 s) and needs only the prepared document, while
validation, lint, the contract check's analysis and the deviations need only the bundle. `started` forks a child at
the start of the build: it bundles the spec and makes the input as the pipeline makes it (`job`), then runs
datamodel-code-generator on it, while the parent bundles the spec too, then validates, prepares its own copy, finds
the checks and the deviations; `ModelsRun` is then `generate_models`'s `runner`, handing over the child's output.
The child then parses part of the models for `split.split_models` while the parent parses the rest
(`ModelsRun.reading`). The child is a fork: it inherits the hash seed (the same names, in the same order) and the code,
and reads the same files with the same functions; only the output comes back, through a pipe, with the digest of the
files it read (`Bundle.digest`). Should the child give nothing (its input failed, it died, or the files changed
between its reading and the parent's), the run is made in this process, as without a child.

A child is started only where it pays: before the bundle for a spec whose root file is large (CHILD_FROM_BYTES), and
kept (`kept`) only once the bundle shows the spec large enough (CHILD_FROM_SCHEMAS); for a spec large enough whose root
file is not, once the spec is bundled (then it makes its input from the parent's bundle). Without `fork` (Windows,
macOS, where it is unsafe), with other threads running (a fork copies only the thread that calls it: another thread's
held lock would stay held in the child) or without a free core, no child is started and the run is made here.
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
from pathlib import Path
from typing import Any

from ..progress import listening
from ..spec.bundle import Bundle
from .codegen import Entries, RawModels, RunFailed, failure, has_models, model_extra_keys, raw_models
from .prepare import ModelInput
from .split import ModuleStatements, module_statements, pieces

# What the child makes before the run: the digest of the files it read (`Bundle.digest`), the input and options.
Job = Callable[[], tuple[str, ModelInput, dict[str, Any]]]

# The models' statements are read in PIECES pieces: the child is given the last CHILD_FIRST of them at once (the parent
# first reads the run's output and makes the IR, the contract and the other templates: on GitHub's spec 0.25-0.45 s),
# then one more from the end each time it answers, while the parent reads them from the first. Whichever process reads
# faster reads more: on GitHub's spec each reads 0.5-1.1 s, and which one is slower per byte changed from run to run.
PIECES = 24
CHILD_FIRST = 8


class ModelsRun:
    """A run started in a child process: called with the input and options, it gives the child's output.

    The child then stays until `stop`, to read part of the models' statements while this process reads the rest
    (`reading`): parsing them is the longest step after the run (on GitHub's spec a second).
    """

    def __init__(self, job: Job) -> None:
        context = multiprocessing.get_context("fork")
        self._answered = False  # whether the child has answered (it then waits only for what the parent asks)
        self._early: tuple[str, Any] | None = None  # its answer, when it came while `names` waited for the names
        self.expected = ""  # the digest of the files the parent read (`kept`): the child's output is for those only
        self._channel, theirs = context.Pipe(duplex=True)
        self._process = context.Process(target=_child, args=(job, theirs, self._channel), daemon=True)
        gc.freeze()  # the inherited objects out of the child's collections: they are not copied for their counts
        try:
            self._process.start()
        finally:
            gc.unfreeze()
        theirs.close()

    def names(self) -> Entries | None:
        """The entries the child's run tells once it has named its classes (`codegen.names_told`), waiting for them;
        None when it tells none before its answer (it failed, or died) or they are not of the files read here."""
        model_extra_keys()  # while the child runs: reading its output imports that part of datamodel-code-generator
        status, value = self.answer()
        if status == "names":
            return value[1] if value[0] == self.expected else None
        self._early = (status, value)
        return None

    def __call__(self, model_input: ModelInput, options: dict[str, Any]) -> RawModels:
        """The child's output (raises RunFailed as the run failed there); the run made here when the child gave none."""
        model_extra_keys()  # while the child runs: reading its output imports that part of datamodel-code-generator
        status, value = self._early or self.answer()
        while status == "names":  # told, but not asked for
            status, value = self.answer()
        if status in ("ok", "failed") and value[0] == self.expected:
            if status == "failed":
                raise RunFailed(value[1])
            return value[1]  # type: ignore[no-any-return]
        return raw_models(model_input, options)

    def reading(self, code: str) -> Callable[[], ModuleStatements]:
        """Start reading the last pieces of models `code` in the child; the function made gives what the whole reads.

        That function reads pieces here from the first, and gives the child one more from the end each time it
        answers, until none is left (a piece the child gives nothing for is read here).
        """
        return _SharedReading(self, pieces(code, PIECES))

    def release(self) -> None:
        """Let the child end now, nothing more to ask of it: it ends as its channel closes (`stop` then finds it gone
        instead of waiting while its memory is freed, about 0.1 s on GitHub's spec)."""
        self._channel.close()

    def stop(self) -> None:
        """End the child, and wait for it: once it has answered it ends when its channel closes; before (the spec is
        invalid, or the user pressed Ctrl-C), or if it does not end, it is ended."""
        self._channel.close()
        if self._answered:
            self._process.join(timeout=5)
        if self._process.is_alive():
            self._process.terminate()
            self._process.join()

    def send(self, request: str) -> bool:
        """Send the child a request; whether it could be sent."""
        try:
            self._channel.send(request)
        except (OSError, ValueError):  # the child is gone, or stopped
            return False
        return True

    def answered_yet(self) -> bool:
        """Whether the child's next answer is there to take (or it is gone)."""
        try:
            return self._channel.poll()
        except (OSError, ValueError):
            return True

    def answer(self) -> tuple[str, Any]:
        """The child's next answer; ("none", None) when it is gone."""
        try:
            answer: tuple[str, Any] = self._channel.recv()
        except (EOFError, OSError, ValueError):  # the child died or gave nothing
            return "none", None
        self._answered = answer[0] != "names"  # the names come while the run goes on
        return answer


class _SharedReading:
    """The statements of models code read in pieces, from the first here and from the last in the child."""

    def __init__(self, run: ModelsRun, parts: list[str]) -> None:
        self._run = run
        self._parts = parts
        self._read: dict[int, ModuleStatements] = {}  # by the index of the first piece read
        self._next, self._end = 0, len(parts)  # the pieces nobody reads yet
        self._asked: tuple[int, int] | None = None  # the pieces the child reads now
        self._ask(max(len(parts) - CHILD_FIRST, 1))

    def __call__(self) -> ModuleStatements:
        while self._next < self._end:
            self._read[self._next] = module_statements(self._parts[self._next])
            self._next += 1
            if self._asked is not None and self._run.answered_yet():
                self._take()
                self._ask(self._end - 1)
        if self._asked is not None:
            self._take()
        self._run.release()
        read = [self._read[start] for start in sorted(self._read)]
        return sum(read[1:], read[0]) if read else ModuleStatements((), ())

    def _ask(self, start: int) -> None:
        """Give the child the pieces from `start` to the first the child reads already (or the last)."""
        if self._next <= start < self._end and self._run.send("".join(self._parts[start : self._end])):
            self._asked = (start, self._end)
            self._end = start

    def _take(self) -> None:
        """The child's answer for the pieces it was given; they are read here if it gives none."""
        assert self._asked is not None
        start, end = self._asked
        self._asked = None
        _, theirs = self._run.answer()
        read = theirs if isinstance(theirs, ModuleStatements) else module_statements("".join(self._parts[start:end]))
        self._read[start] = read


# A child costs CPU time: the fork, the bundle and the input it makes again beside the parent (on GitHub's spec about
# a second in all). It pays only when the parent's work meanwhile (validation, lint, the checks, the deviations: about
# a fifth of the run) runs on a core of its own, and when that work is long. Measured with no free core: Adyen's 94
# component schemas 1.2 s -> 1.4 s, Paddle's 160 3.1 -> 3.7, Polar's 197 2.5 -> 2.7, GitHub's 433 19.7 -> 20.8. So a
# child only for GitHub's scale, and only with a core free.
CHILD_FROM_SCHEMAS = 300
# Started before the bundle shows how many schemas the webhooks reach, the child is started that early only for a root
# file this large (GitHub's is 4.8 MB). The corpus's specs of 1.6-3 MB reach 16-197 schemas: a child started early for
# them and ended once they were bundled cost Polar's 4.2 s run about 0.3 s. A spec with a smaller root file that is
# large enough gets its child once bundled (`kept`), as before the child was started early.
CHILD_FROM_BYTES = 4_000_000


def worth_a_child(bundled: Bundle) -> bool:
    """Whether the webhooks of a bundle reach CHILD_FROM_SCHEMAS component schemas or more."""
    return sum(1 for root in bundled.webhook_roots if root.startswith("/components/schemas/")) >= CHILD_FROM_SCHEMAS


@contextmanager
def started(job: Job, spec_path: Path) -> Iterator[ModelsRun | None]:
    """A run started in a child process for the block, for a spec whose root file is large enough (CHILD_FROM_BYTES);
    None where no child is started. The child is ended at the block's end."""
    if not (_may_fork() and _size(spec_path) >= CHILD_FROM_BYTES):
        yield None
        return
    with _running(job) as run:
        yield run


@contextmanager
def kept(run: ModelsRun | None, bundled: Bundle, job: Job) -> Iterator[ModelsRun | None]:
    """Once the parent has bundled the spec: the run started early, if the spec is large enough (`worth_a_child`), or
    else ended; without one, a run started now from the bundle (`job`) for a spec large enough (its root file was
    small). None for a small spec. A run started here is ended at the block's end.

    The run then gives only an output made of the files the parent read."""
    if run is not None:
        if not worth_a_child(bundled):
            run.stop()
            run = None
        else:
            run.expected = bundled.digest()
        yield run
        return
    if not (_may_fork() and worth_a_child(bundled)):
        yield None
        return
    expected = bundled.digest()  # before the fork: the child's job reads it from the same bundle, made once
    with _running(job) as late:
        late.expected = expected
        yield late


@contextmanager
def _running(job: Job) -> Iterator[ModelsRun]:
    """A run started in a child process for the block, and ended at its end."""
    run = ModelsRun(job)
    try:
        yield run
    finally:
        run.stop()


def _may_fork() -> bool:
    return can_fork() and free_core()


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:  # the parent says what is wrong with it
        return 0


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


class _Telling:
    """Tells the parent the run's entries once its classes are named, from a thread of its own: the parent may still be
    validating, and the pipe holds 64 KB (GitHub's entries are about 0.8 MB), so the run goes on meanwhile."""

    def __init__(self, channel: Connection, digest: str) -> None:
        self._channel, self._digest = channel, digest
        self._sender: threading.Thread | None = None

    def __call__(self, entries: Entries) -> None:
        if self._sender is not None:  # told already (a run that parses again tells again): one sender on the channel
            return
        self._sender = threading.Thread(target=self._send, args=(("names", (self._digest, entries)),), daemon=True)
        self._sender.start()

    def _send(self, message: tuple[str, Any]) -> None:
        with suppress(OSError, ValueError):  # the parent is gone: nobody to tell
            self._channel.send(message)

    def done(self) -> None:
        """Wait until the entries are told, if they are: the answer comes after them."""
        if self._sender is not None:
            self._sender.join()


# The child's objects (the bundle, the input, datamodel-code-generator's models, the statements read) nearly all live
# until it ends, so its collections find almost nothing to free and rescan what they count: on GitHub's spec the run's
# 18 young collections took 0.8-0.9 of its ~28 CPU seconds, at the pipeline's COLLECTOR_THRESHOLDS. The child ends once
# the parent has its answers, so its collector is off: its peak memory rose by 35 MB (428 -> 463 MB), the cycles it
# leaves to the end.
def _child(job: Job, channel: Connection, parents: Connection) -> None:
    gc.disable()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C stops the parent, which ends the child: no traceback here
    parents.close()  # the parent's end, inherited: the channel ends when the parent closes it
    answer: tuple[str, Any]
    try:
        with listening(None):  # the parent tells the stages
            digest, model_input, options = job()
    except BaseException:  # noqa: BLE001 - the parent makes the input again, and says what is wrong with it
        answer = ("none", None)
    else:
        telling = _Telling(channel, digest)
        try:
            answer = (
                ("ok", (digest, raw_models(model_input, options, telling)))
                if has_models(model_input)
                else ("none", None)
            )
        except Exception as exc:  # noqa: BLE001 - told to the parent as `generate_models` tells it
            answer = ("failed", (digest, failure(exc)))
        telling.done()
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


__all__ = [
    "CHILD_FIRST",
    "CHILD_FROM_BYTES",
    "CHILD_FROM_SCHEMAS",
    "Job",
    "ModelsRun",
    "PIECES",
    "can_fork",
    "free_core",
    "kept",
    "started",
    "worth_a_child",
]
