"""Facts about a Python project's packaging that rules of several families read: the
sub-folder packages with a ``pyproject.toml`` of their own (ENV001 and ENV002 look for
dependencies and lockfiles there, PY004 for a mypy configuration, when the project root
has none), and the interpreter the project declares in ``pyproject.toml`` (ENV003
compares the pinned versions with it; the PY rules tell a file written for a newer
Python than the parser's from a broken one); and the folders holding the project's
code, which a fix points ``mypy`` or ``bandit -r`` at (PY004, SEC004, CI008): ``src``, or
the package folders of a project without one."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.mypy_config import toml_table_line
from mlops_lint.parsers.python_source import is_test_path
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.templates import templated_path

# folders whose dependency files are not a service's own (docs, examples, CI helpers)
NOT_SERVICE_DIRS = frozenset({"docs", "doc", "examples", "example", ".github", ".gitlab",
                              ".circleci", "site-packages", "node_modules", "benchmarks"})


def line_in(text: str | ParseError, needle: str, start: int = 1) -> int | None:
    """The first line at or after ``start`` that contains ``needle`` (``None`` when the
    text could not be read or has no such line)."""
    if isinstance(text, ParseError):
        return None
    for number, line in enumerate(text.splitlines(), start=1):
        if number >= start and needle in line:
            return number
    return None


# folders whose Python files are not the code a checker is pointed at
_NOT_CODE_DIRS = NOT_SERVICE_DIRS | {"tests", "test", "testing", "scripts", "notebooks",
                                    "tools", "fixtures", "site", "build", "dist", "venv"}
# root files that configure or drive the project rather than being its code
_DRIVER_SCRIPTS = frozenset({"setup.py", "noxfile.py", "conftest.py", "tasks.py",
                             "fabfile.py", "manage.py"})
MAX_CODE_TARGETS = 4


def code_dirs(files: Iterable[str], base: str = ".") -> list[str]:
    """Where the Python code of a project (or of the repository, ``base`` ".") lives, as
    repository paths to point a checker at (``mypy``, ``bandit -r``): ``src`` when there is
    one; else the top-level folders holding non-test code, most files first, and the root
    modules (``app.py``), at most :data:`MAX_CODE_TARGETS`; ``[base]`` when there are more
    or none. Tests, docs, examples, scripts, notebooks, hidden and template folders
    (``{{ cookiecutter.x }}``) are not code to check."""
    prefix = "" if base == "." else base + "/"
    counts: dict[str, int] = {}
    modules: list[str] = []
    for path in files:
        if not path.endswith(".py") or not path.startswith(prefix):
            continue
        local = path[len(prefix):]
        parts = local.split("/")
        if is_test_path(local) or templated_path(local) or any(
                p.startswith(".") or p.lower() in _NOT_CODE_DIRS for p in parts[:-1]):
            continue
        if len(parts) == 1:
            if parts[0] not in _DRIVER_SCRIPTS:
                modules.append(prefix + parts[0])
            continue
        if parts[0] == "src":
            return [prefix + "src"]
        counts[prefix + parts[0]] = counts.get(prefix + parts[0], 0) + 1
    found = sorted(counts, key=lambda d: (-counts[d], d)) + sorted(modules)
    if not found or len(found) > MAX_CODE_TARGETS:
        return [base]
    return found


def package_dirs(ctx: Context) -> list[str]:
    """Folders below the project root with a ``pyproject.toml`` of their own that are not
    projects of their own (no src/ or tests/ beside it), outside tests, docs, examples and
    hidden folders: a client, a deployment check, a tool shipped with the project. Their
    lockfile and tool configuration are the project's, nearest the root first."""
    found: set[str] = set()
    for path in ctx.project.files:
        local = ctx.project.local(path)
        parts = PurePosixPath(local).parts
        if len(parts) < 2 or parts[-1] != "pyproject.toml" or is_test_data(local) or any(
                p.lower() in NOT_SERVICE_DIRS or p.startswith(".") for p in parts[:-1]):
            continue
        found.add(str(PurePosixPath(path).parent))
    return sorted(found, key=lambda d: (d.count("/"), d))


@dataclass(frozen=True)
class Declared:
    """The interpreter a project declares: a specifier, where, and how it is named."""

    spec: str
    path: str
    line: int | None
    label: str  # "requires-python", "Pipfile [requires] python_version", ...


def requires_python(ctx: Context) -> Declared | None:
    """The project's ``requires-python`` (or Poetry's ``python`` constraint), ``None``
    without a readable ``pyproject.toml`` that declares one."""
    path = ctx.path("pyproject.toml")
    if not ctx.repo.exists(path):
        return None
    doc = ctx.repo.toml(path)
    if isinstance(doc, ParseError):
        return None
    text = ctx.repo.text(path)
    spec = dig(doc, "project", "requires-python")
    if isinstance(spec, str):
        return Declared(spec, path, line_in(text, "requires-python"), "requires-python")
    poetry = dig(doc, "tool", "poetry", "dependencies", "python")
    if isinstance(poetry, str):
        start = toml_table_line(text, "tool.poetry.dependencies") if isinstance(
            text, str) else None
        return Declared(poetry, path, line_in(text, "python", start or 1),
                        "requires-python")
    return None


PYTHON_TRACES = ("**/*.py", "**/*.ipynb", "**/pyproject.toml", "**/setup.py", "**/setup.cfg")
NO_PYTHON = T("not applicable: no Python code, notebook or packaging file in the project",
              "no aplica: no hay código Python, notebooks ni archivo de empaquetado en el "
              "proyecto")


def without_python(ctx: Context) -> bool:
    """Whether the project has no Python at all (a Terraform module, a Go or Node service):
    the rules about a Python test suite or Python SAST have no subject there."""
    return not ctx.files(list(PYTHON_TRACES))
