"""Phase 6 operations checks: logging, metrics, monitoring as code, drift, scheduled ML
workflows, runbooks, tracing and FinOps evidence (OBS001-OBS008, FIN001).

Code rules read the project's Python files plus, in a monorepo, the shared code outside
every project (the guide's ``common_utils/logger.py``). Monitoring files (Prometheus,
alert rules, Grafana dashboards), workflows, runbooks and cost evidence are read once
for the whole repository.
"""

from __future__ import annotations

import ast
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Workflow, workflows
from mlops_lint.parsers.fastapi_app import Module, ServingModel, serving_model
from mlops_lint.parsers.markdown import headings_matching, parse_markdown
from mlops_lint.parsers.python_source import call_arg, is_test_path
from mlops_lint.parsers.terraform import terraform_files
from mlops_lint.parsers.yaml_file import line_of, load_yaml, load_yaml_rt
from mlops_lint.readers.deployment import deployment, served_model
from mlops_lint.readers.project_files import as_list, shared_files
from mlops_lint.readers.training import model_used, training
from mlops_lint.readers.unread import manifests_noted, noted, reports_unread
from mlops_lint.rules import check

# -- the code of a project (plus shared code) ------------------------------------------


def code_model(ctx: Context) -> ServingModel:
    files = [f for f in shared_files(ctx) if f.endswith(".py")]
    return serving_model(ctx.repo, files, ctx.project.path)


def _calls(model: ServingModel) -> Iterator[tuple[Module, str, ast.Call]]:
    for module in model.modules.values():
        for qual, call in module.calls():
            yield module, qual, call


def _last(qual: str) -> str:
    return qual.rsplit(".", 1)[-1]


# -- OBS001 ----------------------------------------------------------------------------

SETUP_FUNCTIONS = re.compile(
    r"^(setup|configure|config|init|initialize)_?(logging|logger|logs?)$|^get_logger$",
    re.IGNORECASE)
SETUP_MODULES = re.compile(r"^(logging|log|logger|logs|logconfig)([_-]\w*)?\.py$|"
                           r"_(logging|logger)\.py$", re.IGNORECASE)
SETUP_CALLS = frozenset({"logging.basicConfig", "logging.config.dictConfig",
                         "logging.config.fileConfig", "structlog.configure",
                         "loguru.logger.add", "loguru.logger.configure",
                         "loguru.logger.remove"})
LOGGING_CONFIG_FILES = ("**/logging*.yaml", "**/logging*.yml", "**/logging*.conf",
                        "**/logging*.ini", "**/logging*.json", "**/log_config*.y*ml")


PACKAGING_FILES = ("pyproject.toml", "setup.cfg", "setup.py")
ENTRY_POINTS = re.compile(r"\[project\.(gui-)?scripts\]|\[tool\.poetry\.scripts\]|"
                          r"console_scripts|gui_scripts|\bscripts\s*=|\[project\.entry-points")
PROGRAM_FILES = ("**/Dockerfile", "**/Dockerfile.*", "**/Containerfile", "**/__main__.py",
                 "**/Procfile")
LIBRARY_FIX = T(
    "A library logs but does not configure logging: in each module use "
    "logger = logging.getLogger(__name__) (instead of print or warnings for operational "
    "messages), and in the package's __init__.py add "
    "logging.getLogger(__name__).addHandler(logging.NullHandler()); leave handlers, levels "
    "and formats to the application (Python logging HOWTO, 'Configuring Logging for a "
    "Library').",
    "Una biblioteca registra pero no configura el logging: en cada módulo usa "
    "logger = logging.getLogger(__name__) (en lugar de print o warnings para mensajes "
    "operativos), y en el __init__.py del paquete añade "
    "logging.getLogger(__name__).addHandler(logging.NullHandler()); deja handlers, niveles "
    "y formatos a la aplicación (Python logging HOWTO, 'Configuring Logging for a "
    "Library').")


def _main_guard(module: Module) -> bool:
    """``if __name__ == "__main__":`` at the top level: the module is run as a program."""
    for node in module.tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and any(
                isinstance(n, ast.Constant) and n.value == "__main__"
                for n in [node.test.left, *node.test.comparators]):
            return True
    return False


# folders of a library's repository that are not the library: its docs, examples,
# benchmarks and maintenance scripts run as programs without making it one
_BESIDE_PACKAGE = frozenset({"docs", "doc", "examples", "example", "benchmarks", "benchmark",
                             "tools", "scripts", "ci", "dev"})


def _outside_package(path: str) -> bool:
    parts = PurePosixPath(path).parts[:-1]
    return any(p.startswith(".") or p in _BESIDE_PACKAGE for p in parts)


def library_project(ctx: Context, model: ServingModel) -> T | None:
    """Why the project is a library (a package other code imports) rather than a program,
    or None: it is packaged for publication (trove classifiers), declares no entry point
    (console scripts), serves no app, and has no module run as a program (__main__),
    Dockerfile or Procfile."""
    packaged = [ctx.path(name) for name in PACKAGING_FILES if ctx.repo.exists(ctx.path(name))]
    if not packaged or model.apps or ctx.files(PROGRAM_FILES):
        return None
    published = False
    for path in packaged:
        text = ctx.repo.text(path)
        if not isinstance(text, str) or ENTRY_POINTS.search(text[:200_000]):
            return None
        published = published or "classifiers" in text[:200_000]
    if not published or any(_main_guard(m) for m in model.modules.values()
                            if not is_test_path(m.path) and not _outside_package(m.path)):
        return None
    return T(f"a library ({', '.join(packaged)}: no entry point, app, __main__ module or "
             "container)",
             f"una biblioteca ({', '.join(packaged)}: sin entry point, app, módulo __main__ "
             "ni contenedor)")


@check("logging_framework")
@reports_unread
def logging_framework(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS001: modules log through named loggers, with one central logging setup."""
    model = code_model(ctx)
    for error in model.errors:
        noted(error)
    loggers: list[tuple[str, int | None, str]] = []
    setup: list[tuple[str, int | None, str]] = []
    for module in model.modules.values():
        if module.index.imports("loguru"):
            loggers.append((module.path, 1, "loguru"))
        name = PurePosixPath(module.path).name
        if SETUP_MODULES.search(name):
            setup.append((module.path, None, f"module {name}"))
        for func in module.functions():
            if SETUP_FUNCTIONS.match(func.name):
                setup.append((module.path, func.lineno, f"{func.name}()"))
    for module, qual, call in _calls(model):
        if qual in ("logging.getLogger", "structlog.get_logger", "structlog.getLogger",
                    "structlog.stdlib.get_logger"):
            loggers.append((module.path, call.lineno, qual))
        elif qual in SETUP_CALLS:
            setup.append((module.path, call.lineno, qual))
    for path in ctx.files(LOGGING_CONFIG_FILES):
        setup.append((path, None, f"config file {path}"))
    modules = sorted({p for p, _, _ in loggers})
    setup.sort(key=lambda item: (item[1] is None, item[0], item[1] or 0))
    library = library_project(ctx, model)
    if library is not None and loggers:
        path, line, qual = loggers[0]
        yield passed(T(f"named loggers ({qual}) in {len(modules)} module(s); ",
                       f"loggers con nombre ({qual}) en {len(modules)} módulo(s); ") + library
                     + T(": configuring logging is left to the application",
                         ": configurar el logging corresponde a la aplicación"), path, line)
        return
    if library is not None:
        yield failed(T("no named logger in the library's code (logging.getLogger(__name__), "
                       "loguru or structlog); ", "ningún logger con nombre en el código de la "
                       "biblioteca (logging.getLogger(__name__), loguru o structlog); ")
                     + library, fix=LIBRARY_FIX)
        return
    if loggers and setup:
        where = setup[0]
        yield passed(T(f"named loggers in {len(modules)} module(s); central setup: {where[2]} "
                       f"({where[0]})",
                       f"loggers con nombre en {len(modules)} módulo(s); configuración "
                       f"central: {where[2]} ({where[0]})"), where[0], where[1])
    elif loggers:
        path, line, qual = loggers[0]
        yield warned(T(f"{qual} is used ({len(modules)} module(s)) but there is no central "
                       "logging setup (setup_logging(), logging_config.py, dictConfig)",
                       f"se usa {qual} ({len(modules)} módulo(s)) pero no hay configuración "
                       "central (setup_logging(), logging_config.py, dictConfig)"), path, line,
                     fix=T("Add a logging_config.py with setup_logging() called once at start-up.",
                           "Añade logging_config.py con setup_logging() llamado una vez al "
                           "arrancar."))
    elif setup:
        path, line, what = setup[0]
        yield warned(T(f"logging is configured ({what}) but no module uses "
                       "logging.getLogger(__name__)",
                       f"el logging está configurado ({what}) pero ningún módulo usa "
                       "logging.getLogger(__name__)"), path, line)
    else:
        yield failed(T("no logging framework in the code (logging.getLogger, loguru or "
                       "structlog)",
                       "no se usa ningún framework de logging (logging.getLogger, loguru o "
                       "structlog)"))


# -- OBS002 ----------------------------------------------------------------------------

REQUEST_KEYS = re.compile(r"^(x[-_])?(request|correlation|trace|req)[-_]?id$", re.IGNORECASE)
JSON_LOG_LIBRARIES = ("pythonjsonlogger", "json_log_formatter", "ecs_logging",
                      "logging_json", "jsonlogger")


def _json_formatter(ctx: Context, model: ServingModel) -> tuple[str, int | None, str] | None:
    for module in model.modules.values():
        for lib in JSON_LOG_LIBRARIES:
            if module.index.imports(lib):
                return module.path, None, lib
        for node in module.nodes(ast.ClassDef):
            if node.bases and model.is_subclass_of(module, node, ("logging.Formatter",)):
                dumps = [c for c in ast.walk(node) if isinstance(c, ast.Call)
                         and _last(model.qualname(module, c.func) or "") == "dumps"]
                if dumps:
                    return module.path, node.lineno, f"{node.name} (json.dumps)"
    for module, qual, call in _calls(model):
        if _last(qual) == "JSONRenderer":
            return module.path, call.lineno, "structlog JSONRenderer"
        if qual == "loguru.logger.add":
            serialize = call_arg(call, "serialize")
            if isinstance(serialize, ast.Constant) and serialize.value is True:
                return module.path, call.lineno, "loguru serialize=True"
    for path in ctx.files(LOGGING_CONFIG_FILES):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str) and re.search(r"jsonlogger|JsonFormatter|JSONFormatter", text):
            return path, None, "JSON formatter in logging config"
    return None


def _request_context(model: ServingModel) -> tuple[str, int, str] | None:
    for module in model.modules.values():
        if module.index.imports("asgi_correlation_id"):
            return module.path, 1, "asgi-correlation-id"
        for node in [*module.nodes(ast.Call), *module.nodes(ast.Assign)]:
            if isinstance(node, ast.Call):
                for kw in node.keywords:
                    if kw.arg == "extra" and isinstance(kw.value, ast.Dict) and any(
                            isinstance(k, ast.Constant) and isinstance(k.value, str)
                            and REQUEST_KEYS.match(k.value) for k in kw.value.keys):
                        return module.path, node.lineno, "extra={'request_id': …}"
                    if kw.arg and REQUEST_KEYS.match(kw.arg) and isinstance(
                            node.func, ast.Attribute) and node.func.attr in (
                            "bind", "contextualize", "bind_contextvars", "new"):
                        return module.path, node.lineno, f"{node.func.attr}({kw.arg}=…)"
                qual = model.qualname(module, node.func) or ""
                if _last(qual) == "ContextVar" and node.args and isinstance(
                        node.args[0], ast.Constant) and REQUEST_KEYS.match(
                        str(node.args[0].value)):
                    return module.path, node.lineno, f"ContextVar({node.args[0].value!r})"
            elif isinstance(node, ast.Assign):
                for target in node.targets:
                    if isinstance(target, ast.Attribute) and REQUEST_KEYS.match(target.attr) \
                            and isinstance(target.value, ast.Name) and \
                            target.value.id == "record":
                        return module.path, node.lineno, f"record.{target.attr}"
    return None


LOGGING_LIBRARIES = ("logging", "loguru", "structlog")


def _service(model: ServingModel) -> str | None:
    """Where the project's code serves requests (a web app or its routes), or None: a
    request id only has a subject in a service."""
    if model.apps:
        app = model.apps[0]
        return f"{app.framework} app ({app.path}:{app.line})"
    if model.routes:
        route = model.routes[0]
        return f"route {route.path} ({route.file}:{route.line})"
    return None


def _logging_used(ctx: Context, model: ServingModel) -> str | None:
    """The first module of the project's code that imports a logging library (or a logging
    config file), or None."""
    for path, module in sorted(model.modules.items()):
        if any(module.index.imports(lib) for lib in LOGGING_LIBRARIES):
            return path
    configs = ctx.files(LOGGING_CONFIG_FILES)
    return configs[0] if configs else None


JSON_LOGS_FIX = T("Emit JSON logs (python-json-logger, structlog JSONRenderer, a "
                  "logging.Formatter using json.dumps, loguru serialize=True) with the run's "
                  "fields (stage, dataset or model version) as extra keys.",
                  "Emite logs JSON (python-json-logger, JSONRenderer de structlog, un "
                  "logging.Formatter con json.dumps, loguru serialize=True) con los campos de "
                  "la ejecución (etapa, versión de datos o de modelo) como claves extra.")


@check("structured_logging")
@reports_unread
def structured_logging(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS002: a JSON log formatter and a request/correlation id in the log context. A
    project that serves no requests needs only the JSON half; one that neither serves nor
    logs has no logs to structure (OBS001 reports the missing logging)."""
    model = code_model(ctx)
    formatter = _json_formatter(ctx, model)
    context = _request_context(model)
    service = _service(model)
    no_service = T("; the project's code serves no requests (no web app or route), so a "
                   "request id does not apply",
                   "; el código del proyecto no atiende peticiones (ni app web ni rutas), así "
                   "que un request id no aplica")
    if formatter and context:
        yield passed(T(f"JSON logs ({formatter[2]}) with request context ({context[2]} at "
                       f"{context[0]}:{context[1]})",
                       f"logs JSON ({formatter[2]}) con contexto de petición ({context[2]} en "
                       f"{context[0]}:{context[1]})"), formatter[0], formatter[1])
    elif formatter and service is None:
        yield passed(T(f"JSON logs ({formatter[2]})", f"logs JSON ({formatter[2]})")
                     + no_service, formatter[0], formatter[1])
    elif formatter:
        yield warned(T(f"JSON logs ({formatter[2]}) but no request/correlation id in the log "
                       f"context of the service ({service})",
                       f"logs JSON ({formatter[2]}) pero sin request/correlation id en el "
                       f"contexto del servicio ({service})"), formatter[0], formatter[1],
                     fix=T("Propagate a request_id (middleware + contextvars, or extra={...}).",
                           "Propaga un request_id (middleware + contextvars, o extra={...})."))
    elif context:
        yield warned(T(f"request context ({context[2]}) but logs are not JSON",
                       f"contexto de petición ({context[2]}) pero los logs no son JSON"),
                     context[0], context[1],
                     fix=T("Add a JSON formatter (python-json-logger, structlog "
                           "JSONRenderer or a logging.Formatter using json.dumps).",
                           "Añade un formatter JSON (python-json-logger, JSONRenderer de "
                           "structlog o un logging.Formatter con json.dumps)."))
    elif service is not None:
        yield failed(T(f"logs are neither JSON nor carry a request id (service: {service})",
                       f"los logs no son JSON ni llevan request id (servicio: {service})"))
    else:
        logs = _logging_used(ctx, model)
        if logs is None:
            yield failed(T("no logs to structure: the project's code imports no logging "
                           "library (logging, loguru, structlog)",
                           "no hay logs que estructurar: el código del proyecto no importa "
                           "ninguna librería de logging (logging, loguru, structlog)")
                         + no_service, fix=JSON_LOGS_FIX, see="OBS001")
        else:
            yield failed(T(f"logs are not JSON (logging is used in {logs}, with no JSON "
                           "formatter)", f"los logs no son JSON (se usa logging en {logs}, "
                           "sin formatter JSON)") + no_service, logs, fix=JSON_LOGS_FIX)


# -- OBS003 ----------------------------------------------------------------------------

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
    for module, qual, call in _calls(model):
        if not qual.startswith(("prometheus_client.", "aioprometheus.")) or \
                _last(qual) not in METRIC_TYPES:
            continue
        name = model.const_str(module, call_arg(call, "name", 0)) or ""
        labels_node = call_arg(call, "labelnames", 2)
        labels: tuple[str, ...] = ()
        if isinstance(labels_node, ast.List | ast.Tuple):
            labels = tuple(v for v in (model.const_str(module, e) for e in labels_node.elts) if v)
        out.append(Metric(_last(qual), name.lower(), labels, module.path, call.lineno))
    return out


def _metrics_endpoint(model: ServingModel) -> str | None:
    for route in model.routes:
        if route.segments and route.segments[-1] == "metrics":
            return f"{route.path} ({route.file}:{route.line})"
    for mount in model.mounts:
        module = model.module(mount.path)
        target = mount.target.func if isinstance(mount.target, ast.Call) else mount.target
        qual = model.qualname(module, target) if module is not None else None
        if _last(qual or "") in ("make_asgi_app", "make_wsgi_app"):
            return f"mount {mount.prefix} ({mount.path}:{mount.line})"
    for module, qual, call in _calls(model):
        if _last(qual) == "start_http_server" and qual.startswith("prometheus_client"):
            return f"start_http_server ({module.path}:{call.lineno})"
        if isinstance(call.func, ast.Attribute) and call.func.attr == "expose":
            return f"Instrumentator().expose ({module.path}:{call.lineno})"
    for module in model.modules.values():
        if module.index.imports("prometheus_flask_exporter"):
            return f"prometheus_flask_exporter ({module.path})"
    return None


@check("prometheus_metrics")
def prometheus_metrics(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS003: /metrics with latency and prediction metrics (L2), ML metrics (L3)."""
    model = code_model(ctx)
    library = next((m for m in model.modules.values()
                    if any(m.index.imports(lib) for lib in METRIC_LIBRARIES)), None)
    if library is None:
        service = _service(model)
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
        return
    auto = any(m.index.imports(lib) for m in model.modules.values() for lib in AUTO_INSTRUMENTERS)
    metrics = metrics_of(model)
    endpoint = _metrics_endpoint(model)
    latency = [m for m in metrics if m.kind in ("Histogram", "Summary")
               and re.search(r"latency|duration|seconds|time|_ms", m.name)]
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
        yield failed(T("Prometheus in use but missing: ", "Prometheus en uso pero falta: ")
                     + T.join(missing), library.path, level=2)
    else:
        yield passed(T(f"/metrics: {endpoint}; ", f"/metrics: {endpoint}; ") + shown,
                     library.path, level=2)
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
        yield failed(T("ML metrics missing: ", "faltan métricas de ML: ") + T.join(missing3),
                     library.path, level=3)
    else:
        yield passed(T("ML metrics: prediction distribution, model_loaded, errors, labelled "
                       "by model",
                       "métricas de ML: distribución de predicciones, model_loaded, errores, "
                       "etiquetadas por modelo"), distribution[0].path, distribution[0].line,
                     level=3)


# -- OBS004 ----------------------------------------------------------------------------


def _yaml_docs(ctx: Context, needles: tuple[str, ...]) -> Iterator[tuple[str, Any]]:
    """YAML documents of files whose text contains one of ``needles`` (Helm templates out)."""
    for path in ctx.files(["**/*.yml", "**/*.yaml"]):
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or not any(n in text for n in needles) or "{{ ." in text:
            continue
        docs = noted(ctx.repo.yaml_all(path))
        if isinstance(docs, ParseError):
            continue
        for doc in docs:
            yield path, doc
            if isinstance(doc, dict) and doc.get("kind") == "ConfigMap" and isinstance(
                    doc.get("data"), dict):
                for value in doc["data"].values():  # prometheus.yml embedded in a ConfigMap
                    if isinstance(value, str) and any(n in value for n in needles):
                        try:
                            yield path, load_yaml(value)
                        except ValueError:
                            continue


def _rule_groups(doc: Any) -> list[Any]:
    if not isinstance(doc, dict):
        return []
    if doc.get("kind") == "PrometheusRule" and isinstance(doc.get("spec"), dict):
        doc = doc["spec"]
    groups = doc.get("groups")
    if not isinstance(groups, list):
        return []
    return [g for g in groups if isinstance(g, dict) and isinstance(g.get("rules"), list)]


@dataclass(frozen=True)
class Alert:
    name: str
    path: str
    line: int | None
    missing: tuple[str, ...]
    runbook: str | None


def alert_rules(ctx: Context) -> list[Alert]:
    """Every Prometheus alert of the repository, with what it lacks."""
    key = f"obs:alerts:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: list[Alert] = cached
        return result
    alerts: list[Alert] = []
    lines: dict[str, Any] = {}
    for path, doc in _yaml_docs(ctx, ("alert:",)):
        for group_index, group in enumerate(_rule_groups(doc)):
            for rule_index, rule in enumerate(group["rules"]):
                if not isinstance(rule, dict) or "alert" not in rule:
                    continue
                missing = []
                if not rule.get("for"):
                    missing.append("for:")
                labels = rule["labels"] if isinstance(rule.get("labels"), dict) else {}
                if not labels.get("severity"):
                    missing.append("labels.severity")
                notes = rule["annotations"] if isinstance(rule.get("annotations"),
                                                          dict) else {}
                runbook = notes.get("runbook_url") or notes.get("runbook")
                if not runbook:
                    missing.append("annotations.runbook_url")
                alerts.append(Alert(str(rule["alert"]), path,
                                    _alert_line(ctx, lines, path, group_index, rule_index),
                                    tuple(missing), str(runbook) if runbook else None))
    ctx.repo.memo[key] = alerts
    return alerts


def _alert_line(ctx: Context, cache: dict[str, Any], path: str, group: int,
                rule: int) -> int | None:
    """Line of a rule item, from a round-trip parse done only for alert files."""
    if path not in cache:
        cache[path] = noted(ctx.repo.parse(path, load_yaml_rt))
    doc = cache[path]
    try:
        if isinstance(doc, dict) and doc.get("kind") == "PrometheusRule":
            doc = doc["spec"]
        rules = doc["groups"][group]["rules"]
    except (KeyError, IndexError, TypeError):
        return None
    return line_of(rules, index=rule)


PANEL_NAMES = {"latency": "latencia", "throughput": "throughput", "error rate": "errores"}
PANEL_KINDS = {
    "latency": re.compile(r"latenc|duration|histogram_quantile|p9\d|response.?time", re.I),
    "throughput": re.compile(r"throughput|rps|qps|req(uest)?s?\s*/\s*s|request.?rate|"
                             r"rate\([^)]*_total|predictions|requests", re.I),
    "error rate": re.compile(r"error|5xx|status=~\\?\"5|fail", re.I),
}


def _panels(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for panel in as_list(node.get("panels")):
            if isinstance(panel, dict):
                yield panel
                yield from _panels(panel)
        for row in as_list(node.get("rows")):
            yield from _panels(row)


def grafana_dashboards(ctx: Context) -> list[tuple[str, set[str]]]:
    out = []
    for path in ctx.files(["**/*.json"]):
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or '"panels"' not in text:
            continue
        doc = noted(ctx.repo.parse(path, json.loads))
        if not isinstance(doc, dict):
            continue
        board = doc.get("dashboard") if isinstance(doc.get("dashboard"), dict) else doc
        kinds: set[str] = set()
        for panel in _panels(board):
            texts = [str(panel.get("title", ""))] + [
                str(t.get("expr", "")) + " " + str(t.get("legendFormat", ""))
                for t in as_list(panel.get("targets")) if isinstance(t, dict)]
            for kind, pattern in PANEL_KINDS.items():
                if any(pattern.search(t) for t in texts):
                    kinds.add(kind)
        out.append((path, kinds))
    return out


# Scrape targets declared as Kubernetes resources, the equivalent of scrape_configs:
# Prometheus Operator's ServiceMonitor/PodMonitor, Google Managed Prometheus' PodMonitoring.
# Read as text so Helm templates count too; a top-level ``kind:`` line, bounded.
SCRAPE_RESOURCE = re.compile(r"^kind:[ \t]{0,8}[\"']?(ServiceMonitor|PodMonitor|PodMonitoring|"
                             r"ClusterPodMonitoring)[\"']?[ \t]{0,8}$", re.MULTILINE)


def scrape_resources(ctx: Context) -> list[tuple[str, int, str]]:
    """(path, line, kind) of the scrape resources of the repository's own manifests."""
    found = []
    for path in ctx.files(["**/*.yml", "**/*.yaml", "**/*.tpl"]):
        if is_test_data(path):
            continue
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or "Monitor" not in text:
            continue
        match = SCRAPE_RESOURCE.search(text)
        if match is not None:
            found.append((path, text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


@check("monitoring_as_code")
@reports_unread
def monitoring_as_code(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS004: Prometheus scrape config, actionable alert rules and a Grafana dashboard."""
    scrape = [(path, doc) for path, doc in _yaml_docs(ctx, ("scrape_configs",))
              if isinstance(doc, dict) and isinstance(doc.get("scrape_configs"), list)]
    resources = [] if scrape else scrape_resources(ctx)
    if scrape:
        path, doc = scrape[0]
        jobs = [str(j.get("job_name")) for j in doc["scrape_configs"] if isinstance(j, dict)]
        yield passed(T(f"Prometheus scrape config: {', '.join(jobs) or 'no job'} (/metrics)",
                       f"configuración de scrape de Prometheus: {', '.join(jobs) or 'sin job'} "
                       "(/metrics)"), path)
    elif resources:
        path, line, kind = resources[0]
        more = f" (+{len(resources) - 1})" if len(resources) > 1 else ""
        yield passed(T(f"scrape targets declared as {kind} resources{more}, the operator's "
                       "equivalent of scrape_configs",
                       f"objetivos de scrape declarados como recursos {kind}{more}, el "
                       "equivalente del operador a scrape_configs"), path, line)
    else:
        yield failed(T("no Prometheus scrape config (prometheus*.yml with scrape_configs)",
                       "no hay configuración de scrape de Prometheus (prometheus*.yml con "
                       "scrape_configs)"),
                     fix=T("Add infra/prometheus-config.yaml with a scrape job for /metrics.",
                           "Añade infra/prometheus-config.yaml con un job de scrape de "
                           "/metrics."))
    alerts = alert_rules(ctx)
    if not alerts:
        yield failed(T("no alert rules (groups[].rules[].alert)",
                       "no hay reglas de alerta (groups[].rules[].alert)"),
                     fix=T("Add prometheus-rules.yaml: alerts with for:, labels.severity and "
                           "annotations.runbook_url (P99 latency, error rate, drift, down).",
                           "Añade prometheus-rules.yaml: alertas con for:, labels.severity y "
                           "annotations.runbook_url (latencia P99, errores, drift, caída)."))
    else:
        complete = [a for a in alerts if not a.missing]
        for alert in alerts:
            if alert.missing:
                yield failed(T(f"alert {alert.name} lacks {', '.join(alert.missing)}",
                               f"a la alerta {alert.name} le falta {', '.join(alert.missing)}"),
                             alert.path, alert.line)
        if complete:
            first = complete[0]
            yield passed(T(f"{len(complete)} actionable alert(s) (for, severity, runbook_url)",
                           f"{len(complete)} alerta(s) accionable(s) (for, severity, "
                           "runbook_url)"), first.path, first.line)
    boards = grafana_dashboards(ctx)
    full = [(p, k) for p, k in boards if len(k) == 3]
    if full:
        yield passed(T("Grafana dashboard with latency, throughput and error-rate panels",
                       "dashboard de Grafana con paneles de latencia, throughput y errores"),
                     full[0][0])
    elif boards:
        path, kinds = max(boards, key=lambda b: len(b[1]))
        lacking = sorted(set(PANEL_KINDS) - kinds)
        yield failed(T(f"dashboard lacks {', '.join(lacking)} panels",
                       "al dashboard le faltan paneles de "
                       f"{', '.join(PANEL_NAMES[k] for k in lacking)}"), path)
    else:
        yield failed(T("no Grafana dashboard (grafana/**/*.json)",
                       "no hay dashboard de Grafana (grafana/**/*.json)"),
                     fix=T("Export the Grafana dashboard as JSON (grafana/dashboards/api.json) "
                           "with latency (P95/P99), throughput and error-rate panels.",
                           "Exporta el dashboard de Grafana a JSON (grafana/dashboards/api.json) "
                           "con paneles de latencia (P95/P99), throughput y errores."))


# -- OBS005 ----------------------------------------------------------------------------

PSI_NAME = re.compile(r"(^|_)psi($|_)|population_stability", re.IGNORECASE)
DRIFT_FLAG = re.compile(r"^(dataset_)?drift(_detected|_flag)?$|^(is|has)_drift$|"
                        r"^drift_(share|score)$|^(recommend|needs|should)_retrain(ing)?$|"
                        r"^retrain_(recommended|needed|required)$", re.IGNORECASE)
ARTIFACT_CALLS = frozenset({"save_html", "save_json", "dump", "to_html", "to_json",
                            "write_text", "log_artifact", "to_csv", "savefig", "json"})


def _detector(model: ServingModel, module: Module) -> str | None:
    if module.index.imports("evidently"):
        return "Evidently"
    for lib, label in (("nannyml", "NannyML"), ("alibi_detect", "alibi-detect")):
        if module.index.imports(lib):
            return label
    for qual, _ in module.index.calls_to("ks_2samp"):
        return f"KS test ({qual})"
    for func in module.functions():
        if PSI_NAME.search(func.name):
            return f"PSI ({func.name})"
    return None


_SQL_WRITE = re.compile(r"^\s*(insert|upsert|replace)\s+into\b|^\s*copy\s+\w+\s+from\b",
                        re.IGNORECASE)


def _dashboard_near(ctx: Context, path: str) -> str | None:
    """A Grafana dashboard (JSON with panels) in the folder of ``path`` or below it."""
    directory = str(PurePosixPath(path).parent)
    globs = ["**/*.json"] if directory == "." else [f"{directory}/**/*.json"]
    for candidate in ctx.repo.glob(globs)[:500]:
        text = ctx.repo.text(candidate)
        if isinstance(text, str) and '"panels"' in text:
            return candidate
    return None


def _stores_rows(node: ast.Call) -> bool:
    """``cursor.execute("insert into …")`` or ``DataFrame.to_sql(…)``: metrics kept in a
    database."""
    name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
    if name == "to_sql":
        return True
    return name in ("execute", "executemany") and bool(node.args) and isinstance(
        node.args[0], ast.Constant) and isinstance(node.args[0].value, str) and bool(
        _SQL_WRITE.search(node.args[0].value[:200]))


def _outputs(module: Module) -> tuple[bool, bool, bool]:
    """(writes a report, signals drift, stores metric rows in a database)."""
    artifact = signal = stored = False
    # a key read from a result (result["drift_score"]) is not a flag the script sets
    read_keys = {id(n.slice) for n in ast.walk(module.tree)
                 if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load)}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else (
                node.func.id if isinstance(node.func, ast.Name) else "")
            if name in ARTIFACT_CALLS:
                artifact = True
            if _stores_rows(node):
                stored = True
            qual = module.index.qualname(node.func) or ""
            if qual in ("sys.exit", "exit", "quit", "SystemExit", "os._exit") and (
                    node.args and not (isinstance(node.args[0], ast.Constant)
                                       and node.args[0].value in (0, None))):
                signal = True
        elif (isinstance(node, ast.Constant) and isinstance(node.value, str)
              and id(node) not in read_keys and DRIFT_FLAG.match(node.value)) or (
                isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
                and DRIFT_FLAG.match(node.id)):
            signal = True
    return artifact, signal, stored


@check("drift_detection")
def drift_detection(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS005: drift detection (Evidently, KS, PSI, NannyML, alibi-detect) with output."""
    model = code_model(ctx)
    found: list[_Drift] = []
    for module in sorted(model.modules.values(), key=lambda m: m.path):
        detector = _detector(model, module)
        if detector is None:
            continue
        artifact, signal, stored = _outputs(module)
        board = _dashboard_near(ctx, module.path) if stored and not artifact else None
        found.append(_Drift(module, detector, artifact or board is not None, signal, board))
    best = max(found, key=lambda d: int(d.artifact) + int(d.signal), default=None)
    if best is None:
        yield failed(T("no drift detection (Evidently DataDriftPreset, scipy ks_2samp, PSI, "
                       "NannyML, alibi-detect)",
                       "no hay detección de drift (Evidently DataDriftPreset, ks_2samp de "
                       "scipy, PSI, NannyML, alibi-detect)"),
                     fix=T("Add monitoring/check_drift.py comparing reference and current data, "
                           "writing an HTML/JSON report and exiting non-zero on drift.",
                           "Añade monitoring/check_drift.py que compare datos de referencia y "
                           "actuales, escriba un informe HTML/JSON y salga con código ≠ 0 si "
                           "hay drift."))
        return
    module, detector = best.module, best.detector
    if best.artifact and best.signal:
        yield passed(T(f"{detector} drift check writes a report and signals drift",
                       f"la comprobación de drift con {detector} escribe un informe y señala "
                       "el drift"), module.path)
        return
    others = len(found) - 1
    scope_en = f" (best of {len(found)} drift modules)" if others else ""
    scope_es = f" (la mejor de {len(found)} módulos de drift)" if others else ""
    parts: list[T] = []
    for drift in [best] + [d for d in found if d is not best]:
        if drift.artifact:
            parts.append(drift.output(drift is best))
            break
    else:
        parts.append(T("no drift module writes an HTML/JSON report",
                       "ningún módulo de drift escribe un informe HTML/JSON") if others
                     else T("writes no HTML/JSON report", "no escribe informe HTML/JSON"))
    signalling = next((d for d in found if d.signal), None)
    if signalling is not None:
        who = "it" if signalling is best else signalling.module.path
        quien = "" if signalling is best else f"{signalling.module.path} "
        parts.append(T(f"{who} signals drift (exit code or flag)",
                       f"{quien}señala el drift (código de salida o indicador)"))
    else:
        parts.append(T("none signals drift (exit code or flag)" if others else
                       "does not signal drift (exit code or flag)",
                       "ninguno señala el drift (código de salida o indicador)" if others
                       else "no señala el drift (código de salida o indicador)"))
    yield warned(T(f"{detector} drift check in {module.path}{scope_en}: ",
                   f"comprobación de drift con {detector} en {module.path}{scope_es}: ")
                 + T.join(parts), module.path,
                 fix=T("Make one drift check do both: write the report (HTML/JSON, or metrics "
                       "kept for a dashboard) and signal drift with a non-zero exit code or a "
                       "drift flag that a scheduled job or alert acts on.",
                       "Haz que una comprobación de drift haga ambas cosas: escribir el informe "
                       "(HTML/JSON, o métricas guardadas para un dashboard) y señalar el drift "
                       "con un código de salida distinto de cero o un indicador sobre el que "
                       "actúe un job programado o una alerta."))


@dataclass(frozen=True)
class _Drift:
    module: Module
    detector: str
    artifact: bool
    signal: bool
    board: str | None  # a Grafana dashboard beside the metrics it stores

    def output(self, itself: bool) -> T:
        who_en = "it" if itself else self.module.path
        who_es = "" if itself else f"{self.module.path} "
        if self.board is not None:
            return T(f"{who_en} stores its drift metrics in a database shown by the Grafana "
                     f"dashboard {self.board}",
                     f"{who_es}guarda sus métricas de drift en una base de datos que muestra "
                     f"el dashboard de Grafana {self.board}")
        return T(f"{who_en} writes a report", f"{who_es}escribe un informe")


# -- OBS006 ----------------------------------------------------------------------------

UPLOAD = re.compile(r"upload-artifact|github-script|create-issue|peter-evans/create-issue|"
                    r"gh\s+issue\s+create|aws\s+s3\s+cp|gsutil\s+cp|mlflow|cml\s+comment",
                    re.IGNORECASE)


def _drift_scripts(ctx: Context) -> set[str]:
    model = code_model(ctx)
    return {m.path for m in model.modules.values() if _detector(model, m) is not None}


def _crons(wf: Workflow) -> list[str]:
    schedule = wf.on.get("schedule")
    if not isinstance(schedule, list):
        return []
    return [str(item.get("cron")) for item in schedule if isinstance(item, dict)
            and item.get("cron")]


def _model_in_repo(ctx: Context) -> str | None:
    """Where the repository has a model to watch: a project that trains one (modules or
    notebooks) or whose modules load or predict with one, a manifest, chart or image that
    runs a model server, or Terraform that provisions a model endpoint. ``None`` when there
    is none."""
    for project in ctx.repo.projects:
        pctx = Context(ctx.repo, project, ctx.config, ctx.rule_id)
        found = training(pctx)
        if found.module is not None:
            return f"training at {found.module.where}"
        if found.notebooks:
            return f"training in {found.notebooks[0]}"
        used = model_used(pctx)
        if used is not None:
            return f"a model used at {used.where}"
    return served_model(ctx.repo)


@check("scheduled_ml_workflows")
@reports_unread
def scheduled_ml_workflows(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS006: a scheduled workflow runs the drift check and uploads its report."""
    scripts = _drift_scripts(ctx)
    names = {PurePosixPath(p).name for p in scripts} | {PurePosixPath(p).stem for p in scripts}
    scheduled: list[tuple[Workflow, list[str]]] = []
    bonus: list[str] = []
    for wf in map(noted, workflows(ctx.repo)):
        if not isinstance(wf, Workflow):
            continue
        crons = _crons(wf)
        if crons:
            scheduled.append((wf, crons))
        dispatch = wf.on.get("workflow_dispatch")
        if isinstance(dispatch, dict) and dispatch.get("inputs") and "retrain" in (
                wf.path + str(wf.raw.get("name", ""))).lower():
            bonus.append(f"retrain workflow {wf.path}")
        if any("cml" in (s.uses or "") + (s.run or "") for j in wf.jobs for s in j.steps):
            bonus.append(f"CML reports ({wf.path})")
    extra = T(f" (also: {', '.join(bonus)})", f" (además: {', '.join(bonus)})") if bonus \
        else T("", "")
    results: list[Finding] = []
    for wf, crons in scheduled:
        for job in wf.jobs:
            texts = [job.id, job.name or "", str(wf.raw.get("name", ""))] + [
                (s.run or "") + " " + (s.name or "") for s in job.steps]
            runs_drift = any("drift" in t.lower() or any(n in t for n in names if n)
                             for t in texts)
            if not runs_drift:
                continue
            uploads = any(UPLOAD.search((s.uses or "") + " " + (s.run or "")) for s in job.steps)
            message = T(f"{wf.path} job {job.id} runs drift detection on cron "
                        f"{', '.join(crons)}",
                        f"{wf.path} job {job.id} ejecuta la detección de drift con cron "
                        f"{', '.join(crons)}")
            if uploads:
                results.append(passed(message + T(" and uploads the report",
                                                  " y sube el informe") + extra, wf.path,
                                      job.line))
            else:
                results.append(warned(message + T(" but does not upload the report",
                                                  " pero no sube el informe"), wf.path,
                                      job.line,
                                      fix=T("Add actions/upload-artifact for the drift report "
                                            "(and open an issue on failure).",
                                            "Añade actions/upload-artifact con el informe de "
                                            "drift (y abre un issue si falla).")))
    for workload in manifests_noted(ctx).workloads:
        if workload.kind == "CronJob" and "drift" in json.dumps(
                [c.spec for c in workload.containers], default=str).lower():
            results.append(passed(T(f"{workload.label} runs drift detection",
                                    f"{workload.label} ejecuta la detección de drift") + extra,
                                  workload.path, workload.line))
    if results:
        best = [r for r in results if r.status.value == "pass"]
        yield (best or results)[0]
        return
    fact = deployment(ctx.repo)
    if not fact.deploys:
        yield skipped(fact.nothing_deployed(T(
            ", so there is no live model whose inputs could drift",
            ", así que no hay un modelo en servicio cuyos datos puedan derivar")))
        return
    if _model_in_repo(ctx) is None:
        yield skipped(T(
            "not applicable: no model in this repository (no project trains one, loads one "
            "or predicts with one, no manifest, chart or image runs a model server such as "
            "KServe, Seldon, vLLM or Triton, and no Terraform provisions a model endpoint), so "
            "there is no model whose inputs could drift",
            "no aplica: no hay modelo en este repositorio (ningún proyecto entrena, carga ni "
            "predice con uno, ningún manifiesto, chart o imagen ejecuta un servidor de modelos "
            "como KServe, Seldon, vLLM o Triton, y ningún Terraform aprovisiona un endpoint de "
            "modelo), así que no hay modelo cuyos datos puedan derivar"))
        return
    if scheduled:
        wf = scheduled[0][0]
        yield failed(T(f"scheduled workflow(s) ({', '.join(w.path for w, _ in scheduled)}) do "
                       "not run drift detection",
                       f"los workflows programados ({', '.join(w.path for w, _ in scheduled)}) "
                       "no ejecutan la detección de drift"), wf.path)
        return
    yield failed(T("no scheduled workflow (on.schedule cron) runs drift detection",
                   "ningún workflow programado (on.schedule cron) ejecuta la detección de "
                   "drift"),
                 fix=T("Add .github/workflows/drift-detection.yml with on.schedule "
                       "(cron '0 2 * * *') running the drift script and uploading its report.",
                       "Añade .github/workflows/drift-detection.yml con on.schedule (cron "
                       "'0 2 * * *') que ejecute el script de drift y suba el informe."))


# -- OBS007 ----------------------------------------------------------------------------

SECTION_NAMES = {"Summary": "Resumen", "Diagnosis": "Diagnóstico",
                 "Common causes": "Causas comunes", "Escalation": "Escalación"}
FIELD_NAMES = {"severity": "severidad", "impact": "impacto", "owner": "owner"}
RUNBOOK_SECTIONS: dict[str, tuple[str, ...]] = {
    "Summary": ("resumen", "summary", "overview"),
    "Diagnosis": ("diagnostico", "diagnosis", "diagnose", "triage", "investigation"),
    "Common causes": ("causas", "causes", "root cause"),
    "Escalation": ("escalacion", "escalamiento", "escalado", "escalation", "escalate"),
}
SUMMARY_FIELDS: dict[str, re.Pattern[str]] = {
    "severity": re.compile(r"severi", re.I),
    "impact": re.compile(r"impact", re.I),
    "owner": re.compile(r"owner|on-?call|responsable|propietario|due[nñ]o|@\w", re.I),
}


def runbook_files(ctx: Context) -> list[str]:
    found = ctx.files(["**/runbooks/**/*.md", "**/RUNBOOK*.md", "**/runbook*.md"],
                      case_sensitive=False)
    return [p for p in found if PurePosixPath(p).name.lower() not in ("readme.md", "index.md")]


@check("runbooks")
@reports_unread
def runbooks(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS007: runbooks with Summary, Diagnosis, Common causes and Escalation sections."""
    files = runbook_files(ctx)
    if not files:
        yield failed(T("no runbooks (docs/runbooks/*.md or RUNBOOK.md)",
                       "no hay runbooks (docs/runbooks/*.md o RUNBOOK.md)"),
                     fix=T("Write docs/runbooks/<alert>.md from the template: Resumen "
                           "(severity, impact, owner), Diagnóstico, Causas comunes, Escalación.",
                           "Escribe docs/runbooks/<alerta>.md con la plantilla: Resumen "
                           "(severidad, impacto, owner), Diagnóstico, Causas comunes, "
                           "Escalación."))
        return
    alerts = alert_rules(ctx)
    for path in files:
        doc = noted(ctx.repo.parse(path, parse_markdown))
        if isinstance(doc, ParseError):
            continue
        found = {key: headings_matching(doc, names) for key, names in RUNBOOK_SECTIONS.items()}
        missing = [key for key, hits in found.items() if not hits]
        if missing:
            yield failed(T(f"runbook lacks sections: {', '.join(missing)}",
                           "al runbook le faltan secciones: "
                           f"{', '.join(SECTION_NAMES[m] for m in missing)}"), path, 1)
            continue
        summary = found["Summary"][0]
        text = doc.section(summary)
        lacking = [f for f, pattern in SUMMARY_FIELDS.items() if not pattern.search(text)]
        if lacking:
            yield warned(T(f"runbook summary does not state {', '.join(lacking)}",
                           "el resumen del runbook no indica "
                           f"{', '.join(FIELD_NAMES[f] for f in lacking)}"), path,
                         summary.line)
            continue
        note = T(f" ({len(files)} runbook(s) for {len(alerts)} alert(s))",
                 f" ({len(files)} runbook(s) para {len(alerts)} alerta(s))") if alerts \
            else T("", "")
        yield passed(T("runbook has summary (severity, impact, owner), diagnosis, causes and "
                       "escalation",
                       "el runbook tiene resumen (severidad, impacto, owner), diagnóstico, "
                       "causas y escalación") + note, path, summary.line)


# -- OBS008 ----------------------------------------------------------------------------


@check("distributed_tracing")
def distributed_tracing(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS008: OpenTelemetry or a Jaeger exporter (informational, weight 0)."""
    model = code_model(ctx)
    for module in sorted(model.modules.values(), key=lambda m: m.path):
        for lib, label in (("opentelemetry", "OpenTelemetry"), ("jaeger_client", "Jaeger"),
                           ("ddtrace", "Datadog APM")):
            if module.index.imports(lib):
                yield passed(T(f"{label} tracing in {module.path}",
                               f"trazas con {label} en {module.path}"), module.path)
                return
    yield skipped(T("optional (informational): no OpenTelemetry or Jaeger instrumentation",
                    "opcional (informativo): sin instrumentación OpenTelemetry ni Jaeger"))


# -- FIN001 ----------------------------------------------------------------------------

# An amount: a currency then a number, or a number then a currency. The number side starts
# at the beginning of a run of digits, dots and commas (the lookbehind): a currency can
# only follow the end of such a run, and trying every digit of a long run as a start
# took quadratic time.
MONEY = re.compile(r"(\$|usd|us\$|€|eur)\s?~?\d|(?<![\d.,])[.,]*\d[\d.,]*\s?"
                   r"(\$|usd|€|eur|dólares|dollars)", re.IGNORECASE)
MONTH = re.compile(r"\bmes(es)?\b|mensual|month|/mo\b|per month|al mes", re.IGNORECASE)
COST_WORDS = re.compile(r"cost|coste|costo|finops|tco|presupuesto|budget|pricing|precio",
                        re.IGNORECASE)
BUDGET_RESOURCES = ("aws_budgets_budget", "google_billing_budget", "azurerm_consumption_budget")
AUTOSCALING_RESOURCES = ("aws_appautoscaling_target", "aws_appautoscaling_policy",
                         "aws_autoscaling_group", "aws_autoscaling_policy",
                         "google_compute_autoscaler", "google_compute_region_autoscaler",
                         "azurerm_monitor_autoscale_setting",
                         "kubernetes_horizontal_pod_autoscaler")
# managed Kubernetes that scales its nodes: GKE Autopilot (nodes provisioned and billed
# per pod), GKE cluster autoscaling (node auto-provisioning), node-pool ``autoscaling``
# blocks (GKE), AKS auto-scaling node pools
AUTOSCALING_FLAGS = frozenset({"enable_autopilot", "enable_auto_scaling", "auto_scaling_enabled"})
AUTOSCALING_BLOCKS = frozenset({"cluster_autoscaling", "autoscaling"})
COST_TAGS = {"project", "env", "environment", "owner", "team", "managedby", "managed-by",
             "managed_by", "costcenter", "cost-center", "cost_center", "stage"}
ZERO_KEYS = ("min_instance_count", "min_instances", "min_capacity", "min_replicas",
             "min_size", "minreplicacount", "minscale", "autoscaling.knative.dev/minscale",
             "min-instances")


def _unq(value: object) -> str:
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _walk(node: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of nested dicts/lists, keys unquoted and lower case."""
    if isinstance(node, dict):
        for k, v in node.items():
            name = _unq(k).lower()
            yield name, v
            yield from _walk(v, name)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


KNATIVE_SCALE_KEYS = frozenset({"autoscaling.knative.dev/minscale",
                                "autoscaling.knative.dev/min-scale",
                                "autoscaling.knative.dev/maxscale",
                                "autoscaling.knative.dev/max-scale"})


def _keyed(node: Any, wanted: frozenset[str]) -> list[tuple[str, Any]]:
    """The (key, value) pairs of :func:`_walk` whose key is in ``wanted``, in the same
    order, found with a loop instead of nested generators (manifests have thousands)."""
    found: list[tuple[str, Any]] = []
    stack: list[tuple[str | None, Any]] = [(None, node)]
    while stack:
        name, item = stack.pop()
        if name is not None and name in wanted:
            found.append((name, item))
        if isinstance(item, dict):
            stack.extend(reversed([(_unq(k).lower(), v) for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend((None, v) for v in reversed(item))
    return found


def _true(value: Any) -> bool:
    return value is True or _unq(value).strip().lower() == "true"


def _enabled_block(value: Any) -> bool:
    """A Terraform block (python-hcl2 gives a list of dicts) that is not switched off:
    ``cluster_autoscaling { enabled = true … }``, ``autoscaling { min_node_count … }``."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and item:
            enabled = item.get("enabled")
            if enabled is None or _true(enabled):
                return True
    return False


def _node_autoscaling(body: Any) -> str | None:
    """How a cluster or node-pool resource scales its nodes, if it does."""
    for key, value in _walk(body):
        if key in AUTOSCALING_FLAGS and _true(value):
            return f"{key} = true"
        if key in AUTOSCALING_BLOCKS and _enabled_block(value):
            return f"{key} {{…}}"
    return None


def _zero(value: Any) -> bool:
    return _unq(value).strip() in ("0",) if not isinstance(value, bool) else False


def _cost_tags(mapping: Any) -> set[str]:
    if not isinstance(mapping, dict):
        return set()
    return {_unq(k).lower() for k in mapping} & COST_TAGS


KIND_NAMES = {"cost analysis": "análisis de costes", "budget alerts": "alertas de presupuesto",
              "cost-allocation tags": "etiquetas de coste", "scale-to-zero": "escalado a cero",
              "autoscaling": "autoescalado"}


@dataclass
class _Evidence:
    found: dict[str, tuple[str, int | None, str]]

    def add(self, kind: str, path: str, detail: str, line: int | None = None) -> None:
        self.found.setdefault(kind, (path, line, detail))


def _serverless_to_zero(body: Any) -> bool:
    """A SageMaker serverless variant (``serverless_config``) scales to zero when idle,
    unless ``provisioned_concurrency`` (other than 0) keeps instances warm."""
    for key, value in _walk(body):
        if key != "serverless_config":
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and _zero(item.get("provisioned_concurrency", 0)):
                return True
    return False


def _terraform_evidence(ctx: Context, ev: _Evidence) -> None:
    for tf in map(noted, terraform_files(ctx.repo)):
        if isinstance(tf, ParseError):
            continue  # reported by the IaC rules
        for block in tf.of("resource"):
            name = block.labels[0] if block.labels else ""
            if name.startswith(BUDGET_RESOURCES):
                ev.add("budget alerts", tf.path, block.address, block.line)
            if name.startswith(AUTOSCALING_RESOURCES):
                ev.add("autoscaling", tf.path, block.address, block.line)
            scaler = _node_autoscaling(block.body)
            if scaler:
                ev.add("autoscaling", tf.path, f"{block.address} {scaler}", block.line)
            if name == "aws_sagemaker_endpoint_configuration" and _serverless_to_zero(block.body):
                ev.add("scale-to-zero", tf.path, f"{block.address} serverless_config",
                       block.line)
        for block in tf.of("module"):
            scaler = _node_autoscaling(block.body)
            if scaler:
                ev.add("autoscaling", tf.path, f"{block.address} {scaler}", block.line)
        for key, value in _walk(tf.data):
            if key == "default_tags":
                tags = {t for item in (value if isinstance(value, list) else [value])
                        if isinstance(item, dict) for t in _cost_tags(item.get("tags"))}
                if len(tags) >= 2:
                    ev.add("cost-allocation tags", tf.path,
                           f"default_tags ({', '.join(sorted(tags))})")
            elif key in ("tags", "labels", "common_tags") and len(_cost_tags(value)) >= 2:
                ev.add("cost-allocation tags", tf.path,
                       f"{key} ({', '.join(sorted(_cost_tags(value)))})")
            elif key in ZERO_KEYS and _zero(value):
                ev.add("scale-to-zero", tf.path, f"{key} = 0")
            elif key in ("max_instance_count", "max_instances", "max_capacity",
                         "max_replicas"):
                ev.add("autoscaling", tf.path, key)


def _manifest_evidence(ctx: Context, ev: _Evidence) -> None:
    for obj in manifests_noted(ctx).objects:
        if obj.kind in ("HorizontalPodAutoscaler", "ScaledObject", "VerticalPodAutoscaler"):
            ev.add("autoscaling", obj.path, obj.label, obj.line)
        if obj.kind == "ScaledObject" and _zero(obj.spec.get("minReplicaCount", 1)):
            ev.add("scale-to-zero", obj.path, "KEDA minReplicaCount: 0", obj.line)
        for key, value in _keyed(obj.doc, KNATIVE_SCALE_KEYS):
            if key in ("autoscaling.knative.dev/minscale", "autoscaling.knative.dev/min-scale") \
                    and _zero(value):
                ev.add("scale-to-zero", obj.path, "Knative minScale 0", obj.line)
            if key in ("autoscaling.knative.dev/maxscale", "autoscaling.knative.dev/max-scale"):
                ev.add("autoscaling", obj.path, "Knative maxScale", obj.line)
        tags = _cost_tags(obj.labels)
        if len(tags) >= 2:
            ev.add("cost-allocation tags", obj.path, f"labels ({', '.join(sorted(tags))})",
                   obj.line)
    for path in ctx.files(["**/*.yml", "**/*.yaml", "**/*.json", "**/*.template"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str) and "AWS::Budgets::Budget" in text:
            ev.add("budget alerts", path, "AWS::Budgets::Budget (CloudFormation)")
    for path in ctx.files(["**/serverless.yml", "**/serverless.yaml"]):
        ev.add("scale-to-zero", path, "serverless functions scale to zero")


def _command_evidence(ctx: Context, ev: _Evidence) -> None:
    commands: list[tuple[str, int | None, str]] = []
    for wf in map(noted, workflows(ctx.repo)):
        if isinstance(wf, Workflow):
            commands += [(wf.path, s.line, s.run or "") for j in wf.jobs for s in j.steps]
    for path in ctx.files(["Makefile", "**/Makefile", "**/*.sh"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str):
            commands += [(path, n, t) for n, t in enumerate(text.splitlines(), start=1)]
    for path, line, text in commands:
        if re.search(r"--min-instances[=\s]+0\b", text):
            ev.add("scale-to-zero", path, "--min-instances 0", line)
        if re.search(r"--max-instances[=\s]+\d", text):
            ev.add("autoscaling", path, "--max-instances", line)


def _doc_evidence(ctx: Context, ev: _Evidence) -> None:
    for path in ctx.files(["**/*.md"]):
        doc = noted(ctx.repo.parse(path, parse_markdown))
        if isinstance(doc, ParseError):
            continue
        headers = [" ".join(t.header) for t in doc.tables]
        about_cost = bool(COST_WORDS.search(path)) or any(
            COST_WORDS.search(text) for text in [h.text for h in doc.headings] + headers)
        if not about_cost:
            continue
        money = [(n, t) for n, t in doc.prose if MONEY.search(t)]
        monthly = any(MONTH.search(t) for _, t in doc.prose) or any(
            MONTH.search(text) for text in [h.text for h in doc.headings] + headers)
        if money and monthly:
            ev.add("cost analysis", path, "monthly costs", money[0][0])


@check("finops_evidence")
@reports_unread
def finops_evidence(ctx: Context, params: None) -> Iterator[Finding]:
    """FIN001: at least two kinds of FinOps evidence."""
    ev = _Evidence({})
    _doc_evidence(ctx, ev)
    _terraform_evidence(ctx, ev)
    _manifest_evidence(ctx, ev)
    _command_evidence(ctx, ev)
    items = sorted(ev.found.items())
    listed = T("; ".join(f"{kind}: {detail} ({path})" for kind, (path, _, detail) in items),
               "; ".join(f"{KIND_NAMES[kind]}: {detail} ({path})"
                         for kind, (path, _, detail) in items))
    if len(ev.found) >= 2:
        path, line, _ = min(ev.found.values(), key=lambda e: (e[0], e[1] or 0))
        yield passed(T(f"{len(ev.found)} kinds of FinOps evidence: ",
                       f"{len(ev.found)} tipos de evidencia FinOps: ") + listed, path, line)
    elif ev.found:
        path, line, _ = next(iter(ev.found.values()))
        yield warned(T("only one kind of FinOps evidence: ",
                       "solo un tipo de evidencia FinOps: ") + listed, path, line)
    elif not (fact := deployment(ctx.repo)).infrastructure:
        yield skipped(fact.no_infrastructure(T(", so there is no cloud cost to control",
                                               ", así que no hay coste de nube que controlar")))
    else:
        where = fact.infrastructure[0]
        yield failed(T("no FinOps evidence (cost analysis, budget alerts, cost tags, "
                       "scale-to-zero, autoscaling) for what the repository deploys or "
                       f"provisions: {where.detail}",
                       "sin evidencia FinOps (análisis de costes, alertas de presupuesto, "
                       "etiquetas de coste, escalado a cero, autoescalado) para lo que el "
                       f"repositorio despliega o aprovisiona: {where.detail}"))
