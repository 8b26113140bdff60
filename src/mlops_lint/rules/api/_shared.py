"""What the API rules share: the serving layer they require (or the finding to give when it
is missing or not FastAPI), the routes API002/API003 read, the calls that load a model or
run inference, and the prose of the deployment documents (DEP001, DEP002).
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.fastapi_app import Route
from mlops_lint.parsers.markdown import parse_markdown
from mlops_lint.readers.serving import Serving, serving
from mlops_lint.readers.unread import noted
from mlops_lint.rules.api._endpoints import managed_endpoints
from mlops_lint.rules.api._servers import MODEL_SERVERS, SCORING_LABELS, host_package, server_site

HEALTH_SEGMENTS = frozenset({"health", "healthz", "_healthz", "ready", "readyz", "livez", "live",
                             "health-check", "health_check", "healthcheck"})


INFERENCE_METHODS = frozenset({"predict", "predict_proba", "predict_log_proba",
                               "decision_function"})


MODEL_LOADERS = frozenset({
    "joblib.load", "pickle.load", "pickle.loads", "cloudpickle.load", "dill.load",
    "torch.load", "torch.jit.load", "onnxruntime.InferenceSession", "skops.io.load",
    "tensorflow.keras.models.load_model", "keras.models.load_model", "keras.saving.load_model",
    "tensorflow.saved_model.load", "xgboost.Booster", "lightgbm.Booster",
})


NO_SERVING = T(
    "no serving code: no FastAPI( app (nor any other web framework) in this project, so "
    "phase 5 stays at level 0 (no serving layer)",
    "sin código de servicio: no hay una app FastAPI( (ni otro framework web) en este "
    "proyecto; la fase 5 queda en nivel 0 (sin capa de servicio)")


NO_SERVING_FIX = T(
    "Add a FastAPI service (e.g. app/main.py or src/<pkg>/api/main.py) with GET /health and "
    "POST /predict, and declare fastapi and uvicorn.",
    "Añade un servicio FastAPI (p. ej. app/main.py o src/<pkg>/api/main.py) con GET /health "
    "y POST /predict, y declara fastapi y uvicorn.")


def no_code(s: Serving) -> bool:
    return not (s.has_fastapi or s.others or s.model.apps)


def require(ctx: Context, fastapi_only: bool) -> tuple[Serving, Finding | None]:
    """The serving layer, or the finding to give when it is missing or not FastAPI."""
    s = serving(ctx)
    if s.has_fastapi:
        return s, None
    if no_code(s) and fastapi_only and (endpoints := managed_endpoints(ctx)):
        return s, skipped(T(
            f"served by a managed endpoint, {endpoints[0].label}; this criterion is written "
            "for FastAPI code (the guide's serving framework), so it is not checked",
            f"lo sirve un endpoint gestionado, {endpoints[0].label}; este criterio está "
            "escrito para código FastAPI (el framework de la guía), así que no se comprueba"),
            endpoints[0].path)
    if s.others or s.model.apps:
        if not fastapi_only:
            return s, None
        name, path, line = s.other_label() if s.others else (
            s.model.apps[0].framework, s.model.apps[0].path, s.model.apps[0].line)
        return s, skipped(T(
            f"{name} service found ({path}:{line}); this criterion is written for FastAPI "
            "(the guide's serving framework), so it is not checked",
            f"se encontró un servicio {name} ({path}:{line}); este criterio está escrito "
            "para FastAPI (el framework de la guía), así que no se comprueba"), path)
    return s, failed(NO_SERVING, fix=NO_SERVING_FIX, see="API001")


def service_site(s: Serving) -> tuple[str | None, int | None]:
    apps = s.fastapi_apps or s.model.apps
    if apps:
        return apps[0].path, apps[0].line
    if s.model.routes:
        return s.model.routes[0].file, s.model.routes[0].line
    return None, None


def is_loader(qual: str) -> bool:
    last = qual.rsplit(".", 1)[-1]
    return (qual in MODEL_LOADERS or last in ("load_model", "from_pretrained")
            or (qual.startswith("mlflow.") and last.startswith("load")))


def is_inference(qual: str) -> bool:
    return qual.rsplit(".", 1)[-1] in INFERENCE_METHODS and "." in qual


def routes_or_finding(ctx: Context) -> tuple[Serving, list[Route], Finding | None]:
    s, early = require(ctx, fastapi_only=False)
    if early is not None:
        return s, [], early
    routes = s.fastapi_routes if s.has_fastapi else s.model.routes
    servers = [o for o in s.others if o[0] in MODEL_SERVERS and o[0] not in SCORING_LABELS]
    if not routes and not s.has_fastapi and servers:
        name, path, line = servers[0]
        site = server_site(s, name)
        if site is not None:
            path, line = site[0], site[1]
        host = host_package(ctx, name)
        if host is not None:
            directory, app = host
            served = T(f" ({app[0]}:{app[1]})", f" ({app[0]}:{app[1]})") if app else \
                T("", "")
            return s, [], skipped(T(
                f"{name} runtime ({path}:{line}): its routes are those of the {name} server "
                f"this repository also contains ({directory}/){served.en}, checked with it",
                f"runtime de {name} ({path}:{line}): sus rutas son las del servidor {name} que "
                f"este repositorio también contiene ({directory}/){served.es}, revisadas con "
                "él"), path)
        return s, [], skipped(T(
            f"{name} model server ({path}:{line}): its routes are the server's protocol "
            "routes, not declared in the project's code, so they are not read",
            f"servidor de modelos {name} ({path}:{line}): sus rutas son las del protocolo del "
            "servidor, no se declaran en el código del proyecto, así que no se leen"), path)
    if not routes and not s.has_fastapi:
        name, path, line = s.other_label() if s.others else (
            s.model.apps[0].framework, s.model.apps[0].path, s.model.apps[0].line)
        return s, [], skipped(T(
            f"{name} service found ({path}:{line}) but its routes are not read statically "
            "(the API rules are written for FastAPI)",
            f"se encontró un servicio {name} ({path}:{line}) pero sus rutas no se leen "
            "estáticamente (las reglas de API están escritas para FastAPI)"), path)
    return s, routes, None


def doc_text(ctx: Context, path: str) -> list[tuple[int, str]] | None:
    doc = noted(ctx.repo.parse(path, parse_markdown))
    if isinstance(doc, ParseError):
        return None
    lines = [(h.line, h.text) for h in doc.headings] + list(doc.prose)
    lines += [(block.line, block.text) for block in doc.code_blocks]
    return sorted(lines)


def server_package_skips(package: T) -> Iterator[Finding]:
    """DEP002 for a published server package, a server others deploy: their platforms wire
    its health probes and roll it back."""
    yield skipped(T("not applicable: ", "no aplica: ") + package + T(
        ", so the platforms that deploy it wire its health probes",
        ", así que las plataformas que lo despliegan conectan sus sondas de salud"), level=2)
    yield skipped(T("not applicable: ", "no aplica: ") + package + T(
        ", so there is no deployment of its own to roll back",
        ", así que no hay despliegue propio que revertir"), level=3)
