"""Parse the slowest files of a run in a second process while the checks start.

Checks run one after the other, and the first one to need a file pays for parsing it.
Three readers are slow and independent of everything else: the Kubernetes manifests
(thousands of YAML documents), the GitHub workflows (the round-trip YAML loader, which
keeps line numbers) and Terraform (python-hcl2 and its grammar take a fifth of a second
to load before the first file). :func:`start` forks a worker that runs
``repo.parse(path, parser)`` for exactly the pairs the checks will ask for, in the order
they are needed, and streams the results back through a pipe; ``Repo.parse`` takes a
result from the worker instead of parsing when the worker has it (or waits for it). The
results are the same values — the worker is the same code on the same text — so the
report does not change; only the wall time does, on a machine with a spare core.

The worker is opt-in: ``MLOPS_LINT_PREFETCH=1``. The tool promises that the only
process it starts is ``git`` (``tests/test_readonly.py`` refuses ``os.fork``); a copy of
itself that reads and parses files executes nothing of the target, but whether that
promise should allow it is the maintainers' call, so it is off by default. When asked
for, it only starts on Linux (``fork`` is safe there for a single-threaded process;
elsewhere, or with threads, files are parsed in-process) and when there is enough to
parse for the fork to pay (:data:`MIN_BYTES`). If the worker dies, the checks parse
in-process.
"""

from __future__ import annotations

import contextlib
import os
import pickle
import signal
import struct
import sys
import threading
from collections.abc import Callable, Iterable
from typing import IO, TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

ENV = "MLOPS_LINT_PREFETCH"
MIN_BYTES = 128 * 1024  # about 60 ms of YAML parsing: below that a fork does not pay
TERRAFORM_WEIGHT = 256 * 1024  # loading python-hcl2 costs as much as that much YAML
_HEADER = struct.Struct("<Q")

Job = tuple[str, Callable[[str], Any]]
Key = tuple[str, str]


def parse_key(path: str, parser: Callable[[str], Any]) -> Key:
    """The parse cache key ``Repo.parse`` uses for ``parser(text of path)``."""
    return (path, f"{parser.__module__}.{parser.__qualname__}")


class ParseWorker:
    """The parent's end of a forked parse worker: a pipe of pickled result chunks."""

    def __init__(self, pid: int, stream: IO[bytes], pending: set[Key]) -> None:
        self.pid = pid
        self.stream: IO[bytes] | None = stream
        self.pending = pending  # keys the worker will deliver and nobody has taken yet

    def fill(self, cache: dict[Key, Any], key: Key) -> None:
        """Move worker results into ``cache`` until ``key`` is there (or the worker is
        done or gone: then the caller parses the file itself)."""
        while key in self.pending:
            chunk = self._next_chunk()
            if chunk is None:
                self.close()
                return
            for done, value in chunk.items():
                cache.setdefault(done, value)
            self.pending.difference_update(chunk)
        if not self.pending:
            self.close()

    def _next_chunk(self) -> dict[Key, Any] | None:
        if self.stream is None:
            return None
        try:
            header = self.stream.read(_HEADER.size)
            if len(header) < _HEADER.size:
                return None
            (size,) = _HEADER.unpack(header)
            data = self.stream.read(size)
            if len(data) < size:
                return None
            chunk: dict[Key, Any] = pickle.loads(data)  # our own child's output
        except Exception:  # a dead or broken worker: parse in-process instead
            return None
        return chunk

    def close(self) -> None:
        """Stop the worker (if still running) and reap it; pending keys are dropped."""
        self.pending.clear()
        if self.stream is None:
            return
        self.stream.close()
        self.stream = None
        with contextlib.suppress(OSError):  # already gone
            os.kill(self.pid, signal.SIGKILL)
        with contextlib.suppress(ChildProcessError):
            os.waitpid(self.pid, 0)


def _enabled() -> bool:
    return (sys.platform.startswith("linux") and hasattr(os, "fork")
            and os.environ.get(ENV) == "1" and threading.active_count() == 1)


def planned(repo: Repo) -> tuple[list[list[Job]], int]:
    """The (path, parser) pairs worth parsing ahead, grouped in the order the checks need
    them (workflows: phase 1; manifests: phase 5; Terraform: phase 6), and their weight."""
    from mlops_lint.parsers.ci import WORKFLOW_GLOBS, parse_workflow
    from mlops_lint.parsers.terraform import BACKEND_CONFIG_GLOBS, TF_GLOBS, parse_hcl
    from mlops_lint.parsers.yaml_file import load_yaml_all

    weight = 0
    workflows: list[Job] = []
    for path in repo.glob(WORKFLOW_GLOBS):
        text = repo.text(path)
        if isinstance(text, str):
            workflows.append((path, parse_workflow))
            weight += len(text)
    skip = {path for path, _ in workflows}
    manifests: list[Job] = []
    for path in repo.glob(("**/*.yaml", "**/*.yml")):
        text = repo.text(path)
        # the Kubernetes reader loads every YAML file that names an apiVersion and a kind
        if path not in skip and isinstance(text, str) and "apiVersion" in text \
                and "kind" in text:
            manifests.append((path, load_yaml_all))
            weight += len(text)
    terraform: list[Job] = [(path, parse_hcl) for path in
                            dict.fromkeys([*repo.glob(TF_GLOBS), *repo.glob(BACKEND_CONFIG_GLOBS)])]
    if terraform:
        weight += TERRAFORM_WEIGHT
    return [workflows, manifests, terraform], weight


def start(repo: Repo) -> ParseWorker | None:
    """Fork a worker parsing :func:`planned` files for ``repo`` (see the module docs)."""
    if repo.worker is not None or not _enabled():
        return None
    groups, weight = planned(repo)
    cached = repo.parsed_keys()
    groups = [[job for job in group if parse_key(*job) not in cached] for group in groups]
    pending = {parse_key(*job) for group in groups for job in group}
    if weight < MIN_BYTES or not pending:
        return None
    read_fd, write_fd = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_fd)
        os.close(write_fd)
        return None
    if pid == 0:  # pragma: no cover - runs in the forked worker, which never returns
        code = 0
        try:
            os.close(read_fd)
            _serve(repo, groups, write_fd)
        except BaseException:
            code = 1
        os._exit(code)
    os.close(write_fd)
    worker = ParseWorker(pid, os.fdopen(read_fd, "rb"), pending)
    repo.worker = worker
    return worker


def _serve(repo: Repo, groups: Iterable[list[Job]], fd: int) -> None:  # pragma: no cover
    """In the worker: parse group after group, never waiting for the parent to read
    (the pipe holds 64 KiB; the rest waits in memory until the parent asks)."""
    os.set_blocking(fd, False)
    out = bytearray()
    sent = 0

    def pump() -> None:
        nonlocal sent
        view = memoryview(out)
        try:
            while sent < len(out):
                sent += os.write(fd, view[sent:])
        except BlockingIOError:
            pass
        finally:
            view.release()

    for group in groups:
        if not group:
            continue
        chunk = {parse_key(path, parser): repo.parse(path, parser) for path, parser in group}
        data = pickle.dumps(chunk, protocol=pickle.HIGHEST_PROTOCOL)
        out += _HEADER.pack(len(data))
        out += data
        pump()
    os.set_blocking(fd, True)
    pump()
    os.close(fd)


def stop(repo: Repo) -> None:
    """End the run's worker, if any."""
    if repo.worker is not None:
        repo.worker.close()
        repo.worker = None
