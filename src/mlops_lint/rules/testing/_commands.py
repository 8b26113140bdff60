"""The commands that run the tests (TEST003, TEST008): the CI commands of the project, the
Makefile and its targets, its variables expanded."""

from __future__ import annotations

import posixpath

from mlops_lint.context import Context
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Command, PathNames, ci_commands
from mlops_lint.parsers.ini import parse_ini
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.shell import split_commands


def project_ci_commands(ctx: Context) -> list[Command]:
    """CI commands that concern this project: in a monorepo, those that name its
    directory (in the command or its working-directory), those that name no project at
    all (shared jobs), and those driven by a matrix (``${{ matrix.project }}``), which may
    run for any project."""
    commands = ci_commands(ctx.repo)
    projects = [p.path for p in ctx.repo.projects if p.path != "."]
    if len(ctx.repo.projects) <= 1 or not projects:
        return commands

    # which projects each command names does not depend on the project asking: once a run
    key = "testing:ci_commands_named"
    table: list[tuple[Command, list[str], bool]] | None = ctx.repo.memo.get(key)
    if table is None:
        table = []
        named = PathNames(projects)
        for command in commands:
            cwd = str(getattr(command, "cwd", None) or "").strip().strip("./")
            text = f"{cwd} {command.text}" if cwd else command.text
            table.append((command, named.named(text), "${{ matrix." in text))
        ctx.repo.memo[key] = table
    return [command for command, named, matrix in table
            if not named or ctx.project.path in named or matrix]


def makefile(ctx: Context) -> tuple[str, Makefile] | None:
    for path in [p for p in (ctx.first("Makefile"), "Makefile") if p]:
        if ctx.repo.exists(path):
            parsed = ctx.repo.parse(path, parse_makefile)
            if not isinstance(parsed, ParseError):
                return path, parsed
    return None


def expand_vars(make: Makefile, text: str) -> str:
    expand = getattr(make, "expand", None)
    return str(expand(text)) if callable(expand) else text


def make_targets(text: str) -> list[str]:
    out = []
    for simple in split_commands(text):
        if simple.program in ("make", "gmake"):
            args = [a for a in simple.args if not a.startswith("-") and "=" not in a]
            out.extend(args or [""])
    return out


PYTEST_PROGRAMS = frozenset({"pytest", "py.test"})


def _pytest_paths(script: str, base: str) -> list[str]:
    """The paths the pytest commands of a script name (repository paths; ``{toxinidir}``
    and relative paths taken from ``base``)."""
    out: list[str] = []
    for simple in split_commands(script):
        if simple.program not in PYTEST_PROGRAMS:
            continue
        for arg in simple.args:
            if arg.startswith("-") or "=" in arg or "{posargs" in arg or "$" in arg:
                continue
            arg = arg.replace("{toxinidir}", ".").strip("'\"")
            full = posixpath.normpath(posixpath.join(base, arg)).split("::", 1)[0]
            if not full.startswith(".."):
                out.append(full)
    return out


Source = tuple[str, str, str]  # (file, script, base folder)


def _tox_sources(ctx: Context) -> list[Source]:
    """The commands of the tox environments of the project's and the root's tox.ini."""
    sources: list[Source] = []
    for tox in dict.fromkeys(p for p in (ctx.first("tox.ini"), "tox.ini") if p):
        ini = ctx.repo.parse(tox, parse_ini) if ctx.repo.exists(tox) else None
        if ini is None or isinstance(ini, ParseError):
            continue
        base = posixpath.dirname(tox) or "."
        sources.extend((tox, ini.get(s, "commands") or "", base) for s in ini.sections()
                       if s == "testenv" or s.startswith("testenv:"))
    return sources


def _make_sources(ctx: Context) -> list[Source]:
    found = makefile(ctx)
    if found is None:
        return []
    path, make = found
    base = posixpath.dirname(path) or "."
    return [(path, expand_vars(make, text), base) for name in make.targets
            for _, text in make.targets[name].recipe]


def explicit_test_paths(ctx: Context) -> list[tuple[str, list[str]]]:
    """Where pytest is run with the test paths named on its command line (a tox
    environment, a CI step, a Makefile recipe), an equivalent of ``testpaths``: each file
    and the repository paths its command names."""
    ci = [(c.path, c.text, str(c.cwd or ".").strip("/") or ".")
          for c in project_ci_commands(ctx)]
    return [(path, named) for path, script, base in [*_tox_sources(ctx), *ci,
                                                      *_make_sources(ctx)]
            if (named := _pytest_paths(script, base))]
