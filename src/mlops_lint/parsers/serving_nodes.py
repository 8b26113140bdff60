"""The pieces of the serving model (:mod:`mlops_lint.parsers.fastapi_app`): the
frameworks' names and the nodes found in a project's code (modules, apps and routers,
their edges and mounts, routes, their parameters, hooks)."""

from __future__ import annotations

import ast
from dataclasses import dataclass, field
from typing import TypeAlias, TypeVar

from mlops_lint.parsers.python_source import PythonIndex

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


CONTAINERS = frozenset({"list", "List", "Sequence", "Iterable", "set", "Set", "tuple",
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
