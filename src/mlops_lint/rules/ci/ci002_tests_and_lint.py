"""CI002: CI runs the tests (pytest directly, through make, tox or nox, or another
language's runner) and a lint/format check.

A repository-wide finding cites a workflow that checks pull requests, else one that does
not just deploy documentation, else the first CI file.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.ci import Workflow, parse_action
from mlops_lint.readers.ci_config import CIState, ci_state
from mlops_lint.readers.ci_tools import ALL_LINT, ALL_TESTS
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import first_ci_file, joined, no_ci, runs_of

# a workflow that only builds and publishes documentation
_DOCS_DEPLOY = lazy_re.compile(r"\b(mkdocs\s+(gh-deploy|build)|mike\s+deploy|sphinx-build|"
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
    return first_ci_file(state)


@rule("CI002")
def ci_tests_and_lint(ctx: Context, params: None) -> Iterator[Finding]:
    """CI002: CI runs pytest (directly, make, tox, nox) and a lint/format check."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield no_ci()
        return
    tests = runs_of(ctx.repo, ALL_TESTS)
    lint = runs_of(ctx.repo, ALL_LINT)
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
            names = joined(wf.path.rsplit("/", 1)[-1] for wf in state.workflows)
            head = T(f"across all CI workflows ({names}): ",
                     f"en todos los workflows de CI ({names}): ")
        yield failed(head + T.join(missing), path, line)
        return
    yield passed(T(f"tests: {tests[0].text[:60]} ({tests[0].where()}); lint: "
                   f"{lint[0].text[:60]} ({lint[0].where()})",
                   f"tests: {tests[0].text[:60]} ({tests[0].where()}); lint: "
                   f"{lint[0].text[:60]} ({lint[0].where()})"), tests[0].path, tests[0].line)
