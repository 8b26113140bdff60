"""The key of a ``check`` run for the results cache: the tool, the options, the
configuration and every listed file's stat (and content, for files modified too recently
to trust their mtime), with the state of the git repository.

In full, everything a run's results depend on:

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

A file is read only through :func:`_read_regular` (no symlink followed unless asked, no
device, FIFO or socket, a size bound): hashing the target never blocks nor reads out of it.
"""

from __future__ import annotations

import hashlib
import json
import os
import stat
import sys
import time
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mlops_lint import __version__

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

SCHEMA = 1
RACY_NS = 3_000_000_000  # files modified this recently are also compared by content
MAX_HASHED_BYTES = 64 * 1024 * 1024  # a larger racy file makes the run uncacheable
MAX_REFS = 100_000
RESULT_ENV = ("MLOPS_LINT_HCL_READER",)  # variables the results may depend on

StatTuple = tuple[int, int, int, int, int] | None


def file_stat(path: str, follow: bool = True) -> StatTuple:
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


def file_digest(path: str, follow: bool = True) -> str | None:
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


def file_status(root: str, full: str, trusted: bool = False) -> list[Any] | None:
    """A file's status for the key: its :func:`file_stat` (as a list), ``None`` when it
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
    info = file_stat(full)
    return None if info is None else list(info)


def readable(status: list[Any] | None) -> bool:
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
                    rows.append([os.path.relpath(full, top), file_stat(full)])
    here = os.getcwd()
    for entry in sys.path:  # installed libraries (a new or upgraded one changes these)
        if entry and os.path.abspath(entry) != here:
            info = file_stat(entry)
            rows.append([entry, info[1] if info else None])
    return rows


CONFIG_NAMES = ("pyproject.toml", ".mlops-lint.yaml", ".mlops-lint.yml")


def _source(root: Path, path: Path, trusted: bool) -> list[Any]:
    """A configuration source as its status and content hash."""
    status = file_status(str(root), str(path), trusted)
    return [status, file_digest(str(path)) if readable(status) else None]


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
        """A file's :func:`file_stat`; one modified in the last seconds is also hashed."""
        info = file_stat(path, follow)
        if self.recent(info):
            self.hash(path, follow)
        return info

    def entry(self, root: str, full: str) -> list[Any] | None:
        """A listed file's :func:`file_status`; one modified in the last seconds (and not
        behind a link leading outside) is also hashed."""
        status = file_status(root, full)
        if self.recent(status):
            self.hash(full, True)
        return status

    def hash(self, path: str, follow: bool) -> None:
        digest = file_digest(path, follow)
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
                             file_stat(full, False)])
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
