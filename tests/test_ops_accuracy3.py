"""Third accuracy wave: rules whose subject is absent say so once (OBS002, OBS003, DEP001,
DES002, DOC005, PY007), a well-known equivalent earns the credit (PY006), and the CI010 fix
fits the workflow it is given for."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import check_repo, statuses
from mlops_lint.catalog import Catalog
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

BATCH = {"src/train.py": "import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n"
                         "def main():\n    df = pd.read_csv('d.csv')\n"
                         "    LinearRegression().fit(df[['x']], df['y'])\n    print('done')\n"}
DOCS_ONLY = {"README.md": "# Guide\n", "docs/01_intro.md": "# Intro\n",
             "docs/templates/Dockerfile": "FROM python:3.12-slim\n",
             ".github/workflows/docs.yml": "on: push\njobs:\n  d:\n    runs-on: x\n"
                                           "    steps:\n      - run: mkdocs build\n"}


def _of(rows: list[Result], rule: str) -> list[Result]:
    return [r for r in rows if r.rule == rule]


# -- OBS002 / OBS003 ---------------------------------------------------------------------


def test_obs002_no_logging_and_no_service_is_said_once_by_obs001(
        make_repo: Maker, catalog: Catalog) -> None:
    rows = check_repo(make_repo(BATCH), catalog, ("OBS001", "OBS002"))
    assert statuses(_of(rows, "OBS001")) == ["fail"]
    obs2 = _of(rows, "OBS002")
    assert statuses(obs2) == ["skip"]
    assert "no logs to structure" in obs2[0].message.en
    assert "request id does not apply" in obs2[0].message.en
    assert "see OBS001" in obs2[0].message.en


def test_obs002_batch_logs_need_json_only(make_repo: Maker, results_for: Results) -> None:
    files = {"src/train.py": "import logging\nlog = logging.getLogger(__name__)\n"
                             "def main():\n    log.info('x')\n"}
    rows = results_for(make_repo(files), "OBS002")
    assert statuses(rows) == ["fail"]
    assert rows[0].message.en.startswith("logs are not JSON (logging is used in src/train.py")
    assert "request_id" not in (rows[0].fix.en if rows[0].fix else "")


def test_obs002_batch_json_logs_pass(make_repo: Maker, results_for: Results) -> None:
    files = {"src/log.py": "import logging\nfrom pythonjsonlogger import jsonlogger\n"
                           "h = logging.StreamHandler()\n"
                           "h.setFormatter(jsonlogger.JsonFormatter())\n"}
    rows = results_for(make_repo(files), "OBS002")
    assert statuses(rows) == ["pass"]
    assert "serves no requests" in rows[0].message.en


def test_obs002_service_still_needs_a_request_id(make_repo: Maker,
                                                 results_for: Results) -> None:
    files = {"app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"
                            "@app.get('/health')\ndef h():\n    return {}\n"}
    rows = results_for(make_repo(files), "OBS002")
    assert statuses(rows) == ["fail"]
    assert "neither JSON nor carry a request id" in rows[0].message.en


def test_obs003_without_a_service_points_at_api001(make_repo: Maker,
                                                   catalog: Catalog) -> None:
    rows = check_repo(make_repo(BATCH), catalog, ("API001", "OBS003"))
    assert statuses(_of(rows, "API001")) == ["fail"]
    obs3 = _of(rows, "OBS003")
    assert statuses(obs3) == ["skip", "skip"]
    assert all("see API001" in r.message.en for r in obs3)


def test_obs003_service_without_metrics_fails(make_repo: Maker, results_for: Results) -> None:
    files = {"app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    assert statuses(results_for(make_repo(files), "OBS003")) == ["fail", "fail"]


# -- DEP001 ------------------------------------------------------------------------------


def test_dep001_not_applicable_when_nothing_is_deployed(make_repo: Maker,
                                                        results_for: Results) -> None:
    rows = results_for(make_repo(DOCS_ONLY), "DEP001")
    assert statuses(rows) == ["skip"]
    assert rows[0].message.en.startswith("not applicable: nothing in this repository is "
                                         "deployed")
    assert "no serving platform to choose" in rows[0].message.en


def test_dep001_still_fails_for_a_deployed_service(make_repo: Maker,
                                                   results_for: Results) -> None:
    files = {"app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
             "Dockerfile": "FROM python:3.12-slim\nCMD [\"uvicorn\", \"app.main:app\"]\n"}
    assert statuses(results_for(make_repo(files), "DEP001")) == ["fail"]


# -- DES002 ------------------------------------------------------------------------------


def test_des002_not_applicable_without_python(make_repo: Maker, results_for: Results) -> None:
    files = {"main.tf": "resource \"aws_vpc\" \"this\" {}\n", "README.md": "# VPC\n"}
    rows = results_for(make_repo(files), "DES002")
    assert set(statuses(rows)) == {"skip"}
    assert "no design document and no Python code in the repository" in rows[0].message.en
    # a design document is still judged, Python or not
    files["docs/ARCHITECTURE.md"] = "# Architecture\n\nText only.\n"
    assert statuses(results_for(make_repo(files), "DES002"), 2) == ["fail"]


def test_des002_canvas_not_applicable_without_a_model(make_repo: Maker,
                                                      results_for: Results) -> None:
    files = {"app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n"}
    rows = results_for(make_repo(files), "DES002")
    assert statuses(rows, 2) == ["fail"]
    fix = rows[0].fix.en if rows[0].fix else ""
    assert "ARCHITECTURE.md" in fix and "Canvas" not in fix
    assert statuses(rows, 3) == ["skip"]
    assert "no project of the repository trains a model" in \
        next(r for r in rows if r.level == 3).message.en


def test_des002_canvas_required_with_a_model(make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo(BATCH), "DES002")
    canvas = [r for r in rows if r.level == 3]
    assert statuses(canvas) == ["fail"]
    assert "for the model (trained at src/train.py:5)" in canvas[0].message.en


# -- DOC005 / PY007 follow their absence rules -------------------------------------------


def test_doc005_no_card_is_said_by_doc004(make_repo: Maker, catalog: Catalog) -> None:
    rows = check_repo(make_repo(BATCH), catalog, ("DOC004", "DOC005"))
    assert statuses(_of(rows, "DOC004")) == ["fail"]
    assert set(statuses(_of(rows, "DOC005"))) == {"skip"}
    alone = check_repo(make_repo(BATCH), catalog, ("DOC005",))
    assert set(statuses(alone)) == {"fail"}  # without DOC004 the absence stays reported


def test_py007_no_models_is_said_by_py006(make_repo: Maker, catalog: Catalog) -> None:
    rows = check_repo(make_repo(BATCH), catalog, ("PY006", "PY007"))
    assert statuses(_of(rows, "PY006")) == ["fail"]
    assert statuses(_of(rows, "PY007")) == ["skip"]


def test_py007_mutable_default_on_pydantic_warns(make_repo: Maker,
                                                results_for: Results) -> None:
    files = {"src/pkg/config.py": "from pydantic import BaseModel, Field\n"
                                  "class TrainConfig(BaseModel):\n"
                                  "    lr: float = Field(0.1, gt=0)\n"
                                  "    tags: list[str] = []\n"
                                  "    extra: dict = {}\n"}
    rows = results_for(make_repo(files), "PY007")
    by_status = {r.status.value: r.message.en for r in rows}
    assert sorted(statuses(rows)) == ["fail", "warn", "warn"]
    assert "Pydantic copies it for each instance" in by_status["warn"]
    assert "bare 'dict'" in by_status["fail"]


# -- PY006 -------------------------------------------------------------------------------

PARENT = {"pyproject.toml": "[project]\nname = \"core-server\"\nversion = \"1\"\n"
                            "dependencies = [\"pydantic>=2.7\", \"pydantic-settings>=2\"]\n",
          "core_server/__init__.py": "",
          "core_server/settings.py": "from pydantic_settings import BaseSettings\n"
                                     "class Settings(BaseSettings):\n    port: int = 8080\n",
          "plugins/extra/pyproject.toml": "[tool.poetry]\nname = \"core-extra\"\n"
                                          "version = \"1\"\n[tool.poetry.dependencies]\n"
                                          "python = \"^3.10\"\ncore-server = \"*\"\n",
          "tests/test_settings.py": "def test_x():\n    assert True\n",
          "plugins/extra/tests/test_extra.py": "def test_y():\n    assert True\n",
          "plugins/extra/core_extra/__init__.py": "",
          "plugins/extra/core_extra/settings.py":
              "from pydantic_settings import BaseSettings\n"
              "class ExtraSettings(BaseSettings):\n    device: int = -1\n"}


def test_py006_pydantic_from_the_parent_package_and_env_settings(
        make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo(PARENT), "PY006")
    plugin = [r for r in rows if r.project == "plugins/extra"]
    assert statuses(plugin) == ["pass"], [r.message.en for r in rows]
    assert "pydantic comes with core-server" in plugin[0].message.en
    assert "environment variables" in plugin[0].message.en


def test_py006_undeclared_pydantic_still_warns(make_repo: Maker,
                                               results_for: Results) -> None:
    files = {"src/pkg/__init__.py": "",
             "src/pkg/config.py": "from pydantic import BaseModel\n"
                                  "class Config(BaseModel):\n    lr: float = 0.1\n",
             "pyproject.toml": "[project]\nname = \"pkg\"\nversion = \"1\"\n"}
    rows = results_for(make_repo(files), "PY006")
    assert statuses(rows) == ["warn"]
    assert "pydantic is not declared" in rows[0].message.en


# -- CI010 -------------------------------------------------------------------------------

STALE = """on:
  schedule:
    - cron: '0 0 * * *'
jobs:
  stale:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/stale@v9
        with:
          delete-branch: true
"""
RELEASE = """on:
  workflow_dispatch:
jobs:
  build:
    runs-on: ubuntu-latest
    steps:
      - run: python -m build
  publish:
    runs-on: ubuntu-latest
    permissions:
      id-token: write
    steps:
      - uses: pypa/gh-action-pypi-publish@release/v1
  draft:
    runs-on: ubuntu-latest
    steps:
      - uses: softprops/action-gh-release@v2
"""
PUSH = """on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - run: pytest
"""


def _ci010_fix(make_repo: Maker, results_for: Results, text: str) -> str:
    rows = results_for(make_repo({".github/workflows/w.yml": text}), "CI010")
    assert statuses(rows) == ["fail"]
    return rows[0].fix.en if rows[0].fix else ""


def test_ci010_fix_for_a_scheduled_workflow_keeps_write_scopes(
        make_repo: Maker, results_for: Results) -> None:
    fix = _ci010_fix(make_repo, results_for, STALE)
    assert "stale: issues: write, pull-requests: write, contents: write" in fix
    assert "cancel-in-progress: true" not in fix
    assert "not push/PR CI" in fix


def test_ci010_fix_for_a_manual_release(make_repo: Maker, results_for: Results) -> None:
    fix = _ci010_fix(make_repo, results_for, RELEASE)
    assert "draft: contents: write" in fix
    assert "jobs publish keep their own permissions" in fix
    assert "cancel-in-progress: true" not in fix
    assert "set timeout-minutes on build, publish, draft" in fix


def test_ci010_fix_for_push_ci_adds_concurrency(make_repo: Maker,
                                                results_for: Results) -> None:
    fix = _ci010_fix(make_repo, results_for, PUSH)
    assert "cancel-in-progress: true" in fix
    assert "add 'permissions: {contents: read}' at the top;" in fix
