"""DES001: ADRs with context, decision and consequences (L2), alternatives and status (L3).

Where records are searched is one definition shared with DEP001 and ``init``
(:mod:`mlops_lint.readers.adr`). A status may be given in the record or in an index
table of the folder; an ADR without an Alternatives section that still weighs other
options warns.

Fixes speak of the records where the project keeps them: a record lacking sections is
completed in its own folder (``proposals/``, ``rfcs/``, ``docs/adr/``...), and the
folder's template (``TEMPLATE.md``, ``0000-template.md``), when there is one, is named
as the place to add the missing field so that new records carry it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    Markdown,
    headings_matching,
    normalize,
    parse_markdown,
    phrases_in,
)
from mlops_lint.readers.adr import (
    CONTAINER_GLOBS,
    RECORD_GLOBS,
    SECTIONS,
    is_record,
    is_template,
)
from mlops_lint.readers.adr import SEARCHED as ADR_SEARCHED
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.rules import rule

# where records are searched: one definition shared with DEP001 and ``init``
ADR_GLOBS = RECORD_GLOBS
ADR_CONTAINERS = CONTAINER_GLOBS
_ADR_HEADING = lazy_re.compile(r"\bADR[-_ ]?\d+", re.IGNORECASE)
_STATUS_LINE = lazy_re.compile(r"^\s*(?:[-*]\s*)?\**(status|estado)\**\s*:", re.IGNORECASE)
_ADR_NUMBER = lazy_re.compile(r"\bADR[-_ ]?0*(\d{1,5})\b", re.IGNORECASE)
_FILE_NUMBER = lazy_re.compile(r"^(?:adr[-_ ]?)?0*(\d{1,5})(?!\d)", re.IGNORECASE)
_CELL_NUMBER = lazy_re.compile(r"^\W*(?:ADR[-_ ]?)?0*(\d{1,5})\W*$", re.IGNORECASE)
STATUS_COLUMNS = ("status", "estado", "state")
# where an ADR without an Alternatives section still weighs other options (a warning)
WEIGHING_HEADINGS = ("rationale", "justification", "justificacion", "options", "opciones",
                     "why", "por que", "comparison", "comparacion", "rejected", "descartad",
                     "considered", "consideradas")
WEIGHING_TEXT = lazy_re.compile(r"\b(?:instead of|rather than|in favou?r of|en lugar de|en vez de|"
                                r"we (?:considered|rejected)|se descart[oó])\b", re.IGNORECASE)


@dataclass(frozen=True)
class Adr:
    path: str
    line: int
    title: str
    sections: frozenset[str]
    weighed: T | None = None  # where other options are weighed without an Alternatives
    status_from: str | None = None  # the index table the status was read from
    container: bool = False  # an ADR-N section of a document holding several


def _adr_number(text: str) -> int | None:
    found = _ADR_NUMBER.search(text) or _FILE_NUMBER.search(text)
    return int(found.group(1)) if found else None


def _row_number(row: tuple[str, ...]) -> int | None:
    """The ADR number a row of an index table names: ``ADR-7`` anywhere in the row, or a
    first cell that is only a number (``007``, ``[007](adr-007.md)``)."""
    for cell in row:
        found = _ADR_NUMBER.search(cell)
        if found:
            return int(found.group(1))
    if row:
        first = re.sub(r"\]\([^()]*\)", "]", row[0])
        found = _CELL_NUMBER.match(first)
        if found:
            return int(found.group(1))
    return None


def indexed_statuses(doc: Markdown) -> dict[int, tuple[str, int]]:
    """ADR number → (status, line) from the document's index/log tables: a table with a
    Status/Estado column whose rows name an ADR number."""
    out: dict[int, tuple[str, int]] = {}
    for table in doc.tables:
        keys = [normalize(h) for h in table.header]
        column = next((i for i, k in enumerate(keys)
                       if any(k == c or k.startswith(c + " ") for c in STATUS_COLUMNS)), None)
        if column is None:
            continue
        for index, row in enumerate(table.rows):
            if column < len(row) and row[column].strip():
                number = _row_number(row)
                if number is not None:
                    out.setdefault(number, (row[column].strip(), table.row_line(index)))
    return out


def _weighed(doc: Markdown, start: int, end: int, title: int | None) -> T | None:
    """Where an ADR weighs other options outside an Alternatives section: a Rationale,
    Options or "Why ..." heading, or "instead of"/"rather than" prose."""
    for heading in doc.headings:
        if start <= heading.line <= end and heading.line != title and \
                phrases_in(WEIGHING_HEADINGS, heading.text):
            name = heading.text.strip()[:60]
            return T(f"are weighed in the '{name}' section (line {heading.line})",
                     f"se sopesan en la sección '{name}' (línea {heading.line})")
    for line, text in doc.prose:
        if start <= line <= end:
            found = WEIGHING_TEXT.search(text)
            if found:
                return T(f"are mentioned in the text ('{found.group(0)}', line {line})",
                         f"se mencionan en el texto ('{found.group(0)}', línea {line})")
    return None


# a table listing the options weighed: a column of alternatives or options, or of why one
# was rejected (``| Alternative | Rejected because |``)
OPTION_COLUMNS = ("alternative", "alternativa", "option", "opcion", "rejected", "descartad",
                  "rechazad")


def _alternatives_table(doc: Markdown, start: int, end: int) -> bool:
    """A table in lines ``start..end`` that lists the alternatives weighed, each in a row:
    the Alternatives section under another heading (Rationale, Decision)."""
    for table in doc.tables:
        if start <= table.line <= end and len(table.header) >= 2 and table.rows and any(
                any(word in normalize(cell) for word in OPTION_COLUMNS)
                for cell in table.header):
            return True
    return False


def _sections_in(doc: Markdown, start: int, end: int, title: int | None) -> set[str]:
    """ADR sections among the headings of lines ``start..end`` (the title line excluded);
    a table of the alternatives weighed counts as the Alternatives section."""
    found = set()
    for key, names in SECTIONS.items():
        if any(start <= h.line <= end and h.line != title
               for h in headings_matching(doc, names)):
            found.add(key)
    if "alternatives" not in found and _alternatives_table(doc, start, end):
        found.add("alternatives")
    if "status" not in found:
        # prose lines only: a "status:" key in a YAML example is no ADR status
        lines = [text for line, text in doc.prose if start <= line <= end]
        front = doc.front_matter if start == 1 and doc.front_matter else ""
        if any(_STATUS_LINE.match(line) for line in lines) or re.search(
                r"^status\s*:", front, re.MULTILINE | re.IGNORECASE):
            found.add("status")
    return found


def _adr(path: str, line: int, title: str, doc: Markdown, start: int, end: int,
         title_line: int | None, statuses: dict[int, tuple[str, int]], index_path: str,
         number_text: str) -> Adr:
    sections = _sections_in(doc, start, end, title_line)
    status_from = None
    if "status" not in sections:
        number = _adr_number(number_text)
        if number is not None and number in statuses:
            sections.add("status")
            status_from = f"{index_path}:{statuses[number][1]}"
    weighed = None if "alternatives" in sections else _weighed(doc, start, end, title_line)
    return Adr(path, line, title, frozenset(sections), weighed, status_from)


def _directory_statuses(ctx: Context, directory: str) -> tuple[dict[int, tuple[str, int]], str]:
    """ADR statuses from the index of an ADR folder (README.md or index.md)."""
    prefix = "" if directory == "." else directory + "/"
    for name in ("README.md", "readme.md", "index.md", "INDEX.md"):
        path = prefix + name
        if ctx.repo.exists(path):
            doc = ctx.repo.parse(path, parse_markdown)
            if not isinstance(doc, ParseError):
                found = indexed_statuses(doc)
                if found:
                    return found, path
    return {}, ""


def find_adrs(ctx: Context) -> tuple[list[Adr], list[ParseError]]:
    adrs: list[Adr] = []
    errors: list[ParseError] = []
    files = ctx.files(ADR_GLOBS, case_sensitive=False)
    indexes: dict[str, tuple[dict[int, tuple[str, int]], str]] = {}
    for path in files:
        if not is_record(path):
            continue
        name = PurePosixPath(path).name.lower()
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, ParseError):
            errors.append(doc)
            continue
        directory = str(PurePosixPath(path).parent)
        if directory not in indexes:
            indexes[directory] = _directory_statuses(ctx, directory)
        statuses, index_path = indexes[directory]
        first = doc.headings[0] if doc.headings else None
        title = first.text if first else name
        adrs.append(_adr(path, 1, title, doc, 1, len(doc.lines),
                         first.line if first and first.level <= 2 else None, statuses,
                         index_path, f"{PurePosixPath(path).name} {title}"))
    for path in ctx.files(ADR_CONTAINERS, case_sensitive=False):
        if path in files:
            continue
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, ParseError):
            errors.append(doc)
            continue
        statuses = indexed_statuses(doc)
        for heading in doc.headings:
            if heading.level <= 6 and _ADR_HEADING.search(heading.text):
                start, end = doc.span(heading)
                adrs.append(replace(_adr(path, heading.line, heading.text, doc, start, end,
                                         heading.line, statuses, path, heading.text),
                                    container=True))
    return adrs, errors


_SECTION_NAMES: dict[str, tuple[str, str]] = {
    "context": ("a Context (or Motivation) section", "una sección Contexto (o Motivación)"),
    "decision": ("a Decision (or Proposal) section", "una sección Decisión (o Propuesta)"),
    "consequences": ("a Consequences (or Drawbacks) section",
                     "una sección Consecuencias (o Desventajas)"),
    "alternatives": ("an Alternatives section", "una sección Alternativas"),
    "status": ("a Status field (e.g. 'Status: accepted')",
               "un campo Estado (p. ej. 'Status: accepted')"),
}


def folder_template(ctx: Context, record: str) -> str | None:
    """The template of the folder a record lives in (``TEMPLATE.md``, ``0000-template.md``)."""
    folder = str(PurePosixPath(record).parent)
    prefix = "" if folder == "." else folder + "/"
    for path in sorted(ctx.repo.glob([prefix + "*.md"], case_sensitive=False)):
        if str(PurePosixPath(path).parent) == folder and is_template(path):
            return path
    return None


def _record_fix(ctx: Context, adr: Adr, missing: set[str]) -> T:
    """Complete a record where the project keeps its records, and its folder's template."""
    order = [k for k in SECTIONS if k in missing]
    en = " and ".join(_SECTION_NAMES[k][0] for k in order)
    es = " y ".join(_SECTION_NAMES[k][1] for k in order)
    template = folder_template(ctx, adr.path)
    if template is not None:
        return T(f"Add {en} to {template}, so that every new record carries it, and to "
                 f"{adr.path}.", f"Añade {es} a {template}, para que cada registro nuevo lo "
                 f"lleve, y a {adr.path}.")
    return T(f"Add {en} to {adr.path}.", f"Añade {es} a {adr.path}.")


def _more_records_fix(ctx: Context, adrs: list[Adr]) -> T | None:
    """Write the next record beside the existing ones (from their template)."""
    if not adrs:
        return None
    if adrs[0].container:
        return T(f"Record the next significant decision as an ADR-N section of "
                 f"{adrs[0].path}, with context, decision, consequences, alternatives and "
                 "status.", f"Registra la siguiente decisión importante como una sección "
                 f"ADR-N de {adrs[0].path}, con contexto, decisión, consecuencias, "
                 "alternativas y estado.")
    folder = str(PurePosixPath(adrs[0].path).parent)
    template = folder_template(ctx, adrs[0].path)
    source = T(f" from {template}", f" a partir de {template}") if template else T("", "")
    return T(f"Record the next significant decision in {folder}/", "Registra la siguiente "
             f"decisión importante en {folder}/") + source + T(
        ", with context, decision, consequences, alternatives and status.",
        ", con contexto, decisión, consecuencias, alternativas y estado.")


@rule("DES001")
def adr_records(ctx: Context, params: None) -> Iterator[Finding]:
    """DES001: ADRs with context, decision and consequences (L2), alternatives and status (L3)."""
    adrs, errors = find_adrs(ctx)
    for error in errors:
        yield warned(T(f"cannot read {error.path}: {error.message}",
                       f"no se puede leer {error.path}: {error.message}"), error.path, error.line)
    core = {"context", "decision", "consequences"}
    valid = [a for a in adrs if core <= a.sections]
    if not adrs and (doc_repo := project_kind(ctx.repo).no_code()) is not None:
        yield skipped(T("not applicable: ", "no aplica: ") + doc_repo + T(
            ", so there is no software design of its own to record",
            ", así que no hay diseño de software propio que registrar"))
        return
    if not adrs:
        yield failed(T(f"no Architecture Decision Records ({ADR_SEARCHED}; ADR-N sections "
                       "in ARCHITECTURE.md)",
                       f"no hay Architecture Decision Records ({ADR_SEARCHED}; secciones ADR-N "
                       "en ARCHITECTURE.md)"))
        return
    incomplete = [a for a in adrs if not core <= a.sections]
    if not valid:
        a = incomplete[0]
        yield failed(T(f"{a.path}: the ADR lacks {', '.join(sorted(core - a.sections))} "
                       "sections", f"{a.path}: al ADR le faltan las secciones "
                       f"{', '.join(sorted(core - a.sections))}"), a.path, a.line, level=2,
                     fix=_record_fix(ctx, a, core - a.sections))
    else:
        yield passed(T(f"{len(valid)} ADR(s) with context, decision and consequences, e.g. "
                       f"{valid[0].path}", f"{len(valid)} ADR(s) con contexto, decisión y "
                       f"consecuencias, p. ej. {valid[0].path}"), valid[0].path, valid[0].line,
                     level=2)
    full = {"alternatives", "status"} | core
    lacking = [a for a in valid if not full <= a.sections]
    if len(valid) < 2:
        yield failed(T(f"{len(valid)} complete ADR(s); level 3 needs at least 2",
                       f"{len(valid)} ADR(s) completos; el nivel 3 necesita al menos 2"),
                     valid[0].path if valid else None, valid[0].line if valid else None,
                     level=3, fix=_more_records_fix(ctx, valid or adrs))
    elif lacking:
        for a in lacking:
            missing = full - a.sections
            if missing == {"alternatives"} and a.weighed:
                yield warned(T(f"{a.title}: no Alternatives section; other options ",
                               f"{a.title}: sin sección de Alternativas; otras opciones ")
                             + a.weighed, a.path, a.line, level=3,
                             fix=T("name the rejected options under an 'Alternatives "
                                   "considered' heading, with why each was not chosen",
                                   "nombra las opciones descartadas bajo un encabezado "
                                   "'Alternativas consideradas', con el motivo de cada una"))
                continue
            yield failed(T(f"{a.title}: lacks {', '.join(sorted(missing))}",
                           f"{a.title}: le falta {', '.join(sorted(missing))}"),
                         a.path, a.line, level=3, fix=_record_fix(ctx, a, set(missing)))
    else:
        yield passed(T(f"{len(valid)} ADRs, each with alternatives and status",
                       f"{len(valid)} ADRs, cada uno con alternativas y estado"),
                     valid[0].path, valid[0].line, level=3)
