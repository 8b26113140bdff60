"""Unfilled template placeholders in a card (DOC006, DOC007): ``{…}``, ``[More Information
Needed]``, ``XX%``, ``TBD``... one finding per line, at most :data:`MAX_LINE_FINDINGS`.

A template repository's scaffold keeps its placeholders on purpose (the generator fills
them): files under a scaffold root are not checked."""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed
from mlops_lint.parsers.markdown import (
    Markdown,
    code_spans,
)

MAX_LINE_FINDINGS = 15


_PROSE_BRACES = lazy_re.compile(r"(?<![$\\{%^_])\{(?![{%#:])([^{}\n\"'`]{1,200})\}(?!\})")


_CODE_BRACES = lazy_re.compile(r"(?<![$\\{%])\{(?![{%#:])([^{}\n\"'`:=;,]{1,60})\}(?!\})")


_PLACEHOLDERS = (
    lazy_re.compile(r"\[More Information Needed\]|\bMore information needed\b", re.IGNORECASE),
    lazy_re.compile(r"\[(?:tu|tus|su|your|insert|insertar|añadir|agregar|add|describe|describir|"
                    r"nombre|name|completar|rellenar|fill)\b[^\]\n]{0,60}\](?![(\[:])",
                    re.IGNORECASE),
    lazy_re.compile(r"(?<![A-Za-z0-9.])(?:XX(?:\.X+)?\s?%|X\.XX+|0\.XX+|XX\.XX?)(?![A-Za-z0-9])"),
    lazy_re.compile(r"\bYYYY-MM-DD\b|\bDD/MM/YYYY\b"),
    lazy_re.compile(r"\b(?:TBD|TODO|FIXME)\b"),
    lazy_re.compile(r"\b(?:tu|your)[ ._-]?(?:nombre|name|email|correo)\b", re.IGNORECASE),
    lazy_re.compile(r"\blorem ipsum\b", re.IGNORECASE),
)


# In these code blocks ``{...}`` is code (f-strings, JSON, dicts, shell), not a placeholder.
_CODE_LANGS_WITH_BRACES = frozenset({
    "python", "py", "python3", "pycon", "ipython", "bash", "sh", "shell", "console", "zsh",
    "json", "jsonc", "javascript", "js", "typescript", "ts", "jinja", "jinja2", "j2", "html",
    "css", "sql", "r", "java", "go", "rust", "c", "cpp", "csharp", "cs", "dockerfile",
    "makefile", "hcl", "terraform", "tf", "latex", "tex", "math", "mermaid", "powershell",
    "ps1", "scala", "kotlin", "swift", "php", "ruby", "rb", "graphql", "proto", "diff",
})


_SET_ITEM = lazy_re.compile(r"^[\w.+-]{1,20}$")


def _brace_placeholder(content: str, in_code: bool) -> bool:
    """Whether ``{content}`` is a template placeholder rather than a set or code.

    ``{0, 1}`` (no letters) and ``{low, medium, high}`` (a list of single words) are
    sets; in inline code only a bare ``{word}`` (``{ruta}/model.pkl``) is a placeholder.
    """
    if not re.search(r"[^\W\d_]", content):
        return False
    items = [i.strip() for i in content.split(",")]
    if len(items) >= 2 and all(_SET_ITEM.match(i) for i in items):
        return False
    return not in_code or re.fullmatch(r"[\w .()/-]{1,60}", content) is not None


@dataclass(frozen=True)
class Placeholder:
    line: int
    text: str


def placeholders(doc: Markdown) -> list[Placeholder]:
    """Unfilled template placeholders, one entry per line (several texts joined).

    Prose and tables: ``{…}``, ``[More Information Needed]``, ``[Tu nombre]``-style
    brackets, ``XX%``, ``X.XX``, ``YYYY-MM-DD``, ``TBD``/``TODO``, "your name".
    Fenced code: only ``{word}`` tokens, and only in blocks whose language does not use
    braces itself (unlabelled, text, YAML, INI, requirements): in Python, JSON or shell
    ``{…}`` is code. HTML comments and the front matter are never read.
    """
    found: dict[int, list[str]] = {}
    lines = [*doc.prose, *((h.line, h.text) for h in doc.headings if h.level < 7)]
    for number, text in lines:
        code = code_spans(text)
        spans = [m.span() for m in _PROSE_BRACES.finditer(text)
                 if _brace_placeholder(m.group(1), any(a <= m.start() < b for a, b in code))]
        for pattern in _PLACEHOLDERS:
            spans.extend(m.span() for m in pattern.finditer(text))
        spans.sort(key=lambda s: (s[0], -s[1]))
        hits: list[str] = []
        reach = -1
        for start, end in spans:
            if end > reach:  # a hit inside an earlier one ("YYYY-MM-DD" in "{YYYY-MM-DD}")
                hits.append(text[start:end])
                reach = end
        if hits:
            found.setdefault(number, []).extend(hits)
    for block in doc.code_blocks:
        if block.lang in _CODE_LANGS_WITH_BRACES:
            continue
        for offset, text in enumerate(block.text.splitlines(), start=1):
            hits = [m.group(0) for m in _CODE_BRACES.finditer(text)
                    if _brace_placeholder(m.group(1), True)]
            if hits:
                found.setdefault(block.line + offset, []).extend(hits)
    out = []
    for number in sorted(found):
        unique = list(dict.fromkeys(h.strip() for h in found[number]))
        out.append(Placeholder(number, ", ".join(unique)))
    return out


def in_scaffold(ctx: Context, path: str) -> bool:
    """``path`` is part of a template repository's scaffold, where placeholders are the
    point (the generator fills them)."""
    return any(path.startswith(root + "/") for root in ctx.repo.scaffold_roots)


def placeholder_findings(ctx: Context, path: str, doc: Markdown,
                          level: int | None) -> list[Finding]:
    if in_scaffold(ctx, path):
        return []
    holes = placeholders(doc)
    fix = T("replace every template placeholder with the real value (or delete the line)",
            "sustituye cada marcador de la plantilla por el valor real (o borra la línea)")
    out = []
    for hole in holes[:MAX_LINE_FINDINGS]:
        out.append(failed(T(f"unfilled placeholder: {hole.text}",
                            f"marcador sin rellenar: {hole.text}"),
                          path, hole.line, level, fix))
    if len(holes) > MAX_LINE_FINDINGS:
        rest = len(holes) - MAX_LINE_FINDINGS
        out.append(failed(T(f"{rest} more lines with placeholders",
                            f"{rest} líneas más con marcadores"),
                          path, holes[MAX_LINE_FINDINGS].line, level, fix))
    return out
