"""Markdown read as structure: headings, fenced code, tables, links, front matter.

* Headings: ATX (``## Title``, optional closing ``#``), setext (a paragraph line
  underlined with ``===`` or ``---``), single-line HTML ``<h2>…</h2>``, and bold-label
  pseudo-headings (``**Intended Use:** …`` or a line that is only ``**Metrics**``), which
  some model cards use instead of headings; those get level 7.
* Fenced code blocks (````` and ``~~~``, any length, with their info string) are kept
  aside, so a ``# comment`` inside a code block is never taken for a heading.
* Indented code blocks (CommonMark: lines indented four or more columns after a blank
  line, outside a list item's content) are code too, with an empty language; the
  cookiecutter-data-science README keeps its project tree in one.
* HTML comments (``<!-- … -->``, also over several lines) are ignored entirely: template
  instructions often live there.
* GitHub-style pipe tables with their header and rows.
* Links and images: inline, reference-style, linked images (badges), HTML ``<a>`` /
  ``<img>`` and bare URLs, each with its line.
* YAML front matter (Hugging Face cards) is returned raw; parse it with a YAML loader.

:func:`section_matches` matches a heading against synonym phrases (case- and
accent-insensitive, numbering prefixes stripped, small plural/gender suffixes allowed).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_left, bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property, lru_cache

_ATX_OPEN = re.compile(r" {0,3}(#{1,6})(?=[ \t]|$)")
_SETEXT = re.compile(r"^ {0,3}(=+|-+)[ \t]*$")
_FENCE = re.compile(r"^[ \t]{0,12}(`{3,}|~{3,})[ \t]*([^`]*)$")  # indented in lists too
_HTML_HEADING = re.compile(r"^ {0,3}<h([1-6])(?:\s[^>]*)?>(.*?)</h\1>\s*$", re.IGNORECASE)
_BOLD_LABEL = re.compile(
    r"^ {0,3}(?:(?:[-*+]|\d{1,3}[.)])[ \t]+)?(?:\*\*|__)([^*_\n]{2,80}?)\s{0,80}"
    r"(?:([:：])\s{0,80})?(?:\*\*|__)\s*([:：]?)(.*)$")  # bounded: tried for each label length
_NUMBERING = re.compile(r"^(?:\d+(?:\.\d+)*[.)]?(?:\s*-)?\s+|(?:[ivxlc]+|[a-z])[.)]\s+)")
_TABLE_DELIMITER = re.compile(r"^ {0,3}\|?\s*:?-+:?\s*(?:\|\s*:?-+:?\s*)*(?:\|\s*)?$")
_BACKTICKS = re.compile(r"`+")
# Link parts, written so that no start position rescans the rest of a long line: link
# text holds no other bracket (one nested pair in _LINK), a destination no parenthesis,
# and the URL group is followed by a delimiter before any title.
_DEST = r"\(\s*<?([^()\s>]*)(?:[\s>][^()]*)?\)"
_LINKED_IMAGE = re.compile(r"\[\s*!\[([^\[\]]*)\]" + _DEST + r"\s*\]" + _DEST)
_LINKED_IMAGE_REF = re.compile(
    r"\[\s*!\[([^\[\]]*)\]\[([^\[\]]*)\]\s*\](?:\[([^\[\]]*)\]|" + _DEST + ")")
_IMAGE = re.compile(r"!\[([^\[\]]*)\]" + _DEST)
_IMAGE_REF = re.compile(r"!\[([^\[\]]*)\]\[([^\[\]]*)\]")
_LINK = re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]" + _DEST)
_LINK_REF = re.compile(r"(?<![!\]])\[([^\[\]]+)\]\[([^\[\]]*)\]")
_SHORTCUT_REF = re.compile(r"(?<![!\]\\])\[([^\[\]]+)\](?![\[(:])")
_REF_DEF = re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_HTML_IMG = re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_HTML_A = re.compile(r"<a\b([^<>]*)>(.*?)</a>", re.IGNORECASE | re.DOTALL)
# An unclosed quoted value runs to the end of the tag (never retried: linear).
_ATTR = re.compile(r"""\b(src|href|alt)\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]+))""", re.IGNORECASE)
_BARE_URL = re.compile(r"(?<![(<\"'=\[/\w])https?://[^\s)<>\]\"'`]+")
_FRONT_KEY = re.compile(r"^[A-Za-z_][\w.-]*\s*:")
_LIST_ITEM = re.compile(r"^( *)([-*+]|\d{1,9}[.)])([ \t]+)\S")
CODE_INDENT = 4  # columns that make an indented code block
_WORD = re.compile(r"[a-z0-9]+")
MAX_SUFFIX = 3  # "metric" matches "metrics", "metricas"; "uso" does not match "usuarios"


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
class Link:
    text: str  # link text, or an image's alt text
    url: str
    line: int
    image: bool = False
    target: str | None = None  # for a linked image (a badge): where it links to


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


@lru_cache(maxsize=16384)
def normalize(text: str) -> str:
    """Lower-case, accents stripped, markup and numbering removed, spaces collapsed.

    Cached: section lookups normalize the same heading texts many times (an ML Canvas
    search over a 2 MB guide asked for 170,000 normalizations of a few thousand texts).
    A link's brackets hold no other bracket (nor its parentheses another parenthesis):
    otherwise every ``[`` would rescan the rest of a long line."""
    text = re.sub(r"\{#[^{}]*\}", " ", text)  # {#anchor} attributes
    text = re.sub(r"!?\[([^\[\]]*)\]\([^()]*\)", r"\1", text)  # links keep their text
    text = re.sub(r"[*_`]|<[^<>]+>|:[a-z_]+:", "", text)
    text = "".join(c for c in unicodedata.normalize("NFKD", text)
                   if not unicodedata.combining(c))
    text = re.sub(r"[^\w\s/&().-]", " ", text.lower()).strip(" -")
    text = _NUMBERING.sub("", text)
    text = re.sub(r"[^\w\s/&()-]", " ", text)
    return re.sub(r"\s+", " ", text).strip()


@lru_cache(maxsize=8192)
def words(text: str) -> tuple[str, ...]:
    """The normalized words of ``text`` (hyphens, slashes and brackets split words)."""
    return tuple(_WORD.findall(normalize(text)))


def _token_regex(token: str) -> str:
    if len(token) < 4:  # short words: plurals only ("uso" ~ "usos", not "usuarios")
        return re.escape(token) + "(?:e?s)?"
    return re.escape(token) + f"[a-z0-9]{{0,{MAX_SUFFIX}}}"


@lru_cache(maxsize=1024)
def compile_phrases(patterns: tuple[str, ...]) -> re.Pattern[str] | None:
    """One regex matching any of ``patterns`` over :func:`joined_words` text."""
    parts = []
    for pattern in patterns:
        wanted = words(pattern.lstrip("="))
        if not wanted:
            continue
        body = " ".join(_token_regex(w) for w in wanted)
        parts.append(f"^{body}$" if pattern.startswith("=") else f"(?:^| ){body}(?= |$)")
    return re.compile("|".join(parts)) if parts else None


@lru_cache(maxsize=8192)
def joined_words(text: str) -> str:
    return " ".join(words(text))


def phrase_in(pattern: str, text: str) -> bool:
    """Whether the synonym ``pattern`` matches ``text`` (a heading or a short label).

    A pattern is a phrase whose words must appear consecutively in ``text``; each word
    matches itself or itself plus a short suffix (plural, gender: "limitation" matches
    "limitations", "métrica" matches "métricas"). A pattern starting with ``=`` must
    match the whole text ("=uses" matches "Uses" but not "Out-of-scope uses").
    """
    return phrases_in((pattern,), text)


def phrases_in(patterns: tuple[str, ...], text: str) -> bool:
    """Whether any of ``patterns`` matches ``text`` (see :func:`phrase_in`)."""
    regex = compile_phrases(patterns)
    return regex is not None and regex.search(joined_words(text)) is not None


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


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(tag)}


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


def code_spans(text: str) -> list[tuple[int, int]]:
    """``(start, end)`` of each inline code span: a run of backticks up to the next run of
    the same length on the same line (CommonMark); an unmatched run is plain text.

    Plain parsing, linear in the text: the regular expression ``(`+)(.+?)\\1`` took
    cubic time on a line of backticks."""
    spans: list[tuple[int, int]] = []
    offset = 0
    for line in text.split("\n"):
        runs = [(m.start() + offset, m.end() + offset) for m in _BACKTICKS.finditer(line)]
        following: list[int | None] = [None] * len(runs)
        seen: dict[int, int] = {}
        for index in range(len(runs) - 1, -1, -1):
            width = runs[index][1] - runs[index][0]
            following[index] = seen.get(width)
            seen[width] = index
        index = 0
        while index < len(runs):
            closing = following[index]
            if closing is None:
                index += 1
                continue
            spans.append((runs[index][0], runs[closing][1]))
            index = closing + 1
        offset += len(line) + 1
    return spans


def blank_code_spans(text: str) -> str:
    """``text`` with its inline code spans replaced by spaces (offsets kept)."""
    out, done = [], 0
    for start, end in code_spans(text):
        out += [text[done:start], " " * (end - start)]
        done = end
    return "".join(out) + text[done:]


def _links_of(line: str, number: int, refs: dict[str, str]) -> list[Link]:
    found: list[Link] = []
    text = blank_code_spans(line)

    def blank(match: re.Match[str]) -> str:
        return " " * len(match.group(0))

    def ref(label: str, fallback: str) -> str | None:
        return refs.get(_label(label or fallback))

    for m in _LINKED_IMAGE.finditer(text):
        found.append(Link(m.group(1), m.group(2), number, True, m.group(3)))
        found.append(Link(m.group(1), m.group(3), number, False))
    text = _LINKED_IMAGE.sub(blank, text)
    for m in _LINKED_IMAGE_REF.finditer(text):
        image = ref(m.group(2), m.group(1))
        target = m.group(4) or ref(m.group(3) or "", m.group(1))
        if image is not None:
            found.append(Link(m.group(1), image, number, True, target))
        if target is not None:
            found.append(Link(m.group(1), target, number, False))
    text = _LINKED_IMAGE_REF.sub(blank, text)
    for m in _IMAGE.finditer(text):
        found.append(Link(m.group(1), m.group(2), number, True))
    text = _IMAGE.sub(blank, text)
    for m in _IMAGE_REF.finditer(text):
        url = ref(m.group(2), m.group(1))
        if url is not None:
            found.append(Link(m.group(1), url, number, True))
    text = _IMAGE_REF.sub(blank, text)
    for m in _LINK.finditer(text):
        found.append(Link(m.group(1), m.group(2), number, False))
    text = _LINK.sub(blank, text)
    for m in _LINK_REF.finditer(text):
        url = ref(m.group(2), m.group(1))
        if url is not None:
            found.append(Link(m.group(1), url, number, False))
    text = _LINK_REF.sub(blank, text)
    if _REF_DEF.match(text):
        return found
    for m in _SHORTCUT_REF.finditer(text):
        url = refs.get(_label(m.group(1)))
        if url is not None:
            found.append(Link(m.group(1), url, number, False))
    # an <a> with no "</a>" after it would make (.*?)</a> scan to the end from every <a
    closed = text.lower().rfind("</a>") + len("</a>")
    for m in _HTML_A.finditer(text, 0, closed):
        attrs = _attrs(m.group(1))
        inner = m.group(2)
        images = list(_HTML_IMG.finditer(inner))
        for img in images:
            img_attrs = _attrs(img.group(0))
            found.append(Link(img_attrs.get("alt", ""), img_attrs.get("src", ""), number,
                              True, attrs.get("href")))
        if "href" in attrs:
            label = re.sub(r"<[^<>]+>", "", inner).strip()
            if images and not label:
                label = _attrs(images[0].group(0)).get("alt", "")
            found.append(Link(label, attrs["href"], number, False))
    text = _HTML_A.sub(blank, text[:closed]) + text[closed:] if closed > 3 else text
    for img in _HTML_IMG.finditer(text):
        img_attrs = _attrs(img.group(0))
        found.append(Link(img_attrs.get("alt", ""), img_attrs.get("src", ""), number, True))
    text = _HTML_IMG.sub(blank, text)
    for m in _BARE_URL.finditer(text):
        found.append(Link("", m.group(0).rstrip(".,;:"), number, False))
    return found


def _label(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


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


def parse_markdown(text: str) -> Markdown:
    lines = text.splitlines()
    headings: list[Heading] = []
    blocks: list[CodeBlock] = []
    prose: list[tuple[int, str]] = []
    tables: list[Table] = []
    front: str | None = None
    front_line = 0
    start = 0
    if lines and lines[0].strip() == "---":
        for i in range(1, len(lines)):
            if lines[i].strip() in ("---", "..."):
                body = lines[1:i]
                if not any(line.strip() for line in body) or any(
                        _FRONT_KEY.match(line) for line in body):
                    front = "\n".join(body)
                    start = i + 1
                    front_line = i + 1
                break
    fence: tuple[str, str, int, list[str]] | None = None
    code: tuple[int, int, list[str]] | None = None  # indented code: first line, column, body
    lists = _ListState()
    in_comment = False
    table: tuple[int, tuple[str, ...], list[tuple[str, ...]]] | None = None
    index = start
    while index < len(lines):
        raw = lines[index]
        number = index + 1
        index += 1
        if fence is not None:
            marker, lang, begin, body = fence
            stripped = raw.strip()
            if stripped.startswith(marker[0] * len(marker)) and set(stripped) <= {marker[0]}:
                blocks.append(CodeBlock(lang, "\n".join(body), begin, number))
                fence = None
            else:
                body.append(raw)
            continue
        if code is not None:
            if not raw.strip() or _indent(raw) >= code[1]:
                code[2].append(raw)
                continue
            blocks.append(_indented_block(*code))
            code = None
        after_blank = index - 1 <= start or not lines[index - 2].strip() or bool(
            atx_heading(lines[index - 2]))
        if (raw.strip() and not in_comment and table is None and "<!--" not in raw
                and after_blank and _indent(raw) >= lists.code_column()
                and not _FENCE.match(raw)):
            code = (number, lists.code_column(), [raw])
            continue
        if raw.strip():
            lists.see(raw, after_blank)
        visible, in_comment_after = _strip_comments(raw, in_comment)
        was_in_comment = in_comment
        in_comment = in_comment_after
        if was_in_comment and not visible.strip():
            continue
        if not visible.strip() and "<!--" in raw:
            continue
        raw = visible
        if table is not None:
            if raw.strip() and "|" in raw:
                table[2].append(cells(raw))
                prose.append((number, raw))
                continue
            tables.append(Table(table[0], table[1], tuple(table[2]), table[0] + 1 + len(table[2])))
            table = None
        opened = _FENCE.match(raw)
        if opened and not (opened.group(1)[0] == "`" and "`" in opened.group(2)):
            info = opened.group(2).strip()
            lang = info.split()[0].strip("{}.").lower() if info else ""
            fence = (opened.group(1), lang, number, [])
            continue
        atx = atx_heading(raw)
        if atx:
            headings.append(Heading(atx[0], atx[1], number))
            continue
        html = _HTML_HEADING.match(raw)
        if html:
            headings.append(Heading(int(html.group(1)),
                                    re.sub(r"<[^<>]+>", "", html.group(2)).strip(), number))
            continue
        if ("|" in raw and index < len(lines) and _TABLE_DELIMITER.match(lines[index])
                and "|" in lines[index] and not _SETEXT.match(lines[index])):
            table = (number, cells(raw), [])
            prose.append((number, raw))
            index += 1  # the delimiter row
            continue
        setext = _SETEXT.match(raw)
        if setext and prose and prose[-1][0] == number - 1:
            previous = prose[-1][1].strip()
            if previous and not previous.startswith(("-", "*", "+", ">", "|")):
                prose.pop()
                if headings and headings[-1].line == number - 1:
                    headings.pop()  # a bold label underlined: one heading, not two
                level = 1 if setext.group(1)[0] == "=" else 2
                headings.append(Heading(level, previous, number - 1))
                continue
        label = _bold_label(raw)
        if label:
            headings.append(Heading(7, label, number))
        prose.append((number, raw))
    if table is not None:
        tables.append(Table(table[0], table[1], tuple(table[2]), table[0] + 1 + len(table[2])))
    if fence is not None:
        marker, lang, begin, body = fence
        blocks.append(CodeBlock(lang, "\n".join(body), begin, len(lines)))
    if code is not None:
        blocks.append(_indented_block(*code))
    blocks.sort(key=lambda b: b.line)
    refs: dict[str, str] = {}
    for _, line in prose:
        definition = _REF_DEF.match(line)
        if definition:
            refs.setdefault(_label(definition.group(1)), definition.group(2))
    links = [link for number, line in prose for link in _links_of(line, number, refs)]
    return Markdown(tuple(lines), tuple(headings), tuple(blocks), front, tuple(prose),
                    tuple(tables), tuple(links), front_line)
