"""TEST003: the coverage threshold: the highest configured anywhere (pytest options, the
coverage configuration, tox, the Makefile, CI commands) against 70/80/85, pytest-cov
declared, and ``--cov`` aimed at the package (L2+).

The ladder of thresholds is the reader :func:`~mlops_lint.readers.coverage.coverage_ladder`,
shared with CI006.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ini import parse_ini
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.pytest_config import (
    CovOptions,
    Invocation,
    cov_options,
    invocations,
    read_configs,
)
from mlops_lint.parsers.shell import split_commands
from mlops_lint.readers.coverage import coverage_ladder
from mlops_lint.readers.training import (
    ci_read_errors,
    declared,
    dependency_errors,
    parse_skip,
)
from mlops_lint.rules import rule
from mlops_lint.rules.testing._commands import (
    expand_vars,
    make_targets,
    makefile,
    project_ci_commands,
)
from mlops_lint.rules.testing._shared import (
    no_python,
)


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
            results = [self.scan(expand_vars(parsed, recipe), path, number, where, False)
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
    for target in make_targets(text):
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
    make = makefile(ctx)
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


@rule("TEST003")
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
