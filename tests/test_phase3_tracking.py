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
    results = results_for(make_repo(project({"src/demo/train.py": "x = 1\n"})), "MLF001")
    assert levels(results) == {1: "fail", 2: "fail", 3: "fail"}
    assert "MLflow is not used" in results[0].message.en


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
    assert verdict(results_for(make_repo(project({"src/demo/c.py": unrelated})),
                               "MLF003")) == "fail"


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
    root = make_repo(project({"scripts/check_metrics.py": gate}))
    assert verdict(results_for(root, "MLF004")) == "fail"


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
