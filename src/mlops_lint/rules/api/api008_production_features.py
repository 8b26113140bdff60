"""API008: at least ``min_features`` of the guide's eight production features of an API.

Readiness distinct from liveness, ``/model/info``, a bounded batch route, versioned
routes, an X-Request-ID middleware, dependency injection, a production server (gunicorn
with UvicornWorker, uvicorn ``--workers``) and async handlers.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from pydantic import Field

from mlops_lint.context import Context
from mlops_lint.globs import COMPOSE_FILES_ANYWHERE
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.dockerfile import Dockerfile, dockerfiles, own_paths
from mlops_lint.parsers.fastapi_app import Route
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.python_source import call_arg, literal
from mlops_lint.readers.serving import Serving
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import Params, rule
from mlops_lint.rules.api._shared import require, service_site


class ProductionParams(Params):
    min_features: int = Field(3, ge=1, le=8)
    max_batch: int = Field(1000, ge=1)


def _commands(ctx: Context) -> list[tuple[str, int | None, str]]:
    """Shell commands that start the service: Dockerfiles, Makefile, Procfile, compose."""
    out: list[tuple[str, int | None, str]] = []
    paths = ctx.files(["**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile"])
    for parsed in map(noted, dockerfiles(ctx.repo, paths)):
        if isinstance(parsed, Dockerfile):
            for inst in parsed.instructions:
                if inst.cmd in ("CMD", "ENTRYPOINT", "RUN"):
                    out.append((parsed.path, inst.line, inst.args))
    for path in ctx.files(["Makefile", "**/Makefile"]):
        makefile = noted(ctx.repo.parse(path, parse_makefile))
        if isinstance(makefile, Makefile):
            for target in makefile.targets.values():
                out.extend((path, line, text) for line, text in target.recipe)
    for path in ctx.files(["Procfile", "**/*.sh"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str):
            out.extend((path, n, t) for n, t in enumerate(text.splitlines(), start=1))
    for path in own_paths(ctx.files(COMPOSE_FILES_ANYWHERE), ctx.repo):
        doc = noted(ctx.repo.yaml(path))
        services = doc.get("services") if isinstance(doc, dict) else None
        for service in (services or {}).values() if isinstance(services, dict) else []:
            command = service.get("command") if isinstance(service, dict) else None
            if command is not None:
                text = " ".join(map(str, command)) if isinstance(command, list) else str(command)
                out.append((path, None, text))
    return out


# model-serving frameworks that run and replicate the app themselves: gunicorn workers do
# not apply (levels.md point 2: their replicas are the equivalent)
MANAGED_SERVERS = (("ray.serve", "Ray Serve"), ("bentoml", "BentoML"), ("kserve", "KServe"))


def _serving_framework(s: Serving) -> str | None:
    """The model-serving framework the serving code runs under, with where."""
    for module in s.model.closure(s.model.serving_files):
        for name, label in MANAGED_SERVERS:
            if module.index.imports(name):
                return f"{label} ({module.path})"
    return None


def _production_server(ctx: Context, s: Serving) -> str | None:
    framework = _serving_framework(s)
    if framework is not None:
        return f"{framework} runs and replicates the app"
    for path, line, text in _commands(ctx):
        low = text.lower()
        where = f"{path}:{line}" if line else path
        if "gunicorn" in low and "uvicornworker" in low:
            return f"gunicorn + UvicornWorker ({where})"
        if "uvicorn" in low and re.search(r"--workers[\s=]+\S", low):
            return f"uvicorn --workers ({where})"
    for path in ctx.files(["gunicorn*.py", "**/gunicorn*.py"]):
        conf = noted(ctx.repo.text(path))
        if isinstance(conf, str) and "UvicornWorker" in conf:
            return f"gunicorn config {path}"
    for module in s.model.modules.values():
        for qual, call in module.index.calls_to("uvicorn.run"):
            if qual == "uvicorn.run" and call_arg(call, "workers") is not None:
                return f"uvicorn.run(workers=…) ({module.path}:{call.lineno})"
    return None


def _bounded_batch(s: Serving, route: Route, limit: int) -> bool:
    module = s.model.module(route.handler_path)
    if module is None:
        return False
    for param in s.model.params(route):
        for _, cls in s.model.model_classes(module, param.annotation):
            for stmt in ast.walk(cls):
                if isinstance(stmt, ast.AnnAssign):
                    for node in ast.walk(stmt):
                        if isinstance(node, ast.keyword) and node.arg in (
                                "max_length", "max_items"):
                            value = literal(node.value)
                            if isinstance(value, int) and value <= limit:
                                return True
    return False


METADATA_SEGMENTS = frozenset({"info", "metadata", "version", "versions", "model", "models",
                               "run_id", "run-id", "runid", "model_info", "model-info",
                               "model_version", "model-version"})


def _metadata_route(route: Route) -> bool:
    """A GET route that tells which model serves: /model/info, /metadata, /version,
    /run_id, /model."""
    return route.allows("GET") and (
        bool(METADATA_SEGMENTS & {seg.lower() for seg in route.segments})
        or bool(re.search(r"model[/_-]?info", route.path.lower())))


def _ready_and_live(routes: list[Route]) -> bool:
    """A readiness route besides the liveness one."""
    segments = [set(r.segments) for r in routes]
    ready = any({"ready", "readyz", "readiness"} & seg for seg in segments)
    live = any({"health", "healthz", "livez", "live", "liveness", "_healthz"} & seg
               for seg in segments)
    return ready and live


def _request_id_and_depends(s: Serving) -> tuple[bool, bool]:
    """Whether the serving code handles an X-Request-ID, and uses dependency injection."""
    request_id = False
    depends = False
    for module in s.model.closure(s.model.serving_files):
        if any(isinstance(c.value, str) and c.value.lower() == "x-request-id"
               for c in module.nodes(ast.Constant)):
            request_id = True
        if module.index.imports("asgi_correlation_id"):
            request_id = True
        if any(module.index.calls_to("fastapi.Depends", "fastapi.Security")):
            depends = True
    return request_id, depends


# how to add each missing feature, by the start of its English name
HOW: tuple[tuple[str, str, str], ...] = (
    ("readiness", "/ready distinct from /health", "/ready distinta de /health"),
    ("model metadata", "/model/info", "/model/info"),
    ("bounded", "a bounded /predict/batch", "un /predict/batch acotado"),
    ("versioned", "versioned routes (APIRouter(prefix='/api/v1'))",
     "rutas versionadas (APIRouter(prefix='/api/v1'))"),
    ("X-Request-ID", "X-Request-ID middleware", "middleware X-Request-ID"),
    ("dependency", "Depends injection", "inyección con Depends"),
    ("production server", "gunicorn + UvicornWorker (or uvicorn --workers)",
     "gunicorn + UvicornWorker (o uvicorn --workers)"),
    ("async", "async handlers", "handlers async"),
)


def _server_label(server: str | None) -> tuple[str, str]:
    if server is not None and "replicates" in server:
        return "production server", "servidor de producción"
    return ("production server (gunicorn + UvicornWorker / --workers)",
            "servidor de producción (gunicorn + UvicornWorker / --workers)")


def _fix(missing: list[T], need: int) -> T:
    """Add ``need`` more of the missing features (only those: a Ray Serve app, whose
    server is Ray Serve's, is not asked for gunicorn)."""
    hows = [T(en, es) for start, en, es in HOW if any(m.en.startswith(start) for m in missing)]
    return T(f"Add at least {need} more of: ", f"Añade al menos {need} más de: ") + \
        T.join(hows, ", ") + T(".", ".")


@rule("API008", ProductionParams)
@reports_unread
def api_production_features(ctx: Context, params: ProductionParams) -> Iterator[Finding]:
    """API008: at least three production features of the guide's API."""
    s, early = require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    routes = s.fastapi_routes
    features: list[T] = []
    missing: list[T] = []

    def tally(ok: bool, en: str, es: str) -> None:
        (features if ok else missing).append(T(en, es))

    tally(_ready_and_live(routes), "readiness ≠ liveness (/ready)",
          "readiness ≠ liveness (/ready)")
    meta = next((r.path for r in routes if _metadata_route(r)), None)
    tally(meta is not None, f"model metadata route ({meta or '/model/info'})",
          f"ruta de metadatos del modelo ({meta or '/model/info'})")
    batch = [r for r in routes if "batch" in r.path.lower() and r.allows("POST")]
    tally(any(_bounded_batch(s, r, params.max_batch) for r in batch),
          f"bounded /predict/batch (≤ {params.max_batch})",
          f"/predict/batch acotado (≤ {params.max_batch})")
    tally(any(re.search(r"(^|[^a-z0-9])v\d+([^a-z0-9]|$)", r.path.lower()) for r in routes),
          "versioned routes (/v1)", "rutas versionadas (/v1)")
    request_id, depends = _request_id_and_depends(s)
    tally(request_id, "X-Request-ID middleware", "middleware X-Request-ID")
    tally(depends, "dependency injection (Depends)", "inyección de dependencias (Depends)")
    server = _production_server(ctx, s)
    tally(server is not None, *_server_label(server))
    tally(any(r.is_async for r in routes), "async handlers", "handlers async")
    path, line = service_site(s)
    found = T.join(features, ", ") if features else T("none", "ninguna")
    if batch and not any(_bounded_batch(s, r, params.max_batch) for r in batch):
        found = found + T("; batch endpoint without a bounded list (max_length)",
                          "; endpoint batch sin lista acotada (max_length)")
    message = T(f"{len(features)}/8 production features: ",
                f"{len(features)}/8 funciones de producción: ") + found
    if server is not None:
        message = message + T(f" [server: {server}]", f" [servidor: {server}]")
    if len(features) >= params.min_features:
        yield passed(message, path, line)
    else:
        yield failed(message + T(f" (need {params.min_features}; missing: ",
                                 f" (se necesitan {params.min_features}; faltan: ")
                     + T.join(missing, ", ") + T(")", ")"), path, line,
                     fix=_fix(missing, params.min_features - len(features)))
