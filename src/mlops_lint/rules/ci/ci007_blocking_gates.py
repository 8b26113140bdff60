"""CI007: the lint, test and coverage steps fail the build (level 2); the type-check
and security steps too (level 3).

Only workflows that can gate a merge are judged: a GitHub workflow triggered only on a
schedule, by hand (workflow_dispatch) or by another workflow is a canary or a release job,
and a step there that does not fail the build is no finding.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.readers.ci_runs import Run
from mlops_lint.readers.ci_tools import (
    ALL_LINT,
    ALL_TESTS,
    COVERAGE_REPORT,
    DEP_TOOLS,
    IMAGE_SCAN,
    SAST_TOOLS,
    SECRET_TOOLS,
    TYPECHECK,
)
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import first_ci_file, no_ci, runs_of

_FAMILIES = {"test": T("test", "el paso de tests"), "lint": T("lint", "el paso de lint"),
             "coverage": T("coverage", "el paso de cobertura"),
             "typecheck": T("type-check", "el paso de tipos"),
             "sast": T("SAST", "el paso de SAST"), "secrets": T("secret-scan",
                                                              "el escaneo de secretos"),
             "deps": T("dependency-audit", "la auditoría de dependencias"),
             "image-scan": T("image-scan", "el escaneo de imagen")}


# triggers under which a workflow's result can gate a merge (workflow_call: a reusable
# workflow that a push or pull-request workflow may call)
GATE_TRIGGERS = frozenset({"push", "pull_request", "pull_request_target", "merge_group",
                           "workflow_call"})


def _gates_merges(run: Run) -> bool:
    """Whether the run's workflow can gate a merge: a GitHub workflow triggered only on a
    schedule, by hand or by another workflow (a canary, a release) cannot."""
    workflow = run.workflow
    if workflow is None or not workflow.on:
        return True
    return bool(set(workflow.on) & GATE_TRIGGERS)


def _family(run: Run) -> T:
    return _FAMILIES.get(run.tool.family, T.same(run.tool.family))


@rule("CI007")
def ci_blocking_gates(ctx: Context, params: None) -> Iterator[Finding]:
    """CI007: lint, test and coverage steps block (L2); type-check and security steps
    too (L3)."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield no_ci()
        return
    core = runs_of(ctx.repo, (*ALL_LINT, *ALL_TESTS, COVERAGE_REPORT))
    extra = runs_of(ctx.repo, (TYPECHECK, *SAST_TOOLS, *SECRET_TOOLS, *DEP_TOOLS,
                                IMAGE_SCAN))
    if not core:
        path, line = first_ci_file(state)
        yield failed(T("CI runs no lint or test step, so nothing gates a merge",
                       "la CI no ejecuta ningún paso de lint o tests, así que nada frena una "
                       "integración"), path, line,
                     fix=T("run the tests and a lint check in CI", "ejecuta los tests y un "
                           "chequeo de lint en CI"))
        return
    fix = T("remove continue-on-error / '|| true' / --exit-zero so a failure fails the job",
            "quita continue-on-error / '|| true' / --exit-zero para que un fallo haga fallar "
            "el job")
    # a step that fails softly in a scheduled or manual workflow gates nothing either way
    soft_core = [r for r in core if not r.blocking and _gates_merges(r)]
    soft_extra = [r for r in extra if not r.blocking and _gates_merges(r)]
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
