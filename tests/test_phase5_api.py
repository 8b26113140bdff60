"""API001-API009: the FastAPI service read statically, plus Flask and no-serving cases."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import check_repo, maturity_of, statuses
from mlops_lint.catalog import Catalog
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

PYPROJECT = """[project]
name = "svc"
version = "0.1.0"
dependencies = ["fastapi>=0.110", "uvicorn[standard]>=0.29", "pydantic>=2", "joblib>=1.3"]
"""
SCHEMAS = """from typing import Literal
from pydantic import BaseModel, Field

class Request(BaseModel):
    age: int = Field(..., ge=18, le=100)
    country: Literal["ES", "FR"]

class Response(BaseModel):
    probability: float
"""
GOOD_APP = """import logging
import os
from contextlib import asynccontextmanager

import joblib
from fastapi import FastAPI, HTTPException
from fastapi.middleware.cors import CORSMiddleware

from svc.schemas import Request, Response

logger = logging.getLogger(__name__)
state = {}

@asynccontextmanager
async def lifespan(app: FastAPI):
    state["model"] = joblib.load(os.getenv("MODEL_PATH", "models/model.joblib"))
    yield

app = FastAPI(title="svc", version="1.0.0", lifespan=lifespan)
app.add_middleware(CORSMiddleware, allow_origins=os.getenv("ORIGINS", "").split(","))

@app.get("/health")
def health():
    return {"status": "ok", "model_loaded": "model" in state}

@app.post("/predict", response_model=Response)
def predict(request: Request) -> Response:
    if "model" not in state:
        raise HTTPException(status_code=503, detail="model not loaded")
    try:
        proba = state["model"].predict_proba([[request.age]])[0, 1]
    except ValueError as exc:
        logger.exception("prediction failed")
        raise HTTPException(status_code=500, detail=str(exc)) from exc
    return Response(probability=float(proba))
"""


def project(files: dict[str, str], pyproject: str = PYPROJECT) -> dict[str, str]:
    base = {"pyproject.toml": pyproject, "src/svc/__init__.py": "",
            "src/svc/schemas.py": SCHEMAS}
    base.update(files)
    return base


def one(results: list[Result], level: int | None = None) -> Result:
    rows = [r for r in results if level is None or r.level == level]
    assert len(rows) == 1, [(r.status.value, r.message.en) for r in rows]
    return rows[0]


# -- API001 ----------------------------------------------------------------------------


def test_api001_fastapi_app_with_declared_dependencies(make_repo: Maker,
                                                        results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": GOOD_APP}))
    row = one(results_for(root, "API001"))
    assert row.status.value == "pass" and row.path == "src/svc/api.py" and row.line == 19
    assert "fastapi and uvicorn declared" in row.message.en
    assert "declarados" in row.message.es


@pytest.mark.parametrize("pyproject, requirements, status", [
    ('[project]\nname="s"\ndependencies=["fastapi"]\n', None, "warn"),
    ('[project]\nname="s"\ndependencies=["fastapi[standard]>=0.110"]\n', None, "pass"),
    ('[project]\nname="s"\n[project.optional-dependencies]\napi=["FastAPI","Uvicorn"]\n',
     None, "pass"),
    ('[tool.poetry.dependencies]\npython="^3.11"\nfastapi="^0.110"\nuvicorn="^0.29"\n',
     None, "pass"),
    ('[project]\nname="s"\n', "fastapi==0.110.0  # api\nuvicorn==0.29.0\n-r base.txt\n", "pass"),
    ('[project]\nname="s"\n', None, "warn"),
])
def test_api001_dependency_sources(make_repo: Maker, results_for: Results, pyproject: str,
                                   requirements: str | None, status: str) -> None:
    files = project({"src/svc/api.py": "from fastapi import FastAPI\napp = FastAPI()\n"},
                    pyproject)
    if requirements:
        files["requirements.txt"] = requirements
    assert statuses(results_for(make_repo(files), "API001")) == [status]


def test_api001_conda_and_setup_cfg_declarations(make_repo: Maker, results_for: Results) -> None:
    root = make_repo({
        "app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "environment.yml": "dependencies:\n  - python=3.11\n  - fastapi=0.110\n"
                           "  - pip:\n    - uvicorn>=0.29\n",
    })
    assert statuses(results_for(root, "API001")) == ["pass"]
    root = make_repo({
        "app.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "setup.cfg": "[options]\ninstall_requires =\n    fastapi>=0.1\n    uvicorn\n",
    })
    assert statuses(results_for(root, "API001")) == ["pass"]


def test_api001_flask_service_warns_and_names_the_framework(make_repo: Maker,
                                                             results_for: Results) -> None:
    root = make_repo(project({"src/svc/web.py": (
        "from flask import Flask\napp = Flask(__name__)\n"
        "@app.route('/health')\ndef health():\n    return 'ok'\n")}))
    row = one(results_for(root, "API001"))
    assert row.status.value == "warn" and "Flask service found" in row.message.en
    assert row.path == "src/svc/web.py"


def test_api001_routes_without_app_instance_warn(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/routes.py": (
        "from fastapi import APIRouter\nrouter = APIRouter()\n"
        "@router.get('/health')\ndef health():\n    return {}\n")}))
    row = one(results_for(root, "API001"))
    assert row.status.value == "warn" and "no FastAPI( instance" in row.message.en


def test_api001_streamlit_only_is_not_an_api(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"app/dashboard.py": "import streamlit as st\nst.title('x')\n"}))
    row = one(results_for(root, "API001"))
    assert row.status.value == "fail" and "Streamlit dashboard" in row.message.en


def test_no_serving_code_fails_api001_once_and_phase5_is_level0(
        make_repo: Maker, catalog: Catalog) -> None:
    root = make_repo(project({"src/svc/train.py": "import joblib\n"}))
    results = check_repo(root, catalog, ["API", "DASH", "SEC006"])
    by_rule = {(r.rule, r.level): r.status.value for r in results}
    assert by_rule[("API001", 1)] == "fail"
    # the absence is said once: the rules that need a serving app point at API001
    for rule in ("API002", "API003", "API004", "API005", "API006", "API008"):
        assert by_rule[(rule, 3 if rule == "API008" else 2)] == "skip", rule
    assert by_rule[("API007", 2)] == by_rule[("API007", 3)] == "skip"
    assert by_rule[("API009", 3)] == "manual"
    assert by_rule[("DASH001", 3)] == "skip" and by_rule[("SEC006", 2)] == "skip"
    assert all("no serving layer" in r.message.en and "see API001" in r.message.en
               for r in results if r.rule == "API002")
    phase5 = maturity_of(root, catalog, results).phases[4]
    assert (phase5.level, phase5.presence) == (0, ())


def test_unparseable_file_is_reported_as_skip_and_never_raises(make_repo: Maker,
                                                               results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": "def broken(:\n"}))
    rows = results_for(root, "API001")
    assert sorted(statuses(rows)) == ["fail", "skip"]
    skip = next(r for r in rows if r.status.value == "skip")
    assert skip.path == "src/svc/api.py" and "does not parse" in skip.message.en


# -- API002 / API003 -------------------------------------------------------------------


def test_api002_api003_good_app(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": GOOD_APP}))
    health = one(results_for(root, "API002"))
    assert (health.status.value, health.line) == ("pass", 22)
    assert health.message.en == "GET /health (fastapi)"
    predict = one(results_for(root, "API003"))
    assert (predict.status.value, predict.message.en) == ("pass", "POST /predict")


def test_health_and_predict_under_api_v1_router(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({
        "src/svc/api/__init__.py": "",
        "src/svc/api/main.py": (
            "from fastapi import FastAPI\nfrom svc.api.routes import router\n"
            "app = FastAPI()\napp.include_router(router, prefix='/api/v1')\n"),
        "src/svc/api/routes.py": (
            "from fastapi import APIRouter\nrouter = APIRouter()\n"
            "@router.get('/health')\ndef health():\n    return {}\n"
            "@router.post('/predict')\ndef predict():\n    return {}\n"),
    }))
    assert one(results_for(root, "API002")).message.en == "GET /api/v1/health (fastapi)"
    assert one(results_for(root, "API003")).message.en == "POST /api/v1/predict"


@pytest.mark.parametrize("route", ["/healthz", "/_healthz", "/ready", "/livez",
                                   "/api/v2/health/live"])
def test_api002_accepts_health_route_names(make_repo: Maker, results_for: Results,
                                           route: str) -> None:
    root = make_repo(project({"src/svc/api.py": (
        f"from fastapi import FastAPI\napp = FastAPI()\n@app.get('{route}')\n"
        "def h():\n    return {}\n")}))
    assert statuses(results_for(root, "API002")) == ["pass"]


def test_api002_failures(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/status')\n"
        "def s():\n    return {}\n")}))
    row = one(results_for(root, "API002"))
    assert row.status.value == "fail" and "no health route" in row.message.en
    assert (row.path, row.line) == ("src/svc/api.py", 2)
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\napp = FastAPI()\n@app.post('/health')\n"
        "def s():\n    return {}\n")}))
    assert "not GET" in one(results_for(root, "API002")).message.en


def test_api002_health_handler_that_loads_or_predicts_fails(make_repo: Maker,
                                                            results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "import joblib\nfrom fastapi import FastAPI\napp = FastAPI()\n"
        "def check_model():\n    model = joblib.load('m.joblib')\n"
        "    return model.predict([[1]])\n"
        "@app.get('/health')\ndef health():\n    check_model()\n    return {}\n")}))
    row = one(results_for(root, "API002"))
    assert row.status.value == "fail" and "joblib.load at src/svc/api.py:5" in row.message.en
    assert row.line == 7


def test_api002_api003_flask_routes_count(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/web.py": (
        "from flask import Blueprint, Flask\napp = Flask(__name__)\n"
        "api = Blueprint('api', __name__, url_prefix='/api')\n"
        "@app.get('/health')\ndef health():\n    return 'ok'\n"
        "@api.route('/predict', methods=['POST'])\ndef predict():\n    return {}\n"
        "app.register_blueprint(api)\n")}))
    assert one(results_for(root, "API002")).message.en == "GET /health (flask)"
    assert one(results_for(root, "API003")).message.en == "POST /api/predict"
    for rule in ("API004", "API005", "API006", "API008"):
        row = results_for(root, rule)[0]
        assert row.status.value == "skip" and "written for FastAPI" in row.message.en, rule


def test_api002_other_framework_without_static_routes_is_skipped(make_repo: Maker,
                                                                results_for: Results) -> None:
    root = make_repo(project({"src/svc/service.py": (
        "import bentoml\n@bentoml.service\nclass Svc:\n    pass\n")}))
    row = one(results_for(root, "API002"))
    assert row.status.value == "skip" and "BentoML" in row.message.en
    assert one(results_for(root, "API001")).status.value == "pass"  # a model server


def test_api003_predict_must_be_post(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/predict')\n"
        "def p(x: float):\n    return {}\n")}))
    row = one(results_for(root, "API003"))
    assert row.status.value == "fail" and "not POST" in row.message.en and row.line == 3
    root = make_repo(project({"src/svc/api.py": "from fastapi import FastAPI\napp = FastAPI()\n"}))
    assert "no prediction route" in one(results_for(root, "API003")).message.en


# -- API004 ----------------------------------------------------------------------------


def predict_app(signature: str, decorator: str = "response_model=Response",
                extra: str = "") -> dict[str, str]:
    return project({"src/svc/api.py": (
        "from typing import Any\nfrom fastapi import FastAPI, File, Request as Raw, UploadFile\n"
        "from svc.schemas import Request, Response\n" + extra +
        "app = FastAPI()\n"
        f"@app.post('/predict', {decorator})\n"
        f"def predict({signature}):\n    return {{}}\n")})


def test_api004_pass_names_the_constrained_fields(make_repo: Maker,
                                                  results_for: Results) -> None:
    row = one(results_for(make_repo(predict_app("request: Request")), "API004"))
    assert row.status.value == "pass"
    assert "body Request (constrained: age, country), response Response" in row.message.en


@pytest.mark.parametrize("signature, fragment", [
    ("payload: dict", "`payload: dict` instead of a Pydantic model"),
    ("payload: Any", "`payload: Any`"),
    ("request: Raw", "`request: Raw`"),
    ("payload", "`payload` (no annotation)"),
    ("", "no body parameter"),
])
def test_api004_untyped_bodies_fail(make_repo: Maker, results_for: Results, signature: str,
                                    fragment: str) -> None:
    row = one(results_for(make_repo(predict_app(signature)), "API004"))
    assert row.status.value == "fail" and fragment in row.message.en, row.message.en


def test_api004_missing_response_model_fails(make_repo: Maker, results_for: Results) -> None:
    row = one(results_for(make_repo(predict_app("request: Request", decorator="")), "API004"))
    assert row.status.value == "fail" and "no response_model=" in row.message.en
    ok = predict_app("request: Request) -> Response:\n    pass\ndef other(",
                     decorator="")
    assert one(results_for(make_repo(ok), "API004")).status.value == "pass"


def test_api004_unconstrained_model_fails(make_repo: Maker, results_for: Results) -> None:
    files = predict_app("request: Plain", extra=(
        "from pydantic import BaseModel\nclass Plain(BaseModel):\n    x: float\n"))
    row = one(results_for(make_repo(files), "API004"))
    assert row.status.value == "fail" and "Plain has no constrained field" in row.message.en


def test_api004_constraints_through_local_base_nested_models_enums_validators(
        make_repo: Maker, results_for: Results) -> None:
    schemas = (
        "import enum\nfrom typing import Annotated\n"
        "from pydantic import BaseModel, Field, conint, field_validator\n"
        "class Base(BaseModel):\n    pass\n"
        "class Kind(str, enum.Enum):\n    a = 'a'\n"
        "class Item(Base):\n    n: Annotated[int, Field(gt=0)]\n"
        "class Batch(Base):\n    items: list[Item] = Field(max_length=1000)\n"
        "class WithEnum(Base):\n    kind: Kind\n"
        "class WithValidator(Base):\n    x: float\n"
        "    @field_validator('x')\n    @classmethod\n    def check(cls, v):\n        return v\n"
        "class WithConint(Base):\n    x: conint(ge=0)\n"
        "class Response(Base):\n    y: float\n")
    for name, expected in (("Batch", "items"), ("WithEnum", "kind"),
                           ("WithValidator", "@check"), ("WithConint", "x")):
        files = project({
            "src/svc/schemas.py": schemas,
            "src/svc/api.py": (
                f"from fastapi import FastAPI\nfrom svc.schemas import {name}, Response\n"
                "app = FastAPI()\n@app.post('/predict', response_model=Response)\n"
                f"def predict(body: {name}):\n    return {{}}\n")})
        row = one(results_for(make_repo(files), "API004"))
        assert row.status.value == "pass" and expected in row.message.en, (name, row.message.en)


def test_api004_file_upload_warns(make_repo: Maker, results_for: Results) -> None:
    row = one(results_for(make_repo(predict_app("file: UploadFile = File(...)")), "API004"))
    assert row.status.value == "warn" and "multipart upload" in row.message.en


def test_api004_no_predict_route_fails(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": "from fastapi import FastAPI\napp = FastAPI()\n"}))
    assert "no POST predict route" in one(results_for(root, "API004")).message.en


# -- API005 ----------------------------------------------------------------------------


def test_api005_good_app_passes(make_repo: Maker, results_for: Results) -> None:
    row = one(results_for(make_repo(project({"src/svc/api.py": GOOD_APP})), "API005"))
    assert row.status.value == "pass" and "(status 503)" in row.message.en


def test_api005_unguarded_inference_warns(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI, HTTPException, status\napp = FastAPI()\nmodel = None\n"
        "@app.post('/predict')\ndef predict(x: float):\n"
        "    if model is None:\n"
        "        raise HTTPException(status_code=status.HTTP_503_SERVICE_UNAVAILABLE)\n"
        "    return model.predict([[x]])\n")}))
    row = one(results_for(root, "API005"))
    assert row.status.value == "warn" and "not wrapped in try/except" in row.message.en
    assert row.line == 4


def test_api005_guard_in_a_helper_counts(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "import logging\nfrom fastapi import FastAPI, HTTPException\napp = FastAPI()\n"
        "log = logging.getLogger(__name__)\n"
        "def score(model, x):\n    try:\n        return model.predict(x)\n"
        "    except Exception:\n        log.exception('boom')\n        return None\n"
        "@app.post('/predict')\ndef predict(x: float):\n"
        "    if x < 0:\n        raise HTTPException(422, 'negative')\n"
        "    return score(None, x)\n")}))
    assert statuses(results_for(root, "API005")) == ["pass"]


def test_api005_exception_handler_alone_passes(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\nfrom fastapi.responses import JSONResponse\n"
        "app = FastAPI()\n"
        "@app.exception_handler(Exception)\nasync def boom(request, exc):\n"
        "    return JSONResponse(status_code=500, content={})\n"
        "@app.post('/predict')\ndef predict(x: float):\n    return x\n")}))
    row = one(results_for(root, "API005"))
    assert row.status.value == "pass" and row.message.en.startswith("exception handler at")


def test_api005_no_error_handling_fails(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI, HTTPException\napp = FastAPI()\n"
        "@app.post('/predict')\ndef predict(x: float):\n"
        "    if x is None:\n        raise HTTPException(status_code=200)\n    return x\n")}))
    row = one(results_for(root, "API005"))
    assert row.status.value == "fail" and "bare 500s" in row.message.en


# -- API006 ----------------------------------------------------------------------------


def api006(make_repo: Maker, results_for: Results, body: str) -> list[Result]:
    return results_for(make_repo(project({"src/svc/api.py": (
        "import functools\nimport os\nimport joblib\nimport mlflow\n"
        "from fastapi import Depends, FastAPI\n" + body)})), "API006")


def test_api006_lifespan_with_env_path_passes(make_repo: Maker, results_for: Results) -> None:
    row = one(results_for(make_repo(project({"src/svc/api.py": GOOD_APP})), "API006"))
    assert row.status.value == "pass" and row.line == 16
    assert "once at start-up (path from an environment variable)" in row.message.en


def test_api006_load_in_handler_fails(make_repo: Maker, results_for: Results) -> None:
    row = one(api006(make_repo, results_for, (
        "app = FastAPI()\n@app.post('/predict')\ndef predict(x: float):\n"
        "    model = joblib.load(os.environ['MODEL_PATH'])\n    return model.predict([[x]])\n")))
    assert row.status.value == "fail" and row.line == 9
    assert "loaded on every request" in row.message.en and "lifespan" in row.fix.en


def test_api006_load_in_helper_or_uncached_dependency_fails(make_repo: Maker,
                                                            results_for: Results) -> None:
    rows = api006(make_repo, results_for, (
        "def get_model():\n    return mlflow.pyfunc.load_model('models:/churn/Production')\n"
        "app = FastAPI()\n@app.post('/predict')\ndef predict(x: float, m=Depends(get_model)):\n"
        "    return m.predict([[x]])\n"))
    assert statuses(rows) == ["fail"] and "mlflow.pyfunc.load_model" in rows[0].message.en


def test_api006_cached_dependency_passes(make_repo: Maker, results_for: Results) -> None:
    rows = api006(make_repo, results_for, (
        "@functools.lru_cache\ndef get_model():\n    return joblib.load(os.getenv('M'))\n"
        "app = FastAPI()\n@app.post('/predict')\ndef predict(x: float, m=Depends(get_model)):\n"
        "    return m.predict([[x]])\n"))
    assert statuses(rows) == ["pass"] and "cached dependency" in rows[0].message.en


def test_api006_module_level_and_lazy_loads_warn(make_repo: Maker, results_for: Results) -> None:
    rows = api006(make_repo, results_for, (
        "class Service:\n    def __init__(self, path):\n        self.model = joblib.load(path)\n"
        "service = Service(os.getenv('M'))\n"
        "app = FastAPI()\n"
        "if __name__ == '__main__':\n    joblib.load('ignored.joblib')\n"))
    assert statuses(rows) == ["warn"] and "import time" in rows[0].message.en
    rows = api006(make_repo, results_for, (
        "model = None\napp = FastAPI()\n@app.post('/predict')\ndef predict(x: float):\n"
        "    global model\n    if model is None:\n        model = joblib.load(os.getenv('M'))\n"
        "    return model.predict([[x]])\n"))
    assert statuses(rows) == ["warn"] and "first request" in rows[0].message.en


def test_api006_hardcoded_path_in_startup_warns(make_repo: Maker, results_for: Results) -> None:
    rows = api006(make_repo, results_for, (
        "from pathlib import Path\nBASE = Path(__file__).parent\n"
        "app = FastAPI()\n@app.on_event('startup')\ndef load():\n"
        "    app.state.model = joblib.load(BASE / 'model.joblib')\n"))
    assert statuses(rows) == ["warn"] and "hardcoded path" in rows[0].message.en
    rows = api006(make_repo, results_for, (
        "from svc.config import settings\n"
        "app = FastAPI()\n@app.on_event('startup')\ndef load():\n"
        "    app.state.model = joblib.load(settings.model_path)\n"))
    assert statuses(rows) == ["pass"] and "path from config" in rows[0].message.en


def test_api006_no_load_found(make_repo: Maker, results_for: Results) -> None:
    predicts = ("@app.post('/predict')\ndef predict(x: float):\n"
                "    return app.state.model.predict([[x]])\n")
    rows = api006(make_repo, results_for, "app = FastAPI()\n" + predicts)
    assert statuses(rows) == ["warn"] and "no model loading found" in rows[0].message.en
    rows = api006(make_repo, results_for, (
        "async def lifespan(app):\n    yield\napp = FastAPI(lifespan=lifespan)\n" + predicts))
    assert statuses(rows) == ["warn"] and "loads no model" in rows[0].message.en
    # an app that serves no model at all: nothing to load once (levels.md §6)
    rows = api006(make_repo, results_for, "app = FastAPI()\n")
    assert statuses(rows) == ["skip"] and "serves no model" in rows[0].message.en


# -- API007 ----------------------------------------------------------------------------


def test_api007_good_app_passes_both_levels(make_repo: Maker, results_for: Results) -> None:
    rows = results_for(make_repo(project({"src/svc/api.py": GOOD_APP})), "API007")
    assert statuses(rows, 2) == ["pass"] and statuses(rows, 3) == ["pass"]


def test_api007_wildcard_origins_fail_level3(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
        "ORIGINS = ['*']\napp = FastAPI(title='a', version='1')\n"
        "app.add_middleware(CORSMiddleware, allow_origins=ORIGINS)\n")}))
    rows = results_for(root, "API007")
    assert statuses(rows, 2) == ["pass"]
    row = one(rows, 3)
    assert row.status.value == "fail" and row.line == 5 and '["*"]' in row.message.en


def test_api007_docs_disabled_missing_title_and_no_cors(make_repo: Maker,
                                                        results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\napp = FastAPI(docs_url=None, version='1')\n")}))
    rows = results_for(root, "API007")
    level2 = one(rows, 2)
    assert level2.status.value == "fail"
    assert "docs_url=None" in level2.message.en and "without title" in level2.message.en
    assert "no CORSMiddleware" in level2.message.en
    assert "no origin list" in one(rows, 3).message.en


def test_api007_cors_without_origins_and_regex(make_repo: Maker, results_for: Results) -> None:
    for kwargs, status in (("", "fail"), ("allow_origin_regex='.*'", "fail"),
                           ("allow_origin_regex=r'https://.*\\.example\\.com'", "pass")):
        root = make_repo(project({"src/svc/api.py": (
            "from fastapi import FastAPI\nfrom starlette.middleware.cors import CORSMiddleware\n"
            f"app = FastAPI(title='a', version='1')\napp.add_middleware(CORSMiddleware, {kwargs})\n"
        )}))
        assert statuses(results_for(root, "API007"), 3) == [status], kwargs


# -- API008 ----------------------------------------------------------------------------


def test_api008_counts_production_features(make_repo: Maker, results_for: Results) -> None:
    app = (
        "from fastapi import APIRouter, Depends, FastAPI\n"
        "from pydantic import BaseModel, Field\n"
        "class Item(BaseModel):\n    x: float\n"
        "class Batch(BaseModel):\n    items: list[Item] = Field(..., max_length=1000)\n"
        "router = APIRouter(prefix='/api/v1')\n"
        "def settings():\n    return {}\n"
        "@router.post('/predict/batch')\nasync def batch(b: Batch, s=Depends(settings)):\n"
        "    return {}\n"
        "@router.get('/health')\nasync def health():\n    return {}\n"
        "@router.get('/ready')\nasync def ready():\n    return {}\n"
        "@router.get('/model/info')\nasync def info():\n    return {}\n"
        "app = FastAPI()\napp.include_router(router)\n"
        "@app.middleware('http')\nasync def rid(request, call_next):\n"
        "    response = await call_next(request)\n"
        "    response.headers['X-Request-ID'] = '1'\n    return response\n")
    root = make_repo(project({
        "src/svc/api.py": app,
        "Dockerfile": ("FROM python:3.11-slim\nCMD [\"gunicorn\", \"svc.api:app\", \"-k\", "
                       "\"uvicorn.workers.UvicornWorker\"]\n")}))
    row = one(results_for(root, "API008"))
    assert row.status.value == "pass" and row.message.en.startswith("8/8 production features")


def test_api008_too_few_features_and_unbounded_batch(make_repo: Maker,
                                                     results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\nfrom svc.schemas import Request\napp = FastAPI()\n"
        "@app.post('/predict/batch')\ndef batch(items: list[Request]):\n    return {}\n"),
        "Makefile": "serve:\n\tuvicorn svc.api:app --workers 4\n"}))
    row = one(results_for(root, "API008"))
    assert row.status.value == "fail"
    assert row.message.en.startswith("1/8 production features: production server")
    assert "bounded /predict/batch" in row.message.en.split("missing:")[1]
    assert "without a bounded list" in row.message.en
    assert "rutas versionadas (/v1)" in row.message.es and "versioned" not in row.message.es


def test_api008_uvicorn_run_workers_and_compose_command(make_repo: Maker,
                                                        results_for: Results) -> None:
    root = make_repo(project({
        "src/svc/api.py": ("import uvicorn\nfrom fastapi import FastAPI, Depends\n"
                           "app = FastAPI()\n@app.get('/v1/ready')\nasync def r():\n    return 1\n"
                           "if __name__ == '__main__':\n    uvicorn.run(app, workers=2)\n"),
        "docker-compose.yml": "services:\n  api:\n    build: .\n    command: [uvicorn, a]\n"}))
    row = one(results_for(root, "API008"))
    assert row.status.value == "pass", row.message.en


# -- API009 ----------------------------------------------------------------------------

LOCUST = ("Type,Name,Request Count,Failure Count,Median Response Time,Average Response Time,"
          "Min Response Time,Max Response Time,Average Content Size,Requests/s,Failures/s,"
          "50%,66%,75%,80%,90%,95%,98%,99%,99.9%,99.99%,100%\n"
          "POST,/predict,1000,{fail},40,45,10,400,20,50,0,40,45,50,55,70,{p95},150,180,300,"
          "390,400\n"
          ",Aggregated,1000,{fail},40,45,10,400,20,50,0,40,45,50,55,70,{p95},150,180,300,390,"
          "400\n")


@pytest.mark.parametrize("p95, fail, status", [
    (90, 0, "pass"), (300, 5, "warn"), (900, 0, "fail"), (100, 50, "fail")])
def test_api009_locust_evidence(make_repo: Maker, results_for: Results, p95: int, fail: int,
                                status: str) -> None:
    root = make_repo(project({"reports/load_stats.csv": LOCUST.format(p95=p95, fail=fail)}))
    row = one(results_for(root, "API009"))
    assert row.status.value == status and f"P95 {p95} ms" in row.message.en
    assert row.weight == 0


def test_api009_without_evidence_is_manual(make_repo: Maker, results_for: Results) -> None:
    root = make_repo(project({"reports/other_stats.csv": "a,b\n1,2\n",
                              "reports/empty_stats.csv": LOCUST.format(p95="N/A", fail=0)}))
    rows = results_for(root, "API009")
    assert sorted((r.path, r.status.value) for r in rows) == [
        ("reports/empty_stats.csv", "skip"), ("reports/other_stats.csv", "skip")]
    assert "not a locust stats CSV" in next(
        r.message.en for r in rows if r.path == "reports/other_stats.csv")
    root = make_repo(project({}))
    assert statuses(results_for(root, "API009")) == ["manual"]


def test_api006_path_is_followed_through_helpers_and_classmethods(
        make_repo: Maker, results_for: Results) -> None:
    files = project({
        "src/svc/predictor.py": (
            "import joblib\nclass Predictor:\n"
            "    def __init__(self, model):\n        self.model = model\n"
            "    @classmethod\n    def from_file(cls, path, fallback=None):\n"
            "        return cls(joblib.load(path))\n"),
        "src/svc/api.py": (
            "import os\nfrom pathlib import Path\nfrom fastapi import FastAPI\n"
            "from svc.predictor import Predictor\n"
            "BASE = Path(__file__).resolve().parent.parent\n"
            "def load_all(where=None):\n"
            "    model_path = BASE / 'models' / 'model.pkl'\n"
            "    return Predictor.from_file(model_path)\n"
            "async def lifespan(app):\n    load_all()\n    yield\n"
            "app = FastAPI(lifespan=lifespan)\n"),
    })
    row = one(results_for(make_repo(files), "API006"))
    assert row.status.value == "warn" and row.path == "src/svc/predictor.py" and row.line == 7
    assert "hardcoded path" in row.message.en
    env = dict(files)
    env["src/svc/api.py"] = files["src/svc/api.py"].replace(
        "BASE / 'models' / 'model.pkl'", "os.getenv('MODEL_PATH', 'models/model.pkl')")
    row = one(results_for(make_repo(env), "API006"))
    assert row.status.value == "pass" and "environment variable" in row.message.en


def test_api006_instance_method_startup_and_reload_endpoint(make_repo: Maker,
                                                            results_for: Results) -> None:
    rows = api006(make_repo, results_for, (
        "class Wrapper:\n    def load(self):\n"
        "        self.model = joblib.load(os.getenv('MODEL_PATH'))\n"
        "wrapper = Wrapper()\napp = FastAPI()\n"
        "@app.on_event('startup')\ndef start():\n    wrapper.load()\n"
        "@app.post('/model/reload')\ndef reload_model():\n    wrapper.load()\n    return {}\n"))
    assert statuses(rows) == ["pass"] and "once at start-up" in rows[0].message.en


# -- serving apps beyond FastAPI/Flask, GET / as health, per-route loading ----------------

AZURE_SCORE = """import os
import joblib
from azureml.core.model import Model

def init():
    global model
    model = joblib.load(Model.get_model_path(os.getenv("AZUREML_MODEL_DIR")))

def run(data, request_headers):
    return model.predict(data).tolist()
"""


@pytest.mark.parametrize("path, text, label", [
    ("src/svc/scoring/score.py", AZURE_SCORE, "Azure ML scoring script (init/run)"),
    ("src/svc/inference.py", "import joblib\n\ndef model_fn(model_dir):\n"
     "    return joblib.load(model_dir + '/m.joblib')\n\ndef predict_fn(data, model):\n"
     "    return model.predict(data)\n", "SageMaker inference handler"),
    ("src/svc/handler.py", "from ts.torch_handler.base_handler import BaseHandler\n\n"
     "class H(BaseHandler):\n    pass\n", "TorchServe"),
    ("src/svc/service.py", "import bentoml\n\n@bentoml.service\nclass Svc:\n    pass\n",
     "BentoML"),
    ("src/svc/deploy.py", "from ray import serve\n\n@serve.deployment\nclass D:\n    pass\n",
     "Ray Serve"),
    ("src/svc/model.py", "import kserve\n\nclass M(kserve.Model):\n    pass\n", "KServe"),
])
def test_api001_scoring_scripts_and_model_servers_are_serving_apps(
        make_repo: Maker, results_for: Results, path: str, text: str, label: str) -> None:
    # levels.md §2: a well-known model server or scoring script earns the credit
    row = one(results_for(make_repo(project({path: text})), "API001"))
    assert row.status.value == "pass" and label in row.message.en, row.message.en
    assert row.path == path


def test_api001_batch_entry_scripts_are_not_scoring_services(make_repo: Maker,
                                                              results_for: Results) -> None:
    batch = AZURE_SCORE.replace("def run(data, request_headers):",
                                "def run(mini_batch):")
    row = one(results_for(make_repo(project({"src/svc/batch.py": batch})), "API001"))
    assert row.status.value == "fail" and "no serving code" in row.message.en
    plain = "def init():\n    pass\n\ndef run(x):\n    return x\n"  # no Azure ML evidence
    row = one(results_for(make_repo(project({"src/svc/tasks.py": plain})), "API001"))
    assert row.status.value == "fail"


@pytest.mark.parametrize("route", [
    "@app.get('/')\ndef health():\n    return {'ok': True}\n",
    "@app.get('/')\ndef root():\n    '''Liveness probe: the service is up.'''\n"
    "    return {'ok': True}\n",
    "@app.get('/', summary='Health check')\ndef root():\n    return {'ok': True}\n",
])
def test_api002_documented_root_health_route(make_repo: Maker, results_for: Results,
                                             route: str) -> None:
    app = "from fastapi import FastAPI\napp = FastAPI()\n" + route
    row = one(results_for(make_repo(project({"src/svc/api.py": app})), "API002"))
    assert row.status.value == "pass" and "documented as the health check" in row.message.en
    # an undocumented root route is not a health check
    bare = "from fastapi import FastAPI\napp = FastAPI()\n@app.get('/')\ndef root():\n" \
        "    '''Service identification.'''\n    return {'name': 'svc'}\n"
    row = one(results_for(make_repo(project({"src/svc/api.py": bare})), "API002"))
    assert row.status.value == "fail" and "no health route" in row.message.en


def test_api006_per_request_loading_names_the_route(make_repo: Maker,
                                                    results_for: Results) -> None:
    rows = api006(make_repo, results_for, (
        "state = {}\n"
        "def lifespan(app):\n    state['m'] = joblib.load(os.getenv('M'))\n    yield\n"
        "app = FastAPI(lifespan=lifespan)\n"
        "@app.post('/predict')\ndef predict(x: float):\n    return state['m'].predict([[x]])\n"
        "@app.get('/model/card')\ndef card():\n"
        "    return {'params': joblib.load(os.getenv('M')).get_params()}\n"))
    failing = [r for r in rows if r.status.value == "fail"]
    assert len(failing) == 1, [r.message.en for r in rows]
    assert "GET /model/card" in failing[0].message.en
    assert "every request to that route" in failing[0].message.en
    assert "POST /predict" not in failing[0].message.en


# -- route objects, handlers on instances, protocol inference paths ---------------------

ROUTE_LIST_APP = {
    "src/svc/errors.py": (
        "async def on_error(request, exc):\n    return None\n"
        "HANDLERS = {ValueError: on_error}\n"),
    "src/svc/endpoints.py": (
        "from typing import Optional\nfrom fastapi import Request\n"
        "from svc.schemas import Request as Body, Response\n"
        "class Endpoints:\n"
        "    async def live(self) -> dict:\n        return {}\n"
        "    async def infer(self, raw: Request, payload: Body, model_name: str,\n"
        "                    model_version: Optional[str] = None) -> Response:\n"
        "        return Response(probability=0.5)\n"),
    "src/svc/app.py": (
        "from fastapi import FastAPI\nfrom fastapi.routing import APIRoute as BaseRoute\n"
        "from svc.endpoints import Endpoints\nfrom svc.errors import HANDLERS\n"
        "class APIRoute(BaseRoute):\n    pass\n"
        "def create_app() -> FastAPI:\n"
        "    endpoints = Endpoints()\n"
        "    routes = [\n"
        "        APIRoute('/v2/health/live', endpoints.live),\n"
        "        APIRoute('/v2/models/{model_name}/infer', endpoints.infer, methods=['POST']),\n"
        "    ]\n"
        "    return FastAPI(routes=routes, exception_handlers=HANDLERS)\n"),
}


def test_route_objects_in_a_routes_list_subclass_and_instance_handlers(
        make_repo: Maker, results_for: Results) -> None:
    """``FastAPI(routes=[APIRoute(path, obj.method)])`` (the Open Inference protocol's
    shape): the routes are read, ``/infer`` is the prediction route, the handler is the
    method of the locally built instance and its names resolve in its own module."""
    root = make_repo(project(ROUTE_LIST_APP))
    health = one(results_for(root, "API002"))
    assert (health.status.value, health.message.en) == ("pass", "GET /v2/health/live (fastapi)")
    predict = one(results_for(root, "API003"))
    assert predict.status.value == "pass" and "/v2/models/{model_name}/infer" in predict.message.en
    schemas = one(results_for(root, "API004"))
    assert schemas.status.value == "pass", schemas.message.en
    assert "body Request" in schemas.message.en and "response Response" in schemas.message.en
    errors = one(results_for(root, "API005"))
    assert errors.status.value == "pass" and errors.path == "src/svc/errors.py"


def test_unresolved_handler_is_a_warning_not_a_missing_schema(make_repo: Maker,
                                                              results_for: Results) -> None:
    files = dict(ROUTE_LIST_APP)
    files["src/svc/app.py"] = files["src/svc/app.py"].replace(
        "    endpoints = Endpoints()\n", "    endpoints = make_endpoints()\n")
    root = make_repo(project(files))
    schemas = one(results_for(root, "API004"))
    assert schemas.status.value == "warn"
    assert "not resolved statically" in schemas.message.en
    assert "no se resuelve" in schemas.message.es


@pytest.mark.parametrize("path, method, status", [
    ("/invocations", "post", "pass"),          # SageMaker containers
    ("/score", "post", "pass"),                # Azure ML
    ("/v1/models/m:predict", "post", "pass"),  # TF Serving style
    ("/inference-docs", "post", "fail"),       # a segment that merely contains "infer"
    ("/v2/models/m/infer", "get", "fail"),     # inference over GET
])
def test_api003_inference_paths_of_serving_protocols(make_repo: Maker, results_for: Results,
                                                     path: str, method: str,
                                                     status: str) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import FastAPI\napp = FastAPI()\n"
        f"@app.{method}('{path}')\ndef handler():\n    return {{}}\n")}))
    assert one(results_for(root, "API003")).status.value == status


def test_api004_scalar_parameters_are_query_parameters(make_repo: Maker,
                                                       results_for: Results) -> None:
    root = make_repo(project({"src/svc/api.py": (
        "from fastapi import Body, FastAPI\napp = FastAPI()\n"
        "@app.post('/predict')\ndef predict(name: str, text: str = Body(...)) -> dict:\n"
        "    return {}\n")}))
    message = one(results_for(root, "API004")).message.en
    assert "`text: str`" in message and "`name: str`" not in message
