"""API006: the model is loaded once, from a configured path.

Every model-loading call the serving code reaches is classed by where it runs: in a
lifespan/startup hook or a cached dependency (once), at import time, lazily on the first
request, or on every request to a route (the handler, its dependencies and the project
functions they call, methods of instances kept in ``app.state`` included). An explicit
reload route is not per-request loading. The path of a load done once is followed back
through assignments, module constants and call arguments to a literal, an environment
variable or configuration.

A service that serves no model is not applicable (levels.md §6): its code loads no model,
the project neither trains nor uses one (:func:`mlops_lint.readers.training.model_used`),
and each of its prediction routes, if any, is a pass-through proxy to another service (a
router in front of model server pods). A CRUD backend has no model to load once; the
model a proxy reaches is loaded by the server it forwards to.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.fastapi_app import FunctionNode, Hook, Module, Route, ServingModel
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.served_model import served_model
from mlops_lint.readers.serving import (
    Caller,
    Serving,
    Site,
    call_name,
    is_cached,
    reach,
    route_calls,
    route_entry,
)
from mlops_lint.readers.training import model_used, training
from mlops_lint.rules import rule
from mlops_lint.rules.api._model_path import source_kind
from mlops_lint.rules.api._proxy import proxy_target
from mlops_lint.rules.api._shared import is_loader, require, service_site


def _parents(func: ast.AST) -> dict[int, ast.AST]:
    return {id(child): node for node in ast.walk(func) for child in ast.iter_child_nodes(node)}


def _lazy(site: Site) -> bool:
    """``if model is None: model = load(...)``: loaded on the first request only."""
    parents = _parents(site.func)
    node: ast.AST | None = site.call
    while node is not None and node is not site.func:
        node = parents.get(id(node))
        if isinstance(node, ast.If):
            for part in ast.walk(node.test):
                if isinstance(part, ast.Compare) and any(
                        isinstance(op, ast.Is | ast.NotIn) for op in part.ops):
                    return True
                if isinstance(part, ast.UnaryOp) and isinstance(part.op, ast.Not):
                    return True
    return False


def _holder_key(expr: ast.expr) -> tuple[str, str] | None:
    """What an instance is kept in: a name, an attribute (``app.state.predictor``) or a
    string key (``state["predictor"]``)."""
    if isinstance(expr, ast.Name):
        return "name", expr.id
    if isinstance(expr, ast.Attribute):
        return "attr", expr.attr
    if isinstance(expr, ast.Subscript) and isinstance(expr.slice, ast.Constant) \
            and isinstance(expr.slice.value, str):
        return "attr", expr.slice.value
    return None


def _annotated_class(model: ServingModel, module: Module, annotation: ast.expr | None
                     ) -> tuple[Module, ast.ClassDef] | None:
    """The project class an annotation names (``Predictor``, ``Predictor | None``)."""
    for node in ast.walk(annotation) if annotation is not None else ():
        if isinstance(node, ast.Name | ast.Attribute):
            found = model.class_def(module, node)
            if found is not None:
                return found
    return None


def _instance_class(model: ServingModel, module: Module, func: FunctionNode, recv: ast.expr
                    ) -> tuple[Module, ast.ClassDef] | None:
    """The project class of the instance ``recv`` in ``func``: a parameter annotated with
    it, or an assignment ``holder = Class(...)`` (``p = Predictor()`` in the handler,
    ``app.state.predictor = Predictor()`` in the lifespan, an annotated global)."""
    key = _holder_key(recv)
    if key is None:
        return None
    if key[0] == "name":
        for arg in (*func.args.posonlyargs, *func.args.args, *func.args.kwonlyargs):
            if arg.arg == key[1]:
                return _annotated_class(model, module, arg.annotation)
    places = [module] if key[0] == "name" else model.closure(model.serving_files)
    for where in places:
        for node in ast.walk(where.tree):
            if isinstance(node, ast.AnnAssign) and _holder_key(node.target) == key:
                found = _annotated_class(model, where, node.annotation)
                if found is not None:
                    return found
            targets = node.targets if isinstance(node, ast.Assign) else \
                [node.target] if isinstance(node, ast.AnnAssign) else []
            value = getattr(node, "value", None)
            if isinstance(value, ast.Call) and any(_holder_key(t) == key for t in targets):
                found = model.class_def(where, value.func)
                if found is not None:
                    return found
    return None


def _instance_calls(model: ServingModel, module: Module, func: FunctionNode) -> Iterator[Site]:
    """Calls one level inside the project methods ``func`` calls on instances the call graph
    does not resolve (a local, an annotated global, an instance kept in ``app.state``)."""
    resolved = {id(call) for *_, call in model.callees(module, func)}
    for node in ast.walk(func):
        if not isinstance(node, ast.Call) or id(node) in resolved \
                or not isinstance(node.func, ast.Attribute):
            continue
        found = _instance_class(model, module, func, node.func.value)
        method = next((b for b in found[1].body if isinstance(
            b, ast.FunctionDef | ast.AsyncFunctionDef) and b.name == node.func.attr),
            None) if found is not None else None
        if found is None or method is None:
            continue
        cached = is_cached(model, found[0], method)
        for call in ast.walk(method):
            if isinstance(call, ast.Call):
                yield Site(found[0], call, call_name(model, found[0], call), method, cached,
                           (Caller(module, func, node),))


RELOAD = lazy_re.compile(r"reload|refresh|hot[-_]?swap", re.IGNORECASE)


_RANK = {"handler": 4, "lazy": 3, "module": 2, "startup": 1, "cached": 1}


@dataclass
class _Loads:
    """The model-loading call sites found, each with the worst context it runs in, and
    the routes whose every request reaches it, by call site."""

    contexts: dict[tuple[str, int], tuple[str, Site]] = field(default_factory=dict)
    routes: dict[tuple[str, int], list[Route]] = field(default_factory=dict)

    def note(self, kind: str, site: Site, route: Route | None = None) -> None:
        key = (site.module.path, site.call.lineno)
        if key not in self.contexts or _RANK[kind] > _RANK[self.contexts[key][0]]:
            self.contexts[key] = (kind, site)
        if kind == "handler" and route is not None and route not in self.routes.get(key, []):
            self.routes.setdefault(key, []).append(route)


def _startup_loads(model: ServingModel, hooks: list[Hook], loads: _Loads) -> None:
    """Loading calls the lifespan and startup hooks reach."""
    for hook in hooks:
        module = model.module(hook.path)
        if module is None or hook.target is None:
            continue
        found = model.function(module, hook.target)
        if found is None:
            continue
        for site in reach(model, *found):
            if is_loader(site.qual):
                loads.note("startup", site)


def _route_loads(s: Serving, loads: _Loads) -> None:
    """Loading calls the handling of each route reaches: cached, lazy or per request."""
    model = s.model
    for route in s.fastapi_routes:
        if RELOAD.search(route.path) or RELOAD.search(route.handler_name):
            continue  # an explicit hot-reload endpoint is not per-request loading
        instance_sites = [site for entry in route_entry(s, route)
                          for site in _instance_calls(model, *entry)]
        for site in [*route_calls(s, route, depth=4), *instance_sites]:
            if is_loader(site.qual):
                loads.note("cached" if site.cached else "lazy" if _lazy(site) else "handler",
                           site, route)


def _called(model: ServingModel, module: Module, call: ast.Call
            ) -> tuple[Module, FunctionNode, ast.ClassDef | None] | None:
    """The project function a call runs (a class's ``__init__`` for an instantiation)."""
    defined = model.symbol(module, call.func)
    if defined is None:
        return None
    if isinstance(defined[2], ast.FunctionDef | ast.AsyncFunctionDef):
        return (defined[0], defined[2], None)
    if isinstance(defined[2], ast.ClassDef):
        init = next((b for b in defined[2].body if isinstance(
            b, ast.FunctionDef) and b.name == "__init__"), None)
        return (defined[0], init, defined[2]) if init is not None else None
    return None


def _module_call_loads(model: ServingModel, module: Module, node: ast.Call,
                       loads: _Loads) -> None:
    """A module-level call that loads a model, or calls a project function that does."""
    qual = call_name(model, module, node)
    if is_loader(qual):
        loads.note("module", Site(module, node, qual, _module_func(module), False))
        return
    target = _called(model, module, node)
    if target is None or is_cached(model, target[0], target[1]):
        return
    for site in reach(model, *target, depth=3):
        if is_loader(site.qual) and not site.cached:
            loads.note("module", site)


def _module_loads(model: ServingModel, loads: _Loads) -> None:
    """Loading calls that run at import time (module level, ``__main__`` blocks out)."""
    for module in model.closure(model.serving_files):
        for stmt in module.tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(stmt, ast.If) and "__main__" in ast.unparse(stmt.test):
                continue
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call):
                    _module_call_loads(model, module, node, loads)


def _nothing_loaded(s: Serving, hooks: list[Hook]) -> Finding:
    if hooks:  # a hook that loads nothing is not credited with loading the model once
        hook = hooks[0]
        return warned(T(f"{hook.kind} hook at {hook.path}:{hook.line} loads no model (no "
                        "model-loading call recognised in it or in the handlers): cannot "
                        "tell whether the model is loaded once",
                        f"el hook {hook.kind} en {hook.path}:{hook.line} no carga ningún "
                        "modelo (no se reconoce ninguna llamada de carga en él ni en los "
                        "handlers): no se sabe si el modelo se carga una sola vez"),
                      hook.path, hook.line,
                      fix=T("Load the model in the lifespan hook (joblib.load, "
                            "mlflow.pyfunc.load_model...) and keep it in app.state.",
                            "Carga el modelo en el lifespan (joblib.load, "
                            "mlflow.pyfunc.load_model...) y guárdalo en app.state."))
    path, line = service_site(s)
    return warned(T("no model loading found in the serving code: cannot tell whether the "
                    "model is loaded once",
                    "no se encuentra la carga del modelo en el código de servicio: no se "
                    "sabe si se carga una sola vez"), path, line)


def _no_model_served(ctx: Context, s: Serving) -> Finding | None:
    """``skipped`` when the service serves no model of its own: the project trains, loads
    and predicts with none, and every prediction route forwards the raw request to
    another service."""
    if model_used(ctx) is not None or training(ctx).anywhere:
        return None
    forwarded: list[tuple[Route, str]] = []
    for route in s.predict_routes(s.fastapi_routes):
        module = s.model.module(route.handler_path)
        target = proxy_target(s, module, route) if module is not None else None
        if target is None:
            return None
        forwarded.append((route, target))
    path, _ = service_site(s)
    if not forwarded:
        return skipped(T("not applicable: the service serves no model: no prediction route, "
                         "and the project's modules neither train, load nor predict with a "
                         "model, so there is no model to load once",
                         "no aplica: el servicio no sirve ningún modelo: no hay ruta de "
                         "predicción y los módulos del proyecto no entrenan, cargan ni "
                         "predicen con ningún modelo, así que no hay modelo que cargar una "
                         "vez"), path)
    route, target = forwarded[0]
    more = f" (+{len(forwarded) - 1})" if len(forwarded) > 1 else ""
    server = served_model(ctx.repo)
    runs = T(f"; the model runs in {server}", f"; el modelo se ejecuta en {server}") \
        if server else T("", "")
    return skipped(T(f"not applicable: the service loads no model: its prediction routes "
                     f"(POST {route.path}{more}) forward the raw request to another service "
                     f"({target}), which loads the model",
                     f"no aplica: el servicio no carga ningún modelo: sus rutas de predicción "
                     f"(POST {route.path}{more}) reenvían la petición cruda a otro servicio "
                     f"({target}), que es quien carga el modelo") + runs, route.file)


def _per_request(name: str, site: Site, path: str, line: int, served: list[Route]) -> Finding:
    names = ", ".join(f"{'/'.join(r.methods)} {r.path}" for r in served[:3]) + (
        f" (+{len(served) - 3})" if len(served) > 3 else "")
    return failed(T(f"{name} runs inside the handling of {names} (`{site.func.name}`): "
                    "the model is loaded on every request to "
                    + ("that route" if len(served) == 1 else "those routes"),
                    f"{name} se ejecuta al atender {names} (`{site.func.name}`): el "
                    "modelo se carga en cada petición a "
                    + ("esa ruta" if len(served) == 1 else "esas rutas")),
                  path, line,
                  fix=T("Load the model once in a lifespan context manager (or a "
                        "@lru_cache dependency) and keep it in app.state.",
                        "Carga el modelo una vez en un lifespan (o una dependencia con "
                        "@lru_cache) y guárdalo en app.state."))


def _loaded_once(model: ServingModel, kind: str, site: Site, name: str, path: str,
                 line: int) -> Finding:
    arg = call_arg(site.call, "filename", 0) or call_arg(site.call, "model_uri", 0) \
        or call_arg(site.call, "path", 0) or call_arg(site.call, "f", 0)
    func = site.func if site.func.name != "<module>" else None
    source = source_kind(model, site.module, func, arg, chain=site.chain)
    where = T("once at start-up" if kind == "startup" else "once, in a cached dependency",
              "una vez al arrancar" if kind == "startup" else
              "una vez, en una dependencia en caché")
    if source == "literal":
        return warned(T(f"{name} loads ", f"{name} carga ") + where + T(
            f", but from a hardcoded path ({ast.unparse(arg) if arg else '?'})",
            f", pero desde una ruta fija ({ast.unparse(arg) if arg else '?'})"), path, line,
            fix=T('Read the model path from settings or os.getenv("MODEL_PATH").',
                  'Lee la ruta del modelo de la configuración u os.getenv("MODEL_PATH").'))
    return passed(T(f"{name} loads ", f"{name} carga ") + where + T(
        f" (path from {'an environment variable' if source == 'env' else 'config'})",
        f" (ruta desde {'una variable de entorno' if source == 'env' else 'config'})"),
        path, line)


def _load_finding(model: ServingModel, kind: str, site: Site, path: str, line: int,
                  served: list[Route]) -> Finding:
    name = site.qual.lstrip(".")
    if kind == "handler":
        return _per_request(name, site, path, line, served)
    if kind == "lazy":
        return warned(T(f"{name} in `{site.func.name}` loads the model on the first request",
                        f"{name} en `{site.func.name}` carga el modelo en la primera "
                        "petición"), path, line,
                      fix=T("Move the load into the lifespan hook so the first request is "
                            "not slow and failures show at start-up.",
                            "Mueve la carga al lifespan para que la primera petición no sea "
                            "lenta y los fallos aparezcan al arrancar."))
    if kind == "module":
        return warned(T(f"{name} runs at import time (module level): prefer a lifespan hook",
                        f"{name} se ejecuta al importar (nivel de módulo): mejor un "
                        "lifespan"), path, line,
                      fix=T("Load the model in a lifespan context manager instead of at "
                            "import; tests and tools can then import the app cheaply.",
                            "Carga el modelo en un lifespan en vez de al importar; así los "
                            "tests y herramientas importan la app sin coste."))
    return _loaded_once(model, kind, site, name, path, line)


@rule("API006")
def api_model_lifecycle(ctx: Context, params: None) -> Iterator[Finding]:
    """API006: the model is loaded once (lifespan/startup/cached dependency), path configured."""
    s, early = require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    hooks: list[Hook] = s.model.hooks_of("lifespan") + s.model.hooks_of("startup")
    loads = _Loads()
    _startup_loads(s.model, hooks, loads)
    _route_loads(s, loads)
    _module_loads(s.model, loads)
    if not loads.contexts:
        yield _no_model_served(ctx, s) or _nothing_loaded(s, hooks)
        return
    for (path, line), (kind, site) in sorted(loads.contexts.items()):
        yield _load_finding(s.model, kind, site, path, line, loads.routes.get((path, line), []))


def _module_func(module: Module) -> FunctionNode:
    """A stand-in function wrapping the module body, for module-level sites."""
    func = ast.parse("def _module_(): pass").body[0]
    assert isinstance(func, ast.FunctionDef)
    func.name = "<module>"
    func.body = list(module.tree.body)
    return func
