"""CI012: whether the last default-branch run is green and under 10 (5) minutes is
only visible on the CI server: a manual check.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, manual, skipped
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import joined


@rule("CI012")
def ci_green_and_fast(ctx: Context, params: None) -> Iterator[Finding]:
    """CI012: whether the last default-branch run is green and under 10 (5) minutes is
    only visible on the CI server: manual."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield skipped(T("no CI configuration: there is no run to look at",
                        "sin configuración de CI: no hay ejecuciones que mirar"))
        return
    files = [w.path for w in state.workflows] + [p for ps in state.others.values() for p in ps]
    yield manual(T(f"check that the last run of {joined(files, 3)} on the default branch is "
                   "green and takes < 10 min (ideal < 5 min)",
                   f"comprueba que la última ejecución de {joined(files, 3)} en la rama "
                   "principal está en verde y dura < 10 min (ideal < 5 min)"), files[0])
