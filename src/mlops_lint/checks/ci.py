"""Phase 4 CI checks (CI001-CI012): triggers, tests and lint, the job graph, the Python
matrix, caching, the coverage gate, blocking gates, security scans, image delivery,
workflow hardening and well-formed scripts.

All CI rules are repository-scoped (rules.md §0.4). GitHub Actions workflows are read
by :mod:`mlops_lint.parsers.ci`; so are the commands of GitLab CI, Azure Pipelines,
CircleCI, Cloud Build, Bitbucket and Jenkinsfiles. A repository on another CI system
passes CI001, the command-based rules (CI002, CI006, CI007, CI008 and the script half of
CI011) read its commands, and the rules about GitHub-only concepts (``needs:`` graph,
``strategy.matrix``, ``setup-python`` caching, image delivery jobs, ``concurrency`` and
``permissions``) are skipped with the reason.

Where CI runs a tool (:func:`ci_runs`) is found by reading each command as argument
vectors (``python -m``, ``poetry run``, ``uv run`` unwrapped), following ``make
<target>`` into the Makefile recipes and ``pre-commit run``/``pre-commit/action`` into
the hooks, plus the Marketplace actions that wrap the tool. Each run says whether its
failure fails the build and, if not, why: ``continue-on-error``, GitLab
``allow_failure``, ``|| true``/``|| echo``/``set +e``, a flag such as ``--exit-zero``,
or a pipe into another program under GitHub's default shell, which has no ``pipefail``.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, manual, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import (
    CI_NAMES,
    ActionRef,
    Job,
    Step,
    Workflow,
    ci_commands,
    parse_action,
)
from mlops_lint.parsers.pytest_config import (
    cov_options,
    invocations,
    read_configs,
)
from mlops_lint.parsers.requirements import satisfies, version_tuple
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.parsers.toml_file import dig
from mlops_lint.parsers.yaml_file import YamlError, load_yaml
from mlops_lint.readers.ci_config import CIState, ci_state
from mlops_lint.readers.ci_runs import Run, ci_runs
from mlops_lint.readers.ci_tools import (
    ALL_LINT,
    ALL_TESTS,
    COVERAGE_REPORT,
    COVERAGE_UPLOAD,
    DEP_TOOLS,
    IMAGE_SCAN,
    SAST_TOOLS,
    SECRET_TOOLS,
    TESTS,
    TYPECHECK,
    ToolSpec,
)
from mlops_lint.readers.deployment import deployment
from mlops_lint.repo import Repo
from mlops_lint.rules import check

NO_CI = T("no CI configuration (.github/workflows/*.yml, .gitlab-ci.yml, "
          "azure-pipelines.yml, Jenkinsfile, .circleci/config.yml, cloudbuild.yaml)",
          "no hay configuración de CI (.github/workflows/*.yml, .gitlab-ci.yml, "
          "azure-pipelines.yml, Jenkinsfile, .circleci/config.yml, cloudbuild.yaml)")
NO_CI_FIX = T("add .github/workflows/ci.yml that runs on push and pull_request",
              "añade .github/workflows/ci.yml que se ejecute en push y pull_request")


# -- shared helpers -----------------------------------------------------------------------


def _at(path: str, line: int | None) -> str:
    return f"{path}:{line}" if line else path


def _first_ci_file(state: CIState) -> tuple[str | None, int | None]:
    if state.workflows:
        return state.workflows[0].path, 1
    for paths in state.others.values():
        return paths[0], 1
    return None, None


# a workflow that only builds and publishes documentation
_DOCS_DEPLOY = re.compile(r"\b(mkdocs\s+(gh-deploy|build)|mike\s+deploy|sphinx-build|"
                          r"jupyter-book\s+build|make\s+(-C\s+\S+\s+)?html)\b")
_DOCS_ACTIONS = ("actions/deploy-pages", "actions/upload-pages-artifact",
                 "peaceiris/actions-gh-pages", "jamesives/github-pages-deploy-action")


def _docs_only(wf: Workflow) -> bool:
    return any((s.run and _DOCS_DEPLOY.search(s.run[:4000])) or (
        s.uses and parse_action(s.uses).name.startswith(_DOCS_ACTIONS))
        for j in wf.jobs for s in j.steps)


def _ci_file_to_cite(state: CIState) -> tuple[str | None, int | None]:
    """The CI file a repository-wide finding points at: a workflow that checks pull
    requests, else one that does not just deploy documentation, else the first."""
    own = [wf for wf in state.workflows if not _docs_only(wf)]
    for wf in [w for w in own if "pull_request" in w.on] + own:
        return wf.path, 1
    return _first_ci_file(state)


def _no_ci(level: int | None = None) -> Finding:
    return failed(NO_CI, level=level, fix=NO_CI_FIX, see="CI001")


def _github_only(ctx: Context, what: T) -> list[Workflow] | list[Finding]:
    """The parsed workflows, or the findings that replace a GitHub-only rule's verdict."""
    state = ci_state(ctx.repo)
    if state.workflows:
        return state.workflows
    if state.others:
        return [skipped(T(f"{what.en} is a GitHub Actions concept; this repository uses "
                          f"{state.other_names()}",
                          f"{what.es} es un concepto de GitHub Actions; este repositorio usa "
                          f"{state.other_names()}"))]
    if state.broken:
        return [failed(T(f"workflow does not parse: {e.message}",
                         f"el workflow no se puede leer: {e.message}"), e.path, e.line)
                for e in state.broken]
    return [_no_ci()]


def _runs_of(repo: Repo, specs: Iterable[ToolSpec]) -> list[Run]:
    return [run for spec in specs for run in ci_runs(repo, spec)]


def _list(items: Iterable[str], limit: int = 4) -> str:
    values = list(dict.fromkeys(items))
    shown = ", ".join(values[:limit])
    return shown + (f" (+{len(values) - limit})" if len(values) > limit else "")


# -- CI001 ------------------------------------------------------------------------------


def _branch_push(config: Any) -> bool:
    """``on.push`` runs for branch pushes (not only for tags)."""
    if not isinstance(config, dict):
        return True
    if "branches" in config or "branches-ignore" in config:
        return True
    return not ("tags" in config or "tags-ignore" in config)


@check("ci_workflow")
def ci_workflow(ctx: Context, params: None) -> Iterator[Finding]:
    """CI001: a workflow that parses and runs on push and pull_request (other CI systems
    pass)."""
    state = ci_state(ctx.repo)
    for error in state.broken:
        yield failed(T(f"workflow does not parse: {error.message}",
                       f"el workflow no se puede leer: {error.message}"), error.path,
                     error.line, fix=T("fix the YAML: GitHub ignores a workflow it cannot "
                                       "read", "corrige el YAML: GitHub ignora un workflow que "
                                       "no puede leer"))
    if not state.workflows:
        if state.others:
            for system, paths in sorted(state.others.items()):
                yield passed(T(f"CI runs on {CI_NAMES.get(system, system)} ({paths[0]}); "
                               "its triggers are not checked",
                               f"la CI corre en {CI_NAMES.get(system, system)} ({paths[0]}); "
                               "sus disparadores no se comprueban"), paths[0], 1)
        elif not state.broken:
            yield _no_ci()
        return
    both, push_only, pr_only, other = [], [], [], []
    for wf in state.workflows:
        on = wf.on
        push = "push" in on and _branch_push(on["push"])
        pr = "pull_request" in on or "pull_request_target" in on or "merge_group" in on
        if push and pr:
            both.append(wf)
        elif push:
            push_only.append(wf)
        elif pr:
            pr_only.append(wf)
        else:
            other.append(wf)
    if both:
        wf = both[0]
        push_config = wf.on.get("push")
        filtered = isinstance(push_config, dict) and bool(
            "branches" in push_config or "branches-ignore" in push_config)
        note = T("", "") if filtered else T(
            "; branch filters are recommended (push: [main, develop], pull_request: [main])",
            "; se recomiendan filtros de rama (push: [main, develop], pull_request: [main])")
        yield passed(T(f"{wf.path} runs on push and pull_request", f"{wf.path} se ejecuta en "
                       "push y pull_request") + note, wf.path, wf.key_line("on") or 1)
        return
    if push_only or pr_only:
        wf = (push_only or pr_only)[0]
        which = "push" if push_only else "pull_request"
        missing = "pull_request" if push_only else "push"
        yield warned(T(f"{wf.path} runs on {which} but not on {missing}: "
                       + ("pull requests are not checked before merging" if push_only else
                          "the main branch is not checked after merging"),
                       f"{wf.path} se ejecuta en {which} pero no en {missing}: "
                       + ("los pull requests no se comprueban antes de integrarse"
                          if push_only else
                          "la rama principal no se comprueba después de integrar")),
                     wf.path, wf.key_line("on") or 1,
                     fix=T(f"add '{missing}:' to the triggers of {wf.path}",
                           f"añade '{missing}:' a los disparadores de {wf.path}"))
        return
    triggers = _list(t for wf in other for t in wf.on) or "none"
    yield failed(T(f"no workflow runs on push or pull_request (triggers: {triggers})",
                   f"ningún workflow se ejecuta en push ni pull_request (disparadores: "
                   f"{triggers})"), other[0].path, 1,
                 fix=T("add 'on: {push: {branches: [main]}, pull_request: {branches: [main]}}'",
                       "añade 'on: {push: {branches: [main]}, pull_request: {branches: "
                       "[main]}}'"))


# -- CI002 ------------------------------------------------------------------------------


@check("ci_tests_and_lint")
def ci_tests_and_lint(ctx: Context, params: None) -> Iterator[Finding]:
    """CI002: CI runs pytest (directly, make, tox, nox) and a lint/format check."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield _no_ci()
        return
    tests = _runs_of(ctx.repo, ALL_TESTS)
    lint = _runs_of(ctx.repo, ALL_LINT)
    missing: list[T] = []
    if not tests:
        missing.append(T("no step runs the tests (pytest, make test, tox, nox; or another "
                         "language's runner: go test, npm test, mvn test, cargo test…)",
                         "ningún paso ejecuta los tests (pytest, make test, tox, nox; o el de "
                         "otro lenguaje: go test, npm test, mvn test, cargo test…)"))
    if not lint:
        missing.append(T("no step runs a lint/format check (ruff check, ruff format --check, "
                         "black --check, flake8, isort --check-only, pre-commit run "
                         "--all-files; or another language's linter: eslint, "
                         "golangci-lint, go vet, cargo clippy…)",
                         "ningún paso ejecuta un chequeo de lint/formato (ruff check, ruff "
                         "format --check, black --check, flake8, isort --check-only, "
                         "pre-commit run --all-files; o el de otro lenguaje: eslint, "
                         "golangci-lint, go vet, cargo clippy…)"))
    if missing:
        path, line = ((tests or lint)[0].path, (tests or lint)[0].line) if tests or lint \
            else _ci_file_to_cite(state)
        head = T("", "")
        if state.workflows:
            # the verdict is on the CI as a whole: every workflow was read
            names = _list(wf.path.rsplit("/", 1)[-1] for wf in state.workflows)
            head = T(f"across all CI workflows ({names}): ",
                     f"en todos los workflows de CI ({names}): ")
        yield failed(head + T.join(missing), path, line)
        return
    yield passed(T(f"tests: {tests[0].text[:60]} ({tests[0].where()}); lint: "
                   f"{lint[0].text[:60]} ({lint[0].where()})",
                   f"tests: {tests[0].text[:60]} ({tests[0].where()}); lint: "
                   f"{lint[0].text[:60]} ({lint[0].where()})"), tests[0].path, tests[0].line)


# -- CI003 ------------------------------------------------------------------------------

_DOCKER_BUILD_ACTIONS = ("docker/build-push-action",)
_PACKAGE_BUILD = re.compile(r"^(python -m build|poetry build|hatch build|uv build|pdm build|"
                            r"flit build|pip wheel)")


def _builds_image(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    if program in ("docker", "podman") and (
            args[:1] == ("build",) or args[:2] in (("buildx", "build"), ("image", "build"),
                                                   ("compose", "build"), ("buildx", "bake"))):
        return True
    if program == "docker-compose" and args[:1] == ("build",):
        return True
    # image builders that wrap the Dockerfile build: skaffold, ko, Cloud Native Buildpacks
    if program == "skaffold" and args[:1] in (("build",), ("run",), ("dev",)):
        return True
    if (program == "ko" and args[:1] in (("build",), ("publish",), ("apply",), ("resolve",))) \
            or (program == "pack" and args[:1] == ("build",)):
        return True
    return program in ("buildah", "kaniko", "executor") or (
        program == "gcloud" and args[:2] == ("builds", "submit"))


def _builds_package(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    return (program == "build") or (program in ("poetry", "hatch", "uv", "pdm", "flit")
                                    and args[:1] == ("build",))


IMAGE_BUILD = ToolSpec("docker build", "build", _builds_image, frozenset(),
                       (*_DOCKER_BUILD_ACTIONS, "redhat-actions/buildah-build"))
PACKAGE_BUILD = ToolSpec("package build", "build", _builds_package, frozenset(),
                         ("pypa/gh-action-pypi-publish", "hynek/build-and-inspect-python-package"))


def _job_key(run: Run) -> tuple[str, str] | None:
    if run.workflow is None or run.job is None:
        return None
    return run.workflow.path, run.job.id


def _workflow_run_sources(wf: Workflow) -> list[str]:
    config = wf.on.get("workflow_run")
    if not isinstance(config, dict):
        return []
    names = config.get("workflows")
    return [str(n) for n in names] if isinstance(names, list) else (
        [str(names)] if names else [])


def _after(wf: Workflow, job: Job, earlier: set[tuple[str, str]],
           by_name: dict[str, str]) -> bool:
    """``job`` runs after one of the ``earlier`` jobs: through ``needs:`` or a
    ``workflow_run`` trigger on their workflow."""
    if any((wf.path, a) in earlier for a in wf.ancestors(job.id)):
        return True
    sources = {by_name.get(name, name) for name in _workflow_run_sources(wf)}
    return any(path in sources for path, _ in earlier)


@check("ci_job_graph")
def ci_job_graph(ctx: Context, params: None) -> Iterator[Finding]:
    """CI003: distinct lint, test and build jobs ordered with ``needs:``."""
    found = _github_only(ctx, T("The needs: job graph", "El grafo de jobs needs:"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    repo = ctx.repo
    lint = {k for r in _runs_of(repo, ALL_LINT) if (k := _job_key(r))}
    tests = {k for r in _runs_of(repo, ALL_TESTS) if (k := _job_key(r))}
    builds = {k for r in _runs_of(repo, (IMAGE_BUILD, PACKAGE_BUILD)) if (k := _job_key(r))}
    state = ci_state(repo)
    by_name = {wf.name: wf.path for wf in state.workflows if wf.name}
    jobs = {(wf.path, job.id): (wf, job) for wf in state.workflows for job in wf.jobs}
    problems: list[T] = []
    for label, group in (("lint", lint), ("test", tests), ("build/docker", builds)):
        if not group:
            problems.append(T(f"no {label} job", f"no hay job de {label}"))
    if problems:
        yield failed(T.join(problems), state.workflows[0].path, 1,
                     fix=T("split the workflow into jobs lint → test (needs: lint) → build "
                           "(needs: test)", "divide el workflow en jobs lint → test (needs: "
                           "lint) → build (needs: test)"))
        return
    pure_tests = tests - lint
    pure_builds = builds - tests - lint
    ordered_tests = {k for k in pure_tests if _after(*jobs[k], lint, by_name)}
    ordered_builds = {k for k in pure_builds if _after(*jobs[k], tests, by_name)}
    if ordered_tests and ordered_builds:
        test, build = sorted(ordered_tests)[0], sorted(ordered_builds)[0]
        lint_job = sorted(lint)[0]
        yield passed(T(f"lint ({lint_job[1]}) → test ({test[1]}) → build ({build[1]})",
                       f"lint ({lint_job[1]}) → test ({test[1]}) → build ({build[1]})"),
                     test[0], jobs[test][1].line)
        return
    if not pure_tests:
        wf, job = jobs[sorted(tests)[0]]
        problems.append(T(f"lint and tests run in the same job ({job.id})",
                          f"lint y tests se ejecutan en el mismo job ({job.id})"))
    elif not ordered_tests:
        wf, job = jobs[sorted(pure_tests)[0]]
        problems.append(T(f"test job {job.id} does not need the lint job",
                          f"el job de test {job.id} no depende (needs) del job de lint"))
    if not pure_builds:
        wf, job = jobs[sorted(builds)[0]]
        problems.append(T(f"the build runs inside a lint/test job ({job.id})",
                          f"el build se ejecuta dentro de un job de lint/test ({job.id})"))
    elif not ordered_builds:
        wf, job = jobs[sorted(pure_builds)[0]]
        problems.append(T(f"build job {job.id} does not need the test job",
                          f"el job de build {job.id} no depende (needs) del job de test"))
    yield failed(T.join(problems), wf.path, job.line,
                 fix=T("order the jobs: test with 'needs: lint', build with 'needs: test'",
                       "ordena los jobs: test con 'needs: lint', build con 'needs: test'"))


# -- CI004 ------------------------------------------------------------------------------

_PY_KEYS = ("python-version", "python", "python_version", "py", "python-versions", "pyver")
_MATRIX_REF = re.compile(r"\$\{\{\s*matrix\.([\w-]+)\s*\}\}")


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
    tests = {k for r in ci_runs(ctx.repo, TESTS) if (k := _job_key(r))}
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


@check("ci_python_matrix")
def ci_python_matrix(ctx: Context, params: None) -> Iterator[Finding]:
    """CI004: a python-version matrix of >= 2 (L2) / >= 3 with fail-fast: false (L3)
    versions, each inside requires-python."""
    found = _github_only(ctx, T("strategy.matrix", "strategy.matrix"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    matrices = _matrices(ctx, [w for w in found if isinstance(w, Workflow)])
    if not matrices:
        wf = found[0]
        message = T("no strategy.matrix over python-version: the tests run on one Python",
                    "no hay strategy.matrix sobre python-version: los tests corren en un "
                    "solo Python") if ci_runs(ctx.repo, TESTS) else T(
            "no strategy.matrix over python-version, and CI runs no Python tests",
            "no hay strategy.matrix sobre python-version, y la CI no ejecuta tests de Python")
        tests = [r for r in ci_runs(ctx.repo, TESTS) if r.job is not None]
        job = tests[0].job if tests else None
        path, line = (tests[0].workflow.path, tests[0].job.line) if tests and \
            tests[0].workflow is not None and tests[0].job is not None else (wf.path, 1)
        yield failed(message, path, line, fix=_matrix_fix(ctx, job))
        return
    best = matrices[0]
    where = best.job.key_line("strategy") or best.job.line
    if best.dynamic:
        yield warned(T(f"the matrix of job {best.job.id} is computed at run time "
                       f"(matrix.{best.key}): cannot verify its Python versions",
                       f"la matriz del job {best.job.id} se calcula al ejecutar "
                       f"(matrix.{best.key}): no se pueden verificar sus versiones"),
                     best.workflow.path, where)
        return
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


# -- CI005 ------------------------------------------------------------------------------

_INSTALLS = re.compile(r"\b(pip3?|pip3\.\d+)\s+install\b|\bpoetry\s+install\b|\buv\s+sync\b|"
                       r"\buv\s+pip\s+install\b|\bpipenv\s+(install|sync)\b|\bpdm\s+(install|"
                       r"sync)\b|\bconda\s+(env\s+create|install)\b|\bmamba\s+(env\s+create|"
                       r"install)\b|\bhatch\s+env\s+create\b|\btox\b|\bnox\b")
_DEP_FILES = re.compile(r"requirements|pyproject|\.lock|lock\.|setup\.(py|cfg)|Pipfile|"
                        r"environment\.ya?ml|constraints", re.IGNORECASE)


def _cache_of(job: Job) -> tuple[str | None, T | None]:
    """(how the job caches dependencies, a weakness of that cache) — (None, None) when
    it does not."""
    weak: T | None = None
    for step in job.steps:
        if not step.uses:
            continue
        action = parse_action(step.uses)
        if "setup-python" in action.name:
            cache = str(step.with_.get("cache", "")).strip()
            if cache in ("pip", "poetry", "pipenv"):
                return f"setup-python cache: {cache}", None
        elif action.name in ("actions/cache", "actions/cache/restore"):
            key = str(step.with_.get("key", ""))
            if "hashFiles(" in key and _DEP_FILES.search(key):
                return f"actions/cache keyed on {key.strip()[:70]}", None
            weak = T(f"actions/cache key '{key.strip()[:60]}' does not hash the dependency "
                     "files (hashFiles('**/requirements*.txt', '**/pyproject.toml')): the cache "
                     "goes stale", f"la clave de actions/cache '{key.strip()[:60]}' no hashea "
                     "los archivos de dependencias (hashFiles('**/requirements*.txt', "
                     "'**/pyproject.toml')): la caché queda obsoleta")
        elif action.name.startswith("astral-sh/setup-uv"):
            enable = str(step.with_.get("enable-cache", "")).strip().lower()
            if enable == "true":
                return "setup-uv enable-cache: true", None
            if enable in ("", "auto") and (action.major or 0) >= 6:
                return "setup-uv v6+ (enable-cache: auto)", None
        elif action.name.startswith(("conda-incubator/setup-miniconda",
                                     "mamba-org/setup-micromamba")) and any(
                k in step.with_ for k in ("cache-environment", "cache-downloads")):
            return f"{action.name} cache", None
    return None, weak


@check("ci_dependency_cache")
def ci_dependency_cache(ctx: Context, params: None) -> Iterator[Finding]:
    """CI005: jobs that install Python dependencies cache them (setup-python cache,
    actions/cache keyed on hashFiles of the lockfile, setup-uv cache)."""
    found = _github_only(ctx, T("setup-python/actions-cache caching",
                                "La caché de setup-python/actions-cache"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    installing: list[tuple[Workflow, Job]] = [
        (wf, job) for wf in found if isinstance(wf, Workflow) for job in wf.jobs
        if any(step.run and _INSTALLS.search(step.run) for step in job.steps)]
    if not installing:
        yield skipped(T("no job installs Python dependencies (pip/poetry/uv/pipenv install)",
                        "ningún job instala dependencias de Python (pip/poetry/uv/pipenv "
                        "install)"))
        return
    cached, uncached, weak = [], [], []
    for wf, job in installing:
        how, weakness = _cache_of(job)
        if how:
            cached.append((wf, job, how))
        else:
            uncached.append((wf, job))
            if weakness:
                weak.append((wf, job, weakness))
    fix = T("add 'cache: pip' to actions/setup-python (or actions/cache keyed on "
            "hashFiles('**/requirements*.txt', '**/pyproject.toml'))",
            "añade 'cache: pip' a actions/setup-python (o actions/cache con clave "
            "hashFiles('**/requirements*.txt', '**/pyproject.toml'))")
    if cached:
        wf, job, how = cached[0]
        others = T(f"; without cache: {_list(j.id for _, j in uncached)}",
                   f"; sin caché: {_list(j.id for _, j in uncached)}") if uncached else T("", "")
        yield passed(T(f"job {job.id} caches dependencies ({how})",
                       f"el job {job.id} cachea las dependencias ({how})") + others,
                     wf.path, job.line)
        return
    if weak:
        wf, job, weakness = weak[0]
        yield warned(weakness, wf.path, job.line, fix=fix)
        return
    wf, job = uncached[0]
    yield failed(T(f"no job caches its Python dependencies ({_list(j.id for _, j in uncached)}"
                   " install them on every run)",
                   f"ningún job cachea sus dependencias de Python "
                   f"({_list(j.id for _, j in uncached)} las instalan en cada ejecución)"),
                 wf.path, job.line, fix=fix)


# -- CI006 ------------------------------------------------------------------------------


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
            configs = read_configs(repo, _project_dir(repo, run))
            addopts = cov_options(configs.pytest.addopts) if configs.pytest else None
            cov = configs.coverage
            config_value = addopts.fail_under if addopts and addopts.fail_under is not None \
                else (cov.fail_under if cov else None)
            if config_value is None:
                continue
            measured = inv.options.cov or (addopts is not None and addopts.cov) or \
                inv.kind in ("coverage-run", "coverage-report")
            if measured and "--no-cov" not in inv.args:
                found = config_value
                where = configs.pytest.path if configs.pytest and addopts and \
                    addopts.fail_under is not None else (cov.path if cov else "")
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
PYTEST_COV = re.compile(r"pytest[-_]cov\b", re.IGNORECASE)


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
    return folders[0] if len(folders) == 1 else None


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


@check("ci_coverage_gate")
def ci_coverage_gate(ctx: Context, params: None) -> Iterator[Finding]:
    """CI006: a blocking CI test run enforces coverage >= 70/80/85 (explicitly or through
    the configuration it picks up); level 2 also uploads the report."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield _no_ci()
        return
    gates, lenient = _gates(ctx.repo)
    floors = ctx.thresholds.coverage
    uploads = _uploads(ctx.repo)
    if not gates:
        note = T(f"; not blocking: {_list(r.where() for r in lenient)}",
                 f"; no bloquea: {_list(r.where() for r in lenient)}") if lenient else T("", "")
        tests = ci_runs(ctx.repo, TESTS)
        path, line = (tests[0].path, tests[0].line) if tests else _first_ci_file(state)
        project = _project_dir(ctx.repo, tests[0]) if tests else "."
        yield failed(T("no CI test run enforces a coverage threshold (--cov-fail-under or "
                       "fail_under in the configuration it reads)",
                       "ninguna ejecución de tests en CI exige un umbral de cobertura "
                       "(--cov-fail-under o fail_under en la configuración que lee)") + note,
                     path, line,
                     fix=_coverage_gate_fix(floors, upload=not uploads,
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


# -- CI007 ------------------------------------------------------------------------------


_FAMILIES = {"test": T("test", "el paso de tests"), "lint": T("lint", "el paso de lint"),
             "coverage": T("coverage", "el paso de cobertura"),
             "typecheck": T("type-check", "el paso de tipos"),
             "sast": T("SAST", "el paso de SAST"), "secrets": T("secret-scan",
                                                              "el escaneo de secretos"),
             "deps": T("dependency-audit", "la auditoría de dependencias"),
             "image-scan": T("image-scan", "el escaneo de imagen")}


def _family(run: Run) -> T:
    return _FAMILIES.get(run.tool.family, T.same(run.tool.family))


@check("ci_blocking_gates")
def ci_blocking_gates(ctx: Context, params: None) -> Iterator[Finding]:
    """CI007: lint, test and coverage steps block (L2); type-check and security steps
    too (L3)."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield _no_ci()
        return
    core = _runs_of(ctx.repo, (*ALL_LINT, *ALL_TESTS, COVERAGE_REPORT))
    extra = _runs_of(ctx.repo, (TYPECHECK, *SAST_TOOLS, *SECRET_TOOLS, *DEP_TOOLS,
                                IMAGE_SCAN))
    if not core:
        path, line = _first_ci_file(state)
        yield failed(T("CI runs no lint or test step, so nothing gates a merge",
                       "la CI no ejecuta ningún paso de lint o tests, así que nada frena una "
                       "integración"), path, line,
                     fix=T("run the tests and a lint check in CI", "ejecuta los tests y un "
                           "chequeo de lint en CI"))
        return
    fix = T("remove continue-on-error / '|| true' / --exit-zero so a failure fails the job",
            "quita continue-on-error / '|| true' / --exit-zero para que un fallo haga fallar "
            "el job")
    soft_core = [r for r in core if not r.blocking]
    soft_extra = [r for r in extra if not r.blocking]
    for run in soft_core:
        reason = run.reason or T("not blocking", "no bloquea")
        yield failed(_family(run) + T(f" step '{run.text[:70]}' does not block: ",
                                      f" '{run.text[:70]}' no bloquea: ") + reason,
                     run.path, run.line, fix=fix)
    for run in soft_extra:
        reason = run.reason or T("not blocking", "no bloquea")
        yield failed(_family(run) + T(f" step '{run.text[:70]}' does not block: ",
                                      f" '{run.text[:70]}' no bloquea: ") + reason
                     + T(" (tolerated at level 2)", " (tolerado en el nivel 2)"),
                     run.path, run.line, level=3, fix=fix)
    if not soft_core:
        yield passed(T(f"lint/test steps block ({len(core)} found)",
                       f"los pasos de lint/test bloquean ({len(core)} encontrados)"),
                     core[0].path, core[0].line, level=2)
        if not soft_extra:
            yield passed(T(f"lint, test, type-check and security steps all block "
                           f"({len(core) + len(extra)} found)",
                           f"los pasos de lint, tests, tipos y seguridad bloquean todos "
                           f"({len(core) + len(extra)} encontrados)"),
                         core[0].path, core[0].line, level=3)


# -- CI008 ------------------------------------------------------------------------------


def _full_history(job: Job | None) -> bool:
    if job is None:
        return True
    for step in job.steps:
        if step.uses and parse_action(step.uses).name == "actions/checkout":
            depth = step.with_.get("fetch-depth")
            return depth is not None and str(depth).strip("'\" ") == "0"
    return False


def _history_scan(run: Run) -> bool:
    """A secrets scan of git history (needs the full clone): the gitleaks/trufflehog
    actions, ``gitleaks detect``/``git`` without ``--no-git``, ``trufflehog git``."""
    if run.via in ("pre-commit run", "pre-commit/action") or run.job is None:
        return False
    if run.action is not None:
        return run.action.name.startswith(("gitleaks/", "zricethezav/", "trufflesecurity/"))
    argv = run.argv
    if argv[:1] == ("gitleaks",):
        return argv[1:2] in (("detect",), ("git",)) and "--no-git" not in argv
    return argv[:2] in (("trufflehog", "git"), ("trufflehog", "github"))


@check("ci_security_scans")
def ci_security_scans(ctx: Context, params: None) -> Iterator[Finding]:
    """CI008: one security scan in CI (L2); secrets + SAST + dependency audit, history
    scans on a full clone (L3)."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield _no_ci()
        return
    repo = ctx.repo
    secrets = _runs_of(repo, SECRET_TOOLS)
    sast = _runs_of(repo, SAST_TOOLS)
    deps = _runs_of(repo, DEP_TOOLS)
    found = secrets + sast + deps
    path, line = _first_ci_file(state)
    if not found:
        yield failed(T("CI runs no security scan (bandit, gitleaks/trufflehog/detect-secrets, "
                       "pip-audit/safety, CodeQL)",
                       "la CI no ejecuta ningún análisis de seguridad (bandit, "
                       "gitleaks/trufflehog/detect-secrets, pip-audit/safety, CodeQL)"),
                     path, line,
                     fix=T("add a security job: gitleaks/gitleaks-action@v2, 'bandit -r src', "
                           "'pip-audit'", "añade un job de seguridad: "
                           "gitleaks/gitleaks-action@v2, 'bandit -r src', 'pip-audit'"))
        return
    names = _list(r.tool.name for r in found)
    yield passed(T(f"CI runs {names}", f"la CI ejecuta {names}"), found[0].path,
                 found[0].line, level=2)
    problems: list[T] = []
    for label, runs in ((T("secret scanning (gitleaks, trufflehog, detect-secrets)",
                           "escaneo de secretos (gitleaks, trufflehog, detect-secrets)"),
                         secrets),
                        (T("SAST (bandit or CodeQL)", "SAST (bandit o CodeQL)"), sast),
                        (T("a dependency audit (pip-audit, safety)",
                           "una auditoría de dependencias (pip-audit, safety)"), deps)):
        if not runs:
            problems.append(T("missing ", "falta ") + label)
    shallow = [r for r in secrets if _history_scan(r) and not _full_history(r.job)]
    for run in shallow:
        problems.append(T(f"{run.tool.name} scans history but job {run.job.id if run.job else ''}"
                          " checks out without fetch-depth: 0",
                          f"{run.tool.name} revisa el historial pero el job "
                          f"{run.job.id if run.job else ''} hace checkout sin fetch-depth: 0"))
    if problems:
        where = shallow[0] if shallow else found[0]
        yield failed(T.join(problems), where.path, where.line, level=3,
                     fix=T("run gitleaks (with actions/checkout fetch-depth: 0), bandit or "
                           "CodeQL, and pip-audit in CI",
                           "ejecuta gitleaks (con actions/checkout fetch-depth: 0), bandit o "
                           "CodeQL, y pip-audit en CI"))
    else:
        yield passed(T(f"secrets ({secrets[0].tool.name}), SAST ({sast[0].tool.name}) and "
                       f"dependency audit ({deps[0].tool.name}) in CI",
                       f"secretos ({secrets[0].tool.name}), SAST ({sast[0].tool.name}) y "
                       f"auditoría de dependencias ({deps[0].tool.name}) en CI"),
                     found[0].path, found[0].line, level=3)


# -- CI009 ------------------------------------------------------------------------------

_MAIN_GUARD = re.compile(r"refs/heads/(main|master)|refs/tags|github\.event_name\s*==\s*"
                         r"['\"](push|release|workflow_dispatch)['\"]|event_name\s*!=\s*"
                         r"['\"]pull_request['\"]|startsWith\(\s*github\.ref", re.IGNORECASE)
_DEPLOY = re.compile(r"\b(kubectl\s+(apply|set\s+image|rollout)|helm\s+(upgrade|install)|"
                     r"gcloud\s+run\s+deploy|gcloud\s+app\s+deploy|aws\s+ecs\s+update-service|"
                     r"serverless\s+deploy|sls\s+deploy|fly\s+deploy|flyctl\s+deploy|"
                     r"az\s+(webapp|containerapp)|railway\s+up|heroku\s+container)")
_DEPLOY_ACTIONS = ("google-github-actions/deploy-cloudrun", "aws-actions/amazon-ecs-deploy",
                   "azure/webapps-deploy", "azure/k8s-deploy", "superfly/flyctl-actions",
                   "akhileshns/heroku-deploy", "appleboy/ssh-action")


def _push_guarded(wf: Workflow, job: Job, step: Step | None) -> bool:
    guards = " ".join(g for g in (job.if_, step.if_ if step else None) if g)
    if _MAIN_GUARD.search(guards):
        return True
    if step is not None:
        push = str(step.with_.get("push", ""))
        if _MAIN_GUARD.search(push):
            return True
    on = wf.on
    if "pull_request" in on or "pull_request_target" in on:
        return False
    push_cfg = on.get("push")
    if isinstance(push_cfg, dict):
        branches = push_cfg.get("branches")
        if isinstance(branches, list) and set(map(str, branches)) <= {"main", "master"}:
            return True
        if "tags" in push_cfg and "branches" not in push_cfg:
            return True
    return bool(on) and set(on) <= {"release", "workflow_dispatch", "workflow_run"}


def _is_deploy(job: Job) -> bool:
    text = f"{job.id} {job.name or ''}".lower()
    if re.search(r"deploy|release", text):
        return True
    for step in job.steps:
        if step.run and _DEPLOY.search(step.run):
            return True
        if step.uses and parse_action(step.uses).name.startswith(_DEPLOY_ACTIONS):
            return True
    return False


def _smoke_after(wf: Workflow, job: Job, index: int) -> str | None:
    """A smoke test of the image after step ``index`` of ``job``, or in a later job."""
    candidates = [(job, s) for s in job.steps[index + 1:]]
    for other in wf.jobs:
        if job.id in wf.ancestors(other.id):
            candidates += [(other, s) for s in other.steps]
    for owner, step in candidates:
        if not step.run:
            continue
        for simple in split_commands(step.run):
            if (simple.program == "docker" and simple.args[:1] == ("run",)) or (
                    simple.program in ("docker", "docker-compose") and "up" in simple.args[:2]):
                return f"{owner.id}: {simple.line.strip()[:60]}"
            if simple.program in ("container-structure-test", "dgoss", "goss"):
                return f"{owner.id}: {simple.line.strip()[:60]}"
            # the image deployed and checked running: pods ready, rollout done, a health URL
            if (simple.program == "kubectl" and (
                    simple.args[:2] == ("rollout", "status") or (
                        simple.args[:1] == ("wait",) and any(
                            a.startswith("--for=condition=") and a.split("=")[-1].lower() in
                            ("available", "ready") for a in simple.args)))) or (
                    simple.program == "helm" and simple.args[:1] == ("test",)) or (
                    simple.program in ("curl", "wget") and any(
                        "health" in a.lower() for a in simple.args)):
                return f"{owner.id}: {simple.line.strip()[:60]}"
    return None


# a throwaway registry on the runner or inside a local test cluster (kind, k3d, minikube,
# ko's local sideload): an end-to-end test's push, not a release
_LOCAL_REGISTRY = re.compile(r"(localhost|127\.0\.0\.1|0\.0\.0\.0|kind-registry|"
                             r"registry\.localhost|kind\.local|ko\.local|k3d-[\w.-]{1,60})"
                             r"(:\d{1,5})?(/|$)", re.IGNORECASE)
# actions and commands that create a throwaway cluster on the runner
_EPHEMERAL_CLUSTER_ACTIONS = ("helm/kind-action", "engineerd/setup-kind",
                              "container-tools/kind-action", "medyagh/setup-minikube",
                              "manusa/actions-setup-minikube", "absaoss/k3d-action",
                              "nolar/setup-k3d-k3s", "debianmaster/actions-k3s")


@dataclass(frozen=True)
class _Build:
    workflow: Workflow
    job: Job
    index: int
    step: Step
    cached: bool
    pushes: bool
    text: str
    targets: tuple[str, ...] = ()  # the image references pushed, when the text names them

    @property
    def local(self) -> bool:
        """Every pushed reference goes to a throwaway local registry."""
        return bool(self.targets) and all(_LOCAL_REGISTRY.match(t) for t in self.targets)


def _push_targets(simple: Simple) -> tuple[str, ...]:
    """The registry references a builder command pushes to (skaffold --default-repo)."""
    args = simple.args
    for i, arg in enumerate(args):
        if arg.startswith("--default-repo="):
            return (arg.split("=", 1)[1],)
        if arg == "--default-repo" and i + 1 < len(args):
            return (args[i + 1],)
    return ()


def _action_tags(step: Step) -> tuple[str, ...]:
    tags = str(step.with_.get("tags", ""))[:2000]
    return tuple(t for t in re.split(r"[\s,]+", tags) if t)


def _ephemeral_cluster(job: Job) -> str | None:
    """The step that creates a throwaway cluster (kind, minikube, k3d) in ``job``."""
    for step in job.steps:
        if step.uses and parse_action(step.uses).name.startswith(_EPHEMERAL_CLUSTER_ACTIONS):
            return parse_action(step.uses).name
        for simple in split_commands(step.run or ""):
            if (simple.program == "kind" and simple.args[:2] == ("create", "cluster")) or (
                    simple.program == "minikube" and simple.args[:1] == ("start",)) or (
                    simple.program == "k3d" and simple.args[:2] == ("cluster", "create")):
                return simple.line.strip()[:60]
    return None


def _builder_pushes(simple: Simple) -> bool:
    """Builders that push what they build: skaffold build/run to a --default-repo (or
    with --push), ko (unless --local), pack build --publish, gcloud builds submit."""
    program, args = simple.program, simple.args
    if program == "skaffold":
        return "--push=false" not in args and (
            "--push" in args or "--push=true" in args
            or any(a == "--default-repo" or a.startswith("--default-repo=") for a in args))
    if program == "ko":
        return not ({"--local", "-L", "--push=false"} & set(args))
    if program == "pack":
        return "--publish" in args
    return program == "gcloud" and args[:2] == ("builds", "submit")


def _builder_cache(simple: Simple, job: Job, index: int) -> bool:
    """skaffold's artifact cache kept between runs (actions/cache of ~/.skaffold/cache
    before the build)."""
    if simple.program != "skaffold":
        return False
    return any(s.uses and parse_action(s.uses).name == "actions/cache"
               and "skaffold" in str(s.with_.get("path", "")) for s in job.steps[:index])


def _image_builds(state: CIState) -> list[_Build]:
    out: list[_Build] = []
    for wf in state.workflows:
        for job in wf.jobs:
            for index, step in enumerate(job.steps):
                if step.uses and parse_action(step.uses).name.startswith(_DOCKER_BUILD_ACTIONS):
                    cached = "cache-from" in step.with_
                    push = str(step.with_.get("push", "false")).strip().lower()
                    out.append(_Build(wf, job, index, step, cached, push != "false",
                                      step.uses, _action_tags(step)))
                elif step.run:
                    for simple in split_commands(step.run):
                        if _builds_image(simple):
                            cached = any(a.startswith("--cache-from") for a in simple.args) \
                                or _builder_cache(simple, job, index)
                            out.append(_Build(wf, job, index, step, cached,
                                              _builder_pushes(simple), simple.line.strip(),
                                              _push_targets(simple)))
                        elif simple.program in ("docker", "podman") and \
                                simple.args[:1] == ("push",) and out and out[-1].job is job:
                            last = out[-1]
                            pushed = tuple(a for a in simple.args[1:2] if not a.startswith("-"))
                            out[-1] = _Build(last.workflow, last.job, last.index, last.step,
                                             last.cached, True, last.text,
                                             last.targets + (pushed or ("",)))
    return out


@check("ci_container_delivery")
def ci_container_delivery(ctx: Context, params: None) -> Iterator[Finding]:
    """CI009: the image is built after the tests with a layer cache and smoke-tested (L2);
    pushed only from main with SHA/semver tags, packages: write for GHCR, deploy jobs
    behind an environment (L3)."""
    found = _github_only(ctx, T("Image delivery jobs", "Los jobs de entrega de imagen"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    state = ci_state(ctx.repo)
    builds = _image_builds(state)
    if not builds:
        fact = deployment(ctx.repo)
        if not fact.deploys:
            yield skipped(fact.nothing_deployed(T(", so there is no image to build",
                                                  ", así que no hay imagen que construir")))
            return
        if not fact.of(["image"]):
            yield skipped(T("not applicable: the repository has no Dockerfile of its own, so "
                            "there is no image for CI to build (DOCK001 judges the missing "
                            "Dockerfile)", "no aplica: el repositorio no tiene un Dockerfile "
                            "propio, así que la CI no tiene imagen que construir (DOCK001 "
                            "juzga la falta de Dockerfile)"), see="DOCK001")
            return
        yield failed(T("CI never builds the container image (docker/build-push-action or "
                       "docker build)", "la CI nunca construye la imagen del contenedor "
                       "(docker/build-push-action o docker build)"),
                     state.workflows[0].path, 1,
                     fix=T("add a docker job (needs: test) with docker/build-push-action and "
                           "cache-from: type=gha", "añade un job docker (needs: test) con "
                           "docker/build-push-action y cache-from: type=gha"))
        return
    tests = {k for r in _runs_of(ctx.repo, ALL_TESTS) if (k := _job_key(r))}
    by_name = {wf.name: wf.path for wf in state.workflows if wf.name}

    def after_tests(build: _Build) -> bool:
        if _after(build.workflow, build.job, tests, by_name):
            return True
        key = (build.workflow.path, build.job.id)
        earlier = build.job.steps[:build.index]
        return key in tests and any(r.job is build.job and r.step in earlier
                                    for r in _runs_of(ctx.repo, ALL_TESTS))

    def l2_problems(build: _Build) -> list[T]:
        problems = []
        if not after_tests(build):
            problems.append(T("it does not run after the tests (needs: test)",
                              "no se ejecuta después de los tests (needs: test)"))
        if not build.cached:
            problems.append(T("no layer cache (cache-from: type=gha)",
                              "sin caché de capas (cache-from: type=gha)"))
        if _smoke_after(build.workflow, build.job, build.index) is None:
            problems.append(T("no smoke test of the image (docker run … /health)",
                              "sin prueba de humo de la imagen (docker run … /health)"))
        return problems

    ranked = sorted(builds, key=lambda b: len(l2_problems(b)))
    best = ranked[0]
    head = T(f"{best.job.id}: {best.text[:60]}", f"{best.job.id}: {best.text[:60]}")
    problems = l2_problems(best)
    if problems:
        yield failed(head + T(": ", ": ") + T.join(problems), best.workflow.path,
                     best.step.line, level=2,
                     fix=T("build in a job with 'needs: test', cache-from/cache-to: type=gha, "
                           "then 'docker run --rm <image> python -c ...' or curl /health",
                           "construye en un job con 'needs: test', cache-from/cache-to: "
                           "type=gha, y luego 'docker run --rm <imagen> python -c ...' o curl "
                           "/health"))
    else:
        smoke = _smoke_after(best.workflow, best.job, best.index)
        yield passed(head + T(f" after the tests, cached, smoke test {smoke}",
                              f" después de los tests, con caché, prueba de humo {smoke}"),
                     best.workflow.path, best.step.line, level=2)
    yield from _delivery_l3(builds)


def _delivery_l3(builds: list[_Build]) -> Iterator[Finding]:
    pushes = [b for b in builds if b.pushes and not b.local]
    throwaway = [b for b in builds if b.pushes and b.local]
    if not pushes:
        best = throwaway[0] if throwaway else builds[0]
        message = T("CI never pushes the image to a registry",
                    "la CI nunca publica la imagen en un registro")
        if throwaway:
            host = best.targets[0].split("/", 1)[0][:60]
            message = T(f"CI pushes the image only to a throwaway local registry ({host} in "
                        f"{best.workflow.path}, an end-to-end test), never to a release "
                        "registry", f"la CI publica la imagen solo en un registro local "
                        f"desechable ({host} en {best.workflow.path}, una prueba de extremo a "
                        "extremo), nunca en un registro de publicación")
        yield failed(message, best.workflow.path, best.step.line, level=3,
                     fix=T("push from main only: if: github.ref == 'refs/heads/main', tags "
                           "from docker/metadata-action (type=sha, type=semver)",
                           "publica solo desde main: if: github.ref == 'refs/heads/main', "
                           "etiquetas de docker/metadata-action (type=sha, type=semver)"))
        return
    push = pushes[0]
    wf, job = push.workflow, push.job
    problems: list[T] = []
    if not _push_guarded(wf, job, push.step):
        problems.append(T("the push is not limited to main (if: github.ref == "
                          "'refs/heads/main')", "la publicación no se limita a main (if: "
                          "github.ref == 'refs/heads/main')"))
    meta = [s for s in job.steps if s.uses and
            parse_action(s.uses).name == "docker/metadata-action"]
    tags_text = " ".join(str(s.with_.get("tags", "")) for s in meta) + " " + str(
        push.step.with_.get("tags", "")) + " " + (push.text if push.step.run else "")
    if not (meta and re.search(r"type=(sha|semver)", tags_text)) and \
            "github.sha" not in tags_text.lower() and "github_sha" not in tags_text.lower():
        problems.append(T("no SHA/semver tags (docker/metadata-action with type=sha, "
                          "type=semver)", "sin etiquetas SHA/semver (docker/metadata-action con "
                          "type=sha, type=semver)"))
    ghcr = "ghcr.io" in str(job.raw) or "ghcr.io" in str(wf.raw.get("env", ""))
    if ghcr:
        perms = job.raw.get("permissions", wf.raw.get("permissions"))
        if not (isinstance(perms, dict) and str(perms.get("packages", "")) == "write") and \
                perms != "write-all":
            problems.append(T("pushes to GHCR without 'permissions: packages: write'",
                              "publica en GHCR sin 'permissions: packages: write'"))
    deploys = [j for w in {b.workflow.path: b.workflow for b in builds}.values()
               for j in w.jobs if _is_deploy(j) and "environment" not in j.raw]
    # a deploy to a cluster created on the runner (kind, minikube, k3d) is a test, not a release
    ephemeral = [(j.id, c) for j in deploys if (c := _ephemeral_cluster(j))]
    unprotected = [j for j in deploys if not _ephemeral_cluster(j)]
    for deploy in unprotected:
        problems.append(T(f"deploy job {deploy.id} has no 'environment:' (no protection rules "
                          "or approval)", f"el job de despliegue {deploy.id} no tiene "
                          "'environment:' (sin reglas de protección ni aprobación)"))
    head = T(f"{job.id} pushes the image", f"{job.id} publica la imagen")
    note = T("", "")
    if ephemeral:
        listed = ", ".join(f"{name} ({how})" for name, how in ephemeral[:3])
        note = T(f" (not judged as releases: deploys to a throwaway cluster: {listed})",
                 f" (no se juzgan como publicaciones: despliegan en un clúster desechable: "
                 f"{listed})")
    if problems:
        yield failed(head + T(": ", ": ") + T.join(problems) + note, wf.path, push.step.line,
                     level=3)
    else:
        yield passed(head + T(" from main only, with SHA/semver tags",
                              " solo desde main, con etiquetas SHA/semver") + note, wf.path,
                     push.step.line, level=3)


# -- CI010 ------------------------------------------------------------------------------


def _write_scopes(perms: Any) -> list[str]:
    if perms == "write-all":
        return ["write-all"]
    if isinstance(perms, dict):
        return [str(k) for k, v in perms.items() if str(v) == "write"]
    return []


# actions (by the start of `uses:`, lower case) and the token scopes they need to write
ACTION_SCOPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("actions/stale", ("issues: write", "pull-requests: write")),
    ("dessant/lock-threads", ("issues: write", "pull-requests: write", "discussions: write")),
    ("softprops/action-gh-release", ("contents: write",)),
    ("ncipollo/release-action", ("contents: write",)),
    ("actions/create-release", ("contents: write",)),
    ("release-drafter/release-drafter", ("contents: write", "pull-requests: write")),
    ("googleapis/release-please-action", ("contents: write", "pull-requests: write")),
    ("google-github-actions/release-please-action", ("contents: write",
                                                     "pull-requests: write")),
    ("stefanzweifel/git-auto-commit-action", ("contents: write",)),
    ("ad-m/github-push-action", ("contents: write",)),
    ("peter-evans/create-pull-request", ("contents: write", "pull-requests: write")),
    ("peaceiris/actions-gh-pages", ("contents: write",)),
    ("jamesives/github-pages-deploy-action", ("contents: write",)),
    ("actions/deploy-pages", ("pages: write", "id-token: write")),
    ("pypa/gh-action-pypi-publish", ("id-token: write",)),
    ("actions/labeler", ("pull-requests: write",)),
    ("marocchino/sticky-pull-request-comment", ("pull-requests: write",)),
    ("thollander/actions-comment-pull-request", ("pull-requests: write",)),
    ("github/codeql-action/upload-sarif", ("security-events: write",)),
    ("github/codeql-action/analyze", ("security-events: write",)),
)
# shell commands that write through the token
RUN_SCOPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (re.compile(r"\bgh\s+release\s+(create|upload|edit)|\bgit\s+push\b"), ("contents: write",)),
    (re.compile(r"\bgh\s+pr\s+(comment|create|edit|merge|review)"), ("pull-requests: write",)),
    (re.compile(r"\bgh\s+issue\s+(comment|create|edit|close)"), ("issues: write",)),
    (re.compile(r"ghcr\.io"), ("packages: write",)),
)
CI_TRIGGERS = frozenset({"push", "pull_request", "pull_request_target"})


def _needed_scopes(job: Job) -> list[str]:
    """Write scopes a job's steps need, known from the actions it uses and the commands it
    runs (``gh release create``, ``git push``...); in first-seen order."""
    out: list[str] = []
    for step in job.steps:
        uses = (step.uses or "").lower()
        for prefix, scopes in ACTION_SCOPES:
            if uses.startswith(prefix):
                out.extend(sc for sc in scopes if sc not in out)
        if uses.startswith("actions/stale") and str(step.with_.get("delete-branch", "")
                                                     ).lower() == "true" \
                and "contents: write" not in out:
            out.append("contents: write")  # deleting the branch of a closed PR
        for pattern, scopes in RUN_SCOPES:
            if step.run and pattern.search(step.run[:20_000]):
                out.extend(sc for sc in scopes if sc not in out)
    return out


def _hardening_fix(wf: Workflow, no_timeout: list[str], concurrency: bool,
                   bare: list[str]) -> T:
    """CI010's fix for this workflow: only the missing parts, with the write scopes its jobs
    need kept, and no cancel-in-progress for workflows that are not push/PR CI."""
    parts: list[T] = []
    if bare:
        needs = {j.id: _needed_scopes(j) for j in wf.jobs if j.id in bare}
        writers = {k: v for k, v in needs.items() if v}
        own = [j.id for j in wf.jobs if "permissions" in j.raw]
        text = T("add 'permissions: {contents: read}' at the top",
                 "añade 'permissions: {contents: read}' arriba")
        if writers:
            listed = "; ".join(f"{job}: {', '.join(scopes)}" for job, scopes in
                               list(writers.items())[:4])
            text = text + T(f", and in the jobs that write, the scopes their steps need "
                            f"({listed})", f", y en los jobs que escriben, los permisos que "
                            f"necesitan sus pasos ({listed})")
        if own:
            text = text + T(f" (jobs {_list(own)} keep their own permissions:)",
                            f" (los jobs {_list(own)} conservan su propio permissions:)")
        parts.append(text)
    if concurrency:
        parts.append(T("add 'concurrency: {group: ${{ github.workflow }}-${{ github.ref }}, "
                       "cancel-in-progress: true}' so a new push cancels the superseded run",
                       "añade 'concurrency: {group: ${{ github.workflow }}-${{ github.ref }}, "
                       "cancel-in-progress: true}' para que un push nuevo cancele la ejecución "
                       "superada"))
    if no_timeout:
        parts.append(T(f"set timeout-minutes on {_list(no_timeout)} (the usual duration plus a "
                       "margin, e.g. 10 for a short job)", f"fija timeout-minutes en "
                       f"{_list(no_timeout)} (la duración habitual más un margen, p. ej. 10 "
                       "para un job corto)"))
    if _write_scopes(wf.raw.get("permissions")):  # write scopes granted at the top
        parts.append(T("keep 'permissions: {contents: read}' at the top and grant write scopes "
                       "in the jobs that need them", "deja 'permissions: {contents: read}' "
                       "arriba y da los permisos de escritura en los jobs que los necesitan"))
    if not (CI_TRIGGERS & set(wf.on)):
        parts.append(T("no cancel-in-progress: this workflow is not push/PR CI (a release, "
                       "manual or scheduled run must not be cancelled midway)",
                       "sin cancel-in-progress: este workflow no es CI de push/PR (una "
                       "publicación o ejecución manual o programada no debe cancelarse a "
                       "medias)"))
    return T.join(parts)


@check("ci_hardening")
def ci_hardening(ctx: Context, params: None) -> Iterator[Finding]:
    """CI010: every job has timeout-minutes; CI workflows cancel superseded runs
    (concurrency + cancel-in-progress); least-privilege permissions."""
    found = _github_only(ctx, T("concurrency/permissions/timeout-minutes",
                                "concurrency/permissions/timeout-minutes"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    for wf in found:
        if not isinstance(wf, Workflow):
            continue
        problems: list[T] = []
        no_timeout = [j.id for j in wf.jobs if j.uses is None and "timeout-minutes" not in j.raw]
        if no_timeout:
            problems.append(T(f"jobs without timeout-minutes: {_list(no_timeout)} (the default "
                              "is 360 minutes)", f"jobs sin timeout-minutes: "
                              f"{_list(no_timeout)} (por defecto son 360 minutos)"))
        is_ci = bool({"push", "pull_request", "pull_request_target"} & set(wf.on))
        concurrency = wf.raw.get("concurrency")
        cancels = False  # the fix must add cancel-in-progress
        if is_ci:
            cancel = concurrency.get("cancel-in-progress") if isinstance(concurrency, dict) \
                else None
            cancels = concurrency is None or cancel is None or cancel is False or \
                str(cancel).lower() == "false"
            if concurrency is None:
                problems.append(T("no top-level concurrency group: superseded runs keep "
                                  "running", "sin grupo concurrency global: las ejecuciones "
                                  "superadas siguen corriendo"))
            elif cancels:
                problems.append(T("concurrency without cancel-in-progress: true",
                                  "concurrency sin cancel-in-progress: true"))
        perms = wf.raw.get("permissions")
        bare: list[str] = []
        if perms is None:
            bare = [j.id for j in wf.jobs if "permissions" not in j.raw]
            if bare:
                problems.append(T(f"no permissions: block (jobs {_list(bare)} get the "
                                  "repository's default token scopes)",
                                  f"sin bloque permissions: (los jobs {_list(bare)} reciben "
                                  "los permisos por defecto del token)"))
        else:
            writes = _write_scopes(perms)
            if writes and (len(wf.jobs) > 1 or "write-all" in writes):
                problems.append(T(f"workflow-level permissions grant {', '.join(writes)} to "
                                  "every job; grant write scopes only in the jobs that need "
                                  "them", f"los permisos del workflow dan {', '.join(writes)} a "
                                  "todos los jobs; da permisos de escritura solo en los jobs "
                                  "que los necesitan"))
        if problems:
            yield failed(T.join(problems), wf.path, 1,
                         fix=_hardening_fix(wf, no_timeout, cancels, bare))
        else:
            yield passed(T(f"{wf.path}: timeouts, concurrency and least-privilege permissions",
                           f"{wf.path}: timeouts, concurrency y permisos mínimos"), wf.path, 1)


# -- CI011 ------------------------------------------------------------------------------

_BROKEN_CONTINUATION = re.compile(r"(?<!\\)\\[ \t]+(#.*)?$")


@lru_cache(maxsize=1)
def deprecated_actions() -> dict[str, dict[str, Any]]:
    """``rules/_data/deprecated_actions.yaml``: action -> {retired, deprecated, archived,
    current}."""
    from mlops_lint.resources import builtin_rules_dir

    path = builtin_rules_dir() / "_data" / "deprecated_actions.yaml"
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except (OSError, YamlError):
        return {}
    actions = data.get("actions") if isinstance(data, dict) else None
    return {str(k).lower(): v for k, v in actions.items() if isinstance(v, dict)} \
        if isinstance(actions, dict) else {}


def _line_after(text: str, needle: str, start: int | None) -> int | None:
    lines = text.splitlines()
    for number in range((start or 1) - 1, len(lines)):
        if needle in lines[number]:
            return number + 1
    return start


def _comment_major(text: str, line: int | None) -> int | None:
    if line is None:
        return None
    lines = text.splitlines()
    if not 1 <= line <= len(lines):
        return None
    match = re.search(r"#\s*v?(\d+)", lines[line - 1])
    return int(match.group(1)) if match else None


def _action_problem(action: ActionRef, major: int | None) -> T | None:
    if action.floating:
        ref = action.ref or "(no ref)"
        return T(f"{action.name}@{ref} is a floating ref: the code you run changes without "
                 "notice", f"{action.name}@{ref} es una referencia flotante: el código que "
                 "ejecutas cambia sin aviso")
    entry = deprecated_actions().get(action.repo) or deprecated_actions().get(action.name)
    if entry is None:
        return None
    current = entry.get("current")
    to = f" (use {'v' + str(current) if isinstance(current, int) else current})" \
        if current else ""
    to_es = f" (usa {'v' + str(current) if isinstance(current, int) else current})" \
        if current else ""
    if entry.get("archived") is True:
        return T(f"{action.name} is archived and unmaintained{to}",
                 f"{action.name} está archivada y sin mantenimiento{to_es}")
    if major is None:
        return None
    for status, en, es in (("retired", "retired: it no longer works", "retirada: ya no "
                            "funciona"), ("deprecated", "deprecated (old runtime)",
                                          "obsoleta (runtime antiguo)")):
        if major in (entry.get(status) or []):
            return T(f"{action.name}@v{major} is {en}{to}", f"{action.name}@v{major} está "
                     f"{es}{to_es}")
    return None


def _script_defects(text: str) -> list[tuple[str, int]]:
    """Lines of a shell script with a backslash followed by spaces (and a comment): the
    continuation is broken (shellcheck SC1101)."""
    out = []
    for offset, line in enumerate(text.splitlines()):
        if _BROKEN_CONTINUATION.search(line):
            out.append((line, offset))
    return out


@check("ci_well_formed")
def ci_well_formed(ctx: Context, params: None) -> Iterator[Finding]:
    """CI011: no broken line continuations in CI scripts (SC1101); no deprecated,
    retired, archived or floating actions."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield _no_ci()
        return
    problems = 0
    for error in state.broken:
        problems += 1
        yield failed(T(f"workflow does not parse: {error.message}",
                       f"el workflow no se puede leer: {error.message}"), error.path,
                     error.line)
    seen: set[tuple[str, str]] = set()
    for command in ci_commands(ctx.repo):
        located = state.steps.get((command.path, command.line))
        if located and located[2].shell not in (None, "bash", "sh"):
            continue
        file_text = ctx.repo.text(command.path)
        for bad, _ in _script_defects(command.text):
            if (command.path, bad) in seen:
                continue
            seen.add((command.path, bad))
            problems += 1
            where = _line_after(file_text, bad.rstrip(), command.line) if isinstance(
                file_text, str) else command.line
            yield failed(T(f"backslash followed by spaces{' and a comment' if '#' in bad else ''}"
                           f": '{bad.strip()[:70]}' ends the command there and runs the next "
                           "line on its own (shellcheck SC1101)",
                           f"barra invertida seguida de espacios"
                           f"{' y un comentario' if '#' in bad else ''}: "
                           f"'{bad.strip()[:70]}' termina el comando ahí y ejecuta la línea "
                           "siguiente por separado (shellcheck SC1101)"), command.path, where,
                         fix=T("put the backslash last on the line and move the comment above "
                               "the command", "deja la barra invertida al final de la línea y "
                               "mueve el comentario encima del comando"))
    for wf in state.workflows:
        text = ctx.repo.text(wf.path)
        file_text = text if isinstance(text, str) else ""
        uses: list[tuple[str, int | None]] = [(s.uses, s.line) for j in wf.jobs
                                              for s in j.steps if s.uses]
        uses += [(j.uses, j.line) for j in wf.jobs if j.uses]
        for value, start in uses:
            action = parse_action(value)
            if action.kind != "action" or action.name.startswith(".github/"):
                continue
            line = _line_after(file_text, value, start)
            major = action.major if not action.pinned else _comment_major(file_text, line)
            problem = _action_problem(action, major)
            if problem:
                problems += 1
                yield failed(problem, wf.path, line,
                             fix=T("pin the action to a maintained major tag (or its full "
                                   "commit SHA with a '# vN' comment)",
                                   "fija la acción a una versión mayor mantenida (o a su SHA "
                                   "completo con un comentario '# vN')"))
    if not problems:
        actions = [parse_action(s.uses) for wf in state.workflows for j in wf.jobs
                   for s in j.steps if s.uses]
        tagged = [a for a in actions if a.kind == "action" and not a.pinned]
        note = T(f"; {len(tagged)} action(s) pinned by tag, not by commit SHA",
                 f"; {len(tagged)} acción(es) fijadas por etiqueta, no por SHA") \
            if tagged else T("", "")
        path, line = _first_ci_file(state)
        yield passed(T("CI scripts have no broken continuations and no action is "
                       "deprecated or floating", "los scripts de CI no tienen continuaciones "
                       "rotas y ninguna acción está obsoleta o flotante") + note, path, line)


# -- CI012 ------------------------------------------------------------------------------


@check("ci_green_and_fast")
def ci_green_and_fast(ctx: Context, params: None) -> Iterator[Finding]:
    """CI012: whether the last default-branch run is green and under 10 (5) minutes is
    only visible on the CI server: manual."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield skipped(T("no CI configuration: there is no run to look at",
                        "sin configuración de CI: no hay ejecuciones que mirar"))
        return
    files = [w.path for w in state.workflows] + [p for ps in state.others.values() for p in ps]
    yield manual(T(f"check that the last run of {_list(files, 3)} on the default branch is "
                   "green and takes < 10 min (ideal < 5 min)",
                   f"comprueba que la última ejecución de {_list(files, 3)} en la rama "
                   "principal está en verde y dura < 10 min (ideal < 5 min)"), files[0])
