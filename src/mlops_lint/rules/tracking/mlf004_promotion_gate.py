"""MLF004: promotion to production is guarded by a metric comparison.

A promotion or registration call passes when an enclosing ``if`` (or an earlier early
exit) compares a metric, a threshold or a baseline (:data:`METRIC_WORDS`), directly or
through a gate function. Otherwise a metric-gate script (a comparison that fails the
process) passes when something runs it automatically: a blocking CI command, a dvc.yaml
stage, a Makefile target, a shell script, or a pipeline definition that orders an
evaluation step before the registration step. A gate nothing runs is a warning. A gate
must fail the process (raise, ``sys.exit``, a run cancelled): an early ``return`` of a
function is not one. With no promotion call and no gate that runs, a project that trains
no model is not applicable: there is no candidate to promote; so is a project with no
model of its own (:func:`mlops_lint.readers.training.no_model_of_its_own`: a published
library that fits its callers' models, a documentation repository's teaching notebooks),
whose metric checks, if any, are not promotion gates.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import ci_commands
from mlops_lint.parsers.makefile import parse_makefile
from mlops_lint.parsers.python_source import PythonIndex, call_arg
from mlops_lint.readers.training import (
    FUNCTION_NODES,
    ancestors,
    assignments,
    ci_read_errors,
    every_call,
    last,
    locations,
    method,
    no_model_of_its_own,
    no_training,
    nodes_of,
    parents,
    parse_skip,
    read_text,
    read_yaml,
    receiver,
    scope_of,
    scope_walk,
    short,
    skips,
    source_files,
    target_key,
    training_errors,
)
from mlops_lint.rules import rule
from mlops_lint.rules.tracking._shared import other_registry, source_errors

PROMOTION_METHODS = frozenset({"transition_model_version_stage", "set_registered_model_alias",
                               "copy_model_version", "register_model"})


METRIC_WORDS = lazy_re.compile(
    r"(?<![A-Za-z])(metrics?|f1|auc|roc|roc_auc|accuracy|acc|precision|recall|rmse|mae|mse|r2|"
    r"score|scores|threshold|thresholds|baseline|champion|challenger|candidate|previous|"
    r"reference|production|prod|best|"
    r"floor|gate|loss|error)(?![A-Za-z])", re.IGNORECASE)


ORDERING = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)


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


# calls that end the process or the pipeline run: sys.exit, an orchestrator's run
# cancelled or failed (``run.parent.cancel()`` in an Azure ML step, ``run.fail()``)
EXIT_CALLS = frozenset({"exit", "_exit", "cancel", "fail", "abort"})


def _exits(body: list[ast.stmt], depth: int = 0, returns: bool = True) -> bool:
    """The block ends the process or the run: raise, sys.exit, a run cancelled or failed,
    and with ``returns`` a ``return`` (an early return before a promotion call); also
    inside a nested ``if`` (``if allow_cancel: run.parent.cancel()``)."""
    for statement in body:
        if isinstance(statement, ast.Raise) or (returns and isinstance(statement, ast.Return)):
            return True
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            name = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else ""
            if name in EXIT_CALLS:
                return True
        if isinstance(statement, ast.If) and depth < 3 and (
                _exits(statement.body, depth + 1, returns) or
                _exits(statement.orelse, depth + 1, returns)):
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
    """Line of a metric comparison that fails the process (``sys.exit(1)``/``raise``); an
    early ``return`` of a function does not fail anything."""
    gates = _gate_functions(index)
    for node in nodes_of(index, ast.If):
        if (_exits(node.body, returns=False) or _exits(node.orelse, returns=False)) and \
                _guard_test(
                index, node.test, gates, scope_of(index, node)):
            return node.lineno
    return None


def _mentions(text: str, local: str, path: str, module: str, stem: str) -> bool:
    return local in text or path in text or module in text or (
        f"/{stem}" in text or f" {stem}" in text)


Names = tuple[str, str, str, str]  # how a script is named: local path, path, module, stem


def _ci_runner(ctx: Context, names: Names) -> str | None:
    for command in ci_commands(ctx.repo):
        if command.blocking and _mentions(command.text, *names):
            return f"CI ({command.path}:{command.line})" if command.line else \
                f"CI ({command.path})"
    return None


def _dvc_runner(ctx: Context, names: Names, errors: list[ParseError]) -> str | None:
    dvc = ctx.first("dvc.yaml")
    data = read_yaml(ctx, dvc, errors)
    stages = data.get("stages") if isinstance(data, dict) else None
    for name, stage in stages.items() if isinstance(stages, dict) else []:
        cmd = stage.get("cmd") if isinstance(stage, dict) else None
        texts = cmd if isinstance(cmd, list) else [cmd]
        if any(isinstance(t, str) and _mentions(t, *names) for t in texts):
            return f"the dvc.yaml stage {name} ({dvc})"
    return None


def _make_runner(ctx: Context, names: Names, errors: list[ParseError]) -> str | None:
    makefile = ctx.first("Makefile")
    parsed = ctx.repo.parse(makefile, parse_makefile) if makefile else None
    if isinstance(parsed, ParseError):
        errors.append(parsed)
    elif parsed is not None:
        for target_name, target in parsed.targets.items():
            if any(_mentions(c, *names) for _, c in target.recipe):
                return f"the Makefile target {target_name} ({makefile})"
    return None


def _shell_runner(ctx: Context, names: Names, errors: list[ParseError]) -> str | None:
    for script in ctx.files(["**/*.sh"]):
        text = read_text(ctx, script, errors)
        if text is not None and _mentions(text[:200_000], *names):
            return f"{script}"
    return None


def _runs_script(ctx: Context, path: str, errors: list[ParseError]) -> str | None:
    """What runs the script at ``path`` automatically: a blocking CI command, a dvc.yaml
    stage, a Makefile target or a shell script of the repository (by path or module)."""
    local = ctx.project.local(path)
    module = local.removesuffix(".py").removeprefix("src/").replace("/", ".")
    stem = local.rsplit("/", 1)[-1]
    names = (local, path, module, stem)
    return _ci_runner(ctx, names) or _dvc_runner(ctx, names, errors) or \
        _make_runner(ctx, names, errors) or _shell_runner(ctx, names, errors)


# orchestrators whose pipeline definitions order steps in Python code
PIPELINE_ROOTS = ("azureml.pipeline", "azure.ai.ml", "kfp", "sagemaker.workflow",
                  "google.cloud.aiplatform", "airflow", "prefect", "zenml", "metaflow")


ORDERING_METHODS = frozenset({"run_after", "after", "set_upstream", "set_downstream"})


REGISTER_STEP = lazy_re.compile(r"regist|promot|publish|deploy", re.IGNORECASE)


GATE_STEP = lazy_re.compile(r"eval|valid|compar|gate|check|test", re.IGNORECASE)


def _step_order(index: PythonIndex) -> tuple[int, str] | None:
    """A pipeline definition that runs an evaluation step before the registration step:
    ``register_step.run_after(evaluate_step)`` (Azure ML), ``register.after(evaluate)``
    (Kubeflow), ``RegisterModel(..., depends_on=[evaluate])`` (SageMaker),
    ``evaluate >> register`` (Airflow)."""
    pairs: list[tuple[int, str, str]] = []
    for call in nodes_of(index, ast.Call):
        name = method(call)
        obj = receiver(call)
        if name in ORDERING_METHODS and obj is not None and call.args:
            later, earlier = short(obj, 60), " ".join(short(a, 60) for a in call.args)
            if name == "set_downstream":
                later, earlier = earlier, later
            pairs.append((call.lineno, later, earlier))
        depends = call_arg(call, "depends_on")
        targets = assigned_names(index, call)
        if depends is not None:
            pairs.append((call.lineno, " ".join([*targets, short(call.func, 40)]),
                          short(depends, 120)))
    for node in nodes_of(index, ast.BinOp):
        if isinstance(node.op, ast.RShift):
            pairs.append((node.lineno, short(node.right, 60), short(node.left, 60)))
    for line, later, earlier in pairs:
        if REGISTER_STEP.search(later) and GATE_STEP.search(earlier):
            return line, f"{later} after {earlier}"
    return None


def assigned_names(index: PythonIndex, node: ast.AST) -> list[str]:
    parent = parents(index).get(node)
    if isinstance(parent, ast.Assign):
        return [k for k in (target_key(t) for t in parent.targets) if k]
    return []


def _referenced(ctx: Context, path: str, errors: list[ParseError]) -> bool:
    """The script's path is named in the repository's configuration or code (a pipeline
    variable ``EVALUATE_SCRIPT_PATH: evaluate/evaluate_model.py``, a step's script name)."""
    parts = PurePosixPath(path).parts
    tails = {path, "/".join(parts[-2:])}
    for other in ctx.repo.glob(["**/*.yml", "**/*.yaml", "**/.env*", "**/*.py", "**/*.json",
                                "**/*.cfg", "**/*.toml"])[:2000]:
        if other == path:
            continue
        text = read_text(ctx, other, errors)
        if text is not None and any(t in text[:200_000] for t in tails):
            return True
    return False


def _pipeline_gate(ctx: Context, gate_path: str, sources: tuple[PythonIndex, ...],
                   errors: list[ParseError]) -> str | None:
    """A pipeline definition of the project orders an evaluation step before the
    registration step, and the gate script is named as a script of the repository: the
    gate is a step of the pipeline (its failure cancels the run before registration)."""
    for index in sources:
        if not any(index.imports(root) for root in PIPELINE_ROOTS):
            continue
        order = _step_order(index)
        if order is not None and _referenced(ctx, gate_path, errors):
            return f"a pipeline step ordered before registration ({index.path}:{order[0]}: " \
                f"{order[1]})"
    return None


def _promotions(index: PythonIndex) -> Iterator[tuple[int, ast.Call, str]]:
    """Calls that promote or register a model, in MLflow or another registry."""
    mlflow = index.imports("mlflow")
    for qual, call in every_call(index):
        name = method(call) or last(qual)
        if (name in PROMOTION_METHODS and mlflow) or (
                qual.startswith("mlflow.") and last(qual) == "log_model" and
                call_arg(call, "registered_model_name") is not None):
            yield call.lineno, call, name
    other = other_registry(index)
    if other is not None:
        for call in nodes_of(index, ast.Call):
            if call.lineno == other[0]:
                yield call.lineno, call, other[1]
                break


@rule("MLF004")
def promotion_gate(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF004: promotion to production is guarded by a metric comparison: a guarded
    promotion or registration call, or a metric-gate script that something runs."""
    sources = source_files(ctx)
    yield from source_errors(ctx)
    yield from (parse_skip(e) for e in ci_read_errors(ctx))
    unguarded: list[tuple[str, int]] = []
    for index in sources.indexes:
        gates = _gate_functions(index)
        for line, call, _ in _promotions(index):
            if _guarded(index, call, gates):
                yield passed(T(f"promotion at {index.path}:{line} is guarded by a metric "
                               "check", f"la promoción en {index.path}:{line} está "
                               "protegida por una comprobación de métricas"), index.path, line)
                return
            unguarded.append((index.path, line))
    idle: tuple[str, int] | None = None
    read_errors: list[ParseError] = []
    for index in sources.indexes:
        gate_line = _gate_script(index)
        if gate_line is None:
            continue
        where = _runs_script(ctx, index.path, read_errors) or _pipeline_gate(
            ctx, index.path, sources.indexes, read_errors)
        if where:
            yield from skips(read_errors)
            yield passed(T(f"metric gate at {index.path}:{gate_line}, run by {where}",
                           f"puerta de métricas en {index.path}:{gate_line}, ejecutada por "
                           f"{where}"), index.path, gate_line)
            return
        idle = idle or (index.path, gate_line)
    yield from skips(read_errors)
    if unguarded:
        yield failed(T(f"the model is promoted without comparing its metrics to thresholds or "
                       f"to production ({locations(unguarded)})",
                       "el modelo se promueve sin comparar sus métricas con umbrales o con "
                       f"producción ({locations(unguarded)})"), unguarded[0][0],
                     unguarded[0][1])
        return
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no candidate model to promote",
                                   "no hay modelo candidato que promover"),
                            notebooks_count=True)
    if untrained is not None:
        yield untrained
        return
    if (borrowed := no_model_of_its_own(ctx)) is not None:
        yield skipped(T("not applicable: ", "no aplica: ") + borrowed + T(
            "; there is no model of its own to promote",
            "; no hay modelo propio que promover"))
        return
    if idle:
        yield warned(T(f"a metric gate at {idle[0]}:{idle[1]} fails the process on a bad "
                       "comparison, but no CI job, dvc.yaml stage, Makefile target or shell "
                       "script runs it",
                       f"una puerta de métricas en {idle[0]}:{idle[1]} termina con error si la "
                       "comparación falla, pero ningún job de CI, etapa de dvc.yaml, objetivo "
                       "del Makefile ni script de shell la ejecuta"), idle[0], idle[1])
        return
    yield failed(T("no promotion quality gate (a script or CI step comparing candidate "
                   "metrics to thresholds or to the current model before promoting)",
                   "no hay puerta de calidad de promoción (un script o paso de CI que compare "
                   "las métricas del candidato con umbrales o con el modelo actual antes de "
                   "promover)"))
