"""Pass-through proxies: a handler whose raw ``Request`` (or the body read from it) reaches
an outgoing HTTP client call (httpx, aiohttp, requests), directly or through the project's
functions it is passed to (three calls deep), and that computes no prediction itself. The
service it forwards to owns the request and response schemas (API004) and the model
(API006).
"""

from __future__ import annotations

import ast

from mlops_lint.parsers.fastapi_app import Module, Route, ServingModel
from mlops_lint.parsers.serving_nodes import FunctionNode
from mlops_lint.readers.serving import Serving

RAW_BODY_TYPES = frozenset({"dict", "Dict", "typing.Dict", "Any", "typing.Any", "object",
                            "fastapi.Request", "starlette.requests.Request", "Request",
                            "list", "List", "typing.List", "bytes", "str"})


def annotation_names(model: ServingModel, module: Module, expr: ast.expr) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name | ast.Attribute):
            qual = model.qualname(module, node) or ""
            names.add(qual)
            names.add(qual.rsplit(".", 1)[-1])
    return names


HTTP_CLIENTS = ("httpx", "aiohttp", "requests", "urllib3")
HTTP_METHODS = frozenset({"post", "put", "patch", "request", "stream", "send"})
# calls that compute a prediction in the handler itself (the proxy computes none)
PREDICTION_METHODS = frozenset({"predict", "predict_proba", "decision_function", "forward",
                                "infer", "generate", "transform"})


def _derived(func: FunctionNode, raw: set[str]) -> set[str]:
    """``raw`` and the names assigned from an expression that uses one of them
    (``body = await request.body()``, ``payload = rewrite(body)``)."""
    names = set(raw)
    assigns = [n for n in ast.walk(func) if isinstance(n, ast.Assign | ast.AnnAssign)]
    for _ in range(2):
        for node in assigns:
            if node.value is not None and any(isinstance(n, ast.Name) and n.id in names
                                              for n in ast.walk(node.value)):
                targets = node.targets if isinstance(node, ast.Assign) else [node.target]
                names |= {n.id for t in targets for n in ast.walk(t) if isinstance(n, ast.Name)}
    return names


def _uses(expr: ast.expr, names: set[str]) -> bool:
    return any(isinstance(n, ast.Name) and n.id in names for n in ast.walk(expr))


def _outgoing(module: Module, call: ast.Call) -> bool:
    """An HTTP client call (``client.post(...)``, ``session.request(...)``)."""
    if not isinstance(call.func, ast.Attribute) or call.func.attr not in HTTP_METHODS:
        return False
    return any(module.imports_module(c) for c in HTTP_CLIENTS)


def _passed_to(call: ast.Call, callee: FunctionNode, names: set[str]) -> set[str]:
    """The callee's parameters that receive one of ``names`` at ``call``."""
    params = [a.arg for a in [*callee.args.posonlyargs, *callee.args.args]]
    got = {params[i] for i, a in enumerate(call.args) if i < len(params) and _uses(a, names)}
    return got | {k.arg for k in call.keywords if k.arg and _uses(k.value, names)}


def _forwards(model: ServingModel, module: Module, func: FunctionNode, raw: set[str],
              depth: int = 0) -> str | None:
    """Where the raw request reaches an outgoing HTTP call (``path:line``), None when it
    does not or when the function computes a prediction."""
    names = _derived(func, raw)
    calls = [n for n in ast.walk(func) if isinstance(n, ast.Call)]
    if any(isinstance(c.func, ast.Attribute) and c.func.attr in PREDICTION_METHODS
           for c in calls):
        return None
    for call in calls:
        arguments = [*call.args, *(k.value for k in call.keywords)]
        if not any(_uses(a, names) for a in arguments):
            continue
        if _outgoing(module, call):
            return f"{module.path}:{call.lineno}"
        resolved = model.function(module, call.func) if depth < 3 else None
        if resolved is not None and resolved[1] is not func:
            where = _forwards(model, resolved[0], resolved[1],
                              _passed_to(call, resolved[1], names), depth + 1)
            if where is not None:
                return where
    return None


def proxy_target(s: Serving, module: Module, route: Route) -> str | None:
    """Where a handler with a raw request body forwards it to another service."""
    if route.handler is None:
        return None
    raw = {p.name for p in s.model.params(route) if p.annotation is not None and
           annotation_names(s.model, module, p.annotation) & RAW_BODY_TYPES}
    return _forwards(s.model, module, route.handler, raw) if raw else None
