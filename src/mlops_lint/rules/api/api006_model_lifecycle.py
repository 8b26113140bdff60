"""API006: the model is loaded once, from a configured path.

Every model-loading call the serving code reaches is classed by where it runs: in a
lifespan/startup hook or a cached dependency (once), at import time, lazily on the first
request, or on every request to a route (the handler, its dependencies and the project
functions they call, methods of instances kept in ``app.state`` included). An explicit
reload route is not per-request loading. The path of a load done once is followed back
through assignments, module constants and call arguments to a literal, an environment
variable or configuration.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.fastapi_app import FunctionNode, Hook, Module, Route, ServingModel
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.serving import (
    Caller,
    Site,
    call_name,
    is_cached,
    reach,
    route_calls,
    route_entry,
)
from mlops_lint.rules import rule
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


PATH_HELPERS = frozenset({"Path", "PurePath", "PosixPath", "join", "str", "fspath", "resolve",
                          "joinpath", "absolute", "parent", "parents", "path", "os", "pathlib",
                          "with_suffix", "with_name", "expanduser", "home", "cwd", "dirname",
                          "abspath", "realpath"})


def _tail(model: ServingModel, module: Module, expr: ast.expr) -> str:
    """Last name of a dotted expression, also for methods of call results."""
    qual = model.qualname(module, expr)
    if qual:
        return qual.rsplit(".", 1)[-1]
    return expr.attr if isinstance(expr, ast.Attribute) else ""


def _argument(func: FunctionNode, name: str, call: ast.Call) -> ast.expr | None:
    """The expression ``call`` passes for parameter ``name`` of ``func`` (or its default)."""
    positional = [*func.args.posonlyargs, *func.args.args]
    names = [a.arg for a in positional]
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    if name in names:
        offset = 1 if names and names[0] in ("self", "cls") else 0
        index = names.index(name) - offset
        if 0 <= index < len(call.args) and not isinstance(call.args[index], ast.Starred):
            return call.args[index]
        first_default = len(positional) - len(func.args.defaults)
        position = names.index(name)
        if position >= first_default:
            return func.args.defaults[position - first_default]
    for arg, default in zip(func.args.kwonlyargs, func.args.kw_defaults, strict=True):
        if arg.arg == name:
            return default
    return None


def _is_param(func: FunctionNode, name: str) -> bool:
    return name in {a.arg for a in (*func.args.posonlyargs, *func.args.args,
                                    *func.args.kwonlyargs)}


def _source_kind(model: ServingModel, module: Module, func: FunctionNode | None,
                 expr: ast.expr | None, depth: int = 0,
                 chain: tuple[Caller, ...] = ()) -> str:
    """How a model path is given: ``literal``, ``env``, ``config`` (or unknown = config).

    Parameters are followed back to the argument at the call site that reached ``func``.
    """
    if expr is None or depth > 8:
        return "config"
    kinds: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Call):
            qual = model.qualname(module, node.func) or ""
            if qual in ("os.getenv", "os.environ.get", "getenv", "environ.get"):
                return "env"
            if _tail(model, module, node.func) not in PATH_HELPERS:
                kinds.add("config")
        elif isinstance(node, ast.Subscript) and "environ" in ast.unparse(node.value):
            return "env"
    leaves = [n for n in ast.walk(expr) if isinstance(n, ast.Name | ast.Attribute)]
    for leaf in leaves:
        if isinstance(leaf, ast.Name) and (leaf.id == "__file__" or (
                leaf.id in module.aliases and _tail(model, module, leaf) in PATH_HELPERS)):
            continue  # __file__, or an imported path helper (os, Path)
        if isinstance(leaf, ast.Attribute) and _tail(model, module, leaf) in PATH_HELPERS:
            continue
        value: ast.expr | None = None
        if isinstance(leaf, ast.Name) and func is not None:
            for node in ast.walk(func):
                if isinstance(node, ast.Assign) and any(
                        isinstance(t, ast.Name) and t.id == leaf.id for t in node.targets):
                    value = node.value
            if value is None and _is_param(func, leaf.id):
                if not chain:
                    kinds.add("config")
                    continue
                caller = chain[-1]
                kinds.add(_source_kind(model, caller.module, caller.func,
                                       _argument(func, leaf.id, caller.call), depth + 1,
                                       chain[:-1]))
                continue
        if value is None:
            found = model.symbol(module, leaf)
            if found is not None and isinstance(found[2], ast.expr):
                kinds.add(_source_kind(model, found[0], None, found[2], depth + 1))
                continue
            if isinstance(leaf, ast.Attribute) and isinstance(leaf.value, ast.Name) \
                    and leaf.value.id not in ("os", "Path"):
                kinds.add("config")
                continue
            kinds.add("config")
            continue
        kinds.add(_source_kind(model, module, func, value, depth + 1, chain))
    if "env" in kinds:
        return "env"
    if "config" in kinds:
        return "config"
    return "literal"


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


RELOAD = re.compile(r"reload|refresh|hot[-_]?swap", re.IGNORECASE)


@rule("API006")
def api_model_lifecycle(ctx: Context, params: None) -> Iterator[Finding]:
    """API006: the model is loaded once (lifespan/startup/cached dependency), path configured."""
    s, early = require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    model = s.model
    contexts: dict[tuple[str, int], tuple[str, Site]] = {}
    rank = {"handler": 4, "lazy": 3, "module": 2, "startup": 1, "cached": 1}
    # the routes whose every request reaches a loading call, by call site
    loading_routes: dict[tuple[str, int], list[Route]] = {}

    def note(kind: str, site: Site, route: Route | None = None) -> None:
        key = (site.module.path, site.call.lineno)
        if key not in contexts or rank[kind] > rank[contexts[key][0]]:
            contexts[key] = (kind, site)
        if kind == "handler" and route is not None and route not in loading_routes.get(
                key, []):
            loading_routes.setdefault(key, []).append(route)

    hooks: list[Hook] = model.hooks_of("lifespan") + model.hooks_of("startup")
    for hook in hooks:
        module = model.module(hook.path)
        if module is None or hook.target is None:
            continue
        found = model.function(module, hook.target)
        if found is None:
            continue
        for site in reach(model, *found):
            if is_loader(site.qual):
                note("startup", site)
    for route in s.fastapi_routes:
        if RELOAD.search(route.path) or RELOAD.search(route.handler_name):
            continue  # an explicit hot-reload endpoint is not per-request loading
        instance_sites = [site for entry in route_entry(s, route)
                          for site in _instance_calls(model, *entry)]
        for site in [*route_calls(s, route, depth=4), *instance_sites]:
            if is_loader(site.qual):
                note("cached" if site.cached else "lazy" if _lazy(site) else "handler", site,
                     route)
    for module in model.closure(model.serving_files):
        for stmt in module.tree.body:
            if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
                continue
            if isinstance(stmt, ast.If) and "__main__" in ast.unparse(stmt.test):
                continue
            for node in ast.walk(stmt):
                if not isinstance(node, ast.Call):
                    continue
                qual = call_name(model, module, node)
                if is_loader(qual):
                    note("module", Site(module, node, qual, _module_func(module), False))
                    continue
                defined = model.symbol(module, node.func)
                if defined is None:
                    continue
                target: tuple[Module, FunctionNode, ast.ClassDef | None] | None = None
                if isinstance(defined[2], ast.FunctionDef | ast.AsyncFunctionDef):
                    target = (defined[0], defined[2], None)
                elif isinstance(defined[2], ast.ClassDef):
                    init = next((b for b in defined[2].body if isinstance(
                        b, ast.FunctionDef) and b.name == "__init__"), None)
                    target = (defined[0], init, defined[2]) if init is not None else None
                if target is None or is_cached(model, target[0], target[1]):
                    continue
                for site in reach(model, *target, depth=3):
                    if is_loader(site.qual) and not site.cached:
                        note("module", site)
    if not contexts:
        if hooks:  # a hook that loads nothing is not credited with loading the model once
            hook = hooks[0]
            yield warned(T(f"{hook.kind} hook at {hook.path}:{hook.line} loads no model (no "
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
            return
        path, line = service_site(s)
        yield warned(T("no model loading found in the serving code: cannot tell whether the "
                       "model is loaded once",
                       "no se encuentra la carga del modelo en el código de servicio: no se "
                       "sabe si se carga una sola vez"), path, line)
        return
    for (path, line), (kind, site) in sorted(contexts.items()):
        name = site.qual.lstrip(".")
        if kind == "handler":
            served = loading_routes.get((path, line), [])
            names = ", ".join(f"{'/'.join(r.methods)} {r.path}" for r in served[:3]) + (
                f" (+{len(served) - 3})" if len(served) > 3 else "")
            yield failed(T(f"{name} runs inside the handling of {names} (`{site.func.name}`): "
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
            continue
        if kind == "lazy":
            yield warned(T(f"{name} in `{site.func.name}` loads the model on the first request",
                           f"{name} en `{site.func.name}` carga el modelo en la primera "
                           "petición"), path, line,
                         fix=T("Move the load into the lifespan hook so the first request is "
                               "not slow and failures show at start-up.",
                               "Mueve la carga al lifespan para que la primera petición no sea "
                               "lenta y los fallos aparezcan al arrancar."))
            continue
        if kind == "module":
            yield warned(T(f"{name} runs at import time (module level): prefer a lifespan hook",
                           f"{name} se ejecuta al importar (nivel de módulo): mejor un "
                           "lifespan"), path, line,
                         fix=T("Load the model in a lifespan context manager instead of at "
                               "import; tests and tools can then import the app cheaply.",
                               "Carga el modelo en un lifespan en vez de al importar; así los "
                               "tests y herramientas importan la app sin coste."))
            continue
        arg = call_arg(site.call, "filename", 0) or call_arg(site.call, "model_uri", 0) \
            or call_arg(site.call, "path", 0) or call_arg(site.call, "f", 0)
        func = site.func if site.func.name != "<module>" else None
        source = _source_kind(model, site.module, func, arg, chain=site.chain)
        where = T("once at start-up" if kind == "startup" else "once, in a cached dependency",
                  "una vez al arrancar" if kind == "startup" else
                  "una vez, en una dependencia en caché")
        if source == "literal":
            yield warned(T(f"{name} loads ", f"{name} carga ") + where + T(
                f", but from a hardcoded path ({ast.unparse(arg) if arg else '?'})",
                f", pero desde una ruta fija ({ast.unparse(arg) if arg else '?'})"), path, line,
                fix=T('Read the model path from settings or os.getenv("MODEL_PATH").',
                      'Lee la ruta del modelo de la configuración u os.getenv("MODEL_PATH").'))
        else:
            yield passed(T(f"{name} loads ", f"{name} carga ") + where + T(
                f" (path from {'an environment variable' if source == 'env' else 'config'})",
                f" (ruta desde {'una variable de entorno' if source == 'env' else 'config'})"),
                path, line)


def _module_func(module: Module) -> FunctionNode:
    """A stand-in function wrapping the module body, for module-level sites."""
    func = ast.parse("def _module_(): pass").body[0]
    assert isinstance(func, ast.FunctionDef)
    func.name = "<module>"
    func.body = list(module.tree.body)
    return func
