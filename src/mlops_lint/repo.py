"""The target repository: file inventory, safe reads, cached parses and projects.

Read-only by construction: files are opened for reading only, the only subprocess is
``git`` with fixed argument lists (:meth:`Repo.git`), and nothing is imported or run.
"""

from __future__ import annotations

import ast
import bisect
import errno
import functools
import os
import re
import stat
import subprocess
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from mlops_lint.globs import filter_paths, is_test_data, matches
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.sanitize import clean

if TYPE_CHECKING:
    from pathspec import GitIgnoreSpec

    from mlops_lint.prefetch import ParseWorker

X = TypeVar("X")

MAX_READ_BYTES = 5 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192
VENDORED_DIRS = frozenset({
    ".git", "node_modules", ".venv", "venv", ".tox", ".nox", "site-packages",
    "__pycache__", ".mypy_cache", ".pytest_cache", ".ruff_cache", ".eggs",
    ".ipynb_checkpoints", ".terraform", "bower_components", ".hg", ".svn",
})
GIT_TIMEOUT_S = 60
# variables that would make git read another repository, work tree or index than the
# one asked for (a pre-commit hook runs with GIT_INDEX_FILE set, for instance)
GIT_LOCATION_ENV = frozenset({
    "GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES", "GIT_COMMON_DIR", "GIT_NAMESPACE", "GIT_PREFIX",
    "GIT_SHALLOW_FILE", "GIT_GRAFT_FILE", "GIT_REPLACE_REF_BASE", "GIT_NO_REPLACE_OBJECTS",
})


@dataclass(frozen=True)
class Project:
    """A Python project inside the repository (the root itself in a single-project repo)."""

    path: str  # "." or a relative POSIX directory
    name: str
    files: tuple[str, ...] = field(repr=False, default=())

    def rel(self, path: str) -> str:
        """Repository path of ``path`` given relative to the project."""
        return path if self.path == "." else f"{self.path}/{path}"

    def local(self, path: str) -> str:
        """``path`` relative to the project directory."""
        return path if self.path == "." else path[len(self.path) + 1:]


@dataclass(frozen=True)
class GitInfo:
    toplevel: Path
    shallow: bool
    tracked: frozenset[str]


MAX_IGNORED_POINTERS = 1000
SCAFFOLD_DIRS = frozenset({"templates", "template"})


_is_test_data = is_test_data


def _is_vendored(parts: Iterable[str]) -> bool:
    return any(p in VENDORED_DIRS or p.endswith(".egg-info") for p in parts)


class Repo:
    """Everything checks may learn about the target repository."""

    def __init__(self, root: Path, exclude: Iterable[str] = (),
                 walked: Repo | None = None, walk_only: bool = False) -> None:
        """Walk ``root`` (or take the walk of ``walked``, a ``walk_only`` repository of
        the same root) and discover its projects; ``walk_only`` stops after the walk
        (what the results cache keys a run by)."""
        self.root = root.resolve()
        self.exclude = tuple(exclude)
        # absolute paths named on the command line: the only files read outside the root
        self.external: set[Path] = set()
        self._texts: dict[str, str | ParseError] = {}
        self._parsed: dict[tuple[str, str], Any] = {}
        self.memo: dict[str, Any] = {}  # whole-repo analyses shared by checks
        self._globbed: dict[tuple[tuple[str, ...], bool], list[str]] = {}
        self.worker: ParseWorker | None = None  # parses ahead in a second process (prefetch)
        self.notes: list[T] = []  # what could not be read, for the report
        self.unreadable: list[str] = []  # directories that could not be listed
        self.git_error: str | None = None  # git's message when it last failed
        self.git_stderr = ""
        self.git_problem: str | None = None  # why git could not read a repository
        self._file_set: frozenset[str] = frozenset()
        # paths looked up that the listing does not hold (a git-ignored report on disk,
        # a file named on the command line): what the results cache checks again
        self.probed: set[str] = set()
        self.asked_ignored_dvc: tuple[str, ...] | None = None  # git's answer, when asked
        self.listed: tuple[str, ...] = ()  # as listed by git or the walk, vendored ones too
        # names that are not valid UTF-8 are shown with U+FFFD and read by their real name
        self._real: dict[str, str] = {}
        self.git_info: GitInfo | None = None
        if walked is not None and walked.root == self.root:
            self.git_info, self.listed = walked.git_info, walked.listed
            self.notes, self.unreadable = list(walked.notes), list(walked.unreadable)
            self.git_error, self.git_stderr = walked.git_error, walked.git_stderr
            self.git_problem = walked.git_problem
        else:
            self.git_info = self._probe_git()
            all_files = self._git_files() if self.git_info else self._walk_files()
            self.listed = tuple(all_files)
            if self.unreadable:
                shown = "; ".join(self.unreadable[:5]) + (
                    f" (+{len(self.unreadable) - 5})" if len(self.unreadable) > 5 else "")
                self._note(f"directories that could not be read were left out: {shown}",
                           f"se omitieron directorios que no se pudieron leer: {shown}")
        self.files: tuple[str, ...] = ()
        self.projects: tuple[Project, ...] = ()
        if walk_only:
            return
        for name in self.listed:
            shown = _displayable(name)
            if shown != name:
                self._real[shown] = name
        self.files = tuple(sorted(
            f for f in (_displayable(name) for name in self.listed)
            if not _is_vendored(PurePosixPath(f).parts[:-1])
            and not (self.exclude and matches(f, self.exclude))
        ))
        self._file_set = frozenset(self.files)
        self.projects = self._discover_projects()

    # -- inventory -------------------------------------------------------------------

    def git(self, *args: str, stdin: str | None = None, errors: str = "replace") -> str | None:
        """Run ``git -C <root> <args>``; stdout, or ``None`` when git fails or is absent
        (its error is kept in :attr:`git_error`).

        Output is read as bytes and decoded here: text mode would turn a ``\\r`` in a
        file name into a newline. Variables that point git at another repository or
        index (set by a calling hook, or inherited) are removed."""
        env = {key: value for key, value in os.environ.items() if key not in GIT_LOCATION_ENV}
        env.update({"GIT_OPTIONAL_LOCKS": "0", "LC_ALL": "C"})
        try:
            done = subprocess.run(
                # core.fsmonitor names a command that git would run from the target's own
                # .git/config (e.g. during ls-files): never execute target-controlled code
                # log output in UTF-8 whatever i18n.logOutputEncoding the repository sets
                ["git", "-C", str(self.root), "-c", "core.fsmonitor=false",
                 "-c", "i18n.logOutputEncoding=UTF-8", *args],
                input=stdin.encode("utf-8") if stdin is not None else None,
                capture_output=True, timeout=GIT_TIMEOUT_S, check=False, env=env,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            self.git_error = f"git could not run: {type(exc).__name__}"
            return None
        self.git_stderr = done.stderr.decode("utf-8", "replace")
        if done.returncode != 0:
            lines = [line.strip() for line in self.git_stderr.splitlines() if line.strip()]
            self.git_error = next((line for line in lines if line.startswith("fatal:")),
                                  lines[0] if lines else f"git exited {done.returncode}")
            return None
        return done.stdout.decode("utf-8", errors)

    def _note(self, en: str, es: str) -> None:
        self.notes.append(T(en, es))

    def _probe_git(self) -> GitInfo | None:
        out = self.git("rev-parse", "--is-inside-work-tree", "--show-toplevel",
                       "--is-shallow-repository")
        if out is None:
            error = self.git_error or ""
            if "not a git repository" not in error:
                # dubious ownership, an unreadable .git, git missing: say so, and do not
                # pretend the directory is not a repository
                self.git_problem = clean(error, newlines=False)
                self._note(f"git could not read the repository: {self.git_problem}",
                           f"git no pudo leer el repositorio: {self.git_problem}")
            return None
        lines = out.split("\n")
        if len(lines) < 3 or lines[0] != "true":
            return None
        return GitInfo(Path(lines[1]), lines[2] == "true", frozenset())

    def _git_files(self) -> list[str]:
        out = self.git("ls-files", "-z", "-t", "-c", "-o", "-d", "--exclude-standard",
                       errors="surrogateescape")
        if out is None or self.git_info is None:
            self.git_problem = clean(self.git_error or "git ls-files failed", newlines=False)
            self._note(f"git could not list the files ({self.git_problem}); the directory "
                       "was walked instead",
                       f"git no pudo listar los archivos ({self.git_problem}); se recorrió "
                       "el directorio")
            self.git_info = None
            return self._walk_files()
        for line in self.git_stderr.splitlines():  # e.g. "could not open directory 'x/'"
            if "could not open" in line or "Permission denied" in line:
                self.unreadable.append(clean(line.strip(), newlines=False))
        tracked: set[str] = set()
        others: set[str] = set()
        deleted: set[str] = set()
        for entry in out.split("\0"):
            if len(entry) < 3:
                continue
            tag, path = entry[0], entry[2:]
            if tag == "?":
                others.add(path)
            elif tag == "R":
                deleted.add(path)
            else:
                tracked.add(path)
        tracked -= deleted
        self.git_info = GitInfo(self.git_info.toplevel, self.git_info.shallow,
                                frozenset(tracked))
        return sorted(tracked | others)

    def _walk_files(self) -> list[str]:
        """Every file under the root, without git: iterative (a directory nested
        thousands of levels deep must not exhaust the stack), vendored and ignored
        directories skipped, symlinked directories not followed, unreadable
        directories recorded in :attr:`unreadable`."""
        found: list[str] = []
        specs: list[tuple[str, GitIgnoreSpec]] = []

        def ignored(rel: str, is_dir: bool) -> bool:
            for base, spec in specs:
                if base and not rel.startswith(base + "/"):
                    continue
                sub = rel[len(base) + 1:] if base else rel
                if spec.match_file(sub + "/" if is_dir else sub):
                    return True
            return False

        stack = [""]
        while stack:
            rel_dir = stack.pop()
            directory = self.root / rel_dir if rel_dir else self.root
            try:
                with os.scandir(directory) as listing:
                    entries = sorted(listing, key=lambda entry: entry.name)
            except OSError as exc:
                self.unreadable.append(f"{rel_dir or '.'}: {exc.strerror or type(exc).__name__}")
                continue
            if any(entry.name == ".gitignore" for entry in entries):
                from mlops_lint.parsers.gitignore import gitignore_spec

                data = read_inside(self.root, directory / ".gitignore", ".gitignore")
                if not isinstance(data, ParseError):
                    lines = data.decode("utf-8", errors="replace").splitlines()
                    specs.append((rel_dir, gitignore_spec(lines)))
            subdirs = []
            for entry in entries:
                rel = f"{rel_dir}/{entry.name}" if rel_dir else entry.name
                try:
                    is_dir = entry.is_dir()
                    is_link = entry.is_symlink()
                except OSError:
                    is_dir = is_link = False
                if is_dir:
                    if is_link or entry.name in VENDORED_DIRS \
                            or entry.name.endswith(".egg-info") or ignored(rel, True):
                        continue
                    subdirs.append(rel)
                elif not ignored(rel, False):
                    found.append(rel)
            stack.extend(reversed(subdirs))
        return found

    @functools.cached_property
    def ignored_dvc_pointers(self) -> tuple[str, ...]:
        """DVC pointers (``*.dvc``) present in the working tree but ignored by git (under a
        folder ignored wholesale, such as ``data/``): they can never be committed. Asked
        of git only when a rule needs it (git then walks the ignored folders)."""
        if self.git_info is None:
            return ()
        out = self.git("ls-files", "-z", "-o", "-i", "--exclude-standard", "--",
                       ":(glob)**/*.dvc", errors="surrogateescape")
        if out is None:
            self.asked_ignored_dvc = ()
            return ()
        found = [p for p in out.split("\0") if p.endswith(".dvc") and not p.startswith(".dvc/")
                 and not _is_vendored(PurePosixPath(p).parts)]
        self.asked_ignored_dvc = tuple(sorted(found)[:MAX_IGNORED_POINTERS])
        return self.asked_ignored_dvc

    @property
    def is_git(self) -> bool:
        return self.git_info is not None

    def is_tracked(self, path: str) -> bool:
        return self.git_info is not None and self._real.get(path, path) in self.git_info.tracked

    def exists(self, path: str) -> bool:
        return path in self._file_set

    def has_dir(self, path: str) -> bool:
        prefix = path.rstrip("/") + "/"
        index = bisect.bisect_left(self.files, prefix)  # the files are sorted
        return index < len(self.files) and self.files[index].startswith(prefix)

    def files_under(self, prefix: str) -> tuple[str, ...]:
        """The files whose path starts with ``prefix`` (all of them for ``""``), in
        order: a slice of the sorted listing, found by bisection."""
        if not prefix:
            return self.files
        start = bisect.bisect_left(self.files, prefix)
        end = start
        while end < len(self.files) and self.files[end].startswith(prefix):
            end += 1
        return self.files[start:end]

    def glob(self, globs: Iterable[str], case_sensitive: bool = True) -> list[str]:
        """Repository files matching a glob (the answer is kept: checks ask the same globs
        many times, once per project). Only the files under the folder every glob names
        literally are matched (``svc/**/*.py`` reads ``svc/``'s files alone)."""
        key = (tuple(globs), case_sensitive)
        found = self._globbed.get(key)
        if found is None:
            folder = _literal_folder(key[0]) if case_sensitive else ""
            if folder:
                # a literal folder matches itself: the paths below it are matched against
                # the globs' rest, which folders share (``a/**/*.py`` and ``b/**/*.py``
                # compile ``**/*.py`` once instead of once per folder)
                cut = len(folder)
                below = {path[cut:]: path for path in self.files_under(folder)}
                rest = [glob.lstrip("/")[cut:] for glob in key[0]]
                found = [below[path] for path in filter_paths(below, rest)]
            else:
                found = filter_paths(self.files, key[0], case_sensitive)
            self._globbed[key] = found
        return list(found)

    # -- reading ---------------------------------------------------------------------

    def abspath(self, path: str) -> Path:
        if path not in self._file_set:
            self.probed.add(path)
        return self.root / self._real.get(path, path)

    def size(self, path: str) -> int:
        """The file's size in bytes (0 when it cannot be stat'ed); a link is not followed."""
        try:
            return self.abspath(path).lstat().st_size
        except OSError:
            return 0

    def plain_text(self, path: str) -> str:
        """The file's text, or "" when it cannot be read."""
        text = self.text(path)
        return "" if isinstance(text, ParseError) else text

    def text(self, path: str) -> str | ParseError:
        """The file's text, or a :class:`ParseError` saying why it cannot be read."""
        cached = self._texts.get(path)
        if cached is None:
            cached = self._read(path)
            self._texts[path] = cached
        return cached

    def _read(self, path: str) -> str | ParseError:
        full = self.abspath(path)
        data = read_capped(full, path) if self.is_external(path) else read_inside(
            self.root, full, path)
        return data if isinstance(data, ParseError) else decode(path, data)

    def is_external(self, path: str) -> bool:
        """``path`` is a file named on the command line, outside the repository."""
        return bool(self.external) and Path(path) in self.external

    def trust(self, path: Path) -> str:
        """Allow reading ``path``, a file named on the command line (``--coverage-report``
        or a ``--config`` file's entry), wherever it is; the name to read it by."""
        resolved = path.resolve()
        self.external.add(resolved)
        return str(resolved)

    def parse(self, path: str, parser: Callable[[str], X]) -> X | ParseError:
        """``parser(text)``, cached per (path, parser); errors become :class:`ParseError`.

        Parsers of untrusted input may raise anything; the exception's ``line`` or
        ``lineno`` attribute, if any, locates the problem.
        """
        key = (path, f"{parser.__module__}.{parser.__qualname__}")
        if self.worker is not None and key in self.worker.pending:
            self.worker.fill(self._parsed, key)  # the worker's result, same value
        if key in self._parsed:
            cached: X | ParseError = self._parsed[key]
            return cached
        text = self.text(path)
        result: X | ParseError
        if isinstance(text, ParseError):
            result = text
        else:
            try:
                result = parser(text)
            except Exception as exc:  # untrusted input: any parser error is a finding
                line = getattr(exc, "line", None) or getattr(exc, "lineno", None)
                message = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
                if self.is_external(path):  # never echo what was read outside the root
                    message = f"{type(exc).__name__} (details of a file outside the " \
                              "repository are not shown)"
                result = ParseError(path, message or type(exc).__name__,
                                    line if isinstance(line, int) else None)
        self._parsed[key] = result
        return result

    def parsed_keys(self) -> frozenset[tuple[str, str]]:
        """The (path, parser) keys already in the parse cache."""
        return frozenset(self._parsed)

    def toml(self, path: str) -> dict[str, Any] | ParseError:
        from mlops_lint.parsers.toml_file import load_toml

        return self.parse(path, load_toml)

    def yaml(self, path: str) -> Any:
        from mlops_lint.parsers.yaml_file import load_yaml

        return self.parse(path, load_yaml)

    def yaml_all(self, path: str) -> list[Any] | ParseError:
        from mlops_lint.parsers.yaml_file import load_yaml_all

        return self.parse(path, load_yaml_all)

    def python(self, path: str) -> ast.Module | ParseError:
        return self.parse(path, parse_python)

    # -- projects --------------------------------------------------------------------

    def _discover_projects(self) -> tuple[Project, ...]:
        candidates: set[str] = set()
        for f in self.files:
            name = PurePosixPath(f).name
            if name in ("pyproject.toml", "setup.cfg") and not _is_test_data(f):
                directory = str(PurePosixPath(f).parent)
                base = "" if directory == "." else directory + "/"
                if self.has_dir(base + "src") or self.has_dir(base + "tests"):
                    candidates.add(directory)
        if not candidates or (len(candidates) == 1 and "." in candidates):
            return (Project(".", self._project_name("."), self.files),)
        # each file belongs to the deepest project folder above it
        owned: dict[str, list[str]] = {c: [] for c in candidates}
        for f in self.files:
            directory = f
            while True:
                cut = directory.rfind("/")
                directory = directory[:cut] if cut > 0 else "."
                if directory in owned:
                    owned[directory].append(f)
                    break
                if directory == ".":
                    break
        return tuple(Project(directory, self._project_name(directory), tuple(owned[directory]))
                     for directory in sorted(candidates))

    @property
    def scaffold_roots(self) -> tuple[str, ...]:
        """The scaffold folders of a template repository: the ``templates/`` (or
        ``template/``, ``{{cookiecutter…}}``) folder a project lives in. What the scaffold
        ships around the project (its ``docs/``, its cards) belongs to the generated
        project, so it is the project's own."""
        roots = set()
        for project in self.projects:
            parts = PurePosixPath(project.path).parts
            for i, part in enumerate(parts):
                if part.lower() in SCAFFOLD_DIRS or part.startswith("{{"):
                    roots.add("/".join(parts[:i + 1]))
                    break
        return tuple(sorted(roots))

    def _project_name(self, directory: str) -> str:
        from mlops_lint.parsers.toml_file import dig

        pyproject = "pyproject.toml" if directory == "." else f"{directory}/pyproject.toml"
        if self.exists(pyproject):
            document = self.toml(pyproject)
            if not isinstance(document, ParseError):
                name = dig(document, "project", "name") or dig(document, "tool", "poetry", "name")
                if isinstance(name, str) and name:
                    return name
        return self.root.name if directory == "." else PurePosixPath(directory).name


_GLOB_SPECIAL = re.compile(r"[*?\[{\\]")


def _literal_folder(globs: Iterable[str]) -> str:
    """The folder (``a/b/``, or ``""``) every glob of ``globs`` starts with literally,
    before any wildcard, class or brace: no path outside it can match them."""
    common: str | None = None
    for glob in globs:
        glob = glob.lstrip("/")
        special = _GLOB_SPECIAL.search(glob)
        literal = glob[:special.start()] if special else glob
        folder = literal[:literal.rfind("/") + 1]
        if common is None:
            common = folder
        else:
            while not folder.startswith(common):
                common = common[:common.rfind("/", 0, len(common) - 1) + 1]
    return common or ""


def read_capped(full: Path, shown: str) -> bytes | ParseError:
    """The bytes of the regular file ``full`` (at most :data:`MAX_READ_BYTES`), or why
    it cannot be read. ``shown`` names it in the message."""
    try:
        info = full.stat()
        if not stat.S_ISREG(info.st_mode):
            return ParseError(shown, "not a regular file (directory, FIFO, socket or "
                                     "device); not read")
        if info.st_size > MAX_READ_BYTES:
            return ParseError(
                shown, f"file too large to read ({info.st_size // (1024 * 1024)} MiB > "
                       f"{MAX_READ_BYTES // (1024 * 1024)} MiB)")
        with open(full, "rb") as handle:
            data = handle.read(MAX_READ_BYTES + 1)
    except OSError as exc:
        return ParseError(shown, f"cannot read: {exc.strerror or type(exc).__name__}")
    if len(data) > MAX_READ_BYTES:  # grew while read
        return ParseError(shown, "file too large to read")
    return data


def resolve_inside(root: Path, full: Path, shown: str) -> Path | ParseError:
    """``full`` with every symlink of its whole path resolved, when that stays inside
    ``root`` (itself resolved); else why it is refused."""
    try:
        target = full.resolve(strict=True)
    except RuntimeError:  # Python < 3.13: a symlink loop
        return ParseError(shown, "symlink loop; not read")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ParseError(shown, "symlink loop; not read")
        return ParseError(shown, f"cannot read: {exc.strerror or type(exc).__name__}")
    if not target.is_relative_to(root):
        return ParseError(shown, "resolves outside the repository (through a symlink); "
                                 "not read")
    return target


def read_inside(root: Path, full: Path, shown: str) -> bytes | ParseError:
    """What every read of a repository file goes through: the whole path must resolve
    inside ``root`` and the file must be regular and within the size cap."""
    target = resolve_inside(root, full, shown)
    return target if isinstance(target, ParseError) else read_capped(target, shown)


def _displayable(name: str) -> str:
    """``name`` as valid Unicode: undecodable bytes (kept as surrogates) become U+FFFD."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="replace")
    return name


def decode(path: str, data: bytes) -> str | ParseError:
    """Decode file bytes: BOMs honoured, binary refused, bad UTF-8 bytes replaced."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return ParseError(path, "binary file; not read as text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")


def parse_python(text: str) -> ast.Module:
    return ast.parse(text)
