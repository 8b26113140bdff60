"""Phase 3 test-suite rules: TEST001-TEST009 on small generated projects."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

from conftest import check_repo
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config, Thresholds
from mlops_lint.model import Result
from test_phase3_ml import messages, verdict

Build = Callable[..., Path]
Results = Callable[..., list[Result]]

PYTEST_CFG = '[tool.pytest.ini_options]\ntestpaths = ["tests"]\n'


def pyproject(extra: str = PYTEST_CFG, dev: Iterable[str] = ("pytest>=8", "pytest-cov>=5"),
              name: str = "demo") -> str:
    return (f'[project]\nname = "{name}"\nversion = "0.1.0"\ndependencies = []\n'
            f"[project.optional-dependencies]\ndev = {json.dumps(list(dev))}\n{extra}")


def many_tests(count: int, prefix: str = "test_case") -> str:
    return "".join(f"def {prefix}_{i}():\n    assert {i} == {i}\n\n\n" for i in range(count))


def repo(make_repo: Build, files: dict[str, str], extra: str = PYTEST_CFG,
         dev: Iterable[str] = ("pytest>=8", "pytest-cov>=5")) -> Path:
    return make_repo({"pyproject.toml": pyproject(extra, dev), "src/demo/__init__.py": "",
                      **files})


def levels(results: list[Result], wanted: Iterable[int] = (1, 2, 3)) -> dict[int, str]:
    return {level: verdict(results, level) for level in wanted}


# -- TEST001 ------------------------------------------------------------------------------


def test_test001_counts_functions_and_class_methods(make_repo: Build,
                                                    results_for: Results) -> None:
    classes = """\
import unittest


class TestThing:
    def test_a(self):
        assert True

    def test_b(self):
        assert True

    def helper(self):
        pass


class TestNotCollected:
    def __init__(self):
        pass

    def test_never(self):
        assert True


class LegacyCase(unittest.TestCase):
    def test_legacy(self):
        self.assertTrue(True)


def helper():
    pass
"""
    root = repo(make_repo, {"tests/test_a.py": many_tests(5), "tests/test_b.py": classes,
                            "tests/unit/model_test.py": many_tests(2, "test_unit"),
                            "tests/helpers.py": many_tests(4)})
    results = results_for(root, "TEST001")
    assert levels(results, (1, 3)) == {1: "pass", 3: "fail"}, messages(results)
    assert results[0].message.en.startswith("10 tests in 3 files")


def test_test001_below_minimum_and_ideal(make_repo: Build, results_for: Results) -> None:
    results = results_for(repo(make_repo, {"tests/test_a.py": many_tests(9)}), "TEST001")
    assert levels(results, (1, 3)) == {1: "fail", 3: "fail"}
    results = results_for(repo(make_repo, {"tests/test_a.py": many_tests(30)}), "TEST001")
    assert levels(results, (1, 3)) == {1: "pass", 3: "pass"}


def test_test001_needs_pytest_config_with_existing_testpaths(make_repo: Build,
                                                             results_for: Results) -> None:
    files = {"tests/test_a.py": many_tests(12)}
    results = results_for(repo(make_repo, files, extra=""), "TEST001")
    assert verdict(results, 1) == "fail" and "no pytest configuration" in results[0].message.en
    results = results_for(repo(make_repo, files, extra="[tool.pytest.ini_options]\n"
                               "addopts = '-q'\n"), "TEST001")
    assert verdict(results, 1) == "fail" and "sets no testpaths" in results[0].message.en
    results = results_for(repo(make_repo, {**files, "test/test_b.py": many_tests(1)},
                               extra='[tool.pytest.ini_options]\ntestpaths = ["tests", '
                                     '"integration"]\n'), "TEST001")
    assert verdict(results, 1) == "fail" and "integration" in results[0].message.en


def test_test001_pytest_precedence_and_overrides(make_repo: Build,
                                                 results_for: Results) -> None:
    files = {"tests/test_a.py": many_tests(6), "checks/check_b.py": many_tests(6, "check"),
             "pytest.ini": "[pytest]\ntestpaths = checks\npython_files = check_*.py\n"
                           "python_functions = check_*\npython_classes = *Suite\n"}
    results = results_for(repo(make_repo, files), "TEST001")
    assert verdict(results, 1) == "fail"  # pytest.ini wins: only checks/ with 6 checks
    assert results[0].message.en.startswith("6 tests")
    for name, body in (("setup.cfg", "[tool:pytest]\ntestpaths = tests\n"),
                       ("tox.ini", "[pytest]\ntestpaths = tests\n")):
        root = repo(make_repo, {"tests/test_a.py": many_tests(10), name: body}, extra="")
        assert verdict(results_for(root, "TEST001"), 1) == "pass", name


def test_test001_unparsable_test_file_warns(make_repo: Build, results_for: Results) -> None:
    root = repo(make_repo, {"tests/test_a.py": many_tests(10),
                            "tests/test_broken.py": "def test_x(:\n    pass\n"})
    results = results_for(root, "TEST001")
    warn = [r for r in results if r.status.value == "warn"]
    assert warn and warn[0].path == "tests/test_broken.py" and warn[0].line == 1
    assert verdict(results, 1) == "warn"


def test_test001_min_tests_threshold_is_configurable(make_repo: Build, catalog: Catalog) -> None:
    root = repo(make_repo, {"tests/test_a.py": many_tests(5)})
    config = Config(thresholds=Thresholds(**{"min-tests": (5, 8)}))
    results = check_repo(root, catalog, ("TEST001",), config)
    assert levels(results, (1, 3)) == {1: "pass", 3: "fail"}


def test_test001_tests_outside_default_discovery_warn(make_repo: Build,
                                                      results_for: Results) -> None:
    """``test.py`` with test functions: tests exist, but pytest's default discovery
    (test_*.py, *_test.py) does not collect the file."""
    code = ("import os\n\n\ndef test_model_file():\n    assert os.path.exists('m.pkl')\n\n\n"
            "def helper():\n    return 1\n")
    root = make_repo({"train.py": "print('train')\n", "test.py": code})
    results = results_for(root, "TEST001")
    assert levels(results, (1, 3)) == {1: "warn", 3: "fail"}, messages(results)
    text = messages(results)
    assert "no Python tests" not in text
    assert "test.py defines 1 test function (test_model_file)" in text
    assert "pytest's default discovery (test_*.py, *_test.py) does not collect" in text
    assert results[0].path == "test.py" and results[0].line == 4
    assert "no recoge" in results[0].message.es
    # a file that is not a test file, or test_* functions without assertions: no tests
    root = make_repo({"test.py": "def test_model_file():\n    print('ok')\n"})
    assert "no Python tests" in messages(results_for(root, "TEST001"))


# -- a repository without any Python test ---------------------------------------------------


def test_repo_without_tests(make_repo: Build, catalog: Catalog) -> None:
    root = repo(make_repo, {"src/demo/model.py": "import joblib\n\nMODEL = joblib.load('m')\n"
                            "\n\ndef predict(x):\n    return MODEL.predict(x)\n"})
    results = check_repo(root, catalog, ("TEST",))
    by_rule: dict[str, dict[int, str]] = {}
    for rule in sorted({r.rule for r in results}):
        rows = [r for r in results if r.rule == rule]
        by_rule[rule] = {lvl: verdict(rows, lvl) for lvl in sorted({r.level for r in rows})}
    assert by_rule == {
        "TEST001": {1: "fail", 3: "fail"}, "TEST002": {2: "fail"},
        "TEST003": {1: "fail", 2: "fail", 3: "fail"},
        "TEST004": {1: "skip", 2: "skip", 3: "skip"}, "TEST005": {2: "fail"},
        "TEST006": {2: "fail"}, "TEST007": {2: "fail", 3: "fail"},
        "TEST008": {2: "skip", 3: "fail"}, "TEST009": {3: "skip"},  # nothing deployed
    }
    first = next(r for r in results if r.rule == "TEST001")
    assert "no Python tests" in first.message.en and not first.gate  # level 1: no gate


# -- TEST002 ------------------------------------------------------------------------------

CONFTEST = """\
import numpy as np
import pandas as pd
import pytest


@pytest.fixture
def sample_data():
    rng = np.random.default_rng(42)
    return pd.DataFrame({"a": rng.normal(size=20), "b": rng.integers(0, 2, size=20)})
"""


def test_test002_conftest_with_seeded_fixture(make_repo: Build, results_for: Results) -> None:
    results = results_for(repo(make_repo, {"tests/conftest.py": CONFTEST}), "TEST002")
    assert verdict(results) == "pass" and results[0].line == 7


def test_test002_unseeded_random_warns(make_repo: Build, results_for: Results) -> None:
    code = CONFTEST.replace("np.random.default_rng(42)", "np.random.default_rng()")
    results = results_for(repo(make_repo, {"tests/conftest.py": code}), "TEST002")
    assert verdict(results) == "warn" and results[0].line == 8
    legacy = ("from pytest import fixture\nimport numpy as np\n\n\n@fixture(scope='session')\n"
              "def x():\n    return np.random.rand(10)\n")
    assert verdict(results_for(repo(make_repo, {"tests/conftest.py": legacy}),
                               "TEST002")) == "warn"
    seeded = legacy.replace("    return", "    np.random.seed(0)\n    return")
    assert verdict(results_for(repo(make_repo, {"tests/conftest.py": seeded}),
                               "TEST002")) == "pass"


def test_test002_missing_or_empty_conftest(make_repo: Build, results_for: Results) -> None:
    results = results_for(repo(make_repo, {"tests/test_a.py": many_tests(1)}), "TEST002")
    assert verdict(results) == "fail" and "no conftest.py" in results[0].message.en
    results = results_for(repo(make_repo, {"tests/conftest.py": "import pytest\n"}), "TEST002")
    assert verdict(results) == "fail" and "defines no @pytest.fixture" in results[0].message.en


# -- TEST003 ------------------------------------------------------------------------------


def test_test003_addopts_threshold(make_repo: Build, results_for: Results) -> None:
    extra = PYTEST_CFG + 'addopts = "-q --cov=src/demo --cov-fail-under=80"\n'
    results = results_for(repo(make_repo, {}, extra), "TEST003")
    assert levels(results) == {1: "pass", 2: "pass", 3: "fail"}, messages(results)
    assert results[0].path == "pyproject.toml" and results[0].line == 7
    assert "CI does not enforce it" in results[0].message.en


def test_test003_threshold_only_in_ci(make_repo: Build, results_for: Results) -> None:
    workflow = """\
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: |
          pip install -e ".[dev]"
          python -m pytest --cov=demo --cov-report=xml --cov-fail-under=85
"""
    root = repo(make_repo, {".github/workflows/ci.yml": workflow})
    results = results_for(root, "TEST003")
    assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}, messages(results)
    assert results[0].path == ".github/workflows/ci.yml" and results[0].line == 7
    assert "enforced in CI at .github/workflows/ci.yml:7" in results[0].message.en


def test_test003_coverage_config_files(make_repo: Build, results_for: Results) -> None:
    cases = {
        "pyproject": ({}, PYTEST_CFG + "[tool.coverage.run]\nsource = ['demo']\n"
                          "[tool.coverage.report]\nfail_under = 85\n"),
        "coveragerc": ({".coveragerc": "[run]\nsource = src/demo\n[report]\nfail_under = 85\n"},
                       PYTEST_CFG),
        "setup.cfg": ({"setup.cfg": "[coverage:run]\nsource = demo\n[coverage:report]\n"
                                    "fail_under = 85\n"}, PYTEST_CFG),
    }
    for name, (files, extra) in cases.items():
        results = results_for(repo(make_repo, files, extra), "TEST003")
        assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}, (name, messages(results))


def test_test003_makefile_and_enforcement_through_make(make_repo: Build,
                                                      results_for: Results) -> None:
    makefile = ("PYTEST = python -m pytest\n\ntest:\n"
                "\t$(PYTEST) --cov=src/demo --cov-fail-under=75\n")
    workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: make test\n")
    results = results_for(repo(make_repo, {"Makefile": makefile,
                                           ".github/workflows/ci.yml": workflow}), "TEST003")
    assert levels(results) == {1: "pass", 2: "fail", 3: "fail"}
    assert results[0].path == "Makefile" and results[0].line == 4
    assert "enforced in CI at .github/workflows/ci.yml:6" in results[0].message.en


def test_test003_config_threshold_enforced_by_plain_ci_pytest(make_repo: Build,
                                                              results_for: Results) -> None:
    extra = PYTEST_CFG + "addopts = '--cov=src/demo'\n[tool.coverage.report]\nfail_under = 80\n"
    for step, enforced in (("pytest", True), ("pytest || true", False),
                           ("pytest --no-cov", False)):
        workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                    f"      - run: {step}\n")
        results = results_for(repo(make_repo, {".github/workflows/ci.yml": workflow}, extra),
                              "TEST003")
        assert ("enforced in CI" in results[0].message.en) is enforced, step
        assert verdict(results, 2) == "pass"


def test_test003_failures(make_repo: Build, results_for: Results) -> None:
    results = results_for(repo(make_repo, {}), "TEST003")
    assert levels(results) == {1: "fail", 2: "fail", 3: "fail"}
    assert "no coverage threshold" in results[0].message.en
    low = PYTEST_CFG + 'addopts = "--cov=src/demo --cov-fail-under=65"\n'
    results = results_for(repo(make_repo, {}, low), "TEST003")
    assert verdict(results, 1) == "fail" and "below 70%" in results[0].message.en
    ok = PYTEST_CFG + 'addopts = "--cov=src/demo --cov-fail-under=90"\n'
    results = results_for(repo(make_repo, {}, ok, dev=("pytest",)), "TEST003")
    assert verdict(results, 1) == "fail" and "pytest-cov is not declared" in results[0].message.en
    bare = PYTEST_CFG + 'addopts = ["--cov", "--cov-fail-under=90"]\n'
    results = results_for(repo(make_repo, {}, bare), "TEST003")
    assert levels(results) == {1: "pass", 2: "fail", 3: "fail"}
    assert "not aimed at the package" in results[1].message.en


def test_test003_coverage_run_and_report(make_repo: Build, results_for: Results) -> None:
    makefile = ("test:\n\tcoverage run --source=src/demo -m pytest\n"
                "\tcoverage report --fail-under=82\n")
    results = results_for(repo(make_repo, {"Makefile": makefile}, dev=("pytest", "coverage")),
                          "TEST003")
    assert levels(results) == {1: "pass", 2: "pass", 3: "fail"}, messages(results)


def test_test003_levels_follow_configured_thresholds(make_repo: Build, catalog: Catalog) -> None:
    extra = PYTEST_CFG + 'addopts = "--cov=src/demo --cov-fail-under=76"\n'
    config = Config(thresholds=Thresholds(coverage=(60, 70, 75)))
    results = check_repo(repo(make_repo, {}, extra), catalog, ("TEST003",), config)
    assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}


# -- TEST004 ------------------------------------------------------------------------------


def cobertura(rate: str) -> str:
    return (f'<?xml version="1.0" ?>\n<coverage version="7.4" line-rate="{rate}" '
            'branch-rate="0"><packages/></coverage>\n')


def test_test004_coverage_xml_at_79_6(make_repo: Build, results_for: Results) -> None:
    results = results_for(repo(make_repo, {"coverage.xml": cobertura("0.796")}), "TEST004")
    assert levels(results) == {1: "pass", 2: "fail", 3: "fail"}
    assert "79.6%" in results[0].message.en and results[0].path == "coverage.xml"


def test_test004_json_and_html_reports(make_repo: Build, results_for: Results) -> None:
    report = json.dumps({"meta": {}, "totals": {"percent_covered": 91.25}})
    results = results_for(repo(make_repo, {"coverage.json": report}), "TEST004")
    assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}
    html = ('<html><body><h1>Coverage report: <span class="pc_cov">72%</span></h1>'
            "</body></html>")
    results = results_for(repo(make_repo, {"htmlcov/index.html": html}), "TEST004")
    assert levels(results) == {1: "pass", 2: "fail", 3: "fail"}


def test_test004_no_report_is_skipped(make_repo: Build, results_for: Results) -> None:
    results = results_for(repo(make_repo, {"tests/fixtures/coverage.xml": cobertura("1")}),
                          "TEST004")
    assert levels(results) == {1: "skip", 2: "skip", 3: "skip"}
    assert "no coverage report" in results[0].message.en


def test_test004_hostile_or_broken_reports_skip(make_repo: Build, results_for: Results) -> None:
    bomb = ('<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">\n'
            '<!ENTITY lol2 "&lol;&lol;">]>\n<coverage line-rate="&lol2;"/>\n')
    results = results_for(repo(make_repo, {"coverage.xml": bomb}), "TEST004")
    assert {r.status.value for r in results} == {"skip"}
    assert "refused" in results[0].message.en and results[0].line == 2
    results = results_for(repo(make_repo, {"coverage.xml": "<coverage line-rate='x'"}),
                          "TEST004")
    assert {r.status.value for r in results} == {"skip"} and results[0].line == 1


def test_test004_gitignored_report_in_git_repo(make_repo: Build, results_for: Results) -> None:
    root = make_repo({"pyproject.toml": pyproject(), "src/demo/__init__.py": "",
                      ".gitignore": "coverage.xml\n"}, commits=["chore: init"])
    (root / "coverage.xml").write_text(cobertura("0.86"), encoding="utf-8")
    results = results_for(root, "TEST004")
    assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}


def test_test004_user_supplied_report(make_repo: Build, catalog: Catalog, tmp_path: Path,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = repo(make_repo, {"coverage.xml": cobertura("0.99"),
                            "build/cov.xml": cobertura("0.81")})
    outside = tmp_path / "elsewhere.xml"
    outside.write_text(cobertura("0.5"), encoding="utf-8")
    results = check_repo(root, catalog, ("TEST004",), Config(**{
        "coverage-report": str(outside), "coverage_report_trusted": True}))
    assert levels(results) == {1: "fail", 2: "fail", 3: "fail"}
    assert results[0].path is None and str(outside) in results[0].message.en
    monkeypatch.chdir(root)
    results = check_repo(root, catalog, ("TEST004",), Config(**{
        "coverage-report": "build/cov.xml", "coverage_report_trusted": True}))
    assert levels(results) == {1: "pass", 2: "pass", 3: "fail"}
    results = check_repo(root, catalog, ("TEST004",), Config(**{
        "coverage-report": "build/cov.xml"}))  # the repository's own configuration
    assert levels(results) == {1: "pass", 2: "pass", 3: "fail"}
    results = check_repo(root, catalog, ("TEST004",), Config(**{
        "coverage-report": "missing.xml"}))
    assert {r.status.value for r in results} == {"skip"}


# -- TEST005 / TEST006 / TEST007 ------------------------------------------------------------

DATA_TEST = """\
def test_no_nulls(sample_data):
    assert sample_data.isna().sum().sum() == 0


def test_columns(sample_data):
    assert list(sample_data.columns) == ["a", "b"]
"""
MODEL_TEST = """\
import numpy as np


def test_predictions_are_probabilities(fitted_pipeline, sample_data):
    proba = fitted_pipeline.predict_proba(sample_data)
    assert ((proba >= 0) & (proba <= 1)).all()


def test_predict_runs(fitted_pipeline, sample_data):
    fitted_pipeline.predict(sample_data)
"""
E2E_TEST = """\
import joblib

from demo.train import train


def test_train_save_load_predict(tmp_path, sample_data):
    train(sample_data, out_dir=tmp_path)
    pipeline = joblib.load(tmp_path / "pipeline.joblib")
    assert len(pipeline.predict(sample_data)) == len(sample_data)
"""
API_TEST = """\
from fastapi.testclient import TestClient

from demo.api import app

client = TestClient(app)


def test_health():
    assert client.get("/health").status_code == 200


def test_predict():
    response = client.post("/api/v1/predict", json={"a": 1.0, "b": 0})
    assert response.status_code == 200
"""


def test_test005_and_test006_by_content(make_repo: Build, results_for: Results) -> None:
    root = repo(make_repo, {"tests/test_misc.py": DATA_TEST + "\n\n" + MODEL_TEST})
    results = results_for(root, "TEST005")
    assert verdict(results) == "pass" and results[0].message.en.startswith("2 data test(s)")
    results = results_for(root, "TEST006")
    assert verdict(results) == "pass" and results[0].message.en.startswith("1 model")
    assert results[0].line == 12


def test_test005_by_file_name_and_schema(make_repo: Build, results_for: Results) -> None:
    root = repo(make_repo, {"tests/test_schema.py": "def test_schema():\n    assert True\n"})
    assert verdict(results_for(root, "TEST005")) == "pass"
    pandera = ("import pandera as pa\n\nfrom demo.schemas import Raw\n\n\ndef test_valid(df):\n"
               "    Raw.validate(df)\n")
    root = repo(make_repo, {"tests/test_x.py": pandera})
    assert verdict(results_for(root, "TEST005")) == "pass"


def test_test005_and_test006_fail_without_such_tests(make_repo: Build,
                                                     results_for: Results) -> None:
    model = {"src/demo/train.py": "def train(model, x, y):\n    model.fit(x, y)\n"}
    root = repo(make_repo, {"tests/test_misc.py": MODEL_TEST.split("\n\n\ndef test_predict_runs")
                            [0].replace("predict_proba", "transform") + "\n", **model})
    assert verdict(results_for(root, "TEST005")) == "fail"
    assert verdict(results_for(root, "TEST006")) == "fail"
    root = repo(make_repo, {"tests/test_misc.py": MODEL_TEST.split("\n\n\ndef test_pred")[0]
                            .replace("assert ((proba >= 0) & (proba <= 1)).all()", "pass"),
                            **model})
    assert verdict(results_for(root, "TEST006")) == "fail"


def test_test007_levels(make_repo: Build, results_for: Results) -> None:
    root = repo(make_repo, {"tests/test_e2e.py": E2E_TEST})
    results = results_for(root, "TEST007")
    assert levels(results, (2, 3)) == {2: "pass", 3: "fail"}, messages(results)
    root = repo(make_repo, {"tests/test_api.py": API_TEST, "src/demo/train.py": TRAINING})
    assert levels(results_for(root, "TEST007"), (2, 3)) == {2: "pass", 3: "fail"}
    # a service that trains no model: its API tests are the whole of level 3
    root = repo(make_repo, {"tests/test_api.py": API_TEST})
    assert levels(results_for(root, "TEST007"), (2, 3)) == {2: "pass", 3: "pass"}
    root = repo(make_repo, {"tests/test_api.py": API_TEST, "tests/test_e2e.py": E2E_TEST})
    results = results_for(root, "TEST007")
    assert levels(results, (2, 3)) == {2: "pass", 3: "pass"}
    assert "/api/v1/predict, /health" in results[0].message.en


# a project that serves a model, and one that trains one: TEST007 has a subject
SERVING = "import joblib\n\nMODEL = joblib.load('models/model.joblib')\n"
TRAINING = "def train(model, x, y):\n    model.fit(x, y)\n    return model\n"


def test_test007_partial_api_and_marker_recognition(make_repo: Build,
                                                    results_for: Results) -> None:
    only_health = API_TEST.split("\n\n\ndef test_predict")[0] + "\n"
    results = results_for(repo(make_repo, {"tests/test_api.py": only_health,
                                           "src/demo/api.py": SERVING}), "TEST007")
    assert verdict(results, 2) == "fail" and "do not hit /predict" in results[0].message.en
    marked = ("import pytest\n\n\n@pytest.mark.integration\ndef test_pipeline(pipe, df):\n"
              "    pipe.fit(df, df.y)\n    assert pipe.predict(df).shape == (len(df),)\n")
    assert verdict(results_for(repo(make_repo, {"tests/test_flow.py": marked}),
                               "TEST007"), 2) == "pass"
    conftest = ("import pytest\nfrom fastapi.testclient import TestClient\nfrom demo.api import "
                "app\n\n\n@pytest.fixture\ndef client():\n    return TestClient(app)\n")
    api = ("def test_health(client):\n    assert client.get('/health').status_code == 200\n\n\n"
           "def test_predict(client):\n    assert client.post('/predict', json={}).status_code"
           " == 200\n")
    root = repo(make_repo, {"tests/conftest.py": conftest, "tests/test_api.py": api})
    assert verdict(results_for(root, "TEST007"), 2) == "pass"


# -- TEST008 ------------------------------------------------------------------------------


def test_test008_reads_of_repository_data_fail(make_repo: Build, results_for: Results) -> None:
    code = """\
from pathlib import Path

import pandas as pd
import yaml

from demo.config import Config


def test_data():
    df = pd.read_csv("data/raw/churn.csv")
    cfg = Config.from_yaml("configs/config.yaml")
    text = Path("configs") / "params.yaml"
    assert text.read_text() and cfg and len(df)


def test_fixture_data_is_fine():
    assert pd.read_csv("tests/fixtures/sample.csv").shape[0] > 0
    assert yaml.safe_load(open(Path(__file__).parent / "config.yaml"))
"""
    results = results_for(repo(make_repo, {"tests/test_io.py": code}), "TEST008")
    failed = sorted(r.line or 0 for r in results if r.level == 2 and r.status.value == "fail")
    assert failed == [10, 11, 13], messages(results)


def test_test008_markers_and_fast_path(make_repo: Build, results_for: Results) -> None:
    extra = PYTEST_CFG + ('markers = ["slow: long tests", "integration: end to end"]\n'
                          "addopts = '--strict-markers'\n")
    tests = ("import pytest\n\n\n@pytest.mark.slow\ndef test_a():\n    assert True\n\n\n"
             "@pytest.mark.parametrize('x', [1])\ndef test_b(x):\n    assert x\n")
    workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: pytest -m \"not slow\"\n")
    root = repo(make_repo, {"tests/test_a.py": tests, ".github/workflows/ci.yml": workflow},
                extra)
    results = results_for(root, "TEST008")
    assert levels(results, (2, 3)) == {2: "pass", 3: "pass"}, messages(results)
    root = repo(make_repo, {"tests/test_a.py": tests.replace("slow", "gpu")}, extra)
    results = results_for(root, "TEST008")
    assert verdict(results, 3) == "fail"
    level3 = next(r for r in results if r.level == 3).message.en
    assert "unregistered markers used: gpu" in level3 and "no CI fast path" in level3


def test_test008_fast_path_through_makefile_and_addopts(make_repo: Build,
                                                        results_for: Results) -> None:
    extra = PYTEST_CFG + 'markers = ["integration: end to end"]\n'
    makefile = "test-fast:\n\tpytest -m 'not integration'\n"
    workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: make test-fast\n")
    root = repo(make_repo, {"tests/test_a.py": many_tests(1), "Makefile": makefile,
                            ".github/workflows/ci.yml": workflow}, extra)
    assert verdict(results_for(root, "TEST008"), 3) == "pass"
    extra = PYTEST_CFG + ('markers = ["slow: x"]\naddopts = "-m \'not slow\'"\n')
    root = repo(make_repo, {"tests/test_a.py": many_tests(1),
                            ".github/workflows/ci.yml": workflow.replace("make test-fast",
                                                                         "pytest")}, extra)
    assert verdict(results_for(root, "TEST008"), 3) == "pass"


# -- TEST009 ------------------------------------------------------------------------------

LOCUST = """\
from locust import HttpUser, task


class ApiUser(HttpUser):
    @task
    def health(self):
        self.client.get("/health")

    @task(3)
    def predict(self):
        self.client.post("/predict", json={"a": 1})
"""


def test_test009_locustfile(make_repo: Build, results_for: Results) -> None:
    results = results_for(repo(make_repo, {"tests/load/locustfile.py": LOCUST}), "TEST009")
    assert verdict(results) == "pass" and results[0].path == "tests/load/locustfile.py"
    partial = LOCUST.split("    @task(3)")[0]
    results = results_for(repo(make_repo, {"load/locustfile.py": partial}), "TEST009")
    assert verdict(results) == "warn" and "/predict" in results[0].message.en
    image = {"Dockerfile": "FROM python:3.12-slim\nCMD [\"python\", \"-m\", \"demo\"]\n"}
    assert verdict(results_for(repo(make_repo, image), "TEST009")) == "fail"
    # nothing deployed: no service to load-test (levels.md §6)
    assert verdict(results_for(repo(make_repo, {}), "TEST009")) == "skip"


def test_test009_k6_and_locust_csv_evidence(make_repo: Build, results_for: Results) -> None:
    k6 = ("import http from 'k6/http';\nexport default function () {\n"
          "  http.get('http://localhost:8000/health');\n"
          "  http.post('http://localhost:8000/predict', '{}');\n}\n")
    assert verdict(results_for(repo(make_repo, {"load/script.js": k6}), "TEST009")) == "pass"
    header = "Type,Name,Request Count,Failure Count,Median Response Time,95%,99%\n"
    for p95, failures, expected in (("150", "0", "pass"), ("300", "0", "warn"),
                                    ("150", "20", "fail")):
        stats = header + f"POST,/predict,1000,0,40,{p95},400\n,Aggregated,1000,{failures}," \
                         f"40,{p95},400\n"
        root = repo(make_repo, {"tests/load/locustfile.py": LOCUST,
                                "reports/load_stats.csv": stats})
        assert verdict(results_for(root, "TEST009")) == expected, (p95, failures)


# -- monorepo scope ---------------------------------------------------------------------------


def test_rules_run_per_project_in_a_monorepo(make_repo: Build, catalog: Catalog) -> None:
    root = make_repo({
        "a/pyproject.toml": pyproject(name="a"), "a/src/a/__init__.py": "",
        "a/tests/test_a.py": many_tests(10),
        "b/pyproject.toml": pyproject(name="b"), "b/src/b/__init__.py": "",
        "b/tests/test_b.py": many_tests(3),
        ".github/workflows/ci.yml": ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n"
                                     "    steps:\n      - run: cd a && pytest --cov=src/a "
                                     "--cov-fail-under=80\n"),
    })
    results = check_repo(root, catalog, ("TEST001", "TEST003"))
    test001 = {r.project: r.status.value for r in results if r.rule == "TEST001" and r.level == 1}
    assert test001 == {"a": "pass", "b": "fail"}
    test003 = {r.project: r.status.value for r in results if r.rule == "TEST003" and r.level == 1}
    assert test003 == {"a": "pass", "b": "fail"}


def test_test003_tox_gitlab_and_make_prerequisites(make_repo: Build,
                                                   results_for: Results) -> None:
    tox = ("[tox]\nenvlist = py311\n[testenv]\ncommands =\n"
           "    pytest --cov=demo --cov-fail-under=88\n")
    results = results_for(repo(make_repo, {"tox.ini": tox, ".gitlab-ci.yml":
                                           "test:\n  script:\n    - tox -e py311\n"}),
                          "TEST003")
    assert levels(results) == {1: "pass", 2: "pass", 3: "pass"}, messages(results)
    assert results[0].path == "tox.ini" and "enforced in CI at .gitlab-ci.yml" in \
        results[0].message.en
    makefile = ("check: lint test\nlint:\n\truff check .\n"
                "test:\n\tpytest --cov=src/demo --cov-fail-under=80\n")
    gitlab = "test:\n  allow_failure: true\n  script:\n    - make check\n"
    results = results_for(repo(make_repo, {"Makefile": makefile, ".gitlab-ci.yml": gitlab}),
                          "TEST003")
    assert "CI does not enforce it" in results[0].message.en  # allow_failure
    results = results_for(repo(make_repo, {"Makefile": makefile, ".gitlab-ci.yml":
                                           gitlab.replace("  allow_failure: true\n", "")}),
                          "TEST003")
    assert "enforced in CI at .gitlab-ci.yml" in results[0].message.en


def test_broken_configuration_and_reports_are_findings(make_repo: Build,
                                                       results_for: Results) -> None:
    root = make_repo({"pyproject.toml": "[tool.pytest.ini_options\ntestpaths = 1\n",
                      "src/demo/__init__.py": "", "tests/test_a.py": many_tests(12),
                      "coverage.xml": "<coverage line-rate='0.9'>\x00\x00</coverage>"})
    results = results_for(root, "TEST001")
    broken = next(r for r in results if r.path == "pyproject.toml" and
                  "cannot be parsed" in r.message.en)
    assert broken.status.value == "fail" and broken.line == 1 and broken.level == 1
    results = results_for(root, "TEST003")
    assert any(r.status.value == "skip" and r.path == "pyproject.toml" for r in results)
    results = results_for(root, "TEST004")
    assert {r.status.value for r in results} == {"skip"}
    assert "binary" in results[0].message.en


def test_matrix_ci_command_applies_to_every_project(make_repo: Build, catalog: Catalog) -> None:
    workflow = """\
on: push
jobs:
  t:
    runs-on: ubuntu-latest
    strategy:
      matrix:
        project: [a, b]
    steps:
      - working-directory: ${{ matrix.project }}
        run: |
          if [ "${{ matrix.project }}" = "a" ]; then echo a; fi
          pytest --cov=src --cov-fail-under=81
"""
    root = make_repo({
        "a/pyproject.toml": pyproject(name="a"), "a/src/a/__init__.py": "",
        "b/pyproject.toml": pyproject(name="b"), "b/src/b/__init__.py": "",
        ".github/workflows/ci.yml": workflow,
    })
    results = check_repo(root, catalog, ("TEST003",))
    level2 = {r.project: r.status.value for r in results if r.level == 2}
    assert level2 == {"a": "pass", "b": "pass"}


def test_shared_load_test_at_the_root_of_a_monorepo(make_repo: Build, catalog: Catalog) -> None:
    root = make_repo({
        "a/pyproject.toml": pyproject(name="a"), "a/src/a/__init__.py": "",
        "b/pyproject.toml": pyproject(name="b"), "b/src/b/__init__.py": "",
        "b/load/locustfile.py": LOCUST.split("    @task(3)")[0],
        "tests/load/locustfile.py": LOCUST,
    })
    results = check_repo(root, catalog, ("TEST009",))
    assert {(r.project, r.status.value, r.path) for r in results} == {
        ("a", "pass", "tests/load/locustfile.py"), ("b", "pass", "tests/load/locustfile.py")}


def test_working_directory_attributes_ci_commands(make_repo: Build, catalog: Catalog) -> None:
    workflow = ("on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - working-directory: b\n"
                "        run: pytest --cov=src/b --cov-fail-under=90\n")
    root = make_repo({
        "a/pyproject.toml": pyproject(name="a"), "a/src/a/__init__.py": "",
        "b/pyproject.toml": pyproject(name="b"), "b/src/b/__init__.py": "",
        ".github/workflows/ci.yml": workflow,
    })
    results = check_repo(root, catalog, ("TEST003",))
    level1 = {r.project: r.status.value for r in results if r.level == 1}
    assert level1 == {"a": "fail", "b": "pass"}


# -- tests recognised by what they do, whatever the stack ------------------------------------


def test_test005_great_expectations_names_and_ranges(make_repo: Build,
                                                     results_for: Results) -> None:
    expectations = """\
def test_dataset(df):
    df.expect_column_values_to_not_be_null(column="tag")
    df.expect_column_values_to_be_unique(column="id")
"""
    ranges = """\
def test_ages(frame):
    assert frame["age"].min() >= 0


def test_probabilities(frame):
    assert (frame["p"] <= 1).all()
"""
    for files in ({"tests/checks/test_quality.py": expectations},
                  {"tests/data_test.py": "def test_rows():\n    assert True\n"},
                  {"tests/test_frames.py": ranges}):
        root = repo(make_repo, files)
        results = results_for(root, "TEST005")
        assert verdict(results) == "pass", (files, messages(results))
    root = repo(make_repo, {"tests/test_frames.py": ranges})
    assert results_for(root, "TEST005")[0].message.en.startswith("2 data test(s)")


BEHAVIOURAL = """\
import pytest

from helpers import get_label


@pytest.mark.parametrize("a, b", [("NLP changed ML.", "NLP disrupted ML.")])
def test_invariance(a, b, predictor):
    assert get_label(text=a, predictor=predictor) == get_label(text=b, predictor=predictor)


def test_directional(predictor):
    label = get_label(text="CNNs for images.", predictor=predictor)
    assert label == "computer-vision"
"""


def test_test006_behavioural_tests_through_helpers_and_model_calls(
        make_repo: Build, results_for: Results) -> None:
    root = repo(make_repo, {"tests/model/test_behavioral.py": BEHAVIOURAL})
    results = results_for(root, "TEST006")
    assert verdict(results) == "pass" and results[0].message.en.startswith("2 model"), \
        messages(results)
    direct = ("import torch\n\n\ndef test_output_shape(model):\n"
              "    out = model(torch.zeros(2, 4))\n    assert out.shape == (2, 1)\n")
    root = repo(make_repo, {"tests/test_net.py": direct})
    assert verdict(results_for(root, "TEST006")) == "pass"
    saving = "import joblib\n\n\ndef test_saves(model, tmp_path):\n" \
        "    joblib.dump(model, tmp_path / 'm.joblib')\n    assert model is not None\n"
    root = repo(make_repo, {"tests/test_save.py": saving,
                            "src/demo/train.py": "def train(m, x, y):\n    m.fit(x, y)\n"})
    assert verdict(results_for(root, "TEST006")) == "fail"
    root = repo(make_repo, {"tests/test_save.py": saving})  # no model in the project
    assert verdict(results_for(root, "TEST006")) == "skip"


def test_test007_framework_end_to_end(make_repo: Build, results_for: Results) -> None:
    torch_e2e = """\
import torch

from demo.train import train


def test_train_save_load_infer(tmp_path, batch):
    model = train(epochs=1, out_dir=tmp_path)
    torch.save(model.state_dict(), tmp_path / "model.pt")
    model.load_state_dict(torch.load(tmp_path / "model.pt"))
    assert model.predict(batch).shape[0] == len(batch)
"""
    checkpoint = """\
from demo.eval import evaluate
from demo.train import train


def test_train_eval(tmp_path, cfg_train, cfg_eval):
    train_metrics = train(cfg_train)
    cfg_eval.ckpt_path = str(tmp_path / "checkpoints" / "last.ckpt")
    test_metrics = evaluate(cfg_eval)
    assert test_metrics["acc"] > 0.0
"""
    for code in (torch_e2e, checkpoint):
        results = results_for(repo(make_repo, {"tests/test_flow.py": code}), "TEST007")
        assert verdict(results, 2) == "pass", messages(results)
        assert "end-to-end training test at tests/test_flow.py" in results[0].message.en
    no_load = checkpoint.replace('    cfg_eval.ckpt_path = str(tmp_path / "checkpoints" / '
                                 '"last.ckpt")\n', "")
    results = results_for(repo(make_repo, {"tests/test_flow.py": no_load,
                                           "src/demo/train.py": TRAINING}), "TEST007")
    assert verdict(results, 2) == "fail"


SERVED_E2E = """\
import joblib
import pytest
from fastapi.testclient import TestClient
from sklearn.linear_model import LogisticRegression


@pytest.fixture(scope="module")
def artifact(tmp_path_factory, dataset):
    X, y = dataset
    model = LogisticRegression().fit(X, y)
    path = tmp_path_factory.mktemp("artifacts") / "model.joblib"
    joblib.dump(model, path)
    return str(path)


@pytest.fixture
def client(monkeypatch, artifact):
    monkeypatch.setenv("MODEL_PATH", artifact)
    from demo.api import app
    with TestClient(app) as c:
        yield c


def test_served_prediction(client):
    resp = client.post("/predict", json={"a": 1.0, "b": 2.0})
    assert resp.status_code == 200
    assert 0.0 <= resp.json()["score"] <= 1.0
"""


def test_test007_train_save_serve_predict_through_fixtures(make_repo: Build,
                                                           results_for: Results) -> None:
    """A model trained inline and saved to a temporary directory by a fixture, the app
    pointed at it, then POST /predict: train -> save -> load -> predict, by what it does."""
    results = results_for(repo(make_repo, {"tests/test_serving_flow.py": SERVED_E2E}),
                          "TEST007")
    assert verdict(results, 2) == "pass", messages(results)
    assert "end-to-end training test at tests/test_serving_flow.py:24" in results[0].message.en
    unsaved = SERVED_E2E.replace("    joblib.dump(model, path)\n", "")
    results = results_for(repo(make_repo, {"tests/test_serving_flow.py": unsaved}), "TEST007")
    assert verdict(results, 2) == "fail"
    assert "no end-to-end training test" in results[0].message.en


def test_test008_configuration_and_data_handed_to_objects(make_repo: Build,
                                                          results_for: Results) -> None:
    conftest = """\
import pytest
from hydra import compose, initialize


@pytest.fixture
def cfg():
    with initialize(version_base="1.3", config_path="../configs"):
        return compose(config_name="train.yaml")
"""
    test = """\
from demo.data import DataModule


def test_datamodule():
    data_dir = "data/"
    dm = DataModule(data_dir=data_dir, batch_size=4)
    assert dm.batch_size == 4


def test_tmp_data(tmp_path):
    assert DataModule(data_dir=tmp_path).batch_size
"""
    root = repo(make_repo, {"tests/conftest.py": conftest, "tests/test_data.py": test})
    results = results_for(root, "TEST008")
    failed = [r for r in results if r.level == 2 and r.status.value == "fail"]
    assert [(r.path, r.line) for r in failed] == [("tests/conftest.py", 7),
                                                  ("tests/test_data.py", 6)], messages(results)
    assert "configuration ../configs" in failed[0].message.en
    assert "clean checkout" not in failed[0].message.en
    assert "data/" in failed[1].message.en


def test_test001_level3_message_has_no_course_wording(make_repo: Build,
                                                      results_for: Results) -> None:
    results = results_for(repo(make_repo, {"tests/test_a.py": many_tests(12)}), "TEST001")
    level3 = next(r for r in results if r.level == 3)
    assert level3.status.value == "fail" and "recommended size" in level3.message.en
    assert "guide" not in level3.message.en and "guía" not in level3.message.es


def test_test003_and_ci006_advise_one_coverage_threshold_at_every_level(
        make_repo: Callable[..., Path], results_for: Callable[..., list[Result]]) -> None:
    workflow = ("on: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: pytest --cov=src --cov-fail-under=60\n")
    for files in ({"tests/test_a.py": "def test_a():\n    assert True\n"},
                  {"tests/test_a.py": "def test_a():\n    assert True\n",
                   ".github/workflows/ci.yml": workflow}):
        root = make_repo(files)
        fixes = {r.fix.en for rule in ("TEST003", "CI006") for r in results_for(root, rule)
                 if r.status.is_problem and "cov" in r.fix.en}
        assert fixes, files
        numbers = {n for fix in fixes for n in re.findall(r"fail.under[= ]+(\d+)", fix)}
        assert numbers == {"85"}, fixes
        assert all("level 1 needs ≥ 70, level 2 ≥ 80, level 3 ≥ 85" in fix for fix in fixes)
    # a team's own ladder is the one advised
    config = Config(thresholds=Thresholds(coverage=(60, 75, 90)))
    fixes = {r.fix.en for r in results_for(root, "TEST003", config) if r.status.is_problem}
    assert fixes and all("--cov-fail-under=90" in fix and "≥ 60" in fix for fix in fixes)


def test_no_tests_says_how_many_are_needed(make_repo: Callable[..., Path],
                                           results_for: Callable[..., list[Result]]) -> None:
    results = results_for(make_repo({"train.py": "import pandas\n"}), "TEST001")
    assert results and all(r.status.value == "fail" for r in results)
    assert all("at least 10 test functions are needed (30 for level 3)" in r.message.en
               and "al menos 10 funciones de test" in r.message.es for r in results)
