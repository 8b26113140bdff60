"""API005: errors reach clients as HTTP errors.

``HTTPException`` with a 4xx/5xx status or an exception handler; the inference of each
prediction route sits in a ``try`` whose ``except`` logs or raises (or a handler exists).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.fastapi_app import Module, Route, ServingModel
from mlops_lint.parsers.python_source import call_arg, literal
from mlops_lint.readers.serving import Serving, route_entry
from mlops_lint.rules import rule
from mlops_lint.rules.api._shared import require, service_site

HTTP_EXCEPTIONS = ("fastapi.HTTPException", "fastapi.exceptions.HTTPException",
                   "starlette.exceptions.HTTPException")


def _status_code(model: ServingModel, module: Module, call: ast.Call) -> int | None:
    node = call_arg(call, "status_code", 0)
    value = literal(node)
    if isinstance(value, int):
        return value
    if isinstance(node, ast.Attribute):
        match = re.search(r"(\d{3})", node.attr)
        return int(match.group(1)) if match else None
    if isinstance(node, ast.Name):
        found = model.symbol(module, node)
        if found is not None and isinstance(found[2], ast.Constant) and isinstance(
                found[2].value, int):
            return found[2].value
    return None


def _handles(try_node: ast.Try) -> bool:
    """The except clauses log or turn the error into an HTTP error (raise)."""
    for handler in try_node.handlers:
        for node in ast.walk(handler):
            if isinstance(node, ast.Raise):
                return True
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and node.func.attr in ("exception", "error", "critical", "warning")):
                return True
    return False


def _protected(s: Serving, route: Route) -> bool:
    """Inference in the route (or its callees) sits in a try whose except maps/logs."""
    for module, func in route_entry(s, route):
        stack = [(module, func, 0)]
        seen: set[int] = set()
        while stack:
            mod, fn, level = stack.pop()
            if id(fn) in seen:
                continue
            seen.add(id(fn))
            for node in ast.walk(fn):
                if isinstance(node, ast.Try) and _handles(node):
                    inner = [c for stmt in node.body for c in ast.walk(stmt)
                             if isinstance(c, ast.Call)]
                    if inner:
                        return True
            if level < 2:
                stack.extend((w, f, level + 1) for w, f, _, _ in s.model.callees(mod, fn))
    return False


@rule("API005")
def api_error_handling(ctx: Context, params: None) -> Iterator[Finding]:
    """API005: HTTPException with 4xx/5xx codes or exception handlers; inference guarded."""
    s, early = require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    raises: list[tuple[str, int, int | None]] = []
    for module in s.model.closure(s.model.serving_files):
        for qual, node in module.calls():
            if qual in HTTP_EXCEPTIONS:
                raises.append((module.path, node.lineno, _status_code(s.model, module, node)))
    meaningful = [r for r in raises if r[2] is None or 400 <= r[2] <= 599]
    handlers = s.model.hooks_of("exception_handler")
    path, line = service_site(s)
    if not meaningful and not handlers:
        yield failed(T("no HTTPException(status_code=4xx/5xx) and no exception handler: "
                       "errors reach clients as bare 500s",
                       "ni HTTPException(status_code=4xx/5xx) ni manejadores de excepciones: "
                       "los errores llegan al cliente como 500 sin más"), path, line)
        return
    evidence = (T(f"HTTPException at {meaningful[0][0]}:{meaningful[0][1]}"
                  + (f" (status {meaningful[0][2]})" if meaningful[0][2] else ""),
                  f"HTTPException en {meaningful[0][0]}:{meaningful[0][1]}"
                  + (f" (estado {meaningful[0][2]})" if meaningful[0][2] else ""))
                if meaningful else
                T(f"exception handler at {handlers[0].path}:{handlers[0].line}",
                  f"manejador de excepciones en {handlers[0].path}:{handlers[0].line}"))
    predict = s.predict_routes(s.fastapi_routes)
    unguarded = [r for r in predict if not handlers and not _protected(s, r)]
    if unguarded:
        route = unguarded[0]
        yield warned(evidence + T(
            f"; but inference in `{route.handler_name}` (POST {route.path}) is not wrapped in "
            "try/except that logs and maps to an HTTP error",
            f"; pero la inferencia en `{route.handler_name}` (POST {route.path}) no está en "
            "un try/except que registre y convierta en error HTTP"), route.file, route.line,
            fix=T("Wrap the prediction in try/except: log the exception and raise "
                  "HTTPException(status_code=500, ...); or register @app.exception_handler.",
                  "Envuelve la predicción en try/except: registra la excepción y lanza "
                  "HTTPException(status_code=500, ...); o registra @app.exception_handler."))
        return
    yield passed(evidence, meaningful[0][0] if meaningful else handlers[0].path,
                 meaningful[0][1] if meaningful else handlers[0].line)
