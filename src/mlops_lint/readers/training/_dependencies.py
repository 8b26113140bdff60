"""The packages a project declares (pyproject, setup.cfg, requirements, conda files) by group,
what git ignores and what DVC tracks."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mlops_lint.context import Context
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import other_ci_files, workflows
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.ini import parse_ini
from mlops_lint.parsers.requirements import (
    normalize_name,
    parse_conda_dependency,
    parse_requirement,
    parse_requirements,
)
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.training._common import DEV_GROUPS

# -- dependencies and ignore rules ------------------------------------------------------


def _group_of_requirements(local_path: str) -> str:
    """``requirements-dev.txt``, ``requirements/test.in``, ``dev-requirements.txt``: dev."""
    stem = local_path.lower().rsplit(".", 1)[0]
    words = set(re.split(r"[-_/.]", stem))
    return "dev" if words & DEV_GROUPS else "runtime"


def _add(found: dict[str, set[str]], raw: object, group: str) -> None:
    if not isinstance(raw, str):
        return
    requirement = parse_requirement(raw)
    if requirement is not None:
        found.setdefault(requirement.name, set()).add(group)


def declared_packages(ctx: Context) -> dict[str, set[str]]:
    """Declared dependencies of the project: normalized name -> groups.

    Groups: ``runtime``, or the extra/group name (``dev``, ``test``...). Read from
    pyproject (PEP 621, PEP 735 groups, Poetry, PDM, uv, Hatch envs), ``setup.cfg``,
    ``requirements*.txt``/``.in`` (also under ``requirements/``), ``environment.yml``.
    """
    key = f"phase3:deps:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: dict[str, set[str]] = cached
        return result
    found: dict[str, set[str]] = {}
    errors: list[ParseError] = []
    pyproject = ctx.first("pyproject.toml")
    if pyproject:
        document = ctx.repo.toml(pyproject)
        if isinstance(document, ParseError):
            errors.append(document)
        else:
            _pyproject_deps(document, found)
    _setup_cfg_deps(ctx, found, errors)
    _requirements_deps(ctx, found, errors)
    _conda_deps(ctx, found, errors)
    ctx.repo.memo[key] = found
    ctx.repo.memo[f"phase3:deps-errors:{ctx.project.path}"] = errors
    return found


def _setup_cfg_deps(ctx: Context, found: dict[str, set[str]], errors: list[ParseError]) -> None:
    setup_cfg = ctx.first("setup.cfg")
    if not setup_cfg:
        return
    ini = ctx.repo.parse(setup_cfg, parse_ini)
    if isinstance(ini, ParseError):
        errors.append(ini)
        return
    for line in (ini.get("options", "install_requires") or "").splitlines():
        _add(found, line, "runtime")
    if ini.has("options.extras_require"):
        for extra in ini.parser.options("options.extras_require"):
            for line in (ini.get("options.extras_require", extra) or "").splitlines():
                _add(found, line, extra)


def _requirements_deps(ctx: Context, found: dict[str, set[str]],
                       errors: list[ParseError]) -> None:
    for path in ctx.files(["requirements*.txt", "requirements*.in", "*requirements.txt",
                           "requirements/*.txt", "requirements/*.in"]):
        parsed = ctx.repo.parse(path, parse_requirements)
        if isinstance(parsed, ParseError):
            errors.append(parsed)
            continue
        group = _group_of_requirements(ctx.project.local(path))
        for req_line in parsed.requirements:
            if req_line.requirement is not None:
                found.setdefault(req_line.requirement.name, set()).add(group)


def _conda_deps(ctx: Context, found: dict[str, set[str]], errors: list[ParseError]) -> None:
    for path in ctx.files(["environment.yml", "environment.yaml"]):
        data = ctx.repo.yaml(path)
        if isinstance(data, ParseError):
            errors.append(data)
        deps = data.get("dependencies") if isinstance(data, dict) else None
        for entry in deps if isinstance(deps, list) else []:
            if isinstance(entry, str):
                name, _ = parse_conda_dependency(entry)
                found.setdefault(normalize_name(name), set()).add("runtime")
            elif isinstance(entry, dict) and isinstance(entry.get("pip"), list):
                for pip_entry in entry["pip"]:
                    _add(found, pip_entry, "runtime")


def dependency_errors(ctx: Context) -> list[ParseError]:
    """Dependency files of the project that could not be read (after declared_packages)."""
    declared_packages(ctx)
    errors: list[ParseError] = ctx.repo.memo.get(f"phase3:deps-errors:{ctx.project.path}", [])
    return errors


def ci_read_errors(ctx: Context) -> list[ParseError]:
    """CI configuration files whose commands cannot be read."""
    out = [w for w in workflows(ctx.repo) if isinstance(w, ParseError)]
    for system, paths in other_ci_files(ctx.repo).items():
        for path in paths:
            data = ctx.repo.text(path) if system == "jenkins" else ctx.repo.yaml(path)
            if isinstance(data, ParseError):
                out.append(data)
    return out


def _add_groups(found: dict[str, set[str]], table: object,
                group_of: Any = str) -> None:
    """``{group: [requirement, ...]}`` tables (extras, PEP 735 groups, PDM)."""
    if isinstance(table, dict):
        for group, items in table.items():
            for raw in items if isinstance(items, list) else []:
                _add(found, raw, group_of(group))


def _add_names(found: dict[str, set[str]], table: object, group: str,
               skip: str = "") -> None:
    """Poetry tables: ``{name: constraint}``."""
    for name in table if isinstance(table, dict) else {}:
        if name != skip:
            found.setdefault(normalize_name(str(name)), set()).add(group)


def _pyproject_deps(document: dict[str, Any], found: dict[str, set[str]]) -> None:
    runtime = dig(document, "project", "dependencies")
    for raw in runtime if isinstance(runtime, list) else []:
        _add(found, raw, "runtime")
    _add_groups(found, dig(document, "project", "optional-dependencies"))
    _add_groups(found, dig(document, "dependency-groups"))
    _add_groups(found, dig(document, "tool", "pdm", "dev-dependencies"))
    _add_groups(found, {"dev": dig(document, "tool", "uv", "dev-dependencies")})
    _add_names(found, dig(document, "tool", "poetry", "dependencies"), "runtime", "python")
    _add_names(found, dig(document, "tool", "poetry", "dev-dependencies"), "dev")
    poetry_groups = dig(document, "tool", "poetry", "group")
    for group, body in poetry_groups.items() if isinstance(poetry_groups, dict) else []:
        _add_names(found, dig(body, "dependencies"), str(group))
    hatch_envs = dig(document, "tool", "hatch", "envs")
    for env, body in hatch_envs.items() if isinstance(hatch_envs, dict) else []:
        group = "dev" if env == "default" else str(env)
        for field_name in ("dependencies", "extra-dependencies"):
            _add_groups(found, {group: dig(body, field_name)})


def declared(ctx: Context, *names: str) -> tuple[str, set[str]] | None:
    """The first of ``names`` that the project declares, with its groups."""
    packages = declared_packages(ctx)
    for name in names:
        groups = packages.get(normalize_name(name))
        if groups:
            return name, groups
    return None


def is_ignored(ctx: Context, local_path: str, is_dir: bool = False) -> bool:
    """Whether a project-relative path would be ignored by the repository's .gitignore."""
    return ignore_rules(ctx.repo).ignored(ctx.path(local_path), is_dir)


def dvc_errors(ctx: Context) -> list[ParseError]:
    out = []
    for path in {p for p in (ctx.first("dvc.yaml"), "dvc.yaml") if p}:
        if ctx.repo.exists(path):
            data = ctx.repo.yaml(path)
            if isinstance(data, ParseError):
                out.append(data)
    return out


def dvc_tracked(ctx: Context, local_dir: str) -> bool:
    """``<dir>.dvc`` exists, or a ``dvc.yaml`` stage declares outputs under ``<dir>/``."""
    if ctx.first(f"{local_dir}.dvc") or ctx.repo.exists(f"{local_dir}.dvc"):
        return True
    for path in [p for p in (ctx.first("dvc.yaml"), "dvc.yaml") if p]:
        if not ctx.repo.exists(path):
            continue
        data = ctx.repo.yaml(path)
        stages = data.get("stages") if isinstance(data, dict) else None
        for stage in stages.values() if isinstance(stages, dict) else []:
            outs = stage.get("outs") if isinstance(stage, dict) else None
            for out in outs if isinstance(outs, list) else []:
                name = next(iter(out)) if isinstance(out, dict) and out else out
                if isinstance(name, str) and (name == local_dir or
                                              name.startswith(local_dir.rstrip("/") + "/")):
                    return True
    return False


def locations(items: Iterable[tuple[str, int | None]], limit: int = 5) -> str:
    """``a.py:3, b.py:9 (+2 more)``."""
    listed = list(items)
    text = ", ".join(f"{p}:{n}" if n else p for p, n in listed[:limit])
    return text + (f" (+{len(listed) - limit})" if len(listed) > limit else "")
