"""Builds the serving model from a project's modules: apps and routers first, then
route decorators, route objects and registration calls, then every route's full path
composed through the routers that include it (``include_router``, blueprints, mounts)."""

from __future__ import annotations

import ast
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import call_arg, is_test_path
from mlops_lint.parsers.serving_model import ServingModel, join_paths, method_named
from mlops_lint.parsers.serving_modules import load_module
from mlops_lint.parsers.serving_nodes import (
    APP_CONSTRUCTORS,
    CALL_ATTRS,
    DJANGO_ROUTES,
    FASTAPI_ROUTES,
    HTTP_METHODS,
    LITESTAR_ROUTES,
    ROUTE_DECORATORS,
    ROUTER_CONSTRUCTORS,
    STARLETTE_ROUTES,
    Edge,
    Endpoint,
    FunctionNode,
    Hook,
    Key,
    Module,
    Mount,
    Route,
)

if TYPE_CHECKING:
    from mlops_lint.repo import Repo


@dataclass
class _PendingRoute:
    framework: str
    local_path: str
    known: bool
    methods: tuple[str, ...]
    file: str
    line: int
    handler: FunctionNode | None
    handler_name: str
    call: ast.Call | None
    owner: Key | None
    handler_file: str = ""


class _Builder:
    def __init__(self, model: ServingModel) -> None:
        self.model = model
        self.pending: list[_PendingRoute] = []

    # -- helpers -----------------------------------------------------------------------

    def owner(self, module: Module, expr: ast.expr) -> Key | None:
        if isinstance(expr, ast.Name) and (module.path, expr.id) in self.model.endpoints:
            return (module.path, expr.id)
        dotted = self.model.dotted(module, expr)
        if dotted is None:
            return None
        found = self.model.lookup(dotted)
        if found is None or not found[1]:
            return None
        key = (found[0].path, found[1])
        return key if key in self.model.endpoints else None

    def path_of(self, module: Module, expr: ast.expr | None) -> tuple[str, bool]:
        value = self.model.const_str(module, expr)
        if value is not None:
            return value, True
        if expr is None:
            return "", True
        return "{" + ast.unparse(expr) + "}", False

    def methods_of(self, module: Module, call: ast.Call, default: tuple[str, ...],
                   ) -> tuple[str, ...]:
        node = call_arg(call, "methods")
        if isinstance(node, ast.List | ast.Tuple | ast.Set):
            values = [self.model.const_str(module, e) for e in node.elts]
            return tuple(sorted({v.upper() for v in values if v})) or default
        return default if node is None else ("*",)

    def handler_of(self, module: Module, expr: ast.expr | None,
                   ) -> tuple[FunctionNode | None, str, str]:
        """(function, name, file) of an endpoint expression."""
        if expr is None:
            return None, "", module.path
        found = self.model.function(module, expr)
        if found is not None:
            return found[1], found[1].name, found[0].path
        if isinstance(expr, ast.Attribute):  # instance.method, the instance built locally
            klass = self.model.instance_class(module, expr.value)
            method = method_named(klass[1], expr.attr) if klass is not None else None
            if klass is not None and method is not None:
                return method, method.name, klass[0].path
        return None, ast.unparse(expr), module.path

    # -- passes ------------------------------------------------------------------------

    def endpoints(self, module: Module) -> None:
        found = [(q, c) for q, c in module.calls()
                 if q in APP_CONSTRUCTORS or q in ROUTER_CONSTRUCTORS]
        if not found:
            return
        names: dict[int, str] = {}
        for assign in module.nodes(ast.Assign):
            if isinstance(assign.value, ast.Call):
                for target in assign.targets:
                    if isinstance(target, ast.Name):
                        names[id(assign.value)] = target.id
        for annotated in module.nodes(ast.AnnAssign):
            if isinstance(annotated.value, ast.Call) and isinstance(annotated.target, ast.Name):
                names[id(annotated.value)] = annotated.target.id
        for qual, node in found:
            if qual in APP_CONSTRUCTORS:
                kind, framework = "app", APP_CONSTRUCTORS[qual]
                prefix_expr: ast.expr | None = None
            elif qual in ROUTER_CONSTRUCTORS:
                kind, framework = "router", ROUTER_CONSTRUCTORS[qual]
                prefix_expr = call_arg(node, "prefix" if framework == "fastapi" else "url_prefix")
            name = names.get(id(node), f"<{kind}@{node.lineno}>")
            prefix, known = self.path_of(module, prefix_expr)
            endpoint = Endpoint(kind, framework, module.path, node.lineno, name, node,
                                prefix, known)
            self.model.endpoints.setdefault(endpoint.key, endpoint)
            if framework == "fastapi":
                self.constructor_hooks(module, node)

    def constructor_hooks(self, module: Module, call: ast.Call) -> None:
        lifespan = call_arg(call, "lifespan")
        if lifespan is not None:
            self.model.hooks.append(Hook("lifespan", module.path, call.lineno, lifespan, call))
        for key, kind in (("on_startup", "startup"), ("middleware", "middleware")):
            value = call_arg(call, key)
            if isinstance(value, ast.List | ast.Tuple):
                for item in value.elts:
                    if kind == "middleware" and isinstance(item, ast.Call) and item.args:
                        self.model.hooks.append(Hook(kind, module.path, item.lineno,
                                                     item.args[0], item))
                    elif kind == "startup":
                        self.model.hooks.append(Hook(kind, module.path, item.lineno, item, None))
        handlers = call_arg(call, "exception_handlers")
        where = module.path
        if isinstance(handlers, ast.Name | ast.Attribute):  # a dict defined elsewhere
            found = self.model.symbol(module, handlers)
            if found is not None and isinstance(found[2], ast.Dict):
                where, handlers = found[0].path, found[2]
        if isinstance(handlers, ast.Dict):
            for exc_key in handlers.keys:
                if exc_key is not None:
                    self.model.hooks.append(Hook("exception_handler", where,
                                                 exc_key.lineno, exc_key, call))

    def route_subclass(self, module: Module, func: ast.expr) -> bool:
        """``func`` names a project class derived from FastAPI's ``APIRoute``."""
        name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
        if not name.endswith("Route"):
            return False
        found = self.model.class_def(module, func)
        return found is not None and self.model.is_subclass_of(found[0], found[1],
                                                                 FASTAPI_ROUTES)

    def framework_of(self, module: Module, owner: Key | None) -> str:
        if owner is not None:
            return self.model.endpoints[owner].framework
        for prefix in ("fastapi", "flask", "quart", "sanic", "starlette", "litestar"):
            if module.index.imports(prefix):
                return prefix
        return "unknown"

    def decorated(self, module: Module, func: FunctionNode) -> None:
        for dec in func.decorator_list:
            if not isinstance(dec, ast.Call):
                continue
            qual = self.model.qualname(module, dec.func) or ""
            if qual in LITESTAR_ROUTES:
                path, known = self.path_of(module, call_arg(dec, "path", 0))
                self.pending.append(_PendingRoute(
                    "litestar", path or "/", known, (LITESTAR_ROUTES[qual].upper(),),
                    module.path, dec.lineno, func, func.name, dec, None))
                continue
            if not isinstance(dec.func, ast.Attribute):
                continue
            attr = dec.func.attr
            owner = self.owner(module, dec.func.value)
            if attr == "on_event":
                event = self.model.const_str(module, call_arg(dec, "event_type", 0))
                if event == "startup":
                    self.model.hooks.append(Hook("startup", module.path, dec.lineno,
                                                 ast.Name(func.name), dec))
                continue
            if attr in ("exception_handler", "errorhandler"):
                self.model.hooks.append(Hook("exception_handler", module.path, dec.lineno,
                                             call_arg(dec, "exc_class_or_status_code", 0), dec))
                continue
            if attr == "middleware":
                self.model.hooks.append(Hook("middleware", module.path, dec.lineno,
                                             ast.Name(func.name), dec))
                continue
            if attr not in ROUTE_DECORATORS:
                continue
            framework = self.framework_of(module, owner)
            path_expr = call_arg(dec, "path", 0) or call_arg(dec, "rule", 0)
            if owner is None and framework == "unknown":
                continue
            if owner is None and self.model.const_str(module, path_expr) is None:
                continue  # not evidently a route: an unknown object's method
            path, known = self.path_of(module, path_expr)
            if attr in HTTP_METHODS:
                methods: tuple[str, ...] = (attr.upper(),)
            elif attr == "websocket":
                methods = ("WEBSOCKET",)
            else:
                methods = self.methods_of(module, dec, ("GET",))
            self.pending.append(_PendingRoute(framework, path, known, methods, module.path,
                                              dec.lineno, func, func.name, dec, owner))

    def calls(self, module: Module, node: ast.Call) -> None:
        qual = self.model.qualname(module, node.func) or ""
        if qual in FASTAPI_ROUTES or self.route_subclass(module, node.func):
            qual = "fastapi.routing.APIRoute"
        if qual in STARLETTE_ROUTES or qual in DJANGO_ROUTES or qual in FASTAPI_ROUTES:
            self.route_object(module, node, qual)
            return
        if not isinstance(node.func, ast.Attribute):
            return
        attr = node.func.attr
        if attr not in CALL_ATTRS or self.registration(module, node, attr):
            return
        owner = self.owner(module, node.func.value)
        if owner is None:
            return
        if attr in ("include_router", "register_blueprint", "mount"):
            self.inclusion(module, node, attr, owner)
            return
        path, known = self.path_of(module, call_arg(node, "path", 0) or call_arg(node, "rule", 0))
        endpoint = (call_arg(node, "endpoint", 1) if attr != "add_url_rule"
                    else call_arg(node, "view_func", 2))
        handler, name, where = self.handler_of(module, endpoint)
        verbs = (("WEBSOCKET",) if attr == "add_api_websocket_route"
                 else self.methods_of(module, node, ("GET",)))
        self.pending.append(_PendingRoute(self.model.endpoints[owner].framework, path, known,
                                          verbs, module.path, node.lineno, handler, name,
                                          node, owner, where))

    def route_object(self, module: Module, node: ast.Call, qual: str) -> None:
        """Starlette ``Route(...)``, Django ``path(...)``, FastAPI ``APIRoute(...)``."""
        path, known = self.path_of(module, call_arg(node, "path", 0) or call_arg(
            node, "route", 0))
        handler, name, where = self.handler_of(module, call_arg(node, "endpoint", 1) or
                                               call_arg(node, "view", 1))
        framework = ("django" if qual in DJANGO_ROUTES
                     else "fastapi" if qual in FASTAPI_ROUTES else "starlette")
        methods: tuple[str, ...] = (self.methods_of(module, node, ("GET",))
                                    if framework != "django" else ("*",))
        if framework == "django" and not path.startswith("/"):
            path = "/" + path
        self.pending.append(_PendingRoute(framework, path, known, methods, module.path,
                                          node.lineno, handler, name, node, None, where))

    def registration(self, module: Module, node: ast.Call, attr: str) -> bool:
        """A middleware, exception handler or startup handler added by a call; whether
        ``attr`` was one of those calls."""
        if attr == "add_middleware":
            target = call_arg(node, "middleware_class", 0)
            self.model.hooks.append(Hook("middleware", module.path, node.lineno, target, node))
        elif attr == "add_exception_handler":
            self.model.hooks.append(Hook("exception_handler", module.path, node.lineno,
                                         call_arg(node, "exc_class_or_status_code", 0), node))
        elif attr == "add_event_handler":
            if self.model.const_str(module, call_arg(node, "event_type", 0)) == "startup":
                self.model.hooks.append(Hook("startup", module.path, node.lineno,
                                             call_arg(node, "func", 1), node))
        else:
            return False
        return True

    def inclusion(self, module: Module, node: ast.Call, attr: str, owner: Key) -> None:
        """``include_router``, ``register_blueprint``, ``mount``: an edge to a known app or
        router, or a mount of something else."""
        if attr == "mount":
            prefix_expr = call_arg(node, "path", 0)
            child_expr = call_arg(node, "app", 1)
        else:
            child_expr = call_arg(node, "router", 0) or call_arg(node, "blueprint", 0)
            prefix_expr = call_arg(node, "prefix" if attr == "include_router"
                                   else "url_prefix")
        if child_expr is None:
            return
        prefix, known = self.path_of(module, prefix_expr)
        child = self.owner(module, child_expr)
        if child is None:
            if attr == "mount":
                self.model.mounts.append(Mount(owner, prefix, child_expr, module.path,
                                               node.lineno))
            return
        replaces = attr == "register_blueprint" and prefix_expr is not None
        self.model.edges.append(Edge(owner, child, prefix, known, replaces, module.path,
                                     node.lineno))

    # -- composition -------------------------------------------------------------------

    def mounts_of(self, key: Key, stack: frozenset[Key] = frozenset(),
                  ) -> list[tuple[str, bool, bool]]:
        """(prefix, prefix known, reachable from an app) for every place ``key`` is mounted."""
        endpoint = self.model.endpoints[key]
        incoming = [e for e in self.model.edges if e.child == key and e.parent not in stack]
        if not incoming:
            if endpoint.kind == "app":
                return [("", True, True)]
            return [(endpoint.prefix, endpoint.prefix_known, False)]
        out = []
        for edge in incoming:
            own = "" if edge.replaces else endpoint.prefix
            own_known = edge.replaces or endpoint.prefix_known
            for prefix, known, reachable in self.mounts_of(edge.parent, stack | {key}):
                out.append((join_paths(prefix, edge.prefix, own), known and edge.known
                            and own_known, reachable))
        return sorted(set(out))

    def finish(self) -> None:
        cache: dict[Key, list[tuple[str, bool, bool]]] = {}
        routes = []
        for item in self.pending:
            if item.owner is None:
                places = [("", True, item.framework in ("django", "starlette", "litestar",
                                                          "fastapi"))]
            else:
                if item.owner not in cache:
                    cache[item.owner] = self.mounts_of(item.owner)
                places = cache[item.owner]
            for prefix, known, reachable in places:
                full = join_paths(prefix, item.local_path)
                routes.append(Route(item.framework, full, item.local_path, item.methods,
                                    item.file, item.line, item.handler, item.handler_name,
                                    item.call, item.owner, reachable,
                                    known and item.known,
                                    "" if item.handler_file == item.file else item.handler_file))
        routes.sort(key=lambda r: (r.file, r.line, r.path))
        self.model.routes = routes


def build_model(repo: Repo, files: Iterable[str], base: str = ".") -> ServingModel:
    """The serving model of ``files`` (repository paths; tests are left out).

    ``base`` is the project directory: module names are computed relative to it.
    """
    model = ServingModel()
    for path in sorted(set(files)):
        if path.endswith(".py") and not is_test_path(path):
            _add_module(repo, model, path, base)
    builder = _Builder(model)
    for module in model.modules.values():
        builder.endpoints(module)
    for module in model.modules.values():
        for func in module.functions():
            if func.decorator_list:
                builder.decorated(module, func)
        for qual, call in module.calls():
            if _may_route(builder, module, qual, call):
                builder.calls(module, call)
    builder.finish()
    model.hooks.sort(key=lambda h: (h.path, h.line, h.kind))
    if "FastAPI" in model.frameworks:
        model.frameworks.pop("Starlette", None)  # FastAPI is built on Starlette
    return model


def _add_module(repo: Repo, model: ServingModel, path: str, base: str) -> None:
    local = path if base == "." or not path.startswith(base + "/") else path[len(base) + 1:]
    loaded = load_module(repo, path, local)
    if isinstance(loaded, ParseError):
        model.errors.append(loaded)
        return
    module, names = loaded
    model.modules[path] = module
    for name in names:
        model.by_name.setdefault(name, module)
    for dashboard, label, line in module.recognised:
        (model.dashboards if dashboard else model.frameworks).setdefault(label, (path, line))


def _may_route(builder: _Builder, module: Module, qual: str, call: ast.Call) -> bool:
    """A call that may define a route or register an app, router or hook."""
    return (qual in STARLETTE_ROUTES or qual in DJANGO_ROUTES or qual in FASTAPI_ROUTES
            or (isinstance(call.func, ast.Attribute) and call.func.attr in CALL_ATTRS)
            or builder.route_subclass(module, call.func))
