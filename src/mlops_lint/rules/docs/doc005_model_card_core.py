"""DOC005: the model card's core sections (``core`` in ``card_sections.yaml``), matched by
their English/Spanish synonyms; metrics need a numeric table (or ``model-index`` numbers)."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers import ParseError
from mlops_lint.rules import rule
from mlops_lint.rules.docs._model_card import card_docs, detailed, model_card_report, no_card
from mlops_lint.rules.docs._sections import section_set
from mlops_lint.rules.docs._shared import unreadable


@rule("DOC005")
def model_card_core(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC005: the 7 core sections (ES/EN synonyms), metrics with a numeric table."""
    spec = section_set("model_card")
    core = spec.lists["core"]
    any_card = False
    for path, doc, front in card_docs(ctx):
        any_card = True
        if isinstance(doc, ParseError):
            yield unreadable(path, doc)
            continue
        report = model_card_report(doc, front)
        ok = [k for k in core if k in report.present and k not in report.problems]
        bad = [k for k in core if k not in ok]
        if not bad:
            yield passed(T(f"all {len(core)} core sections: {spec.names(core).en}",
                           f"las {len(core)} secciones básicas: {spec.names(core).es}"), path)
        else:
            missing = detailed(bad, spec, report)
            yield failed(T(f"{len(ok)} of {len(core)} core sections; missing: {missing.en}; "
                           f"present: {spec.names(ok).en or 'none'}",
                           f"{len(ok)} de {len(core)} secciones básicas; faltan: {missing.es}; "
                           f"presentes: {spec.names(ok).es or 'ninguna'}"),
                         path, fix=T(f"add these sections to {path}: {missing.en}",
                                     f"añade estas secciones a {path}: {missing.es}"))
    if not any_card:
        yield no_card(ctx)
