"""MLF002: models are logged to MLflow with a signature (and an input example).

A ``log_model``/``save_model`` of an MLflow flavour is judged on its ``signature=`` (a
name is followed to its assignment; a parameter is trusted) and ``input_example=``;
without one, ``autolog``'s options are. A project that saves its model outside MLflow
(joblib, a framework save, a checkpoint) gets a warning when it uses MLflow, a skip
naming its tracker when it does not.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.tracking import mlflow_calls, mlflow_evidence, tracking_verdicts
from mlops_lint.readers.training import (
    CHECKPOINT_CLASSES,
    assignments,
    config_targets,
    every_call,
    framework_save,
    last,
    scope_of,
    short,
    skips,
    source_files,
)
from mlops_lint.rules import rule
from mlops_lint.rules.tracking._shared import at, source_errors


def _is_signature(index: PythonIndex, call: ast.Call, value: ast.expr) -> bool:
    if isinstance(value, ast.Call):
        name = last(index.qualname(value.func))
        return name in ("infer_signature", "ModelSignature")
    if isinstance(value, ast.Name):
        values = assignments(scope_of(index, call), value.id) or assignments(
            index.tree, value.id)
        if values:
            return _is_signature(index, call, values[-1])
        return True  # a parameter or a name bound elsewhere: trust it
    return not (isinstance(value, ast.Constant) and value.value is None)


def _logged_model(index: PythonIndex, call: ast.Call) -> Finding:
    """A ``log_model``/``save_model`` call judged on its signature and input example."""
    signature = call_arg(call, "signature")
    example = call_arg(call, "input_example")
    if signature is None or not _is_signature(index, call, signature):
        return failed(T(f"{short(call)} logs the model without a signature: serving "
                        "cannot validate inputs",
                        f"{short(call)} registra el modelo sin signature: el servicio "
                        "no puede validar entradas"), index.path, call.lineno,
                      fix=T("signature=infer_signature(X_train, pipeline.predict(X_train)"
                            "), input_example=X_train.head(3)",
                            "signature=infer_signature(X_train, pipeline.predict(X_train)"
                            "), input_example=X_train.head(3)"))
    if example is None or (isinstance(example, ast.Constant) and example.value is None):
        return warned(T(f"{short(call)} has a signature but no input_example",
                        f"{short(call)} tiene signature pero no input_example"),
                      index.path, call.lineno)
    return passed(T(f"model logged with signature and input_example at "
                    f"{index.path}:{call.lineno}",
                    f"modelo registrado con signature e input_example en "
                    f"{index.path}:{call.lineno}"), index.path, call.lineno)


def _autolog(path: str, line: int, call: ast.Call) -> Finding:
    """Models logged by ``autolog``: judged on its signature and input example options."""
    if literal(call_arg(call, "log_model_signatures")) is False:
        return failed(T("autolog is called with log_model_signatures=False",
                        "autolog se llama con log_model_signatures=False"), path, line)
    if literal(call_arg(call, "log_input_examples")) is True:
        return passed(T("autolog logs models with signatures and input examples",
                        "autolog registra modelos con signature y ejemplos de entrada"),
                      path, line)
    return warned(T("autolog infers signatures but logs no input example "
                    "(log_input_examples=True)", "autolog infiere la signature pero no "
                    "registra ejemplo de entrada (log_input_examples=True)"), path, line)


def _not_logged(ctx: Context) -> Iterator[Finding]:
    """No model is logged as an MLflow model: how the project saves it instead."""
    mlflow_found, _, errors = mlflow_evidence(ctx)
    yield from skips(errors)
    saved = _model_saves(ctx)
    if not mlflow_found:
        trackers = [v.name for v in tracking_verdicts(ctx)[0]]
        what = T(f"tracking with {', '.join(trackers)}", f"seguimiento con {', '.join(trackers)}") \
            if trackers else T("no MLflow in the project", "sin MLflow en el proyecto")
        if saved:
            where = at(saved[0][0], saved[0][1])
            what = what + T(f"; the model is saved with {saved[0][2]} at {where}",
                            f"; el modelo se guarda con {saved[0][2]} en {where}")
        yield skipped(T("not applicable: no model is logged as an MLflow model (",
                        "no aplica: ningún modelo se registra como modelo de MLflow (") + what +
                      T("); a signature belongs to MLflow models. Advice: whatever the format, "
                        "validate the serving inputs against a declared schema",
                        "); la signature es propia de los modelos de MLflow. Consejo: sea cual "
                        "sea el formato, valida las entradas del servicio con un esquema "
                        "declarado"))
        return
    if saved:
        path, line, what_saves = saved[0]
        where = at(path, line)
        yield warned(T(f"MLflow is used, but the model is saved with {what_saves} at {where}, "
                       "not logged as an MLflow model, so it carries no input signature; "
                       "serving must validate its inputs itself",
                       f"se usa MLflow, pero el modelo se guarda con {what_saves} en {where}, "
                       "no como modelo de MLflow, así que no lleva signature de entrada; el "
                       "servicio debe validar sus entradas por su cuenta"), path, line or None)
        return
    yield failed(T("no model is logged with mlflow.<flavor>.log_model",
                   "ningún modelo se registra con mlflow.<flavor>.log_model"))


@rule("MLF002")
def mlflow_signature(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF002: models are logged with ``signature=`` (and ideally ``input_example=``)."""
    sources = source_files(ctx)
    yield from source_errors(ctx)
    logged = False
    autolog: tuple[str, int, ast.Call] | None = None
    for index in sources.indexes:
        for qual, call in mlflow_calls(index):
            name = last(qual)
            if name == "autolog":
                autolog = autolog or (index.path, call.lineno, call)
                continue
            if name not in ("log_model", "save_model") or qual.count(".") < 2:
                continue
            logged = True
            yield _logged_model(index, call)
    if logged:
        return
    if autolog is not None:
        yield _autolog(*autolog)
        return
    yield from _not_logged(ctx)


def _model_saves(ctx: Context) -> list[tuple[str, int, str]]:
    """How the project code saves its model outside MLflow (joblib, framework saves,
    checkpoints)."""
    out: list[tuple[str, int, str]] = []
    for index in source_files(ctx).indexes:
        for qual, call in every_call(index):
            if qual in ("joblib.dump", "skops.io.dump"):
                out.append((index.path, call.lineno, qual))
                continue
            what = framework_save(index, qual, call)
            if what:
                out.append((index.path, call.lineno, what))
    out.extend((path, 0, last(target)) for path, target in config_targets(ctx)
               if last(target) in CHECKPOINT_CLASSES)
    return out
