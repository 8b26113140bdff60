"""GIT004: pre-commit runs mypy (where there is Python code), a secrets hook and a
commit-message enforcer.

A mypy hook whose files/exclude/types select no Python file is no mypy hook: the
failure shows its filters (see :mod:`mlops_lint.readers.hook_filters`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers.invocations import MYPY, PRECOMMIT_CONFIG, tool_runs
from mlops_lint.parsers.precommit import PreCommitConfig
from mlops_lint.readers.hook_filters import multiline_filter_hint, shown_filter
from mlops_lint.rules import rule
from mlops_lint.rules.git._shared import config_or_finding, hook_ids

COMMITLINT_GLOBS = ("commitlint.config.*", ".commitlintrc", ".commitlintrc.*", ".cz.toml",
                    "cz.json", ".cz.json", ".cz.yaml", "cz.yaml")


def _commit_msg_enforcer(ctx: Context, config: PreCommitConfig) -> str | None:
    for hook in config.hooks:
        if hook.id == "conventional-pre-commit" and (not hook.stages
                                                     or "commit-msg" in hook.stages):
            return "conventional-pre-commit"
        if hook.id in ("commitizen", "commitlint", "gitlint") or "commit-msg" in hook.stages:
            return hook.id
    files = ctx.repo.glob(COMMITLINT_GLOBS)
    if files:
        return files[0]
    doc = ctx.repo.toml("pyproject.toml") if ctx.repo.exists("pyproject.toml") else None
    if isinstance(doc, dict) and isinstance(doc.get("tool"), dict) and "commitizen" in doc["tool"]:
        return "[tool.commitizen]"
    return None


@dataclass(frozen=True)
class _Gap:
    message: T
    fix: T
    line: int | None


def _mypy_gap(ctx: Context, config: PreCommitConfig) -> _Gap | None:
    hooks = [r for r in tool_runs(ctx.repo, MYPY) if r.where == "pre-commit"]
    if not hooks:
        return _Gap(T("no mypy hook (mirrors-mypy)", "no hay hook de mypy (mirrors-mypy)"),
                    T("add the mirrors-mypy hook", "añade el hook mirrors-mypy"), None)
    if any(r.checks_files for r in hooks):
        return None
    dead = hooks[0]
    hook = dead.hook
    # the exclude filter is shown when no files filter narrows the selection
    filters = "; ".join(f"{k}: {shown_filter(v)}" for k, v in (
        ("files", hook.files if hook else None),
        ("exclude", hook.exclude if hook and not hook.files else None),
        ("types", ",".join(hook.types) if hook else None)) if v)
    where = f" ({filters})" if filters else ""
    hint = multiline_filter_hint(hook) if hook else None
    fix = T("fix the mypy hook's filters so that they select the Python files",
            "corrige los filtros del hook de mypy para que seleccionen los archivos Python")
    if hint is not None:
        fix = fix + T(": ", ": ") + hint
    return _Gap(T(f"the mypy hook's files/exclude/types select none of the Python files{where}",
                  f"los filtros files/exclude/types del hook de mypy no seleccionan ningún "
                  f"archivo Python{where}"), fix, dead.line)


def _secrets_gap(ctx: Context, config: PreCommitConfig) -> _Gap | None:
    ids = hook_ids(config)
    if ids & {"gitleaks", "gitleaks-docker", "gitleaks-system", "trufflehog",
              "detect-private-key"}:
        return None
    if "detect-secrets" in ids:
        if ctx.repo.exists(".secrets.baseline"):
            return None
        line = next((h.line for h in config.hooks if h.id == "detect-secrets"), None)
        return _Gap(T("detect-secrets without a .secrets.baseline",
                      "detect-secrets sin .secrets.baseline"),
                    T("run detect-secrets scan > .secrets.baseline and commit it",
                      "ejecuta detect-secrets scan > .secrets.baseline y súbelo"), line)
    return _Gap(T("no secrets hook (gitleaks, detect-secrets or detect-private-key)",
                  "no hay hook de secretos (gitleaks, detect-secrets o detect-private-key)"),
                T("add a secrets hook (gitleaks, or detect-secrets with .secrets.baseline, or "
                  "at least detect-private-key)", "añade un hook de secretos (gitleaks, o "
                  "detect-secrets con .secrets.baseline, o al menos detect-private-key)"), None)


@rule("GIT004")
def precommit_advanced(ctx: Context, params: None) -> Iterator[Finding]:
    """GIT004: pre-commit mypy (where there is Python code), a secrets hook and a
    commit-message enforcer."""
    python = bool(ctx.files(["**/*.py"]))
    config = config_or_finding(ctx, (T(
        "a mypy hook (mirrors-mypy), ", "un hook de mypy (mirrors-mypy), ") if python else T(
        "", "")) + T(
        "a secrets hook (gitleaks, detect-secrets with "
        ".secrets.baseline, or detect-private-key) and a commit-message check "
        "(conventional-pre-commit at the commit-msg stage, commitlint or commitizen)",
        "un hook de secretos (gitleaks, detect-secrets con "
        ".secrets.baseline, o detect-private-key) y una comprobación del mensaje de commit "
        "(conventional-pre-commit en la etapa commit-msg, commitlint o commitizen)"))
    if isinstance(config, Finding):
        yield config
        return
    gaps = [gap for gap in (_mypy_gap(ctx, config) if python else None,
                            _secrets_gap(ctx, config)) if gap is not None]
    enforcer = _commit_msg_enforcer(ctx, config)
    if enforcer is None:
        gaps.append(_Gap(T("no commit-message enforcer (conventional-pre-commit at the "
                           "commit-msg stage, commitlint or commitizen)",
                           "no se exige el formato de commit (conventional-pre-commit en la "
                           "etapa commit-msg, commitlint o commitizen)"),
                         T("add conventional-pre-commit at the commit-msg stage (or a "
                           "commitlint/commitizen configuration)",
                           "añade conventional-pre-commit en la etapa commit-msg (o una "
                           "configuración de commitlint/commitizen)"), None))
    ids = hook_ids(config)
    bonus = sorted(ids & {"bandit", "no-commit-to-branch", "nbstripout", "hadolint",
                          "hadolint-docker"})
    extra = T(f"; bonus: {', '.join(bonus)}", f"; extra: {', '.join(bonus)}") if bonus else T(
        "", "")
    if gaps:
        # the hook a finding is about; the file's first line for what is absent
        line = next((g.line for g in gaps if g.line), None) or 1
        yield failed(T.join([g.message for g in gaps]) + extra, PRECOMMIT_CONFIG, line,
                     fix=T.join([g.fix for g in gaps]))
    else:
        first_line = config.hooks[0].line if config.hooks else 1
        checked = T("mypy, ", "mypy, ") if python else T("", "")
        yield passed(T("pre-commit runs ", "pre-commit ejecuta ") + checked + T(
            f"a secrets hook and a commit-message check ({enforcer})",
            f"un hook de secretos y una comprobación del mensaje de commit ({enforcer})")
            + extra, PRECOMMIT_CONFIG, first_line)
