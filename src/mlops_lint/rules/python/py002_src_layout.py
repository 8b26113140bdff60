"""PY002: a package under src/, discovery pointing at it, no library modules at the root.

A flat package layout (a package at the project root) passes, ``src/`` being advice
(levels.md point 2). A root module that creates a FastAPI/Flask app or is a Streamlit
app is an entry script, not library code at the root.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ini import Ini, parse_ini
from mlops_lint.parsers.python_source import python_index
from mlops_lint.parsers.toml_file import dig
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import ENTRY_SCRIPTS, name_list, read_pyproject

AUTO_SRC_BACKENDS = ("setuptools", "hatchling", "flit_core", "pdm", "poetry", "uv_build",
                     "scikit_build_core", "maturin")
NOT_PACKAGES = frozenset({"tests", "test", "testing", "docs", "doc", "scripts", "examples",
                          "notebooks", "benchmarks", "tools", "configs", "config", "data",
                          "src", "app", "api"})


def _pyproject_discovery(doc: dict[str, Any]) -> tuple[bool, str] | None:
    """Explicit package discovery in pyproject.toml: (points at src/, evidence)."""
    where = dig(doc, "tool", "setuptools", "packages", "find", "where")
    if isinstance(where, list) and where:
        return (any(str(w).strip("./") == "src" for w in where),
                "[tool.setuptools.packages.find] where")
    package_dir = dig(doc, "tool", "setuptools", "package-dir")
    if isinstance(package_dir, dict) and package_dir:
        return (any(str(v).strip("./") == "src" or str(v).startswith("src/")
                    for v in package_dir.values()), "[tool.setuptools] package-dir")
    packages = dig(doc, "tool", "poetry", "packages")
    if isinstance(packages, list) and packages:
        return (any(isinstance(p, dict) and str(p.get("from", "")).strip("./") == "src"
                    for p in packages), "[tool.poetry] packages")
    hatch = dig(doc, "tool", "hatch", "build", "targets", "wheel", "packages")
    if isinstance(hatch, list) and hatch:
        return (any(str(p).startswith("src/") for p in hatch),
                "[tool.hatch.build.targets.wheel] packages")
    return None


def _setup_cfg_discovery(ctx: Context) -> tuple[bool, str] | None:
    setup_cfg = ctx.path("setup.cfg")
    ini = ctx.repo.parse(setup_cfg, parse_ini) if ctx.repo.exists(setup_cfg) else None
    if not isinstance(ini, Ini):
        return None
    package_dir = ini.get("options", "package_dir")
    if package_dir:
        return "src" in package_dir.replace(" ", ""), "setup.cfg [options] package_dir"
    where = ini.get("options.packages.find", "where")
    if where:
        return where.strip("./") == "src", "setup.cfg [options.packages.find] where"
    return None


def _src_discovery(ctx: Context, doc: dict[str, Any] | None) -> tuple[bool | None, str]:
    """(True: points at src, False: points elsewhere, None: automatic), and evidence."""
    explicit = (_pyproject_discovery(doc) if doc else None) or _setup_cfg_discovery(ctx)
    if explicit is not None:
        return explicit
    backend = dig(doc, "build-system", "build-backend") if doc else None
    if isinstance(backend, str) and backend.split(".")[0] in AUTO_SRC_BACKENDS:
        return None, backend
    return None, ""


def _root_code(local: list[str]) -> list[str]:
    """Library modules and packages at the project root (entry scripts excepted)."""
    modules = sorted(rel for rel in local if "/" not in rel and rel.endswith(".py")
                     and rel not in ENTRY_SCRIPTS)
    packages = sorted({rel.split("/")[0] for rel in local
                       if re.fullmatch(r"[A-Za-z_]\w*/__init__\.py", rel)
                       and rel.split("/")[0] not in NOT_PACKAGES})
    return modules + [p + "/" for p in packages]


APP_CONSTRUCTORS = frozenset({"fastapi.FastAPI", "flask.Flask"})


def _app_script(ctx: Context, rel: str) -> bool:
    """A root module that creates a ``FastAPI()``/``Flask()`` app or is a Streamlit app:
    an entry script (``app.py``, ``serve.py``), not library code at the root."""
    if rel.endswith("/"):
        return False
    index = python_index(ctx.repo, ctx.path(rel))
    if isinstance(index, ParseError):
        return False
    return any(qual in APP_CONSTRUCTORS for qual, _ in index.calls) or any(
        origin == "streamlit" or origin.startswith("streamlit.")
        for origin in index.aliases.values())


def _flat_layout(ctx: Context, stray: list[str]) -> Finding:
    packages = [s for s in stray if s.endswith("/")]
    if packages:  # a package layout all the same (levels.md point 2): src/ is advice
        return passed(T(f"flat package layout: {name_list(packages)} (the guide's src/ layout "
                        "also keeps tests from importing the working tree instead of the "
                        "installed package)",
                        f"estructura de paquete plana: {name_list(packages)} (la estructura src/ "
                        "de la guía además evita que los tests importen el árbol de trabajo "
                        "en lugar del paquete instalado)"), ctx.path(packages[0].rstrip("/")))
    flat = T(f"; flat layout: {name_list(stray)} at the project root",
             f"; estructura plana: {name_list(stray)} en la raíz del proyecto") \
        if stray else T("", "")
    return failed(T("no package under src/ (src/<pkg>/__init__.py)",
                    "no hay paquete en src/ (src/<pkg>/__init__.py)") + flat,
                  ctx.path(stray[0].rstrip("/")) if stray else None,
                  1 if stray and not stray[0].endswith("/") else None)


@rule("PY002")
def src_layout(ctx: Context, params: None) -> Iterator[Finding]:
    """PY002: a package under src/, discovery pointing at it, no library modules at the root."""
    local = [ctx.project.local(f) for f in ctx.project.files]
    # a template repository names its package with a placeholder (src/{service}/): the
    # package it generates is still a package under src/
    packages = sorted({rel.split("/")[1] for rel in local
                       if re.fullmatch(r"src/(?:[A-Za-z_]\w*|\{[A-Za-z_][\w-]{0,60}\})"
                                       r"/__init__\.py", rel)})
    stray = [rel for rel in _root_code(local) if not _app_script(ctx, rel)]
    if not packages:
        yield _flat_layout(ctx, stray)
        return
    _, doc = read_pyproject(ctx)
    points, evidence = _src_discovery(ctx, doc if isinstance(doc, dict) else None)
    pkg = f"src/{packages[0]}/"
    if points is False:
        yield failed(T(f"{evidence} does not point at src/, so {pkg} is not packaged",
                       f"{evidence} no apunta a src/, así que {pkg} no se empaqueta"),
                     ctx.path("setup.cfg" if "setup.cfg" in evidence else "pyproject.toml"), 1)
    elif stray:
        yield warned(T(f"{pkg} exists but library code also sits at the project root: "
                       f"{name_list(stray)}",
                       f"{pkg} existe pero también hay código de librería en la raíz del "
                       f"proyecto: {name_list(stray)}"), ctx.path(stray[0].rstrip("/")),
                     fix=T("move these modules into the package under src/ (keep only entry "
                           "scripts such as main.py at the root)",
                           "mueve estos módulos al paquete en src/ (deja en la raíz solo "
                           "scripts de entrada como main.py)"))
    else:
        how = (T(f" (discovery: {evidence})", f" (descubrimiento: {evidence})") if points
               else T(f" (found automatically by {evidence})",
                      f" (encontrado automáticamente por {evidence})") if evidence
               else T("", ""))
        yield passed(T(f"src layout: {pkg}", f"estructura src: {pkg}") + how,
                     ctx.path(f"{pkg}__init__.py"))
