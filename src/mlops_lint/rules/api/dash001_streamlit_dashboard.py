"""DASH001: the Streamlit dashboard caches data and model, offers two views or more and
calls the model or the API.

Views are ``st.tabs``, ``st.navigation``, a ``pages/`` folder, or a radio/selectbox used as
navigation (in the sidebar, horizontal, or labelled as such). Not applicable without
Streamlit.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.fastapi_app import Module, ServingModel
from mlops_lint.parsers.python_source import call_arg
from mlops_lint.readers.serving import call_name, serving
from mlops_lint.rules import rule
from mlops_lint.rules.api._shared import is_inference, is_loader

NAVIGATION_LABEL = lazy_re.compile(r"nav|page|p[áa]gina|view|vista|secci|men[uú]|tab|go to|ir a",
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


@dataclass
class _Dashboard:
    """What the Streamlit apps of a project do, gathered module by module."""

    cache_data: bool = False
    cache_resource: bool = False
    legacy: list[str] = field(default_factory=list)  # deprecated @st.cache sites
    views: int = 0
    calls_model: bool = False

    def decorated(self, model: ServingModel, module: Module,
                  node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        decorators = set(model.decorators(module, node))
        self.cache_data |= bool(decorators & {"streamlit.cache_data",
                                              "streamlit.experimental_memo"})
        self.cache_resource |= bool(decorators & {"streamlit.cache_resource",
                                                  "streamlit.experimental_singleton"})
        self.legacy += [f"{module.path}:{node.lineno}" for d in decorators
                        if d == "streamlit.cache"]

    def called(self, model: ServingModel, module: Module, node: ast.Call) -> None:
        qual = call_name(model, module, node)
        if qual == "streamlit.tabs":
            labels = node.args[0] if node.args else None
            self.views = max(self.views, len(labels.elts) if isinstance(
                labels, ast.List | ast.Tuple) else 2)
        elif qual in ("streamlit.navigation",):
            pages = node.args[0] if node.args else None
            self.views = max(self.views, len(pages.elts) if isinstance(
                pages, ast.List | ast.Tuple) else 2)
        elif qual.endswith((".radio", ".selectbox", ".segmented_control", ".pills")) and \
                qual.startswith("streamlit."):
            self.views = max(self.views, _navigation_options(model, module, node, qual))
        if qual.startswith(("requests.", "httpx.", "urllib.request.urlopen")) or \
                is_inference(qual) or is_loader(qual):
            self.calls_model = True

    def missing(self) -> list[T]:
        missing: list[T] = []
        if not self.cache_data:
            missing.append(T("@st.cache_data for data", "@st.cache_data para los datos"))
        if not self.cache_resource:
            missing.append(T("@st.cache_resource for the model",
                             "@st.cache_resource para el modelo"))
        if self.views < 2:
            missing.append(T("≥2 views (st.tabs or pages/)", "≥2 vistas (st.tabs o pages/)"))
        if not self.calls_model:
            missing.append(T("a call to the API (requests/httpx) or the model",
                             "una llamada a la API (requests/httpx) o al modelo"))
        if self.legacy:
            missing.append(T(f"deprecated @st.cache at {self.legacy[0]} removed",
                             f"quitar el obsoleto @st.cache en {self.legacy[0]}"))
        return missing


def _scan(model: ServingModel, apps: list[Module]) -> _Dashboard:
    board = _Dashboard()
    for module in apps:
        if "pages" in module.path.split("/")[:-1]:
            board.views += 1
        for node in ast.walk(module.tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
                board.decorated(model, module, node)
            if isinstance(node, ast.Call):
                board.called(model, module, node)
    if any("pages" in m.path.split("/")[:-1] for m in apps):
        board.views += 1  # the entry page
    return board


@rule("DASH001")
def streamlit_dashboard(ctx: Context, params: None) -> Iterator[Finding]:
    """DASH001: Streamlit app caches data and model, has ≥2 views and calls the model/API."""
    s = serving(ctx)
    apps = [m for m in s.model.modules.values() if m.index.imports("streamlit")]
    if not apps:
        yield skipped(T("not applicable: this project does not use Streamlit",
                        "no aplica: este proyecto no usa Streamlit"))
        return
    board = _scan(s.model, apps)
    main = next((m for m in apps if "pages" not in m.path.split("/")[:-1]), apps[0])
    missing = board.missing()
    if missing:
        yield failed(T("Streamlit app lacks: ", "a la app Streamlit le falta: ")
                     + T.join(missing), main.path)
    else:
        yield passed(T(f"Streamlit app caches data and model, {board.views} views, calls the "
                       "model/API",
                       f"la app Streamlit cachea datos y modelo, {board.views} vistas, llama al "
                       "modelo/API"), main.path)
