"""CI004: a ``python-version`` matrix of at least two versions (level 2), three with
``fail-fast: false`` (level 3), each inside the project's ``requires-python``. GitHub
Actions only.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Job, Workflow, parse_action
from mlops_lint.parsers.requirements import satisfies, version_tuple
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.ci_runs import ci_runs
from mlops_lint.readers.ci_tools import TESTS
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import github_only, job_key

_PY_KEYS = ("python-version", "python", "python_version", "py", "python-versions", "pyver")
_MATRIX_REF = lazy_re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")


@dataclass(frozen=True)
class _Version:
    text: str
    broken: T | None  # why the entry does not name a Python version


def _versions(value: Any) -> list[_Version]:
    items = value if isinstance(value, list) else [value]
    out: list[_Version] = []
    for item in items:
        if item is None or isinstance(item, bool | dict | list):
            continue
        if isinstance(item, float):
            width = getattr(item, "_width", None)
            text = repr(float(item))
            if isinstance(width, int) and width > len(text):
                written = text + "0" * (width - len(text))
                out.append(_Version(written, T(f"{written} unquoted is the number {text}",
                                               f"{written} sin comillas es el número {text}")))
            else:
                out.append(_Version(text, None))
        else:
            out.append(_Version(str(item).strip(), None))
    return out


def _python_key(job: Job) -> str | None:
    matrix = job.matrix
    for step in job.steps:
        if step.uses and "setup-python" in step.uses.lower():
            ref = _MATRIX_REF.search(str(step.with_.get("python-version", "")))
            if ref:
                return ref.group(1)
    for key in _PY_KEYS:
        if key in matrix:
            return key
    include = matrix.get("include")
    for entry in include if isinstance(include, list) else []:
        for key in _PY_KEYS:
            if isinstance(entry, dict) and key in entry:
                return key
    return None


def _requires_python(ctx: Context) -> tuple[str, str] | None:
    for project in ctx.repo.projects:
        path = project.rel("pyproject.toml")
        if not ctx.repo.exists(path):
            continue
        doc = ctx.repo.toml(path)
        if isinstance(doc, ParseError):
            continue
        spec = dig(doc, "project", "requires-python") or dig(
            doc, "tool", "poetry", "dependencies", "python")
        if isinstance(spec, str):
            return spec, path
    return None


@dataclass(frozen=True)
class _Matrix:
    workflow: Workflow
    job: Job
    key: str
    valid: list[str]
    rejected: list[T]  # with the reason
    dynamic: bool
    fail_fast: bool


def _matrices(ctx: Context, workflows_: list[Workflow]) -> list[_Matrix]:
    requires = _requires_python(ctx)
    out = []
    tests = {k for r in ci_runs(ctx.repo, TESTS) if (k := job_key(r))}
    for wf in workflows_:
        for job in wf.jobs:
            key = _python_key(job)
            if key is None:
                continue
            matrix = job.matrix
            raw_values = matrix.get(key)
            dynamic = (isinstance(raw_values, str) and "${{" in raw_values) or isinstance(
                job.strategy.get("matrix"), str)
            versions = [] if dynamic else _versions(raw_values)
            include = matrix.get("include")
            for entry in include if isinstance(include, list) else []:
                if isinstance(entry, dict) and key in entry:
                    versions += _versions(entry[key])
            valid: list[str] = []
            rejected: list[T] = []
            for version in versions:
                if version.broken:
                    rejected.append(version.broken)
                    continue
                if requires and version_tuple(version.text) and satisfies(
                        version.text, requires[0]) is False:
                    rejected.append(T(f"{version.text} is outside requires-python "
                                      f"'{requires[0]}' ({requires[1]})",
                                      f"{version.text} está fuera de requires-python "
                                      f"'{requires[0]}' ({requires[1]})"))
                    continue
                if version.text not in valid:
                    valid.append(version.text)
            fail_fast = job.strategy.get("fail-fast", True)
            out.append(_Matrix(wf, job, key, valid, rejected, dynamic,
                               not (fail_fast is False or str(fail_fast).lower() == "false")))
    out.sort(key=lambda m: ((m.workflow.path, m.job.id) not in tests, -len(m.valid)))
    return out


# CPython series a matrix may propose (oldest first); the fix picks those requires-python
# allows
PYTHON_SERIES = ("3.9", "3.10", "3.11", "3.12", "3.13", "3.14")
SETUP_ACTIONS = (("astral-sh/setup-uv", "astral-sh/setup-uv"),
                 ("actions/setup-python", "actions/setup-python"),
                 ("conda-incubator/setup-miniconda", "conda-incubator/setup-miniconda"),
                 ("mamba-org/setup-micromamba", "mamba-org/setup-micromamba"),
                 ("pdm-project/setup-pdm", "pdm-project/setup-pdm"))


def matrix_versions(requires: str | None) -> list[str]:
    """Three Python series to test: inside ``requires`` when given (the oldest allowed
    and the two newest), else 3.10-3.12."""
    if not requires:
        return ["3.10", "3.11", "3.12"]
    allowed = [v for v in PYTHON_SERIES if satisfies(v, requires) is not False]
    if not allowed:
        return ["3.10", "3.11", "3.12"]
    if len(allowed) <= 3:
        return allowed
    return [allowed[0], *allowed[-2:]]


def _setup_action(job: Job | None) -> str:
    """The action that installs Python in the job (setup-uv, setup-python, …)."""
    for step in job.steps if job is not None else ():
        name = parse_action(step.uses).name.lower() if step.uses else ""
        for prefix, label in SETUP_ACTIONS:
            if name == prefix:
                return label
    return "actions/setup-python"


def _matrix_fix(ctx: Context, job: Job | None) -> T:
    """CI004's fix for this repository: versions from requires-python, the setup action
    the job already uses."""
    requires = _requires_python(ctx)
    versions = ", ".join(f"'{v}'" for v in matrix_versions(requires[0] if requires else None))
    action = _setup_action(job)
    source = T(f" (inside requires-python '{requires[0]}' of {requires[1]})",
               f" (dentro de requires-python '{requires[0]}' de {requires[1]})") \
        if requires else T("", "")
    where = T(f" in job {job.id}", f" en el job {job.id}") if job is not None else T("", "")
    return T(f"strategy: {{fail-fast: false, matrix: {{python-version: [{versions}]}}}}",
             f"strategy: {{fail-fast: false, matrix: {{python-version: [{versions}]}}}}") + \
        source + where + T(f", and python-version: ${{{{ matrix.python-version }}}} in "
                           f"{action} (quote the versions)",
                           f", y python-version: ${{{{ matrix.python-version }}}} en {action} "
                           "(entrecomilla las versiones)")


def _no_matrix(ctx: Context, wf: Workflow) -> Finding:
    """No matrix over the Python version: the finding points at the job running the
    tests."""
    message = T("no strategy.matrix over python-version: the tests run on one Python",
                "no hay strategy.matrix sobre python-version: los tests corren en un "
                "solo Python") if ci_runs(ctx.repo, TESTS) else T(
        "no strategy.matrix over python-version, and CI runs no Python tests",
        "no hay strategy.matrix sobre python-version, y la CI no ejecuta tests de Python")
    tests = [r for r in ci_runs(ctx.repo, TESTS) if r.job is not None]
    job = tests[0].job if tests else None
    path, line = (tests[0].workflow.path, tests[0].job.line) if tests and \
        tests[0].workflow is not None and tests[0].job is not None else (wf.path, 1)
    return failed(message, path, line, fix=_matrix_fix(ctx, job))


def _judge(ctx: Context, best: _Matrix) -> Iterator[Finding]:
    """Levels 2 and 3 of the best matrix found."""
    where = best.job.key_line("strategy") or best.job.line
    rejected = T("; not counted: ", "; no cuentan: ") + T.join(best.rejected) \
        if best.rejected else T("", "")
    versions = ", ".join(best.valid) or "none"
    head = T(f"job {best.job.id} tests Python {versions}",
             f"el job {best.job.id} prueba Python {versions}")
    quote = T("; quote versions in YAML ('3.10')", "; entrecomilla las versiones en YAML "
              "('3.10')") if any("unquoted" in r.en for r in best.rejected) else T("", "")
    if len(best.valid) >= 2:
        yield passed(head + rejected, best.workflow.path, where, level=2)
    else:
        yield failed(head + rejected + T(": fewer than 2 versions", ": menos de 2 versiones")
                     + quote, best.workflow.path, where, level=2,
                     fix=_matrix_fix(ctx, best.job))
    problems = []
    if len(best.valid) < 3:
        problems.append(T("fewer than 3 versions", "menos de 3 versiones"))
    if best.fail_fast:
        problems.append(T("fail-fast is not false (one failing version cancels the others)",
                          "fail-fast no es false (una versión que falla cancela las demás)"))
    if problems:
        yield failed(head + rejected + T(": ", ": ") + T.join(problems) + quote,
                     best.workflow.path, where, level=3, fix=_matrix_fix(ctx, best.job))
    else:
        yield passed(head + T(" with fail-fast: false", " con fail-fast: false") + rejected,
                     best.workflow.path, where, level=3)


@rule("CI004")
def ci_python_matrix(ctx: Context, params: None) -> Iterator[Finding]:
    """CI004: a python-version matrix of >= 2 (L2) / >= 3 with fail-fast: false (L3)
    versions, each inside requires-python."""
    found = github_only(ctx, T("strategy.matrix", "strategy.matrix"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    matrices = _matrices(ctx, [w for w in found if isinstance(w, Workflow)])
    if not matrices:
        yield _no_matrix(ctx, found[0])
        return
    best = matrices[0]
    if best.dynamic:
        where = best.job.key_line("strategy") or best.job.line
        yield warned(T(f"the matrix of job {best.job.id} is computed at run time "
                       f"(matrix.{best.key}): cannot verify its Python versions",
                       f"la matriz del job {best.job.id} se calcula al ejecutar "
                       f"(matrix.{best.key}): no se pueden verificar sus versiones"),
                     best.workflow.path, where)
        return
    yield from _judge(ctx, best)
