"""TEST001: the test suite, counted the way pytest collects it: at least 10 tests (L1), 30
(L3), under the configured ``testpaths``.

Test functions with assertions in files pytest's discovery does not collect (their name
does not match ``python_files``) are a warning at L1 (they may be run another way) and a
size shortfall at L3.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index
from mlops_lint.readers.python_project import NO_PYTHON, without_python
from mlops_lint.rules import rule
from mlops_lint.rules.testing._commands import explicit_test_paths
from mlops_lint.rules.testing._shared import (
    Case,
    Suite,
    no_tests,
    suite,
)


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


MAX_CODE_FILES = 300


def code_functions(ctx: Context, found: Suite, cap: int) -> int:
    """Functions and methods in the project's own modules (not tests, setup.py or
    examples), counted up to ``cap``: the size a suite is measured against."""
    count = 0
    tests = {i.path for i in [*found.files, *found.conftests]}
    for path in ctx.files(["**/*.py"])[:MAX_CODE_FILES]:
        local = ctx.project.local(path)
        if path in tests:
            continue
        parts = PurePosixPath(local).parts
        if is_test_path(local) or parts[-1] in ("setup.py", "noxfile.py") or any(
                p in ("docs", "examples", "example", "benchmarks") for p in parts[:-1]):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, PythonIndex):
            count += len(index.of_type(ast.FunctionDef, ast.AsyncFunctionDef))
        if count >= cap:
            return cap
    return count


def _explicit(ctx: Context, found: Suite) -> tuple[str, list[str]] | None:
    """A pytest command (tox, CI, Makefile) that names the directories holding the
    collected tests: the file and the named paths."""
    tests = {c.path for c in found.cases}
    for path, named in explicit_test_paths(ctx):
        covered = [n for n in named if any(t == n or t.startswith(n.rstrip("/") + "/") or
                                           n == "." for t in tests)]
        if covered:
            return path, covered
    return None


def _substantive(case: Case) -> bool:
    """A test that exercises something: it calls a function or reads a name, unlike a
    placeholder such as ``assert 0 == 0`` or ``assert True``."""
    return any(isinstance(n, ast.Call | ast.Name | ast.Attribute) for n in case.nodes
               if n is not case.node and not isinstance(n, ast.arguments | ast.arg))


def _targets(ctx: Context, found: Suite, minimum: int, ideal: int) -> tuple[int, int, T]:
    """The sizes asked of this suite: the thresholds, or, for a project with fewer
    functions in its own modules than the level-3 size, one test per function (a project
    whose modules define no function keeps the thresholds: its size is unknown; so does a
    suite of mostly placeholder tests such as ``assert 0 == 0``)."""
    real = sum(1 for c in found.cases if _substantive(c))
    if len(found.cases) >= ideal or 2 * real < len(found.cases):
        return minimum, ideal, T("", "")
    functions = code_functions(ctx, found, ideal)
    if functions >= ideal or functions == 0:  # no function: the code's size is unknown
        return minimum, ideal, T("", "")
    size = functions
    return min(minimum, size), size, T(
        f" for {functions} function{'s' * (functions != 1)} in the project's modules",
        f" para {functions} función{'es' * (functions != 1)} en los módulos del proyecto")


def _grow_fix(count: int, target: int, testpaths: bool) -> T:
    """Only what the suite lacks for the level: the tests still to write (and
    ``testpaths`` when the configuration has none)."""
    more = target - count
    fix = T(f"Add {more} more test function{'s' * (more != 1)} (the suite has {count}; the "
            f"level asks for {target}), e.g. tests of the data, the model and the service",
            f"Añade {more} función{'es' * (more != 1)} de test más (la suite tiene {count}; "
            f"el nivel pide {target}), p. ej. tests de los datos, del modelo y del servicio")
    if testpaths:
        fix = fix + T('; declare [tool.pytest.ini_options] testpaths = ["tests"]',
                      '; declara [tool.pytest.ini_options] testpaths = ["tests"]')
    return fix + T(".", ".")


@rule("TEST001")
def suite_size(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST001: tests under a configured ``testpaths``, at least 10 (L1) / 30 (L3); a
    small project, one test per function of its modules."""
    found = suite(ctx)
    if not found.cases and not found.uncollected and without_python(ctx):
        yield skipped(NO_PYTHON)
        return
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
        yield from _uncollected_tests(found, ctx.thresholds.min_tests[1])
        return
    if count == 0:
        minimum, ideal = ctx.thresholds.min_tests
        needed = T(f"; at least {minimum} test functions are needed ({ideal} for level 3)",
                   f"; hacen falta al menos {minimum} funciones de test ({ideal} para el "
                   "nivel 3)")
        yield no_tests(1, needed)
        yield no_tests(3, needed)
        return
    minimum, ideal, scope = _targets(ctx, found, *ctx.thresholds.min_tests)
    files = len({c.path for c in found.cases})
    first = found.cases[0]
    where_project = T("", "") if ctx.project.path == "." else T(
        f"{ctx.project.path}: ", f"{ctx.project.path}: ")
    summary = where_project + T(
        f"{count} test{'s' * (count != 1)} in {files} file{'s' * (files != 1)}",
        f"{count} test{'s' * (count != 1)} en {files} archivo{'s' * (files != 1)}") + scope
    yield from _level1(ctx, found, summary, minimum)
    if count >= ideal:
        yield passed(summary + T(f" (>= {ideal})", f" (>= {ideal})"), level=3)
    else:
        cfg = found.config.pytest
        yield failed(summary + T(f"; {ideal} is the recommended size of a suite",
                                 f"; {ideal} es el tamaño recomendado de una suite"),
                     first.path, level=3, fix=_grow_fix(count, ideal, not (
                         cfg and cfg.testpaths) and _explicit(ctx, found) is None))


def _level1(ctx: Context, found: Suite, summary: T, minimum: int) -> Iterator[Finding]:
    """Level 1: tests pytest finds where the configuration (``testpaths``) or the command
    that runs them (explicit paths in tox, CI or a Makefile) says, and enough of them."""
    count = len(found.cases)
    first = found.cases[0]
    cfg = found.config.pytest
    parent = T("at the repository root", "en la raíz del repositorio") \
        if found.inherited == "." else T(f"in the parent directory {found.inherited}",
                                         f"en el directorio superior {found.inherited}")
    above = T(" (the configuration pytest uses for this project, ", " (la configuración que "
              "pytest usa para este proyecto, ") + parent + T(")", ")") \
        if found.inherited else T("", "")
    explicit = _explicit(ctx, found) if cfg is None or not cfg.testpaths else None
    if explicit is not None:
        runner, named = explicit
        listed = ", ".join(named[:4]) + (f" (+{len(named) - 4})" if len(named) > 4 else "")
        located = T(f" under the paths {runner} passes to pytest ({listed}; testpaths in the "
                    "pytest configuration would make a bare `pytest` find them too)",
                    f" bajo las rutas que {runner} pasa a pytest ({listed}; testpaths en la "
                    "configuración de pytest haría que un `pytest` sin argumentos también los "
                    "encontrara)")
        if count < minimum:
            yield failed(summary + T(f"; at least {minimum} are needed",
                                     f"; se necesitan al menos {minimum}"), first.path, None,
                         level=1, fix=_grow_fix(count, minimum, False))
        else:
            yield passed(summary + located, runner, None, level=1)
    elif cfg is None:
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
                     level=1, fix=_grow_fix(count, minimum, False))
    else:
        yield passed(summary + T(f" under testpaths {', '.join(cfg.testpaths)} ({cfg.path})",
                                 f" bajo testpaths {', '.join(cfg.testpaths)} ({cfg.path})"),
                     cfg.path, cfg.line, level=1)
