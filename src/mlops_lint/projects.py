"""The Python projects of a repository (a monorepo has several): which folders hold one
and which files each owns."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint.globs import is_test_data
from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo


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


def discover_projects(repo: Repo) -> tuple[Project, ...]:
    """The Python projects of the repository: each folder with a ``pyproject.toml`` or
    ``setup.cfg`` beside a ``src/`` or ``tests/`` folder (test data excepted); one
    project, the root, when there is none or only the root. Each file belongs to the
    deepest project folder above it."""
    candidates: set[str] = set()
    for f in repo.files:
        name = PurePosixPath(f).name
        if name in ("pyproject.toml", "setup.cfg") and not is_test_data(f):
            directory = str(PurePosixPath(f).parent)
            base = "" if directory == "." else directory + "/"
            if repo.has_dir(base + "src") or repo.has_dir(base + "tests"):
                candidates.add(directory)
    if not candidates or (len(candidates) == 1 and "." in candidates):
        return (Project(".", _project_name(repo, "."), repo.files),)
    # each file belongs to the deepest project folder above it
    owned: dict[str, list[str]] = {c: [] for c in candidates}
    for f in repo.files:
        directory = f
        while True:
            cut = directory.rfind("/")
            directory = directory[:cut] if cut > 0 else "."
            if directory in owned:
                owned[directory].append(f)
                break
            if directory == ".":
                break
    return tuple(Project(directory, _project_name(repo, directory), tuple(owned[directory]))
                 for directory in sorted(candidates))


def _project_name(repo: Repo, directory: str) -> str:
    """``[project].name`` (or Poetry's) of the folder's ``pyproject.toml``, else the
    folder's name."""
    from mlops_lint.parsers.toml_file import dig

    pyproject = "pyproject.toml" if directory == "." else f"{directory}/pyproject.toml"
    if repo.exists(pyproject):
        document = repo.toml(pyproject)
        if not isinstance(document, ParseError):
            name = dig(document, "project", "name") or dig(document, "tool", "poetry", "name")
            if isinstance(name, str) and name:
                return name
    return repo.root.name if directory == "." else PurePosixPath(directory).name
