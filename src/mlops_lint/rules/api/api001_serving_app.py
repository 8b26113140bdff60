"""API001: a serving app exists.

A FastAPI app is instantiated and fastapi + uvicorn are declared. A service written with
another web framework earns the credit when it serves a model (FastAPI as advice), a
well-known model server or a platform's scoring script earns it in full, and so does a
model endpoint declared as code when the project has no serving code. With none of these
the rule fails ("no serving layer"): phase 5 is then level 0.
"""

from __future__ import annotations

import ast
import configparser
import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T, failed, passed, skipped, warned
from mlops_lint.parsers.fastapi_app import Endpoint, Route
from mlops_lint.readers.project_files import as_dict, as_list
from mlops_lint.readers.serving import Serving, inference_call, is_inference_path, serving
from mlops_lint.readers.training import model_used
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.api._endpoints import endpoint_pass, managed_endpoints
from mlops_lint.rules.api._servers import (
    MODEL_SERVERS,
    SCORING_LABELS,
    host_package,
    imported_from,
    server_site,
)
from mlops_lint.rules.api._shared import NO_SERVING, NO_SERVING_FIX

_REQ_NAME = lazy_re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str) -> tuple[str, frozenset[str]] | None:
    match = _REQ_NAME.match(text)
    if not match or text.lstrip().startswith(("-", "#")):
        return None
    extras = frozenset(e.strip().lower() for e in (match.group(2) or "").strip("[]").split(",")
                       if e.strip())
    return _norm(match.group(1)), extras


Declared = dict[str, tuple[str, frozenset[str]]]  # package name -> (file, extras)


def _add(found: Declared, spec: object, path: str) -> None:
    if isinstance(spec, str):
        parsed = _requirement(spec)
        if parsed is not None:
            found.setdefault(parsed[0], (path, parsed[1]))


def _pyproject_packages(ctx: Context, found: Declared) -> None:
    """PEP 621 dependencies, optional dependencies and groups, and Poetry's tables."""
    pyproject = ctx.first("pyproject.toml")
    if pyproject is None:
        return
    doc = noted(ctx.repo.toml(pyproject))
    if not isinstance(doc, dict):
        return
    project = as_dict(doc.get("project"))
    for spec in as_list(project.get("dependencies")):
        _add(found, spec, pyproject)
    groups = [*as_dict(project.get("optional-dependencies")).values(),
              *as_dict(doc.get("dependency-groups")).values()]
    for group in groups:
        for spec in as_list(group):
            _add(found, spec, pyproject)
    poetry = as_dict(as_dict(doc.get("tool")).get("poetry"))
    tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
    tables += [as_dict(g).get("dependencies") for g in as_dict(poetry.get("group")).values()]
    for table in tables:
        for name, value in as_dict(table).items():
            extras = as_list(as_dict(value).get("extras"))
            found.setdefault(_norm(name), (pyproject, frozenset(
                str(e).lower() for e in extras)))


def _requirement_files_packages(ctx: Context, found: Declared) -> None:
    for path in ctx.files(["requirements*.txt", "requirements*.in", "requirements/*.txt",
                           "requirements/*.in"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str):
            for line in text.splitlines():
                _add(found, line.split("#", 1)[0], path)


def _environment_packages(ctx: Context, found: Declared) -> None:
    """Conda environment files: their packages and their pip section."""
    for path in ctx.files(["environment*.yml", "environment*.yaml"]):
        env = noted(ctx.repo.yaml(path))
        deps = env.get("dependencies") if isinstance(env, dict) else None
        for item in deps if isinstance(deps, list) else []:
            if isinstance(item, dict):
                for spec in as_list(item.get("pip")):
                    _add(found, spec, path)
            elif isinstance(item, str):
                _add(found, item.split("=")[0], path)


def _setup_cfg_packages(ctx: Context, found: Declared) -> None:
    setup_cfg = ctx.first("setup.cfg")
    if setup_cfg is None:
        return
    text = noted(ctx.repo.text(setup_cfg))
    parser = configparser.ConfigParser()
    try:
        if isinstance(text, str):
            parser.read_string(text)
            for line in parser.get("options", "install_requires", fallback="").splitlines():
                _add(found, line, setup_cfg)
    except configparser.Error:
        pass


def declared_packages(ctx: Context) -> Declared:
    """Packages the project declares anywhere: name → (file, extras)."""
    found: Declared = {}
    _pyproject_packages(ctx, found)
    _requirement_files_packages(ctx, found)
    _environment_packages(ctx, found)
    _setup_cfg_packages(ctx, found)
    return found


def _main_app(s: Serving) -> Endpoint:
    """The FastAPI app with the most routes (a metrics side app is not the service)."""
    routes = s.fastapi_routes
    return min(s.fastapi_apps, key=lambda a: (-sum(1 for r in routes if r.file == a.path),
                                              a.path, a.line))


@rule("API001")
@reports_unread
def serving_app(ctx: Context, params: None) -> Iterator[Finding]:
    """API001: a FastAPI app is instantiated and fastapi + uvicorn are declared."""
    s = serving(ctx)
    for error in s.model.errors:
        yield skipped(T(f"{error.where()} does not parse ({error.message}); not read",
                        f"{error.where()} no se puede analizar ({error.message}); no se lee"),
                      error.path)
    if s.fastapi_apps:
        app = _main_app(s)
        deps = declared_packages(ctx)
        missing = []
        if "fastapi" not in deps:
            missing.append("fastapi")
        servers = [n for n in ("uvicorn", "hypercorn", "granian") if n in deps]
        if not servers and not ({"standard", "all"} & deps.get("fastapi", ("", frozenset()))[1]):
            missing.append("uvicorn")
        where = T(f"FastAPI app `{app.name}` at {app.path}:{app.line}",
                  f"app FastAPI `{app.name}` en {app.path}:{app.line}")
        more = len(s.fastapi_apps) - 1
        if more:
            where = where + T(f" (and {more} more)", f" (y {more} más)")
        if missing:
            names = " and ".join(missing)
            yield warned(where + T(f"; {names} not declared as a dependency",
                                   f"; {names.replace(' and ', ' y ')} no se declara como "
                                   "dependencia"), app.path, app.line,
                         fix=T(f"Declare {names} in pyproject.toml (e.g. an `api` extra).",
                               f"Declara {names.replace(' and ', ' y ')} en pyproject.toml "
                               "(p. ej. un extra `api`)."))
        else:
            yield passed(where + T("; fastapi and uvicorn declared",
                                   "; fastapi y uvicorn declarados"), app.path, app.line)
        return
    if s.fastapi_routes:
        route = s.fastapi_routes[0]
        yield warned(T(f"FastAPI routes found ({route.file}:{route.line}) but no FastAPI( "
                       "instance in this project",
                       f"hay rutas FastAPI ({route.file}:{route.line}) pero ninguna instancia "
                       "FastAPI( en este proyecto"), route.file, route.line)
        return
    known = [o for o in s.others if o[0] in MODEL_SERVERS]
    if known:
        yield _model_server(ctx, s, *known[0])
        return
    if s.others or s.model.apps:
        name, path, line = s.other_label() if s.others else (
            s.model.apps[0].framework, s.model.apps[0].path, s.model.apps[0].line)
        yield _web_framework(ctx, s, name, path, line)
        return
    if s.model.dashboards:
        name, (path, line) = sorted(s.model.dashboards.items())[0]
        yield failed(T(f"only a {name} dashboard ({path}:{line}): the guide expects an HTTP "
                       "API (FastAPI) with /health and /predict; phase 5 stays at level 0",
                       f"solo hay un dashboard {name} ({path}:{line}): la guía espera una "
                       "API HTTP (FastAPI) con /health y /predict; la fase 5 queda en nivel 0"),
                     path, line, fix=NO_SERVING_FIX)
        return
    endpoints = managed_endpoints(ctx)
    if endpoints:
        yield endpoint_pass(endpoints, T("model endpoint declared as code: ",
                                          "endpoint de modelo declarado como código: "),
                             T(", served by the platform's inference container",
                               ", servido por el contenedor de inferencia de la plataforma"))
        return
    yield failed(NO_SERVING, fix=NO_SERVING_FIX)


# request validation libraries a service written with another web framework may use in
# place of FastAPI's pydantic models (import prefix -> display name)
VALIDATION_LIBRARIES: dict[str, str] = {
    "pydantic": "pydantic", "marshmallow": "marshmallow", "flask_pydantic": "Flask-Pydantic",
    "webargs": "webargs", "flask_smorest": "flask-smorest", "flask_restx": "Flask-RESTX",
    "apiflask": "APIFlask", "rest_framework.serializers": "Django REST Framework serializers",
    "ninja": "Django Ninja", "jsonschema": "jsonschema", "cerberus": "Cerberus",
    "voluptuous": "voluptuous", "msgspec": "msgspec", "attrs": "attrs", "cattrs": "cattrs",
}


def _validation(s: Serving) -> tuple[str, str, int] | None:
    """The first request validation library the project's modules import: (name, file,
    line)."""
    for path, module in sorted(s.model.modules.items()):
        for qual, line in module.imports:
            for prefix, label in VALIDATION_LIBRARIES.items():
                if qual == prefix or qual.startswith(prefix + "."):
                    return label, path, line
    return None


def _route_text(route: Route) -> T:
    text = T(f"prediction route POST {route.path} at {route.file}:{route.line}",
             f"ruta de predicción POST {route.path} en {route.file}:{route.line}")
    call = None if is_inference_path(route) else inference_call(route)
    if call:
        text = text + T(f" (its handler {route.handler_name} calls {call})",
                        f" (su handler {route.handler_name} llama a {call})")
    return text


def _web_framework(ctx: Context, s: Serving, name: str, path: str, line: int) -> Finding:
    """API001 for a service written with another web framework (Flask, Django...): a
    well-known equivalent (levels.md §2) earns the credit when it serves a model, with
    FastAPI as advice; one that serves no model warns."""
    app = next((a for a in s.model.apps if a.framework.lower() == name.lower()), None)
    if app is not None:  # the app instance says more than the import
        path, line = app.path, app.line
    skipped_criteria = T("the FastAPI-specific criteria API004-API008 are not checked for "
                         "it", "los criterios específicos de FastAPI API004-API008 no se "
                         "comprueban para él")
    predicts = s.predict_routes(s.model.routes)
    model = model_used(ctx)
    if not predicts and model is None:
        return warned(T(
            f"{name} service found ({path}:{line}), but it has no prediction route and the "
            "project's modules load no model; the guide serves models with FastAPI (ADR-004) "
            "and ", f"se encontró un servicio {name} ({path}:{line}), pero no tiene ruta de "
            "predicción y los módulos del proyecto no cargan ningún modelo; la guía sirve "
            "modelos con FastAPI (ADR-004) y ") + skipped_criteria, path, line,
            fix=T("Serve the model through this service (a POST /predict route), or with "
                  "FastAPI for typed schemas, OpenAPI docs and async serving.",
                  "Sirve el modelo con este servicio (una ruta POST /predict), o con FastAPI "
                  "(esquemas tipados, OpenAPI, servicio asíncrono)."))
    serves = _route_text(predicts[0]) if predicts else T(
        f"the model is used at {model.where}", f"el modelo se usa en {model.where}") \
        if model is not None else T("", "")
    validation = _validation(s)
    if validation is not None:
        checked = T(f"; requests can be validated with {validation[0]} (imported at "
                    f"{validation[1]}:{validation[2]})", f"; las peticiones pueden validarse "
                    f"con {validation[0]} (importado en {validation[1]}:{validation[2]})")
        advice = T("FastAPI would add OpenAPI docs generated from the same schemas and async "
                   "serving.", "FastAPI añadiría documentación OpenAPI generada de los mismos "
                   "esquemas y servicio asíncrono.")
    else:
        checked = T("; no request validation library (pydantic, marshmallow, webargs...) is "
                    "imported", "; no se importa ninguna librería de validación de peticiones "
                    "(pydantic, marshmallow, webargs...)")
        advice = T("Validate requests with typed schemas: FastAPI with pydantic models gives "
                   "them, plus OpenAPI docs and async serving.",
                   "Valida las peticiones con esquemas tipados: FastAPI con modelos pydantic "
                   "los da, además de documentación OpenAPI y servicio asíncrono.")
    return Finding(Status.PASS, T(f"{name} service ({path}:{line}) serving a model: ",
                                  f"servicio {name} ({path}:{line}) que sirve un modelo: ")
                   + serves + checked + T("; credited as the serving app, a well-known "
                                          "equivalent of the guide's FastAPI; ",
                                          "; acreditado como app de servicio, un equivalente "
                                          "conocido del FastAPI de la guía; ")
                   + skipped_criteria, path, line, fix=advice)


INFERENCE_SCHEMA = ("inference_schema.schema_decorators.input_schema",
                    "inference_schema.schema_decorators.output_schema")


def _typed_schemas(s: Serving, path: str) -> bool:
    """A scoring script that declares ``inference_schema`` input/output schemas."""
    module = s.model.modules.get(path)
    if module is None:
        return False
    return any(imported_from(s.model.qualname(module, d.func if isinstance(d, ast.Call) else d),
                     INFERENCE_SCHEMA) for f in module.functions() for d in f.decorator_list)


def _model_server(ctx: Context, s: Serving, label: str, path: str, line: int) -> Finding:
    """API001 for a well-known model server or scoring script: full credit."""
    site = None if label in SCORING_LABELS else server_site(s, label)
    where = f"{site[2]} at {site[0]}:{site[1]}" if site else f"{path}:{line}"
    if site:
        path, line = site[0], site[1]
    host = None if label in SCORING_LABELS else host_package(ctx, label)
    if host is not None:
        directory, app = host
        served = T(f" (its app at {app[0]}:{app[1]})", f" (su app en {app[0]}:{app[1]})") \
            if app else T("", "")
        return passed(T(f"{label} runtime ({where}): part of the {label} server this "
                        f"repository also contains ({directory}/)",
                        f"runtime de {label} ({where}): parte del servidor {label} que este "
                        f"repositorio también contiene ({directory}/)") + served +
                      T(", not a separate serving app", ", no una app de servicio aparte"),
                      path, line)
    schemas = T("", "")
    if label in SCORING_LABELS and _typed_schemas(s, path):
        schemas = T(" with typed schemas (inference_schema @input_schema/@output_schema)",
                    " con esquemas tipados (inference_schema @input_schema/@output_schema)")
    kind = T("a scoring script the platform serves", "un script de scoring que sirve la "
             "plataforma") if label in SCORING_LABELS else T("a well-known model server",
                                                              "un servidor de modelos conocido")
    return passed(T(f"{label} ({where})", f"{label} ({where})") + schemas + T(": ", ": ") +
                  kind + T(", credited as the serving app (the guide serves with FastAPI; its "
                           "FastAPI-specific criteria API004-API008 are not checked for it)",
                           ", acreditado como app de servicio (la guía sirve con FastAPI; sus "
                           "criterios específicos de FastAPI, API004-API008, no se comprueban "
                           "para él)"), path, line)
