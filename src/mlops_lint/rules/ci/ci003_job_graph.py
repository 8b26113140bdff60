"""CI003: distinct lint, test and build jobs, ordered with ``needs:`` (or
``workflow_run``). GitHub Actions only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.ci import (
    Workflow,
)
from mlops_lint.parsers.shell import Simple
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.readers.ci_tools import (
    ALL_LINT,
    ALL_TESTS,
    ToolSpec,
)
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import (
    DOCKER_BUILD_ACTIONS,
    after,
    builds_image,
    github_only,
    job_key,
    runs_of,
)

_PACKAGE_BUILD = re.compile(r"^(python -m build|poetry build|hatch build|uv build|pdm build|"
                            r"flit build|pip wheel)")


def _builds_package(simple: Simple) -> bool:
    program, args = simple.program, simple.args
    return (program == "build") or (program in ("poetry", "hatch", "uv", "pdm", "flit")
                                    and args[:1] == ("build",))


IMAGE_BUILD = ToolSpec("docker build", "build", builds_image, frozenset(),
                       (*DOCKER_BUILD_ACTIONS, "redhat-actions/buildah-build"))


PACKAGE_BUILD = ToolSpec("package build", "build", _builds_package, frozenset(),
                         ("pypa/gh-action-pypi-publish", "hynek/build-and-inspect-python-package"))


@rule("CI003")
def ci_job_graph(ctx: Context, params: None) -> Iterator[Finding]:
    """CI003: distinct lint, test and build jobs ordered with ``needs:``."""
    found = github_only(ctx, T("The needs: job graph", "El grafo de jobs needs:"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    repo = ctx.repo
    lint = {k for r in runs_of(repo, ALL_LINT) if (k := job_key(r))}
    tests = {k for r in runs_of(repo, ALL_TESTS) if (k := job_key(r))}
    builds = {k for r in runs_of(repo, (IMAGE_BUILD, PACKAGE_BUILD)) if (k := job_key(r))}
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
    ordered_tests = {k for k in pure_tests if after(*jobs[k], lint, by_name)}
    ordered_builds = {k for k in pure_builds if after(*jobs[k], tests, by_name)}
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
