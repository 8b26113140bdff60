"""DEP002's level-2 fix: where to point a platform's health check, a route the app
really has (or one to add first)."""

from __future__ import annotations

import re

from mlops_lint.context import Context
from mlops_lint.model import T
from mlops_lint.readers.serving import serving
from mlops_lint.rules.api._shared import HEALTH_SEGMENTS


def health_text(text: str) -> bool:
    return any(seg in HEALTH_SEGMENTS for seg in re.split(r"[/\s'\"?:=,\]\[]+", text.lower()))


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
    if routes:
        shown = ", ".join(sorted({r.path or "/" for r in routes})[:4])
        return T(f"The app has no health route (its routes: {shown}): add one (e.g. GET "
                 f"/health), then point the platform's health check at it: {ways_en}.",
                 f"La app no tiene ruta de salud (sus rutas: {shown}): añade una (p. ej. GET "
                 f"/health) y apunta a ella el health check de la plataforma: {ways_es}.")
    return HEALTH_FIX
