"""What the tracking rules (MLF001-MLF004) share: the unread source files as skips, a
``path:line`` label, and the model registries other than MLflow's (MLF003, MLF004)."""

from __future__ import annotations

import ast

from mlops_lint.context import Context
from mlops_lint.model import Finding
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.training import (
    every_call,
    last,
    method,
    parse_skip,
    receiver,
    short,
    source_files,
)


def source_errors(ctx: Context) -> list[Finding]:
    return [parse_skip(e) for e in source_files(ctx).errors]


def at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


HUB_UPLOADS = frozenset({"upload_folder", "upload_file", "create_commit"})


def other_registry(index: PythonIndex) -> tuple[int, str] | None:
    """Registries other than MLflow's: Hugging Face Hub, W&B model artifacts, Azure ML
    models, SageMaker model packages."""
    for qual, call in every_call(index):
        name = method(call) or last(qual)
        obj = receiver(call)
        if name == "push_to_hub" and obj is not None:
            return call.lineno, "push_to_hub() (Hugging Face Hub)"
        if literal(call_arg(call, "push_to_hub")) is True:
            return call.lineno, f"{name}(push_to_hub=True) (Hugging Face Hub)"
        if (qual.startswith("huggingface_hub.") and last(qual) in HUB_UPLOADS) or (
                name in HUB_UPLOADS and index.imports("huggingface_hub")):
            return call.lineno, f"{name}() (Hugging Face Hub)"
        if qual == "wandb.Artifact" and literal(call_arg(call, "type", 1)) == "model":
            return call.lineno, "a W&B model artifact"
        if name == "create_or_update" and isinstance(obj, ast.Attribute) and \
                obj.attr == "models" and index.imports("azure"):
            return call.lineno, "ml_client.models.create_or_update() (Azure ML)"
        if name == "register" and (call_arg(call, "model_package_group_name") is not None or
                                   (qual.startswith("azureml.") and "Model" in qual)):
            return call.lineno, f"{short(call.func, 40)}()"
    return None
