"""DEP002's level-2 fix: where to point a platform's health check, a route the app
really has (a health path, or a ``GET /`` documented as the health check, which API002
credits too), or one to add first."""

from __future__ import annotations

import ast
import re

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.parsers.fastapi_app import Route
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.serving import serving
from mlops_lint.rules.api._shared import HEALTH_SEGMENTS


def health_text(text: str) -> bool:
    return any(seg in HEALTH_SEGMENTS for seg in re.split(r"[/\s'\"?:=,\]\[]+", text.lower()))


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


HEALTH_FIX = T("Point the platform's health check at a health route of the app (add one, e.g. "
               "/health, if it has none): readinessProbe/livenessProbe httpGet, ECS "
               "healthCheck, a compose healthcheck, or a post-deploy curl of it.",
               "Apunta el health check de la plataforma a una ruta de salud de la app (añade "
               "una, p. ej. /health, si no la tiene): readinessProbe/livenessProbe httpGet, "
               "healthCheck de ECS, healthcheck de compose, o un curl tras desplegar.")


def health_fix(ctx: Context) -> T:
    """Where to point the platform's health check: the app's own health route, or, when
    the app shows routes but none for health, a route to add first."""
    routes = serving(ctx).model.routes
    health = next((r.path for r in routes if r.allows("GET") and health_text(r.path)), None)
    ways_en = ("readinessProbe/livenessProbe httpGet, ECS healthCheck, a compose "
               "healthcheck, or a post-deploy curl of it")
    ways_es = ("readinessProbe/livenessProbe httpGet, healthCheck de ECS, healthcheck de "
               "compose, o un curl tras desplegar")
    if health is not None:
        return T(f"Point the platform's health check at {health}: {ways_en}.",
                 f"Apunta el health check de la plataforma a {health}: {ways_es}.")
    declared = next(((r, why) for r in routes if (why := documented_health(r))), None)
    if declared is not None:
        route, why = declared
        return T(f"Point the platform's health check at {route.path or '/'} (documented as "
                 "the health check: ",
                 f"Apunta el health check de la plataforma a {route.path or '/'} (documentada "
                 "como health check: ") + why + T(f"): {ways_en}.", f"): {ways_es}.")
    if routes:
        shown = ", ".join(sorted({r.path or "/" for r in routes})[:4])
        return T(f"The app has no health route (its routes: {shown}): add one (e.g. GET "
                 f"/health), then point the platform's health check at it: {ways_en}.",
                 f"La app no tiene ruta de salud (sus rutas: {shown}): añade una (p. ej. GET "
                 f"/health) y apunta a ella el health check de la plataforma: {ways_es}.")
    return HEALTH_FIX
