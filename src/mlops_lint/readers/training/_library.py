"""What a published library has of its own: a model artefact it saves, a dataset it reads.

A published library (:func:`mlops_lint.readers.project_kind.project_kind`) ships code for
its callers: it may fit the caller's estimator on the caller's arrays, but the model and
the data are the caller's. The rules about the project's own model (a registry, an ML
canvas) and its own raw data (a schema) are not applicable to such a library unless it
does have one:

* a **model artefact of its own**: its modules save a model (``joblib.dump``,
  ``torch.save``, a framework's ``save_pretrained``/``save_model``, MLflow's
  ``log_model``/``save_model``);
* a **dataset of its own**: a ``data/`` or ``datasets/`` folder with files, DVC-tracked
  data (``*.dvc`` pointers or a ``dvc.yaml``), or a table read from a literal path of the
  repository (``pd.read_csv("data/train.csv")``); a path given by the caller (a
  parameter, a variable) is the caller's data.

A documentation repository has no model of its own either: its teaching notebooks fit
examples (:func:`no_model_of_its_own`), unless it saves a model artefact.
"""

from __future__ import annotations

from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.training._ast import every_call, literal_path, method
from mlops_lint.readers.training._common import last
from mlops_lint.readers.training._saving import framework_save
from mlops_lint.readers.training._sources import source_files
from mlops_lint.readers.training._training import MODEL_SAVES

DATA_FOLDERS = ("data/**", "datasets/**", "dataset/**")
DVC_FILES = ("**/*.dvc", "dvc.yaml", "**/dvc.yaml")
TABLE_READS = frozenset({"read_csv", "read_parquet", "read_excel", "read_feather", "read_table",
                         "read_json", "read_orc", "scan_csv", "scan_parquet", "load_dataset"})


def model_save(ctx: Context) -> str | None:
    """``path:line`` where the project's modules first save a model, or None (scanned once
    per project: MLF001, MLF003, MLF004 and TEST007 all ask)."""
    key = f"phase3:model_save:{ctx.project.path}"
    if key not in ctx.repo.memo:
        ctx.repo.memo[key] = _first_save(ctx)
    found: str | None = ctx.repo.memo[key]
    return found


def _first_save(ctx: Context) -> str | None:
    for index in source_files(ctx).indexes:
        for qual, call in every_call(index):
            name = method(call) or last(qual)
            if qual in MODEL_SAVES or framework_save(index, qual, call) or (
                    qual.startswith("mlflow.") and name in ("log_model", "save_model")):
                return f"{index.path}:{call.lineno}"
    return None


def own_dataset(ctx: Context) -> str | None:
    """Where the project has a dataset of its own (a data folder, DVC-tracked data, a
    table read from a literal repository path), or None."""
    found = ctx.files(DATA_FOLDERS) or ctx.files(DVC_FILES)
    if found:
        return found[0]
    for index in source_files(ctx).indexes:
        for qual, call in index.calls:
            if last(qual) not in TABLE_READS and method(call) not in TABLE_READS:
                continue
            path = literal_path(call.args[0]) if call.args else None
            if path and not path.startswith("{"):
                return f"{index.path}:{call.lineno}"
    return None


def _library(ctx: Context) -> T | None:
    return project_kind(ctx.repo).library


def library_without_model(ctx: Context) -> T | None:
    """Why the project is a published library with no model of its own (it saves no model
    artefact and serves nothing), or None."""
    library = _library(ctx)
    if library is None or model_save(ctx) is not None:
        return None
    return library + T(" whose modules save no model artefact",
                       " cuyos módulos no guardan ningún artefacto de modelo")


def library_without_data(ctx: Context) -> T | None:
    """Why the project is a published library with no dataset of its own (no data folder,
    no DVC-tracked data, no table read from a path of the repository), or None."""
    library = _library(ctx)
    if library is None or own_dataset(ctx) is not None:
        return None
    return library + T(" with no dataset of its own (no data/ folder, no DVC-tracked data, no "
                       "table read from a path of the repository)",
                       " sin dataset propio (ni carpeta data/, ni datos versionados con DVC, "
                       "ni tablas leídas de una ruta del repositorio)")


def no_model_of_its_own(ctx: Context) -> T | None:
    """Why the project has no model of its own to track, register, promote or test end to
    end: a published library that saves no model artefact, or a documentation repository
    whose notebooks only teach (and save no model artefact); None otherwise."""
    library = library_without_model(ctx)
    if library is not None:
        return library
    documentation = project_kind(ctx.repo).no_code()
    if documentation is None or model_save(ctx) is not None:
        return None
    return documentation + T(" whose notebooks only teach (no model artefact is saved)",
                             " cuyos notebooks solo enseñan (no se guarda ningún artefacto "
                             "de modelo)")
