"""Phase 1 checks: packaging, layout, typing, mypy, docstrings, Pydantic config, linting,
code hygiene, task runner, complexity (PY001-PY011) and design documents (DES001-DES002).

Every Python file is parsed once per run (:func:`python_index`), and whole-project
analyses shared by several rules (the library file list, the type-hint census used by
the three levels of PY003, the Pydantic model inventory used by PY006 and PY007) are
memoized on the repository.

*Library code* is ``src/**`` of the project when it has a ``src/`` directory; otherwise
every Python file of the project except tests, ``docs/``, ``scripts/``, ``examples/``,
``notebooks/``, ``benchmarks/``, ``tools/`` and entry scripts (``setup.py``,
``noxfile.py``, ``conftest.py``, ``tasks.py``, ``manage.py``, ``fabfile.py``).
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import Any

from pydantic import Field
from radon.complexity import cc_rank
from radon.metrics import mi_compute, mi_rank
from radon.raw import analyze
from radon.visitors import Function

from mlops_lint.checks import Params, check
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ini import Ini, parse_ini
from mlops_lint.parsers.invocations import MYPY, Invocation, Tool, makefile_at, tool_runs
from mlops_lint.parsers.markdown import Markdown, headings_matching, parse_markdown
from mlops_lint.parsers.mypy_config import MypyConfig, find_mypy_config, toml_table_line
from mlops_lint.parsers.python_metrics import complexity_blocks, halstead_volume
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index
from mlops_lint.parsers.requirements import (
    normalize_name,
    parse_requirement,
    parse_requirements,
    satisfies,
)
from mlops_lint.parsers.shell import Simple
from mlops_lint.parsers.toml_file import dig

NON_LIBRARY_DIRS = frozenset({"tests", "test", "testing", "docs", "doc", "scripts",
                              "examples", "notebooks", "benchmarks", "tools", "fixtures"})
ENTRY_SCRIPTS = frozenset({"setup.py", "noxfile.py", "conftest.py", "tasks.py", "manage.py",
                           "fabfile.py", "main.py", "__main__.py"})
MAX_LISTED = 5


def _pct(part: int, whole: int) -> str:
    return f"{part}/{whole} ({100 * part / whole:.0f} %)" if whole else "0/0"


def _names(items: Iterable[str], limit: int = MAX_LISTED) -> str:
    listed = list(items)
    head = ", ".join(listed[:limit])
    return head + (f" (+{len(listed) - limit})" if len(listed) > limit else "")


# -- shared: library files and their ASTs ---------------------------------------------------


def library_files(ctx: Context) -> list[str]:
    """The project's library Python files (see the module docstring)."""
    key = f"py:library:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is None:
        files = ctx.files(["**/*.py"])
        local = {f: ctx.project.local(f) for f in files}
        cached = [f for f, rel in local.items()
                  if rel.startswith("src/") and not is_test_path(rel)]
        if not cached:
            cached = [f for f, rel in local.items()
                      if not is_test_path(rel)
                      and not set(rel.split("/")[:-1]) & NON_LIBRARY_DIRS
                      and rel.split("/")[-1] not in ENTRY_SCRIPTS - {"main.py", "__main__.py"}]
        ctx.repo.memo[key] = cached
    result: list[str] = cached
    return result


def library_indexes(ctx: Context) -> tuple[list[PythonIndex], list[ParseError]]:
    indexes: list[PythonIndex] = []
    errors: list[ParseError] = []
    for path in library_files(ctx):
        parsed = python_index(ctx.repo, path)
        if isinstance(parsed, ParseError):
            errors.append(parsed)
        else:
            indexes.append(parsed)
    return indexes, errors


def _unparsed_note(errors: list[ParseError]) -> T:
    if not errors:
        return T("", "")
    return T(f"; {len(errors)} file(s) could not be parsed and were left out (see PY003)",
             f"; {len(errors)} archivo(s) no se pudieron analizar y quedaron fuera (ver PY003)")


_BODIES = ("body", "orelse", "finalbody", "handlers")


def statements(tree: ast.AST) -> Iterator[ast.AST]:
    """Every statement (and except handler) of a module, without descending into
    expressions: several times cheaper than ``ast.walk`` for rules about definitions."""
    stack: list[ast.AST] = [tree]
    while stack:
        node = stack.pop()
        yield node
        for name in _BODIES:
            children = getattr(node, name, None)
            if isinstance(children, list):
                stack.extend(reversed(children))
        if isinstance(node, ast.Match):
            stack.extend(c for case in node.cases for c in reversed(case.body))


def _decorator_names(node: ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef) -> set[str]:
    names = set()
    for dec in node.decorator_list:
        target = dec.func if isinstance(dec, ast.Call) else dec
        if isinstance(target, ast.Name):
            names.add(target.id)
        elif isinstance(target, ast.Attribute):
            names.add(target.attr)
    return names


def _is_public(name: str) -> bool:
    return not name.startswith("_") or (name.startswith("__") and name.endswith("__"))


def _pyproject(ctx: Context, directory: str | None = None) -> tuple[str, Any]:
    """(path, parsed document or ParseError or None) of a pyproject.toml."""
    path = ctx.path("pyproject.toml") if directory is None else (
        "pyproject.toml" if directory == "." else f"{directory}/pyproject.toml")
    if not ctx.repo.exists(path):
        return path, None
    return path, ctx.repo.toml(path)


def _line_of_table(ctx: Context, path: str, table: str) -> int | None:
    text = ctx.repo.text(path)
    return toml_table_line(text, table) if isinstance(text, str) else None


def _dirs(ctx: Context) -> list[str]:
    """The project directory, then the repository root."""
    return list(dict.fromkeys([ctx.project.path, "."]))


# -- PY001 packaging metadata ---------------------------------------------------------------

DEV_REQUIREMENT_FILES = ("requirements-dev.txt", "requirements_dev.txt", "dev-requirements.txt",
                         "requirements/dev.txt", "requirements-test.txt",
                         "requirements/test.txt")


def _names_of(entries: object) -> set[str]:
    out = set()
    if isinstance(entries, list):
        for entry in entries:
            if isinstance(entry, str):
                req = parse_requirement(entry)
                if req is not None:
                    out.add(req.name)
    elif isinstance(entries, dict):
        out.update(normalize_name(str(k)) for k in entries)
    return out


def dev_dependency_sets(ctx: Context, doc: dict[str, Any]) -> dict[str, set[str]]:
    """Named sets of development dependencies: ``dev``-like ones and test extras."""
    sets: dict[str, set[str]] = {}
    extras = dig(doc, "project", "optional-dependencies")
    if isinstance(extras, dict):
        for name, entries in extras.items():
            sets[f"[project.optional-dependencies].{name}"] = _names_of(entries)
    groups = dig(doc, "dependency-groups")
    if isinstance(groups, dict):
        for name, entries in groups.items():
            sets[f"[dependency-groups].{name}"] = _names_of(entries)
    poetry_groups = dig(doc, "tool", "poetry", "group")
    if isinstance(poetry_groups, dict):
        for name, body in poetry_groups.items():
            sets[f"[tool.poetry.group.{name}]"] = _names_of(dig(body, "dependencies"))
    legacy = dig(doc, "tool", "poetry", "dev-dependencies")
    if isinstance(legacy, dict):
        sets["[tool.poetry.dev-dependencies]"] = _names_of(legacy)
    pdm = dig(doc, "tool", "pdm", "dev-dependencies")
    if isinstance(pdm, dict):
        for name, entries in pdm.items():
            sets[f"[tool.pdm.dev-dependencies].{name}"] = _names_of(entries)
    for name in DEV_REQUIREMENT_FILES:
        path = ctx.path(name)
        if ctx.repo.exists(path):
            parsed = ctx.repo.parse(path, parse_requirements)
            if not isinstance(parsed, ParseError):
                sets[path] = {r.requirement.name for r in parsed.requirements if r.requirement}
    return sets


def _is_dev_set(label: str) -> bool:
    return (label.endswith((".dev", "[tool.poetry.group.dev]", "dev-dependencies]"))
            or ("requirements" in label and "test" not in label.rsplit("/", 1)[-1]))


def _no_pyproject(legacy: str | None) -> Finding:
    if legacy:
        return warned(T(f"no pyproject.toml; packaging lives in {legacy} only",
                        f"no hay pyproject.toml; el empaquetado está solo en {legacy}"), legacy, 1)
    return failed(T("no pyproject.toml (and no setup.py): the project cannot be installed "
                    "with pip install -e '.[dev]'",
                    "no hay pyproject.toml (ni setup.py): el proyecto no se puede instalar "
                    "con pip install -e '.[dev]'"))


def _metadata_gaps(doc: dict[str, Any]) -> tuple[list[T], bool]:
    """What [build-system] and [project]/[tool.poetry] lack, and whether either exists."""
    gaps: list[T] = []
    build = doc.get("build-system")
    if not isinstance(build, dict) or not build.get("requires") or not isinstance(
            build.get("build-backend"), str):
        gaps.append(T("[build-system] needs 'requires' and 'build-backend'",
                      "[build-system] necesita 'requires' y 'build-backend'"))
    project = doc.get("project")
    poetry = dig(doc, "tool", "poetry")
    if isinstance(project, dict):
        dynamic_raw = project.get("dynamic")
        dynamic: list[Any] = dynamic_raw if isinstance(dynamic_raw, list) else []
        missing = [k for k in ("name", "version", "requires-python", "dependencies")
                   if k not in project and k not in dynamic]
        table = "[project]"
    elif isinstance(poetry, dict):
        missing = [k for k in ("name",) if k not in poetry]
        if not isinstance(dig(poetry, "dependencies", "python"), str):
            missing.append("dependencies.python")
        table = "[tool.poetry]"
    else:
        gaps.append(T("no [project] (PEP 621) or [tool.poetry] table",
                      "no hay tabla [project] (PEP 621) ni [tool.poetry]"))
        return gaps, False
    if missing:
        gaps.append(T(f"{table} lacks {', '.join(missing)}",
                      f"a {table} le falta {', '.join(missing)}"))
    return gaps, True


def _dev_gaps(ctx: Context, doc: dict[str, Any]) -> tuple[list[T], list[T]]:
    """(problems, notes) about pytest and pytest-cov in the dev dependency set."""
    sets = dev_dependency_sets(ctx, doc)
    dev_names = set().union(*(v for k, v in sets.items() if _is_dev_set(k)))
    other_names = set().union(*sets.values())
    lacking = sorted({"pytest", "pytest-cov"} - dev_names)
    if not lacking:
        return [], []
    names = ", ".join(lacking)
    if all(n in other_names for n in lacking):
        return [], [T(f"{names} only in a test extra, not in the 'dev' set that "
                      "pip install -e '.[dev]' installs",
                      f"{names} solo en un extra de test, no en el grupo 'dev' que instala "
                      "pip install -e '.[dev]'")]
    return [T(f"the dev dependencies lack {names} ([project.optional-dependencies].dev, a "
              "Poetry dev group or requirements-dev.txt)",
              f"a las dependencias de desarrollo les falta {names} "
              "([project.optional-dependencies].dev, un grupo dev de Poetry o "
              "requirements-dev.txt)")], []


@check("pyproject_metadata")
def pyproject_metadata(ctx: Context, params: None) -> Iterator[Finding]:
    """PY001: pyproject.toml with build system, metadata and a dev set with pytest."""
    path, doc = _pyproject(ctx)
    legacy = ctx.first("setup.py", "setup.cfg", "requirements.txt")
    if doc is None:
        yield _no_pyproject(legacy)
        return
    if isinstance(doc, ParseError):
        yield failed(T(f"pyproject.toml does not parse: {doc.message}",
                       f"pyproject.toml no se puede leer: {doc.message}"), path, doc.line)
        return
    metadata, has_table = _metadata_gaps(doc)
    if not has_table and legacy and legacy.endswith(("setup.py", "setup.cfg")):
        yield warned(T(f"pyproject.toml has no [project] table; the metadata lives in {legacy}",
                       f"pyproject.toml no tiene tabla [project]; los metadatos están en "
                       f"{legacy}"), path, 1)
        return
    dev_problems, notes = _dev_gaps(ctx, doc)
    problems = metadata + dev_problems
    if problems:
        yield failed(T.join(problems), path, 1)
    elif notes:
        yield warned(T.join(notes), path, 1)
    else:
        yield passed(T("pyproject.toml has a build system, project metadata, requires-python "
                       "and dev dependencies with pytest and pytest-cov",
                       "pyproject.toml tiene build system, metadatos, requires-python y "
                       "dependencias dev con pytest y pytest-cov"), path)


# -- PY002 src layout -------------------------------------------------------------------------

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
    flat = T(f"; flat layout: {_names(stray)} at the project root",
             f"; estructura plana: {_names(stray)} en la raíz del proyecto") if stray else T("", "")
    return failed(T("no package under src/ (src/<pkg>/__init__.py)",
                    "no hay paquete en src/ (src/<pkg>/__init__.py)") + flat,
                  ctx.path(stray[0].rstrip("/")) if stray else None,
                  1 if stray and not stray[0].endswith("/") else None)


@check("src_layout")
def src_layout(ctx: Context, params: None) -> Iterator[Finding]:
    """PY002: a package under src/, discovery pointing at it, no library modules at the root."""
    local = [ctx.project.local(f) for f in ctx.project.files]
    packages = sorted({rel.split("/")[1] for rel in local
                       if re.fullmatch(r"src/[A-Za-z_][\w]*/__init__\.py", rel)})
    stray = [rel for rel in _root_code(local) if not _app_script(ctx, rel)]
    if not packages:
        yield _flat_layout(ctx, stray)
        return
    _, doc = _pyproject(ctx)
    points, evidence = _src_discovery(ctx, doc if isinstance(doc, dict) else None)
    pkg = f"src/{packages[0]}/"
    if points is False:
        yield failed(T(f"{evidence} does not point at src/, so {pkg} is not packaged",
                       f"{evidence} no apunta a src/, así que {pkg} no se empaqueta"),
                     ctx.path("setup.cfg" if "setup.cfg" in evidence else "pyproject.toml"), 1)
    elif stray:
        yield warned(T(f"{pkg} exists but library code also sits at the project root: "
                       f"{_names(stray)}",
                       f"{pkg} existe pero también hay código de librería en la raíz del "
                       f"proyecto: {_names(stray)}"), ctx.path(stray[0].rstrip("/")),
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


# -- PY003 type hints ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Def:
    path: str
    line: int
    name: str
    public: bool
    missing: tuple[str, ...]  # unannotated parameters, and "return" when the return is

    @property
    def typed(self) -> bool:
        return not self.missing


@dataclass
class Census:
    defs: list[Def] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)


def _missing_annotations(node: ast.FunctionDef | ast.AsyncFunctionDef, method: bool
                         ) -> tuple[str, ...]:
    args = node.args
    params = [*args.posonlyargs, *args.args]
    decorators = _decorator_names(node)
    if method and "staticmethod" not in decorators and params:
        params = params[1:]
    missing = [a.arg for a in [*params, *args.kwonlyargs] if a.annotation is None]
    if args.vararg is not None and args.vararg.annotation is None:
        missing.append("*" + args.vararg.arg)
    if args.kwarg is not None and args.kwarg.annotation is None:
        missing.append("**" + args.kwarg.arg)
    if node.returns is None and node.name != "__init__":
        missing.append("return")
    return tuple(missing)


def _census_of(index: PythonIndex) -> list[Def]:
    defs: list[Def] = []

    def visit(body: list[ast.stmt], public: bool, in_class: bool) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                is_public = public and _is_public(node.name)
                defs.append(Def(index.path, node.lineno, node.name, is_public,
                                _missing_annotations(node, in_class)))
                visit(node.body, False, False)
            elif isinstance(node, ast.ClassDef):
                visit(node.body, public and _is_public(node.name), True)
            else:
                for child in ast.iter_child_nodes(node):
                    if isinstance(child, ast.stmt):
                        visit([child], public, in_class)

    visit(index.tree.body, True, False)
    return defs


def type_census(ctx: Context) -> Census:
    """Every function of the project's library code with its missing annotations."""
    key = f"py:census:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is None:
        indexes, errors = library_indexes(ctx)
        cached = Census([d for index in indexes for d in _census_of(index)], errors)
        ctx.repo.memo[key] = cached
    census: Census = cached
    return census


def _worst_files(defs: list[Def]) -> list[tuple[str, int, int]]:
    per_file: dict[str, list[int]] = {}
    for d in defs:
        counts = per_file.setdefault(d.path, [0, 0])
        counts[0] += d.typed
        counts[1] += 1
    rows = [(path, typed, total) for path, (typed, total) in per_file.items() if typed < total]
    rows.sort(key=lambda r: (-(r[2] - r[1]), r[1] / r[2], r[0]))
    return rows


def _typing_finding(level: int, defs: list[Def], scope: T, ok: bool, minimum: T
                    ) -> Finding:
    typed = sum(d.typed for d in defs)
    worst = _worst_files(defs)
    summary = T(f"{_pct(typed, len(defs))} of ", f"{_pct(typed, len(defs))} de ") + scope + T(
        f" fully typed (needs {minimum.en})", f" con tipos completos (se necesita {minimum.es})")
    if not worst:
        return passed(summary, level=level)
    listed = "; ".join(f"{p} {t}/{n}" for p, t, n in worst[:3])
    first_file = worst[0][0]
    first = next(d for d in defs if d.path == first_file and not d.typed)
    untyped = [f"{d.name}({', '.join(d.missing)})" for d in defs if not d.typed][:MAX_LISTED]
    message = summary + T(f"; least typed: {listed}", f"; menos tipados: {listed}")
    fix = T(f"annotate every parameter and the return type, e.g. {'; '.join(untyped)}",
            f"anota cada parámetro y el tipo de retorno, p. ej. {'; '.join(untyped)}")
    if ok:
        return passed(message, first.path, first.line, level)
    return failed(message, first.path, first.line, level, fix)


@check("type_hint_coverage")
def type_hint_coverage(ctx: Context, params: None) -> Iterator[Finding]:
    """PY003: share of fully annotated functions (L1 ratio, L2 all public, L3 all)."""
    census = type_census(ctx)
    for error in census.errors:
        yield warned(T(f"cannot parse {error.path}: {error.message}; left out of the type-hint "
                       "ratio (a template or Python 2 code?)",
                       f"no se puede analizar {error.path}: {error.message}; fuera del ratio de "
                       "tipos (¿una plantilla o código Python 2?)"), error.path, error.line,
                     fix=T("make the file valid Python 3, or move templates out of the "
                           "library code", "haz el archivo Python 3 válido, o saca las "
                           "plantillas del código de librería"))
    if not census.defs:
        reason = T("no functions in the library code", "no hay funciones en el código de "
                   "librería")
        yield skipped(reason)
        return
    public = [d for d in census.defs if d.public]
    ratio_min = ctx.thresholds.type_hint_ratio
    public_scope = T("public functions", "funciones públicas")
    if public:
        typed = sum(d.typed for d in public)
        yield _typing_finding(1, public, public_scope, typed >= ratio_min * len(public),
                              T.same(f"{100 * ratio_min:.0f} %"))
        yield _typing_finding(2, public, public_scope, typed == len(public),
                              T.same("100 %"))
    else:
        yield skipped(T("no public functions in the library code",
                        "no hay funciones públicas en el código de librería"), level=1)
        yield skipped(T("no public functions in the library code",
                        "no hay funciones públicas en el código de librería"), level=2)
    everything = sum(d.typed for d in census.defs)
    yield _typing_finding(3, census.defs, T("all functions (private and nested too)",
                                            "todas las funciones (también privadas y anidadas)"),
                          everything == len(census.defs), T.same("100 %"))


# -- PY004 mypy ---------------------------------------------------------------------------------


def _dead_hook_reason(run: Invocation) -> T:
    hook = run.hook
    assert hook is not None
    if run.problem:
        return T(f"the pre-commit mypy hook ({run.describe()}) has an {run.problem}",
                 f"el hook mypy de pre-commit ({run.describe()}) tiene una expresión inválida: "
                 f"{run.problem}")
    filters = ", ".join(f"{k}: {v}" for k, v in (("files", hook.files), ("exclude", hook.exclude),
                                                  ("types", ",".join(hook.types)))
                        if v) or "its filters"
    return T(f"the pre-commit mypy hook ({run.describe()}) never runs: {filters} matches none "
             "of the repository's Python files",
             f"el hook mypy de pre-commit ({run.describe()}) nunca se ejecuta: {filters} no "
             "coincide con ningún archivo Python del repositorio")


def _mypy_config_problem(config: MypyConfig | ParseError | None) -> Finding | None:
    """A level-2 failure about the configuration itself, or None when it is usable."""
    if config is None:
        return failed(T("no mypy configuration ([tool.mypy], mypy.ini, .mypy.ini or setup.cfg "
                        "[mypy])", "no hay configuración de mypy ([tool.mypy], mypy.ini, "
                        ".mypy.ini o setup.cfg [mypy])"), level=2)
    if isinstance(config, ParseError):
        return failed(T(f"the mypy configuration does not parse: {config.message}",
                        f"la configuración de mypy no se puede leer: {config.message}"),
                      config.path, config.line, level=2)
    if not (config.strict or config.disallow_untyped_defs):
        return failed(T(f"{config.section} in {config.path} sets neither strict = true nor "
                        "disallow_untyped_defs = true",
                        f"{config.section} en {config.path} no fija strict = true ni "
                        "disallow_untyped_defs = true"), config.path, config.line, level=2)
    return None


def _not_enforced(dead: list[Invocation], swallowed: list[Invocation]) -> Finding:
    """Why no run enforces mypy: hooks that never run, swallowed failures, or no run."""
    reasons = [_dead_hook_reason(r) for r in dead]
    if swallowed:
        reasons.append(T(f"mypy runs in {swallowed[0].describe()} but its failures are "
                         "ignored (continue-on-error, || true, set +e or a '-' recipe "
                         "prefix), which is not enforcement",
                         f"mypy se ejecuta en {swallowed[0].describe()} pero se ignoran sus "
                         "fallos (continue-on-error, || true, set +e o prefijo '-'), lo que "
                         "no es hacerlo cumplir"))
    if not reasons:
        reasons.append(T("mypy is not run by CI, a pre-commit hook or a Makefile target",
                         "mypy no se ejecuta en CI, en un hook de pre-commit ni en un "
                         "target del Makefile"))
    culprit = next(iter(dead or swallowed), None)
    return failed(T.join(reasons), culprit.path if culprit else None,
                  culprit.line if culprit else None, level=2)


def _mypy_enforced_finding(config: MypyConfig, run: Invocation) -> Finding:
    shadow = T(f" ({', '.join(config.shadowed)} ignored: mypy reads only {config.path})",
               f" ({', '.join(config.shadowed)} se ignora: mypy solo lee {config.path})"
               ) if config.shadowed else T("", "")
    mode = "strict = true" if config.strict else "disallow_untyped_defs = true"
    return passed(T(f"{config.section} in {config.path} sets {mode}; mypy runs in "
                    f"{run.describe()}",
                    f"{config.section} en {config.path} fija {mode}; mypy se ejecuta en "
                    f"{run.describe()}") + shadow, config.path, config.line, level=2)


def _mypy_strict_in_ci(config: MypyConfig | None, live: list[Invocation]) -> Finding:
    """Level 3: strict mode (config or --strict) and a blocking CI run."""
    strict = (config is not None and config.strict) or any("--strict" in r.argv for r in live)
    ci_runs = [r for r in live if r.where == "ci"]
    ci_blocking = [r for r in ci_runs if r.blocking]
    problems = []
    if not strict:
        problems.append(T("mypy is not strict (strict = true or --strict)",
                          "mypy no es estricto (strict = true o --strict)"))
    if not ci_blocking:
        problems.append(
            T(f"the CI mypy step does not block ({ci_runs[0].describe()})",
              f"el paso de mypy en CI no bloquea ({ci_runs[0].describe()})") if ci_runs else
            T("mypy does not run in CI", "mypy no se ejecuta en CI"))
    if not problems:
        return passed(T(f"strict mypy blocks CI in {ci_blocking[0].describe()}",
                        f"mypy estricto bloquea la CI en {ci_blocking[0].describe()}"),
                      ci_blocking[0].path, ci_blocking[0].line, level=3)
    if ci_runs:
        return failed(T.join(problems), ci_runs[0].path, ci_runs[0].line, level=3)
    return failed(T.join(problems), config.path if config else None,
                  config.line if config else None, level=3)


@check("mypy_enforced")
def mypy_enforced(ctx: Context, params: None) -> Iterator[Finding]:
    """PY004: mypy configured (untyped defs disallowed) and run where failures block."""
    config = find_mypy_config(ctx.repo, _dirs(ctx))
    runs = tool_runs(ctx.repo, MYPY, _dirs(ctx))
    live = [r for r in runs if r.checks_files]
    enforcing = [r for r in live if r.blocking]
    problem = _mypy_config_problem(config)
    if problem is not None:
        yield problem
    if not enforcing:
        yield _not_enforced([r for r in runs if not r.checks_files],
                            [r for r in live if not r.blocking])
    elif problem is None and isinstance(config, MypyConfig):
        yield _mypy_enforced_finding(config, enforcing[0])
    yield _mypy_strict_in_ci(config if isinstance(config, MypyConfig) else None, live)


# -- PY005 docstrings -----------------------------------------------------------------------------


ApiNode = ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef


def _public_api(index: PythonIndex) -> list[tuple[ApiNode, str, int]]:
    """(node, qualified name, line) of the public classes, functions and methods."""
    out: list[tuple[ApiNode, str, int]] = []

    def visit(body: list[ast.stmt], prefix: str) -> None:
        for node in body:
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                dunder = node.name.startswith("__") and node.name.endswith("__")
                decorators = _decorator_names(node)
                if (not node.name.startswith("_") and not dunder and "overload" not in decorators
                        and "setter" not in decorators and "deleter" not in decorators):
                    out.append((node, prefix + node.name, node.lineno))
            elif isinstance(node, ast.ClassDef) and not node.name.startswith("_"):
                out.append((node, prefix + node.name, node.lineno))
                visit(node.body, prefix + node.name + ".")
            elif isinstance(node, (ast.If, ast.Try)):
                visit([n for n in ast.iter_child_nodes(node) if isinstance(n, ast.stmt)],
                      prefix)

    visit(index.tree.body, "")
    return out


DOCSTRING_TOOLS = (
    Tool("pydocstyle", lambda s: s.program == "pydocstyle", frozenset({"pydocstyle"})),
    Tool("interrogate", lambda s: s.program == "interrogate", frozenset({"interrogate"})),
)


def _docstring_tools(ctx: Context) -> list[str]:
    tools = []
    selected = _ruff_selection(ctx)
    if selected is not None and any(s == "ALL" or s == "D" or re.fullmatch(r"D\d+", s)
                                    for s in selected[0]):
        tools.append("ruff D")
    tools += [tool.name for tool in DOCSTRING_TOOLS if tool_runs(ctx.repo, tool, _dirs(ctx))]
    return tools


class DocstringParams(Params):
    minimum: float = Field(0.8, ge=0, le=1, description="level-2 share of documented API")


@check("docstring_coverage", DocstringParams)
def docstring_coverage(ctx: Context, params: DocstringParams) -> Iterator[Finding]:
    """PY005: docstrings on public classes, functions and methods."""
    indexes, errors = library_indexes(ctx)
    items = [(index.path, name, line, ast.get_docstring(node) is not None)
             for index in indexes for node, name, line in _public_api(index)]
    if not items:
        yield skipped(T("no public classes or functions in the library code",
                        "no hay clases ni funciones públicas en el código de librería"))
        return
    documented = sum(1 for *_, ok in items if ok)
    missing = [(path, name, line) for path, name, line, ok in items if not ok]
    tools = _docstring_tools(ctx)
    bonus = T(f"; enforced by {', '.join(tools)}", f"; lo exige {', '.join(tools)}") if tools \
        else T("", "")
    summary = T(f"{_pct(documented, len(items))} of public classes and functions have a "
                "docstring", f"{_pct(documented, len(items))} de las clases y funciones "
                "públicas tienen docstring") + bonus + _unparsed_note(errors)
    first = missing[0] if missing else None
    fix = T(f"add Google-style (Args:/Returns:) or NumPy-style docstrings, starting with "
            f"{_names(f'{p}:{n}' for p, n, _ in missing)}",
            f"añade docstrings estilo Google (Args:/Returns:) o NumPy, empezando por "
            f"{_names(f'{p}:{n}' for p, n, _ in missing)}")
    for level, needed in ((2, params.minimum), (3, 1.0)):
        ok = documented >= needed * len(items) if needed < 1 else not missing
        need = T(f" (needs {100 * needed:.0f} %)", f" (se necesita {100 * needed:.0f} %)")
        if ok:
            yield passed(summary + need, first[0] if first else None,
                         first[2] if first else None, level)
        else:
            yield failed(summary + need, first[0] if first else None,
                         first[2] if first else None, level, fix)


# -- PY006 / PY007 Pydantic configuration ------------------------------------------------------

PYDANTIC_BASES = frozenset({"pydantic.BaseModel", "pydantic.main.BaseModel",
                            "pydantic.v1.BaseModel", "pydantic_settings.BaseSettings",
                            "pydantic.BaseSettings", "pydantic.v1.BaseSettings",
                            "pydantic_settings.main.BaseSettings"})
SETTINGS_BASES = frozenset(b for b in PYDANTIC_BASES if b.endswith("BaseSettings"))
YAML_LOADS = ("yaml.safe_load", "yaml.safe_load_all", "yaml.load", "yaml.full_load",
              "omegaconf.OmegaConf.load", "ruamel.yaml.YAML")
CONFIG_FILE_GLOBS = ("configs/**/*.y*ml", "config/**/*.y*ml", "conf/**/*.y*ml",
                     "config.y*ml", "*config*.y*ml", "settings.y*ml", "params.y*ml")
NOT_CONFIG_FILES = (".pre-commit-config.yaml", "mkdocs.yml", "mkdocs.yaml")
CONSTRAINT_KWARGS = frozenset({"ge", "gt", "le", "lt", "min_length", "max_length", "pattern",
                               "regex", "multiple_of", "max_digits", "decimal_places",
                               "min_items", "max_items", "allow_inf_nan"})
CONSTRAINED_TYPES = frozenset({"constr", "conint", "confloat", "conlist", "conset", "condecimal",
                               "PositiveInt", "NegativeInt", "NonNegativeInt", "NonPositiveInt",
                               "PositiveFloat", "NegativeFloat", "NonNegativeFloat",
                               "NonPositiveFloat", "Literal", "HttpUrl", "AnyUrl", "EmailStr",
                               "DirectoryPath", "FilePath", "SecretStr", "StrictInt", "StrictStr",
                               "StrictFloat", "StrictBool", "FiniteFloat", "PostgresDsn"})
VALIDATORS = frozenset({"field_validator", "model_validator", "validator", "root_validator"})
CONFIG_NAME = re.compile(r"(Config|Settings|Params|Parameters|Conf|Configuration)$")


@dataclass(frozen=True)
class ModelClass:
    index: PythonIndex
    node: ast.ClassDef
    settings: bool

    @property
    def path(self) -> str:
        return self.index.path

    @property
    def is_config(self) -> bool:
        name = PurePosixPath(self.path).stem
        return (self.settings or bool(CONFIG_NAME.search(self.node.name))
                or name.startswith(("config", "settings")) or "/config/" in self.path)


@dataclass
class PydanticInventory:
    models: list[ModelClass] = field(default_factory=list)
    yaml_loads: list[tuple[str, int, str]] = field(default_factory=list)
    validations: list[tuple[str, int]] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)

    @property
    def config_models(self) -> list[ModelClass]:
        configs = [m for m in self.models if m.is_config]
        return configs or self.models


def _pydantic_models(classes: list[tuple[PythonIndex, ast.ClassDef]]) -> list[ModelClass]:
    """Classes deriving from a Pydantic base, directly or through another model here."""
    known: dict[str, bool] = {}  # class name -> is settings
    models: list[ModelClass] = []
    changed = True
    while changed:
        changed = False
        for index, node in classes:
            if node.name in known:
                continue
            for base in node.bases:
                qual = index.qualname(base) or ""
                simple = qual.rsplit(".", 1)[-1]
                if qual in PYDANTIC_BASES or simple in known:
                    known[node.name] = qual in SETTINGS_BASES or known.get(simple, False)
                    models.append(ModelClass(index, node, known[node.name]))
                    changed = True
                    break
    return models


def _feeds_a_model(qual: str, call: ast.Call, names: set[str]) -> bool:
    """``Model.model_validate(...)``, ``Model(**data)`` or ``Model.from_yaml(...)``."""
    tail = qual.rsplit(".", 1)[-1]
    owner = qual.rsplit(".", 2)[-2] if "." in qual else ""
    if tail in ("model_validate", "parse_obj", "model_validate_json"):
        return True
    if tail in names and any(k.arg is None for k in call.keywords):
        return True
    return owner in names and tail in ("from_yaml", "load", "from_file")


def pydantic_inventory(ctx: Context) -> PydanticInventory:
    key = f"py:pydantic:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        inventory: PydanticInventory = cached
        return inventory
    indexes, errors = library_indexes(ctx)
    classes: list[tuple[PythonIndex, ast.ClassDef]] = []
    yaml_files: list[tuple[str, int, str]] = []
    for index in indexes:
        classes += [(index, n) for n in statements(index.tree) if isinstance(n, ast.ClassDef)]
        yaml_files += [(index.path, call.lineno, "yaml_file") for _, call in index.calls
                       if any(k.arg == "yaml_file" for k in call.keywords)]
    inv = PydanticInventory(_pydantic_models(classes), yaml_loads=yaml_files, errors=errors)
    names = {m.node.name for m in inv.models}
    for index in indexes:
        for qual, call in index.calls:
            if qual in YAML_LOADS or qual.endswith(".safe_load"):
                inv.yaml_loads.append((index.path, call.lineno, qual))
            if _feeds_a_model(qual, call, names):
                inv.validations.append((index.path, call.lineno))
    ctx.repo.memo[key] = inv
    return inv


def _runtime_requirements(ctx: Context) -> dict[str, str]:
    """Runtime dependency name -> specifier, from pyproject, Poetry or requirements."""
    out: dict[str, str] = {}
    _, doc = _pyproject(ctx)
    if isinstance(doc, dict):
        entries = dig(doc, "project", "dependencies")
        for entry in entries if isinstance(entries, list) else []:
            req = parse_requirement(str(entry))
            if req is not None:
                out[req.name] = req.specifier
        poetry = dig(doc, "tool", "poetry", "dependencies")
        if isinstance(poetry, dict):
            for name, value in poetry.items():
                spec = value if isinstance(value, str) else str(dig(value, "version") or "")
                out[normalize_name(str(name))] = spec
    for path in ctx.files(["requirements.txt", "requirements.in", "requirements/*.txt",
                           "requirements/*.in"]):
        parsed = ctx.repo.parse(path, parse_requirements)
        if not isinstance(parsed, ParseError):
            for line in parsed.requirements:
                if line.requirement is not None:
                    out.setdefault(line.requirement.name, line.requirement.specifier)
    return out


PYDANTIC_1 = ("1.8", "1.9", "1.10")
PYDANTIC_2 = tuple(f"2.{minor}" for minor in range(30))


def _pydantic_major(spec: str) -> int | None:
    """2 when the specifier admits only pydantic 2+, 1 when only 1.x, else None."""
    if not spec.strip():
        return None
    v1 = any(satisfies(v, spec) for v in PYDANTIC_1)
    v2 = any(satisfies(v, spec) for v in PYDANTIC_2)
    if v1 == v2:
        return None
    return 2 if v2 else 1


@check("pydantic_config")
def pydantic_config(ctx: Context, params: None) -> Iterator[Finding]:
    """PY006: a Pydantic settings model, fed from an external YAML file."""
    inv = pydantic_inventory(ctx)
    if not inv.models:
        config_file = ctx.first("src/config.py", "config.py", "settings.py")
        yield failed(T("no Pydantic BaseModel/BaseSettings in the library code: configuration "
                       "lives in dicts or module constants",
                       "no hay BaseModel/BaseSettings de Pydantic en el código de librería: la "
                       "configuración vive en dicts o constantes") + _unparsed_note(inv.errors),
                     config_file, 1 if config_file else None)
        return
    model = inv.config_models[0]
    where = (model.path, model.node.lineno)
    deps = _runtime_requirements(ctx)
    problems: list[T] = []
    partial: list[T] = []
    if "pydantic-settings" in deps:
        major: int | None = 2
    elif "pydantic" in deps:
        major = _pydantic_major(deps["pydantic"])
    else:
        major = None
        partial.append(T("pydantic is not declared in the runtime dependencies",
                         "pydantic no está declarado en las dependencias de ejecución"))
    if major == 1:
        problems.append(T(f"pydantic is pinned to version 1 ({deps.get('pydantic')}); the guide "
                          "uses Pydantic v2", f"pydantic está fijado a la versión 1 "
                          f"({deps.get('pydantic')}); la guía usa Pydantic v2"))
    config_files = [f for f in ctx.files(CONFIG_FILE_GLOBS)
                    if PurePosixPath(f).name not in NOT_CONFIG_FILES
                    and not f.startswith((".github/", ctx.path(".github/")))]
    if not config_files:
        partial.append(T("no external YAML config file (configs/*.yaml or config.yaml)",
                         "no hay archivo YAML de configuración externo (configs/*.yaml o "
                         "config.yaml)"))
    if not inv.yaml_loads:
        partial.append(T("no YAML loading (yaml.safe_load) in the library code",
                         "no se carga YAML (yaml.safe_load) en el código de librería"))
    elif all(q in ("yaml.load", "yaml.full_load") for _, _, q in inv.yaml_loads):
        partial.append(T("YAML is read with yaml.load/full_load; use yaml.safe_load",
                         "el YAML se lee con yaml.load/full_load; usa yaml.safe_load"))
    if inv.yaml_loads and not inv.validations and not any(q == "yaml_file"
                                                         for *_, q in inv.yaml_loads):
        partial.append(T("the loaded YAML is not fed to a model (Model(**data) or "
                         "Model.model_validate(data))",
                         "el YAML cargado no se pasa a un modelo (Model(**data) o "
                         "Model.model_validate(data))"))
    label = f"{model.node.name} ({model.path}:{model.node.lineno})"
    if problems:
        yield failed(T.join(problems), *where)
    elif partial:
        yield warned(T(f"Pydantic config {label} found, but ", f"config Pydantic {label} "
                       "encontrada, pero ") + T.join(partial), *where)
    else:
        yield passed(T(f"Pydantic config {label} validated from {config_files[0]}",
                       f"config Pydantic {label} validada desde {config_files[0]}"), *where)


def _annotation_names(node: ast.expr | None) -> set[str]:
    names = set()
    for sub in ast.walk(node) if node is not None else []:
        if isinstance(sub, ast.Name):
            names.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            names.add(sub.attr)
    return names


def _bare_container(node: ast.expr | None) -> str | None:
    """``list``/``dict`` (or typing's ``List``/``Dict``) used without type arguments."""
    if node is None:
        return None
    subscripted = {id(n.value) for n in ast.walk(node) if isinstance(n, ast.Subscript)}
    for sub in ast.walk(node):
        name = sub.id if isinstance(sub, ast.Name) else (
            sub.attr if isinstance(sub, ast.Attribute) else None)
        if name in ("list", "dict", "List", "Dict") and id(sub) not in subscripted:
            return name
    return None


def _constrained_call(node: ast.AST) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            func = sub.func
            name = func.id if isinstance(func, ast.Name) else (
                func.attr if isinstance(func, ast.Attribute) else "")
            if name == "Field" and any(k.arg in CONSTRAINT_KWARGS for k in sub.keywords):
                return True
            if name in CONSTRAINED_TYPES:
                return True
    return False


def _mutable_default(value: ast.expr | None) -> bool:
    if isinstance(value, (ast.List, ast.Dict, ast.Set)):
        return True
    if isinstance(value, ast.Call):
        func = value.func
        name = func.id if isinstance(func, ast.Name) else ""
        if name in ("list", "dict", "set") and not value.args and not value.keywords:
            return True
        if name == "Field" or (isinstance(func, ast.Attribute) and func.attr == "Field"):
            default = next((k.value for k in value.keywords if k.arg == "default"),
                           value.args[0] if value.args else None)
            return isinstance(default, (ast.List, ast.Dict, ast.Set))
    return False


def _calls_yaml(node: ast.AST, index: PythonIndex) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Call):
            qual = index.qualname(sub.func) or ""
            if qual in YAML_LOADS or qual.endswith(".safe_load"):
                return True
    return False


def _field_is_constrained(node: ast.AnnAssign) -> bool:
    names = _annotation_names(node.annotation)
    return ("Literal" in names or bool(names & CONSTRAINED_TYPES)
            or _constrained_call(node.annotation)
            or (node.value is not None and _constrained_call(node.value)))


def _field_defects(model: ModelClass, node: ast.AnnAssign) -> Iterator[Finding]:
    target = node.target.id if isinstance(node.target, ast.Name) else "?"
    name = f"{model.node.name}.{target}"
    if _mutable_default(node.value):
        yield failed(T(f"{name} has a mutable default; use Field(default_factory=list/dict)",
                       f"{name} tiene un valor por defecto mutable; usa "
                       "Field(default_factory=list/dict)"), model.path, node.lineno)
    bare = _bare_container(node.annotation)
    if bare:
        yield failed(T(f"{name} is annotated with a bare '{bare}'; give the element types "
                       "(e.g. list[str], dict[str, float])",
                       f"{name} se anota con '{bare}' sin tipos; indica los tipos (p. ej. "
                       "list[str], dict[str, float])"), model.path, node.lineno)


def _instance_loader(model: ModelClass, node: ast.FunctionDef | ast.AsyncFunctionDef
                     ) -> Finding | None:
    decorators = _decorator_names(node)
    first = node.args.args[0].arg if node.args.args else ""
    if first != "self" or decorators & {"classmethod", "staticmethod"} or not _calls_yaml(
            node, model.index):
        return None
    return failed(T(f"{model.node.name}.{node.name} loads YAML as an instance method; make it "
                    "a @classmethod that returns the model",
                    f"{model.node.name}.{node.name} carga YAML como método de instancia; "
                    "conviértelo en @classmethod que devuelva el modelo"),
                  model.path, node.lineno)


def _model_findings(model: ModelClass) -> tuple[bool, list[Finding]]:
    """(has a constrained field or validator, defects) of one config model."""
    constrained = False
    defects: list[Finding] = []
    for node in model.node.body:
        if isinstance(node, ast.AnnAssign):
            constrained = constrained or _field_is_constrained(node)
            defects += _field_defects(model, node)
        elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            constrained = constrained or bool(_decorator_names(node) & VALIDATORS)
            loader = _instance_loader(model, node)
            if loader is not None:
                defects.append(loader)
    return constrained, defects


@check("config_validation")
def config_validation(ctx: Context, params: None) -> Iterator[Finding]:
    """PY007: constrained fields, no mutable defaults or bare containers, classmethod loaders."""
    models = pydantic_inventory(ctx).config_models
    if not models:
        yield failed(T("no Pydantic config models to validate (see PY006)",
                       "no hay modelos de configuración Pydantic que validar (ver PY006)"))
        return
    constrained = False
    defects: list[Finding] = []
    for model in models:
        has_constraint, found = _model_findings(model)
        constrained = constrained or has_constraint
        defects += found
    yield from defects
    names = ", ".join(m.node.name for m in models[:MAX_LISTED])
    first = models[0]
    if not constrained:
        yield failed(T(f"no constrained field in {names}: add Field(ge=/le=/min_length=/"
                       "pattern=), Literal[...] or a @field_validator",
                       f"ningún campo restringido en {names}: añade Field(ge=/le=/min_length=/"
                       "pattern=), Literal[...] o un @field_validator"),
                     first.path, first.node.lineno)
    elif not defects:
        yield passed(T(f"config models validate their values ({names})",
                       f"los modelos de configuración validan sus valores ({names})"),
                     first.path, first.node.lineno)


# -- PY008 lint and format ---------------------------------------------------------------------

RuffSelection = tuple[list[str], str, int | None, int | None]  # codes, path, line, length


def _ruff_selection(ctx: Context) -> RuffSelection | None:
    """(selected codes, config path, line, line-length) of the ruff config in effect."""
    for directory in _dirs(ctx):
        prefix = "" if directory == "." else directory + "/"
        for name in (".ruff.toml", "ruff.toml", "pyproject.toml"):
            path = prefix + name
            if not ctx.repo.exists(path):
                continue
            doc = ctx.repo.toml(path)
            if isinstance(doc, ParseError):
                continue
            table = dig(doc, "tool", "ruff") if name == "pyproject.toml" else doc
            if not isinstance(table, dict):
                continue
            lint_raw = table.get("lint")
            lint: dict[str, Any] = lint_raw if isinstance(lint_raw, dict) else {}
            select = lint.get("select", table.get("select"))
            codes = [str(s) for s in select] if isinstance(select, list) else [
                "E4", "E7", "E9", "F"]
            extend = lint.get("extend-select", table.get("extend-select"))
            if isinstance(extend, list):
                codes += [str(s) for s in extend]
            length = table.get("line-length")
            line = _line_of_table(ctx, path, "tool.ruff") if name == "pyproject.toml" else 1
            return codes, path, line, length if isinstance(length, int) else None
    return None


def _selects(codes: list[str], family: str) -> bool:
    return any(c == "ALL" or c == family or re.fullmatch(family + r"\d+", c) for c in codes)


def _classic_config(ctx: Context, tool: str) -> str | None:
    for directory in _dirs(ctx):
        prefix = "" if directory == "." else directory + "/"
        pyproject = prefix + "pyproject.toml"
        if tool in ("black", "isort") and ctx.repo.exists(pyproject):
            doc = ctx.repo.toml(pyproject)
            if isinstance(doc, dict) and isinstance(dig(doc, "tool", tool), dict):
                return pyproject
        own = {"isort": (".isort.cfg",), "flake8": (".flake8",), "black": ()}[tool]
        for name in own:
            if ctx.repo.exists(prefix + name):
                return prefix + name
        if tool in ("isort", "flake8"):
            for name in ("setup.cfg", "tox.ini"):
                path = prefix + name
                if ctx.repo.exists(path):
                    ini = ctx.repo.parse(path, parse_ini)
                    if isinstance(ini, Ini) and ini.has(tool):
                        return path
    return None


def _program(name: str, *subcommands: str) -> Tool:
    def match(simple: Simple) -> bool:
        if simple.program != name:
            return False
        if not subcommands:
            return True
        first = next((a for a in simple.args if not a.startswith("-")), "")
        return first in subcommands
    return Tool(name, match)


RUFF_CHECK = Tool("ruff check", lambda s: s.program == "ruff" and (
    next((a for a in s.args if not a.startswith("-")), "check") not in (
        "format", "version", "rule", "config", "linter", "clean", "server", "analyze")),
    frozenset({"ruff", "ruff-check"}))
RUFF_FORMAT = Tool("ruff format", _program("ruff", "format").command, frozenset({"ruff-format"}))
BLACK = Tool("black", _program("black").command, frozenset({"black", "black-jupyter"}))
ISORT = Tool("isort", _program("isort").command, frozenset({"isort"}))
FLAKE8 = Tool("flake8", lambda s: s.program in ("flake8", "pflake8", "flakeheaven"),
              frozenset({"flake8"}))


def _runs_in_ci_or_hook(ctx: Context, tool: Tool) -> list[Invocation]:
    return [r for r in tool_runs(ctx.repo, tool, _dirs(ctx))
            if r.where in ("ci", "pre-commit") and r.checks_files]


Runs = dict[str, list[Invocation]]
IN_CI = T(" in CI or pre-commit", " en CI o pre-commit")


def _ruff_gaps(ruff: RuffSelection | None, runs: Runs) -> list[T]:
    gaps: list[T] = []
    if ruff is None:
        gaps.append(T("ruff config ([tool.ruff] or ruff.toml)",
                      "configuración de ruff ([tool.ruff] o ruff.toml)"))
    else:
        lacking = "".join(f for f in ("E", "F", "I") if not _selects(ruff[0], f))
        if lacking:
            gaps.append(T(f"'{lacking}' in ruff's select ({ruff[1]})",
                          f"'{lacking}' en el select de ruff ({ruff[1]})"))
    if not runs["ruff check"]:
        gaps.append(T.same("ruff check") + IN_CI)
    if not runs["ruff format"] and not runs["black"]:
        gaps.append(T("ruff format (or black)", "ruff format (o black)") + IN_CI)
    return gaps


def _classic_gaps(configs: dict[str, str | None], runs: Runs) -> list[T]:
    gaps: list[T] = []
    for tool, path in configs.items():
        if path is None:
            gaps.append(T(f"{tool} config", f"configuración de {tool}"))
        if not runs[tool]:
            gaps.append(T.same(tool) + IN_CI)
    return gaps


def _lint_note(ruff: RuffSelection | None, runs: Runs) -> T:
    swallowed = [r for rs in runs.values() for r in rs if not r.blocking]
    note = T(f"; note: {swallowed[0].text} ignores failures in {swallowed[0].describe()} "
             "(see CI007)", f"; nota: {swallowed[0].text} ignora fallos en "
             f"{swallowed[0].describe()} (ver CI007)") if swallowed else T("", "")
    if ruff is not None and ruff[3] is not None and not 88 <= ruff[3] <= 100:
        note = note + T(f"; line-length {ruff[3]} is outside the guide's 88-100",
                        f"; line-length {ruff[3]} está fuera del rango 88-100 de la guía")
    return note


@check("lint_format")
def lint_format(ctx: Context, params: None) -> Iterator[Finding]:
    """PY008: Ruff (E, F, I + format) or Black + isort + Flake8, configured and run."""
    ruff = _ruff_selection(ctx)
    runs = {t.name: _runs_in_ci_or_hook(ctx, t)
            for t in (RUFF_CHECK, RUFF_FORMAT, BLACK, ISORT, FLAKE8)}
    configs = {t: _classic_config(ctx, t) for t in ("black", "isort", "flake8")}
    ruff_gaps = _ruff_gaps(ruff, runs)
    classic_gaps = _classic_gaps(configs, runs)
    note = _lint_note(ruff, runs)
    if ruff is not None and not ruff_gaps:
        yield passed(T(f"Ruff configured in {ruff[1]} (E, F, I) and run with its formatter",
                       f"Ruff configurado en {ruff[1]} (E, F, I) y ejecutado con su "
                       "formateador") + note, ruff[1], ruff[2])
    elif not classic_gaps:
        yield passed(T("Black + isort + Flake8 configured and run",
                       "Black + isort + Flake8 configurados y ejecutados") + note,
                     configs["black"], 1)
    else:
        use_ruff = ruff is not None or bool(runs["ruff check"]) or len(ruff_gaps) <= len(
            classic_gaps)
        stack = "Ruff" if use_ruff else "Black + isort + Flake8"
        where = ruff[1] if use_ruff and ruff else next((p for p in configs.values() if p), None)
        yield failed(T(f"{stack} stack incomplete: missing ", f"stack {stack} incompleto: "
                       "falta ") + T.join(ruff_gaps if use_ruff else classic_gaps) + note,
                     where, 1 if where else None)


# -- PY009 production code hygiene ----------------------------------------------------------------

CLI_MODULES = ("click", "typer", "argparse", "fire", "docopt")
LOG_METHODS = frozenset({"debug", "info", "warning", "warn", "error", "exception", "critical",
                         "log", "fatal", "msg"})
LOG_CALLS = ("warnings.warn", "traceback.print_exc", "sentry_sdk.capture_exception",
             "logging.exception", "logging.error", "logging.warning")
BROAD = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})
MAX_HYGIENE_FINDINGS = 20


def _main_block_lines(tree: ast.Module) -> set[int]:
    lines: set[int] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare):
            left = node.test.left
            if isinstance(left, ast.Name) and left.id == "__name__":
                end = getattr(node, "end_lineno", node.lineno) or node.lineno
                lines.update(range(node.lineno, end + 1))
    return lines


def _broad(handler: ast.ExceptHandler, index: PythonIndex) -> str | None:
    if handler.type is None:
        return "except:"
    types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
    for t in types:
        qual = index.qualname(t) or ""
        if qual in BROAD:
            return f"except {qual.rsplit('.', 1)[-1]}:"
    return None


def _logs_or_raises(body: list[ast.stmt], index: PythonIndex) -> bool:
    for stmt in body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Raise):
                return True
            if isinstance(node, ast.Call):
                qual = index.qualname(node.func) or ""
                if qual in LOG_CALLS:
                    return True
                if isinstance(node.func, ast.Attribute) and node.func.attr in LOG_METHODS:
                    receiver = (index.qualname(node.func.value) or "").lower()
                    if "log" in receiver:
                        return True
    return False


def _only_swallows(body: list[ast.stmt]) -> bool:
    for stmt in body:
        if isinstance(stmt, (ast.Pass, ast.Continue, ast.Break)):
            continue
        if isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant):
            continue
        return False
    return True


@check("production_hygiene")
def production_hygiene(ctx: Context, params: None) -> Iterator[Finding]:
    """PY009: no print() and no silently swallowed broad exceptions in library code."""
    indexes, errors = library_indexes(ctx)
    if not indexes:
        yield skipped(T("no library Python code", "no hay código Python de librería"))
        return
    findings: list[Finding] = []
    for index in indexes:
        name = PurePosixPath(index.path).name
        cli = name == "__main__.py" or any(index.imports(m) for m in CLI_MODULES)
        main_lines = _main_block_lines(index.tree)
        if not cli:
            for qual, call in index.calls:
                if qual == "print" and call.lineno not in main_lines:
                    findings.append(failed(
                        T("print() in library code; use logging",
                          "print() en código de librería; usa logging"),
                        index.path, call.lineno,
                        fix=T("logger = logging.getLogger(__name__); logger.info(...)",
                              "logger = logging.getLogger(__name__); logger.info(...)")))
        for node in statements(index.tree):
            if not isinstance(node, ast.ExceptHandler):
                continue
            broad = _broad(node, index)
            if broad is None or _logs_or_raises(node.body, index):
                continue
            if _only_swallows(node.body):
                findings.append(failed(
                    T(f"'{broad}' swallows the error (pass/continue) without logging or "
                      "re-raising", f"'{broad}' se traga el error (pass/continue) sin "
                      "registrarlo ni relanzarlo"), index.path, node.lineno,
                    fix=T("catch the specific exception, and log it (logger.exception) or "
                          "re-raise", "captura la excepción concreta, y regístrala "
                          "(logger.exception) o relánzala")))
            else:
                findings.append(warned(
                    T(f"'{broad}' handles the error without logging or re-raising it",
                      f"'{broad}' maneja el error sin registrarlo ni relanzarlo"),
                    index.path, node.lineno))
    yield from findings[:MAX_HYGIENE_FINDINGS]
    if len(findings) > MAX_HYGIENE_FINDINGS:
        extra = len(findings) - MAX_HYGIENE_FINDINGS
        yield failed(T(f"... and {extra} more print()/except findings",
                       f"... y {extra} hallazgos más de print()/except"))
    if not findings:
        yield passed(T(f"no print() and no swallowed broad exceptions in {len(indexes)} "
                       "library file(s)", f"sin print() ni excepciones genéricas tragadas en "
                       f"{len(indexes)} archivo(s) de librería") + _unparsed_note(errors))


# -- PY010 task runner ---------------------------------------------------------------------------

TARGET_ALIASES: dict[str, tuple[str, ...]] = {
    "install": ("install", "setup", "install-dev"),
    "test": ("test", "tests"),
    "lint": ("lint", "check"),
    "format": ("format", "fmt"),
    "train": ("train",),
    "serve": ("serve", "run", "api", "serve-api"),
    "docker-build": ("docker-build", "docker_build", "build-docker", "docker-image",
                     "build-image", "docker"),
    "help": ("help",),
}
_JUST_RECIPE = re.compile(r"^@?([A-Za-z_][\w-]*)(?:\s[^:=]*)?:(?!=)")


def parse_justfile(text: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        if line[:1].isspace() or line.startswith(("#", "set ", "alias ", "export ")):
            continue
        match = _JUST_RECIPE.match(line)
        if match:
            found.setdefault(match.group(1), number)
    return found


def _python_tasks(index: PythonIndex, decorator: str) -> dict[str, int]:
    found: dict[str, int] = {}
    for node in index.tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for dec in node.decorator_list:
                target = dec.func if isinstance(dec, ast.Call) else dec
                qual = index.qualname(target) or ""
                if qual.rsplit(".", 1)[-1] == decorator:
                    name = node.name
                    if isinstance(dec, ast.Call):
                        for kw in dec.keywords:
                            if kw.arg == "name" and isinstance(kw.value, ast.Constant):
                                name = str(kw.value.value)
                    found[name.replace("_", "-")] = node.lineno
                    found.setdefault(name, node.lineno)
    return found


def _task_runners(ctx: Context) -> list[tuple[str, dict[str, int]]]:
    """(path, {task: line}) of every task runner in the project or at the root."""
    runners: list[tuple[str, dict[str, int]]] = []
    for directory in _dirs(ctx):
        found = makefile_at(ctx.repo, directory)
        if found is not None:
            runners.append((found[0], {n: t.line for n, t in found[1].targets.items()}))
        prefix = "" if directory == "." else directory + "/"
        for name in ("justfile", "Justfile", ".justfile"):
            if ctx.repo.exists(prefix + name):
                parsed = ctx.repo.parse(prefix + name, parse_justfile)
                if isinstance(parsed, dict):
                    runners.append((prefix + name, parsed))
        for name, decorator in (("noxfile.py", "session"), ("tasks.py", "task")):
            if ctx.repo.exists(prefix + name):
                index = python_index(ctx.repo, prefix + name)
                if isinstance(index, PythonIndex):
                    runners.append((prefix + name, _python_tasks(index, decorator)))
        if runners:
            break
    return runners


@check("task_runner")
def task_runner(ctx: Context, params: None) -> Iterator[Finding]:
    """PY010: a Makefile (or justfile/noxfile/tasks.py) with the guide's targets."""
    runners = _task_runners(ctx)
    if not runners:
        yield failed(T("no Makefile (or justfile, noxfile.py, tasks.py) in the project",
                       "no hay Makefile (ni justfile, noxfile.py, tasks.py) en el proyecto"))
        return
    tasks: dict[str, tuple[str, int]] = {}
    for path, names in runners:
        for name, line in names.items():
            tasks.setdefault(name, (path, line))
    path = runners[0][0]

    def has(key: str) -> bool:
        return any(alias in tasks for alias in TARGET_ALIASES[key])

    for level, wanted in ((1, ("install", "test", "lint")),
                          (2, ("install", "test", "lint", "format", "train", "serve"))):
        missing = [w for w in wanted if not has(w)]
        if level == 2 and not has("docker-build") and not has("help"):
            missing.append("docker-build|help")
        yield verdict(not missing,
                      T(f"{path} has targets {', '.join(wanted)}", f"{path} tiene los targets "
                        f"{', '.join(wanted)}"),
                      T(f"{path} lacks targets: {', '.join(missing)}",
                        f"a {path} le faltan targets: {', '.join(missing)}"),
                      path, 1, level,
                      fix=T(f"add the targets {', '.join(missing)} (see the guide's "
                            "TPL/Makefile)", f"añade los targets {', '.join(missing)} (ver "
                            "TPL/Makefile de la guía)"))


# -- PY011 complexity ---------------------------------------------------------------------------


def _functions(blocks: list[Any]) -> Iterator[Function]:
    for block in blocks:
        if isinstance(block, Function):
            yield block
            yield from _functions(list(block.closures))


def _maintainability(index: PythonIndex, text: str, total_complexity: int) -> float:
    """radon's maintainability index, from the tree already parsed.

    The comment term only raises the index and it falls as the line count grows, so the
    index computed with every physical line and no comments is a lower bound: when that
    bound is already grade A the tokenizer pass for logical lines and comments is skipped.
    """
    volume = halstead_volume(index.tree)
    bound = float(mi_compute(volume, total_complexity, text.count("\n") + 1, 0))
    if mi_rank(bound) == "A":
        return bound
    raw = analyze(text)
    comments = (raw.comments + raw.multi) / raw.sloc * 100 if raw.sloc else 0
    return float(mi_compute(volume, total_complexity, raw.lloc, comments))


@check("complexity")
def complexity(ctx: Context, params: None) -> Iterator[Finding]:
    """PY011: cyclomatic complexity and maintainability index (radon's metrics, computed
    by :mod:`mlops_lint.parsers.python_metrics`) of library code."""
    indexes, errors = library_indexes(ctx)
    limit = ctx.thresholds.max_complexity
    functions: list[tuple[str, Function]] = []
    modules: list[tuple[str, float]] = []
    for index in indexes:
        text = ctx.repo.text(index.path)
        if isinstance(text, ParseError):  # pragma: no cover - parsed above, so readable
            continue
        try:
            blocks, total_complexity = complexity_blocks(index.tree)
            mi = _maintainability(index, text, total_complexity)
        except Exception as exc:  # radon on odd but valid code: leave the file out, say so
            errors.append(ParseError(index.path, f"radon: {type(exc).__name__}"))
            continue
        functions += [(index.path, f) for f in _functions(blocks)]
        modules.append((index.path, mi))
    if not functions:
        yield skipped(T("no functions in the library code", "no hay funciones en el código de "
                        "librería") + _unparsed_note(errors))
        return
    over = sorted(((p, f) for p, f in functions if f.complexity > limit),
                  key=lambda item: (-item[1].complexity, item[0], item[1].lineno))
    for path, func in over[:10]:
        name = f"{func.classname}.{func.name}" if func.classname else func.name
        yield failed(T(f"{name} has cyclomatic complexity {func.complexity} (grade "
                       f"{cc_rank(func.complexity)}; limit {limit})",
                       f"{name} tiene complejidad ciclomática {func.complexity} (grado "
                       f"{cc_rank(func.complexity)}; límite {limit})"), path, func.lineno, 2,
                     fix=T("split it into smaller functions (extract the branches)",
                           "divídela en funciones más pequeñas (extrae las ramas)"))
    worst = max(functions, key=lambda item: item[1].complexity)
    if not over:
        yield passed(T(f"{len(functions)} functions, highest complexity "
                       f"{worst[1].complexity} ({worst[1].name})",
                       f"{len(functions)} funciones, complejidad máxima {worst[1].complexity} "
                       f"({worst[1].name})") + _unparsed_note(errors), worst[0],
                     worst[1].lineno, 2)
    mean = sum(f.complexity for _, f in functions) / len(functions)
    low_mi = sorted((m for m in modules if mi_rank(m[1]) != "A"), key=lambda m: m[1])
    problems = []
    if cc_rank(mean) != "A":
        problems.append(T(f"mean complexity {mean:.1f} is grade {cc_rank(mean)} (A needs <= 5)",
                          f"la complejidad media {mean:.1f} es grado {cc_rank(mean)} (A exige "
                          "<= 5)"))
    if low_mi:
        listed = ", ".join(f"{p} {mi:.0f}" for p, mi in low_mi[:3])
        problems.append(T(f"maintainability index below grade A (20) in {listed}",
                          f"índice de mantenibilidad bajo el grado A (20) en {listed}"))
    if problems:
        path, line = (low_mi[0][0], 1) if low_mi else (worst[0], worst[1].lineno)
        yield failed(T.join(problems), path, line, 3)
    else:
        yield passed(T(f"mean complexity {mean:.1f} (A); every module has maintainability "
                       "grade A", f"complejidad media {mean:.1f} (A); todos los módulos tienen "
                       "mantenibilidad A"), level=3)


# -- DES001 / DES002 design documents -------------------------------------------------------

ADR_GLOBS = ("**/docs/decisions/*.md", "**/docs/adr/*.md", "**/docs/adrs/*.md",
             "**/doc/adr/*.md", "**/docs/architecture/decisions/*.md", "**/ADR-*.md",
             "**/adr-*.md", "**/ADR_*.md")
ADR_CONTAINERS = ("**/docs/ARCHITECTURE.md", "**/ARCHITECTURE.md", "**/DECISIONES*.md",
                  "**/docs/DECISIONS*.md", "**/DECISIONS*.md")
ADR_SECTIONS: dict[str, tuple[str, ...]] = {
    "context": ("context", "contexto"),
    "decision": ("decision", "decisión", "decisiones"),
    "consequences": ("consequences", "consecuencias"),
    "alternatives": ("alternatives", "alternativas", "options considered", "considered options",
                     "opciones consideradas", "trade-offs", "tradeoffs"),
    "status": ("status", "estado"),
}
_ADR_HEADING = re.compile(r"\bADR[-_ ]?\d+", re.IGNORECASE)
_STATUS_LINE = re.compile(r"^\s*(?:[-*]\s*)?\**(status|estado)\**\s*:", re.IGNORECASE)


@dataclass(frozen=True)
class Adr:
    path: str
    line: int
    title: str
    sections: frozenset[str]


def _sections_in(doc: Markdown, start: int, end: int, title: int | None) -> set[str]:
    """ADR sections among the headings of lines ``start..end`` (the title line excluded)."""
    found = set()
    for key, names in ADR_SECTIONS.items():
        if any(start <= h.line <= end and h.line != title
               for h in headings_matching(doc, names)):
            found.add(key)
    if "status" not in found:
        lines = doc.lines[start - 1:end]
        front = doc.front_matter if start == 1 and doc.front_matter else ""
        if any(_STATUS_LINE.match(line) for line in lines) or re.search(
                r"^status\s*:", front, re.MULTILINE | re.IGNORECASE):
            found.add("status")
    return found


def find_adrs(ctx: Context) -> tuple[list[Adr], list[ParseError]]:
    adrs: list[Adr] = []
    errors: list[ParseError] = []
    files = ctx.files(ADR_GLOBS, case_sensitive=False)
    for path in files:
        name = PurePosixPath(path).name.lower()
        if any(w in name for w in ("template", "plantilla")) or name in ("readme.md",
                                                                         "index.md"):
            continue
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, ParseError):
            errors.append(doc)
            continue
        first = doc.headings[0] if doc.headings else None
        title = first.text if first else name
        adrs.append(Adr(path, 1, title, frozenset(_sections_in(
            doc, 1, len(doc.lines), first.line if first and first.level <= 2 else None))))
    for path in ctx.files(ADR_CONTAINERS, case_sensitive=False):
        if path in files:
            continue
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, ParseError):
            errors.append(doc)
            continue
        for heading in doc.headings:
            if heading.level <= 6 and _ADR_HEADING.search(heading.text):
                start, end = doc.span(heading)
                adrs.append(Adr(path, heading.line, heading.text,
                                frozenset(_sections_in(doc, start, end, heading.line))))
    return adrs, errors


@check("adr_records")
def adr_records(ctx: Context, params: None) -> Iterator[Finding]:
    """DES001: ADRs with context, decision and consequences (L2), alternatives and status (L3)."""
    adrs, errors = find_adrs(ctx)
    for error in errors:
        yield warned(T(f"cannot read {error.path}: {error.message}",
                       f"no se puede leer {error.path}: {error.message}"), error.path, error.line)
    core = {"context", "decision", "consequences"}
    valid = [a for a in adrs if core <= a.sections]
    if not adrs:
        yield failed(T("no Architecture Decision Records (docs/decisions/*.md, docs/adr/*.md, "
                       "ADR-*.md or ADR-N sections in docs/ARCHITECTURE.md)",
                       "no hay Architecture Decision Records (docs/decisions/*.md, "
                       "docs/adr/*.md, ADR-*.md o secciones ADR-N en docs/ARCHITECTURE.md)"))
        return
    incomplete = [a for a in adrs if not core <= a.sections]
    if not valid:
        a = incomplete[0]
        yield failed(T(f"{a.path}: the ADR lacks {', '.join(sorted(core - a.sections))} "
                       "sections", f"{a.path}: al ADR le faltan las secciones "
                       f"{', '.join(sorted(core - a.sections))}"), a.path, a.line, level=2)
    else:
        yield passed(T(f"{len(valid)} ADR(s) with context, decision and consequences, e.g. "
                       f"{valid[0].path}", f"{len(valid)} ADR(s) con contexto, decisión y "
                       f"consecuencias, p. ej. {valid[0].path}"), valid[0].path, valid[0].line,
                     level=2)
    full = {"alternatives", "status"} | core
    lacking = [a for a in valid if not full <= a.sections]
    if len(valid) < 2:
        yield failed(T(f"{len(valid)} complete ADR(s); level 3 needs at least 2",
                       f"{len(valid)} ADR(s) completos; el nivel 3 necesita al menos 2"),
                     valid[0].path if valid else None, valid[0].line if valid else None,
                     level=3)
    elif lacking:
        for a in lacking:
            yield failed(T(f"{a.title}: lacks {', '.join(sorted(full - a.sections))}",
                           f"{a.title}: le falta {', '.join(sorted(full - a.sections))}"),
                         a.path, a.line, level=3)
    else:
        yield passed(T(f"{len(valid)} ADRs, each with alternatives and status",
                       f"{len(valid)} ADRs, cada uno con alternativas y estado"),
                     valid[0].path, valid[0].line, level=3)


ARCH_GLOBS = ("**/docs/ARCHITECTURE.md", "**/docs/architecture*.md", "**/docs/architecture/*.md",
              "ARCHITECTURE.md", "**/docs/arquitectura*.md", "**/docs/design*.md")
CANVAS_GLOBS = ("**/ML_CANVAS.md", "**/ml_canvas*.md", "**/ml-canvas*.md", "**/MLCANVAS.md",
                "**/canvas*.md")
CANVAS_SECTIONS: dict[str, tuple[str, ...]] = {
    "business": ("problema de negocio", "business problem", "problem statement", "problema"),
    "value": ("propuesta de valor", "value proposition"),
    "data": ("datos disponibles", "available data", "data sources", "fuentes de datos", "datos",
             "data"),
    "features": ("features candidatas", "candidate features", "features", "caracteristicas"),
    "model": ("modelo", "model", "modeling", "modelado"),
    "metrics": ("metricas de exito", "success metrics", "metrics", "metricas"),
    "risks": ("riesgos", "risks", "mitigaciones", "mitigations"),
    "deployment": ("plan de despliegue", "deployment plan", "despliegue", "deployment",
                   "deploy"),
}
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s*(?:%|ms|s\b|k\b|m\b|\$|usd|€)?|\$\s*\d",
                     re.IGNORECASE)
_DIAGRAM_TEXT = re.compile(r"[┌└├│─]|\+-{3,}\+|-->|==>")


def _has_diagram(doc: Markdown, start: int, end: int) -> str | None:
    for block in doc.code_blocks:
        if start <= block.line <= end:
            lang = block.lang.lower()
            if lang.startswith("mermaid"):
                return "mermaid"
            if lang in ("plantuml", "puml") or "@startuml" in block.text:
                return "PlantUML"
            if lang.startswith(("dot", "graphviz", "d2")):
                return lang
            if _DIAGRAM_TEXT.search(block.text):
                return "text diagram"
    for link in doc.links:
        if start <= link.line <= end and (link.image or re.search(
                r"\.(png|svg|jpe?g|gif|drawio|puml|excalidraw)$", link.url, re.IGNORECASE)):
            return "image"
    if any("@startuml" in line for line in doc.lines[start - 1:end]):
        return "PlantUML"
    return None


@check("design_docs")
def design_docs(ctx: Context, params: None) -> Iterator[Finding]:
    """DES002: architecture doc with a diagram (L2) and a quantified ML Canvas (L3)."""
    candidates: list[tuple[str, int, int, Markdown]] = []
    for path in ctx.files(ARCH_GLOBS, case_sensitive=False):
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, Markdown):
            candidates.append((path, 1, len(doc.lines), doc))
    readme = ctx.first("README.md", "readme.md", "Readme.md")
    if readme:
        doc = ctx.repo.parse(readme, parse_markdown)
        if isinstance(doc, Markdown):
            for heading in headings_matching(doc, ("architecture", "arquitectura")):
                candidates.append((readme, heading.line, doc.span(heading)[1], doc))
    with_diagram = [(c, kind) for c in candidates if (kind := _has_diagram(c[3], c[1], c[2]))]
    if with_diagram:
        (path, line, _, _), kind = with_diagram[0]
        yield passed(T(f"architecture document {path} with a {kind} diagram",
                       f"documento de arquitectura {path} con un diagrama {kind}"), path, line,
                     level=2)
    elif candidates:
        path, line, _, _ = candidates[0]
        yield failed(T(f"{path} describes the architecture but has no diagram (mermaid, "
                       "PlantUML or an image)", f"{path} describe la arquitectura pero no tiene "
                       "diagrama (mermaid, PlantUML o imagen)"), path, line, level=2)
    else:
        yield failed(T("no architecture document (docs/ARCHITECTURE.md or a README "
                       "Architecture section)", "no hay documento de arquitectura "
                       "(docs/ARCHITECTURE.md o sección Arquitectura del README)"), level=2)
    canvas = _find_canvas(ctx)
    if canvas is None:
        yield failed(T("no ML Canvas (docs/ML_CANVAS.md, or a document with 6 of the 8 canvas "
                       "sections)", "no hay ML Canvas (docs/ML_CANVAS.md, o un documento con 6 "
                       "de las 8 secciones del canvas)"), level=3)
        return
    path, found, doc = canvas
    problems = []
    if len(found) < 6:
        missing = [k for k in CANVAS_SECTIONS if k not in found]
        problems.append(T(f"only {len(found)}/8 canvas sections (missing {', '.join(missing)})",
                          f"solo {len(found)}/8 secciones del canvas (faltan "
                          f"{', '.join(missing)})"))
    numbers = len(_NUMBER.findall("\n".join(t for _, t in doc.prose)
                                  + "\n".join(" ".join(r) for tb in doc.tables
                                              for r in tb.rows)))
    if numbers < 3:
        problems.append(T("the metrics are not quantified (business, model and system targets "
                          "with numbers)", "las métricas no están cuantificadas (objetivos de "
                          "negocio, modelo y sistema con números)"))
    if not with_diagram:
        problems.append(T("no architecture diagram (level 2)", "no hay diagrama de "
                          "arquitectura (nivel 2)"))
    if problems:
        yield failed(T.join(problems), path, 1, level=3)
    else:
        yield passed(T(f"ML Canvas {path} with {len(found)}/8 sections and quantified metrics",
                       f"ML Canvas {path} con {len(found)}/8 secciones y métricas "
                       "cuantificadas"), path, 1, level=3)


def _canvas_sections(doc: Markdown) -> set[str]:
    return {key for key, names in CANVAS_SECTIONS.items() if headings_matching(doc, names)}


def _find_canvas(ctx: Context) -> tuple[str, set[str], Markdown] | None:
    named = ctx.files(CANVAS_GLOBS, case_sensitive=False)
    best: tuple[str, set[str], Markdown] | None = None
    for path in named:
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, Markdown):
            found = _canvas_sections(doc)
            if best is None or len(found) > len(best[1]):
                best = (path, found, doc)
    if best is not None:
        return best
    for path in ctx.files(["docs/**/*.md"]):
        if "card" in PurePosixPath(path).name.lower():
            continue
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, Markdown):
            found = _canvas_sections(doc)
            if len(found) >= 6 and {"business", "value"} <= found:
                return path, found, doc
    return None
