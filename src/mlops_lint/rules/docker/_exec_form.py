"""DOCK001's exec form of CMD and ENTRYPOINT: what is wrong with a shell-form (or broken
exec-form) instruction, and its fix built from the instruction's own command.
"""

from __future__ import annotations

import json
import shlex

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.parsers.dockerfile import Instruction


def exec_problem(inst: Instruction, entrypoint: Instruction | None = None) -> T | None:
    """What keeps the process from being PID 1, or ``None``. A shell form that starts
    with ``exec`` hands PID 1 to the process (``CMD exec gunicorn ...``), unless it is a
    CMD after an ENTRYPOINT, which receives it as arguments."""
    if inst.exec_args is not None:
        return None
    if not inst.exec_form and inst.args.lstrip().startswith("exec ") and not (
            inst.cmd == "CMD" and entrypoint is not None):
        return None
    if inst.exec_form:
        return T(f"{inst.cmd} at line {inst.line} looks like exec form but is not a valid "
                 "JSON array of strings (use double quotes): Docker runs it through "
                 "/bin/sh -c",
                 f"{inst.cmd} en la línea {inst.line} parece forma exec pero no es un array "
                 "JSON de cadenas válido (usa comillas dobles): Docker lo ejecuta con "
                 "/bin/sh -c")
    return T(f"{inst.cmd} at line {inst.line} is in shell form: the process runs under "
             "/bin/sh -c as PID 1 and never receives SIGTERM",
             f"{inst.cmd} en la línea {inst.line} está en forma shell: el proceso corre bajo "
             "/bin/sh -c como PID 1 y nunca recibe SIGTERM")


_EXPANSION = lazy_re.compile(r"\$(\{|[A-Za-z_])")


_CONTROL = lazy_re.compile(r"&&|[;|`]|\$\(|&\s*$")  # redirections (2>&1) are fine with exec


_MAX_FIX_COMMAND = 300


def exec_form_fix(inst: Instruction) -> T:
    """The exec form of a shell-form CMD/ENTRYPOINT, built from its own command: a JSON
    array of its words; ``["/bin/sh", "-c", "exec …"]`` when it relies on variable
    expansion (the shell still expands, and exec hands PID 1 to the process)."""
    text = " ".join(inst.args.split())
    generic = T(f'Write {inst.cmd} as a JSON array of strings with double quotes, e.g. '
                f'{inst.cmd} ["uvicorn", "app.main:app", "--host", "0.0.0.0"].',
                f'Escribe {inst.cmd} como array JSON de cadenas con comillas dobles, p. ej. '
                f'{inst.cmd} ["uvicorn", "app.main:app", "--host", "0.0.0.0"].')
    if inst.exec_form or not text or len(text) > _MAX_FIX_COMMAND:
        return generic
    if _CONTROL.search(text):
        return T(f"Move the shell logic of {inst.cmd} into an entrypoint script that ends "
                 f'with exec (exec "$@"), and call it in exec form: {inst.cmd} '
                 '["/entrypoint.sh"].',
                 f"Lleva la lógica de shell de {inst.cmd} a un script de entrada que termine "
                 f'con exec (exec "$@") y llámalo en forma exec: {inst.cmd} '
                 '["/entrypoint.sh"].')
    if _EXPANSION.search(text):
        wrapped = json.dumps(["/bin/sh", "-c", "exec " + text.removeprefix("exec ")])
        return T(f"It relies on variable expansion, so keep the shell but let exec replace "
                 f"it: {inst.cmd} {wrapped}.",
                 f"Depende de la expansión de variables: conserva la shell pero deja que exec "
                 f"la reemplace: {inst.cmd} {wrapped}.")
    try:
        words = shlex.split(text)
    except ValueError:
        return generic
    if words and words[0] == "exec":
        words = words[1:]
    if not words:
        return generic
    return T(f"Write it as a JSON array: {inst.cmd} {json.dumps(words)}.",
             f"Escríbelo como array JSON: {inst.cmd} {json.dumps(words)}.")
