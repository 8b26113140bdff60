"""Run the selected rules over a repository and produce :class:`Result` rows.

The engine isolates failures (a crashing check gives an ``error`` result for its rule
and the run goes on), expands findings to the levels of graded rules, and applies ADR
waivers and inline ``mlops-lint: ignore[...]`` suppressions.
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from mlops_lint import prefetch
from mlops_lint.catalog import Catalog, Rule
from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.globs import filter_paths
from mlops_lint.model import Finding, Result, Status, T, errored, fingerprint, skipped
from mlops_lint.projects import Project
from mlops_lint.repo import Repo
from mlops_lint.suppress import LINES, mark
from mlops_lint.waivers import apply_waivers

if TYPE_CHECKING:
    pass

@dataclass(frozen=True)
class Run:
    """The outcome of one ``check``: every result plus what was left out and why."""

    results: tuple[Result, ...]
    projects: tuple[Project, ...]
    ignored: tuple[str, ...]  # rule ids ignored without justification
    notes: tuple[T, ...] = ()  # what could not be read (directories, git's own errors)


def _ignored_pointers(ctx: Context, globs: tuple[str, ...]) -> bool:
    """A rule about DVC pointers applies to pointers git ignores too (they exist, and the
    rule has something to say about them); asked of git only for such rules."""
    if not any(g.endswith(".dvc") for g in globs):
        return False
    return bool(filter_paths(ctx.repo.ignored_dvc_pointers, globs))


def _run_check(rule: Rule, ctx: Context, catalog: Catalog) -> list[Finding]:
    from mlops_lint.rules import spec_of

    try:
        if rule.applies_if and not ctx.files(rule.applies_if) and not _ignored_pointers(
                ctx, rule.applies_if):
            reason = rule.not_applicable.t() if rule.not_applicable else T(
                "not applicable: no matching files (" + ", ".join(rule.applies_if) + ")",
                "no aplica: no hay archivos que coincidan (" + ", ".join(rule.applies_if)
                + ")")
            return [skipped(reason)]
        spec = spec_of(rule.check)  # its module imported on first use
        if spec is None:
            raise KeyError(f"unknown check {rule.check!r}")
        findings = list(spec.func(ctx, catalog.params_for(rule)))
    except Exception as exc:  # isolate: one broken check must not stop the run
        return [errored(T(f"the check crashed: {type(exc).__name__}: {exc}",
                          f"la comprobación falló: {type(exc).__name__}: {exc}"))]
    if not findings:
        return [errored(T("the check returned no result", "la comprobación no dio resultado"))]
    return findings


def _to_results(rule: Rule, project: Project, findings: Iterable[Finding]) -> list[Result]:
    results = []
    levels = {c.level: c for c in rule.levels}
    title, fix = rule.title.t(), rule.fix.t()  # one each per rule: texts are immutable
    for finding in findings:
        targets = [finding.level] if finding.level in levels else list(levels)
        for level in targets:
            crit = levels[level]
            results.append(Result(
                rule=rule.id, phase=rule.phase, level=level, gate=crit.gate,
                weight=crit.effective_weight if rule.scored else 0.0,
                status=finding.status, severity=rule.severity, project=project.path,
                path=finding.path, line=finding.line, message=finding.message,
                fix=finding.fix or fix, title=title,
                fingerprint=fingerprint(rule.id, level, project.path, finding.path,
                                         finding.message.en),
                see=finding.see,
            ))
    return results


def collapse(results: list[Result]) -> list[Result]:
    """Say an absence once. A problem whose finding follows from an absence another rule
    reports (``see``: no Dockerfile, DOCK001; no CI, CI001; DVC not initialised, DATA001)
    becomes a ``skip`` pointing at that rule when the rule reports a problem for the same
    project (or the repository), and ``waived`` by the same ADR when that rule is waived:
    accepting "no DVC" accepts what needs DVC. When that rule did not run (``--select``,
    ``ignore``) or does not report the absence, the problem stays as it is."""
    reporters: dict[tuple[str, str], Result] = {}
    for r in results:
        if r.see in (None, r.rule) and (r.status.is_problem or (
                r.status is Status.WAIVED and r.waiver not in (None, "inline")) or (
                r.status is Status.SKIP and r.see == r.rule)):
            reporters.setdefault((r.rule, r.project), r)
    out = []
    for r in results:
        source = None
        if r.see not in (None, r.rule) and r.status.is_problem:
            source = reporters.get((str(r.see), r.project)) or reporters.get((str(r.see), "."))
        if source is None:
            out.append(r)
        elif source.status is Status.WAIVED:
            out.append(replace(r, status=Status.WAIVED, waiver=source.waiver, message=T(
                f"waived with {source.rule} by {source.waiver} (was: {r.message.en})",
                f"exceptuada con {source.rule} por {source.waiver} (era: {r.message.es})")))
        else:
            see = T("", "") if f"see {source.rule}" in r.message.en else T(
                f"; see {source.rule}", f"; ver {source.rule}")
            out.append(replace(r, status=Status.SKIP, message=r.message + see))
    return out


# A run keeps every syntax tree and YAML document it reads until it ends (hundreds of
# thousands of objects): with the default threshold (700 allocations) the cyclic garbage
# collector re-scans them hundreds of times, a tenth of the run. Collect less often.
GC_THRESHOLD = 50_000


def run(repo: Repo, catalog: Catalog, config: Config,
        progress: Callable[[int, int, str], None] | None = None,
        jobs: int | None = None) -> Run:
    """Evaluate the selected rules; results come back sorted as the JSON report lists them.
    ``progress`` is told (rules done, rules in all, the next rule) before each rule.
    ``jobs``: worker processes (:mod:`mlops_lint.pool`; ``None``: one, in-process)."""
    threshold = gc.get_threshold()
    gc.set_threshold(max(threshold[0], GC_THRESHOLD), *threshold[1:])
    try:
        return _run(repo, catalog, config, progress, jobs)
    finally:
        prefetch.stop(repo)
        gc.set_threshold(*threshold)


def _families(rules: Sequence[Rule]) -> list[list[int]]:
    """The rules' indexes by family (``DOCK``, ``K8S``...: rules that read the same
    files), families in the order they first appear."""
    families: dict[str, list[int]] = {}
    for index, rule in enumerate(rules):
        families.setdefault(rule.id.rstrip("0123456789"), []).append(index)
    return list(families.values())


def _evaluate(repo: Repo, rule: Rule, root: Project, catalog: Catalog,
              config: Config) -> list[Result]:
    """One rule's results, marked (inline suppressions) and waived."""
    subjects = repo.projects if rule.scope == "project" else (root,)
    rule_results: list[Result] = []
    for project in subjects:
        ctx = Context(repo, project, config, rule.id)
        rule_results.extend(_to_results(rule, project, _run_check(rule, ctx, catalog)))
    rule_results = [mark(repo, r) for r in rule_results]
    repo.memo.pop(LINES, None)  # split again if a later rule's results need them
    return apply_waivers(repo, rule, rule_results, config)


def _worker_state(repo: Repo) -> tuple[set[str], tuple[str, ...] | None]:
    """What a worker learnt that the results cache keys a run by."""
    return repo.probed, repo.asked_ignored_dvc


def _in_workers(repo: Repo, rules: Sequence[Rule], root: Project, catalog: Catalog,
                config: Config, jobs: int,
                progress: Callable[[int, int, str], None] | None) -> dict[int, list[Result]]:
    """The rules' results evaluated in ``jobs`` forked workers (see :mod:`mlops_lint.pool`);
    rules a worker did not deliver are missing."""
    from mlops_lint import pool

    done = 0

    def delivered(items: Sequence[int]) -> None:
        nonlocal done
        done += len(items)
        if progress is not None and done < len(rules):
            progress(done, len(rules), rules[done].id)

    outcome = pool.evaluate(_families(rules),
                            lambda i: _evaluate(repo, rules[i], root, catalog, config),
                            jobs, lambda: _worker_state(repo), delivered)
    for probed, asked in outcome.states:
        repo.probed.update(probed)
        if asked is not None and repo.asked_ignored_dvc is None:
            repo.asked_ignored_dvc = asked
    results: dict[int, list[Result]] = outcome.results
    return results


def _run(repo: Repo, catalog: Catalog, config: Config,
         progress: Callable[[int, int, str], None] | None, jobs: int | None) -> Run:
    from mlops_lint import pool

    rules = catalog.select(config.select, config.ignore)
    root = Project(".", repo.projects[0].name if repo.projects[0].path == "." else
                   repo.root.name, repo.files)
    workers = pool.workers_for(jobs, len(repo.files))
    evaluated: dict[int, list[Result]] = {}
    if workers:
        evaluated = _in_workers(repo, rules, root, catalog, config, workers, progress)
    else:
        prefetch.start(repo)  # opt-in: manifests, workflows, Terraform on a second core
    results: list[Result] = []
    for done, rule in enumerate(rules):
        rule_results = evaluated.pop(done, None)
        if rule_results is None:  # in-process (or a worker did not deliver it)
            if progress is not None:
                progress(done, len(rules), rule.id)
            rule_results = _evaluate(repo, rule, root, catalog, config)
        results.extend(rule_results)
    results = collapse(results)
    results.sort(key=Result.sort_key)
    selected = catalog.select(config.select, ())
    chosen = {r.id for r in rules}  # by id: comparing the rule models is slow
    ignored = tuple(sorted(r.id for r in selected if r.id not in chosen))
    return Run(tuple(results), repo.projects, ignored, tuple(repo.notes))
