"""TEST008: tests read no repository data or configuration (L2); the slow/integration markers
they use are registered and CI has a fast path that deselects them (L3)."""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.ci import Command
from mlops_lint.parsers.pytest_config import (
    cov_options,
    invocations,
)
from mlops_lint.parsers.python_source import PythonIndex, call_arg
from mlops_lint.readers.training import (
    assignments,
    ci_read_errors,
    every_call,
    last,
    literal_path,
    method,
    parse_skip,
    receiver,
    scope_of,
)
from mlops_lint.rules import rule
from mlops_lint.rules.testing._commands import (
    expand_vars,
    make_targets,
    makefile,
    project_ci_commands,
)
from mlops_lint.rules.testing._shared import (
    Suite,
    no_python,
    suite,
)

BUILTIN_MARKERS = frozenset({
    "parametrize", "skip", "skipif", "xfail", "usefixtures", "filterwarnings",
    # markers registered by common plugins
    "asyncio", "anyio", "timeout", "flaky", "order", "django_db", "benchmark",
    "xdist_group", "dependency", "freeze_time", "vcr", "httpx_mock", "respx", "trio",
})


READER_NAMES = frozenset({
    "read_csv", "read_parquet", "read_json", "read_excel", "read_feather", "read_pickle",
    "read_table", "read_orc", "open", "load", "safe_load", "from_yaml", "from_file",
    "from_json", "load_config", "read_config", "load_yaml", "read_yaml", "read_text",
    "read_bytes", "load_data", "load_dataset", "loadtxt", "genfromtxt", "read_file",
})


REPO_DATA = lazy_re.compile(r"^(\./|\.\./)*(data|datasets?|configs?|conf|models|artifacts|mlruns)"
                            r"(/|$)|^(\./)?(params|config)\.ya?ml$")


FAST_PATH = lazy_re.compile(r"not\s+(slow|integration|e2e)")


PATH_KEYWORDS = lazy_re.compile(r"^(data|dataset|datasets|config|conf|model|models|artifact|"
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


CONFIG_TARGET = lazy_re.compile(r"^(\./|\.\./)*(configs?|conf)(/|$)|(params|config)\.ya?ml$")


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


SLOW_SUITE = lazy_re.compile(
    r"(?<![A-Za-z0-9])(e2e|integration|integration[-_]tests|end[-_]to[-_]end)"
    r"(?![A-Za-z0-9])", re.IGNORECASE)


def _split_suites(ci: list[Command]) -> str | None:
    """A fast path by directory: a CI job runs pytest on named paths that leave out the
    end-to-end/integration suites, which another job or workflow runs."""
    for command in ci:
        for inv in invocations(command.text):
            if inv.kind == "coverage-report":
                continue
            paths = [a for a in inv.args
                     if not a.startswith("-") and ("/" in a or a.rstrip("/") in ("tests", "test"))]
            if not paths or any(SLOW_SUITE.search(p) for p in paths):
                continue
            other = next((c for c in ci if (c.path, c.job) != (command.path, command.job)
                          and (SLOW_SUITE.search(c.text) or SLOW_SUITE.search(c.path))), None)
            if other is not None:
                where = f"{command.path}:{command.line}" if command.line else command.path
                return (f"{where} runs {' '.join(paths)}; the end-to-end/integration suite "
                        f"runs apart ({other.path}, job {other.job})")
    return None


def _fast_path(ctx: Context, found: Suite) -> str | None:
    cfg = found.config.pytest
    ci = project_ci_commands(ctx)
    if cfg is not None:
        expr = cov_options(cfg.addopts).markexpr
        if expr and FAST_PATH.search(expr) and any(
                inv.kind != "coverage-report" for c in ci for inv in invocations(c.text)):
            return f"{cfg.path} addopts -m \"{expr}\""
    make = makefile(ctx)
    for command in ci:
        for inv in invocations(command.text):
            if inv.options.markexpr and FAST_PATH.search(inv.options.markexpr):
                return f"{command.path}:{command.line}" if command.line else command.path
        if make is not None:
            for target in make_targets(command.text):
                for _, line in make[1].commands(target):
                    for inv in invocations(expand_vars(make[1], line)):
                        if inv.options.markexpr and FAST_PATH.search(inv.options.markexpr):
                            return f"{make[0]} ({target})"
    return _split_suites(ci)


@rule("TEST008")
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
