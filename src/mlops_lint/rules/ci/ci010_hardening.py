"""CI010: every job has ``timeout-minutes``; CI workflows cancel superseded runs
(``concurrency`` with ``cancel-in-progress``); least-privilege ``permissions``. GitHub
Actions only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.ci import Job, Workflow
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import github_only, joined


def _write_scopes(perms: Any) -> list[str]:
    if perms == "write-all":
        return ["write-all"]
    if isinstance(perms, dict):
        return [str(k) for k, v in perms.items() if str(v) == "write"]
    return []


# actions (by the start of `uses:`, lower case) and the token scopes they need to write
ACTION_SCOPES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("actions/stale", ("issues: write", "pull-requests: write")),
    ("dessant/lock-threads", ("issues: write", "pull-requests: write", "discussions: write")),
    ("softprops/action-gh-release", ("contents: write",)),
    ("ncipollo/release-action", ("contents: write",)),
    ("actions/create-release", ("contents: write",)),
    ("release-drafter/release-drafter", ("contents: write", "pull-requests: write")),
    ("googleapis/release-please-action", ("contents: write", "pull-requests: write")),
    ("google-github-actions/release-please-action", ("contents: write",
                                                     "pull-requests: write")),
    ("stefanzweifel/git-auto-commit-action", ("contents: write",)),
    ("ad-m/github-push-action", ("contents: write",)),
    ("peter-evans/create-pull-request", ("contents: write", "pull-requests: write")),
    ("peaceiris/actions-gh-pages", ("contents: write",)),
    ("jamesives/github-pages-deploy-action", ("contents: write",)),
    ("actions/deploy-pages", ("pages: write", "id-token: write")),
    ("pypa/gh-action-pypi-publish", ("id-token: write",)),
    ("actions/labeler", ("pull-requests: write",)),
    ("marocchino/sticky-pull-request-comment", ("pull-requests: write",)),
    ("thollander/actions-comment-pull-request", ("pull-requests: write",)),
    ("github/codeql-action/upload-sarif", ("security-events: write",)),
    ("github/codeql-action/analyze", ("security-events: write",)),
)


# shell commands that write through the token
RUN_SCOPES: tuple[tuple[re.Pattern[str], tuple[str, ...]], ...] = (
    (lazy_re.compile(
        r"\bgh\s+release\s+(create|upload|edit)|\bgit\s+push\b"), ("contents: write",)),
    (lazy_re.compile(r"\bgh\s+pr\s+(comment|create|edit|merge|review)"), ("pull-requests: write",)),
    (lazy_re.compile(r"\bgh\s+issue\s+(comment|create|edit|close)"), ("issues: write",)),
    (lazy_re.compile(r"ghcr\.io"), ("packages: write",)),
)
CI_TRIGGERS = frozenset({"push", "pull_request", "pull_request_target"})


def _needed_scopes(job: Job) -> list[str]:
    """Write scopes a job's steps need, known from the actions it uses and the commands it
    runs (``gh release create``, ``git push``...); in first-seen order."""
    out: list[str] = []
    for step in job.steps:
        uses = (step.uses or "").lower()
        for prefix, scopes in ACTION_SCOPES:
            if uses.startswith(prefix):
                out.extend(sc for sc in scopes if sc not in out)
        if uses.startswith("actions/stale") and str(step.with_.get("delete-branch", "")
                                                     ).lower() == "true" \
                and "contents: write" not in out:
            out.append("contents: write")  # deleting the branch of a closed PR
        for pattern, scopes in RUN_SCOPES:
            if step.run and pattern.search(step.run[:20_000]):
                out.extend(sc for sc in scopes if sc not in out)
    return out


def _hardening_fix(wf: Workflow, no_timeout: list[str], concurrency: bool,
                   bare: list[str]) -> T:
    """CI010's fix for this workflow: only the missing parts, with the write scopes its jobs
    need kept, and no cancel-in-progress for workflows that are not push/PR CI."""
    parts: list[T] = []
    if bare:
        needs = {j.id: _needed_scopes(j) for j in wf.jobs if j.id in bare}
        writers = {k: v for k, v in needs.items() if v}
        own = [j.id for j in wf.jobs if "permissions" in j.raw]
        text = T("add 'permissions: {contents: read}' at the top",
                 "añade 'permissions: {contents: read}' arriba")
        if writers:
            listed = "; ".join(f"{job}: {', '.join(scopes)}" for job, scopes in
                               list(writers.items())[:4])
            text = text + T(f", and in the jobs that write, the scopes their steps need "
                            f"({listed})", f", y en los jobs que escriben, los permisos que "
                            f"necesitan sus pasos ({listed})")
        if own:
            text = text + T(f" (jobs {joined(own)} keep their own permissions:)",
                            f" (los jobs {joined(own)} conservan su propio permissions:)")
        parts.append(text)
    if concurrency:
        parts.append(T("add 'concurrency: {group: ${{ github.workflow }}-${{ github.ref }}, "
                       "cancel-in-progress: true}' so a new push cancels the superseded run",
                       "añade 'concurrency: {group: ${{ github.workflow }}-${{ github.ref }}, "
                       "cancel-in-progress: true}' para que un push nuevo cancele la ejecución "
                       "superada"))
    if no_timeout:
        parts.append(T(f"set timeout-minutes on {joined(no_timeout)} (the usual duration plus a "
                       "margin, e.g. 10 for a short job)", f"fija timeout-minutes en "
                       f"{joined(no_timeout)} (la duración habitual más un margen, p. ej. 10 "
                       "para un job corto)"))
    if _write_scopes(wf.raw.get("permissions")):  # write scopes granted at the top
        parts.append(T("keep 'permissions: {contents: read}' at the top and grant write scopes "
                       "in the jobs that need them", "deja 'permissions: {contents: read}' "
                       "arriba y da los permisos de escritura en los jobs que los necesitan"))
    if not (CI_TRIGGERS & set(wf.on)):
        parts.append(T("no cancel-in-progress: this workflow is not push/PR CI (a release, "
                       "manual or scheduled run must not be cancelled midway)",
                       "sin cancel-in-progress: este workflow no es CI de push/PR (una "
                       "publicación o ejecución manual o programada no debe cancelarse a "
                       "medias)"))
    return T.join(parts)


def _concurrency_problem(wf: Workflow) -> tuple[T | None, bool]:
    """What a CI workflow's ``concurrency`` lacks, and whether the fix must add
    cancel-in-progress."""
    is_ci = bool({"push", "pull_request", "pull_request_target"} & set(wf.on))
    concurrency = wf.raw.get("concurrency")
    if not is_ci:
        return None, False
    cancel = concurrency.get("cancel-in-progress") if isinstance(concurrency, dict) \
        else None
    cancels = concurrency is None or cancel is None or cancel is False or \
        str(cancel).lower() == "false"
    if concurrency is None:
        return T("no top-level concurrency group: superseded runs keep "
                 "running", "sin grupo concurrency global: las ejecuciones "
                 "superadas siguen corriendo"), cancels
    if cancels:
        return T("concurrency without cancel-in-progress: true",
                 "concurrency sin cancel-in-progress: true"), cancels
    return None, cancels


def _permissions_problem(wf: Workflow) -> tuple[T | None, list[str]]:
    """What the workflow's permissions get wrong, and the jobs left with the default token
    scopes."""
    perms = wf.raw.get("permissions")
    if perms is None:
        bare = [j.id for j in wf.jobs if "permissions" not in j.raw]
        if bare:
            return T(f"no permissions: block (jobs {joined(bare)} get the "
                     "repository's default token scopes)",
                     f"sin bloque permissions: (los jobs {joined(bare)} reciben "
                     "los permisos por defecto del token)"), bare
        return None, bare
    writes = _write_scopes(perms)
    if writes and (len(wf.jobs) > 1 or "write-all" in writes):
        return T(f"workflow-level permissions grant {', '.join(writes)} to "
                 "every job; grant write scopes only in the jobs that need "
                 "them", f"los permisos del workflow dan {', '.join(writes)} a "
                 "todos los jobs; da permisos de escritura solo en los jobs "
                 "que los necesitan"), []
    return None, []


def _judge(wf: Workflow) -> Finding:
    problems: list[T] = []
    no_timeout = [j.id for j in wf.jobs if j.uses is None and "timeout-minutes" not in j.raw]
    if no_timeout:
        problems.append(T(f"jobs without timeout-minutes: {joined(no_timeout)} (the default "
                          "is 360 minutes)", f"jobs sin timeout-minutes: "
                          f"{joined(no_timeout)} (por defecto son 360 minutos)"))
    concurrency, cancels = _concurrency_problem(wf)
    permissions, bare = _permissions_problem(wf)
    problems += [p for p in (concurrency, permissions) if p is not None]
    if problems:
        return failed(T.join(problems), wf.path, 1,
                      fix=_hardening_fix(wf, no_timeout, cancels, bare))
    return passed(T(f"{wf.path}: timeouts, concurrency and least-privilege permissions",
                    f"{wf.path}: timeouts, concurrency y permisos mínimos"), wf.path, 1)


@rule("CI010")
def ci_hardening(ctx: Context, params: None) -> Iterator[Finding]:
    """CI010: every job has timeout-minutes; CI workflows cancel superseded runs
    (concurrency + cancel-in-progress); least-privilege permissions."""
    found = github_only(ctx, T("concurrency/permissions/timeout-minutes",
                                "concurrency/permissions/timeout-minutes"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    for wf in found:
        if isinstance(wf, Workflow):
            yield _judge(wf)
