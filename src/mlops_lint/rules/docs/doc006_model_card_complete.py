"""DOC006: a complete model card: at least ``min_sections`` (10) of the 12 template sections,
the ``required`` ones included (fairness, monitoring, versioning, changelog, contact); no
unfilled placeholder; a documented subgroup gap under ``max_subgroup_gap`` (the guide's 5 %).

Gaps are read from the fairness section's tables, per metric column (values in percent
turned into fractions; a column mixing both scales is skipped).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from pydantic import Field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    Markdown,
    Table,
)
from mlops_lint.rules import Params, rule
from mlops_lint.rules.docs._model_card import card_docs, detailed, model_card_report, no_card
from mlops_lint.rules.docs._placeholders import placeholder_findings
from mlops_lint.rules.docs._sections import section_set
from mlops_lint.rules.docs._shared import find, first_number, unreadable


class CompleteCardParams(Params):
    min_sections: int = Field(10, ge=1, le=12)
    max_subgroup_gap: float = Field(0.05, gt=0, lt=1, description="as a fraction")


_GAP_METRICS = lazy_re.compile(r"auc|roc|f1|accuracy|exactitud|precision|precisión|recall|tpr|fpr|"
                               r"sensibilidad|especificidad|specificity", re.I)


def subgroup_gaps(table: Table) -> list[tuple[str, float]]:
    """(metric column, max - min over subgroups) for each metric column of ``table``.

    Values in percent are turned into fractions; a column mixing both is skipped.
    """
    out = []
    for index, header in enumerate(table.header):
        if index == 0 or not _GAP_METRICS.search(header):
            continue
        values = []
        scales = set()
        for row in table.rows:
            if index < len(row):
                number = first_number(row[index])
                if number is not None:
                    values.append(number[0])
                    scales.add(number[1] or number[0] > 1)
        if len(values) >= 2 and len(scales) == 1:
            factor = 100.0 if scales.pop() else 1.0
            out.append((header, (max(values) - min(values)) / factor))
    return out


@rule("DOC006", CompleteCardParams)
def model_card_complete(ctx: Context, params: CompleteCardParams) -> Iterator[Finding]:
    """DOC006: >= 10 of the 12 template sections incl. fairness, monitoring, versioning,
    changelog and contact; no unfilled placeholders; subgroup gap within the guide's 5 %."""
    spec = section_set("model_card")
    template = spec.lists["template"]
    required = spec.lists["required"]
    any_card = False
    for path, doc, front in card_docs(ctx):
        any_card = True
        if isinstance(doc, ParseError):
            yield unreadable(path, doc)
            continue
        report = model_card_report(doc, front)
        ok = [k for k in template if k in report.present and k not in report.problems]
        lacking_required = [k for k in required if k not in ok]
        lacking = [k for k in template if k not in ok]
        count = T(f"{len(ok)} of {len(template)} template sections",
                  f"{len(ok)} de {len(template)} secciones de la plantilla")
        if len(ok) >= params.min_sections and not lacking_required:
            extra = T(f"; missing: {detailed(lacking, spec, report).en}",
                      f"; faltan: {detailed(lacking, spec, report).es}") \
                if lacking else T("", "")
            yield passed(count + extra, path)
        else:
            why = []
            if len(ok) < params.min_sections:
                why.append(T(f"{params.min_sections} needed", f"se necesitan "
                                                              f"{params.min_sections}"))
            if lacking_required:
                req = detailed(lacking_required, spec, report)
                why.append(T(f"required: {req.en}", f"obligatorias: {req.es}"))
            missing = detailed(lacking, spec, report)
            yield failed(count + T(f" ({'; '.join(w.en for w in why)}); missing: {missing.en}",
                                   f" ({'; '.join(w.es for w in why)}); faltan: {missing.es}"),
                         path, fix=T(f"complete {path} following the guide's template; add: "
                                     f"{missing.en}",
                                     f"completa {path} según la plantilla de la guía; añade: "
                                     f"{missing.es}"))
        yield from placeholder_findings(ctx, path, doc, None)
        yield from _gap_findings(path, doc, params.max_subgroup_gap)
    if not any_card:
        yield no_card(ctx)


def _gap_findings(path: str, doc: Markdown, limit: float) -> Iterator[Finding]:
    fairness = section_set("model_card")["fairness"]
    for heading in find(doc, fairness):
        for table in doc.tables_in(heading):
            for column, gap in subgroup_gaps(table):
                if gap >= limit - 1e-9:
                    yield warned(
                        T(f"documented subgroup gap in {column} is {gap:.3f} "
                          f"(guide: < {limit:g})",
                          f"la brecha entre subgrupos documentada en {column} es {gap:.3f} "
                          f"(guía: < {limit:g})"),
                        path, table.line,
                        fix=T("mitigate the gap (re-weighting, thresholds per group) and "
                              "document the mitigation",
                              "mitiga la brecha (re-ponderación, umbrales por grupo) y "
                              "documenta la mitigación"))
