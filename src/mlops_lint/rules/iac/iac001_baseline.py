"""IAC001: every ``.tf`` file parses; each root module pins ``required_version`` and its
providers; the code lives under an infrastructure folder (infra/, terraform/, ...) with a
README.

A provider constraint without an upper bound (``>=``) warns; no constraint at all fails.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers.terraform import (
    nested,
)
from mlops_lint.rules import rule
from mlops_lint.rules.iac._shared import (
    NOT_APPLICABLE,
    Config,
    TfDir,
    infra_top,
    read_config,
)


def _constraint_problem(constraint: Any) -> tuple[str, str] | None:
    """None when the version constraint has an upper bound (~>, =, <, exact)."""
    if not isinstance(constraint, str) or not constraint.strip():
        return "no version constraint", "sin restricción de versión"
    text = constraint.strip()
    if "~>" in text or "<" in text or re.match(r"^=?\s*v?\d", text):
        return None
    return (f"open-ended constraint {text!r} (use ~> X.Y)",
            f"restricción abierta {text!r} (usa ~> X.Y)")


def _baseline(directory: TfDir) -> Finding:
    path, line = directory.anchor
    terraform = directory.blocks("terraform")
    en: list[str] = []
    es: list[str] = []
    soft_en: list[str] = []
    soft_es: list[str] = []
    version = next((b.body.get("required_version") for _, b in terraform
                    if b.body.get("required_version")), None)
    if not version:
        en.append("no required_version")
        es.append("sin required_version")
    providers: dict[str, Any] = {}
    for _, block in terraform:
        for _, body in nested(block.body, "required_providers"):
            providers.update(body)
    if not providers:
        en.append("no required_providers")
        es.append("sin required_providers")
    for name, spec in sorted(providers.items()):
        constraint = spec.get("version") if isinstance(spec, dict) else spec
        problem = _constraint_problem(constraint)
        if problem is None:
            continue
        if constraint:
            soft_en.append(f"provider {name}: {problem[0]}")
            soft_es.append(f"proveedor {name}: {problem[1]}")
        else:
            en.append(f"provider {name}: {problem[0]}")
            es.append(f"proveedor {name}: {problem[1]}")
    where = f"{directory.shown}: "
    if en:
        return failed(T(where + "; ".join(en + soft_en), where + "; ".join(es + soft_es)),
                      path, line)
    if soft_en:
        return warned(T(where + "; ".join(soft_en), where + "; ".join(soft_es)), path, line)
    pinned = ", ".join(f"{n} {s.get('version') if isinstance(s, dict) else s}"
                       for n, s in sorted(providers.items()))
    return passed(T(f"{where}required_version {version}; providers {pinned}",
                    f"{where}required_version {version}; proveedores {pinned}"), path, line)


def _location(config: Config) -> Finding:
    files = [f.path for f in config.files] + [e.path for e in config.errors]
    outside = [f for f in files if infra_top(f) is None]
    inside = ", ".join(sorted({infra_top(f) or "" for f in files}))
    more_en = f" and {len(outside) - 3} more" if len(outside) > 3 else ""
    more_es = f" y {len(outside) - 3} más" if len(outside) > 3 else ""
    return verdict(
        not outside,
        T(f"Terraform code lives under {inside}", f"el código Terraform está bajo {inside}"),
        T(f"Terraform files outside infra/ or terraform/: {', '.join(outside[:3])}{more_en}",
          f"archivos Terraform fuera de infra/ o terraform/: {', '.join(outside[:3])}{more_es}"),
        outside[0] if outside else None, 1 if outside else None,
        fix=T("Move the Terraform code into infra/ (or terraform/).",
              "Mueve el código Terraform a infra/ (o terraform/)."))


def _readmes(ctx: Context, config: Config) -> Iterator[Finding]:
    """A README in each infrastructure directory (or in its root modules' directories)."""
    for top in sorted({infra_top(d.path + "/x") or d.path for d in config.roots}):
        dirs = {d.path for d in config.roots if (d.path + "/").startswith(top + "/")}
        # and every folder between the top and a root module (infra/terraform/ above
        # infra/terraform/aws/ and infra/terraform/gcp/)
        dirs |= {str(parent) for d in set(dirs) for parent in PurePosixPath(d).parents
                 if top and (str(parent) + "/").startswith(top + "/")}
        prefix = "" if not top else top + "/"
        readmes = [f for f in ctx.repo.glob([prefix + "**/README*"], case_sensitive=False)
                   if posixpath.dirname(f) in dirs | {top}]
        yield verdict(
            bool(readmes),
            T(f"infrastructure documented in {readmes[0] if readmes else ''}",
              f"infraestructura documentada en {readmes[0] if readmes else ''}"),
            T(f"no README in {top or '.'} (how to init, plan and apply; environments; state)",
              f"no hay README en {top or '.'} (cómo hacer init, plan y apply; entornos; "
              "estado)"),
            readmes[0] if readmes else None, None,
            fix=T(f"Add {prefix}README.md: prerequisites, terraform init/plan/apply, "
                  "environments and where the state lives.",
                  f"Añade {prefix}README.md: requisitos, terraform init/plan/apply, entornos "
                  "y dónde vive el estado."))


@rule("IAC001")
def terraform_baseline(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC001: parses; required_version + pinned providers; under infra/ with a README."""
    config = read_config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    for error in config.errors:
        yield failed(T(f"does not parse as HCL: {error.message}",
                       f"no se puede leer como HCL: {error.message}"), error.path, error.line,
                     fix=T("Fix the syntax (terraform fmt / terraform validate point at it).",
                           "Corrige la sintaxis (terraform fmt / terraform validate la "
                           "señalan)."))
    for directory in config.roots:
        yield _baseline(directory)
    yield _location(config)
    yield from _readmes(ctx, config)
