"""ML007: the trained model is saved to an ignored or DVC-tracked folder, and the
evaluation metrics are recorded.

Saves: joblib, skops, MLflow, the framework's own save or checkpoints. A preprocessor
saved on its own, and pickle used to write or read files (unsafe to load from an
untrusted file), are warnings. Metrics: a JSON file, ``dvc.yaml`` metrics, a helper that
writes them, or an experiment tracker that logs them (the tracking verdicts are the
reader :func:`~mlops_lint.readers.tracking.tracking_verdicts`). ``PICKLE_CALLS`` is
unused (kept as it was).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, call_arg
from mlops_lint.readers.tracking import tracking_verdicts
from mlops_lint.readers.training import (
    CHECKPOINT_CLASSES,
    config_errors,
    config_targets,
    dvc_errors,
    dvc_tracked,
    every_call,
    framework_save,
    is_ignored,
    last,
    literal_path,
    locations,
    method,
    no_training,
    read_yaml,
    skips,
    training_errors,
    uses_any,
)
from mlops_lint.rules import rule
from mlops_lint.rules.ml._shared import (
    SAVE_CALLS,
    Analysis,
    analysis,
    classify,
    source_errors,
)

PICKLE_CALLS = frozenset({"pickle.dump", "pickle.dumps", "pickle.load", "pickle.loads",
                          "cloudpickle.dump", "dill.dump"})


METRIC_MODULES = ("sklearn.metrics.",)


METRIC_ARG = lazy_re.compile(r"metric|result|score|eval", re.IGNORECASE)


SAVE_HELPER = lazy_re.compile(r"save|dump|write|export|store|persist", re.IGNORECASE)


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


MODEL_NAMES = lazy_re.compile(r"(?:^|_)(?:model|clf|classifier|regressor|estimator|pipeline|pipe|"
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


@rule("ML007")
def model_artifact(ctx: Context, params: None) -> Iterator[Finding]:
    """ML007: the trained model is saved (joblib/MLflow, or the framework's own save or
    checkpoints) to an ignored or DVC-tracked folder, and evaluation metrics are recorded
    (a JSON file, dvc.yaml metrics or an experiment tracker)."""
    an = analysis(ctx)
    yield from source_errors(an)
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
