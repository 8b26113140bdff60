"""ML001: one scikit-learn Pipeline holds the preprocessing and the model.

A ``Pipeline``/``make_pipeline`` of at least two steps ending in an estimator passes when
that object (followed through assignments, ``self`` attributes and the functions that
return it) is fitted. Transformers fitted on their own, apart from the estimator, and a
saved artefact without its preprocessing are named.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.readers.training import (
    config_errors,
    every_call,
    last,
    locations,
    method,
    no_training,
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
    MAKE_PIPELINES,
    PIPELINES,
    SAVE_CALLS,
    TARGET_ENCODERS,
    Analysis,
    analysis,
    call_name,
    classify,
    composite_steps,
    fitted_at,
    source_errors,
    uses,
)


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
            if isinstance(obj, ast.Call) and call_name(index, obj) in TARGET_ENCODERS:
                continue
            if isinstance(obj, ast.Name | ast.Attribute):
                values = values_of(index, call, target_key(obj) or "")
                if values and isinstance(values[-1], ast.Call) and \
                        call_name(index, values[-1]) in TARGET_ENCODERS:
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
            steps = composite_steps(index, items[0], index.qualname(items[0].func) or "")
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


@rule("ML001")
def sklearn_pipeline(ctx: Context, params: None) -> Iterator[Finding]:
    """ML001: a Pipeline with >= 2 steps ending in an estimator, and that object is fitted."""
    an = analysis(ctx)
    yield from source_errors(an)
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
