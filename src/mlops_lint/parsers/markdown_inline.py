"""Inline Markdown: code spans and the links and images of a line (inline,
reference-style, linked images, HTML ``<a>``/``<img>``, bare URLs), each with its line.

Every pattern is bounded so that no start position rescans the rest of a long line.
Used through :mod:`mlops_lint.parsers.markdown`, which re-exports the public names.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from mlops_lint import lazy_re

_BACKTICKS = lazy_re.compile(r"`+")
# Link parts, written so that no start position rescans the rest of a long line: link
# text holds no other bracket (one nested pair in _LINK), a destination no parenthesis,
# and the URL group is followed by a delimiter before any title.
_DEST = r"\(\s*<?([^()\s>]*)(?:[\s>][^()]*)?\)"
_LINKED_IMAGE = lazy_re.compile(r"\[\s*!\[([^\[\]]*)\]" + _DEST + r"\s*\]" + _DEST)
_LINKED_IMAGE_REF = lazy_re.compile(
    r"\[\s*!\[([^\[\]]*)\]\[([^\[\]]*)\]\s*\](?:\[([^\[\]]*)\]|" + _DEST + ")")
_IMAGE = lazy_re.compile(r"!\[([^\[\]]*)\]" + _DEST)
_IMAGE_REF = lazy_re.compile(r"!\[([^\[\]]*)\]\[([^\[\]]*)\]")
_LINK = lazy_re.compile(r"(?<!!)\[((?:[^\[\]]|\[[^\[\]]*\])*)\]" + _DEST)
_LINK_REF = lazy_re.compile(r"(?<![!\]])\[([^\[\]]+)\]\[([^\[\]]*)\]")
_SHORTCUT_REF = lazy_re.compile(r"(?<![!\]\\])\[([^\[\]]+)\](?![\[(:])")
_REF_DEF = lazy_re.compile(r"^ {0,3}\[([^\]]+)\]:\s*<?(\S+?)>?(?:\s+.*)?$")
_HTML_IMG = lazy_re.compile(r"<img\b[^<>]*>", re.IGNORECASE)
_HTML_A = lazy_re.compile(r"<a\b([^<>]*)>(.*?)</a>", re.IGNORECASE | re.DOTALL)
# An unclosed quoted value runs to the end of the tag (never retried: linear).
_ATTR = lazy_re.compile(
    r"""\b(src|href|alt)\s*=\s*(?:"([^"]*)"?|'([^']*)'?|([^\s>]+))""", re.IGNORECASE)
_BARE_URL = lazy_re.compile(r"(?<![(<\"'=\[/\w])https?://[^\s)<>\]\"'`]+")


@dataclass(frozen=True)
class Link:
    text: str  # link text, or an image's alt text
    url: str
    line: int
    image: bool = False
    target: str | None = None  # for a linked image (a badge): where it links to


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


def _attrs(tag: str) -> dict[str, str]:
    return {m.group(1).lower(): m.group(2) or m.group(3) or m.group(4) or ""
            for m in _ATTR.finditer(tag)}


def _label(text: str) -> str:
    return re.sub(r"\s+", " ", text.strip().lower())


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def _ref(refs: dict[str, str], label: str, fallback: str) -> str | None:
    return refs.get(_label(label or fallback))


def _linked_images(text: str, number: int, refs: dict[str, str]) -> tuple[list[Link], str]:
    """Linked images (badges), inline or by reference, and ``text`` with them blanked."""
    found: list[Link] = []
    for m in _LINKED_IMAGE.finditer(text):
        found.append(Link(m.group(1), m.group(2), number, True, m.group(3)))
        found.append(Link(m.group(1), m.group(3), number, False))
    text = _LINKED_IMAGE.sub(_blank, text)
    for m in _LINKED_IMAGE_REF.finditer(text):
        image = _ref(refs, m.group(2), m.group(1))
        target = m.group(4) or _ref(refs, m.group(3) or "", m.group(1))
        if image is not None:
            found.append(Link(m.group(1), image, number, True, target))
        if target is not None:
            found.append(Link(m.group(1), target, number, False))
    return found, _LINKED_IMAGE_REF.sub(_blank, text)


def _inline_and_refs(inline: re.Pattern[str], by_ref: re.Pattern[str], image: bool,
                     ) -> Callable[[str, int, dict[str, str]], tuple[list[Link], str]]:
    """A reader of one kind (images or links), inline or by reference, that returns them
    and the text with them blanked."""

    def read(text: str, number: int, refs: dict[str, str]) -> tuple[list[Link], str]:
        found = [Link(m.group(1), m.group(2), number, image) for m in inline.finditer(text)]
        text = inline.sub(_blank, text)
        for m in by_ref.finditer(text):
            url = _ref(refs, m.group(2), m.group(1))
            if url is not None:
                found.append(Link(m.group(1), url, number, image))
        return found, by_ref.sub(_blank, text)

    return read


_images = _inline_and_refs(_IMAGE, _IMAGE_REF, image=True)
_links = _inline_and_refs(_LINK, _LINK_REF, image=False)


def _shortcut_refs(text: str, number: int, refs: dict[str, str]) -> list[Link]:
    found = []
    for m in _SHORTCUT_REF.finditer(text):
        url = refs.get(_label(m.group(1)))
        if url is not None:
            found.append(Link(m.group(1), url, number, False))
    return found


def _html_anchor(match: re.Match[str], number: int) -> list[Link]:
    """The images inside an HTML ``<a>`` (linking to its href) and the link itself."""
    found: list[Link] = []
    attrs = _attrs(match.group(1))
    inner = match.group(2)
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
    return found


def _html_links(text: str, number: int) -> tuple[list[Link], str]:
    """HTML ``<a>`` and ``<img>`` tags, and ``text`` with them blanked."""
    found: list[Link] = []
    # an <a> with no "</a>" after it would make (.*?)</a> scan to the end from every <a
    closed = text.lower().rfind("</a>") + len("</a>")
    for m in _HTML_A.finditer(text, 0, closed):
        found += _html_anchor(m, number)
    text = _HTML_A.sub(_blank, text[:closed]) + text[closed:] if closed > 3 else text
    for img in _HTML_IMG.finditer(text):
        img_attrs = _attrs(img.group(0))
        found.append(Link(img_attrs.get("alt", ""), img_attrs.get("src", ""), number, True))
    return found, _HTML_IMG.sub(_blank, text)


def links_of(line: str, number: int, refs: dict[str, str]) -> list[Link]:
    """The links and images of one line (``refs``: the document's reference definitions,
    label -> URL). Each kind is blanked once found, so it is not found again as another."""
    if "[" not in line and "<" not in line and "http" not in line:
        return []  # no link syntax (most prose lines)
    found: list[Link] = []
    text = blank_code_spans(line)
    for kind in (_linked_images, _images, _links):
        links, text = kind(text, number, refs)
        found += links
    if _REF_DEF.match(text):
        return found
    found += _shortcut_refs(text, number, refs)
    links, text = _html_links(text, number)
    found += links
    for m in _BARE_URL.finditer(text):
        found.append(Link("", m.group(0).rstrip(".,;:"), number, False))
    return found


def document_links(prose: Iterable[tuple[int, str]]) -> list[Link]:
    """The links of a document's prose lines, reference definitions resolved."""
    lines = list(prose)
    refs: dict[str, str] = {}
    for _, line in lines:
        definition = _REF_DEF.match(line)
        if definition:
            refs.setdefault(_label(definition.group(1)), definition.group(2))
    return [link for number, line in _joined(lines) for link in links_of(line, number, refs)]


MAX_JOINED = 4


def _joined(lines: list[tuple[int, str]]) -> list[tuple[int, str]]:
    """Lines with a link or image split over the next lines of its paragraph (an open
    ``[`` the line does not close) joined to them, numbered by their first line; at most
    ``MAX_JOINED`` lines are joined."""
    out: list[tuple[int, str]] = []
    index = 0
    while index < len(lines):
        number, text = lines[index]
        taken = 1
        while (text.count("[") > text.count("]") and taken < MAX_JOINED
               and index + taken < len(lines)):
            following, more = lines[index + taken]
            if following != number + taken or not more.strip():
                break
            text = f"{text} {more.strip()}"
            taken += 1
        out.append((number, text))
        index += taken
    return out
