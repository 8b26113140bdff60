"""OBS001 and OBS005 say what fits the project: a library is advised to log, not to
configure logging; the drift finding reports on the best detector of the project and
counts metrics stored for a Grafana dashboard as its output."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

LIBRARY_TOML = ('[project]\nname = "labelfix"\nversion = "1.0"\n'
                'classifiers = ["Programming Language :: Python :: 3"]\n')
CODE = "import warnings\n\ndef find_issues(labels):\n    warnings.warn('few labels')\n"


def test_a_library_is_advised_a_null_handler(make_repo: Maker, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": LIBRARY_TOML, "labelfix/__init__.py": "",
                      "labelfix/filter.py": CODE,
                      ".github/get_deps.py": "if __name__ == '__main__':\n    print(1)\n"})
    found = results_for(root, "OBS001")
    assert statuses(found) == ["fail"]
    assert "a library" in found[0].message.en
    assert "NullHandler" in found[0].fix.en and "dictConfig" not in found[0].fix.en


def test_a_library_with_named_loggers_needs_no_setup(make_repo: Maker,
                                                     results_for: Results) -> None:
    code = "import logging\nlogger = logging.getLogger(__name__)\n"
    root = make_repo({"pyproject.toml": LIBRARY_TOML, "labelfix/__init__.py": "",
                      "labelfix/filter.py": code})
    found = results_for(root, "OBS001")
    assert statuses(found) == ["pass"]
    assert "left to the application" in found[0].message.en


def test_a_program_is_advised_a_central_setup(make_repo: Maker, results_for: Results) -> None:
    for extra in ({"labelfix/cli.py": "if __name__ == '__main__':\n    print(1)\n"},
                  {"pyproject.toml": LIBRARY_TOML + '[project.scripts]\nfix = "labelfix:main"\n'},
                  {"pyproject.toml": '[project]\nname = "svc"\nversion = "0.1"\n'}):
        files = {"pyproject.toml": LIBRARY_TOML, "labelfix/__init__.py": "",
                 "labelfix/filter.py": CODE, **extra}
        found = results_for(make_repo(files), "OBS001")
        assert statuses(found) == ["fail"], extra
        assert "NullHandler" not in found[0].fix.en, extra


PYPROJECT = '[project]\nname = "svc"\nversion = "0.1.0"\n'
TO_DATABASE = """\
from evidently.report import Report
import psycopg

def calculate(conn, result):
    prediction_drift = result['metrics'][0]['result']['drift_score']
    with conn.cursor() as curr:
        curr.execute("insert into metrics(prediction_drift) values (%s)", (prediction_drift,))
"""
TO_HTML = """\
from evidently.report import Report

def monitor(report):
    report.save_html('drift_report.html')
"""
DASHBOARD = '{"title": "drift", "panels": [{"title": "prediction drift"}]}\n'


def test_drift_reports_the_best_detector(make_repo: Maker, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": PYPROJECT,
                      "a_monitoring/metrics.py": TO_DATABASE,
                      "a_monitoring/dashboards/drift.json": DASHBOARD,
                      "b_cohort/monitoring.py": TO_HTML})
    found = results_for(root, "OBS005")
    assert statuses(found) == ["warn"]
    message = found[0].message.en
    # reading drift_score from a result is no drift signal; storing it for a dashboard is
    # an output
    assert "best of 2 drift modules" in message
    assert "Grafana dashboard a_monitoring/dashboards/drift.json" in message
    assert "none signals drift" in message
    assert "writes no HTML/JSON report" not in message


def test_metrics_stored_without_a_dashboard_are_no_report(make_repo: Maker,
                                                          results_for: Results) -> None:
    root = make_repo({"pyproject.toml": PYPROJECT, "monitoring/metrics.py": TO_DATABASE})
    found = results_for(root, "OBS005")
    assert statuses(found) == ["warn"]
    assert "writes no HTML/JSON report; does not signal drift" in found[0].message.en
