"""ML005: a train/test split exists, nothing is fitted before it, evaluation is on
held-out data.

A split is scikit-learn's (``train_test_split``, a splitter, cross-validation), one done by
hand (a random draw or a slice naming both train and held-out data), or a framework's
(``validation_split=``, a held-out dataloader). A transformer or target encoder fitted
before the split, and an evaluation on training data, are leaks.

In a published library (:mod:`mlops_lint.readers.project_kind`), a fit and predict on
the caller's arrays (parameters of the function) is an algorithm, not an evaluation
(:mod:`mlops_lint.rules.ml._self_scoring`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.training import (
    CONFIG_YAML,
    Evidence,
    assignments,
    calls_in,
    config_errors,
    every_call,
    frameworks,
    last,
    method,
    no_training,
    nodes_of,
    receiver,
    scope_of,
    short,
    skips,
    target_key,
    training_errors,
    uses_any,
    values_of,
)
from mlops_lint.rules import rule
from mlops_lint.rules.ml._self_scoring import train_evaluation
from mlops_lint.rules.ml._shared import (
    CV_FUNCTIONS,
    FIT_METHODS,
    SEARCHES,
    SPLITTERS,
    TARGET_ENCODERS,
    Analysis,
    analysis,
    call_name,
    sk,
    source_errors,
)
from mlops_lint.rules.ml._splits import framework_splits

DROP_KEYS = lazy_re.compile(r"^(drop_?(columns|cols|features)|(columns|cols|features)_to_drop|"
                            r"(leak(age|y)|excluded?|target_derived)_(columns|cols|features))$",
                            re.IGNORECASE)


def _split_calls(an: Analysis) -> list[tuple[PythonIndex, ast.Call]]:
    out = []
    for index in an.indexes:
        for qual, call in index.calls:
            name = last(qual)
            if sk(qual) and (name == "train_test_split" or name in SPLITTERS or
                              name in CV_FUNCTIONS or name in SEARCHES):
                out.append((index, call))
    return out


def _drop_list(ctx: Context, an: Analysis, errors: list[ParseError]
               ) -> tuple[str, int | None] | None:
    """A configured list of columns to drop (YAML key or config-model field)."""
    for path in ctx.files(CONFIG_YAML):
        data = ctx.repo.yaml(path)
        if isinstance(data, ParseError):
            errors.append(data)
        elif _has_drop_key(data):
            return path, None
    for index in an.indexes:
        for node in nodes_of(index, ast.AnnAssign):
            if isinstance(node.target, ast.Name) and \
                    DROP_KEYS.match(node.target.id):
                return index.path, node.lineno
    return None


def _has_drop_key(data: object, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if isinstance(data, dict):
        return any((isinstance(k, str) and DROP_KEYS.match(k)) or _has_drop_key(v, depth + 1)
                   for k, v in data.items())
    if isinstance(data, list):
        return any(_has_drop_key(v, depth + 1) for v in data)
    return False


def _target_encoder(index: PythonIndex, scope: ast.AST, obj: ast.expr) -> bool:
    """``LabelEncoder()`` (or a name bound to one): encoding the target is not leakage."""
    if isinstance(obj, ast.Call):
        return call_name(index, obj) in TARGET_ENCODERS
    if isinstance(obj, ast.Name):
        values = assignments(scope, obj.id)
        return bool(values) and isinstance(values[-1], ast.Call) and \
            call_name(index, values[-1]) in TARGET_ENCODERS
    return False


def _fit_before_split(an: Analysis, splits: list[tuple[PythonIndex, ast.Call]]
                      ) -> Iterator[Finding]:
    """Heuristic (b): fit/fit_transform before train_test_split in the same function."""
    for index, split in splits:
        if call_name(index, split) != "train_test_split":
            continue
        scope = scope_of(index, split)
        for call in calls_in(scope):
            obj = receiver(call)
            if call.lineno >= split.lineno or method(call) not in ("fit", "fit_transform") \
                    or obj is None or _target_encoder(index, scope, obj):
                continue
            yield warned(T(f"{short(call)} at {index.path}:{call.lineno} is fitted on the full "
                           f"dataset before the split at line {split.lineno}",
                           f"{short(call)} en {index.path}:{call.lineno} se ajusta con todo el "
                           f"dataset antes de la división de la línea {split.lineno}"),
                         index.path, call.lineno,
                         fix=T("split first, then fit preprocessing inside the Pipeline on the "
                               "training part only", "divide primero y ajusta el "
                               "preprocesamiento dentro del Pipeline solo con la parte de "
                               "entrenamiento"))


TABLE_READERS = frozenset({"read_csv", "read_parquet", "read_excel", "read_feather",
                           "read_table", "read_sql", "read_sql_query", "read_orc", "scan_csv",
                           "scan_parquet", "DataFrame"})


def _framework_training(an: Analysis) -> list[tuple[str, int]]:
    """Training without a ``.fit()``: ``loss.backward()``, ``xgboost.train`` /
    ``lightgbm.train``, ``trainer.train()`` on a ``*Trainer(...)``."""
    out: list[tuple[str, int]] = []
    for index in an.indexes:
        for qual, call in index.calls:
            name = last(qual)
            obj = receiver(call)
            if (name == "backward" and index.imports("torch")) or qual in (
                    "xgboost.train", "lightgbm.train"):
                out.append((index.path, call.lineno))
            elif name == "train" and isinstance(obj, ast.Name | ast.Attribute):
                key = target_key(obj)
                values = values_of(index, call, key) if key else []
                if values and isinstance(values[-1], ast.Call) and \
                        call_name(index, values[-1]).endswith("Trainer"):
                    out.append((index.path, call.lineno))
    return out


def _drop_in_code(an: Analysis) -> tuple[str, int] | None:
    """Columns dropped by a literal list in the code: ``df.drop(columns=["id", ...])``."""
    for index in an.indexes:
        for qual, call in index.calls:
            if last(qual) != "drop":
                continue
            value = call_arg(call, "columns")
            if value is None and literal(call_arg(call, "axis")) in (1, "columns"):
                value = call_arg(call, "labels", 0)
            items = literal(value)
            if isinstance(items, list | tuple) and items and \
                    all(isinstance(i, str) for i in items):
                return index.path, call.lineno
    return None


TEXT_FEATURIZERS = frozenset({"TfidfVectorizer", "CountVectorizer", "HashingVectorizer",
                              "TfidfTransformer"})
TABULAR_PREP = frozenset({"ColumnTransformer", "make_column_transformer", "OneHotEncoder",
                          "OrdinalEncoder", "TargetEncoder", "StandardScaler", "MinMaxScaler",
                          "RobustScaler", "SimpleImputer", "KNNImputer", "get_dummies"})


def _text_only(an: Analysis) -> tuple[str, int, str] | None:
    """Where the features are made from text alone: a text vectoriser (TF-IDF, counts,
    hashing) or a tokenizer, and no tabular preprocessing (encoders, scalers, imputers,
    a ColumnTransformer)."""
    text: tuple[str, int, str] | None = None
    for index in an.indexes:
        for qual, call in every_call(index):
            name = last(qual) if qual else (method(call) or "")
            if name in TABULAR_PREP:
                return None
            if text is None and (name in TEXT_FEATURIZERS or name.endswith("Tokenizer") or
                                 (name == "from_pretrained" and "Tokenizer" in qual)):
                text = (index.path, call.lineno, name if name != "from_pretrained" else qual)
    return text


def _reads_tables(an: Analysis) -> bool:
    """Whether the project code reads tabular data (where columns can leak the target)."""
    return any(last(qual) in TABLE_READERS for index in an.indexes for qual, _ in index.calls)


def _fits(an: Analysis) -> list[tuple[str, int]]:
    """Where a model is fitted: ``.fit()`` and the like, or training without one."""
    return [(index.path, call.lineno) for index in an.indexes
            for _, call in (every_call(index) if uses_any(index) else index.calls)
            if method(call) in FIT_METHODS] + _framework_training(an)


def _leaks(an: Analysis, splits: list[tuple[PythonIndex, ast.Call]],
           library: bool) -> list[Finding]:
    """Transformers fitted before the split; models scored on the data they were fitted
    on (in a library, not on the caller's arrays)."""
    problems = list(_fit_before_split(an, splits))
    for index in an.indexes:
        if any(method(call) == "fit" for _, call in index.calls) or uses_any(index):
            problems.extend(train_evaluation(index, library))
    return problems


def _columns(drop: tuple[str, int | None] | None, in_code: tuple[str, int] | None,
             tabular: bool, other: tuple[str, Evidence] | None) -> T:
    """What the project does about the columns that can leak the target."""
    if drop is not None:
        where = f"{drop[0]}:{drop[1]}" if drop[1] else drop[0]
        return T(f"columns to drop configured in {where}",
                 f"columnas a eliminar configuradas en {where}")
    if in_code is not None and tabular:
        return T(f"columns dropped in code at {in_code[0]}:{in_code[1]} (listing them in "
                 "the configuration makes them easier to review)",
                 f"columnas eliminadas en el código en {in_code[0]}:{in_code[1]} "
                 "(listarlas en la configuración las hace más fáciles de revisar)")
    label = other[0] if other else ""
    return T(f"the model is trained with {label} and no table is read, so no list of "
             "columns to drop applies", f"el modelo se entrena con {label} y no se lee "
             "ninguna tabla, así que no aplica una lista de columnas a eliminar")


def _verdict(held: tuple[PythonIndex, ast.Call, str] | None,
             splits: list[tuple[PythonIndex, ast.Call]],
             others: list[tuple[str, int, str]], columns: T) -> Finding:
    """The pass: where the held-out data comes from, and the columns."""
    if held is not None:
        index, call, data = held
        return passed(T(f"no split in the code, but the model is evaluated on a separate "
                        f"dataset ({short(call)} on {data} at {index.path}:{call.lineno}); ",
                        f"no hay división en el código, pero el modelo se evalúa con otro "
                        f"dataset ({short(call)} sobre {data} en {index.path}:{call.lineno}); ")
                      + columns, index.path, call.lineno)
    if splits:
        index, split = splits[0]
        return passed(T(f"data split at {index.path}:{split.lineno}, nothing fitted before it, "
                        "evaluation on held-out data, ",
                        f"datos divididos en {index.path}:{split.lineno}, nada se ajusta antes, "
                        "evaluación con datos reservados, ") + columns, index.path, split.lineno)
    path, line, how = others[0]
    return passed(T(f"held-out data set aside with {how} at {path}:{line}; ",
                    f"datos reservados con {how} en {path}:{line}; ") + columns, path, line)


def _column_review(ctx: Context, an: Analysis) -> tuple[list[Finding], Finding | None, T]:
    """The columns that can leak the target: files that could not be read (skips), a
    warning when nothing says which identifier or target-derived columns are dropped, and
    the text of the pass."""
    read_errors: list[ParseError] = []
    drop = _drop_list(ctx, an, read_errors)
    notes = list(skips([*read_errors, *config_errors(ctx)]))
    other = frameworks(ctx).not_sklearn()
    tabular = other is None or _reads_tables(an)
    in_code = _drop_in_code(an) if drop is None else None
    text_only = _text_only(an) if drop is None and in_code is None else None
    warning = None
    if drop is None and tabular and in_code is None and text_only is None:
        warning = warned(T(
            "no configured list of columns to drop (drop_columns or similar) for identifiers "
            "and target-derived features", "no hay una lista configurada de columnas a "
            "eliminar (drop_columns o similar) para identificadores y variables derivadas del "
            "objetivo"), fix=T("add drop_columns: [...] to the YAML config and drop them "
                               "before training", "añade drop_columns: [...] a la "
                               "configuración YAML y elimínalas antes de entrenar"))
    columns = _columns(drop, in_code, tabular, other)
    if text_only is not None and drop is None and in_code is None:
        path, line, name = text_only
        columns = T(f"the features are made from text only ({last(name)} at {path}:{line}), "
                    "so a tabular list of columns to drop does not apply",
                    f"las variables salen solo del texto ({last(name)} en {path}:{line}), así "
                    "que no aplica una lista tabular de columnas a eliminar")
    return notes, warning, columns


@rule("ML005")
def leakage_guards(ctx: Context, params: None) -> Iterator[Finding]:
    """ML005: a split exists, nothing is fitted before it, evaluation is on held-out data."""
    an = analysis(ctx)
    yield from source_errors(an)
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no split or leakage to judge",
                                   "no hay división ni fuga que juzgar"))
    if untrained is not None:
        yield untrained
        return
    fits = _fits(an)
    splits = _split_calls(an)
    others = [] if splits else framework_splits(an)
    if not fits and not splits and not others:
        yield skipped(T("no training code (no .fit(), training loop or trainer) in the project",
                        "no hay código de entrenamiento (ni .fit(), ni bucle de entrenamiento, "
                        "ni trainer) en el proyecto"))
        return
    held = None if splits or others else _held_out_evaluation(an)
    if not splits and not others and held is None:
        path, line = fits[0]
        yield failed(T("the model is trained but the data is never split (no train_test_split, "
                       "random_split, validation set, CV splitter or split by hand): it can only "
                       "be evaluated on the data it was fitted on", "el modelo se entrena pero "
                       "los datos nunca se dividen (ni train_test_split, ni random_split, ni "
                       "conjunto de validación, ni divisor de CV, ni división a mano): solo "
                       "puede evaluarse con los datos con que se ajustó"), path, line)
        return
    problems = _leaks(an, splits, project_kind(ctx.repo).library is not None)
    notes, warning, columns = _column_review(ctx, an)
    yield from notes
    if warning is not None:
        problems.append(warning)
    yield from problems
    if problems:
        return
    yield _verdict(held, splits, others, columns)


_HELD_OUT_NAME = lazy_re.compile(r"(^|_|x)(test|val|valid|validation|holdout|eval)(_|$|\d)")


_EVALUATIONS = ("predict", "predict_proba", "score", "decision_function", "evaluate")


def _held_out_name(node: ast.expr) -> str | None:
    """``x_test``, ``test_df[cols]``, ``data.X_val``: data named as a held-out set."""
    for sub in ast.walk(node):
        name = sub.id if isinstance(sub, ast.Name) else \
            sub.attr if isinstance(sub, ast.Attribute) else None
        if name and _HELD_OUT_NAME.search(name.lower()):
            return name
    return None


def _held_out_evaluation(an: Analysis) -> tuple[PythonIndex, ast.Call, str] | None:
    """A model evaluated on a separately loaded held-out set (``test.csv`` read on its
    own, ``model.predict(x_test)``): no split call is needed for that."""
    for index in an.indexes:
        for _, call in every_call(index) if uses_any(index) else index.calls:
            if method(call) in _EVALUATIONS and call.args:
                name = _held_out_name(call.args[0])
                if name:
                    return index, call, name
    return None
