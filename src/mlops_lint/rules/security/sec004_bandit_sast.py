"""SEC004: Bandit (or ruff's ``S`` rules) runs on the project's code, with a
``bandit*.json`` report, when there is one, read as evidence of no high-severity issue.
A well-known SAST equivalent (Semgrep, CodeQL, Snyk Code, Checkov with a SAST framework)
counts.

Per project: its ``[tool.bandit]`` lives in the project's ``pyproject.toml``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.invocations import Tool, tool_runs
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.ci_tools import (
    BANDIT,
    CHECKOV_SAST,
    CODEQL,
    SEMGREP,
    SNYK_CODE,
    is_checkov_sast,
)
from mlops_lint.readers.python_project import NO_PYTHON, code_dirs, without_python
from mlops_lint.rules import rule
from mlops_lint.rules.security._shared import places, precommit_note


def _bandit_config(ctx: Context) -> tuple[str, int | None] | None:
    pyproject = ctx.path("pyproject.toml")
    if ctx.repo.exists(pyproject):
        doc = ctx.repo.toml(pyproject)
        if isinstance(doc, dict) and isinstance(dig(doc, "tool", "bandit"), dict):
            text = ctx.repo.text(pyproject)
            line = None
            if isinstance(text, str):
                for number, raw in enumerate(text.splitlines(), start=1):
                    if raw.strip().startswith("[tool.bandit"):
                        line = number
                        break
            return pyproject, line
    for name in (".bandit", "bandit.yaml", "bandit.yml", ".bandit.yaml", ".bandit.yml",
                 "bandit.toml"):
        for path in dict.fromkeys((ctx.path(name), name)):
            if ctx.repo.exists(path):
                return path, 1
    return None


def _ruff_selection(ctx: Context) -> tuple[str, list[str]] | None:
    """(file, selected codes) of the first ruff configuration of the project (ruff.toml,
    .ruff.toml, or pyproject.toml's [tool.ruff]), None without one."""
    for name in ("ruff.toml", ".ruff.toml", "pyproject.toml"):
        path = ctx.path(name)
        if not ctx.repo.exists(path):
            continue
        doc = ctx.repo.toml(path)
        if not isinstance(doc, dict):
            continue
        base = dig(doc, "tool", "ruff") if name == "pyproject.toml" else doc
        if not isinstance(base, dict):
            continue
        lint = base.get("lint") if isinstance(base.get("lint"), dict) else {}
        selected: list[str] = []
        for table in (base, lint):
            for key in ("select", "extend-select"):
                value = table.get(key) if isinstance(table, dict) else None
                if isinstance(value, list):
                    selected += [str(code) for code in value]
        return path, selected
    return None


def _ruff_security(ctx: Context) -> str | None:
    """Where ruff selects the flake8-bandit ``S`` rules (Bandit's checks, in ruff)."""
    found = _ruff_selection(ctx)
    if found is None:
        return None
    path, selected = found
    if any(code in ("S", "ALL") or (code.startswith("S") and code[1:2].isdigit())
           for code in selected):
        return path
    return None


def _fix(ctx: Context) -> T:
    """Bandit on the project's own code folders; first, when the project already lints
    with ruff, its S rules (Bandit's checks) added to that selection."""
    target = " ".join(code_dirs(ctx.project.files, ctx.project.path))
    pyproject = ctx.path("pyproject.toml")
    bandit = T(f"add the bandit pre-commit hook (args: ['-c', '{pyproject}']) with "
               f"[tool.bandit] exclude_dirs = ['tests'], or 'bandit -r {target}' in CI",
               f"añade el hook de pre-commit de bandit (args: ['-c', '{pyproject}']) con "
               f"[tool.bandit] exclude_dirs = ['tests'], o 'bandit -r {target}' en CI")
    ruff = _ruff_selection(ctx)
    if ruff is None:
        return bandit
    path, selected = ruff
    key = "select" if selected else "extend-select"
    return T(f"add \"S\" (flake8-bandit, Bandit's checks) to ruff's {key} in {path}, "
             "where the project already configures ruff; or ",
             f"añade \"S\" (flake8-bandit, las comprobaciones de Bandit) al {key} de ruff "
             f"en {path}, donde el proyecto ya configura ruff; o ") + bandit


CHECKOV_HOOK = Tool("checkov-hook", is_checkov_sast, frozenset({"checkov"}))


def _sast_equivalent(ctx: Context) -> tuple[str, str, str, int | None] | None:
    """A well-known SAST tool that covers Bandit's job: Semgrep, CodeQL, Snyk Code
    (``snyk code test`` or a Snyk action with ``command: code test``), or Checkov with a
    SAST framework (a command, or its pre-commit hook with ``--framework sast...``)."""
    runs = places(ctx, (SEMGREP, CODEQL, SNYK_CODE, CHECKOV_SAST))
    if runs:
        return runs[0]
    dirs = [p.path for p in ctx.repo.projects]
    for inv in tool_runs(ctx.repo, CHECKOV_HOOK, dirs):
        if inv.where != "ci" and any("sast" in arg for arg in inv.argv):
            return CHECKOV_SAST.name, inv.describe(), inv.path, inv.line
    return None


def bandit_high(text: str) -> int:
    """``metrics._totals["SEVERITY.HIGH"]`` of a ``bandit -f json`` report."""
    data = json.loads(text)
    totals = data.get("metrics", {}).get("_totals", {}) if isinstance(data, dict) else {}
    value = totals.get("SEVERITY.HIGH") if isinstance(totals, dict) else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError("no metrics._totals.SEVERITY.HIGH")
    return int(value)


@rule("SEC004")
def bandit_sast(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC004: Bandit configured and run (hook, CI, Makefile) — or ruff's S rules; a
    bandit*.json report, when present, must show 0 HIGH findings."""
    if without_python(ctx):
        yield skipped(NO_PYTHON)
        return
    fix = _fix(ctx)
    reports = ctx.files(["bandit*.json", "**/bandit*.json", "reports/bandit*.json"],
                        case_sensitive=False)
    evidence: list[str] = []
    for path in dict.fromkeys(reports):
        text = ctx.repo.text(path)
        try:
            if isinstance(text, ParseError):
                raise ValueError(text.message)
            high = bandit_high(text)
        except ValueError as exc:
            yield warned(T(f"cannot read the bandit report {path}: {exc}",
                           f"no se puede leer el informe de bandit {path}: {exc}"), path, 1)
            continue
        if high:
            yield failed(T(f"{path} reports {high} HIGH severity finding(s)",
                           f"{path} reporta {high} hallazgo(s) de severidad HIGH"), path, 1,
                         fix=T("fix or justify (# nosec with a reason) every HIGH finding",
                               "corrige o justifica (# nosec con motivo) cada hallazgo HIGH"))
            return
        evidence.append(path)
    runs = places(ctx, (BANDIT,))
    config = _bandit_config(ctx)
    ruff = _ruff_security(ctx)
    report = T(f"; {evidence[0]} shows 0 HIGH", f"; {evidence[0]} muestra 0 HIGH") \
        if evidence else T("", "")
    if runs:
        _, where, _, _ = runs[0]
        configured = T(f" with {config[0]}", f" con {config[0]}") if config else T("", "")
        yield passed(T(f"bandit runs: {where}", f"bandit se ejecuta: {where}") + configured
                     + report, config[0] if config else None, config[1] if config else None)
        return
    if ruff:
        yield passed(T(f"ruff selects the flake8-bandit S rules ({ruff})",
                       f"ruff selecciona las reglas S de flake8-bandit ({ruff})") + report,
                     ruff, 1)
        return
    equivalent = _sast_equivalent(ctx)
    if equivalent:
        name, where, path, line = equivalent
        yield passed(T(f"{name} runs static security analysis (SAST, Bandit's job): {where}",
                       f"{name} ejecuta análisis estático de seguridad (SAST, el trabajo de "
                       f"Bandit): {where}") + report, path, line)
        return
    if evidence:
        yield passed(T(f"a bandit report ({evidence[0]}) shows 0 HIGH findings",
                       f"un informe de bandit ({evidence[0]}) muestra 0 hallazgos HIGH"),
                     evidence[0], 1)
        return
    if config:
        yield warned(T(f"bandit is configured in {config[0]} but no hook, CI step or Makefile "
                       "target runs it", f"bandit está configurado en {config[0]} pero ningún "
                       "hook, paso de CI ni objetivo del Makefile lo ejecuta")
                     + precommit_note(ctx), config[0], config[1], fix=fix)
        return
    yield failed(T("no Bandit: not configured ([tool.bandit], .bandit) nor run (pre-commit, CI, "
                   "Makefile), and no equivalent SAST (ruff S rules, Semgrep, CodeQL, Snyk "
                   "Code, Checkov SAST)", "sin Bandit: ni configurado ([tool.bandit], .bandit) "
                   "ni ejecutado (pre-commit, CI, Makefile), y sin SAST equivalente (reglas S "
                   "de ruff, Semgrep, CodeQL, Snyk Code, Checkov SAST)") + precommit_note(ctx),
                 fix=fix)
