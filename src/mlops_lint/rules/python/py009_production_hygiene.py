"""PY009: no print() and no silently swallowed broad exceptions in library code.

A command-line module (click, typer, argparse...), ``__main__.py`` and an
``if __name__ == "__main__"`` block may print, and so may scripts with a ``__main__``
block that no module imports (printing is their interface). Examples (files under an
``examples/`` folder) are not library code. A broad ``except`` that logs or re-raises
is fine; one that reports the error on stderr warns in library code (an entry script's
log channel is stderr); one that only passes or continues fails.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import library_indexes, statements, unparsed_note

CLI_MODULES = ("click", "typer", "argparse", "fire", "docopt")
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                         "log", "fatal", "msg"})
LOG_CALLS = ("warnings.warn", "traceback.print_exc", "sentry_sdk.capture_exception",
             "logging.exception", "logging.error", "logging.warning")
BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
MAX_HYGIENE_FINDINGS = 20


def _main_block_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            left = node.test.left
            if isinstance(left, ast.Name) and left.id == "__name__":
                end = getattr(node, "end_lineno", node.lineno) or node.lineno
                lines.update(range(node.lineno, end + 1))
    return lines


def _broad(handler: ast.ExceptHandler, index: PythonIndex) -> str | None:
    if handler.type is None:
        return "except:"
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for t in types:
        qual = index.qualname(t) or ""
        if qual in BROAD:
            return f"except {qual.rsplit('.', 1)[-1]}:"
    return None


def _logs_or_raises(body: list[ast.stmt], index: PythonIndex) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call):
                qual = index.qualname(node.func) or ""
                if qual in LOG_CALLS:
                    return True
                if isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS:
                    receiver = (index.qualname(node.func.value) or "").lower()
                    if "log" in receiver:
                        return True
    return False


def _names_in(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


def _writes_to_stderr(call: ast.Call, qual: str, index: PythonIndex) -> bool:
    """``sys.stderr.write(...)``, ``print(..., file=sys.stderr)`` or ``echo(..., err=True)``."""
    return qual == "sys.stderr.write" or (qual == "print" and any(
        k.arg == "file" and (index.qualname(k.value) or "") == "sys.stderr"
        for k in call.keywords)) or (qual.endswith(".echo") and any(
            k.arg == "err" and isinstance(k.value, ast.Constant) and k.value.value is True
            for k in call.keywords))


def _shows_error(call: ast.Call, handler: ast.ExceptHandler, index: PythonIndex) -> bool:
    """The call's arguments name the caught exception or format the traceback."""
    used = set().union(*(_names_in(a) for a in call.args)) if call.args else set()
    if handler.name and handler.name in used:
        return True
    return any(isinstance(n, ast.Call) and (index.qualname(n.func) or "") in (
        "traceback.format_exc", "traceback.format_exception")
        for a in call.args for n in ast.walk(a))


def _stderr_report(handler: ast.ExceptHandler, index: PythonIndex) -> bool:
    """The handler writes the exception to stderr: ``sys.stderr.write(f"...{ex}")``,
    ``print(..., ex, file=sys.stderr)``, or a traceback printer."""
    for stmt in handler.body:
        for node in ast.walk(stmt):
            if not isinstance(node, ast.Call):
                continue
            qual = index.qualname(node.func) or ""
            if qual in ("traceback.print_exc", "traceback.print_exception"):
                return True
            if _writes_to_stderr(node, qual, index) and _shows_error(node, handler, index):
                return True
    return False


def _only_swallows(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        return False
    return True


def _prints(index: PythonIndex, main_lines: set[int]) -> list[Finding]:
    """print() calls of a library module, outside its ``__main__`` block."""
    found = []
    for qual, call in index.calls:
        to_stderr = any(k.arg == "file" and (index.qualname(k.value) or "")
                        == "sys.stderr" for k in call.keywords)
        if qual == "print" and call.lineno not in main_lines and not (
                to_stderr and main_lines):  # an entry script's diagnostics
            found.append(failed(
                T("print() in library code; use logging",
                  "print() en código de librería; usa logging"),
                index.path, call.lineno,
                fix=T("logger = logging.getLogger(__name__); logger.info(...)",
                      "logger = logging.getLogger(__name__); logger.info(...)")))
    return found


def _handler_finding(node: ast.ExceptHandler, index: PythonIndex, entry: bool
                     ) -> Finding | None:
    """A broad except that neither logs nor re-raises (``entry``: the module is an entry
    script, whose log channel is stderr)."""
    broad = _broad(node, index)
    if broad is None or _logs_or_raises(node.body, index):
        return None
    if _stderr_report(node, index):
        if entry:
            return None  # an entry script: stderr is its log channel
        return warned(
            T(f"'{broad}' reports the error on stderr instead of logging it "
              "(library code)", f"'{broad}' informa del error por stderr en lugar de "
              "registrarlo con logging (código de librería)"), index.path, node.lineno,
            fix=T("use logger.exception(...) (or logger.warning(..., exc_info=True)) "
                  "so that the application decides where errors go",
                  "usa logger.exception(...) (o logger.warning(..., exc_info=True)) "
                  "para que la aplicación decida adónde van los errores"))
    if _only_swallows(node.body):
        return failed(
            T(f"'{broad}' swallows the error (pass/continue) without logging or "
              "re-raising", f"'{broad}' se traga el error (pass/continue) sin "
              "registrarlo ni relanzarlo"), index.path, node.lineno,
            fix=T("catch the specific exception, and log it (logger.exception) or "
                  "re-raise", "captura la excepción concreta, y regístrala "
                  "(logger.exception) o relánzala"))
    return warned(
        T(f"'{broad}' handles the error without logging or re-raising it",
          f"'{broad}' maneja el error sin registrarlo ni relanzarlo"),
        index.path, node.lineno)


def _module_findings(index: PythonIndex, script: bool) -> list[Finding]:
    """The print() calls (not in a ``script``: an example or a standalone script) and
    broad excepts of one library module."""
    name = PurePosixPath(index.path).name
    cli = script or name == "__main__.py" or any(index.imports(m) for m in CLI_MODULES)
    main_lines = _main_block_lines(index.tree)
    findings = [] if cli else _prints(index, main_lines)
    for node in statements(index.tree):
        if isinstance(node, ast.ExceptHandler):
            found = _handler_finding(node, index, cli or bool(main_lines))
            if found is not None:
                findings.append(found)
    return findings


EXAMPLE_DIRS = frozenset({"examples", "example"})


def _imported_names(indexes: list[PythonIndex]) -> set[str]:
    """Every component of every module the files import (``from pkg.tool import run``
    gives pkg, tool and run): a module whose name is among them may be imported."""
    names: set[str] = set()
    for index in indexes:
        for origin in index.aliases.values():
            names.update(origin.split("."))
        for node in index.of_type(ast.ImportFrom):
            names.update((node.module or "").split("."))
            names.update(a.name for a in node.names)
    return names


def _example(index: PythonIndex) -> bool:
    """A file under an ``examples/`` folder: a usage example, not library code."""
    return bool({p.lower() for p in PurePosixPath(index.path).parts[:-1]} & EXAMPLE_DIRS)


def _standalone_script(index: PythonIndex, imported: set[str]) -> bool:
    """A script with an ``if __name__ == "__main__":`` block that no module of the project
    imports: printing is its interface."""
    return bool(_main_block_lines(index.tree)) and \
        PurePosixPath(index.path).stem not in imported


@rule("PY009")
def production_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """PY009: no print() and no silently swallowed broad exceptions in library code."""
    indexes, errors = library_indexes(ctx)
    imported = _imported_names(indexes)
    indexes = [i for i in indexes if not _example(i)]
    if not indexes:
        yield skipped(T("no library Python code", "no hay código Python de librería"))
        return
    findings: list[Finding] = []
    for index in indexes:
        findings += _module_findings(index, _standalone_script(index, imported))
    yield from findings[:MAX_HYGIENE_FINDINGS]
    if len(findings) > MAX_HYGIENE_FINDINGS:
        extra = len(findings) - MAX_HYGIENE_FINDINGS
        yield failed(T(f"... and {extra} more print()/except findings",
                       f"... y {extra} hallazgos más de print()/except"))
    if not findings:
        yield passed(T(f"no print() and no swallowed broad exceptions in {len(indexes)} "
                       "library file(s)", f"sin print() ni excepciones genéricas tragadas en "
                       f"{len(indexes)} archivo(s) de librería") + unparsed_note(errors, ctx))
