"""The results cache across runs: a re-run of ``check`` on an unchanged repository
evaluates no rule.

An entry is keyed by everything a run's results depend on:

* the tool: its version, the Python running it, and the size and modification time of
  every file of the package and its rule catalog (an edited check or rule is a new
  tool), and of the directories on ``sys.path`` (installing or upgrading a library
  changes them);
* what the effective configuration is made of: the command-line options that change
  results (selected and ignored rules, language, gates, coverage report) as given, and
  the content of every configuration source (``pyproject.toml``,
  ``.mlops-lint.yaml``/``.yml``, a ``--config`` file), so a hit needs no configuration
  parsed and no catalog loaded; the name the repository is shown by; and
  ``MLOPS_LINT_HCL_READER``;
* the repository: every file the walk lists as (path, size, modification and change
  time, inode, mode); for a git repository, ``HEAD``, every ref, and the index,
  ``packed-refs``, config, shallow, grafts and ``info/exclude`` files, read under
  ``.git`` (no git command and nothing the repository controls is run for the key).

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
import gc
import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_lint import __version__

if TYPE_CHECKING:
    from mlops_lint.engine import Run
    from mlops_lint.repo import Repo

SCHEMA = 1
MAX_BYTES = 256 * 1024 * 1024  # all entries together
MAX_FILES = 400
RACY_NS = 3_000_000_000  # files modified this recently are also compared by content
MAX_HASHED_BYTES = 64 * 1024 * 1024  # a larger racy file makes the run uncacheable
MAX_REFS = 100_000
MAX_HEADER = 64 * 1024 * 1024
ENV_DIR, ENV_OFF = "MLOPS_LINT_CACHE_DIR", "MLOPS_LINT_NO_CACHE"
RESULT_ENV = ("MLOPS_LINT_HCL_READER",)  # variables the results may depend on

StatTuple = tuple[int, int, int, int, int] | None


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


def _stat(path: str, follow: bool = True) -> StatTuple:
    """Size, modification and change time, inode and mode (a symlink followed unless
    ``follow`` is false), or ``None`` when the file cannot be stat'ed."""
    try:
        info = os.stat(path, follow_symlinks=follow)
    except (OSError, ValueError):
        return None
    return (info.st_size, info.st_mtime_ns, info.st_ctime_ns, info.st_ino, info.st_mode)


_OPEN = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0)
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)


def _read_regular(path: str, follow: bool, limit: int | None) -> Iterator[bytes] | None:
    """The blocks of a regular file (at most ``limit`` bytes when given), or ``None``
    when it is something else (a FIFO is never waited on), unreadable, larger than
    :data:`MAX_HASHED_BYTES`, or a symlink and ``follow`` is false."""
    try:
        fd = os.open(path, _OPEN | (0 if follow else _NOFOLLOW))
    except (OSError, ValueError):
        return None
    handle = os.fdopen(fd, "rb")
    try:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode) or info.st_size > MAX_HASHED_BYTES:
            handle.close()
            return None
    except OSError:
        handle.close()
        return None

    def blocks() -> Iterator[bytes]:
        with handle:
            left = limit
            while left is None or left > 0:
                block = handle.read(1 << 20 if left is None else min(left, 1 << 20))
                if not block:
                    return
                if left is not None:
                    left -= len(block)
                yield block

    return blocks()


def _digest(path: str, follow: bool = True) -> str | None:
    """SHA-256 of a regular file's bytes (see :func:`_read_regular`), else ``None``."""
    blocks = _read_regular(path, follow, None)
    if blocks is None:
        return None
    sha = hashlib.sha256()
    try:
        for block in blocks:
            sha.update(block)
    except OSError:
        return None
    return sha.hexdigest()


def _status(root: str, full: str, trusted: bool = False) -> list[Any] | None:
    """A file's status for the key: its :func:`_stat` (as a list), ``None`` when it
    does not exist; a symlink of the repository (not ``trusted``) that leads outside
    ``root`` by its link text and whether its target exists, the target never read."""
    if not trusted:
        try:
            is_link = stat.S_ISLNK(os.lstat(full).st_mode)
        except (OSError, ValueError):
            return None
        if is_link:
            target = os.path.realpath(full)
            if target != root and not target.startswith(root.rstrip(os.sep) + os.sep):
                try:
                    link: str | None = os.readlink(full)
                except OSError:
                    link = None
                return ["outside", link, os.path.exists(full)]
    info = _stat(full)
    return None if info is None else list(info)


def _readable(status: list[Any] | None) -> bool:
    """A regular file whose content may be read (not a link leading outside)."""
    return status is not None and isinstance(status[0], int) and stat.S_ISREG(status[4])


def _tool() -> list[Any]:
    """What identifies the running tool: version, Python, its files, its libraries."""
    package = Path(__file__).resolve().parent
    rows: list[Any] = [__version__, sys.version, sys.implementation.name, sys.platform]
    for top in (package,):  # the rule catalog is package data (mlops_lint/rules)
        for directory, dirs, names in os.walk(top):
            dirs[:] = sorted(d for d in dirs if d != "__pycache__")
            for name in sorted(names):
                if not name.endswith((".pyc", ".pyo")):
                    full = os.path.join(directory, name)
                    rows.append([os.path.relpath(full, top), _stat(full)])
    here = os.getcwd()
    for entry in sys.path:  # installed libraries (a new or upgraded one changes these)
        if entry and os.path.abspath(entry) != here:
            info = _stat(entry)
            rows.append([entry, info[1] if info else None])
    return rows


CONFIG_NAMES = ("pyproject.toml", ".mlops-lint.yaml", ".mlops-lint.yml")


def _source(root: Path, path: Path, trusted: bool) -> list[Any]:
    """A configuration source as its status and content hash."""
    status = _status(str(root), str(path), trusted)
    return [status, _digest(str(path)) if _readable(status) else None]


def _options(root: Path, options: Mapping[str, Any], config_file: str | None) -> Any:
    """What the effective configuration is made of: the options as given, the
    repository's configuration files and the ``--config`` file, by content (so the key
    needs no configuration parsed)."""
    sources = {name: _source(root, root / name, False) for name in CONFIG_NAMES}
    given = None if config_file is None else [config_file,
                                              _source(root, Path(config_file), True)]
    trusted_paths = config_file is not None or options.get("coverage_report") is not None
    return {"options": dict(options), "sources": sources, "config": given,
            # a --config file or --coverage-report is looked up from here
            "cwd": os.getcwd() if trusted_paths else None}


def _git_dir(toplevel: Path) -> tuple[str, str] | None:
    """The git directory of a work tree and its common directory (a linked work tree
    or a submodule has a ``.git`` file naming its directory), read from files only."""
    dot = toplevel / ".git"
    try:
        if dot.is_dir():
            git_dir = dot
        else:
            text = (_read_small(str(dot)) or "").strip()
            if not text.startswith("gitdir:"):
                return None
            git_dir = (toplevel / text[len("gitdir:"):].strip()).resolve()
        common = git_dir
        named = _read_small(str(git_dir / "commondir"))
        if named is not None:
            common = (git_dir / named.strip()).resolve()
    except (OSError, RuntimeError, ValueError):
        return None
    return str(git_dir), str(common)


def _read_small(path: str) -> str | None:
    """The first 4 KiB of a regular file under ``.git`` (a symlink is not followed)."""
    blocks = _read_regular(path, False, 4096)
    try:
        return None if blocks is None else b"".join(blocks).decode("utf-8", "replace")
    except OSError:
        return None


@dataclass
class _Keying:
    """Collects the key material and the files to compare by content."""

    now_ns: int = field(default_factory=time.time_ns)
    racy: dict[str, str | None] = field(default_factory=dict)
    cacheable: bool = True

    def recent(self, status: list[Any] | StatTuple) -> bool:
        return status is not None and isinstance(status[0], int) and \
            stat.S_ISREG(status[4]) and status[1] > self.now_ns - RACY_NS

    def stat(self, path: str, follow: bool = True) -> StatTuple:
        """A file's :func:`_stat`; one modified in the last seconds is also hashed."""
        info = _stat(path, follow)
        if self.recent(info):
            self.hash(path, follow)
        return info

    def entry(self, root: str, full: str) -> list[Any] | None:
        """A listed file's :func:`_status`; one modified in the last seconds (and not
        behind a link leading outside) is also hashed."""
        status = _status(root, full)
        if self.recent(status):
            self.hash(full, True)
        return status

    def hash(self, path: str, follow: bool) -> None:
        digest = _digest(path, follow)
        if digest is None:
            self.cacheable = False
        self.racy[path] = digest


def _git_state(keying: _Keying, toplevel: Path) -> Any:
    """HEAD, every ref and the files git's answers depend on, read under ``.git``."""
    dirs = _git_dir(toplevel)
    if dirs is None:  # git reads a repository whose state cannot be keyed: no cache
        keying.cacheable = False
        return None
    git_dir, common = dirs
    state: dict[str, Any] = {"HEAD": _read_small(os.path.join(git_dir, "HEAD"))}
    for name in ("index", "HEAD", "shallow"):
        state[f"dir:{name}"] = keying.stat(os.path.join(git_dir, name), False)
    for name in ("packed-refs", "config", "shallow", "info/exclude", "info/grafts",
                 "objects/info/alternates"):
        state[f"common:{name}"] = keying.stat(os.path.join(common, name), False)
    refs: list[Any] = []
    for base in dict.fromkeys((git_dir, common)):
        top = os.path.join(base, "refs")
        for directory, dirs_, names in os.walk(top):
            dirs_.sort()
            for name in sorted(names):
                full = os.path.join(directory, name)
                refs.append([os.path.relpath(full, base), _read_small(full),
                             _stat(full, False)])
                if len(refs) > MAX_REFS:
                    keying.cacheable = False
                    return state
    state["refs"] = refs
    return state


@dataclass(frozen=True)
class Key:
    """A run's key and what to check again on a hit."""

    digest: str
    racy: dict[str, str | None]
    cacheable: bool


def run_key(repo: Repo, display: str, options: Mapping[str, Any], config_file: str | None,
            environ: Mapping[str, str]) -> Key:
    """The key of a ``check`` run of ``repo`` (walked, ``walk_only``) with these options."""
    keying = _Keying()
    root = str(repo.root)
    files = [[name, keying.entry(root, os.path.join(root, name))] for name in repo.listed]
    material = {
        "schema": SCHEMA,
        "tool": _tool(),
        "config": _options(repo.root, options, config_file),
        "display": display,
        "env": [environ.get(name) for name in RESULT_ENV],
        "root": root,
        "files": files,
        "notes": [[n.en, n.es] for n in repo.notes],
        "git": None if repo.git_info is None else [
            str(repo.git_info.toplevel), repo.git_info.shallow,
            sorted(repo.git_info.tracked), _git_state(keying, repo.git_info.toplevel)],
    }
    text = json.dumps(material, sort_keys=True, separators=(",", ":"), default=str)
    digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()[:40]
    return Key(digest, keying.racy, keying.cacheable)


# -- serialisation -----------------------------------------------------------------


def _dump_run(run: Run) -> dict[str, Any]:
    """A run as JSON data: every distinct string once in a table, each result a row of
    numbers (index -1 for ``None``): small and quick to write and read."""
    table: dict[str, int] = {}

    def at(text: str | None) -> int:
        if text is None:
            return -1
        index = table.get(text)
        if index is None:
            index = table[text] = len(table)
        return index

    rows = [[at(r.rule), r.phase, r.level, int(r.gate), r.weight, at(r.status.value),
             at(r.severity), at(r.project), at(r.path), -1 if r.line is None else r.line,
             at(r.message.en), at(r.message.es), at(r.fix.en), at(r.fix.es), at(r.title.en),
             at(r.title.es), at(r.waiver), int(r.baselined), at(r.fingerprint), at(r.see)]
            for r in run.results]
    return {"strings": list(table), "results": rows, "ignored": list(run.ignored),
            "notes": [[n.en, n.es] for n in run.notes]}


def _load_run(data: Any, repo: Repo) -> Run:
    from mlops_lint.engine import Run
    from mlops_lint.model import Result, Status, T

    table: list[str] = data["strings"]
    if not isinstance(table, list) or any(not isinstance(entry, str) for entry in table):
        raise TypeError("the string table holds something else than strings")

    def at(index: int) -> str | None:
        return None if index == -1 else text(index)

    def text(index: int) -> str:
        if index < 0:
            raise ValueError("a required text is missing")
        return table[index]

    statuses = {s.value: s for s in Status}
    results = []
    for row in data["results"]:
        (rule, phase, level, gate, weight, status, severity, project, path, line, message_en,
         message_es, fix_en, fix_es, title_en, title_es, waiver, baselined, fingerprint,
         see) = row
        results.append(Result(
            rule=text(rule), phase=int(phase), level=int(level), gate=bool(gate),
            weight=float(weight), status=statuses[text(status)], severity=text(severity),
            project=text(project), path=at(path), line=None if line == -1 else int(line),
            message=T(text(message_en), text(message_es)), fix=T(text(fix_en), text(fix_es)),
            title=T(text(title_en), text(title_es)), waiver=at(waiver),
            baselined=bool(baselined), fingerprint=text(fingerprint), see=at(see)))
    return Run(tuple(results), repo.projects, tuple(str(i) for i in data["ignored"]),
               tuple(T(str(en), str(es)) for en, es in data["notes"]))


def _head(header: Mapping[str, Any], body: bytes) -> bytes:
    head = dict(header, schema=SCHEMA, sha256=hashlib.sha256(body).hexdigest())
    return json.dumps(head, sort_keys=True).encode("utf-8") + b"\n"


def _pack(header: Mapping[str, Any], body: bytes) -> bytes:
    return _head(header, body) + body


def _unpack(data: bytes) -> tuple[dict[str, Any], bytes] | None:
    first, newline, body = data.partition(b"\n")
    if not newline:
        return None
    try:
        header = json.loads(first)
    except ValueError:
        return None
    if not isinstance(header, dict) or header.get("schema") != SCHEMA \
            or header.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    return header, body


def _read_packed(path: Path) -> tuple[dict[str, Any], bytes] | None:
    """A file :func:`_pack` wrote: its header and body, ``None`` when it is missing,
    damaged or of another schema."""
    try:
        with open(path, "rb") as handle:
            header = json.loads(handle.readline(MAX_HEADER))
            body = handle.read()
    except (OSError, ValueError):
        return None
    if not isinstance(header, dict) or header.get("schema") != SCHEMA \
            or header.get("sha256") != hashlib.sha256(body).hexdigest():
        return None
    return header, body


@contextlib.contextmanager
def _no_collection() -> Iterator[None]:
    """No cyclic garbage collection while (de)serialising a run: after a run the heap
    holds every tree and document read, and the thousands of small objects made here
    would trigger full collections of it (no cycle is made here)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass
class Hit:
    """A stored run whose key matched and whose validators still hold (its results are
    read, and their checksum verified, only when a report has to be rendered)."""

    path: Path

    def run(self, repo: Repo) -> Run | None:
        try:
            unpacked = _read_packed(self.path)
            with _no_collection():
                return _load_run(json.loads(unpacked[1]), repo) if unpacked else None
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
        return _read_packed(self.dir / f"{key.digest}.{variant}.out")

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
            if _readable(status) and status is not None and status[1] > now - RACY_NS:
                full = str(repo.abspath(path))
                racy[full] = _digest(full)
        header = {"probes": probes, "racy": racy,
                  "packs": {str(p): _digest(str(p)) for p in packs},
                  "ignored_dvc": list(repo.asked_ignored_dvc)
                  if repo.asked_ignored_dvc is not None else None}
        # ASCII: a lone surrogate of a file name or text is kept as an escape
        with _no_collection():
            data = json.dumps(_dump_run(run), separators=(",", ":")).encode("ascii")
        self._write(f"{key.digest}.run", _head(header, data), data)

    def store_rendered(self, key: Key, variant: str, header: Mapping[str, Any],
                       text: str) -> None:
        if key.cacheable:
            data = text.encode("utf-8")
            self._write(f"{key.digest}.{variant}.out", _head(header, data), data)

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
        info = _stat(str(path))
        if info is None:
            return parse()
        material = json.dumps([SCHEMA, __version__, str(path), info]).encode("utf-8")
        name = f"parsed-{hashlib.sha256(material).hexdigest()[:40]}.json"
        data = self._read(name)
        unpacked = _unpack(data) if data is not None else None
        if unpacked is not None:
            try:
                value = _untag(json.loads(unpacked[1]))
            except (ValueError, TypeError, KeyError, RecursionError):
                value = _MISSING
            if value is not _MISSING:
                with contextlib.suppress(OSError):
                    os.utime(self.dir / name)
                return value
        value = parse()
        try:
            body = json.dumps(_tag(value), separators=(",", ":"))
        except (TypeError, ValueError, RecursionError):  # not plain data: not kept
            return value
        self._write(name, _pack({}, body.encode("ascii")))
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


_MISSING = object()


def _tag(value: Any) -> Any:
    """Plain data as JSON that keeps every type: a mapping becomes ``{"m": pairs}``
    (keys of any plain type), a list ``{"l": items}``; scalars stay as they are."""
    if isinstance(value, dict):
        return {"m": [[_tag(k), _tag(v)] for k, v in value.items()]}
    if isinstance(value, list):
        return {"l": [_tag(v) for v in value]}
    if value is None or isinstance(value, (str, bool, int, float)):
        if isinstance(value, float) and value != value:
            raise ValueError("NaN")
        return value
    raise TypeError(type(value).__name__)


def _untag(value: Any) -> Any:
    if isinstance(value, dict):
        if "m" in value:
            return {_untag(k): _untag(v) for k, v in value["m"]}
        return [_untag(v) for v in value["l"]]
    if isinstance(value, list):
        raise TypeError("untagged list")
    return value


def _probes(repo: Repo) -> dict[str, list[Any] | None]:
    """The status of every file the run looked up outside the listing."""
    root = str(repo.root)  # an absolute path was named on the command line: trusted
    return {path: _status(root, str(repo.abspath(path)), os.path.isabs(path))
            for path in sorted(repo.probed)}


def _still_valid(header: Mapping[str, Any], key: Key, repo: Repo) -> bool:
    """What the run looked at beyond the key is unchanged."""
    try:
        stored = header["probes"]
        root = str(repo.root)
        for path, status in stored.items():
            external = os.path.isabs(path)  # named on the command line: trusted
            if _status(root, str(repo.abspath(path)), external) != status:
                return False
        for path, digest in header["racy"].items():
            if _digest(path) != digest:
                return False
        for path, digest in header["packs"].items():
            if _digest(path) != digest:
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


def variant(fmt: str, color: bool, width: int | None, view: str,
            phases: Iterable[int]) -> str | None:
    """The name of a stored report, or ``None`` for a format with side effects (the
    ``github`` format appends to the step summary file)."""
    if fmt == "github":
        return None
    text = json.dumps([fmt, color, width, view, sorted(phases)])
    return f"{fmt}-{hashlib.sha256(text.encode()).hexdigest()[:16]}"
