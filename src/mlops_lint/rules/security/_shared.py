"""What the security rules share: what a ``.env`` file is (SEC001, SEC002), and where a
scanner runs, a pre-commit hook, a CI step or action or a Makefile target, with the note
added when the pre-commit configuration cannot be read (SEC003-SEC005).
"""

from __future__ import annotations

from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.invocations import Tool, precommit_config, tool_runs
from mlops_lint.readers.ci_runs import ci_runs
from mlops_lint.readers.ci_tools import ToolSpec

EXAMPLE_SUFFIXES = ("example", "sample", "template", "dist", "defaults")


def is_env_file(path: str) -> bool:
    name = PurePosixPath(path).name
    if name == ".env":
        return True
    return name.startswith(".env.") and not any(
        part in EXAMPLE_SUFFIXES for part in name.split(".")[2:])


def _tool(spec: ToolSpec) -> Tool:
    return Tool(spec.name, spec.command, spec.hook_ids)


def places(ctx: Context, specs: tuple[ToolSpec, ...]
            ) -> list[tuple[str, str, str, int | None]]:
    """(tool, where, path, line) for every hook, CI step/action and Makefile target running
    one of ``specs``."""
    out: list[tuple[str, str, str, int | None]] = []
    dirs = [p.path for p in ctx.repo.projects]
    for spec in specs:
        for run in ci_runs(ctx.repo, spec):
            out.append((spec.name, run.where(), run.path, run.line))
        for inv in tool_runs(ctx.repo, _tool(spec), dirs):
            if inv.where != "ci":
                out.append((spec.name, inv.describe(), inv.path, inv.line))
    return out


def precommit_note(ctx: Context) -> T:
    config = precommit_config(ctx.repo)
    if isinstance(config, ParseError):
        return T(f" ({config.path} cannot be read: {config.message})",
                 f" ({config.path} no se puede leer: {config.message})")
    return T("", "")
