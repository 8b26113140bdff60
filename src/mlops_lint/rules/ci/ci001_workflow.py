"""CI001: a GitHub Actions workflow that parses and runs on push and pull_request.

A repository on another CI system (GitLab CI, Azure Pipelines, Jenkins, CircleCI, Cloud
Build, Bitbucket) passes.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.ci import CI_NAMES, Workflow
from mlops_lint.readers.ci_config import CIState, ci_state
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import joined, no_ci


def _branch_push(config: Any) -> bool:
    """``on.push`` runs for branch pushes (not only for tags)."""
    if not isinstance(config, dict):
        return True
    if "branches" in config or "branches-ignore" in config:
        return True
    return not ("tags" in config or "tags-ignore" in config)


def _without_workflows(state: CIState) -> Iterator[Finding]:
    """No workflow parses: another CI system passes, none at all fails."""
    if state.others:
        for system, paths in sorted(state.others.items()):
            yield passed(T(f"CI runs on {CI_NAMES.get(system, system)} ({paths[0]}); "
                           "its triggers are not checked",
                           f"la CI corre en {CI_NAMES.get(system, system)} ({paths[0]}); "
                           "sus disparadores no se comprueban"), paths[0], 1)
    elif not state.broken:
        yield no_ci()


def _by_trigger(workflows: list[Workflow]) -> tuple[list[Workflow], list[Workflow],
                                                     list[Workflow], list[Workflow]]:
    """The workflows that run on push and pull requests, on push only, on pull requests
    only, and on neither."""
    both: list[Workflow] = []
    push_only: list[Workflow] = []
    pr_only: list[Workflow] = []
    other: list[Workflow] = []
    for wf in workflows:
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
    return both, push_only, pr_only, other


def _on_both(wf: Workflow) -> Finding:
    push_config = wf.on.get("push")
    filtered = isinstance(push_config, dict) and bool(
        "branches" in push_config or "branches-ignore" in push_config)
    note = T("", "") if filtered else T(
        "; branch filters are recommended (push: [main, develop], pull_request: [main])",
        "; se recomiendan filtros de rama (push: [main, develop], pull_request: [main])")
    return passed(T(f"{wf.path} runs on push and pull_request", f"{wf.path} se ejecuta en "
                    "push y pull_request") + note, wf.path, wf.key_line("on") or 1)


def _on_one(push_only: list[Workflow], pr_only: list[Workflow]) -> Finding:
    wf = (push_only or pr_only)[0]
    which = "push" if push_only else "pull_request"
    missing = "pull_request" if push_only else "push"
    return warned(T(f"{wf.path} runs on {which} but not on {missing}: "
                    + ("pull requests are not checked before merging" if push_only else
                       "the main branch is not checked after merging"),
                    f"{wf.path} se ejecuta en {which} pero no en {missing}: "
                    + ("los pull requests no se comprueban antes de integrarse"
                       if push_only else
                       "la rama principal no se comprueba después de integrar")),
                  wf.path, wf.key_line("on") or 1,
                  fix=T(f"add '{missing}:' to the triggers of {wf.path}",
                        f"añade '{missing}:' a los disparadores de {wf.path}"))


@rule("CI001")
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
        yield from _without_workflows(state)
        return
    both, push_only, pr_only, other = _by_trigger(state.workflows)
    if both:
        yield _on_both(both[0])
        return
    if push_only or pr_only:
        yield _on_one(push_only, pr_only)
        return
    triggers = joined(t for wf in other for t in wf.on) or "none"
    yield failed(T(f"no workflow runs on push or pull_request (triggers: {triggers})",
                   f"ningún workflow se ejecuta en push ni pull_request (disparadores: "
                   f"{triggers})"), other[0].path, 1,
                 fix=T("add 'on: {push: {branches: [main]}, pull_request: {branches: [main]}}'",
                       "añade 'on: {push: {branches: [main]}, pull_request: {branches: "
                       "[main]}}'"))
