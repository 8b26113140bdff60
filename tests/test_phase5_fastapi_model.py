"""The static model of web services: apps, routers, prefixes, handlers, params, hooks."""

from __future__ import annotations

import ast
from collections.abc import Callable
from pathlib import Path

from mlops_lint.parsers.fastapi_app import (
    ServingModel,
    build_model,
    join_paths,
    module_names,
    serving_model,
)
from mlops_lint.repo import Repo

Maker = Callable[..., Path]


def model_of(make_repo: Maker, files: dict[str, str]) -> ServingModel:
    root = make_repo(files)
    repo = Repo(root)
    return build_model(repo, repo.files)


def paths(model: ServingModel) -> list[tuple[str, tuple[str, ...]]]:
    return sorted((r.path, r.methods) for r in model.routes)


def test_join_paths_and_module_names() -> None:
    assert join_paths("/api/v1/", "", "/health") == "/api/v1/health"
    assert join_paths("", "") == "/"
    assert module_names("src/pkg/api/main.py") == ["pkg.api.main", "src.pkg.api.main"]
    assert module_names("app/__init__.py") == ["app"]
    assert module_names("__init__.py") == []
    assert module_names("README.md") == []


def test_router_prefixes_compose_through_relative_imports(make_repo: Maker) -> None:
    model = model_of(make_repo, {
        "src/pkg/__init__.py": "",
        "src/pkg/api/__init__.py": "",
        "src/pkg/api/settings.py": 'API_PREFIX = "/api/v1"\n',
        "src/pkg/api/main.py": (
            "from fastapi import FastAPI\n"
            "from .routers import health, predict as pr\n"
            "from pkg.api.settings import API_PREFIX\n"
            "app = FastAPI(title='x', version='1')\n"
            "app.include_router(health.router)\n"
            "app.include_router(pr.router, prefix=API_PREFIX)\n"),
        "src/pkg/api/routers/__init__.py": "",
        "src/pkg/api/routers/health.py": (
            "from fastapi import APIRouter\nrouter = APIRouter()\n"
            "@router.get('/health')\ndef health():\n    return {}\n"),
        "src/pkg/api/routers/predict.py": (
            "from fastapi import APIRouter\nrouter = APIRouter(prefix='/models')\n"
            "@router.post('/predict')\nasync def predict():\n    return {}\n"),
    })
    assert paths(model) == [("/api/v1/models/predict", ("POST",)), ("/health", ("GET",))]
    predict = next(r for r in model.routes if "predict" in r.path)
    assert predict.reachable and predict.prefix_known and predict.is_async
    assert predict.file == "src/pkg/api/routers/predict.py" and predict.line == 3
    assert model.frameworks["FastAPI"][0].startswith("src/pkg/api/")


def test_nested_routers_and_f_string_prefix(make_repo: Maker) -> None:
    model = model_of(make_repo, {"app.py": (
        "from fastapi import APIRouter, FastAPI\n"
        "VERSION = 'v2'\n"
        "api = APIRouter(prefix=f'/api/{VERSION}')\n"
        "models = APIRouter(prefix='/models')\n"
        "@models.get('/{name}/info')\ndef info(name: str):\n    return {}\n"
        "api.include_router(models)\n"
        "app = FastAPI()\n"
        "app.include_router(api)\n"
        "app.include_router(api, prefix='/legacy')\n")})
    assert paths(model) == [("/api/v2/models/{name}/info", ("GET",)),
                            ("/legacy/api/v2/models/{name}/info", ("GET",))]
    route = model.routes[0]
    params = model.params(route)
    assert [(p.name, p.in_path) for p in params] == [("name", True)]


def test_unknown_prefix_is_kept_as_an_expression(make_repo: Maker) -> None:
    model = model_of(make_repo, {"main.py": (
        "from fastapi import APIRouter, FastAPI\nfrom config import settings\n"
        "router = APIRouter(prefix=settings.API_V1_STR)\n"
        "@router.get('/health')\ndef health():\n    return {}\n"
        "app = FastAPI()\napp.include_router(router)\n")})
    route = model.routes[0]
    assert route.path == "/{settings.API_V1_STR}/health"
    assert not route.prefix_known and route.segments[-1] == "health"


def test_orphan_router_keeps_its_own_prefix(make_repo: Maker) -> None:
    model = model_of(make_repo, {"routes.py": (
        "from fastapi import APIRouter\nrouter = APIRouter(prefix='/v1')\n"
        "@router.post('/predict')\ndef predict():\n    return 1\n")})
    route = model.routes[0]
    assert route.path == "/v1/predict" and not route.reachable


def test_router_include_cycle_does_not_loop(make_repo: Maker) -> None:
    model = model_of(make_repo, {"main.py": (
        "from fastapi import APIRouter, FastAPI\n"
        "a = APIRouter(prefix='/a')\nb = APIRouter(prefix='/b')\n"
        "a.include_router(b)\nb.include_router(a)\n"
        "@a.get('/x')\ndef x():\n    return 1\n")})
    assert model.routes and all(r.path.endswith("/x") for r in model.routes)


def test_factory_app_add_api_route_api_route_and_websocket(make_repo: Maker) -> None:
    model = model_of(make_repo, {"svc.py": (
        "from fastapi import FastAPI\n"
        "def health():\n    return {}\n"
        "def create_app() -> FastAPI:\n"
        "    app = FastAPI()\n"
        "    app.add_api_route('/health', health, methods=['GET'])\n"
        "    @app.api_route('/predict', methods=['GET', 'POST'])\n"
        "    def predict():\n        return {}\n"
        "    @app.websocket('/ws')\n"
        "    async def ws(socket):\n        pass\n"
        "    return app\n")})
    assert paths(model) == [("/health", ("GET",)), ("/predict", ("GET", "POST")),
                            ("/ws", ("WEBSOCKET",))]
    health = next(r for r in model.routes if r.path == "/health")
    assert health.handler is not None and health.handler.name == "health"


def test_routes_on_an_app_imported_from_another_module(make_repo: Maker) -> None:
    model = model_of(make_repo, {
        "app/__init__.py": "",
        "app/main.py": "from fastapi import FastAPI\napp = FastAPI()\n",
        "app/routes.py": ("from app.main import app\n"
                          "@app.get('/healthz')\ndef h():\n    return {}\n"),
    })
    assert paths(model) == [("/healthz", ("GET",))]
    assert model.routes[0].owner == ("app/main.py", "app")


def test_flask_blueprints_register_prefix_replaces(make_repo: Maker) -> None:
    model = model_of(make_repo, {"web.py": (
        "from flask import Blueprint, Flask\n"
        "app = Flask(__name__)\n"
        "bp = Blueprint('api', __name__, url_prefix='/api')\n"
        "@bp.route('/predict', methods=['POST'])\ndef predict():\n    return {}\n"
        "@app.route('/health')\ndef health():\n    return {}\n"
        "def ping():\n    return 'ok'\n"
        "app.add_url_rule('/ping', 'ping', ping)\n"
        "app.register_blueprint(bp, url_prefix='/v1')\n")})
    assert paths(model) == [("/health", ("GET",)), ("/ping", ("GET",)),
                            ("/v1/predict", ("POST",))]
    assert {r.framework for r in model.routes} == {"flask"}
    assert "Flask" in model.frameworks and not model.apps_of("fastapi")


def test_django_starlette_and_litestar_routes(make_repo: Maker) -> None:
    model = model_of(make_repo, {
        "urls.py": ("from django.urls import path\nfrom . import views\n"
                    "urlpatterns = [path('health/', views.health)]\n"),
        "star.py": ("from starlette.routing import Route\n"
                    "async def predict(request):\n    return None\n"
                    "routes = [Route('/predict', predict, methods=['POST'])]\n"),
        "lite.py": ("from litestar import get\n@get('/livez')\nasync def live() -> str:\n"
                    "    return 'ok'\n"),
    })
    assert paths(model) == [("/health", ("*",)), ("/livez", ("GET",)),
                            ("/predict", ("POST",))]
    assert {"Django", "Starlette", "Litestar"} <= set(model.frameworks)


def test_hooks_middleware_exception_handlers_and_mounts(make_repo: Maker) -> None:
    model = model_of(make_repo, {"main.py": (
        "from fastapi import FastAPI\nfrom fastapi.middleware.cors import CORSMiddleware\n"
        "from prometheus_client import make_asgi_app\n"
        "from starlette.middleware import Middleware\n"
        "def boot():\n    pass\n"
        "async def on_value_error(request, exc):\n    pass\n"
        "app = FastAPI(on_startup=[boot], middleware=[Middleware(CORSMiddleware)],\n"
        "              exception_handlers={ValueError: on_value_error})\n"
        "@app.on_event('startup')\ndef start():\n    pass\n"
        "@app.on_event('shutdown')\ndef stop():\n    pass\n"
        "app.add_event_handler('startup', boot)\n"
        "@app.exception_handler(KeyError)\nasync def key_error(request, exc):\n    pass\n"
        "app.add_exception_handler(TypeError, on_value_error)\n"
        "@app.middleware('http')\nasync def add_id(request, call_next):\n"
        "    return await call_next(request)\n"
        "app.add_middleware(CORSMiddleware, allow_origins=['https://a.b'])\n"
        "app.mount('/metrics', make_asgi_app())\n")})
    kinds = [h.kind for h in model.hooks]
    assert kinds.count("startup") == 3 and kinds.count("exception_handler") == 3
    assert kinds.count("middleware") == 3
    assert [(m.prefix, m.owner) for m in model.mounts] == [("/metrics", ("main.py", "app"))]


def test_mounted_sub_application_gets_the_prefix(make_repo: Maker) -> None:
    model = model_of(make_repo, {"main.py": (
        "from fastapi import FastAPI\napi = FastAPI()\n"
        "@api.get('/health')\ndef health():\n    return {}\n"
        "app = FastAPI()\napp.mount('/v1', api)\n")})
    assert paths(model) == [("/v1/health", ("GET",))]


def test_params_markers_annotated_and_pydantic_resolution(make_repo: Maker) -> None:
    model = model_of(make_repo, {
        "schemas.py": (
            "from pydantic import BaseModel\n"
            "class Base(BaseModel):\n    pass\n"
            "class Req(Base):\n    x: int\n"
            "class NotModel:\n    pass\n"),
        "main.py": (
            "from typing import Annotated, Optional\n"
            "from fastapi import Depends, FastAPI, Query\n"
            "from schemas import Req, NotModel\n"
            "app = FastAPI()\n"
            "def dep():\n    return 1\n"
            "@app.post('/predict')\n"
            "def predict(req: Req, many: list[Req], maybe: Optional[Req],\n"
            "            d: Annotated[int, Depends(dep)], q: int = Query(1),\n"
            "            other: 'NotModel' = None, *, kw: Req | None = None):\n"
            "    return {}\n"),
    })
    route = model.routes[0]
    module = model.module(route.file)
    assert module is not None
    params = {p.name: p for p in model.params(route)}
    assert params["d"].marker == "Depends" and isinstance(params["d"].marker_call, ast.Call)
    assert params["q"].marker == "Query"
    resolved = {name: [c.name for _, c in model.model_classes(module, p.annotation)]
                for name, p in params.items()}
    assert resolved == {"req": ["Req"], "many": ["Req"], "maybe": ["Req"], "d": [],
                        "q": [], "other": [], "kw": ["Req"]}


def test_syntax_errors_are_collected_not_raised(make_repo: Maker) -> None:
    model = model_of(make_repo, {"bad.py": "def (:\n", "ok.py": "x = 1\n",
                                 "tests/test_api.py": "from fastapi import FastAPI\n"})
    assert [e.path for e in model.errors] == ["bad.py"]
    assert "FastAPI" not in model.frameworks  # test files are not serving code


def test_serving_model_is_cached_per_file_set(make_repo: Maker) -> None:
    root = make_repo({"main.py": "from fastapi import FastAPI\napp = FastAPI()\n"})
    repo = Repo(root)
    first = serving_model(repo, repo.files)
    assert serving_model(repo, list(reversed(repo.files))) is first
    assert serving_model(repo, []) is not first


def test_closure_follows_project_imports(make_repo: Maker) -> None:
    model = model_of(make_repo, {
        "pkg/__init__.py": "",
        "pkg/api.py": "from fastapi import FastAPI\nfrom .loader import load\napp = FastAPI()\n",
        "pkg/loader.py": "import pkg.util\ndef load():\n    pass\n",
        "pkg/util.py": "X = 1\n",
        "pkg/train.py": "import pickle\n",
    })
    assert [m.path for m in model.closure(["pkg/api.py"])] == [
        "pkg/__init__.py", "pkg/api.py", "pkg/loader.py", "pkg/util.py"]
