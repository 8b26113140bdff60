"""PY011: cyclomatic complexity and maintainability index of library code.

radon's metrics, computed by :mod:`mlops_lint.parsers.python_metrics` from the syntax
tree already parsed (radon's own visitor per file, no second parse).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from radon.complexity import cc_rank
from radon.metrics import mi_compute, mi_rank
from radon.raw import analyze
from radon.visitors import Function

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_metrics import complexity_blocks, halstead_volume
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import library_indexes, unparsed_note


def _functions(blocks: list[Any]) -> Iterator[Function]:
    for block in blocks:
        if isinstance(block, Function):
            yield block
            yield from _functions(list(block.closures))


def _maintainability(index: PythonIndex, text: str, total_complexity: int) -> float:
    """radon's maintainability index, from the tree already parsed.

    The comment term only raises the index and it falls as the line count grows, so the
    index computed with every physical line and no comments is a lower bound: when that
    bound is already grade A the tokenizer pass for logical lines and comments is skipped.
    """
    volume = halstead_volume(index.tree)
    bound = float(mi_compute(volume, total_complexity, text.count("\n") + 1, 0))
    if mi_rank(bound) == "A":
        return bound
    raw = analyze(text)
    comments = (raw.comments + raw.multi) / raw.sloc * 100 if raw.sloc else 0
    return float(mi_compute(volume, total_complexity, raw.lloc, comments))


@rule("PY011")
def complexity(ctx: Context, params: None) -> Iterator[Finding]:
    """PY011: cyclomatic complexity and maintainability index (radon's metrics, computed
    by :mod:`mlops_lint.parsers.python_metrics`) of library code."""
    indexes, errors = library_indexes(ctx)
    limit = ctx.thresholds.max_complexity
    functions: list[tuple[str, Function]] = []
    modules: list[tuple[str, float]] = []
    for index in indexes:
        text = ctx.repo.text(index.path)
        if isinstance(text, ParseError):  # pragma: no cover - parsed above, so readable
            continue
        try:
            blocks, total_complexity = complexity_blocks(index.tree)
            mi = _maintainability(index, text, total_complexity)
        except Exception as exc:  # radon on odd but valid code: leave the file out, say so
            errors.append(ParseError(index.path, f"radon: {type(exc).__name__}"))
            continue
        functions += [(index.path, f) for f in _functions(blocks)]
        modules.append((index.path, mi))
    if not functions:
        yield skipped(T("no functions in the library code", "no hay funciones en el código de "
                        "librería") + unparsed_note(errors, ctx))
        return
    over = sorted(((p, f) for p, f in functions if f.complexity > limit),
                  key=lambda item: (-item[1].complexity, item[0], item[1].lineno))
    for path, func in over[:10]:
        name = f"{func.classname}.{func.name}" if func.classname else func.name
        yield failed(T(f"{name} has cyclomatic complexity {func.complexity} (grade "
                       f"{cc_rank(func.complexity)}; limit {limit})",
                       f"{name} tiene complejidad ciclomática {func.complexity} (grado "
                       f"{cc_rank(func.complexity)}; límite {limit})"), path, func.lineno, 2,
                     fix=T("split it into smaller functions (extract the branches)",
                           "divídela en funciones más pequeñas (extrae las ramas)"))
    worst = max(functions, key=lambda item: item[1].complexity)
    if not over:
        yield passed(T(f"{len(functions)} functions, highest complexity "
                       f"{worst[1].complexity} ({worst[1].name})",
                       f"{len(functions)} funciones, complejidad máxima {worst[1].complexity} "
                       f"({worst[1].name})") + unparsed_note(errors, ctx), worst[0],
                     worst[1].lineno, 2)
    mean = sum(f.complexity for _, f in functions) / len(functions)
    low_mi = sorted((m for m in modules if mi_rank(m[1]) != "A"), key=lambda m: m[1])
    problems = []
    if cc_rank(mean) != "A":
        problems.append(T(f"mean complexity {mean:.1f} is grade {cc_rank(mean)} (A needs <= 5)",
                          f"la complejidad media {mean:.1f} es grado {cc_rank(mean)} (A exige "
                          "<= 5)"))
    if low_mi:
        listed = ", ".join(f"{p} {mi:.0f}" for p, mi in low_mi[:3])
        problems.append(T(f"maintainability index below grade A (20) in {listed}",
                          f"índice de mantenibilidad bajo el grado A (20) en {listed}"))
    if problems:
        path, line = (low_mi[0][0], 1) if low_mi else (worst[0], worst[1].lineno)
        yield failed(T.join(problems), path, line, 3)
    else:
        yield passed(T(f"mean complexity {mean:.1f} (A); every module has maintainability "
                       "grade A", f"complejidad media {mean:.1f} (A); todos los módulos tienen "
                       "mantenibilidad A"), level=3)
