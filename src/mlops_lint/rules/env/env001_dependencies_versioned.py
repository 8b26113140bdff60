"""ENV001: runtime dependencies declared, every entry with a version specifier.

A declaration is ``[project].dependencies`` (and the requirement files
``[tool.setuptools.dynamic]`` points at), ``[tool.poetry.dependencies]``, a
``requirements.txt``/``.in`` (with the files it includes; entries under a ``-c``
constraints file count as versioned) or a conda environment file, whatever its name
(recognised by its content). Without one at the project root, each service's folder,
then each sub-folder package's ``pyproject.toml``, is read. A folder holding an MLflow
``MLmodel`` file is a saved model: its environment files are not the project's.

A documentation repository (:mod:`mlops_lint.readers.project_kind`) with no declaration
at its root is not applicable: it has no Python project whose runtime could be declared
(the requirement files of its site or its notebooks, under ``docs/``, are named).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.mypy_config import toml_table_line
from mlops_lint.parsers.requirements import (
    parse_conda_dependency,
    parse_requirement,
    parse_requirements,
    poetry_versioned,
)
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.python_project import line_in, package_dirs
from mlops_lint.readers.templates import is_template, template_reason
from mlops_lint.rules import rule
from mlops_lint.rules.env._shared import (
    CONDA_NAME_GLOBS,
    SERVICE_REQUIREMENTS,
    glob_in,
    has_python,
    service_dirs,
)

MAX_LISTED = 5
NO_PYTHON = T("not applicable: no Python code (.py files or notebooks) and no Python "
              "dependency file in the project",
              "no aplica: no hay código Python (archivos .py o notebooks) ni archivo de "
              "dependencias Python en el proyecto")


def _listed(items: list[str]) -> str:
    head = ", ".join(items[:MAX_LISTED])
    return head + (f" (+{len(items) - MAX_LISTED})" if len(items) > MAX_LISTED else "")


@dataclass
class Source:
    """One declaration of runtime dependencies: its entries and the bare ones."""

    path: str
    label: str
    line: int | None
    entries: int
    bare: list[tuple[str, int | None]]  # (name, line)
    problem: T | None = None


def _requirements_source(ctx: Context, path: str, seen: set[str]) -> list[Source]:
    seen.add(path)
    parsed = ctx.repo.parse(path, parse_requirements)
    if isinstance(parsed, ParseError):
        return [Source(path, path, parsed.line, 0, [], T(
            f"cannot read: {parsed.message}", f"no se puede leer: {parsed.message}"))]
    constrained = bool(parsed.includes("constraint"))
    bare: list[tuple[str, int | None]] = [(r.requirement.name, r.line) for r in parsed.requirements
            if r.requirement is not None and not r.requirement.versioned and not constrained]
    sources = [Source(path, path, 1, len(parsed.requirements), bare)]
    base = str(PurePosixPath(path).parent)
    for include in parsed.includes():
        target = include if base == "." else f"{base}/{include}"
        target = str(PurePosixPath(target))
        if ctx.repo.exists(target) and target not in seen:
            sources += _requirements_source(ctx, target, seen)
    return sources


def _pyproject_sources(ctx: Context, path: str, doc: dict[str, Any]) -> tuple[list[Source],
                                                                             list[str]]:
    """Sources declared in pyproject.toml, and requirement files it points at."""
    sources: list[Source] = []
    files: list[str] = []
    text = ctx.repo.text(path)
    deps = dig(doc, "project", "dependencies")
    if isinstance(deps, list):
        start = (toml_table_line(text, "project") or 1) if isinstance(text, str) else 1
        bare = []
        for entry in deps:
            req = parse_requirement(str(entry))
            if req is not None and not req.versioned:
                bare.append((req.name, line_in(text, f'"{entry}"', start)
                             or line_in(text, f"'{entry}'", start)))
        sources.append(Source(path, f"{path} [project].dependencies",
                              line_in(text, "dependencies", start), len(deps), bare))
    dynamic = dig(doc, "tool", "setuptools", "dynamic", "dependencies", "file")
    if isinstance(dynamic, (str, list)):
        base = str(PurePosixPath(path).parent)
        for name in [dynamic] if isinstance(dynamic, str) else dynamic:
            files.append(str(name) if base == "." else f"{base}/{name}")
    poetry = dig(doc, "tool", "poetry", "dependencies")
    if isinstance(poetry, dict):
        start = (toml_table_line(text, "tool.poetry.dependencies") or 1) if isinstance(
            text, str) else 1
        bare = []
        for name, value in poetry.items():
            if str(name).lower() == "python":
                continue
            versioned, _ = poetry_versioned(value)
            if not versioned:
                bare.append((str(name), line_in(text, str(name), start)))
        sources.append(Source(path, f"{path} [tool.poetry.dependencies]", start,
                              len([n for n in poetry if str(n).lower() != "python"]), bare))
    return sources, files


def _conda_source(ctx: Context, path: str) -> Source:
    data = ctx.repo.yaml(path)
    if isinstance(data, ParseError):
        return Source(path, path, data.line, 0, [], T(f"cannot read: {data.message}",
                                                      f"no se puede leer: {data.message}"))
    deps = data.get("dependencies") if isinstance(data, dict) else None
    text = ctx.repo.text(path)
    bare: list[tuple[str, int | None]] = []
    count = 0
    for entry in deps if isinstance(deps, list) else []:
        if isinstance(entry, dict):
            for item in entry.get("pip") or [] if isinstance(entry.get("pip"), list) else []:
                req = parse_requirement(str(item))
                count += 1
                if req is not None and not req.versioned:
                    bare.append((req.name, line_in(text, str(item))))
            continue
        name, versioned = parse_conda_dependency(str(entry))
        if name in ("python", "pip"):
            continue
        count += 1
        if not versioned:
            bare.append((name, line_in(text, str(entry))))
    return Source(path, path, 1, count, bare)


LOCK_NAMES = ("conda-lock", "-lock.", ".lock")


def is_conda_environment(data: Any) -> bool:
    """A conda environment file: a mapping whose ``dependencies`` is a list of package
    strings (``numpy=1.26``) or a ``{pip: [...]}`` entry."""
    if not isinstance(data, dict):
        return False
    deps = data.get("dependencies")
    return isinstance(deps, list) and bool(deps) and all(
        isinstance(d, str) or (isinstance(d, dict) and "pip" in d) for d in deps)


def conda_files(ctx: Context, directory: str) -> list[str]:
    """Conda environment files directly in ``directory``, whatever their name."""
    prefix = "" if directory == "." else directory + "/"
    out = []
    for path in glob_in(ctx, prefix, CONDA_NAME_GLOBS):
        name = path[len(prefix):]
        if "/" in name or any(k in name.lower() for k in LOCK_NAMES):
            continue
        if name in ("environment.yml", "environment.yaml") or is_conda_environment(
                ctx.repo.yaml(path)):
            out.append(path)
    return out


def _root_sources(ctx: Context, directory: str, seen: set[str]) -> list[Source]:
    """The dependency declarations of one folder: requirements files and conda files."""
    prefix = "" if directory == "." else directory + "/"
    sources: list[Source] = []
    for name in SERVICE_REQUIREMENTS:
        if ctx.repo.exists(prefix + name) and prefix + name not in seen:
            sources += _requirements_source(ctx, prefix + name, seen)
    for path in conda_files(ctx, directory):
        if path not in seen:
            seen.add(path)
            sources.append(_conda_source(ctx, path))
    return sources


def _pyproject_at(ctx: Context, pyproject: str, seen: set[str]) -> list[Source]:
    """The declarations of one pyproject.toml and of the requirement files it points at."""
    sources: list[Source] = []
    pointed: list[str] = []
    if ctx.repo.exists(pyproject):
        doc = ctx.repo.toml(pyproject)
        if isinstance(doc, ParseError):
            sources.append(Source(pyproject, pyproject, doc.line, 0, [], T(
                f"cannot read: {doc.message}", f"no se puede leer: {doc.message}")))
        else:
            found, pointed = _pyproject_sources(ctx, pyproject, doc)
            sources += found
    for path in pointed:
        if ctx.repo.exists(path) and path not in seen:
            sources += _requirements_source(ctx, path, seen)
    return sources


def model_artifact(ctx: Context, directory: str) -> bool:
    """A folder holding an ``MLmodel`` file is a model saved by MLflow: its
    requirements.txt, conda.yaml and python_env.yaml describe the model's environment, not
    the project's dependencies."""
    prefix = "" if directory == "." else directory + "/"
    return ctx.repo.exists(prefix + "MLmodel")


def runtime_sources(ctx: Context) -> list[Source]:
    seen: set[str] = set()
    sources = _pyproject_at(ctx, ctx.path("pyproject.toml"), seen)
    if not model_artifact(ctx, ctx.project.path):
        sources += _root_sources(ctx, ctx.project.path, seen)
    if not sources:
        # no declaration at the root: each service declares its own
        for directory in service_dirs(ctx):
            if not model_artifact(ctx, directory):
                sources += _root_sources(ctx, directory, seen)
    if not sources:
        # nor per service: each sub-folder package's pyproject.toml
        for directory in package_dirs(ctx):
            sources += _pyproject_at(ctx, directory + "/pyproject.toml", seen)
    return sources


DOC_REQUIREMENTS = ("docs/**/requirements*.txt", "doc/**/requirements*.txt",
                    "docs/requirements*.txt", "doc/requirements*.txt")


def _documentation_reason(ctx: Context, documentation: T) -> T:
    """Why a documentation repository has no runtime dependencies to declare, naming the
    requirement files of its documentation."""
    files = sorted(set(ctx.repo.glob(DOC_REQUIREMENTS)))
    held = T(f" (its documentation's requirements: {_listed(files)})",
             f" (requisitos de su documentación: {_listed(files)})") if files else T("", "")
    return T("not applicable: ", "no aplica: ") + documentation + T(
        ", so there is no Python project whose runtime dependencies could be declared",
        ", así que no hay proyecto Python cuyas dependencias de ejecución declarar") + held


@rule("ENV001")
def dependencies_versioned(ctx: Context, params: None) -> Iterator[Finding]:
    """ENV001: runtime dependencies declared, every entry with a version specifier."""
    sources = runtime_sources(ctx)
    if not sources and not has_python(ctx):
        yield skipped(NO_PYTHON)
        return
    if not sources and (documentation := project_kind(ctx.repo).no_code()) is not None:
        yield skipped(_documentation_reason(ctx, documentation))
        return
    if not sources:
        yield failed(T("no runtime dependency declaration ([project].dependencies, Poetry, "
                       "requirements.txt/.in or a conda environment file), neither at the "
                       "project root nor per service",
                       "no hay declaración de dependencias ([project].dependencies, Poetry, "
                       "requirements.txt/.in o un archivo de entorno conda), ni en la raíz "
                       "del proyecto ni por servicio"))
        return
    populated = [s for s in sources if s.entries or s.problem]
    if not populated:
        first = sources[0]
        yield warned(T(f"{first.label} declares no runtime dependencies",
                       f"{first.label} no declara dependencias de ejecución"),
                     first.path, first.line)
        return
    for source in populated:
        if source.problem and is_template(ctx.repo, source.path):
            yield skipped(template_reason(source.path), source.path)
        elif source.problem:
            yield failed(T(f"{source.label}: ", f"{source.label}: ") + source.problem,
                         source.path, source.line)
        elif source.bare:
            names = [n for n, _ in source.bare]
            yield failed(T(f"{source.label}: {len(names)} of {source.entries} entries have no "
                           f"version specifier: {_listed(names)}",
                           f"{source.label}: {len(names)} de {source.entries} entradas sin "
                           f"especificador de versión: {_listed(names)}"),
                         source.path, source.bare[0][1] or source.line,
                         fix=T(f"give each a range, e.g. {names[0]}>=X.Y,<X+1 (or ==X.Y.Z in a "
                               "lockfile)", f"da a cada una un rango, p. ej. "
                               f"{names[0]}>=X.Y,<X+1 (o ==X.Y.Z en un lockfile)"))
        else:
            yield passed(T(f"{source.label}: all {source.entries} entries have a version "
                           "specifier", f"{source.label}: las {source.entries} entradas tienen "
                           "especificador de versión"), source.path, source.line)
