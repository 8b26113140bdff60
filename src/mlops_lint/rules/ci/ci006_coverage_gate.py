"""CI006: a blocking CI test run enforces coverage of at least 70/80/85 %, on the
command line or through the configuration it picks up; level 2 also uploads the report.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterator
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import parse_action
from mlops_lint.parsers.pytest_config import Invocation, cov_options, invocations, read_configs
from mlops_lint.parsers.shell import split_commands
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.readers.ci_runs import Run, ci_runs
from mlops_lint.readers.ci_tools import COVERAGE_REPORT, COVERAGE_UPLOAD, TESTS
from mlops_lint.repo import Repo
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import first_ci_file, joined, no_ci


def _at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


@dataclass(frozen=True)
class _Gate:
    value: float
    run: Run
    source: str  # where the threshold is written


def _cd_dirs(script: str) -> list[str]:
    return [s.args[0].rstrip("/") for s in split_commands(script)
            if s.program == "cd" and s.args and not s.args[0].startswith("-")]


def _project_dir(repo: Repo, run: Run) -> str:
    """The project directory a pytest run picks its configuration from."""
    projects = [p.path for p in repo.projects if p.path != "."]
    candidates: list[str] = []
    if run.step is not None and run.step.working_directory:
        candidates.append(run.step.working_directory)
    if run.step is not None and run.step.run:
        candidates += _cd_dirs(run.step.run)
    candidates += [a for a in run.argv[1:] if not a.startswith("-")]
    for candidate in candidates:
        clean = candidate.strip().removeprefix("./").rstrip("/")
        for project in sorted(projects, key=len, reverse=True):
            if clean == project or clean.startswith(project + "/"):
                return project
    return "."


def _from_config(repo: Repo, run: Run, inv: Invocation) -> tuple[float, str] | None:
    """(threshold, configuration file) when a measured invocation without its own
    ``--cov-fail-under`` picks a threshold up from the project's configuration."""
    configs = read_configs(repo, _project_dir(repo, run))
    addopts = cov_options(configs.pytest.addopts) if configs.pytest else None
    cov = configs.coverage
    config_value = addopts.fail_under if addopts and addopts.fail_under is not None \
        else (cov.fail_under if cov else None)
    if config_value is None:
        return None
    measured = inv.options.cov or (addopts is not None and addopts.cov) or \
        inv.kind in ("coverage-run", "coverage-report")
    if not measured or "--no-cov" in inv.args:
        return None
    where = configs.pytest.path if configs.pytest and addopts and \
        addopts.fail_under is not None else (cov.path if cov else "")
    return config_value, where


def _gates(repo: Repo) -> tuple[list[_Gate], list[Run]]:
    """Coverage thresholds CI enforces (blocking runs) and the runs that would but do
    not block."""
    gates: list[_Gate] = []
    lenient: list[Run] = []
    for run in ci_runs(repo, TESTS) + ci_runs(repo, COVERAGE_REPORT):
        text = shlex.join(run.argv) if run.argv else run.text
        found: float | None = None
        source = run.where()
        for inv in invocations(text):
            if inv.options.fail_under is not None:
                found = inv.options.fail_under
                continue
            configured = _from_config(repo, run, inv)
            if configured is not None:
                found, where = configured
                source = f"{run.where()} with {where}"
        if found is None:
            continue
        if run.blocking:
            gates.append(_Gate(found, run, source))
        else:
            lenient.append(run)
    return gates, lenient


def _uploads(repo: Repo) -> list[str]:
    out = [r.where() for r in ci_runs(repo, COVERAGE_UPLOAD)]
    state = ci_state(repo)
    for wf in state.workflows:
        for job in wf.jobs:
            for step in job.steps:
                action = parse_action(step.uses) if step.uses else None
                if action and action.name == "actions/upload-artifact":
                    path = str(step.with_.get("path", ""))
                    if re.search(r"coverage|htmlcov|cov\.xml", path, re.IGNORECASE):
                        out.append(_at(wf.path, step.line))
    for path in state.others.get("gitlab", []):
        data = repo.yaml(path)
        if not isinstance(data, ParseError) and "coverage_report" in str(data):
            out.append(path)
    return out


NOT_PACKAGES = frozenset({"tests", "test", "testing", "docs", "doc", "scripts", "notebooks",
                          "examples", "benchmarks", "build", "dist", "site", "data", "tools",
                          "ci", "migrations", "alembic"})
DEPENDENCY_FILES = ("requirements*.txt", "requirements*.in", "requirements/*.txt",
                    "**/requirements*.txt", "**/requirements*.in", "**/requirements/*.txt",
                    "pyproject.toml", "**/pyproject.toml", "setup.cfg", "**/setup.cfg",
                    "setup.py", "**/setup.py", "Pipfile", "**/Pipfile", "environment*.yml",
                    "**/environment*.yml", "tox.ini", "**/tox.ini")
PYTEST_COV = lazy_re.compile(r"pytest[-_]cov\b", re.IGNORECASE)


def cov_target(repo: Repo, project: str) -> str | None:
    """What --cov should measure in ``project``: its package (``src/<pkg>`` or a top-level
    package, by import name), or the one top-level folder of Python code (``app``);
    ``None`` when it is not one name."""
    prefix = "" if project == "." else project + "/"
    packages = sorted({init.split("/")[-2] for init in repo.glob(
        [f"{prefix}src/*/__init__.py", f"{prefix}*/__init__.py"])} - NOT_PACKAGES)
    if len(packages) == 1:
        return packages[0]
    if packages:
        return None
    folders = sorted({py[len(prefix):].split("/", 1)[0] for py in repo.glob([f"{prefix}*/*.py"])}
                     - NOT_PACKAGES - {"src"})
    folders = [f for f in folders if not f.startswith(".")]
    if not folders and repo.glob([f"{prefix}src/*.py"]):
        return "src"  # flat scripts in src/, no package: --cov=src measures them
    return folders[0] if len(folders) == 1 else None


TEST_FILES = ("**/test_*.py", "**/*_test.py", "**/tests/**/*.py", "**/test/**/*.py")


def has_tests(repo: Repo) -> bool:
    """Whether the repository has any test file."""
    return bool(repo.glob(TEST_FILES))


def declares_pytest_cov(repo: Repo) -> bool:
    """Whether any dependency file of the repository names pytest-cov."""
    for path in repo.glob(DEPENDENCY_FILES):
        text = repo.text(path)
        if isinstance(text, str) and PYTEST_COV.search(text):
            return True
    return False


def _coverage_gate_fix(floors: tuple[int, int, int], upload: bool,
                       target: str | None = None, pytest_cov: bool = True) -> T:
    """CI006's fix: the threshold TEST003 advises too (one number for every level), on
    the project's own package, with pytest-cov when it is missing."""
    from mlops_lint.readers.coverage import coverage_ladder

    top = floors[2]
    cov = target or "src/<pkg>"
    extra = T(" and upload coverage.xml with codecov/codecov-action",
              " y sube coverage.xml con codecov/codecov-action") if upload else T("", "")
    plugin = T("", "") if pytest_cov else T(
        "add pytest-cov to the test dependencies (--cov comes from it), then ",
        "añade pytest-cov a las dependencias de test (--cov viene de él) y ")
    return plugin + T(f"run 'pytest --cov={cov} --cov-fail-under={top}' in a blocking CI step "
                      "(or set fail_under in the configuration that run reads)",
                      f"ejecuta 'pytest --cov={cov} --cov-fail-under={top}' en un paso de CI "
                      "que bloquee (o define fail_under en la configuración que lee)") + \
        extra + T("; ", "; ") + coverage_ladder(floors)


@rule("CI006")
def ci_coverage_gate(ctx: Context, params: None) -> Iterator[Finding]:
    """CI006: a blocking CI test run enforces coverage >= 70/80/85 (explicitly or through
    the configuration it picks up); level 2 also uploads the report."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield no_ci()
        return
    gates, lenient = _gates(ctx.repo)
    floors = ctx.thresholds.coverage
    uploads = _uploads(ctx.repo)
    if not gates:
        note = T(f"; not blocking: {joined(r.where() for r in lenient)}",
                 f"; no bloquea: {joined(r.where() for r in lenient)}") if lenient else T("", "")
        tests = ci_runs(ctx.repo, TESTS)
        path, line = (tests[0].path, tests[0].line) if tests else first_ci_file(state)
        project = _project_dir(ctx.repo, tests[0]) if tests else "."
        first = T("", "") if tests or has_tests(ctx.repo) else T(
            "there are no tests yet: write them first (tests/test_*.py) and run them in CI; "
            "then ", "aún no hay tests: escríbelos primero (tests/test_*.py) y ejecútalos en "
            "la CI; después ")
        none = T("", "") if first.en == "" else T("; the repository has no tests",
                                                    "; el repositorio no tiene tests")
        yield failed(T("no CI test run enforces a coverage threshold (--cov-fail-under or "
                       "fail_under in the configuration it reads)",
                       "ninguna ejecución de tests en CI exige un umbral de cobertura "
                       "(--cov-fail-under o fail_under en la configuración que lee)") + note
                     + none, path, line,
                     fix=first + _coverage_gate_fix(floors, upload=not uploads,
                                                    target=cov_target(ctx.repo, project),
                                                    pytest_cov=declares_pytest_cov(ctx.repo)))
        return
    best = max(gates, key=lambda g: g.value)
    head = T(f"CI enforces coverage ≥ {best.value:g}% ({best.source})",
             f"la CI exige cobertura ≥ {best.value:g}% ({best.source})")
    for level, floor in zip((1, 2, 3), floors, strict=True):
        problems: list[T] = []
        if best.value < floor:
            problems.append(T(f"below {floor}%", f"por debajo de {floor}%"))
        if level >= 2 and not uploads:
            problems.append(T("the coverage report is not uploaded (codecov/codecov-action, "
                              "or actions/upload-artifact with coverage.xml)",
                              "el informe de cobertura no se sube (codecov/codecov-action, o "
                              "actions/upload-artifact con coverage.xml)"))
        if problems:
            yield failed(head + T(": ", ": ") + T.join(problems), best.run.path, best.run.line,
                         level=level,
                         fix=_coverage_gate_fix(floors, upload=level >= 2 and not uploads,
                                                target=cov_target(ctx.repo, _project_dir(
                                                    ctx.repo, best.run))))
        else:
            extra = T(f"; uploaded at {uploads[0]}", f"; se sube en {uploads[0]}") \
                if level >= 2 else T("", "")
            yield passed(head + extra, best.run.path, best.run.line, level=level)
