"""API004: the prediction route takes and returns Pydantic models with constrained fields.

Constraints are ``Field(ge=/le=...)`` keywords, constrained types (``conint``, ``Literal``,
annotated-types markers), enums and validators, in the model, its nested models and its
bases. A multipart upload body alone only warns.

A pass-through proxy is skipped: a handler whose raw ``Request`` (or the body read from it)
reaches an outgoing HTTP client call (httpx, aiohttp, requests), directly or through the
project's functions it is passed to (three calls deep), and that computes no prediction
itself. The service it forwards to owns the request and response schemas. A handler that
predicts from an untyped body still fails.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.fastapi_app import Module, Route, ServingModel
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.serving import Serving
from mlops_lint.rules import rule
from mlops_lint.rules.api._proxy import RAW_BODY_TYPES, annotation_names, proxy_target
from mlops_lint.rules.api._shared import require, service_site

# scalar parameters are query parameters in FastAPI unless marked ``Body()``
SCALAR_TYPES = frozenset({"str", "bytes"})


UPLOAD_TYPES = frozenset({"fastapi.UploadFile", "starlette.datastructures.UploadFile",
                          "UploadFile"})


NON_BODY_MARKERS = frozenset({"Depends", "Security", "Query", "Path", "Header", "Cookie"})


CONSTRAINT_KEYWORDS = frozenset({
    "ge", "gt", "le", "lt", "min_length", "max_length", "pattern", "regex", "min_items",
    "max_items", "multiple_of", "max_digits", "decimal_places", "allow_inf_nan",
})


CONSTRAINED_TYPES = frozenset({
    "conint", "confloat", "constr", "conlist", "conset", "condecimal", "conbytes",
    "confrozenset", "PositiveInt", "NegativeInt", "NonNegativeInt", "NonPositiveInt",
    "PositiveFloat", "NegativeFloat", "NonNegativeFloat", "NonPositiveFloat", "FiniteFloat",
    "EmailStr", "HttpUrl", "AnyUrl", "Literal", "Ge", "Gt", "Le", "Lt", "Interval", "MinLen",
    "MaxLen", "Len", "StringConstraints",
})


VALIDATORS = frozenset({"field_validator", "validator", "model_validator", "root_validator"})


def _is_enum(model: ServingModel, module: Module, annotation: ast.expr) -> bool:
    """The annotation names an enum of the project."""
    for node in ast.walk(annotation):
        if isinstance(node, ast.Name | ast.Attribute):
            found = model.class_def(module, node)
            if found is not None and model.is_subclass_of(
                    *found, ("enum.Enum", "enum.IntEnum", "enum.StrEnum")):
                return True
    return False


def _constrained(model: ServingModel, module: Module, stmt: ast.AnnAssign) -> bool:
    """A field whose type or ``Field(...)`` restricts its values."""
    if annotation_names(model, module, stmt.annotation) & CONSTRAINED_TYPES:
        return True
    if any(isinstance(node, ast.Call) and any(kw.arg in CONSTRAINT_KEYWORDS
                                              for kw in node.keywords)
           for node in ast.walk(stmt)):
        return True
    return _is_enum(model, module, stmt.annotation)


def _field(model: ServingModel, module: Module, stmt: ast.AnnAssign, name: str, depth: int,
           seen: set[int]) -> list[str]:
    """The field ``name`` if it is constrained, then the constrained fields of the models
    its annotation names (``name.sub``)."""
    out = [name] if _constrained(model, module, stmt) else []
    for sub_module, sub in model.model_classes(module, stmt.annotation):
        out.extend(f"{name}.{f}" for f in constrained_fields(
            model, sub_module, sub, depth + 1, seen))
    return out


def constrained_fields(model: ServingModel, module: Module, cls: ast.ClassDef,
                       depth: int = 0, seen: set[int] | None = None) -> list[str]:
    """Fields (and validators) of a Pydantic class that restrict values, bases included."""
    seen = seen if seen is not None else set()
    if id(cls) in seen or depth > 3:
        return []
    seen.add(id(cls))
    out: list[str] = []
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            out.extend(_field(model, module, stmt, stmt.target.id, depth, seen))
        elif isinstance(stmt, ast.FunctionDef | ast.AsyncFunctionDef) and {
                d.rsplit(".", 1)[-1] for d in model.decorators(module, stmt)} & VALIDATORS:
            out.append(f"@{stmt.name}")
    for base_module, base in model.bases(module, cls):
        out.extend(constrained_fields(model, base_module, base, depth + 1, seen))
    return out


def _response_models(s: Serving, route: Route) -> list[str]:
    module = s.model.module(route.handler_path)
    if module is None:
        return []
    declared = call_arg(route.call, "response_model") if route.call is not None else None
    if declared is not None and not (isinstance(declared, ast.Constant)
                                     and declared.value is None):
        return [ast.unparse(declared)]
    if route.handler is not None and route.handler.returns is not None:
        return [c.name for _, c in s.model.model_classes(module, route.handler.returns)]
    return []


@rule("API004")
def api_schemas(ctx: Context, params: None) -> Iterator[Finding]:
    """API004: the predict route takes and returns Pydantic models with constrained fields."""
    s, early = require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    predict = s.predict_routes(s.fastapi_routes)
    if not predict:
        path, line = service_site(s)
        yield failed(T("no POST predict route to check (see API003)",
                       "no hay ruta POST de predicción que comprobar (ver API003)"), path, line)
        return
    for route in predict:
        yield _schema_finding(s, route)


@dataclass
class _Body:
    """The body parameters of a route: those typed with Pydantic models, the raw ones, and
    whether one is a multipart upload."""

    typed: list[tuple[str, Module, ast.ClassDef]] = field(default_factory=list)
    raw: list[str] = field(default_factory=list)
    upload: bool = False


def _body(s: Serving, module: Module, route: Route) -> _Body:
    body = _Body()
    for param in s.model.params(route):
        if param.marker in NON_BODY_MARKERS or param.in_path:
            continue
        classes = s.model.model_classes(module, param.annotation)
        if classes:
            body.typed.extend((param.name, m, c) for m, c in classes)
            continue
        annotated = (annotation_names(s.model, module, param.annotation)
                     if param.annotation is not None else set())
        if annotated & UPLOAD_TYPES or param.marker in ("File", "Form"):
            body.upload = True
        elif param.annotation is None:
            body.raw.append(f"`{param.name}` (no annotation)")
        elif annotated & (RAW_BODY_TYPES - SCALAR_TYPES) or param.marker == "Body":
            body.raw.append(f"`{param.name}: {ast.unparse(param.annotation)}`")
    return body


def _untyped(body: _Body) -> T:
    if body.upload:
        return T("the body is a multipart upload, not a Pydantic model",
                 "el cuerpo es una subida multipart, no un modelo Pydantic")
    if body.raw:
        return T(f"the body is {', '.join(body.raw)} instead of a Pydantic model",
                 f"el cuerpo es {', '.join(body.raw)} en lugar de un modelo Pydantic")
    return T("no body parameter with a Pydantic model (raw request?)",
             "ningún parámetro de cuerpo con un modelo Pydantic (¿request crudo?)")


def _problems(body: _Body, constrained: list[str], responses: list[str]) -> list[T]:
    problems: list[T] = []
    if not body.typed:
        problems.append(_untyped(body))
    if body.typed and not constrained:
        names = ", ".join(sorted({c.name for _, _, c in body.typed}))
        problems.append(T(f"{names} has no constrained field (Field(ge=/le=), Literal, "
                          "conint, validators)",
                          f"{names} no tiene campos restringidos (Field(ge=/le=), Literal, "
                          "conint, validadores)"))
    if not responses:
        problems.append(T("no response_model= nor a Pydantic return annotation",
                          "sin response_model= ni anotación de retorno Pydantic"))
    return problems


def _schema_finding(s: Serving, route: Route) -> Finding:
    module = s.model.module(route.handler_path)
    assert module is not None
    if route.handler is None:
        return warned(T(f"POST {route.path}: its handler `{route.handler_name}` is not "
                        "resolved statically, so its schemas cannot be checked",
                        f"POST {route.path}: su handler `{route.handler_name}` no se resuelve "
                        "estáticamente, así que no se pueden comprobar sus esquemas"),
                      route.file, route.line)
    body = _body(s, module, route)
    forwarded = None if body.typed else proxy_target(s, module, route)
    if forwarded is not None:
        return skipped(T(f"not applicable: POST {route.path} (`{route.handler_name}`) is a "
                         f"pass-through proxy: it forwards the raw request to another service "
                         f"({forwarded}), which owns the request and response schemas",
                         f"no aplica: POST {route.path} (`{route.handler_name}`) es un proxy "
                         f"de paso: reenvía la petición cruda a otro servicio ({forwarded}), "
                         "que es el dueño de los esquemas de petición y respuesta"), route.file)
    responses = _response_models(s, route)
    constrained: list[str] = []
    for _, cls_module, cls in body.typed:
        constrained.extend(constrained_fields(s.model, cls_module, cls))
    problems = _problems(body, constrained, responses)
    head = T(f"POST {route.path} (`{route.handler_name}`): ",
             f"POST {route.path} (`{route.handler_name}`): ")
    if problems:
        if body.upload and len(problems) == 1:
            return warned(head + problems[0], route.file, route.line)
        return failed(head + T.join(problems), route.file, route.line)
    names = ", ".join(sorted({c.name for _, _, c in body.typed}))
    shown = ", ".join(constrained[:4]) + ("…" if len(constrained) > 4 else "")
    return passed(head + T(f"body {names} (constrained: {shown}), response "
                           f"{', '.join(responses)}",
                           f"cuerpo {names} (restringidos: {shown}), respuesta "
                           f"{', '.join(responses)}"), route.file, route.line)
