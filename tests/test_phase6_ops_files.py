"""OBS004, OBS006, OBS007 and FIN001: monitoring files, schedules, runbooks and costs."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import check_repo, maturity_of, statuses
from mlops_lint.catalog import Catalog
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

SCRAPE = """global:
  scrape_interval: 15s
scrape_configs:
  - job_name: churn-api
    static_configs:
      - targets: ["api:8000"]
    metrics_path: /metrics
"""
RULES = """groups:
  - name: ml-service-alerts
    rules:
      - alert: HighPredictionLatency
        expr: histogram_quantile(0.99, rate(prediction_latency_seconds_bucket[5m])) > 0.2
        for: 5m
        labels:
          severity: warning
        annotations:
          runbook_url: https://docs.example.com/runbooks/high-latency
      - alert: ServiceDown
        expr: up == 0
        labels:
          severity: critical
      - record: job:rate5m
        expr: rate(x[5m])
"""
DASHBOARD = {"dashboard": {"title": "API", "panels": [
    {"title": "P99 latency", "targets": [{"expr": "histogram_quantile(0.99, x)"}]},
    {"type": "row", "panels": [
        {"title": "Requests per second", "targets": [{"expr": "rate(predictions_total[5m])"}]},
        {"title": "Error rate", "targets": [{"expr": 'rate(http_requests_total{status=~"5.."}'
                                                     '[5m])'}]}]},
]}}


def one(rows: list[Result], level: int | None = None) -> Result:
    picked = [r for r in rows if level is None or r.level == level]
    assert len(picked) == 1, [(r.status.value, r.message.en) for r in picked]
    return picked[0]


# -- OBS004 ----------------------------------------------------------------------------


def test_obs004_alert_without_for_and_runbook_is_reported_with_its_line(
        make_repo: Maker, results_for: Results) -> None:
    root = make_repo({
        "infra/prometheus-config.yaml": SCRAPE,
        "infra/prometheus-rules.yaml": RULES,
        "grafana/dashboards/api.json": json.dumps(DASHBOARD),
    })
    rows = results_for(root, "OBS004")
    found = sorted((r.status.value, r.path, r.line, r.message.en) for r in rows)
    assert found == [
        ("fail", "infra/prometheus-rules.yaml", 11,
         "alert ServiceDown lacks for:, annotations.runbook_url"),
        ("pass", "grafana/dashboards/api.json", None,
         "Grafana dashboard with latency, throughput and error-rate panels"),
        ("pass", "infra/prometheus-config.yaml", None,
         "Prometheus scrape config: churn-api (/metrics)"),
        ("pass", "infra/prometheus-rules.yaml", 4,
         "1 actionable alert(s) (for, severity, runbook_url)"),
    ]


def test_obs004_nothing_fails_each_component(make_repo: Maker, results_for: Results) -> None:
    service = {"README.md": "# x\n",
               "serve/app.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    rows = results_for(make_repo(service), "OBS004")
    assert statuses(rows) == ["fail", "fail", "fail"]
    assert any("no Grafana dashboard" in r.message.en for r in rows)


def test_obs004_configmap_prometheusrule_and_partial_dashboard(make_repo: Maker,
                                                               results_for: Results) -> None:
    configmap = ("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: prom}\ndata:\n"
                 "  prometheus.yml: |\n    scrape_configs:\n      - job_name: api\n")
    rule = ("apiVersion: monitoring.coreos.com/v1\nkind: PrometheusRule\nmetadata: {name: r}\n"
            "spec:\n  groups:\n    - name: g\n      rules:\n        - alert: Drift\n"
            "          expr: ml_drift_score > 0.15\n          for: 15m\n"
            "          labels: {severity: warning}\n"
            "          annotations: {runbook_url: docs/runbooks/data-drift.md}\n")
    partial = {"panels": [{"title": "Latency p95"}]}
    root = make_repo({"k8s/prometheus.yaml": configmap, "k8s/rules.yaml": rule,
                      "monitoring/board.json": json.dumps(partial),
                      "charts/x/templates/cm.yaml": "scrape_configs: {{ .Values.x }}\n"})
    rows = {r.message.en: r for r in results_for(root, "OBS004")}
    assert rows["Prometheus scrape config: api (/metrics)"].status.value == "pass"
    alert = rows["1 actionable alert(s) (for, severity, runbook_url)"]
    assert (alert.path, alert.line) == ("k8s/rules.yaml", 8)
    assert rows["dashboard lacks error rate, throughput panels"].status.value == "fail"


# -- OBS006 ----------------------------------------------------------------------------

DRIFT_WORKFLOW = """name: Drift Detection
on:
  schedule:
    - cron: '0 2 * * *'
  workflow_dispatch:
jobs:
  check-drift:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: python monitoring/check_drift.py --reference a.csv --current b.csv
      - uses: actions/upload-artifact@v4
        with: {name: drift-report, path: artifacts/drift/}
"""


def test_obs006_scheduled_drift_with_upload_passes(make_repo: Maker,
                                                    results_for: Results) -> None:
    root = make_repo({".github/workflows/drift.yml": DRIFT_WORKFLOW})
    row = one(results_for(root, "OBS006"))
    assert row.status.value == "pass" and row.line == 7
    assert "cron 0 2 * * *" in row.message.en


def test_obs006_drift_script_found_by_obs005_counts(make_repo: Maker,
                                                    results_for: Results) -> None:
    workflow = DRIFT_WORKFLOW.replace("monitoring/check_drift.py", "ops/monitor.py").replace(
        "name: Drift Detection", "name: Nightly").replace("check-drift", "nightly")
    retrain = ("name: Retrain\non:\n  workflow_dispatch:\n    inputs:\n      reason: {}\n"
               "jobs:\n  t:\n    runs-on: x\n    steps:\n      - uses: iterative/setup-cml@v2\n")
    root = make_repo({".github/workflows/nightly.yml": workflow,
                      ".github/workflows/retrain.yml": retrain,
                      "ops/monitor.py": "from scipy.stats import ks_2samp\nks_2samp([1], [2])\n"})
    row = one(results_for(root, "OBS006"))
    assert row.status.value == "pass" and "retrain workflow" in row.message.en
    assert "CML reports" in row.message.en


def test_obs006_warn_and_fail_cases(make_repo: Maker, results_for: Results) -> None:
    no_upload = DRIFT_WORKFLOW.split("      - uses: actions/upload-artifact")[0]
    row = one(results_for(make_repo({".github/workflows/d.yml": no_upload}), "OBS006"))
    assert row.status.value == "warn" and "does not upload" in row.message.en
    other = ("on:\n  schedule:\n    - cron: '0 0 * * 0'\njobs:\n  clean:\n    runs-on: x\n"
             "    steps:\n      - run: make clean\n")
    image = {"Dockerfile": "FROM python:3.12-slim\n",  # something is deployed,
             "app/score.py": "import joblib\nMODEL = joblib.load('model.joblib')\n"}  # a model
    row = one(results_for(make_repo({".github/workflows/c.yml": other, **image}), "OBS006"))
    assert row.status.value == "fail" and "do not run drift" in row.message.en
    row = one(results_for(make_repo({"README.md": "x", **image}), "OBS006"))
    assert row.status.value == "fail" and "no scheduled workflow" in row.message.en


def test_obs006_kubernetes_cronjob_running_drift(make_repo: Maker, results_for: Results) -> None:
    cron = ("apiVersion: batch/v1\nkind: CronJob\nmetadata: {name: drift}\nspec:\n"
            "  schedule: '0 3 * * *'\n  jobTemplate:\n    spec:\n      template:\n        spec:\n"
            "          containers:\n            - name: d\n              image: 'x:1'\n"
            "              command: [python, check_drift.py]\n")
    row = one(results_for(make_repo({"k8s/cron.yaml": cron}), "OBS006"))
    assert (row.status.value, row.path, row.line) == ("pass", "k8s/cron.yaml", 2)
    assert row.message.en == "CronJob drift runs drift detection"


# -- OBS007 ----------------------------------------------------------------------------

RUNBOOK = """# 🚨 Runbook: HighPredictionLatency

## Resumen
| Campo | Valor |
|-------|-------|
| Alerta | `HighPredictionLatency` |
| Severidad | Warning |
| Impacto | UX degradada |
| Owner | @ml-platform-team |

## Diagnóstico Rápido (< 2 min)
1. kubectl top pods

## Causas Comunes y Soluciones
### Causa 1: modelo grande

## Escalación
- Si > 30 min: escalar
"""


def test_obs007_runbooks(make_repo: Maker, results_for: Results) -> None:
    english = ("# Runbook\n## Summary\nSeverity: critical. Impact: outage. On-call: @ops\n"
               "## Diagnosis\n## Common causes\n## Escalation\n")
    root = make_repo({
        "docs/runbooks/README.md": "# Index\n",
        "docs/runbooks/high-latency.md": RUNBOOK,
        "docs/runbooks/service-down.md": english,
        "docs/runbooks/data-drift.md": "# Drift\n## Resumen\nAlgo\n## Diagnóstico\n",
        "docs/runbooks/disk-full.md": RUNBOOK.replace("| Owner | @ml-platform-team |\n", ""),
        "infra/rules.yaml": RULES,
    })
    rows = {r.path: r for r in results_for(root, "OBS007")}
    assert set(rows) == {"docs/runbooks/high-latency.md", "docs/runbooks/service-down.md",
                         "docs/runbooks/data-drift.md", "docs/runbooks/disk-full.md"}
    assert rows["docs/runbooks/high-latency.md"].status.value == "pass"
    assert "4 runbook(s) for 2 alert(s)" in rows["docs/runbooks/high-latency.md"].message.en
    assert rows["docs/runbooks/service-down.md"].status.value == "pass"
    drift = rows["docs/runbooks/data-drift.md"]
    assert drift.status.value == "fail"
    assert drift.message.en == "runbook lacks sections: Common causes, Escalation"
    assert drift.message.es == "al runbook le faltan secciones: Causas comunes, Escalación"
    disk = rows["docs/runbooks/disk-full.md"]
    assert disk.status.value == "warn" and "owner" in disk.message.en and disk.line == 3


def test_obs007_no_runbooks_fails(make_repo: Maker, results_for: Results) -> None:
    row = one(results_for(make_repo({"docs/runbooks/README.md": "# x\n"}), "OBS007"))
    assert row.status.value == "fail" and "no runbooks" in row.message.en


def test_obs007_root_runbook_file(make_repo: Maker, results_for: Results) -> None:
    row = one(results_for(make_repo({"RUNBOOK.md": RUNBOOK}), "OBS007"))
    assert (row.status.value, row.path) == ("pass", "RUNBOOK.md")


# -- FIN001 ----------------------------------------------------------------------------

BUDGET_TF = """provider "aws" {
  default_tags {
    tags = {
      Project     = "churn"
      Environment = var.env
      ManagedBy   = "terraform"
    }
  }
}
resource "aws_budgets_budget" "monthly" {
  name         = "ml-monthly"
  limit_amount = "50"
}
"""


@pytest.mark.parametrize("files, status, kinds", [
    ({"infra/main.tf": BUDGET_TF}, "pass", ["budget alerts", "cost-allocation tags"]),
    ({"docs/costs.md": "# Cost analysis\n| Item | Monthly |\n|---|---|\n| Cloud Run | $12 |\n",
      "k8s/hpa.yaml": "apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\n"
                      "metadata: {name: api}\n"},
     "pass", ["autoscaling", "cost analysis"]),
    ({".github/workflows/deploy.yml": "on: push\njobs:\n  d:\n    runs-on: x\n    steps:\n"
                                      "      - run: gcloud run deploy api --min-instances=0 "
                                      "--max-instances 5\n"},
     "pass", ["autoscaling", "scale-to-zero"]),
    ({"infra/run.tf": 'resource "google_cloud_run_v2_service" "s" {\n  template {\n'
                      '    scaling {\n      min_instance_count = 0\n    }\n  }\n}\n'},
     "warn", ["scale-to-zero"]),
    ({"k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"
                         "  labels: {team: ml, environment: prod}\n",
      "serverless.yml": "service: x\n"}, "pass", ["cost-allocation tags", "scale-to-zero"]),
    ({"cfn/budget.yaml": "Resources:\n  Budget:\n    Type: AWS::Budgets::Budget\n",
      "k8s/keda.yaml": "apiVersion: keda.sh/v1alpha1\nkind: ScaledObject\n"
                       "metadata: {name: w}\nspec: {minReplicaCount: 0}\n"},
     "pass", ["budget alerts", "scale-to-zero", "autoscaling"]),
    ({"knative/service.yaml": "apiVersion: serving.knative.dev/v1\nkind: Service\n"
                              "metadata: {name: api}\nspec:\n  template:\n    metadata:\n"
                              "      annotations:\n        autoscaling.knative.dev/minScale: '0'\n"
                              "        autoscaling.knative.dev/maxScale: '10'\n"},
     "pass", ["scale-to-zero", "autoscaling"]),
    ({"docs/notes.md": "# Notes\nIt costs $5 per month.\n", "infra/broken.tf": "resource {{{",
      "k8s/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: api\n"},
     "fail", []),
])
def test_fin001_evidence(make_repo: Maker, results_for: Results, files: dict[str, str],
                         status: str, kinds: list[str]) -> None:
    rows = results_for(make_repo(files), "FIN001")
    row = one([r for r in rows if r.status.value != "skip"])
    assert row.status.value == status, row.message.en
    for kind in kinds:
        assert kind in row.message.en
    unread = [r.path for r in rows if r.status.value == "skip"]
    assert unread == [p for p in files if p.endswith(".tf") and "{{{" in files[p]]


SAGEMAKER_TF = """resource "aws_sagemaker_endpoint_configuration" "c" {
  production_variants {
    model_name = "m"
    serverless_config {
      memory_size_in_mb = 2048
      max_concurrency   = 5%s
    }
  }
}
"""


def test_fin001_sagemaker_serverless_scales_to_zero(make_repo: Maker,
                                                    results_for: Results) -> None:
    # a SageMaker serverless endpoint scales to zero when idle, unless provisioned
    # concurrency keeps instances warm
    rows = results_for(make_repo({"infra/main.tf": SAGEMAKER_TF % ""}), "FIN001")
    assert [(r.status.value, r.path, r.line) for r in rows] == [("warn", "infra/main.tf", 1)]
    assert "scale-to-zero: aws_sagemaker_endpoint_configuration.c serverless_config" in \
        rows[0].message.en
    warm = SAGEMAKER_TF % "\n      provisioned_concurrency = 2"
    rows = results_for(make_repo({"infra/main.tf": warm}), "FIN001")
    assert [r.status.value for r in rows] == ["fail"]


# -- phase 6 end to end ----------------------------------------------------------------


PLAIN_LOGGING = {"pyproject.toml": '[project]\nname = "svc"\n', "src/svc/__init__.py": "",
                 "src/svc/log.py": ("import logging\nlog = logging.getLogger(__name__)\n"
                                    "def setup_logging():\n    logging.basicConfig()\n")}
METRICS = ("from fastapi import FastAPI\n"
           "from prometheus_fastapi_instrumentator import Instrumentator\n"
           "app = FastAPI()\nInstrumentator().instrument(app).expose(app)\n")
BARE_TERRAFORM = 'terraform {\n  required_version = ">= 1.5"\n}\n'


def test_phase6_level1_is_observability_beyond_plain_logging(make_repo: Maker,
                                                              catalog: Catalog) -> None:
    # levels.md, phase 6: level 1 is one of Terraform, Kubernetes or observability beyond
    # plain logging; plain logging alone is level 0.
    root = make_repo(PLAIN_LOGGING)
    phase6 = maturity_of(root, catalog, check_repo(root, catalog)).phases[5]
    assert (phase6.level, phase6.presence) == (0, ())
    root = make_repo({**PLAIN_LOGGING, "src/svc/api.py": METRICS})
    phase6 = maturity_of(root, catalog, check_repo(root, catalog)).phases[5]
    assert phase6.level >= 1
    assert [(e.artefact, e.ref) for e in phase6.presence] == [("observability", "OBS003")]
    root = make_repo({**PLAIN_LOGGING, "infra/main.tf": BARE_TERRAFORM})
    phase6 = maturity_of(root, catalog, check_repo(root, catalog)).phases[5]
    assert phase6.level >= 1 and ("terraform", "file") in {
        (e.artefact, e.kind) for e in phase6.presence}
    # Only the criteria of the artefacts present count: no Kubernetes criterion here.
    assert not any(c.rule.startswith("K8S") for d in phase6.details for c in d.criteria)


@pytest.mark.xfail(strict=True, reason="one basic artefact reaches level 2 on the partial "
                   "credit of its own criteria; a 'one thorough' ratio requirement was tried "
                   "and the calibration corpus contradicts it (a hand-L2 Terraform module at "
                   "43 %, a hand-L1 one at 58 %): see benchmarks/calibration/README.md")
@pytest.mark.parametrize("extra", [{"src/svc/api.py": METRICS},
                                   {"infra/main.tf": BARE_TERRAFORM}],
                         ids=["metrics-endpoint", "bare-terraform"])
def test_phase6_one_basic_artefact_is_level_1_by_the_rubric(
        make_repo: Maker, catalog: Catalog, extra: dict[str, str]) -> None:
    # levels.md, phase 6: 2 = two of Terraform/Kubernetes/observability reasonably
    # configured, or one thorough; a bare instrumentator, or a terraform block with nothing
    # but required_version, next to plain logging is basic form.
    root = make_repo({**PLAIN_LOGGING, **extra})
    assert maturity_of(root, catalog, check_repo(root, catalog)).phases[5].level == 1


# -- robustness ------------------------------------------------------------------------

TYPE_CONFUSED = {
    "pyproject.toml": 'tool = 3\n[project]\nname = "x"\ndependencies = 5\n'
                      'optional-dependencies = "dev"\n',
    "environment.yml": "dependencies:\n  - {pip: 7}\n  - 12\n",
    "docker-compose.yml": "services:\n  api:\n    build: .\n    healthcheck: [curl]\n"
                          "    command: 5\n  db: [1, 2]\n",
    "deploy/task.json": '{"containerDefinitions": {"name": "api"}}',
    "task2.json": '{"containerDefinitions": [1, {"healthCheck": [1]}]}',
    "serverless.yml": "functions: 3\n",
    "grafana/board.json": '{"panels": 3, "rows": [{"panels": [{"targets": 4}]}]}',
    "monitoring/rules.yml": "groups:\n  - name: g\n    rules:\n      - alert: A\n"
                            "        labels: [x]\n        annotations: 3\n      - 5\n  - 7\n",
    "monitoring/prometheus.yml": "scrape_configs: [1, {job_name: [a]}]\n",
    ".github/workflows/d.yml": "on: {schedule: 5}\njobs: {a: {steps: [{run: 3}]}}\n",
    ".github/workflows/e.yml": "on: {schedule: [{cron: 5}, 3]}\njobs: 4\n",
    "fly.toml": "checks = 3\n",
    "docs/runbooks/x.md": "# x\n## Resumen\n",
    "infra/main.tf": 'provider "aws" {\n  default_tags = 3\n}\n',
    "k8s/a.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: 3\nspec: {template: "
                  "{spec: {containers: [{name: a, readinessProbe: {httpGet: 5}}]}}}\n",
    "reports/x_stats.csv": "Type,Name,95%\n,Aggregated,abc\n",
    "src/x/__init__.py": "",
    "src/x/api.py": ("from fastapi import FastAPI, APIRouter\nrouter = APIRouter(prefix=5)\n"
                     "app = FastAPI(title=1, version=2, docs_url=None)\n"
                     "app.include_router()\napp.include_router(router, prefix=f'{x}')\n"
                     "app.add_middleware()\napp.mount()\n@app.get()\ndef a():\n    pass\n"
                     "@app.post(123)\ndef predict(x: 'not valid python (') -> 'Q[':\n"
                     "    pass\n@router.api_route('/predict', methods='POST')\n"
                     "def b(*args, **kw):\n    eval(kw)\n"),
}


def test_type_confused_files_never_crash_the_checks(make_repo: Maker, catalog: Catalog) -> None:
    root = make_repo(TYPE_CONFUSED)
    results = check_repo(root, catalog, ["API", "DASH", "DEP", "SEC006", "OBS", "FIN"])
    errors = [(r.rule, r.message.en) for r in results if r.status.value == "error"]
    assert not errors
    assert {r.rule for r in results} >= {"API001", "DEP002", "OBS004", "OBS006", "FIN001"}
