"""The serving layer of a project: its Python files read into the serving model of
:mod:`mlops_lint.parsers.fastapi_app` (apps, routers, composed route paths, handlers,
hooks), and the calls a route's handling reaches (its handler, the dependencies FastAPI
calls for each request, and the project functions they call).

Read by the API rules (the service itself) and SEC006 (unsafe loading in serving code).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.parsers.fastapi_app import (
    Endpoint,
    FunctionNode,
    Module,
    Route,
    ServingModel,
    serving_model,
)
from mlops_lint.parsers.python_source import call_arg

CACHE_DECORATORS = frozenset({"functools.lru_cache", "functools.cache", "lru_cache", "cache",
                              "cachetools.cached", "async_lru.alru_cache",
                              "streamlit.cache_resource"})


@dataclass(frozen=True)
class Serving:
    model: ServingModel

    @property
    def fastapi_apps(self) -> list[Endpoint]:
        return self.model.apps_of("fastapi")

    @property
    def has_fastapi(self) -> bool:
        return bool(self.fastapi_apps or self.model.routes_of("fastapi"))

    @property
    def others(self) -> list[tuple[str, str, int]]:
        """Non-FastAPI web frameworks: (name, file, line)."""
        return sorted((name, path, line) for name, (path, line)
                      in self.model.frameworks.items() if name != "FastAPI")

    def other_label(self) -> tuple[str, str, int]:
        name, path, line = self.others[0]
        return name, path, line

    @property
    def fastapi_routes(self) -> list[Route]:
        return self.model.routes_of("fastapi")

    def predict_routes(self, routes: Iterable[Route]) -> list[Route]:
        """The POST routes that serve predictions: those whose path names one, then those
        whose handler runs a model or an LLM client whatever the path (a RAG chat route)."""
        posts = [r for r in routes if r.allows("POST")]
        named = [r for r in posts if is_inference_path(r)]
        return named + [r for r in posts if r not in named and inference_call(r)]


# the inference routes of the common serving protocols besides ``/predict``: the Open
# Inference (KServe V2) protocol's ``/v2/models/{name}/infer``, SageMaker's
# ``/invocations``, Azure ML's ``/score``, the OpenAI-compatible API's
# ``/v1/completions`` and ``/v1/chat/completions`` (vLLM, TGI, llama.cpp) and TGI's
# ``/generate``
INFERENCE_SEGMENTS = frozenset({"infer", "invocations", "score", "completions", "generate"})


def is_inference_path(route: Route) -> bool:
    """A route whose path names a prediction (``predict`` anywhere, or a protocol's
    inference segment)."""
    return "predict" in route.path.lower() or bool(
        {seg.lower() for seg in route.segments} & INFERENCE_SEGMENTS)


# methods that run a model or an LLM client: scikit-learn/Keras/PyTorch wrappers'
# predict, LangChain's invoke, Hugging Face's and Gemini's generate(_content)
INFERENCE_METHODS = frozenset({"predict", "predict_proba", "predict_batch", "invoke",
                               "ainvoke", "generate", "agenerate", "generate_content",
                               "generate_content_async"})
# the client calls of the OpenAI (chat.completions.create, completions.create) and
# Anthropic (messages.create) SDKs: the attribute before ``create``
CREATE_OWNERS = frozenset({"completions", "messages"})


def inference_call(route: Route) -> str | None:
    """The first call in the route's handler that runs a model or an LLM client
    (``model.predict``, ``llm.invoke``, ``client.chat.completions.create``), as written."""
    if route.handler is None:
        return None
    for node in ast.walk(route.handler):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        func = node.func
        owner = func.value.attr if isinstance(func.value, ast.Attribute) else None
        if func.attr in INFERENCE_METHODS or (func.attr == "create"
                                              and owner in CREATE_OWNERS):
            return ast.unparse(func)[:80]
    return None


def serving(ctx: Context) -> Serving:
    return Serving(serving_model(ctx.repo, ctx.files(["**/*.py"]), ctx.project.path))


# a health word at the start of the segment or after a separator (``/healthz``,
# ``/health-check``, ``/_ping``), not inside another word (``/is_sleeping``)
HEALTH_SEGMENT = lazy_re.compile(r"(?:^|[_.-])(?:health|ready|readiness|live|liveness|ping|status)",
                                 re.IGNORECASE)


def health_routes(ctx: Context) -> list[tuple[str, str]]:
    """The GET routes of the project's serving code whose last segment names a health
    check (``/health``, ``/api/v1/utils/health-check``): (path, file), in source order,
    without duplicates: what a probe, a smoke or a load test can target."""
    found = [(r.path, r.file) for r in serving(ctx).model.routes
             if r.allows("GET") and r.segments and HEALTH_SEGMENT.search(r.segments[-1])]
    return list(dict.fromkeys(found))


# the root folders a repository keeps its deployment files in
DEPLOY_DIRS = frozenset({"k8s", "kubernetes", "kube", "manifests", "deploy", "deployment",
                         "deployments", "helm", "charts", "infra", "ops", "devops",
                         "docker", "loadtest", "loadtests", "load_tests", "perf", "locust",
                         "tests", "test"})


def near(deploy_file: str, code_file: str) -> bool:
    """Whether ``code_file`` belongs to the app that ``deploy_file`` (a manifest, a
    Dockerfile, a load test) deploys: their common folder is the deploy file's own, or its
    parent when the deploy file sits in a deployment folder (``svc/k8s/app.yaml`` and
    ``svc/app/main.py``), or the repository root with
    the deploy file in a deployment folder there (``deploy/k8s/app.yaml``); not two
    sample apps side by side in a collection of samples."""
    here = PurePosixPath(deploy_file).parent.parts
    there = PurePosixPath(code_file).parent.parts
    common = 0
    while common < min(len(here), len(there)) and here[common] == there[common]:
        common += 1
    if len(there) - common > 3:
        return False
    up = len(here) - common
    if up == 0:
        return True
    if up == 1 and common > 0:
        return here[-1].lower().lstrip(".") in DEPLOY_DIRS
    return common == 0 and up <= 3 and here[0].lower().lstrip(".") in DEPLOY_DIRS


def routes(ctx: Context) -> list[tuple[str, tuple[str, ...]]]:
    """Every route of the project's serving code: (path, methods), in source order."""
    return list(dict.fromkeys((r.path, r.methods) for r in serving(ctx).model.routes))


def call_name(model: ServingModel, module: Module, call: ast.Call) -> str:
    if isinstance(call.func, ast.Attribute) and not isinstance(call.func.value,
                                                                ast.Name | ast.Attribute):
        return "." + call.func.attr  # a method on a call result: x().load_model
    return model.qualname(module, call.func) or ""


def is_cached(model: ServingModel, module: Module, func: FunctionNode) -> bool:
    return any(d in CACHE_DECORATORS or d.endswith((".lru_cache", ".cache", ".cached"))
               for d in model.decorators(module, func))


@dataclass(frozen=True)
class Site:
    """A call found by walking a function and the project functions it calls."""

    module: Module
    call: ast.Call
    qual: str
    func: FunctionNode  # the function whose body holds the call
    cached: bool  # reached through an lru_cache'd function
    chain: tuple[Caller, ...] = ()  # how ``func`` was reached, outermost call first


@dataclass(frozen=True)
class Caller:
    module: Module
    func: FunctionNode
    call: ast.Call  # the call, inside ``func``, that leads one level deeper


def reach(model: ServingModel, module: Module, func: FunctionNode,
          owner: ast.ClassDef | None = None, depth: int = 4) -> Iterator[Site]:
    """Calls in ``func`` and, up to ``depth`` levels, in the project functions it calls."""
    seen: set[int] = set()
    todo: list[tuple[Module, FunctionNode, ast.ClassDef | None, bool, tuple[Caller, ...]]] = [
        (module, func, owner, is_cached(model, module, func), ())]
    while todo:
        mod, fn, cls, cached, chain = todo.pop()
        if id(fn) in seen:
            continue
        seen.add(id(fn))
        for node in ast.walk(fn):
            if isinstance(node, ast.Call):
                yield Site(mod, node, call_name(model, mod, node), fn, cached, chain)
        if len(chain) < depth:
            for where, callee, klass, call in model.callees(mod, fn, cls):
                todo.append((where, callee, klass, cached or is_cached(model, where, callee),
                             (*chain, Caller(mod, fn, call))))


def route_entry(s: Serving, route: Route) -> list[tuple[Module, FunctionNode]]:
    """The handler of ``route`` and the dependencies FastAPI calls for each request."""
    module = s.model.module(route.handler_path)
    declared_in = s.model.module(route.file)
    if module is None or declared_in is None or route.handler is None:
        return []
    out = [(module, route.handler)]
    deps: list[tuple[Module, ast.expr]] = []
    for param in s.model.params(route):
        if param.marker in ("Depends", "Security") and param.marker_call is not None:
            target = call_arg(param.marker_call, "dependency", 0)
            if target is not None:
                deps.append((module, target))
    listed = call_arg(route.call, "dependencies") if route.call is not None else None
    if isinstance(listed, ast.List | ast.Tuple):
        for item in listed.elts:
            if isinstance(item, ast.Call) and item.args:
                deps.append((declared_in, item.args[0]))
    for where, dep in deps:
        found = s.model.function(where, dep)
        if found is not None:
            out.append(found)
    return out


def route_calls(s: Serving, route: Route, depth: int = 3) -> Iterator[Site]:
    for module, func in route_entry(s, route):
        yield from reach(s.model, module, func, depth=depth)
