"""DOCK009: an image CVE scan in CI filtered on CRITICAL/HIGH, and hadolint in CI or
pre-commit.

The evidence depends on the repository only, so it is read once per run
(``docker:scan_evidence``, ``docker:lint_evidence`` in the repository memo), not per
project. The fixes are written for the repository's CI system
(:func:`mlops_lint.readers.ci_config.ci_step_fix`): the trivy action only for GitHub
Actions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import CI_NAMES, Workflow, ci_commands, workflows
from mlops_lint.parsers.precommit import PreCommitConfig, parse_precommit
from mlops_lint.parsers.shell import Simple, split_commands
from mlops_lint.readers.ci_config import ci_step_fix, ci_system
from mlops_lint.rules import rule
from mlops_lint.rules.docker._shared import NO_DOCKERFILE_FIX, load, no_dockerfile

SCAN_ACTIONS = ("aquasecurity/trivy-action", "anchore/scan-action", "docker/scout-action",
                "snyk/actions/docker", "crazy-max/ghaction-container-scan")


# the scan a fix asks for outside GitHub Actions (where it is the trivy action)
SCAN_COMMAND = "trivy image --severity CRITICAL,HIGH --exit-code 1 <image>"


LINT_ACTIONS = ("hadolint/hadolint-action", "jbergstroem/hadolint-gh-action",
                "reviewdog/action-hadolint")


@dataclass(frozen=True)
class Evidence:
    path: str
    line: int | None
    what: str
    severity: bool  # filters or fails on CRITICAL/HIGH


def _scan_command(cmd: Simple) -> str | None:
    prog, args = cmd.program, cmd.args
    if prog == "trivy" and args[:1] in (("image",), ("i",)):
        return "trivy image"
    if prog == "grype" and args:
        return "grype"
    if prog == "docker" and args[:2] in (("scout", "cves"), ("scout", "quickview")):
        return "docker scout"
    if prog == "snyk" and args[:2] == ("container", "test"):
        return "snyk container test"
    if prog == "docker" and args[:1] == ("run",) and any("trivy" in a for a in args):
        return "trivy (docker run)"
    return None


def _severity(text: str) -> bool:
    upper = text.upper()
    return "CRITICAL" in upper or "HIGH" in upper


def _workflow_steps(ctx: Context) -> Iterator[tuple[Workflow, Any]]:
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        for job in wf.jobs:
            for step in job.steps:
                yield wf, step


def _per_repo(ctx: Context, key: str, read: Callable[[Context], list[Evidence]]
              ) -> list[Evidence]:
    """``read(ctx)``, which depends on the repository only: once per run, not per project."""
    cached: list[Evidence] | None = ctx.repo.memo.get(key)
    if cached is None:
        cached = ctx.repo.memo[key] = read(ctx)
    return list(cached)


def scan_evidence(ctx: Context) -> list[Evidence]:
    return _per_repo(ctx, "docker:scan_evidence", _scan_evidence)


def lint_evidence(ctx: Context) -> list[Evidence]:
    return _per_repo(ctx, "docker:lint_evidence", _lint_evidence)


def _scan_evidence(ctx: Context) -> list[Evidence]:
    out = []
    for wf, step in _workflow_steps(ctx):
        uses = (step.uses or "").lower()
        if any(uses.startswith(a) for a in SCAN_ACTIONS):
            with_ = {str(k).lower(): str(v) for k, v in step.with_.items()}
            scan_type = with_.get("scan-type", "image")
            if "trivy" in uses and scan_type not in ("image",):
                continue
            sev = " ".join(with_.get(k, "") for k in ("severity", "severity-cutoff",
                                                      "only-severities", "args"))
            out.append(Evidence(wf.path, step.line, uses.split("@")[0], _severity(sev)))
    for command in ci_commands(ctx.repo):
        for cmd in split_commands(command.text):
            what = _scan_command(cmd)
            if what:
                out.append(Evidence(command.path, command.line, what,
                                    _severity(" ".join(cmd.args))))
    return out


def _lint_evidence(ctx: Context) -> list[Evidence]:
    out = []
    for path in ctx.repo.glob([".pre-commit-config.yaml", ".pre-commit-config.yml"]):
        config = ctx.repo.parse(path, parse_precommit)
        if isinstance(config, PreCommitConfig):
            for hook in config.hooks:
                if hook.id.startswith("hadolint") or (hook.entry or "").startswith("hadolint"):
                    out.append(Evidence(path, hook.line, f"pre-commit hook {hook.id}", True))
    for wf, step in _workflow_steps(ctx):
        uses = (step.uses or "").lower()
        if any(uses.startswith(a) for a in LINT_ACTIONS) or "hadolint/hadolint" in uses:
            out.append(Evidence(wf.path, step.line, uses.split("@")[0], True))
    for command in ci_commands(ctx.repo):
        for cmd in split_commands(command.text):
            if cmd.program == "hadolint" or (cmd.program == "docker" and
                                             any("hadolint/hadolint" in a for a in cmd.args)):
                out.append(Evidence(command.path, command.line, "hadolint", True))
    return out


@rule("DOCK009")
def docker_scanned_and_linted(ctx: Context, params: None) -> Iterator[Finding]:
    """DOCK009: an image CVE scan in CI filtered on CRITICAL/HIGH, and hadolint in CI or
    pre-commit."""
    found = load(ctx)
    if found.none:
        yield failed(no_dockerfile(found), fix=NO_DOCKERFILE_FIX, see="DOCK001")
        return
    scans = scan_evidence(ctx)
    lints = lint_evidence(ctx)
    strong = [s for s in scans if s.severity]
    if strong:
        s = strong[0]
        yield passed(T(f"image scan {s.what} filtered on CRITICAL/HIGH",
                       f"escaneo de imagen {s.what} filtrado por CRITICAL/HIGH"), s.path, s.line)
    elif scans:
        s = scans[0]
        yield warned(T(f"image scan {s.what} runs, but not limited to or failing on "
                       "CRITICAL,HIGH: every low finding is noise and nothing blocks",
                       f"el escaneo de imagen {s.what} se ejecuta, pero sin limitarse ni fallar "
                       "por CRITICAL,HIGH: los hallazgos menores son ruido y nada bloquea"),
                     s.path, s.line,
                     fix=T("Set severity: CRITICAL,HIGH and exit-code: '1' (trivy-action) or "
                           "--severity CRITICAL,HIGH --exit-code 1.",
                           "Fija severity: CRITICAL,HIGH y exit-code: '1' (trivy-action) o "
                           "--severity CRITICAL,HIGH --exit-code 1."))
    else:
        yield failed(T("no image CVE scan in CI (trivy, grype, docker scout, snyk container)",
                       "no hay escaneo de CVEs de la imagen en CI (trivy, grype, docker scout, "
                       "snyk container)"),
                     fix=ci_step_fix(ctx.repo, SCAN_COMMAND, T(
                         "Add a CI step after the build: uses: aquasecurity/trivy-action "
                         "with image-ref, severity: CRITICAL,HIGH, exit-code: '1' (and upload "
                         "the SARIF).",
                         "Añade un paso de CI tras el build: uses: aquasecurity/trivy-action "
                         "con image-ref, severity: CRITICAL,HIGH, exit-code: '1' (y sube el "
                         "SARIF).")))
    if lints:
        lint = lints[0]
        yield passed(T(f"Dockerfile lint: {lint.what}", f"lint de Dockerfile: {lint.what}"),
                     lint.path, lint.line)
    else:
        yield failed(T("no Dockerfile lint (hadolint) in CI or pre-commit",
                       "no hay lint de Dockerfile (hadolint) en CI ni en pre-commit"),
                     fix=_lint_fix(ctx))


def _lint_fix(ctx: Context) -> T:
    """The hadolint pre-commit hook, or a CI step written for the repository's CI system."""
    hook = T("Add the hadolint-docker hook (repo: https://github.com/hadolint/hadolint) to "
             ".pre-commit-config.yaml",
             "Añade el hook hadolint-docker (repo: https://github.com/hadolint/hadolint) a "
             ".pre-commit-config.yaml")
    found = ci_system(ctx.repo)
    if found is not None and found[0] != "github":
        return hook + T(f", or hadolint Dockerfile in a step of the {CI_NAMES[found[0]]} "
                        "pipeline.",
                        f", o hadolint Dockerfile en un paso del pipeline de "
                        f"{CI_NAMES[found[0]]}.")
    return hook + T(", or hadolint/hadolint-action in CI.",
                    ", o hadolint/hadolint-action en CI.")
