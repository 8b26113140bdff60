"""ML006: model selection uses cross-validation.

K-fold style splitters with ``cross_val_score``/``cross_validate``, a loop over a
splitter's folds, a hyper-parameter search with an explicit ``cv=``, or a boosting
library's own ``cv`` (:data:`BOOSTING_CV`). Default folds and a splitter never used are
warnings; so is an Optuna study without cross-validation. The fix names the splitter
that fits the task (:func:`task_kind`).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.python_source import PythonIndex, call_arg
from mlops_lint.readers.training import (
    config_errors,
    frameworks,
    last,
    method,
    no_training,
    nodes_of,
    not_applicable_to,
    receiver,
    skips,
    target_key,
    training_errors,
    uses_any,
    values_of,
)
from mlops_lint.rules import rule
from mlops_lint.rules.ml._shared import (
    CV_FUNCTIONS,
    SEARCHES,
    SPLITTERS,
    Analysis,
    analysis,
    call_name,
    sk,
    source_errors,
)


def _is_cv_split(index: PythonIndex, call: ast.Call) -> bool:
    """``splitter.split(X, y)`` where the receiver is (bound to) a CV splitter."""
    obj = receiver(call)
    if method(call) != "split" or obj is None or any(
            isinstance(a, ast.Constant) for a in call.args):
        return False
    if isinstance(obj, ast.Call):
        return call_name(index, obj) in SPLITTERS
    key = target_key(obj) if isinstance(obj, ast.Name | ast.Attribute) else None
    if key is None:
        return False
    values = values_of(index, call, key)
    return bool(values) and isinstance(values[-1], ast.Call) and \
        call_name(index, values[-1]) in SPLITTERS


def _explicit_cv(node: ast.expr | None) -> bool:
    """``cv=`` given as a splitter (object or name), not omitted, ``None`` or an int."""
    if node is None:
        return False
    return not (isinstance(node, ast.Constant) and (node.value is None or
                                                    isinstance(node.value, int)))


@dataclass
class CvUsage:
    splitters: list[tuple[PythonIndex, ast.Call]] = field(default_factory=list)
    consumers: list[tuple[PythonIndex, ast.Call, str]] = field(default_factory=list)
    loops: list[tuple[str, int]] = field(default_factory=list)
    optuna: tuple[str, int] | None = None


def _cv_loops(index: PythonIndex) -> list[tuple[str, int]]:
    if not uses_any(index, ("sklearn",)) and not any(
            method(c) == "split" for _, c in index.calls):
        return []
    return [(index.path, node.lineno) for node in nodes_of(index, ast.For)
            if any(isinstance(n, ast.Call) and _is_cv_split(index, n)
                   for n in ast.walk(node.iter))]


def _cv_usage(an: Analysis) -> CvUsage:
    usage = CvUsage()
    for index in an.indexes:
        for qual, call in index.calls:
            name = last(qual)
            if sk(qual) and name in SPLITTERS:
                usage.splitters.append((index, call))
            elif sk(qual) and (name in CV_FUNCTIONS or name in SEARCHES):
                usage.consumers.append((index, call, name))
            elif qual.startswith("optuna.") and name == "create_study":
                usage.optuna = usage.optuna or (index.path, call.lineno)
        usage.loops.extend(_cv_loops(index))
    return usage


BOOSTING_CV = frozenset({"xgboost.cv", "lightgbm.cv", "catboost.cv"})


def task_kind(an: Analysis) -> str | None:
    """``classification`` or ``regression`` from the estimators and metrics the project
    uses; ``None`` when the code does not tell."""
    votes = {"classification": 0, "regression": 0}
    for index in an.indexes:
        for qual, _ in index.calls:
            name = last(qual)
            if name.endswith(("Classifier", "ClassifierCV")) or name in (
                    "LogisticRegression", "SVC", "LinearSVC", "f1_score", "roc_auc_score",
                    "accuracy_score", "precision_score", "recall_score", "StratifiedKFold"):
                votes["classification"] += 1
            elif name.endswith("Regressor") or name in (
                    "LinearRegression", "Ridge", "Lasso", "ElasticNet", "SVR",
                    "mean_squared_error", "mean_absolute_error", "r2_score",
                    "root_mean_squared_error"):
                votes["regression"] += 1
    if votes["classification"] == votes["regression"]:
        return None
    return max(votes, key=lambda k: votes[k])


def _cv_fix(an: Analysis) -> T:
    kind = task_kind(an)
    if kind == "regression":
        text = "cv=KFold(n_splits=5, shuffle=True, random_state=42)"
        return T(text, text)
    if kind == "classification":
        text = "cv=StratifiedKFold(n_splits=5, shuffle=True, random_state=42)"
        return T(text, text)
    return T("cv=KFold(n_splits=5, shuffle=True, random_state=42) (StratifiedKFold for a "
             "classifier)", "cv=KFold(n_splits=5, shuffle=True, random_state=42) "
             "(StratifiedKFold para un clasificador)")


@rule("ML006")
def cross_validation(ctx: Context, params: None) -> Iterator[Finding]:
    """ML006: K-fold style splitters with cross_val_score/cross_validate, a fold loop, or a
    hyper-parameter search with ``cv=``."""
    an = analysis(ctx)
    yield from source_errors(an)
    yield from skips(config_errors(ctx))
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no model to cross-validate",
                                   "no hay modelo que validar de forma cruzada"))
    if untrained is not None:
        yield untrained
        return
    usage = _cv_usage(an)
    splitters, consumers, loops, optuna = (usage.splitters, usage.consumers, usage.loops,
                                           usage.optuna)
    explicit = [(i, c, n) for i, c, n in consumers if _explicit_cv(call_arg(c, "cv"))]
    if explicit or (splitters and loops):
        if explicit:
            index, call, name = explicit[0]
            path, line = index.path, call.lineno
        else:
            path, line = loops[0]
            name = "a fold loop"
        yield passed(T(f"cross-validation with an explicit splitter ({name}) at {path}:{line}",
                       f"validación cruzada con un divisor explícito ({name}) en "
                       f"{path}:{line}"), path, line)
        return
    if consumers:
        index, call, name = consumers[0]
        yield warned(T(f"{name} at {index.path}:{call.lineno} uses default folds (cv=None or "
                       "an integer): unshuffled, unseeded",
                       f"{name} en {index.path}:{call.lineno} usa los pliegues por defecto "
                       "(cv=None o un entero): sin barajar ni semilla"),
                     index.path, call.lineno, fix=_cv_fix(an))
        return
    if splitters:
        index, call = splitters[0]
        yield warned(T(f"a {call_name(index, call)} is created at {index.path}:{call.lineno} "
                       "but never used for cross-validation",
                       f"se crea un {call_name(index, call)} en {index.path}:{call.lineno} "
                       "pero no se usa para validación cruzada"), index.path, call.lineno)
        return
    boosted = next(((index.path, call.lineno, qual) for index in an.indexes
                    for qual, call in index.calls if qual in BOOSTING_CV), None)
    if boosted:
        yield passed(T(f"cross-validation with {boosted[2]} at {boosted[0]}:{boosted[1]}",
                       f"validación cruzada con {boosted[2]} en {boosted[0]}:{boosted[1]}"),
                     boosted[0], boosted[1])
        return
    found = frameworks(ctx)
    if found.deep_learning and found.not_sklearn() is not None:
        skip = not_applicable_to(ctx, T(
            "K-fold cross-validation is not expected (training a deep model k times is rarely "
            "affordable); the held-out validation split is judged by ML005",
            "no se espera validación cruzada K-fold (entrenar k veces un modelo profundo rara "
            "vez es asumible); la división de validación la juzga ML005"))
        if skip is not None:
            yield skip
            return
    if optuna:
        yield warned(T(f"an Optuna study at {optuna[0]}:{optuna[1]} without cross-validation in "
                       "the objective", f"un estudio de Optuna en {optuna[0]}:{optuna[1]} sin "
                       "validación cruzada en el objetivo"), *optuna)
        return
    yield failed(T("no cross-validation (KFold/StratifiedKFold with cross_val_score, "
                   "cross_validate or GridSearchCV(cv=...), or xgboost/lightgbm .cv)",
                   "no hay validación cruzada (KFold/StratifiedKFold con cross_val_score, "
                   "cross_validate o GridSearchCV(cv=...), o .cv de xgboost/lightgbm)"),
                 fix=_cv_fix(an))
