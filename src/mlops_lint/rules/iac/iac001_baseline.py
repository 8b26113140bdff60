"""IAC001: every ``.tf`` file parses; each root module pins ``required_version`` and its
providers; the code lives under an infrastructure folder (infra/, terraform/, ...) with a
README.

A provider constraint without an upper bound (``>=``) warns; no constraint at all fails.
The fix keeps the declared minimum and adds the next major version as the bound (``>= 6.28``
-> ``~> 6.28``): module examples mirror the module's own minimum, which a fixed ``~> 5.0``
would contradict. A reusable module library keeps its code at the repository root, as the
module registry expects: the infra/ location check is not applicable there. In such a
library, a configuration nothing calls but that is itself a reusable module (a wrapper:
no backend, no provider block, a local module called; or anything under ``wrappers/``,
:func:`mlops_lint.readers.terraform_config.reusable_module`) is not judged on pinning:
modules keep minimum-only constraints. Examples stay root configurations, judged.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers.terraform import (
    nested,
)
from mlops_lint.readers.terraform_config import reusable_module
from mlops_lint.rules import rule
from mlops_lint.rules.iac._shared import (
    NOT_APPLICABLE,
    Config,
    TfDir,
    infra_top,
    module_library,
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


_MINIMUM = lazy_re.compile(r"^>=\s*v?(\d{1,6})(?:\.(\d{1,6}))?(?:\.(\d{1,6}))?\s*$")


def _bounded(constraint: str) -> str:
    """The declared constraint with an upper bound at the next major version: ``>= 6.28``
    becomes ``~> 6.28``, ``>= 6`` ``~> 6.0``, ``>= 6.28.1`` ``>= 6.28.1, < 7.0``."""
    match = _MINIMUM.match(constraint.strip())
    if match is None:
        return f"{constraint.strip()}, < N.0"
    major, minor, patch = match.groups()
    if patch is not None:
        return f">= {major}.{minor}.{patch}, < {int(major) + 1}.0"
    return f"~> {major}.{minor or 0}"


def _baseline_fix(version: Any, providers: dict[str, Any], missing: list[str],
                  soft: list[tuple[str, str]]) -> T:
    """The fix for one root module, built from what it declares: a bound added to each
    open-ended constraint (keeping its minimum), a constraint for each unpinned provider."""
    en: list[str] = []
    es: list[str] = []
    if not version:
        en.append('declare required_version in the terraform block (e.g. ">= 1.5.0")')
        es.append('declara required_version en el bloque terraform (p. ej. ">= 1.5.0")')
    if not providers:
        en.append("declare required_providers with a source and a version constraint for "
                  "each provider used")
        es.append("declara required_providers con un source y una restricción de versión "
                  "para cada proveedor usado")
    for name in missing:
        en.append(f'give provider {name} a version constraint (e.g. version = "~> X.Y", '
                  "X.Y the release you test against)")
        es.append(f'da al proveedor {name} una restricción de versión (p. ej. version = '
                  '"~> X.Y", X.Y la versión con la que pruebas)')
    for name, constraint in soft:
        bounded = _bounded(constraint)
        en.append(f'bound provider {name} at its next major version: version = "{bounded}" '
                  "(the same minimum)")
        es.append(f'acota el proveedor {name} en su siguiente versión mayor: version = '
                  f'"{bounded}" (el mismo mínimo)')
    text_en = "; ".join(en)
    text_es = "; ".join(es)
    return T(text_en[:1].upper() + text_en[1:] + ".", text_es[:1].upper() + text_es[1:] + ".")


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
    missing: list[str] = []
    soft: list[tuple[str, str]] = []
    for name, spec in sorted(providers.items()):
        constraint = spec.get("version") if isinstance(spec, dict) else spec
        problem = _constraint_problem(constraint)
        if problem is None:
            continue
        if constraint:
            soft_en.append(f"provider {name}: {problem[0]}")
            soft_es.append(f"proveedor {name}: {problem[1]}")
            soft.append((name, str(constraint)))
        else:
            en.append(f"provider {name}: {problem[0]}")
            es.append(f"proveedor {name}: {problem[1]}")
            missing.append(name)
    where = f"{directory.shown}: "
    fix = _baseline_fix(version, providers, missing, soft)
    if en:
        return failed(T(where + "; ".join(en + soft_en), where + "; ".join(es + soft_es)),
                      path, line, fix=fix)
    if soft_en:
        return warned(T(where + "; ".join(soft_en), where + "; ".join(soft_es)), path, line,
                      fix=fix)
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
    library = module_library(ctx, config)
    for directory in config.roots:
        if library is not None and reusable_module(directory):
            yield skipped(T(f"{directory.shown}: version pinning not judged: a reusable "
                            "module (it configures no backend or provider and wraps a local "
                            "module) of a module library; modules declare minimum-only "
                            "provider constraints and leave the upper bound to the root "
                            "configuration that calls them",
                            f"{directory.shown}: fijación de versiones no evaluada: un módulo "
                            "reutilizable (no configura backend ni proveedor y envuelve un "
                            "módulo local) de una biblioteca de módulos; los módulos declaran "
                            "restricciones de proveedor solo con mínimo y dejan la cota "
                            "superior a la configuración raíz que los llama"),
                          directory.anchor[0])
            continue
        yield _baseline(directory)
    if library is not None:  # the registry layout: main.tf at the root, modules/, examples/
        yield skipped(T("code location: not applicable (", "ubicación del código: no aplica (")
                      + library + T(
            "): a module's code lives at the repository root (main.tf, modules/, examples/) "
            "as the module registry expects, not under infra/",
            "): el código de un módulo vive en la raíz del repositorio (main.tf, modules/, "
            "examples/) como espera el registro de módulos, no bajo infra/"))
    else:
        yield _location(config)
    yield from _readmes(ctx, config)
