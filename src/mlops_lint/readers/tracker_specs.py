"""The experiment trackers other than MLflow's own API, described as data.

The guide tracks with MLflow; a project that tracks its runs with another well-known
tracker earns the same credit. Each tracker is described as data: the calls that open a
run, and what the calls, methods and keywords around it record. Framework integrations
(loggers and callbacks) open the run and log parameters and metrics themselves.
Shared by the tracking rules (MLF001-MLF003) and ML007 (metrics logged to a tracker).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from mlops_lint.model import T


@dataclass(frozen=True)
class Hit:
    path: str
    line: int
    text: str


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
    # bound methods that record any named value: a parameter when what they log comes from
    # the configuration (Azure ML SDK v1 has no log_param; ``run.log(k, v)`` over the
    # training arguments is how it records them)
    config_logs: frozenset[str] = frozenset()


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
        config_logs=frozenset({"log"}),
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


def key_label(key: str, spec: TrackerSpec | None) -> T:
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
