"""The CI configuration, read once per run: the GitHub Actions workflows that parse, those
that do not, the files of other CI systems, and every workflow step by its line."""

from __future__ import annotations

from dataclasses import dataclass, field

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import CI_NAMES, Job, Step, Workflow, other_ci_files, workflows
from mlops_lint.repo import Repo


@dataclass
class CIState:
    workflows: list[Workflow]
    broken: list[ParseError]
    others: dict[str, list[str]]
    steps: dict[tuple[str, int | None], tuple[Workflow, Job, Step]] = field(
        default_factory=dict)

    @property
    def has_ci(self) -> bool:
        return bool(self.workflows or self.broken or self.others)

    def other_names(self) -> str:
        return ", ".join(f"{CI_NAMES.get(s, s)} ({', '.join(p)})"
                         for s, p in sorted(self.others.items()))


def ci_state(repo: Repo) -> CIState:
    cached = repo.memo.get("phase4:ci_state")
    if isinstance(cached, CIState):
        return cached
    good = [w for w in workflows(repo) if isinstance(w, Workflow)]
    broken = [w for w in workflows(repo) if isinstance(w, ParseError)]
    state = CIState(good, broken, other_ci_files(repo))
    for wf in good:
        for job in wf.jobs:
            for step in job.steps:
                state.steps[(wf.path, step.line)] = (wf, job, step)
    repo.memo["phase4:ci_state"] = state
    return state
