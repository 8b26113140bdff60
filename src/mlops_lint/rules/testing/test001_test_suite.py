"""TEST001: the test suite, counted the way pytest collects it: at least 10 tests (L1), 30
(L3), under the configured ``testpaths``.

Test functions with assertions in files pytest's discovery does not collect (their name
does not match ``python_files``) are a warning at L1 (they may be run another way) and a
size shortfall at L3.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.rules import rule
from mlops_lint.rules.testing._shared import (
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
        yield no_tests(1, needed)
        yield no_tests(3, needed)
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
                     level=1, fix=_grow_fix(count, minimum, False))
    else:
        yield passed(summary + T(f" under testpaths {', '.join(cfg.testpaths)} ({cfg.path})",
                                 f" bajo testpaths {', '.join(cfg.testpaths)} ({cfg.path})"),
                     cfg.path, cfg.line, level=1)
    if count >= ideal:
        yield passed(summary + T(f" (>= {ideal})", f" (>= {ideal})"), level=3)
    else:
        yield failed(summary + T(f"; {ideal} is the recommended size of a suite",
                                 f"; {ideal} es el tamaño recomendado de una suite"),
                     level=3, fix=_grow_fix(count, ideal, not (cfg and cfg.testpaths)))
