"""What a project records with MLflow (its API, autolog, an ``MLproject`` file or a
framework callback) and every tracker it uses judged against the three levels of MLF001
(:func:`tracking_verdicts`). Shared by the tracking rules and ML007 (metrics logged to a
tracker).

Calls are recognised through their resolved import (``import mlflow as mf`` then
``mf.start_run`` is ``mlflow.start_run``; ``from mlflow import log_metric`` too).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass

from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.makefile import parse_makefile
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.tracker_specs import INTEGRATIONS, SPECS, Hit, Tracking, key_label
from mlops_lint.readers.trackers import other_trackers, tracker_errors
from mlops_lint.readers.training import (
    CONFIG_YAML,
    is_ignored,
    last,
    locations,
    nodes_of,
    read_yaml,
    source_files,
    string_constants,
)


def mlflow_calls(index: PythonIndex) -> Iterator[tuple[str, ast.Call]]:
    for qual, call in index.calls:
        if qual == "mlflow" or qual.startswith("mlflow."):
            yield qual, call


PARAM_CALLS = frozenset({"log_param", "log_params"})


METRIC_CALLS = frozenset({"log_metric", "log_metrics"})


# mlflow.<flavor>.log_model (mlflow.sklearn, mlflow.pytorch, ...) logs the model artifact
ARTIFACT_CALLS = frozenset({"log_artifact", "log_artifacts", "log_dict", "log_figure",
                            "log_text", "log_image", "log_table", "log_model"})


TAG_CALLS = frozenset({"set_tag", "set_tags"})


URI_KEYS = frozenset({"mlflow_tracking_uri", "tracking_uri"})


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
    for path in ctx.files([*CONFIG_YAML, *COMPOSE_FILES,
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


TRACKING_API = frozenset({"start_run", "end_run", "create_run", "autolog", "set_experiment",
                          "create_experiment", "set_tracking_uri", "set_tag", "set_tags",
                          "MlflowClient", "register_model", "evaluate"})


def _tracks(index: PythonIndex) -> bool:
    """The module uses MLflow's tracking API (runs, logging, autolog, the client), not
    only its model loading or types."""
    for qual, _ in mlflow_calls(index):
        name = last(qual)
        if name in TRACKING_API or name.startswith("log_") or name.endswith("autolog"):
            return True
    return False


def _tracking_hits(ctx: Context, found: dict[str, Hit]) -> list[tuple[str, int]]:
    """Fill ``found`` with what the project code does with MLflow; the bare start_runs."""
    bare_runs: list[tuple[str, int]] = []
    for index in source_files(ctx).indexes:
        text = ctx.repo.text(index.path)
        if isinstance(text, str) and "MLFLOW_TRACKING_URI" in text:
            for constant, line in string_constants(index):
                if constant == "MLFLOW_TRACKING_URI":
                    found.setdefault("uri", Hit(index.path, line, "env"))
        if not index.imports("mlflow") or not _tracks(index):
            continue  # mlflow.pyfunc.load_model or mlflow.types alone serve, not track
        found.setdefault("import", Hit(index.path, 1, ""))
        with_runs = _with_runs(index, found)
        for qual, call in mlflow_calls(index):
            name = last(qual)
            if name == "start_run" and id(call) not in with_runs:
                bare_runs.append((index.path, call.lineno))
            for key in CALL_KEYS.get(name, ()):
                found.setdefault(key, Hit(index.path, call.lineno, qual))
            if name == "autolog":
                found.setdefault("autolog", Hit(index.path, call.lineno, qual))
                if literal(call_arg(call, "log_models")) is not False:
                    found.setdefault("artifacts", Hit(index.path, call.lineno, qual))
    return bare_runs


def _mlproject(ctx: Context, found: dict[str, Hit], errors: list[ParseError]) -> None:
    """An ``MLproject`` file: runs launched by ``mlflow run`` with declared parameters."""
    path = ctx.first("MLproject", "MLproject.yaml", "MLproject.yml")
    if path is None:
        return
    data = read_yaml(ctx, path, errors)
    found.setdefault("import", Hit(path, 0, "MLproject"))
    found.setdefault("with", Hit(path, 0, "MLproject"))
    entries = data.get("entry_points") if isinstance(data, dict) else None
    if isinstance(entries, dict) and any(isinstance(e, dict) and e.get("parameters")
                                         for e in entries.values()):
        found.setdefault("params", Hit(path, 0, "MLproject"))


def mlflow_evidence(ctx: Context) -> tuple[dict[str, Hit], list[tuple[str, int]],
                                           list[ParseError]]:
    """What the project records with MLflow (its API, autolog, an ``MLproject`` file or a
    framework callback such as Ray's ``MLflowLoggerCallback`` or Lightning's
    ``MLFlowLogger``), the bare ``start_run`` calls, and unreadable files."""
    found: dict[str, Hit] = {}
    bare_runs = _tracking_hits(ctx, found)
    errors: list[ParseError] = list(tracker_errors(ctx))
    autolog = found.get("autolog")
    if autolog is not None and "with" not in found and not bare_runs:
        found["with"] = autolog  # autolog opens and closes its own runs
    _mlproject(ctx, found, errors)
    framework = other_trackers(ctx).get("mlflow")
    if framework is not None:
        for key, hit in framework.found.items():
            name = {"run": "with", "ignored": "mlruns"}.get(key, key)
            found.setdefault(name, hit)
        found.setdefault("import", framework.found.get("run") or Hit("", 0, ""))
    if found and "uri" not in found:
        where, uri_errors = _tracking_uri_config(ctx)
        errors += uri_errors
        if where:
            found["uri"] = Hit(where, 0, "config")
    store = next((d for d in ("mlruns", "mlflow", "mlartifacts")
                  if found and is_ignored(ctx, d, is_dir=True)), None)
    if store:
        found["mlruns"] = Hit(".gitignore", 0, store)
    return found, bare_runs, errors


@dataclass
class Verdict:
    """One tracker judged against the three levels."""

    name: str
    anchor: Hit
    missing: dict[int, list[T]]
    done: dict[int, list[T]]
    via: list[str]

    @property
    def reached(self) -> int:
        level = 0
        for lvl in (1, 2, 3):
            if self.missing[lvl]:
                break
            level = lvl
        return level

    @property
    def count(self) -> int:
        return sum(len(v) for v in self.done.values())


MANAGED_KEYS = {"with": "run", "mlruns": "ignored"}


def _mlflow_labels(found: dict[str, Hit], level: int) -> list[tuple[str, T]]:
    """The MLflow wants of ``level``: the API's own words when the code opens runs with
    ``mlflow.start_run``, neutral words when autolog, an MLproject file or a framework
    callback opens them (a `with` block is then not the project's to write)."""
    run = found.get("with")
    if run is None or not run.text:
        return TRACKING_WANTS[level]
    return [(key, key_label(MANAGED_KEYS.get(key, key), None))
            for key, _ in TRACKING_WANTS[level]]


def _mlflow_verdict(found: dict[str, Hit], bare_runs: list[tuple[str, int]]) -> Verdict:
    missing: dict[int, list[T]] = {}
    done: dict[int, list[T]] = {}
    for level in (1, 2, 3):
        wants = _mlflow_labels(found, level)
        missing[level] = [label for key, label in wants if key not in found]
        done[level] = [label for key, label in wants if key in found]
        if level == 1 and bare_runs and "with" not in found:
            missing[1].append(T(f"(start_run without `with` at {locations(bare_runs)} leaves "
                                "the run open when training fails)",
                                f"(start_run sin `with` en {locations(bare_runs)} deja el run "
                                "abierto si el entrenamiento falla)"))
    anchor = found.get("with") or found["import"]
    via = sorted({h.text for h in found.values() if h.text in INTEGRATIONS or
                  h.text in ("report_to", "MLproject")})
    return Verdict("MLflow", anchor, missing, done, via)


GENERIC_WANTS: dict[int, tuple[str, ...]] = {1: ("run", "params", "metrics"),
                                              2: ("artifacts", "uri", "ignored"),
                                              3: ("tags", "run_name")}


def _generic_verdict(tracking: Tracking) -> Verdict:
    spec = SPECS[tracking.spec_key]
    missing: dict[int, list[T]] = {}
    done: dict[int, list[T]] = {}
    for level, keys in GENERIC_WANTS.items():
        wanted = [k for k in keys if k not in tracking.not_applicable]
        missing[level] = [key_label(k, spec) for k in wanted if k not in tracking.found]
        done[level] = [key_label(k, spec) for k in wanted if k in tracking.found]
    anchor = tracking.anchor or Hit("", 0, "")
    return Verdict(tracking.name, anchor, missing, done, tracking.via)


def tracking_verdicts(ctx: Context) -> tuple[list[Verdict], list[ParseError]]:
    """Every tracker the project uses, best first (most levels reached, then most
    practices)."""
    found, bare_runs, errors = mlflow_evidence(ctx)
    verdicts = [_mlflow_verdict(found, bare_runs)] if "import" in found else []
    verdicts += [_generic_verdict(t) for k, t in other_trackers(ctx).items()
                 if k != "mlflow" and "run" in t.found]
    verdicts.sort(key=lambda v: (-v.reached, -v.count, v.name != "MLflow"))
    return verdicts, errors
