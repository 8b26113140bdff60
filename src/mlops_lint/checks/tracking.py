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
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import ci_commands
from mlops_lint.parsers.makefile import parse_makefile
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal
from mlops_lint.readers.training import (
    CHECKPOINT_CLASSES,
    CONFIG_YAML,
    FUNCTION_NODES,
    ancestors,
    assignments,
    ci_read_errors,
    config_errors,
    config_mappings,
    config_targets,
    every_call,
    framework_save,
    is_ignored,
    last,
    locations,
    method,
    no_training,
    nodes_of,
    parents,
    parse_skip,
    project_name,
    read_text,
    read_yaml,
    receiver,
    scope_of,
    scope_walk,
    short,
    skips,
    source_files,
    string_constants,
    target_key,
    training,
    training_errors,
)
from mlops_lint.rules import check

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
    r"score|scores|threshold|thresholds|baseline|champion|challenger|candidate|previous|"
    r"reference|production|prod|best|"
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


# -- trackers other than MLflow ------------------------------------------------------------
# The guide tracks with MLflow; a project that tracks its runs with another well-known
# tracker earns the same credit. Each tracker is described as data: the calls that open a
# run, and what the calls, methods and keywords around it record.

KeyMap = Mapping[str, tuple[str, ...]]


@dataclass(frozen=True)
class TrackerSpec:
    key: str
    name: str
    roots: tuple[str, ...]  # import roots
    runs: frozenset[str]  # resolved calls that open a run (or configure automatic logging)
    calls: KeyMap = field(default_factory=dict)  # resolved call -> what it records
    methods: KeyMap = field(default_factory=dict)  # distinctive methods, in a file importing it
    bound: KeyMap = field(default_factory=dict)  # methods of a name bound to a run
    keywords: Mapping[str, str] = field(default_factory=dict)  # keyword of a run call -> key
    assigned: Mapping[str, str] = field(default_factory=dict)  # ``x.summary[...] = v`` -> key
    env: Mapping[str, str] = field(default_factory=dict)  # environment variable -> key
    ignore_dir: str | None = None  # local run directory that belongs in .gitignore
    implied: tuple[str, ...] = ()  # what a run call records on its own (automatic logging)
    registry: frozenset[str] = frozenset()  # resolved calls or methods registering a model


P_, M_, A_, T_, N_, U_ = ("params",), ("metrics",), ("artifacts",), ("tags",), \
    ("run_name",), ("uri",)
TRACKERS: tuple[TrackerSpec, ...] = (
    TrackerSpec(
        "wandb", "Weights & Biases", ("wandb",), frozenset({"wandb.init"}),
        calls={"wandb.log": M_, "wandb.config.update": P_, "wandb.save": A_,
               "wandb.Artifact": A_, "wandb.log_artifact": A_, "wandb.log_model": A_,
               "wandb.summary.update": M_, "wandb.run.log": M_},
        bound={"log": M_, "log_artifact": A_, "log_model": A_, "log_code": A_, "save": A_},
        keywords={"config": "params", "project": "uri", "entity": "uri", "tags": "tags",
                  "name": "run_name"},
        assigned={"wandb.config": "params", "wandb.summary": "metrics",
                  "wandb.run.name": "run_name", "wandb.run.tags": "tags"},
        env={"WANDB_PROJECT": "uri", "WANDB_ENTITY": "uri", "WANDB_TAGS": "tags",
             "WANDB_NAME": "run_name", "WANDB_LOG_MODEL": "artifacts"},
        ignore_dir="wandb",
        registry=frozenset({"log_model", "link_model", "link_artifact", "wandb.log_model"})),
    TrackerSpec(
        "dvclive", "DVC (DVCLive)", ("dvclive",), frozenset({"dvclive.Live"}),
        methods={"log_metric": M_, "log_param": P_, "log_params": P_, "log_artifact": A_,
                 "log_image": A_, "log_plot": A_, "log_sklearn_plot": A_},
        keywords={"dir": "uri", "exp_name": "run_name"}, assigned={"summary": "metrics"},
        registry=frozenset()),
    TrackerSpec(
        "neptune", "Neptune", ("neptune",),
        frozenset({"neptune.init_run", "neptune.init", "neptune.new.init",
                   "neptune.new.init_run"}),
        keywords={"project": "uri", "name": "run_name", "tags": "tags"},
        env={"NEPTUNE_PROJECT": "uri"}, ignore_dir=".neptune",
        registry=frozenset({"neptune.init_model", "neptune.init_model_version"})),
    TrackerSpec(
        "comet", "Comet", ("comet_ml",),
        frozenset({"comet_ml.Experiment", "comet_ml.start", "comet_ml.OfflineExperiment",
                   "comet_ml.ExistingExperiment"}),
        methods={"log_parameter": P_, "log_parameters": P_, "log_metric": M_,
                 "log_metrics": M_, "log_model": A_, "log_asset": A_, "log_artifact": A_,
                 "log_figure": A_, "add_tag": T_, "add_tags": T_, "set_name": N_},
        keywords={"project_name": "uri", "workspace": "uri", "project": "uri"},
        env={"COMET_PROJECT_NAME": "uri", "COMET_WORKSPACE": "uri"},
        registry=frozenset({"register_model"})),
    TrackerSpec(
        "clearml", "ClearML", ("clearml",), frozenset({"clearml.Task.init"}),
        methods={"connect": P_, "connect_configuration": P_, "report_scalar": M_,
                 "report_single_value": M_, "upload_artifact": A_, "update_output_model": A_,
                 "add_tags": T_, "set_name": N_},
        keywords={"project_name": "uri", "task_name": "run_name", "tags": "tags"},
        implied=("params", "metrics"),
        registry=frozenset({"clearml.OutputModel", "update_output_model"})),
    TrackerSpec(
        "azureml", "Azure ML", ("azureml", "azure.ai.ml"),
        frozenset({"azureml.core.Run.get_context", "azureml.core.run.Run.get_context",
                   "azureml.core.Experiment.submit", "azure.ai.ml.command",
                   "azureml.core.ScriptRunConfig"}),
        calls={"azureml.core.Workspace.from_config": U_, "azureml.core.Workspace": U_,
               "azure.ai.ml.MLClient": U_, "azure.ai.ml.MLClient.from_config": U_},
        bound={"log": M_, "log_list": M_, "log_row": M_, "log_table": M_, "log_image": A_,
               "upload_file": A_, "upload_folder": A_, "tag": T_, "set_tags": T_},
        keywords={"arguments": "params", "inputs": "params", "display_name": "run_name",
                  "tags": "tags"},
        registry=frozenset({"azureml.core.Model.register", "azureml.core.model.Model.register",
                            "register_model"})),
    TrackerSpec(
        "sagemaker", "SageMaker", ("sagemaker",),
        frozenset({"sagemaker.experiments.Run", "sagemaker.experiments.run.Run",
                   "sagemaker.experiments.load_run", "sagemaker.experiments.run.load_run"}),
        methods={"log_parameter": P_, "log_parameters": P_, "log_metric": M_,
                 "log_file": A_, "log_artifact": A_, "log_confusion_matrix": M_,
                 "log_roc_curve": M_, "log_precision_recall": M_},
        keywords={"experiment_name": "uri", "run_name": "run_name", "hyperparameters": "params",
                  "metric_definitions": "metrics", "tags": "tags", "base_job_name": "run_name"},
        registry=frozenset({"sagemaker.workflow.step_collections.RegisterModel",
                            "create_model_package", "create_model_package_group"})),
)
SPECS = {spec.key: spec for spec in TRACKERS}
# framework integrations: the framework opens the run and logs parameters and metrics
INTEGRATIONS: dict[str, str] = {
    "WandbLogger": "wandb", "WandbCallback": "wandb", "WandbMetricsLogger": "wandb",
    "WandbLoggerCallback": "wandb", "WandbModelCheckpoint": "wandb",
    "MLFlowLogger": "mlflow", "MLflowLogger": "mlflow", "MLflowLoggerCallback": "mlflow",
    "MLflowCallback": "mlflow", "setup_mlflow": "mlflow",
    "NeptuneLogger": "neptune", "NeptuneCallback": "neptune",
    "CometLogger": "comet", "CometCallback": "comet", "CometLoggerCallback": "comet",
    "DVCLiveLogger": "dvclive", "DVCLiveCallback": "dvclive", "DvcLiveCallback": "dvclive",
}
# integrations that name every run themselves: Ray Tune's logger callbacks name each run
# after its trial, Lightning's MLFlowLogger and Hugging Face's callbacks (report_to=) pass
# a run name (the trainer's run_name, by default its output directory)
AUTO_NAMED = frozenset({"MLflowLoggerCallback", "WandbLoggerCallback", "CometLoggerCallback",
                        "MLFlowLogger", "MLflowLogger", "MLflowCallback", "WandbCallback",
                        "CometCallback", "report_to"})
INTEGRATION_KEYWORDS = {"tracking_uri": "uri", "project": "uri", "project_name": "uri",
                        "save_dir": "uri", "log_model": "artifacts", "save_artifact": "artifacts",
                        "tags": "tags", "run_name": "run_name", "name": "run_name",
                        "experiment_name": "uri"}
REPORT_TO = {"wandb": "wandb", "mlflow": "mlflow", "comet_ml": "comet", "neptune": "neptune",
             "clearml": "clearml", "dvclive": "dvclive", "azure_ml": "azureml"}
LIGHTNING_ROOTS = ("lightning", "pytorch_lightning")
GENERIC_WANTS: dict[int, tuple[str, ...]] = {1: ("run", "params", "metrics"),
                                              2: ("artifacts", "uri", "ignored"),
                                              3: ("tags", "run_name")}


def _key_label(key: str, spec: TrackerSpec | None) -> T:
    ignore = spec.ignore_dir if spec else "mlruns"
    return {
        "run": T("a run", "un run"), "params": T("logged parameters", "parámetros registrados"),
        "metrics": T("logged metrics", "métricas registradas"),
        "artifacts": T("logged artifacts (model, plots)",
                       "artefactos registrados (modelo, gráficos)"),
        "uri": T("an explicit project or tracking location",
                 "un proyecto o destino de seguimiento explícito"),
        "ignored": T(f"{ignore}/ in .gitignore", f"{ignore}/ en .gitignore"),
        "tags": T("tags (git commit, data version)", "tags (commit de git, versión de datos)"),
        "run_name": T("a run name", "un nombre de run"),
    }[key]


@dataclass
class Tracking:
    """What the project records with one tracker."""

    spec_key: str
    name: str
    found: dict[str, Hit] = field(default_factory=dict)
    via: list[str] = field(default_factory=list)  # integrations seen (WandbLogger, ...)
    not_applicable: set[str] = field(default_factory=set)

    def add(self, key: str, path: str, line: int, text: str = "") -> None:
        self.found.setdefault(key, Hit(path, line, text))

    @property
    def anchor(self) -> Hit | None:
        return self.found.get("run") or next(iter(self.found.values()), None)


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


def _scan_spec(spec: TrackerSpec, index: PythonIndex, tracking: Tracking) -> None:
    path = index.path
    bound = _bound_names(index, spec.runs)
    for qual, call in every_call(index):
        name = method(call) or last(qual)
        obj = receiver(call)
        if qual in spec.runs:
            tracking.add("run", path, call.lineno, qual)
            for key in spec.implied:
                tracking.add(key, path, call.lineno, qual)
            _keywords(tracking, path, call, spec.keywords)
            if spec.key == "dvclive" and call.args:
                tracking.add("uri", path, call.lineno, "dir")
        for key in spec.calls.get(qual, ()):
            tracking.add(key, path, call.lineno, qual)
        keys = spec.methods.get(name or "", ())
        if not keys and isinstance(obj, ast.Name | ast.Attribute) and target_key(obj) in bound:
            keys = spec.bound.get(name or "", ())
        for key in keys:
            tracking.add(key, path, call.lineno, name or qual)
        if qual in spec.registry or (name in spec.registry and obj is not None):
            tracking.add("registry", path, call.lineno, name or qual)
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
                    tracking.add(key, path, node.lineno, prefix)
    if spec.key == "neptune":
        _neptune_fields(index, tracking)


NEPTUNE_PARAM_WORDS = re.compile(r"param|config|hyper|args", re.IGNORECASE)


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


def _dvc_pipeline(ctx: Context, tracking: Tracking, errors: list[ParseError]) -> None:
    """A DVC pipeline records each experiment's parameters (params.yaml), metrics and plots,
    with the git commit and the data versions (dvc.lock) of the run."""
    path = ctx.first("dvc.yaml")
    if path is None:
        return
    data = read_yaml(ctx, path, errors)
    if not isinstance(data, dict):
        return
    stages = data.get("stages")
    stage_list = [s for s in stages.values() if isinstance(s, dict)] \
        if isinstance(stages, dict) else []
    if any(s.get("params") for s in stage_list) or ctx.first("params.yaml"):
        tracking.add("params", path, 0, "params")
    if data.get("metrics") or any(s.get("metrics") for s in stage_list):
        tracking.add("metrics", path, 0, "metrics")
    if data.get("plots") or any(s.get("plots") for s in stage_list):
        tracking.add("artifacts", path, 0, "plots")
    if stage_list and ("params" in tracking.found or "metrics" in tracking.found):
        tracking.add("run", path, 0, "dvc.yaml")
        tracking.add("tags", path, 0, "dvc.lock")
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
                           "docker-compose*.y*ml", "compose*.y*ml", "Makefile",
                           ".github/workflows/*.y*ml"]):
        text = read_text(ctx, path, errors)
        if text is not None:
            for name, key in wanted.items():
                if name + "=" in text or name + ":" in text:
                    tracking.add(key, path, 0, name)


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
        for spec in TRACKERS:
            if any(index.imports(root) for root in spec.roots):
                _scan_spec(spec, index, trackings[spec.key])
        for qual, call in index.calls:
            if last(qual) in INTEGRATIONS or call_arg(call, "report_to") is not None:
                _integration(index, qual, call, trackings)
        if any(index.imports(root) for root in LIGHTNING_ROOTS):
            for _, call in every_call(index):
                name = method(call)
                obj = receiver(call)
                if name in ("save_hyperparameters", "log_hyperparams"):
                    lightning_logged["params"] = True
                elif name in ("log", "log_dict") and isinstance(obj, ast.Name) and \
                        obj.id == "self":
                    lightning_logged["metrics"] = True
    errors = list(config_errors(ctx))
    _config_integrations(ctx, trackings)
    _dvc_pipeline(ctx, trackings["dvclive"], errors)
    for spec in TRACKERS:
        _env_keys(ctx, spec.env, trackings[spec.key], errors)
        if spec.ignore_dir is None:
            trackings[spec.key].not_applicable.add("ignored")
        elif trackings[spec.key].found and is_ignored(ctx, spec.ignore_dir, is_dir=True):
            trackings[spec.key].add("ignored", ".gitignore", 0, spec.ignore_dir)
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


TRACKING_API = frozenset({"start_run", "end_run", "create_run", "autolog", "set_experiment",
                          "create_experiment", "set_tracking_uri", "set_tag", "set_tags",
                          "MlflowClient", "register_model", "evaluate"})


def _tracks(index: PythonIndex) -> bool:
    """The module uses MLflow's tracking API (runs, logging, autolog, the client), not
    only its model loading or types."""
    for qual, _ in _mlflow_calls(index):
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
        for qual, call in _mlflow_calls(index):
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
    return [(key, _key_label(MANAGED_KEYS.get(key, key), None))
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


def _generic_verdict(tracking: Tracking) -> Verdict:
    spec = SPECS[tracking.spec_key]
    missing: dict[int, list[T]] = {}
    done: dict[int, list[T]] = {}
    for level, keys in GENERIC_WANTS.items():
        wanted = [k for k in keys if k not in tracking.not_applicable]
        missing[level] = [_key_label(k, spec) for k in wanted if k not in tracking.found]
        done[level] = [_key_label(k, spec) for k in wanted if k in tracking.found]
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


@check("mlflow_tracking")
def mlflow_tracking(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF001: runs of an experiment tracker with params and metrics (L1); artifacts, an
    explicit tracking location and the local run directory ignored (L2); tags and run
    names (L3). MLflow (its API, autolog, MLproject, framework callbacks), W&B, DVCLive,
    Neptune, Comet, ClearML, Azure ML and SageMaker count."""
    yield from _errors(ctx)
    verdicts, errors = tracking_verdicts(ctx)
    yield from skips(errors)
    yield from training_errors(ctx)
    untrained = None if verdicts else no_training(
        ctx, T("there are no training runs to track", "no hay entrenamientos que seguir"),
        notebooks_count=True)
    if untrained is not None:
        yield untrained
        return
    if not verdicts:
        for level in (1, 2, 3):
            yield failed(T("no experiment tracking in the project code (MLflow, W&B, DVCLive, "
                           "Neptune, Comet, ClearML, Azure ML or SageMaker runs)",
                           "no hay seguimiento de experimentos en el código del proyecto "
                           "(runs de MLflow, W&B, DVCLive, Neptune, Comet, ClearML, Azure ML o "
                           "SageMaker)"), level=level)
        return
    best = verdicts[0]
    others = [v.name for v in verdicts[1:]]
    via = T(f" (through {', '.join(best.via)})", f" (mediante {', '.join(best.via)})") \
        if best.via else T("", "")
    also = T(f"; also seen: {', '.join(others)}", f"; también: {', '.join(others)}") \
        if others else T("", "")
    path = best.anchor.path or None
    line = best.anchor.line or None
    missing_so_far: list[T] = []
    for level in (1, 2, 3):
        missing_so_far += best.missing[level]
        if missing_so_far:
            yield failed(T(f"{best.name} tracking", f"al seguimiento con {best.name}") + via +
                         T(" lacks: ", " le falta: ") + T.join(missing_so_far, ", ") + also,
                         path, line, level=level)
        else:
            done = T.join([label for lvl in range(1, level + 1) for label in best.done[lvl]],
                          ", ")
            yield passed(T(f"{best.name} tracking", f"el seguimiento con {best.name}") + via +
                         T(" has ", " tiene ") + done + also, path, line, level=level)


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
    mlflow_found, _, errors = mlflow_evidence(ctx)
    yield from skips(errors)
    saved = _model_saves(ctx)
    if not mlflow_found:
        trackers = [v.name for v in tracking_verdicts(ctx)[0]]
        what = T(f"tracking with {', '.join(trackers)}", f"seguimiento con {', '.join(trackers)}") \
            if trackers else T("no MLflow in the project", "sin MLflow en el proyecto")
        if saved:
            where = _at(saved[0][0], saved[0][1])
            what = what + T(f"; the model is saved with {saved[0][2]} at {where}",
                            f"; el modelo se guarda con {saved[0][2]} en {where}")
        yield skipped(T("not applicable: no model is logged as an MLflow model (",
                        "no aplica: ningún modelo se registra como modelo de MLflow (") + what +
                      T("); a signature belongs to MLflow models. Advice: whatever the format, "
                        "validate the serving inputs against a declared schema",
                        "); la signature es propia de los modelos de MLflow. Consejo: sea cual "
                        "sea el formato, valida las entradas del servicio con un esquema "
                        "declarado"))
        return
    if saved:
        path, line, what_saves = saved[0]
        where = _at(path, line)
        yield warned(T(f"MLflow is used, but the model is saved with {what_saves} at {where}, "
                       "not logged as an MLflow model, so it carries no input signature; "
                       "serving must validate its inputs itself",
                       f"se usa MLflow, pero el modelo se guarda con {what_saves} en {where}, "
                       "no como modelo de MLflow, así que no lleva signature de entrada; el "
                       "servicio debe validar sus entradas por su cuenta"), path, line or None)
        return
    yield failed(T("no model is logged with mlflow.<flavor>.log_model",
                   "ningún modelo se registra con mlflow.<flavor>.log_model"))


def _at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def _model_saves(ctx: Context) -> list[tuple[str, int, str]]:
    """How the project code saves its model outside MLflow (joblib, framework saves,
    checkpoints)."""
    out: list[tuple[str, int, str]] = []
    for index in source_files(ctx).indexes:
        for qual, call in every_call(index):
            if qual in ("joblib.dump", "skops.io.dump"):
                out.append((index.path, call.lineno, qual))
                continue
            what = framework_save(index, qual, call)
            if what:
                out.append((index.path, call.lineno, what))
    out.extend((path, 0, last(target)) for path, target in config_targets(ctx)
               if last(target) in CHECKPOINT_CLASSES)
    return out


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


HUB_UPLOADS = frozenset({"upload_folder", "upload_file", "create_commit"})


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


def _other_registry(index: PythonIndex) -> tuple[int, str] | None:
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


def registry_hits(ctx: Context, errors: list[ParseError]) -> list[tuple[str, int, str]]:
    """Every place the project registers a model: ``(path, line, how)``; files that could
    not be read go to ``errors``."""
    out: list[tuple[str, int, str]] = []
    errors.extend(tracker_errors(ctx))
    for index in source_files(ctx).indexes:
        hit = _registry_hit(index) if index.imports("mlflow") else None
        if hit:
            out.append(hit)
        other = _other_registry(index)
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
CONSUMED_MODEL = re.compile(
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


@check("mlflow_registry")
def mlflow_registry(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF003: the model goes to a model registry: MLflow (registered_model_name=,
    register_model, stage transitions or aliases), W&B model artifacts, the Hugging Face
    Hub, Azure ML, SageMaker model packages or DVC's model artifacts."""
    sources = [i for i in source_files(ctx).indexes if i.imports("mlflow")]
    yield from _errors(ctx)
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
        subject = subject + T(f"; the model it uses comes from {how} ({_at(path, line)})",
                              f"; el modelo que usa viene de {how} ({_at(path, line)})")
    yield from training_errors(ctx)
    untrained = None if hits else no_training(ctx, subject, notebooks_count=True)
    if untrained is not None:
        yield untrained
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
    where = _at(path, line)
    yield passed(T(f"model registered with {how} at {where}",
                   f"modelo registrado con {how} en {where}") + extra, path, line or None)


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


# calls that end the process or the pipeline run: sys.exit, an orchestrator's run
# cancelled or failed (``run.parent.cancel()`` in an Azure ML step, ``run.fail()``)
EXIT_CALLS = frozenset({"exit", "_exit", "cancel", "fail", "abort"})


def _exits(body: list[ast.stmt], depth: int = 0) -> bool:
    """The block ends the process or the run: raise, return, sys.exit, a run cancelled
    or failed; also inside a nested ``if`` (``if allow_cancel: run.parent.cancel()``)."""
    for statement in body:
        if isinstance(statement, ast.Raise | ast.Return):
            return True
        if isinstance(statement, ast.Expr) and isinstance(statement.value, ast.Call):
            func = statement.value.func
            name = func.attr if isinstance(func, ast.Attribute) else \
                func.id if isinstance(func, ast.Name) else ""
            if name in EXIT_CALLS:
                return True
        if isinstance(statement, ast.If) and depth < 3 and (
                _exits(statement.body, depth + 1) or _exits(statement.orelse, depth + 1)):
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


def _mentions(text: str, local: str, path: str, module: str, stem: str) -> bool:
    return local in text or path in text or module in text or (
        f"/{stem}" in text or f" {stem}" in text)


def _runs_script(ctx: Context, path: str, errors: list[ParseError]) -> str | None:
    """What runs the script at ``path`` automatically: a blocking CI command, a dvc.yaml
    stage, a Makefile target or a shell script of the repository (by path or module)."""
    local = ctx.project.local(path)
    module = local.removesuffix(".py").removeprefix("src/").replace("/", ".")
    stem = local.rsplit("/", 1)[-1]
    for command in ci_commands(ctx.repo):
        if command.blocking and _mentions(command.text, local, path, module, stem):
            return f"CI ({command.path}:{command.line})" if command.line else \
                f"CI ({command.path})"
    dvc = ctx.first("dvc.yaml")
    data = read_yaml(ctx, dvc, errors)
    stages = data.get("stages") if isinstance(data, dict) else None
    for name, stage in stages.items() if isinstance(stages, dict) else []:
        cmd = stage.get("cmd") if isinstance(stage, dict) else None
        texts = cmd if isinstance(cmd, list) else [cmd]
        if any(isinstance(t, str) and _mentions(t, local, path, module, stem) for t in texts):
            return f"the dvc.yaml stage {name} ({dvc})"
    makefile = ctx.first("Makefile")
    parsed = ctx.repo.parse(makefile, parse_makefile) if makefile else None
    if isinstance(parsed, ParseError):
        errors.append(parsed)
    elif parsed is not None:
        for target_name, target in parsed.targets.items():
            if any(_mentions(c, local, path, module, stem) for _, c in target.recipe):
                return f"the Makefile target {target_name} ({makefile})"
    for script in ctx.files(["**/*.sh"]):
        text = read_text(ctx, script, errors)
        if text is not None and _mentions(text[:200_000], local, path, module, stem):
            return f"{script}"
    return None


# orchestrators whose pipeline definitions order steps in Python code
PIPELINE_ROOTS = ("azureml.pipeline", "azure.ai.ml", "kfp", "sagemaker.workflow",
                  "google.cloud.aiplatform", "airflow", "prefect", "zenml", "metaflow")
ORDERING_METHODS = frozenset({"run_after", "after", "set_upstream", "set_downstream"})
REGISTER_STEP = re.compile(r"regist|promot|publish|deploy", re.IGNORECASE)
GATE_STEP = re.compile(r"eval|valid|compar|gate|check|test", re.IGNORECASE)


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
    other = _other_registry(index)
    if other is not None:
        for call in nodes_of(index, ast.Call):
            if call.lineno == other[0]:
                yield call.lineno, call, other[1]
                break


@check("promotion_gate")
def promotion_gate(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF004: promotion to production is guarded by a metric comparison: a guarded
    promotion or registration call, or a metric-gate script that something runs."""
    sources = source_files(ctx)
    yield from _errors(ctx)
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
    if idle:
        yield warned(T(f"a metric gate at {idle[0]}:{idle[1]} fails the process on a bad "
                       "comparison, but no CI job, dvc.yaml stage, Makefile target or shell "
                       "script runs it",
                       f"una puerta de métricas en {idle[0]}:{idle[1]} termina con error si la "
                       "comparación falla, pero ningún job de CI, etapa de dvc.yaml, objetivo "
                       "del Makefile ni script de shell la ejecuta"), idle[0], idle[1])
        return
    yield from training_errors(ctx)
    untrained = no_training(ctx, T("there is no candidate model to promote",
                                   "no hay modelo candidato que promover"),
                            notebooks_count=True)
    if untrained is not None:
        yield untrained
        return
    yield failed(T("no promotion quality gate (a script or CI step comparing candidate "
                   "metrics to thresholds or to the current model before promoting)",
                   "no hay puerta de calidad de promoción (un script o paso de CI que compare "
                   "las métricas del candidato con umbrales o con el modelo actual antes de "
                   "promover)"))
