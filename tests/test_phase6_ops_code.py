"""OBS001, OBS002, OBS003, OBS005 and OBS008: what the code does about operations."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

PYPROJECT = '[project]\nname = "svc"\nversion = "0.1.0"\n'


def project(files: dict[str, str]) -> dict[str, str]:
    return {"pyproject.toml": PYPROJECT, "src/svc/__init__.py": "", **files}


def one(rows: list[Result], level: int | None = None) -> Result:
    picked = [r for r in rows if level is None or r.level == level]
    assert len(picked) == 1, [(r.status.value, r.message.en) for r in picked]
    return picked[0]


# -- OBS001 ----------------------------------------------------------------------------


def test_obs001_named_loggers_and_central_setup(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({
        "src/svc/logging_config.py": ("import logging\n\n"
                                      "def setup_logging(level='INFO'):\n"
                                      "    logging.basicConfig(level=level)\n"),
        "src/svc/train.py": "import logging\nlogger = logging.getLogger(__name__)\n",
    }))
    row = one(results_for(root, "OBS001"))
    assert row.status.value == "pass" and (row.path, row.line) == ("src/svc/logging_config.py", 3)
    assert "setup_logging()" in row.message.en
    assert (row.level, row.gate) == (1, False)


def test_obs001_loggers_without_setup_warn(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/train.py": (
        "import logging\nlog = logging.getLogger(__name__)\n")}))
    row = one(results_for(root, "OBS001"))
    assert row.status.value == "warn" and row.line == 2 and "no central" in row.message.en


def test_obs001_setup_without_named_loggers_warns(make_repo: Maker,
                                                  results_for: Results) -> None:
    root = make_repo(project({"src/svc/app.py": (
        "import logging\nlogging.basicConfig()\nlogging.info('hi')\n")}))
    row = one(results_for(root, "OBS001"))
    assert row.status.value == "warn" and "no module uses" in row.message.en


def test_obs001_print_only_fails(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/train.py": "print('training')\n",
                              "tests/test_x.py": "import logging\nlogging.getLogger(__name__)\n"}))
    assert statuses(results_for(root, "OBS001")) == ["fail"]


@pytest.mark.parametrize("files", [
    {"src/svc/log.py": ("from loguru import logger\nlogger.remove()\n"
                        "logger.add('app.log', serialize=True)\n")},
    {"src/svc/obs.py": ("import structlog\nstructlog.configure(processors=[])\n"
                        "log = structlog.get_logger()\n")},
    {"src/svc/a.py": "import logging\nlog = logging.getLogger(__name__)\n",
     "configs/logging.yaml": "version: 1\n"},
])
def test_obs001_loguru_structlog_and_config_files(make_repo: Maker, results_for: Results,
                                                  files: dict[str, str]) -> None:
    assert statuses(results_for(make_repo(project(files)), "OBS001")) == ["pass"]


def test_obs001_monorepo_shared_logger_counts(make_repo: Maker, results_for: Results) -> None:
    root = make_repo({
        "common_utils/logger.py": ("import logging\ndef setup_logging():\n"
                                   "    logging.basicConfig()\n"),
        "a/pyproject.toml": PYPROJECT, "a/src/a/__init__.py": "",
        "a/src/a/api.py": "import logging\nlog = logging.getLogger(__name__)\n",
        "b/pyproject.toml": PYPROJECT, "b/tests/test_b.py": "",
    })
    rows = results_for(root, "OBS001")
    assert [(r.project, r.status.value) for r in rows] == [("a", "pass"), ("b", "warn")]


# -- OBS002 ----------------------------------------------------------------------------

JSON_FORMATTER = """import json
import logging

class JSONFormatter(logging.Formatter):
    def format(self, record):
        data = {"level": record.levelname, "message": record.getMessage()}
        if hasattr(record, "request_id"):
            data["request_id"] = record.request_id
        return json.dumps(data)
"""


SERVICE = {"src/svc/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}


def test_obs002_json_formatter_and_request_id_pass(make_repo: Maker,
                                                   results_for: Results) -> None:
    root = make_repo(project({
        "src/svc/logging_config.py": JSON_FORMATTER,
        "src/svc/api.py": ("import logging\nlog = logging.getLogger(__name__)\n"
                           "def predict(rid):\n"
                           "    log.info('done', extra={'request_id': rid, 'model': 'v1'})\n"),
    }))
    row = one(results_for(root, "OBS002"))
    assert row.status.value == "pass" and row.weight == 2
    assert "JSONFormatter (json.dumps)" in row.message.en and "src/svc/api.py:4" in row.message.en


@pytest.mark.parametrize("files, status, fragment", [
    ({"src/svc/l.py": JSON_FORMATTER, **SERVICE}, "warn", "no request/correlation id"),
    ({"src/svc/ctx.py": ("import contextvars\n"
                         "request_id = contextvars.ContextVar('request_id', default='-')\n")},
     "warn", "logs are not JSON"),
    ({"src/svc/l.py": ("from pythonjsonlogger import jsonlogger\nimport structlog\n"
                       "structlog.contextvars.bind_contextvars(correlation_id='x')\n")},
     "pass", "pythonjsonlogger"),
    ({"src/svc/l.py": ("import structlog\nstructlog.configure(processors=["
                       "structlog.processors.JSONRenderer()])\n"
                       "log = structlog.get_logger().bind(trace_id='t')\n")},
     "pass", "structlog JSONRenderer"),
    ({"src/svc/l.py": ("from loguru import logger\nlogger.add('x.log', serialize=True)\n"
                       "with logger.contextualize(request_id='1'):\n    pass\n")},
     "pass", "loguru serialize=True"),
    ({"src/svc/f.py": ("import logging\nclass Ctx(logging.Filter):\n"
                       "    def filter(self, record):\n        record.request_id = '1'\n"
                       "        return True\n"),
      "logging.yaml": "formatters:\n  json:\n    (): pythonjsonlogger.jsonlogger.JsonFormatter\n"},
     "pass", "JSON formatter in logging config"),
    ({"src/svc/a.py": "from asgi_correlation_id import CorrelationIdMiddleware\n"}, "warn",
     "asgi-correlation-id"),
    ({"src/svc/a.py": "import logging\nlogging.getLogger(__name__).info('x')\n", **SERVICE},
     "fail", "neither JSON"),
    # no service: only the JSON half applies
    ({"src/svc/l.py": JSON_FORMATTER}, "pass", "serves no requests"),
    ({"src/svc/a.py": "import logging\nlogging.getLogger(__name__).info('x')\n"}, "fail",
     "logs are not JSON (logging is used in src/svc/a.py"),
])
def test_obs002_cases(make_repo: Maker, results_for: Results, files: dict[str, str],
                      status: str, fragment: str) -> None:
    row = one(results_for(make_repo(project(files)), "OBS002"))
    assert row.status.value == status and fragment in row.message.en, row.message.en


# -- OBS003 ----------------------------------------------------------------------------

METRICS_APP = """import time
from fastapi import FastAPI, Response
from prometheus_client import Counter, Gauge, Histogram, generate_latest

PREDICTIONS = Counter("predictions_total", "Predictions", ["model", "result"])
LATENCY = Histogram("prediction_latency_seconds", "Latency", ["model"],
                    buckets=[0.01, 0.05, 0.1, 0.5, 1.0])
{extra}
app = FastAPI()

@app.get("/metrics")
def metrics():
    return Response(generate_latest(), media_type="text/plain")
"""
ML_METRICS = """PROBA = Histogram("prediction_probability", "Probabilities", ["model"])
LOADED = Gauge("model_loaded", "Loaded", ["model", "version"])
ERRORS = Counter("prediction_errors_total", "Errors", labelnames=["model"])
"""


def test_obs003_level2_and_level3_pass(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": METRICS_APP.format(extra=ML_METRICS)}))
    rows = results_for(root, "OBS003")
    level2, level3 = one(rows, 2), one(rows, 3)
    assert level2.status.value == "pass" and level2.weight == 2
    assert "/metrics (src/svc/api.py:14)" in level2.message.en
    assert "prediction_latency_seconds" in level2.message.en
    assert level3.status.value == "pass" and level3.line == 8


def test_obs003_level3_missing_ml_metrics(make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo(project({"src/svc/api.py": METRICS_APP.format(extra="")})),
                       "OBS003")
    assert statuses(rows, 2) == ["pass"]
    level3 = one(rows, 3)
    assert level3.status.value == "fail"
    for missing in ("probability Histogram", "model_loaded Gauge", "error Counter"):
        assert missing in level3.message.en
    assert "labelled by model" not in level3.message.en  # the counter has a model label
    assert level3.message.es.startswith("faltan métricas de ML: un Histogram de predicciones")


def test_obs003_no_metrics_route_or_metrics(make_repo: Maker, results_for: Results) -> None:
    app = "from prometheus_client import Counter\nC = Counter('hits', 'h')\n"
    rows = results_for(make_repo(project({"src/svc/api.py": app})), "OBS003")
    level2 = one(rows, 2)
    assert level2.status.value == "fail"
    for missing in ("/metrics route", "latency Histogram", "predictions Counter"):
        assert missing in level2.message.en
    rows = results_for(make_repo(project({"src/svc/api.py": "x = 1\n"})), "OBS003")
    assert statuses(rows) == ["fail", "fail"]


@pytest.mark.parametrize("app", [
    ("from fastapi import FastAPI\nfrom prometheus_fastapi_instrumentator import Instrumentator\n"
     "app = FastAPI()\nInstrumentator().instrument(app).expose(app)\n"),
    ("from fastapi import FastAPI\nfrom prometheus_client import make_asgi_app, Histogram, "
     "Counter\napp = FastAPI()\napp.mount('/metrics', make_asgi_app())\n"
     "H = Histogram('request_duration_seconds', 'd')\nC = Counter('inference_total', 'i')\n"),
    ("from prometheus_client import start_http_server, Summary, Counter\n"
     "S = Summary('predict_time', 't')\nC = Counter('requests_total', 'r')\n"
     "start_http_server(9100)\n"),
])
def test_obs003_other_ways_to_expose_metrics(make_repo: Maker, results_for: Results,
                                            app: str) -> None:
    rows = results_for(make_repo(project({"src/svc/api.py": app})), "OBS003")
    assert statuses(rows, 2) == ["pass"], rows[0].message.en


# -- OBS005 ----------------------------------------------------------------------------

EVIDENTLY = """import json
import sys
from evidently.report import Report
from evidently.metric_preset import DataDriftPreset

def main(reference, current):
    report = Report(metrics=[DataDriftPreset()])
    report.run(reference_data=reference, current_data=current)
    report.save_html("artifacts/drift.html")
    result = report.as_dict()
    drift = result["metrics"][0]["result"]["dataset_drift"]
    json.dump(result, open("artifacts/drift.json", "w"))
    sys.exit(1 if drift else 0)
"""


@pytest.mark.parametrize("code, status, fragment", [
    (EVIDENTLY, "pass", "Evidently drift check writes a report and signals drift"),
    ("from scipy.stats import ks_2samp\ndef check(a, b):\n    return ks_2samp(a, b).pvalue\n",
     "warn", "writes no HTML/JSON report; does not signal drift"),
    ("import numpy as np\ndef calculate_psi(a, b):\n    return 0.1\n"
     "def run(a, b):\n    psi = calculate_psi(a, b)\n    return {'drift_detected': psi > 0.25}\n",
     "warn", "writes no HTML/JSON report"),
    ("import nannyml\nimport json\ndef run(x):\n    json.dump(x, open('o.json', 'w'))\n"
     "    raise SystemExit(2)\n", "pass", "NannyML"),
    ("from scipy.stats import ks_2samp\nimport json\ndef run(a, b):\n"
     "    recommend_retrain = ks_2samp(a, b).pvalue < 0.01\n"
     "    json.dump({'retrain': recommend_retrain}, open('o.json', 'w'))\n",
     "pass", "KS test"),
    ("import pandas as pd\n", "fail", "no drift detection"),
])
def test_obs005_drift_detection(make_repo: Maker, results_for: Results, code: str, status: str,
                                fragment: str) -> None:
    # a service: without one nothing is deployed and the rule is not applicable
    files = {"monitoring/check_drift.py": code,
             "serve/app.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    row = one(results_for(make_repo(project(files)), "OBS005"))
    assert row.status.value == status and fragment in row.message.en, row.message.en


def test_obs005_prefers_the_most_complete_drift_module(make_repo: Maker,
                                                       results_for: Results) -> None:
    root = make_repo(project({
        "monitoring/a_partial.py": "from scipy import stats\nstats.ks_2samp([1], [2])\n",
        "monitoring/b_full.py": EVIDENTLY,
    }))
    row = one(results_for(root, "OBS005"))
    assert (row.status.value, row.path) == ("pass", "monitoring/b_full.py")


# -- OBS008 ----------------------------------------------------------------------------


def test_obs008_tracing_is_informational(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/trace.py": (
        "from opentelemetry.instrumentation.fastapi import FastAPIInstrumentor\n")}))
    row = one(results_for(root, "OBS008"))
    assert row.status.value == "pass" and row.weight == 0 and row.severity == "info"
    row = one(results_for(make_repo(project({})), "OBS008"))
    assert row.status.value == "skip" and "optional" in row.message.en
