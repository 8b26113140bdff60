"""DASH001, DEP001, DEP002 and SEC006; phase 5 levels end to end."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import check_repo, maturity_of, statuses
from mlops_lint.catalog import Catalog
from mlops_lint.maturity import PhaseReport
from mlops_lint.model import Result
from test_phase5_api import GOOD_APP, project

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]


# -- DASH001 ---------------------------------------------------------------------------

DASHBOARD = """import joblib
import pandas as pd
import requests
import streamlit as st

@st.cache_data
def load_data():
    return pd.read_csv("data/sample.csv")

@st.cache_resource
def load_model():
    return joblib.load("models/model.joblib")

predict_tab, metrics_tab = st.tabs(["Predict", "Metrics"])
with predict_tab:
    if st.button("Predict"):
        st.write(requests.post("http://api:8000/predict", json={}).json())
"""


def test_dash001_not_applicable_without_streamlit(make_repo: Maker,
                                                  results_for: Results) -> None:
    rows = results_for(make_repo(project({"src/svc/api.py": GOOD_APP})), "DASH001")
    assert statuses(rows) == ["skip"] and "does not use Streamlit" in rows[0].message.en


def test_dash001_complete_dashboard_passes(make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo(project({"app/streamlit_app.py": DASHBOARD})), "DASH001")
    assert statuses(rows) == ["pass"] and rows[0].path == "app/streamlit_app.py"
    assert rows[0].weight == 2


def test_dash001_missing_caching_and_views_fails(make_repo: Maker, results_for: Results) -> None:
    app = ("import streamlit as st\nimport joblib\n@st.cache\ndef load():\n"
           "    return joblib.load('m')\nst.write(load().predict([[1]]))\n")
    rows = results_for(make_repo(project({"app/streamlit_app.py": app})), "DASH001")
    assert statuses(rows) == ["fail"]
    message = rows[0].message.en
    for missing in ("@st.cache_data", "@st.cache_resource", "≥2 views", "deprecated @st.cache"):
        assert missing in message
    assert "call to the API" not in message


def test_dash001_multipage_app_and_sidebar_views(make_repo: Maker, results_for: Results) -> None:
    pages = {
        "app/Home.py": ("import streamlit as st\n@st.cache_data\ndef d():\n    return 1\n"
                        "@st.cache_resource\ndef m():\n    return 2\n"),
        "app/pages/1_Predict.py": ("import httpx\nimport streamlit as st\n"
                                   "st.write(httpx.post('http://api/predict'))\n"),
    }
    rows = results_for(make_repo(project(pages)), "DASH001")
    assert statuses(rows) == ["pass"] and rows[0].path == "app/Home.py"
    sidebar = ("import streamlit as st\nimport requests\n@st.cache_data\ndef d():\n    return 1\n"
               "@st.cache_resource\ndef m():\n    return 2\n"
               "page = st.sidebar.radio('Go', ['Predict', 'Monitor'])\n"
               "requests.get('http://api/health')\n")
    assert statuses(results_for(make_repo(project({"dash.py": sidebar})), "DASH001")) == ["pass"]
    radio = sidebar.replace("page = st.sidebar.radio('Go', ['Predict', 'Monitor'])",
                            "TABS = ['Predict', 'Monitor']\n"
                            "tab = st.radio('Navigation', TABS, horizontal=True)")
    assert statuses(results_for(make_repo(project({"dash.py": radio})), "DASH001")) == ["pass"]
    form = sidebar.replace("page = st.sidebar.radio('Go', ['Predict', 'Monitor'])",
                           "fuel = st.selectbox('Fuel', ['gas', 'diesel'])")
    rows = results_for(make_repo(project({"dash.py": form})), "DASH001")
    assert statuses(rows) == ["fail"] and "≥2 views" in rows[0].message.en


# -- DEP001 ----------------------------------------------------------------------------

ADR = """# ADR-003: Serving platform

## Contexto
Low traffic API.

## Decisión
Cloud Run.

## Alternativas
| Option | Cost per month | Trade-off |
|---|---|---|
| Cloud Run | 10 USD | scales to zero |
| AWS Lambda | 5 USD | cold starts |
| Kubernetes | 150 USD | operations |

## Consecuencias
Vendor lock-in.
"""


SERVED = {"src/svc/api.py": GOOD_APP}  # serving code: something is deployed


def test_dep001_adr_comparing_platforms_passes(make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo(project({"docs/decisions/ADR-003-serving.md": ADR,
                                          **SERVED})), "DEP001")
    assert statuses(rows) == ["pass"]
    assert "AWS Lambda/serverless, Cloud Run, Kubernetes" in rows[0].message.en
    assert rows[0].line == 7


def test_dep001_single_platform_warns_and_unrelated_adr_fails(make_repo: Maker,
                                                              results_for: Results) -> None:
    single = "# ADR-1\n## Decisión\nWe deploy on Kubernetes.\n"
    rows = results_for(make_repo(project({"docs/adr/0001-deploy.md": single, **SERVED})),
                       "DEP001")
    assert statuses(rows) == ["warn"] and rows[0].line == 3
    other = "# ADR-2 Use DVC\n## Decision\nDVC for data.\n"
    rows = results_for(make_repo(project({"docs/decisions/ADR-002-dvc.md": other,
                                          **SERVED})), "DEP001")
    assert statuses(rows) == ["fail"] and "none discusses" in rows[0].message.en
    rows = results_for(make_repo(project(SERVED)), "DEP001")
    assert statuses(rows) == ["fail"] and "no ADR or design record found" in rows[0].message.en
    rows = results_for(make_repo({"README.md": "# Notes\n"}), "DEP001")  # nothing deployed
    assert statuses(rows) == ["skip"] and "nothing in this repository is deployed" in \
        rows[0].message.en


def test_dep001_monorepo_root_adrs_count_for_each_project(make_repo: Maker,
                                                          results_for: Results) -> None:
    root = make_repo({
        "docs/decisions/ADR-003-serving.md": ADR,
        "a/pyproject.toml": "[project]\nname='a'\n", "a/src/a/__init__.py": "",
        "a/src/a/api.py": GOOD_APP,
        "b/pyproject.toml": "[project]\nname='b'\n", "b/tests/test_b.py": "",
        "b/docs/adr/ADR-9.md": "# ADR-9\nKubernetes only.\n",
    })
    rows = results_for(root, "DEP001")
    assert [(r.project, r.status.value) for r in rows] == [("a", "pass"), ("b", "pass")]


# -- DEP002 ----------------------------------------------------------------------------

DEPLOYMENT = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  template:
    spec:
      containers:
        - name: api
          image: ghcr.io/x/api:1.0
          readinessProbe:
            httpGet: {path: /api/v1/health, port: 8000}
          livenessProbe:
            httpGet: {path: /health, port: 8000}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: drift}
spec:
  jobTemplate:
    spec:
      template:
        spec:
          containers: [{name: drift, image: "x:1"}]
"""


def test_dep002_k8s_probes_on_health_pass(make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo({"k8s/deployment.yaml": DEPLOYMENT}), "DEP002")
    level2 = [r for r in rows if r.level == 2]
    assert statuses(level2) == ["pass"] and "Deployment api" in level2[0].message.en
    assert (level2[0].path, level2[0].line) == ("k8s/deployment.yaml", 2)
    assert "/api/v1/health" in level2[0].message.en


def test_dep002_descriptors_without_health_fail_or_warn(make_repo: Maker,
                                                        results_for: Results) -> None:
    no_probe = DEPLOYMENT.replace("readinessProbe", "x-r").replace("livenessProbe", "x-l")
    rows = results_for(make_repo({"k8s/deployment.yaml": no_probe}), "DEP002")
    assert statuses(rows, 2) == ["fail"]
    tcp = DEPLOYMENT.replace("/api/v1/health", "/").replace("/health", "/")
    rows = results_for(make_repo({"k8s/deployment.yaml": tcp}), "DEP002")
    assert statuses(rows, 2) == ["warn"]
    rows = results_for(make_repo({"README.md": "# x\n"}), "DEP002")
    assert statuses(rows, 2) == ["fail"] and "no deployment descriptor" in rows[0].message.en


@pytest.mark.parametrize("files, status", [
    ({"serverless.yml": "functions:\n  health:\n    events:\n      - http: {path: health, "
                        "method: get}\n"}, "pass"),
    ({"serverless.yml": "functions:\n  predict:\n    events:\n      - http: {path: predict}\n"},
     "fail"),
    ({"deploy/task-definition.json": '{"containerDefinitions": [{"name": "api", "healthCheck":'
                                     ' {"command": ["CMD-SHELL", "curl -f http://localhost:8000'
                                     '/health || exit 1"]}}]}'}, "pass"),
    ({"deploy/task-definition.json": '{"containerDefinitions": [{"name": "api"}]}'}, "fail"),
    ({"docker-compose.yml": "services:\n  api:\n    build: .\n    healthcheck:\n      test: "
                            "[CMD, curl, -f, 'http://localhost:8000/health']\n  db:\n    image: "
                            "postgres\n"}, "pass"),
    ({"docker-compose.yml": "services:\n  api:\n    build: .\n"}, "fail"),
    ({"fly.toml": "[[services.http_checks]]\npath = \"/healthz\"\n"}, "pass"),
    ({"charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
      "charts/api/templates/deployment.yaml": "apiVersion: apps/v1\nkind: Deployment\nspec:\n"
                                              "  containers:\n    - name: {{ .Values.n }}\n"
                                              "      readinessProbe:\n        httpGet:\n"
                                              "          path: /health\n"}, "pass"),
    ({"charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
      "charts/api/values.yaml": "probes:\n  livenessProbe:\n    httpGet: {path: /livez}\n"},
     "pass"),
    ({"deploy/app.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: {{ x }}}\n"
                         "spec:\n  template:\n    spec:\n      containers:\n        - name: a\n"
                         "          livenessProbe: {tcpSocket: {port: 80}}\n"}, "warn"),
])
def test_dep002_other_descriptors(make_repo: Maker, results_for: Results,
                                  files: dict[str, str], status: str) -> None:
    assert statuses(results_for(make_repo(files), "DEP002"), 2) == [status]


def test_dep002_deploy_workflow_with_smoke_test(make_repo: Maker, results_for: Results) -> None:
    workflow = ("on: {push: {branches: [main]}}\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n"
                "    steps:\n      - run: gcloud run deploy api --image x --min-instances 0\n"
                "      - run: curl -f https://api.example.com/health\n")
    root = make_repo({".github/workflows/deploy.yml": workflow})
    row = next(r for r in results_for(root, "DEP002") if r.level == 2)
    assert row.status.value == "pass" and row.line == 6 and "gcloud run deploy" in row.message.en
    root = make_repo({".github/workflows/deploy.yml": workflow.replace(
        "      - run: curl -f https://api.example.com/health\n", "")})
    assert statuses(results_for(root, "DEP002"), 2) == ["fail"]


def test_dep002_other_ci_deploys_and_helm_templates_without_probes(
        make_repo: Maker, results_for: Results) -> None:
    pipeline = ("trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n"
                "- script: az ml model deploy --name api --ic inference_config.yml\n")
    root = make_repo({".pipelines/cd.yml": pipeline})
    row = next(r for r in results_for(root, "DEP002") if r.level == 2)
    assert row.status.value == "fail" and row.path == ".pipelines/cd.yml"
    assert "Azure Pipelines deploy (az ml model deploy): no /health check" in row.message.en
    smoke = pipeline + "- script: curl -f https://api.example.com/health\n"
    assert statuses(results_for(make_repo({".pipelines/cd.yml": smoke}), "DEP002"), 2) == [
        "pass"]
    chart = {"charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\n",
             "charts/api/values.yaml": "image: x\n",
             "charts/api/templates/deployment.yaml":
                 "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
                 "  name: {{ .Values.name }}\nspec:\n  template:\n    spec:\n"
                 "      containers:\n      - name: api\n        image: {{ .Values.image }}\n"}
    row = next(r for r in results_for(make_repo(chart), "DEP002") if r.level == 2)
    assert row.status.value == "fail" and "a long-running workload without probes" in \
        row.message.en


def test_dep002_post_deploy_smoke_test_scoring_the_service_is_a_check(
        make_repo: Maker, results_for: Results) -> None:
    pipeline = ("trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n"
                "- script: az ml model deploy --name api --ic inference_config.yml\n"
                "- script: python -m ops.smoke_test_scoring_service --service api\n")
    row = next(r for r in results_for(make_repo({".pipelines/cd.yml": pipeline}), "DEP002")
               if r.level == 2)
    # a managed model endpoint: the platform checks its health, the smoke test scores it
    assert row.status.value == "pass", row.message.en
    assert "no /health check after deploy" not in row.message.en
    assert "smoke test scoring the live service after deploy" in row.message.en and \
        "smoke_test_scoring" in row.message.en
    # a smoke test that runs before the deploy checks nothing deployed
    before = ("trigger: [main]\npool: {vmImage: ubuntu-latest}\nsteps:\n"
              "- script: python smoke_test.py\n"
              "- script: az ml model deploy --name api --ic inference_config.yml\n")
    assert statuses(results_for(make_repo({".pipelines/cd.yml": before}), "DEP002"), 2) == [
        "fail"]
    workflow = ("on: {push: {branches: [main]}}\njobs:\n  deploy:\n    runs-on: x\n"
                "    steps:\n      - run: kubectl apply -f k8s/\n"
                "      - run: ./scripts/smoke-test.sh https://api.example.com/predict\n")
    rows = results_for(make_repo({".github/workflows/cd.yml": workflow}), "DEP002")
    assert statuses(rows, 2) == ["warn"], [r.message.en for r in rows]


@pytest.mark.parametrize("files, status", [
    ({"docs/runbooks/service-down.md": "# Service down\n## Rollback\n```bash\nkubectl rollout "
                                       "undo deployment/api\n```\n"}, "pass"),
    ({"RUNBOOK.md": "# Ops\n## Rollback\nRedeploy the previous image:\n"
                    "`gcloud run services update-traffic api --to-revisions=prev=100`\n"},
     "pass"),
    ({"Makefile": "rollback:\n\thelm rollback api\n"}, "pass"),
    ({"README.md": "# App\nWe can rollback if needed.\n"}, "warn"),
    ({"README.md": "# App\n"}, "fail"),
])
def test_dep002_rollback_level3(make_repo: Maker, results_for: Results, files: dict[str, str],
                                status: str) -> None:
    # something is deployed (an image of its own): its rollback is judged
    deployed = {**files, "Dockerfile": "FROM python:3.12-slim\n"}
    assert statuses(results_for(make_repo(deployed), "DEP002"), 3) == [status]


# -- SEC006 ----------------------------------------------------------------------------


def test_sec006_clean_serving_code_passes(make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo(project({"src/svc/api.py": GOOD_APP})), "SEC006")
    assert statuses(rows) == ["pass"] and "2 serving module(s)" in rows[0].message.en


def test_sec006_unsafe_loads_in_serving_code(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({
        "src/svc/loader.py": (
            "import pickle\nimport yaml\n"
            "def load(path):\n    with open(path, 'rb') as f:\n        return pickle.load(f)\n"
            "def config(path):\n    return yaml.load(open(path))\n"
            "def safe(path):\n    return yaml.load(open(path), Loader=yaml.SafeLoader)\n"
            "def unsafe(path):\n    return yaml.unsafe_load(open(path))\n"
            "def calc(text):\n    return eval(text)\n"),
        "src/svc/api.py": (
            "from fastapi import FastAPI\nfrom svc.loader import load, config\napp = FastAPI()\n"
            "@app.post('/predict')\ndef predict(expr: str):\n    return eval(expr)\n"
            "@app.get('/health')\ndef health():\n    return eval('1')\n"),
        "src/svc/train.py": "import pickle\nmodel = pickle.load(open('m.pkl', 'rb'))\n",
    }))
    rows = results_for(root, "SEC006")
    found = sorted((r.path, r.line, r.status.value) for r in rows)
    assert found == [
        ("src/svc/api.py", 6, "fail"),
        ("src/svc/loader.py", 5, "fail"),
        ("src/svc/loader.py", 7, "fail"),
        ("src/svc/loader.py", 11, "fail"),
        ("src/svc/loader.py", 13, "warn"),
    ]


def test_sec006_streamlit_app_is_serving_code(make_repo: Maker, results_for: Results) -> None:
    app = "import pickle\nimport streamlit as st\nm = pickle.loads(b'')\n"
    rows = results_for(make_repo(project({"dash.py": app})), "SEC006")
    assert statuses(rows) == ["fail"] and rows[0].line == 3


# -- phase 5 end to end ----------------------------------------------------------------


def phase5(root: Path, catalog: Catalog) -> PhaseReport:
    return maturity_of(root, catalog, check_repo(root, catalog)).phases[4]


MINIMAL_APP = ("from fastapi import FastAPI\napp = FastAPI()\n@app.get('/health')\n"
               "def h():\n    return {}\n@app.post('/predict')\ndef p(x: dict):\n    return x\n")
COMPOSE = ("services:\n  api:\n    build: .\n    healthcheck:\n"
           "      test: curl -f localhost:8000/health\n")
GOOD_SERVICE = {"src/svc/api.py": GOOD_APP, "docs/decisions/ADR-003-serving.md": ADR,
                "docker-compose.yml": COMPOSE}


def test_phase5_levels(make_repo: Maker, catalog: Catalog) -> None:
    nothing = phase5(make_repo(project({"src/svc/train.py": "import joblib\n"})), catalog)
    assert (nothing.level, nothing.presence) == (0, ())
    # A deployment configuration alone is level 1 (presence); level 2 needs a serving app.
    compose = phase5(make_repo(project({"docker-compose.yml": COMPOSE})), catalog)
    assert compose.level == 1
    assert compose.details[1].requirements[0].met is False
    minimal = phase5(make_repo(project({"src/svc/api.py": MINIMAL_APP})), catalog)
    assert minimal.level >= 1 and ("serving", "API001") in {
        (e.artefact, e.ref) for e in minimal.presence}
    good = phase5(make_repo(project(GOOD_SERVICE)), catalog)
    assert good.level >= minimal.level and good.score > minimal.score


def test_phase5_levels_by_the_rubric(make_repo: Maker, catalog: Catalog) -> None:
    # levels.md, phase 5: 2 = predict and health and a containerised or CD deployment;
    # 3 = health + readiness + metrics + validation + automated deployment with a strategy.
    minimal = phase5(make_repo(project({"src/svc/api.py": MINIMAL_APP})), catalog)
    good = phase5(make_repo(project(GOOD_SERVICE)), catalog)
    assert (minimal.level, good.level) == (1, 2)
