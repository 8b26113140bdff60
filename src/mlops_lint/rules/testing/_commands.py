"""The commands that run the tests (TEST003, TEST008): the CI commands of the project, the
Makefile and its targets, its variables expanded."""

from __future__ import annotations

from mlops_lint.context import Context
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Command, PathNames, ci_commands
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
