"""How a framework saves a model (``torch.save``, ``save_pretrained``, Keras ``model.save``,
checkpoint callbacks)."""

from __future__ import annotations

import ast
import re

from mlops_lint import lazy_re
from mlops_lint.parsers.python_source import (
    PythonIndex,
)
from mlops_lint.readers.training._ast import method, receiver, target_key
from mlops_lint.readers.training._common import last

# -- saving the model -------------------------------------------------------------------

# framework saves: resolved calls, and methods that only models have
FRAMEWORK_SAVE_CALLS = frozenset({
    "torch.save", "torch.jit.save", "torch.onnx.export", "tensorflow.saved_model.save",
    "tensorflow.keras.models.save_model", "keras.models.save_model", "keras.saving.save_model",
    "safetensors.torch.save_file", "safetensors.torch.save_model", "onnx.save",
    "onnx.save_model"})
FRAMEWORK_SAVE_METHODS = frozenset({"save_pretrained", "save_checkpoint", "save_weights",
                                    "push_to_hub"})
MODEL_NAMES = lazy_re.compile(r"(model|net|network|clf|classifier|regressor|estimator|booster|bst|"
                              r"learner|pipeline|pipe|predictor|trainer)", re.IGNORECASE)
CHECKPOINT_CLASSES = frozenset({"ModelCheckpoint", "CheckpointConfig", "CheckpointCallback",
                                "BestModelCheckpoint", "TrainingArguments",
                                "Seq2SeqTrainingArguments"})


def framework_save(index: PythonIndex, qual: str, call: ast.Call) -> str | None:
    """``torch.save(...)``, ``model.save_pretrained(...)``, ``model.save("m.keras")``,
    ``booster.save_model(...)``, ``ModelCheckpoint(...)``: what saves the model."""
    name = method(call) or last(qual)
    obj = receiver(call)
    owner = target_key(obj) if isinstance(obj, ast.Name | ast.Attribute) else None
    if qual in FRAMEWORK_SAVE_CALLS:
        return qual
    if name in FRAMEWORK_SAVE_METHODS and obj is not None:
        return f"{owner or '…'}.{name}"
    if name in ("save", "save_model") and owner and MODEL_NAMES.search(owner.rsplit(".")[-1]) \
            and not qual.startswith("mlflow."):
        return f"{owner}.{name}"
    if last(qual) in CHECKPOINT_CLASSES and any(
            index.imports(r) for r in ("lightning", "pytorch_lightning", "tensorflow", "keras",
                                       "ray", "transformers")):
        return last(qual)
    return None
