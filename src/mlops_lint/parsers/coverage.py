"""Coverage reports: Cobertura XML (``coverage.xml``), ``coverage.json`` and the HTML
index (``htmlcov/index.html``) that coverage.py writes.

Only the total is read. XML is parsed with :mod:`xml.etree.ElementTree` after refusing
any document type or entity declaration, so an entity bomb cannot expand; the reports
coverage.py writes never carry one.
"""

from __future__ import annotations

import json
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from html.parser import HTMLParser


class CoverageReportError(ValueError):
    """A report that cannot be read; ``line`` locates the problem when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(message)
        self.line = line


@dataclass(frozen=True)
class CoverageTotal:
    percent: float  # 0-100
    kind: str  # cobertura | json | html


def _percent(value: object, scale: float, what: str) -> float:
    try:
        number = float(str(value).strip().rstrip("%")) * scale
    except ValueError:
        raise CoverageReportError(f"{what} is not a number: {value!r}") from None
    if not math.isfinite(number) or not 0 <= number <= 100:
        raise CoverageReportError(f"{what} is out of range: {value!r}")
    return number


def _refuse_declarations(text: str) -> None:
    lowered = text.lower()
    for marker in ("<!doctype", "<!entity"):
        position = lowered.find(marker)
        if position != -1:
            line = text.count("\n", 0, position) + 1
            raise CoverageReportError(
                "document type or entity declarations are refused in a coverage report",
                line)


def parse_cobertura(text: str) -> CoverageTotal:
    """Total line coverage of a Cobertura report (``<coverage line-rate="0.85">``)."""
    _refuse_declarations(text)
    try:
        root = ET.fromstring(text)
    except ET.ParseError as exc:
        position = getattr(exc, "position", None)
        line = position[0] if isinstance(position, tuple) and position else None
        raise CoverageReportError(f"invalid XML: {exc}", line) from None
    if root.tag != "coverage":
        raise CoverageReportError(f"not a Cobertura report: root element <{root.tag}>", 1)
    rate = root.get("line-rate")
    if rate is None:
        raise CoverageReportError("the <coverage> element has no line-rate attribute", 1)
    return CoverageTotal(_percent(rate, 100.0, "line-rate"), "cobertura")


def parse_coverage_json(text: str) -> CoverageTotal:
    """``totals.percent_covered`` of a ``coverage json`` report."""
    data = json.loads(text)  # JSONDecodeError carries lineno
    totals = data.get("totals") if isinstance(data, dict) else None
    if not isinstance(totals, dict) or "percent_covered" not in totals:
        raise CoverageReportError("no totals.percent_covered in the JSON report", 1)
    return CoverageTotal(_percent(totals["percent_covered"], 1.0, "percent_covered"), "json")


class _PcCov(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.inside = False
        self.value: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        classes = " ".join(v or "" for k, v in attrs if k == "class").split()
        if self.value is None and "pc_cov" in classes:
            self.inside = True

    def handle_endtag(self, tag: str) -> None:
        self.inside = False

    def handle_data(self, data: str) -> None:
        if self.inside and self.value is None and data.strip():
            self.value = data.strip()


def parse_coverage_html(text: str) -> CoverageTotal:
    """The total of coverage.py's HTML index (``<span class="pc_cov">85%</span>``)."""
    parser = _PcCov()
    parser.feed(text)
    parser.close()
    if parser.value is None:
        raise CoverageReportError("no total (class pc_cov) in the HTML report")
    return CoverageTotal(_percent(parser.value, 1.0, "total"), "html")


def parse_coverage_report(path: str, text: str) -> CoverageTotal:
    """Parse ``text`` by the report's file name (``.xml``, ``.json`` or ``.html``)."""
    lowered = path.lower()
    if lowered.endswith(".json"):
        return parse_coverage_json(text)
    if lowered.endswith((".html", ".htm")):
        return parse_coverage_html(text)
    return parse_cobertura(text)
