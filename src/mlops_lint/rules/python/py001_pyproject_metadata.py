"""PY001: pyproject.toml with build system, metadata and a dev set with pytest.

A dev set is a ``[project.optional-dependencies]`` extra, a ``[dependency-groups]``
group (PEP 735), a Poetry group (or the legacy ``dev-dependencies``), a PDM dev group, or
a dev requirements file (:data:`DEV_REQUIREMENT_FILES`). Packaging only in a legacy
``setup.py`` warns.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.requirements import normalize_name, parse_requirement, parse_requirements
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.templates import is_template, template_reason
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import read_pyproject

DEV_REQUIREMENT_FILES = ("requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt",
                         "requirements/dev.txt", "requirements-test.txt",
                         "requirements/test.txt")


def _names_of(entries: object) -> set[str]:
    out = set()
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, str):
                req = parse_requirement(entry)
                if req is not None:
                    out.add(req.name)
    elif isinstance(entries, dict):
        out.update(normalize_name(str(k)) for k in entries)
    return out


def dev_dependency_sets(ctx: Context, doc: dict[str, Any]) -> dict[str, set[str]]:
    """Named sets of development dependencies: ``dev``-like ones and test extras."""
    sets: dict[str, set[str]] = {}
    extras = dig(doc, "project", "optional-dependencies")
    if isinstance(extras, dict):
        for name, entries in extras.items():
            sets[f"[project.optional-dependencies].{name}"] = _names_of(entries)
    groups = dig(doc, "dependency-groups")
    if isinstance(groups, dict):
        for name, entries in groups.items():
            sets[f"[dependency-groups].{name}"] = _names_of(entries)
    poetry_groups = dig(doc, "tool", "poetry", "group")
    if isinstance(poetry_groups, dict):
        for name, body in poetry_groups.items():
            sets[f"[tool.poetry.group.{name}]"] = _names_of(dig(body, "dependencies"))
    legacy = dig(doc, "tool", "poetry", "dev-dependencies")
    if isinstance(legacy, dict):
        sets["[tool.poetry.dev-dependencies]"] = _names_of(legacy)
    pdm = dig(doc, "tool", "pdm", "dev-dependencies")
    if isinstance(pdm, dict):
        for name, entries in pdm.items():
            sets[f"[tool.pdm.dev-dependencies].{name}"] = _names_of(entries)
    for name in DEV_REQUIREMENT_FILES:
        path = ctx.path(name)
        if ctx.repo.exists(path):
            parsed = ctx.repo.parse(path, parse_requirements)
            if not isinstance(parsed, ParseError):
                sets[path] = {r.requirement.name for r in parsed.requirements if r.requirement}
    return sets


def _is_dev_set(label: str) -> bool:
    return (label.endswith((".dev", "[tool.poetry.group.dev]", "dev-dependencies]"))
            or ("requirements" in label and "test" not in label.rsplit("/", 1)[-1]))


def _no_pyproject(legacy: str | None) -> Finding:
    if legacy:
        return warned(T(f"no pyproject.toml; packaging lives in {legacy} only",
                        f"no hay pyproject.toml; el empaquetado está solo en {legacy}"), legacy, 1)
    return failed(T("no pyproject.toml (and no setup.py): the project cannot be installed "
                    "with pip install -e '.[dev]'",
                    "no hay pyproject.toml (ni setup.py): el proyecto no se puede instalar "
                    "con pip install -e '.[dev]'"))


def _metadata_gaps(doc: dict[str, Any]) -> tuple[list[T], bool]:
    """What [build-system] and [project]/[tool.poetry] lack, and whether either exists."""
    gaps: list[T] = []
    build = doc.get("build-system")
    if not isinstance(build, dict) or not build.get("requires") or not isinstance(
            build.get("build-backend"), str):
        gaps.append(T("[build-system] needs 'requires' and 'build-backend'",
                      "[build-system] necesita 'requires' y 'build-backend'"))
    project = doc.get("project")
    poetry = dig(doc, "tool", "poetry")
    if isinstance(project, dict):
        dynamic_raw = project.get("dynamic")
        dynamic: list[Any] = dynamic_raw if isinstance(dynamic_raw, list) else []
        missing = [k for k in ("name", "version", "requires-python", "dependencies")
                   if k not in project and k not in dynamic]
        table = "[project]"
    elif isinstance(poetry, dict):
        missing = [k for k in ("name",) if k not in poetry]
        if not isinstance(dig(poetry, "dependencies", "python"), str):
            missing.append("dependencies.python")
        table = "[tool.poetry]"
    else:
        gaps.append(T("no [project] (PEP 621) or [tool.poetry] table",
                      "no hay tabla [project] (PEP 621) ni [tool.poetry]"))
        return gaps, False
    if missing:
        gaps.append(T(f"{table} lacks {', '.join(missing)}",
                      f"a {table} le falta {', '.join(missing)}"))
    return gaps, True


def _dev_gaps(ctx: Context, doc: dict[str, Any]) -> tuple[list[T], list[T]]:
    """(problems, notes) about pytest and pytest-cov in the dev dependency set."""
    sets = dev_dependency_sets(ctx, doc)
    dev_names = set().union(*(v for k, v in sets.items() if _is_dev_set(k)))
    other_names = set().union(*sets.values())
    lacking = sorted({"pytest", "pytest-cov"} - dev_names)
    if not lacking:
        return [], []
    names = ", ".join(lacking)
    if all(n in other_names for n in lacking):
        return [], [T(f"{names} only in a test extra, not in the 'dev' set that "
                      "pip install -e '.[dev]' installs",
                      f"{names} solo en un extra de test, no en el grupo 'dev' que instala "
                      "pip install -e '.[dev]'")]
    return [T(f"the dev dependencies lack {names} ([project.optional-dependencies].dev, a "
              "Poetry dev group or requirements-dev.txt)",
              f"a las dependencias de desarrollo les falta {names} "
              "([project.optional-dependencies].dev, un grupo dev de Poetry o "
              "requirements-dev.txt)")], []


@rule("PY001")
def pyproject_metadata(ctx: Context, params: None) -> Iterator[Finding]:
    """PY001: pyproject.toml with build system, metadata and a dev set with pytest."""
    path, doc = read_pyproject(ctx)
    legacy = ctx.first("setup.py", "setup.cfg", "requirements.txt")
    if doc is None:
        yield _no_pyproject(legacy)
        return
    if isinstance(doc, ParseError) and is_template(ctx.repo, path):
        yield skipped(template_reason(path), path)
        return
    if isinstance(doc, ParseError):
        yield failed(T(f"pyproject.toml does not parse: {doc.message}",
                       f"pyproject.toml no se puede leer: {doc.message}"), path, doc.line)
        return
    metadata, has_table = _metadata_gaps(doc)
    if not has_table and legacy and legacy.endswith(("setup.py", "setup.cfg")):
        yield warned(T(f"pyproject.toml has no [project] table; the metadata lives in {legacy}",
                       f"pyproject.toml no tiene tabla [project]; los metadatos están en "
                       f"{legacy}"), path, 1)
        return
    dev_problems, notes = _dev_gaps(ctx, doc)
    problems = metadata + dev_problems
    if problems:
        yield failed(T.join(problems), path, 1)
    elif notes:
        yield warned(T.join(notes), path, 1)
    else:
        yield passed(T("pyproject.toml has a build system, project metadata, requires-python "
                       "and dev dependencies with pytest and pytest-cov",
                       "pyproject.toml tiene build system, metadatos, requires-python y "
                       "dependencias dev con pytest y pytest-cov"), path)
