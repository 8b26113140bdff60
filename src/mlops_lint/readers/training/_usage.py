"""Whether the project uses a model (loads, serves or saves one) and whether it works on
dataframes: the subjects of the rules that are not about training."""

from __future__ import annotations

import ast

from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T
from mlops_lint.parsers.python_source import (
    PythonIndex,
)
from mlops_lint.readers.training._ast import (
    every_call,
    method,
    nodes_of,
)
from mlops_lint.readers.training._common import last, short
from mlops_lint.readers.training._frameworks import (
    PREPROCESSING_CLASSES,
    Evidence,
)
from mlops_lint.readers.training._sources import (
    source_files,
)
from mlops_lint.readers.training._training import training

MODEL_LOADS = frozenset({"joblib.load", "torch.load", "torch.jit.load", "skops.io.load",
                         "onnxruntime.InferenceSession", "tensorflow.saved_model.load",
                         "transformers.pipeline", "cloudpickle.load", "dill.load",
                         "vllm.LLM", "ultralytics.YOLO"})


# model servers whose model class a project derives (an MLServer or KServe runtime, a
# LitServe API, a TorchServe handler, a Seldon component): it loads and serves a model
MODEL_SERVER_ROOTS = ("mlserver", "kserve", "kfserving", "litserve", "ts.torch_handler",
                      "seldon_core")


def _served_model_class(index: PythonIndex) -> Evidence | None:
    for node in nodes_of(index, ast.ClassDef):
        for base in node.bases:
            qual = index.qualname(base) or ""
            if any(qual == r or qual.startswith(r + ".") for r in MODEL_SERVER_ROOTS):
                return Evidence(index.path, node.lineno, f"class {node.name}({last(qual)})")
    return None


def model_used(ctx: Context) -> Evidence | None:
    """Where the project's modules load a model or predict with one (an inference service,
    a batch scorer, the model class of a model server's runtime), when it trains none
    itself."""
    key = f"phase3:model-used:{ctx.project.path}"
    if key in ctx.repo.memo:
        cached: Evidence | None = ctx.repo.memo[key]
        return cached
    found: Evidence | None = None
    for index in source_files(ctx).indexes:
        for qual, call in every_call(index):
            name = method(call) or last(qual)
            if qual in MODEL_LOADS or name in ("load_model", "predict", "predict_proba") or (
                    name == "from_pretrained" and not PREPROCESSING_CLASSES.search(qual)):
                found = Evidence(index.path, call.lineno, f"{short(call.func, 40)}()")
                break
        if found is not None:
            break
        found = _served_model_class(index)
        if found is not None:
            break
    ctx.repo.memo[key] = found
    return found


# DataFrame libraries: a project that trains nothing but reads tables into DataFrames (an
# ETL, a feature pipeline, a batch scorer) still has data for schemas and data tests to judge
DATAFRAME_MODULES = ("pandas", "polars", "pyspark", "dask.dataframe", "modin", "cudf",
                     "pandera", "great_expectations")


def dataframes_used(ctx: Context) -> Evidence | None:
    """Where the project's modules first import a DataFrame library (or a data validation
    library)."""
    key = f"phase3:dataframes:{ctx.project.path}"
    if key in ctx.repo.memo:
        cached: Evidence | None = ctx.repo.memo[key]
        return cached
    found: Evidence | None = None
    for index in source_files(ctx).indexes:
        module = next((m for m in DATAFRAME_MODULES if index.imports(m)), None)
        if module is not None:
            found = Evidence(index.path, 0, module)
            break
    ctx.repo.memo[key] = found
    return found


def no_data(ctx: Context, subject: T, no_model: bool = False) -> Finding | None:
    """A ``skip`` for a rule about the model's data when the project has none: it trains no
    model (in its modules or notebooks) and its modules use no DataFrame library (``None``
    when it trains one or uses DataFrames). With ``no_model``, the caller has also found
    that the modules load or use no model, and the reason says so."""
    found = training(ctx)
    if found.anywhere or dataframes_used(ctx) is not None:
        return None
    libraries = T("use no DataFrame library (pandas, polars, Spark, Dask)",
                  "no usan ninguna librería de DataFrames (pandas, polars, Spark, Dask)")
    if no_model:
        libraries = libraries + T(" and load or use no model, and no manifest, image or "
                                  "Terraform of the repository serves one",
                                  " ni cargan o usan un modelo, y ningún manifiesto, imagen o "
                                  "Terraform del repositorio sirve uno")
    return Finding(Status.SKIP, T("not applicable: ", "no aplica: ") + found.absent() + T(
        ", and its modules ", ", y sus módulos ") + libraries + T(", so ", ", así que ")
        + subject)
