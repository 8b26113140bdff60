"""OBS003: /metrics with latency and prediction metrics (level 2), ML metrics (level 3).

Level 3: a prediction/probability distribution, a model-loaded gauge, an error counter and
metrics labelled by model or version. With no service to scrape, the absence follows from
the missing serving layer and points at API001. A scoring script a platform serves (Azure
ML, SageMaker) cannot expose /metrics: the platform's request metrics (Application
Insights enabled on the deployment, SageMaker's CloudWatch metrics) pass level 2 and warn
at level 3 (no ML metrics seen); without them both levels fail, naming the setting
(:mod:`mlops_lint.rules.obs._platform_metrics`).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.fastapi_app import ServingModel
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.rules import rule
from mlops_lint.rules.obs._platform_metrics import ScoringScript, scoring_script
from mlops_lint.rules.obs._shared import calls, code_model, last, service_of

METRIC_TYPES = frozenset({"Counter", "Histogram", "Gauge", "Summary", "Info", "Enum"})


METRIC_LIBRARIES = ("prometheus_client", "prometheus_fastapi_instrumentator",
                    "starlette_exporter", "starlette_prometheus", "prometheus_flask_exporter",
                    "aioprometheus")


AUTO_INSTRUMENTERS = ("prometheus_fastapi_instrumentator", "starlette_exporter",
                      "starlette_prometheus", "prometheus_flask_exporter")


@dataclass(frozen=True)
class Metric:
    kind: str
    name: str
    labels: tuple[str, ...]
    path: str
    line: int


def metrics_of(model: ServingModel) -> list[Metric]:
    out = []
    for module, qual, call in calls(model):
        if not qual.startswith(("prometheus_client.", "aioprometheus.")) or \
                last(qual) not in METRIC_TYPES:
            continue
        name = model.const_str(module, call_arg(call, "name", 0)) or ""
        labels_node = call_arg(call, "labelnames", 2)
        labels: tuple[str, ...] = ()
        if isinstance(labels_node, ast.List | ast.Tuple):
            labels = tuple(v for v in (model.const_str(module, e) for e in labels_node.elts) if v)
        out.append(Metric(last(qual), name.lower(), labels, module.path, call.lineno))
    return out


def _metrics_endpoint(model: ServingModel) -> str | None:
    for route in model.routes:
        if route.segments and route.segments[-1] == "metrics":
            return f"{route.path} ({route.file}:{route.line})"
    for mount in model.mounts:
        module = model.module(mount.path)
        target = mount.target.func if isinstance(mount.target, ast.Call) else mount.target
        qual = model.qualname(module, target) if module is not None else None
        if last(qual or "") in ("make_asgi_app", "make_wsgi_app"):
            return f"mount {mount.prefix} ({mount.path}:{mount.line})"
    for module, qual, call in calls(model):
        if last(qual) == "start_http_server" and qual.startswith("prometheus_client"):
            return f"start_http_server ({module.path}:{call.lineno})"
        if isinstance(call.func, ast.Attribute) and call.func.attr == "expose":
            return f"Instrumentator().expose ({module.path}:{call.lineno})"
    for module in model.modules.values():
        if module.index.imports("prometheus_flask_exporter"):
            return f"prometheus_flask_exporter ({module.path})"
    return None


def _no_metrics(model: ServingModel) -> Iterator[Finding]:
    service = service_of(model)
    # with no service to scrape, the absence follows from the missing serving layer
    # (API001) and is reported there once
    extra = T("", "") if service is not None else T(
        "; the project's code serves no requests (no web app or route) that could expose "
        "/metrics", "; el código del proyecto no atiende peticiones (ni app web ni rutas) "
        "que puedan exponer /metrics")
    for level in (2, 3):
        yield failed(T("no Prometheus metrics (prometheus_client or an instrumentator)",
                       "sin métricas Prometheus (prometheus_client o un instrumentador)")
                     + extra, level=level, see=None if service is not None else "API001")


def _platform_metrics(script: ScoringScript) -> Iterator[Finding]:
    """A scoring script the platform serves: its request metrics are the platform's."""
    where = f"{script.label} ({script.path}:{script.line})"
    served = T(f"no Prometheus metrics, and none can be exposed: the project serves a "
               f"scoring script the platform calls, with no web app of its own: {where}",
               f"sin métricas Prometheus, y no pueden exponerse: el proyecto sirve un script "
               f"de scoring que llama la plataforma, sin app web propia: {where}")
    if script.metrics is None:
        fix = T("Enable the platform's metrics on the deployment (appInsightsEnabled: true in "
                "the deployment config, app_insights_enabled: true on an online deployment, "
                "or deploy_configuration(enable_app_insights=True)), then log prediction "
                "values and the model version from run()",
                "Activa las métricas de la plataforma en el despliegue (appInsightsEnabled: "
                "true en la configuración de despliegue, app_insights_enabled: true en un "
                "online deployment o deploy_configuration(enable_app_insights=True)) y "
                "registra desde run() los valores predichos y la versión del modelo")
        for level in (2, 3):
            yield failed(served + T("; the platform's request metrics (Application Insights) "
                                    "are not enabled",
                                    "; las métricas de peticiones de la plataforma "
                                    "(Application Insights) no están activadas"),
                         script.path, script.line, level=level, fix=fix)
        return
    recorded = T(f"; the platform records its request rate, latency and failures in "
                 f"{script.metrics}", f"; la plataforma registra su tasa de peticiones, "
                 f"latencia y fallos en {script.metrics}")
    yield passed(served + recorded, script.path, script.line, level=2)
    yield warned(served + recorded + T("; no ML metrics seen (prediction distribution, model "
                                       "version)", "; no se ven métricas de ML (distribución "
                                       "de predicciones, versión del modelo)"),
                 script.path, script.line, level=3,
                 fix=T("Log prediction values and the model version from the scoring "
                       "script to the platform's metrics (custom metrics or dimensions)",
                       "Registra desde el script de scoring los valores predichos y la "
                       "versión del modelo en las métricas de la plataforma (métricas o "
                       "dimensiones personalizadas)"))


def _serving_metrics(model: ServingModel, path: str, metrics: list[Metric],
                     latency: list[Metric]) -> Finding:
    """Level 2: the /metrics endpoint, a latency histogram and a predictions counter (an
    auto-instrumenter gives the HTTP ones)."""
    auto = any(m.index.imports(lib) for m in model.modules.values() for lib in AUTO_INSTRUMENTERS)
    endpoint = _metrics_endpoint(model)
    counter = [m for m in metrics if m.kind == "Counter"
               and re.search(r"predict|inference|request", m.name)]
    missing: list[T] = []
    if endpoint is None:
        missing.append(T("a /metrics route returning generate_latest()",
                         "una ruta /metrics que devuelva generate_latest()"))
    if not latency and not auto:
        missing.append(T("a latency Histogram", "un Histogram de latencia"))
    if not counter and not auto:
        missing.append(T("a predictions Counter", "un Counter de predicciones"))
    found = ", ".join(sorted({m.name for m in latency + counter}))
    shown = T(found, found) if found else T("automatic HTTP metrics",
                                            "métricas HTTP automáticas")
    if missing:
        return failed(T("Prometheus in use but missing: ", "Prometheus en uso pero falta: ")
                      + T.join(missing), path, level=2)
    return passed(T(f"/metrics: {endpoint}; ", f"/metrics: {endpoint}; ") + shown, path,
                  level=2)


def _ml_metrics(path: str, metrics: list[Metric], latency: list[Metric]) -> Finding:
    """Level 3: prediction distribution, model loaded, errors, labelled by model."""
    distribution = [m for m in metrics if m.kind in ("Histogram", "Summary")
                    and re.search(r"prob|score|confidence|prediction", m.name)
                    and m not in latency]
    loaded = [m for m in metrics if (m.kind == "Gauge" and "model" in m.name
                                     and re.search(r"load|up|ready|version|info", m.name))
              or (m.kind == "Info" and "model" in m.name)]
    errors = [m for m in metrics if m.kind == "Counter" and re.search(r"error|fail|exception",
                                                                      m.name)]
    labelled = [m for m in metrics if {"model", "model_name", "model_version", "version"}
                & set(m.labels)]
    missing3 = [text for ok, text in (
        (distribution, T("a prediction/probability Histogram",
                         "un Histogram de predicciones/probabilidades")),
        (loaded, T("a model_loaded Gauge", "un Gauge model_loaded")),
        (errors, T("an error Counter", "un Counter de errores")),
        (labelled, T("metrics labelled by model/version",
                      "métricas etiquetadas por modelo/versión"))) if not ok]
    if missing3:
        return failed(T("ML metrics missing: ", "faltan métricas de ML: ") + T.join(missing3),
                      path, level=3)
    return passed(T("ML metrics: prediction distribution, model_loaded, errors, labelled "
                    "by model",
                    "métricas de ML: distribución de predicciones, model_loaded, errores, "
                    "etiquetadas por modelo"), distribution[0].path, distribution[0].line,
                  level=3)


@rule("OBS003")
def prometheus_metrics(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS003: /metrics with latency and prediction metrics (L2), ML metrics (L3)."""
    model = code_model(ctx)
    library = next((m for m in model.modules.values()
                    if any(m.index.imports(lib) for lib in METRIC_LIBRARIES)), None)
    if library is None:
        script = scoring_script(ctx, model) if service_of(model) is None else None
        yield from _no_metrics(model) if script is None else _platform_metrics(script)
        return
    metrics = metrics_of(model)
    latency = [m for m in metrics if m.kind in ("Histogram", "Summary")
               and re.search(r"latency|duration|seconds|time|_ms", m.name)]
    yield _serving_metrics(model, library.path, metrics, latency)
    yield _ml_metrics(library.path, metrics, latency)
