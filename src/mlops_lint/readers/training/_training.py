"""The "trains a model" fact: a training call in project code or a notebook; whether a model is
used or served, and whether dataframes are."""

from __future__ import annotations

import ast
import json
import re
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import (
    PythonIndex,
    call_arg,
    is_test_path,
    python_index,
)
from mlops_lint.readers.training._ast import (
    assigned_to,
    every_call,
    method,
    nodes_of,
    parents,
    receiver,
    scope_of,
    target_key,
)
from mlops_lint.readers.training._common import FUNCTION_NODES, last, short
from mlops_lint.readers.training._config import config_targets, skips
from mlops_lint.readers.training._frameworks import (
    Evidence,
    sklearn_estimator,
)
from mlops_lint.readers.training._saving import CHECKPOINT_CLASSES, framework_save
from mlops_lint.readers.training._sources import (
    _local_parts,
    is_template_path,
    not_project_dir,
    source_files,
)

# -- does the project train a model? --------------------------------------------------
# The modelling, tracking and model-test rules judge how a model is trained. A project
# that trains nothing (a web application, an inference server, a deployment of a model
# from a registry, a template whose training step is a placeholder) is not their subject.
# Only the project's own code counts: docs, examples, tests, fixtures and template files
# may train models that are not the project's.

TRAINING_FITS = frozenset({"fit", "fit_transform", "fit_predict", "fit_resample", "partial_fit",
                           "fit_generator"})
# (import roots, names): a call of one of these trains (a trainer, an optimizer, a
# boosting library's train/cv); a model class alone, or pretrained weights, does not
TRAINING_SIGNALS: tuple[tuple[tuple[str, ...], frozenset[str]], ...] = (
    (("lightning", "pytorch_lightning"), frozenset({"Trainer", "Fabric"})),
    (("transformers", "trl", "setfit", "sentence_transformers"),
     frozenset({"Trainer", "Seq2SeqTrainer", "TrainingArguments", "Seq2SeqTrainingArguments",
                "SFTTrainer", "SetFitTrainer", "SentenceTransformerTrainer"})),
    (("tensorflow",), frozenset({"GradientTape"})),
    (("torch",), frozenset({"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax",
                            "NAdam", "RAdam", "LBFGS", "TorchTrainer"})),
    (("ray.train",), frozenset({"TorchTrainer", "XGBoostTrainer", "LightGBMTrainer",
                                "TensorflowTrainer", "DataParallelTrainer"})),
    (("flax", "optax", "haiku"), frozenset({"adam", "adamw", "sgd", "TrainState"})),
    (("xgboost", "lightgbm", "catboost"), frozenset({"train", "cv"})),
    (("sklearn",), frozenset({"cross_val_score", "cross_validate", "cross_val_predict",
                              "learning_curve", "validation_curve"})),
)
TRAINING_TEXT = lazy_re.compile(r"\.(?:fit|fit_transform|fit_predict|fit_resample|partial_fit)"
                                r"\(\s*[\w\[(\"'*]|\.backward\(|\b(?:\w*Trainer|GradientTape|"
                                r"TrainingArguments)\(|\b(?:xgb|lgb|xgboost|lightgbm)\.train\(|"
                                r"torch\.optim\.")
PLACEHOLDER_TEXT = lazy_re.compile(r"REPLACE THIS WITH YOUR OWN CODE|YOUR CODE HERE", re.IGNORECASE)


def _module_receiver(index: PythonIndex, call: ast.Call) -> bool:
    """``ImageOps.fit(img, size)``, ``stats.norm.fit(data)``: a function of an imported
    module, not a model's fit."""
    node = receiver(call)
    while isinstance(node, ast.Attribute):
        node = node.value
    return isinstance(node, ast.Name) and node.id in index.aliases


# saving a model means one was produced (pickle is left out: it writes anything)
MODEL_SAVES = frozenset({"joblib.dump", "skops.io.dump", "torch.save", "torch.jit.save",
                         "tensorflow.saved_model.save", "tensorflow.keras.models.save_model",
                         "keras.models.save_model", "keras.saving.save_model",
                         "safetensors.torch.save_file", "safetensors.torch.save_model"})
# classes a project derives to train (a Lightning module or data module, a custom
# transformer of scikit-learn, a trainer)
TRAINING_BASES = frozenset({"LightningModule", "LightningDataModule", "TransformerMixin",
                            "Trainer"})
LOAD_METHODS = frozenset({"load_model", "load", "load_state_dict", "load_weights"})
# estimator classes of the boosting libraries (scikit-learn's are recognised by module)
BOOSTING_ESTIMATORS = lazy_re.compile(r"(XGB|LGBM|CatBoost)\w*(Classifier|Regressor|Ranker)$")


def load_shell(index: PythonIndex, call: ast.Call) -> bool:
    """``m = CatBoostClassifier(); m.load_model(path)``: an estimator constructed only to
    load a trained model into (loaded and never fitted): no training, no random draws."""
    up = parents(index)
    parent = up.get(call)
    if isinstance(parent, ast.Attribute) and parent.value is call:
        return parent.attr in LOAD_METHODS
    keys = assigned_to(index, call)
    if not keys:
        return False
    loaded = fitted = False
    for key in keys:
        area = index.tree if "." in key else scope_of(index, call)
        for node in ast.walk(area):
            if isinstance(node, ast.Attribute) and isinstance(up.get(node), ast.Call) and \
                    isinstance(node.value, ast.Name | ast.Attribute) and \
                    target_key(node.value) == key:
                loaded = loaded or node.attr in LOAD_METHODS
                fitted = fitted or node.attr in TRAINING_FITS
    return loaded and not fitted


def training_call(index: PythonIndex) -> tuple[int, str] | None:
    """Line and text of the first call in the file that trains or builds a model to
    train: a ``.fit(data)`` on a model (scikit-learn, Keras, XGBoost, Spark, SageMaker
    estimators...), a trainer, an optimizer, ``loss.backward()``, a boosting library's
    ``train``/``cv``, a scikit-learn cross-validation function, or a scikit-learn or
    boosting estimator or pipeline constructed (not one only loaded into)."""
    torch = index.imports("torch")
    for qual, call in every_call(index):
        name = method(call) or last(qual)
        found = (_fits(index, call, name) or _builds_estimator(index, qual, call)
                 or _splits_or_saves(qual, name) or _compiles(call, name)
                 or _framework_saves(index, qual, call)
                 or _backward(call, name, torch) or _training_signal(qual))
        if found is not None:
            return call.lineno, found
    for node in nodes_of(index, ast.ClassDef):
        bases = {last(index.qualname(b)) for b in node.bases}
        if bases & TRAINING_BASES or any(isinstance(n, FUNCTION_NODES) and
                                         n.name in ("training_step", "train_step")
                                         for n in node.body):
            return node.lineno, f"class {node.name}"
    return None


def _fits(index: PythonIndex, call: ast.Call, name: str) -> str | None:
    """``model.fit(X, y)`` (with data, on a model rather than a module)."""
    if name in TRAINING_FITS and (call.args or call.keywords) and \
            not _module_receiver(index, call):
        return f"{short(call.func, 40)}()"
    return None


def _builds_estimator(index: PythonIndex, qual: str, call: ast.Call) -> str | None:
    """A scikit-learn or boosting estimator constructed, not only to load a model into."""
    if qual and (sklearn_estimator(qual) or (
            qual.startswith(("xgboost.", "lightgbm.", "catboost.")) and
            BOOSTING_ESTIMATORS.match(last(qual)))) and not load_shell(index, call):
        return f"{last(qual)}()"
    return None


def _splits_or_saves(qual: str, name: str) -> str | None:
    """A cross-validation or split function, or a model saved or logged."""
    if qual.startswith("sklearn.model_selection.") or (
            qual.startswith("torch.") and name == "random_split"):
        return f"{last(qual)}()"
    if qual in MODEL_SAVES or (qual.startswith("mlflow.") and
                               name in ("log_model", "save_model")):
        return f"{qual}()"
    return None


def _compiles(call: ast.Call, name: str) -> str | None:
    """Keras ``model.compile(optimizer=..., loss=...)``."""
    if name == "compile" and receiver(call) is not None and \
            (call_arg(call, "optimizer") is not None or call_arg(call, "loss") is not None):
        return f"{short(call.func, 40)}()"
    return None


def _framework_saves(index: PythonIndex, qual: str, call: ast.Call) -> str | None:
    """A framework's save (pretrained weights are downloaded and saved too: not those)."""
    saved = framework_save(index, qual, call)
    if saved and not saved.endswith(("save_pretrained", "push_to_hub")):
        return saved
    return None


def _backward(call: ast.Call, name: str, torch: bool) -> str | None:
    """``loss.backward()`` in a file that imports torch."""
    if name == "backward" and torch and receiver(call) is not None:
        return f"{short(call.func, 40)}()"
    return None


def _training_signal(qual: str) -> str | None:
    """A trainer or a boosting library's ``train``/``cv`` (``TRAINING_SIGNALS``)."""
    for roots, names in TRAINING_SIGNALS:
        if qual and last(qual) in names and any(
                qual == r or qual.startswith(r + ".") for r in roots):
            return qual
    return None


@dataclass(frozen=True)
class Training:
    """Where the project trains a model: the first training call of its modules, the
    project notebooks that train (read as text), and training seen only in files that are
    not the project's code (docs, examples, tests, fixtures, templates)."""

    module: Evidence | None
    notebooks: tuple[str, ...]
    elsewhere: tuple[str, ...]
    errors: tuple[ParseError, ...] = ()  # notebooks and other files that could not be read

    @property
    def anywhere(self) -> bool:
        """The project trains a model, in its modules or its notebooks."""
        return self.module is not None or bool(self.notebooks)

    def absent(self) -> T:
        """Why the project is taken not to train: what was looked for and where training
        was seen instead."""
        if self.notebooks:
            listed = ", ".join(self.notebooks[:3]) + (
                f" (+{len(self.notebooks) - 3})" if len(self.notebooks) > 3 else "")
            return T(f"the model is trained only in notebooks ({listed}); the project's Python "
                     "modules train nothing", f"el modelo solo se entrena en notebooks "
                     f"({listed}); los módulos Python del proyecto no entrenan nada")
        out = T("no training code in this project (no .fit(), training loop, trainer or "
                "optimizer in its modules)", "no hay código de entrenamiento en este proyecto "
                "(ni .fit(), ni bucle de entrenamiento, ni trainer, ni optimizador en sus "
                "módulos)")
        if self.elsewhere:
            listed = ", ".join(self.elsewhere[:3]) + (
                f" (+{len(self.elsewhere) - 3})" if len(self.elsewhere) > 3 else "")
            out = out + T(f"; training appears only in docs, examples, tests or templates "
                          f"({listed})", f"; solo se entrena en documentación, ejemplos, tests "
                          f"o plantillas ({listed})")
        return out


def _placeholder(ctx: Context, path: str) -> bool:
    """A template file whose training step is to be written (``REPLACE THIS WITH YOUR OWN
    CODE``)."""
    text = ctx.repo.text(path)
    return isinstance(text, str) and PLACEHOLDER_TEXT.search(text[:200_000]) is not None


def _notebook_trains(ctx: Context, path: str, errors: list[ParseError]) -> bool:
    data = ctx.repo.parse(path, json.loads)
    if isinstance(data, ParseError):
        errors.append(data)
        return False
    cells = data.get("cells") if isinstance(data, dict) else None
    budget = 500_000
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "code":
            continue
        source = cell.get("source")
        text = "".join(s for s in source if isinstance(s, str)) if isinstance(
            source, list) else source if isinstance(source, str) else ""
        budget -= len(text)
        if budget < 0:
            return False
        if TRAINING_TEXT.search(text):
            return True
    return False


def _outside_training(ctx: Context, project: set[str], errors: list[ParseError]) -> list[str]:
    """Python files of the project folder that are not its code and train a model."""
    out: list[str] = []
    for path in ctx.files(["**/*.py"]):
        if path in project or len(out) >= 5:
            continue
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            errors.append(text)
            continue
        if not TRAINING_TEXT.search(text[:200_000]):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, ParseError):
            errors.append(index)
        elif training_call(index) is not None:
            out.append(path)
    return out


def training(ctx: Context) -> Training:
    """Whether and where the project trains a model (computed once per project)."""
    key = f"phase3:training:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: Training = cached
        return result
    templates: list[str] = []
    module = _module_training(ctx, templates) or _configured_training(ctx)
    notebooks: list[str] = []
    elsewhere: list[str] = []
    errors: list[ParseError] = []
    if module is None:
        notebooks = _training_notebooks(ctx, errors)
        if not notebooks:
            project = {i.path for i in source_files(ctx).indexes}
            project.update(e.path for e in source_files(ctx).errors)
            elsewhere = templates + _outside_training(ctx, project, errors)
    result = Training(module, tuple(notebooks), tuple(elsewhere), tuple(errors))
    ctx.repo.memo[key] = result
    return result


def _module_training(ctx: Context, templates: list[str]) -> Evidence | None:
    """The first training call of the project's modules; templates that train are added
    to ``templates``."""
    for index in source_files(ctx).indexes:
        found = training_call(index)
        if found is None:
            continue
        if is_template_path(index.path) or _placeholder(ctx, index.path):
            templates.append(index.path)
            continue
        return Evidence(index.path, found[0], found[1])
    return None


def _configured_training(ctx: Context) -> Evidence | None:
    """A trainer or checkpoint callback named by a Hydra-style ``_target_``."""
    for path, target in config_targets(ctx):
        if last(target) in CHECKPOINT_CLASSES or any(
                last(target) in names and any(target == r or target.startswith(r + ".")
                                              for r in roots)
                for roots, names in TRAINING_SIGNALS):
            return Evidence(path, 0, target)
    return None


def _training_notebooks(ctx: Context, errors: list[ParseError]) -> list[str]:
    """The project's notebooks that train (not templates, tests or docs-like folders)."""
    notebooks: list[str] = []
    for path in ctx.files(["**/*.ipynb"]):
        parts = _local_parts(ctx, path)
        if is_template_path(path) or is_test_path(ctx.project.local(path)) or \
                any(not_project_dir(p) and p not in ("notebooks", "notebook")
                    for p in parts[:-1]):
            continue
        if _notebook_trains(ctx, path, errors):
            notebooks.append(path)
    return notebooks


def training_errors(ctx: Context) -> list[Finding]:
    """One ``skip`` per file the training fact could not read (each named once)."""
    return list(skips(training(ctx).errors))


def no_training(ctx: Context, subject: T, notebooks_count: bool = False) -> Finding | None:
    """A ``skip`` for a rule about training when the project trains no model (``None`` when
    it does). With ``notebooks_count``, training in the project's notebooks is training
    (the rule's practice can live there); without it, the rule reads modules only."""
    found = training(ctx)
    if found.module is not None or (notebooks_count and found.notebooks):
        return None
    verdict = T("not applicable: ", "no aplica: ") if not found.notebooks else T("", "")
    return Finding(Status.SKIP, verdict + found.absent() + T(", so ", ", así que ") + subject)
