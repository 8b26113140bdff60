"""Phase 3 checks on the test suite: size (TEST001), fixtures (TEST002), the coverage
threshold (TEST003) and measured coverage (TEST004), data, model and integration tests
(TEST005-TEST007), isolation and markers (TEST008) and load tests (TEST009).

Tests are counted the way pytest collects them: files matching ``python_files``
(default ``test_*.py`` and ``*_test.py``) under ``testpaths`` when configured; module
level functions matching ``python_functions`` (default ``test*``) and methods of classes
matching ``python_classes`` (default ``Test*``, without ``__init__``) or deriving from
``unittest.TestCase``. A parametrized test counts once. Kinds of tests are recognised by
what they call and assert, not only by their file names. Nothing is run.
"""

from __future__ import annotations

import ast
import csv
import io
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from fnmatch import fnmatch
from functools import cached_property
from pathlib import Path, PurePosixPath

from mlops_lint.context import Context
from mlops_lint.globs import matches
from mlops_lint.model import Finding, Status, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Command, PathNames, ci_commands
from mlops_lint.parsers.coverage import (
    parse_cobertura,
    parse_coverage_html,
    parse_coverage_json,
)
from mlops_lint.parsers.ini import parse_ini
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.pytest_config import (
    ConfigFiles,
    CovOptions,
    Invocation,
    cov_options,
    invocations,
    read_configs,
)
from mlops_lint.parsers.python_source import PythonIndex, call_arg, literal, python_index
from mlops_lint.parsers.shell import split_commands
from mlops_lint.readers.coverage import coverage_ladder
from mlops_lint.readers.deployment import served_model
from mlops_lint.readers.training import (
    FUNCTION_NODES,
    assignments,
    ci_read_errors,
    declared,
    dependency_errors,
    every_call,
    last,
    literal_path,
    locations,
    method,
    model_used,
    no_data,
    nodes_of,
    parse_skip,
    receiver,
    scope_of,
    scope_walk,
    short,
    string_constants,
    training,
    training_errors,
)
from mlops_lint.repo import resolve_inside
from mlops_lint.rules import check

BUILTIN_MARKERS = frozenset({
    "parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings",
    # markers registered by common plugins
    "asyncio", "anyio", "timeout", "flaky", "order", "django_db", "benchmark",
    "xdist_group", "dependency", "freeze_time", "vcr", "httpx_mock", "respx", "trio",
})
DATA_ATTRS = frozenset({"isna", "isnull", "notna", "notnull", "dtypes", "columns", "between",
                        "nunique", "duplicated", "is_unique", "hasnans", "select_dtypes",
                        "is_monotonic_increasing", "value_counts"})
PREDICT_METHODS = frozenset({"predict", "predict_proba", "decision_function", "transform"})
LOAD_NAMES = re.compile(r"^(load|load_model|load_pipeline|load_artifact|load_\w*model\w*)$")
TRAIN_NAMES = re.compile(r"(^|_)(train|fit)(_|$)|^run_training$|^train\w*$")
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "request", "options",
                          "head"})
READER_NAMES = frozenset({
    "read_csv", "read_parquet", "read_json", "read_excel", "read_feather", "read_pickle",
    "read_table", "read_orc", "open", "load", "safe_load", "from_yaml", "from_file",
    "from_json", "load_config", "read_config", "load_yaml", "read_yaml", "read_text",
    "read_bytes", "load_data", "load_dataset", "loadtxt", "genfromtxt", "read_file",
})
REPO_DATA = re.compile(r"^(\./|\.\./)*(data|datasets?|configs?|conf|models|artifacts|mlruns)"
                       r"(/|$)|^(\./)?(params|config)\.ya?ml$")
LOAD_SCRIPT_GLOBS = ("**/*.jmx", "**/*k6*.js", "**/*k6*.ts", "**/k6/**/*.js", "**/*load*.js",
                     "**/*load*/**/*.js", "**/*perf*/**/*.js", "**/*stress*/**/*.js",
                     "**/*load*/**/*.ts", "**/*perf*/**/*.ts")
FAST_PATH = re.compile(r"not\s+(slow|integration|e2e)")


# -- the test inventory -----------------------------------------------------------------


@dataclass(frozen=True)
class Case:
    """One collected test function or method."""

    index: PythonIndex
    node: ast.FunctionDef | ast.AsyncFunctionDef
    cls: str | None
    markers: frozenset[str]

    @property
    def path(self) -> str:
        return self.index.path

    @property
    def params(self) -> list[str]:
        args = self.node.args
        return [a.arg for a in args.posonlyargs + args.args + args.kwonlyargs]

    @cached_property
    def nodes(self) -> list[ast.AST]:
        return list(ast.walk(self.node))

    @cached_property
    def all_calls(self) -> list[tuple[str, ast.Call]]:
        return [(self.index.qualname(node.func) or "", node) for node in self.nodes
                if isinstance(node, ast.Call)]

    def calls(self) -> list[tuple[str, ast.Call]]:
        return self.all_calls

    @cached_property
    def asserted(self) -> list[ast.AST]:
        out: list[ast.AST] = []
        for node in self.nodes:
            if isinstance(node, ast.Assert):
                out.append(node.test)
            elif isinstance(node, ast.Call):
                name = method(node) or last(self.index.qualname(node.func))
                if name.startswith("assert") or name in ("approx", "raises"):
                    out.extend(node.args)
        return out


@dataclass
class Suite:
    config: ConfigFiles
    files: list[PythonIndex] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)
    cases: list[Case] = field(default_factory=list)
    conftests: list[PythonIndex] = field(default_factory=list)
    missing_testpaths: list[str] = field(default_factory=list)
    # test functions with assertions in files the discovery patterns do not match
    uncollected: list[Case] = field(default_factory=list)
    patterns: tuple[str, ...] = ("test_*.py", "*_test.py")
    # the configuration's testpaths that lie in this project, project-relative ("." for
    # the whole project); testpaths of a parent's configuration may all lie elsewhere
    testpaths: tuple[str, ...] = ()

    @property
    def inherited(self) -> str | None:
        """The directory of the pytest configuration when it lies above the project."""
        cfg = self.config.pytest
        if cfg is None:
            return None
        folder = PurePosixPath(cfg.path).parent.as_posix()
        return folder if folder != self.project else None

    project: str = "."


def _markers(index: PythonIndex, decorators: Iterable[ast.expr]) -> set[str]:
    out = set()
    for deco in decorators:
        target = deco.func if isinstance(deco, ast.Call) else deco
        qual = index.qualname(target) or ""
        if qual.startswith("pytest.mark."):
            out.add(qual.split(".")[2])
    return out


def _module_markers(index: PythonIndex) -> set[str]:
    for node in index.tree.body:
        if isinstance(node, ast.Assign) and any(
                isinstance(t, ast.Name) and t.id == "pytestmark" for t in node.targets):
            values = node.value.elts if isinstance(node.value, ast.List | ast.Tuple) \
                else [node.value]
            return _markers(index, values)
    return set()


def _name_matches(name: str, patterns: tuple[str, ...]) -> bool:
    """pytest's python_functions/python_classes: name prefixes or glob patterns."""
    return any(fnmatch(name, p) if any(c in p for c in "*?[") else name.startswith(p)
               for p in patterns)


def _collect(index: PythonIndex, functions: tuple[str, ...],
             classes: tuple[str, ...]) -> list[Case]:
    cases: list[Case] = []
    module_marks = _module_markers(index)
    for node in index.tree.body:
        if isinstance(node, FUNCTION_NODES) and _name_matches(node.name, functions):
            cases.append(Case(index, node, None, frozenset(
                module_marks | _markers(index, node.decorator_list))))
        elif isinstance(node, ast.ClassDef):
            unittest = any((index.qualname(b) or "").endswith("TestCase") for b in node.bases)
            named = _name_matches(node.name, classes)
            has_init = any(isinstance(n, FUNCTION_NODES) and n.name == "__init__"
                           for n in node.body)
            if not (unittest or (named and not has_init)):
                continue
            class_marks = module_marks | _markers(index, node.decorator_list)
            for item in node.body:
                if isinstance(item, FUNCTION_NODES) and _name_matches(
                        item.name, ("test",) if unittest else functions):
                    cases.append(Case(index, item, node.name, frozenset(
                        class_marks | _markers(index, item.decorator_list))))
    return cases


def _under(local: str, root: str) -> bool:
    """Whether a project-relative path lies under a ``testpaths`` entry (a glob allowed)."""
    return local == root or local.startswith(root + "/") or fnmatch(local, root) or \
        matches(local, [root + "/**"])


def _add_file(ctx: Context, result: Suite, path: str, functions: tuple[str, ...],
              classes: tuple[str, ...]) -> None:
    index = python_index(ctx.repo, path)
    if isinstance(index, ParseError):
        result.errors.append(index)
    elif PurePosixPath(path).name == "conftest.py":
        result.conftests.append(index)
    else:
        result.files.append(index)
        result.cases.extend(_collect(index, functions, classes))


def _uncollected(ctx: Context, files: list[str], patterns: tuple[str, ...],
                 functions: tuple[str, ...], classes: tuple[str, ...]) -> list[Case]:
    """Test functions with assertions in files named like tests (``test.py``,
    ``tests.py``, ``model_tests.py``, or under a tests/ folder) that the discovery patterns
    do not match: written as tests, but never collected by pytest."""
    out: list[Case] = []
    for path in files:
        pure = PurePosixPath(path)
        if pure.name == "conftest.py" or any(fnmatch(pure.name, p) for p in patterns):
            continue
        if "test" not in pure.stem.lower() and not any(
                part in ("test", "tests") for part in pure.parts[:-1]):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, PythonIndex):
            out.extend(c for c in _collect(index, functions, classes) if c.asserted)
    return out


def _project_testpaths(ctx: Context, config: str, testpaths: tuple[str, ...]
                       ) -> tuple[str, ...]:
    """``testpaths`` (relative to the configuration file's directory, as pytest reads them)
    that lie in the project, made project-relative; ``.`` for the whole project."""
    base = PurePosixPath(config).parent.as_posix()
    project = ctx.project.path
    out: list[str] = []
    for entry in testpaths:
        entry = entry.strip("/")
        full = base if entry in ("", ".") else entry if base == "." else f"{base}/{entry}"
        full = PurePosixPath(full).as_posix()
        if project == ".":
            out.append(full)
        elif full == project or (base != "." and full == base and
                                 project.startswith(base + "/")):
            out.append(".")
        elif full.startswith(project + "/"):
            out.append(full[len(project) + 1:])
    return tuple(out)


def suite(ctx: Context) -> Suite:
    """The project's collected tests and conftest files (computed once per project)."""
    key = f"phase3:suite:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: Suite = cached
        return result
    config = read_configs(ctx.repo, ctx.project.path)
    result = Suite(config)
    cfg = config.pytest
    patterns = cfg.python_files if cfg else ("test_*.py", "*_test.py")
    functions = cfg.python_functions if cfg else ("test",)
    classes = cfg.python_classes if cfg else ("Test",)
    result.project = ctx.project.path
    result.testpaths = _project_testpaths(ctx, cfg.path, cfg.testpaths) if cfg else ()
    roots = [p for p in result.testpaths if p != "."]
    files = ctx.files(["**/*.py"])
    local = {path: ctx.project.local(path) for path in files}
    result.missing_testpaths = [r for r in roots if not any(_under(v, r) for v in local.values())]
    for path in files:
        name = PurePosixPath(path).name
        collected = any(fnmatch(name, p) for p in patterns) and (
            not roots or any(_under(local[path], r) for r in roots))
        if name == "conftest.py" or collected:
            _add_file(ctx, result, path, functions, classes)
    result.patterns = tuple(patterns)
    if not result.cases:
        result.uncollected = _uncollected(ctx, files, tuple(patterns), functions, classes)
    ctx.repo.memo[key] = result
    return result


def no_python(ctx: Context) -> Finding | None:
    """A ``skip`` for the rules about a Python test suite when the project has neither
    Python code nor tests (a Terraform module, a documentation site): TEST001 reports the
    missing suite once; the others have no subject."""
    if suite(ctx).cases or ctx.files(["**/*.py", "**/*.ipynb"]):
        return None
    return skipped(T("not applicable: no Python code and no tests in this project (TEST001 "
                     "reports the missing test suite)", "no aplica: no hay código Python ni "
                     "tests en este proyecto (TEST001 informa de la falta de tests)"))


def _no_model(ctx: Context) -> Finding | None:
    """A ``skip`` for model tests when the project has no model: it trains none (in its
    modules or notebooks) and its modules neither load one nor predict with one."""
    found = training(ctx)
    if found.anywhere or model_used(ctx) is not None or served_model(ctx.repo) is not None:
        return None
    return skipped(T("not applicable: ", "no aplica: ") + found.absent() + T(
        ", its modules neither load a model nor predict with one, and no manifest, image or "
        "Terraform of the repository serves one, so there is no model to test",
        ", sus módulos no cargan ningún modelo ni predicen con él, y ningún manifiesto, "
        "imagen o Terraform del repositorio sirve uno, así que no hay modelo que probar"))


def _no_tests(level: int | None = None, needed: T | None = None) -> Finding:
    return failed(T("no Python tests: no test_*.py/*_test.py file with test functions",
                    "no hay tests de Python: ningún test_*.py/*_test.py con funciones de "
                    "test") + (needed or T("", "")), level=level,
                  fix=T("create tests/test_<module>.py with pytest test functions",
                        "crea tests/test_<módulo>.py con funciones de test de pytest"))


# -- TEST001 ----------------------------------------------------------------------------


def _uncollected_tests(found: Suite, ideal: int) -> Iterator[Finding]:
    """Tests written in files pytest does not collect: a warning at L1 (they may be run
    another way), a size shortfall at L3."""
    first = found.uncollected[0]
    in_first = [c.node.name for c in found.uncollected if c.path == first.path]
    count = len(found.uncollected)
    files = len({c.path for c in found.uncollected})
    names = ", ".join(in_first[:3]) + (", ..." if len(in_first) > 3 else "")
    default = "default " if found.patterns == ("test_*.py", "*_test.py") else ""
    globs = ", ".join(found.patterns)
    plural = "s" * (len(in_first) != 1)
    message = T(f"{first.path} defines {len(in_first)} test function{plural} ({names}) with "
                f"assertions, but pytest's {default}discovery ({globs}) does not collect "
                "that file name, so `pytest` runs no test",
                f"{first.path} define {len(in_first)} función{'es' * (len(in_first) != 1)} "
                f"de test ({names}) con aserciones, pero el descubrimiento "
                f"{'por defecto ' if default else ''}de pytest ({globs}) no recoge ese nombre "
                "de archivo, así que `pytest` no ejecuta ningún test")
    if files > 1:
        message += T(f" ({count} such functions in {files} files)",
                     f" ({count} funciones así en {files} archivos)")
    fix = T(f"rename {first.path} to test_<name>.py (or add its pattern to python_files)",
            f"renombra {first.path} a test_<nombre>.py (o añade su patrón a python_files)")
    yield warned(message, first.path, first.node.lineno, level=1, fix=fix)
    yield failed(message + T(f"; {ideal} tests is the recommended size of a suite",
                             f"; {ideal} tests es el tamaño recomendado de una suite"),
                 first.path, first.node.lineno, level=3, fix=fix)


@check("test_suite")
def suite_size(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST001: tests under a configured ``testpaths``, at least 10 (L1) / 30 (L3)."""
    found = suite(ctx)
    minimum, ideal = ctx.thresholds.min_tests
    for error in found.config.errors:
        yield failed(T(f"{error.path} cannot be parsed ({error.message}): pytest cannot read "
                       "its configuration", f"{error.path} no se puede analizar "
                       f"({error.message}): pytest no puede leer su configuración"),
                     error.path, error.line, level=1)
    for error in found.errors:
        yield warned(T(f"{error.path} cannot be parsed ({error.message}): pytest fails to "
                       "collect it and its tests are not counted",
                       f"{error.path} no se puede analizar ({error.message}): pytest no puede "
                       "recogerlo y sus tests no se cuentan"), error.path, error.line)
    count = len(found.cases)
    if count == 0 and found.uncollected:
        yield from _uncollected_tests(found, ideal)
        return
    if count == 0:
        needed = T(f"; at least {minimum} test functions are needed ({ideal} for level 3)",
                   f"; hacen falta al menos {minimum} funciones de test ({ideal} para el "
                   "nivel 3)")
        yield _no_tests(1, needed)
        yield _no_tests(3, needed)
        return
    files = len({c.path for c in found.cases})
    first = found.cases[0]
    summary = T(f"{count} test{'s' * (count != 1)} in {files} file{'s' * (files != 1)}",
                f"{count} test{'s' * (count != 1)} en {files} archivo{'s' * (files != 1)}")
    cfg = found.config.pytest
    parent = T("at the repository root", "en la raíz del repositorio") \
        if found.inherited == "." else T(f"in the parent directory {found.inherited}",
                                         f"en el directorio superior {found.inherited}")
    above = T(" (the configuration pytest uses for this project, ", " (la configuración que "
              "pytest usa para este proyecto, ") + parent + T(")", ")") \
        if found.inherited else T("", "")
    if cfg is None:
        where = ctx.first("pyproject.toml", "setup.cfg", "tox.ini")
        yield failed(summary + T(", but no pytest configuration in the project or a parent "
                                 "directory ([tool.pytest.ini_options], pytest.ini, setup.cfg "
                                 "[tool:pytest] or tox.ini [pytest])",
                                 ", pero no hay configuración de pytest en el proyecto ni en un "
                                 "directorio superior ([tool.pytest.ini_options], pytest.ini, "
                                 "setup.cfg [tool:pytest] o tox.ini [pytest])"),
                     where, None, level=1,
                     fix=T('[tool.pytest.ini_options]\ntestpaths = ["tests"]',
                           '[tool.pytest.ini_options]\ntestpaths = ["tests"]'))
    elif not cfg.testpaths:
        yield failed(summary + T(f", but {cfg.path} sets no testpaths",
                                 f", pero {cfg.path} no define testpaths") + above,
                     cfg.path, cfg.line,
                     level=1, fix=T('testpaths = ["tests"]', 'testpaths = ["tests"]'))
    elif not found.testpaths:
        listed = ", ".join(cfg.testpaths)
        yield failed(summary + T(f", but the testpaths of {cfg.path} ({listed}) lie outside "
                                 "this project", f", pero los testpaths de {cfg.path} "
                                 f"({listed}) quedan fuera de este proyecto") + above,
                     cfg.path, cfg.line, level=1)
    elif found.missing_testpaths:
        yield failed(T(f"testpaths in {cfg.path} names {', '.join(found.missing_testpaths)}, "
                       "which holds no Python files",
                       f"testpaths en {cfg.path} nombra {', '.join(found.missing_testpaths)}, "
                       "que no contiene archivos Python"), cfg.path, cfg.line, level=1)
    elif count < minimum:
        yield failed(summary + T(f"; at least {minimum} are needed",
                                 f"; se necesitan al menos {minimum}"), first.path, None,
                     level=1)
    else:
        yield passed(summary + T(f" under testpaths {', '.join(cfg.testpaths)} ({cfg.path})",
                                 f" bajo testpaths {', '.join(cfg.testpaths)} ({cfg.path})"),
                     cfg.path, cfg.line, level=1)
    if count >= ideal:
        yield passed(summary + T(f" (>= {ideal})", f" (>= {ideal})"), level=3)
    else:
        yield failed(summary + T(f"; {ideal} is the recommended size of a suite",
                                 f"; {ideal} es el tamaño recomendado de una suite"),
                     level=3)


# -- TEST002 ----------------------------------------------------------------------------


def _fixtures(index: PythonIndex) -> list[ast.FunctionDef | ast.AsyncFunctionDef]:
    out = []
    for node in nodes_of(index, ast.FunctionDef, ast.AsyncFunctionDef):
        if isinstance(node, FUNCTION_NODES):
            for deco in node.decorator_list:
                target = deco.func if isinstance(deco, ast.Call) else deco
                if last(index.qualname(target)) == "fixture":
                    out.append(node)
                    break
    return out


RANDOM_STDLIB = frozenset({"random", "randint", "choice", "choices", "shuffle", "uniform",
                           "gauss", "sample", "normalvariate"})


def _unseeded_random(index: PythonIndex) -> int | None:
    """Line of random data drawn without a seed in a conftest."""
    seeded_np = any(q in ("numpy.random.seed",) for q, _ in index.calls)
    seeded_std = any(q == "random.seed" for q, _ in index.calls)
    for qual, call in index.calls:
        if qual.startswith("numpy.random."):
            name = last(qual)
            if name in ("default_rng", "RandomState", "Generator", "PCG64", "SeedSequence"):
                if not call.args and not call.keywords:
                    return call.lineno
            elif name != "seed" and not seeded_np:
                return call.lineno
        elif (qual.startswith("random.") and last(qual) in RANDOM_STDLIB and
              not seeded_std) or (qual.startswith("sklearn.datasets.make_") and not any(
                  k.arg == "random_state" for k in call.keywords)):
            return call.lineno
    return None


@check("test_fixtures")
def shared_fixtures(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST002: a conftest.py shares >= 1 pytest fixture; synthetic data is seeded."""
    found = suite(ctx)
    absent = no_python(ctx) if not found.conftests else None
    if absent is not None:
        yield absent
        return
    if not found.conftests:
        detail = T("" if found.cases else " (and no tests at all)",
                   "" if found.cases else " (y ningún test)")
        yield failed(T("no conftest.py with shared fixtures", "no hay conftest.py con fixtures "
                       "compartidas") + detail,
                     fix=T("create tests/conftest.py with @pytest.fixture functions "
                           "(sample data seeded with np.random.default_rng(42))",
                           "crea tests/conftest.py con funciones @pytest.fixture (datos de "
                           "ejemplo con semilla np.random.default_rng(42))"))
        return
    total = 0
    for index in found.conftests:
        fixtures = _fixtures(index)
        total += len(fixtures)
        if not fixtures:
            continue
        line = _unseeded_random(index)
        if line is not None:
            yield warned(T(f"{index.path} draws random data without a seed (line {line}): "
                           "tests are not reproducible",
                           f"{index.path} genera datos aleatorios sin semilla (línea {line}): "
                           "los tests no son reproducibles"), index.path, line,
                         fix=T("rng = np.random.default_rng(42)",
                               "rng = np.random.default_rng(42)"))
        else:
            names = ", ".join(f.name for f in fixtures[:5])
            yield passed(T(f"{index.path} shares {len(fixtures)} fixture(s): {names}",
                           f"{index.path} comparte {len(fixtures)} fixture(s): {names}"),
                         index.path, fixtures[0].lineno)
    if total == 0:
        first = found.conftests[0]
        yield failed(T(f"{first.path} defines no @pytest.fixture",
                       f"{first.path} no define ningún @pytest.fixture"), first.path, 1)


# -- TEST003 ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Threshold:
    value: float
    path: str
    line: int | None
    where: T  # what in that file sets it
    ci: bool = False  # set by a blocking CI command itself


@dataclass
class CoverageSetup:
    thresholds: list[Threshold] = field(default_factory=list)
    targets: list[tuple[str, str]] = field(default_factory=list)  # (target, where)
    uses_pytest_cov: bool = False
    enforced_by: str | None = None  # the CI command that enforces a threshold


def project_ci_commands(ctx: Context) -> list[Command]:
    """CI commands that concern this project: in a monorepo, those that name its
    directory (in the command or its working-directory), those that name no project at
    all (shared jobs), and those driven by a matrix (``${{ matrix.project }}``), which may
    run for any project."""
    commands = ci_commands(ctx.repo)
    projects = [p.path for p in ctx.repo.projects if p.path != "."]
    if len(ctx.repo.projects) <= 1 or not projects:
        return commands

    # which projects each command names does not depend on the project asking: once a run
    key = "testing:ci_commands_named"
    table: list[tuple[Command, list[str], bool]] | None = ctx.repo.memo.get(key)
    if table is None:
        table = []
        named = PathNames(projects)
        for command in commands:
            cwd = str(getattr(command, "cwd", None) or "").strip().strip("./")
            text = f"{cwd} {command.text}" if cwd else command.text
            table.append((command, named.named(text), "${{ matrix." in text))
        ctx.repo.memo[key] = table
    return [command for command, named, matrix in table
            if not named or ctx.project.path in named or matrix]


def _makefile(ctx: Context) -> tuple[str, Makefile] | None:
    for path in [p for p in (ctx.first("Makefile"), "Makefile") if p]:
        if ctx.repo.exists(path):
            parsed = ctx.repo.parse(path, parse_makefile)
            if not isinstance(parsed, ParseError):
                return path, parsed
    return None


def _config_errors(ctx: Context) -> list[ParseError]:
    """tox.ini and Makefile files that could not be read while looking for commands."""
    out = []
    tox = ctx.first("tox.ini")
    if tox:
        ini = ctx.repo.parse(tox, parse_ini)
        if isinstance(ini, ParseError):
            out.append(ini)
    for path in [p for p in (ctx.first("Makefile"), "Makefile") if p]:
        if ctx.repo.exists(path):
            parsed = ctx.repo.parse(path, parse_makefile)
            if isinstance(parsed, ParseError) and parsed not in out:
                out.append(parsed)
    return out


def _tox_commands(ctx: Context) -> tuple[str, list[tuple[int | None, str]]] | None:
    path = ctx.first("tox.ini")
    if path is None:
        return None
    ini = ctx.repo.parse(path, parse_ini)
    if isinstance(ini, ParseError):
        return None
    out: list[tuple[int | None, str]] = []
    for section in ini.sections():
        if section == "testenv" or section.startswith("testenv:"):
            for line in (ini.get(section, "commands") or "").splitlines():
                out.append((ini.line(section), line))
    return path, out


def _expand(make: Makefile, text: str) -> str:
    expand = getattr(make, "expand", None)
    return str(expand(text)) if callable(expand) else text


def _make_targets(text: str) -> list[str]:
    out = []
    for simple in split_commands(text):
        if simple.program in ("make", "gmake"):
            args = [a for a in simple.args if not a.startswith("-") and "=" not in a]
            out.extend(args or [""])
    return out


class _CoverageScan:
    """Collects thresholds and --cov targets, and tells which commands enforce one."""

    def __init__(self, ctx: Context) -> None:
        self.ctx = ctx
        self.setup = CoverageSetup()
        configs = read_configs(ctx.repo, ctx.project.path)
        self.addopts = cov_options(configs.pytest.addopts) if configs.pytest else CovOptions()
        self.cov = configs.coverage
        if configs.pytest:
            self._config(configs.pytest.path, configs.pytest.line)
        if self.cov is not None:
            if self.cov.fail_under is not None:
                self.setup.thresholds.append(Threshold(
                    self.cov.fail_under, self.cov.path, self.cov.fail_under_line,
                    T("coverage fail_under", "fail_under de coverage")))
            self.setup.targets += [(src, self.cov.path) for src in self.cov.source]
        self.config_threshold = self.addopts.fail_under if self.addopts.fail_under is not None \
            else (self.cov.fail_under if self.cov is not None else None)

    def _config(self, path: str, line: int | None) -> None:
        if self.addopts.fail_under is not None:
            self.setup.thresholds.append(Threshold(
                self.addopts.fail_under, path, line,
                T("pytest addopts --cov-fail-under", "addopts de pytest --cov-fail-under")))
        self.setup.uses_pytest_cov |= self.addopts.cov or self.addopts.fail_under is not None
        self.setup.targets += [(t, path) for t in self.addopts.targets]

    def enforces(self, inv: Invocation) -> bool:
        if inv.swallowed:
            return False
        if inv.options.fail_under is not None:
            return True
        if inv.kind == "coverage-report":
            return self.cov is not None and self.cov.fail_under is not None
        measured = inv.options.cov or self.addopts.cov
        return inv.kind == "pytest" and measured and "--no-cov" not in inv.args and \
            self.config_threshold is not None

    def scan(self, text: str, path: str, line: int | None, where: T, ci: bool) -> bool:
        """Record what a script sets; whether it enforces a threshold."""
        enforced = False
        for inv in invocations(text):
            if inv.kind in ("pytest", "coverage-run"):
                self.setup.uses_pytest_cov |= inv.kind == "pytest" and (
                    inv.options.cov or inv.options.fail_under is not None)
                self.setup.targets += [(t, path) for t in inv.options.targets]
            if inv.options.fail_under is not None:
                self.setup.thresholds.append(Threshold(inv.options.fail_under, path, line,
                                                       where, ci and not inv.swallowed))
            enforced |= self.enforces(inv)
        return enforced

    def scan_make(self, make: tuple[str, Makefile] | None) -> dict[str, bool]:
        enforcing: dict[str, bool] = {}
        if make is None:
            return enforcing
        path, parsed = make
        for name, target in parsed.targets.items():
            where = T(f"Makefile target {name}", f"objetivo {name} del Makefile")
            results = [self.scan(_expand(parsed, recipe), path, number, where, False)
                       for number, recipe in target.recipe]
            enforcing[name] = any(results)
        return enforcing

    def scan_tox(self) -> bool:
        tox = _tox_commands(self.ctx)
        if tox is None:
            return False
        where = T("tox commands", "comandos de tox")
        enforced = False
        for number, command in tox[1]:  # scan every command: each may set a threshold
            enforced |= self.scan(command, tox[0], number, where, False)
        return enforced


def _make_enforces(make: tuple[str, Makefile] | None, enforcing: dict[str, bool],
                   text: str) -> bool:
    """Whether ``make <target>`` in a command runs a recipe that enforces a threshold."""
    if make is None:
        return False
    for target in _make_targets(text):
        name = target or next(iter(make[1].targets), "")
        if any(enforcing.get(d, False) for d in [name, *_all_prereqs(make[1], name)]):
            return True
    return False


def coverage_setup(ctx: Context) -> CoverageSetup:
    """Every place that sets a coverage threshold or a ``--cov`` target for the project."""
    key = f"phase3:coverage:{ctx.project.path}"
    cached = ctx.repo.memo.get(key)
    if cached is not None:
        result: CoverageSetup = cached
        return result
    scan = _CoverageScan(ctx)
    make = _makefile(ctx)
    make_enforcing = scan.scan_make(make)
    tox_enforces = scan.scan_tox()
    for command in project_ci_commands(ctx):
        where = T(f"CI command ({command.system})", f"comando de CI ({command.system})")
        enforced = scan.scan(command.text, command.path, command.line, where, command.blocking)
        enforced |= _make_enforces(make, make_enforcing, command.text)
        if any(s.program == "tox" for s in split_commands(command.text)):
            enforced |= tox_enforces
        if enforced and command.blocking and scan.setup.enforced_by is None:
            scan.setup.enforced_by = f"{command.path}:{command.line}" if command.line \
                else command.path
    ctx.repo.memo[key] = scan.setup
    return scan.setup


def _all_prereqs(make: Makefile, name: str, depth: int = 0) -> list[str]:
    target = make.targets.get(name)
    if target is None or depth > 10:
        return []
    out = list(target.prerequisites)
    for prerequisite in target.prerequisites:
        out += _all_prereqs(make, prerequisite, depth + 1)
    return out


def _packages(ctx: Context) -> set[str]:
    out = set()
    for path in ctx.files(["src/*/__init__.py", "*/__init__.py"]):
        parts = PurePosixPath(ctx.project.local(path)).parts
        name = parts[-2]
        if name not in ("tests", "test", "docs", "scripts"):
            out.add(name)
    return out


def _targets_package(target: str, packages: set[str], project: str) -> bool:
    clean = target.strip().removeprefix("./").rstrip("/")
    if project != "." and clean.startswith(project + "/"):
        clean = clean[len(project) + 1:]
    if clean in ("", "."):
        return False
    if clean == "src":
        return True
    parts = re.split(r"[/.]", clean)
    return any(p in packages for p in parts) and "tests" not in parts


def _coverage_fix(levels: tuple[int, int, int]) -> T:
    top = levels[2]
    return T(f'[tool.pytest.ini_options] addopts = "--cov=src/<pkg> --cov-fail-under={top}" '
             f"(or [tool.coverage.report] fail_under = {top}), with pytest-cov in the dev "
             "extra; ",
             f'[tool.pytest.ini_options] addopts = "--cov=src/<pkg> --cov-fail-under={top}" '
             f"(o [tool.coverage.report] fail_under = {top}), con pytest-cov en el extra "
             "dev; ") + coverage_ladder(levels)


def _threshold_summary(setup: CoverageSetup, best: Threshold) -> tuple[T, T]:
    """(head, tail) of the TEST003 message: the effective threshold; every place and CI."""
    listed = "; ".join(f"{t.path}{':' + str(t.line) if t.line else ''} {t.value:g}%"
                       for t in setup.thresholds)
    enforced = setup.enforced_by or next(
        (f"{t.path}:{t.line}" if t.line else t.path for t in setup.thresholds if t.ci), None)
    ci_text = T(f"; enforced in CI at {enforced}", f"; la CI lo aplica en {enforced}") \
        if enforced else T("; CI does not enforce it", "; la CI no lo aplica")
    head = T(f"coverage threshold {best.value:g}% ({best.where.en} in {best.path})",
             f"umbral de cobertura {best.value:g}% ({best.where.es} en {best.path})")
    return head, T(f"; found: {listed}", f"; encontrado: {listed}") + ci_text


def _untargeted(setup: CoverageSetup) -> T:
    bare = ", ".join(repr(t) for t, _ in setup.targets)
    return T("coverage is not aimed at the package (--cov=src/<pkg> or [tool.coverage.run] "
             "source)" + (f"; found --cov={bare}" if bare else ""),
             "la cobertura no apunta al paquete (--cov=src/<pkg> o [tool.coverage.run] "
             "source)" + (f"; encontrado --cov={bare}" if bare else ""))


@check("coverage_threshold")
def coverage_threshold(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST003: the highest coverage threshold configured anywhere (>= 70/80/85), pytest-cov
    declared, and ``--cov`` aimed at the package (L2+)."""
    setup = coverage_setup(ctx)
    levels = ctx.thresholds.coverage
    config_errors = read_configs(ctx.repo, ctx.project.path).errors
    for error in [*config_errors, *ci_read_errors(ctx), *_config_errors(ctx)]:
        yield parse_skip(error)
    absent = no_python(ctx) if not setup.thresholds else None
    if absent is not None:
        yield absent
        return
    if not setup.thresholds:
        for level in (1, 2, 3):
            yield failed(T("no coverage threshold (--cov-fail-under, fail_under) in pytest, "
                           "coverage, Makefile or CI configuration",
                           "no hay umbral de cobertura (--cov-fail-under, fail_under) en la "
                           "configuración de pytest, coverage, Makefile o CI"),
                         level=level, fix=_coverage_fix(levels))
        return
    best = max(setup.thresholds, key=lambda t: (t.value, not t.ci))
    head, tail = _threshold_summary(setup, best)
    tool = ("pytest-cov",) if setup.uses_pytest_cov else ("pytest-cov", "coverage")
    tool_ok = declared(ctx, *tool) is not None
    for error in dependency_errors(ctx):
        if error.path not in {e.path for e in config_errors}:
            yield parse_skip(error)
    packages = _packages(ctx)
    targeted = any(_targets_package(t, packages, ctx.project.path) for t, _ in setup.targets)
    for level, floor in zip((1, 2, 3), levels, strict=True):
        problems: list[T] = []
        if best.value < floor:
            problems.append(T(f"below {floor}%", f"por debajo de {floor}%"))
        if not tool_ok:
            problems.append(T(f"{tool[0]} is not declared in the dev dependencies",
                              f"{tool[0]} no está declarado en las dependencias de "
                              "desarrollo"))
        if level >= 2 and not targeted:
            problems.append(_untargeted(setup))
        if problems:
            yield failed(head + T(": ", ": ") + T.join(problems) + tail, best.path, best.line,
                         level=level, fix=_coverage_fix(levels))
        else:
            yield passed(head + tail, best.path, best.line, level=level)


# -- TEST004 ----------------------------------------------------------------------------


REPORT_PARSERS = {".xml": parse_cobertura, ".json": parse_coverage_json,
                  ".html": parse_coverage_html}
REPORT_NAMES = ("coverage.xml", "coverage.json", "htmlcov/index.html")


def _report_candidates(ctx: Context) -> list[str]:
    listed = [p for p in ctx.files(["coverage.xml", "coverage.json", "htmlcov/index.html",
                                    "**/coverage.xml", "**/coverage.json",
                                    "**/htmlcov/index.html"])
              if not any(part in ("tests", "test", "fixtures") for part in
                         PurePosixPath(ctx.project.local(p)).parts[:-1])]
    for name in REPORT_NAMES:  # generated reports are usually gitignored: look on disk too
        path = ctx.path(name)
        if path not in listed and not (ctx.config.exclude and matches(path,
                                                                      ctx.config.exclude)):
            try:
                if ctx.repo.abspath(path).is_file():
                    listed.append(path)
            except OSError:  # pragma: no cover - unreadable directory
                pass
    order = {".xml": 0, ".json": 1, ".html": 2}
    return sorted(listed, key=lambda p: (p.count("/"), order.get(Path(p).suffix, 3), p))


def _user_report(ctx: Context) -> str | Finding | None:
    """The report the user named: an absolute path when given on the command line (it
    may live outside the repository), else a repository path that must resolve inside."""
    given = ctx.config.coverage_report
    if not given:
        return None
    missing = skipped(T(f"the coverage report {given} does not exist",
                        f"el informe de cobertura {given} no existe"))
    path = ctx.config.coverage_report_path(ctx.repo.root)
    if path is None:
        return missing
    if ctx.config.coverage_report_trusted:
        return ctx.repo.trust(path)
    inside = resolve_inside(ctx.repo.root, path, given)
    if isinstance(inside, ParseError):
        if inside.message.startswith("cannot read"):
            return missing
        return skipped(T(f"the coverage report {given}: {inside.message}",
                         f"el informe de cobertura {given}: {inside.message}"))
    return inside.relative_to(ctx.repo.root).as_posix()


@check("measured_coverage")
def measured_coverage(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST004: measured line coverage from a report (>= 70/80/85); no report: skip."""
    user = _user_report(ctx)
    if isinstance(user, Finding):
        yield user
        return
    candidates = [user] if user else _report_candidates(ctx)
    levels = ctx.thresholds.coverage
    for path in candidates:
        parser = REPORT_PARSERS.get(Path(path).suffix.lower(), parse_cobertura)
        total = ctx.repo.parse(path, parser)
        shown = ctx.config.coverage_report if path == user else path
        if isinstance(total, ParseError):
            yield Finding(Status.SKIP, T(f"{shown} cannot be read as a coverage report: "
                                         f"{total.message}",
                                         f"{shown} no se puede leer como informe de cobertura: "
                                         f"{total.message}"),
                          None if path == user else path, total.line)
            continue
        at = None if path == user else path
        for level, floor in zip((1, 2, 3), levels, strict=True):
            message = T(f"measured coverage {total.percent:.1f}% ({shown})",
                        f"cobertura medida {total.percent:.1f}% ({shown})")
            if total.percent >= floor:
                yield passed(message + T(f" >= {floor}%", f" >= {floor}%"), at, level=level)
            else:
                yield failed(message + T(f" < {floor}%", f" < {floor}%"), at, level=level,
                             fix=T(f"add tests until coverage reaches {floor}%",
                                   f"añade tests hasta que la cobertura llegue a {floor}%"))
        return
    if candidates:
        return
    dot = ctx.path(".coverage")
    note = T("; a .coverage data file exists: run `coverage xml` to turn it into a report",
             "; existe un archivo de datos .coverage: ejecuta `coverage xml` para generar un "
             "informe") if ctx.repo.abspath(dot).is_file() else T("", "")
    yield skipped(T("no coverage report (coverage.xml, coverage.json, htmlcov/index.html or "
                    "--coverage-report); coverage is never measured by running the tests",
                    "no hay informe de cobertura (coverage.xml, coverage.json, "
                    "htmlcov/index.html o --coverage-report); la cobertura nunca se mide "
                    "ejecutando los tests") + note)


# -- TEST005 / TEST006 / TEST007 ----------------------------------------------------------


def _asserted(case: Case) -> list[ast.AST]:
    """Assertion expressions of a test: ``assert`` statements and assert_* helpers."""
    return case.asserted


def _names(node: ast.AST) -> set[str]:
    return {n.id for n in ast.walk(node) if isinstance(n, ast.Name)}


DATA_FILE_NAMES = re.compile(r"^(test_)?(data|schema|validation|expectation)")
AGGREGATES = frozenset({"min", "max", "mean", "sum", "all", "any", "std", "median"})


def _column(node: ast.AST) -> bool:
    """``df["age"]`` or ``df.age``-style access by a literal column name."""
    return isinstance(node, ast.Subscript) and isinstance(literal(node.slice), str)


def _range_assertion(expr: ast.AST) -> bool:
    """``assert df["age"].min() >= 0``, ``assert (df["p"] <= 1).all()``: a range or
    value check on a column."""
    for node in ast.walk(expr):
        if isinstance(node, ast.Call) and method(node) in AGGREGATES:
            obj = receiver(node)
            if obj is not None and (_column(obj) or (isinstance(obj, ast.Compare) and any(
                    _column(n) for n in ast.walk(obj)))):
                return True
    return False


def data_test(case: Case) -> bool:
    """A test about the data: by its file name (test_data*, data_test.py, test_schema*),
    assertions on columns, dtypes, nulls, ranges or duplicates, a pandera / Great
    Expectations validation, or Great Expectations ``expect_*`` calls."""
    name = PurePosixPath(case.path).name
    if DATA_FILE_NAMES.match(name):
        return True
    for expr in _asserted(case):
        if _range_assertion(expr):
            return True
        for node in ast.walk(expr):
            if isinstance(node, ast.Attribute) and node.attr in DATA_ATTRS:
                return True
    for qual, call in case.calls():
        if qual.startswith(("pandera", "great_expectations")) or qual.startswith((
                "pandas.testing.assert_frame", "pandas.testing.assert_series")):
            return True
        if (method(call) or "").startswith("expect_"):
            return True
        if method(call) == "validate" and (case.index.imports("pandera") or
                                           case.index.imports("great_expectations")):
            return True
    return False


PREDICT_NAMES = re.compile(r"^(predict\w*|infer\w*|classify\w*|get_(label|prediction)s?|"
                           r"generate|forward|evaluate\w*)$")
MODEL_PARAMS = re.compile(r"^(model|predictor|pipeline|pipe|clf|classifier|regressor|"
                          r"estimator|net|network|learner)$|^(trained|fitted|loaded)_\w+|"
                          r"\w+_(model|predictor|pipeline|classifier|regressor)$")


NOT_PREDICTING = re.compile(r"^(assert\w*|isinstance|len|type|str|repr|id|hasattr|getattr|"
                            r"\w*(fit|train|save|dump|load|clone|copy|deepcopy)\w*)$")


def _is_prediction(case: Case, qual: str, call: ast.Call, models: set[str]) -> bool:
    """A call that produces predictions: ``predict``/``predict_proba``, a prediction
    helper (``get_label(text, predictor=p)``, ``infer(...)``, ``evaluate(...)``), or the
    model fixture called directly (``model(x)``)."""
    name = method(call) or last(qual)
    if name in PREDICT_METHODS - {"transform"} or (name and PREDICT_NAMES.match(name)):
        return True
    if isinstance(call.func, ast.Name) and call.func.id in models:
        return True
    if isinstance(call.func, ast.Attribute) and call.func.attr in ("__call__",) and \
            isinstance(call.func.value, ast.Name) and call.func.value.id in models:
        return True
    values = [*call.args, *(k.value for k in call.keywords)]
    return bool(models) and not NOT_PREDICTING.match(name or "") and any(
        isinstance(v, ast.Name) and v.id in models for v in values)


def model_test(case: Case) -> bool:
    predictions: set[str] = set()
    predict_calls: list[ast.Call] = []
    models = {p for p in case.params if MODEL_PARAMS.search(p)}
    for qual, call in case.calls():
        if _is_prediction(case, qual, call, models):
            predict_calls.append(call)
    if not predict_calls:
        return False
    for node in scope_walk(case.node):
        if isinstance(node, ast.Assign) and isinstance(node.value, ast.Call) and \
                node.value in predict_calls:
            for target in node.targets:
                predictions |= _names(target)
    for expr in _asserted(case):
        if predictions & _names(expr):
            return True
        if any(isinstance(n, ast.Call) and (n in predict_calls or method(n) == "score")
               for n in ast.walk(expr)):
            return True
    return False


def _tmp_case(case: Case) -> bool:
    return any("tmp" in p for p in case.params) or any(
        "tmp" in n for n in _names(case.node))


def _integration_case(case: Case) -> bool:
    local = case.path
    return "integration" in case.markers or "/integration/" in f"/{local}" or \
        PurePosixPath(local).name.startswith(("test_integration", "test_e2e", "test_end_to_end"))


FRAMEWORK_LOADS = frozenset({"load_from_checkpoint", "from_pretrained", "load_state_dict",
                             "load_model", "from_checkpoint", "restore"})
CHECKPOINT_WORDS = re.compile(r"ckpt|checkpoint", re.IGNORECASE)


def _checkpoint_reference(case: Case) -> bool:
    """The test names a checkpoint it wrote (``cfg.ckpt_path = tmp_path / "last.ckpt"``)."""
    for node in case.nodes:
        text = node.attr if isinstance(node, ast.Attribute) else node.id if isinstance(
            node, ast.Name) else node.value if isinstance(node, ast.Constant) and isinstance(
                node.value, str) and len(node.value) < 200 else None
        if text and CHECKPOINT_WORDS.search(text):
            return True
    return False


def e2e_test(case: Case) -> bool:
    """Train, save, load and predict (or evaluate) in a temporary directory; or train and
    predict in an integration test."""
    trains = loads = predicts = False
    for qual, call in case.calls():
        name = method(call) or last(qual)
        trains |= name in ("fit", "fit_transform") or bool(TRAIN_NAMES.search(name))
        loads |= bool(LOAD_NAMES.match(name)) or qual in (
            "joblib.load", "torch.load", "pickle.load", "tensorflow.keras.models.load_model",
            "keras.models.load_model") or name in FRAMEWORK_LOADS
        predicts |= name in ("predict", "predict_proba") or bool(
            re.match(r"^(evaluate\w*|test|validate|infer\w*)$", name))
    loads |= trains and predicts and _checkpoint_reference(case)
    if trains and predicts and (loads and _tmp_case(case)):
        return True
    return _integration_case(case) and trains and predicts


SAVE_CALLS = frozenset({"joblib.dump", "pickle.dump", "torch.save", "cloudpickle.dump",
                        "dill.dump", "skops.io.dump", "mlflow.sklearn.save_model",
                        "mlflow.pyfunc.save_model"})
SAVE_METHODS = frozenset({"save_model", "save_pretrained", "save"})
ENV_POINTERS = frozenset({"setenv", "setitem", "dict"})  # monkeypatch, mock.patch.dict
Function = ast.FunctionDef | ast.AsyncFunctionDef


def _fixture_table(found: Suite, path: str) -> dict[str, Function]:
    """The fixtures a test of ``path`` can request: conftest.py files of its directory and
    above, then its own file (which wins)."""
    table: dict[str, Function] = {}
    folder = PurePosixPath(path).parent
    for conftest in sorted(found.conftests, key=lambda i: len(i.path)):
        base = PurePosixPath(conftest.path).parent
        if base == folder or base in folder.parents or str(base) == ".":
            table.update({f.name: f for f in _fixtures(conftest)})
    own = next((i for i in found.files if i.path == path), None)
    if own is not None:
        table.update({f.name: f for f in _fixtures(own)})
    return table


def _requested(case: Case, table: dict[str, Function], limit: int = 20) -> list[Function]:
    """The fixtures a test requests, directly or through other fixtures (bounded)."""
    out: list[Function] = []
    todo = list(case.params)
    seen: set[str] = set()
    while todo and len(out) < limit:
        name = todo.pop(0)
        if name in seen or name not in table:
            continue
        seen.add(name)
        fixture = table[name]
        out.append(fixture)
        args = fixture.args
        todo.extend(a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
    return out


def _saves(qual: str, call: ast.Call) -> bool:
    return qual in SAVE_CALLS or (method(call) or "") in SAVE_METHODS


def _points_at(node: ast.AST) -> bool:
    """``monkeypatch.setenv("MODEL_PATH", ...)``, ``os.environ[...] = ...``,
    ``mock.patch.dict(os.environ, ...)``: the app under test is told where to read from."""
    if isinstance(node, ast.Call):
        return (method(node) or "") in ENV_POINTERS
    if isinstance(node, ast.Assign):
        return any(isinstance(t, ast.Subscript) and isinstance(t.value, ast.Attribute)
                   and t.value.attr == "environ" for t in node.targets)
    return False


def served_e2e_test(case: Case, fixtures: list[Function]) -> bool:
    """The test or its fixtures train a model, save it under a temporary directory and
    point the app at it (an environment variable); the test then requests a /predict
    endpoint: train -> save -> load (by the app) -> predict."""
    posts = any(method(call) in HTTP_METHODS and call.args and (literal_path(call.args[0]) or "")
                .rstrip("/").endswith("predict") for _, call in case.calls())
    if not posts:
        return False
    trains = saves = tmp = points = False
    for function in [case.node, *fixtures]:
        args = function.args
        tmp |= any("tmp" in a.arg for a in args.posonlyargs + args.args + args.kwonlyargs)
        for node in ast.walk(function):
            if isinstance(node, ast.Call):
                qual = case.index.qualname(node.func) or ""
                name = method(node) or last(qual)
                trains |= name in ("fit", "fit_transform") or bool(TRAIN_NAMES.search(name))
                saves |= _saves(qual, node)
            points |= _points_at(node)
    return trains and saves and tmp and points


@dataclass
class ApiTests:
    cases: list[Case] = field(default_factory=list)
    endpoints: set[str] = field(default_factory=set)

    @property
    def predict(self) -> bool:
        return any(e.rstrip("/").endswith("predict") for e in self.endpoints)

    @property
    def health(self) -> bool:
        return any("health" in e for e in self.endpoints)


def api_tests(found: Suite) -> ApiTests:
    out = ApiTests()
    client_files = {i.path for i in [*found.files, *found.conftests] if any(
        last(q) in ("TestClient", "AsyncClient", "ASGITransport") for q, _ in i.calls)}
    conftest_client = any(i.path in client_files for i in found.conftests)
    for case in found.cases:
        if case.path not in client_files and not (conftest_client and any(
                "client" in p for p in case.params)):
            continue
        hit = False
        for _, call in case.calls():
            if method(call) in HTTP_METHODS and call.args:
                target = literal_path(call.args[0])
                if target and target.startswith("/"):
                    out.endpoints.add(target)
                    hit = True
        if hit:
            out.cases.append(case)
    return out


def _kind_check(ctx: Context, kind: str, predicate: object) -> Iterator[Finding]:
    found = suite(ctx)
    absent = no_python(ctx)
    if absent is not None:
        yield absent
        return
    if kind == "model" and not any(model_test(c) for c in found.cases):
        yield from training_errors(ctx)
        untested = _no_model(ctx)
        if untested is not None:
            yield untested
            return
    if kind == "data" and not any(data_test(c) for c in found.cases) and \
            model_used(ctx) is None and served_model(ctx.repo) is None:
        # (a model served or scored has input data to test)
        yield from training_errors(ctx)
        untested = no_data(ctx, T("there is no model data to test",
                                  "no hay datos del modelo que probar"), no_model=True)
        if untested is not None:
            yield untested
            return
    if not found.cases:
        yield _no_tests()
        return
    assert callable(predicate)
    hits = [c for c in found.cases if predicate(c)]
    labels = {"data": T("data test(s)", "test(s) de datos"),
              "model": T("model behaviour test(s)", "test(s) de comportamiento del modelo")}
    if hits:
        where = locations([(c.path, c.node.lineno) for c in hits], 3)
        yield passed(T(f"{len(hits)} {labels[kind].en}: {where}",
                       f"{len(hits)} {labels[kind].es}: {where}"),
                     hits[0].path, hits[0].node.lineno)
        return
    if kind == "data":
        yield failed(T("no data tests (a test_data*/test_schema*/test_validation* file, or "
                       "tests asserting on columns, dtypes, ranges or nulls)",
                       "no hay tests de datos (un archivo test_data*/test_schema*/"
                       "test_validation*, o tests que verifiquen columnas, dtypes, rangos o "
                       "nulos)"))
    else:
        yield failed(T("no model behaviour tests (predictions of the trained model, through "
                       "predict, a prediction helper or the model itself, with assertions on "
                       "shape, range, NaNs, determinism, invariance, direction or a metric)",
                       "no hay tests de comportamiento del modelo (predicciones del modelo "
                       "entrenado, con predict, una función de predicción o el propio modelo, "
                       "con aserciones de forma, rango, NaN, determinismo, invariancia, "
                       "dirección o métrica)"))


@check("data_tests")
def data_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST005: tests about the data (columns, dtypes, ranges, nulls, schema)."""
    yield from _kind_check(ctx, "data", data_test)


@check("model_tests")
def model_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST006: tests that call predict and assert on the predictions."""
    yield from _kind_check(ctx, "model", model_test)


@check("integration_tests")
def integration_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST007: an end-to-end training test or an API test of /predict and /health (L2);
    both (L3)."""
    found = suite(ctx)
    absent = no_python(ctx)
    if absent is not None:
        yield absent
        return
    e2e = [c for c in found.cases if e2e_test(c)]
    if not e2e:
        tables: dict[str, dict[str, Function]] = {}
        for case in found.cases:
            table = tables.setdefault(case.path, _fixture_table(found, case.path))
            if served_e2e_test(case, _requested(case, table)):
                e2e.append(case)
                break
    api = api_tests(found)
    if not e2e and not api.predict:  # a project without a model has nothing to test here
        yield from training_errors(ctx)
        untested = _no_model(ctx)
        if untested is not None:
            yield untested
            return
    if not found.cases:
        yield _no_tests(2)
        yield _no_tests(3)
        return
    api_ok = api.predict and api.health
    parts: list[T] = []
    if e2e:
        parts.append(T(f"end-to-end training test at {e2e[0].path}:{e2e[0].node.lineno}",
                       f"test de entrenamiento de extremo a extremo en {e2e[0].path}:"
                       f"{e2e[0].node.lineno}"))
    else:
        parts.append(T("no end-to-end training test (train -> save -> load -> predict or "
                       "evaluate in tmp_path)", "no hay test de entrenamiento de extremo a "
                       "extremo (entrenar -> guardar -> cargar -> predecir o evaluar en "
                       "tmp_path)"))
    if api_ok:
        parts.append(T(f"API tests hit {', '.join(sorted(api.endpoints)[:4])}",
                       f"los tests de API llaman a {', '.join(sorted(api.endpoints)[:4])}"))
    elif api.cases:
        missing = [e for e, ok in (("/predict", api.predict), ("/health", api.health)) if not ok]
        parts.append(T(f"API tests do not hit {' and '.join(missing)}",
                       f"los tests de API no llaman a {' y '.join(missing)}"))
    else:
        parts.append(T("no API test (TestClient/httpx on /predict and /health)",
                       "no hay test de API (TestClient/httpx sobre /predict y /health)"))
    message = T.join(parts)
    anchor = e2e[0] if e2e else api.cases[0] if api.cases else None
    path = anchor.path if anchor else None
    line = anchor.node.lineno if anchor else None
    if e2e or api_ok:
        yield passed(message, path, line, level=2)
    else:
        yield failed(message, path, line, level=2)
    if e2e and api_ok:
        yield passed(message, path, line, level=3)
    else:
        yield failed(message, path, line, level=3)


# -- TEST008 ----------------------------------------------------------------------------


PATH_KEYWORDS = re.compile(r"^(data|dataset|datasets|config|conf|model|models|artifact|"
                           r"artifacts)?_?(dir|path|root|file|loc|location|folder)$|^root$")


def _path_value(index: PythonIndex, call: ast.Call, value: ast.expr) -> str | None:
    target = literal_path(value)
    if target is None and isinstance(value, ast.Name):
        values = assignments(scope_of(index, call), value.id)
        target = literal_path(values[-1]) if values else None
    return target


def _configured_reads(index: PythonIndex) -> Iterator[tuple[int, str]]:
    """Repository data or configuration handed to another object: a data or config
    directory keyword (``MyDataModule(data_dir="data/")``), or Hydra's
    ``initialize(config_path="../configs")``."""
    for qual, call in every_call(index):
        if qual.startswith("hydra.") and last(qual) in ("initialize", "initialize_config_dir"):
            value = call_arg(call, "config_path", 0) or call_arg(call, "config_dir", 0)
            target = _path_value(index, call, value) if value is not None else None
            if target and REPO_DATA.match(target):
                yield call.lineno, target
            continue
        for keyword in call.keywords:
            if keyword.arg and PATH_KEYWORDS.match(keyword.arg):
                target = _path_value(index, call, keyword.value)
                if target and REPO_DATA.match(target):
                    yield call.lineno, target


def _repo_reads(index: PythonIndex) -> Iterator[tuple[int, str]]:
    yield from _configured_reads(index)
    for qual, call in every_call(index):
        name = method(call) or last(qual)
        if name not in READER_NAMES:
            continue
        target = literal_path(call.args[0]) if call.args else None
        if target is None:
            obj = receiver(call)
            if isinstance(obj, ast.Call | ast.BinOp):
                target = literal_path(obj)
            elif isinstance(obj, ast.Name):
                values = assignments(scope_of(index, call), obj.id)
                target = literal_path(values[-1]) if values else None
        if target and REPO_DATA.match(target):
            yield call.lineno, target


CONFIG_TARGET = re.compile(r"^(\./|\.\./)*(configs?|conf)(/|$)|(params|config)\.ya?ml$")


def _read_message(target: str) -> T:
    """Why reading ``target`` makes a test depend on the repository, in the words that fit
    it: configuration is committed, data usually is not."""
    if CONFIG_TARGET.search(target):
        return T(f"a test reads the repository's configuration {target}: its result changes "
                 "whenever the configuration does, so it is not a self-contained unit test",
                 f"un test lee la configuración {target} del repositorio: su resultado cambia "
                 "cada vez que cambia la configuración, así que no es un test unitario "
                 "autocontenido")
    return T(f"a test reads the repository's {target}: it needs files that a clean checkout "
             "usually lacks (or must fetch) and changes with the data",
             f"un test lee {target} del repositorio: necesita archivos que un clon limpio "
             "no suele tener (o debe descargar) y cambia con los datos")


def _fast_path(ctx: Context, found: Suite) -> str | None:
    cfg = found.config.pytest
    ci = project_ci_commands(ctx)
    if cfg is not None:
        expr = cov_options(cfg.addopts).markexpr
        if expr and FAST_PATH.search(expr) and any(
                inv.kind != "coverage-report" for c in ci for inv in invocations(c.text)):
            return f"{cfg.path} addopts -m \"{expr}\""
    make = _makefile(ctx)
    for command in ci:
        for inv in invocations(command.text):
            if inv.options.markexpr and FAST_PATH.search(inv.options.markexpr):
                return f"{command.path}:{command.line}" if command.line else command.path
        if make is not None:
            for target in _make_targets(command.text):
                for _, line in make[1].commands(target):
                    for inv in invocations(_expand(make[1], line)):
                        if inv.options.markexpr and FAST_PATH.search(inv.options.markexpr):
                            return f"{make[0]} ({target})"
    return None


@check("test_isolation")
def isolation_and_markers(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST008: tests read no repository data/config (L2); slow/integration markers are
    registered and CI has a fast path (L3)."""
    found = suite(ctx)
    absent = no_python(ctx)
    if absent is not None:
        yield absent
        return
    yield from (parse_skip(e) for e in ci_read_errors(ctx))
    if not found.cases:
        yield skipped(T("no tests to judge", "no hay tests que evaluar"), level=2)
    else:
        offenders = [(index.path, line, target)
                     for index in [*found.files, *found.conftests]
                     for line, target in _repo_reads(index)]
        for path, line, target in offenders:
            yield failed(_read_message(target), path, line, level=2,
                         fix=T("build the data in a fixture (conftest.py) or write it to "
                               "tmp_path", "construye los datos en una fixture (conftest.py) "
                               "o escríbelos en tmp_path"))
        if not offenders:
            yield passed(T(f"the {len(found.cases)} tests read no repository data or config "
                           "files", f"los {len(found.cases)} tests no leen datos ni "
                           "configuración del repositorio"), level=2)
    cfg = found.config.pytest
    registered = set(cfg.markers) if cfg else set()
    used: dict[str, tuple[str, int]] = {}
    for case in found.cases:
        for marker in case.markers:
            used.setdefault(marker, (case.path, case.node.lineno))
    unregistered = sorted(m for m in used if m not in registered and m not in BUILTIN_MARKERS)
    problems: list[T] = []
    if not registered & {"slow", "integration"}:
        problems.append(T("no slow/integration marker registered in the pytest configuration",
                          "no hay marcador slow/integration registrado en la configuración de "
                          "pytest"))
    if unregistered:
        problems.append(T(f"unregistered markers used: {', '.join(unregistered)}",
                          f"marcadores usados sin registrar: {', '.join(unregistered)}"))
    fast = _fast_path(ctx, found)
    if fast is None:
        problems.append(T('no CI fast path (pytest -m "not slow")',
                          'no hay ruta rápida en CI (pytest -m "not slow")'))
    at_path = cfg.path if cfg else None
    at_line = cfg.line if cfg else None
    if problems:
        yield failed(T.join(problems), at_path, at_line, level=3,
                     fix=T('markers = ["slow: ...", "integration: ..."] in the pytest '
                           'configuration, and pytest -m "not slow" in a CI job',
                           'markers = ["slow: ...", "integration: ..."] en la configuración '
                           'de pytest, y pytest -m "not slow" en un job de CI'))
    else:
        yield passed(T(f"markers {', '.join(sorted(registered))} registered; fast path: {fast}",
                       f"marcadores {', '.join(sorted(registered))} registrados; ruta rápida: "
                       f"{fast}"), at_path, at_line, level=3)


# -- TEST009 ----------------------------------------------------------------------------


def _locust_stats(text: str) -> tuple[float, float]:
    """(P95 in ms, error rate) of the ``Aggregated`` row of a locust ``*_stats.csv``."""
    rows = list(csv.DictReader(io.StringIO(text)))
    row = next((r for r in rows if (r.get("Name") or "").strip() == "Aggregated"), None)
    if row is None:
        raise ValueError("no Aggregated row")
    p95 = float(row["95%"])
    requests = float(row.get("Request Count") or row.get("# requests") or 0)
    failures = float(row.get("Failure Count") or row.get("# failures") or 0)
    return p95, (failures / requests if requests else 0.0)


def _load_candidates(ctx: Context, globs: Iterable[str]) -> list[str]:
    """Files of the project, plus, in a monorepo, shared files outside every project
    (a load test at the repository root usually drives all the services)."""
    globs = tuple(globs)
    own = ctx.files(globs)
    if len(ctx.repo.projects) <= 1:
        return own
    key = f"testing:outside:{globs}"  # files outside every project: the same for all
    outside: list[str] | None = ctx.repo.memo.get(key)
    if outside is None:
        roots = tuple(p.path + "/" for p in ctx.repo.projects if p.path != ".")
        outside = ctx.repo.memo[key] = [f for f in ctx.repo.glob(globs)
                                        if not f.startswith(roots)]
    mine = set(own)
    return own + [f for f in outside if f not in mine]


def _load_scripts(ctx: Context, errors: list[ParseError]) -> list[tuple[str, set[str]]]:
    """Locust files (by name or import), k6 scripts and JMeter plans, with their strings."""
    scripts: list[tuple[str, set[str]]] = []
    for path in _load_candidates(ctx, ["**/*.py"]):
        is_locustfile = PurePosixPath(path).name.startswith("locustfile")
        index = python_index(ctx.repo, path)
        if isinstance(index, ParseError):
            if is_locustfile:
                errors.append(index)
        elif is_locustfile or index.imports("locust"):
            scripts.append((path, {s for s, _ in string_constants(index)}))
    for path in _load_candidates(ctx, LOAD_SCRIPT_GLOBS):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            errors.append(text)
        elif path.endswith(".jmx") or "k6/http" in text:
            scripts.append((path, set(re.findall(r"/[A-Za-z0-9_/.-]+", text))))
    return scripts


def _stats_finding(path: str, text: str) -> Finding:
    """Judge a locust ``*_stats.csv`` against the guide's targets."""
    try:
        p95, errors = _locust_stats(text)
    except (ValueError, KeyError) as exc:
        return skipped(T(f"{path} is not a readable locust stats file ({exc})",
                         f"{path} no es un archivo de estadísticas de locust legible ({exc})"),
                       path)
    message = T(f"load test results {path}: P95 {p95:g} ms, errors {errors:.2%}",
                f"resultados de carga {path}: P95 {p95:g} ms, errores {errors:.2%}")
    if p95 >= 500 or errors >= 0.01:
        return failed(message + T(" (critical: P95 >= 500 ms or errors >= 1%)",
                                  " (crítico: P95 >= 500 ms o errores >= 1%)"), path)
    if p95 >= 200 or errors >= 0.001:
        return warned(message + T(" (target: P95 < 200 ms, errors < 0.1%)",
                                  " (objetivo: P95 < 200 ms, errores < 0.1%)"), path)
    return passed(message, path)


@check("load_tests")
def load_tests(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST009: a Locust/k6/JMeter script targets /predict and /health; a locust CSV, when
    present, is judged against P95 < 200 ms and errors < 0.1 %."""
    errors: list[ParseError] = []
    scripts = _load_scripts(ctx, errors)
    for path in _load_candidates(ctx, ["**/*_stats.csv"]):
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            errors.append(text)
        else:
            yield _stats_finding(path, text)
    yield from (parse_skip(e) for e in errors)
    if not scripts:
        yield failed(T("no load test (locustfile.py, k6 script or JMeter plan)",
                       "no hay test de carga (locustfile.py, script de k6 o plan de JMeter)"),
                     fix=T("tests/load/locustfile.py with an HttpUser hitting /health and "
                           "/predict", "tests/load/locustfile.py con un HttpUser que llame a "
                           "/health y /predict"))
        return
    best = max(scripts, key=lambda s: (_hits(s[1]), s[0]))
    predict, health = _endpoint_flags(best[1])
    if predict and health:
        yield passed(T(f"load test {best[0]} targets /predict and /health",
                       f"el test de carga {best[0]} apunta a /predict y /health"), best[0])
    else:
        missing = [e for e, ok in (("/predict", predict), ("/health", health)) if not ok]
        yield warned(T(f"load test {best[0]} does not target {' and '.join(missing)}",
                       f"el test de carga {best[0]} no apunta a {' y '.join(missing)}"),
                     best[0])


def _endpoint_flags(strings: set[str]) -> tuple[bool, bool]:
    predict = any("/predict" in s for s in strings)
    health = any("/health" in s for s in strings)
    return predict, health


def _hits(strings: set[str]) -> int:
    return sum(_endpoint_flags(strings))


def short_case(case: Case) -> str:  # pragma: no cover - debugging aid
    return f"{case.path}:{case.node.lineno} {short(case.node)}"
