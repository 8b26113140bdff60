"""CI008: a security scan runs in CI (level 2); secret scanning, SAST and a
dependency audit, the history scans on a full clone (level 3).

A documentation repository (:mod:`mlops_lint.readers.project_kind`) whose CI runs no
scan is not applicable: it has no code of its own for SAST and no dependencies of a
program to audit (a scan it does run is still credited).
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers.ci import Job, parse_action
from mlops_lint.readers.ci_config import ci_state
from mlops_lint.readers.ci_runs import Run
from mlops_lint.readers.ci_tools import DEP_TOOLS, IMAGE_SCAN, SAST_TOOLS, SECRET_TOOLS
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.python_project import code_dirs
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import first_ci_file, joined, no_ci, runs_of


def _full_history(job: Job | None) -> bool:
    if job is None:
        return True
    for step in job.steps:
        if step.uses and parse_action(step.uses).name == "actions/checkout":
            depth = step.with_.get("fetch-depth")
            return depth is not None and str(depth).strip("'\" ") == "0"
    return False


def _history_scan(run: Run) -> bool:
    """A secrets scan of git history (needs the full clone): the gitleaks/trufflehog
    actions, ``gitleaks detect``/``git`` without ``--no-git``, ``trufflehog git``."""
    if run.via in ("pre-commit run", "pre-commit/action") or run.job is None:
        return False
    if run.action is not None:
        return run.action.name.startswith(("gitleaks/", "zricethezav/", "trufflesecurity/"))
    argv = run.argv
    if argv[:1] == ("gitleaks",):
        return argv[1:2] in (("detect",), ("git",)) and "--no-git" not in argv
    return argv[:2] in (("trufflehog", "git"), ("trufflehog", "github"))


@rule("CI008")
def ci_security_scans(ctx: Context, params: None) -> Iterator[Finding]:
    """CI008: one security scan in CI (L2); secrets + SAST + dependency audit, history
    scans on a full clone (L3)."""
    state = ci_state(ctx.repo)
    if not state.has_ci:
        yield no_ci()
        return
    repo = ctx.repo
    secrets = runs_of(repo, SECRET_TOOLS)
    sast = runs_of(repo, SAST_TOOLS)
    deps = runs_of(repo, DEP_TOOLS)
    # a container image scan is a security scan too (level 2), though not one of the
    # three parts level 3 asks for
    found = secrets + sast + deps + runs_of(repo, (IMAGE_SCAN,))
    path, line = first_ci_file(state)
    documentation = project_kind(repo).no_code()
    if documentation is not None and not found:
        yield skipped(T("not applicable: ", "no aplica: ") + documentation + T(
            ", so there is no code for SAST and no program dependencies to audit",
            ", así que no hay código que someter a SAST ni dependencias de un programa "
            "que auditar"))
        return
    if not found:
        # bandit on the repository's own code folders (src/, else its package folders)
        bandit = "bandit -r " + " ".join(code_dirs(repo.files))
        yield failed(T("CI runs no security scan (bandit, gitleaks/trufflehog/detect-secrets, "
                       "pip-audit/safety, CodeQL, Semgrep, Snyk, Checkov SAST, Trivy, Grype, "
                       "OSV-Scanner)",
                       "la CI no ejecuta ningún análisis de seguridad (bandit, "
                       "gitleaks/trufflehog/detect-secrets, pip-audit/safety, CodeQL, "
                       "Semgrep, Snyk, Checkov SAST, Trivy, Grype, OSV-Scanner)"),
                     path, line,
                     fix=T(f"add a security job: gitleaks/gitleaks-action@v2, '{bandit}', "
                           "'pip-audit'", "añade un job de seguridad: "
                           f"gitleaks/gitleaks-action@v2, '{bandit}', 'pip-audit'"))
        return
    names = joined(r.tool.name for r in found)
    yield passed(T(f"CI runs {names}", f"la CI ejecuta {names}"), found[0].path,
                 found[0].line, level=2)
    problems: list[T] = []
    for label, runs in ((T("secret scanning (gitleaks, trufflehog, detect-secrets)",
                           "escaneo de secretos (gitleaks, trufflehog, detect-secrets)"),
                         secrets),
                        (T("SAST (bandit, CodeQL, Semgrep, Snyk Code or Checkov SAST)",
                           "SAST (bandit, CodeQL, Semgrep, Snyk Code o Checkov SAST)"), sast),
                        (T("a dependency audit (pip-audit, safety, Snyk, OSV-Scanner)",
                           "una auditoría de dependencias (pip-audit, safety, Snyk, "
                           "OSV-Scanner)"), deps)):
        if not runs and (documentation is None or runs is secrets):
            problems.append(T("missing ", "falta ") + label)
    shallow = [r for r in secrets if _history_scan(r) and not _full_history(r.job)]
    for run in shallow:
        problems.append(T(f"{run.tool.name} scans history but job {run.job.id if run.job else ''}"
                          " checks out without fetch-depth: 0",
                          f"{run.tool.name} revisa el historial pero el job "
                          f"{run.job.id if run.job else ''} hace checkout sin fetch-depth: 0"))
    if problems:
        where = shallow[0] if shallow else found[0]
        yield failed(T.join(problems), where.path, where.line, level=3,
                     fix=T("run gitleaks (with actions/checkout fetch-depth: 0), bandit or "
                           "CodeQL, and pip-audit in CI",
                           "ejecuta gitleaks (con actions/checkout fetch-depth: 0), bandit o "
                           "CodeQL, y pip-audit en CI"))
    elif documentation is not None:
        yield passed(T(f"secrets scanned ({secrets[0].tool.name}) in CI; SAST and a "
                       "dependency audit do not apply to ", f"secretos escaneados "
                       f"({secrets[0].tool.name}) en CI; SAST y la auditoría de dependencias "
                       "no aplican a ") + documentation, found[0].path, found[0].line, level=3)
    else:
        yield passed(T(f"secrets ({secrets[0].tool.name}), SAST ({sast[0].tool.name}) and "
                       f"dependency audit ({deps[0].tool.name}) in CI",
                       f"secretos ({secrets[0].tool.name}), SAST ({sast[0].tool.name}) y "
                       f"auditoría de dependencias ({deps[0].tool.name}) en CI"),
                     found[0].path, found[0].line, level=3)
