"""Waivers: a rule excepted by an ADR the configuration names (``waivers: {RULE: ADR}``).
The ADR must exist and have context, decision and consequences sections, under any of the
headings DES001 accepts (:data:`mlops_lint.readers.adr.SECTIONS`); then every result of the
rule is kept, marked waived by it. Otherwise the rule gets one more failing result that
says what is wrong with the ADR.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from mlops_lint.catalog import Rule
from mlops_lint.config import Config
from mlops_lint.model import Result, Status, T, fingerprint
from mlops_lint.parsers import ParseError
from mlops_lint.readers.adr import SECTIONS
from mlops_lint.repo import Repo

if TYPE_CHECKING:
    from mlops_lint.parsers.markdown import Heading, Markdown

WAIVER_SECTIONS = ("context", "decision", "consequences")


def _body(doc: Markdown, heading: Heading) -> str:
    """The text of a section without its heading (a bold label's own line counts)."""
    first, _, rest = doc.section(heading).partition("\n")
    inline = first.split(heading.text, 1)[-1].strip(" *_:：") if heading.level > 6 else ""
    return (inline + rest).strip()


def validate_adr(repo: Repo, path: str) -> T | None:
    """``None`` when ``path`` is an ADR with context, decision and consequences sections
    (English or Spanish headings or bold labels; the title does not count), else what is
    wrong."""
    path = PurePosixPath(path.replace("\\", "/")).as_posix()
    if not repo.exists(path):
        return T(f"waiver ADR {path} does not exist", f"el ADR de la excepción {path} no existe")
    from mlops_lint.parsers.markdown import headings_matching, parse_markdown

    doc = repo.parse(path, parse_markdown)
    if isinstance(doc, ParseError):
        return T(f"waiver ADR {path} cannot be read: {doc.message}",
                 f"el ADR de la excepción {path} no se puede leer: {doc.message}")
    headings = doc.headings
    if headings and headings[0].level == 1 and all(h.level > 1 for h in headings[1:]):
        headings = headings[1:]  # a title over the sections names the decision: not a section
    found = {key: [h for h in headings_matching(doc, SECTIONS[key]) if h in headings]
             for key in WAIVER_SECTIONS}
    missing = [key for key, hits in found.items() if not hits]
    if missing:
        return T(f"waiver ADR {path} lacks sections: {', '.join(missing)}",
                 f"al ADR de la excepción {path} le faltan secciones: {', '.join(missing)}")
    empty = [key for key, hits in found.items() if not any(_body(doc, h) for h in hits)]
    if empty:
        return T(f"waiver ADR {path} has empty sections: {', '.join(empty)}",
                 f"el ADR de la excepción {path} tiene secciones vacías: {', '.join(empty)}")
    return None


def apply_waivers(repo: Repo, rule: Rule, results: list[Result], config: Config) -> list[Result]:
    adr = config.waivers.get(rule.id)
    if adr is None:
        return results
    adr = PurePosixPath(adr.replace("\\", "/")).as_posix()
    problem = validate_adr(repo, adr)
    if problem is None:
        note = T(f"waived by {adr}", f"exceptuada por {adr}")
        return [replace(r, status=Status.WAIVED, waiver=adr, message=note + T(
            f" (was: {r.message.en})", f" (era: {r.message.es})")) for r in results]
    low = min(c.level for c in rule.levels)
    crit = rule.criterion(low)
    invalid = Result(
        rule=rule.id, phase=rule.phase, level=low, gate=crit.gate,
        weight=crit.effective_weight if rule.scored else 0.0, status=Status.FAIL,
        severity=rule.severity, project=results[0].project if results else ".",
        path=adr if repo.exists(adr) else None,
        line=1 if repo.exists(adr) else None, message=problem,
        fix=T(f"write {adr} with Context, Decision and Consequences sections, or remove the "
              f"waiver of {rule.id} from the configuration",
              f"escribe {adr} con secciones Contexto, Decisión y Consecuencias, o quita la "
              f"excepción de {rule.id} de la configuración"),
        title=rule.title.t(), fingerprint=fingerprint(rule.id, low, ".", adr, problem.en))
    return [*results, invalid]
