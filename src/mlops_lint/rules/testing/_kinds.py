"""Data tests (TEST005) and model behaviour tests (TEST006): what makes a test one or the
other (what it calls and asserts, not only its file name), and the check both rules run
(:func:`kind_check`)."""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.python_source import literal
from mlops_lint.readers.served_model import served_model
from mlops_lint.readers.training import (
    last,
    locations,
    method,
    model_used,
    no_data,
    receiver,
    scope_walk,
    training_errors,
)
from mlops_lint.rules.testing._shared import Case, names_in, no_model, no_python, no_tests, suite

DATA_ATTRS = frozenset({"isna", "isnull", "notna", "notnull", "dtypes", "columns", "between",
                        "nunique", "duplicated", "is_unique", "hasnans", "select_dtypes",
                        "is_monotonic_increasing", "value_counts"})


PREDICT_METHODS = frozenset({"predict", "predict_proba", "decision_function", "transform"})


def _asserted(case: Case) -> list[ast.AST]:
    """Assertion expressions of a test: ``assert`` statements and assert_* helpers."""
    return case.asserted


DATA_FILE_NAMES = lazy_re.compile(r"^(test_)?(data|schema|validation|expectation)")


AGGREGATES = frozenset({"min", "max", "mean", "sum", "all", "any", "std", "median"})


def _column(node: ast.AST) -> bool:
    """``df["age"]`` or ``df.age``-style access by a literal column name."""
    return isinstance(node, ast.Subscript) and isinstance(literal(node.slice), str)


def _range_assertion(expr: ast.AST) -> bool:
    """``assert df["age"].min() >= 0``, ``assert (df["p"] <= 1).all()``: a range or
    value check on a column."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and method(node) in AGGREGATES:
            obj = receiver(node)
            if obj is not None and (_column(obj) or (isinstance(obj, ast.Compare) and any(
                    _column(n) for n in ast.walk(obj)))):
                return True
    return False


def data_test(case: Case) -> bool:
    """A test about the data: by its file name (test_data*, data_test.py, test_schema*),
    assertions on columns, dtypes, nulls, ranges or duplicates, a pandera / Great
    Expectations validation, or Great Expectations ``expect_*`` calls."""
    name = PurePosixPath(case.path).name
    if DATA_FILE_NAMES.match(name):
        return True
    for expr in _asserted(case):
        if _range_assertion(expr):
            return True
        for node in ast.walk(expr):
            if isinstance(node, ast.Attribute) and node.attr in DATA_ATTRS:
                return True
    for qual, call in case.calls():
        if qual.startswith(("pandera", "great_expectations")) or qual.startswith((
                "pandas.testing.assert_frame", "pandas.testing.assert_series")):
            return True
        if (method(call) or "").startswith("expect_"):
            return True
        if method(call) == "validate" and (case.index.imports("pandera") or
                                           case.index.imports("great_expectations")):
            return True
    return False


PREDICT_NAMES = lazy_re.compile(r"^(predict\w*|infer\w*|classify\w*|get_(label|prediction)s?|"
                                r"generate|forward|evaluate\w*)$")


MODEL_PARAMS = lazy_re.compile(r"^(model|predictor|pipeline|pipe|clf|classifier|regressor|"
                               r"estimator|net|network|learner)$|^(trained|fitted|loaded)_\w+|"
                               r"\w+_(model|predictor|pipeline|classifier|regressor)$")


NOT_PREDICTING = lazy_re.compile(r"^(assert\w*|isinstance|len|type|str|repr|id|hasattr|getattr|"
                                 r"\w*(fit|train|save|dump|load|clone|copy|deepcopy)\w*)$")


def _is_prediction(case: Case, qual: str, call: ast.Call, models: set[str]) -> bool:
    """A call that produces predictions: ``predict``/``predict_proba``, a prediction
    helper (``get_label(text, predictor=p)``, ``infer(...)``, ``evaluate(...)``), or the
    model fixture called directly (``model(x)``)."""
    name = method(call) or last(qual)
    if name in PREDICT_METHODS - {"transform"} or (name and PREDICT_NAMES.match(name)):
        return True
    if isinstance(call.func, ast.Name) and call.func.id in models:
        return True
    if isinstance(call.func, ast.Attribute) and call.func.attr in ("__call__",) and \
            isinstance(call.func.value, ast.Name) and call.func.value.id in models:
        return True
    values = [*call.args, *(k.value for k in call.keywords)]
    return bool(models) and not NOT_PREDICTING.match(name or "") and any(
        isinstance(v, ast.Name) and v.id in models for v in values)


def model_test(case: Case) -> bool:
    predictions: set[str] = set()
    predict_calls: list[ast.Call] = []
    models = {p for p in case.params if MODEL_PARAMS.search(p)}
    for qual, call in case.calls():
        if _is_prediction(case, qual, call, models):
            predict_calls.append(call)
    if not predict_calls:
        return False
    for node in scope_walk(case.node):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                node.value in predict_calls:
            for target in node.targets:
                predictions |= names_in(target)
    for expr in _asserted(case):
        if predictions & names_in(expr):
            return True
        if any(isinstance(n, ast.Call) and (n in predict_calls or method(n) == "score")
               for n in ast.walk(expr)):
            return True
    return False


def kind_check(ctx: Context, kind: str, predicate: object) -> Iterator[Finding]:
    found = suite(ctx)
    absent = no_python(ctx)
    if absent is not None:
        yield absent
        return
    if kind == "model" and not any(model_test(c) for c in found.cases):
        yield from training_errors(ctx)
        untested = no_model(ctx, own=True)
        if untested is not None:
            yield untested
            return
    if kind == "data" and not any(data_test(c) for c in found.cases) and \
            model_used(ctx) is None and served_model(ctx.repo) is None:
        # (a model served or scored has input data to test)
        yield from training_errors(ctx)
        untested = no_data(ctx, T("there is no model data to test",
                                  "no hay datos del modelo que probar"), no_model=True)
        if untested is not None:
            yield untested
            return
    if not found.cases:
        yield no_tests()
        return
    assert callable(predicate)
    hits = [c for c in found.cases if predicate(c)]
    labels = {"data": T("data test(s)", "test(s) de datos"),
              "model": T("model behaviour test(s)", "test(s) de comportamiento del modelo")}
    if hits:
        where = locations([(c.path, c.node.lineno) for c in hits], 3)
        yield passed(T(f"{len(hits)} {labels[kind].en}: {where}",
                       f"{len(hits)} {labels[kind].es}: {where}"),
                     hits[0].path, hits[0].node.lineno)
        return
    if kind == "data":
        yield failed(T("no data tests (a test_data*/test_schema*/test_validation* file, or "
                       "tests asserting on columns, dtypes, ranges or nulls)",
                       "no hay tests de datos (un archivo test_data*/test_schema*/"
                       "test_validation*, o tests que verifiquen columnas, dtypes, rangos o "
                       "nulos)"))
    else:
        yield failed(T("no model behaviour tests (predictions of the trained model, through "
                       "predict, a prediction helper or the model itself, with assertions on "
                       "shape, range, NaNs, determinism, invariance, direction or a metric)",
                       "no hay tests de comportamiento del modelo (predicciones del modelo "
                       "entrenado, con predict, una función de predicción o el propio modelo, "
                       "con aserciones de forma, rango, NaN, determinismo, invariancia, "
                       "dirección o métrica)"))
