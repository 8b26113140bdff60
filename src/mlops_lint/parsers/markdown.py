"""Markdown read as structure: headings, fenced code, tables, links, front matter.

* Headings: ATX (``## Title``, optional closing ``#``), setext (a paragraph line
  underlined with ``===`` or ``---``), single-line HTML ``<h2>…</h2>``, and bold-label
  pseudo-headings (``**Intended Use:** …`` or a line that is only ``**Metrics**``), which
  some model cards use instead of headings; those get level 7.
* Fenced code blocks (````` and ``~~~``, any length, with their info string) are kept
  aside, so a ``# comment`` inside a code block is never taken for a heading.
* Indented code blocks (CommonMark: lines indented four or more columns after a blank
  line, outside a list item's content) are code too, with an empty language; the
  data-science project template README keeps its project tree in one.
* HTML comments (``<!-- … -->``, also over several lines) are ignored entirely: template
  instructions often live there.
* GitHub-style pipe tables with their header and rows.
* Links and images: inline, reference-style, linked images (badges), HTML ``<a>`` /
  ``<img>`` and bare URLs, each with its line.
* YAML front matter (Hugging Face cards) is returned raw; parse it with a YAML loader.

:func:`section_matches` matches a heading against synonym phrases (case- and
accent-insensitive, numbering prefixes stripped, small plural/gender suffixes allowed).

This module reads the blocks of a document; the document model
(:mod:`~mlops_lint.parsers.markdown_model`), the inline links and code spans
(:mod:`~mlops_lint.parsers.markdown_inline`) and the phrase matching
(:mod:`~mlops_lint.parsers.markdown_words`) live beside it and are re-exported here.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mlops_lint import lazy_re
from mlops_lint.parsers.markdown_inline import Link as Link
from mlops_lint.parsers.markdown_inline import blank_code_spans as blank_code_spans
from mlops_lint.parsers.markdown_inline import code_spans as code_spans
from mlops_lint.parsers.markdown_inline import document_links
from mlops_lint.parsers.markdown_model import CodeBlock as CodeBlock
from mlops_lint.parsers.markdown_model import Heading as Heading
from mlops_lint.parsers.markdown_model import Markdown as Markdown
from mlops_lint.parsers.markdown_model import Table as Table
from mlops_lint.parsers.markdown_words import compile_phrases as compile_phrases
from mlops_lint.parsers.markdown_words import joined_words as joined_words
from mlops_lint.parsers.markdown_words import normalize as normalize
from mlops_lint.parsers.markdown_words import phrase_in as phrase_in
from mlops_lint.parsers.markdown_words import phrases_in as phrases_in
from mlops_lint.parsers.markdown_words import words as words

_ATX_OPEN = lazy_re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = lazy_re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = lazy_re.compile(r"^[ \t]{0,12}(`{3,}|~{3,})[ \t]*([^`]*)$")  # indented in lists too
_HTML_HEADING = lazy_re.compile(r"^ {0,3}<h([1-6])(?:\s[^>]*)?>(.*?)</h\1>\s*$", re.IGNORECASE)
_BOLD_LABEL = lazy_re.compile(
    r"^ {0,3}(?:(?:[-*+]|\d{1,3}[.)])[ \t]+)?(?:\*\*|__)([^*_\n]{2,80}?)\s{0,80}"
    r"(?:([:：])\s{0,80})?(?:\*\*|__)\s*([:：]?)(.*)$")  # bounded: tried for each label length
_TABLE_DELIMITER = lazy_re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*(?:\|\s*)?$")
_FRONT_KEY = lazy_re.compile(r"^[A-Za-z_][\w.-]*\s*:")
_LIST_ITEM = lazy_re.compile(r"^( *)([-*+]|\d{1,9}[.)])([ \t]+)\S")
CODE_INDENT = 4  # columns that make an indented code block


def section_matches(heading: Heading, patterns: Iterable[str],
                    vetoes: Iterable[str] = ()) -> bool:
    """``heading`` matches one of ``patterns`` and none of ``vetoes``."""
    if phrases_in(tuple(vetoes), heading.text):
        return False
    return phrases_in(tuple(patterns), heading.text)


def headings_matching(doc: Markdown, names: Iterable[str]) -> list[Heading]:
    """Headings whose normalized text contains one of ``names`` (normalized too)."""
    keys = [normalize(n) for n in names]
    return [h for h in doc.headings if any(k and k in h.key for k in keys)]


def cells(line: str) -> tuple[str, ...]:
    """The cells of a pipe-table row (escaped ``\\|`` kept inside a cell)."""
    body = line.strip()
    if body.startswith("|"):
        body = body[1:]
    if body.endswith("|") and not body.endswith("\\|"):
        body = body[:-1]
    parts = re.split(r"(?<!\\)\|", body)
    return tuple(p.strip().replace("\\|", "|") for p in parts)


def _strip_comments(line: str, in_comment: bool) -> tuple[str, bool]:
    """``line`` without HTML comment text, and whether a comment is still open."""
    out: list[str] = []
    rest = line
    while rest:
        if in_comment:
            close = rest.find("-->")
            if close == -1:
                return "".join(out), True
            rest = rest[close + 3:]
            in_comment = False
        else:
            start = rest.find("<!--")
            if start == -1:
                out.append(rest)
                break
            out.append(rest[:start])
            rest = rest[start + 4:]
            in_comment = True
    return "".join(out), in_comment


def _bold_label(raw: str) -> str | None:
    match = _BOLD_LABEL.match(raw)
    if not match:
        return None
    label, colon_in, colon_out, rest = match.groups()
    if colon_in or colon_out or not rest.strip():
        return label.strip()
    return None


def atx_heading(line: str) -> tuple[int, str] | None:
    """``(level, text)`` of an ATX heading line (``## Title ##``), else ``None``.

    Plain parsing: the regular expression ``(?:[ \\t]+(.*?))?(?:[ \\t]+#+)?[ \\t]*$``
    tried every length of a lazy title against the trailing spaces (quadratic)."""
    opening = _ATX_OPEN.match(line)
    if opening is None:
        return None
    level = len(opening.group(1))
    rest = line[opening.end():]
    if not rest.strip(" \t"):
        return level, ""
    body = rest.rstrip(" \t")
    hashes = len(body) - len(body.rstrip("#"))
    if hashes:
        before = body[:-hashes]
        spaces = len(before) - len(before.rstrip(" \t"))
        if spaces and len(before) > spaces:  # a closing run after the title
            body = before
    return level, body.strip()


def _indent(line: str) -> int:
    """Leading columns of ``line``, tabs counted as four."""
    expanded = line.expandtabs(CODE_INDENT)
    return len(expanded) - len(expanded.lstrip(" "))


def _dedent(line: str, columns: int) -> str:
    expanded = line.expandtabs(CODE_INDENT)
    return expanded[min(columns, _indent(expanded)):]


class _ListState:
    """Where a list item's content starts, so its indented paragraphs are not code."""

    def __init__(self) -> None:
        self.column: int | None = None  # content column of the innermost open list item

    def code_column(self) -> int:
        """Columns a line needs to open an indented code block here."""
        return CODE_INDENT if self.column is None else self.column + CODE_INDENT

    def see(self, line: str, after_blank: bool) -> None:
        """Update with a non-blank line (not in code) that follows a blank or not."""
        indent = _indent(line)
        item = _LIST_ITEM.match(line.expandtabs(CODE_INDENT))
        if item and (indent <= 3 or (self.column is not None
                                     and indent < self.column + CODE_INDENT)):
            spaces = len(item.group(3))
            self.column = indent + len(item.group(2)) + (spaces if spaces <= 4 else 1)
        elif self.column is not None and (atx_heading(line) or (
                after_blank and indent < self.column)):
            self.column = None


def _indented_block(first: int, column: int, body: list[str]) -> CodeBlock:
    """An indented code block, trailing blank lines dropped."""
    while body and not body[-1].strip():
        body.pop()
    return CodeBlock("", "\n".join(_dedent(line, column) for line in body), first,
                     first + len(body) - 1)


def _front_matter(lines: list[str]) -> tuple[str | None, int]:
    """The raw YAML front matter and the number of its closing line (``None``, 0 without
    one): a ``---`` first line, up to a ``---`` or ``...`` line, empty or holding keys."""
    if not lines or lines[0].strip() != "---":
        return None, 0
    for i in range(1, len(lines)):
        if lines[i].strip() in ("---", "..."):
            body = lines[1:i]
            if not any(line.strip() for line in body) or any(
                    _FRONT_KEY.match(line) for line in body):
                return "\n".join(body), i + 1
            break
    return None, 0


class _Parser:
    """One pass over a document's lines: each line closes or extends the open block (a
    fence, an indented code block, a table) or is a heading or prose."""

    def __init__(self, lines: list[str], start: int) -> None:
        self.lines = lines
        self.start = start  # index of the first line after the front matter
        self.index = start  # index of the next line to read
        self.headings: list[Heading] = []
        self.blocks: list[CodeBlock] = []
        self.prose: list[tuple[int, str]] = []
        self.tables: list[Table] = []
        self.fence: tuple[str, str, int, list[str]] | None = None
        self.code: tuple[int, int, list[str]] | None = None  # first line, column, body
        self.lists = _ListState()
        self.in_comment = False
        self.table: tuple[int, tuple[str, ...], list[tuple[str, ...]]] | None = None

    def run(self) -> None:
        while self.index < len(self.lines):
            raw = self.lines[self.index]
            self.index += 1
            self._line(raw, self.index)
        self._finish()

    def _line(self, raw: str, number: int) -> None:
        if self.fence is not None:
            self._fence_line(raw, number)
            return
        if self.code is not None and self._in_code(raw):
            return
        after_blank = self._after_blank()
        if self._opens_code(raw, number, after_blank):
            return
        if raw.strip():
            self.lists.see(raw, after_blank)
        visible = self._visible(raw)
        if visible is None or (self.table is not None and self._in_table(visible, number)):
            return
        if (self._opens_fence(visible, number) or self._heading(visible, number)
                or self._opens_table(visible, number) or self._setext(visible, number)):
            return
        label = _bold_label(visible)
        if label:
            self.headings.append(Heading(7, label, number))
        self.prose.append((number, visible))

    def _fence_line(self, raw: str, number: int) -> None:
        """A line inside a fenced block: it closes the block or is part of it."""
        if self.fence is None:
            return
        marker, lang, begin, body = self.fence
        stripped = raw.strip()
        if stripped.startswith(marker[0] * len(marker)) and set(stripped) <= {marker[0]}:
            self.blocks.append(CodeBlock(lang, "\n".join(body), begin, number))
            self.fence = None
        else:
            body.append(raw)

    def _in_code(self, raw: str) -> bool:
        """Inside an indented code block: the line is part of it, or closes it and is read
        as any other line."""
        if self.code is None:
            return False
        if not raw.strip() or _indent(raw) >= self.code[1]:
            self.code[2].append(raw)
            return True
        self.blocks.append(_indented_block(*self.code))
        self.code = None
        return False

    def _after_blank(self) -> bool:
        """The current line starts the document or follows a blank line or a heading."""
        previous = self.index - 2
        return previous < self.start or not self.lines[previous].strip() or bool(
            atx_heading(self.lines[previous]))

    def _opens_code(self, raw: str, number: int, after_blank: bool) -> bool:
        if (raw.strip() and not self.in_comment and self.table is None and "<!--" not in raw
                and after_blank and _indent(raw) >= self.lists.code_column()
                and not _FENCE.match(raw)):
            self.code = (number, self.lists.code_column(), [raw])
            return True
        return False

    def _visible(self, raw: str) -> str | None:
        """``raw`` without HTML comments; ``None`` when nothing else is left of it."""
        visible, in_comment_after = _strip_comments(raw, self.in_comment)
        was_in_comment = self.in_comment
        self.in_comment = in_comment_after
        if was_in_comment and not visible.strip():
            return None
        if not visible.strip() and "<!--" in raw:
            return None
        return visible

    def _in_table(self, raw: str, number: int) -> bool:
        """Inside a table: the line is a row, or ends the table and is read as any other."""
        if self.table is None:
            return False
        if raw.strip() and "|" in raw:
            self.table[2].append(cells(raw))
            self.prose.append((number, raw))
            return True
        self._close_table()
        return False

    def _close_table(self) -> None:
        if self.table is not None:
            first, header, rows = self.table
            self.tables.append(Table(first, header, tuple(rows), first + 1 + len(rows)))
            self.table = None

    def _opens_fence(self, raw: str, number: int) -> bool:
        opened = _FENCE.match(raw)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            info = opened.group(2).strip()
            lang = info.split()[0].strip("{}.").lower() if info else ""
            self.fence = (opened.group(1), lang, number, [])
            return True
        return False

    def _heading(self, raw: str, number: int) -> bool:
        """An ATX or a single-line HTML heading."""
        atx = atx_heading(raw)
        if atx:
            self.headings.append(Heading(atx[0], atx[1], number))
            return True
        html = _HTML_HEADING.match(raw)
        if html:
            self.headings.append(Heading(int(html.group(1)),
                                         re.sub(r"<[^<>]+>", "", html.group(2)).strip(), number))
            return True
        return False

    def _opens_table(self, raw: str, number: int) -> bool:
        """A pipe-table header: the next line is its delimiter row (read now)."""
        lines, index = self.lines, self.index
        if ("|" in raw and index < len(lines) and _TABLE_DELIMITER.match(lines[index])
                and "|" in lines[index] and not _SETEXT.match(lines[index])):
            self.table = (number, cells(raw), [])
            self.prose.append((number, raw))
            self.index += 1  # the delimiter row
            return True
        return False

    def _setext(self, raw: str, number: int) -> bool:
        """A setext underline: the prose line above it becomes a heading."""
        setext = _SETEXT.match(raw)
        if not (setext and self.prose and self.prose[-1][0] == number - 1):
            return False
        previous = self.prose[-1][1].strip()
        if not previous or previous.startswith(("-", "*", "+", ">", "|")):
            return False
        self.prose.pop()
        if self.headings and self.headings[-1].line == number - 1:
            self.headings.pop()  # a bold label underlined: one heading, not two
        level = 1 if setext.group(1)[0] == "=" else 2
        self.headings.append(Heading(level, previous, number - 1))
        return True

    def _finish(self) -> None:
        """Close the blocks still open at the end of the document."""
        self._close_table()
        if self.fence is not None:
            _marker, lang, begin, body = self.fence
            self.blocks.append(CodeBlock(lang, "\n".join(body), begin, len(self.lines)))
        if self.code is not None:
            self.blocks.append(_indented_block(*self.code))
        self.blocks.sort(key=lambda b: b.line)


def parse_markdown(text: str) -> Markdown:
    lines = text.splitlines()
    front, start = _front_matter(lines)
    parser = _Parser(lines, start)
    parser.run()
    return Markdown(tuple(lines), tuple(parser.headings), tuple(parser.blocks), front,
                    tuple(parser.prose), tuple(parser.tables),
                    tuple(document_links(parser.prose)), start)
