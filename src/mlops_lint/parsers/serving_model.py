"""The serving model of a project: the modules read, the apps and routers, the routes
with their full paths, the hooks, and the name resolution the API rules use (what a
name points at, constant strings, Pydantic classes, a handler's parameters)."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.serving_nodes import (
    CONTAINERS,
    MAX_DEPTH,
    PARAM_MARKERS,
    PYDANTIC_BASES,
    Edge,
    Endpoint,
    FunctionNode,
    Hook,
    Key,
    Module,
    Mount,
    Param,
    Route,
)


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
        if isinstance(expr, ast.Attribute):  # settings.API_PREFIX: a class attribute's default
            default = self._class_default(module, expr)
            if default is not None:
                return self.const_str(default[0], default[1], depth + 1)
        return None

    def _class_default(self, module: Module, expr: ast.Attribute,
                       ) -> tuple[Module, ast.expr] | None:
        """The value a project class (or a module-level instance of it, such as a settings
        object) assigns to the attribute ``expr`` names in its body."""
        found = self._class_of(module, expr.value)
        if found is None:
            return None
        for node in found[1].body:
            if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name) \
                    and node.target.id == expr.attr and node.value is not None:
                return found[0], node.value
            if isinstance(node, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == expr.attr for t in node.targets):
                return found[0], node.value
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
            if head in CONTAINERS or head.rsplit(".", 1)[-1] in CONTAINERS:
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
                method = method_named(owner, target.attr)
                if method is not None:
                    yield module, method, owner, node
                continue
            found = self.symbol(module, target)
            if found is None:
                if isinstance(target, ast.Attribute):  # Class.method(), instance.method()
                    klass = self._class_of(module, target.value)
                    method = method_named(klass[1], target.attr) if klass is not None else None
                    if klass is not None and method is not None:
                        yield klass[0], method, klass[1], node
                continue
            where, _, definition = found
            if isinstance(definition, ast.FunctionDef | ast.AsyncFunctionDef):
                yield where, definition, None, node
            elif isinstance(definition, ast.ClassDef):
                init = method_named(definition, "__init__")
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
        defaults = _defaults(handler)
        in_path = _path_names(route.path)
        out = []
        for arg in args:
            if arg.arg in ("self", "cls"):
                continue
            given = defaults.get(arg.arg)
            marker = self._marker(module, given)
            marker_call = given if marker and isinstance(given, ast.Call) else None
            annotation, marker, marker_call = self._unwrap_annotated(
                module, arg.annotation, marker, marker_call)
            out.append(Param(arg.arg, annotation, marker, arg.arg in in_path, arg.lineno,
                             marker_call))
        return out

    def _unwrap_annotated(self, module: Module, annotation: ast.expr | None,
                          marker: str | None, marker_call: ast.Call | None,
                          ) -> tuple[ast.expr | None, str | None, ast.Call | None]:
        """``Annotated[T, Depends(...)]`` -> (T, the first marker, its call) when no default
        gave one; any other annotation as it is."""
        if not (isinstance(annotation, ast.Subscript) and (
                self.qualname(module, annotation.value) or "").endswith("Annotated")):
            return annotation, marker, marker_call
        inner = annotation.slice
        elts = inner.elts if isinstance(inner, ast.Tuple) else [inner]
        for meta in elts[1:]:
            if marker is None and self._marker(module, meta):
                marker = self._marker(module, meta)
                marker_call = meta if isinstance(meta, ast.Call) else None
        return (elts[0] if elts else None), marker, marker_call

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


def method_named(cls: ast.ClassDef, name: str) -> FunctionNode | None:
    for stmt in cls.body:
        if isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and stmt.name == name:
            return stmt
    return None


def _defaults(handler: FunctionNode) -> dict[str, ast.expr]:
    """Parameter name -> its default expression (positional and keyword-only)."""
    positional = [*handler.args.posonlyargs, *handler.args.args]
    defaults: dict[str, ast.expr] = {}
    for arg, default in zip(positional[len(positional) - len(handler.args.defaults):],
                            handler.args.defaults, strict=True):
        defaults[arg.arg] = default
    for arg, kw_default in zip(handler.args.kwonlyargs, handler.args.kw_defaults, strict=True):
        if kw_default is not None:
            defaults[arg.arg] = kw_default
    return defaults


def _path_names(path: str) -> set[str]:
    """Names a route path binds: ``{item_id}``, ``{path:path}``, Flask's ``<int:item_id>``."""
    names = set()
    for part in path.split("/"):
        if part.startswith("{") and part.endswith("}"):
            names.add(part[1:-1].split(":")[0])
        elif part.startswith("<") and part.endswith(">"):
            names.add(part[1:-1].split(":")[-1])
    return names


def join_paths(*parts: str) -> str:
    pieces = [p.strip("/") for p in parts if p and p.strip("/")]
    return "/" + "/".join(pieces)
