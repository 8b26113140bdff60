"""Phase 4 security-scanning checks: secret scanning (SEC003), Bandit SAST (SEC004) and
dependency vulnerability management (SEC005).

A tool counts when something runs it: a pre-commit hook, a CI step or action (through
``make``/``pre-commit run`` too, see :func:`mlops_lint.readers.ci_runs.ci_runs`) or a Makefile
target. A configuration file that nothing runs (``.gitleaks.toml``, ``[tool.bandit]``)
scans nothing, so it earns a warning rather than a pass. SEC003 and SEC005 are
repository rules; SEC004 is per project (its ``[tool.bandit]`` lives in the project's
``pyproject.toml``), and reads a ``bandit*.json`` report as evidence when there is one.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.invocations import Tool, precommit_config, tool_runs
from mlops_lint.parsers.precommit import PreCommitConfig
from mlops_lint.parsers.secret_allowlists import DETECT_SECRETS_BASELINE, GITLEAKS_CONFIGS
from mlops_lint.parsers.toml_file import dig
from mlops_lint.readers.ci_runs import ci_runs
from mlops_lint.readers.ci_tools import BANDIT, DEP_TOOLS, PIP_AUDIT, SAFETY, SECRET_TOOLS, ToolSpec
from mlops_lint.rules import check

DEPENDABOT = (".github/dependabot.yml", ".github/dependabot.yaml")
RENOVATE = ("renovate.json", "renovate.json5", ".github/renovate.json",
            ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
            ".renovaterc", ".renovaterc.json", ".renovaterc.json5")
PIP_ECOSYSTEMS = frozenset({"pip", "uv", "poetry", "pipenv"})
RENOVATE_PIP_MANAGERS = frozenset({"pip_requirements", "pep621", "poetry", "pipenv",
                                   "pip_setup", "setup-cfg", "pip-compile", "pixi"})


def _tool(spec: ToolSpec) -> Tool:
    return Tool(spec.name, spec.command, spec.hook_ids)


def _places(ctx: Context, specs: tuple[ToolSpec, ...]
            ) -> list[tuple[str, str, str, int | None]]:
    """(tool, where, path, line) for every hook, CI step/action and Makefile target running
    one of ``specs``."""
    out: list[tuple[str, str, str, int | None]] = []
    dirs = [p.path for p in ctx.repo.projects]
    for spec in specs:
        for run in ci_runs(ctx.repo, spec):
            out.append((spec.name, run.where(), run.path, run.line))
        for inv in tool_runs(ctx.repo, _tool(spec), dirs):
            if inv.where != "ci":
                out.append((spec.name, inv.describe(), inv.path, inv.line))
    return out


def _precommit_note(ctx: Context) -> T:
    config = precommit_config(ctx.repo)
    if isinstance(config, ParseError):
        return T(f" ({config.path} cannot be read: {config.message})",
                 f" ({config.path} no se puede leer: {config.message})")
    return T("", "")


# -- SEC003 -----------------------------------------------------------------------------


@check("secret_scanning")
def secret_scanning(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC003: gitleaks, detect-secrets, trufflehog (or ggshield/git-secrets) run by a
    pre-commit hook or in CI."""
    repo = ctx.repo
    runs = _places(ctx, SECRET_TOOLS)
    configs = [p for p in (*GITLEAKS_CONFIGS, DETECT_SECRETS_BASELINE) if repo.exists(p)]
    note = _precommit_note(ctx)
    if runs:
        tool, _, path, line = runs[0]
        baseline = T("", "")
        if tool == "detect-secrets" and not repo.exists(DETECT_SECRETS_BASELINE):
            baseline = T("; no .secrets.baseline, so known false positives are reported "
                         "again", "; sin .secrets.baseline, los falsos positivos conocidos se "
                         "vuelven a reportar")
        listed = ", ".join(dict.fromkeys(f"{t} ({w})" for t, w, _, _ in runs[:3]))
        yield passed(T(f"secret scanning: {listed}", f"escaneo de secretos: {listed}")
                     + baseline, path, line)
        return
    fix = T("add the gitleaks pre-commit hook (repo: https://github.com/gitleaks/gitleaks) "
            "and gitleaks/gitleaks-action@v2 in CI",
            "añade el hook de pre-commit de gitleaks (repo: https://github.com/gitleaks/gitleaks) "
            "y gitleaks/gitleaks-action@v2 en CI")
    if configs:
        yield warned(T(f"{', '.join(configs)} configures secret scanning but no pre-commit "
                       "hook or CI step runs it", f"{', '.join(configs)} configura el escaneo "
                       "de secretos pero ningún hook de pre-commit ni paso de CI lo ejecuta")
                     + note, configs[0], 1, fix=fix)
        return
    config = precommit_config(repo)
    if isinstance(config, PreCommitConfig) and config.hook("detect-private-key"):
        hook = config.hook("detect-private-key")[0]
        yield warned(T("only detect-private-key: API keys and tokens are not detected",
                       "solo detect-private-key: no detecta claves de API ni tokens"),
                     ".pre-commit-config.yaml", hook.line, fix=fix)
        return
    yield failed(T("no secret scanning (gitleaks, detect-secrets, trufflehog) in pre-commit "
                   "or CI", "sin escaneo de secretos (gitleaks, detect-secrets, trufflehog) en "
                   "pre-commit ni en CI") + note, fix=fix)


# -- SEC004 -----------------------------------------------------------------------------


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


def _ruff_security(ctx: Context) -> str | None:
    """Where ruff selects the flake8-bandit ``S`` rules (Bandit's checks, in ruff)."""
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
        selected: list[Any] = []
        for table in (base, lint):
            for key in ("select", "extend-select"):
                value = table.get(key) if isinstance(table, dict) else None
                if isinstance(value, list):
                    selected += value
        if any(str(code) in ("S", "ALL") or (str(code).startswith("S") and
                                             str(code)[1:2].isdigit()) for code in selected):
            return path
    return None


def bandit_high(text: str) -> int:
    """``metrics._totals["SEVERITY.HIGH"]`` of a ``bandit -f json`` report."""
    data = json.loads(text)
    totals = data.get("metrics", {}).get("_totals", {}) if isinstance(data, dict) else {}
    value = totals.get("SEVERITY.HIGH") if isinstance(totals, dict) else None
    if not isinstance(value, int | float) or isinstance(value, bool):
        raise ValueError("no metrics._totals.SEVERITY.HIGH")
    return int(value)


@check("bandit_sast")
def bandit_sast(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC004: Bandit configured and run (hook, CI, Makefile) — or ruff's S rules; a
    bandit*.json report, when present, must show 0 HIGH findings."""
    fix = T("add the bandit pre-commit hook (args: ['-c', 'pyproject.toml']) with "
            "[tool.bandit] exclude_dirs = ['tests'], or 'bandit -r src' in CI",
            "añade el hook de pre-commit de bandit (args: ['-c', 'pyproject.toml']) con "
            "[tool.bandit] exclude_dirs = ['tests'], o 'bandit -r src' en CI")
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
    runs = _places(ctx, (BANDIT,))
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
    if evidence:
        yield passed(T(f"a bandit report ({evidence[0]}) shows 0 HIGH findings",
                       f"un informe de bandit ({evidence[0]}) muestra 0 hallazgos HIGH"),
                     evidence[0], 1)
        return
    if config:
        yield warned(T(f"bandit is configured in {config[0]} but no hook, CI step or Makefile "
                       "target runs it", f"bandit está configurado en {config[0]} pero ningún "
                       "hook, paso de CI ni objetivo del Makefile lo ejecuta")
                     + _precommit_note(ctx), config[0], config[1], fix=fix)
        return
    yield failed(T("no Bandit: not configured ([tool.bandit], .bandit) nor run (pre-commit, CI, "
                   "Makefile)", "sin Bandit: ni configurado ([tool.bandit], .bandit) ni "
                   "ejecutado (pre-commit, CI, Makefile)") + _precommit_note(ctx), fix=fix)


# -- SEC005 -----------------------------------------------------------------------------


def _dependabot(ctx: Context) -> Iterator[tuple[str, Finding | None, set[str]]]:
    for path in DEPENDABOT:
        if not ctx.repo.exists(path):
            continue
        data = ctx.repo.parse(path, _rt)
        if isinstance(data, ParseError):
            yield path, failed(T(f"{path} does not parse: {data.message}",
                                 f"{path} no se puede leer: {data.message}"), path, data.line), \
                set()
            continue
        updates = data.get("updates") if isinstance(data, dict) else None
        ecosystems = {str(u.get("package-ecosystem")) for u in updates or []
                      if isinstance(u, dict)} if isinstance(updates, list) else set()
        yield path, None, ecosystems


def _rt(text: str) -> Any:
    from mlops_lint.parsers.yaml_file import load_yaml_rt

    return load_yaml_rt(text)


def _renovate(ctx: Context) -> list[tuple[str, bool | None]]:
    """(file, covers pip) for each Renovate configuration; None = cannot tell (JSON5)."""
    out: list[tuple[str, bool | None]] = []
    for path in RENOVATE:
        if not ctx.repo.exists(path):
            continue
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            out.append((path, None))
            continue
        try:
            data = json.loads(text)
        except ValueError:
            out.append((path, None))
            continue
        managers = data.get("enabledManagers") if isinstance(data, dict) else None
        covers = not isinstance(managers, list) or bool(
            RENOVATE_PIP_MANAGERS & {str(m) for m in managers})
        out.append((path, covers))
    if ctx.repo.exists("package.json"):
        text = ctx.repo.text("package.json")
        try:
            data = json.loads(text) if isinstance(text, str) else None
        except ValueError:
            data = None
        if isinstance(data, dict) and "renovate" in data:
            out.append(("package.json", True))
    return out


@check("dependency_audit")
def dependency_audit(ctx: Context, params: None) -> Iterator[Finding]:
    """SEC005: pip-audit/safety in CI or the Makefile, or Dependabot/Renovate covering pip
    (ideally also docker and github-actions)."""
    fix = T("add .github/dependabot.yml with updates for pip, docker and github-actions, or "
            "run 'pip-audit' in CI", "añade .github/dependabot.yml con updates para pip, "
            "docker y github-actions, o ejecuta 'pip-audit' en CI")
    problems: list[Finding] = []
    found: list[tuple[T, str | None, int | None]] = []  # (what, path, line)
    for config_path, problem, ecosystems in _dependabot(ctx):
        if problem is not None:
            problems.append(problem)
            continue
        listed = ", ".join(sorted(ecosystems)) or "none"
        if ecosystems & PIP_ECOSYSTEMS:
            others = ", ".join(sorted({"docker", "github-actions"} - ecosystems))
            found.append((T(f"Dependabot covers {listed}" + (f"; ideally also {others}"
                                                             if others else ""),
                            f"Dependabot cubre {listed}" + (f"; idealmente también {others}"
                                                            if others else "")),
                          config_path, 1))
        else:
            problems.append(failed(T(f"{config_path} does not cover pip (ecosystems: {listed})",
                                     f"{config_path} no cubre pip (ecosistemas: {listed})"),
                                   config_path, 1, fix=fix))
    for config_path, covers in _renovate(ctx):
        if covers is not False:
            found.append((T.same(f"Renovate ({config_path})"), config_path, 1))
    runs = _places(ctx, (PIP_AUDIT, SAFETY, *[t for t in DEP_TOOLS if t not in
                                               (PIP_AUDIT, SAFETY)]))
    found += [(T.same(f"{tool} ({where})"), path, line) for tool, where, path, line in runs]
    if found:
        _, first_path, first_line = found[0]
        listed_all = T.join([f for f, _, _ in found[:3]])
        yield passed(T("dependency vulnerabilities managed: ",
                       "vulnerabilidades de dependencias gestionadas: ") + listed_all,
                     first_path, first_line)
        return
    if problems:
        yield from problems
        return
    yield failed(T("no dependency audit (pip-audit, safety) in CI or the Makefile, and no "
                   "Dependabot/Renovate configuration", "sin auditoría de dependencias "
                   "(pip-audit, safety) en CI ni en el Makefile, y sin configuración de "
                   "Dependabot/Renovate"), fix=fix)

