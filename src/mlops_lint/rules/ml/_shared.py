"""What the ML rules (ML001-ML007) share: the names of scikit-learn's composites,
transformers, fitting consumers and splitters, and the analysis of the project's
modelling code (the custom transformers, the Pipeline / ColumnTransformer calls and every
call by name), computed once per project; with it, what a pipeline step or a fitted
object is (:func:`classify`) and where a value goes (:func:`uses`, :func:`fitted_at`,
:func:`in_composite`)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, call_arg
from mlops_lint.readers.training import (
    FUNCTION_NODES,
    ancestors,
    assigned_to,
    assignments,
    calls_in,
    last,
    method,
    nodes_of,
    parents,
    parse_skip,
    receiver,
    scope_of,
    source_files,
    target_key,
    values_of,
)

ML_LIBS = ("sklearn.", "imblearn.", "xgboost.", "lightgbm.", "catboost.")


PIPELINES = frozenset({"sklearn.pipeline.Pipeline", "imblearn.pipeline.Pipeline"})


MAKE_PIPELINES = frozenset({"sklearn.pipeline.make_pipeline", "imblearn.pipeline.make_pipeline"})


COLUMN_TRANSFORMERS = frozenset({"sklearn.compose.ColumnTransformer"})


MAKE_COLUMN_TRANSFORMERS = frozenset({"sklearn.compose.make_column_transformer"})


UNIONS = frozenset({"sklearn.pipeline.FeatureUnion", "sklearn.pipeline.make_union"})


COMPOSITES = PIPELINES | MAKE_PIPELINES | COLUMN_TRANSFORMERS | MAKE_COLUMN_TRANSFORMERS | UNIONS


ENCODERS = frozenset({"OneHotEncoder", "OrdinalEncoder", "TargetEncoder", "BinaryEncoder",
                      "CountEncoder", "HashingEncoder", "WOEEncoder", "CatBoostEncoder"})


TARGET_ENCODERS = frozenset({"LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"})


TRANSFORMERS = ENCODERS | TARGET_ENCODERS | frozenset({
    "StandardScaler", "MinMaxScaler", "RobustScaler", "MaxAbsScaler", "Normalizer",
    "QuantileTransformer", "PowerTransformer", "SimpleImputer", "KNNImputer",
    "IterativeImputer", "MissingIndicator", "PolynomialFeatures", "SplineTransformer",
    "FunctionTransformer", "KBinsDiscretizer", "Binarizer", "PCA", "TruncatedSVD",
    "SelectKBest", "SelectPercentile", "SelectFromModel", "VarianceThreshold", "RFE",
    "RFECV", "CountVectorizer", "TfidfVectorizer", "HashingVectorizer", "TfidfTransformer",
    "DictVectorizer", "ColumnTransformer", "make_column_transformer", "FeatureUnion",
    "make_union", "SMOTE", "RandomOverSampler", "RandomUnderSampler", "ADASYN",
})


TRANSFORMER_WORDS = lazy_re.compile(r"scal|preproc|encod|imput|transform|vectori|selector|prep\b",
                                    re.IGNORECASE)


ESTIMATOR_WORDS = lazy_re.compile(r"^_*(model|clf|classifier|regressor|estimator|ensemble)_?$",
                                  re.IGNORECASE)


FIT_METHODS = frozenset({"fit", "fit_transform", "fit_predict", "fit_resample"})


FIT_CONSUMERS = frozenset({
    "GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV", "HalvingRandomSearchCV",
    "cross_val_score", "cross_validate", "cross_val_predict", "learning_curve",
    "validation_curve", "permutation_test_score", "CalibratedClassifierCV",
    "TunedThresholdClassifierCV",
})


SPLITTERS = frozenset({
    "KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold", "RepeatedKFold",
    "RepeatedStratifiedKFold", "TimeSeriesSplit", "ShuffleSplit", "StratifiedShuffleSplit",
    "GroupShuffleSplit", "LeaveOneOut", "LeavePOut", "LeaveOneGroupOut", "PredefinedSplit",
})


CV_FUNCTIONS = frozenset({"cross_val_score", "cross_validate", "cross_val_predict"})


SEARCHES = frozenset({"GridSearchCV", "RandomizedSearchCV", "HalvingGridSearchCV",
                      "HalvingRandomSearchCV"})


SAVE_CALLS = ("joblib.dump", "skops.io.dump", "cloudpickle.dump", "dill.dump")


@dataclass
class Composite:
    """A Pipeline / make_pipeline / ColumnTransformer call."""

    index: PythonIndex
    call: ast.Call
    qual: str
    steps: list[ast.expr] | None  # step values; None when they cannot be counted

    @property
    def where(self) -> tuple[str, int]:
        return self.index.path, self.call.lineno


@dataclass
class Analysis:
    indexes: tuple[PythonIndex, ...]
    errors: tuple[ParseError, ...]
    custom: dict[str, tuple[PythonIndex, ast.ClassDef]] = field(default_factory=dict)
    composites: list[Composite] = field(default_factory=list)
    by_name: dict[str, list[tuple[PythonIndex, ast.Call]]] = field(default_factory=dict)

    def calls_named(self, name: str) -> list[tuple[PythonIndex, ast.Call]]:
        return self.by_name.get(name, [])

    def pipelines(self) -> list[Composite]:
        return [c for c in self.composites if c.qual in PIPELINES | MAKE_PIPELINES]

    def column_transformers(self) -> list[Composite]:
        return [c for c in self.composites
                if c.qual in COLUMN_TRANSFORMERS | MAKE_COLUMN_TRANSFORMERS]


def sk(qual: str | None) -> bool:
    return bool(qual) and str(qual).startswith(ML_LIBS)


def call_name(index: PythonIndex, call: ast.Call) -> str:
    return last(index.qualname(call.func)) or (method(call) or "")


def analysis(ctx: Context) -> Analysis:
    key = f"phase3:ml:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: Analysis = cached
        return result
    sources = source_files(ctx)
    result = Analysis(sources.indexes, sources.errors)
    for index in sources.indexes:
        if index.imports("sklearn"):
            for node in nodes_of(index, ast.ClassDef):
                if transformer_bases(index, node)[0]:
                    result.custom[node.name] = (index, node)
    changed = bool(result.custom)
    while changed:  # classes deriving from a custom transformer are transformers too
        changed = False
        for index in sources.indexes:
            names = {last(o) for o in index.aliases.values()} | {
                n for n, (i, _) in result.custom.items() if i is index}
            if not names & set(result.custom):
                continue
            for node in nodes_of(index, ast.ClassDef):
                if node.name not in result.custom and any(
                        last(index.qualname(b)) in result.custom for b in node.bases):
                    result.custom[node.name] = (index, node)
                    changed = True
    for index in sources.indexes:
        for qual, call in index.calls:
            result.by_name.setdefault(last(qual), []).append((index, call))
            if qual in COMPOSITES:
                result.composites.append(
                    Composite(index, call, qual, composite_steps(index, call, qual)))
    ctx.repo.memo[key] = result
    return result


def _list_bound_to(index: PythonIndex, call: ast.Call, name: str) -> ast.List | None:
    """``steps = [...]`` (plus later ``steps.append(x)``) bound before ``call``."""
    scope = scope_of(index, call)
    values = [v for v in assignments(scope, name) if getattr(v, "lineno", 0) <= call.lineno]
    if not values or not isinstance(values[-1], ast.List | ast.Tuple):
        return None
    items = list(values[-1].elts)
    for other in calls_in(scope):
        obj = receiver(other)
        if isinstance(obj, ast.Name) and obj.id == name and method(other) == "append" \
                and other.args:
            items.append(other.args[0])
    return ast.List(elts=items, ctx=ast.Load())


def composite_steps(index: PythonIndex, call: ast.Call, qual: str) -> list[ast.expr] | None:
    if qual in MAKE_PIPELINES or qual in MAKE_COLUMN_TRANSFORMERS or \
            qual == "sklearn.pipeline.make_union":
        if any(isinstance(a, ast.Starred) for a in call.args):
            return None
        if qual in MAKE_COLUMN_TRANSFORMERS:
            return [a.elts[0] if isinstance(a, ast.Tuple) and a.elts else a for a in call.args]
        return list(call.args)
    keyword = "transformers" if qual in COLUMN_TRANSFORMERS else \
        "transformer_list" if qual in UNIONS else "steps"
    arg = call_arg(call, keyword, 0)
    if isinstance(arg, ast.Name):
        arg = _list_bound_to(index, call, arg.id)
    if not isinstance(arg, ast.List | ast.Tuple):
        return None
    if not all(isinstance(e, ast.Tuple) and len(e.elts) >= 2 for e in arg.elts):
        return None
    return [e.elts[1] for e in arg.elts if isinstance(e, ast.Tuple)]


def transformer_bases(index: PythonIndex, node: ast.ClassDef) -> tuple[bool, bool, bool]:
    """(is a transformer candidate, inherits TransformerMixin, inherits BaseEstimator)."""
    quals = [index.qualname(b) or "" for b in node.bases]
    mixin = any(q.startswith("sklearn.") and last(q) == "TransformerMixin" for q in quals)
    base = any(q.startswith("sklearn.") and last(q) == "BaseEstimator" for q in quals)
    has_transform = any(isinstance(n, FUNCTION_NODES) and n.name == "transform"
                        for n in node.body)
    return mixin or (base and has_transform), mixin, base


def _classify_call(an: Analysis, index: PythonIndex, node: ast.Call, depth: int) -> str:
    qual = index.qualname(node.func) or ""
    name = last(qual)
    if qual in PIPELINES | MAKE_PIPELINES:
        steps = composite_steps(index, node, qual)
        return classify(an, index, steps[-1], depth + 1) if steps else "unknown"
    if qual in COMPOSITES or name in TRANSFORMERS or name in an.custom:
        return "transformer"
    if sk(qual) or name.endswith(("Classifier", "Regressor", "Regression")):
        return "estimator"
    return "unknown"


def _classify_name(an: Analysis, index: PythonIndex, node: ast.Name | ast.Attribute,
                   depth: int) -> str:
    key = target_key(node)
    values = values_of(index, node, key) if key else []
    if values:
        kind = classify(an, index, values[-1], depth + 1)
        if kind != "unknown":
            return kind
    name = node.id if isinstance(node, ast.Name) else node.attr
    if TRANSFORMER_WORDS.search(name):
        return "transformer"
    return "estimator" if ESTIMATOR_WORDS.search(name) else "unknown"


def classify(an: Analysis, index: PythonIndex, node: ast.expr, depth: int = 0) -> str:
    """``transformer``, ``estimator`` or ``unknown`` for a pipeline step or a fitted object."""
    if depth > 4:
        return "unknown"
    if isinstance(node, ast.Constant) and (node.value is None or node.value in (
            "passthrough", "drop")):
        return "transformer"
    if isinstance(node, ast.Call):
        return _classify_call(an, index, node, depth)
    if isinstance(node, ast.Name | ast.Attribute):
        return _classify_name(an, index, node, depth)
    return "unknown"


def uses(an: Analysis, index: PythonIndex, node: ast.AST,
         depth: int = 0) -> Iterator[tuple[PythonIndex, ast.AST]]:
    """Where a value goes: itself, the names it is bound to, and the calls of a function
    that returns it (up to three calls deep)."""
    yield index, node
    scope = scope_of(index, node)
    returned = isinstance(parents(index).get(node), ast.Return)
    for key in assigned_to(index, node):
        area = index.tree if "." in key else scope
        for other in ast.walk(area):
            if isinstance(other, ast.Name | ast.Attribute) and target_key(other) == key \
                    and isinstance(getattr(other, "ctx", None), ast.Load):
                yield index, other
                if isinstance(parents(index).get(other), ast.Return):
                    returned = True
    if returned and depth < 3 and isinstance(scope, FUNCTION_NODES):
        for other_index, call in an.calls_named(scope.name):
            if call is not node:
                yield from uses(an, other_index, call, depth + 1)


def fitted_at(index: PythonIndex, use: ast.AST) -> int | None:
    """Line where ``use`` is fitted: ``use.fit(...)``, or passed to a fitting consumer
    (``GridSearchCV(use)``, ``cross_val_score(use, ...)``, ``train_model(use, ...)``)."""
    up = parents(index)
    parent = up.get(use)
    if isinstance(parent, ast.Attribute) and parent.value is use and parent.attr in FIT_METHODS:
        grand = up.get(parent)
        if isinstance(grand, ast.Call) and grand.func is parent:
            return grand.lineno
    if isinstance(parent, ast.keyword):
        parent = up.get(parent)
    if isinstance(parent, ast.Call) and parent.func is not use:
        name = last(index.qualname(parent.func)) or (method(parent) or "")
        if name in FIT_CONSUMERS or "fit" in name.lower() or "train" in name.lower():
            return parent.lineno
    return None


def in_composite(index: PythonIndex, use: ast.AST, quals: frozenset[str]) -> ast.Call | None:
    """The enclosing composite call (Pipeline, ColumnTransformer...) ``use`` is a part of."""
    for node in ancestors(index, use):
        if isinstance(node, ast.Call) and (index.qualname(node.func) or "") in quals:
            return node
        if isinstance(node, (*FUNCTION_NODES, ast.ClassDef)):
            return None
    return None


def source_errors(an: Analysis) -> list[Finding]:
    return [parse_skip(e) for e in an.errors]
