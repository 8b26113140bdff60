"""Static model of a project's web services: apps, routers, routes, handlers, hooks.

Read from the shared Python AST (:func:`python_index`); nothing is imported or run.

* **FastAPI** is modelled fully: ``FastAPI(...)`` instances (also built inside factory
  functions), ``APIRouter(prefix=...)``, ``include_router(router, prefix=...)`` and
  ``mount(...)`` composed into full paths (``/api/v1`` + ``/health``), route decorators
  (``get``/``post``/…/``api_route``/``websocket``) and ``add_api_route``, with the
  decorator's line, the handler function, ``response_model=`` and the handler's
  parameters (``Depends``/``Body``/… markers, ``Annotated`` unwrapped). Lifespan and
  startup hooks, exception handlers and middleware are collected too.
* **Flask, Quart, Sanic** (apps, blueprints with ``url_prefix``, ``register_blueprint``,
  ``route``/``get``/``post`` decorators, ``add_url_rule``), **Starlette** ``Route(...)``,
  **Litestar** ``@get``/``@post`` and **Django** ``path()`` are read for their routes.
* Other frameworks (aiohttp, Tornado, Falcon, BentoML, Ray Serve, KServe, TorchServe, …)
  and dashboards (Streamlit, Gradio, Dash, Panel) are only recognised by their imports;
  scoring scripts a platform calls (Azure ML ``init()``/``run()``, SageMaker
  ``model_fn``/``predict_fn``) by the functions they define.

Names are resolved through imports, relative ones included (``from .routers import
health`` then ``health.router``), across the files given to :func:`serving_model`.
Prefixes that are not literals are resolved when they are module constants; otherwise
the expression is kept in braces (``{settings.API_PREFIX}/health``).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from mlops_lint.parsers.serving_builder import build_model
from mlops_lint.parsers.serving_model import ServingModel, join_paths
from mlops_lint.parsers.serving_modules import load_module, module_names
from mlops_lint.parsers.serving_nodes import (
    APP_CONSTRUCTORS,
    DASHBOARDS,
    FRAMEWORKS,
    ROUTER_CONSTRUCTORS,
    SCORING_SCRIPTS,
    Edge,
    Endpoint,
    FunctionNode,
    Hook,
    Key,
    Module,
    Mount,
    Param,
    Route,
)

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

__all__ = [
    "APP_CONSTRUCTORS", "DASHBOARDS", "FRAMEWORKS", "ROUTER_CONSTRUCTORS", "SCORING_SCRIPTS",
    "Edge", "Endpoint", "FunctionNode", "Hook", "Key", "Module", "Mount", "Param", "Route",
    "ServingModel", "build_model", "join_paths", "load_module", "module_names",
    "serving_model",
]


def serving_model(repo: Repo, files: Iterable[str], base: str = ".") -> ServingModel:
    """:func:`build_model`, cached per set of files for the run."""
    paths = tuple(sorted(set(files)))
    key = f"fastapi_app:{base}:{hash(paths)}:{len(paths)}"
    cached = repo.memo.get(key)
    if cached is None:
        cached = build_model(repo, paths, base)
        repo.memo[key] = cached
    result: ServingModel = cached
    return result
