"""OBS006 and FIN001 accuracy: a scheduled drift job and cost controls have a subject only
where something is deployed or provisioned; managed Kubernetes autoscaling counts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

DOCS_ONLY = {"README.md": "# Guide\n", "docs/01_intro.md": "# Intro\n",
             "docs/templates/Dockerfile": "FROM python:3.12-slim\n",
             ".github/workflows/docs.yml": "on: push\njobs:\n  d:\n    runs-on: x\n"
                                           "    steps:\n      - run: mkdocs build\n"}


# -- OBS006 ------------------------------------------------------------------------------


def test_obs006_not_applicable_when_nothing_is_deployed(make_repo: Maker,
                                                        results_for: Results) -> None:
    rows = results_for(make_repo(DOCS_ONLY), "OBS006")
    assert statuses(rows) == ["skip"]
    assert rows[0].message.en.startswith("not applicable: nothing in this repository is "
                                         "deployed")
    assert "no live model" in rows[0].message.en


SERVICE = "from fastapi import FastAPI\napp = FastAPI()\n"
SERVES_MODEL = ("import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\n"
                "MODEL = joblib.load('models/model.joblib')\n\n\n@app.post('/predict')\n"
                "def predict(x: list[float]) -> float:\n    return MODEL.predict([x])[0]\n")


def test_obs006_fails_when_a_model_service_is_deployed(make_repo: Maker,
                                                       results_for: Results) -> None:
    files = {**DOCS_ONLY, "src/app/main.py": SERVES_MODEL}
    assert statuses(results_for(make_repo(files), "OBS006")) == ["fail"]


def test_obs006_not_applicable_to_a_service_without_a_model(make_repo: Maker,
                                                            results_for: Results) -> None:
    """A web service deployed with a cron job for housekeeping: no model, no drift."""
    cleanup = ("on:\n  schedule:\n    - cron: '0 0 * * 0'\njobs:\n  clean:\n    runs-on: x\n"
               "    steps:\n      - run: make clean\n")
    files = {**DOCS_ONLY, "src/app/main.py": SERVICE, "Dockerfile": "FROM python:3.12\n",
             ".github/workflows/cleanup.yml": cleanup}
    rows = results_for(make_repo(files), "OBS006")
    assert statuses(rows) == ["skip"]
    assert rows[0].message.en.startswith("not applicable: no model in this repository")
    assert "no model whose inputs could drift" in rows[0].message.en


@pytest.mark.parametrize("evidence", [
    {"train/train.py": "from sklearn.linear_model import LogisticRegression\n"
                       "def train(x, y):\n    return LogisticRegression().fit(x, y)\n"},
    {"k8s/isvc.yaml": "apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\n"
                      "metadata: {name: m}\nspec: {predictor: {model: {modelFormat: "
                      "{name: sklearn}}}}\n"},
    {"k8s/llm.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: llm}\nspec:\n"
                     "  template:\n    spec:\n      containers:\n        - name: s\n"
                     "          image: vllm/vllm-openai:v0.6.0\n"},
    {"infra/main.tf": 'resource "aws_sagemaker_endpoint" "e" {\n  name = "e"\n}\n'},
    {"serve/Dockerfile": "FROM nvcr.io/nvidia/tritonserver:24.01-py3\n"},
])
def test_obs006_a_model_anywhere_keeps_the_rule(make_repo: Maker, results_for: Results,
                                               evidence: dict[str, str]) -> None:
    files = {**DOCS_ONLY, "src/app/main.py": SERVICE, **evidence}
    assert statuses(results_for(make_repo(files), "OBS006")) == ["fail"], evidence


def test_obs006_scheduled_drift_counts_even_without_a_deployment(make_repo: Maker,
                                                                 results_for: Results) -> None:
    """Edge: the evidence wins over applicability: a scheduled drift job passes."""
    drift = ("on:\n  schedule:\n    - cron: '0 2 * * *'\njobs:\n  drift:\n    runs-on: x\n"
             "    steps:\n      - run: python check_drift.py\n"
             "      - uses: actions/upload-artifact@v4\n        with: {path: report.html}\n")
    rows = results_for(make_repo({".github/workflows/drift.yml": drift}), "OBS006")
    assert statuses(rows) == ["pass"]


# -- FIN001 ------------------------------------------------------------------------------


def test_fin001_not_applicable_for_a_server_library(make_repo: Maker,
                                                    results_for: Results) -> None:
    """An inference-server library: serving code and a Dockerfile, Kubernetes examples in
    its docs, no infrastructure of its own."""
    deploy = "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: srv}\n"
    files = {"srv/app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
             "Dockerfile": "FROM python:3.12-slim\n",
             "docs/examples/k8s/deployment.yaml": deploy}
    rows = results_for(make_repo(files), "FIN001")
    assert statuses(rows) == ["skip"]
    text = rows[0].message.en
    assert text.startswith("not applicable: this repository provisions no infrastructure")
    assert "it has only a Dockerfile of its own and serving code" in text
    assert "docs/examples/k8s/deployment.yaml are documentation examples" in text
    # the same manifest outside the docs is infrastructure: FinOps evidence is expected
    files["k8s/deployment.yaml"] = files.pop("docs/examples/k8s/deployment.yaml")
    rows = results_for(make_repo(files), "FIN001")
    assert statuses(rows) == ["fail"] and "Deployment srv" in rows[0].message.en


GKE = """resource "google_container_cluster" "c" {
  name     = "demo"
  location = "us-central1"
%s
}
"""


@pytest.mark.parametrize("body, detail", [
    ("  enable_autopilot = true", "enable_autopilot = true"),
    ("  cluster_autoscaling {\n    enabled = true\n  }", "cluster_autoscaling"),
    ("  node_pool {\n    autoscaling {\n      min_node_count = 1\n      max_node_count = 3\n"
     "    }\n  }", "autoscaling"),
])
def test_fin001_gke_autoscaling_is_evidence(make_repo: Maker, results_for: Results,
                                            body: str, detail: str) -> None:
    rows = results_for(make_repo({"terraform/main.tf": GKE % body}), "FIN001")
    assert statuses(rows) == ["warn"], rows[0].message.en
    assert "autoscaling: google_container_cluster.c" in rows[0].message.en
    assert detail in rows[0].message.en


@pytest.mark.parametrize("body", [
    "  enable_autopilot = false",
    "  cluster_autoscaling {\n    enabled = false\n  }",
    "  enable_autopilot = var.autopilot",
])
def test_fin001_autoscaling_switched_off_or_unknown_is_not_evidence(
        make_repo: Maker, results_for: Results, body: str) -> None:
    rows = results_for(make_repo({"terraform/main.tf": GKE % body}), "FIN001")
    assert statuses(rows) == ["fail"], rows[0].message.en


def test_fin001_a_variable_named_autoscaling_is_not_evidence(make_repo: Maker,
                                                             results_for: Results) -> None:
    tf = ('variable "autoscaling" {\n  type = bool\n  default = true\n}\n'
          'resource "aws_instance" "i" {\n  ami = "x"\n}\n')
    rows = results_for(make_repo({"main.tf": tf}), "FIN001")
    assert statuses(rows) == ["fail"]


GITLAB_DEPLOY = ("stages: [test, deploy]\ntest:\n  stage: test\n  script:\n    - pytest\n"
                 "deploy:\n  stage: deploy\n  script:\n"
                 "    - scp -i key release.zip ubuntu@host:/srv/app/\n"
                 "    - ssh -i key ubuntu@host 'systemctl restart app'\n")


@pytest.mark.parametrize("files, detail", [
    ({".gitlab-ci.yml": GITLAB_DEPLOY}, "job deploy (.gitlab-ci.yml)"),
    ({".github/workflows/deploy.yml": "on: push\njobs:\n  ship:\n    runs-on: self-hosted\n"
                                      "    steps:\n      - run: docker compose -f compose.yml "
                                      "up -d --build\n"}, "docker compose -f compose.yml up -d"),
    ({".github/workflows/serve.yml": "on: push\njobs:\n  serve:\n    runs-on: x\n    steps:\n"
                                     "      - run: anyscale service rollout -f svc.yaml\n"},
     "anyscale service rollout"),
])
def test_fin001_applies_to_a_deploy_job_in_ci(make_repo: Maker, results_for: Results,
                                              files: dict[str, str], detail: str) -> None:
    rows = results_for(make_repo(files), "FIN001")
    assert statuses(rows) == ["fail"], rows[0].message.en
    assert "for what the repository deploys or provisions: " + detail in rows[0].message.en


def test_fin001_a_docs_deploy_job_is_not_a_deployment(make_repo: Maker,
                                                      results_for: Results) -> None:
    pages = ("name: docs\non: push\njobs:\n  deploy:\n    runs-on: x\n    steps:\n"
             "      - run: sphinx-build docs build\n"
             "      - uses: peaceiris/actions-gh-pages@v3\n")
    rows = results_for(make_repo({".github/workflows/gh-pages.yaml": pages}), "FIN001")
    assert statuses(rows) == ["skip"] and "no deploy job in CI" in rows[0].message.en
