"""Phase 3 checks on the modelling code: DataFrame schemas (DATA005), the unified sklearn
Pipeline (ML001), ColumnTransformer (ML002), custom transformers (ML003), seeds (ML004),
leakage guards (ML005), cross-validation (ML006) and the saved artefact (ML007).

Static analysis of the shared per-file AST, with import aliases resolved
(``from sklearn.pipeline import Pipeline as P`` and ``import sklearn.pipeline as skp``
both read as ``sklearn.pipeline.Pipeline``). Values are followed through simple
assignments (``pipe = Pipeline(...)``; ``pipe.fit(...)``), attributes of ``self`` within
a class, and functions that return them (``build_pipeline()`` called elsewhere), up to
three calls deep. Nothing is imported or run. The code looked at is the project's
library and script code: every ``*.py`` outside tests, docs, notebooks and examples.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from pydantic import Field

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.tracking import tracking_verdicts
from mlops_lint.readers.training import (
    CHECKPOINT_CLASSES,
    CONFIG_YAML,
    DEV_GROUPS,
    FUNCTION_NODES,
    ancestors,
    assigned_to,
    assignments,
    calls_in,
    config_errors,
    config_targets,
    declared,
    dependency_errors,
    dvc_errors,
    dvc_tracked,
    every_call,
    framework_save,
    frameworks,
    is_ignored,
    last,
    literal_path,
    load_shell,
    locations,
    method,
    no_data,
    no_training,
    nodes_of,
    not_applicable_to,
    parents,
    parse_skip,
    read_yaml,
    receiver,
    scope_of,
    scope_walk,
    short,
    skips,
    source_files,
    target_key,
    training_errors,
    uses_any,
    values_of,
)
from mlops_lint.rules import Params, check

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
TRANSFORMER_WORDS = re.compile(r"scal|preproc|encod|imput|transform|vectori|selector|prep\b",
                               re.IGNORECASE)
ESTIMATOR_WORDS = re.compile(r"^_*(model|clf|classifier|regressor|estimator|ensemble)_?$",
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
SHUFFLE_OPTIONAL = frozenset({"KFold", "StratifiedKFold", "GroupKFold", "StratifiedGroupKFold"})
RANDOMIZED = SHUFFLE_OPTIONAL | frozenset({
    "train_test_split", "ShuffleSplit", "StratifiedShuffleSplit", "GroupShuffleSplit",
    "RepeatedKFold", "RepeatedStratifiedKFold", "RandomizedSearchCV", "HalvingRandomSearchCV",
    "RandomForestClassifier", "RandomForestRegressor", "ExtraTreesClassifier",
    "ExtraTreesRegressor", "GradientBoostingClassifier", "GradientBoostingRegressor",
    "HistGradientBoostingClassifier", "HistGradientBoostingRegressor",
    "DecisionTreeClassifier", "DecisionTreeRegressor", "ExtraTreeClassifier",
    "ExtraTreeRegressor", "BaggingClassifier", "BaggingRegressor", "AdaBoostClassifier",
    "AdaBoostRegressor", "IsolationForest", "RandomTreesEmbedding", "MLPClassifier",
    "MLPRegressor", "SGDClassifier", "SGDRegressor", "LogisticRegression", "LinearSVC",
    "Perceptron", "KMeans", "MiniBatchKMeans", "TruncatedSVD", "GaussianMixture",
    "XGBClassifier", "XGBRegressor", "XGBRanker", "LGBMClassifier", "LGBMRegressor",
    "LGBMRanker", "CatBoostClassifier", "CatBoostRegressor", "SMOTE", "ADASYN",
    "RandomOverSampler", "RandomUnderSampler", "permutation_importance", "resample",
    "make_classification", "make_regression",
})
SEED_KEYWORDS = ("random_state", "random_seed", "seed")
# global seeds of the standard library and the frameworks (tf.random.set_seed,
# transformers.set_seed, keras.utils.set_random_seed, pl.seed_everything: SEED_FUNCTIONS)
CENTRAL_SEEDS = frozenset({"numpy.random.seed", "random.seed", "torch.manual_seed",
                           "torch.cuda.manual_seed", "torch.cuda.manual_seed_all",
                           "tensorflow.random.set_seed", "tensorflow.set_random_seed",
                           "mxnet.random.seed", "jax.random.PRNGKey", "jax.random.key"})
SEED_FUNCTIONS = re.compile(r"^(set_(global_|random_|all_)?seeds?|seed_everything|seed_all|"
                            r"fix_seeds?|set_reproducib\w*)$")
METRIC_MODULES = ("sklearn.metrics.",)
DROP_KEYS = re.compile(r"^(drop_?(columns|cols|features)|(columns|cols|features)_to_drop|"
                       r"(leak(age|y)|excluded?|target_derived)_(columns|cols|features))$",
                       re.IGNORECASE)
SAVE_CALLS = ("joblib.dump", "skops.io.dump", "cloudpickle.dump", "dill.dump")
PICKLE_CALLS = frozenset({"pickle.dump", "pickle.dumps", "pickle.load", "pickle.loads",
                          "cloudpickle.dump", "dill.dump"})


# -- analysis of the project's modelling code ------------------------------------------


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


def _sk(qual: str | None) -> bool:
    return bool(qual) and str(qual).startswith(ML_LIBS)


def _call_name(index: PythonIndex, call: ast.Call) -> str:
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
                if _transformer_bases(index, node)[0]:
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
                result.composites.append(Composite(index, call, qual, _steps(index, call, qual)))
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


def _steps(index: PythonIndex, call: ast.Call, qual: str) -> list[ast.expr] | None:
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


def _transformer_bases(index: PythonIndex, node: ast.ClassDef) -> tuple[bool, bool, bool]:
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
        steps = _steps(index, node, qual)
        return classify(an, index, steps[-1], depth + 1) if steps else "unknown"
    if qual in COMPOSITES or name in TRANSFORMERS or name in an.custom:
        return "transformer"
    if _sk(qual) or name.endswith(("Classifier", "Regressor", "Regression")):
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


def _errors(an: Analysis) -> list[Finding]:
    return [parse_skip(e) for e in an.errors]


# -- DATA005 ----------------------------------------------------------------------------


PANDERA_DECORATORS = ("check_types", "check_input", "check_output", "check_io")


def _pandera_node(index: PythonIndex, node: ast.AST) -> bool:
    """A DataFrameModel subclass or a function under a pandera check decorator."""
    if isinstance(node, ast.ClassDef):
        return any((index.qualname(b) or "").startswith("pandera.") and
                   last(index.qualname(b)) in ("DataFrameModel", "SchemaModel")
                   for b in node.bases)
    if isinstance(node, FUNCTION_NODES):
        targets = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        return any((index.qualname(t) or "").startswith("pandera.") and
                   last(index.qualname(t)) in PANDERA_DECORATORS for t in targets)
    return False  # pragma: no cover - only classes and functions are passed


def _schema_hit(index: PythonIndex) -> tuple[str, str, int] | None:
    """(library, path, line) of the first schema validation in the file."""
    for node in nodes_of(index, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef):
        if _pandera_node(index, node):
            return "pandera", index.path, node.lineno
    for qual, call in index.calls:
        if qual.startswith("pandera.") and last(qual) in ("DataFrameSchema", "SeriesSchema"):
            return "pandera", index.path, call.lineno
        if qual.startswith(("great_expectations.", "gx.")):
            return "great-expectations", index.path, call.lineno
    return None


@check("dataframe_schema")
def dataframe_schema(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA005: a pandera schema or Great Expectations suite validates DataFrames in src."""
    an = analysis(ctx)
    yield from _errors(an)
    hit = next((h for index in an.indexes
                if uses_any(index, ("pandera", "great_expectations"))
                for h in [_schema_hit(index)] if h), None)
    if hit is None:
        yield from training_errors(ctx)
        untrained = no_data(ctx, T("there is no DataFrame to validate",
                                   "no hay DataFrames que validar"))
        if untrained is not None:
            yield untrained
            return
        yield failed(T("no DataFrame schema validation (pandera DataFrameModel/DataFrameSchema "
                       "or Great Expectations) in the project code",
                       "no hay validación de esquema de DataFrames (pandera DataFrameModel/"
                       "DataFrameSchema o Great Expectations) en el código del proyecto"))
        return
    library, path, line = hit
    yield from (parse_skip(e) for e in dependency_errors(ctx))
    names = ("pandera",) if library == "pandera" else ("great-expectations",
                                                       "great_expectations")
    found = declared(ctx, *names)
    if found is None:
        yield failed(T(f"{library} is used at {path}:{line} but not declared as a dependency",
                       f"{library} se usa en {path}:{line} pero no está declarado como "
                       "dependencia"), path, line,
                     fix=T(f"add {names[0]} to [project].dependencies",
                           f"añade {names[0]} a [project].dependencies"))
        return
    _, groups = found
    if groups <= DEV_GROUPS:
        yield warned(T(f"{library} validates data at {path}:{line} but is declared only as a "
                       f"development dependency ({', '.join(sorted(groups))}); the library "
                       "code needs it at run time",
                       f"{library} valida datos en {path}:{line} pero solo está declarado como "
                       f"dependencia de desarrollo ({', '.join(sorted(groups))}); el código "
                       "de la librería lo necesita en ejecución"), path, line)
        return
    yield passed(T(f"{library} schema validation at {path}:{line}, declared as a dependency",
                   f"validación de esquema con {library} en {path}:{line}, declarado como "
                   "dependencia"), path, line)


# -- ML001 ------------------------------------------------------------------------------


def _separate_fits(an: Analysis) -> tuple[list[tuple[str, int]], list[tuple[str, int]]]:
    """Transformers and estimators fitted on their own (outside any pipeline)."""
    transformers: list[tuple[str, int]] = []
    estimators: list[tuple[str, int]] = []
    for index in an.indexes:
        if not uses_any(index):
            continue
        for _, call in every_call(index):
            obj = receiver(call)
            if obj is None or method(call) not in ("fit", "fit_transform"):
                continue
            kind = classify(an, index, obj)
            if isinstance(obj, ast.Call) and _call_name(index, obj) in TARGET_ENCODERS:
                continue
            if isinstance(obj, ast.Name | ast.Attribute):
                values = values_of(index, call, target_key(obj) or "")
                if values and isinstance(values[-1], ast.Call) and \
                        _call_name(index, values[-1]) in TARGET_ENCODERS:
                    continue
            if kind == "transformer":
                transformers.append((index.path, call.lineno))
            elif kind == "estimator":
                estimators.append((index.path, call.lineno))
    return transformers, estimators


def _dumped_objects(an: Analysis) -> list[tuple[PythonIndex, ast.Call, list[ast.expr]]]:
    """Calls that write objects to a file (joblib, pickle, skops...), with the objects."""
    out: list[tuple[PythonIndex, ast.Call, list[ast.expr]]] = []
    for index in an.indexes:
        for qual, call in index.calls:
            if (qual in SAVE_CALLS or qual in ("pickle.dump", "dill.dump")) and call.args:
                value = call.args[0]
                items = list(value.elts) if isinstance(value, ast.Tuple | ast.List) else \
                    [v for v in value.values if v is not None] \
                    if isinstance(value, ast.Dict) else [value]
                out.append((index, call, items))
    return out


def _how_saved(an: Analysis) -> T:
    """What the code does with the fitted preprocessing: saved with the model in one file,
    saved on its own, or no saving found (said as such, never more)."""
    together: tuple[str, int] | None = None
    alone: tuple[str, int] | None = None
    wrapped: tuple[str, int] | None = None
    for index, call, items in _dumped_objects(an):
        if len(items) == 1 and isinstance(items[0], ast.Call) and \
                (index.qualname(items[0].func) or "") in PIPELINES | MAKE_PIPELINES:
            steps = _steps(index, items[0], index.qualname(items[0].func) or "")
            wrapped = wrapped or (index.path, call.lineno)
            items = steps or []
        kinds = {classify(an, index, item) for item in items}
        if "transformer" in kinds and "estimator" in kinds:
            together = together or (index.path, call.lineno)
        elif "transformer" in kinds:
            alone = alone or (index.path, call.lineno)
    if together and together == wrapped:
        where = f"{together[0]}:{together[1]}"
        return T(f"; they are put in one Pipeline only to be saved at {where}",
                 f"; se juntan en un Pipeline solo para guardarlos en {where}")
    if together:
        where = f"{together[0]}:{together[1]}"
        return T(f"; both are saved in one file at {where}, so serving must apply them in the "
                 "same order by hand", f"; ambos se guardan en un archivo en {where}, así que "
                 "el servicio debe aplicarlos a mano en el mismo orden")
    if alone:
        where = f"{alone[0]}:{alone[1]}"
        return T(f"; the transformer is saved on its own at {where}, so serving must load and "
                 "apply it before the model", f"; el transformador se guarda por separado en "
                 f"{where}, así que el servicio debe cargarlo y aplicarlo antes del modelo")
    return T("; no saving of the fitted transformer was found in the project code",
             "; no se encontró dónde se guarda el transformador ajustado en el código del "
             "proyecto")


@check("sklearn_pipeline")
def sklearn_pipeline(ctx: Context, params: None) -> Iterator[Finding]:
    """ML001: a Pipeline with >= 2 steps ending in an estimator, and that object is fitted."""
    an = analysis(ctx)
    yield from _errors(an)
    yield from skips(config_errors(ctx))
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no preprocessing-and-model pipeline to judge",
                                   "no hay pipeline de preprocesamiento y modelo que juzgar"))
    if untrained is not None:
        yield untrained
        return
    other = not_applicable_to(ctx, T(
        "a scikit-learn Pipeline does not apply (keep the preprocessing, such as the "
        "tokenizer or the input transforms, versioned and saved with the model weights)",
        "un Pipeline de scikit-learn no aplica (guarda y versiona el preprocesamiento, como "
        "el tokenizador o las transformaciones de entrada, junto a los pesos del modelo)"))
    if other is not None:
        yield other
        return
    pipelines = an.pipelines()
    unified = [p for p in pipelines if (p.steps is None or len(p.steps) >= 2) and (
        p.steps is None or classify(an, p.index, p.steps[-1]) != "transformer")]
    for pipe in unified:
        for use_index, use in uses(an, pipe.index, pipe.call):
            line = fitted_at(use_index, use)
            if line is not None:
                path, start = pipe.where
                count = f"{len(pipe.steps)} steps" if pipe.steps else "its steps"
                count_es = f"{len(pipe.steps)} pasos" if pipe.steps else "sus pasos"
                yield passed(T(f"unified pipeline ({last(pipe.qual)} with {count}) built at "
                               f"{path}:{start} and fitted at {use_index.path}:{line}",
                               f"pipeline unificado ({last(pipe.qual)} con {count_es}) creado "
                               f"en {path}:{start} y ajustado en {use_index.path}:{line}"),
                             path, start)
                return
    transformers, estimators = _separate_fits(an)
    if unified and not (transformers and estimators):
        path, start = unified[0].where
        yield warned(T(f"a pipeline is built at {path}:{start} but the project code never "
                       "fits it (no .fit(), search or cross-validation on it)",
                       f"se crea un pipeline en {path}:{start} pero el código del proyecto "
                       "nunca lo ajusta (ni .fit(), ni búsqueda, ni validación cruzada)"),
                     path, start)
        return
    if transformers and estimators:
        yield failed(T("preprocessing and model are fitted separately, not as one Pipeline "
                       f"(transformer fitted at {locations(transformers, 2)}, model at "
                       f"{locations(estimators, 2)})",
                       "el preprocesamiento y el modelo se ajustan por separado, no como un "
                       f"Pipeline (transformador en {locations(transformers, 2)}, "
                       f"modelo en {locations(estimators, 2)})") + _how_saved(an),
                     transformers[0][0], transformers[0][1])
        return
    if pipelines:
        path, start = pipelines[0].where
        yield failed(T(f"the pipeline at {path}:{start} has fewer than 2 steps or does not end "
                       "in an estimator",
                       f"el pipeline en {path}:{start} tiene menos de 2 pasos o no termina en "
                       "un estimador"), path, start)
        return
    yield failed(T("no sklearn Pipeline/make_pipeline in the project code",
                   "no hay Pipeline/make_pipeline de sklearn en el código del proyecto"))


# -- ML002 ------------------------------------------------------------------------------


def _bad_one_hot(an: Analysis) -> list[tuple[str, int]]:
    """OneHotEncoder calls without handle_unknown="ignore" (a configured value is trusted)."""
    out = []
    for index in an.indexes:
        for qual, call in index.calls:
            if _sk(qual) and last(qual) == "OneHotEncoder":
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


@check("column_transformer")
def column_transformer(ctx: Context, params: None) -> Iterator[Finding]:
    """ML002: a ColumnTransformer with >= 2 column groups sits inside the pipeline."""
    an = analysis(ctx)
    yield from _errors(an)
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


# -- ML003 ------------------------------------------------------------------------------


MUTATING_METHODS = frozenset({"insert", "pop", "update", "sort", "fill", "resize", "put",
                              "itemset", "clear", "append", "extend", "setflags"})
ALIASING_CALLS = frozenset({"asarray", "asanyarray", "check_array", "validate_data",
                            "DataFrame", "atleast_2d"})


def _base(node: ast.expr) -> str | None:
    while isinstance(node, ast.Subscript | ast.Attribute):
        node = node.value
    return node.id if isinstance(node, ast.Name) else None


def _aliases_input(value: ast.expr, aliases: set[str]) -> bool:
    """Whether ``value`` still refers to the input (``X``, ``X.values``, ``np.asarray(X)``)."""
    if isinstance(value, ast.Name):
        return value.id in aliases
    if isinstance(value, ast.Attribute) and value.attr in ("values", "T", "_values"):
        return _base(value) in aliases
    if isinstance(value, ast.Call):
        name = value.func.attr if isinstance(value.func, ast.Attribute) else \
            value.func.id if isinstance(value.func, ast.Name) else ""
        copy = literal(call_arg(value, "copy"))
        if name in ALIASING_CALLS and copy is not True:
            return any(isinstance(a, ast.Name) and a.id in aliases for a in value.args[:2])
    return False


def _assign_mutates(node: ast.Assign | ast.AnnAssign, aliases: set[str]) -> bool:
    """Item/attribute assignment on the input; plain names rebound update ``aliases``."""
    targets = node.targets if isinstance(node, ast.Assign) else [node.target]
    if any(isinstance(t, ast.Subscript | ast.Attribute) and _base(t) in aliases
           for t in targets):
        return True
    if node.value is not None:
        for target in targets:
            if isinstance(target, ast.Name):
                if _aliases_input(node.value, aliases):
                    aliases.add(target.id)
                else:
                    aliases.discard(target.id)
    return False


def _call_mutates(node: ast.Call, aliases: set[str]) -> bool:
    """``X.fillna(..., inplace=True)``, ``X.insert(...)``, ``np.copyto(X, ...)``."""
    obj = receiver(node)
    if obj is not None and _base(obj) in aliases and (
            literal(call_arg(node, "inplace")) is True or
            (method(node) in MUTATING_METHODS and isinstance(obj, ast.Name))):
        return True
    name = method(node) or (node.func.id if isinstance(node.func, ast.Name) else "")
    return name in ("copyto", "place", "put", "fill_diagonal", "putmask") and \
        bool(node.args) and _base(node.args[0]) in aliases


def _mutates(node: ast.AST, aliases: set[str]) -> bool:
    if isinstance(node, ast.Assign | ast.AnnAssign):
        return _assign_mutates(node, aliases)
    if isinstance(node, ast.AugAssign):
        return _base(node.target) in aliases
    if isinstance(node, ast.Delete):
        return any(isinstance(t, ast.Subscript | ast.Attribute) and _base(t) in aliases
                   for t in node.targets)
    return isinstance(node, ast.Call) and _call_mutates(node, aliases)


def input_mutation(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
    """Line where ``transform`` mutates its input argument, if it does (statements are
    read in source order; rebinding the input to a copy ends the tracking)."""
    params = [a.arg for a in func.args.posonlyargs + func.args.args]
    if len(params) < 2:
        return None
    aliases = {params[1]}
    nodes = sorted((n for n in scope_walk(func) if isinstance(
        n, ast.Assign | ast.AugAssign | ast.AnnAssign | ast.Delete | ast.Call)),
        key=lambda n: (n.lineno, n.col_offset))
    for node in nodes:
        if _mutates(node, aliases):
            return node.lineno
    return None


def _fit_problem(func: ast.FunctionDef | ast.AsyncFunctionDef) -> int | None:
    """Line of a ``fit`` that does not return ``self`` (the ``def`` line when it never
    returns)."""
    returns = [n for n in scope_walk(func) if isinstance(n, ast.Return)]
    if not returns:
        if all(isinstance(s, ast.Raise) or (isinstance(s, ast.Expr) and isinstance(
                s.value, ast.Constant)) for s in func.body):
            return None  # abstract: only a docstring and/or raise
        return func.lineno
    for ret in returns:
        if not (isinstance(ret.value, ast.Name) and ret.value.id == "self"):
            return ret.lineno
    return None


def _init_problem(func: ast.FunctionDef | ast.AsyncFunctionDef) -> T | None:
    params = {a.arg for a in func.args.args[1:] + func.args.kwonlyargs}
    stored: set[str] = set()
    for statement in func.body:
        if isinstance(statement, ast.Pass) or (isinstance(statement, ast.Expr) and (
                isinstance(statement.value, ast.Constant) or (
                    isinstance(statement.value, ast.Call) and
                    isinstance(statement.value.func, ast.Attribute) and
                    statement.value.func.attr == "__init__"))):
            continue
        if isinstance(statement, ast.Assign) and len(statement.targets) == 1:
            target = statement.targets[0]
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and \
                    target.value.id == "self" and isinstance(statement.value, ast.Name) and \
                    statement.value.id == target.attr and target.attr in params:
                stored.add(target.attr)
                continue
        return T(f"__init__ does more than store its parameters (line {statement.lineno}); "
                 "validate and derive in fit, or clone()/get_params() break",
                 f"__init__ hace más que guardar sus parámetros (línea {statement.lineno}); "
                 "valida y deriva en fit, o clone()/get_params() fallan")
    missing = sorted(params - stored)
    if missing:
        return T(f"__init__ does not store parameter(s) {', '.join(missing)} as attributes of "
                 "the same name; get_params() will fail",
                 f"__init__ no guarda el/los parámetro(s) {', '.join(missing)} como atributos "
                 "del mismo nombre; get_params() fallará")
    return None


def _methods(node: ast.ClassDef) -> dict[str, ast.FunctionDef | ast.AsyncFunctionDef]:
    return {n.name: n for n in node.body if isinstance(n, FUNCTION_NODES)}


def _contract_problems(an: Analysis, index: PythonIndex,
                       node: ast.ClassDef) -> list[tuple[T, int]]:
    """Hard failures of a custom transformer: bases, fit returning self, input mutation."""
    name = node.name
    candidate, mixin, base = _transformer_bases(index, node)
    local_parent = any(last(index.qualname(b)) in an.custom for b in node.bases)
    methods = _methods(node)
    problems: list[tuple[T, int]] = []
    if candidate and not (mixin and base) and not local_parent:
        problems.append((T(f"{name} must inherit both BaseEstimator and TransformerMixin",
                           f"{name} debe heredar BaseEstimator y TransformerMixin"),
                         node.lineno))
    fit = methods.get("fit")
    fit_line = _fit_problem(fit) if fit is not None else None
    if fit is None and not local_parent:
        problems.append((T(f"{name} defines no fit method", f"{name} no define fit"),
                         node.lineno))
    elif fit_line is not None:
        problems.append((T(f"{name}.fit does not return self (line {fit_line}); Pipeline.fit "
                           "chains on it", f"{name}.fit no devuelve self (línea {fit_line}); "
                           "Pipeline.fit depende de ello"), fit_line))
    transform = methods.get("transform")
    line = input_mutation(transform) if transform is not None else None
    if line is not None:
        problems.append((T(f"{name}.transform mutates its input (line {line}); start with "
                           "X = X.copy()", f"{name}.transform modifica su entrada (línea "
                           f"{line}); empieza con X = X.copy()"), line))
    return problems


@check("custom_transformer")
def custom_transformer(ctx: Context, params: None) -> Iterator[Finding]:
    """ML003: custom transformers follow sklearn's contract and are used in a pipeline."""
    an = analysis(ctx)
    yield from _errors(an)
    yield from skips(config_errors(ctx))
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("no custom transformer is expected",
                                   "no se espera un transformador propio"))
    if untrained is not None and not an.custom:
        yield untrained
        return
    other = not_applicable_to(ctx, T("a scikit-learn custom transformer does not apply",
                                     "un transformador propio de scikit-learn no aplica"))
    if other is not None and not an.custom:
        yield other
        return
    if not an.custom:
        yield failed(T("no custom transformer (a class inheriting BaseEstimator and "
                       "TransformerMixin) in the project code",
                       "no hay transformador propio (una clase que herede BaseEstimator y "
                       "TransformerMixin) en el código del proyecto"))
        return
    for name, (index, node) in sorted(an.custom.items()):
        path = index.path
        methods = _methods(node)
        problems = _contract_problems(an, index, node)
        if problems:
            message, line = problems[0]
            for extra, _ in problems[1:]:
                message = message + T("; ", "; ") + extra
            yield failed(message, path, line)
            continue
        init = methods.get("__init__")
        init_issue = _init_problem(init) if init is not None else None
        used = any(in_composite(i, u, COMPOSITES)
                   for call_index, call in an.calls_named(name)
                   for i, u in uses(an, call_index, call))
        if init_issue is not None:
            yield warned(T(f"{name}: ", f"{name}: ") + init_issue, path,
                         init.lineno if init else node.lineno)
        elif not used:
            yield warned(T(f"{name} is correct but never used in a Pipeline or "
                           "ColumnTransformer", f"{name} es correcto pero no se usa en ningún "
                           "Pipeline ni ColumnTransformer"), path, node.lineno)
        else:
            yield passed(T(f"{name}: fit returns self, transform leaves its input intact, "
                           "__init__ only stores parameters, used in a pipeline",
                           f"{name}: fit devuelve self, transform no modifica su entrada, "
                           "__init__ solo guarda parámetros, se usa en un pipeline"),
                         path, node.lineno)


# -- ML004 ------------------------------------------------------------------------------


class SeedParams(Params):
    warn_ratio: float = Field(0.9, ge=0, le=1)


def _unseeded(call: ast.Call, name: str) -> bool | None:
    """True/False for a randomized call without/with a seed; None when it draws nothing."""
    if name in SHUFFLE_OPTIONAL and literal(call_arg(call, "shuffle")) is not True:
        return None
    if name == "train_test_split" and literal(call_arg(call, "shuffle")) is False:
        return None
    value = next((call_arg(call, k) for k in SEED_KEYWORDS if call_arg(call, k)), None)
    return value is None or (isinstance(value, ast.Constant) and value.value is None)


def _framework_unseeded(qual: str, call: ast.Call) -> bool | None:
    """Random splits of other frameworks: ``torch.utils.data.random_split`` (seeded with
    ``generator=``) and a dataset's ``.train_test_split`` method (Hugging Face datasets,
    seeded with ``seed=``); ``None`` for any other call."""
    if qual.startswith("torch.") and last(qual) == "random_split":
        return call_arg(call, "generator", 2) is None
    if method(call) == "train_test_split" and not _sk(qual):
        value = call_arg(call, "seed")
        return value is None or (isinstance(value, ast.Constant) and value.value is None)
    return None


def _splatted(call: ast.Call) -> bool:
    """``Model(**params)``: a ``**`` mapping may carry the seed (from a config file)."""
    return any(k.arg is None for k in call.keywords)


def _seed_scan(an: Analysis) -> tuple[list[tuple[str, int]], list[tuple[str, int, str]],
                                      tuple[str, int] | None, list[tuple[str, int, str]]]:
    seeded: list[tuple[str, int]] = []
    unseeded: list[tuple[str, int, str]] = []
    unknown: list[tuple[str, int, str]] = []  # Model(**params): the seed may be in params
    central: tuple[str, int] | None = None
    for index in an.indexes:
        for qual, call in index.calls:
            name = last(qual)
            if qual in CENTRAL_SEEDS or SEED_FUNCTIONS.match(name):
                central = central or (index.path, call.lineno)
                continue
            verdict = _unseeded(call, name) if _sk(qual) and name in RANDOMIZED else \
                _framework_unseeded(qual, call)
            if verdict is not None and load_shell(index, call):
                continue
            if verdict is True and _splatted(call):
                unknown.append((index.path, call.lineno, name))
            elif verdict is True:
                unseeded.append((index.path, call.lineno, name))
            elif verdict is False:
                seeded.append((index.path, call.lineno))
    return seeded, unseeded, central, unknown


@check("random_seeds", SeedParams)
def random_seeds(ctx: Context, params: SeedParams) -> Iterator[Finding]:
    """ML004: randomized splitters and estimators get a random_state (or a central seed)."""
    an = analysis(ctx)
    yield from _errors(an)
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("no training run needs a seed",
                                   "ningún entrenamiento necesita semilla"))
    if untrained is not None:
        yield untrained
        return
    seeded, unseeded, central, unknown = _seed_scan(an)
    total = len(seeded) + len(unseeded)
    if unknown and not unseeded and not central:
        where = locations([(p, n) for p, n, _ in unknown])
        yield warned(T(f"{len(unknown)} randomized call(s) take **kwargs without random_state, "
                       f"so the seed is unknown (it may come from the config): {where}",
                       f"{len(unknown)} llamada(s) aleatoria(s) reciben **kwargs sin "
                       f"random_state, así que la semilla es desconocida (puede venir de la "
                       f"configuración): {where}"), unknown[0][0], unknown[0][1],
                     fix=T("pass random_state explicitly next to **params (or set it in the "
                           "config and a central seed), so the seed is visible in the code",
                           "pasa random_state explícito junto a **params (o fíjalo en la "
                           "configuración y con una semilla central) para que se vea en el "
                           "código"))
        return
    if total == 0:
        if central:
            yield passed(T(f"central seed set at {central[0]}:{central[1]}",
                           f"semilla central fijada en {central[0]}:{central[1]}"), *central)
        else:
            yield skipped(T("no randomized splitter or estimator in the project code",
                            "no hay divisores ni estimadores aleatorios en el código del "
                            "proyecto"))
        return
    if not unseeded:
        yield passed(T(f"all {total} randomized splitter/estimator calls are seeded "
                       "(random_state, seed or generator)",
                       f"las {total} llamadas a divisores/estimadores aleatorios tienen "
                       "semilla (random_state, seed o generator)"), seeded[0][0], seeded[0][1])
        return
    where = locations([(p, n) for p, n, _ in unseeded])
    names = ", ".join(sorted({n for _, _, n in unseeded}))
    if central:
        yield passed(T(f"{len(unseeded)} call(s) without a seed ({names}) rely on the "
                       f"central seed set at {central[0]}:{central[1]}",
                       f"{len(unseeded)} llamada(s) sin semilla ({names}) dependen de la "
                       f"semilla central fijada en {central[0]}:{central[1]}"), *central)
        return
    ratio = len(seeded) / total
    message = T(f"{len(seeded)}/{total} randomized calls are seeded ({ratio:.0%}); without "
                f"a seed: {where}",
                f"{len(seeded)}/{total} llamadas aleatorias tienen semilla ({ratio:.0%}); sin "
                f"semilla: {where}")
    fix = T("pass a seed from the configuration (random_state=, seed= or generator=) to every "
            "randomized call, or set a central seed at start-up (np.random.seed, "
            "torch.manual_seed, tf.random.set_seed, seed_everything)",
            "pasa una semilla de la configuración (random_state=, seed= o generator=) a cada "
            "llamada aleatoria, o fija una semilla central al arrancar (np.random.seed, "
            "torch.manual_seed, tf.random.set_seed, seed_everything)")
    first = unseeded[0]
    if ratio >= params.warn_ratio:
        yield warned(message, first[0], first[1], fix=fix)
    else:
        yield failed(message, first[0], first[1], fix=fix)


# -- ML005 ------------------------------------------------------------------------------


def _split_calls(an: Analysis) -> list[tuple[PythonIndex, ast.Call]]:
    out = []
    for index in an.indexes:
        for qual, call in index.calls:
            name = last(qual)
            if _sk(qual) and (name == "train_test_split" or name in SPLITTERS or
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
        return _call_name(index, obj) in TARGET_ENCODERS
    if isinstance(obj, ast.Name):
        values = assignments(scope, obj.id)
        return bool(values) and isinstance(values[-1], ast.Call) and \
            _call_name(index, values[-1]) in TARGET_ENCODERS
    return False


def _fit_before_split(an: Analysis, splits: list[tuple[PythonIndex, ast.Call]]
                      ) -> Iterator[Finding]:
    """Heuristic (b): fit/fit_transform before train_test_split in the same function."""
    for index, split in splits:
        if _call_name(index, split) != "train_test_split":
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


TRAIN_LIKE = re.compile(r"(^|_)(train|training|trn)(_|$|\d)|^x_?train|^train", re.IGNORECASE)
HELD_OUT_LIKE = re.compile(r"(^|_)(test|val|valid|validation|holdout|dev|eval)(_|$|\d)|"
                           r"^(test|val|valid|holdout|eval)", re.IGNORECASE)
RANDOM_DRAWS = frozenset({"random.random", "random.uniform", "numpy.random.rand",
                          "numpy.random.random", "numpy.random.uniform",
                          "numpy.random.random_sample"})
TABLE_READERS = frozenset({"read_csv", "read_parquet", "read_excel", "read_feather",
                           "read_table", "read_sql", "read_sql_query", "read_orc", "scan_csv",
                           "scan_parquet", "DataFrame"})
SPLIT_KEYWORDS = frozenset({"validation_split", "validation_data", "eval_dataset",
                            "val_dataloaders", "validation_dataset"})
HELD_OUT_METHODS = frozenset({"val_dataloader", "test_dataloader"})


def _names_in(node: ast.AST) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and \
                len(sub.value) < 200:
            out.add(sub.value)
    return out


def _mentions_both(names: set[str]) -> bool:
    """Names (or strings) of a training set and of a held-out set."""
    words = {w for n in names for w in re.split(r"[/.\s]", n.lower()) if w}
    return any(TRAIN_LIKE.search(w) for w in words) and \
        any(HELD_OUT_LIKE.search(w) for w in words)


def _split_by_hand(index: PythonIndex) -> tuple[int, str] | None:
    """A split written by hand: a random draw compared with a ratio in code that writes a
    training and a held-out set (``fd = train if random.random() > split else test``),
    slices of one sequence bound to a training and a held-out name (``train = data[:n]``,
    ``val = data[n:]``), or a split helper unpacked into both (``train, test = split(d)``)."""
    names: dict[int, bool] = {}  # scope -> mentions a training and a held-out set
    for compare in nodes_of(index, ast.Compare):
        draws = [c for c in ast.walk(compare) if isinstance(c, ast.Call) and (
            (index.qualname(c.func) or "") in RANDOM_DRAWS or
            (method(c) in ("random", "uniform", "rand") and
             isinstance(receiver(c), ast.Name) and "rng" in str(getattr(receiver(c), "id", ""))))]
        if not draws:
            continue
        scope = scope_of(index, compare)
        if id(scope) not in names:
            names[id(scope)] = _mentions_both(_names_in(scope))
        if names[id(scope)]:
            return compare.lineno, "a random split by hand"
    for scope in [index.tree, *nodes_of(index, ast.FunctionDef, ast.AsyncFunctionDef)]:
        sliced: dict[str, int] = {}
        for node in scope_walk(scope):
            if not isinstance(node, ast.Assign):
                continue
            pairs: list[tuple[ast.expr, ast.expr]] = []
            for target in node.targets:
                if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) and \
                        len(target.elts) == len(node.value.elts):
                    pairs.extend(zip(target.elts, node.value.elts, strict=True))
                elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Call) and \
                        "split" in _call_name(index, node.value).lower() and \
                        _mentions_both({target_key(e) or "" for e in target.elts}):
                    return node.lineno, f"{_call_name(index, node.value)}()"
                else:
                    pairs.append((target, node.value))
            for target, value in pairs:
                key = target_key(target) if isinstance(target, ast.Name | ast.Attribute) else None
                if key and isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
                    sliced[key.rsplit(".", 1)[-1]] = node.lineno
        if _mentions_both(set(sliced)):
            return min(sliced.values()), "slices of the data by hand"
    return None


def _framework_splits(an: Analysis) -> list[tuple[str, int, str]]:
    """Held-out data set aside without scikit-learn: torch ``random_split``, a dataset's
    ``.train_test_split``, a validation set given to training (``validation_split=``,
    ``validation_data=``, ``eval_dataset=``), a data module's ``val_dataloader`` /
    ``test_dataloader``, a ``split=`` of a named held-out split, or a split by hand."""
    out: list[tuple[str, int, str]] = []
    for index in an.indexes:
        for qual, call in index.calls:
            name = last(qual)
            if (name == "random_split" and qual.startswith("torch.")) or (
                    name == "train_test_split" and not _sk(qual)):
                out.append((index.path, call.lineno, f"{short(call.func, 40)}()"))
        for call in nodes_of(index, ast.Call):
            for keyword in call.keywords:
                if keyword.arg in SPLIT_KEYWORDS:
                    out.append((index.path, call.lineno, f"{keyword.arg}="))
                elif keyword.arg == "split":
                    value = literal(keyword.value)
                    if isinstance(value, str) and len(value) < 100 and \
                            HELD_OUT_LIKE.search(value):
                        out.append((index.path, call.lineno, f"split={value!r}"))
        for node in nodes_of(index, ast.FunctionDef):
            if node.name in HELD_OUT_METHODS:
                out.append((index.path, node.lineno, f"{node.name}()"))
        hand = _split_by_hand(index)
        if hand:
            out.append((index.path, hand[0], hand[1]))
    return sorted(out)


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
                        _call_name(index, values[-1]).endswith("Trainer"):
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


def _reads_tables(an: Analysis) -> bool:
    """Whether the project code reads tabular data (where columns can leak the target)."""
    return any(last(qual) in TABLE_READERS for index in an.indexes for qual, _ in index.calls)


@check("leakage_guards")
def leakage_guards(ctx: Context, params: None) -> Iterator[Finding]:
    """ML005: a split exists, nothing is fitted before it, evaluation is on held-out data."""
    an = analysis(ctx)
    yield from _errors(an)
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no split or leakage to judge",
                                   "no hay división ni fuga que juzgar"))
    if untrained is not None:
        yield untrained
        return
    fits = [(index.path, call.lineno) for index in an.indexes
            for _, call in (every_call(index) if uses_any(index) else index.calls)
            if method(call) in FIT_METHODS] + _framework_training(an)
    splits = _split_calls(an)
    others = [] if splits else _framework_splits(an)
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
    problems = list(_fit_before_split(an, splits))
    for index in an.indexes:
        if any(method(call) == "fit" for _, call in index.calls) or uses_any(index):
            problems.extend(_train_evaluation(index))
    read_errors: list[ParseError] = []
    drop = _drop_list(ctx, an, read_errors)
    yield from skips([*read_errors, *config_errors(ctx)])
    other = frameworks(ctx).not_sklearn()
    tabular = other is None or _reads_tables(an)
    in_code = _drop_in_code(an) if drop is None else None
    if drop is None and tabular and in_code is None:
        problems.append(warned(T(
            "no configured list of columns to drop (drop_columns or similar) for identifiers "
            "and target-derived features", "no hay una lista configurada de columnas a "
            "eliminar (drop_columns o similar) para identificadores y variables derivadas del "
            "objetivo"), fix=T("add drop_columns: [...] to the YAML config and drop them "
                               "before training", "añade drop_columns: [...] a la "
                               "configuración YAML y elimínalas antes de entrenar")))
    yield from problems
    if problems:
        return
    if drop is not None:
        where = f"{drop[0]}:{drop[1]}" if drop[1] else drop[0]
        columns = T(f"columns to drop configured in {where}",
                    f"columnas a eliminar configuradas en {where}")
    elif in_code is not None and tabular:
        columns = T(f"columns dropped in code at {in_code[0]}:{in_code[1]} (listing them in "
                    "the configuration makes them easier to review)",
                    f"columnas eliminadas en el código en {in_code[0]}:{in_code[1]} "
                    "(listarlas en la configuración las hace más fáciles de revisar)")
    else:
        label = other[0] if other else ""
        columns = T(f"the model is trained with {label} and no table is read, so no list of "
                    "columns to drop applies", f"el modelo se entrena con {label} y no se lee "
                    "ninguna tabla, así que no aplica una lista de columnas a eliminar")
    if held is not None:
        index, call, data = held
        yield passed(T(f"no split in the code, but the model is evaluated on a separate dataset "
                       f"({short(call)} on {data} at {index.path}:{call.lineno}); ",
                       f"no hay división en el código, pero el modelo se evalúa con otro "
                       f"dataset ({short(call)} sobre {data} en {index.path}:{call.lineno}); ")
                     + columns, index.path, call.lineno)
    elif splits:
        index, split = splits[0]
        yield passed(T(f"data split at {index.path}:{split.lineno}, nothing fitted before it, "
                       "evaluation on held-out data, ",
                       f"datos divididos en {index.path}:{split.lineno}, nada se ajusta antes, "
                       "evaluación con datos reservados, ") + columns, index.path, split.lineno)
    else:
        path, line, how = others[0]
        yield passed(T(f"held-out data set aside with {how} at {path}:{line}; ",
                       f"datos reservados con {how} en {path}:{line}; ") + columns, path, line)


_HELD_OUT_NAME = re.compile(r"(^|_|x)(test|val|valid|validation|holdout|eval)(_|$|\d)")
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


def _train_evaluation(index: PythonIndex) -> Iterator[Finding]:
    """Warn where a model is scored on the very data it was fitted on (and nowhere else)."""
    scopes = [index.tree, *nodes_of(index, ast.FunctionDef, ast.AsyncFunctionDef)]
    for scope in scopes:
        calls = calls_in(scope)
        for fit in calls:
            obj = receiver(fit)
            if obj is None or method(fit) != "fit" or not fit.args:
                continue
            key = ast.dump(obj)
            data = ast.dump(fit.args[0])
            later = [c for c in calls if c.lineno >= fit.lineno and c is not fit and
                     method(c) in ("predict", "predict_proba", "score", "decision_function")
                     and c.args and ast.dump(c.func.value if isinstance(c.func, ast.Attribute)
                                             else c.func) == key]
            same = [c for c in later if ast.dump(c.args[0]) == data]
            other = [c for c in later if ast.dump(c.args[0]) != data]
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


# -- ML006 ------------------------------------------------------------------------------


def _is_cv_split(index: PythonIndex, call: ast.Call) -> bool:
    """``splitter.split(X, y)`` where the receiver is (bound to) a CV splitter."""
    obj = receiver(call)
    if method(call) != "split" or obj is None or any(
            isinstance(a, ast.Constant) for a in call.args):
        return False
    if isinstance(obj, ast.Call):
        return _call_name(index, obj) in SPLITTERS
    key = target_key(obj) if isinstance(obj, ast.Name | ast.Attribute) else None
    if key is None:
        return False
    values = values_of(index, call, key)
    return bool(values) and isinstance(values[-1], ast.Call) and \
        _call_name(index, values[-1]) in SPLITTERS


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
            if _sk(qual) and name in SPLITTERS:
                usage.splitters.append((index, call))
            elif _sk(qual) and (name in CV_FUNCTIONS or name in SEARCHES):
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


@check("cross_validation")
def cross_validation(ctx: Context, params: None) -> Iterator[Finding]:
    """ML006: K-fold style splitters with cross_val_score/cross_validate, a fold loop, or a
    hyper-parameter search with ``cv=``."""
    an = analysis(ctx)
    yield from _errors(an)
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
        yield warned(T(f"a {_call_name(index, call)} is created at {index.path}:{call.lineno} "
                       "but never used for cross-validation",
                       f"se crea un {_call_name(index, call)} en {index.path}:{call.lineno} "
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


# -- ML007 ------------------------------------------------------------------------------


METRIC_ARG = re.compile(r"metric|result|score|eval", re.IGNORECASE)
SAVE_HELPER = re.compile(r"save|dump|write|export|store|persist", re.IGNORECASE)


def _metrics_json(an: Analysis) -> tuple[str, int] | None:
    for index in an.indexes:
        computes = any(q.startswith(METRIC_MODULES) for q, _ in index.calls)
        for qual, call in every_call(index) if uses_any(index) else index.calls:
            name = last(qual)
            if qual in ("json.dump", "json.dumps") and computes:
                return index.path, call.lineno
            if qual.startswith("mlflow") and name == "log_dict":
                return index.path, call.lineno
            if name in ("dump", "write_text", "to_json", "open") or qual in (
                    "json.dump", "json.dumps"):
                for arg in [*call.args, *(k.value for k in call.keywords)]:
                    text = literal_path(arg) or ""
                    if text.endswith(".json") and METRIC_ARG.search(text):
                        return index.path, call.lineno
    return None


def _metrics_helper(an: Analysis) -> tuple[str, int] | None:
    """A project helper that writes the metrics: ``save_dict(d=metrics, path=...)``."""
    for index in an.indexes:
        for qual, call in index.calls:
            name = method(call) or last(qual)
            if not SAVE_HELPER.search(name) or qual.startswith(("logging.", "logger.", "log.")):
                continue
            values = [*call.args, *(k.value for k in call.keywords)]
            if any(isinstance(v, ast.Name) and METRIC_ARG.search(v.id) and
                   v.id.lower() not in ("results_fp", "result_path") for v in values[:2]):
                return index.path, call.lineno
    return None


def _dvc_metrics(ctx: Context, errors: list[ParseError]) -> str | None:
    """``metrics:`` declared in dvc.yaml (top level or in a stage)."""
    path = ctx.first("dvc.yaml")
    data = read_yaml(ctx, path, errors)
    if not isinstance(data, dict):
        return None
    stages = data.get("stages")
    stage_list = list(stages.values()) if isinstance(stages, dict) else []
    if data.get("metrics") or any(isinstance(s, dict) and s.get("metrics")
                                  for s in stage_list):
        return path
    return None


def _metrics_record(ctx: Context, an: Analysis, errors: list[ParseError]
                    ) -> tuple[T, str, int | None] | None:
    """Where evaluation metrics are recorded: a JSON file, dvc.yaml metrics, a helper that
    writes them, or an experiment tracker that logs them."""
    found = _metrics_json(an)
    if found:
        return T("metrics written to JSON", "métricas escritas en JSON"), found[0], found[1]
    dvc = _dvc_metrics(ctx, errors)
    if dvc:
        return T("metrics declared in dvc.yaml", "métricas declaradas en dvc.yaml"), dvc, None
    helper = _metrics_helper(an)
    if helper:
        return T("metrics written by a helper", "métricas escritas por una función auxiliar"), \
            helper[0], helper[1]
    verdicts, tracker_read_errors = tracking_verdicts(ctx)
    errors.extend(tracker_read_errors)
    for verdict in verdicts:
        if not verdict.missing[1] or not any("metric" in m.en for m in verdict.missing[1]):
            name = verdict.name
            return T(f"metrics logged to {name}", f"métricas registradas en {name}"), \
                verdict.anchor.path, verdict.anchor.line or None
    return None


@dataclass
class Saves:
    """How the project code writes its model."""

    sklearn: list[tuple[PythonIndex, ast.Call, str]] = field(default_factory=list)
    framework: list[tuple[str, int, str]] = field(default_factory=list)
    pickle_writes: list[tuple[str, int]] = field(default_factory=list)
    pickle_reads: list[tuple[str, int]] = field(default_factory=list)
    pickle_models: list[tuple[str, int]] = field(default_factory=list)  # writes of a model

    @property
    def first(self) -> tuple[str, int | None, str] | None:
        if self.sklearn:
            index, call, qual = self.sklearn[0]
            return index.path, call.lineno, qual
        if self.framework:
            path, line, what = self.framework[0]
            return path, line or None, what
        return None


MODEL_NAMES = re.compile(r"(?:^|_)(?:model|clf|classifier|regressor|estimator|pipeline|pipe|"
                         r"booster|learner|ensemble)s?(?:_|$)", re.IGNORECASE)


def _dumps_a_model(an: Analysis, index: PythonIndex, call: ast.Call) -> bool:
    """The object pickled is a fitted estimator (by its constructor or fit) or is named
    like one (``model``, ``clf``, ``best_pipeline``); a tuple of arrays or a feature
    matrix is not."""
    obj = call_arg(call, "obj", 0)
    if obj is None:
        return False
    if classify(an, index, obj) == "estimator":
        return True
    name = obj.id if isinstance(obj, ast.Name) else obj.attr if isinstance(
        obj, ast.Attribute) else None
    return name is not None and MODEL_NAMES.search(name) is not None


def _saves(ctx: Context, an: Analysis) -> Saves:
    """Model saving calls (joblib, skops, MLflow, framework saves and checkpoints), and
    the files pickle writes and reads."""
    out = Saves()
    for index in an.indexes:
        for qual, call in every_call(index):
            if qual in ("pickle.dump", "pickle.dumps", "cloudpickle.dump", "dill.dump"):
                out.pickle_writes.append((index.path, call.lineno))
                if _dumps_a_model(an, index, call):
                    out.pickle_models.append((index.path, call.lineno))
            elif qual in ("pickle.load", "pickle.loads"):
                out.pickle_reads.append((index.path, call.lineno))
            if qual in SAVE_CALLS or (qual.startswith("mlflow.") and
                                      last(qual) in ("log_model", "save_model")):
                out.sklearn.append((index, call, qual))
                continue
            what = framework_save(index, qual, call)
            if what:
                out.framework.append((index.path, call.lineno, what))
    for path, target in config_targets(ctx):
        if last(target) in CHECKPOINT_CLASSES:
            out.framework.append((path, 0, last(target)))
    return out


def _location_findings(ctx: Context, dumped: list[tuple[PythonIndex, ast.Call]]
                       ) -> Iterator[Finding]:
    """Warn when the saved model can end up committed (folder not ignored nor DVC-tracked)."""
    literal_dirs: list[tuple[str, int, str]] = []
    for index, call in dumped:
        target = literal_path(call_arg(call, "filename", 1))
        if target and "{}" not in target.split("/")[0]:
            literal_dirs.append((index.path, call.lineno, target))
    unsafe = [(p, n, t) for p, n, t in literal_dirs
              if not is_ignored(ctx, t) and not dvc_tracked(ctx, t.split("/")[0])]
    protected = any(is_ignored(ctx, f"{d}/model.joblib") or dvc_tracked(ctx, d)
                    for d in ("models", "artifacts"))
    if unsafe:
        path, line, target = unsafe[0]
        yield warned(T(f"the model is written to {target} ({path}:{line}), which is neither "
                       "gitignored nor tracked by DVC",
                       f"el modelo se escribe en {target} ({path}:{line}), que no está en "
                       ".gitignore ni versionado con DVC"), path, line)
    elif not literal_dirs and dumped and not protected:
        index, call = dumped[0]
        yield warned(T("models/ and artifacts/ are neither gitignored nor tracked by DVC: a "
                       "saved model can end up committed",
                       "models/ y artifacts/ no están en .gitignore ni versionados con DVC: un "
                       "modelo guardado puede acabar en el repositorio"), index.path,
                     call.lineno)


def _artifact_problems(ctx: Context, an: Analysis, saves: Saves) -> list[Finding]:
    found: list[Finding] = []
    dumped = [(i, c) for i, c, q in saves.sklearn if q in SAVE_CALLS and c.args]
    transformer_saves = [(i.path, c.lineno) for i, c in dumped
                         if classify(an, i, c.args[0]) == "transformer"]
    if transformer_saves:
        found.append(warned(T(
            f"a preprocessor is saved on its own ({locations(transformer_saves)}): save the "
            "whole fitted Pipeline as one artefact",
            f"se guarda un preprocesador por separado ({locations(transformer_saves)}): "
            "guarda el Pipeline ajustado completo como un único artefacto"),
            transformer_saves[0][0], transformer_saves[0][1]))
    if saves.pickle_writes or saves.pickle_reads:
        used = [*saves.pickle_writes, *saves.pickle_reads]
        parts = [T(f"writes: {locations(saves.pickle_writes, 3)}",
                   f"escribe: {locations(saves.pickle_writes, 3)}")] if saves.pickle_writes \
            else []
        if saves.pickle_reads:
            parts.append(T(f"reads: {locations(saves.pickle_reads, 3)}",
                           f"lee: {locations(saves.pickle_reads, 3)}"))
        found.append(warned(T("pickle is used to write or read files (",
                              "se usa pickle para escribir o leer archivos (") +
                            T.join(parts, "; ") +
                            T("): unsafe to load from an untrusted file and fragile across "
                              "versions", "): inseguro al cargar un archivo no confiable y "
                              "frágil entre versiones"), used[0][0], used[0][1]))
    found.extend(_location_findings(ctx, dumped))
    return found


@check("model_artifact")
def model_artifact(ctx: Context, params: None) -> Iterator[Finding]:
    """ML007: the trained model is saved (joblib/MLflow, or the framework's own save or
    checkpoints) to an ignored or DVC-tracked folder, and evaluation metrics are recorded
    (a JSON file, dvc.yaml metrics or an experiment tracker)."""
    an = analysis(ctx)
    yield from _errors(an)
    yield from skips(config_errors(ctx))
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no trained model to save",
                                   "no hay modelo entrenado que guardar"))
    if untrained is not None:
        yield untrained
        return
    saves = _saves(ctx, an)
    first = saves.first
    if first is None:
        if saves.pickle_writes and not saves.pickle_models:
            where = locations(saves.pickle_writes)
            yield warned(T(f"no model save found: pickle.dump writes only objects not "
                           f"recognised as a fitted model ({where}); if one of them is the "
                           "model, pickle is unsafe to load and fragile across versions",
                           f"no se encuentra dónde se guarda el modelo: pickle.dump solo "
                           f"escribe objetos que no se reconocen como un modelo ajustado "
                           f"({where}); si alguno es el modelo, pickle es inseguro de cargar y "
                           "frágil entre versiones"),
                         saves.pickle_writes[0][0], saves.pickle_writes[0][1],
                         fix=T("joblib.dump(model, 'models/model.joblib') (or skops, or the "
                               "framework's own save)", "joblib.dump(model, "
                               "'models/model.joblib') (o skops, o el guardado propio del "
                               "framework)"))
        elif saves.pickle_models:
            where = locations(saves.pickle_models)
            yield warned(T(f"no model save other than pickle.dump ({where}): pickle is unsafe to "
                           "load and fragile across versions",
                           f"no se guarda el modelo salvo con pickle.dump ({where}): pickle es "
                           "inseguro de cargar y frágil entre versiones"),
                         saves.pickle_models[0][0], saves.pickle_models[0][1],
                         fix=T("joblib.dump(model, 'models/model.joblib') (or skops, or the "
                               "framework's own save)", "joblib.dump(model, "
                               "'models/model.joblib') (o skops, o el guardado propio del "
                               "framework)"))
        else:
            yield failed(T("the trained model is never saved (no joblib.dump, "
                           "mlflow.<flavor>.log_model/save_model, torch.save, save_pretrained, "
                           "model.save or checkpoint callback)",
                           "el modelo entrenado nunca se guarda (ni joblib.dump, ni "
                           "mlflow.<flavor>.log_model/save_model, ni torch.save, ni "
                           "save_pretrained, ni model.save, ni callback de checkpoints)"))
        return
    problems = _artifact_problems(ctx, an, saves)
    yield from problems
    metric_errors: list[ParseError] = list(dvc_errors(ctx))
    metrics = _metrics_record(ctx, an, metric_errors)
    yield from skips(metric_errors)
    if metrics is None:
        yield warned(T("evaluation metrics are not recorded (a metrics JSON file, dvc.yaml "
                       "metrics or an experiment tracker)", "las métricas de evaluación no se "
                       "registran (un JSON de métricas, métricas de dvc.yaml o un tracker de "
                       "experimentos)"),
                     fix=T("json.dump(metrics, open('artifacts/metrics.json', 'w')) with the "
                           "evaluation metrics of the held-out data",
                           "json.dump(metrics, open('artifacts/metrics.json', 'w')) con las "
                           "métricas de evaluación de los datos reservados"))
    elif not problems:
        path, line, what = first
        how, mpath, mline = metrics
        mwhere = f"{mpath}:{mline}" if mline else mpath
        yield passed(T(f"model saved with {what} at {path}" + (f":{line}" if line else ""),
                       f"modelo guardado con {what} en {path}" + (f":{line}" if line else ""))
                     + T("; ", "; ") + how + T(f" at {mwhere}", f" en {mwhere}"), path, line)
