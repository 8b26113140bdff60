"""Which modelling frameworks the project uses, with the evidence (file and line) for each."""

from __future__ import annotations

import ast
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T
from mlops_lint.parsers.python_source import (
    PythonIndex,
)
from mlops_lint.readers.training._ast import nodes_of
from mlops_lint.readers.training._common import last, uses_any
from mlops_lint.readers.training._config import config_targets
from mlops_lint.readers.training._sources import source_files

# -- modelling frameworks -------------------------------------------------------------
# The guide's modelling rules are written for scikit-learn. A project whose model is
# trained with another framework does the same job with that framework's tools; the
# scikit-learn-only rules are then not applicable and say why.

# sklearn modules whose classes are not estimators a pipeline would hold
SKLEARN_NON_ESTIMATOR_MODULES = frozenset({"model_selection", "metrics", "datasets", "utils",
                                           "exceptions", "inspection", "base", "config_context"})
TARGET_ENCODER_NAMES = frozenset({"LabelEncoder", "LabelBinarizer", "MultiLabelBinarizer"})


@dataclass(frozen=True)
class Evidence:
    """Where something was seen: ``path:line`` and what."""

    path: str
    line: int
    what: str

    @property
    def where(self) -> str:
        return f"{self.path}:{self.line}" if self.line else self.path


# (label, import roots, call names, base-class names, verb): a call or a base class whose
# resolved name lies under one of the roots and ends with one of the names. Listed from
# the most specific framework to the most general: Lightning and Transformers run on
# PyTorch, Keras on TensorFlow.
FRAMEWORK_SIGNALS: tuple[tuple[str, tuple[str, ...], frozenset[str], frozenset[str]], ...] = (
    ("Lightning", ("lightning", "pytorch_lightning"),
     frozenset({"Trainer", "Fabric"}), frozenset({"LightningModule"})),
    ("Hugging Face Transformers", ("transformers", "trl", "setfit", "sentence_transformers"),
     frozenset({"Trainer", "Seq2SeqTrainer", "TrainingArguments", "Seq2SeqTrainingArguments",
                "SFTTrainer", "SetFitTrainer", "SentenceTransformerTrainer",
                "from_pretrained"}), frozenset({"PreTrainedModel", "Trainer"})),
    ("Keras", ("keras", "tensorflow.keras", "tf_keras"),
     frozenset({"Sequential", "Model", "Functional"}), frozenset({"Model", "Layer"})),
    ("TensorFlow", ("tensorflow",),
     frozenset({"GradientTape", "Estimator"}), frozenset({"Module", "Model"})),
    ("PyTorch", ("torch",),
     frozenset({"SGD", "Adam", "AdamW", "RMSprop", "Adagrad", "Adadelta", "Adamax", "NAdam",
                "RAdam", "LBFGS", "TorchTrainer", "DistributedDataParallel"}),
     frozenset({"Module"})),
    ("JAX", ("flax", "optax", "haiku"),
     frozenset({"adam", "adamw", "sgd", "TrainState"}), frozenset({"Module"})),
    ("XGBoost", ("xgboost",),
     frozenset({"train", "cv", "DMatrix", "XGBClassifier", "XGBRegressor", "XGBRanker",
                "XGBRFClassifier", "XGBRFRegressor"}), frozenset()),
    ("LightGBM", ("lightgbm",),
     frozenset({"train", "cv", "Dataset", "LGBMClassifier", "LGBMRegressor", "LGBMRanker"}),
     frozenset()),
    ("CatBoost", ("catboost",),
     frozenset({"CatBoostClassifier", "CatBoostRegressor", "CatBoostRanker", "CatBoost",
                "Pool", "cv"}), frozenset()),
)
# ``AutoTokenizer.from_pretrained``: preprocessing, not the model
PREPROCESSING_CLASSES = lazy_re.compile(r"(Tokenizer|Processor|FeatureExtractor|Config)\w*\.\w+$")
FRAMEWORK_LABELS = tuple(label for label, *_ in FRAMEWORK_SIGNALS)
DEEP_LEARNING = frozenset({"Lightning", "Hugging Face Transformers", "Keras", "TensorFlow",
                           "PyTorch", "JAX"})


def _under(qual: str, roots: tuple[str, ...]) -> bool:
    return any(qual == r or qual.startswith(r + ".") for r in roots)


def sklearn_estimator(qual: str) -> bool:
    """A scikit-learn (or imbalanced-learn) class a pipeline would hold: a model, a
    transformer or a pipeline, not a splitter, a metric or a target encoder."""
    parts = qual.split(".")
    if parts[0] not in ("sklearn", "imblearn") or len(parts) < 2:
        return False
    name = parts[-1]
    if not name[:1].isupper() or name in TARGET_ENCODER_NAMES:
        return False
    return not (SKLEARN_NON_ESTIMATOR_MODULES & set(parts[1:-1]))


@dataclass(frozen=True)
class Frameworks:
    """What the project's code models with: a scikit-learn estimator, and the other
    frameworks seen (label -> first evidence), most specific first."""

    sklearn: Evidence | None
    others: tuple[tuple[str, Evidence], ...]

    def labels(self) -> list[str]:
        return [label for label, _ in self.others]

    @property
    def deep_learning(self) -> bool:
        return any(label in DEEP_LEARNING for label in self.labels())

    def not_sklearn(self) -> tuple[str, Evidence] | None:
        """The framework that trains the model when no scikit-learn estimator does."""
        if self.sklearn is not None or not self.others:
            return None
        return self.others[0]

    def described(self) -> T:
        """``PyTorch (src/model.py:12)``; two frameworks when both train, and the one only
        seen loading pretrained weights named as such."""
        trained = [(label, ev) for label, ev in self.others
                   if last(ev.what) != "from_pretrained"][:2]
        loaded = [(label, ev) for label, ev in self.others
                  if last(ev.what) == "from_pretrained"][:1]
        items = [f"{label} ({ev.where})" for label, ev in trained or loaded]
        out = T(" and ".join(items), " y ".join(items))
        if not trained:
            return out
        for label, ev in loaded:
            out = out + T(f", with pretrained weights from {label} ({ev.where})",
                          f", con pesos preentrenados de {label} ({ev.where})")
        return out


def _framework_of_file(index: PythonIndex, seen: dict[str, Evidence]) -> Evidence | None:
    """Record the frameworks ``index`` trains or builds with; the first sklearn estimator."""
    sk: Evidence | None = None
    for qual, call in index.calls:
        if sk is None and sklearn_estimator(qual):
            sk = Evidence(index.path, call.lineno, qual)
        _framework_calls(index, qual, call, seen)
    _framework_classes(index, seen)
    if "PyTorch" not in seen and index.imports("torch"):
        for call in nodes_of(index, ast.Call):
            if isinstance(call.func, ast.Attribute) and call.func.attr == "backward":
                seen["PyTorch"] = Evidence(index.path, call.lineno, "loss.backward()")
                break
    return sk


def _framework_calls(index: PythonIndex, qual: str, call: ast.Call,
                     seen: dict[str, Evidence]) -> None:
    """A framework's training or model-building call (not its preprocessing classes)."""
    for label, roots, names, _ in FRAMEWORK_SIGNALS:
        if label not in seen and _under(qual, roots) and last(qual) in names and \
                not PREPROCESSING_CLASSES.search(qual):
            seen[label] = Evidence(index.path, call.lineno, qual)


def _framework_classes(index: PythonIndex, seen: dict[str, Evidence]) -> None:
    """A class derived from a framework's model or module base."""
    for node in nodes_of(index, ast.ClassDef):
        for base in node.bases:
            qual = index.qualname(base) or ""
            for label, roots, _, bases in FRAMEWORK_SIGNALS:
                if label not in seen and _under(qual, roots) and last(qual) in bases:
                    seen[label] = Evidence(index.path, node.lineno, f"class {node.name}({qual})")


FRAMEWORK_ROOTS = (*(r for _, roots, _, _ in FRAMEWORK_SIGNALS for r in roots),
                   "sklearn", "imblearn")


def frameworks(ctx: Context) -> Frameworks:
    """The modelling frameworks of the project code (computed once per project)."""
    key = f"phase3:frameworks:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: Frameworks = cached
        return result
    seen: dict[str, Evidence] = {}
    sk: Evidence | None = None
    for index in source_files(ctx).indexes:
        if not uses_any(index, FRAMEWORK_ROOTS):
            continue
        found = _framework_of_file(index, seen)
        sk = sk or found
    for path, target in config_targets(ctx):
        for label, roots, names, _ in FRAMEWORK_SIGNALS:
            if label not in seen and _under(target, roots) and last(target) in names:
                seen[label] = Evidence(path, 0, target)
    # frameworks that train first; one only seen loading pretrained weights comes last
    ordered = tuple(sorted(((label, seen[label]) for label in FRAMEWORK_LABELS if label in seen),
                           key=lambda item: last(item[1].what) == "from_pretrained"))
    result = Frameworks(sk, ordered)
    ctx.repo.memo[key] = result
    return result


def not_applicable_to(ctx: Context, rule_subject: T) -> Finding | None:
    """A ``skip`` for a scikit-learn-only rule when the model is trained with another
    framework and no scikit-learn estimator exists; ``None`` when the rule applies."""
    found = frameworks(ctx)
    other = found.not_sklearn()
    if other is None:
        return None
    described = found.described()
    trains = any(last(ev.what) != "from_pretrained" for _, ev in found.others)
    verb_en, verb_es = ("trained", "entrena") if trains else ("built", "construye")
    return Finding(Status.SKIP, T(
        f"not applicable: no scikit-learn estimator in this project; the model is {verb_en} "
        "with ", f"no aplica: no hay estimador de scikit-learn en este proyecto; el modelo se "
        f"{verb_es} con ") + described + T(", so ", ", así que ") + rule_subject)
