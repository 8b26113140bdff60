"""CI003: distinct lint, test and build jobs, ordered with ``needs:`` (or
``workflow_run``). GitHub Actions only.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.ci import Job, Workflow
from mlops_lint.parsers.shell import Simple
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.readers.ci_tools import ALL_LINT, ALL_TESTS, ToolSpec
from mlops_lint.readers.image_builds import IMAGE_BUILD
from mlops_lint.repo import Repo
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import (
    after,
    github_only,
    job_key,
    runs_of,
)

_PACKAGE_BUILD = lazy_re.compile(r"^(python -m build|poetry build|hatch build|uv build|pdm build|"
                                 r"flit build|pip wheel)")


def _builds_package(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    return (program == "build") or (program in ("poetry", "hatch", "uv", "pdm", "flit")
                                    and args[:1] == ("build",))


PACKAGE_BUILD = ToolSpec("package build", "build", _builds_package, frozenset(),
                         ("pypa/gh-action-pypi-publish", "hynek/build-and-inspect-python-package"))


def _job_keys(repo: Repo, specs: tuple[ToolSpec, ...]) -> set[tuple[str, str]]:
    """(workflow, job) of every job that runs one of ``specs``."""
    return {k for r in runs_of(repo, specs) if (k := job_key(r))}


@rule("CI003")
def ci_job_graph(ctx: Context, params: None) -> Iterator[Finding]:
    """CI003: distinct lint, test and build jobs ordered with ``needs:``."""
    found = github_only(ctx, T("The needs: job graph", "El grafo de jobs needs:"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    repo = ctx.repo
    lint = _job_keys(repo, ALL_LINT)
    tests = _job_keys(repo, ALL_TESTS)
    builds = _job_keys(repo, (IMAGE_BUILD, PACKAGE_BUILD))
    state = ci_state(repo)
    by_name = {wf.name: wf.path for wf in state.workflows if wf.name}
    jobs = {(wf.path, job.id): (wf, job) for wf in state.workflows for job in wf.jobs}
    problems = [T(f"no {label} job", f"no hay job de {label}") for label, group in
                (("lint", lint), ("test", tests), ("build/docker", builds)) if not group]
    if problems:
        yield failed(T.join(problems), state.workflows[0].path, 1,
                     fix=T("split the workflow into jobs lint → test (needs: lint) → build "
                           "(needs: test)", "divide el workflow en jobs lint → test (needs: "
                           "lint) → build (needs: test)"))
        return
    pure_tests = tests - lint
    pure_builds = builds - tests - lint
    ordered_tests = {k for k in pure_tests if after(*jobs[k], lint, by_name)}
    ordered_builds = {k for k in pure_builds if after(*jobs[k], tests, by_name)}
    if ordered_tests and ordered_builds:
        test, build = sorted(ordered_tests)[0], sorted(ordered_builds)[0]
        lint_job = sorted(lint)[0]
        yield passed(T(f"lint ({lint_job[1]}) → test ({test[1]}) → build ({build[1]})",
                       f"lint ({lint_job[1]}) → test ({test[1]}) → build ({build[1]})"),
                     test[0], jobs[test][1].line)
        return
    yield _unordered(jobs, (tests, pure_tests, ordered_tests),
                     (builds, pure_builds, ordered_builds))


Jobs = dict[tuple[str, str], tuple[Workflow, Job]]
Keys = set[tuple[str, str]]


def _unordered(jobs: Jobs, test_keys: tuple[Keys, Keys, Keys],
               build_keys: tuple[Keys, Keys, Keys]) -> Finding:
    """Why the lint → test → build order does not hold: (all, in their own job, ordered)
    job keys of the tests and of the builds."""
    tests, pure_tests, ordered_tests = test_keys
    builds, pure_builds, ordered_builds = build_keys
    problems: list[T] = []
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
    return failed(T.join(problems), wf.path, job.line,
                  fix=T("order the jobs: test with 'needs: lint', build with 'needs: test'",
                        "ordena los jobs: test con 'needs: lint', build con 'needs: test'"))
