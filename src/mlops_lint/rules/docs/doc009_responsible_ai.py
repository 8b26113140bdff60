"""DOC009: a responsible-AI checklist covering fairness, transparency, privacy and
accountability: docs/responsible_ai.md, an ethics section of a model card, or the pull
request template. The areas and their keywords are ``responsible_ai`` in
``card_sections.yaml``."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    phrases_in,
)
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.rules import rule
from mlops_lint.rules.docs._sections import responsible_ai_areas
from mlops_lint.rules.docs._shared import (
    MODEL_CARD_GLOBS,
    join,
    mentions,
    no_template,
    read_markdown,
)

RAI_FILES = ("docs/**/responsible*ai*.md", "docs/**/responsible-ai*.md", "RESPONSIBLE_AI.md",
             "responsible_ai.md", "docs/**/ethics*.md", "docs/**/etica*.md",
             ".github/pull_request_template.md", ".github/PULL_REQUEST_TEMPLATE/*.md",
             "docs/pull_request_template.md", "pull_request_template.md")


_RAI_HEADINGS = ("responsible ai", "ia responsable", "ai responsable", "ethical considerations",
                 "consideraciones eticas", "etica", "ethics", "responsible ai checklist")


def _rai_sources(ctx: Context) -> list[tuple[str, int | None, str]]:
    """(path, line, text) of every responsible-AI checklist or card section."""
    out: list[tuple[str, int | None, str]] = []
    for path in ctx.files(RAI_FILES, case_sensitive=False):
        text = ctx.repo.text(path)
        if not isinstance(text, ParseError):
            out.append((path, None, text))
    cards = no_template(ctx.files(MODEL_CARD_GLOBS + tuple(f"**/{g}" for g in MODEL_CARD_GLOBS),
                                   case_sensitive=False))
    for path in dict.fromkeys(cards):
        doc = read_markdown(ctx, path)
        if isinstance(doc, ParseError):
            continue
        for heading in doc.headings:
            if heading.level < 7 and phrases_in(_RAI_HEADINGS, heading.text):
                out.append((path, heading.line, doc.section(heading)))
    return out


@rule("DOC009")
def responsible_ai(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC009: a responsible-AI checklist covering fairness, transparency, privacy and
    accountability (docs/responsible_ai.md, a card section or the PR template)."""
    sources = _rai_sources(ctx)
    areas = responsible_ai_areas()
    contributing = bool(ctx.files(("CONTRIBUTING.md", ".github/CONTRIBUTING.md",
                                   "docs/CONTRIBUTING.md"), case_sensitive=False))
    bonus = T(" (+ CONTRIBUTING.md)", " (+ CONTRIBUTING.md)") if contributing else T("", "")
    if not sources and (doc_repo := project_kind(ctx.repo).no_code()) is not None:
        yield skipped(T("not applicable: ", "no aplica: ") + doc_repo + T(
            ", with no model of its own to check for fairness, privacy or accountability",
            ", sin un modelo propio cuya equidad, privacidad o responsabilidad revisar"))
        return
    if not sources:
        yield failed(T("no responsible-AI checklist (docs/responsible_ai.md, an ethics section "
                       "in the model card, or .github/pull_request_template.md)",
                       "no hay checklist de IA responsable (docs/responsible_ai.md, una sección "
                       "ética en la model card, o .github/pull_request_template.md)"),
                     fix=T("add docs/responsible_ai.md with Fairness, Transparency, Privacy and "
                           "Accountability items (guide 19.3), or put them in the PR template",
                           "añade docs/responsible_ai.md con ítems de Fairness, Transparencia, "
                           "Privacidad y Accountability (guía 19.3), o ponlos en la plantilla "
                           "de PR"))
        return
    covered: dict[str, tuple[str, int | None]] = {}
    for area in areas:
        for path, line, text in sources:
            if mentions(text, area.keywords):
                covered[area.key] = (path, line)
                break
    missing = [a for a in areas if a.key not in covered]
    names = join([a.name for a in areas if a.key in covered])
    where = sorted({p for p, _ in covered.values()})
    first = sources[0]
    if not missing:
        yield passed(T(f"all four areas ({names.en}) in {', '.join(where)}",
                       f"las cuatro áreas ({names.es}) en {', '.join(where)}") + bonus,
                     where[0], covered[areas[0].key][1])
    else:
        lack = join([a.name for a in missing])
        yield failed(T(f"responsible-AI checklist lacks: {lack.en} (has: {names.en})",
                       f"al checklist de IA responsable le falta: {lack.es} (tiene: {names.es})"),
                     first[0], first[1],
                     fix=T(f"add items for {lack.en} (guide 19.3 checklist)",
                           f"añade ítems de {lack.es} (checklist de la guía 19.3)"))
