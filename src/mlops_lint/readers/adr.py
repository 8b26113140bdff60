"""Where architecture decision records live: one definition for every rule that reads them.

DES001 (the records and their sections), DEP001 (the deployment decision among them) and
``mlops-lint init`` (whether the ADR template is needed) all look in the same places, so a
record DES001 counts is also one DEP001 reads, and ``init`` never writes a template next to
records the rules already accept.

A record is a file in an ADR folder (``docs/decisions/``, ``docs/adr/``...), a file named
``ADR-*.md`` anywhere, or an RFC/KEP-style design record (``proposals/``, ``rfcs/``,
``docs/design/``, ``enhancements/``): the same decision under other headings (Motivation,
Proposal, Drawbacks). Templates and the index/README of a folder are not records. A
*container* is a document that may hold ``ADR-N`` sections (``ARCHITECTURE.md``,
``DECISIONS*.md``).
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath

from mlops_lint import lazy_re

# folders whose Markdown files are decision records, at any depth of the project
RECORD_FOLDERS = ("docs/decisions", "docs/adr", "docs/adrs", "doc/adr",
                  "docs/architecture/decisions",
                  # RFC- and KEP-style design records: the same decision, other headings
                  "proposals", "rfcs", "rfc", "docs/rfcs", "docs/design", "enhancements")
RECORD_NAMES = ("ADR-*.md", "ADR_*.md")  # matched in any letter case
RECORD_GLOBS = tuple(f"**/{folder}/*.md" for folder in RECORD_FOLDERS) + tuple(
    f"**/{name}" for name in RECORD_NAMES)
CONTAINER_GLOBS = ("**/docs/ARCHITECTURE.md", "**/ARCHITECTURE.md", "**/DECISIONES*.md",
                   "**/docs/DECISIONS*.md", "**/DECISIONS*.md")
# every file that may hold a decision: what ``init`` and DEP001 look for
ALL_GLOBS = RECORD_GLOBS + CONTAINER_GLOBS
# how messages name the places searched
SEARCHED = "docs/decisions/, docs/adr/, ADR-*.md, proposals/, rfcs/, docs/design/"

# the sections of a record, by the headings that name them (English, Spanish, RFC/KEP)
SECTIONS: dict[str, tuple[str, ...]] = {
    # RFC/KEP records say Motivation, Proposal and Drawbacks for the same parts
    "context": ("context", "contexto", "motivation", "motivacion", "background",
                "problem statement"),
    "decision": ("decision", "decisión", "decisiones", "proposal", "propuesta",
                 "proposed design", "detailed design", "proposed solution"),
    "consequences": ("consequences", "consecuencias", "drawbacks", "desventajas"),
    "alternatives": ("alternatives", "alternativas", "options considered", "considered options",
                     "opciones consideradas", "trade-offs", "tradeoffs"),
    "status": ("status", "estado"),
}

_INDEX_NAMES = frozenset({"readme.md", "index.md"})
# a template's name: "template" or "plantilla" with at most a number and the kind of record
# (TEMPLATE.md, 0000-template.md, adr-template.md, ADR-000-plantilla.md); a record about
# templates (ADR-001-template-scope.md) is a record
_TEMPLATE_NAME = lazy_re.compile(r"^(?:(?:adr|rfc|kep|\d{1,5})[-_ ]?){0,3}(?:template|plantilla)"
                                 r"(?:[-_ ]?(?:adr|rfc|kep))?\.md$", re.IGNORECASE)


def is_template(path: str) -> bool:
    """Whether a file of a record folder is its template (``TEMPLATE.md``,
    ``0000-template.md``)."""
    return _TEMPLATE_NAME.match(PurePosixPath(path).name) is not None


def is_record(path: str) -> bool:
    """Whether a file found by ``RECORD_GLOBS`` is a record: not a template (``TEMPLATE.md``,
    ``0000-template.md``) nor the index/README of its folder."""
    name = PurePosixPath(path).name.lower()
    return name not in _INDEX_NAMES and not is_template(path)
