"""Phase 5 accuracy: model servers earn the credit where they are declared, a runtime of a
server in the same repository is part of it, managed endpoints declared as code are a
serving layer, and a repository that deploys nothing has no rollback to document."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]


def one(results: list[Result], level: int | None = None) -> Result:
    rows = [r for r in results if level is None or r.level == level]
    assert len(rows) == 1, [(r.status.value, r.message.en) for r in rows]
    return rows[0]


def project(files: dict[str, str], name: str = "svc") -> dict[str, str]:
    return {"pyproject.toml": f'[project]\nname = "{name}"\nversion = "0.1.0"\n', **files}


# -- API001: well-known model servers and scoring scripts --------------------------------

SCORE = """import os
import joblib
from azureml.core.model import Model
from inference_schema.schema_decorators import input_schema, output_schema
from inference_schema.parameter_types.numpy_parameter_type import NumpyParameterType

def init():
    global model
    model = joblib.load(Model.get_model_path(os.getenv("AZUREML_MODEL_DIR")))

@input_schema("data", NumpyParameterType([[1.0, 2.0]]))
@output_schema(NumpyParameterType([1.0]))
def run(data, request_headers):
    return model.predict(data).tolist()
"""


def test_api001_azure_scoring_script_with_typed_schemas_passes(make_repo: Maker,
                                                              results_for: Results) -> None:
    row = one(results_for(make_repo(project({"src/svc/score.py": SCORE})), "API001"))
    assert row.status.value == "pass", row.message.en
    assert (row.path, row.line) == ("src/svc/score.py", 7)  # init(), not an import
    assert "typed schemas (inference_schema" in row.message.en
    plain = SCORE.replace("@input_schema(\"data\", NumpyParameterType([[1.0, 2.0]]))\n", "")
    plain = plain.replace("@output_schema(NumpyParameterType([1.0]))\n", "")
    row = one(results_for(make_repo(project({"src/svc/score.py": plain})), "API001"))
    assert row.status.value == "pass" and "typed schemas" not in row.message.en


@pytest.mark.parametrize("text, line, what", [
    ("import bentoml\nimport numpy\n\n\n@bentoml.service\nclass Svc:\n    pass\n", 6,
     "@service Svc"),
    ("from ray import serve\n\n\n@serve.deployment\nclass D:\n    pass\n", 5, "@deployment D"),
    ("import kserve\n\nclass Codec:\n    pass\n\nclass M(kserve.Model):\n    pass\n\n"
     "kserve.ModelServer().start([M('m')])\n", 6, "class M(Model)"),
    ("import litserve as ls\n\nclass A(ls.LitAPI):\n    pass\n\n"
     "ls.LitServer(A()).run()\n", 3, "class A(LitAPI)"),
])
def test_api001_model_server_points_at_the_declaration(make_repo: Maker, results_for: Results,
                                                       text: str, line: int,
                                                       what: str) -> None:
    row = one(results_for(make_repo(project({"src/svc/serve.py": text})), "API001"))
    assert row.status.value == "pass", row.message.en
    assert (row.path, row.line) == ("src/svc/serve.py", line)
    assert what in row.message.en and "well-known model server" in row.message.en


def test_api001_flask_serving_no_model_still_warns(make_repo: Maker,
                                                  results_for: Results) -> None:
    """A general web framework serving no model keeps the FastAPI advice as a warning (a
    Flask model service passes: tests/test_serving_adr_flask_accuracy.py)."""
    app = "from flask import Flask\napp = Flask(__name__)\n"
    row = one(results_for(make_repo(project({"src/svc/app.py": app})), "API001"))
    assert row.status.value == "warn"


SERVER_APP = """from fastapi import FastAPI

app = FastAPI()

@app.get("/v2/health/live")
def live():
    return {}

@app.get("/v2/health/ready")
def ready():
    return {}

@app.post("/v2/models/{name}/infer")
def infer(name: str):
    return {}
"""
METRICS_APP = """from fastapi import FastAPI

metrics = FastAPI()

@metrics.get("/metrics")
def scrape():
    return ""
"""
RUNTIME = """from mlserver.codecs import RequestCodec
from mlserver import MLModel


class MyCodec(RequestCodec):
    pass


class LgbmModel(MLModel):
    async def predict(self, payload):
        return payload
"""


def runtime_repo() -> dict[str, str]:
    return {
        "pyproject.toml": '[project]\nname = "mlserver"\nversion = "1.0"\n'
                          'dependencies = ["fastapi", "uvicorn"]\n',
        "mlserver/__init__.py": "from .model import MLModel\n",
        "mlserver/model.py": "class MLModel:\n    pass\n",
        "mlserver/codecs/__init__.py": "class RequestCodec:\n    pass\n",
        "mlserver/metrics/app.py": METRICS_APP,
        "mlserver/rest/app.py": SERVER_APP,
        "tests/test_rest.py": "def test_x():\n    assert True\n",
        "runtimes/lgbm/pyproject.toml": '[project]\nname = "mlserver-lgbm"\nversion = "1.0"\n',
        "runtimes/lgbm/mlserver_lgbm/__init__.py": "",
        "runtimes/lgbm/mlserver_lgbm/runtime.py": RUNTIME,
        "runtimes/lgbm/tests/test_runtime.py": "def test_x():\n    assert True\n",
    }


def test_api001_runtime_of_a_server_in_the_same_repository(make_repo: Maker,
                                                           results_for: Results) -> None:
    rows = results_for(make_repo(runtime_repo()), "API001")
    runtime = one([r for r in rows if r.project == "runtimes/lgbm"])
    assert runtime.status.value == "pass", runtime.message.en
    # the model class the server loads, not the import line nor the codec class
    assert (runtime.path, runtime.line) == ("runtimes/lgbm/mlserver_lgbm/runtime.py", 9)
    assert "part of the MLServer server this repository also contains (mlserver/)" in \
        runtime.message.en
    assert "mlserver/rest/app.py:3" in runtime.message.en  # the app with the routes
    assert "not a separate serving app" in runtime.message.en
    server = one([r for r in rows if r.project == "."])
    assert (server.path, server.line) == ("mlserver/rest/app.py", 3)  # not the metrics app
    health = one([r for r in results_for(make_repo(runtime_repo()), "API002")
                  if r.project == "runtimes/lgbm"])
    assert health.status.value == "skip"
    assert "routes are those of the MLServer server" in health.message.en


def test_api001_model_server_used_as_a_library_is_not_a_runtime(make_repo: Maker,
                                                                results_for: Results) -> None:
    """Edge: the framework is only installed (not in the repository): the project is a
    serving app of its own, credited as a model server."""
    files = {k: v for k, v in runtime_repo().items() if k.startswith("runtimes/")}
    rows = results_for(make_repo(files), "API001")
    row = one(rows)
    assert row.status.value == "pass" and "well-known model server" in row.message.en
    assert "part of the" not in row.message.en


# -- managed endpoints declared as code --------------------------------------------------

SAGEMAKER = """resource "aws_sagemaker_model" "m" {
  name = "m"
}

resource "aws_sagemaker_endpoint_configuration" "c" {
  name = "c"
}

resource "aws_sagemaker_endpoint" "e" {
  name                 = "e"
  endpoint_config_name = aws_sagemaker_endpoint_configuration.c.name
}
"""


def test_sagemaker_endpoint_in_terraform_is_the_serving_layer(make_repo: Maker,
                                                              results_for: Results) -> None:
    root = make_repo({"terraform/main.tf": SAGEMAKER, "README.md": "# Endpoint\n"})
    api1 = one(results_for(root, "API001"))
    assert api1.status.value == "pass" and (api1.path, api1.line) == ("terraform/main.tf", 9)
    api2 = one(results_for(root, "API002"))
    assert api2.status.value == "pass" and "GET /ping" in api2.message.en
    assert "aws_sagemaker_endpoint.e" in api2.message.en
    api3 = one(results_for(root, "API003"))
    assert api3.status.value == "pass" and "POST /invocations" in api3.message.en
    api4 = one(results_for(root, "API004"))
    assert api4.status.value == "skip" and "managed endpoint" in api4.message.en
    dep = one(results_for(root, "DEP002"), 2)
    assert dep.status.value == "pass" and "GET /ping" in dep.message.en


def test_kserve_inference_service_is_a_serving_layer(make_repo: Maker,
                                                     results_for: Results) -> None:
    isvc = ("apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"
            "metadata: {name: churn}\nspec:\n  predictor:\n    sklearn:\n"
            "      storageUri: gs://b/m\n")
    root = make_repo({"k8s/isvc.yaml": isvc})
    row = one(results_for(root, "API002"))
    assert row.status.value == "pass" and "KServe InferenceService churn" in row.message.en


def test_endpoints_elsewhere_do_not_serve_a_project(make_repo: Maker,
                                                    results_for: Results) -> None:
    """Edge: a resource in the documentation, or in another folder of a monorepo, is not
    this project's serving layer."""
    seldon = ("apiVersion: machinelearning.seldon.io/v1\nkind: SeldonDeployment\n"
              "metadata: {name: m}\nspec: {predictors: []}\n")
    root = make_repo({"docs/examples/seldon.yaml": seldon, "README.md": "# Lib\n"})
    assert statuses(results_for(root, "API002")) == ["fail"]
    assert statuses(results_for(root, "DEP002"), 2) == ["fail"]
    tool = project({"src/tool/cli.py": "import click\n", "tests/test_cli.py": "x = 1\n"},
                   name="tool")
    monorepo = {f"tools/rec/{k}": v for k, v in tool.items()}
    monorepo.update({"samples/ray/service.yaml": seldon.replace("SeldonDeployment",
                                                                "RayService")})
    rows = results_for(make_repo(monorepo), "API002")
    assert [r.status.value for r in rows if r.project == "tools/rec"] == ["fail"]


def test_no_endpoint_no_code_still_fails(make_repo: Maker, results_for: Results) -> None:
    """Edge: an endpoint configuration alone (no endpoint resource) is no serving layer."""
    only_config = SAGEMAKER.split('resource "aws_sagemaker_endpoint" "e"')[0]
    root = make_repo({"terraform/main.tf": only_config})
    assert statuses(results_for(root, "API002")) == ["fail"]
    assert "no serving code" in one(results_for(root, "API001")).message.en


# -- DEP002 level 3: nothing deployed, nothing to roll back ------------------------------


def test_dep002_rollback_not_applicable_when_nothing_is_deployed(make_repo: Maker,
                                                                 results_for: Results) -> None:
    docs = {"README.md": "# Guide\n", "docs/templates/Dockerfile": "FROM python:3.12-slim\n",
            "docs/templates/docker-compose.yml": "services:\n  api:\n    build: .\n"}
    row = one(results_for(make_repo(docs), "DEP002"), 3)
    assert row.status.value == "skip"
    assert row.message.en.startswith("not applicable: nothing in this repository is deployed")
    assert "nothing to roll back" in row.message.en
    assert "only templates (docs/templates/Dockerfile" in row.message.en
    assert "none is the project's own" in row.message.en
    # a template generator: its scaffold's files are not the repository's own
    scaffold = {"{{ cookiecutter.name }}/app.py": "from fastapi import FastAPI\n"
                                                  "app = FastAPI()\n",
                "ccds/cli.py": "import click\n"}
    assert statuses(results_for(make_repo(scaffold), "DEP002"), 3) == ["skip"]


@pytest.mark.parametrize("files", [
    {"src/svc/api.py": "from fastapi import FastAPI\napp = FastAPI()\n"},
    {"Dockerfile": "FROM python:3.12-slim\n"},
    {"infra/main.tf": 'resource "google_cloud_run_v2_service" "s" {\n  name = "s"\n}\n'},
    {".github/workflows/cd.yml": "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n"
                                 "      - run: terraform apply -auto-approve\n"},
])
def test_dep002_rollback_judged_when_something_is_deployed(make_repo: Maker,
                                                           results_for: Results,
                                                           files: dict[str, str]) -> None:
    row = one(results_for(make_repo({"README.md": "# App\n", **files}), "DEP002"), 3)
    assert row.status.value == "fail" and "no documented rollback" in row.message.en


def test_test_fixtures_are_not_a_deployment(make_repo: Maker, results_for: Results) -> None:
    """Edge: a Dockerfile and a manifest under tests/ are fixtures of the test suite."""
    deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: x}\n"
    files = {"README.md": "# Lib\n", "tests/fixtures/Dockerfile": "FROM python:3.12-slim\n",
             "tests/testdata/deploy.yaml": deploy}
    assert statuses(results_for(make_repo(files), "DEP002"), 3) == ["skip"]
