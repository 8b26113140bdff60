"""PY003: the share of fully annotated public functions of the library code.

L1 some, L2 the configured ratio (50 % by default), L3 90 % (the rubric of levels.md).
The census is computed once per project and shared by the three levels. Files the
parser cannot read are named: a project whose requires-python excludes the running
interpreter is told it is a limit of the tool.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import (
    MAX_LISTED,
    decorator_names,
    generated_files,
    library_indexes,
    name_list,
    newer_than_parser,
    pct,
    running_python,
)


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _generated_note(ctx: Context) -> T:
    found = generated_files(ctx)
    if not found:
        return T("", "")
    return T(f"; {len(found)} generated file(s) left out ({name_list(found, 2)})",
             f"; {len(found)} archivo(s) generado(s) excluido(s) ({name_list(found, 2)})")


@dataclass(frozen=True)
class Def:
    path: str
    line: int
    name: str
    public: bool
    missing: tuple[str, ...]  # unannotated parameters, and "return" when the return is

    @property
    def typed(self) -> bool:
        return not self.missing


@dataclass
class Census:
    defs: list[Def] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def _missing_annotations(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool
                         ) -> tuple[str, ...]:
    args = node.args
    params = [*args.posonlyargs, *args.args]
    decorators = decorator_names(node)
    if method and "staticmethod" not in decorators and params:
        params = params[1:]
    missing = [a.arg for a in [*params, *args.kwonlyargs] if a.annotation is None]
    if args.vararg is not None and args.vararg.annotation is None:
        missing.append("*" + args.vararg.arg)
    if args.kwarg is not None and args.kwarg.annotation is None:
        missing.append("**" + args.kwarg.arg)
    if node.returns is None and node.name != "__init__":
        missing.append("return")
    return tuple(missing)


def _census_of(index: PythonIndex) -> list[Def]:
    defs: list[Def] = []

    def visit(body: list[ast.stmt], public: bool, in_class: bool) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                is_public = public and _is_public(node.name)
                defs.append(Def(index.path, node.lineno, node.name, is_public,
                                _missing_annotations(node, in_class)))
                visit(node.body, False, False)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, public and _is_public(node.name), True)
            else:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        visit([child], public, in_class)

    visit(index.tree.body, True, False)
    return defs


def type_census(ctx: Context) -> Census:
    """Every function of the project's library code with its missing annotations."""
    key = f"py:census:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is None:
        indexes, errors = library_indexes(ctx)
        cached = Census([d for index in indexes for d in _census_of(index)], errors)
        ctx.repo.memo[key] = cached
    census: Census = cached
    return census


def _worst_files(defs: list[Def]) -> list[tuple[str, int, int]]:
    per_file: dict[str, list[int]] = {}
    for d in defs:
        counts = per_file.setdefault(d.path, [0, 0])
        counts[0] += d.typed
        counts[1] += 1
    rows = [(path, typed, total) for path, (typed, total) in per_file.items() if typed < total]
    rows.sort(key=lambda r: (-(r[2] - r[1]), r[1] / r[2], r[0]))
    return rows


def _typing_finding(level: int, defs: list[Def], scope: T, ok: bool, minimum: T,
                    note: T | None = None) -> Finding:
    typed = sum(d.typed for d in defs)
    worst = _worst_files(defs)
    summary = T(f"{pct(typed, len(defs))} of ", f"{pct(typed, len(defs))} de ") + scope + T(
        f" fully typed (needs {minimum.en})", f" con tipos completos (se necesita {minimum.es})"
    ) + (note or T("", ""))
    if not worst:
        return passed(summary, level=level)
    listed = "; ".join(f"{p} {t}/{n}" for p, t, n in worst[:3])
    first_file = worst[0][0]
    first = next(d for d in defs if d.path == first_file and not d.typed)
    untyped = [f"{d.name}({', '.join(d.missing)})" for d in defs if not d.typed][:MAX_LISTED]
    message = summary + T(f"; least typed: {listed}", f"; menos tipados: {listed}")
    fix = T(f"annotate every parameter and the return type, e.g. {'; '.join(untyped)}",
            f"anota cada parámetro y el tipo de retorno, p. ej. {'; '.join(untyped)}")
    if ok:
        return passed(message, first.path, first.line, level)
    return failed(message, first.path, first.line, level, fix)


TYPED_L3 = 0.9  # levels.md, phase 1 level 3: "≥ 90 % annotated"


@rule("PY003")
def type_hint_coverage(ctx: Context, params: None) -> Iterator[Finding]:
    """PY003: share of fully annotated public functions (L1 some, L2 the configured
    ratio, 50 % by default, L3 90 %: the rubric of levels.md)."""
    census = type_census(ctx)
    newer = newer_than_parser(ctx) if census.errors else None
    for error in census.errors:
        if newer is not None:  # not the project's fault: a skip, not a warning
            yield skipped(T(f"cannot parse {error.path} with the Python {running_python()} parser "
                           f"this tool runs on ({error.message}); the project requires-python "
                           f"'{newer}', so this is probably newer syntax, a limit of the tool "
                           "and not a broken file; left out of the type-hint ratio",
                           f"no se puede analizar {error.path} con el parser de Python "
                           f"{running_python()} con el que corre la herramienta ({error.message}); "
                           f"el proyecto exige requires-python '{newer}', así que "
                           "probablemente es sintaxis más nueva, un límite de la herramienta y "
                           "no un archivo roto; fuera del ratio de tipos"),
                          error.path)
            continue
        yield warned(T(f"cannot parse {error.path}: {error.message}; left out of the type-hint "
                       "ratio (a template or Python 2 code?)",
                       f"no se puede analizar {error.path}: {error.message}; fuera del ratio de "
                       "tipos (¿una plantilla o código Python 2?)"), error.path, error.line,
                     fix=T("make the file valid Python 3, or move templates out of the "
                           "library code", "haz el archivo Python 3 válido, o saca las "
                           "plantillas del código de librería"))
    if not census.defs:
        reason = T("no functions in the library code", "no hay funciones en el código de "
                   "librería")
        yield skipped(reason)
        return
    public = [d for d in census.defs if d.public]
    ratio_min = ctx.thresholds.type_hint_ratio
    public_scope = T("public functions", "funciones públicas")
    if not public:
        for level in (1, 2, 3):
            yield skipped(T("no public functions in the library code",
                            "no hay funciones públicas en el código de librería"), level=level)
        return
    typed = sum(d.typed for d in public)
    note = _generated_note(ctx)
    yield _typing_finding(1, public, public_scope, typed >= 1, T("one", "una"), note)
    yield _typing_finding(2, public, public_scope, typed >= ratio_min * len(public),
                          T.same(f"{100 * ratio_min:.0f} %"), note)
    yield _typing_finding(3, public, public_scope, typed >= TYPED_L3 * len(public),
                          T.same(f"{100 * TYPED_L3:.0f} %"), note)
