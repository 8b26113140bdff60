"""Phase 3 checks on experiment tracking with MLflow: logging (MLF001), model signature
(MLF002), Model Registry (MLF003) and the promotion quality gate (MLF004).

Calls are recognised through their resolved import (``import mlflow as mf`` then
``mf.start_run`` is ``mlflow.start_run``; ``from mlflow import log_metric`` too). The
code looked at is the project's library and script code (``scripts/promote_model.py``
included), never its tests.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mlops_lint.checks import check
from mlops_lint.checks._phase3 import (
    CONFIG_YAML,
    FUNCTION_NODES,
    ancestors,
    assignments,
    ci_read_errors,
    every_call,
    is_ignored,
    last,
    locations,
    method,
    nodes_of,
    parse_skip,
    scope_of,
    scope_walk,
    short,
    source_files,
    string_constants,
)
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import ci_commands
from mlops_lint.parsers.makefile import parse_makefile
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal

PARAM_CALLS = frozenset({"log_param", "log_params"})
METRIC_CALLS = frozenset({"log_metric", "log_metrics"})
ARTIFACT_CALLS = frozenset({"log_artifact", "log_artifacts", "log_dict", "log_figure",
                            "log_text", "log_image", "log_table"})
TAG_CALLS = frozenset({"set_tag", "set_tags"})
REGISTRY_METHODS = frozenset({"transition_model_version_stage", "set_registered_model_alias",
                              "create_model_version", "copy_model_version"})
PROMOTION_METHODS = frozenset({"transition_model_version_stage", "set_registered_model_alias",
                               "copy_model_version", "register_model"})
URI_KEYS = frozenset({"mlflow_tracking_uri", "tracking_uri"})
METRIC_WORDS = re.compile(
    r"(?<![A-Za-z])(metrics?|f1|auc|roc|roc_auc|accuracy|acc|precision|recall|rmse|mae|mse|r2|"
    r"score|scores|threshold|thresholds|baseline|champion|production|prod|best|min|max|"
    r"floor|gate|loss|error)(?![A-Za-z])", re.IGNORECASE)
ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str


def _mlflow_calls(index: PythonIndex) -> Iterator[tuple[str, ast.Call]]:
    for qual, call in index.calls:
        if qual == "mlflow" or qual.startswith("mlflow."):
            yield qual, call


def _errors(ctx: Context) -> list[Finding]:
    return [parse_skip(e) for e in source_files(ctx).errors]


# -- MLF001 -----------------------------------------------------------------------------


def _yaml_has_uri(data: object, depth: int = 0) -> bool:
    if depth > 20:
        return False
    if isinstance(data, dict):
        return any((isinstance(k, str) and k.lower() in URI_KEYS and v) or
                   _yaml_has_uri(v, depth + 1) for k, v in data.items())
    if isinstance(data, list):
        return any(_yaml_has_uri(v, depth + 1) for v in data)
    if isinstance(data, str):
        return data.startswith("MLFLOW_TRACKING_URI=")
    return False


def _tracking_uri_config(ctx: Context) -> tuple[str | None, list[ParseError]]:
    """Where ``MLFLOW_TRACKING_URI``/``tracking_uri`` is configured outside the code, and
    the files that could not be read while looking."""
    errors: list[ParseError] = []
    for path in ctx.files([*CONFIG_YAML, "docker-compose*.y*ml", "compose*.y*ml",
                           ".github/workflows/*.y*ml"]):
        data = ctx.repo.yaml(path)
        if isinstance(data, ParseError):
            errors.append(data)
        elif _yaml_has_uri(data):
            return path, errors
    for path in ctx.files([".env.example", ".env.sample", ".env.template", ".env.dist"]):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            errors.append(text)
        elif any(line.strip().removeprefix("export ").startswith("MLFLOW_TRACKING_URI=")
                 for line in text.splitlines()):
            return path, errors
    makefile = ctx.first("Makefile")
    if makefile:
        parsed = ctx.repo.parse(makefile, parse_makefile)
        if isinstance(parsed, ParseError):
            errors.append(parsed)
        elif "MLFLOW_TRACKING_URI" in getattr(parsed, "variables", {}) or any(
                "MLFLOW_TRACKING_URI=" in command for target in parsed.targets.values()
                for _, command in target.recipe):
            return makefile, errors
    return None, errors


TRACKING_WANTS: dict[int, list[tuple[str, T]]] = {
    1: [("with", T("a `with mlflow.start_run():` block", "un bloque "
                   "`with mlflow.start_run():`")),
        ("params", T("log_param(s)", "log_param(s)")),
        ("metrics", T("log_metric(s)", "log_metric(s)"))],
    2: [("artifacts", T("log_artifact(s)", "log_artifact(s)")),
        ("uri", T("an explicit tracking URI (set_tracking_uri or MLFLOW_TRACKING_URI)",
                  "un tracking URI explícito (set_tracking_uri o MLFLOW_TRACKING_URI)")),
        ("mlruns", T("mlruns/ in .gitignore", "mlruns/ en .gitignore"))],
    3: [("tags", T("set_tag(s) (git commit, data version)",
                   "set_tag(s) (commit de git, versión de datos)")),
        ("run_name", T("a run_name on start_run", "un run_name en start_run"))],
}
CALL_KEYS: dict[str, tuple[str, ...]] = {
    **dict.fromkeys(PARAM_CALLS, ("params",)), **dict.fromkeys(METRIC_CALLS, ("metrics",)),
    "autolog": ("params", "metrics"), **dict.fromkeys(ARTIFACT_CALLS, ("artifacts",)),
    "set_tracking_uri": ("uri",), **dict.fromkeys(TAG_CALLS, ("tags",)),
}


def _with_runs(index: PythonIndex, found: dict[str, Hit]) -> set[int]:
    """``with mlflow.start_run(...)`` blocks (and their run_name/tags arguments)."""
    runs = set()
    for node in nodes_of(index, ast.With, ast.AsyncWith):
        for item in node.items:  # type: ignore[attr-defined]
            expr = item.context_expr
            if not (isinstance(expr, ast.Call) and
                    index.qualname(expr.func) == "mlflow.start_run"):
                continue
            runs.add(id(expr))
            found.setdefault("with", Hit(index.path, expr.lineno, ""))
            for keyword, key in (("run_name", "run_name"), ("tags", "tags")):
                if call_arg(expr, keyword) is not None:
                    found.setdefault(key, Hit(index.path, expr.lineno, ""))
    return runs


def _tracking_hits(ctx: Context, found: dict[str, Hit]) -> list[tuple[str, int]]:
    """Fill ``found`` with what the project code does with MLflow; the bare start_runs."""
    bare_runs: list[tuple[str, int]] = []
    for index in source_files(ctx).indexes:
        text = ctx.repo.text(index.path)
        if isinstance(text, str) and "MLFLOW_TRACKING_URI" in text:
            for constant, line in string_constants(index):
                if constant == "MLFLOW_TRACKING_URI":
                    found.setdefault("uri", Hit(index.path, line, "env"))
        if not index.imports("mlflow"):
            continue
        found.setdefault("import", Hit(index.path, 1, ""))
        with_runs = _with_runs(index, found)
        for qual, call in _mlflow_calls(index):
            name = last(qual)
            if name == "start_run" and id(call) not in with_runs:
                bare_runs.append((index.path, call.lineno))
            for key in CALL_KEYS.get(name, ()):
                found.setdefault(key, Hit(index.path, call.lineno, qual))
    return bare_runs


@check("mlflow_tracking")
def mlflow_tracking(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF001: runs in a ``with mlflow.start_run()``, params and metrics (L1); artifacts,
    tracking URI and ignored ``mlruns/`` (L2); tags and run names (L3)."""
    yield from _errors(ctx)
    found: dict[str, Hit] = {}
    bare_runs = _tracking_hits(ctx, found)
    if "uri" not in found:
        where, errors = _tracking_uri_config(ctx)
        yield from (parse_skip(e) for e in errors)
        if where:
            found["uri"] = Hit(where, 0, "config")
    if "import" not in found:
        for level in (1, 2, 3):
            yield failed(T("MLflow is not used: no experiment tracking in the project code",
                           "no se usa MLflow: no hay seguimiento de experimentos en el código "
                           "del proyecto"), level=level)
        return
    if is_ignored(ctx, "mlruns", is_dir=True):
        found["mlruns"] = Hit(".gitignore", 0, "")
    anchor = found.get("with") or found["import"]
    missing_so_far: list[T] = []
    for level in (1, 2, 3):
        missing_so_far += [label for key, label in TRACKING_WANTS[level] if key not in found]
        if level == 1 and bare_runs and "with" not in found:
            missing_so_far.append(T(f"(start_run without `with` at {locations(bare_runs)} "
                                    "leaves the run open when training fails)",
                                    f"(start_run sin `with` en {locations(bare_runs)} deja el "
                                    "run abierto si el entrenamiento falla)"))
        if missing_so_far:
            yield failed(T("MLflow tracking lacks: ", "al seguimiento con MLflow le falta: ")
                         + T.join(missing_so_far, ", "), anchor.path, anchor.line or None,
                         level=level)
        else:
            done = T.join([label for lvl in range(1, level + 1)
                           for _, label in TRACKING_WANTS[lvl]], ", ")
            yield passed(T("MLflow tracking has ", "el seguimiento con MLflow tiene ") + done,
                         anchor.path, anchor.line or None, level=level)


# -- MLF002 -----------------------------------------------------------------------------


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


@check("mlflow_signature")
def mlflow_signature(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF002: models are logged with ``signature=`` (and ideally ``input_example=``)."""
    sources = source_files(ctx)
    yield from _errors(ctx)
    logged = False
    autolog: tuple[str, int, ast.Call] | None = None
    for index in sources.indexes:
        for qual, call in _mlflow_calls(index):
            name = last(qual)
            if name == "autolog":
                autolog = autolog or (index.path, call.lineno, call)
                continue
            if name not in ("log_model", "save_model") or qual.count(".") < 2:
                continue
            logged = True
            signature = call_arg(call, "signature")
            example = call_arg(call, "input_example")
            if signature is None or not _is_signature(index, call, signature):
                yield failed(T(f"{short(call)} logs the model without a signature: serving "
                               "cannot validate inputs",
                               f"{short(call)} registra el modelo sin signature: el servicio "
                               "no puede validar entradas"), index.path, call.lineno,
                             fix=T("signature=infer_signature(X_train, pipeline.predict(X_train)"
                                   "), input_example=X_train.head(3)",
                                   "signature=infer_signature(X_train, pipeline.predict(X_train)"
                                   "), input_example=X_train.head(3)"))
            elif example is None or (isinstance(example, ast.Constant) and
                                     example.value is None):
                yield warned(T(f"{short(call)} has a signature but no input_example",
                               f"{short(call)} tiene signature pero no input_example"),
                             index.path, call.lineno)
            else:
                yield passed(T(f"model logged with signature and input_example at "
                               f"{index.path}:{call.lineno}",
                               f"modelo registrado con signature e input_example en "
                               f"{index.path}:{call.lineno}"), index.path, call.lineno)
    if logged:
        return
    if autolog is not None:
        path, line, call = autolog
        if literal(call_arg(call, "log_model_signatures")) is False:
            yield failed(T("autolog is called with log_model_signatures=False",
                           "autolog se llama con log_model_signatures=False"), path, line)
        elif literal(call_arg(call, "log_input_examples")) is True:
            yield passed(T("autolog logs models with signatures and input examples",
                           "autolog registra modelos con signature y ejemplos de entrada"),
                         path, line)
        else:
            yield warned(T("autolog infers signatures but logs no input example "
                           "(log_input_examples=True)", "autolog infiere la signature pero no "
                           "registra ejemplo de entrada (log_input_examples=True)"), path, line)
        return
    yield failed(T("no model is logged with mlflow.<flavor>.log_model",
                   "ningún modelo se registra con mlflow.<flavor>.log_model"))


# -- MLF003 -----------------------------------------------------------------------------


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


@check("mlflow_registry")
def mlflow_registry(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF003: the model goes to the Model Registry (registered_model_name=,
    register_model, stage transitions or aliases)."""
    sources = [i for i in source_files(ctx).indexes if i.imports("mlflow")]
    yield from _errors(ctx)
    hit = next((h for index in sources for h in [_registry_hit(index)] if h), None)
    uses_uri = next((u for index in sources for u in [_models_uri(index)] if u), None)
    if hit is None:
        yield failed(T("the model is never registered (no registered_model_name=, "
                       "mlflow.register_model or MlflowClient stage/alias transition)",
                       "el modelo nunca se registra (ni registered_model_name=, ni "
                       "mlflow.register_model, ni transición de stage/alias con "
                       "MlflowClient)"))
        return
    path, line, how = hit
    extra = T(f"; loaded through a models:/ URI at {uses_uri[0]}:{uses_uri[1]}",
              f"; se carga con una URI models:/ en {uses_uri[0]}:{uses_uri[1]}") \
        if uses_uri else T("", "")
    yield passed(T(f"model registered with {how} at {path}:{line}",
                   f"modelo registrado con {how} en {path}:{line}") + extra, path, line)


# -- MLF004 -----------------------------------------------------------------------------


def _metric_test(node: ast.expr) -> bool:
    """An ordering comparison (<, <=, >, >=) that names a metric, threshold or baseline."""
    return any(isinstance(n, ast.Compare) and any(isinstance(op, ORDERING) for op in n.ops)
               for n in ast.walk(node)) and bool(METRIC_WORDS.search(short(node, 400)))


def _gate_functions(index: PythonIndex) -> set[str]:
    """Functions returning a metric comparison (``def passes_gate(...): return f1 >= t``)."""
    cached: set[str] | None = getattr(index, "_phase3_gates", None)
    if cached is None:
        cached = set()
        for ret in nodes_of(index, ast.Return):
            if ret.value is not None and _metric_test(ret.value):
                scope = scope_of(index, ret)
                if isinstance(scope, FUNCTION_NODES):
                    cached.add(scope.name)
        index._phase3_gates = cached  # type: ignore[attr-defined]
    return cached


def _guard_test(index: PythonIndex, test: ast.expr, gates: set[str],
                scope: ast.AST) -> bool:
    if _metric_test(test):
        return True
    for node in ast.walk(test):
        if isinstance(node, ast.Call) and (last(index.qualname(node.func)) in gates or
                                           method(node) in gates):
            return True
        if isinstance(node, ast.Name):
            values = assignments(scope, node.id)
            if values and (_metric_test(values[-1]) or any(
                    isinstance(c, ast.Call) and last(index.qualname(c.func)) in gates
                    for c in ast.walk(values[-1]))):
                return True
    return False


def _exits(body: list[ast.stmt]) -> bool:
    for statement in body:
        if isinstance(statement, ast.Raise | ast.Return):
            return True
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            name = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else ""
            if name == "exit":
                return True
    return False


def _guarded(index: PythonIndex, call: ast.Call, gates: set[str]) -> bool:
    """A promotion call under a metric ``if``, or after an early exit on a metric test."""
    scope = scope_of(index, call)
    for node in ancestors(index, call):
        if isinstance(node, ast.If) and _guard_test(index, node.test, gates, scope):
            return True
        if isinstance(node, FUNCTION_NODES):
            break
    for node in scope_walk(scope):
        if isinstance(node, ast.If) and node.lineno < call.lineno and _exits(node.body) and \
                _guard_test(index, node.test, gates, scope):
            return True
    return False


def _gate_script(index: PythonIndex) -> int | None:
    """Line of a metric comparison that fails the process (``sys.exit(1)``/``raise``)."""
    gates = _gate_functions(index)
    for node in nodes_of(index, ast.If):
        if (_exits(node.body) or _exits(node.orelse)) and _guard_test(
                index, node.test, gates, scope_of(index, node)):
            return node.lineno
    return None


def _ci_runs(ctx: Context, path: str) -> str | None:
    """A CI command that runs the script at ``path`` (by path or module name)."""
    local = ctx.project.local(path)
    module = local.removesuffix(".py").removeprefix("src/").replace("/", ".")
    stem = local.rsplit("/", 1)[-1]
    for command in ci_commands(ctx.repo):
        if not command.blocking:
            continue
        if local in command.text or path in command.text or module in command.text or (
                f"/{stem}" in command.text or f" {stem}" in command.text):
            return f"{command.path}:{command.line}" if command.line else command.path
    return None


@check("promotion_gate")
def promotion_gate(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF004: promotion to production is guarded by a metric comparison."""
    sources = source_files(ctx)
    yield from _errors(ctx)
    yield from (parse_skip(e) for e in ci_read_errors(ctx))
    unguarded: list[tuple[str, int]] = []
    for index in sources.indexes:
        if not index.imports("mlflow"):
            continue
        gates = _gate_functions(index)
        for qual, call in every_call(index):
            name = method(call) or last(qual)
            promoting = (name in PROMOTION_METHODS and index.imports("mlflow")) or (
                qual.startswith("mlflow.") and last(qual) == "log_model" and
                call_arg(call, "registered_model_name") is not None)
            if not promoting:
                continue
            if _guarded(index, call, gates):
                yield passed(T(f"promotion at {index.path}:{call.lineno} is guarded by a metric "
                               "check", f"la promoción en {index.path}:{call.lineno} está "
                               "protegida por una comprobación de métricas"),
                             index.path, call.lineno)
                return
            unguarded.append((index.path, call.lineno))
    for index in sources.indexes:
        where = _ci_runs(ctx, index.path)
        line = _gate_script(index) if where else None
        if where and line is not None:
            yield passed(T(f"metric gate at {index.path}:{line}, run by CI ({where})",
                           f"puerta de métricas en {index.path}:{line}, ejecutada por la "
                           f"CI ({where})"), index.path, line)
            return
    if unguarded:
        yield failed(T(f"the model is promoted without comparing its metrics to thresholds or "
                       f"to production ({locations(unguarded)})",
                       "el modelo se promueve sin comparar sus métricas con umbrales o con "
                       f"producción ({locations(unguarded)})"), unguarded[0][0],
                     unguarded[0][1])
        return
    yield failed(T("no promotion quality gate (a script or CI step comparing candidate "
                   "metrics to thresholds before promoting)",
                   "no hay puerta de calidad de promoción (un script o paso de CI que compare "
                   "las métricas del candidato con umbrales antes de promover)"))
