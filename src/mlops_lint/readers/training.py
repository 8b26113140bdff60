"""Helpers shared by the phase 3 checks (ML pipelines, tracking, tests).

Everything reads the shared per-file AST index (:func:`python_index`), so a file is
parsed once per run whatever the number of rules that look at it.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, TypeVar

from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import other_ci_files, workflows
from mlops_lint.parsers.gitignore import ignore_rules
from mlops_lint.parsers.ini import parse_ini
from mlops_lint.parsers.python_source import (
    PythonIndex,
    call_arg,
    child_nodes,
    is_test_path,
    python_index,
)
from mlops_lint.parsers.requirements import (
    normalize_name,
    parse_conda_dependency,
    parse_requirement,
    parse_requirements,
)
from mlops_lint.parsers.toml_file import dig

A = TypeVar("A", bound=ast.AST)
NOT_SOURCE_DIRS = frozenset({"docs", "doc", "notebooks", "notebook", "examples", "benchmarks"})
NOT_SOURCE_FILES = frozenset({"setup.py", "noxfile.py", "conftest.py", "locustfile.py"})
DEV_GROUPS = frozenset({"dev", "develop", "development", "test", "tests", "testing", "lint",
                        "ci", "qa", "typing", "docs", "check", "checks"})
FUNCTION_NODES = (ast.FunctionDef, ast.AsyncFunctionDef)
# YAML files that hold a project's settings (not every YAML of the repository)
CONFIG_YAML = ("configs/**/*.yaml", "configs/**/*.yml", "config/**/*.yaml", "config/**/*.yml",
               "conf/**/*.yaml", "conf/**/*.yml", "config.yaml", "config.yml", "params.yaml",
               "params.yml", "settings.yaml", "settings.yml")
SCOPE_NODES = (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)


def last(qual: str | None) -> str:
    """The last component of a dotted name (``""`` for ``None``)."""
    return (qual or "").rsplit(".", 1)[-1]


def short(node: ast.AST, width: int = 60) -> str:
    """Source text of ``node`` on one line, shortened for messages."""
    try:
        text = " ".join(ast.unparse(node).split())
    except (ValueError, TypeError, AttributeError, RecursionError):  # pragma: no cover
        return type(node).__name__
    return text if len(text) <= width else text[:width - 1] + "…"


ML_MODULES = ("sklearn", "imblearn", "xgboost", "lightgbm", "catboost", "pandera",
              "great_expectations", "mlflow", "joblib", "pickle", "cloudpickle", "dill",
              "skops", "optuna", "json", "pandas")


def uses_any(index: PythonIndex, modules: Iterable[str] = ML_MODULES) -> bool:
    """Whether the file imports one of ``modules``: files that do not are left out of
    analyses that need a full walk of the tree."""
    return any(index.imports(m) for m in modules)


def parse_skip(error: ParseError) -> Finding:
    """A file that cannot be read or parsed: listed, left out of the analysis."""
    return Finding(Status.SKIP, T(
        f"{error.path} cannot be parsed ({error.message}); left out of the analysis",
        f"{error.path} no se puede analizar ({error.message}); queda fuera del análisis"),
        error.path, error.line)


# -- project files --------------------------------------------------------------------


@dataclass(frozen=True)
class Sources:
    indexes: tuple[PythonIndex, ...]
    errors: tuple[ParseError, ...]


def _local_parts(ctx: Context, path: str) -> tuple[str, ...]:
    return PurePosixPath(ctx.project.local(path)).parts


# folders that hold documentation, examples or test material, however they are spelled
# (``docs-gb``, ``tests_alibi_explain``, ``integration_tests``, ``testdata``, ``fixtures``)
DOC_LIKE_DIR = re.compile(r"(docs?|documentation|examples?)([-_.][\w.-]*)?", re.IGNORECASE)
TEST_LIKE_DIR = re.compile(r"(tests?|testing)[-_][\w.-]+|[\w.-]+[-_]tests?|"
                           r"test[-_]?data|testdata|(__)?(test[-_]?)?fixtures(__)?",
                           re.IGNORECASE)


def not_project_dir(part: str) -> bool:
    """A folder whose code is not the project's own: docs, examples, notebooks,
    benchmarks, test material and fixtures."""
    return part in NOT_SOURCE_DIRS or DOC_LIKE_DIR.fullmatch(part) is not None or \
        TEST_LIKE_DIR.fullmatch(part) is not None


def is_template_path(path: str) -> bool:
    """A path of a project template (``{{ cookiecutter.module_name }}/...``, ``{% if %}``):
    the files are generated into a project, they are not one."""
    return "{{" in path or "{%" in path


def source_files(ctx: Context) -> Sources:
    """Library and script code of the project: ``*.py`` outside tests, docs and notebooks."""
    key = f"phase3:sources:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: Sources = cached
        return result
    indexes: list[PythonIndex] = []
    errors: list[ParseError] = []
    for path in ctx.files(["**/*.py"]):
        local = ctx.project.local(path)
        parts = _local_parts(ctx, path)
        if is_test_path(local) or parts[-1] in NOT_SOURCE_FILES or \
                any(not_project_dir(p) for p in parts[:-1]):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, ParseError):
            errors.append(index)
        else:
            indexes.append(index)
    result = Sources(tuple(indexes), tuple(errors))
    ctx.repo.memo[key] = result
    return result


# -- AST navigation -------------------------------------------------------------------


def _by_type(index: PythonIndex) -> dict[type[ast.AST], list[ast.AST]]:
    """Every node of the file by exact type, in ``ast.walk`` order (the index's one walk)."""
    return index.by_type


def nodes_of(index: PythonIndex, *types: type[A]) -> list[A]:
    """Every node of the given types in the file (the tree is walked once per file)."""
    table = _by_type(index)
    out: list[A] = []
    for kind in types:
        out.extend(table.get(kind, []))  # type: ignore[arg-type]
    if len(types) > 1:
        out.sort(key=lambda n: (getattr(n, "lineno", 0), getattr(n, "col_offset", 0)))
    return out


def parents(index: PythonIndex) -> dict[ast.AST, ast.AST]:
    """Child -> parent map of the file's AST (built once per file, shared by all checks)."""
    return index.parents


def every_call(index: PythonIndex) -> list[tuple[str, ast.Call]]:
    """Every call of the file with its resolved name (``""`` when the callee is not a
    dotted name, e.g. ``make().fit()``), unlike ``index.calls`` which skips those."""
    cached: list[tuple[str, ast.Call]] | None = getattr(index, "_phase3_calls", None)
    if cached is None:
        cached = sorted(((index.qualname(n.func) or "", n) for n in nodes_of(index, ast.Call)),
                        key=lambda item: (item[1].lineno, item[1].col_offset))
        index._phase3_calls = cached  # type: ignore[attr-defined]
    return cached


def scope_of(index: PythonIndex, node: ast.AST) -> ast.AST:
    """The innermost function (or the module) that contains ``node``."""
    up = parents(index)
    current = up.get(node)
    while current is not None and not isinstance(current, FUNCTION_NODES):
        current = up.get(current)
    return current if current is not None else index.tree


def scope_walk(scope: ast.AST) -> Iterator[ast.AST]:
    """Nodes of ``scope`` without descending into nested functions, classes or lambdas."""
    stack = child_nodes(scope)
    while stack:
        node = stack.pop()
        yield node
        if not isinstance(node, SCOPE_NODES):
            stack.extend(child_nodes(node))


def calls_in(scope: ast.AST) -> list[ast.Call]:
    return sorted((n for n in scope_walk(scope) if isinstance(n, ast.Call)),
                  key=lambda c: (c.lineno, c.col_offset))


def ancestors(index: PythonIndex, node: ast.AST) -> Iterator[ast.AST]:
    up = parents(index)
    current = up.get(node)
    while current is not None:
        yield current
        current = up.get(current)


def target_key(node: ast.expr) -> str | None:
    """``x`` or ``self.x`` as a key naming an assignment target."""
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name):
        return f"{node.value.id}.{node.attr}"
    return None


def assigned_to(index: PythonIndex, node: ast.AST) -> list[str]:
    """Keys of the names a value is bound to (``x = node``, ``x: T = node``, walrus)."""
    parent = parents(index).get(node)
    keys: list[str] = []
    if isinstance(parent, ast.Assign) and parent.value is node:
        for target in parent.targets:
            key = target_key(target)
            if key:
                keys.append(key)
    elif isinstance(parent, ast.AnnAssign | ast.NamedExpr) and parent.value is node:
        key = target_key(parent.target)
        if key:
            keys.append(key)
    return keys


def assignments(scope: ast.AST, key: str) -> list[ast.expr]:
    """Values assigned to ``key`` in ``scope`` (source order; indexed once per scope)."""
    table: dict[str, list[ast.expr]] | None = getattr(scope, "_phase3_assigned", None)
    if table is None:
        found: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in scope_walk(scope):
            targets: list[ast.expr] = []
            value: ast.expr | None = None
            if isinstance(node, ast.Assign):
                targets, value = list(node.targets), node.value
            elif isinstance(node, ast.AnnAssign | ast.NamedExpr) and node.value is not None:
                targets, value = [node.target], node.value
            if value is None:
                continue
            for target in targets:
                name = target_key(target)
                if name:
                    found.setdefault(name, []).append((getattr(node, "lineno", 0), value))
        table = {k: [v for _, v in sorted(items, key=lambda item: item[0])]
                 for k, items in found.items()}
        scope._phase3_assigned = table  # type: ignore[attr-defined]
    return table.get(key, [])


def values_of(index: PythonIndex, at: ast.AST, key: str) -> list[ast.expr]:
    """Values bound to ``key`` as seen from node ``at``: a plain name in its function (or
    module), an attribute such as ``self.model`` anywhere in the file."""
    if "." not in key:
        return assignments(scope_of(index, at), key)
    table: dict[str, list[ast.expr]] | None = getattr(index, "_phase3_attrs", None)
    if table is None:
        found: dict[str, list[tuple[int, ast.expr]]] = {}
        for node in nodes_of(index, ast.Assign, ast.AnnAssign):
            value: ast.expr | None
            if isinstance(node, ast.Assign):
                targets, value = list(node.targets), node.value
            elif isinstance(node, ast.AnnAssign):
                targets, value = [node.target], node.value
            else:  # pragma: no cover - nodes_of returns only the requested types
                continue
            if value is None:
                continue
            for target in targets:
                name = target_key(target) if isinstance(target, ast.Attribute) else None
                if name:
                    found.setdefault(name, []).append((node.lineno, value))
        table = {k: [v for _, v in sorted(items, key=lambda item: item[0])]
                 for k, items in found.items()}
        index._phase3_attrs = table  # type: ignore[attr-defined]
    return table.get(key, [])


def receiver(call: ast.Call) -> ast.expr | None:
    """``obj`` of ``obj.method(...)``."""
    return call.func.value if isinstance(call.func, ast.Attribute) else None


def method(call: ast.Call) -> str | None:
    return call.func.attr if isinstance(call.func, ast.Attribute) else None


def string_constants(index: PythonIndex) -> Iterator[tuple[str, int]]:
    for node in nodes_of(index, ast.Constant):
        if isinstance(node.value, str):
            yield node.value, getattr(node, "lineno", 0)


def _fstring_prefix(node: ast.JoinedStr) -> str | None:
    out = ""
    for value in node.values:
        if not (isinstance(value, ast.Constant) and isinstance(value.value, str)):
            return out + "{}"
        out += value.value
    return out or None


def _joined_call(node: ast.Call) -> str | None:
    """``Path("a", "b")`` / ``os.path.join("a", x)`` as ``a/b`` / ``a/{}``."""
    pieces = [literal_path(a) for a in node.args]
    if not pieces or pieces[0] is None:
        return None
    out: list[str] = []
    for piece in pieces:
        out.append("{}" if piece is None else piece)
        if piece is None:
            break
    return "/".join(out)


def literal_path(node: ast.expr | None) -> str | None:
    """The literal start of a path expression: ``"data/x.csv"``, ``Path("data") / "x"``,
    ``os.path.join("data", f)``, ``f"data/{name}"``; ``None`` when it starts unknown."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return _fstring_prefix(node)
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Div):
        left = literal_path(node.left)
        right = literal_path(node.right)
        if left is None:
            return None
        return f"{left}/{right}" if right is not None else f"{left}/{{}}"
    if isinstance(node, ast.Call):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else \
            node.func.id if isinstance(node.func, ast.Name) else ""
        if name in ("Path", "PurePath", "PosixPath", "join"):
            return _joined_call(node)
    return None


# -- dependencies and ignore rules ------------------------------------------------------


def _group_of_requirements(local_path: str) -> str:
    """``requirements-dev.txt``, ``requirements/test.in``, ``dev-requirements.txt``: dev."""
    stem = local_path.lower().rsplit(".", 1)[0]
    words = set(re.split(r"[-_/.]", stem))
    return "dev" if words & DEV_GROUPS else "runtime"


def _add(found: dict[str, set[str]], raw: object, group: str) -> None:
    if not isinstance(raw, str):
        return
    requirement = parse_requirement(raw)
    if requirement is not None:
        found.setdefault(requirement.name, set()).add(group)


def declared_packages(ctx: Context) -> dict[str, set[str]]:
    """Declared dependencies of the project: normalized name -> groups.

    Groups: ``runtime``, or the extra/group name (``dev``, ``test``...). Read from
    pyproject (PEP 621, PEP 735 groups, Poetry, PDM, uv, Hatch envs), ``setup.cfg``,
    ``requirements*.txt``/``.in`` (also under ``requirements/``), ``environment.yml``.
    """
    key = f"phase3:deps:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: dict[str, set[str]] = cached
        return result
    found: dict[str, set[str]] = {}
    errors: list[ParseError] = []
    pyproject = ctx.first("pyproject.toml")
    if pyproject:
        document = ctx.repo.toml(pyproject)
        if isinstance(document, ParseError):
            errors.append(document)
        else:
            _pyproject_deps(document, found)
    _setup_cfg_deps(ctx, found, errors)
    _requirements_deps(ctx, found, errors)
    _conda_deps(ctx, found, errors)
    ctx.repo.memo[key] = found
    ctx.repo.memo[f"phase3:deps-errors:{ctx.project.path}"] = errors
    return found


def _setup_cfg_deps(ctx: Context, found: dict[str, set[str]], errors: list[ParseError]) -> None:
    setup_cfg = ctx.first("setup.cfg")
    if not setup_cfg:
        return
    ini = ctx.repo.parse(setup_cfg, parse_ini)
    if isinstance(ini, ParseError):
        errors.append(ini)
        return
    for line in (ini.get("options", "install_requires") or "").splitlines():
        _add(found, line, "runtime")
    if ini.has("options.extras_require"):
        for extra in ini.parser.options("options.extras_require"):
            for line in (ini.get("options.extras_require", extra) or "").splitlines():
                _add(found, line, extra)


def _requirements_deps(ctx: Context, found: dict[str, set[str]],
                       errors: list[ParseError]) -> None:
    for path in ctx.files(["requirements*.txt", "requirements*.in", "*requirements.txt",
                           "requirements/*.txt", "requirements/*.in"]):
        parsed = ctx.repo.parse(path, parse_requirements)
        if isinstance(parsed, ParseError):
            errors.append(parsed)
            continue
        group = _group_of_requirements(ctx.project.local(path))
        for req_line in parsed.requirements:
            if req_line.requirement is not None:
                found.setdefault(req_line.requirement.name, set()).add(group)


def _conda_deps(ctx: Context, found: dict[str, set[str]], errors: list[ParseError]) -> None:
    for path in ctx.files(["environment.yml", "environment.yaml"]):
        data = ctx.repo.yaml(path)
        if isinstance(data, ParseError):
            errors.append(data)
        deps = data.get("dependencies") if isinstance(data, dict) else None
        for entry in deps if isinstance(deps, list) else []:
            if isinstance(entry, str):
                name, _ = parse_conda_dependency(entry)
                found.setdefault(normalize_name(name), set()).add("runtime")
            elif isinstance(entry, dict) and isinstance(entry.get("pip"), list):
                for pip_entry in entry["pip"]:
                    _add(found, pip_entry, "runtime")


def dependency_errors(ctx: Context) -> list[ParseError]:
    """Dependency files of the project that could not be read (after declared_packages)."""
    declared_packages(ctx)
    errors: list[ParseError] = ctx.repo.memo.get(f"phase3:deps-errors:{ctx.project.path}", [])
    return errors


def ci_read_errors(ctx: Context) -> list[ParseError]:
    """CI configuration files whose commands cannot be read."""
    out = [w for w in workflows(ctx.repo) if isinstance(w, ParseError)]
    for system, paths in other_ci_files(ctx.repo).items():
        for path in paths:
            data = ctx.repo.text(path) if system == "jenkins" else ctx.repo.yaml(path)
            if isinstance(data, ParseError):
                out.append(data)
    return out


def _add_groups(found: dict[str, set[str]], table: object,
                group_of: Any = str) -> None:
    """``{group: [requirement, ...]}`` tables (extras, PEP 735 groups, PDM)."""
    if isinstance(table, dict):
        for group, items in table.items():
            for raw in items if isinstance(items, list) else []:
                _add(found, raw, group_of(group))


def _add_names(found: dict[str, set[str]], table: object, group: str,
               skip: str = "") -> None:
    """Poetry tables: ``{name: constraint}``."""
    for name in table if isinstance(table, dict) else {}:
        if name != skip:
            found.setdefault(normalize_name(str(name)), set()).add(group)


def _pyproject_deps(document: dict[str, Any], found: dict[str, set[str]]) -> None:
    runtime = dig(document, "project", "dependencies")
    for raw in runtime if isinstance(runtime, list) else []:
        _add(found, raw, "runtime")
    _add_groups(found, dig(document, "project", "optional-dependencies"))
    _add_groups(found, dig(document, "dependency-groups"))
    _add_groups(found, dig(document, "tool", "pdm", "dev-dependencies"))
    _add_groups(found, {"dev": dig(document, "tool", "uv", "dev-dependencies")})
    _add_names(found, dig(document, "tool", "poetry", "dependencies"), "runtime", "python")
    _add_names(found, dig(document, "tool", "poetry", "dev-dependencies"), "dev")
    poetry_groups = dig(document, "tool", "poetry", "group")
    for group, body in poetry_groups.items() if isinstance(poetry_groups, dict) else []:
        _add_names(found, dig(body, "dependencies"), str(group))
    hatch_envs = dig(document, "tool", "hatch", "envs")
    for env, body in hatch_envs.items() if isinstance(hatch_envs, dict) else []:
        group = "dev" if env == "default" else str(env)
        for field_name in ("dependencies", "extra-dependencies"):
            _add_groups(found, {group: dig(body, field_name)})


def declared(ctx: Context, *names: str) -> tuple[str, set[str]] | None:
    """The first of ``names`` that the project declares, with its groups."""
    packages = declared_packages(ctx)
    for name in names:
        groups = packages.get(normalize_name(name))
        if groups:
            return name, groups
    return None


def is_ignored(ctx: Context, local_path: str, is_dir: bool = False) -> bool:
    """Whether a project-relative path would be ignored by the repository's .gitignore."""
    return ignore_rules(ctx.repo).ignored(ctx.path(local_path), is_dir)


def dvc_errors(ctx: Context) -> list[ParseError]:
    out = []
    for path in {p for p in (ctx.first("dvc.yaml"), "dvc.yaml") if p}:
        if ctx.repo.exists(path):
            data = ctx.repo.yaml(path)
            if isinstance(data, ParseError):
                out.append(data)
    return out


def dvc_tracked(ctx: Context, local_dir: str) -> bool:
    """``<dir>.dvc`` exists, or a ``dvc.yaml`` stage declares outputs under ``<dir>/``."""
    if ctx.first(f"{local_dir}.dvc") or ctx.repo.exists(f"{local_dir}.dvc"):
        return True
    for path in [p for p in (ctx.first("dvc.yaml"), "dvc.yaml") if p]:
        if not ctx.repo.exists(path):
            continue
        data = ctx.repo.yaml(path)
        stages = data.get("stages") if isinstance(data, dict) else None
        for stage in stages.values() if isinstance(stages, dict) else []:
            outs = stage.get("outs") if isinstance(stage, dict) else None
            for out in outs if isinstance(outs, list) else []:
                name = next(iter(out)) if isinstance(out, dict) and out else out
                if isinstance(name, str) and (name == local_dir or
                                              name.startswith(local_dir.rstrip("/") + "/")):
                    return True
    return False


def locations(items: Iterable[tuple[str, int | None]], limit: int = 5) -> str:
    """``a.py:3, b.py:9 (+2 more)``."""
    listed = list(items)
    text = ", ".join(f"{p}:{n}" if n else p for p, n in listed[:limit])
    return text + (f" (+{len(listed) - limit})" if len(listed) > limit else "")


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
PREPROCESSING_CLASSES = re.compile(r"(Tokenizer|Processor|FeatureExtractor|Config)\w*\.\w+$")
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
        for label, roots, names, _ in FRAMEWORK_SIGNALS:
            if label not in seen and _under(qual, roots) and last(qual) in names and \
                    not PREPROCESSING_CLASSES.search(qual):
                seen[label] = Evidence(index.path, call.lineno, qual)
    for node in nodes_of(index, ast.ClassDef):
        for base in node.bases:
            qual = index.qualname(base) or ""
            for label, roots, _, bases in FRAMEWORK_SIGNALS:
                if label not in seen and _under(qual, roots) and last(qual) in bases:
                    seen[label] = Evidence(index.path, node.lineno, f"class {node.name}({qual})")
    if "PyTorch" not in seen and index.imports("torch"):
        for call in nodes_of(index, ast.Call):
            if isinstance(call.func, ast.Attribute) and call.func.attr == "backward":
                seen["PyTorch"] = Evidence(index.path, call.lineno, "loss.backward()")
                break
    return sk


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
TRAINING_TEXT = re.compile(r"\.(?:fit|fit_transform|fit_predict|fit_resample|partial_fit)"
                           r"\(\s*[\w\[(\"'*]|\.backward\(|\b(?:\w*Trainer|GradientTape|"
                           r"TrainingArguments)\(|\b(?:xgb|lgb|xgboost|lightgbm)\.train\(|"
                           r"torch\.optim\.")
PLACEHOLDER_TEXT = re.compile(r"REPLACE THIS WITH YOUR OWN CODE|YOUR CODE HERE", re.IGNORECASE)


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
BOOSTING_ESTIMATORS = re.compile(r"(XGB|LGBM|CatBoost)\w*(Classifier|Regressor|Ranker)$")


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
        if name in TRAINING_FITS and (call.args or call.keywords) and \
                not _module_receiver(index, call):
            return call.lineno, f"{short(call.func, 40)}()"
        if qual and (sklearn_estimator(qual) or (
                qual.startswith(("xgboost.", "lightgbm.", "catboost.")) and
                BOOSTING_ESTIMATORS.match(last(qual)))) and not load_shell(index, call):
            return call.lineno, f"{last(qual)}()"
        if qual.startswith("sklearn.model_selection.") or (
                qual.startswith("torch.") and name == "random_split"):
            return call.lineno, f"{last(qual)}()"
        if qual in MODEL_SAVES or (qual.startswith("mlflow.") and
                                   name in ("log_model", "save_model")):
            return call.lineno, f"{qual}()"
        if name == "compile" and receiver(call) is not None and \
                (call_arg(call, "optimizer") is not None or call_arg(call, "loss") is not None):
            return call.lineno, f"{short(call.func, 40)}()"
        saved = framework_save(index, qual, call)
        if saved and not saved.endswith(("save_pretrained", "push_to_hub")):
            return call.lineno, saved  # (pretrained weights are downloaded and saved too)
        if name == "backward" and torch and receiver(call) is not None:
            return call.lineno, f"{short(call.func, 40)}()"
        for roots, names in TRAINING_SIGNALS:
            if qual and last(qual) in names and any(
                    qual == r or qual.startswith(r + ".") for r in roots):
                return call.lineno, qual
    for node in nodes_of(index, ast.ClassDef):
        bases = {last(index.qualname(b)) for b in node.bases}
        if bases & TRAINING_BASES or any(isinstance(n, FUNCTION_NODES) and
                                         n.name in ("training_step", "train_step")
                                         for n in node.body):
            return node.lineno, f"class {node.name}"
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
    module: Evidence | None = None
    templates: list[str] = []
    for index in source_files(ctx).indexes:
        found = training_call(index)
        if found is None:
            continue
        if is_template_path(index.path) or _placeholder(ctx, index.path):
            templates.append(index.path)
            continue
        module = Evidence(index.path, found[0], found[1])
        break
    if module is None:
        for path, target in config_targets(ctx):
            if last(target) in CHECKPOINT_CLASSES or any(
                    last(target) in names and any(target == r or target.startswith(r + ".")
                                                  for r in roots)
                    for roots, names in TRAINING_SIGNALS):
                module = Evidence(path, 0, target)
                break
    notebooks: list[str] = []
    elsewhere: list[str] = []
    errors: list[ParseError] = []
    if module is None:
        for path in ctx.files(["**/*.ipynb"]):
            parts = _local_parts(ctx, path)
            if is_template_path(path) or is_test_path(ctx.project.local(path)) or \
                    any(not_project_dir(p) and p not in ("notebooks", "notebook")
                        for p in parts[:-1]):
                continue
            if _notebook_trains(ctx, path, errors):
                notebooks.append(path)
        if not notebooks:
            project = {i.path for i in source_files(ctx).indexes}
            project.update(e.path for e in source_files(ctx).errors)
            elsewhere = templates + _outside_training(ctx, project, errors)
    result = Training(module, tuple(notebooks), tuple(elsewhere), tuple(errors))
    ctx.repo.memo[key] = result
    return result


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


# -- Hydra-style configuration ---------------------------------------------------------


def _targets(data: object, out: list[tuple[str, dict[str, Any]]], depth: int = 0) -> None:
    if depth > 20 or len(out) > 500:
        return
    if isinstance(data, dict):
        target = data.get("_target_", data.get("class_path"))
        if isinstance(target, str) and len(target) < 300:
            init_args = data.get("init_args")
            out.append((target, init_args if isinstance(init_args, dict) else data))
        for value in data.values():
            _targets(value, out, depth + 1)
    elif isinstance(data, list):
        for value in data:
            _targets(value, out, depth + 1)


def config_mappings(ctx: Context) -> list[tuple[str, str, dict[str, Any]]]:
    """Objects declared by configuration files (Hydra ``_target_:``, Lightning CLI
    ``class_path:``) with their arguments:
    ``[(path, "lightning.pytorch.loggers.WandbLogger", {"project": ...}), ...]``."""
    key = f"phase3:targets:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: list[tuple[str, str, dict[str, Any]]] = cached
        return result
    result = []
    errors: list[ParseError] = []
    for path in ctx.files(CONFIG_YAML):
        data = ctx.repo.yaml(path)
        if isinstance(data, ParseError):
            errors.append(data)
            continue
        found: list[tuple[str, dict[str, Any]]] = []
        _targets(data, found)
        result.extend((path, target, body) for target, body in found)
    ctx.repo.memo[key] = result
    ctx.repo.memo[key + ":errors"] = errors
    return result


def config_errors(ctx: Context) -> list[ParseError]:
    """Configuration files :func:`config_mappings` could not read (checks that use it, or
    :func:`frameworks`, report them)."""
    config_mappings(ctx)
    errors: list[ParseError] = ctx.repo.memo.get(f"phase3:targets:{ctx.project.path}:errors",
                                                  [])
    return errors


def read_yaml(ctx: Context, path: str | None, errors: list[ParseError]) -> object:
    """``ctx.repo.yaml(path)``, with a read problem noted in ``errors`` (``None`` then)."""
    if path is None:
        return None
    data = ctx.repo.yaml(path)
    if isinstance(data, ParseError):
        errors.append(data)
        return None
    return data


def read_text(ctx: Context, path: str, errors: list[ParseError]) -> str | None:
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        errors.append(text)
        return None
    return text


def skips(errors: Iterable[ParseError]) -> Iterator[Finding]:
    """One ``skip`` per unreadable file (each named once)."""
    seen: set[tuple[str, str]] = set()
    for error in errors:
        key = (error.path, error.message)
        if key not in seen:
            seen.add(key)
            yield parse_skip(error)


def config_targets(ctx: Context) -> list[tuple[str, str]]:
    """``[(path, class name), ...]`` of :func:`config_mappings`."""
    return [(path, target) for path, target, _ in config_mappings(ctx)]


# -- names for fix texts ----------------------------------------------------------------


def project_name(ctx: Context, errors: list[ParseError]) -> str:
    """The project's own name for fix texts: ``[project].name`` / Poetry name, else the
    directory name."""
    pyproject = ctx.first("pyproject.toml")
    if pyproject:
        document = ctx.repo.toml(pyproject)
        if isinstance(document, ParseError):
            errors.append(document)
        else:
            for keys in (("project", "name"), ("tool", "poetry", "name")):
                name = dig(document, *keys)
                if isinstance(name, str) and re.fullmatch(r"[A-Za-z0-9][\w.-]{0,60}", name):
                    return name
    base = ctx.project.path if ctx.project.path != "." else ctx.repo.root.name
    name = PurePosixPath(base).name
    return name if re.fullmatch(r"[A-Za-z0-9][\w.-]{0,60}", name) else "model"


# -- saving the model -------------------------------------------------------------------

# framework saves: resolved calls, and methods that only models have
FRAMEWORK_SAVE_CALLS = frozenset({
    "torch.save", "torch.jit.save", "torch.onnx.export", "tensorflow.saved_model.save",
    "tensorflow.keras.models.save_model", "keras.models.save_model", "keras.saving.save_model",
    "safetensors.torch.save_file", "safetensors.torch.save_model", "onnx.save",
    "onnx.save_model"})
FRAMEWORK_SAVE_METHODS = frozenset({"save_pretrained", "save_checkpoint", "save_weights",
                                    "push_to_hub"})
MODEL_NAMES = re.compile(r"(model|net|network|clf|classifier|regressor|estimator|booster|bst|"
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
