"""Matching headings and labels against synonym phrases: text normalized (case, accents,
markup and numbering dropped) and phrases compiled to one regex over its words.

A pattern is a phrase whose words must appear consecutively; each word matches itself or
itself plus a short suffix (plural, gender). Used through :mod:`mlops_lint.parsers.markdown`,
which re-exports these functions.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from mlops_lint import lazy_re

_NUMBERING = lazy_re.compile(r"^(?:\d+(?:\.\d+)*[.)]?(?:\s*-)?\s+|(?:[ivxlc]+|[a-z])[.)]\s+)")
_WORD = lazy_re.compile(r"[a-z0-9]+")
MAX_SUFFIX = 3  # "metric" matches "metrics", "metricas"; "uso" does not match "usuarios"


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
