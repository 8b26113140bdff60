"""API002: a GET health route whose handler stays cheap.

The route's handling (handler, request dependencies and the project functions they call,
two levels deep) must not load a model or run inference. A ``GET /`` documented as the
health check counts; a managed endpoint declared as code has the platform's health route.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.fastapi_app import Route
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.serving import Site, route_calls, serving
from mlops_lint.rules import rule
from mlops_lint.rules.api._endpoints import endpoint_pass, managed_endpoints
from mlops_lint.rules.api._shared import (
    HEALTH_SEGMENTS,
    is_inference,
    is_loader,
    no_code,
    routes_or_finding,
    service_site,
)

_HEALTH_WORDS = lazy_re.compile(r"health|liveness|readiness|\balive\b|heartbeat|\bping\b",
                                re.IGNORECASE)


def documented_health(route: Route) -> T | None:
    """How a ``GET /`` route documents itself as the health check (its handler's name,
    docstring, or the route's summary/description/name/tags), or ``None``."""
    if route.segments or not route.allows("GET"):
        return None
    if _HEALTH_WORDS.search(route.handler_name.replace("_", " ")):
        return T(f"handler `{route.handler_name}`", f"handler `{route.handler_name}`")
    doc = ast.get_docstring(route.handler) if route.handler is not None else None
    if doc and _HEALTH_WORDS.search(doc.split("\n\n", 1)[0][:300]):
        return T(f"docstring of `{route.handler_name}`",
                 f"docstring de `{route.handler_name}`")
    for key in ("summary", "description", "name", "tags", "endpoint"):
        value = call_arg(route.call, key) if route.call is not None else None
        if value is not None and _HEALTH_WORDS.search(ast.unparse(value)[:300]):
            return T(f"{key}= of the route", f"{key}= de la ruta")
    return None


def _loc(site: Site) -> str:
    return f"{site.module.path}:{site.call.lineno}"


@rule("API002")
def api_health_route(ctx: Context, params: None) -> Iterator[Finding]:
    """API002: a GET health route whose handler does no model loading or inference; a
    ``GET /`` documented as the health check counts; a managed endpoint declared as code
    has the platform's health route."""
    if no_code(serving(ctx)) and (endpoints := managed_endpoints(ctx)):
        yield endpoint_pass(endpoints, T("", ""), T(f": {endpoints[0].health}",
                                                      f": {endpoints[0].health}"))
        return
    s, routes, early = routes_or_finding(ctx)
    if early is not None:
        yield early
        return
    health = [r for r in routes if set(r.segments) & HEALTH_SEGMENTS]
    documented: dict[int, T] = {}
    if not health:
        for route in routes:
            why = documented_health(route)
            if why:
                documented[id(route)] = why
                health.append(route)
    if not health:
        path, line = service_site(s)
        yield failed(T("no health route: expected GET /health (or /healthz, /ready, /livez, "
                       "also under a prefix such as /api/v1/health)",
                       "no hay ruta de salud: se espera GET /health (o /healthz, /ready, "
                       "/livez, también bajo un prefijo como /api/v1/health)"), path, line)
        return
    for route in health:
        if not route.allows("GET"):
            yield failed(T(f"{route.path} answers {', '.join(route.methods)}, not GET",
                           f"{route.path} responde a {', '.join(route.methods)}, no a GET"),
                         route.file, route.line)
            continue
        heavy = [site for site in route_calls(s, route, depth=2)
                 if is_loader(site.qual) or is_inference(site.qual)]
        if heavy:
            site = heavy[0]
            yield failed(T(
                f"GET {route.path} handler `{route.handler_name}` loads or runs the model "
                f"({site.qual.lstrip('.')} at {_loc(site)}): health checks must stay cheap",
                f"el handler `{route.handler_name}` de GET {route.path} carga o ejecuta el "
                f"modelo ({site.qual.lstrip('.')} en {_loc(site)}): el health check debe ser "
                "ligero"), route.file, route.line,
                fix=T("Return a static status (and whether the model is loaded) without "
                      "loading it or predicting.",
                      "Devuelve un estado estático (y si el modelo está cargado) sin cargarlo "
                      "ni predecir."))
        elif id(route) in documented:
            yield passed(T(f"GET {route.path} ({route.framework}) is documented as the health "
                           "check (", f"GET {route.path} ({route.framework}) está documentada "
                           "como health check (") + documented[id(route)] + T.same(")"),
                         route.file, route.line)
        else:
            yield passed(T(f"GET {route.path} ({route.framework})",
                           f"GET {route.path} ({route.framework})"), route.file, route.line)
