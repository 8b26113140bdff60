"""What a project records with each experiment tracker other than MLflow's own API, and
the MLflow runs that frameworks open (:func:`other_trackers`, computed once per project).

The trackers are described as data in :mod:`mlops_lint.readers.tracker_specs`; calls are
recognised through their resolved import, in the project's library and script code.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Mapping
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.tracker_logs import logs_configuration
from mlops_lint.readers.tracker_specs import (
    AUTO_NAMED,
    INTEGRATION_KEYWORDS,
    INTEGRATIONS,
    LIGHTNING_ROOTS,
    REPORT_TO,
    TRACKERS,
    TrackerSpec,
    Tracking,
)
from mlops_lint.readers.training import (
    config_errors,
    config_mappings,
    declared,
    every_call,
    is_ignored,
    last,
    method,
    nodes_of,
    parents,
    read_text,
    read_yaml,
    receiver,
    source_files,
    string_constants,
    target_key,
)


def _truthy(node: ast.expr) -> bool:
    value = literal(node)
    if isinstance(node, ast.Constant):
        return bool(value)
    if isinstance(node, ast.List | ast.Tuple | ast.Dict | ast.Set):
        return bool(value) if value is not None else True
    return True  # a name or an expression: set from the configuration


def _bound_names(index: PythonIndex, runs: frozenset[str]) -> set[str]:
    """Names bound to a run: ``run = wandb.init()``, ``with Live() as live``."""
    out: set[str] = set()
    for node in nodes_of(index, ast.Assign):
        value = node.value
        if isinstance(value, ast.Call) and (index.qualname(value.func) or "") in runs:
            out.update(k for k in (target_key(t) for t in node.targets) if k)
    for item in nodes_of(index, ast.withitem):
        expr = item.context_expr
        if isinstance(expr, ast.Call) and (index.qualname(expr.func) or "") in runs and \
                item.optional_vars is not None:
            key = target_key(item.optional_vars)
            if key:
                out.add(key)
    return out


def _keywords(tracking: Tracking, path: str, call: ast.Call, mapping: Mapping[str, str]) -> None:
    for keyword in call.keywords:
        key = mapping.get(keyword.arg or "")
        if key and _truthy(keyword.value):
            tracking.add(key, path, call.lineno, keyword.arg or "")


def _run_call(spec: TrackerSpec, tracking: Tracking, path: str, qual: str,
              call: ast.Call) -> None:
    """A call that opens a run: what it records on its own and through its keywords."""
    tracking.add("run", path, call.lineno, qual)
    for key in spec.implied:
        tracking.add(key, path, call.lineno, qual)
    _keywords(tracking, path, call, spec.keywords)
    if spec.key == "dvclive" and call.args:
        tracking.add("uri", path, call.lineno, "dir")


def _scan_call(spec: TrackerSpec, tracking: Tracking, path: str, bound: set[str], qual: str,
               call: ast.Call) -> None:
    name = method(call) or last(qual)
    obj = receiver(call)
    if qual in spec.runs:
        _run_call(spec, tracking, path, qual, call)
    for key in spec.calls.get(qual, ()):
        tracking.add(key, path, call.lineno, qual)
    keys = spec.methods.get(name or "", ())
    if not keys and isinstance(obj, ast.Name | ast.Attribute) and target_key(obj) in bound:
        keys = spec.bound.get(name or "", ())
    for key in keys:
        tracking.add(key, path, call.lineno, name or qual)
    if qual in spec.registry or (name in spec.registry and obj is not None):
        tracking.add("registry", path, call.lineno, name or qual)


def _scan_assigned(spec: TrackerSpec, index: PythonIndex, tracking: Tracking) -> None:
    """Assignments to what the tracker records (``wandb.config[...] = v``)."""
    for node in nodes_of(index, ast.Assign):
        for target in node.targets:
            base = target
            while isinstance(base, ast.Subscript):
                base = base.value
            dotted = index.qualname(base) if isinstance(base, ast.Attribute | ast.Name) else None
            attr = base.attr if isinstance(base, ast.Attribute) else None
            for prefix, key in spec.assigned.items():
                if (dotted and (dotted == prefix or dotted.startswith(prefix + "."))) or \
                        (attr and attr == prefix):
                    tracking.add(key, index.path, node.lineno, prefix)


def _scan_spec(spec: TrackerSpec, index: PythonIndex, tracking: Tracking) -> None:
    bound = _bound_names(index, spec.runs)
    for qual, call in every_call(index):
        _scan_call(spec, tracking, index.path, bound, qual, call)
        obj = receiver(call)
        if method(call) in spec.config_logs and isinstance(obj, ast.Name | ast.Attribute) \
                and target_key(obj) in bound and logs_configuration(index, call):
            tracking.add("params", index.path, call.lineno, method(call) or qual)
    _scan_assigned(spec, index, tracking)
    if spec.key == "neptune":
        _neptune_fields(index, tracking)


NEPTUNE_PARAM_WORDS = lazy_re.compile(r"param|config|hyper|args", re.IGNORECASE)


def _neptune_fields(index: PythonIndex, tracking: Tracking) -> None:
    """``run["parameters"] = ...``, ``run["train/loss"].append(v)``, ``run["model"].upload()``."""
    for node in nodes_of(index, ast.Subscript):
        field_name = literal(node.slice)
        if not isinstance(field_name, str):
            continue
        parent = parents(index).get(node)
        if isinstance(parent, ast.Assign) and node in parent.targets:
            key = "tags" if field_name == "sys/tags" else "run_name" if \
                field_name == "sys/name" else "params" if NEPTUNE_PARAM_WORDS.search(
                    field_name) else "metrics"
            tracking.add(key, index.path, node.lineno, field_name)
        elif isinstance(parent, ast.Attribute):
            key = {"append": "metrics", "log": "metrics", "extend": "metrics",
                   "upload": "artifacts", "upload_files": "artifacts",
                   "track_files": "artifacts", "add": "tags"}.get(parent.attr, "")
            if key:
                tracking.add(key, index.path, node.lineno, f"{field_name}.{parent.attr}")


def _integration(index: PythonIndex, qual: str, call: ast.Call,
                 trackings: dict[str, Tracking]) -> None:
    """A framework logger or callback (``WandbLogger``, ``MLflowLoggerCallback``) or a
    Hugging Face ``report_to=``: the framework opens the run and records params/metrics."""
    tracker = INTEGRATIONS.get(last(qual)) if qual.count(".") >= 1 else None
    keys: tuple[str, ...] = ("run", "params", "metrics")
    if tracker is None:
        report = call_arg(call, "report_to")
        value = literal(report)
        names = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        for item in names:
            if isinstance(item, str) and item in REPORT_TO:
                _integration_hit(trackings, REPORT_TO[item], index.path, call, "report_to",
                                 keys)
        return
    _integration_hit(trackings, tracker, index.path, call, last(qual), keys)


def _integration_hit(trackings: dict[str, Tracking], tracker: str, path: str, call: ast.Call,
                     via: str, keys: tuple[str, ...]) -> None:
    tracking = trackings[tracker]
    if via not in tracking.via:
        tracking.via.append(via)
    for key in keys:
        tracking.add(key, path, call.lineno, via)
    _keywords(tracking, path, call, INTEGRATION_KEYWORDS)
    if via in AUTO_NAMED:
        tracking.add("run_name", path, call.lineno, via)


def _config_integrations(ctx: Context, trackings: dict[str, Tracking]) -> None:
    """Loggers and callbacks named in configuration files (Hydra ``_target_:``)."""
    for path, target, body in config_mappings(ctx):
        tracker = INTEGRATIONS.get(last(target))
        if tracker is None:
            continue
        tracking = trackings[tracker]
        via = last(target)
        if via not in tracking.via:
            tracking.via.append(via)
        for key in ("run", "params", "metrics"):
            tracking.add(key, path, 0, via)
        if via in AUTO_NAMED:
            tracking.add("run_name", path, 0, via)
        for option, value in body.items():
            setting = INTEGRATION_KEYWORDS.get(str(option))
            if setting and value not in (None, False, "", [], {}):
                tracking.add(setting, path, 0, str(option))


# where a project documents or automates how its experiments are run
EXP_RUN_FILES = ("README*", "docs/*.md", "docs/**/*.md", "Makefile", "*.sh", "scripts/*.sh",
                 ".github/workflows/*.y*ml", ".gitlab-ci.yml", "Jenkinsfile",
                 "azure-pipelines.y*ml", ".circleci/config.y*ml")


def _runs_dvc_experiments(ctx: Context, errors: list[ParseError]) -> str | None:
    """The first file that runs ``dvc exp run`` (or ``dvc exp run-all``): DVC names every
    experiment it runs itself."""
    for path in ctx.files(EXP_RUN_FILES, case_sensitive=False):
        text = read_text(ctx, path, errors)
        if text is not None and "dvc exp run" in text:
            return path
    return None


def _dvc_records(ctx: Context, path: str, data: dict[str, Any],
                 stage_list: list[dict[str, Any]], tracking: Tracking) -> None:
    """What a DVC pipeline records: parameters, metrics and plots (as artefacts)."""
    if any(s.get("params") for s in stage_list) or ctx.first("params.yaml"):
        tracking.add("params", path, 0, "params")
    if data.get("metrics") or any(s.get("metrics") for s in stage_list):
        tracking.add("metrics", path, 0, "metrics")
    if data.get("plots") or any(s.get("plots") for s in stage_list):
        tracking.add("artifacts", path, 0, "plots")


def _dvc_pipeline(ctx: Context, tracking: Tracking, errors: list[ParseError]) -> None:
    """A DVC pipeline records each experiment's parameters (params.yaml), metrics and plots,
    with the git commit and the data versions (dvc.lock) of the run; ``dvc exp run`` names
    each experiment. Without DVCLive in the code or the dependencies the tracker is named
    plain DVC."""
    path = ctx.first("dvc.yaml")
    if path is None:
        return
    data = read_yaml(ctx, path, errors)
    if not isinstance(data, dict):
        return
    uses_dvclive = bool(tracking.found) or declared(ctx, "dvclive") is not None
    stages = data.get("stages")
    stage_list = [s for s in stages.values() if isinstance(s, dict)] \
        if isinstance(stages, dict) else []
    _dvc_records(ctx, path, data, stage_list, tracking)
    if stage_list and ("params" in tracking.found or "metrics" in tracking.found):
        tracking.add("run", path, 0, "dvc.yaml")
        tracking.add("tags", path, 0, "dvc.lock")
        runner = _runs_dvc_experiments(ctx, errors)
        if runner is not None:
            tracking.add("run_name", runner, 0, "dvc exp run")
        if not uses_dvclive:
            tracking.name = "DVC (dvc.yaml)"
    if ctx.repo.exists(".dvc/config"):
        tracking.add("uri", ".dvc/config", 0, "dvc")


def _env_keys(ctx: Context, names: Mapping[str, str], tracking: Tracking,
              errors: list[ParseError]) -> None:
    """Tracker settings given as environment variables (code, .env templates, CI, compose,
    Makefile)."""
    wanted = {n: k for n, k in names.items() if k not in tracking.found}
    if not wanted:
        return
    for index in source_files(ctx).indexes:
        for constant, line in string_constants(index):
            if constant in wanted:
                tracking.add(wanted[constant], index.path, line, constant)
    for path in ctx.files([".env.example", ".env.sample", ".env.template", ".env.dist",
                           *COMPOSE_FILES, "Makefile",
                           ".github/workflows/*.y*ml"]):
        text = read_text(ctx, path, errors)
        if text is not None:
            for name, key in wanted.items():
                if name + "=" in text or name + ":" in text:
                    tracking.add(key, path, 0, name)


def _lightning_logs(index: PythonIndex, logged: dict[str, bool]) -> None:
    """What a Lightning module logs: parameters (``save_hyperparameters``) and metrics
    (``self.log``)."""
    for _, call in every_call(index):
        name = method(call)
        obj = receiver(call)
        if name in ("save_hyperparameters", "log_hyperparams"):
            logged["params"] = True
        elif name in ("log", "log_dict") and isinstance(obj, ast.Name) and \
                obj.id == "self":
            logged["metrics"] = True


def _scan_index(index: PythonIndex, trackings: dict[str, Tracking],
                lightning_logged: dict[str, bool]) -> None:
    """One source file: the trackers it imports, the framework integrations it calls."""
    for spec in TRACKERS:
        if any(index.imports(root) for root in spec.roots):
            _scan_spec(spec, index, trackings[spec.key])
    for qual, call in index.calls:
        if last(qual) in INTEGRATIONS or call_arg(call, "report_to") is not None:
            _integration(index, qual, call, trackings)
    if any(index.imports(root) for root in LIGHTNING_ROOTS):
        _lightning_logs(index, lightning_logged)


def _settings(ctx: Context, spec: TrackerSpec, tracking: Tracking,
              errors: list[ParseError]) -> None:
    """The tracker's environment variables, and its local run directory ignored."""
    _env_keys(ctx, spec.env, tracking, errors)
    if spec.ignore_dir is None:
        tracking.not_applicable.add("ignored")
    elif tracking.found and is_ignored(ctx, spec.ignore_dir, is_dir=True):
        tracking.add("ignored", ".gitignore", 0, spec.ignore_dir)


def other_trackers(ctx: Context) -> dict[str, Tracking]:
    """What the project records with each tracker other than MLflow's own API, and the
    MLflow runs that frameworks open (key ``mlflow``); computed once per project."""
    memo_key = f"phase3:trackers:{ctx.project.path}"
    cached = ctx.repo.memo.get(memo_key)
    if cached is not None:
        result: dict[str, Tracking] = cached
        return result
    trackings = {spec.key: Tracking(spec.key, spec.name) for spec in TRACKERS}
    trackings["mlflow"] = Tracking("mlflow", "MLflow")
    lightning_logged = {"params": False, "metrics": False}
    for index in source_files(ctx).indexes:
        _scan_index(index, trackings, lightning_logged)
    errors = list(config_errors(ctx))
    _config_integrations(ctx, trackings)
    _dvc_pipeline(ctx, trackings["dvclive"], errors)
    for spec in TRACKERS:
        _settings(ctx, spec, trackings[spec.key], errors)
    _lightning_evidence(trackings, lightning_logged)
    result = {k: v for k, v in trackings.items() if v.found}
    ctx.repo.memo[memo_key] = result
    ctx.repo.memo[memo_key + ":errors"] = errors
    return result


def tracker_errors(ctx: Context) -> list[ParseError]:
    """Files :func:`other_trackers` could not read."""
    other_trackers(ctx)
    errors: list[ParseError] = ctx.repo.memo.get(f"phase3:trackers:{ctx.project.path}:errors",
                                                  [])
    return errors


def _lightning_evidence(trackings: dict[str, Tracking], logged: dict[str, bool]) -> None:
    """A Lightning logger records what the module logs: metrics through ``self.log`` and
    parameters through ``save_hyperparameters``; without them it records neither."""
    lightning = {"WandbLogger", "MLFlowLogger", "NeptuneLogger", "CometLogger",
                 "DVCLiveLogger"}
    for tracking in trackings.values():
        if tracking.via and set(tracking.via) <= lightning:
            for key in ("params", "metrics"):
                hit = tracking.found.get(key)
                if hit is not None and hit.text in lightning and not logged[key]:
                    del tracking.found[key]
