"""ML004: randomized splitters and estimators get a ``random_state`` (or a central seed).

A central seed (``numpy.random.seed``, ``torch.manual_seed``, a ``set_seed`` helper)
covers the calls without their own. Calls taking ``**kwargs`` without ``random_state``
leave the seed unknown: a warning, unless a project config file (YAML, JSON, TOML) sets
``random_state``/``seed`` to an integer, the usual source of those params. Below the
share of seeded calls given by ``warn_ratio`` (:class:`SeedParams`) the rule fails; at or
above it, it warns.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from pydantic import Field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import call_arg, literal
from mlops_lint.readers.training import (
    last,
    load_shell,
    locations,
    method,
    no_training,
    training_errors,
)
from mlops_lint.rules import Params, rule
from mlops_lint.rules.ml._shared import (
    Analysis,
    analysis,
    sk,
    source_errors,
)

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


SEED_FUNCTIONS = lazy_re.compile(r"^(set_(global_|random_|all_)?seeds?|seed_everything|seed_all|"
                                 r"fix_seeds?|set_reproducib\w*)$")


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
    if method(call) == "train_test_split" and not sk(qual):
        value = call_arg(call, "seed")
        return value is None or (isinstance(value, ast.Constant) and value.value is None)
    return None


def _splatted(call: ast.Call) -> bool:
    """``Model(**params)``: a ``**`` mapping may carry the seed (from a config file)."""
    return any(k.arg is None for k in call.keywords)


# a seed key with an integer value in a YAML, JSON or TOML config file (one line)
CONFIG_SEED = lazy_re.compile(r"^[ \t]*[\"']?(random_state|random_seed|seed)[\"']?[ \t]*[:=][ \t]*"
                              r"[\"']?(\d{1,12})\b", re.M)
CONFIG_GLOBS = ("**/*.yml", "**/*.yaml", "**/*.json", "**/*.toml")
NOT_CONFIG = (".github/", ".gitlab", "node_modules/", "k8s/", "helm/", "charts/")


def config_seed(ctx: Context) -> tuple[str, int, str] | None:
    """A project config file that sets a seed (``random_state: 42``): (path, line, text).
    Where estimators take ``**params`` loaded from config, this is the seed they get."""
    for path in ctx.files(CONFIG_GLOBS):
        if path.startswith(NOT_CONFIG) or "/." in path:
            continue
        text = ctx.repo.text(path)
        if not isinstance(text, str):
            continue
        match = CONFIG_SEED.search(text)
        if match:
            line = text.count("\n", 0, match.start()) + 1
            return path, line, f"{match.group(1)}: {match.group(2)}"
    return None


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
            verdict = _unseeded(call, name) if sk(qual) and name in RANDOMIZED else \
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


@rule("ML004", SeedParams)
def random_seeds(ctx: Context, params: SeedParams) -> Iterator[Finding]:
    """ML004: randomized splitters and estimators get a random_state (or a central seed)."""
    an = analysis(ctx)
    yield from source_errors(an)
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("no training run needs a seed",
                                   "ningún entrenamiento necesita semilla"))
    if untrained is not None:
        yield untrained
        return
    seeded, unseeded, central, unknown = _seed_scan(an)
    total = len(seeded) + len(unseeded)
    config = config_seed(ctx) if unknown and not unseeded and not central else None
    if config is not None:
        where = locations([(p, n) for p, n, _ in unknown])
        yield passed(T(f"{len(unknown)} randomized call(s) take **params ({where}) and the "
                       f"project config {config[0]}:{config[1]} sets {config[2]}",
                       f"{len(unknown)} llamada(s) aleatoria(s) reciben **params ({where}) y "
                       f"la configuración del proyecto {config[0]}:{config[1]} fija "
                       f"{config[2]}"), config[0], config[1])
        return
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
