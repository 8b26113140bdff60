"""Phase 5 checks: the serving API (FastAPI), the dashboard, deployment and safe loading.

Everything is static: the project's Python files are read into the serving model of
:mod:`mlops_lint.parsers.fastapi_app` (apps, routers, composed route paths, handlers,
hooks); deployment descriptors are read with the YAML/TOML/JSON parsers.

With no serving code at all API001 fails ("no serving layer": phase 5 is then level 0)
and the other API rules say so too, pointing at API001 (``see``), so a run of the whole
catalog reports the absence once and lists them as skipped. A Flask (or other framework)
service is recognised: its routes still count for ``/health`` and ``/predict``, while the
criteria written for FastAPI specifics (schemas, HTTPException, lifespan, OpenAPI/CORS,
production features) are skipped with that reason.
"""

from __future__ import annotations

import ast
import configparser
import csv
import io
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from pydantic import Field

from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T, failed, manual, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import CI_NAMES, Command, Workflow, ci_commands, workflows
from mlops_lint.parsers.dockerfile import Dockerfile, dockerfiles, own_paths
from mlops_lint.parsers.fastapi_app import (
    FRAMEWORKS,
    SCORING_SCRIPTS,
    Endpoint,
    FunctionNode,
    Hook,
    Module,
    Route,
    ServingModel,
    serving_model,
)
from mlops_lint.parsers.kubernetes import (
    HELM_TEMPLATE,
    TEMPLATE,
    read_manifests,
)
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.markdown import parse_markdown
from mlops_lint.parsers.python_source import call_arg, is_test_path, literal
from mlops_lint.parsers.terraform import terraform_files
from mlops_lint.readers.adr import ALL_GLOBS as ADR_ALL_GLOBS
from mlops_lint.readers.adr import RECORD_GLOBS, is_record
from mlops_lint.readers.adr import SEARCHED as ADR_SEARCHED
from mlops_lint.readers.deployment import DEPLOY_COMMAND, deployment, in_docs
from mlops_lint.readers.project_files import as_dict, as_list, shared_files
from mlops_lint.readers.serving import (
    Caller,
    Serving,
    Site,
    call_name,
    is_cached,
    is_inference_path,
    reach,
    route_calls,
    route_entry,
    serving,
)
from mlops_lint.readers.training import model_used
from mlops_lint.readers.unread import manifests_noted, noted, reports_unread
from mlops_lint.rules import Params, check

HEALTH_SEGMENTS = frozenset({"health", "healthz", "_healthz", "ready", "readyz", "livez", "live"})
INFERENCE_METHODS = frozenset({"predict", "predict_proba", "predict_log_proba",
                               "decision_function"})
MODEL_LOADERS = frozenset({
    "joblib.load", "pickle.load", "pickle.loads", "cloudpickle.load", "dill.load",
    "torch.load", "torch.jit.load", "onnxruntime.InferenceSession", "skops.io.load",
    "tensorflow.keras.models.load_model", "keras.models.load_model", "keras.saving.load_model",
    "tensorflow.saved_model.load", "xgboost.Booster", "lightgbm.Booster",
})
UNSAFE_PICKLE = frozenset({
    "pickle.load", "pickle.loads", "cPickle.load", "cPickle.loads", "_pickle.load",
    "_pickle.loads", "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads",
})
SAFE_YAML_LOADERS = ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")
HTTP_EXCEPTIONS = ("fastapi.HTTPException", "fastapi.exceptions.HTTPException",
                   "starlette.exceptions.HTTPException")
RAW_BODY_TYPES = frozenset({"dict", "Dict", "typing.Dict", "Any", "typing.Any", "object",
                            "fastapi.Request", "starlette.requests.Request", "Request",
                            "list", "List", "typing.List", "bytes", "str"})
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


NO_SERVING = T(
    "no serving code: no FastAPI( app (nor any other web framework) in this project, so "
    "phase 5 stays at level 0 (no serving layer)",
    "sin código de servicio: no hay una app FastAPI( (ni otro framework web) en este "
    "proyecto; la fase 5 queda en nivel 0 (sin capa de servicio)")
NO_SERVING_FIX = T(
    "Add a FastAPI service (e.g. app/main.py or src/<pkg>/api/main.py) with GET /health and "
    "POST /predict, and declare fastapi and uvicorn.",
    "Añade un servicio FastAPI (p. ej. app/main.py o src/<pkg>/api/main.py) con GET /health "
    "y POST /predict, y declara fastapi y uvicorn.")


# -- the serving layer of a project ----------------------------------------------------


@dataclass(frozen=True)
class ManagedEndpoint:
    """A model endpoint a platform serves, declared as code (Terraform, CloudFormation,
    an Azure ML endpoint YAML, a KServe/Seldon/Ray Serve resource)."""

    platform: str
    what: str  # the resource (address, kind and name)
    path: str
    line: int | None
    health: str  # the platform's health route or probes
    infer: str  # the platform's inference route

    @property
    def label(self) -> str:
        return f"{self.platform} {self.what} ({self.path}" + (
            f":{self.line})" if self.line else ")")


# Terraform resource -> (platform, how its health is checked, its inference route)
ENDPOINT_RESOURCES = {
    "aws_sagemaker_endpoint": ("SageMaker endpoint", "the platform probes the container's "
                               "GET /ping", "POST /invocations"),
    "google_vertex_ai_endpoint": ("Vertex AI endpoint", "the platform probes the container's "
                                  "health route (AIP_HEALTH_ROUTE)",
                                  "POST :predict (AIP_PREDICT_ROUTE)"),
}
ENDPOINT_KINDS = {
    "InferenceService": ("KServe", "the platform probes GET /v2/health/live and "
                         "/v2/health/ready (or the V1 model route)",
                         "POST /v2/models/{name}/infer (or V1 :predict)"),
    "SeldonDeployment": ("Seldon Core", "the platform sets the container's readiness and "
                         "liveness probes", "POST /api/v1.0/predictions"),
    "RayService": ("Ray Serve", "the platform probes GET /-/healthz",
                   "the deployment's HTTP route"),
}
AZURE_ONLINE = re.compile(r"(managed|kubernetes)OnlineEndpoint\.schema\.json|"
                          r"Microsoft\.MachineLearningServices/workspaces/onlineEndpoints",
                          re.IGNORECASE)
SAGEMAKER_CFN = re.compile(r"AWS::SageMaker::Endpoint\b")


def managed_endpoints(ctx: Context) -> list[ManagedEndpoint]:
    """The project's model endpoints declared as code (levels.md §2: SageMaker endpoints
    and the like serve the model; the platform provides the health and inference routes);
    computed once per project for the run."""
    key = f"serving:endpoints:{ctx.project.path}:{len(ctx.project.files)}"
    cached = ctx.repo.memo.get(key)
    if cached is None:
        cached = ctx.repo.memo[key] = _managed_endpoints(ctx)
    result: list[ManagedEndpoint] = cached
    return result


def _managed_endpoints(ctx: Context) -> list[ManagedEndpoint]:
    # the project's own files (a repository-wide rule: every file); examples in the
    # documentation are not endpoints of the project
    own = {f for f in ctx.project.files if not in_docs(f)}
    found: list[ManagedEndpoint] = []
    for tf in terraform_files(ctx.repo):
        if isinstance(tf, ParseError) or tf.path not in own:
            continue
        for block in tf.of("resource"):
            spec = ENDPOINT_RESOURCES.get(block.labels[0] if block.labels else "")
            if spec is not None:
                found.append(ManagedEndpoint(spec[0], block.address, tf.path, block.line,
                                             spec[1], spec[2]))
    for obj in read_manifests(ctx.repo).objects:
        kind = ENDPOINT_KINDS.get(obj.kind)
        if kind is not None and obj.path in own:
            found.append(ManagedEndpoint(kind[0], obj.label, obj.path, obj.line, kind[1],
                                         kind[2]))
    for path in sorted(own):
        if not path.endswith((".yml", ".yaml", ".json", ".bicep", ".template")):
            continue
        text = ctx.repo.text(path)
        if not isinstance(text, str):
            continue
        head = text[:MAX_KIND_SCAN]
        if "nlineEndpoint" not in head and "AWS::SageMaker::Endpoint" not in head:
            continue  # the cheap test first: most YAML files are neither
        if AZURE_ONLINE.search(head):
            found.append(ManagedEndpoint("Azure ML online endpoint", "", path, None,
                                         "the platform probes the deployment's liveness and "
                                         "readiness routes", "POST /score"))
        elif SAGEMAKER_CFN.search(head):
            found.append(ManagedEndpoint("SageMaker endpoint", "AWS::SageMaker::Endpoint",
                                         path, None, ENDPOINT_RESOURCES[
                                             "aws_sagemaker_endpoint"][1], "POST /invocations"))
    return found


def _no_code(s: Serving) -> bool:
    return not (s.has_fastapi or s.others or s.model.apps)


def _require(ctx: Context, fastapi_only: bool) -> tuple[Serving, Finding | None]:
    """The serving layer, or the finding to give when it is missing or not FastAPI."""
    s = serving(ctx)
    if s.has_fastapi:
        return s, None
    if _no_code(s) and fastapi_only and (endpoints := managed_endpoints(ctx)):
        return s, skipped(T(
            f"served by a managed endpoint, {endpoints[0].label}; this criterion is written "
            "for FastAPI code (the guide's serving framework), so it is not checked",
            f"lo sirve un endpoint gestionado, {endpoints[0].label}; este criterio está "
            "escrito para código FastAPI (el framework de la guía), así que no se comprueba"),
            endpoints[0].path)
    if s.others or s.model.apps:
        if not fastapi_only:
            return s, None
        name, path, line = s.other_label() if s.others else (
            s.model.apps[0].framework, s.model.apps[0].path, s.model.apps[0].line)
        return s, skipped(T(
            f"{name} service found ({path}:{line}); this criterion is written for FastAPI "
            "(the guide's serving framework), so it is not checked",
            f"se encontró un servicio {name} ({path}:{line}); este criterio está escrito "
            "para FastAPI (el framework de la guía), así que no se comprueba"), path)
    return s, failed(NO_SERVING, fix=NO_SERVING_FIX, see="API001")


def _main_app(s: Serving) -> Endpoint:
    """The FastAPI app with the most routes (a metrics side app is not the service)."""
    routes = s.fastapi_routes
    return min(s.fastapi_apps, key=lambda a: (-sum(1 for r in routes if r.file == a.path),
                                              a.path, a.line))


def _where(s: Serving) -> tuple[str | None, int | None]:
    apps = s.fastapi_apps or s.model.apps
    if apps:
        return apps[0].path, apps[0].line
    if s.model.routes:
        return s.model.routes[0].file, s.model.routes[0].line
    return None, None


def is_loader(qual: str) -> bool:
    last = qual.rsplit(".", 1)[-1]
    return (qual in MODEL_LOADERS or last in ("load_model", "from_pretrained")
            or (qual.startswith("mlflow.") and last.startswith("load")))


def _is_inference(qual: str) -> bool:
    return qual.rsplit(".", 1)[-1] in INFERENCE_METHODS and "." in qual


def _loc(site: Site) -> str:
    return f"{site.module.path}:{site.call.lineno}"


# -- declared dependencies -------------------------------------------------------------

_REQ_NAME = re.compile(r"^\s*([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?")


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _requirement(text: str) -> tuple[str, frozenset[str]] | None:
    match = _REQ_NAME.match(text)
    if not match or text.lstrip().startswith(("-", "#")):
        return None
    extras = frozenset(e.strip().lower() for e in (match.group(2) or "").strip("[]").split(",")
                       if e.strip())
    return _norm(match.group(1)), extras


def declared_packages(ctx: Context) -> dict[str, tuple[str, frozenset[str]]]:
    """Packages the project declares anywhere: name → (file, extras)."""
    found: dict[str, tuple[str, frozenset[str]]] = {}

    def add(spec: object, path: str) -> None:
        if isinstance(spec, str):
            parsed = _requirement(spec)
            if parsed is not None:
                found.setdefault(parsed[0], (path, parsed[1]))

    pyproject = ctx.first("pyproject.toml")
    if pyproject is not None:
        doc = noted(ctx.repo.toml(pyproject))
        if isinstance(doc, dict):
            project = as_dict(doc.get("project"))
            for spec in as_list(project.get("dependencies")):
                add(spec, pyproject)
            groups = [*as_dict(project.get("optional-dependencies")).values(),
                      *as_dict(doc.get("dependency-groups")).values()]
            for group in groups:
                for spec in as_list(group):
                    add(spec, pyproject)
            poetry = as_dict(as_dict(doc.get("tool")).get("poetry"))
            tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
            tables += [as_dict(g).get("dependencies")
                       for g in as_dict(poetry.get("group")).values()]
            for table in tables:
                for name, value in as_dict(table).items():
                    extras = as_list(as_dict(value).get("extras"))
                    found.setdefault(_norm(name), (pyproject, frozenset(
                        str(e).lower() for e in extras)))
    for path in ctx.files(["requirements*.txt", "requirements*.in", "requirements/*.txt",
                           "requirements/*.in"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str):
            for line in text.splitlines():
                add(line.split("#", 1)[0], path)
    for path in ctx.files(["environment*.yml", "environment*.yaml"]):
        env = noted(ctx.repo.yaml(path))
        deps = env.get("dependencies") if isinstance(env, dict) else None
        for item in deps if isinstance(deps, list) else []:
            if isinstance(item, dict):
                for spec in as_list(item.get("pip")):
                    add(spec, path)
            elif isinstance(item, str):
                add(item.split("=")[0], path)
    setup_cfg = ctx.first("setup.cfg")
    if setup_cfg is not None:
        text = noted(ctx.repo.text(setup_cfg))
        parser = configparser.ConfigParser()
        try:
            if isinstance(text, str):
                parser.read_string(text)
                for line in parser.get("options", "install_requires", fallback="").splitlines():
                    add(line, setup_cfg)
        except configparser.Error:
            pass
    return found


# -- API001 ----------------------------------------------------------------------------


@check("serving_app")
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
        yield _endpoint_pass(endpoints, T("model endpoint declared as code: ",
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
    serves = T(f"prediction route POST {predicts[0].path} at {predicts[0].file}:"
               f"{predicts[0].line}", f"ruta de predicción POST {predicts[0].path} en "
               f"{predicts[0].file}:{predicts[0].line}") if predicts else T(
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


def _endpoint_pass(endpoints: list[ManagedEndpoint], head: T, tail: T) -> Finding:
    first = endpoints[0]
    more = T(f" (and {len(endpoints) - 1} more)", f" (y {len(endpoints) - 1} más)") \
        if len(endpoints) > 1 else T("", "")
    return passed(head + T.same(first.label) + tail + more, first.path, first.line)


# well-known model servers and the scoring scripts a platform calls (levels.md §2: they
# earn the credit; the guide's FastAPI is advice): display names of fastapi_app.FRAMEWORKS
# and SCORING_SCRIPTS
SCORING_LABELS = frozenset(SCORING_SCRIPTS)
MODEL_SERVERS = frozenset({"BentoML", "Ray Serve", "LitServe", "MLServer", "KServe",
                           "TorchServe", "Seldon Core", "SageMaker inference toolkit",
                           "Azure ML"}) | SCORING_LABELS
# calls that start a server or declare a service (last name component)
SERVER_CALLS = frozenset({"Service", "ModelServer", "KFServer", "LitServer", "MLServer",
                          "start_model_server", "run", "serve", "deployment"})
# base classes of the model a server loads (MLServer, KServe, LitServe, Seldon, SageMaker)
SERVER_BASES = frozenset({"MLModel", "Model", "KFModel", "LitAPI", "SeldonComponent",
                          "DefaultInferenceHandler", "DefaultHandlerService"})
INFERENCE_SCHEMA = ("inference_schema.schema_decorators.input_schema",
                    "inference_schema.schema_decorators.output_schema")


def _prefixes(label: str) -> tuple[str, ...]:
    return tuple(prefix for prefix, name in FRAMEWORKS.items() if name == label)


def _from(qual: str | None, prefixes: tuple[str, ...]) -> bool:
    return bool(qual) and any(qual == p or str(qual).startswith(p + ".") for p in prefixes)


def server_site(s: Serving, label: str) -> tuple[str, int, str] | None:
    """Where a model server is declared, not imported: a class built on the framework
    (``class M(MLModel)``, ``class H(BaseHandler)``, ``class A(ls.LitAPI)``), a class or
    function it decorates (``@bentoml.service``, ``@serve.deployment``), or a call that
    starts or declares the server (``bentoml.Service(``, ``kserve.ModelServer(``):
    (file, line, what)."""
    prefixes = _prefixes(label)
    if not prefixes:
        return None
    built: tuple[str, int, str] | None = None
    decorated: tuple[str, int, str] | None = None
    called: tuple[str, int, str] | None = None
    for path, module in sorted(s.model.modules.items()):
        if not any(_from(i, prefixes) for i, _ in module.imports):
            continue
        for node in module.nodes(ast.ClassDef):
            base = next((q for b in node.bases if _from(q := s.model.qualname(module, b),
                                                         prefixes)), None)
            if base is None:
                continue
            site = (path, node.lineno, f"class {node.name}({base.rsplit('.', 1)[-1]})")
            if base.rsplit(".", 1)[-1] in SERVER_BASES or base.startswith("ts.torch_handler."):
                return site  # the model class the server loads
            built = built or site  # a codec, a helper: a class of the framework all the same
        for func in [*module.nodes(ast.ClassDef), *module.functions()]:
            for deco in func.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                qual = s.model.qualname(module, target)
                if decorated is None and _from(qual, prefixes):
                    decorated = (path, func.lineno,
                                 f"@{str(qual).rsplit('.', 1)[-1]} {func.name}")
        for qual, call in module.calls():
            if called is None and _from(qual, prefixes) and \
                    qual.rsplit(".", 1)[-1] in SERVER_CALLS:
                called = (path, call.lineno, f"{qual.rsplit('.', 1)[-1]}(")
    return decorated or called or built


def _typed_schemas(s: Serving, path: str) -> bool:
    """A scoring script that declares ``inference_schema`` input/output schemas."""
    module = s.model.modules.get(path)
    if module is None:
        return False
    return any(_from(s.model.qualname(module, d.func if isinstance(d, ast.Call) else d),
                     INFERENCE_SCHEMA) for f in module.functions() for d in f.decorator_list)


def host_package(ctx: Context, label: str) -> tuple[str, tuple[str, int] | None] | None:
    """The framework's own package when the repository contains it outside this project
    (a runtime or plugin of a serving framework developed in the same repository): its
    directory and its app instantiation (file, line), if one is found."""
    if ctx.is_root:
        return None  # a package of the root project is the project itself
    own = ctx.project.path + "/"
    for top in sorted({p.split(".", 1)[0] for p in _prefixes(label)}):
        for init in ctx.repo.glob([f"{top}/__init__.py", f"**/{top}/__init__.py"]):
            directory = init.rsplit("/", 1)[0]
            if (directory + "/").startswith(own) or is_test_path(init) or in_docs(init):
                continue
            model = serving_model(ctx.repo, ctx.repo.glob([f"{directory}/**/*.py"]))
            apps = sorted(model.apps, key=lambda a: (
                -sum(1 for r in model.routes if r.file == a.path), a.path, a.line))
            return directory, ((apps[0].path, apps[0].line) if apps else None)
    return None


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


# -- API002 / API003 -------------------------------------------------------------------


def _routes_or_finding(ctx: Context) -> tuple[Serving, list[Route], Finding | None]:
    s, early = _require(ctx, fastapi_only=False)
    if early is not None:
        return s, [], early
    routes = s.fastapi_routes if s.has_fastapi else s.model.routes
    servers = [o for o in s.others if o[0] in MODEL_SERVERS and o[0] not in SCORING_LABELS]
    if not routes and not s.has_fastapi and servers:
        name, path, line = servers[0]
        site = server_site(s, name)
        if site is not None:
            path, line = site[0], site[1]
        host = host_package(ctx, name)
        if host is not None:
            directory, app = host
            served = T(f" ({app[0]}:{app[1]})", f" ({app[0]}:{app[1]})") if app else \
                T("", "")
            return s, [], skipped(T(
                f"{name} runtime ({path}:{line}): its routes are those of the {name} server "
                f"this repository also contains ({directory}/){served.en}, checked with it",
                f"runtime de {name} ({path}:{line}): sus rutas son las del servidor {name} que "
                f"este repositorio también contiene ({directory}/){served.es}, revisadas con "
                "él"), path)
        return s, [], skipped(T(
            f"{name} model server ({path}:{line}): its routes are the server's protocol "
            "routes, not declared in the project's code, so they are not read",
            f"servidor de modelos {name} ({path}:{line}): sus rutas son las del protocolo del "
            "servidor, no se declaran en el código del proyecto, así que no se leen"), path)
    if not routes and not s.has_fastapi:
        name, path, line = s.other_label() if s.others else (
            s.model.apps[0].framework, s.model.apps[0].path, s.model.apps[0].line)
        return s, [], skipped(T(
            f"{name} service found ({path}:{line}) but its routes are not read statically "
            "(the API rules are written for FastAPI)",
            f"se encontró un servicio {name} ({path}:{line}) pero sus rutas no se leen "
            "estáticamente (las reglas de API están escritas para FastAPI)"), path)
    return s, routes, None


_HEALTH_WORDS = re.compile(r"health|liveness|readiness|\balive\b|heartbeat|\bping\b",
                           re.IGNORECASE)


def documented_health(route: Route) -> T | None:
    """How a ``GET /`` route documents itself as the health check (its handler's name,
    docstring, or the route's summary/description/name/tags), or ``None``."""
    if route.segments or not route.allows("GET"):
        return None
    if _HEALTH_WORDS.search(route.handler_name.replace("_", " ")):
        return T(f"handler `{route.handler_name}`", f"handler `{route.handler_name}`")
    doc = ast.get_docstring(route.handler) if route.handler is not None else None
    if doc and _HEALTH_WORDS.search(doc.split("\n\n", 1)[0][:300]):
        return T(f"docstring of `{route.handler_name}`",
                 f"docstring de `{route.handler_name}`")
    for key in ("summary", "description", "name", "tags", "endpoint"):
        value = call_arg(route.call, key) if route.call is not None else None
        if value is not None and _HEALTH_WORDS.search(ast.unparse(value)[:300]):
            return T(f"{key}= of the route", f"{key}= de la ruta")
    return None


@check("api_health_route")
def api_health_route(ctx: Context, params: None) -> Iterator[Finding]:
    """API002: a GET health route whose handler does no model loading or inference; a
    ``GET /`` documented as the health check counts; a managed endpoint declared as code
    has the platform's health route."""
    if _no_code(serving(ctx)) and (endpoints := managed_endpoints(ctx)):
        yield _endpoint_pass(endpoints, T("", ""), T(f": {endpoints[0].health}",
                                                      f": {endpoints[0].health}"))
        return
    s, routes, early = _routes_or_finding(ctx)
    if early is not None:
        yield early
        return
    health = [r for r in routes if set(r.segments) & HEALTH_SEGMENTS]
    documented: dict[int, T] = {}
    if not health:
        for route in routes:
            why = documented_health(route)
            if why:
                documented[id(route)] = why
                health.append(route)
    if not health:
        path, line = _where(s)
        yield failed(T("no health route: expected GET /health (or /healthz, /ready, /livez, "
                       "also under a prefix such as /api/v1/health)",
                       "no hay ruta de salud: se espera GET /health (o /healthz, /ready, "
                       "/livez, también bajo un prefijo como /api/v1/health)"), path, line)
        return
    for route in health:
        if not route.allows("GET"):
            yield failed(T(f"{route.path} answers {', '.join(route.methods)}, not GET",
                           f"{route.path} responde a {', '.join(route.methods)}, no a GET"),
                         route.file, route.line)
            continue
        heavy = [site for site in route_calls(s, route, depth=2)
                 if is_loader(site.qual) or _is_inference(site.qual)]
        if heavy:
            site = heavy[0]
            yield failed(T(
                f"GET {route.path} handler `{route.handler_name}` loads or runs the model "
                f"({site.qual.lstrip('.')} at {_loc(site)}): health checks must stay cheap",
                f"el handler `{route.handler_name}` de GET {route.path} carga o ejecuta el "
                f"modelo ({site.qual.lstrip('.')} en {_loc(site)}): el health check debe ser "
                "ligero"), route.file, route.line,
                fix=T("Return a static status (and whether the model is loaded) without "
                      "loading it or predicting.",
                      "Devuelve un estado estático (y si el modelo está cargado) sin cargarlo "
                      "ni predecir."))
        elif id(route) in documented:
            yield passed(T(f"GET {route.path} ({route.framework}) is documented as the health "
                           "check (", f"GET {route.path} ({route.framework}) está documentada "
                           "como health check (") + documented[id(route)] + T.same(")"),
                         route.file, route.line)
        else:
            yield passed(T(f"GET {route.path} ({route.framework})",
                           f"GET {route.path} ({route.framework})"), route.file, route.line)


@check("api_predict_route")
def api_predict_route(ctx: Context, params: None) -> Iterator[Finding]:
    """API003: a POST route whose path contains ``predict`` (or a serving protocol's
    inference segment: ``/v2/models/{name}/infer``, ``/invocations``, ``/score``); a
    managed endpoint declared as code has the platform's inference route."""
    if _no_code(serving(ctx)) and (endpoints := managed_endpoints(ctx)):
        yield _endpoint_pass(endpoints, T("", ""), T(
            f": the platform's inference route, {endpoints[0].infer}",
            f": la ruta de inferencia de la plataforma, {endpoints[0].infer}"))
        return
    s, routes, early = _routes_or_finding(ctx)
    if early is not None:
        yield early
        return
    predict = s.predict_routes(routes)
    if predict:
        route = predict[0]
        more = T(f" (and {len(predict) - 1} more)", f" (y {len(predict) - 1} más)") \
            if len(predict) > 1 else T("", "")
        yield passed(T(f"POST {route.path}", f"POST {route.path}") + more, route.file,
                     route.line)
        return
    get_only = [r for r in routes if is_inference_path(r)]
    if get_only:
        route = get_only[0]
        yield failed(T(f"{route.path} answers {', '.join(route.methods)}, not POST: "
                       "predictions take a JSON body",
                       f"{route.path} responde a {', '.join(route.methods)}, no a POST: las "
                       "predicciones reciben un cuerpo JSON"), route.file, route.line)
        return
    path, line = _where(s)
    yield failed(T("no prediction route: expected POST /predict (or /api/v1/predict)",
                   "no hay ruta de predicción: se espera POST /predict (o /api/v1/predict)"),
                 path, line)


# -- API004 ----------------------------------------------------------------------------


def _annotation_names(model: ServingModel, module: Module, expr: ast.expr) -> set[str]:
    names: set[str] = set()
    for node in ast.walk(expr):
        if isinstance(node, ast.Name | ast.Attribute):
            qual = model.qualname(module, node) or ""
            names.add(qual)
            names.add(qual.rsplit(".", 1)[-1])
    return names


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
            name = stmt.target.id
            names = _annotation_names(model, module, stmt.annotation)
            hit = bool(names & CONSTRAINED_TYPES)
            for node in ast.walk(stmt):
                if isinstance(node, ast.Call) and any(
                        kw.arg in CONSTRAINT_KEYWORDS for kw in node.keywords):
                    hit = True
            if not hit:
                for node in ast.walk(stmt.annotation):
                    if isinstance(node, ast.Name | ast.Attribute):
                        found = model.class_def(module, node)
                        if found is not None and model.is_subclass_of(
                                *found, ("enum.Enum", "enum.IntEnum", "enum.StrEnum")):
                            hit = True
            if hit:
                out.append(name)
            for sub_module, sub in model.model_classes(module, stmt.annotation):
                out.extend(f"{name}.{f}" for f in constrained_fields(
                    model, sub_module, sub, depth + 1, seen))
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


@check("api_schemas")
def api_schemas(ctx: Context, params: None) -> Iterator[Finding]:
    """API004: the predict route takes and returns Pydantic models with constrained fields."""
    s, early = _require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    predict = s.predict_routes(s.fastapi_routes)
    if not predict:
        path, line = _where(s)
        yield failed(T("no POST predict route to check (see API003)",
                       "no hay ruta POST de predicción que comprobar (ver API003)"), path, line)
        return
    for route in predict:
        yield _schema_finding(s, route)


def _schema_finding(s: Serving, route: Route) -> Finding:
    module = s.model.module(route.handler_path)
    assert module is not None
    if route.handler is None:
        return warned(T(f"POST {route.path}: its handler `{route.handler_name}` is not "
                        "resolved statically, so its schemas cannot be checked",
                        f"POST {route.path}: su handler `{route.handler_name}` no se resuelve "
                        "estáticamente, así que no se pueden comprobar sus esquemas"),
                      route.file, route.line)
    body = [p for p in s.model.params(route)
            if p.marker not in NON_BODY_MARKERS and not p.in_path]
    typed: list[tuple[str, Module, ast.ClassDef]] = []
    raw: list[str] = []
    upload = False
    for param in body:
        classes = s.model.model_classes(module, param.annotation)
        if classes:
            typed.extend((param.name, m, c) for m, c in classes)
            continue
        annotated = (_annotation_names(s.model, module, param.annotation)
                     if param.annotation is not None else set())
        if annotated & UPLOAD_TYPES or param.marker in ("File", "Form"):
            upload = True
        elif param.annotation is None:
            raw.append(f"`{param.name}` (no annotation)")
        elif annotated & (RAW_BODY_TYPES - SCALAR_TYPES) or param.marker == "Body":
            raw.append(f"`{param.name}: {ast.unparse(param.annotation)}`")
    responses = _response_models(s, route)
    problems: list[T] = []
    if not typed:
        if upload:
            problems.append(T("the body is a multipart upload, not a Pydantic model",
                              "el cuerpo es una subida multipart, no un modelo Pydantic"))
        elif raw:
            problems.append(T(f"the body is {', '.join(raw)} instead of a Pydantic model",
                              f"el cuerpo es {', '.join(raw)} en lugar de un modelo Pydantic"))
        else:
            problems.append(T("no body parameter with a Pydantic model (raw request?)",
                              "ningún parámetro de cuerpo con un modelo Pydantic (¿request "
                              "crudo?)"))
    constrained: list[str] = []
    for _, cls_module, cls in typed:
        constrained.extend(constrained_fields(s.model, cls_module, cls))
    if typed and not constrained:
        names = ", ".join(sorted({c.name for _, _, c in typed}))
        problems.append(T(f"{names} has no constrained field (Field(ge=/le=), Literal, "
                          "conint, validators)",
                          f"{names} no tiene campos restringidos (Field(ge=/le=), Literal, "
                          "conint, validadores)"))
    if not responses:
        problems.append(T("no response_model= nor a Pydantic return annotation",
                          "sin response_model= ni anotación de retorno Pydantic"))
    head = T(f"POST {route.path} (`{route.handler_name}`): ",
             f"POST {route.path} (`{route.handler_name}`): ")
    if problems:
        if upload and len(problems) == 1:
            return warned(head + problems[0], route.file, route.line)
        return failed(head + T.join(problems), route.file, route.line)
    names = ", ".join(sorted({c.name for _, _, c in typed}))
    shown = ", ".join(constrained[:4]) + ("…" if len(constrained) > 4 else "")
    return passed(head + T(f"body {names} (constrained: {shown}), response "
                           f"{', '.join(responses)}",
                           f"cuerpo {names} (restringidos: {shown}), respuesta "
                           f"{', '.join(responses)}"), route.file, route.line)


# -- API005 ----------------------------------------------------------------------------


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


@check("api_error_handling")
def api_error_handling(ctx: Context, params: None) -> Iterator[Finding]:
    """API005: HTTPException with 4xx/5xx codes or exception handlers; inference guarded."""
    s, early = _require(ctx, fastapi_only=True)
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
    path, line = _where(s)
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


# -- API006 ----------------------------------------------------------------------------


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


@check("api_model_lifecycle")
def api_model_lifecycle(ctx: Context, params: None) -> Iterator[Finding]:
    """API006: the model is loaded once (lifespan/startup/cached dependency), path configured."""
    s, early = _require(ctx, fastapi_only=True)
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
        path, line = _where(s)
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


# -- API007 ----------------------------------------------------------------------------


def _kw(call: ast.Call, name: str) -> ast.expr | None:
    for kw in call.keywords:
        if kw.arg == name:
            return kw.value
    return None


def _cors(s: Serving) -> list[Hook]:
    out = []
    for hook in s.model.hooks_of("middleware"):
        module = s.model.module(hook.path)
        if module is None or hook.target is None:
            continue
        if (s.model.qualname(module, hook.target) or "").endswith("CORSMiddleware"):
            out.append(hook)
    return out


def _origins_wildcard(s: Serving, hook: Hook) -> bool | None:
    """True when allow_origins is ["*"] (or a wildcard regex); None when not given."""
    module = s.model.module(hook.path)
    if hook.call is None or module is None:
        return None
    regex = s.model.const_str(module, _kw(hook.call, "allow_origin_regex"))
    if regex is not None and regex.strip() in (".*", ".+", "^.*$", "*"):
        return True
    node = _kw(hook.call, "allow_origins")
    if node is None:
        return None if regex is None else False
    if isinstance(node, ast.Name):
        found = s.model.symbol(module, node)
        if found is not None and isinstance(found[2], ast.expr):
            module, node = found[0], found[2]
    if isinstance(node, ast.List | ast.Tuple | ast.Set):
        return any(s.model.const_str(module, e) == "*" for e in node.elts)
    return s.model.const_str(module, node) == "*"


@check("api_docs_cors")
def api_docs_cors(ctx: Context, params: None) -> Iterator[Finding]:
    """API007: OpenAPI docs on, title/version set, CORS added (L2); origins restricted (L3)."""
    s, early = _require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    cors = _cors(s)
    if not s.fastapi_apps:
        path, line = _where(s)
        yield failed(T("no FastAPI( instance to check", "no hay instancia FastAPI( que revisar"),
                     path, line)
        return
    for app in s.fastapi_apps:
        problems: list[T] = []
        for key in ("docs_url", "openapi_url"):
            value = _kw(app.call, key)
            if isinstance(value, ast.Constant) and value.value is None:
                problems.append(T(f"{key}=None disables the OpenAPI docs",
                                  f"{key}=None desactiva la documentación OpenAPI"))
        missing = [k for k in ("title", "version") if _kw(app.call, k) is None]
        if missing:
            problems.append(T(f"FastAPI(...) without {' and '.join(missing)}",
                              f"FastAPI(...) sin {' ni '.join(missing)}"))
        if not cors:
            problems.append(T("no CORSMiddleware", "sin CORSMiddleware"))
        head = T(f"app `{app.name}`: ", f"app `{app.name}`: ")
        if problems:
            yield failed(head + T.join(problems), app.path, app.line, level=2)
        else:
            yield passed(head + T("docs on, title and version set, CORSMiddleware added",
                                  "docs activas, título y versión, CORSMiddleware añadido"),
                         app.path, app.line, level=2)
    if not cors:
        app = s.fastapi_apps[0]
        yield failed(T("no CORSMiddleware, so no origin list to restrict",
                       "sin CORSMiddleware, no hay lista de orígenes que restringir"),
                     app.path, app.line, level=3)
        return
    for hook in cors:
        wildcard = _origins_wildcard(s, hook)
        if wildcard:
            yield failed(T('CORS allows every origin (allow_origins=["*"])',
                           'CORS permite cualquier origen (allow_origins=["*"])'),
                         hook.path, hook.line, level=3,
                         fix=T("Read the allowed origins from settings (e.g. "
                               "CORS_ORIGINS=https://app.example.com).",
                               "Lee los orígenes permitidos de la configuración (p. ej. "
                               "CORS_ORIGINS=https://app.example.com)."))
        elif wildcard is None:
            yield failed(T("CORSMiddleware without allow_origins (no origin is allowed)",
                           "CORSMiddleware sin allow_origins (no se permite ningún origen)"),
                         hook.path, hook.line, level=3)
        else:
            yield passed(T("CORS origins are a configured list",
                           "los orígenes CORS son una lista configurada"), hook.path,
                         hook.line, level=3)


# -- API008 ----------------------------------------------------------------------------


class ProductionParams(Params):
    min_features: int = Field(3, ge=1, le=8)
    max_batch: int = Field(1000, ge=1)


def _commands(ctx: Context) -> list[tuple[str, int | None, str]]:
    """Shell commands that start the service: Dockerfiles, Makefile, Procfile, compose."""
    out: list[tuple[str, int | None, str]] = []
    paths = ctx.files(["**/Dockerfile", "**/Dockerfile.*", "**/*.Dockerfile"])
    for parsed in map(noted, dockerfiles(ctx.repo, paths)):
        if isinstance(parsed, Dockerfile):
            for inst in parsed.instructions:
                if inst.cmd in ("CMD", "ENTRYPOINT", "RUN"):
                    out.append((parsed.path, inst.line, inst.args))
    for path in ctx.files(["Makefile", "**/Makefile"]):
        makefile = noted(ctx.repo.parse(path, parse_makefile))
        if isinstance(makefile, Makefile):
            for target in makefile.targets.values():
                out.extend((path, line, text) for line, text in target.recipe)
    for path in ctx.files(["Procfile", "**/*.sh"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str):
            out.extend((path, n, t) for n, t in enumerate(text.splitlines(), start=1))
    for path in own_paths(ctx.files(["docker-compose*.y*ml", "compose*.y*ml",
                                     "**/docker-compose*.y*ml"]), ctx.repo):
        doc = noted(ctx.repo.yaml(path))
        services = doc.get("services") if isinstance(doc, dict) else None
        for service in (services or {}).values() if isinstance(services, dict) else []:
            command = service.get("command") if isinstance(service, dict) else None
            if command is not None:
                text = " ".join(map(str, command)) if isinstance(command, list) else str(command)
                out.append((path, None, text))
    return out


def _production_server(ctx: Context, s: Serving) -> str | None:
    for path, line, text in _commands(ctx):
        low = text.lower()
        where = f"{path}:{line}" if line else path
        if "gunicorn" in low and "uvicornworker" in low:
            return f"gunicorn + UvicornWorker ({where})"
        if "uvicorn" in low and re.search(r"--workers[\s=]+\S", low):
            return f"uvicorn --workers ({where})"
    for path in ctx.files(["gunicorn*.py", "**/gunicorn*.py"]):
        conf = noted(ctx.repo.text(path))
        if isinstance(conf, str) and "UvicornWorker" in conf:
            return f"gunicorn config {path}"
    for module in s.model.modules.values():
        for qual, call in module.index.calls_to("uvicorn.run"):
            if qual == "uvicorn.run" and call_arg(call, "workers") is not None:
                return f"uvicorn.run(workers=…) ({module.path}:{call.lineno})"
    return None


def _bounded_batch(s: Serving, route: Route, limit: int) -> bool:
    module = s.model.module(route.handler_path)
    if module is None:
        return False
    for param in s.model.params(route):
        for _, cls in s.model.model_classes(module, param.annotation):
            for stmt in ast.walk(cls):
                if isinstance(stmt, ast.AnnAssign):
                    for node in ast.walk(stmt):
                        if isinstance(node, ast.keyword) and node.arg in (
                                "max_length", "max_items"):
                            value = literal(node.value)
                            if isinstance(value, int) and value <= limit:
                                return True
    return False


@check("api_production_features", ProductionParams)
@reports_unread
def api_production_features(ctx: Context, params: ProductionParams) -> Iterator[Finding]:
    """API008: at least three production features of the guide's API."""
    s, early = _require(ctx, fastapi_only=True)
    if early is not None:
        yield early
        return
    routes = s.fastapi_routes
    features: list[T] = []
    missing: list[T] = []

    def tally(ok: bool, en: str, es: str) -> None:
        (features if ok else missing).append(T(en, es))

    segments = [set(r.segments) for r in routes]
    ready = any({"ready", "readyz", "readiness"} & seg for seg in segments)
    live = any({"health", "healthz", "livez", "live", "liveness", "_healthz"} & seg
               for seg in segments)
    tally(ready and live, "readiness ≠ liveness (/ready)", "readiness ≠ liveness (/ready)")
    tally(any(re.search(r"model[/_-]?info|/info$|/metadata$", r.path.lower()) for r in routes),
          "/model/info", "/model/info")
    batch = [r for r in routes if "batch" in r.path.lower() and r.allows("POST")]
    tally(any(_bounded_batch(s, r, params.max_batch) for r in batch),
          f"bounded /predict/batch (≤ {params.max_batch})",
          f"/predict/batch acotado (≤ {params.max_batch})")
    tally(any(re.search(r"(^|[^a-z0-9])v\d+([^a-z0-9]|$)", r.path.lower()) for r in routes),
          "versioned routes (/v1)", "rutas versionadas (/v1)")
    request_id = False
    depends = False
    for module in s.model.closure(s.model.serving_files):
        if any(isinstance(c.value, str) and c.value.lower() == "x-request-id"
               for c in module.nodes(ast.Constant)):
            request_id = True
        if module.index.imports("asgi_correlation_id"):
            request_id = True
        if any(module.index.calls_to("fastapi.Depends", "fastapi.Security")):
            depends = True
    tally(request_id, "X-Request-ID middleware", "middleware X-Request-ID")
    tally(depends, "dependency injection (Depends)", "inyección de dependencias (Depends)")
    server = _production_server(ctx, s)
    tally(server is not None, "production server (gunicorn + UvicornWorker / --workers)",
          "servidor de producción (gunicorn + UvicornWorker / --workers)")
    tally(any(r.is_async for r in routes), "async handlers", "handlers async")
    path, line = _where(s)
    found = T.join(features, ", ") if features else T("none", "ninguna")
    if batch and not any(_bounded_batch(s, r, params.max_batch) for r in batch):
        found = found + T("; batch endpoint without a bounded list (max_length)",
                          "; endpoint batch sin lista acotada (max_length)")
    message = T(f"{len(features)}/8 production features: ",
                f"{len(features)}/8 funciones de producción: ") + found
    if server is not None:
        message = message + T(f" [server: {server}]", f" [servidor: {server}]")
    if len(features) >= params.min_features:
        yield passed(message, path, line)
    else:
        yield failed(message + T(f" (need {params.min_features}; missing: ",
                                 f" (se necesitan {params.min_features}; faltan: ")
                     + T.join(missing, ", ") + T(")", ")"), path, line)


# -- API009 ----------------------------------------------------------------------------


class LatencyParams(Params):
    p95_ms: float = Field(200, gt=0)
    p95_critical_ms: float = Field(500, gt=0)
    error_rate: float = Field(0.001, ge=0, le=1)
    error_rate_critical: float = Field(0.01, ge=0, le=1)


def parse_locust_stats(text: str) -> dict[str, float]:
    """The aggregated row of a locust ``*_stats.csv``: P95/P99 (ms), requests, failures."""
    reader = csv.DictReader(io.StringIO(text))
    if reader.fieldnames is None or "95%" not in reader.fieldnames:
        raise ValueError("not a locust stats CSV (no 95% column)")
    rows = list(reader)
    row = next((r for r in rows if (r.get("Name") or "").strip() == "Aggregated"),
               rows[-1] if rows else None)
    if row is None:
        raise ValueError("no rows")

    def num(key: str) -> float:
        value = (row.get(key) or "").strip()
        return float(value) if value and value != "N/A" else float("nan")

    return {"p95": num("95%"), "p99": num("99%"), "requests": num("Request Count"),
            "failures": num("Failure Count")}


@check("api_latency_evidence", LatencyParams)
@reports_unread
def api_latency_evidence(ctx: Context, params: LatencyParams) -> Iterator[Finding]:
    """API009: latency SLO from a locust stats CSV; manual without one."""
    found = False
    for path in ctx.files(["**/*_stats.csv"]):
        stats = noted(ctx.repo.parse(path, parse_locust_stats))
        if isinstance(stats, ParseError):
            continue
        found = True
        p95, requests, failures = stats["p95"], stats["requests"], stats["failures"]
        if p95 != p95:  # NaN: the run recorded no request
            yield skipped(T(f"{path} has no P95 value", f"{path} no tiene valor P95"), path)
            continue
        rate = failures / requests if requests and requests == requests else 0.0
        text = T(f"P95 {p95:g} ms, error rate {rate:.2%} ({path})",
                 f"P95 {p95:g} ms, tasa de error {rate:.2%} ({path})")
        if p95 < params.p95_ms and rate < params.error_rate:
            yield passed(text, path)
        elif p95 < params.p95_critical_ms and rate < params.error_rate_critical:
            yield warned(text + T(f" (target P95 < {params.p95_ms:g} ms, errors < "
                                  f"{params.error_rate:.1%})",
                                  f" (objetivo P95 < {params.p95_ms:g} ms, errores < "
                                  f"{params.error_rate:.1%})"), path)
        else:
            yield failed(text + T(f" (critical: P95 ≥ {params.p95_critical_ms:g} ms or "
                                  f"errors ≥ {params.error_rate_critical:.0%})",
                                  f" (crítico: P95 ≥ {params.p95_critical_ms:g} ms o errores "
                                  f"≥ {params.error_rate_critical:.0%})"), path)
    if not found:
        yield manual(T(f"latency is a runtime measurement: run a load test (locust --csv=...) "
                       f"and keep its *_stats.csv; targets P95 < {params.p95_ms:g} ms, < 50 ms "
                       "ideal",
                       f"la latencia se mide en ejecución: lanza una prueba de carga (locust "
                       f"--csv=...) y guarda su *_stats.csv; objetivo P95 < {params.p95_ms:g} "
                       "ms, < 50 ms ideal"))


# -- DASH001 ---------------------------------------------------------------------------


NAVIGATION_LABEL = re.compile(r"nav|page|p[áa]gina|view|vista|secci|men[uú]|tab|go to|ir a",
                              re.IGNORECASE)


def _navigation_options(model: ServingModel, module: Module, call: ast.Call, qual: str) -> int:
    """Views offered by a radio/selectbox used as navigation (sidebar, horizontal, labelled)."""
    options = call_arg(call, "options", 1)
    if isinstance(options, ast.Name):
        found = model.symbol(module, options)
        options = found[2] if found is not None and isinstance(found[2], ast.expr) else None
    if not isinstance(options, ast.List | ast.Tuple) or len(options.elts) < 2:
        return 0
    label = model.const_str(module, call_arg(call, "label", 0)) or ""
    horizontal = isinstance(call_arg(call, "horizontal"), ast.Constant)
    if ".sidebar." in qual or horizontal or NAVIGATION_LABEL.search(label):
        return len(options.elts)
    return 0


@check("streamlit_dashboard")
def streamlit_dashboard(ctx: Context, params: None) -> Iterator[Finding]:
    """DASH001: Streamlit app caches data and model, has ≥2 views and calls the model/API."""
    s = serving(ctx)
    apps = [m for m in s.model.modules.values() if m.index.imports("streamlit")]
    if not apps:
        yield skipped(T("not applicable: this project does not use Streamlit",
                        "no aplica: este proyecto no usa Streamlit"))
        return
    cache_data = cache_resource = False
    legacy: list[str] = []
    views = 0
    calls_model = False
    for module in apps:
        if "pages" in module.path.split("/")[:-1]:
            views += 1
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                decorators = set(s.model.decorators(module, node))
                cache_data |= bool(decorators & {"streamlit.cache_data",
                                                 "streamlit.experimental_memo"})
                cache_resource |= bool(decorators & {"streamlit.cache_resource",
                                                     "streamlit.experimental_singleton"})
                legacy += [f"{module.path}:{node.lineno}" for d in decorators
                           if d == "streamlit.cache"]
            if not isinstance(node, ast.Call):
                continue
            qual = call_name(s.model, module, node)
            if qual == "streamlit.tabs":
                labels = node.args[0] if node.args else None
                views = max(views, len(labels.elts) if isinstance(labels, ast.List | ast.Tuple)
                            else 2)
            elif qual in ("streamlit.navigation",):
                pages = node.args[0] if node.args else None
                views = max(views, len(pages.elts) if isinstance(pages, ast.List | ast.Tuple)
                            else 2)
            elif qual.endswith((".radio", ".selectbox", ".segmented_control", ".pills")) and \
                    qual.startswith("streamlit."):
                views = max(views, _navigation_options(s.model, module, node, qual))
            if qual.startswith(("requests.", "httpx.", "urllib.request.urlopen")) or \
                    _is_inference(qual) or is_loader(qual):
                calls_model = True
    if any("pages" in m.path.split("/")[:-1] for m in apps):
        views += 1  # the entry page
    main = next((m for m in apps if "pages" not in m.path.split("/")[:-1]), apps[0])
    missing: list[T] = []
    if not cache_data:
        missing.append(T("@st.cache_data for data", "@st.cache_data para los datos"))
    if not cache_resource:
        missing.append(T("@st.cache_resource for the model", "@st.cache_resource para el modelo"))
    if views < 2:
        missing.append(T("≥2 views (st.tabs or pages/)", "≥2 vistas (st.tabs o pages/)"))
    if not calls_model:
        missing.append(T("a call to the API (requests/httpx) or the model",
                         "una llamada a la API (requests/httpx) o al modelo"))
    if legacy:
        missing.append(T(f"deprecated @st.cache at {legacy[0]} removed",
                         f"quitar el obsoleto @st.cache en {legacy[0]}"))
    if missing:
        yield failed(T("Streamlit app lacks: ", "a la app Streamlit le falta: ")
                     + T.join(missing), main.path)
    else:
        yield passed(T(f"Streamlit app caches data and model, {views} views, calls the "
                       "model/API",
                       f"la app Streamlit cachea datos y modelo, {views} vistas, llama al "
                       "modelo/API"), main.path)


# -- DEP001 ----------------------------------------------------------------------------

PLATFORM_PATTERNS: dict[str, str] = {
    "AWS Lambda/serverless": r"\blambda\b|serverless",
    "Cloud Run": r"cloud\s*run",
    "ECS/Fargate": r"\becs\b|fargate",
    "Kubernetes": r"kubernetes|\bk8s\b|\bgke\b|\beks\b|\baks\b",
    "App Runner": r"app\s*runner",
    "SageMaker/Vertex AI": r"sagemaker|vertex\s*ai",
    "managed ML endpoint (Azure ML/OCI Data Science)": (
        r"azure\s*(?:ml|machine\s*learning)|oci\s*data\s*science|databricks\s*model\s*serving"),
    "Azure Container Apps/App Service": r"container\s*apps|app\s*service",
    # "VM.GPU.A10.1" is an instance shape, not a platform choice
    "VM/EC2": r"\bec2\b|\bvms?\b(?!\.\w)|virtual machine|máquina virtual",
    "Heroku/Fly.io/Railway": r"heroku|fly\.io|railway|render\.com",
    "Hugging Face Spaces": r"hugging\s*face\s*spaces",
}
PLATFORMS = {name: re.compile(pattern, re.IGNORECASE)
             for name, pattern in PLATFORM_PATTERNS.items()}
TRADE_OFFS = re.compile(
    r"trade-?offs?|alternativ|\bcosts?\b|costo|coste|\$\s?\d|\d\s?(usd|eur|€)|ventaja|"
    r"desventaja|\bpros\b|\bcons\b|\bvs\.?\b|compar|consecuencias|consequences", re.IGNORECASE)


def _doc_text(ctx: Context, path: str) -> list[tuple[int, str]] | None:
    doc = noted(ctx.repo.parse(path, parse_markdown))
    if isinstance(doc, ParseError):
        return None
    lines = [(h.line, h.text) for h in doc.headings] + list(doc.prose)
    lines += [(block.line, block.text) for block in doc.code_blocks]
    return sorted(lines)


def _platforms_in(ctx: Context, path: str) -> tuple[dict[str, int], bool]:
    """Platforms a document names (with their first line) and whether it weighs options."""
    key = f"serving:platforms:{path}"
    if key not in ctx.repo.memo:
        named: dict[str, int] = {}
        trade = False
        for number, text in _doc_text(ctx, path) or []:
            for name, pattern in PLATFORMS.items():
                if name not in named and pattern.search(text):
                    named[name] = number
            trade = trade or bool(TRADE_OFFS.search(text))
        ctx.repo.memo[key] = (named, trade)
    found: tuple[dict[str, int], bool] = ctx.repo.memo[key]
    return found


def _adr_files(ctx: Context) -> list[str]:
    """Decision records and ADR documents (``_adr.ALL_GLOBS``, any letter case) among the
    shared files: the project's own and, in a monorepo, the repository's outside every
    project. Templates and folder indexes are not records."""
    anywhere = set(ctx.repo.glob(ADR_ALL_GLOBS, case_sensitive=False))
    records = set(ctx.repo.glob(RECORD_GLOBS, case_sensitive=False))
    return [f for f in shared_files(ctx)
            if f in anywhere and (f not in records or is_record(f))]


@check("deployment_decision")
@reports_unread
def deployment_decision(ctx: Context, params: None) -> Iterator[Finding]:
    """DEP001: an ADR compares serving platforms with trade-offs or costs. Not applicable
    (levels.md §6) when nothing in the repository is deployed."""
    deployed = deployment(ctx.repo)
    if not deployed.deploys:
        yield skipped(deployed.nothing_deployed(T(
            ", so there is no serving platform to choose",
            ", así que no hay plataforma de servicio que elegir")))
        return
    adrs = _adr_files(ctx)
    if not adrs:
        yield failed(T(f"no ADR or design record found ({ADR_SEARCHED})",
                       f"no se encuentra ningún ADR ni registro de diseño ({ADR_SEARCHED})"))
        return
    best: tuple[int, str, int, list[str], bool] | None = None
    for path in adrs:
        named, trade = _platforms_in(ctx, path)
        if not named:
            continue
        score = (2 if len(named) >= 2 else 1) + (1 if trade else 0)
        if best is None or score > best[0]:
            best = (score, path, min(named.values()), sorted(named), trade)
    if best is None:
        yield failed(T(f"{len(adrs)} ADR(s) found, none discusses the serving platform "
                       "(Lambda/serverless, Cloud Run/ECS, Kubernetes)",
                       f"{len(adrs)} ADR(s), ninguno trata la plataforma de despliegue "
                       "(Lambda/serverless, Cloud Run/ECS, Kubernetes)"), adrs[0])
        return
    _, path, line, names, trade = best
    listed = ", ".join(names)
    if len(names) >= 2 and trade:
        yield passed(T(f"ADR compares {listed} with trade-offs/costs",
                       f"el ADR compara {listed} con trade-offs/costes"), path, line)
    else:
        yield warned(T(f"ADR names {listed} but does not weigh alternatives with trade-offs "
                       "or costs",
                       f"el ADR nombra {listed} pero no compara alternativas con trade-offs "
                       "ni costes"), path, line,
                     fix=T("Add the alternatives considered (e.g. Lambda vs Cloud Run vs "
                           "Kubernetes) with their trade-offs and monthly cost.",
                           "Añade las alternativas consideradas (p. ej. Lambda vs Cloud Run vs "
                           "Kubernetes) con sus trade-offs y coste mensual."))


# -- DEP002 ----------------------------------------------------------------------------


def _health_text(text: str) -> bool:
    return any(seg in HEALTH_SEGMENTS for seg in re.split(r"[/\s'\"?:=,\]\[]+", text.lower()))


def _strings(node: Any) -> Iterator[str]:
    if isinstance(node, str):
        yield node
    elif isinstance(node, dict):
        for value in node.values():
            yield from _strings(value)
    elif isinstance(node, list):
        for item in node:
            yield from _strings(item)


@dataclass(frozen=True)
class Descriptor:
    kind: str
    path: str
    wired: bool | None  # True: /health wired; False: no health check; None: other probe
    detail: T
    line: int | None = None


def _d(en: str, es: str | None = None) -> T:
    return T(en, es if es is not None else en)


NO_HEALTH = T("no health check", "sin health check")
HEALTH_FIX = T("Point the platform's health check at /health: readinessProbe/livenessProbe "
               "httpGet, ECS healthCheck, a compose healthcheck, or a post-deploy curl of /health.",
               "Apunta el health check de la plataforma a /health: readinessProbe/livenessProbe "
               "httpGet, healthCheck de ECS, healthcheck de compose, o un curl a /health tras "
               "desplegar.")


PROBES = ("readinessProbe", "livenessProbe", "startupProbe")


def _probe_paths(node: Any) -> tuple[int, list[str]]:
    """(number of probes, their httpGet paths) anywhere under ``node`` (chart values)."""
    count, paths = 0, []
    if isinstance(node, dict):
        for key, value in node.items():
            if key in PROBES and isinstance(value, dict):
                count += 1
                get = value.get("httpGet")
                if isinstance(get, dict):
                    paths.append(str(get.get("path", "")))
            else:
                more, found = _probe_paths(value)
                count, paths = count + more, paths + found
    elif isinstance(node, list):
        for item in node:
            more, found = _probe_paths(item)
            count, paths = count + more, paths + found
    return count, paths


def _probe_descriptor(label: str, path: str, probes: int, paths: list[str],
                      line: int | None) -> Descriptor:
    if any(_health_text(p) for p in paths):
        return Descriptor(label, path, True, _d(", ".join(sorted(set(paths)))), line)
    if probes:
        return Descriptor(label, path, None, _d("probes not on a health route",
                                                "sondas fuera de una ruta de salud"), line)
    return Descriptor(label, path, False, _d("no readiness/liveness probe",
                                             "sin sonda readiness/liveness"), line)


def _manifest_descriptors(ctx: Context) -> Iterator[Descriptor]:
    """Long-running Kubernetes/Knative workloads, Helm values and unrendered templates."""
    manifests = manifests_noted(ctx)
    for workload in manifests.workloads:
        if not workload.long_running:
            continue  # Jobs and CronJobs have no health endpoint
        serving = [c for c in workload.containers if not c.init]
        count, paths = _probe_paths([c.spec for c in serving])
        yield _probe_descriptor(workload.label, workload.path, count, paths, workload.line)
    for chart in manifests.charts:
        for path, data in chart.values:
            count, paths = _probe_paths(data) if not isinstance(data, ParseError) else (0, [])
            if count:
                yield _probe_descriptor(f"Helm chart {chart.name} values", path, count, paths,
                                        None)
    for unread in manifests.unread:
        if unread.reason not in (HELM_TEMPLATE, TEMPLATE):
            continue
        text = noted(ctx.repo.text(unread.path))
        if isinstance(text, str) and "Probe" in text:
            yield Descriptor("Helm template (read as text, not rendered)", unread.path,
                             _health_text(text) or None, _d("probes", "sondas"))
        elif isinstance(text, str) and LONG_RUNNING_KIND.search(text[:MAX_KIND_SCAN]):
            yield Descriptor("Helm template (read as text, not rendered)", unread.path, False,
                             _d("a long-running workload without probes",
                                "una carga de larga duración sin sondas"))


def _other_descriptors(ctx: Context) -> Iterator[Descriptor]:
    for path in ctx.files(["**/serverless.yml", "**/serverless.yaml"]):
        doc = noted(ctx.repo.yaml(path))
        if isinstance(doc, dict):
            wired = any(_health_text(s) for s in _strings(doc.get("functions")))
            yield Descriptor("serverless.yml", path, wired or False,
                             _d("http event on /health", "evento http en /health") if wired
                             else _d("no /health event", "sin evento /health"))
    for path in ctx.files(["**/*.json"]):
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or "containerDefinitions" not in text:
            continue
        doc = noted(ctx.repo.parse(path, json.loads))
        if not isinstance(doc, dict):
            continue
        for container in as_list(doc.get("containerDefinitions")):
            if not isinstance(container, dict):
                continue
            check_cmd = " ".join(_strings(as_dict(container.get("healthCheck")).get("command")))
            yield Descriptor(f"ECS task definition {container.get('name', '')}".strip(), path,
                             _health_text(check_cmd) if check_cmd else False,
                             _d("healthCheck") if check_cmd else _d("no healthCheck",
                                                                      "sin healthCheck"))
    for path in own_paths(ctx.files(["docker-compose*.y*ml", "compose*.y*ml",
                                     "**/docker-compose*.y*ml", "**/compose*.y*ml"]),
                          ctx.repo):
        doc = noted(ctx.repo.yaml(path))
        services = doc.get("services") if isinstance(doc, dict) else None
        if not isinstance(services, dict):
            continue
        for name, service in services.items():
            if not isinstance(service, dict) or "build" not in service:
                continue
            test = " ".join(_strings(as_dict(service.get("healthcheck")).get("test")))
            yield Descriptor(f"compose service {name}", path,
                             (_health_text(test) or None) if test else False,
                             _d("healthcheck") if test else _d("no healthcheck",
                                                               "sin healthcheck"))
    for path, key in (("fly.toml", "toml"), ("render.yaml", "yaml"), ("app.yaml", "yaml")):
        full = ctx.first(path)
        if full is None:
            continue
        doc = noted(ctx.repo.toml(full) if key == "toml" else ctx.repo.yaml(full))
        if isinstance(doc, ParseError):
            continue
        wired = any(_health_text(s) for s in _strings(doc))
        yield Descriptor(path, full, wired or False,
                         _d("health check path", "ruta de health check") if wired else NO_HEALTH)
    for wf in map(noted, workflows(ctx.repo)):
        if isinstance(wf, Workflow):
            yield from _workflow_descriptor(wf)
    yield from _other_ci_descriptors(ctx)


def _other_ci_descriptors(ctx: Context) -> Iterator[Descriptor]:
    """A deploy command in another CI system's pipeline (Azure Pipelines, GitLab CI…),
    with whether the same file checks /health afterwards."""
    by_file: dict[str, list[Command]] = {}
    for command in ci_commands(ctx.repo):
        if command.system != "github":
            by_file.setdefault(command.path, []).append(command)
    for path, commands in sorted(by_file.items()):
        found = next(((i, m) for i, c in enumerate(commands)
                      if (m := DEPLOY_COMMAND.search(c.text))), None)
        if found is None:
            continue
        index, match = found
        deploy = match.group(0)
        smoke = any(SMOKE.search(c.text) and _health_text(c.text) for c in commands)
        # the file's commands come in document order: the deploy's rest, then later steps
        after = [commands[index].text[match.end():], *(c.text for c in commands[index + 1:])]
        other = None if smoke else _smoke_after(after)
        system = CI_NAMES.get(commands[0].system, commands[0].system)
        yield Descriptor(f"{system} deploy ({' '.join(deploy.split())})", path,
                         None if other else smoke, _health_detail(smoke, other))


# a post-deploy test of the live service that is not a /health call: a smoke-test script
# or a scoring of the deployed endpoint
SMOKE_TEST = re.compile(r"smoke[_-]?tests?|score[_-]?(the[_-])?(service|endpoint)|"
                        r"scoring[_-]?(service|endpoint)", re.IGNORECASE)


def _smoke_after(texts: Iterable[str]) -> str | None:
    """The first line of ``texts`` that runs a post-deploy smoke test."""
    for text in texts:
        for line in text[:20000].splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and SMOKE_TEST.search(stripped[:400]):
                return stripped if len(stripped) <= 80 else stripped[:79] + "…"
    return None


def _health_detail(smoke: bool, other: str | None) -> T:
    if smoke:
        return _d("smoke test on /health after deploy", "prueba de /health tras desplegar")
    if other:
        return T(f"smoke test after deploy ({other}), but no /health check",
                 f"prueba de humo tras desplegar ({other}), pero sin comprobar /health")
    return _d("no /health check after deploy", "sin comprobar /health tras desplegar")


LONG_RUNNING_KIND = re.compile(r"^kind:[ \t]*(Deployment|StatefulSet|DaemonSet|Rollout)[ \t]*$",
                               re.MULTILINE)
MAX_KIND_SCAN = 64 * 1024
SMOKE = re.compile(r"\b(curl|wget|http|httpx|requests)\b", re.IGNORECASE)


def _workflow_descriptor(wf: Workflow) -> Iterator[Descriptor]:
    deploy = None
    smoke = False
    later: list[str] = []  # what runs after the deploy
    for job in wf.jobs:
        for step in job.steps:
            text = step.run or ""
            match = DEPLOY_COMMAND.search(text)
            if deploy is not None:
                later.append(text)
            elif match:
                later.append(text[match.end():])
            if match and deploy is None:
                deploy = (match.group(0), step.line)
            if SMOKE.search(text) and _health_text(text):
                smoke = True
            if (step.uses or "").startswith(("google-github-actions/deploy-cloudrun",
                                             "aws-actions/amazon-ecs-deploy")) and deploy is None:
                deploy = (str(step.uses), step.line)
    if deploy is not None:
        other = None if smoke else _smoke_after(later)
        yield Descriptor(f"workflow deploy ({deploy[0]})", wf.path, None if other else smoke,
                         _health_detail(smoke, other), deploy[1])


ROLLBACK_EXPLICIT = re.compile(
    r"kubectl\s+rollout\s+undo|helm\s+rollback|make\s+rollback|(serverless|sls)\s+rollback|"
    r"argocd\s+app\s+rollback|fly(ctl)?\s+releases?\s+rollback", re.IGNORECASE)
ROLLBACK_GENERIC = re.compile(
    r"update-traffic|aws\s+ecs\s+update-service|lambda\s+update-alias|deploy\s+--image|"
    r"kubectl\s+set\s+image|docker\s+(compose\s+)?(up|pull|run)|git\s+revert|"
    r"gcloud\s+run\s+deploy", re.IGNORECASE)
ROLLBACK_FIX = T("Add a Rollback section to RUNBOOK.md or docs/runbooks/ with the exact command "
                 "(kubectl rollout undo deployment/<app>, helm rollback, make rollback).",
                 "Añade una sección Rollback en RUNBOOK.md o docs/runbooks/ con el comando "
                 "exacto (kubectl rollout undo deployment/<app>, helm rollback, make rollback).")
ROLLBACK_WORDS = re.compile(r"roll\s?-?back|revertir|reversi[oó]n|versi[oó]n anterior",
                            re.IGNORECASE)


@check("deployment_config")
@reports_unread
def deployment_config(ctx: Context, params: None) -> Iterator[Finding]:
    """DEP002: a deployment descriptor wires /health (L2); a rollback procedure (L3)."""
    descriptors = [*_manifest_descriptors(ctx), *_other_descriptors(ctx)]
    descriptors += [Descriptor(e.platform + (f" {e.what}" if e.what else ""), e.path, True,
                               T.same(e.health), e.line)
                    for e in managed_endpoints(ctx)
                    if not any(d.path == e.path and d.line == e.line for d in descriptors)]
    wired = [d for d in descriptors if d.wired]
    if wired:
        for d in wired:
            yield passed(_d(f"{d.kind}: ") + d.detail, d.path, d.line, level=2)
    elif descriptors:
        for d in descriptors:
            message = _d(f"{d.kind}: ") + d.detail
            if d.wired is None:
                yield warned(message, d.path, d.line, level=2, fix=HEALTH_FIX)
            else:
                yield failed(message, d.path, d.line, level=2, fix=HEALTH_FIX)
    else:
        yield failed(T("no deployment descriptor (Kubernetes manifest, serverless.yml, ECS "
                       "task definition, Cloud Run service or deploy workflow, compose) found",
                       "no hay descriptor de despliegue (manifiesto Kubernetes, serverless.yml, "
                       "task definition de ECS, servicio Cloud Run o workflow de despliegue, "
                       "compose)"), level=2, fix=HEALTH_FIX)
    fact = deployment(ctx.repo)
    if not descriptors and not fact.deploys:
        yield skipped(fact.nothing_deployed(T(", so there is nothing to roll back",
                                              ", así que no hay nada que revertir")), level=3)
        return
    yield _rollback(ctx)


def _rollback(ctx: Context) -> Finding:
    """L3: a rollback procedure: an explicit command, or a rollback section with commands."""
    for path in ctx.files(["Makefile", "**/Makefile"]):
        makefile = noted(ctx.repo.parse(path, parse_makefile))
        if isinstance(makefile, Makefile) and "rollback" in makefile.targets:
            return passed(T("Makefile has a rollback target", "el Makefile tiene un objetivo "
                            "rollback"), path, makefile.targets["rollback"].line, level=3)
    docs = ctx.files(["**/*.md"], case_sensitive=False)
    ordered = sorted(docs, key=lambda p: ("runbook" not in p.lower(), p))
    mention: tuple[str, int] | None = None
    documented = T("rollback procedure documented with a command",
                   "procedimiento de rollback documentado con un comando")
    for path in ordered:
        doc = noted(ctx.repo.parse(path, parse_markdown))
        if isinstance(doc, ParseError):
            continue
        for number, text in _doc_text(ctx, path) or []:
            if ROLLBACK_EXPLICIT.search(text):
                return passed(documented, path, number, level=3)
        for heading in doc.headings:
            if not ROLLBACK_WORDS.search(heading.text):
                continue
            mention = mention or (path, heading.line)
            texts = [t for _, t in doc.prose_in(heading)] + [c.text for c in doc.code_in(heading)]
            if any(ROLLBACK_GENERIC.search(t) for t in texts):
                return passed(documented, path, heading.line, level=3)
        if mention is None:
            for number, text in doc.prose:
                if ROLLBACK_WORDS.search(text):
                    mention = (path, number)
                    break
    if mention is not None:
        return warned(T("rollback is mentioned but no procedure (command) is given",
                        "se menciona el rollback pero no hay procedimiento (comando)"),
                      mention[0], mention[1], level=3, fix=ROLLBACK_FIX)
    return failed(T("no documented rollback procedure (RUNBOOK.md, docs/runbooks/)",
                    "no hay procedimiento de rollback documentado (RUNBOOK.md, docs/runbooks/)"),
                  level=3, fix=ROLLBACK_FIX)


# -- SEC006 ----------------------------------------------------------------------------


def _serving_modules(s: Serving) -> list[Module]:
    roots = set(s.model.serving_files)
    roots |= {m.path for m in s.model.modules.values() if m.index.imports("streamlit")}
    return s.model.closure(roots)


@check("safe_loading")
def safe_loading(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC006: no pickle loads, unsafe yaml.load or eval of request data in serving code."""
    s = serving(ctx)
    modules = _serving_modules(s)
    if not modules:
        yield skipped(T("no serving code in this project", "no hay código de servicio en este "
                        "proyecto"))
        return
    handler_calls: set[int] = set()
    for route in s.model.routes:
        for site in route_calls(s, route, depth=3):
            handler_calls.add(id(site.call))
    problems = 0
    for module in modules:
        for qual, node in module.calls():
            if qual in UNSAFE_PICKLE:
                problems += 1
                yield failed(T(f"{qual} in serving code: unpickling runs arbitrary code",
                               f"{qual} en código de servicio: deserializar con pickle "
                               "ejecuta código arbitrario"), module.path, node.lineno,
                             fix=T("Load models with joblib/skops from a trusted, pinned "
                                   "artifact (or ONNX); never unpickle untrusted data.",
                                   "Carga modelos con joblib/skops desde un artefacto "
                                   "confiable y fijado (u ONNX); nunca deserialices datos no "
                                   "confiables."))
            elif qual in ("yaml.load", "yaml.load_all"):
                loader = call_arg(node, "Loader", 1)
                name = (s.model.qualname(module, loader) or "") if loader is not None else ""
                if not name.endswith(SAFE_YAML_LOADERS):
                    problems += 1
                    yield failed(T(f"{qual} without SafeLoader", f"{qual} sin SafeLoader"),
                                 module.path, node.lineno,
                                 fix=T("Use yaml.safe_load(...).", "Usa yaml.safe_load(...)."))
            elif qual in ("yaml.unsafe_load", "yaml.unsafe_load_all"):
                problems += 1
                yield failed(T(f"{qual} in serving code", f"{qual} en código de servicio"),
                             module.path, node.lineno,
                             fix=T("Use yaml.safe_load(...).", "Usa yaml.safe_load(...)."))
            elif qual in ("eval", "exec") and node.args and not isinstance(
                    node.args[0], ast.Constant):
                problems += 1
                if id(node) in handler_calls:
                    yield failed(T(f"{qual}() on data inside a request handler",
                                   f"{qual}() sobre datos dentro de un handler"),
                                 module.path, node.lineno,
                                 fix=T("Parse input with Pydantic or json; never eval it.",
                                       "Valida la entrada con Pydantic o json; nunca la "
                                       "evalúes."))
                else:
                    yield warned(T(f"{qual}() in serving code", f"{qual}() en código de "
                                   "servicio"), module.path, node.lineno)
    if not problems:
        yield passed(T(f"no unsafe deserialisation or eval in {len(modules)} serving module(s)",
                       f"sin deserialización insegura ni eval en {len(modules)} módulo(s) de "
                       "servicio"), modules[0].path)
