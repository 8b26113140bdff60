"""Accuracy of the phase 3 rules on repositories where their subject may not exist: no
training code (a web application, an inference server, a deployment of a registry model,
a template), promotion gates split across pipeline steps, framework callbacks that name
runs, estimators only loaded into, repositories without Python, pytest configuration
inherited from a parent directory, and DVC pipelines that are templates."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlops_lint.model import Result
from test_phase3_ml import messages, project, verdict

Build = Callable[..., Path]
Results = Callable[..., list[Result]]

TRAINING_RULES = ("ML001", "ML002", "ML003", "ML004", "ML005", "ML006", "ML007")
TRAINS = """\
from sklearn.ensemble import RandomForestClassifier


def train(x, y):
    model = RandomForestClassifier(random_state=0)
    model.fit(x, y)
    return model
"""
WEB_APP = """\
from fastapi import FastAPI

app = FastAPI()


@app.get("/items")
def items() -> list[str]:
    return ["a", "b"]
"""


def levels(results: list[Result]) -> dict[int, str]:
    return {lvl: verdict(results, lvl) for lvl in sorted({r.level for r in results})}


# -- the "this project trains a model" fact -------------------------------------------------


def test_nothing_trains_training_rules_are_not_applicable(make_repo: Build,
                                                          results_for: Results) -> None:
    root = make_repo(project({"src/demo/app.py": WEB_APP}, deps=("fastapi",)))
    for rule in (*TRAINING_RULES, "MLF001", "MLF003", "MLF004", "TEST006"):
        results = results_for(root, rule)
        assert verdict(results) == "skip", (rule, messages(results))
        assert "not applicable: no training code in this project" in results[0].message.en, \
            (rule, messages(results))


def test_training_in_the_project_keeps_the_rules(make_repo: Build,
                                                 results_for: Results) -> None:
    root = make_repo(project({"src/demo/train.py": TRAINS}))
    assert verdict(results_for(root, "ML001")) == "fail"
    assert verdict(results_for(root, "ML006")) == "fail"
    assert levels(results_for(root, "MLF001"))[1] == "fail"
    assert verdict(results_for(root, "MLF003")) == "fail"
    assert verdict(results_for(root, "MLF004")) == "fail"


def test_training_only_in_docs_examples_tests_or_fixtures_is_not_the_projects(
        make_repo: Build, results_for: Results) -> None:
    for where in ("docs/examples/mlflow/src/train.py", "docs-gb/examples/train.py",
                  "examples/train.py", "tests/conftest.py", "tests_runtime/helpers/model.py",
                  "runtime/testdata/env_models.py", "integration_tests/build.py"):
        root = make_repo(project({where: TRAINS, "src/demo/serve.py": WEB_APP}))
        results = results_for(root, "ML005")
        assert verdict(results) == "skip", (where, messages(results))
        text = results[0].message.en
        assert "training appears only in docs, examples, tests or templates" in text and \
            where in text, (where, text)


def test_template_placeholders_do_not_train(make_repo: Build, results_for: Results) -> None:
    cookiecutter = {"{{ cookiecutter.repo_name }}/src/{{ cookiecutter.module }}/train.py":
                    TRAINS}
    root = make_repo(project(cookiecutter))
    results = results_for(root, "ML001")
    assert verdict(results) == "skip" and "{{ cookiecutter.repo_name }}" in \
        results[0].message.en, messages(results)
    placeholder = "# ---- REPLACE THIS WITH YOUR OWN CODE ----\n" + TRAINS
    root = make_repo(project({"src/demo/modeling/train.py": placeholder}))
    assert verdict(results_for(root, "ML006")) == "skip"
    # a package named with a single-brace placeholder is the project's own code
    root = make_repo(project({"src/{service}/train.py": TRAINS}))
    assert verdict(results_for(root, "ML006")) == "fail"


def test_notebook_only_training(make_repo: Build, results_for: Results) -> None:
    """Training in notebooks: the module-reading rules say they cannot see it; the
    tracking rules still apply (the practice can live in a notebook)."""
    notebook = ('{"cells": [{"cell_type": "code", "source": ["from sklearn.svm import SVC\\n",'
                ' "clf = SVC()\\n", "clf.fit(X, y)\\n"]}], "metadata": {}, "nbformat": 4}')
    root = make_repo(project({"notebooks/survival-svm.ipynb": notebook}))
    results = results_for(root, "ML001")
    assert verdict(results) == "skip"
    assert "trained only in notebooks (notebooks/survival-svm.ipynb)" in results[0].message.en
    assert "not applicable" not in results[0].message.en
    assert levels(results_for(root, "MLF001"))[1] == "fail"
    # a notebook of the documentation is not the project's
    root = make_repo(project({"docs/tutorial.ipynb": notebook}))
    assert "no training code" in results_for(root, "MLF001")[0].message.en


def test_training_signals_beyond_fit(make_repo: Build, results_for: Results) -> None:
    cases = {
        "torch": ("import torch\n\ndef step(model, loss):\n"
                  "    opt = torch.optim.Adam(model.parameters())\n    loss.backward()\n"),
        "boosting": "import xgboost as xgb\n\ndef fit(p, d):\n    return xgb.train(p, d)\n",
        "trainer": ("from transformers import Trainer\n\ndef fit(m, a, d):\n"
                    "    Trainer(m, a, train_dataset=d).train()\n"),
        "keras": ("from tensorflow import keras\n\nmodel = keras.Sequential([])\n"
                  "model.compile(optimizer='adam', loss='mse')\n"),
    }
    for label, code in cases.items():
        results = results_for(make_repo(project({"src/demo/m.py": code})), "MLF001")
        assert "no training code" not in messages(results), label
    # a module function called fit (PIL's ImageOps.fit) and pretrained weights are not
    not_training = ("from PIL import ImageOps\nfrom transformers import AutoModel\n\n"
                    "def thumb(img):\n    return ImageOps.fit(img, (64, 64))\n\n"
                    "MODEL = AutoModel.from_pretrained('bert-base-uncased')\n"
                    "MODEL.save_pretrained('out')\n")
    results = results_for(make_repo(project({"src/demo/m.py": not_training})), "ML007")
    assert verdict(results) == "skip", messages(results)


# -- MLF003: a deployment of a registry model -----------------------------------------------


def test_mlf003_registry_model_deployed_without_training(make_repo: Build,
                                                         results_for: Results) -> None:
    workflow = ("on: workflow_dispatch\njobs:\n  push:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - run: |\n"
                "          git clone https://huggingface.co/acme/sentiment\n")
    root = make_repo({".github/workflows/push_model.yaml": workflow,
                      "terraform/main.tf": 'resource "aws_s3_bucket" "b" {}\n'})
    results = results_for(root, "MLF003")
    assert verdict(results) == "skip", messages(results)
    text = results[0].message.en
    assert "no trained model to register" in text
    assert "comes from the Hugging Face Hub (.github/workflows/push_model.yaml:7)" in text
    # a project that trains and registers nothing still fails
    root = make_repo(project({"src/demo/train.py": TRAINS,
                              ".github/workflows/push_model.yaml": workflow}))
    assert verdict(results_for(root, "MLF003")) == "fail"


# -- MLF004: a gate that is a pipeline step -------------------------------------------------

EVALUATE = """\
from azureml.core import Run

run = Run.get_context()
production_model_mse = float(run.parent.get_metrics().get("prod_mse"))
new_model_mse = float(run.parent.get_metrics().get("mse"))
if new_model_mse < production_model_mse:
    print("better: register")
else:
    if ALLOW_CANCEL:
        run.parent.cancel()
"""
REGISTER = """\
from azureml.core import Model


def register(ws, path):
    Model.register(workspace=ws, model_path=path, model_name="diabetes")
"""
PIPELINE = """\
from azureml.pipeline.steps import PythonScriptStep


def build(env):
    train_step = PythonScriptStep(name="train", script_name=env.train_script_path)
    evaluate_step = PythonScriptStep(name="evaluate", script_name=env.evaluate_script_path)
    register_step = PythonScriptStep(name="register", script_name=env.register_script_path)
    evaluate_step.run_after(train_step)
    {order}
"""
VARIABLES = "variables:\n  - name: EVALUATE_SCRIPT_PATH\n    value: evaluate/evaluate_model.py\n"


def _gate_repo(make_repo: Build, order: str, variables: bool = True) -> Path:
    files = {"model/evaluate/evaluate_model.py": EVALUATE,
             "model/register/register_model.py": REGISTER,
             "model/training/train.py": TRAINS,
             "ml_service/pipelines/build_pipeline.py": PIPELINE.format(order=order)}
    if variables:
        files[".pipelines/variables-template.yml"] = VARIABLES
    return make_repo(project(files))


def test_mlf004_gate_split_across_pipeline_steps(make_repo: Build,
                                                 results_for: Results) -> None:
    root = _gate_repo(make_repo, "register_step.run_after(evaluate_step)")
    results = results_for(root, "MLF004")
    assert verdict(results) == "pass", messages(results)
    text = results[0].message.en
    assert "metric gate at model/evaluate/evaluate_model.py:6" in text
    assert "pipeline step ordered before registration" in text
    assert "register_step after evaluate_step" in text


def test_mlf004_gate_step_not_before_registration(make_repo: Build,
                                                  results_for: Results) -> None:
    # registration ordered after training only: the gate script runs nowhere before it
    root = _gate_repo(make_repo, "register_step.run_after(train_step)")
    results = results_for(root, "MLF004")
    assert verdict(results) == "fail", messages(results)
    assert "without comparing its metrics" in results[0].message.en
    # ordered, but the script the step runs is not named anywhere: not proven
    root = _gate_repo(make_repo, "register_step.run_after(evaluate_step)", variables=False)
    assert verdict(results_for(root, "MLF004")) == "fail"


def test_mlf004_exit_calls_of_gate_scripts(make_repo: Build, results_for: Results) -> None:
    gate = ("import sys\n\ndef main(f1, threshold):\n    if f1 < threshold:\n"
            "        run.fail()\n")
    dvc = "stages:\n  gate:\n    cmd: python scripts/gate.py\n"
    root = make_repo(project({"scripts/gate.py": gate, "dvc.yaml": dvc,
                              "src/demo/train.py": TRAINS}))
    assert verdict(results_for(root, "MLF004")) == "pass"


# -- MLF001: callbacks that name their runs -------------------------------------------------


def test_mlf001_callbacks_that_name_runs(make_repo: Build, results_for: Results) -> None:
    lightning = """\
from lightning.pytorch import Trainer
from lightning.pytorch.loggers import MLFlowLogger


def fit(model):
    logger = MLFlowLogger(experiment_name="demo", tracking_uri="file:./mlruns")
    Trainer(logger=logger).fit(model)
"""
    results = results_for(make_repo(project({"src/demo/train.py": lightning})), "MLF001")
    assert "a run name" not in messages(results), messages(results)
    hf = """\
from transformers import Trainer, TrainingArguments


def fit(model, data):
    args = TrainingArguments(output_dir="out", report_to="mlflow")
    Trainer(model, args, train_dataset=data).train()
"""
    results = results_for(make_repo(project({"src/demo/train.py": hf})), "MLF001")
    assert "a run name" not in messages(results), messages(results)
    # wandb.init without a name: the run name is still missing
    wandb = """\
import wandb


def fit(model, x, y):
    run = wandb.init(project="demo", config={"lr": 0.1})
    model.fit(x, y)
    run.log({"loss": 0.1})
"""
    results = results_for(make_repo(project({"src/demo/train.py": wandb})), "MLF001")
    assert "a run name" in results[-1].message.en, messages(results)


# -- ML004: an estimator only loaded into ---------------------------------------------------


def test_ml004_load_shell_is_not_an_unseeded_estimator(make_repo: Build,
                                                       results_for: Results) -> None:
    serve = """\
from catboost import CatBoostClassifier


class Runtime:
    def load(self, uri):
        self._model = CatBoostClassifier()
        self._model.load_model(uri)


def chained(uri):
    return CatBoostClassifier().load_model(uri)
"""
    root = make_repo(project({"src/demo/serve.py": serve, "src/demo/train.py": TRAINS}))
    results = results_for(root, "ML004")
    assert verdict(results) == "pass", messages(results)
    assert "serve.py" not in messages(results)
    # constructed and fitted: a randomized estimator that needs a seed
    fitted = serve.replace("self._model.load_model(uri)", "self._model.fit(uri, None)")
    root = make_repo(project({"src/demo/serve.py": fitted, "src/demo/train.py": TRAINS}))
    results = results_for(root, "ML004")
    assert verdict(results) in ("warn", "fail") and "serve.py:6" in messages(results)


# -- tests rules on a repository without Python ---------------------------------------------


def test_testing_rules_without_python_or_tests(make_repo: Build,
                                               results_for: Results) -> None:
    # no Python at all (a Terraform module): no testing rule has a subject, TEST001 neither
    root = make_repo({"main.tf": 'resource "aws_vpc" "this" {}\n', "README.md": "# vpc\n"})
    for rule in ("TEST001", "TEST002", "TEST003", "TEST005", "TEST006", "TEST007", "TEST008"):
        results = results_for(root, rule)
        assert verdict(results) == "skip", (rule, messages(results))
        assert "no Python code, notebook or packaging file" in results[0].message.en
    # a packaging file but no modules and no tests: TEST001 carries the absence once
    root = make_repo({"pyproject.toml": '[project]\nname = "x"\n', "README.md": "# x\n"})
    assert verdict(results_for(root, "TEST001")) == "fail"
    for rule in ("TEST002", "TEST005", "TEST008"):
        results = results_for(root, rule)
        assert verdict(results) == "skip", (rule, messages(results))
        assert "no Python modules and no tests" in results[0].message.en
    # Python without tests: the coverage threshold is still missing
    root = make_repo(project({"src/demo/train.py": TRAINS}))
    assert verdict(results_for(root, "TEST003")) == "fail"


# -- TEST001: pytest's configuration found the way pytest finds it --------------------------


def many_tests(n: int) -> str:
    return "\n\n".join(f"def test_{i}():\n    assert {i} == {i}" for i in range(n)) + "\n"


def test_test001_configuration_in_a_parent_directory(make_repo: Build,
                                                     results_for: Results) -> None:
    sub = '[project]\nname = "runtime"\nversion = "0.1"\n'
    root_cfg = ('[project]\nname = "server"\nversion = "0.1"\n'
                '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n')
    root = make_repo({"pyproject.toml": root_cfg, "server/__init__.py": "",
                      "tests/test_server.py": many_tests(12),
                      "runtimes/mlflow/pyproject.toml": sub,
                      "runtimes/mlflow/runtime_mlflow/__init__.py": "",
                      "runtimes/mlflow/tests/test_runtime.py": many_tests(12)})
    results = [r for r in results_for(root, "TEST001") if r.project == "runtimes/mlflow"]
    level1 = next(r for r in results if r.level == 1)
    assert level1.status.value == "fail" and level1.path == "pyproject.toml", messages(results)
    assert "pyproject.toml sets no testpaths" in level1.message.en
    assert "the configuration pytest uses for this project, at the repository root" in \
        level1.message.en
    assert "no pytest configuration" not in level1.message.en
    # testpaths of the root configuration that reach into the subproject count for it
    root_cfg += 'testpaths = ["tests", "runtimes/mlflow/tests"]\n'
    root = make_repo({"pyproject.toml": root_cfg, "server/__init__.py": "",
                      "tests/test_server.py": many_tests(12),
                      "runtimes/mlflow/pyproject.toml": sub,
                      "runtimes/mlflow/runtime_mlflow/__init__.py": "",
                      "runtimes/mlflow/tests/test_runtime.py": many_tests(12)})
    results = [r for r in results_for(root, "TEST001") if r.project == "runtimes/mlflow"]
    assert verdict(results, 1) == "pass", messages(results)


def test_test001_configuration_elsewhere_or_nowhere(make_repo: Build,
                                                    results_for: Results) -> None:
    sub = '[project]\nname = "runtime"\nversion = "0.1"\n'
    root_cfg = ('[project]\nname = "server"\nversion = "0.1"\n'
                '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n')
    root = make_repo({"pyproject.toml": root_cfg, "server/__init__.py": "",
                      "tests/test_server.py": many_tests(12),
                      "runtimes/mlflow/pyproject.toml": sub,
                      "runtimes/mlflow/runtime_mlflow/__init__.py": "",
                      "runtimes/mlflow/tests/test_runtime.py": many_tests(12)})
    results = [r for r in results_for(root, "TEST001") if r.project == "runtimes/mlflow"]
    assert "the testpaths of pyproject.toml (tests) lie outside this project" in \
        messages(results)
    # no configuration anywhere: the finding points at the project's pyproject.toml
    root = make_repo({"pyproject.toml": '[project]\nname = "demo"\nversion = "0.1"\n',
                      "src/demo/__init__.py": "", "tests/test_a.py": many_tests(12)})
    level1 = next(r for r in results_for(root, "TEST001") if r.level == 1)
    assert level1.status.value == "fail" and level1.path == "pyproject.toml"
    assert "no pytest configuration in the project or a parent directory" in \
        level1.message.en


# -- DATA004: a DVC pipeline that is a template ---------------------------------------------

TEMPLATE_DVC = """\
# TODO: Replace {service} with your values.
stages:
  prepare:
    cmd: python src/{service}/prepare.py
    deps:
      - data/raw.csv
      - src/{service}/prepare.py
    outs:
      - data/prepared.csv
    params:
      - prepare
  train:
    cmd: python src/{service}/train.py
    deps:
      - data/prepared.csv
    outs:
      - models/model.joblib
    metrics:
      - metrics.json:
          cache: false
"""


def test_data004_template_pipeline_needs_no_lock(make_repo: Build,
                                                 results_for: Results) -> None:
    root = make_repo({"templates/service/dvc.yaml": TEMPLATE_DVC,
                      "templates/service/params.yaml": "prepare: {}\n"})
    results = [r for r in results_for(root, "DATA004") if r.level == 3]
    text = messages(results)
    assert verdict(results) == "fail", text  # the train script is not among its deps
    assert "train (src/{service}/train.py)" in text
    assert "dvc.lock is not committed" not in text
    assert "no dvc.lock is expected: the pipeline is a template with unresolved " \
        "placeholders ({service})" in text
    fixed = TEMPLATE_DVC.replace("      - data/prepared.csv\n    outs:\n      - models",
                                 "      - data/prepared.csv\n      - src/{service}/train.py\n"
                                 "    outs:\n      - models")
    root = make_repo({"templates/service/dvc.yaml": fixed,
                      "templates/service/params.yaml": "prepare: {}\n"})
    results = [r for r in results_for(root, "DATA004") if r.level == 3]
    assert verdict(results) == "pass" and "dvc.lock committed" not in messages(results)


def test_data004_dvc_templating_is_not_a_placeholder(make_repo: Build,
                                                     results_for: Results) -> None:
    """``${item}`` is DVC's own templating: the pipeline runs and its lock is expected."""
    real = TEMPLATE_DVC.replace("{service}", "${item}").replace("# TODO: Replace ${item} "
                                                                 "with your values.\n", "")
    root = make_repo({"dvc.yaml": real, "params.yaml": "prepare: {}\n"})
    results = [r for r in results_for(root, "DATA004") if r.level == 3]
    assert "dvc.lock is not committed" in messages(results)
    cookie = TEMPLATE_DVC.replace("{service}", "{{ cookiecutter.module_name }}")
    root = make_repo({"dvc.yaml": cookie, "params.yaml": "prepare: {}\n"})
    results = [r for r in results_for(root, "DATA004") if r.level == 3]
    assert "{{ cookiecutter.module_name }}" in messages(results)
    assert "dvc.lock is not committed" not in messages(results)


# -- DATA005, TEST005, TEST007: data and integration rules need a model or its data ---------

WEB_TEST = """\
from fastapi.testclient import TestClient

from demo.app import app


def test_items():
    assert TestClient(app).get("/items").json() == ["a", "b"]
"""
ETL = """\
import pandas as pd


def clean(path: str) -> pd.DataFrame:
    return pd.read_csv(path).dropna()
"""
SCORER = """\
import joblib

MODEL = joblib.load("models/model.joblib")


def score(rows):
    return MODEL.predict(rows)
"""


def test_web_app_without_model_or_data_skips_data_and_integration_rules(
        make_repo: Build, results_for: Results) -> None:
    root = make_repo(project({"src/demo/app.py": WEB_APP, "tests/test_app.py": WEB_TEST},
                             deps=("fastapi",)))
    for rule in ("DATA005", "TEST005", "TEST007"):
        results = results_for(root, rule)
        assert set(levels(results).values()) == {"skip"}, (rule, messages(results))
        text = results[0].message.en
        assert text.startswith("not applicable: no training code in this project"), text
    assert "use no DataFrame library" in results_for(root, "DATA005")[0].message.en
    assert "load or use no model" in results_for(root, "TEST005")[0].message.en
    assert "neither load a model" in results_for(root, "TEST007")[0].message.en


def test_dataframes_without_training_keep_the_data_rules(make_repo: Build,
                                                         results_for: Results) -> None:
    root = make_repo(project({"src/demo/etl.py": ETL, "tests/test_etl.py": WEB_TEST},
                             deps=("pandas",)))
    assert verdict(results_for(root, "DATA005")) == "fail"
    assert verdict(results_for(root, "TEST005")) == "fail"
    # no model trained nor used: an end-to-end model test has no subject
    assert set(levels(results_for(root, "TEST007")).values()) == {"skip"}


def test_training_or_a_served_model_keeps_the_rules(make_repo: Build,
                                                    results_for: Results) -> None:
    trains = make_repo(project({"src/demo/train.py": TRAINS, "tests/test_x.py": WEB_TEST}))
    assert verdict(results_for(trains, "DATA005")) == "fail"
    assert verdict(results_for(trains, "TEST005")) == "fail"
    assert levels(results_for(trains, "TEST007")) == {2: "fail", 3: "fail"}
    # an inference module: its input data and its API are still to be tested
    serves = make_repo(project({"src/demo/score.py": SCORER, "tests/test_x.py": WEB_TEST},
                               deps=("joblib",)))
    assert verdict(results_for(serves, "TEST005")) == "fail"
    assert levels(results_for(serves, "TEST007")) == {2: "fail", 3: "fail"}
    # DataFrame schemas need DataFrames: a scorer without any has none to validate
    assert verdict(results_for(serves, "DATA005")) == "skip"


def test_a_model_served_by_the_repository_keeps_the_test_rules(make_repo: Build,
                                                               results_for: Results) -> None:
    """A router in front of vLLM, a SageMaker endpoint in Terraform: the project's code
    loads no model, but the repository serves one, so its data and end-to-end tests count;
    a model behaviour test has no model of the project's to train or load."""
    vllm = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: engine}\nspec:\n"
            "  template:\n    spec:\n      containers:\n        - name: e\n"
            "          image: vllm/vllm-openai:v0.6.0\n")
    endpoint = 'resource "aws_sagemaker_endpoint" "e" {\n  name = "e"\n}\n'
    for extra in ({"deploy/engine.yaml": vllm}, {"infra/main.tf": endpoint}):
        root = make_repo(project({"src/demo/app.py": WEB_APP, "tests/test_app.py": WEB_TEST,
                                  **extra}, deps=("fastapi",)))
        assert verdict(results_for(root, "TEST005")) == "fail", extra
        # the served model is the model server's: no model of the project's to test
        model = results_for(root, "TEST006")
        assert verdict(model) == "skip" and "run by a model server" in model[0].message.en
        assert levels(results_for(root, "TEST007")) == {2: "fail", 3: "fail"}, extra
    # a model-server manifest under docs/ is an example for readers, not the repository's
    root = make_repo(project({"src/demo/app.py": WEB_APP, "tests/test_app.py": WEB_TEST,
                              "docs/examples/engine.yaml": vllm}, deps=("fastapi",)))
    assert set(levels(results_for(root, "TEST007")).values()) == {"skip"}


def test_a_model_server_runtime_class_uses_a_model(make_repo: Build,
                                                   results_for: Results) -> None:
    """An MLServer runtime loads its model through the framework's hooks (a pipeline built
    indirectly): the class it derives says it serves one."""
    runtime = ("from mlserver import MLModel\n\n\nclass Runtime(MLModel):\n"
               "    async def load(self) -> bool:\n        self._model = build(self.settings)\n"
               "        return True\n")
    root = make_repo(project({"src/demo/runtime.py": runtime, "tests/test_x.py": WEB_TEST},
                             deps=("mlserver",)))
    assert verdict(results_for(root, "TEST006")) == "fail"
    assert levels(results_for(root, "TEST007")) == {2: "fail", 3: "fail"}
    plain = runtime.replace("from mlserver import MLModel", "class MLModel:\n    pass")
    root = make_repo(project({"src/demo/runtime.py": plain, "tests/test_x.py": WEB_TEST},
                             deps=("mlserver",)))
    assert verdict(results_for(root, "TEST006")) == "skip"  # a local class of that name
