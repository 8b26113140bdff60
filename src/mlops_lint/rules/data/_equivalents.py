"""Data versioning with a well-known equivalent of DVC, found in the project code.

Azure ML datasets registered as new versions (``register(create_new_version=True)``) or
read at a pinned version (``Dataset.get_by_name(ws, name, version)``), Azure ML v2 data
assets with a ``version``, lakeFS clients, ClearML datasets and W&B dataset artifacts all
version the data a model is trained on; DATA001 credits them (levels.md point 2).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlops_lint.context import Context
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.training import every_call, method, source_files

LAKEFS_ROOTS = ("lakefs", "lakefs_client", "lakefs_sdk", "lakefs_spec")


@dataclass(frozen=True)
class Versioning:
    """Where the project versions its data without DVC, and how."""

    name: str
    path: str
    line: int


def _azure(index: PythonIndex, qual: str, call: ast.Call) -> str | None:
    if not (index.imports("azureml") or index.imports("azure.ai.ml")):
        return None
    if method(call) == "register" and literal(call_arg(call, "create_new_version")) is True:
        return "Azure ML datasets (register(create_new_version=True))"
    if qual.startswith("azureml.") and qual.endswith("Dataset.get_by_name") and \
            call_arg(call, "version", 2) is not None:
        return "Azure ML datasets (Dataset.get_by_name at a version)"
    if qual == "azure.ai.ml.entities.Data" and call_arg(call, "version") is not None:
        return "Azure ML data assets (Data(version=...))"
    return None


def _versioning(index: PythonIndex, qual: str, call: ast.Call) -> str | None:
    found = _azure(index, qual, call)
    if found:
        return found
    if any(qual == root or qual.startswith(root + ".") for root in LAKEFS_ROOTS):
        return "lakeFS"
    if qual == "clearml.Dataset.create":
        return "ClearML datasets (Dataset.create)"
    if qual == "wandb.Artifact" and literal(call_arg(call, "type", 1)) == "dataset":
        return "W&B dataset artifacts"
    return None


def data_versioning(ctx: Context) -> Versioning | None:
    """The first place the project code versions its data with an equivalent of DVC."""
    for index in source_files(ctx).indexes:
        for qual, call in every_call(index):
            name = _versioning(index, qual, call)
            if name is not None:
                return Versioning(name, index.path, call.lineno)
    return None
