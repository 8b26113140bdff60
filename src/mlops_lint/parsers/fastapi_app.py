"""Static model of a project's web services: apps, routers, routes, handlers, hooks.

Read from the shared Python AST (:func:`python_index`); nothing is imported or run.

* **FastAPI** is modelled fully: ``FastAPI(...)`` instances (also built inside factory
  functions), ``APIRouter(prefix=...)``, ``include_router(router, prefix=...)`` and
  ``mount(...)`` composed into full paths (``/api/v1`` + ``/health``), route decorators
  (``get``/``post``/…/``api_route``/``websocket``) and ``add_api_route``, with the
  decorator's line, the handler function, ``response_model=`` and the handler's
  parameters (``Depends``/``Body``/… markers, ``Annotated`` unwrapped). Lifespan and
  startup hooks, exception handlers and middleware are collected too.
* **Flask, Quart, Sanic** (apps, blueprints with ``url_prefix``, ``register_blueprint``,
  ``route``/``get``/``post`` decorators, ``add_url_rule``), **Starlette** ``Route(...)``,
  **Litestar** ``@get``/``@post`` and **Django** ``path()`` are read for their routes.
* Other frameworks (aiohttp, Tornado, Falcon, BentoML, Ray Serve, KServe, TorchServe, …)
  and dashboards (Streamlit, Gradio, Dash, Panel) are only recognised by their imports;
  scoring scripts a platform calls (Azure ML ``init()``/``run()``, SageMaker
  ``model_fn``/``predict_fn``) by the functions they define.

Names are resolved through imports, relative ones included (``from .routers import
health`` then ``health.router``), across the files given to :func:`serving_model`.
Prefixes that are not literals are resolved when they are module constants; otherwise
the expression is kept in braces (``{settings.API_PREFIX}/health``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias, TypeVar

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.python_source import PythonIndex, call_arg, is_test_path, python_index

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

FunctionNode: TypeAlias = "ast.FunctionDef | ast.AsyncFunctionDef"
Key: TypeAlias = "tuple[str, str]"  # (file, variable name) of an app or router

APP_CONSTRUCTORS: dict[str, str] = {
    "fastapi.FastAPI": "fastapi", "fastapi.applications.FastAPI": "fastapi",
    "flask.Flask": "flask", "flask.app.Flask": "flask",
    "quart.Quart": "quart", "sanic.Sanic": "sanic",
    "starlette.applications.Starlette": "starlette",
    "litestar.Litestar": "litestar", "bottle.Bottle": "bottle",
}
ROUTER_CONSTRUCTORS: dict[str, str] = {
    "fastapi.APIRouter": "fastapi", "fastapi.routing.APIRouter": "fastapi",
    "flask.Blueprint": "flask", "flask.blueprints.Blueprint": "flask",
    "quart.Blueprint": "quart", "sanic.Blueprint": "sanic",
}
# import prefix -> display name, for frameworks recognised by their imports
FRAMEWORKS: dict[str, str] = {
    "fastapi": "FastAPI", "flask": "Flask", "quart": "Quart", "sanic": "Sanic",
    "starlette": "Starlette", "litestar": "Litestar", "bottle": "Bottle",
    "django": "Django", "rest_framework": "Django", "aiohttp.web": "aiohttp",
    "tornado.web": "Tornado", "falcon": "Falcon", "bentoml": "BentoML",
    "ray.serve": "Ray Serve", "litserve": "LitServe", "cherrypy": "CherryPy",
    "pyramid": "Pyramid", "connexion": "Connexion", "mlserver": "MLServer",
    "kserve": "KServe", "kfserving": "KServe", "ts.torch_handler": "TorchServe",
    "ts.context": "TorchServe", "seldon_core": "Seldon Core",
    "sagemaker_inference": "SageMaker inference toolkit",
    "azureml.contrib.services": "Azure ML",
}
# serving entry points recognised by their shape (module-level functions a hosting
# platform calls), not by an import: label -> (required names, any one of these)
SCORING_SCRIPTS: dict[str, tuple[frozenset[str], frozenset[str]]] = {
    "Azure ML scoring script (init/run)": (frozenset({"init", "run"}), frozenset()),
    "SageMaker inference handler (model_fn/predict_fn)": (
        frozenset({"model_fn"}), frozenset({"predict_fn", "transform_fn", "input_fn",
                                            "output_fn"})),
}
DASHBOARDS: dict[str, str] = {
    "streamlit": "Streamlit", "gradio": "Gradio", "dash": "Dash", "panel": "Panel",
}
HTTP_METHODS = ("get", "post", "put", "delete", "patch", "options", "head", "trace")
ROUTE_DECORATORS = frozenset((*HTTP_METHODS, "api_route", "route", "websocket"))
LITESTAR_ROUTES = {f"litestar.{m}": m for m in HTTP_METHODS} | {
    f"litestar.handlers.{m}": m for m in HTTP_METHODS}
STARLETTE_ROUTES = frozenset({"starlette.routing.Route", "starlette.routing.WebSocketRoute"})
# route objects passed to ``FastAPI(routes=[...])`` or ``APIRouter(routes=[...])``
FASTAPI_ROUTES = frozenset({"fastapi.routing.APIRoute", "fastapi.routing.APIWebSocketRoute",
                            "fastapi.APIRoute"})
DJANGO_ROUTES = frozenset({"django.urls.path", "django.urls.re_path", "django.conf.urls.url"})
CALL_ATTRS = frozenset({"include_router", "register_blueprint", "mount", "add_api_route",
                        "add_url_rule", "add_route", "add_api_websocket_route",
                        "add_event_handler", "add_exception_handler", "add_middleware"})
PARAM_MARKERS = frozenset({"Depends", "Security", "Body", "Query", "Path", "Header", "Cookie",
                           "Form", "File"})
PYDANTIC_BASES = frozenset({
    "pydantic.BaseModel", "pydantic.main.BaseModel", "pydantic.v1.BaseModel",
    "pydantic.RootModel", "pydantic.root_model.RootModel", "pydantic_settings.BaseSettings",
    "pydantic.BaseSettings", "sqlmodel.SQLModel",
})
_CONTAINERS = frozenset({"list", "List", "Sequence", "Iterable", "set", "Set", "tuple",
                         "Tuple", "Optional", "Union", "typing.List", "typing.Optional",
                         "typing.Union", "typing.Sequence", "collections.abc.Sequence"})
MAX_DEPTH = 8
N = TypeVar("N", bound=ast.AST)


@dataclass
class Module:
    """One Python file of the project with its imports resolved to dotted names.

    A module is analysed once per run and shared by every serving model that includes
    it (the nodes by type, the calls with their qualified names, the imports).
    """

    name: str
    path: str
    index: PythonIndex
    aliases: dict[str, str]
    symbols: dict[str, ast.AST]  # module-level classes, functions and assigned values
    imports: tuple[tuple[str, int], ...] = ()  # every imported dotted name, with its line
    # (is a dashboard, display name, line) of each framework / dashboard import, in order
    recognised: tuple[tuple[bool, str, int], ...] = ()
    _calls: list[tuple[str, ast.Call]] | None = field(default=None, repr=False)

    @property
    def tree(self) -> ast.Module:
        return self.index.tree

    def nodes(self, kind: type[N]) -> list[N]:
        """Every node of exactly this type, in ``ast.walk`` order (the index's one walk)."""
        found: list[N] = self.index.by_type.get(kind, [])  # type: ignore[assignment]
        return found

    def functions(self) -> list[FunctionNode]:
        return [*self.nodes(ast.FunctionDef), *self.nodes(ast.AsyncFunctionDef)]

    def dotted(self, expr: ast.expr) -> str | None:
        """Dotted name of a Name/Attribute chain: imports and local definitions resolved."""
        parts: list[str] = []
        node = expr
        while isinstance(node, ast.Attribute):
            parts.append(node.attr)
            node = node.value
        if not isinstance(node, ast.Name):
            return None
        if node.id in self.aliases:
            head = self.aliases[node.id]
        elif node.id in self.symbols:
            head = f"{self.name}.{node.id}"
        else:
            head = node.id
        return ".".join([head, *reversed(parts)])

    def calls(self) -> list[tuple[str, ast.Call]]:
        """Every call with its qualified name ("" when the callee is not a dotted name)."""
        if self._calls is None:
            self._calls = [(self.dotted(c.func) or "", c) for c in self.nodes(ast.Call)]
        return self._calls

    def imports_module(self, prefix: str) -> bool:
        return any(name == prefix or name.startswith(prefix + ".") for name, _ in self.imports)


@dataclass(frozen=True)
class Endpoint:
    """An app (``FastAPI()``, ``Flask()``) or a router (``APIRouter``, ``Blueprint``)."""

    kind: str  # "app" | "router"
    framework: str
    path: str
    line: int
    name: str
    call: ast.Call
    prefix: str
    prefix_known: bool

    @property
    def key(self) -> Key:
        return (self.path, self.name)


@dataclass(frozen=True)
class Edge:
    """``parent.include_router(child, prefix=...)``, ``register_blueprint``, ``mount``."""

    parent: Key
    child: Key
    prefix: str
    known: bool
    replaces: bool  # Flask: url_prefix given at registration replaces the blueprint's
    path: str
    line: int


@dataclass(frozen=True)
class Mount:
    """``app.mount(path, something)`` where something is not a known app or router."""

    owner: Key | None
    prefix: str
    target: ast.expr
    path: str
    line: int


@dataclass(frozen=True)
class Param:
    name: str
    annotation: ast.expr | None  # ``Annotated[...]`` unwrapped
    marker: str | None  # Depends, Body, Query, ... from the default or Annotated metadata
    in_path: bool
    line: int
    marker_call: ast.Call | None = None  # the ``Depends(get_model)`` call itself


@dataclass(frozen=True)
class Route:
    framework: str
    path: str  # full path, prefixes composed
    local_path: str  # as written at the route
    methods: tuple[str, ...]  # upper case; "*" = any method
    file: str
    line: int  # the decorator (or registration call)
    handler: FunctionNode | None
    handler_name: str
    call: ast.Call | None
    owner: Key | None
    reachable: bool  # the owner is (transitively) part of an app
    prefix_known: bool
    handler_file: str = ""  # where the handler is defined, when not in ``file``

    @property
    def handler_path(self) -> str:
        """The file of the handler's definition (its names resolve there)."""
        return self.handler_file or self.file

    def allows(self, method: str) -> bool:
        return method.upper() in self.methods or "*" in self.methods

    @property
    def segments(self) -> list[str]:
        return [s for s in self.path.lower().split("/") if s]

    @property
    def is_async(self) -> bool:
        return isinstance(self.handler, ast.AsyncFunctionDef)


@dataclass(frozen=True)
class Hook:
    """A startup/lifespan hook, exception handler or middleware registration."""

    kind: str  # "lifespan", "startup", "exception_handler", "middleware"
    path: str
    line: int
    target: ast.expr | None  # the function / exception / middleware class expression
    call: ast.Call | None  # where keyword options live (add_middleware(..., allow_origins=)


@dataclass
class ServingModel:
    modules: dict[str, Module] = field(default_factory=dict)  # by file path
    by_name: dict[str, Module] = field(default_factory=dict)  # by dotted module name
    endpoints: dict[Key, Endpoint] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)
    mounts: list[Mount] = field(default_factory=list)
    routes: list[Route] = field(default_factory=list)
    hooks: list[Hook] = field(default_factory=list)
    frameworks: dict[str, tuple[str, int]] = field(default_factory=dict)  # name -> evidence
    dashboards: dict[str, tuple[str, int]] = field(default_factory=dict)
    errors: list[ParseError] = field(default_factory=list)

    # -- what was found ----------------------------------------------------------------

    @property
    def apps(self) -> list[Endpoint]:
        return [e for e in self.endpoints.values() if e.kind == "app"]

    def apps_of(self, framework: str) -> list[Endpoint]:
        return [e for e in self.apps if e.framework == framework]

    def routes_of(self, framework: str) -> list[Route]:
        return [r for r in self.routes if r.framework == framework]

    def hooks_of(self, kind: str) -> list[Hook]:
        return [h for h in self.hooks if h.kind == kind]

    @property
    def serving_files(self) -> list[str]:
        """Files defining apps, routers or routes."""
        files = {e.path for e in self.endpoints.values()} | {r.file for r in self.routes}
        return sorted(files)

    # -- name resolution ---------------------------------------------------------------

    def module(self, path: str) -> Module | None:
        return self.modules.get(path)

    def dotted(self, module: Module, expr: ast.expr) -> str | None:
        """Global dotted name of a Name/Attribute chain (imports and local defs resolved)."""
        return module.dotted(expr)

    def lookup(self, dotted: str, depth: int = 0) -> tuple[Module, str] | None:
        """The module and symbol a dotted name points at, following re-exports."""
        if depth > MAX_DEPTH:
            return None
        parts = dotted.split(".")
        for cut in range(len(parts), 0, -1):
            module = self.by_name.get(".".join(parts[:cut]))
            if module is None:
                continue
            rest = parts[cut:]
            if not rest:
                return module, ""
            if len(rest) > 1:
                return None
            name = rest[0]
            if name in module.symbols:
                return module, name
            if name in module.aliases:
                return self.lookup(module.aliases[name], depth + 1)
            return module, name
        return None

    def symbol(self, module: Module, expr: ast.expr) -> tuple[Module, str, ast.AST] | None:
        """The definition ``expr`` names: (module, name, node) when it is in the project."""
        if isinstance(expr, ast.Name) and expr.id in module.symbols:
            return module, expr.id, module.symbols[expr.id]
        dotted = self.dotted(module, expr)
        if dotted is None:
            return None
        found = self.lookup(dotted)
        if found is None or not found[1] or found[1] not in found[0].symbols:
            return None
        return found[0], found[1], found[0].symbols[found[1]]

    def qualname(self, module: Module, expr: ast.expr) -> str | None:
        """Dotted name with import aliases resolved (``FastAPI`` → ``fastapi.FastAPI``)."""
        return self.dotted(module, expr)

    def const_str(self, module: Module, expr: ast.expr | None, depth: int = 0) -> str | None:
        """A string value known statically: literals, module constants, f-strings of them."""
        if expr is None or depth > MAX_DEPTH:
            return None
        if isinstance(expr, ast.Constant):
            return expr.value if isinstance(expr.value, str) else None
        if isinstance(expr, ast.JoinedStr):
            out = []
            for value in expr.values:
                piece = (self.const_str(module, value.value, depth + 1)
                         if isinstance(value, ast.FormattedValue) else
                         self.const_str(module, value, depth + 1))
                if piece is None:
                    return None
                out.append(piece)
            return "".join(out)
        if isinstance(expr, ast.BinOp) and isinstance(expr.op, ast.Add):
            left = self.const_str(module, expr.left, depth + 1)
            right = self.const_str(module, expr.right, depth + 1)
            return left + right if left is not None and right is not None else None
        if isinstance(expr, ast.Name | ast.Attribute):
            found = self.symbol(module, expr)
            if found is not None and isinstance(found[2], ast.expr):
                return self.const_str(found[0], found[2], depth + 1)
        return None

    def function(self, module: Module, expr: ast.expr) -> tuple[Module, FunctionNode] | None:
        found = self.symbol(module, expr)
        if found is not None and isinstance(found[2], ast.FunctionDef | ast.AsyncFunctionDef):
            return found[0], found[2]
        return None

    def class_def(self, module: Module, expr: ast.expr) -> tuple[Module, ast.ClassDef] | None:
        if isinstance(expr, ast.Subscript):  # RootModel[list[X]], Generic[T]
            expr = expr.value
        found = self.symbol(module, expr)
        if found is not None and isinstance(found[2], ast.ClassDef):
            return found[0], found[2]
        return None

    def bases(self, module: Module, cls: ast.ClassDef) -> Iterator[tuple[Module, ast.ClassDef]]:
        for base in cls.bases:
            found = self.class_def(module, base)
            if found is not None:
                yield found

    def is_pydantic(self, module: Module, cls: ast.ClassDef, depth: int = 0) -> bool:
        """``cls`` subclasses a Pydantic model, directly or through project classes."""
        if depth > MAX_DEPTH:
            return False
        for dec in cls.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            if (self.qualname(module, target) or "").startswith("pydantic.dataclasses."):
                return True
        for base in cls.bases:
            node = base.value if isinstance(base, ast.Subscript) else base
            qual = self.qualname(module, node) or ""
            if qual in PYDANTIC_BASES or qual == "BaseModel":
                return True
            found = self.class_def(module, base)
            if found is not None and found[1] is not cls and self.is_pydantic(
                    found[0], found[1], depth + 1):
                return True
        return False

    def is_subclass_of(self, module: Module, cls: ast.ClassDef, names: Iterable[str],
                       depth: int = 0) -> bool:
        """``cls`` has a base whose qualified name is one of ``names`` (transitively)."""
        wanted = set(names)
        if depth > MAX_DEPTH:
            return False
        for base in cls.bases:
            if (self.qualname(module, base) or "") in wanted:
                return True
            found = self.class_def(module, base)
            if found is not None and found[1] is not cls and self.is_subclass_of(
                    found[0], found[1], wanted, depth + 1):
                return True
        return False

    def model_classes(self, module: Module, annotation: ast.expr | None,
                      depth: int = 0) -> list[tuple[Module, ast.ClassDef]]:
        """Pydantic classes an annotation names, through ``Optional``/``list``/``|``."""
        if annotation is None or depth > MAX_DEPTH:
            return []
        if isinstance(annotation, ast.Constant) and isinstance(annotation.value, str):
            try:
                annotation = ast.parse(annotation.value, mode="eval").body
            except SyntaxError:
                return []
        if isinstance(annotation, ast.BinOp) and isinstance(annotation.op, ast.BitOr):
            return (self.model_classes(module, annotation.left, depth + 1)
                    + self.model_classes(module, annotation.right, depth + 1))
        if isinstance(annotation, ast.Subscript):
            head = self.qualname(module, annotation.value) or ""
            if head.rsplit(".", 1)[-1] == "Annotated":
                inner = annotation.slice
                first = inner.elts[0] if isinstance(inner, ast.Tuple) and inner.elts else inner
                return self.model_classes(module, first, depth + 1)
            if head in _CONTAINERS or head.rsplit(".", 1)[-1] in _CONTAINERS:
                items = (annotation.slice.elts if isinstance(annotation.slice, ast.Tuple)
                         else [annotation.slice])
                return [m for item in items for m in self.model_classes(module, item, depth + 1)]
        found = self.class_def(module, annotation)
        if found is not None and self.is_pydantic(*found):
            return [found]
        return []

    def decorators(self, module: Module, func: FunctionNode | ast.ClassDef) -> list[str]:
        """Qualified names of a definition's decorators (called or not)."""
        out = []
        for dec in func.decorator_list:
            target = dec.func if isinstance(dec, ast.Call) else dec
            out.append(self.qualname(module, target) or ast.unparse(target))
        return out

    def callees(self, module: Module, func: FunctionNode, owner: ast.ClassDef | None = None,
                ) -> Iterator[tuple[Module, FunctionNode, ast.ClassDef | None, ast.Call]]:
        """Project functions called from ``func``'s body (constructors → ``__init__``)."""
        for node in ast.walk(func):
            if not isinstance(node, ast.Call):
                continue
            target = node.func
            if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                    and target.value.id in ("self", "cls") and owner is not None):
                method = _method(owner, target.attr)
                if method is not None:
                    yield module, method, owner, node
                continue
            found = self.symbol(module, target)
            if found is None:
                if isinstance(target, ast.Attribute):  # Class.method(), instance.method()
                    klass = self._class_of(module, target.value)
                    method = _method(klass[1], target.attr) if klass is not None else None
                    if klass is not None and method is not None:
                        yield klass[0], method, klass[1], node
                continue
            where, _, definition = found
            if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
                yield where, definition, None, node
            elif isinstance(definition, ast.ClassDef):
                init = _method(definition, "__init__")
                if init is not None:
                    yield where, init, definition, node

    def _class_of(self, module: Module, expr: ast.expr) -> tuple[Module, ast.ClassDef] | None:
        """The project class ``expr`` is, or is a module-level instance of."""
        found = self.class_def(module, expr)
        if found is not None:
            return found
        value = self.symbol(module, expr)
        if value is not None and isinstance(value[2], ast.Call):
            return self.class_def(value[0], value[2].func)
        return None

    def instance_class(self, module: Module, expr: ast.expr,
                       ) -> tuple[Module, ast.ClassDef] | None:
        """The project class of ``expr``: a class, a module-level instance, or a name
        every assignment in the module binds to the same class's constructor."""
        found = self._class_of(module, expr)
        if found is not None or not isinstance(expr, ast.Name):
            return found
        bound = [self.class_def(module, a.value.func) if isinstance(a.value, ast.Call)
                 else None for a in module.nodes(ast.Assign)
                 if any(isinstance(t, ast.Name) and t.id == expr.id for t in a.targets)]
        classes = {(m.path, c.name): (m, c) for m, c in filter(None, bound)}
        if None in bound or len(classes) != 1:
            return None
        return next(iter(classes.values()))

    def params(self, route: Route) -> list[Param]:
        """The handler's parameters, FastAPI markers and ``Annotated`` unwrapped."""
        module = self.modules.get(route.handler_path)
        handler = route.handler
        if module is None or handler is None:
            return []
        args = [*handler.args.posonlyargs, *handler.args.args, *handler.args.kwonlyargs]
        positional = [*handler.args.posonlyargs, *handler.args.args]
        defaults: dict[str, ast.expr] = {}
        for arg, default in zip(positional[len(positional) - len(handler.args.defaults):],
                                handler.args.defaults, strict=True):
            defaults[arg.arg] = default
        for arg, kw_default in zip(handler.args.kwonlyargs, handler.args.kw_defaults,
                                   strict=True):
            if kw_default is not None:
                defaults[arg.arg] = kw_default
        in_path = set()
        for part in route.path.split("/"):
            if part.startswith("{") and part.endswith("}"):
                in_path.add(part[1:-1].split(":")[0])
            elif part.startswith("<") and part.endswith(">"):
                in_path.add(part[1:-1].split(":")[-1])
        out = []
        for arg in args:
            if arg.arg in ("self", "cls"):
                continue
            annotation = arg.annotation
            given = defaults.get(arg.arg)
            marker = self._marker(module, given)
            marker_call = given if marker and isinstance(given, ast.Call) else None
            if isinstance(annotation, ast.Subscript) and (
                    self.qualname(module, annotation.value) or "").endswith("Annotated"):
                inner = annotation.slice
                elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
                annotation = elts[0] if elts else None
                for meta in elts[1:]:
                    if marker is None and self._marker(module, meta):
                        marker = self._marker(module, meta)
                        marker_call = meta if isinstance(meta, ast.Call) else None
            out.append(Param(arg.arg, annotation, marker, arg.arg in in_path, arg.lineno,
                             marker_call))
        return out

    def _marker(self, module: Module, expr: ast.expr | None) -> str | None:
        if isinstance(expr, ast.Call):
            name = (self.qualname(module, expr.func) or "").rsplit(".", 1)[-1]
            if name in PARAM_MARKERS:
                return name
        return None

    def closure(self, paths: Iterable[str]) -> list[Module]:
        """The modules ``paths`` define plus every project module they import, transitively."""
        todo = [self.modules[p] for p in paths if p in self.modules]
        seen: dict[str, Module] = {}
        while todo:
            module = todo.pop()
            if module.path in seen:
                continue
            seen[module.path] = module
            targets = list(module.aliases.values())
            targets += [a.name for node in module.nodes(ast.Import) for a in node.names]
            for target in targets:
                found = self.lookup(target)
                if found is not None and found[0].path not in seen:
                    todo.append(found[0])
        return [seen[p] for p in sorted(seen)]


def _method(cls: ast.ClassDef, name: str) -> FunctionNode | None:
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == name:
            return stmt
    return None


def join_paths(*parts: str) -> str:
    pieces = [p.strip("/") for p in parts if p and p.strip("/")]
    return "/" + "/".join(pieces)


def module_names(local: str) -> list[str]:
    """Dotted module names a file can be imported as (``src/`` layout handled)."""
    if not local.endswith(".py"):
        return []
    dotted = local[:-3].replace("/", ".")
    if dotted.endswith(".__init__"):
        dotted = dotted[: -len(".__init__")]
    elif dotted == "__init__":
        return []
    names = [dotted]
    if dotted.startswith("src."):
        names.insert(0, dotted[4:])
    return names


def _module_level(body: list[ast.stmt]) -> Iterator[ast.stmt]:
    for stmt in body:
        yield stmt
        if isinstance(stmt, ast.If | ast.With | ast.AsyncWith):
            yield from _module_level(stmt.body)
            if isinstance(stmt, ast.If):
                yield from _module_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            for block in (stmt.body, stmt.orelse, stmt.finalbody,
                          *[h.body for h in stmt.handlers]):
                yield from _module_level(block)


def _symbols(tree: ast.Module) -> dict[str, ast.AST]:
    out: dict[str, ast.AST] = {}
    for stmt in _module_level(tree.body):
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            out[stmt.name] = stmt
        elif isinstance(stmt, ast.Assign):
            for target in stmt.targets:
                if isinstance(target, ast.Name):
                    out[target.id] = stmt.value
        elif isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name) \
                and stmt.value is not None:
            out[stmt.target.id] = stmt.value
    return out


def _relative_aliases(froms: list[ast.ImportFrom], name: str,
                      is_package: bool) -> dict[str, str]:
    out: dict[str, str] = {}
    package = name.split(".") if is_package else name.split(".")[:-1]
    for node in froms:
        if node.level > 0:
            keep = len(package) - (node.level - 1)
            if keep < 0:
                continue
            base = package[:keep]
            if node.module:
                base = [*base, *node.module.split(".")]
            for alias in node.names:
                if alias.name != "*":
                    out[alias.asname or alias.name] = ".".join([*base, alias.name])
    return out


def _import_lines(imports: list[ast.Import], froms: list[ast.ImportFrom],
                  ) -> Iterator[tuple[str, int]]:
    for node in imports:
        for alias in node.names:
            yield alias.name, node.lineno
    for imported in froms:
        if imported.module and imported.level == 0:
            yield imported.module, imported.lineno
            for alias in imported.names:
                yield f"{imported.module}.{alias.name}", imported.lineno


def _recognised(imports: Iterable[tuple[str, int]]) -> Iterator[tuple[bool, str, int]]:
    """Frameworks and dashboards named by imports (once per module, not per model)."""
    for imported, line in imports:
        for prefix, label in FRAMEWORKS.items():
            if _matches(imported, prefix):
                yield False, label, line
        for prefix, label in DASHBOARDS.items():
            if _matches(imported, prefix):
                yield True, label, line


def _scoring_scripts(tree: ast.Module, local: str,
                     imports: Iterable[tuple[str, int]]) -> Iterator[tuple[bool, str, int]]:
    """Scoring entry points a platform calls: an Azure ML ``init()``/``run(data)`` script
    (with an ``azureml`` import, the ``AZUREML_MODEL_DIR`` variable or a ``score*.py``
    name) and a SageMaker ``model_fn``/``predict_fn`` handler."""
    top = {node.name: node for node in tree.body
           if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)}
    for label, (required, one_of) in SCORING_SCRIPTS.items():
        if not required <= set(top) or (one_of and not one_of & set(top)):
            continue
        if "init" in required:
            run = top["run"]
            params = [a.arg for a in run.args.args]
            if not params or params[0] in ("mini_batch", "batch"):
                continue  # run(data) takes a request payload; run(mini_batch) is batch work
            name = local.rsplit("/", 1)[-1].lower()
            azure = any(_matches(i, "azureml") for i, _ in imports) or name.startswith(
                "score") or any(isinstance(n, ast.Constant) and n.value == "AZUREML_MODEL_DIR"
                                for n in ast.walk(top["init"]))
            if not azure:
                continue
        first = min(top[n].lineno for n in required)
        yield False, label, first


def _matches(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


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
            method = _method(klass[1], expr.attr) if klass is not None else None
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
            return
        if not isinstance(node.func, ast.Attribute):
            return
        attr = node.func.attr
        if attr not in CALL_ATTRS:
            return
        owner = self.owner(module, node.func.value)
        if attr == "add_middleware":
            target = call_arg(node, "middleware_class", 0)
            self.model.hooks.append(Hook("middleware", module.path, node.lineno, target, node))
            return
        if attr == "add_exception_handler":
            self.model.hooks.append(Hook("exception_handler", module.path, node.lineno,
                                         call_arg(node, "exc_class_or_status_code", 0), node))
            return
        if attr == "add_event_handler":
            if self.model.const_str(module, call_arg(node, "event_type", 0)) == "startup":
                self.model.hooks.append(Hook("startup", module.path, node.lineno,
                                             call_arg(node, "func", 1), node))
            return
        if owner is None:
            return
        if attr in ("include_router", "register_blueprint", "mount"):
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
        if not path.endswith(".py") or is_test_path(path):
            continue
        local = path if base == "." or not path.startswith(base + "/") else path[len(base) + 1:]
        loaded = load_module(repo, path, local)
        if isinstance(loaded, ParseError):
            model.errors.append(loaded)
            continue
        module, names = loaded
        model.modules[path] = module
        for name in names:
            model.by_name.setdefault(name, module)
        for dashboard, label, line in module.recognised:
            (model.dashboards if dashboard else model.frameworks).setdefault(label, (path, line))
    builder = _Builder(model)
    for module in model.modules.values():
        builder.endpoints(module)
    for module in model.modules.values():
        for func in module.functions():
            if func.decorator_list:
                builder.decorated(module, func)
        for qual, call in module.calls():
            if qual in STARLETTE_ROUTES or qual in DJANGO_ROUTES or qual in FASTAPI_ROUTES or (
                    isinstance(call.func, ast.Attribute) and call.func.attr in CALL_ATTRS) or (
                    builder.route_subclass(module, call.func)):
                builder.calls(module, call)
    builder.finish()
    model.hooks.sort(key=lambda h: (h.path, h.line, h.kind))
    if "FastAPI" in model.frameworks:
        model.frameworks.pop("Starlette", None)  # FastAPI is built on Starlette
    return model


def load_module(repo: Repo, path: str, local: str,
                ) -> tuple[Module, tuple[str, ...]] | ParseError:
    """The analysed module of ``path`` imported as ``local`` (cached for the run)."""
    key = f"fastapi_app:module:{path}:{local}"
    cached = repo.memo.get(key)
    if cached is None:
        index = python_index(repo, path)
        if isinstance(index, ParseError):
            cached = index
        else:
            names = tuple(module_names(local) or [local[:-3].replace("/", ".")])
            module = Module(names[0], path, index, dict(index.aliases), _symbols(index.tree))
            froms = module.nodes(ast.ImportFrom)
            module.aliases.update(_relative_aliases(froms, names[-1],
                                                    local.endswith("__init__.py")))
            module.imports = tuple(_import_lines(module.nodes(ast.Import), froms))
            module.recognised = tuple(_recognised(module.imports)) + tuple(
                _scoring_scripts(index.tree, local, module.imports))
            cached = (module, names)
        repo.memo[key] = cached
    result: tuple[Module, tuple[str, ...]] | ParseError = cached
    return result


def serving_model(repo: Repo, files: Iterable[str], base: str = ".") -> ServingModel:
    """:func:`build_model`, cached per set of files for the run."""
    paths = tuple(sorted(set(files)))
    key = f"fastapi_app:{base}:{hash(paths)}:{len(paths)}"
    cached = repo.memo.get(key)
    if cached is None:
        cached = build_model(repo, paths, base)
        repo.memo[key] = cached
    result: ServingModel = cached
    return result
