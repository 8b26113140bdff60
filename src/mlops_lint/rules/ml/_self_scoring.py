"""ML005's check (c): a model scored or predicted only on the very data it was just
fitted on.

In a published library, a function that fits and predicts on an array it received as a
parameter runs an algorithm on its caller's data (a leave-one-out estimate, a
transductive step); that is not an evaluation of a model of the library's, and is not
warned about.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.model import Finding, T, warned
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.readers.training import calls_in, method, nodes_of, receiver, short

SCORES = ("predict", "predict_proba", "score", "decision_function")


def _parameters(scope: ast.AST) -> frozenset[str]:
    """The parameter names of a function (none for a module)."""
    if not isinstance(scope, ast.FunctionDef | ast.AsyncFunctionDef):
        return frozenset()
    args = scope.args
    named = [*args.posonlyargs, *args.args, *args.kwonlyargs, args.vararg, args.kwarg]
    return frozenset(a.arg for a in named if a is not None)


def _scored_on(calls: list[ast.Call], fit: ast.Call) -> tuple[list[ast.Call], bool]:
    """The later scoring calls of the fitted object on the fit's data, and whether it is
    also scored on other data."""
    key = ast.dump(receiver(fit) or fit.func)
    data = ast.dump(fit.args[0])
    later = [c for c in calls if c.lineno >= fit.lineno and c is not fit and
             method(c) in SCORES and c.args and
             ast.dump(c.func.value if isinstance(c.func, ast.Attribute) else c.func) == key]
    return [c for c in later if ast.dump(c.args[0]) == data], \
        any(ast.dump(c.args[0]) != data for c in later)


def train_evaluation(index: PythonIndex, library: bool = False) -> Iterator[Finding]:
    """Warn where a model is scored on the very data it was fitted on (and nowhere else);
    in a library, not where that data is a parameter of the function (the caller's)."""
    scopes = [index.tree, *nodes_of(index, ast.FunctionDef, ast.AsyncFunctionDef)]
    for scope in scopes:
        calls = calls_in(scope)
        callers = _parameters(scope) if library else frozenset()
        for fit in calls:
            if receiver(fit) is None or method(fit) != "fit" or not fit.args:
                continue
            if isinstance(fit.args[0], ast.Name) and fit.args[0].id in callers:
                continue
            same, other = _scored_on(calls, fit)
            if same and not other:
                call = same[0]
                yield warned(T(f"{short(call)} at {index.path}:{call.lineno} evaluates the model "
                               "on the data it was just fitted on",
                               f"{short(call)} en {index.path}:{call.lineno} evalúa el modelo "
                               "con los mismos datos con que se acaba de ajustar"),
                             index.path, call.lineno,
                             fix=T("report metrics on the test split (or cross-validation)",
                                   "reporta las métricas sobre el conjunto de prueba (o con "
                                   "validación cruzada)"))
