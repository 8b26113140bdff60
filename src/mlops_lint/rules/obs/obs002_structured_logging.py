"""OBS002: JSON logs with a request/correlation id in the log context.

A project that serves no requests needs only the JSON half; one that neither serves nor
logs has no logs to structure (OBS001 reports the missing logging).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.fastapi_app import Module, ServingModel
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.obs._shared import LOGGING_CONFIG_FILES, calls, code_model, last, service_of

REQUEST_KEYS = lazy_re.compile(r"^(x[-_])?(request|correlation|trace|req)[-_]?id$", re.IGNORECASE)


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
                         and last(model.qualname(module, c.func) or "") == "dumps"]
                if dumps:
                    return module.path, node.lineno, f"{node.name} (json.dumps)"
    for module, qual, call in calls(model):
        if last(qual) == "JSONRenderer":
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


def _call_context(model: ServingModel, module: Module, node: ast.Call) -> str | None:
    """How a call puts a request id in the log context: ``extra={'request_id': …}``,
    ``logger.bind(request_id=…)`` (loguru/structlog), a ``ContextVar('request_id')``."""
    for kw in node.keywords:
        if kw.arg == "extra" and isinstance(kw.value, ast.Dict) and any(
                isinstance(k, ast.Constant) and isinstance(k.value, str)
                and REQUEST_KEYS.match(k.value) for k in kw.value.keys):
            return "extra={'request_id': …}"
        if kw.arg and REQUEST_KEYS.match(kw.arg) and isinstance(
                node.func, ast.Attribute) and node.func.attr in (
                "bind", "contextualize", "bind_contextvars", "new"):
            return f"{node.func.attr}({kw.arg}=…)"
    qual = model.qualname(module, node.func) or ""
    if last(qual) == "ContextVar" and node.args and isinstance(
            node.args[0], ast.Constant) and REQUEST_KEYS.match(str(node.args[0].value)):
        return f"ContextVar({node.args[0].value!r})"
    return None


def _record_field(node: ast.Assign) -> str | None:
    """``record.request_id = …`` in a logging filter."""
    for target in node.targets:
        if isinstance(target, ast.Attribute) and REQUEST_KEYS.match(target.attr) \
                and isinstance(target.value, ast.Name) and target.value.id == "record":
            return f"record.{target.attr}"
    return None


def _request_context(model: ServingModel) -> tuple[str, int, str] | None:
    for module in model.modules.values():
        if module.index.imports("asgi_correlation_id"):
            return module.path, 1, "asgi-correlation-id"
        for node in [*module.nodes(ast.Call), *module.nodes(ast.Assign)]:
            if isinstance(node, ast.Call):
                how = _call_context(model, module, node)
            elif isinstance(node, ast.Assign):
                how = _record_field(node)
            else:
                continue
            if how is not None:
                return module.path, node.lineno, how
    return None


LOGGING_LIBRARIES = ("logging", "loguru", "structlog")


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


@rule("OBS002")
@reports_unread
def structured_logging(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS002: a JSON log formatter and a request/correlation id in the log context. A
    project that serves no requests needs only the JSON half; one that neither serves nor
    logs has no logs to structure (OBS001 reports the missing logging)."""
    model = code_model(ctx)
    formatter = _json_formatter(ctx, model)
    context = _request_context(model)
    service = service_of(model)
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
