"""The results cache across runs: a re-run of ``check`` on an unchanged repository
evaluates no rule.

An entry is keyed by everything a run's results depend on (:mod:`mlops_lint.cache_key`).

An entry also records what the run looked at beyond the walk, checked again on a hit:
the contents of the rule packs the configuration names, the status of files probed
outside the listing (a git-ignored ``coverage.xml`` or lock file, a
``--coverage-report``), the git-ignored DVC pointers git listed (asked again), and the
content hash of every file modified in the last seconds before the run (a file edited
twice within the file system's timestamp granularity keeps its size and times).

Entries live in the user cache directory (never in the target): ``MLOPS_LINT_CACHE_DIR``,
else ``%LOCALAPPDATA%\\mlops-lint\\Cache`` (Windows), ``~/Library/Caches/mlops-lint``
(macOS), ``$XDG_CACHE_HOME/mlops-lint`` or ``~/.cache/mlops-lint``. A run's results are
stored as JSON (``<key>.run``); each rendered report (format, view, width, colour) is
stored beside them (``<key>.<variant>.out``), so a hit writes the very bytes an uncached
run would. Files are written to a temporary file and renamed (concurrent runs never see
a partial entry), checked by a SHA-256 on read (a damaged entry is a miss), and the
oldest are removed beyond :data:`MAX_BYTES` or :data:`MAX_FILES`.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_lint import __version__
from mlops_lint.cache_entry import (
    MAX_HEADER,
    MISSING,
    dump_run,
    header_line,
    load_run,
    no_collection,
    pack,
    read_packed,
    tag,
    unpack,
    untag,
    variant,
)
from mlops_lint.cache_key import (
    RACY_NS,
    SCHEMA,
    Key,
    file_digest,
    file_stat,
    file_status,
    readable,
    run_key,
)

if TYPE_CHECKING:
    from mlops_lint.engine import Run
    from mlops_lint.repo import Repo

MAX_BYTES = 256 * 1024 * 1024  # all entries together
MAX_FILES = 400
ENV_DIR, ENV_OFF = "MLOPS_LINT_CACHE_DIR", "MLOPS_LINT_NO_CACHE"



def disabled(environ: Mapping[str, str]) -> bool:
    """``MLOPS_LINT_NO_CACHE`` set to anything but empty, ``0`` or ``false``."""
    return environ.get(ENV_OFF, "").strip().lower() not in ("", "0", "false", "no")


def default_dir(environ: Mapping[str, str], platform: str = sys.platform,
                home: Path | None = None) -> Path | None:
    """The cache directory: ``MLOPS_LINT_CACHE_DIR``, else the platform's user cache
    directory followed by ``mlops-lint``; ``None`` when no home can be found."""
    if environ.get(ENV_DIR):
        return Path(environ[ENV_DIR]).expanduser()
    try:
        home = home or Path.home()
    except (RuntimeError, KeyError):  # no home directory (a bare container user)
        return None
    if platform.startswith("win"):
        base = environ.get("LOCALAPPDATA")
        return (Path(base) if base else home / "AppData" / "Local") / "mlops-lint" / "Cache"
    if platform == "darwin":
        return home / "Library" / "Caches" / "mlops-lint"
    xdg = environ.get("XDG_CACHE_HOME", "")
    base_dir = Path(xdg) if xdg and os.path.isabs(xdg) else home / ".cache"
    return base_dir / "mlops-lint"


@dataclass
class Hit:
    """A stored run whose key matched and whose validators still hold (its results are
    read, and their checksum verified, only when a report has to be rendered)."""

    path: Path

    def run(self, repo: Repo) -> Run | None:
        try:
            unpacked = read_packed(self.path)
            with no_collection():
                return load_run(json.loads(unpacked[1]), repo) if unpacked else None
        except (OSError, ValueError, TypeError, KeyError):
            return None


class Cache:
    """The cache directory; every failure to read or write it is a miss, never an error."""

    def __init__(self, directory: Path) -> None:
        self.dir = directory / f"v{SCHEMA}"

    @classmethod
    def open(cls, root: Path, environ: Mapping[str, str]) -> Cache | None:
        """The cache for a run on ``root``; ``None`` when turned off, when no cache
        directory can be found, or when it would lie inside ``root`` (the target is
        never written)."""
        if disabled(environ):
            return None
        directory = default_dir(environ)
        if directory is None:
            return None
        try:
            resolved = directory.resolve()
            target = root.resolve()
        except (OSError, RuntimeError):
            return None
        if resolved == target or resolved.is_relative_to(target):
            return None
        return cls(resolved)

    # -- reading ---------------------------------------------------------------------

    def _read(self, name: str) -> bytes | None:
        try:
            with open(self.dir / name, "rb") as handle:
                return handle.read()
        except OSError:
            return None

    def lookup(self, key: Key, repo: Repo) -> Hit | None:
        """The stored run for ``key`` if its validators hold (read from its header)."""
        path = self.dir / f"{key.digest}.run"
        try:
            with open(path, "rb") as handle:
                header = json.loads(handle.readline(MAX_HEADER))
        except (OSError, ValueError):
            return None
        if not isinstance(header, dict) or header.get("schema") != SCHEMA \
                or not _still_valid(header, key, repo):
            return None
        return Hit(path)

    def rendered(self, key: Key, variant: str) -> tuple[dict[str, Any], bytes] | None:
        """A stored report: its header (gate, verdict line) and UTF-8 text."""
        return read_packed(self.dir / f"{key.digest}.{variant}.out")

    # -- writing ---------------------------------------------------------------------

    def store_run(self, key: Key, run: Run, repo: Repo, packs: Iterable[Path]) -> None:
        """Store a run; ``packs`` are the rule packs the configuration named (their
        contents are checked on a hit)."""
        if not key.cacheable:
            return
        probes = _probes(repo)
        racy = dict(key.racy)
        now = time.time_ns()
        for path, status in probes.items():  # probed files modified just now: by content
            if readable(status) and status is not None and status[1] > now - RACY_NS:
                full = str(repo.abspath(path))
                racy[full] = file_digest(full)
        header = {"probes": probes, "racy": racy,
                  "packs": {str(p): file_digest(str(p)) for p in packs},
                  "ignored_dvc": list(repo.asked_ignored_dvc)
                  if repo.asked_ignored_dvc is not None else None}
        # ASCII: a lone surrogate of a file name or text is kept as an escape
        with no_collection():
            data = json.dumps(dump_run(run), separators=(",", ":")).encode("ascii")
        self._write(f"{key.digest}.run", header_line(header, data), data)

    def store_rendered(self, key: Key, variant: str, header: Mapping[str, Any],
                       text: str) -> None:
        if key.cacheable:
            data = text.encode("utf-8")
            self._write(f"{key.digest}.{variant}.out", header_line(header, data), data)

    def _write(self, name: str, *parts: bytes) -> None:
        import tempfile

        try:
            self.dir.mkdir(parents=True, exist_ok=True)
            handle, temporary = tempfile.mkstemp(prefix=".tmp-", dir=self.dir)
        except OSError:
            return
        try:
            with os.fdopen(handle, "wb") as out:
                for part in parts:
                    out.write(part)
            os.replace(temporary, self.dir / name)
        except OSError:
            with contextlib.suppress(OSError):
                os.unlink(temporary)
            return
        self.evict()

    def touch(self, key: Key) -> None:
        """Mark an entry as recently used (eviction removes the least recent first)."""
        with contextlib.suppress(OSError):
            os.utime(self.dir / f"{key.digest}.run")

    def evict(self, max_bytes: int = MAX_BYTES, max_files: int = MAX_FILES) -> None:
        """Remove the least recently used entries beyond the bounds (and temporary files
        a killed run left over an hour ago)."""
        try:
            entries = []
            with os.scandir(self.dir) as listing:
                for entry in listing:
                    info = entry.stat(follow_symlinks=False)
                    if entry.name.startswith(".tmp-"):
                        if info.st_mtime < time.time() - 3600:
                            os.unlink(entry.path)
                        continue
                    entries.append((info.st_mtime_ns, info.st_size, entry))
        except OSError:
            return
        total = sum(size for _, size, _ in entries)
        if total <= max_bytes and len(entries) <= max_files:
            return
        entries.sort(key=lambda e: (e[0], e[2].name))
        # a run's reports go with it: evict by the run's age
        runs = {e[2].name.split(".", 1)[0]: e[0] for e in entries if e[2].name.endswith(".run")}
        entries.sort(key=lambda e: (runs.get(e[2].name.split(".", 1)[0], e[0]), e[0]))
        count = len(entries)
        for _, size, entry in entries:
            if total <= max_bytes and count <= max_files:
                break
            with contextlib.suppress(OSError):
                os.unlink(entry.path)
            total -= size
            count -= 1

    def parsed(self, path: Path, parse: Callable[[], Any]) -> Any:
        """``parse()`` of one of the tool's own files (the rule catalog), kept as JSON
        by the file's path and status: a run that is not a hit is spared the YAML
        parse. Only plain data (mappings, lists, strings, numbers, booleans, null) is
        kept, with the exact types of mapping keys."""
        info = file_stat(str(path))
        if info is None:
            return parse()
        material = json.dumps([SCHEMA, __version__, str(path), info]).encode("utf-8")
        name = f"parsed-{hashlib.sha256(material).hexdigest()[:40]}.json"
        data = self._read(name)
        unpacked = unpack(data) if data is not None else None
        if unpacked is not None:
            try:
                value = untag(json.loads(unpacked[1]))
            except (ValueError, TypeError, KeyError, RecursionError):
                value = MISSING
            if value is not MISSING:
                with contextlib.suppress(OSError):
                    os.utime(self.dir / name)
                return value
        value = parse()
        try:
            body = json.dumps(tag(value), separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):  # not plain data: not kept
            return value
        self._write(name, pack({}, body.encode("ascii")))
        return value

    def clear(self) -> int:
        """Remove every entry; how many files were removed."""
        removed = 0
        try:
            with os.scandir(self.dir) as listing:
                for entry in listing:
                    with contextlib.suppress(OSError):
                        os.unlink(entry.path)
                        removed += 1
        except OSError:
            pass
        return removed


def _probes(repo: Repo) -> dict[str, list[Any] | None]:
    """The status of every file the run looked up outside the listing."""
    root = str(repo.root)  # an absolute path was named on the command line: trusted
    return {path: file_status(root, str(repo.abspath(path)), os.path.isabs(path))
            for path in sorted(repo.probed)}


def _still_valid(header: Mapping[str, Any], key: Key, repo: Repo) -> bool:
    """What the run looked at beyond the key is unchanged."""
    try:
        stored = header["probes"]
        root = str(repo.root)
        for path, status in stored.items():
            external = os.path.isabs(path)  # named on the command line: trusted
            if file_status(root, str(repo.abspath(path)), external) != status:
                return False
        for path, digest in header["racy"].items():
            if file_digest(path) != digest:
                return False
        for path, digest in header["packs"].items():
            if file_digest(path) != digest:
                return False
        ignored = header["ignored_dvc"]
        if ignored is not None and list(repo.ignored_dvc_pointers) != ignored:
            return False
    except (AttributeError, TypeError, KeyError):
        return False
    return True


@dataclass
class Cached:
    """A ``check`` run's place in the cache: the walk of the repository the key was
    made from, the key, the stored run when there is one, and the rule packs of the
    configuration (known once it is read)."""

    cache: Cache
    key: Key
    walked: Repo
    hit: Hit | None
    packs: tuple[Path, ...] = ()


def lookup(root: Path, display: str, options: Mapping[str, Any], config_file: str | None,
           environ: Mapping[str, str]) -> Cached | None:
    """Walk the repository, key the run and look it up; ``None`` when caching is off.
    ``options`` are the command-line options that change results, as given."""
    cache = Cache.open(root, environ)
    if cache is None:
        return None
    from mlops_lint.repo import Repo

    try:
        repo = Repo(root, walk_only=True)
        key = run_key(repo, display, options, config_file, environ)
        hit = cache.lookup(key, repo) if key.cacheable else None
    except (OSError, ValueError):  # the cache never fails a run: check without it
        return None
    if hit is not None:
        cache.touch(key)
    return Cached(cache, key, repo, hit)


def replay(cached: Cached, targets: list[tuple[str, str | None]], color: bool,
           width: int | None, view: str, phases: frozenset[int]) -> bool | None:
    """Write the stored reports of a cache hit exactly as the run that stored them did;
    whether the gate holds, or ``None`` (nothing written) when a report is not stored."""
    if cached.hit is None:
        return None
    stored = []
    for fmt, output in targets:
        terminal = output is None and fmt == "text"
        name = variant(fmt, color and terminal, width if terminal else None, view, phases)
        found = cached.cache.rendered(cached.key, name) if name is not None else None
        if found is None or not isinstance(found[0].get("passed"), bool) \
                or not isinstance(found[0].get("line"), str):
            return None
        stored.append((output, found))
    files: list[str] = []
    passed = True
    for output, (header, text) in stored:
        passed = header["passed"]
        if output is None:
            _write_stdout(text)
        elif os.linesep == "\n":  # as write_text would write it
            Path(output).write_bytes(text)
        else:
            Path(output).write_text(text.decode("utf-8"), encoding="utf-8")
        if output is not None:
            files.append(output)
    if files and len(files) == len(targets):
        sys.stderr.write(stored[-1][1][0]["line"] + ", ".join(files) + "\n")
    return passed


def _write_stdout(data: bytes) -> None:
    """UTF-8 text to stdout as ``sys.stdout.write`` would write it: the bytes as they are
    when stdout encodes UTF-8 and does not translate line ends, else through it."""
    stream = sys.stdout
    buffer = getattr(stream, "buffer", None)
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "")
    if buffer is not None and encoding == "utf8" and os.linesep == "\n":
        stream.flush()
        buffer.write(data)
        buffer.flush()
    else:
        stream.write(data.decode("utf-8"))
