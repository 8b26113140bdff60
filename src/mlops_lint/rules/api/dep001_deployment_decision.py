"""DEP001: an ADR compares serving platforms with trade-offs or costs.

The decision records (and, in a monorepo, those outside every project) are searched for
the platforms they name and for words that weigh alternatives. Not applicable (levels.md
§6) when nothing in the repository is deployed.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.readers.adr import ALL_GLOBS as ADR_ALL_GLOBS
from mlops_lint.readers.adr import RECORD_GLOBS, is_record
from mlops_lint.readers.adr import SEARCHED as ADR_SEARCHED
from mlops_lint.readers.deployment import deployment
from mlops_lint.readers.project_files import shared_files
from mlops_lint.readers.unread import reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.api._shared import doc_text

PLATFORM_PATTERNS: dict[str, str] = {
    "AWS Lambda/serverless": r"\blambda\b|serverless",
    "Cloud Run": r"cloud\s*run",
    "ECS/Fargate": r"\becs\b|fargate",
    "Kubernetes": r"kubernetes|\bk8s\b|\bgke\b|\beks\b|\baks\b",
    "App Runner": r"app\s*runner",
    "SageMaker/Vertex AI": r"sagemaker|vertex\s*ai",
    "managed ML endpoint (Azure ML/OCI Data Science)": (
        r"azure\s*(?:ml|machine\s*learning)|oci\s*data\s*science|databricks\s*model\s*serving"),
    "Azure Container Apps/App Service": r"container\s*apps|app\s*service",
    # "VM.GPU.A10.1" is an instance shape, not a platform choice
    "VM/EC2": r"\bec2\b|\bvms?\b(?!\.\w)|virtual machine|máquina virtual",
    "Heroku/Fly.io/Railway": r"heroku|fly\.io|railway|render\.com",
    "Hugging Face Spaces": r"hugging\s*face\s*spaces",
}


PLATFORMS = {name: lazy_re.compile(pattern, re.IGNORECASE)
             for name, pattern in PLATFORM_PATTERNS.items()}


TRADE_OFFS = lazy_re.compile(
    r"trade-?offs?|alternativ|\bcosts?\b|costo|coste|\$\s?\d|\d\s?(usd|eur|€)|ventaja|"
    r"desventaja|\bpros\b|\bcons\b|\bvs\.?\b|compar|consecuencias|consequences", re.IGNORECASE)


def _platforms_in(ctx: Context, path: str) -> tuple[dict[str, int], bool]:
    """Platforms a document names (with their first line) and whether it weighs options."""
    key = f"serving:platforms:{path}"
    if key not in ctx.repo.memo:
        named: dict[str, int] = {}
        trade = False
        for number, text in doc_text(ctx, path) or []:
            for name, pattern in PLATFORMS.items():
                if name not in named and pattern.search(text):
                    named[name] = number
            trade = trade or bool(TRADE_OFFS.search(text))
        ctx.repo.memo[key] = (named, trade)
    found: tuple[dict[str, int], bool] = ctx.repo.memo[key]
    return found


def _adr_files(ctx: Context) -> list[str]:
    """Decision records and ADR documents (``_adr.ALL_GLOBS``, any letter case) among the
    shared files: the project's own and, in a monorepo, the repository's outside every
    project. Templates and folder indexes are not records."""
    anywhere = set(ctx.repo.glob(ADR_ALL_GLOBS, case_sensitive=False))
    records = set(ctx.repo.glob(RECORD_GLOBS, case_sensitive=False))
    return [f for f in shared_files(ctx)
            if f in anywhere and (f not in records or is_record(f))]


@rule("DEP001")
@reports_unread
def deployment_decision(ctx: Context, params: None) -> Iterator[Finding]:
    """DEP001: an ADR compares serving platforms with trade-offs or costs. Not applicable
    (levels.md §6) when nothing in the repository is deployed."""
    deployed = deployment(ctx.repo)
    if not deployed.deploys:
        yield skipped(deployed.nothing_deployed(T(
            ", so there is no serving platform to choose",
            ", así que no hay plataforma de servicio que elegir")))
        return
    adrs = _adr_files(ctx)
    if not adrs:
        yield failed(T(f"no ADR or design record found ({ADR_SEARCHED})",
                       f"no se encuentra ningún ADR ni registro de diseño ({ADR_SEARCHED})"))
        return
    best: tuple[int, str, int, list[str], bool] | None = None
    for path in adrs:
        named, trade = _platforms_in(ctx, path)
        if not named:
            continue
        score = (2 if len(named) >= 2 else 1) + (1 if trade else 0)
        if best is None or score > best[0]:
            best = (score, path, min(named.values()), sorted(named), trade)
    if best is None:
        yield failed(T(f"{len(adrs)} ADR(s) found, none discusses the serving platform "
                       "(Lambda/serverless, Cloud Run/ECS, Kubernetes)",
                       f"{len(adrs)} ADR(s), ninguno trata la plataforma de despliegue "
                       "(Lambda/serverless, Cloud Run/ECS, Kubernetes)"), adrs[0])
        return
    _, path, line, names, trade = best
    listed = ", ".join(names)
    if len(names) >= 2 and trade:
        yield passed(T(f"ADR compares {listed} with trade-offs/costs",
                       f"el ADR compara {listed} con trade-offs/costes"), path, line)
    else:
        yield warned(T(f"ADR names {listed} but does not weigh alternatives with trade-offs "
                       "or costs",
                       f"el ADR nombra {listed} pero no compara alternativas con trade-offs "
                       "ni costes"), path, line,
                     fix=T("Add the alternatives considered (e.g. Lambda vs Cloud Run vs "
                           "Kubernetes) with their trade-offs and monthly cost.",
                           "Añade las alternativas consideradas (p. ej. Lambda vs Cloud Run vs "
                           "Kubernetes) con sus trade-offs y coste mensual."))
