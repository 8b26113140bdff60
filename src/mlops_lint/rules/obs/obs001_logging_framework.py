"""OBS001: modules log through named loggers, with one central logging setup.

A library (packaged for publication, no entry point, app, ``__main__`` module, Dockerfile
or Procfile) only needs named loggers: configuring logging is left to the application
(Python logging HOWTO, "Configuring Logging for a Library").
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.fastapi_app import Module, ServingModel
from mlops_lint.parsers.python_source import is_test_path
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.obs._shared import LOGGING_CONFIG_FILES, calls, code_model

SETUP_FUNCTIONS = lazy_re.compile(
    r"^(setup|configure|config|init|initialize)_?(logging|logger|logs?)$|^get_logger$",
    re.IGNORECASE)


SETUP_MODULES = lazy_re.compile(r"^(logging|log|logger|logs|logconfig)([_-]\w*)?\.py$|"
                                r"_(logging|logger)\.py$", re.IGNORECASE)


SETUP_CALLS = frozenset({"logging.basicConfig", "logging.config.dictConfig",
                         "logging.config.fileConfig", "structlog.configure",
                         "loguru.logger.add", "loguru.logger.configure",
                         "loguru.logger.remove"})


PACKAGING_FILES = ("pyproject.toml", "setup.cfg", "setup.py")


ENTRY_POINTS = lazy_re.compile(r"\[project\.(gui-)?scripts\]|\[tool\.poetry\.scripts\]|"
                               r"console_scripts|gui_scripts|\bscripts\s*=|\[project\.entry-points")


PROGRAM_FILES = ("**/Dockerfile", "**/Dockerfile.*", "**/Containerfile", "**/__main__.py",
                 "**/Procfile")


LIBRARY_FIX = T(
    "A library logs but does not configure logging: in each module use "
    "logger = logging.getLogger(__name__) (instead of print or warnings for operational "
    "messages), and in the package's __init__.py add "
    "logging.getLogger(__name__).addHandler(logging.NullHandler()); leave handlers, levels "
    "and formats to the application (Python logging HOWTO, 'Configuring Logging for a "
    "Library').",
    "Una biblioteca registra pero no configura el logging: en cada módulo usa "
    "logger = logging.getLogger(__name__) (en lugar de print o warnings para mensajes "
    "operativos), y en el __init__.py del paquete añade "
    "logging.getLogger(__name__).addHandler(logging.NullHandler()); deja handlers, niveles "
    "y formatos a la aplicación (Python logging HOWTO, 'Configuring Logging for a "
    "Library').")


def _main_guard(module: Module) -> bool:
    """``if __name__ == "__main__":`` at the top level: the module is run as a program."""
    for node in module.tree.body:
        if isinstance(node, ast.If) and isinstance(node.test, ast.Compare) and any(
                isinstance(n, ast.Constant) and n.value == "__main__"
                for n in [node.test.left, *node.test.comparators]):
            return True
    return False


# folders of a library's repository that are not the library: its docs, examples,
# benchmarks and maintenance scripts run as programs without making it one
_BESIDE_PACKAGE = frozenset({"docs", "doc", "examples", "example", "benchmarks", "benchmark",
                             "tools", "scripts", "ci", "dev"})


def _outside_package(path: str) -> bool:
    parts = PurePosixPath(path).parts[:-1]
    return any(p.startswith(".") or p in _BESIDE_PACKAGE for p in parts)


def library_project(ctx: Context, model: ServingModel) -> T | None:
    """Why the project is a library (a package other code imports) rather than a program,
    or None: it is packaged for publication (trove classifiers), declares no entry point
    (console scripts), serves no app, and has no module run as a program (__main__),
    Dockerfile or Procfile."""
    packaged = [ctx.path(name) for name in PACKAGING_FILES if ctx.repo.exists(ctx.path(name))]
    if not packaged or model.apps or ctx.files(PROGRAM_FILES):
        return None
    published = False
    for path in packaged:
        text = ctx.repo.text(path)
        if not isinstance(text, str) or ENTRY_POINTS.search(text[:200_000]):
            return None
        published = published or "classifiers" in text[:200_000]
    if not published or any(_main_guard(m) for m in model.modules.values()
                            if not is_test_path(m.path) and not _outside_package(m.path)):
        return None
    return T(f"a library ({', '.join(packaged)}: no entry point, app, __main__ module or "
             "container)",
             f"una biblioteca ({', '.join(packaged)}: sin entry point, app, módulo __main__ "
             "ni contenedor)")


@rule("OBS001")
@reports_unread
def logging_framework(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS001: modules log through named loggers, with one central logging setup."""
    model = code_model(ctx)
    for error in model.errors:
        noted(error)
    loggers: list[tuple[str, int | None, str]] = []
    setup: list[tuple[str, int | None, str]] = []
    for module in model.modules.values():
        if module.index.imports("loguru"):
            loggers.append((module.path, 1, "loguru"))
        name = PurePosixPath(module.path).name
        if SETUP_MODULES.search(name):
            setup.append((module.path, None, f"module {name}"))
        for func in module.functions():
            if SETUP_FUNCTIONS.match(func.name):
                setup.append((module.path, func.lineno, f"{func.name}()"))
    for module, qual, call in calls(model):
        if qual in ("logging.getLogger", "structlog.get_logger", "structlog.getLogger",
                    "structlog.stdlib.get_logger"):
            loggers.append((module.path, call.lineno, qual))
        elif qual in SETUP_CALLS:
            setup.append((module.path, call.lineno, qual))
    for path in ctx.files(LOGGING_CONFIG_FILES):
        setup.append((path, None, f"config file {path}"))
    modules = sorted({p for p, _, _ in loggers})
    setup.sort(key=lambda item: (item[1] is None, item[0], item[1] or 0))
    library = library_project(ctx, model)
    if library is not None and loggers:
        path, line, qual = loggers[0]
        yield passed(T(f"named loggers ({qual}) in {len(modules)} module(s); ",
                       f"loggers con nombre ({qual}) en {len(modules)} módulo(s); ") + library
                     + T(": configuring logging is left to the application",
                         ": configurar el logging corresponde a la aplicación"), path, line)
        return
    if library is not None:
        yield failed(T("no named logger in the library's code (logging.getLogger(__name__), "
                       "loguru or structlog); ", "ningún logger con nombre en el código de la "
                       "biblioteca (logging.getLogger(__name__), loguru o structlog); ")
                     + library, fix=LIBRARY_FIX)
        return
    if loggers and setup:
        where = setup[0]
        yield passed(T(f"named loggers in {len(modules)} module(s); central setup: {where[2]} "
                       f"({where[0]})",
                       f"loggers con nombre en {len(modules)} módulo(s); configuración "
                       f"central: {where[2]} ({where[0]})"), where[0], where[1])
    elif loggers:
        path, line, qual = loggers[0]
        yield warned(T(f"{qual} is used ({len(modules)} module(s)) but there is no central "
                       "logging setup (setup_logging(), logging_config.py, dictConfig)",
                       f"se usa {qual} ({len(modules)} módulo(s)) pero no hay configuración "
                       "central (setup_logging(), logging_config.py, dictConfig)"), path, line,
                     fix=T("Add a logging_config.py with setup_logging() called once at start-up.",
                           "Añade logging_config.py con setup_logging() llamado una vez al "
                           "arrancar."))
    elif setup:
        path, line, what = setup[0]
        yield warned(T(f"logging is configured ({what}) but no module uses "
                       "logging.getLogger(__name__)",
                       f"el logging está configurado ({what}) pero ningún módulo usa "
                       "logging.getLogger(__name__)"), path, line)
    else:
        yield failed(T("no logging framework in the code (logging.getLogger, loguru or "
                       "structlog)",
                       "no se usa ningún framework de logging (logging.getLogger, loguru o "
                       "structlog)"))
