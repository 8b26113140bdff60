"""CI011: no broken line continuations in CI scripts (shellcheck SC1101); no deprecated,
retired, archived or floating actions.

The list of deprecated actions is data: ``rules/_data/deprecated_actions.yaml``. A
commit-SHA pin is read through its ``# vN`` comment.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from functools import lru_cache
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.ci import ActionRef, Workflow, ci_commands, parse_action
from mlops_lint.parsers.yaml_file import YamlError, load_yaml
from mlops_lint.readers.ci_config import CIState, ci_state
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import first_ci_file, no_ci

_BROKEN_CONTINUATION = lazy_re.compile(r"(?<!\\)\\[ \t]+(#.*)?$")


@lru_cache(maxsize=1)
def deprecated_actions() -> dict[str, dict[str, Any]]:
    """``rules/_data/deprecated_actions.yaml``: action -> {retired, deprecated, archived,
    current}."""
    from mlops_lint.resources import builtin_rules_dir

    path = builtin_rules_dir() / "_data" / "deprecated_actions.yaml"
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YamlError):
        return {}
    actions = data.get("actions") if isinstance(data, dict) else None
    return {str(k).lower(): v for k, v in actions.items() if isinstance(v, dict)} \
        if isinstance(actions, dict) else {}


def _line_after(text: str, needle: str, start: int | None) -> int | None:
    lines = text.splitlines()
    for number in range((start or 1) - 1, len(lines)):
        if needle in lines[number]:
            return number + 1
    return start


def _comment_major(text: str, line: int | None) -> int | None:
    if line is None:
        return None
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    match = re.search(r"#\s*v?(\d+)", lines[line - 1])
    return int(match.group(1)) if match else None


def _action_problem(action: ActionRef, major: int | None) -> T | None:
    if action.floating:
        ref = action.ref or "(no ref)"
        return T(f"{action.name}@{ref} is a floating ref: the code you run changes without "
                 "notice", f"{action.name}@{ref} es una referencia flotante: el código que "
                 "ejecutas cambia sin aviso")
    entry = deprecated_actions().get(action.repo) or deprecated_actions().get(action.name)
    if entry is None:
        return None
    current = entry.get("current")
    to = f" (use {'v' + str(current) if isinstance(current, int) else current})" \
        if current else ""
    to_es = f" (usa {'v' + str(current) if isinstance(current, int) else current})" \
        if current else ""
    if entry.get("archived") is True:
        return T(f"{action.name} is archived and unmaintained{to}",
                 f"{action.name} está archivada y sin mantenimiento{to_es}")
    if major is None:
        return None
    for status, en, es in (("retired", "retired: it no longer works", "retirada: ya no "
                            "funciona"), ("deprecated", "deprecated (old runtime)",
                                          "obsoleta (runtime antiguo)")):
        if major in (entry.get(status) or []):
            return T(f"{action.name}@v{major} is {en}{to}", f"{action.name}@v{major} está "
                     f"{es}{to_es}")
    return None


def _script_defects(text: str) -> list[tuple[str, int]]:
    """Lines of a shell script with a backslash followed by spaces (and a comment): the
    continuation is broken (shellcheck SC1101)."""
    out = []
    for offset, line in enumerate(text.splitlines()):
        if _BROKEN_CONTINUATION.search(line):
            out.append((line, offset))
    return out


def _continuations(ctx: Context, state: CIState) -> Iterator[Finding]:
    """A finding for every broken line continuation in a CI script (once per file and
    text)."""
    seen: set[tuple[str, str]] = set()
    for command in ci_commands(ctx.repo):
        located = state.steps.get((command.path, command.line))
        if located and located[2].shell not in (None, "bash", "sh"):
            continue
        file_text = ctx.repo.text(command.path)
        for bad, _ in _script_defects(command.text):
            if (command.path, bad) in seen:
                continue
            seen.add((command.path, bad))
            where = _line_after(file_text, bad.rstrip(), command.line) if isinstance(
                file_text, str) else command.line
            yield failed(T(f"backslash followed by spaces{' and a comment' if '#' in bad else ''}"
                           f": '{bad.strip()[:70]}' ends the command there and runs the next "
                           "line on its own (shellcheck SC1101)",
                           f"barra invertida seguida de espacios"
                           f"{' y un comentario' if '#' in bad else ''}: "
                           f"'{bad.strip()[:70]}' termina el comando ahí y ejecuta la línea "
                           "siguiente por separado (shellcheck SC1101)"), command.path, where,
                         fix=T("put the backslash last on the line and move the comment above "
                               "the command", "deja la barra invertida al final de la línea y "
                               "mueve el comentario encima del comando"))


def _actions(ctx: Context, wf: Workflow) -> Iterator[Finding]:
    """A finding for every deprecated, retired, archived or floating action of ``wf``."""
    text = ctx.repo.text(wf.path)
    file_text = text if isinstance(text, str) else ""
    uses: list[tuple[str, int | None]] = [(s.uses, s.line) for j in wf.jobs
                                          for s in j.steps if s.uses]
    uses += [(j.uses, j.line) for j in wf.jobs if j.uses]
    for value, start in uses:
        action = parse_action(value)
        if action.kind != "action" or action.name.startswith(".github/"):
            continue
        line = _line_after(file_text, value, start)
        major = action.major if not action.pinned else _comment_major(file_text, line)
        problem = _action_problem(action, major)
        if problem:
            yield failed(problem, wf.path, line,
                         fix=T("pin the action to a maintained major tag (or its full "
                               "commit SHA with a '# vN' comment)",
                               "fija la acción a una versión mayor mantenida (o a su SHA "
                               "completo con un comentario '# vN')"))


def _well_formed(state: CIState) -> Finding:
    actions = [parse_action(s.uses) for wf in state.workflows for j in wf.jobs
               for s in j.steps if s.uses]
    tagged = [a for a in actions if a.kind == "action" and not a.pinned]
    note = T(f"; {len(tagged)} action(s) pinned by tag, not by commit SHA",
             f"; {len(tagged)} acción(es) fijadas por etiqueta, no por SHA") \
        if tagged else T("", "")
    path, line = first_ci_file(state)
    return passed(T("CI scripts have no broken continuations and no action is "
                    "deprecated or floating", "los scripts de CI no tienen continuaciones "
                    "rotas y ninguna acción está obsoleta o flotante") + note, path, line)


@rule("CI011")
def ci_well_formed(ctx: Context, params: None) -> Iterator[Finding]:
    """CI011: no broken line continuations in CI scripts (SC1101); no deprecated,
    retired, archived or floating actions."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield no_ci()
        return
    problems = 0
    for error in state.broken:
        problems += 1
        yield failed(T(f"workflow does not parse: {error.message}",
                       f"el workflow no se puede leer: {error.message}"), error.path,
                     error.line)
    for finding in _continuations(ctx, state):
        problems += 1
        yield finding
    for wf in state.workflows:
        for finding in _actions(ctx, wf):
            problems += 1
            yield finding
    if not problems:
        yield _well_formed(state)
