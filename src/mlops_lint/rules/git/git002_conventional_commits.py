"""GIT002: the share of Conventional Commit subjects among the last 100 non-merge commits.

Fixup/squash/amend commits and merge subjects are not scored (see
:func:`mlops_lint.parsers.conventional.excluded`). Fewer than
:data:`~mlops_lint.rules.git._shared.MIN_COMMITS` scorable commits, or a shallow clone
shorter than the scored window, skips.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, skipped, verdict
from mlops_lint.parsers.conventional import CHAOTIC, check_subject, excluded
from mlops_lint.parsers.gitlog import Commit, History
from mlops_lint.rules import rule
from mlops_lint.rules.git._shared import MIN_COMMITS, SHALLOW, history_or_skip

SCORED_COMMITS = 100
COMMIT_FIX = T("write subjects as 'type(scope): description' (feat, fix, docs, style, refactor, "
               "test, perf, ci, build, chore, revert) and enforce them with a commit-msg hook",
               "escribe asuntos como 'tipo(ámbito): descripción' (feat, fix, docs, style, "
               "refactor, test, perf, ci, build, chore, revert) y exígelos con un hook "
               "commit-msg")


def _scored_commits(found: History) -> list[Commit] | Finding:
    """The last non-merge commits to score, or why the history is too short."""
    recent = found.non_merge(SCORED_COMMITS)
    scored = [c for c in recent if not excluded(c.subject)]
    if len(scored) < MIN_COMMITS:
        return skipped(SHALLOW if found.shallow else T(
            f"history too short: {len(scored)} scorable commits (< {MIN_COMMITS})",
            f"historial demasiado corto: {len(scored)} commits evaluables (< {MIN_COMMITS})"))
    if found.shallow and len(recent) < SCORED_COMMITS:
        return skipped(SHALLOW)
    return scored


def _commit_summary(scored: list[Commit]) -> tuple[float, T]:
    """The share of Conventional subjects and the report line with three failing examples."""
    verdicts = [(c, check_subject(c.subject)) for c in scored]
    failing = [(c, v.problem or T("", "")) for c, v in verdicts if not v.ok]
    good = len(scored) - len(failing)
    share = good / len(scored)
    summary = T(f"{good}/{len(scored)} ({share:.0%}) of the last {len(scored)} non-merge "
                "commits follow Conventional Commits",
                f"{good}/{len(scored)} ({share:.0%}) de los últimos {len(scored)} commits "
                "(sin merges) siguen Conventional Commits")
    if failing:
        examples = [T.same(f"{c.short} '{c.subject[:60]}' (") + problem + T.same(")")
                    for c, problem in failing[:3]]
        summary = summary + T("; e.g. ", "; p. ej. ") + T.join(examples)
    chaotic = sum(1 for c, _ in failing if CHAOTIC.match(c.subject.strip()))
    if chaotic:
        summary = summary + T(f"; {chaotic} say nothing ('wip', 'fix', 'updates'...)",
                              f"; {chaotic} no dicen nada ('wip', 'fix', 'updates'...)")
    return share, summary


@rule("GIT002")
def conventional_commits(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT002: share of Conventional Commit subjects among the last 100 non-merge commits."""
    found = history_or_skip(ctx)
    scored = found if isinstance(found, Finding) else _scored_commits(found)
    if isinstance(scored, Finding):
        yield scored
        return
    share, summary = _commit_summary(scored)
    for level, minimum in zip((1, 2, 3), ctx.thresholds.conventional_commits, strict=True):
        need = T(f" (level {level} needs {minimum:.0%})",
                 f" (el nivel {level} necesita {minimum:.0%})")
        yield verdict(share >= minimum, summary + need, summary + need, level=level,
                      fix=COMMIT_FIX)
