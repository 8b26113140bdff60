"""API002: a GET health route whose handler stays cheap.

The route's handling (handler, request dependencies and the project functions they call,
two levels deep) must not load a model or run inference. A ``GET /`` documented as the
health check counts; a managed endpoint declared as code has the platform's health route.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.readers.serving import Site, route_calls, serving
from mlops_lint.rules import rule
from mlops_lint.rules.api._endpoints import endpoint_pass, managed_endpoints
from mlops_lint.rules.api._health_fix import documented_health
from mlops_lint.rules.api._shared import (
    HEALTH_SEGMENTS,
    is_inference,
    is_loader,
    no_code,
    routes_or_finding,
    service_site,
)


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
