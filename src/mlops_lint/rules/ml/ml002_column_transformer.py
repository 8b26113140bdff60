"""ML002: a ColumnTransformer with at least two column groups sits inside the pipeline.

The ColumnTransformer is followed to a Pipeline (:func:`~mlops_lint.rules.ml._shared.uses`);
one fitted on its own fails, one that cannot be traced is a warning. A OneHotEncoder
without ``handle_unknown="ignore"`` (a configured value is trusted) is a warning too.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.training import (
    config_errors,
    every_call,
    last,
    method,
    no_training,
    not_applicable_to,
    skips,
    string_constants,
    training_errors,
)
from mlops_lint.rules import rule
from mlops_lint.rules.ml._shared import (
    MAKE_PIPELINES,
    PIPELINES,
    Analysis,
    Composite,
    analysis,
    fitted_at,
    in_composite,
    sk,
    source_errors,
    uses,
)


def _bad_one_hot(an: Analysis) -> list[tuple[str, int]]:
    """OneHotEncoder calls without handle_unknown="ignore" (a configured value is trusted)."""
    out = []
    for index in an.indexes:
        for qual, call in index.calls:
            if sk(qual) and last(qual) == "OneHotEncoder":
                arg = call_arg(call, "handle_unknown")
                configured = arg is not None and not isinstance(arg, ast.Constant)
                if not configured and literal(arg) not in ("ignore", "infrequent_if_exist",
                                                           "warn"):
                    out.append((index.path, call.lineno))
    return out


def _ct_verdict(an: Analysis, ct: Composite) -> Finding:
    path, line = ct.where
    inside = any(in_composite(i, u, PIPELINES | MAKE_PIPELINES)
                 for i, u in uses(an, ct.index, ct.call))
    groups = len(ct.steps) if ct.steps is not None else None
    if not inside:
        if any(fitted_at(i, u) is not None for i, u in uses(an, ct.index, ct.call)):
            return failed(T(f"the ColumnTransformer at {path}:{line} is fitted on its own, "
                            "outside a Pipeline", f"el ColumnTransformer en {path}:{line} se "
                            "ajusta solo, fuera de un Pipeline"), path, line)
        return warned(T(f"the ColumnTransformer at {path}:{line} could not be traced into a "
                        "Pipeline", f"no se pudo seguir el ColumnTransformer de {path}:{line} "
                        "hasta un Pipeline"), path, line)
    if groups is not None and groups < 2:
        return warned(T(f"the ColumnTransformer at {path}:{line} has a single column group; "
                        "numeric and categorical columns are not separated",
                        f"el ColumnTransformer en {path}:{line} tiene un solo grupo de "
                        "columnas; no separa columnas numéricas y categóricas"), path, line)
    what = f"{groups} column groups" if groups else "its column groups"
    what_es = f"{groups} grupos de columnas" if groups else "sus grupos de columnas"
    return passed(T(f"ColumnTransformer with {what} at {path}:{line}, inside the pipeline",
                    f"ColumnTransformer con {what_es} en {path}:{line}, dentro del pipeline"),
                  path, line)


# scikit-learn datasets whose features are all numeric: no categorical group to encode
NUMERIC_DATASETS = frozenset({"load_iris", "load_diabetes", "load_wine", "load_breast_cancer",
                              "load_digits", "fetch_california_housing", "make_classification",
                              "make_regression", "make_blobs", "make_moons", "make_circles",
                              "make_friedman1", "load_linnerud"})
TABLE_READS = frozenset({"read_csv", "read_parquet", "read_sql", "read_sql_query",
                         "read_sql_table", "read_json", "read_excel", "read_feather",
                         "read_table", "read_orc"})
NUMERIC_KINDS = frozenset({"number", "float", "int", "float64", "int64", "float32", "int32",
                           "np.number", "numpy.number"})


def _es(reason: str) -> str:
    return reason.replace(" selects numeric columns only", " selecciona solo columnas "
                          "numéricas").replace("the data is scikit-learn's ", "los datos son "
                                               "el ").replace(", whose features are all "
                                                              "numeric", " de scikit-learn, "
                                                              "con todas las variables "
                                                              "numéricas").replace(
        ", written to ", ", escrito en ").replace(" and read back from it",
                                                  " y leído de vuelta desde él")


def _numeric_include(call: ast.Call) -> bool:
    """``df.select_dtypes(include="number")`` (or ``np.number``, ``["float", "int"]``)."""
    include = call_arg(call, "include") or (call.args[0] if call.args else None)
    if include is None:
        return False
    items = include.elts if isinstance(include, ast.List | ast.Tuple) else [include]
    kinds = [literal(i) if isinstance(i, ast.Constant) else ast.unparse(i) for i in items]
    return bool(kinds) and all(str(k) in NUMERIC_KINDS for k in kinds)


TABLE_FILE = (".csv", ".parquet", ".feather", ".json", ".tsv", ".xlsx")


def _table_names(index: PythonIndex) -> set[str]:
    """The table file names (``diabetes.csv``) a module's string constants hold."""
    return {value.rsplit("/", 1)[-1] for value, _ in string_constants(index)
            if value.lower().endswith(TABLE_FILE) and len(value) < 300}


def _numeric_only(an: Analysis) -> str | None:
    """Why the data has no categorical columns: a known all-numeric scikit-learn dataset
    and no table read from a file other than the one the dataset is exported to (a script
    writing ``load_diabetes()`` to ``diabetes.csv`` that training reads back), or features
    selected by numeric dtype only."""
    datasets: list[tuple[str, str]] = []
    exported: set[str] = set()
    readers: list[set[str]] = []  # per module reading a table, the table names it holds
    for index in an.indexes:
        loads = reads = False
        for qual, call in every_call(index):
            name = method(call) or last(qual)
            if name in NUMERIC_DATASETS and qual.startswith("sklearn."):
                datasets.append((name, index.path))
                loads = True
            reads = reads or name in TABLE_READS
            if name == "select_dtypes" and _numeric_include(call):
                return f"{index.path}:{call.lineno} selects numeric columns only"
        if loads:
            exported |= _table_names(index)
        if reads:
            readers.append(_table_names(index))
    if not datasets:
        return None
    if not readers:
        return (f"the data is scikit-learn's {datasets[0][0]}(), whose features are all "
                "numeric")
    if exported and all(names & exported for names in readers):
        shown = sorted(exported)[0]
        return (f"the data is scikit-learn's {datasets[0][0]}(), whose features are all "
                f"numeric, written to {shown} by {datasets[0][1]} and read back from it")
    return None


@rule("ML002")
def column_transformer(ctx: Context, params: None) -> Iterator[Finding]:
    """ML002: a ColumnTransformer with >= 2 column groups sits inside the pipeline."""
    an = analysis(ctx)
    yield from source_errors(an)
    yield from skips(config_errors(ctx))
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no column preprocessing to judge",
                                   "no hay preprocesamiento de columnas que juzgar"))
    if untrained is not None:
        yield untrained
        return
    other = not_applicable_to(ctx, T("a scikit-learn ColumnTransformer does not apply",
                                     "un ColumnTransformer de scikit-learn no aplica"))
    if other is not None:
        yield other
        return
    cts = an.column_transformers()
    numeric = None if cts else _numeric_only(an)
    if numeric is not None:
        yield skipped(T(f"not applicable: {numeric}, so there are no categorical columns to "
                        "encode in a ColumnTransformer",
                        f"no aplica: {_es(numeric)}, así que no hay columnas categóricas que "
                        "codificar en un ColumnTransformer"))
        return
    if not cts:
        yield failed(T("no ColumnTransformer/make_column_transformer in the project code",
                       "no hay ColumnTransformer/make_column_transformer en el código del "
                       "proyecto"))
        return
    verdicts = [_ct_verdict(an, ct) for ct in cts]
    good = [v for v in verdicts if v.status.value == "pass"]
    yield from good[:1] or verdicts
    for path, line in _bad_one_hot(an):
        yield warned(T(f"OneHotEncoder at {path}:{line} without handle_unknown=\"ignore\": a "
                       "category unseen in training makes predict() raise",
                       f"OneHotEncoder en {path}:{line} sin handle_unknown=\"ignore\": una "
                       "categoría no vista en el entrenamiento hace fallar predict()"),
                     path, line, fix=T('OneHotEncoder(handle_unknown="ignore")',
                                       'OneHotEncoder(handle_unknown="ignore")'))
