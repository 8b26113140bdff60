"""PY008: Ruff (E, F, I + format) or Black + isort + Flake8, configured and run.

Run means in CI or in a pre-commit hook (:func:`tool_runs`; a project folder's own
.pre-commit-config.yaml counts). The classic stack credits well-known equivalents
(levels.md point 2): YAPF or autopep8 for Black, Pylint for Flake8. A tool of the classic
stack is configured by a config file or by its own options where it runs (a hook's
``args: [--max-line-length=120]``), which are the same settings.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.ini import Ini, parse_ini
from mlops_lint.parsers.invocations import Invocation, Tool, tool_runs
from mlops_lint.parsers.shell import Simple
from mlops_lint.parsers.toml_file import dig
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import RuffSelection, dirs, ruff_selection


def _selects(codes: list[str], family: str) -> bool:
    return any(c == "ALL" or c == family or re.fullmatch(family + r"\d+", c) for c in codes)


# The classic stack's three slots and the well-known tools that fill each (levels.md
# point 2): a formatter, an import sorter and a linter.
SLOTS = {"formatter": ("black", "yapf", "autopep8"), "isort": ("isort",),
         "linter": ("flake8", "pylint")}
_PYPROJECT_TABLES = {"black": "black", "isort": "isort", "yapf": "yapf",
                     "autopep8": "autopep8", "pylint": "pylint"}
_OWN_FILES = {"isort": (".isort.cfg",), "flake8": (".flake8",), "black": (),
              "yapf": (".style.yapf",), "autopep8": (".pep8",),
              "pylint": (".pylintrc", "pylintrc")}
_INI_SECTIONS = {"isort": ("isort",), "flake8": ("flake8",), "yapf": ("yapf",),
                 "autopep8": ("pep8", "pycodestyle"), "pylint": ("pylint",)}


def _ini_config(ctx: Context, prefix: str, tool: str) -> str | None:
    sections = _INI_SECTIONS.get(tool, ())
    if not sections:
        return None
    for name in ("setup.cfg", "tox.ini"):
        path = prefix + name
        if ctx.repo.exists(path):
            ini = ctx.repo.parse(path, parse_ini)
            if isinstance(ini, Ini) and any(
                    sec == want or sec.startswith(want + ".")
                    for sec in ini.sections() for want in sections):
                return path
    return None


def _classic_config(ctx: Context, tool: str) -> str | None:
    for directory in dirs(ctx):
        prefix = "" if directory == "." else directory + "/"
        pyproject = prefix + "pyproject.toml"
        table = _PYPROJECT_TABLES.get(tool)
        if table and ctx.repo.exists(pyproject):
            doc = ctx.repo.toml(pyproject)
            if isinstance(doc, dict) and isinstance(dig(doc, "tool", table), dict):
                return pyproject
        for name in _OWN_FILES[tool]:
            if ctx.repo.exists(prefix + name):
                return prefix + name
        found = _ini_config(ctx, prefix, tool)
        if found:
            return found
    return None


# Options that configure a tool on its command line (a pre-commit hook's ``args``, a CI
# command): the same settings as its config file, given where it runs.
_OPTION_CONFIG = {
    "flake8": ("--config", "--append-config", "--max-line-length", "--max-doc-length",
               "--select", "--extend-select", "--ignore", "--extend-ignore",
               "--per-file-ignores", "--max-complexity"),
    "black": ("--config", "--line-length", "-l", "--target-version", "-t",
              "--skip-string-normalization", "-S", "--skip-magic-trailing-comma",
              "--preview"),
    "isort": ("--settings-path", "--sp", "--settings-file", "--settings", "--profile",
              "--line-length", "--line-width", "-l", "-w", "--multi-line", "-m"),
    "pylint": ("--rcfile", "--disable", "-d", "--enable", "-e", "--max-line-length",
               "--load-plugins"),
    "yapf": ("--style",),
    "autopep8": ("--global-config", "--max-line-length", "--select", "--ignore"),
}


def _option_config(tool: str, runs: list[Invocation]) -> Invocation | None:
    """The first run of ``tool`` that configures it with its own options."""
    flags = _OPTION_CONFIG.get(tool, ())
    for run in runs:
        if any(arg == flag or arg.startswith(flag + "=")
               for arg in run.argv[1:] for flag in flags):
            return run
    return None


def _program(name: str, *subcommands: str) -> Tool:
    def match(simple: Simple) -> bool:
        if simple.program != name:
            return False
        if not subcommands:
            return True
        first = next((a for a in simple.args if not a.startswith("-")), "")
        return first in subcommands
    return Tool(name, match)


RUFF_CHECK = Tool("ruff check", lambda s: s.program == "ruff" and (
    next((a for a in s.args if not a.startswith("-")), "check") not in (
        "format", "version", "rule", "config", "linter", "clean", "server", "analyze")),
    frozenset({"ruff", "ruff-check"}))
RUFF_FORMAT = Tool("ruff format", _program("ruff", "format").command, frozenset({"ruff-format"}))
BLACK = Tool("black", _program("black").command, frozenset({"black", "black-jupyter"}))
ISORT = Tool("isort", _program("isort").command, frozenset({"isort"}))
FLAKE8 = Tool("flake8", lambda s: s.program in ("flake8", "pflake8", "flakeheaven"),
              frozenset({"flake8"}))
PYLINT = Tool("pylint", _program("pylint").command, frozenset({"pylint"}))
YAPF = Tool("yapf", _program("yapf").command, frozenset({"yapf"}))
AUTOPEP8 = Tool("autopep8", _program("autopep8").command, frozenset({"autopep8"}))
TOOLS = (RUFF_CHECK, RUFF_FORMAT, BLACK, ISORT, FLAKE8, PYLINT, YAPF, AUTOPEP8)


def _runs_in_ci_or_hook(ctx: Context, tool: Tool) -> list[Invocation]:
    return [r for r in tool_runs(ctx.repo, tool, dirs(ctx))
            if r.where in ("ci", "pre-commit") and r.checks_files]


Runs = dict[str, list[Invocation]]
IN_CI = T(" in CI or pre-commit", " en CI o pre-commit")


def _ruff_gaps(ruff: RuffSelection | None, runs: Runs) -> list[T]:
    gaps: list[T] = []
    if ruff is None:
        gaps.append(T("ruff config ([tool.ruff] or ruff.toml)",
                      "configuración de ruff ([tool.ruff] o ruff.toml)"))
    else:
        lacking = "".join(f for f in ("E", "F", "I") if not _selects(ruff[0], f))
        if lacking:
            gaps.append(T(f"'{lacking}' in ruff's select ({ruff[1]})",
                          f"'{lacking}' en el select de ruff ({ruff[1]})"))
    if not runs["ruff check"]:
        gaps.append(T.same("ruff check") + IN_CI)
    if not any(runs[f] for f in ("ruff format", *SLOTS["formatter"])):
        gaps.append(T("ruff format (or black)", "ruff format (o black)") + IN_CI)
    return gaps


def _slot_tools(ctx: Context, runs: Runs) -> dict[str, tuple[str, str | None]]:
    """Per slot, the tool that fills it best (configured and run, else either, else the
    guide's) with its config path."""
    chosen: dict[str, tuple[str, str | None]] = {}
    for slot, tools in SLOTS.items():
        configs = {t: _classic_config(ctx, t) or _option_path(t, runs) for t in tools}
        ranked = sorted(tools, key=lambda t: (not (configs[t] and runs[t]),
                                              not (configs[t] or runs[t])))
        chosen[slot] = (ranked[0], configs[ranked[0]])
    return chosen


def _option_path(tool: str, runs: Runs) -> str | None:
    found = _option_config(tool, runs[tool])
    return found.path if found else None


def _options_note(ctx: Context, chosen: dict[str, tuple[str, str | None]],
                  runs: Runs) -> T:
    """Which tools of the stack are configured only by their command-line options."""
    note = T("", "")
    for tool, path in chosen.values():
        found = _option_config(tool, runs[tool]) if path else None
        if found and _classic_config(ctx, tool) is None:
            note = note + T(f"; {tool} configured by its options in {found.describe()}",
                            f"; {tool} configurado con sus opciones en {found.describe()}")
    return note


def _classic_gaps(chosen: dict[str, tuple[str, str | None]], runs: Runs) -> list[T]:
    gaps: list[T] = []
    for tool, path in chosen.values():
        if path is None:
            gaps.append(T(f"{tool} config", f"configuración de {tool}"))
        if not runs[tool]:
            gaps.append(T.same(tool) + IN_CI)
    return gaps


def _stack_name(chosen: dict[str, tuple[str, str | None]]) -> str:
    names = {"black": "Black", "isort": "isort", "flake8": "Flake8", "pylint": "Pylint",
             "yapf": "YAPF", "autopep8": "autopep8"}
    return " + ".join(names[tool] for tool, _ in chosen.values())


def _lint_note(ruff: RuffSelection | None, runs: Runs) -> T:
    swallowed = [r for rs in runs.values() for r in rs if not r.blocking]
    note = T(f"; note: {swallowed[0].text} ignores failures in {swallowed[0].describe()} "
             "(see CI007)", f"; nota: {swallowed[0].text} ignora fallos en "
             f"{swallowed[0].describe()} (ver CI007)") if swallowed else T("", "")
    if ruff is not None and ruff[3] is not None and not 88 <= ruff[3] <= 100:
        note = note + T(f"; line-length {ruff[3]} is outside the guide's 88-100",
                        f"; line-length {ruff[3]} está fuera del rango 88-100 de la guía")
    return note


@rule("PY008")
def lint_format(ctx: Context, params: None) -> Iterator[Finding]:
    """PY008: Ruff (E, F, I + format) or Black + isort + Flake8, configured and run."""
    ruff = ruff_selection(ctx)
    runs = {t.name: _runs_in_ci_or_hook(ctx, t) for t in TOOLS}
    chosen = _slot_tools(ctx, runs)
    configs = dict(chosen.values())
    ruff_gaps = _ruff_gaps(ruff, runs)
    classic_gaps = _classic_gaps(chosen, runs)
    note = _lint_note(ruff, runs)
    if ruff is not None and not ruff_gaps:
        yield passed(T(f"Ruff configured in {ruff[1]} (E, F, I) and run with its formatter",
                       f"Ruff configurado en {ruff[1]} (E, F, I) y ejecutado con su "
                       "formateador") + note, ruff[1], ruff[2])
    elif not classic_gaps:
        stack = _stack_name(chosen)
        yield passed(T(f"{stack} configured and run", f"{stack} configurados y ejecutados")
                     + _options_note(ctx, chosen, runs) + note, chosen["formatter"][1], 1)
    else:
        use_ruff = ruff is not None or bool(runs["ruff check"]) or len(ruff_gaps) <= len(
            classic_gaps)
        stack = "Ruff" if use_ruff else _stack_name(chosen)
        where = ruff[1] if use_ruff and ruff else next((p for p in configs.values() if p), None)
        # Some linting in place is the practice started (levels.md): partial credit.
        some = ruff is not None or any(runs.values()) or any(configs.values())
        verdict = warned if some else failed
        yield verdict(T(f"{stack} stack incomplete: missing ", f"stack {stack} incompleto: "
                        "falta ") + T.join(ruff_gaps if use_ruff else classic_gaps) + note,
                      where, 1 if where else None)
