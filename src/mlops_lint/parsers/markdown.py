"""Markdown read as structure: headings (ATX and setext), fenced code, bold labels.

Fenced code blocks are kept aside (their language and text), so a ``# comment`` inside
a code block is never taken for a heading. Bold-label lines such as
``**Intended Use:** ...`` count as pseudo-headings, as some model cards use them.
YAML front matter (Hugging Face cards) is returned raw.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass

_ATX = re.compile(r"^ {0,3}(#{1,6})(?:[ \t]+(.*?))?(?:[ \t]+#+)?[ \t]*$")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})[ \t]*([^`\s]*)")
_BOLD_LABEL = re.compile(
    r"^ {0,3}(?:[-*+][ \t]+)?(?:\*\*|__)([^*_\n]{2,80}?)[:：]?(?:\*\*|__)[:：]?")
_NUMBERING = re.compile(r"^(?:(?:\d+|[ivxlc]+|[a-z])[.)]\s*)+(?:\d+[.)]?\s*)*", re.IGNORECASE)


@dataclass(frozen=True)
class Heading:
    level: int  # 1-6; bold labels are level 7
    text: str
    line: int

    @property
    def key(self) -> str:
        return normalize(self.text)


@dataclass(frozen=True)
class CodeBlock:
    lang: str
    text: str
    line: int


@dataclass(frozen=True)
class Markdown:
    lines: tuple[str, ...]
    headings: tuple[Heading, ...]
    code_blocks: tuple[CodeBlock, ...]
    front_matter: str | None
    prose: tuple[tuple[int, str], ...]  # (line, text) outside code blocks

    def section(self, heading: Heading) -> str:
        """Text from ``heading`` to the next heading of the same or a higher level."""
        start = heading.line
        end = len(self.lines)
        for other in self.headings:
            if other.line > start and other.level <= heading.level:
                end = other.line - 1
                break
        return "\n".join(self.lines[start:end])


def normalize(text: str) -> str:
    """Lower-case, accents stripped, markup and numbering removed, spaces collapsed."""
    text = re.sub(r"[*_`]|<[^>]+>|:[a-z_]+:", "", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s/&()-]", " ", text.lower())
    text = _NUMBERING.sub("", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def parse_markdown(text: str) -> Markdown:
    lines = text.splitlines()
    headings: list[Heading] = []
    blocks: list[CodeBlock] = []
    prose: list[tuple[int, str]] = []
    front: str | None = None
    start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                front = "\n".join(lines[1:i])
                start = i + 1
                break
    fence: tuple[str, str, int, list[str]] | None = None
    for index in range(start, len(lines)):
        raw = lines[index]
        number = index + 1
        if fence is not None:
            marker, lang, begin, body = fence
            stripped = raw.strip()
            if stripped.startswith(marker[0] * len(marker)) and set(stripped) <= {marker[0]}:
                blocks.append(CodeBlock(lang, "\n".join(body), begin))
                fence = None
            else:
                body.append(raw)
            continue
        opened = _FENCE.match(raw)
        if opened:
            fence = (opened.group(1), opened.group(2).lower(), number, [])
            continue
        atx = _ATX.match(raw)
        if atx:
            headings.append(Heading(len(atx.group(1)), (atx.group(2) or "").strip(), number))
            continue
        setext = _SETEXT.match(raw)
        if setext and prose and prose[-1][0] == number - 1:
            previous = prose[-1][1].strip()
            if previous and not previous.startswith(("-", "*", "+", ">", "|")):
                prose.pop()
                level = 1 if setext.group(1)[0] == "=" else 2
                headings.append(Heading(level, previous, number - 1))
                continue
        label = _BOLD_LABEL.match(raw)
        if label:
            headings.append(Heading(7, label.group(1).strip(), number))
        prose.append((number, raw))
    if fence is not None:
        marker, lang, begin, body = fence
        blocks.append(CodeBlock(lang, "\n".join(body), begin))
    return Markdown(tuple(lines), tuple(headings), tuple(blocks), front, tuple(prose))


def headings_matching(doc: Markdown, names: Iterable[str]) -> list[Heading]:
    """Headings whose normalized text contains one of ``names`` (normalized too)."""
    keys = [normalize(n) for n in names]
    return [h for h in doc.headings if any(k and k in h.key for k in keys)]
