"""Phase 3 experiment-tracking rules: MLF001-MLF004 on small generated projects."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlops_lint.model import Result
from test_phase3_ml import messages, project, verdict

Build = Callable[..., Path]
Results = Callable[..., list[Result]]

TRACK_L1 = """\
import mlflow as mf


def train(pipe, params, x, y):
    with mf.start_run():
        mf.log_params(params)
        pipe.fit(x, y)
        mf.log_metric("f1", 0.8)
"""
TRACK_L3 = """\
import subprocess

import mlflow
from mlflow import log_artifact


def train(pipe, cfg, x, y):
    mlflow.set_tracking_uri(cfg.tracking_uri)
    commit = subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True).stdout
    with mlflow.start_run(run_name=f"rf-{cfg.n_estimators}") as run:
        mlflow.set_tags({"git_commit": commit, "data_version": cfg.data_version})
        mlflow.log_params(cfg.model_dump())
        pipe.fit(x, y)
        mlflow.log_metrics({"f1": 0.8})
        log_artifact("artifacts/metrics.json")
    return run
"""


def levels(results: list[Result]) -> dict[int, str]:
    return {level: verdict(results, level) for level in (1, 2, 3)}


def test_mlf001_level1_with_module_alias(make_repo: Build, results_for: Results) -> None:
    results = results_for(make_repo(project({"src/demo/train.py": TRACK_L1})), "MLF001")
    assert levels(results) == {1: "pass", 2: "fail", 3: "fail"}, messages(results)
    level2 = next(r for r in results if r.level == 2)
    assert "log_artifact" in level2.message.en and "mlruns/ in .gitignore" in level2.message.en
    assert level2.path == "src/demo/train.py" and level2.line == 5


def test_mlf001_all_levels(make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/train.py": TRACK_L3, ".gitignore": "mlruns/\n"}))
    assert levels(results_for(root, "MLF001")) == {1: "pass", 2: "pass", 3: "pass"}


def test_mlf001_tracking_uri_from_config_or_env(make_repo: Build, results_for: Results) -> None:
    code = TRACK_L1 + "        mf.log_artifact('config.yaml')\n"
    for extra in ({"configs/config.yaml": "mlflow:\n  tracking_uri: file:./mlruns\n"},
                  {".env.example": "export MLFLOW_TRACKING_URI=http://localhost:5000\n"},
                  {"src/demo/env.py": "import os\nURI = os.getenv('MLFLOW_TRACKING_URI')\n"},
                  {"Makefile": "train:\n\tMLFLOW_TRACKING_URI=file:./mlruns python -m demo\n"}):
        root = make_repo(project({"src/demo/train.py": code, ".gitignore": "mlruns/\n",
                                  **extra}))
        assert levels(results_for(root, "MLF001"))[2] == "pass", extra


def test_mlf001_bare_start_run_and_no_mlflow(make_repo: Build, results_for: Results) -> None:
    bare = TRACK_L1.replace("    with mf.start_run():\n", "    mf.start_run()\n    if True:\n")
    results = results_for(make_repo(project({"src/demo/train.py": bare})), "MLF001")
    level1 = next(r for r in results if r.level == 1)
    assert level1.status.value == "fail" and "without `with`" in level1.message.en
    trains = "def train(model, x, y):\n    model.fit(x, y)\n"
    results = results_for(make_repo(project({"src/demo/train.py": trains})), "MLF001")
    assert levels(results) == {1: "fail", 2: "fail", 3: "fail"}
    assert "no experiment tracking" in results[0].message.en
    results = results_for(make_repo(project({"src/demo/train.py": "x = 1\n"})), "MLF001")
    assert verdict(results) == "skip" and "no training code" in results[0].message.en


def test_mlf001_autolog_counts_for_params_and_metrics(make_repo: Build,
                                                      results_for: Results) -> None:
    code = ("import mlflow\n\ndef train(p, x, y):\n    mlflow.sklearn.autolog()\n"
            "    with mlflow.start_run():\n        p.fit(x, y)\n")
    results = results_for(make_repo(project({"src/demo/t.py": code})), "MLF001")
    assert levels(results)[1] == "pass"


# -- MLF002 -------------------------------------------------------------------------------

LOG = """\
import mlflow
from mlflow.models import infer_signature


def log(pipe, x):
    signature = infer_signature(x, pipe.predict(x))
    mlflow.sklearn.log_model(pipe, "model", signature=signature, input_example=x[:3])
"""


def test_mlf002_signature_and_example(make_repo: Build, results_for: Results) -> None:
    results = results_for(make_repo(project({"src/demo/log.py": LOG})), "MLF002")
    assert verdict(results) == "pass" and results[0].line == 7


def test_mlf002_signature_without_example_warns(make_repo: Build,
                                                results_for: Results) -> None:
    code = LOG.replace(", input_example=x[:3]", "")
    assert verdict(results_for(make_repo(project({"src/demo/log.py": code})),
                               "MLF002")) == "warn"


def test_mlf002_missing_signature_fails(make_repo: Build, results_for: Results) -> None:
    code = LOG.replace("signature=signature, ", "")
    results = results_for(make_repo(project({"src/demo/log.py": code})), "MLF002")
    assert verdict(results) == "fail" and results[0].line == 7
    code = LOG.replace("signature = infer_signature(x, pipe.predict(x))", "signature = None")
    assert verdict(results_for(make_repo(project({"src/demo/log.py": code})),
                               "MLF002")) == "fail"


def test_mlf002_autolog_and_nothing(make_repo: Build, results_for: Results) -> None:
    code = "import mlflow\n\nmlflow.autolog(log_input_examples=True)\n"
    assert verdict(results_for(make_repo(project({"src/demo/a.py": code})), "MLF002")) == "pass"
    code = "import mlflow\n\nmlflow.autolog()\n"
    assert verdict(results_for(make_repo(project({"src/demo/a.py": code})), "MLF002")) == "warn"
    code = "import mlflow\n\nmlflow.autolog(log_model_signatures=False)\n"
    assert verdict(results_for(make_repo(project({"src/demo/a.py": code})), "MLF002")) == "fail"
    assert verdict(results_for(make_repo(project({"src/demo/t.py": TRACK_L1})),
                               "MLF002")) == "fail"


# -- MLF003 -------------------------------------------------------------------------------


def test_mlf003_registered_model_name(make_repo: Build, results_for: Results) -> None:
    code = LOG.replace("input_example=x[:3]", "input_example=x[:3],\n"
                       "                             registered_model_name='churn'")
    code += "\nMODEL_URI = 'models:/churn@champion'\n"
    results = results_for(make_repo(project({"src/demo/log.py": code})), "MLF003")
    assert verdict(results) == "pass" and "models:/" in results[0].message.en


def test_mlf003_client_transition_and_register(make_repo: Build, results_for: Results) -> None:
    client = ("from mlflow.tracking import MlflowClient\n\nclient = MlflowClient()\n"
              "client.transition_model_version_stage('churn', 3, 'Production')\n")
    assert verdict(results_for(make_repo(project({"scripts/promote.py": client})),
                               "MLF003")) == "pass"
    register = "import mlflow as m\n\nm.register_model('runs:/abc/model', 'churn')\n"
    assert verdict(results_for(make_repo(project({"src/demo/r.py": register})),
                               "MLF003")) == "pass"


def test_mlf003_unregistered_fails(make_repo: Build, results_for: Results) -> None:
    results = results_for(make_repo(project({"src/demo/log.py": LOG})), "MLF003")
    assert verdict(results) == "fail"
    unrelated = "class C:\n    def transition_model_version_stage(self):\n        pass\n" \
        "C().transition_model_version_stage()\n"
    trains = "\n\ndef train(model, x, y):\n    model.fit(x, y)\n"
    assert verdict(results_for(make_repo(project({"src/demo/c.py": unrelated + trains})),
                               "MLF003")) == "fail"
    # nothing trained: nothing to register
    assert verdict(results_for(make_repo(project({"src/demo/c.py": unrelated})),
                               "MLF003")) == "skip"


# -- MLF004 -------------------------------------------------------------------------------

PROMOTE = """\
import json
import sys

from mlflow.tracking import MlflowClient

THRESHOLDS = {"f1": 0.50, "roc_auc": 0.75}


def passes(metrics):
    return all(metrics[name] >= floor for name, floor in THRESHOLDS.items())


def main(version):
    metrics = json.load(open("artifacts/metrics.json"))
    client = MlflowClient()
    if passes(metrics):
        client.set_registered_model_alias("churn", "champion", version)
    else:
        sys.exit(1)
"""


def test_mlf004_guarded_promotion(make_repo: Build, results_for: Results) -> None:
    results = results_for(make_repo(project({"scripts/promote_model.py": PROMOTE})), "MLF004")
    assert verdict(results) == "pass" and results[0].line == 17


def test_mlf004_early_exit_guard(make_repo: Build, results_for: Results) -> None:
    code = """\
import sys

import mlflow


def promote(candidate_f1, production_f1, version):
    if candidate_f1 < production_f1:
        sys.exit("candidate is worse than production")
    mlflow.MlflowClient().transition_model_version_stage("churn", version, "Production")
"""
    assert verdict(results_for(make_repo(project({"scripts/promote.py": code})),
                               "MLF004")) == "pass"


def test_mlf004_unguarded_promotion_fails(make_repo: Build, results_for: Results) -> None:
    code = PROMOTE.replace("    if passes(metrics):\n        client", "    if version:\n"
                           "        client")
    results = results_for(make_repo(project({"scripts/promote_model.py": code})), "MLF004")
    assert verdict(results) == "fail" and "without comparing" in results[0].message.en


def test_mlf004_metric_gate_run_by_ci(make_repo: Build, results_for: Results) -> None:
    gate = """\
import json
import sys

metrics = json.load(open(sys.argv[1]))
if metrics["f1"] < 0.5:
    raise SystemExit(1)
"""
    workflow = ("on: push\njobs:\n  gate:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: python scripts/check_metrics.py artifacts/metrics.json\n")
    root = make_repo(project({"scripts/check_metrics.py": gate,
                              ".github/workflows/ci.yml": workflow}))
    results = results_for(root, "MLF004")
    assert verdict(results) == "pass" and ".github/workflows/ci.yml" in results[0].message.en
    root = make_repo(project({"scripts/check_metrics.py": gate, "src/demo/train.py": TRACK_L1}))
    results = results_for(root, "MLF004")
    assert verdict(results) == "warn" and "no CI job" in results[0].message.en


def test_mlf001_tracking_uri_in_workflow_env(make_repo: Build, results_for: Results) -> None:
    code = TRACK_L1 + "        mf.log_artifacts('reports')\n"
    workflow = ("on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    env:\n"
                "      MLFLOW_TRACKING_URI: http://mlflow:5000\n    steps:\n"
                "      - run: python -m demo.train\n")
    compose = ("services:\n  trainer:\n    image: demo\n    environment:\n"
               "      - MLFLOW_TRACKING_URI=http://mlflow:5000\n")
    for extra in ({".github/workflows/train.yml": workflow}, {"docker-compose.yml": compose}):
        root = make_repo(project({"src/demo/train.py": code, ".gitignore": "mlruns/\n",
                                  **extra}))
        assert levels(results_for(root, "MLF001"))[2] == "pass", extra


def test_mlf004_membership_or_identity_tests_are_not_metric_gates(make_repo: Build,
                                                                  results_for: Results) -> None:
    code = """\
import mlflow


def promote(obj, version):
    if "preprocessor" in obj and obj.get("score") is not None:
        mlflow.MlflowClient().set_registered_model_alias("churn", "champion", version)
"""
    results = results_for(make_repo(project({"scripts/promote.py": code})), "MLF004")
    assert verdict(results) == "fail" and "without comparing" in results[0].message.en


# -- technology-neutral tracking (MLF001) -------------------------------------------------

WANDB = """\
import wandb


def train(cfg, model, data):
    run = wandb.init(project="demo", name=cfg.run_name, tags=["baseline"], config=cfg.dict())
    for epoch in range(cfg.epochs):
        run.log({"loss": model.step(data)})
    artifact = wandb.Artifact("demo-model", type="model")
    artifact.add_file("model.pt")
    run.log_artifact(artifact)
"""


def test_mlf001_weights_and_biases_reaches_every_level(make_repo: Build,
                                                       results_for: Results) -> None:
    root = make_repo(project({"src/demo/train.py": WANDB, ".gitignore": "wandb/\n"}))
    results = results_for(root, "MLF001")
    assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}, messages(results)
    assert "Weights & Biases tracking has" in results[0].message.en
    assert results[0].path == "src/demo/train.py" and results[0].line == 5
    bare = "import wandb\n\nwandb.init()\nwandb.log({'loss': 1.0})\n"
    results = results_for(make_repo(project({"src/demo/t.py": bare})), "MLF001")
    assert levels(results)[1] == "fail" and "logged parameters" in results[0].message.en


def test_mlf001_dvclive_and_dvc_pipeline(make_repo: Build, results_for: Results) -> None:
    code = """\
from dvclive import Live


def evaluate(model, x, y):
    with Live("eval", exp_name="baseline") as live:
        live.log_metric("acc", model.score(x, y))
        live.log_image("cm.png", model.plot())
"""
    dvc = ("stages:\n  train:\n    cmd: python src/demo/train.py\n    params:\n    - train.lr\n"
           "metrics:\n- eval/metrics.json\n")
    root = make_repo(project({"src/demo/evaluate.py": code, "dvc.yaml": dvc,
                              "params.yaml": "train:\n  lr: 0.1\n"}))
    results = results_for(root, "MLF001")
    assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}, messages(results)
    assert "DVC (DVCLive)" in results[0].message.en
    no_params = code.replace('        live.log_image("cm.png", model.plot())\n', "")
    results = results_for(make_repo(project({"src/demo/evaluate.py": no_params})), "MLF001")
    assert levels(results)[1] == "fail" and "logged parameters" in results[0].message.en


def test_mlf001_neptune_comet_clearml(make_repo: Build, results_for: Results) -> None:
    neptune = """\
import neptune


def train(params, losses):
    run = neptune.init_run(project="team/demo", name="baseline")
    run["parameters"] = params
    for loss in losses:
        run["train/loss"].append(loss)
"""
    comet = """\
from comet_ml import Experiment


def train(params, score):
    experiment = Experiment(project_name="demo")
    experiment.log_parameters(params)
    experiment.log_metric("score", score)
"""
    clearml = "from clearml import Task\n\ntask = Task.init(project_name='demo')\n"
    for code, name in ((neptune, "Neptune"), (comet, "Comet"), (clearml, "ClearML")):
        results = results_for(make_repo(project({"src/demo/train.py": code})), "MLF001")
        assert levels(results)[1] == "pass", (name, messages(results))
        assert f"{name} tracking has" in results[0].message.en


def test_mlf001_mlflow_autolog_and_mlproject_need_no_with_block(make_repo: Build,
                                                                results_for: Results) -> None:
    code = "import mlflow\n\ndef train(m, x, y):\n    mlflow.autolog()\n    m.fit(x, y)\n"
    results = results_for(make_repo(project({"src/demo/t.py": code})), "MLF001")
    assert levels(results)[1] == "pass", messages(results)
    assert "`with mlflow.start_run():`" not in results[0].message.en
    mlproject = ("name: demo\nentry_points:\n  main:\n    parameters:\n      lr: float\n"
                 "    command: python train.py --lr {lr}\n")
    train = "import mlflow\n\ndef log(v):\n    mlflow.log_metric('rmse', v)\n"
    root = make_repo(project({"MLproject": mlproject, "src/demo/train.py": train}))
    assert levels(results_for(root, "MLF001"))[1] == "pass"


def test_mlf001_framework_callbacks_and_report_to(make_repo: Build,
                                                  results_for: Results) -> None:
    ray = """\
from ray.air.integrations.mlflow import MLflowLoggerCallback


def callbacks(uri):
    return [MLflowLoggerCallback(tracking_uri=uri, experiment_name="demo", save_artifact=True)]
"""
    results = results_for(make_repo(project({"src/demo/train.py": ray,
                                             ".gitignore": "mlruns/\n"})), "MLF001")
    assert levels(results) == {1: "pass", 2: "pass", 3: "fail"}, messages(results)
    assert "through MLflowLoggerCallback" in results[0].message.en
    # Ray names every run after its trial: only the tags are missing
    assert "tags" in results[2].message.en and "a run name" not in results[2].message.en
    hf = """\
from transformers import TrainingArguments


ARGS = TrainingArguments(output_dir="out", report_to="wandb", run_name="baseline")
"""
    results = results_for(make_repo(project({"src/demo/args.py": hf})), "MLF001")
    assert levels(results)[1] == "pass" and "Weights & Biases" in results[0].message.en


def test_mlf001_logger_declared_in_hydra_config(make_repo: Build,
                                                results_for: Results) -> None:
    module = """\
from lightning import LightningModule


class Model(LightningModule):
    def __init__(self, lr):
        super().__init__()
        self.save_hyperparameters()

    def training_step(self, batch, i):
        loss = self.compute(batch)
        self.log("train/loss", loss)
        return loss
"""
    logger = ("wandb:\n  _target_: lightning.pytorch.loggers.wandb.WandbLogger\n"
              "  project: demo\n  log_model: true\n")
    files = {"src/demo/model.py": module, "configs/logger/wandb.yaml": logger}
    results = results_for(make_repo(project(files)), "MLF001")
    assert levels(results)[1] == "pass", messages(results)
    assert "through WandbLogger" in results[0].message.en
    silent = module.replace('        self.log("train/loss", loss)\n', "")
    results = results_for(make_repo(project({**files, "src/demo/model.py": silent})), "MLF001")
    assert levels(results)[1] == "fail" and "logged metrics" in results[0].message.en


def test_mlf001_azure_ml_and_sagemaker_runs(make_repo: Build, results_for: Results) -> None:
    azure = """\
from azureml.core import Run


def train(model, x, y, args):
    run = Run.get_context()
    run.log("accuracy", model.score(x, y))
    run.tag("data_version", args.data_version)
"""
    results = results_for(make_repo(project({"src/demo/train.py": azure})), "MLF001")
    assert levels(results)[1] == "fail" and "Azure ML tracking lacks: logged parameters" in \
        results[0].message.en, messages(results)
    sagemaker = """\
from sagemaker.experiments import Run


def train(params, score):
    with Run(experiment_name="demo", run_name="baseline") as run:
        run.log_parameters(params)
        run.log_metric(name="score", value=score)
"""
    results = results_for(make_repo(project({"src/demo/train.py": sagemaker})), "MLF001")
    assert levels(results)[1] == "pass" and "SageMaker" in results[0].message.en


# -- MLF002 / MLF003 / MLF004 with other stacks --------------------------------------------


def test_mlf002_not_applicable_without_mlflow_models(make_repo: Build,
                                                     results_for: Results) -> None:
    torch_save = "import torch\n\ndef save(model):\n    torch.save(model.state_dict(), 'm.pt')\n"
    files = {"src/demo/train.py": WANDB, "src/demo/save.py": torch_save}
    results = results_for(make_repo(project(files)), "MLF002")
    assert verdict(results) == "skip" and "not applicable" in results[0].message.en
    assert "Weights & Biases" in results[0].message.en and "torch.save" in results[0].message.en
    files = {"src/demo/train.py": TRACK_L1, "src/demo/save.py": torch_save}
    results = results_for(make_repo(project(files)), "MLF002")
    assert verdict(results) == "warn" and "not logged as an MLflow model" in \
        results[0].message.en


def test_mlf003_other_registries(make_repo: Build, results_for: Results) -> None:
    cases = {
        "azure": "from azureml.core import Model\n\nModel.register(ws, 'm.pkl', 'demo')\n",
        "sagemaker": ("def register(model):\n    model.register(content_types=['text/csv'],\n"
                      "                   model_package_group_name='demo')\n"),
        "hub": "def publish(model):\n    model.push_to_hub('team/demo')\n",
        "wandb": WANDB,
    }
    for name, code in cases.items():
        results = results_for(make_repo(project({"src/demo/r.py": code})), "MLF003")
        assert verdict(results) == "pass", (name, messages(results))
    dvc = "artifacts:\n  demo-model:\n    path: model.pkl\n    type: model\n"
    results = results_for(make_repo(project({"dvc.yaml": dvc})), "MLF003")
    assert verdict(results) == "pass" and "DVC model registry" in results[0].message.en


def test_mlf003_fix_names_the_project(make_repo: Build, results_for: Results) -> None:
    results = results_for(make_repo(project({"src/demo/t.py": TRACK_L1})), "MLF003")
    assert verdict(results) == "fail"
    fix = results[0].fix
    assert fix is not None and "'demo'" in fix.en and "churn" not in fix.en


def test_mlf004_gate_script_comparing_new_and_current_metrics(make_repo: Build,
                                                              results_for: Results) -> None:
    gate = """\
import json
import sys

new = json.load(open("metrics/new.json"))
current = json.load(open("metrics/current.json"))
if new["rmse"] > current["rmse"]:
    sys.exit("the candidate model is worse than the current one")
"""
    dvc = "stages:\n  gate:\n    cmd: python scripts/compare.py\n"
    root = make_repo(project({"scripts/compare.py": gate, "dvc.yaml": dvc}))
    results = results_for(root, "MLF004")
    assert verdict(results) == "pass" and "dvc.yaml stage gate" in results[0].message.en
    make = "gate:\n\tpython scripts/compare.py\n"
    root = make_repo(project({"scripts/compare.py": gate, "Makefile": make}))
    assert verdict(results_for(root, "MLF004")) == "pass"


def test_mlf004_guarded_push_to_another_registry(make_repo: Build,
                                                 results_for: Results) -> None:
    code = """\
def publish(model, candidate_score, production_score):
    if candidate_score <= production_score:
        return
    model.push_to_hub("team/demo")
"""
    results = results_for(make_repo(project({"src/demo/publish.py": code})), "MLF004")
    assert verdict(results) == "pass", messages(results)
    unguarded = "def publish(model):\n    model.push_to_hub('team/demo')\n"
    results = results_for(make_repo(project({"src/demo/publish.py": unguarded})), "MLF004")
    assert verdict(results) == "fail" and "without comparing" in results[0].message.en


def test_mlf004_argument_checks_are_not_metric_gates(make_repo: Build,
                                                     results_for: Results) -> None:
    # max_iter / min_samples bounds name no metric: not a promotion gate, even when run
    code = """\
import sys

max_iter = int(sys.argv[1])
min_samples = int(sys.argv[2])
if max_iter < 1 or min_samples > 10_000:
    sys.exit("bad arguments")
"""
    dvc = "stages:\n  check:\n    cmd: python scripts/check.py 10 5\n"
    trains = "def train(model, x, y):\n    model.fit(x, y)\n"
    root = make_repo(project({"scripts/check.py": code, "dvc.yaml": dvc,
                              "src/demo/train.py": trains}))
    assert verdict(results_for(root, "MLF004")) == "fail"


def test_mlf001_mlflow_model_loading_or_types_alone_is_not_tracking(make_repo: Build,
                                                                    results_for: Results) -> None:
    serve = """\
import mlflow.pyfunc
from mlflow.types.schema import Schema


def load(uri: str):
    return mlflow.pyfunc.load_model(uri)
"""
    results = results_for(make_repo(project({"src/demo/serve.py": serve})), "MLF001")
    # loading a model trains nothing: no training runs to track
    assert verdict(results) == "skip" and "no training code" in results[0].message.en
    trains = "\n\ndef fit(model, x, y):\n    model.fit(x, y)\n"
    results = results_for(make_repo(project({"src/demo/serve.py": serve + trains})), "MLF001")
    assert verdict(results) == "fail"
    assert "no experiment tracking" in results[0].message.en
    tracked = serve + "\n\ndef train() -> None:\n    with mlflow.start_run():\n" \
                      "        mlflow.log_metric('rmse', 1.0)\n"
    results = results_for(make_repo(project({"src/demo/serve.py": tracked})), "MLF001")
    assert "no experiment tracking" not in results[0].message.en
