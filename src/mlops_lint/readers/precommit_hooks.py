"""How CI runs pre-commit hooks: which tool a hook runs (its ``entry``, or for a hook
repository's own hook, the command its id names with its ``args``), whether its own args
make it exit 0, and which hooks the ``pre-commit/action`` step's ``extra_args`` select.
"""

from __future__ import annotations

import shlex

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers.ci import Job, Step
from mlops_lint.parsers.invocations import precommit_run
from mlops_lint.parsers.precommit import Hook
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.readers.ci_tools import ToolSpec, exit_zero


def hook_simple(hook: Hook) -> Simple:
    """A hook without ``entry`` (a hook repository's own) read as the command its id
    names, with its ``args``: ``checkov --framework sast_python``."""
    return Simple((hook.id, *hook.args), hook_text(hook), 0, False)


def hook_runs(hook: Hook, spec: ToolSpec) -> bool:
    if hook.id in spec.hook_ids:
        return True
    if hook.entry:
        return any(spec.command(s) for s in split_commands(hook.entry))
    return spec.command(hook_simple(hook))


def hook_blocking(hook: Hook, blocking: bool, reason: T | None) -> tuple[bool, T | None]:
    """A hook whose own args make it exit 0 (``--soft-fail``, ``--exit-zero``) never
    fails the build."""
    zero = exit_zero(hook_simple(hook)) if blocking else None
    if zero:
        return False, T(f"hook {hook.id}: ", f"hook {hook.id}: ") + zero + T(
            ": it never fails", ": nunca falla")
    return blocking, reason


def hook_text(hook: Hook) -> str:
    return " ".join([hook.entry or hook.id, *hook.args])


_MATRIX_REF = lazy_re.compile(r"^\$\{\{\s{0,8}matrix\.([\w-]{1,60})\s{0,8}\}\}$")


def action_selection(step: Step, job: Job) -> tuple[frozenset[str] | None, str | None]:
    """The hooks ``pre-commit/action`` runs, by its ``extra_args`` (``pre-commit run``'s
    arguments, ``--all-files`` by default): (the hook ids, None for all; the hook stage).
    A hook id given as ``${{ matrix.<key> }}`` stands for each value of that matrix key."""
    extra = step.with_.get("extra_args")
    if not isinstance(extra, str):
        return None, None
    try:
        args = shlex.split(extra)
    except ValueError:
        return None, None
    tokens: list[str] = []
    for arg in args:  # shlex splits ``${{ matrix.hook }}`` into three words
        if tokens and tokens[-1].startswith("${{") and not tokens[-1].endswith("}}"):
            tokens[-1] += " " + arg
        else:
            tokens.append(arg)
    _, only, stage = precommit_run(Simple(("pre-commit", "run", *tokens), extra, 0, False))
    if only is None:
        return None, stage
    ref = _MATRIX_REF.match(only)
    if ref is None:
        return frozenset({only}), stage
    values = job.matrix.get(ref.group(1))
    if not isinstance(values, list):
        return None, stage  # computed or included values: any hook may be asked for
    return frozenset(str(v) for v in values), stage
