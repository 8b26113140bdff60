"""SEC005: the dependencies are audited for known vulnerabilities: pip-audit or safety
(or another dependency scanner) runs in CI or the Makefile, or Dependabot/Renovate covers
the Python ecosystem.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers import ParseError
from mlops_lint.readers.ci_tools import DEP_TOOLS, PIP_AUDIT, SAFETY
from mlops_lint.rules import rule
from mlops_lint.rules.security._shared import places

DEPENDABOT = (".github/dependabot.yml", ".github/dependabot.yaml")
RENOVATE = ("renovate.json", "renovate.json5", ".github/renovate.json",
            ".github/renovate.json5", ".gitlab/renovate.json", ".gitlab/renovate.json5",
            ".renovaterc", ".renovaterc.json", ".renovaterc.json5")
PIP_ECOSYSTEMS = frozenset({"pip", "uv", "poetry", "pipenv"})
RENOVATE_PIP_MANAGERS = frozenset({"pip_requirements", "pep621", "poetry", "pipenv",
                                   "pip_setup", "setup-cfg", "pip-compile", "pixi"})


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


@rule("SEC005")
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
    runs = places(ctx, (PIP_AUDIT, SAFETY, *[t for t in DEP_TOOLS if t not in
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
