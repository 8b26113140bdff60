"""MLF003: the model goes to a model registry.

MLflow (``registered_model_name=``, ``register_model``, stage transitions or aliases),
W&B model artifacts, the Hugging Face Hub, Azure ML, SageMaker model packages and DVC's
model artifacts (``dvc.yaml`` ``artifacts:`` or GTO's ``artifacts.yaml``) count. A
project that trains nothing is not applicable; when it takes its model from a registry
(:data:`CONSUMED_MODEL`, a bounded text search) the skip says where from. Neither is a
project with no model of its own (:func:`mlops_lint.readers.training.no_model_of_its_own`):
a published library that saves no model artefact fits its callers' models, and a
documentation repository's notebooks only teach.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, call_arg
from mlops_lint.readers.trackers import other_trackers, tracker_errors
from mlops_lint.readers.training import (
    every_call,
    last,
    method,
    no_model_of_its_own,
    no_training,
    nodes_of,
    project_name,
    read_text,
    read_yaml,
    skips,
    source_files,
    string_constants,
    training,
    training_errors,
)
from mlops_lint.rules import rule
from mlops_lint.rules.tracking._shared import at, other_registry, source_errors

REGISTRY_METHODS = frozenset({"transition_model_version_stage", "set_registered_model_alias",
                              "create_model_version", "copy_model_version"})


def _registry_hit(index: PythonIndex) -> tuple[str, int, str] | None:
    for qual, call in every_call(index):
        name = method(call) or last(qual)
        if qual.startswith("mlflow.") and last(qual) in ("log_model", "save_model"):
            value = call_arg(call, "registered_model_name")
            if value is not None and not (isinstance(value, ast.Constant) and
                                          value.value is None):
                return index.path, call.lineno, "registered_model_name="
        elif qual == "mlflow.register_model" or name in REGISTRY_METHODS:
            return index.path, call.lineno, f"{name}()"
    return None


def _models_uri(index: PythonIndex) -> tuple[str, int] | None:
    """A ``models:/...`` URI (plain or f-string) in the file."""
    for text, line in string_constants(index):
        if text.startswith("models:/"):
            return index.path, line
    for node in nodes_of(index, ast.JoinedStr):
        first = node.values[0] if node.values else None
        if isinstance(first, ast.Constant) and str(first.value).startswith("models:/"):
            return index.path, node.lineno
    return None


def _dvc_model_artifact(ctx: Context, errors: list[ParseError]) -> tuple[str, str] | None:
    """A model declared in DVC's model registry (``artifacts:`` of dvc.yaml with
    ``type: model``) or GTO's ``artifacts.yaml``."""
    for name in ("dvc.yaml", "artifacts.yaml"):
        path = ctx.first(name)
        data = read_yaml(ctx, path, errors)
        table = data.get("artifacts", data if name == "artifacts.yaml" else None) \
            if isinstance(data, dict) else None
        for key, body in table.items() if isinstance(table, dict) else []:
            if isinstance(body, dict) and body.get("type") == "model":
                return str(path), str(key)
    return None


def registry_hits(ctx: Context, errors: list[ParseError]) -> list[tuple[str, int, str]]:
    """Every place the project registers a model: ``(path, line, how)``; files that could
    not be read go to ``errors``."""
    out: list[tuple[str, int, str]] = []
    errors.extend(tracker_errors(ctx))
    for index in source_files(ctx).indexes:
        hit = _registry_hit(index) if index.imports("mlflow") else None
        if hit:
            out.append(hit)
        other = other_registry(index)
        if other:
            out.append((index.path, other[0], other[1]))
    for tracking in other_trackers(ctx).values():
        found = tracking.found.get("registry")
        if found:
            out.append((found.path, found.line, f"{found.text} ({tracking.name})"))
        artifacts = tracking.found.get("artifacts")
        if tracking.spec_key == "wandb" and artifacts and artifacts.text == "log_model" and \
                tracking.via:
            out.append((artifacts.path, artifacts.line,
                        f"{', '.join(tracking.via)}(log_model=...) ({tracking.name} model "
                        "artifacts)"))
    dvc = _dvc_model_artifact(ctx, errors)
    if dvc:
        out.append((dvc[0], 0, f"the model artifact {dvc[1]} (DVC model registry)"))
    return out


# a model taken from a registry rather than trained: a Hugging Face Hub repository
# (cloned, downloaded or loaded by name), an MLflow registry URI
CONSUMED_MODEL = lazy_re.compile(
    r"(?P<hub>https?://huggingface\.co/[\w${}.-]+|\bhf_hub_download\(|\bsnapshot_download\(|"
    r"\.from_pretrained\(|\bHF_MODEL_ID\b)|(?P<mlflow>[\"']models:/[^\"'\s]{1,200})")


CONSUMER_GLOBS = (".github/workflows/*.yml", ".github/workflows/*.yaml", ".gitlab-ci.yml",
                  "**/*.py", "**/*.sh", "**/*.tf", "**/Dockerfile", "**/Dockerfile.*",
                  "**/*.yaml", "**/*.yml", "Makefile")


def consumed_model(ctx: Context, errors: list[ParseError]) -> tuple[str, int, str] | None:
    """Where the project takes a model from a registry instead of training one:
    ``(path, line, registry)`` of the first mention (a bounded text search); files that
    cannot be read go to ``errors``."""
    paths = ctx.files(CONSUMER_GLOBS)
    if not ctx.is_root:
        paths += ctx.repo.glob([".github/workflows/*.y*ml", ".gitlab-ci.yml"])
    for path in paths[:500]:
        text = read_text(ctx, path, errors)
        if text is None:
            continue
        match = CONSUMED_MODEL.search(text[:200_000])
        if match:
            line = text.count("\n", 0, match.start()) + 1
            how = "the Hugging Face Hub" if match.group("hub") else "the MLflow Model Registry"
            return path, line, how
    return None


@rule("MLF003")
def mlflow_registry(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF003: the model goes to a model registry: MLflow (registered_model_name=,
    register_model, stage transitions or aliases), W&B model artifacts, the Hugging Face
    Hub, Azure ML, SageMaker model packages or DVC's model artifacts."""
    sources = [i for i in source_files(ctx).indexes if i.imports("mlflow")]
    yield from source_errors(ctx)
    errors: list[ParseError] = []
    hits = registry_hits(ctx, errors)
    uses_uri = next((u for index in sources for u in [_models_uri(index)] if u), None)
    name = project_name(ctx, errors) if not hits else ""
    consumed = None if hits or training(ctx).anywhere else consumed_model(ctx, errors)
    yield from skips(errors)
    subject = T("there is no trained model to register", "no hay modelo entrenado que "
                "registrar")
    if consumed is not None:
        path, line, how = consumed
        subject = subject + T(f"; the model it uses comes from {how} ({at(path, line)})",
                              f"; el modelo que usa viene de {how} ({at(path, line)})")
    yield from training_errors(ctx)
    untrained = None if hits else no_training(ctx, subject, notebooks_count=True)
    if untrained is not None:
        yield untrained
        return
    borrowed = None if hits else no_model_of_its_own(ctx)
    if borrowed is not None:
        yield skipped(T("not applicable: ", "no aplica: ") + borrowed + T(
            "; it ships no model of its own to register",
            "; no publica ningún modelo propio que registrar"))
        return
    if not hits:
        yield failed(T("the model is never registered in a model registry (MLflow "
                       "registered_model_name=/register_model/aliases, W&B model artifacts, "
                       "Hugging Face Hub push_to_hub, Azure ML or SageMaker model registries, "
                       "DVC model artifacts)",
                       "el modelo nunca se registra en un registro de modelos (MLflow "
                       "registered_model_name=/register_model/alias, artefactos de modelo de "
                       "W&B, push_to_hub al Hugging Face Hub, registros de Azure ML o "
                       "SageMaker, artefactos de modelo de DVC)"),
                     fix=T(f"register each trained model under one name, e.g. "
                           f"mlflow.register_model(f'runs:/{{run_id}}/model', '{name}'), and "
                           f"serve it from models:/{name}@champion (or the equivalent in the "
                           "registry the project uses)",
                           f"registra cada modelo entrenado con un nombre, p. ej. "
                           f"mlflow.register_model(f'runs:/{{run_id}}/model', '{name}'), y "
                           f"sírvelo desde models:/{name}@champion (o el equivalente en el "
                           "registro que use el proyecto)"))
        return
    path, line, how = hits[0]
    extra = T(f"; loaded through a models:/ URI at {uses_uri[0]}:{uses_uri[1]}",
              f"; se carga con una URI models:/ en {uses_uri[0]}:{uses_uri[1]}") \
        if uses_uri else T("", "")
    where = at(path, line)
    yield passed(T(f"model registered with {how} at {where}",
                   f"modelo registrado con {how} en {where}") + extra, path, line or None)
