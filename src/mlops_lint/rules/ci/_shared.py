"""What the CI rules (CI001-CI012) share: the "no CI" finding, the rules that only
GitHub Actions can answer, the CI file a repository-wide finding cites, the runs of a
family of tools, and how jobs are ordered (``needs:``, ``workflow_run``).
"""

from __future__ import annotations

from collections.abc import Iterable

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, skipped
from mlops_lint.parsers.ci import Job, Workflow
from mlops_lint.readers.ci_config import CIState, ci_state
from mlops_lint.readers.ci_runs import Run, ci_runs
from mlops_lint.readers.ci_tools import ToolSpec
from mlops_lint.repo import Repo

NO_CI = T("no CI configuration (.github/workflows/*.yml, .gitlab-ci.yml, "
          "azure-pipelines.yml, Jenkinsfile, .circleci/config.yml, cloudbuild.yaml)",
          "no hay configuración de CI (.github/workflows/*.yml, .gitlab-ci.yml, "
          "azure-pipelines.yml, Jenkinsfile, .circleci/config.yml, cloudbuild.yaml)")
NO_CI_FIX = T("add .github/workflows/ci.yml that runs on push and pull_request",
              "añade .github/workflows/ci.yml que se ejecute en push y pull_request")


def first_ci_file(state: CIState) -> tuple[str | None, int | None]:
    if state.workflows:
        return state.workflows[0].path, 1
    for paths in state.others.values():
        return paths[0], 1
    return None, None


def no_ci(level: int | None = None) -> Finding:
    return failed(NO_CI, level=level, fix=NO_CI_FIX, see="CI001")


def github_only(ctx: Context, what: T) -> list[Workflow] | list[Finding]:
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
    return [no_ci()]


def runs_of(repo: Repo, specs: Iterable[ToolSpec]) -> list[Run]:
    return [run for spec in specs for run in ci_runs(repo, spec)]


def joined(items: Iterable[str], limit: int = 4) -> str:
    values = list(dict.fromkeys(items))
    shown = ", ".join(values[:limit])
    return shown + (f" (+{len(values) - limit})" if len(values) > limit else "")


def job_key(run: Run) -> tuple[str, str] | None:
    if run.workflow is None or run.job is None:
        return None
    return run.workflow.path, run.job.id


def workflow_run_sources(wf: Workflow) -> list[str]:
    config = wf.on.get("workflow_run")
    if not isinstance(config, dict):
        return []
    names = config.get("workflows")
    return [str(n) for n in names] if isinstance(names, list) else (
        [str(names)] if names else [])


def after(wf: Workflow, job: Job, earlier: set[tuple[str, str]],
           by_name: dict[str, str]) -> bool:
    """``job`` runs after one of the ``earlier`` jobs: through ``needs:`` or a
    ``workflow_run`` trigger on their workflow."""
    if any((wf.path, a) in earlier for a in wf.ancestors(job.id)):
        return True
    sources = {by_name.get(name, name) for name in workflow_run_sources(wf)}
    return any(path in sources for path, _ in earlier)
