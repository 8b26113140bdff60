"""Field-test regressions (batch B): false positives and negatives seen on real repositories.

Each case is a minimal synthetic reproduction, never the original code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]


def _messages(results: list[Result]) -> str:
    return " | ".join(str(r.message) for r in results)


# -- DOCK007 ---------------------------------------------------------------------------------

_DOCK007 = ("FROM python:3.11-slim\nWORKDIR /app\n{copy}\n"
            "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\nUSER 1000\n"
            'CMD ["python", "app.py"]\n')


def test_dock007_manifest_copies_with_globs_are_not_source_copies(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    for copy in ("COPY requirements.txt requirements.in* ./",
                 'COPY ["requirements.txt", "requirements.in*", "./"]',
                 "COPY requirements/*.txt ./requirements/",
                 "COPY requirements/ ./requirements/"):
        root = make_repo({"Dockerfile": _DOCK007.format(copy=copy)})
        assert statuses(results_for(root, "DOCK007")) == ["pass"], copy
    for copy in ("COPY requirements.txt src/ ./", "COPY src/*.py ./"):
        bad = make_repo({"Dockerfile": _DOCK007.format(copy=copy)})
        assert statuses(results_for(bad, "DOCK007")) == ["fail"], copy


# -- templates: DOCK001-DOCK011, DEP002, ENV003 ---------------------------------------------

_TEMPLATE_DOCKERFILE = "FROM python:3.8\nCOPY . .\nRUN pip install -r requirements.txt\n"
_TEMPLATE_COMPOSE = "services:\n  api:\n    build: .\n    ports: ['8000:8000']\n"
_PYPROJECT = '[project]\nname = "demo"\nversion = "0.1.0"\nrequires-python = ">=3.11"\n'


def test_templates_are_not_the_repository_own_dockerfiles(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    from mlops_lint.parsers.dockerfile import is_template_path

    assert is_template_path("docs/templates/Dockerfile")
    assert is_template_path("Templates/docker-compose.yml")
    assert not is_template_path("templates.Dockerfile") and not is_template_path("Dockerfile")
    files = {"pyproject.toml": _PYPROJECT,
             "docs/templates/Dockerfile": _TEMPLATE_DOCKERFILE,
             "docs/templates/docker-compose.yml": _TEMPLATE_COMPOSE}
    root = make_repo(files)
    for rule in ("DOCK", "DEP002", "ENV003"):
        results = results_for(root, rule)
        assert not [r for r in results if r.path and "templates/" in r.path], rule
        # templates are never judged; they are named only as templates, not the project's own
        named = [r.message.en for r in results if "templates/" in r.message.en]
        assert all("only templates" in m and "none is the project's own" in m
                   for m in named), (rule, named)
    # the same files outside templates/ are the repository's own and are judged
    own = make_repo({"pyproject.toml": _PYPROJECT, "Dockerfile": _TEMPLATE_DOCKERFILE,
                     "docker-compose.yml": _TEMPLATE_COMPOSE})
    assert "fail" in statuses(results_for(own, "DOCK003"))
    assert "fail" in statuses(results_for(own, "ENV003"))
    assert any(r.path == "docker-compose.yml" for r in results_for(own, "DEP002"))


# -- ML004 -----------------------------------------------------------------------------------

_ML_PYPROJECT = ('[project]\nname = "demo"\nversion = "0.1.0"\n'
                 'dependencies = ["scikit-learn>=1.3", "pyyaml"]\n')


def _ml_repo(make_repo: MakeRepo, files: dict[str, str]) -> Path:
    return make_repo({"pyproject.toml": _ML_PYPROJECT, "src/demo/__init__.py": "", **files})


def test_ml004_kwargs_splat_without_seed_is_unknown(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    code = ("import yaml\nfrom sklearn.ensemble import RandomForestClassifier\n\n\n"
            "def build(path):\n    params = yaml.safe_load(open(path))['model']\n"
            "    return RandomForestClassifier({args})\n")
    results = results_for(_ml_repo(make_repo, {"src/demo/train.py": code.format(
        args="**params")}), "ML004")
    assert statuses(results) == ["warn"]
    assert "**" in _messages(results) and results[0].path == "src/demo/train.py"
    seeded = results_for(_ml_repo(make_repo, {"src/demo/train.py": code.format(
        args="**params, random_state=42")}), "ML004")
    assert statuses(seeded) == ["pass"]
    unseeded = results_for(_ml_repo(make_repo, {"src/demo/train.py": code.format(
        args="n_estimators=10")}), "ML004")
    assert statuses(unseeded) == ["fail"]


# -- ML005 -----------------------------------------------------------------------------------

_SEPARATE_FILES = """\
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import accuracy_score


def main():
    train = pd.read_csv("data/train.csv")
    test = pd.read_csv("data/test.csv")
    x_train, y_train = train.drop(columns=["y"]), train["y"]
    x_test, y_test = test.drop(columns=["y"]), test["y"]
    model = RandomForestClassifier(random_state=0)
    model.fit(x_train, y_train)
    print(accuracy_score(y_test, model.predict({evaluated})))
"""


def test_ml005_separate_test_file_counts_as_held_out(make_repo: MakeRepo,
                                                      results_for: ResultsFor) -> None:
    config = {"configs/config.yaml": "target: y\ndrop_columns: [id]\n"}
    root = _ml_repo(make_repo, {"src/demo/train.py": _SEPARATE_FILES.format(
        evaluated="x_test"), **config})
    results = results_for(root, "ML005")
    assert "fail" not in statuses(results), _messages(results)
    assert statuses(results) == ["pass"]
    assert "x_test" in _messages(results)
    # evaluated on the training data itself: still no held-out evaluation
    same = _ml_repo(make_repo, {"src/demo/train.py": _SEPARATE_FILES.format(
        evaluated="x_train"), **config})
    assert statuses(results_for(same, "ML005")) == ["fail"]


# -- API006 ----------------------------------------------------------------------------------

_API_PYPROJECT = ('[project]\nname = "svc"\nversion = "0.1.0"\n'
                  'dependencies = ["fastapi>=0.110", "mlflow>=2"]\n')
_PREDICTOR = """\
import os
import mlflow


class Predictor:
    def __init__(self):
        self.uri = os.getenv("MODEL_URI")
{init}
    def predict(self, x):
{predict}        return self.model.predict([[x]])
"""
_PER_REQUEST = "        self.model = mlflow.sklearn.load_model(self.uri)\n"
_API_HEAD = """\
import logging
from contextlib import asynccontextmanager
from fastapi import FastAPI, Request
from svc.predictor import Predictor

log = logging.getLogger(__name__)
"""
_API_VARIANTS = {
    "state": ("@asynccontextmanager\nasync def lifespan(app):\n"
              "    app.state.predictor = Predictor()\n    yield\n\n"
              "app = FastAPI(lifespan=lifespan)\n\n@app.post('/predict')\n"
              "def predict(x: float, request: Request):\n"
              "    return request.app.state.predictor.predict(x)\n"),
    "local": ("@asynccontextmanager\nasync def lifespan(app):\n    log.info('start')\n"
              "    yield\n\napp = FastAPI(lifespan=lifespan)\n\n@app.post('/predict')\n"
              "def predict(x: float):\n    p = Predictor()\n    return p.predict(x)\n"),
    "annotated": ("predictor: Predictor | None = None\n\n@asynccontextmanager\n"
                  "async def lifespan(app):\n    global predictor\n"
                  "    predictor = Predictor()\n    yield\n\n"
                  "app = FastAPI(lifespan=lifespan)\n\n@app.post('/predict')\n"
                  "def predict(x: float):\n    return predictor.predict(x)\n"),
}


def _api_repo(make_repo: MakeRepo, app: str, init: str = "", predict: str = _PER_REQUEST
              ) -> Path:
    return make_repo({"pyproject.toml": _API_PYPROJECT, "src/svc/__init__.py": "",
                      "src/svc/predictor.py": _PREDICTOR.format(init=init, predict=predict),
                      "src/svc/api.py": _API_HEAD + app})


def test_api006_per_request_load_behind_a_project_method_fails(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    for name, app in _API_VARIANTS.items():
        results = results_for(_api_repo(make_repo, app), "API006")
        assert statuses(results) == ["fail"], (name, _messages(results))
        assert results[0].path == "src/svc/predictor.py" and results[0].line == 10, name
        assert "every request" in _messages(results), name
    # loaded once in __init__, created in the lifespan: the per-request method only predicts
    good = results_for(_api_repo(make_repo, _API_VARIANTS["state"], init=_PER_REQUEST,
                                 predict=""), "API006")
    assert statuses(good) == ["pass"], _messages(good)


def test_api006_lifespan_that_loads_nothing_is_not_credited(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    app = ("@asynccontextmanager\nasync def lifespan(app):\n    log.info('start')\n"
           "    yield\n\napp = FastAPI(lifespan=lifespan)\n\n@app.post('/predict')\n"
           "def predict(x: float):\n    return {'x': x}\n")
    results = results_for(_api_repo(make_repo, app), "API006")
    assert statuses(results) == ["warn"], _messages(results)
    assert "lifespan" in _messages(results)


# -- IAC001 ----------------------------------------------------------------------------------

_TF = ('terraform {\n  required_version = ">= 1.6"\n  required_providers {\n'
       '    aws = {\n      source  = "hashicorp/aws"\n      version = "~> 5.0"\n    }\n  }\n}\n')


def test_iac001_readme_between_infra_top_and_root_modules(make_repo: MakeRepo,
                                                           results_for: ResultsFor) -> None:
    files = {"infra/terraform/aws/main.tf": _TF, "infra/terraform/gcp/main.tf": _TF}
    root = make_repo({**files, "infra/terraform/README.md": "# Terraform\n"})
    results = results_for(root, "IAC001")
    assert "no README" not in _messages(results)
    assert any(r.path == "infra/terraform/README.md" and r.status.value == "pass"
               for r in results), _messages(results)
    # a README in an unrelated folder of infra/ does not document these root modules
    other = make_repo({**files, "infra/ansible/README.md": "# Ansible\n"})
    assert "no README in infra" in _messages(results_for(other, "IAC001"))


# -- K8S007 ----------------------------------------------------------------------------------

_CHART = {
    "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: '1.0'\n",
    "charts/api/values.yaml": "hpa:\n  enabled: true\n  min: 2\n  max: 5\n",
    "charts/api/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: {{ .Release.Name }}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n"
        "          image: \"ghcr.io/acme/api:{{ .Chart.AppVersion }}\"\n"),
}
_HPA_TEMPLATE = (
    "{{- if .Values.hpa.enabled }}\napiVersion: autoscaling/v2\n"
    "kind: HorizontalPodAutoscaler\nmetadata:\n  name: {{ .Release.Name }}\nspec:\n"
    "  minReplicas: {{ .Values.hpa.min }}\n  maxReplicas: {{ .Values.hpa.max }}\n{{- end }}\n")


def test_k8s007_hpa_in_an_unrendered_helm_template(make_repo: MakeRepo,
                                                    results_for: ResultsFor) -> None:
    root = make_repo({**_CHART, "charts/api/templates/hpa.yaml": _HPA_TEMPLATE})
    results = results_for(root, "K8S007")
    assert "no HorizontalPodAutoscaler" not in _messages(results)
    hpa = [r for r in results if r.path == "charts/api/templates/hpa.yaml"]
    assert len(hpa) == 1 and hpa[0].status.value == "skip" and "line 3" in hpa[0].message.en
    assert "HorizontalPodAutoscaler" in hpa[0].message.en
    assert "Helm template" in hpa[0].message.en and "verif" in hpa[0].message.en
    # the verdict stays driven by what can be checked: the missing Ingress still fails
    assert "fail" in statuses(results)
    without = results_for(make_repo(_CHART), "K8S007")
    assert "no HorizontalPodAutoscaler" in _messages(without)


# -- PY002 -----------------------------------------------------------------------------------

_SRC_PYPROJECT = ('[project]\nname = "demo"\nversion = "0.1.0"\n'
                  '[tool.setuptools.packages.find]\nwhere = ["src"]\n')


def test_py002_root_app_scripts_are_entry_scripts(make_repo: MakeRepo,
                                                   results_for: ResultsFor) -> None:
    apps = {"app.py": "from fastapi import FastAPI\n\napp = FastAPI(title='demo')\n",
            "serve.py": "import flask\n\napplication = flask.Flask(__name__)\n",
            "dashboard.py": "import streamlit as st\n\nst.title('Demo')\n"}
    base = {"pyproject.toml": _SRC_PYPROJECT, "src/demo/__init__.py": ""}
    results = results_for(make_repo({**base, **apps}), "PY002")
    assert statuses(results) == ["pass"], _messages(results)
    # a root module that only defines library code is still reported, apps are not listed
    mixed = results_for(make_repo({**base, **apps, "utils.py": "def helper(): ...\n"}),
                        "PY002")
    assert statuses(mixed) == ["warn"] and "utils.py" in _messages(mixed)
    assert "app.py" not in _messages(mixed) and "serve.py" not in _messages(mixed)
    # without a src/ package, an app script alone is not a flat layout of library code
    flat = results_for(make_repo({"pyproject.toml": _SRC_PYPROJECT, **apps}), "PY002")
    assert "flat layout" not in _messages(flat)
