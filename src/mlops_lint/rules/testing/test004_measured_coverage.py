"""TEST004: measured line coverage from a committed or configured report (Cobertura XML,
coverage JSON, the HTML index) against 70/80/85; without a report, a skip."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from mlops_lint.context import Context
from mlops_lint.globs import matches
from mlops_lint.model import Finding, Status, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.coverage import (
    parse_cobertura,
    parse_coverage_html,
    parse_coverage_json,
)
from mlops_lint.rules import rule
from mlops_lint.safe_read import resolve_inside

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


@rule("TEST004")
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
