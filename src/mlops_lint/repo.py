"""The target repository: file inventory, safe reads, cached parses and projects.

Read-only by construction: files are opened for reading only, the only subprocess is
``git`` with fixed argument lists (:meth:`Repo.git`), and nothing is imported or run.
"""

from __future__ import annotations

import ast
import bisect
import functools
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, TypeVar

from mlops_lint.git_command import run_git
from mlops_lint.globs import filter_paths, literal_folder, matches
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.projects import Project, discover_projects
from mlops_lint.safe_read import decode, read_capped, read_inside
from mlops_lint.sanitize import clean
from mlops_lint.walk import is_vendored, walk_files

if TYPE_CHECKING:
    from mlops_lint.prefetch import ParseWorker

X = TypeVar("X")



@dataclass(frozen=True)
class GitInfo:
    toplevel: Path
    shallow: bool
    tracked: frozenset[str]


MAX_IGNORED_POINTERS = 1000
SCAFFOLD_DIRS = frozenset({"templates", "template"})


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
        # (project, globs, case-sensitive) -> the project's files they match (Context.files)
        self.project_globbed: dict[tuple[str, tuple[str, ...], bool], list[str]] = {}
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
            if not is_vendored(PurePosixPath(f).parts[:-1])
            and not (self.exclude and matches(f, self.exclude))
        ))
        self._file_set = frozenset(self.files)
        self.projects = discover_projects(self)

    # -- inventory -------------------------------------------------------------------

    def git(self, *args: str, stdin: str | None = None, errors: str = "replace") -> str | None:
        """Run ``git -C <root> <args>`` (see :func:`run_git`); stdout, or ``None`` when git
        fails or is absent (its error is kept in :attr:`git_error`)."""
        out, self.git_stderr, error = run_git(self.root, args, stdin, errors)
        if out is None:
            self.git_error = error
        return out

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
        found, unreadable = walk_files(self.root)
        self.unreadable.extend(unreadable)
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
                 and not is_vendored(PurePosixPath(p).parts)]
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
            folder = literal_folder(key[0]) if case_sensitive else ""
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


def _displayable(name: str) -> str:
    """``name`` as valid Unicode: undecodable bytes (kept as surrogates) become U+FFFD."""
    if name.isascii():
        return name
    try:
        name.encode("utf-8")
    except UnicodeEncodeError:
        return os.fsencode(name).decode("utf-8", errors="replace")
    return name


def parse_python(text: str) -> ast.Module:
    return ast.parse(text)
