"""SEC006: no unsafe deserialisation or eval in serving code.

Serving code is the closure (the project modules they import) of the serving files and of
the Streamlit apps. ``pickle``/``dill``/``cloudpickle`` loads and ``yaml.load`` without a
safe loader fail; ``eval``/``exec`` of a non-literal fails inside a request's handling and
warns elsewhere. The serving layer is read by :mod:`mlops_lint.readers.serving`, shared
with the API rules (rules/api).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.fastapi_app import Module
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.serving import Serving, route_calls, serving
from mlops_lint.rules import rule

UNSAFE_PICKLE = frozenset({
    "pickle.load", "pickle.loads", "cPickle.load", "cPickle.loads", "_pickle.load",
    "_pickle.loads", "dill.load", "dill.loads", "cloudpickle.load", "cloudpickle.loads",
})


SAFE_YAML_LOADERS = ("SafeLoader", "CSafeLoader", "BaseLoader", "CBaseLoader")


def _serving_modules(s: Serving) -> list[Module]:
    roots = set(s.model.serving_files)
    roots |= {m.path for m in s.model.modules.values() if m.index.imports("streamlit")}
    return s.model.closure(roots)


@rule("SEC006")
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
