"""Evaluate a run's rules in forked worker processes (``check --jobs N``).

The rules of a run are independent of each other: each reads the repository (through
the same :class:`~mlops_lint.repo.Repo`) and gives its own results. :func:`evaluate`
forks ``jobs`` workers after the repository has been walked; the workers take *chunks*
of rules (the rules of one family, which read the same files) one at a time from the
parent, in order, evaluate them with the code and state they inherited, and send back
each rule's results, pickled, through a pipe. The parent only hands out chunks and
collects results; the report is assembled from the results in the catalog's order, so
it is byte-identical whatever the number of workers and whichever worker ran a rule.

What the workers do is what the run does in-process: read files of the repository and
parse them. They import nothing of the target and execute nothing; the only process a
worker may start is the same read-only ``git`` the run starts (``repo.Repo.git``). A
worker never writes to the results cache or to stdout/stderr, and leaves with
``os._exit`` (no ``atexit`` handler, no buffered output flushed twice).

Workers are only used where forking is safe and cheap: on Linux (``fork`` of a
single-threaded process; macOS and Windows would need ``spawn``, which re-imports
everything and re-walks the repository, so the run stays serial there), with more than
one usable CPU, and for repositories of at least :data:`MIN_FILES` files (below that the
fork and the work the workers repeat — imports, shared parses — cost more than they
save). A worker that dies, or whose results cannot be read, costs nothing but time: the
chunks it did not deliver are evaluated in-process afterwards.

Workers are opt-in (:data:`DEFAULT_JOBS` is 1). Measured on a 2-vCPU machine shared with
other jobs (``benchmarks/RESULTS.md``), the workers repeat part of each other's work
(imports, the files several families parse, per-project analyses): two workers spend
1.5× the CPU of one process on a public Kubernetes samples repository (~1,900 files) and
on the 10× benchmark tree,
and each still needs ~70 % of the serial time, so they only win when a second core is
really idle, and lose when it is not.
"""

from __future__ import annotations

import contextlib
import gc
import os
import pickle
import struct
import sys
from collections import deque
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import IO, Any

ENV = "MLOPS_LINT_JOBS"  # the default of ``--jobs``
DEFAULT_JOBS = 1  # in-process unless asked: see the note on measurements below
AUTO = 0  # ``--jobs auto``: one worker per usable CPU, up to MAX_JOBS
MIN_FILES_ENV = "MLOPS_LINT_JOBS_MIN_FILES"  # tests and benchmarks: force the pool
MIN_FILES = 300
MAX_JOBS = 4  # more workers repeat more shared parsing than they save (measured, 2 cores)
_HEADER = struct.Struct("<Q")
_TASK = struct.Struct("<i")
_STOP = -1


def available_cpus() -> int:
    """CPUs this process may run on."""
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):  # pragma: no cover - not Linux
        return os.cpu_count() or 1


def parse_jobs(value: str | int | None) -> int:
    """``--jobs`` / ``MLOPS_LINT_JOBS``: a count ≥ 1, or ``auto`` / ``0`` (:data:`AUTO`);
    nothing given is :data:`DEFAULT_JOBS`. Raises ``ValueError`` for anything else."""
    if value is None:
        return DEFAULT_JOBS
    text = str(value).strip().lower()
    if text == "":
        return DEFAULT_JOBS
    if text in ("auto", "0"):
        return AUTO
    if not text.isdigit() or int(text) < 1:
        raise ValueError(f"jobs must be a positive number or 'auto', not {value!r}")
    return int(text)


def min_files() -> int:
    try:
        return int(os.environ.get(MIN_FILES_ENV, ""))
    except ValueError:
        return MIN_FILES


def forkable() -> bool:
    """Forking this process is safe: Linux, ``os.fork`` present, one thread."""
    import threading

    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and threading.active_count() == 1)


def workers_for(requested: int | None, files: int) -> int:
    """How many worker processes a run of ``files`` files uses (0: in-process).

    ``requested`` is ``--jobs`` (``None``: :data:`DEFAULT_JOBS`; :data:`AUTO`: one worker
    per usable CPU up to :data:`MAX_JOBS`). One job means in-process, as do a small
    repository, a platform without a safe ``fork`` and a process already running
    threads."""
    if requested is None:
        requested = DEFAULT_JOBS
    jobs = requested if requested != AUTO else min(available_cpus(), MAX_JOBS)
    if jobs < 2 or files < min_files() or not forkable():
        return 0
    return jobs


@dataclass
class _Worker:
    pid: int
    tasks: int  # the parent's end of the task pipe
    results: IO[bytes]
    chunk: int | None = None  # the chunk it is evaluating
    done: bool = False


@dataclass
class Outcome:
    """What the workers delivered: item index → result, and each chunk's ``state()``."""

    results: dict[int, Any] = field(default_factory=dict)
    states: list[Any] = field(default_factory=list)
    workers: int = 0  # how many were started


def evaluate(chunks: Sequence[Sequence[int]], work: Callable[[int], Any], jobs: int,
             state: Callable[[], Any] = lambda: None,
             delivered: Callable[[Sequence[int]], None] | None = None) -> Outcome:
    """``work(i)`` for every item of every chunk, in up to ``jobs`` forked workers.

    Chunks are handed out in order, one at a time, to the first worker free.
    ``state()`` is called in the worker after each chunk (what the parent must merge:
    files looked up, answers of ``git``); ``delivered`` in the parent with each chunk's
    items as their results arrive. Items of a chunk a worker did not deliver are
    missing from the outcome: the caller evaluates them itself."""
    import selectors

    outcome = Outcome()
    if jobs < 2 or not chunks:
        return outcome
    pending = deque(range(len(chunks)))
    workers: list[_Worker] = []
    selector = selectors.DefaultSelector()
    gc.collect()
    gc.freeze()  # the workers' collections do not touch (and copy) the parent's objects
    try:
        for _ in range(min(jobs, len(chunks))):
            inherited = [fd for w in workers for fd in (w.tasks, w.results.fileno())]
            worker = _fork(chunks, work, state, inherited)
            if worker is None:
                break
            workers.append(worker)
            selector.register(worker.results, selectors.EVENT_READ, worker)
        outcome.workers = len(workers)
        for worker in workers:
            _assign(worker, pending)
        live = len(workers)
        while live:
            for key, _ in selector.select():
                worker = key.data
                message = _receive(worker.results)
                if message is not None and message[0] == worker.chunk:
                    chunk, results, chunk_state = message
                    outcome.results.update(results)
                    outcome.states.append(chunk_state)
                    if delivered is not None:
                        delivered(chunks[chunk])
                    _assign(worker, pending)
                    continue
                # the worker is gone (or said something else): its chunk stays undone
                selector.unregister(worker.results)
                _close(worker, kill=message is not None)
                live -= 1
    finally:
        for worker in workers:
            _close(worker, kill=True)
        selector.close()
        gc.unfreeze()
    return outcome


def _assign(worker: _Worker, pending: deque[int]) -> None:
    """Give ``worker`` the next chunk, or tell it to stop."""
    worker.chunk = pending.popleft() if pending else None
    try:
        os.write(worker.tasks, _TASK.pack(_STOP if worker.chunk is None else worker.chunk))
    except OSError:  # the worker is gone: its end of the results pipe says so
        if worker.chunk is not None:
            pending.appendleft(worker.chunk)
            worker.chunk = None


def _receive(stream: IO[bytes]) -> tuple[int, dict[int, Any], Any] | None:
    try:
        header = stream.read(_HEADER.size)
        if len(header) < _HEADER.size:
            return None
        (size,) = _HEADER.unpack(header)
        data = stream.read(size)
        if len(data) < size:
            return None
        message: tuple[int, dict[int, Any], Any] = pickle.loads(data)  # our own child's
    except Exception:
        return None
    return message


def _close(worker: _Worker, kill: bool) -> None:
    """Reap the worker (idempotent); ``kill``: stop it first if it still runs (a worker
    whose results pipe ended has exited, or is exiting)."""
    if worker.done:
        return
    worker.done = True
    with contextlib.suppress(OSError):
        os.close(worker.tasks)
    with contextlib.suppress(OSError):
        worker.results.close()
    if kill:
        import signal

        with contextlib.suppress(OSError):
            os.kill(worker.pid, signal.SIGKILL)
    with contextlib.suppress(ChildProcessError):
        os.waitpid(worker.pid, 0)


def _fork(chunks: Sequence[Sequence[int]], work: Callable[[int], Any],
          state: Callable[[], Any], inherited: list[int]) -> _Worker | None:
    """Start a worker; ``inherited``: the parent's ends of the other workers' pipes,
    closed in the new one (so that each worker's pipes end when it and the parent
    close them)."""
    task_read, task_write = os.pipe()
    result_read, result_write = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        for fd in (task_read, task_write, result_read, result_write):
            os.close(fd)
        return None
    if pid == 0:  # pragma: no cover - the worker: never returns
        code = 0
        try:
            for fd in (task_write, result_read, *inherited):
                os.close(fd)
            _serve(chunks, work, state, task_read, result_write)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(task_read)
    os.close(result_write)
    return _Worker(pid, task_write, os.fdopen(result_read, "rb"))


def _serve(chunks: Sequence[Sequence[int]], work: Callable[[int], Any],
           state: Callable[[], Any], tasks: int, results: int) -> None:  # pragma: no cover
    """In the worker: evaluate the chunks the parent names until it says stop."""
    with os.fdopen(tasks, "rb") as incoming, os.fdopen(results, "wb") as out:
        while True:
            raw = incoming.read(_TASK.size)
            if len(raw) < _TASK.size:
                return
            (chunk,) = _TASK.unpack(raw)
            if chunk == _STOP:
                return
            done = {item: work(item) for item in chunks[chunk]}
            data = pickle.dumps((chunk, done, state()), protocol=pickle.HIGHEST_PROTOCOL)
            out.write(_HEADER.pack(len(data)))
            out.write(data)
            out.flush()
