"""Well-known model servers and the scoring scripts a platform calls (levels.md §2: they
earn the serving credit, the guide's FastAPI is advice): where one is declared and
whether the repository also contains the server itself (API001, API002, API003).
"""

from __future__ import annotations

import ast

from mlops_lint.context import Context
from mlops_lint.parsers.fastapi_app import FRAMEWORKS, SCORING_SCRIPTS, Module, serving_model
from mlops_lint.parsers.python_source import is_test_path
from mlops_lint.readers.deployment import in_docs
from mlops_lint.readers.serving import Serving

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


def _prefixes(label: str) -> tuple[str, ...]:
    return tuple(prefix for prefix, name in FRAMEWORKS.items() if name == label)


def imported_from(qual: str | None, prefixes: tuple[str, ...]) -> bool:
    return bool(qual) and any(qual == p or str(qual).startswith(p + ".") for p in prefixes)


Place = tuple[str, int, str]  # (file, line, what)


def _classes(s: Serving, module: Module, path: str, prefixes: tuple[str, ...]
             ) -> tuple[Place | None, Place | None]:
    """(the model class the server loads, the first class built on the framework) of
    ``module``: ``class M(MLModel)``, a codec or a helper."""
    built: Place | None = None
    for node in module.nodes(ast.ClassDef):
        base = next((q for b in node.bases
                     if imported_from(q := s.model.qualname(module, b), prefixes)), None)
        if base is None:
            continue
        site = (path, node.lineno, f"class {node.name}({base.rsplit('.', 1)[-1]})")
        if base.rsplit(".", 1)[-1] in SERVER_BASES or base.startswith("ts.torch_handler."):
            return site, built  # the model class the server loads
        built = built or site  # a codec, a helper: a class of the framework all the same
    return None, built


def _decorated(s: Serving, module: Module, path: str, prefixes: tuple[str, ...]
               ) -> Place | None:
    """The first class or function of ``module`` the framework decorates."""
    for func in [*module.nodes(ast.ClassDef), *module.functions()]:
        for deco in func.decorator_list:
            target = deco.func if isinstance(deco, ast.Call) else deco
            qual = s.model.qualname(module, target)
            if imported_from(qual, prefixes):
                return (path, func.lineno, f"@{str(qual).rsplit('.', 1)[-1]} {func.name}")
    return None


def _server_call(module: Module, path: str, prefixes: tuple[str, ...]) -> Place | None:
    """The first call of ``module`` that starts or declares the server."""
    for qual, call in module.calls():
        if imported_from(qual, prefixes) and qual.rsplit(".", 1)[-1] in SERVER_CALLS:
            return (path, call.lineno, f"{qual.rsplit('.', 1)[-1]}(")
    return None


def server_site(s: Serving, label: str) -> Place | None:
    """Where a model server is declared, not imported: a class built on the framework
    (``class M(MLModel)``, ``class H(BaseHandler)``, ``class A(ls.LitAPI)``), a class or
    function it decorates (``@bentoml.service``, ``@serve.deployment``), or a call that
    starts or declares the server (``bentoml.Service(``, ``kserve.ModelServer(``):
    (file, line, what)."""
    prefixes = _prefixes(label)
    if not prefixes:
        return None
    built: Place | None = None
    decorated: Place | None = None
    called: Place | None = None
    for path, module in sorted(s.model.modules.items()):
        if not any(imported_from(i, prefixes) for i, _ in module.imports):
            continue
        model_class, first_built = _classes(s, module, path, prefixes)
        if model_class is not None:
            return model_class
        built = built or first_built
        decorated = decorated or _decorated(s, module, path, prefixes)
        called = called or _server_call(module, path, prefixes)
    return decorated or called or built


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
