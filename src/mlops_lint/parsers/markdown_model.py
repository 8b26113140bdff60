"""The Markdown document model :func:`mlops_lint.parsers.markdown.parse_markdown` returns:
headings, code blocks, tables, links and prose with their lines, and the sections a
heading spans. Used through :mod:`mlops_lint.parsers.markdown`, which re-exports it.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from dataclasses import dataclass
from functools import cached_property

from mlops_lint.parsers.markdown_inline import Link
from mlops_lint.parsers.markdown_words import normalize


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
    line: int  # the opening fence
    end: int = 0  # the closing fence (or the last line when never closed)


@dataclass(frozen=True)
class Table:
    line: int  # the header row
    header: tuple[str, ...]
    rows: tuple[tuple[str, ...], ...]
    end: int  # the last row

    def row_line(self, index: int) -> int:
        return self.line + 2 + index


@dataclass(frozen=True)
class Markdown:
    lines: tuple[str, ...]
    headings: tuple[Heading, ...]
    code_blocks: tuple[CodeBlock, ...]
    front_matter: str | None
    prose: tuple[tuple[int, str], ...]  # (line, text) outside code blocks and comments
    tables: tuple[Table, ...] = ()
    links: tuple[Link, ...] = ()
    front_matter_line: int = 0  # line of the closing ``---`` of the front matter

    def section(self, heading: Heading) -> str:
        """Text from ``heading`` to the next heading of the same or a higher level."""
        start, end = self.span(heading)
        return "\n".join(self.lines[start - 1:end])

    @cached_property
    def _ends(self) -> dict[tuple[int, int], int]:
        """Last line of every heading's section, in one pass (a stack of open headings)."""
        ends: dict[tuple[int, int], int] = {}
        open_: list[Heading] = []
        for heading in self.headings:
            while open_ and open_[-1].level >= heading.level:
                done = open_.pop()
                ends[(done.line, done.level)] = heading.line - 1
            open_.append(heading)
        for done in open_:
            ends[(done.line, done.level)] = len(self.lines)
        return ends

    @cached_property
    def _starts(self) -> dict[str, list[int]]:
        return {
            "tables": [t.line for t in self.tables],
            "code": [c.line for c in self.code_blocks],
            "links": [k.line for k in self.links],
            "prose": [n for n, _ in self.prose],
            "headings": [h.line for h in self.headings],
        }

    def span(self, heading: Heading) -> tuple[int, int]:
        """First and last line (1-based, inclusive) of ``heading``'s section."""
        end = self._ends.get((heading.line, heading.level))
        if end is None:  # a heading that is not one of this document's
            end = len(self.lines)
            for other in self.headings:
                if other.line > heading.line and other.level <= heading.level:
                    end = other.line - 1
                    break
        return heading.line, end

    def _range(self, kind: str, heading: Heading) -> range:
        start, end = self.span(heading)
        lines = self._starts[kind]
        return range(bisect_left(lines, start), bisect_right(lines, end))

    def tables_in(self, heading: Heading) -> list[Table]:
        return [self.tables[i] for i in self._range("tables", heading)]

    def code_in(self, heading: Heading) -> list[CodeBlock]:
        return [self.code_blocks[i] for i in self._range("code", heading)]

    def links_in(self, heading: Heading) -> list[Link]:
        return [self.links[i] for i in self._range("links", heading)]

    def prose_in(self, heading: Heading) -> list[tuple[int, str]]:
        """Prose lines of the section, the heading line excluded."""
        return [self.prose[i] for i in self._range("prose", heading)
                if self.prose[i][0] != heading.line]

    def subheadings(self, heading: Heading) -> list[Heading]:
        """Headings inside ``heading``'s section (deeper ones, bold labels included)."""
        return [self.headings[i] for i in self._range("headings", heading)
                if self.headings[i].line != heading.line]
