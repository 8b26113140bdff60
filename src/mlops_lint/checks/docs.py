"""Phase 7 checks: README and licence, badges, model and dataset cards, MkDocs site,
responsible-AI checklist and demo assets (DOC001-DOC010).

Markdown is read as structure (:mod:`mlops_lint.parsers.markdown`): headings (ATX,
setext, HTML and bold labels), fenced code, tables and links. Card sections are matched
with the English/Spanish synonym sets of ``rules/_data/card_sections.yaml``.

Scope (rules.md §0.4): the cards (DOC004-DOC007) are checked per project; README,
badges, docs site, responsible AI and demo (DOC001-DOC003, DOC008-DOC010) once, at the
repository root.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any
from urllib.parse import unquote, urlparse

from pydantic import Field

from mlops_lint.context import Context
from mlops_lint.globs import filter_paths
from mlops_lint.model import Finding, T, failed, manual, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import WORKFLOW_GLOBS, ci_commands, other_ci_files, workflows
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.markdown import (
    CodeBlock,
    Heading,
    Link,
    Markdown,
    Table,
    code_spans,
    normalize,
    parse_markdown,
    phrases_in,
    section_matches,
)
from mlops_lint.parsers.yaml_file import load_yaml
from mlops_lint.rules import Params, check

# -- the synonym data ------------------------------------------------------------------


@dataclass(frozen=True)
class Section:
    key: str
    name: T
    patterns: tuple[str, ...]
    vetoes: tuple[str, ...] = ()

    def matches(self, heading: Heading) -> bool:
        return section_matches(heading, self.patterns, self.vetoes)


@dataclass(frozen=True)
class SectionSet:
    sections: dict[str, Section]
    lists: dict[str, tuple[str, ...]]

    def __getitem__(self, key: str) -> Section:
        return self.sections[key]

    def names(self, keys: Iterable[str]) -> T:
        return T.join([self.sections[k].name for k in keys], ", ")


@dataclass(frozen=True)
class Area:
    key: str
    name: T
    keywords: tuple[str, ...]


def _text(node: Any) -> T:
    return T(str(node["en"]), str(node["es"]))


@lru_cache(maxsize=1)
def card_data() -> dict[str, Any]:
    """``rules/_data/card_sections.yaml``, loaded once."""
    from mlops_lint.resources import builtin_rules_dir

    path = builtin_rules_dir() / "_data" / "card_sections.yaml"
    data = load_yaml(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"{path}: expected a mapping")
    return data


@lru_cache(maxsize=4)
def section_set(kind: str) -> SectionSet:
    """The sections of ``model_card``, ``dataset_card`` or ``readme``."""
    raw = card_data()[kind]
    sections = {}
    for key, body in raw["sections"].items():
        patterns = tuple(str(p) for p in (*body.get("en", ()), *body.get("es", ())))
        sections[str(key)] = Section(str(key), _text(body["name"]), patterns,
                                     tuple(str(v) for v in body.get("not", ())))
    lists = {str(k): tuple(str(x) for x in v) for k, v in raw.items()
             if k != "sections" and isinstance(v, list)}
    for keys in lists.values():
        unknown = [k for k in keys if k not in sections]
        if unknown:
            raise ValueError(f"card_sections.yaml: {kind}: unknown sections {unknown}")
    return SectionSet(sections, lists)


@lru_cache(maxsize=1)
def responsible_ai_areas() -> tuple[Area, ...]:
    raw = card_data()["responsible_ai"]
    return tuple(Area(str(k), _text(v["name"]), tuple(str(w) for w in v["keywords"]))
                 for k, v in raw.items())


# -- shared helpers --------------------------------------------------------------------

README_GLOBS = ("README.md", "README.markdown", "README.mdown")
LICENSE_GLOBS = ("LICENSE", "LICENSE.*", "LICENCE", "LICENCE.*", "COPYING", "COPYING.*",
                 "LICENSE-*", "LICENSE_*", "LICENCE-*", "LICENCE_*", "COPYING-*",
                 "LICENSES/*")
MODEL_CARD_GLOBS = ("model_card*.md", "model-card*.md", "modelcard*.md",
                    "docs/**/model_card*.md", "docs/**/model-card*.md", "docs/**/modelcard*.md")
DATA_CARD_GLOBS = ("data_card*.md", "data-card*.md", "dataset_card*.md", "dataset-card*.md",
                   "datasheet*.md", "docs/**/data_card*.md", "docs/**/data-card*.md",
                   "docs/**/dataset_card*.md", "docs/**/dataset-card*.md",
                   "docs/**/datasheet*.md")
TEMPLATE_WORDS = ("template", "plantilla")
HF_MODEL_KEYS = frozenset({"model-index", "pipeline_tag", "library_name", "base_model"})
HF_DATASET_KEYS = frozenset({"task_categories", "size_categories", "dataset_info", "configs",
                             "annotations_creators", "source_datasets", "pretty_name"})
MAX_LINE_FINDINGS = 15

_NUMBER = re.compile(r"(?<![\w{.])[-+]?\d+(?:[.,]\d+)?(?:\s*%)?")
_SHELL_LANGS = frozenset({"", "bash", "sh", "shell", "console", "zsh", "shell-session",
                          "powershell", "ps1", "cmd", "bat", "fish", "make", "text"})
_INSTALL_CMD = re.compile(
    r"\b(?:pip3?|uv\s+pip|python\s+-m\s+pip)\s+install\b|\bpoetry\s+install\b|\buv\s+sync\b|"
    r"\bpipenv\s+install\b|\b(?:conda|mamba|micromamba)\s+(?:env\s+create|create|install)\b|"
    r"\bmake\s+(?:install|setup|init|env|venv|dev)\b|\bdocker[ -]compose\b.*\bup\b|"
    r"\bdocker\s+(?:build|pull)\b|\bpixi\s+install\b|\bhatch\s+env\b", re.IGNORECASE)
_RUN_CMD = re.compile(
    r"\bmake\s+(?!install\b|setup\b)[\w-]+|\bpython3?\s+(?:-m\s+\w|\S+\.py)|\buvicorn\b|"
    r"\bgunicorn\b|\bstreamlit\s+run\b|\bdocker\s+run\b|\bdocker[ -]compose\b.*\bup\b|"
    r"\bcurl\b|\bpytest\b|\bmlflow\b|\bdvc\s+repro\b|\bjupyter\b|\bpoetry\s+run\b|"
    r"\buv\s+run\b|\bhttpie\b|\bhttp\s+(?:GET|POST)\b", re.IGNORECASE)


_NONE = T("none", "ninguna")


def _join(items: list[T], empty: T = _NONE) -> T:
    return T.join(items, ", ") if items else empty


def _read_markdown(ctx: Context, path: str) -> Markdown | ParseError:
    return ctx.repo.parse(path, parse_markdown)


def _unreadable(path: str, error: ParseError, level: int | None = None) -> Finding:
    return failed(T(f"{path} cannot be read: {error.message}",
                    f"{path} no se puede leer: {error.message}"), path, error.line, level,
                  fix=T(f"save {path} as UTF-8 text", f"guarda {path} como texto UTF-8"))


def front_matter_data(text: str) -> dict[str, Any] | None:
    """The YAML front matter of a Markdown text as a mapping (``None`` without one)."""
    front = parse_markdown(text).front_matter
    if front is None:
        return None
    data = load_yaml(front)
    return {str(k): v for k, v in data.items()} if isinstance(data, dict) else None


def _front_matter(ctx: Context, path: str) -> dict[str, Any] | None:
    data = ctx.repo.parse(path, front_matter_data)
    return None if isinstance(data, ParseError) else data


def is_hf_model_card(data: dict[str, Any] | None) -> bool:
    """A Hugging Face model card's front matter (``model-index``, ``license`` + ...)."""
    if not data:
        return False
    keys = set(data)
    if keys & HF_MODEL_KEYS:
        return True
    return "license" in keys and bool(keys & {"datasets", "metrics"}) \
        and not keys & HF_DATASET_KEYS


def is_hf_dataset_card(data: dict[str, Any] | None) -> bool:
    return bool(data) and bool(set(data or {}) & HF_DATASET_KEYS) \
        and not set(data or {}) & HF_MODEL_KEYS


def _no_template(paths: Iterable[str]) -> list[str]:
    return [p for p in paths if not any(w in p.lower() for w in TEMPLATE_WORDS)]


def _first_number(cell: str) -> tuple[float, bool] | None:
    match = _NUMBER.search(cell)
    if match is None:
        return None
    raw = match.group(0).replace(" ", "")
    percent = raw.endswith("%")
    raw = raw.rstrip("%")
    if re.fullmatch(r"[-+]?\d+,\d+", raw):
        raw = raw.replace(",", ".")
    try:
        return float(raw.replace(",", "")), percent
    except ValueError:  # pragma: no cover - the regex only admits numbers
        return None


def numeric_table(table: Table, min_rows: int = 1) -> bool:
    """A table with at least ``min_rows`` rows holding a number outside the first column."""
    rows = [r for r in table.rows if any(_first_number(c) is not None for c in r[1:])]
    return len(rows) >= min_rows


def _has_content(doc: Markdown, heading: Heading) -> bool:
    if heading.level == 7:
        raw = doc.lines[heading.line - 1]
        rest = re.sub(r"^\s*(?:(?:[-*+]|\d+[.)])\s+)?(?:\*\*|__).*?(?:\*\*|__)\s*[:：]?", "",
                      raw, count=1)
        if rest.strip():
            return True
    if doc.tables_in(heading) or doc.code_in(heading):
        return True
    for _, text in doc.prose_in(heading):
        if text.strip() and not re.fullmatch(r"\s*(?:[-*_]\s*){3,}", text):
            return True
    return bool(doc.subheadings(heading))


def find(doc: Markdown, section: Section) -> list[Heading]:
    """Headings of ``doc`` matching ``section`` that have some content."""
    return [h for h in doc.headings if section.matches(h) and _has_content(doc, h)]


def _title(doc: Markdown) -> Heading | None:
    """The document title: its first heading when that is the only level-1 heading, so
    its section is the whole document (``# MLOps Demo Project`` is not a Demo section)."""
    level_one = [h for h in doc.headings if h.level == 1]
    if len(level_one) == 1 and doc.headings and doc.headings[0] == level_one[0]:
        return level_one[0]
    return None


def find_sections(doc: Markdown, section: Section) -> list[Heading]:
    """Like :func:`find`, without the document title (a README's name is no section)."""
    title = _title(doc)
    return [h for h in find(doc, section) if h != title]


def _section_text(doc: Markdown, headings: Iterable[Heading]) -> str:
    return "\n".join(doc.section(h) for h in headings)


def _mentions(text: str, phrases: Iterable[str]) -> bool:
    lines = text.splitlines()
    wanted = tuple(phrases)
    return any(phrases_in(wanted, line) for line in lines)


# -- placeholders ----------------------------------------------------------------------

_PROSE_BRACES = re.compile(r"(?<![$\\{%^_])\{(?![{%#:])([^{}\n\"'`]{1,200})\}(?!\})")
_CODE_BRACES = re.compile(r"(?<![$\\{%])\{(?![{%#:])([^{}\n\"'`:=;,]{1,60})\}(?!\})")
_PLACEHOLDERS = (
    re.compile(r"\[More Information Needed\]|\bMore information needed\b", re.IGNORECASE),
    re.compile(r"\[(?:tu|tus|su|your|insert|insertar|añadir|agregar|add|describe|describir|"
               r"nombre|name|completar|rellenar|fill)\b[^\]\n]{0,60}\](?![(\[:])",
               re.IGNORECASE),
    re.compile(r"(?<![A-Za-z0-9.])(?:XX(?:\.X+)?\s?%|X\.XX+|0\.XX+|XX\.XX?)(?![A-Za-z0-9])"),
    re.compile(r"\bYYYY-MM-DD\b|\bDD/MM/YYYY\b"),
    re.compile(r"\b(?:TBD|TODO|FIXME)\b"),
    re.compile(r"\b(?:tu|your)[ ._-]?(?:nombre|name|email|correo)\b", re.IGNORECASE),
    re.compile(r"\blorem ipsum\b", re.IGNORECASE),
)
# In these code blocks ``{...}`` is code (f-strings, JSON, dicts, shell), not a placeholder.
_CODE_LANGS_WITH_BRACES = frozenset({
    "python", "py", "python3", "pycon", "ipython", "bash", "sh", "shell", "console", "zsh",
    "json", "jsonc", "javascript", "js", "typescript", "ts", "jinja", "jinja2", "j2", "html",
    "css", "sql", "r", "java", "go", "rust", "c", "cpp", "csharp", "cs", "dockerfile",
    "makefile", "hcl", "terraform", "tf", "latex", "tex", "math", "mermaid", "powershell",
    "ps1", "scala", "kotlin", "swift", "php", "ruby", "rb", "graphql", "proto", "diff",
})


_SET_ITEM = re.compile(r"^[\w.+-]{1,20}$")


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


def _placeholder_findings(ctx: Context, path: str, doc: Markdown,
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


# -- DOC001 README and licence ---------------------------------------------------------

_LICENSES = (
    ("MIT", re.compile(r"Permission is hereby granted, free of charge|\bMIT License\b", re.I)),
    ("Apache-2.0", re.compile(r"Apache License,?\s+Version 2\.0|\bApache-2\.0\b", re.I)),
    ("AGPL-3.0", re.compile(r"GNU AFFERO GENERAL PUBLIC LICENSE", re.I)),
    ("LGPL", re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE", re.I)),
    ("GPL", re.compile(r"GNU GENERAL PUBLIC LICENSE", re.I)),
    ("BSD", re.compile(r"Redistribution and use in source and binary forms", re.I)),
    ("MPL-2.0", re.compile(r"Mozilla Public License", re.I)),
    ("Unlicense", re.compile(r"This is free and unencumbered software", re.I)),
    ("CC", re.compile(r"Creative Commons", re.I)),
    ("proprietary", re.compile(r"All rights reserved|propietari|proprietary", re.I)),
)
# the standard text's own instructions for applying it (Apache's APPENDIX with
# "Copyright [yyyy] [name of copyright owner]", the GPL's "How to Apply These Terms" with
# "<year> <name of author>") follow this line: they are part of the licence, not holes
_END_OF_TERMS = re.compile(r"END OF TERMS AND CONDITIONS", re.I)
_LICENSE_HOLES = re.compile(r"\[(?:year|yyyy|fullname|full name|name of copyright owner|"
                            r"nombre|año)\]|<year>|<copyright holders?>|\{year\}|"
                            r"\{(?:fullname|author|name|nombre)\}", re.I)


def _readme(ctx: Context) -> str | None:
    found = ctx.files(README_GLOBS, case_sensitive=False)
    return found[0] if found else None


def _shell_blocks(doc: Markdown, headings: Iterable[Heading] | None = None) -> list[CodeBlock]:
    blocks = doc.code_blocks if headings is None else [
        b for h in headings for b in doc.code_in(h)]
    return [b for b in blocks if b.lang in _SHELL_LANGS]


def _description(doc: Markdown, readme: SectionSet) -> int | None:
    """Line of the README's one-line description, if there is one."""
    first_h2 = next((h.line for h in doc.headings if 2 <= h.level <= 6), len(doc.lines) + 1)
    table_lines = {n for t in doc.tables for n in range(t.line, t.end + 1)}
    heading_lines = {h.line for h in doc.headings if h.level < 7}
    for number, text in doc.prose:
        if number >= first_h2 or number in table_lines or number in heading_lines:
            continue
        if _words_of_prose(text) >= 3:
            return number
    for heading in find_sections(doc, readme["description"]):
        for number, text in doc.prose_in(heading):
            if number not in table_lines and _words_of_prose(text) >= 3:
                return number
    return None


def _words_of_prose(text: str) -> int:
    text = re.sub(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]", " ", text)  # images
    text = re.sub(r"\[\s*\]\([^)]*\)", " ", text)  # emptied linked images
    text = re.sub(r"<[^>]+>", " ", text)
    text = re.sub(r"^\s*(?:>\s*)+", "", text)
    text = re.sub(r"\]\([^)]*\)", " ", text)
    if re.match(r"^\s*\[[^\]]+\]:\s", text):
        return 0
    return len(re.findall(r"[^\W\d_]{2,}", text))


@dataclass(frozen=True)
class ReadmeFacts:
    description: int | None
    install: int | None
    quickstart: int | None
    usage: int | None


def readme_facts(doc: Markdown) -> ReadmeFacts:
    """Where the README gives a description, installation, a quick start and usage."""
    readme = section_set("readme")
    install_heads = find_sections(doc, readme["install"])
    quick_heads = find_sections(doc, readme["quickstart"])
    usage_heads = find_sections(doc, readme["usage"])
    shell = _shell_blocks(doc)
    install_blocks = [b for b in shell if _INSTALL_CMD.search(b.text)]
    run_blocks = [b for b in doc.code_blocks if _RUN_CMD.search(b.text)
                  or (b.lang in ("python", "py") and re.search(r"^\s*(?:import|from)\s", b.text,
                                                              re.M))]
    install = install_heads[0].line if install_heads else (
        install_blocks[0].line if install_blocks else None)
    quick_blocks = [b for h in quick_heads for b in doc.code_in(h)]
    quickstart = quick_blocks[0].line if quick_blocks else None
    if quickstart is None:
        both = [b for b in install_blocks
                if len([ln for ln in b.text.splitlines() if ln.strip()
                        and not ln.strip().startswith("#")]) >= 2]
        quickstart = both[0].line if both else None
    usage = usage_heads[0].line if usage_heads else (run_blocks[0].line if run_blocks else None)
    return ReadmeFacts(_description(doc, readme), install, quickstart, usage)


def _license_kind(text: str) -> str | None:
    for name, pattern in _LICENSES:
        if pattern.search(text):
            return name
    return None


@check("readme_and_license")
def readme_and_license(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC001: README.md with description, installation, quick start and usage; LICENSE."""
    path = _readme(ctx)
    if path is None:
        other = ctx.files(("README", "README.*"), case_sensitive=False)
        note = T(f" ({other[0]} found; the guide's template is Markdown)",
                 f" (hay {other[0]}; la plantilla de la guía es Markdown)") if other else T("", "")
        yield failed(T("no README.md", "no hay README.md") + note,
                     other[0] if other else None,
                     fix=T("add README.md: one-line description, installation, a Quick Start "
                           "code block (pip install -e \".[dev]\", make train/test/serve) "
                           "and usage",
                           "añade README.md: descripción de una línea, instalación, un bloque "
                           "Quick Start (pip install -e \".[dev]\", make train/test/serve) y uso"))
    else:
        doc = _read_markdown(ctx, path)
        if isinstance(doc, ParseError):
            yield _unreadable(path, doc)
        else:
            facts = readme_facts(doc)
            parts = [
                (facts.description, T("one-line description", "descripción de una línea")),
                (facts.install, T("installation instructions", "instrucciones de instalación")),
                (facts.quickstart, T("Quick Start code block", "bloque de código Quick Start")),
                (facts.usage, T("usage", "uso")),
            ]
            missing = [name for where, name in parts if where is None]
            present = [name for where, name in parts if where is not None]
            if missing:
                yield failed(
                    T(f"README lacks: {_join(missing).en} (has: {_join(present).en})",
                      f"al README le falta: {_join(missing).es} (tiene: {_join(present).es})"),
                    path, fix=T(f"add to {path}: {_join(missing).en}",
                                f"añade a {path}: {_join(missing).es}"))
            else:
                yield passed(T("README has a description, installation, a Quick Start block "
                               "and usage",
                               "el README tiene descripción, instalación, bloque Quick Start "
                               "y uso"), path)
    yield from _license_finding(ctx)


def _license_finding(ctx: Context) -> Iterator[Finding]:
    licenses = ctx.files(LICENSE_GLOBS, case_sensitive=False)
    fix = T("add a LICENSE file (MIT recommended by the guide)",
            "añade un archivo LICENSE (la guía recomienda MIT)")
    if not licenses:
        declared = _declared_license(ctx)
        note = T(f" (pyproject.toml declares {declared}, but the text is not shipped)",
                 f" (pyproject.toml declara {declared}, pero falta el texto)") \
            if declared else T("", "")
        yield failed(T("no LICENSE file", "no hay archivo LICENSE") + note, fix=fix)
        return
    path = licenses[0]
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        yield _unreadable(path, text)
        return
    if not text.strip():
        yield failed(T(f"{path} is empty", f"{path} está vacío"), path, fix=fix)
        return
    end = _END_OF_TERMS.search(text)
    hole = _LICENSE_HOLES.search(text, 0, end.start() if end else len(text))
    kind = _license_kind(text)
    label = kind or T("unrecognised licence", "licencia no reconocida").en
    if hole is not None:
        line = text.count("\n", 0, hole.start()) + 1
        yield warned(T(f"{path} ({label}) still has the template's {hole.group(0)}",
                       f"{path} ({label}) aún tiene {hole.group(0)} de la plantilla"),
                     path, line, fix=T("fill in the year and the copyright holder",
                                       "rellena el año y el titular del copyright"))
        return
    if kind is None:
        yield passed(T(f"{path} present (licence not recognised)",
                       f"{path} presente (licencia no reconocida)"), path)
    elif kind == "MIT":
        yield passed(T(f"{path}: MIT", f"{path}: MIT"), path)
    else:
        yield passed(T(f"{path}: {kind} (the guide recommends MIT)",
                       f"{path}: {kind} (la guía recomienda MIT)"), path)


def _declared_license(ctx: Context) -> str | None:
    if not ctx.repo.exists("pyproject.toml"):
        return None
    data = ctx.repo.toml("pyproject.toml")
    if isinstance(data, ParseError):
        return None
    project = data.get("project")
    value = project.get("license") if isinstance(project, dict) else None
    if isinstance(value, dict):
        value = value.get("text") or value.get("file")
    return str(value) if value else None


# -- DOC002 badges ---------------------------------------------------------------------

_GH_WORKFLOW_FILE = re.compile(
    r"github\.com/([^/]+)/([^/]+)/actions/workflows/([^/?#]+?)/badge\.svg", re.I)
# a workflow name may hold slashes ("Continuous Integration - Main/Release")
_GH_WORKFLOW_NAME = re.compile(
    r"github\.com/([^/]+)/([^/]+)/workflows/([^?#]{1,200}?)/badge\.svg", re.I)
_SHIELDS_WORKFLOW_FILE = re.compile(
    r"img\.shields\.io/github/actions/workflow/status/([^/]+)/([^/]+)/([^/?#]+)", re.I)
_SHIELDS_WORKFLOW_NAME = re.compile(
    r"img\.shields\.io/github/workflow/status/([^/]+)/([^/]+)/([^/?#]+)", re.I)
_OTHER_CI_BADGE = (
    ("gitlab", re.compile(r"/badges/[^/]+/pipeline\.svg|gitlab\.com/.*/pipeline", re.I)),
    ("travis", re.compile(r"travis-ci\.(?:org|com)", re.I)),
    ("circleci", re.compile(r"circleci\.com/.*\.svg|dl\.circleci\.com", re.I)),
    ("azure", re.compile(r"dev\.azure\.com/.*/_apis/build/status", re.I)),
)
_COVERAGE_BADGE = re.compile(r"codecov\.io|coveralls\.io|coverage|cobertura|test_coverage",
                             re.I)
_PLACEHOLDER_OWNER = re.compile(
    r"^(?:user|username|usuario|your[-_]?(?:user(?:name)?|org|name)|tu[-_]?usuario|owner|"
    r"org|organization|repo|repository|repositorio|<[^>]*>|\{[^}]*\}|\[[^\]]*\]|x{2,})$", re.I)


@dataclass(frozen=True)
class CiBadge:
    link: Link
    owner: str
    repo: str
    workflow: str  # a file name, or a workflow name when ``by_name``
    by_name: bool


def _ci_badge(link: Link) -> CiBadge | None:
    for pattern, by_name in ((_GH_WORKFLOW_FILE, False), (_SHIELDS_WORKFLOW_FILE, False),
                             (_GH_WORKFLOW_NAME, True), (_SHIELDS_WORKFLOW_NAME, True)):
        match = pattern.search(link.url)
        if match:
            return CiBadge(link, unquote(match.group(1)), unquote(match.group(2)),
                           unquote(match.group(3)), by_name)
    return None


def _badges(doc: Markdown) -> list[Link]:
    return [k for k in doc.links if k.image]


def _workflow_exists(ctx: Context, badge: CiBadge) -> bool:
    if not badge.by_name:
        return ctx.repo.exists(f".github/workflows/{badge.workflow}")
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        name = wf.raw.get("name")
        stem = PurePosixPath(wf.path).stem
        if (isinstance(name, str) and name.strip() == badge.workflow.strip()) \
                or stem == badge.workflow:
            return True
    return False


@check("readme_badges")
def readme_badges(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC002: a CI status badge for an existing workflow and a coverage badge."""
    path = _readme(ctx)
    if path is None:
        yield failed(T("no README.md to carry the badges", "no hay README.md para los badges"),
                     fix=T("add README.md with CI and coverage badges",
                           "añade README.md con badges de CI y de cobertura"))
        return
    doc = _read_markdown(ctx, path)
    if isinstance(doc, ParseError):
        yield _unreadable(path, doc)
        return
    badges = _badges(doc)
    ci = [b for b in (_ci_badge(k) for k in badges) if b is not None]
    for badge in ci:
        where = T(f".github/workflows/{badge.workflow}", f".github/workflows/{badge.workflow}") \
            if not badge.by_name else T(f"a workflow named '{badge.workflow}'",
                                        f"un workflow llamado '{badge.workflow}'")
        if not _workflow_exists(ctx, badge):
            yield failed(T(f"CI badge points at {where.en}, which does not exist",
                           f"el badge de CI apunta a {where.es}, que no existe"),
                         path, badge.link.line,
                         fix=T("point the badge at an existing workflow file "
                               "(actions/workflows/<file>.yml/badge.svg)",
                               "apunta el badge a un workflow existente "
                               "(actions/workflows/<archivo>.yml/badge.svg)"))
        elif _PLACEHOLDER_OWNER.match(badge.owner) or _PLACEHOLDER_OWNER.match(badge.repo):
            yield warned(T(f"CI badge still points at the template's {badge.owner}/{badge.repo}",
                           f"el badge de CI aún apunta a {badge.owner}/{badge.repo} de la "
                           "plantilla"),
                         path, badge.link.line,
                         fix=T("replace USER/REPO in the badge URL with this repository",
                               "cambia USER/REPO en la URL del badge por este repositorio"))
        else:
            yield passed(T(f"CI badge for {where.en}", f"badge de CI de {where.es}"),
                         path, badge.link.line)
    other_ci = [(system, k) for k in badges for system, pattern in _OTHER_CI_BADGE
                if pattern.search(k.url)]
    for system, link in other_ci:
        configured = bool(other_ci_files(ctx.repo).get(system))
        yield (passed(T(f"{system} CI badge", f"badge de CI de {system}"), path, link.line)
               if configured else
               failed(T(f"{system} CI badge, but no {system} configuration in the repository",
                        f"badge de CI de {system}, pero no hay configuración de {system}"),
                      path, link.line))
    has_ci = bool(ctx.repo.glob(WORKFLOW_GLOBS)) or bool(other_ci_files(ctx.repo))
    if not ci and not other_ci and not has_ci:
        yield failed(T("no CI status badge, and no CI configuration for one to report on",
                       "no hay badge de estado de CI, ni configuración de CI de la que "
                       "informar"), path,
                     fix=T("set up CI first (a workflow that runs the tests, see CI001), then "
                           "add its status badge under the title",
                           "configura primero la CI (un workflow que ejecute los tests, ver "
                           "CI001) y luego añade su badge de estado bajo el título"))
    elif not ci and not other_ci and not ctx.repo.glob(WORKFLOW_GLOBS):
        systems = ", ".join(sorted(other_ci_files(ctx.repo)))
        yield failed(T("no CI status badge", "no hay badge de estado de CI"), path,
                     fix=T(f"add the status badge of the {systems} pipeline under the title",
                           f"añade el badge de estado del pipeline de {systems} bajo el "
                           "título"))
    elif not ci and not other_ci:
        yield failed(T("no CI status badge", "no hay badge de estado de CI"), path,
                     fix=T("add [![CI](https://github.com/<owner>/<repo>/actions/workflows/"
                           "<workflow>.yml/badge.svg)](...) under the title",
                           "añade [![CI](https://github.com/<owner>/<repo>/actions/workflows/"
                           "<workflow>.yml/badge.svg)](...) bajo el título"))
    coverage = [k for k in badges if _ci_badge(k) is None
                and (_COVERAGE_BADGE.search(k.url) or _COVERAGE_BADGE.search(k.text))]
    extras = [name for name, pattern in (("Python", r"python"), ("License", r"licen[cs]e"))
              if any(re.search(pattern, k.url + " " + k.text, re.I) for k in badges)]
    bonus = T(f" (also: {', '.join(extras)})", f" (además: {', '.join(extras)})") \
        if extras else T("", "")
    if not coverage:
        yield failed(T("no coverage badge", "no hay badge de cobertura"), path,
                     fix=T("add a coverage badge (Codecov, or a shields.io 'coverage' badge)",
                           "añade un badge de cobertura (Codecov, o un badge 'coverage' de "
                           "shields.io)"))
    elif all(re.search(r"XX|%7B|\{", k.url) for k in coverage):
        yield warned(T("the coverage badge is the template's placeholder (XX%)",
                       "el badge de cobertura es el marcador de la plantilla (XX%)"),
                     path, coverage[0].line,
                     fix=T("use a badge fed by the coverage report (Codecov, coverage-badge)",
                           "usa un badge alimentado por el informe de cobertura (Codecov, "
                           "coverage-badge)"))
    else:
        yield passed(T("coverage badge", "badge de cobertura") + bonus, path, coverage[0].line)


# -- DOC003 README architecture and navigation -----------------------------------------

class NavigationParams(Params):
    min_signals: int = Field(3, ge=1, le=5)


_METRIC_WORDS = re.compile(
    r"\b(?:accuracy|exactitud|precisi[oó]n|precision|recall|f1|auc|roc|rmse|mae|mape|r2|r²|"
    r"coverage|cobertura|latency|latencia|mse|log[- ]?loss|map|ndcg|bleu|rouge|score)\b", re.I)
_CARD_LINK = re.compile(r"model[_-]?card|data(?:set)?[_-]?card|datasheet|github\.io|"
                        r"readthedocs\.io|(?:^|/)docs/|(?:^|/)site/", re.I)
_ARCH_IMAGE = re.compile(r"architect|arquitect|diagram|\bc4\b", re.I)
# A directory-tree line: a branch then a name (not a box-drawing rule such as ├────┤).
_TREE_LINE = re.compile(r"(?:[├└]─{2,}|\|--|`--)[ \t]*[^\s─━┤┼┐┘│|]")
# A line crediting a template or a tool: its links are someone else's site, not this
# project's docs (the cookiecutter-data-science footer links drivendata.github.io).
_ATTRIBUTION = re.compile(
    r"\b(?:based on|generated (?:with|by|from)|powered by|made with|built with|created with|"
    r"scaffolded (?:with|from)|cookiecutter|basado en|generado con|hecho con)\b", re.I)


_IMAGE_FILE = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|bmp)(?:[?#].*)?$", re.I)
# an image written over several lines (``[![Architecture of\nservices](img.png)](...)``),
# which a line-by-line link reader misses; alt text bounded, at most one line break
_WRAPPED_IMAGE = re.compile(r"!\[[^\[\]\n]{0,200}\n[^\[\]\n]{0,200}\]\(\s*([^()\s]{1,500})|"
                            r"<img\s[^<>]{0,500}?src=[\"']([^\"'<>]{1,500})", re.I)
# a table naming each component's technology: a column such as Language or Technology
_STACK_COLUMNS = ("language", "languages", "technology", "technologies", "tech", "stack",
                  "framework", "frameworks", "tool", "tools", "lenguaje", "lenguajes",
                  "tecnologia", "tecnologias", "herramienta", "herramientas")


def _wrapped_images(doc: Markdown, start: int, end: int) -> list[tuple[int, str]]:
    """(line, url) of images spanning lines, or HTML ``<img>``, between ``start`` and
    ``end``."""
    text = "\n".join(doc.lines[start - 1:end])
    found = []
    for match in _WRAPPED_IMAGE.finditer(text):
        found.append((start + text.count("\n", 0, match.start()),
                      match.group(1) or match.group(2) or ""))
    return found


_OWN_DOCS_HOST = re.compile(r"github\.io|readthedocs\.io|model[_-]?card|data(?:set)?[_-]?card|"
                            r"datasheet", re.I)


def _foreign_docs(url: str) -> bool:
    """An absolute link whose only docs signal is a ``/docs/`` path: another product's
    documentation (cloud.google.com/.../docs/...), not this project's."""
    return bool(urlparse(url).netloc) and not _OWN_DOCS_HOST.search(url)


def _stack_table(table: Table) -> bool:
    return len(table.rows) >= 2 and any(normalize(h) in _STACK_COLUMNS for h in table.header)


def _metric_table(table: Table) -> bool:
    labels = " ".join(table.header) + " " + " ".join(r[0] for r in table.rows if r)
    return bool(_METRIC_WORDS.search(labels)) and numeric_table(table)


def _prose_tree(doc: Markdown) -> list[int]:
    """First line of a directory tree written outside a code block (three tree lines
    within six), as READMEs pasted from cookiecutter templates often have."""
    tree = [n for n, text in doc.prose if _TREE_LINE.search(text)]
    for i in range(len(tree) - 2):
        if tree[i + 2] - tree[i] <= 6:
            return [tree[i]]
    return []


def navigation_signals(doc: Markdown) -> dict[str, int | None]:
    """DOC003's five signals and where each is (line), ``None`` when absent."""
    readme = section_set("readme")
    arch_heads = find_sections(doc, readme["architecture"])
    mermaid = [b for b in doc.code_blocks if b.lang == "mermaid"]
    arch_images = [k for k in doc.links if k.image and (
        any(doc.span(h)[0] <= k.line <= doc.span(h)[1] for h in arch_heads)
        or _ARCH_IMAGE.search(k.url + " " + k.text))]
    arch_blocks = [b for h in arch_heads for b in doc.code_in(h)]
    wrapped = [line for h in arch_heads for line, _ in _wrapped_images(doc, *doc.span(h))]
    wrapped += [line for line, url in _wrapped_images(doc, 1, len(doc.lines))
                if _ARCH_IMAGE.search(url)]
    arch_lines = sorted([*(b.line for b in mermaid), *(k.line for k in arch_images),
                         *(b.line for b in arch_blocks), *wrapped])
    trees = [b for b in doc.code_blocks if _TREE_LINE.search(b.text)]
    struct_heads = find_sections(doc, readme["structure"])
    struct_blocks = [b for h in struct_heads for b in doc.code_in(h)]
    tree_lines = sorted([b.line for b in (*trees, *struct_blocks)] + _prose_tree(doc))
    metrics = next((t for t in doc.tables if _metric_table(t)), None)
    lines = doc.lines
    # a link to an image file under docs/ is a picture, not the documentation
    links = next((k for k in doc.links if not k.image and _CARD_LINK.search(k.url)
                  and not _IMAGE_FILE.search(k.url) and not _foreign_docs(k.url)
                  and not _ATTRIBUTION.search(lines[k.line - 1])), None)
    stack_head = next((h for h in find_sections(doc, readme["tech_stack"])), None)
    stack_table = next((t for t in doc.tables if _stack_table(t)), None)
    stack_lines = [x.line for x in (stack_head, stack_table) if x is not None]
    return {
        "architecture": arch_lines[0] if arch_lines else None,
        "structure": tree_lines[0] if tree_lines else None,
        "metrics": metrics.line if metrics is not None else None,
        "links": links.line if links is not None else None,
        "tech_stack": min(stack_lines) if stack_lines else None,
    }


_SIGNAL_NAMES = {
    "architecture": T("architecture diagram", "diagrama de arquitectura"),
    "structure": T("project structure tree", "árbol de estructura del proyecto"),
    "metrics": T("metrics table", "tabla de métricas"),
    "links": T("links to model card / data card / docs site",
               "enlaces a model card / data card / sitio de docs"),
    "tech_stack": T("tech stack", "stack tecnológico"),
}


@check("readme_navigation", NavigationParams)
def readme_navigation(ctx: Context, params: NavigationParams) -> Iterator[Finding]:
    """DOC003: at least 3 of architecture diagram, tree, metrics table, doc links, stack."""
    path = _readme(ctx)
    if path is None:
        yield failed(T("no README.md", "no hay README.md"))
        return
    doc = _read_markdown(ctx, path)
    if isinstance(doc, ParseError):
        yield _unreadable(path, doc)
        return
    signals = navigation_signals(doc)
    have = [k for k, v in signals.items() if v is not None]
    lacking = [k for k, v in signals.items() if v is None]
    have_t = _join([_SIGNAL_NAMES[k] for k in have])
    lack_t = _join([_SIGNAL_NAMES[k] for k in lacking])
    line = min((v for v in signals.values() if v is not None), default=None)
    message = T(f"{len(have)} of 5: {have_t.en}; missing: {lack_t.en}",
                f"{len(have)} de 5: {have_t.es}; faltan: {lack_t.es}")
    fix = T(f"add to the README: {lack_t.en}", f"añade al README: {lack_t.es}")
    if len(have) >= params.min_signals:
        yield passed(message, path, line)
    elif have:  # about what is missing: the README, not one of the signals found
        yield warned(message, path, fix=fix)
    else:
        yield failed(message, path, fix=fix)


# -- DOC004-DOC006 model card ----------------------------------------------------------


@dataclass(frozen=True)
class Cards:
    dedicated: list[str]
    templates: list[str]
    hf_readme: str | None
    scaffold: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return self.dedicated or self.scaffold or ([self.hf_readme] if self.hf_readme else [])


def scaffold_files(ctx: Context, globs: Iterable[str]) -> list[str]:
    """Files matching ``globs`` relative to a scaffold folder of a template repository
    (``templates/docs/model-card-template.md``): the card a generated project starts
    with, template words in its name included."""
    roots = ctx.repo.scaffold_roots
    if not roots:
        return []
    return filter_paths(ctx.repo.files, [f"{root}/{glob}" for root in roots for glob in globs],
                        case_sensitive=False)


def model_cards(ctx: Context) -> Cards:
    """The project's model cards: the spec's locations, else a card shipped by the
    scaffold of a template repository, else a Hugging Face README."""
    found = ctx.files(MODEL_CARD_GLOBS, case_sensitive=False)
    dedicated = _no_template(found)
    templates = [p for p in found if p not in dedicated]
    hf = None
    readme = next(iter(ctx.files(README_GLOBS, case_sensitive=False)), None)
    if readme is not None and is_hf_model_card(_front_matter(ctx, readme)):
        hf = readme
    scaffold = [] if dedicated else [p for p in scaffold_files(ctx, MODEL_CARD_GLOBS)
                                     if p not in found]
    return Cards(dedicated, templates, hf, scaffold)


def _card_fix(ctx: Context) -> T:
    where = ctx.path("docs/model_card.md")
    return T(f"add {where} (the guide's template: docs/templates/model_card_template.md)",
             f"añade {where} (plantilla de la guía: docs/templates/model_card_template.md)")


@check("model_card_exists")
def model_card_exists(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC004: docs/model_card.md, MODEL_CARD.md, ... or a Hugging Face README card."""
    cards = model_cards(ctx)
    if not cards.dedicated and cards.hf_readme:
        yield passed(T(f"{cards.hf_readme} is a Hugging Face model card (YAML front matter)",
                       f"{cards.hf_readme} es una model card de Hugging Face (front matter "
                       "YAML)"), cards.hf_readme)
        return
    if not cards.dedicated and cards.scaffold:
        for path in cards.scaffold:
            yield passed(T(f"model card {path}, shipped by the scaffold to every generated "
                           "project",
                           f"model card {path}, que la plantilla entrega a cada proyecto "
                           "generado"), path)
        return
    if not cards.dedicated:
        note = T(f" (only the template {cards.templates[0]})",
                 f" (solo la plantilla {cards.templates[0]})") if cards.templates else T("", "")
        yield failed(T("no model card", "no hay model card") + note,
                     cards.templates[0] if cards.templates else None, fix=_card_fix(ctx))
        return
    for path in cards.dedicated:
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            yield _unreadable(path, text)
        elif not text.strip():
            yield failed(T(f"{path} is empty", f"{path} está vacía"), path, fix=_card_fix(ctx))
        else:
            yield passed(T(f"model card {path}", f"model card {path}"), path)


def _no_card(ctx: Context, level: int | None = None) -> Finding:
    return failed(T("no model card (see DOC004)", "no hay model card (ver DOC004)"),
                  level=level, fix=_card_fix(ctx), see="DOC004")


def _hf_metrics(front: dict[str, Any] | None) -> bool:
    """A ``model-index`` with at least one numeric metric value."""
    if not front:
        return False
    index = front.get("model-index")
    for model in index if isinstance(index, list) else []:
        for result in (model.get("results") or []) if isinstance(model, dict) else []:
            for metric in (result.get("metrics") or []) if isinstance(result, dict) else []:
                if isinstance(metric, dict) and isinstance(metric.get("value"), (int, float)):
                    return True
    return False


@dataclass(frozen=True)
class CardReport:
    """Which sections a card has (by key) and the problems of those it has."""

    present: dict[str, int]  # key -> line of the first matching heading (0: front matter)
    problems: dict[str, T]  # key -> why the section does not count (no numeric table...)


_OUT_OF_SCOPE_PHRASES = ("out of scope", "not intended", "should not be used", "not be used",
                         "no usar", "no debe usarse", "no debe utilizarse", "no recomendado",
                         "no previsto", "no se debe usar")


_LEAD_FIELD = re.compile(r"[ \t]{0,8}(?:[-*+][ \t]{1,4})?(?P<label>[^\W\d_][\w ()/-]{0,39}?)"
                         r"[ \t]{0,4}:[ \t]{0,8}(?P<value>\S.{0,299})")
_LEAD_VERSION = re.compile(r"[ \t]{0,8}(?:[-*+][ \t]{1,4})?(?:model[ \t]{1,4}|modelo[ \t]{1,4})?"
                           r"versi[oó]n[ \t]{0,4}:?[ \t]{0,8}v?\d{1,6}(?:\.\d{1,6}){1,3}\b.{0,200}",
                           re.IGNORECASE)
_MODEL_LABELS = frozenset({"model", "modelo", "model type", "tipo de modelo", "algorithm",
                           "algoritmo", "architecture", "arquitectura", "estimator"})
_DETAIL_LABELS = frozenset({"model", "modelo", "model name", "name", "nombre", "owner",
                            "owners", "responsable", "date", "fecha", "version", "versión",
                            "model version", "type", "tipo", "model type", "tipo de modelo",
                            "target", "task", "tarea", "license", "licencia", "developed by",
                            "desarrollado por", "framework", "algorithm", "algoritmo"})
_ALGORITHM = re.compile(r"classifier|regressor|regression|forest|boost|xgb|lgbm|svm|svc|knn|"
                        r"neighbo|tree|network|\bnet\b|transformer|bert|lstm|cnn|gpt|llama|"
                        r"logreg|voting|ensemble|stacking|k-?means|cluster|arima|prophet",
                        re.IGNORECASE)
_VERSION_VALUE = re.compile(r"v?\d{1,6}(?:\.\d{1,6}){1,3}\b")


def lead_fields(doc: Markdown) -> dict[str, tuple[int, str]]:
    """Sections a card gives as ``Label: value`` lines under its title, before its first
    section (``- Model: VotingClassifier ...``, ``- **Version:** 1.0.0``): key -> (line,
    text). Two or more such fields are the model details; a model label naming an
    algorithm is the architecture; a version number is the version."""
    titles = [h for h in doc.headings if h.level <= 6]
    if not titles or titles[0].level != 1:
        return {}
    start = titles[0].line
    end = titles[1].line - 1 if len(titles) > 1 else len(doc.lines)
    out: dict[str, tuple[int, str]] = {}
    details = 0
    for number, text in doc.prose:  # outside code blocks
        if not start < number <= min(end, start + 40):
            continue
        line = text[:400].replace("**", "").replace("__", "")
        if _LEAD_VERSION.fullmatch(line):
            out.setdefault("versioning", (number, line))
            details += 1
            continue
        field = _LEAD_FIELD.fullmatch(line)
        if field is None:
            continue
        label = field.group("label").strip().lower()
        value = field.group("value")
        if label in _DETAIL_LABELS:
            details += 1
        model_label = label in _MODEL_LABELS or label.endswith(" model") or \
            label.startswith("modelo ")  # "Primary model", "Modelo base"
        if model_label and _ALGORITHM.search(value):
            out.setdefault("architecture", (number, line))
        if "version" in label and _VERSION_VALUE.search(value):
            out.setdefault("versioning", (number, line))
    if details >= 2:
        out["details"] = (start, doc.lines[start - 1])
    return out


def model_card_report(doc: Markdown, front: dict[str, Any] | None) -> CardReport:
    spec = section_set("model_card")
    present: dict[str, int] = {}
    problems: dict[str, T] = {}
    heads = {key: find(doc, section) for key, section in spec.sections.items()}
    for key, found in heads.items():
        if found:
            present[key] = found[0].line
    lead = {k: v for k, v in lead_fields(doc).items() if k not in present}
    for key, (line, _) in lead.items():
        present[key] = line
    if "out_of_scope" not in present:
        for key in ("intended_use", "limitations"):
            for heading in heads[key]:
                if _mentions(doc.section(heading), _OUT_OF_SCOPE_PHRASES):
                    present["out_of_scope"] = heading.line
                    break
            if "out_of_scope" in present:
                break
    hf_numbers = _hf_metrics(front)
    if hf_numbers and "metrics" not in present:
        present["metrics"] = 0
    if heads["metrics"] and not hf_numbers and not any(
            numeric_table(t) for h in heads["metrics"] for t in doc.tables_in(h)):
        problems["metrics"] = T("no table with numeric values", "sin tabla con valores numéricos")
    if heads["fairness"] and not any(numeric_table(t, 2) for h in heads["fairness"]
                                     for t in doc.tables_in(h)):
        problems["fairness"] = T("no subgroup metrics table", "sin tabla de métricas por subgrupo")
    if heads["monitoring"]:
        text = _section_text(doc, heads["monitoring"])
        lacks = []
        if not re.search(r"umbral|threshold|alert|alerta|[<>≥≤]\s*\d|\d\s*%", text, re.I):
            lacks.append(T("alert thresholds", "umbrales de alerta"))
        if not re.search(r"re-?entren|re-?train|retraining", text, re.I):
            lacks.append(T("retraining plan", "plan de reentrenamiento"))
        if lacks:
            problems["monitoring"] = T("no ", "sin ") + T.join(lacks, ", ")
    if heads["versioning"] or "versioning" in lead:
        text = _section_text(doc, heads["versioning"]) if heads["versioning"] else \
            lead["versioning"][1]
        code = bool(re.search(r"\bcommit\b|\btag\b|\bsha\b|\bgit\b|\bv\d+\.\d+", text, re.I))
        model = bool(re.search(r"mlflow|run[ _-]?id|\bdvc\b|\bhash\b|registry|registro", text,
                               re.I))
        if not (code and model):
            problems["versioning"] = T("needs the code commit/tag and an MLflow run id or DVC "
                                       "hash",
                                       "necesita el commit/tag del código y un run id de MLflow "
                                       "o un hash de DVC")
    return CardReport(present, problems)


def _card_docs(ctx: Context) -> Iterator[tuple[str, Markdown | ParseError,
                                               dict[str, Any] | None]]:
    for path in model_cards(ctx).all:
        yield path, _read_markdown(ctx, path), _front_matter(ctx, path)


def _detailed(keys: Iterable[str], spec: SectionSet, report: CardReport) -> T:
    parts = []
    for key in keys:
        name = spec[key].name
        problem = report.problems.get(key)
        parts.append(name + (T(" (", " (") + problem + T(")", ")") if problem else T("", "")))
    return _join(parts)


@check("model_card_core")
def model_card_core(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC005: the 7 core sections (ES/EN synonyms), metrics with a numeric table."""
    spec = section_set("model_card")
    core = spec.lists["core"]
    any_card = False
    for path, doc, front in _card_docs(ctx):
        any_card = True
        if isinstance(doc, ParseError):
            yield _unreadable(path, doc)
            continue
        report = model_card_report(doc, front)
        ok = [k for k in core if k in report.present and k not in report.problems]
        bad = [k for k in core if k not in ok]
        if not bad:
            yield passed(T(f"all {len(core)} core sections: {spec.names(core).en}",
                           f"las {len(core)} secciones básicas: {spec.names(core).es}"), path)
        else:
            missing = _detailed(bad, spec, report)
            yield failed(T(f"{len(ok)} of {len(core)} core sections; missing: {missing.en}; "
                           f"present: {spec.names(ok).en or 'none'}",
                           f"{len(ok)} de {len(core)} secciones básicas; faltan: {missing.es}; "
                           f"presentes: {spec.names(ok).es or 'ninguna'}"),
                         path, fix=T(f"add these sections to {path}: {missing.en}",
                                     f"añade estas secciones a {path}: {missing.es}"))
    if not any_card:
        yield _no_card(ctx)


class CompleteCardParams(Params):
    min_sections: int = Field(10, ge=1, le=12)
    max_subgroup_gap: float = Field(0.05, gt=0, lt=1, description="as a fraction")


_GAP_METRICS = re.compile(r"auc|roc|f1|accuracy|exactitud|precision|precisión|recall|tpr|fpr|"
                          r"sensibilidad|especificidad|specificity", re.I)


def subgroup_gaps(table: Table) -> list[tuple[str, float]]:
    """(metric column, max - min over subgroups) for each metric column of ``table``.

    Values in percent are turned into fractions; a column mixing both is skipped.
    """
    out = []
    for index, header in enumerate(table.header):
        if index == 0 or not _GAP_METRICS.search(header):
            continue
        values = []
        scales = set()
        for row in table.rows:
            if index < len(row):
                number = _first_number(row[index])
                if number is not None:
                    values.append(number[0])
                    scales.add(number[1] or number[0] > 1)
        if len(values) >= 2 and len(scales) == 1:
            factor = 100.0 if scales.pop() else 1.0
            out.append((header, (max(values) - min(values)) / factor))
    return out


@check("model_card_complete", CompleteCardParams)
def model_card_complete(ctx: Context, params: CompleteCardParams) -> Iterator[Finding]:
    """DOC006: >= 10 of the 12 template sections incl. fairness, monitoring, versioning,
    changelog and contact; no unfilled placeholders; subgroup gap within the guide's 5 %."""
    spec = section_set("model_card")
    template = spec.lists["template"]
    required = spec.lists["required"]
    any_card = False
    for path, doc, front in _card_docs(ctx):
        any_card = True
        if isinstance(doc, ParseError):
            yield _unreadable(path, doc)
            continue
        report = model_card_report(doc, front)
        ok = [k for k in template if k in report.present and k not in report.problems]
        lacking_required = [k for k in required if k not in ok]
        lacking = [k for k in template if k not in ok]
        count = T(f"{len(ok)} of {len(template)} template sections",
                  f"{len(ok)} de {len(template)} secciones de la plantilla")
        if len(ok) >= params.min_sections and not lacking_required:
            extra = T(f"; missing: {_detailed(lacking, spec, report).en}",
                      f"; faltan: {_detailed(lacking, spec, report).es}") \
                if lacking else T("", "")
            yield passed(count + extra, path)
        else:
            why = []
            if len(ok) < params.min_sections:
                why.append(T(f"{params.min_sections} needed", f"se necesitan "
                                                              f"{params.min_sections}"))
            if lacking_required:
                req = _detailed(lacking_required, spec, report)
                why.append(T(f"required: {req.en}", f"obligatorias: {req.es}"))
            missing = _detailed(lacking, spec, report)
            yield failed(count + T(f" ({'; '.join(w.en for w in why)}); missing: {missing.en}",
                                   f" ({'; '.join(w.es for w in why)}); faltan: {missing.es}"),
                         path, fix=T(f"complete {path} following the guide's template; add: "
                                     f"{missing.en}",
                                     f"completa {path} según la plantilla de la guía; añade: "
                                     f"{missing.es}"))
        yield from _placeholder_findings(ctx, path, doc, None)
        yield from _gap_findings(path, doc, params.max_subgroup_gap)
    if not any_card:
        yield _no_card(ctx)


def _gap_findings(path: str, doc: Markdown, limit: float) -> Iterator[Finding]:
    fairness = section_set("model_card")["fairness"]
    for heading in find(doc, fairness):
        for table in doc.tables_in(heading):
            for column, gap in subgroup_gaps(table):
                if gap >= limit - 1e-9:
                    yield warned(
                        T(f"documented subgroup gap in {column} is {gap:.3f} "
                          f"(guide: < {limit:g})",
                          f"la brecha entre subgrupos documentada en {column} es {gap:.3f} "
                          f"(guía: < {limit:g})"),
                        path, table.line,
                        fix=T("mitigate the gap (re-weighting, thresholds per group) and "
                              "document the mitigation",
                              "mitiga la brecha (re-ponderación, umbrales por grupo) y "
                              "documenta la mitigación"))


# -- DOC007 dataset card ---------------------------------------------------------------

class DataCardParams(Params):
    min_sections: int = Field(9, ge=1, le=12)


_FEATURE_NAME_COL = re.compile(r"feature|variable|columna|column|campo|field|atributo|"
                               r"attribute|nombre|name", re.I)
_FEATURE_DESC_COL = re.compile(r"descrip|tipo|type|dtype|significado|meaning|definici|unidad|"
                               r"unit|rango|range", re.I)
_TARGET_WORDS = ("target", "objetivo", "label", "etiqueta", "clase", "class", "churn")
_DISTRIBUTION = re.compile(r"distribu|balance|proporci|ratio|%", re.I)


def data_cards(ctx: Context) -> list[str]:
    found = _no_template(ctx.files(DATA_CARD_GLOBS, case_sensitive=False))
    if found:
        return found
    shipped = scaffold_files(ctx, DATA_CARD_GLOBS)
    if shipped:
        return shipped
    for readme in ctx.files(("data/README.md", "README.md"), case_sensitive=False):
        if is_hf_dataset_card(_front_matter(ctx, readme)):
            return [readme]
    return []


def _feature_table(doc: Markdown) -> int | None:
    for table in doc.tables:
        header = list(table.header)
        if table.rows and any(_FEATURE_NAME_COL.search(c) for c in header[:2]) and any(
                _FEATURE_DESC_COL.search(c) for c in header[1:]):
            return table.line
    spec = section_set("dataset_card")
    for heading in find(doc, spec["features"]):
        items = [n for n, t in doc.prose_in(heading) if re.match(r"\s*(?:[-*+]|\d+[.)])\s", t)]
        if len(items) >= 2 or doc.tables_in(heading):
            return heading.line
    return None


def _target_distribution(doc: Markdown) -> int | None:
    spec = section_set("dataset_card")
    for heading in find(doc, spec["target"]):
        text = doc.section(heading)
        if re.search(r"\d", text) and (_DISTRIBUTION.search(text) or any(
                numeric_table(t) for t in doc.tables_in(heading))):
            return heading.line
    for number, text in doc.prose:
        if (phrases_in(_TARGET_WORDS, text) and _DISTRIBUTION.search(text)
                and re.search(r"\d", text)):
            return number
    return None


def dataset_card_report(doc: Markdown, front: dict[str, Any] | None) -> dict[str, int]:
    """Sections present (key -> line) of a dataset card, PII and licence facts included."""
    spec = section_set("dataset_card")
    present = {}
    for key, section in spec.sections.items():
        found = find(doc, section)
        if found:
            present[key] = found[0].line
    if "sensitive" not in present:
        for number, text in doc.prose:
            if re.search(r"\bPII\b|datos sensibles|sensitive data|datos personales|"
                         r"personal(?:ly)? identifiable|personal data", text, re.I):
                present["sensitive"] = number
                break
    if "license" not in present:
        if front and front.get("license"):
            present["license"] = 0
        else:
            for table in doc.tables:
                for index, row in enumerate(table.rows):
                    if row and re.search(r"licen[cs]", row[0], re.I) and len(row) > 1 \
                            and row[1].strip():
                        present["license"] = table.row_line(index)
                        break
                if "license" in present:
                    break
    return present


@check("dataset_card", DataCardParams)
def dataset_card(ctx: Context, params: DataCardParams) -> Iterator[Finding]:
    """DOC007: L2 a data card with a feature table and the target distribution; L3 >= 9
    of the 12 template sections incl. PII, collection, splits, biases, ethics, maintenance
    and licence, and no placeholders."""
    cards = data_cards(ctx)
    if not cards:
        where = ctx.path("docs/data_card.md")
        yield failed(T("no dataset card", "no hay dataset card"),
                     fix=T(f"add {where} (the guide's template: "
                           "docs/templates/dataset_card_template.md)",
                           f"añade {where} (plantilla de la guía: "
                           "docs/templates/dataset_card_template.md)"))
        return
    spec = section_set("dataset_card")
    template = spec.lists["template"]
    required = spec.lists["required"]
    for path in cards:
        doc = _read_markdown(ctx, path)
        if isinstance(doc, ParseError):
            yield _unreadable(path, doc)
            continue
        features = _feature_table(doc)
        target = _target_distribution(doc)
        lacks = []
        if features is None:
            lacks.append(T("a feature-description table", "una tabla de descripción de features"))
        if target is None:
            lacks.append(T("the target distribution", "la distribución del target"))
        if lacks:
            yield failed(T(f"dataset card lacks {T.join(lacks, ' and ').en}",
                           f"a la dataset card le falta {T.join(lacks, ' y ').es}"),
                         path, level=2,
                         fix=T(f"add to {path}: {T.join(lacks, ', ').en}",
                               f"añade a {path}: {T.join(lacks, ', ').es}"))
        else:
            yield passed(T("dataset card with a feature table and the target distribution",
                           "dataset card con tabla de features y distribución del target"),
                         path, features, level=2)
        present = dataset_card_report(doc, _front_matter(ctx, path))
        ok = [k for k in template if k in present]
        lacking_required = [k for k in required if k not in present]
        lacking = [k for k in template if k not in present]
        count = T(f"{len(ok)} of {len(template)} template sections",
                  f"{len(ok)} de {len(template)} secciones de la plantilla")
        if len(ok) >= params.min_sections and not lacking_required:
            yield passed(count, path, level=3)
        else:
            missing = spec.names(dict.fromkeys([*lacking_required, *lacking]))
            yield failed(count + T(f" ({params.min_sections} needed, with PII, collection, "
                                   f"splits, biases, ethics, maintenance and licence); "
                                   f"missing: {missing.en}",
                                   f" (se necesitan {params.min_sections}, con PII, "
                                   f"recolección, splits, sesgos, ética, mantenimiento y "
                                   f"licencia); faltan: {missing.es}"),
                         path, level=3,
                         fix=T(f"complete {path} following the guide's template; add: "
                               f"{missing.en}",
                               f"completa {path} según la plantilla de la guía; añade: "
                               f"{missing.es}"))
        yield from _placeholder_findings(ctx, path, doc, 3)


# -- DOC008 MkDocs ---------------------------------------------------------------------

MKDOCS_FILES = ("mkdocs.yml", "mkdocs.yaml", "docs/mkdocs.yml", "docs/mkdocs.yaml")
_PAGES_ACTIONS = re.compile(r"actions/deploy-pages|peaceiris/actions-gh-pages|"
                            r"mhausenblas/mkdocs-deploy-gh-pages|actions/upload-pages-artifact|"
                            r"JamesIves/github-pages-deploy-action", re.I)


def load_mkdocs(text: str) -> Any:
    """mkdocs.yml with unknown tags (``!!python/name:``, ``!ENV``, ``!relative``) read as
    plain values instead of errors: MkDocs configs use them routinely."""
    from ruamel.yaml.nodes import MappingNode, ScalarNode, SequenceNode

    try:
        from ruamel.yaml.cyaml import CSafeLoader as Base
    except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
        from ruamel.yaml.loader import SafeLoader as Base  # type: ignore[assignment]

    class Tolerant(Base):
        pass

    def unknown(loader: Any, node: Any) -> Any:
        if isinstance(node, ScalarNode):
            return loader.construct_scalar(node)
        if isinstance(node, SequenceNode):
            return loader.construct_sequence(node, deep=True)
        if isinstance(node, MappingNode):
            return loader.construct_mapping(node, deep=True)
        return None  # pragma: no cover - every node is one of the three

    Tolerant.add_constructor(None, unknown)
    loader = Tolerant(text)
    try:
        return loader.get_single_data()
    finally:
        loader.dispose()


def _mkdocs_config(ctx: Context, path: str) -> dict[str, Any] | ParseError:
    data = ctx.repo.yaml(path)
    if isinstance(data, ParseError):  # maybe only MkDocs tags; else report the first error
        tolerant = ctx.repo.parse(path, load_mkdocs)
        if isinstance(tolerant, ParseError):
            return data
        data = tolerant
    if not isinstance(data, dict):
        return ParseError(path, "not a mapping")
    config = {str(k): v for k, v in data.items()}
    parent = config.get("INHERIT")
    if isinstance(parent, str):
        base = posixpath.normpath(str(PurePosixPath(path).parent / parent))
        if ctx.repo.exists(base) and base != path:
            inherited = ctx.repo.parse(base, load_mkdocs)
            if isinstance(inherited, dict):
                config = {**{str(k): v for k, v in inherited.items()}, **config}
    return config


def _key_line(ctx: Context, path: str, key: str) -> int | None:
    text = ctx.repo.text(path)
    if isinstance(text, ParseError):
        return None
    match = re.search(rf"^[ \t]*(?:-[ \t]*)?{re.escape(key)}[ \t]*:", text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else None


def _nav_pages(nav: Any) -> list[str]:
    pages: list[str] = []
    if isinstance(nav, str):
        pages.append(nav)
    elif isinstance(nav, list):
        for item in nav:
            pages.extend(_nav_pages(item))
    elif isinstance(nav, dict):
        for value in nav.values():
            pages.extend(_nav_pages(value))
    return [p for p in pages if not re.match(r"^[a-z][\w+.-]*://", p) and p.endswith(".md")]


def _names(items: Any) -> list[str]:
    if isinstance(items, dict):
        return [str(k) for k in items]
    if isinstance(items, list):
        out: list[str] = []
        for item in items:
            if isinstance(item, str):
                out.append(item)
            elif isinstance(item, dict):
                out.extend(str(k) for k in item)
        return out
    return []


def _entry(items: Any, name: str) -> Any:
    if isinstance(items, dict):
        return items.get(name)
    if isinstance(items, list):
        for item in items:
            if isinstance(item, dict) and name in item:
                return item[name]
    return None


def _mermaid(config: dict[str, Any]) -> bool:
    superfences = _entry(config.get("markdown_extensions"), "pymdownx.superfences")
    fences = superfences.get("custom_fences") if isinstance(superfences, dict) else None
    if isinstance(fences, list) and any(isinstance(f, dict) and f.get("name") == "mermaid"
                                        for f in fences):
        return True
    return any(p in ("mermaid2", "mkdocs-mermaid2") for p in _names(config.get("plugins")))


def _docs_workflow(ctx: Context) -> tuple[str, int | None, bool] | None:
    """(path, line, strict) of CI that builds or deploys the docs."""
    for command in ci_commands(ctx.repo):
        if re.search(r"\bmkdocs\s+gh-deploy\b", command.text):
            return command.path, command.line, True
    for wf in workflows(ctx.repo):
        if isinstance(wf, ParseError):
            continue
        for job in wf.jobs:
            for step in job.steps:
                if step.uses and _PAGES_ACTIONS.search(step.uses):
                    return wf.path, step.line, True
    for command in ci_commands(ctx.repo):
        if re.search(r"\bmkdocs\s+build\b", command.text):
            strict = bool(re.search(r"--strict\b|\s-s\b", command.text))
            return command.path, command.line, strict
    for rtd in ctx.repo.glob((".readthedocs.yml", ".readthedocs.yaml")):
        data = ctx.repo.yaml(rtd)
        if isinstance(data, dict) and "mkdocs" in data:
            return rtd, None, True
    return None


def _sphinx_build(ctx: Context) -> tuple[str, int | None] | None:
    """Where a Sphinx site is built: a Read the Docs config with a ``sphinx:`` section, or
    a CI command running sphinx-build."""
    for rtd in ctx.repo.glob((".readthedocs.yml", ".readthedocs.yaml")):
        data = ctx.repo.yaml(rtd)
        if isinstance(data, dict) and "sphinx" in data:
            return rtd, _key_line(ctx, rtd, "sphinx")
    for command in ci_commands(ctx.repo):
        if re.search(r"\bsphinx-build\b|\bsphinx\.cmd\.build\b", command.text):
            return command.path, command.line
    return None


def _sphinx_site(ctx: Context, conf: str) -> Iterator[Finding]:
    yield warned(T(f"Sphinx site ({conf}) instead of MkDocs",
                   f"sitio Sphinx ({conf}) en lugar de MkDocs"), conf,
                 level=2, fix=T("the guide uses MkDocs Material; keep Sphinx and "
                                "justify it in an ADR, or add mkdocs.yml",
                                "la guía usa MkDocs Material; mantén Sphinx y "
                                "justifícalo en un ADR, o añade mkdocs.yml"))
    build = _sphinx_build(ctx)
    if build is None:
        yield failed(T(f"Sphinx site ({conf}) instead of MkDocs, and neither Read the Docs "
                       "nor CI builds it (no mkdocs.yml to judge mkdocstrings, mermaid or a "
                       "docs workflow)",
                       f"sitio Sphinx ({conf}) en lugar de MkDocs, y ni Read the Docs ni la "
                       "CI lo construyen (no hay mkdocs.yml con el que juzgar mkdocstrings, "
                       "mermaid o un workflow de documentación)"), conf, level=3,
                     fix=T("build the site in CI (sphinx-build -W) or on Read the Docs, or "
                           "move to MkDocs", "construye el sitio en CI (sphinx-build -W) o en "
                           "Read the Docs, o pasa a MkDocs"))
        return
    where = build[0] + (f":{build[1]}" if build[1] else "")
    yield warned(T(f"Sphinx site ({conf}) built by {where}: MkDocs is the guide's choice "
                   "(mkdocstrings, mermaid and a docs workflow are judged on mkdocs.yml); the "
                   "Sphinx site is a documented alternative",
                   f"sitio Sphinx ({conf}) construido por {where}: la guía elige MkDocs "
                   "(mkdocstrings, mermaid y un workflow de documentación se juzgan sobre "
                   "mkdocs.yml); el sitio Sphinx es una alternativa documentada"),
                 build[0], build[1], level=3,
                 fix=T("keep Sphinx and justify it in an ADR, or add mkdocs.yml",
                       "mantén Sphinx y justifícalo en un ADR, o añade mkdocs.yml"))


@check("mkdocs_site")
def mkdocs_site(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC008: L2 mkdocs.yml (root or docs/, or those of a template repository's
    scaffold) with site_name, nav, material theme and an index page; L3 mkdocstrings,
    mermaid superfences and a docs build/deploy workflow."""
    path = next((p for p in MKDOCS_FILES if ctx.repo.exists(p)), None) or next(
        iter(scaffold_files(ctx, MKDOCS_FILES)), None)
    if path is None:
        sphinx = ctx.repo.glob(("docs/conf.py", "docs/source/conf.py", "conf.py"))
        if sphinx:
            yield from _sphinx_site(ctx, sphinx[0])
            return
        yield failed(T("no mkdocs.yml at the root or in docs/",
                       "no hay mkdocs.yml en la raíz ni en docs/"),
                     fix=T("add mkdocs.yml with site_name, nav and theme: {name: material}",
                           "añade mkdocs.yml con site_name, nav y theme: {name: material}"))
        return
    config = _mkdocs_config(ctx, path)
    if isinstance(config, ParseError):
        yield failed(T(f"{path} does not parse: {config.message}",
                       f"{path} no se puede analizar: {config.message}"), path, config.line)
        return
    lacks: list[T] = []
    if not config.get("site_name"):
        lacks.append(T("site_name", "site_name"))
    if not config.get("nav"):
        lacks.append(T("nav", "nav"))
    theme = config.get("theme")
    theme_name = theme.get("name") if isinstance(theme, dict) else theme
    if theme_name != "material":
        lacks.append(T(f"theme.name: material (is {theme_name!r})",
                       f"theme.name: material (es {theme_name!r})"))
    docs_dir = str(config.get("docs_dir") or "docs")
    base = posixpath.normpath(str(PurePosixPath(path).parent / docs_dir))
    root = "" if base == "." else base + "/"
    if not any(ctx.repo.exists(root + name) for name in ("index.md", "README.md")):
        lacks.append(T(f"{root}index.md", f"{root}index.md"))
    if lacks:
        yield failed(T(f"{path} lacks: {T.join(lacks, ', ').en}",
                       f"a {path} le falta: {T.join(lacks, ', ').es}"), path, level=2,
                     fix=T(f"add to {path}: {T.join(lacks, ', ').en}",
                           f"añade a {path}: {T.join(lacks, ', ').es}"))
    else:
        broken = [p for p in _nav_pages(config.get("nav")) if not ctx.repo.exists(root + p)]
        if broken:
            yield warned(T(f"nav lists pages that do not exist: {', '.join(broken[:5])}",
                           f"nav lista páginas que no existen: {', '.join(broken[:5])}"),
                         path, _key_line(ctx, path, "nav"), level=2,
                         fix=T("create the pages or fix nav (mkdocs build --strict fails)",
                               "crea las páginas o corrige nav (mkdocs build --strict falla)"))
        else:
            yield passed(T(f"{path}: site_name, nav, material theme and index page",
                           f"{path}: site_name, nav, tema material y página índice"),
                         path, level=2)
    missing3: list[T] = []
    if "mkdocstrings" not in _names(config.get("plugins")):
        missing3.append(T("the mkdocstrings plugin", "el plugin mkdocstrings"))
    if not _mermaid(config):
        missing3.append(T("mermaid superfences", "superfences de mermaid"))
    workflow = _docs_workflow(ctx)
    if workflow is None:
        missing3.append(T("a docs build/deploy workflow (mkdocs build --strict, "
                          "mkdocs gh-deploy or a Pages action)",
                          "un workflow que construya/publique la documentación (mkdocs build "
                          "--strict, mkdocs gh-deploy o una acción de Pages)"))
    if missing3:
        yield failed(T(f"{path} lacks: {T.join(missing3, '; ').en}",
                       f"a {path} le falta: {T.join(missing3, '; ').es}"), path, level=3,
                     fix=T(f"add {T.join(missing3, '; ').en}",
                           f"añade {T.join(missing3, '; ').es}"))
    elif workflow is not None and not workflow[2]:
        yield warned(T("the docs are built in CI without --strict",
                       "la documentación se construye en CI sin --strict"),
                     workflow[0], workflow[1], level=3,
                     fix=T("use mkdocs build --strict so broken links fail the build",
                           "usa mkdocs build --strict para que los enlaces rotos fallen"))
    else:
        where = workflow[0] if workflow else ""
        yield passed(T(f"mkdocstrings, mermaid and docs deployment ({where})",
                       f"mkdocstrings, mermaid y despliegue de docs ({where})"), path, level=3)


# -- DOC009 responsible AI -------------------------------------------------------------

RAI_FILES = ("docs/**/responsible*ai*.md", "docs/**/responsible-ai*.md", "RESPONSIBLE_AI.md",
             "responsible_ai.md", "docs/**/ethics*.md", "docs/**/etica*.md",
             ".github/pull_request_template.md", ".github/PULL_REQUEST_TEMPLATE/*.md",
             "docs/pull_request_template.md", "pull_request_template.md")
_RAI_HEADINGS = ("responsible ai", "ia responsable", "ai responsable", "ethical considerations",
                 "consideraciones eticas", "etica", "ethics", "responsible ai checklist")


def _rai_sources(ctx: Context) -> list[tuple[str, int | None, str]]:
    """(path, line, text) of every responsible-AI checklist or card section."""
    out: list[tuple[str, int | None, str]] = []
    for path in ctx.files(RAI_FILES, case_sensitive=False):
        text = ctx.repo.text(path)
        if not isinstance(text, ParseError):
            out.append((path, None, text))
    cards = _no_template(ctx.files(MODEL_CARD_GLOBS + tuple(f"**/{g}" for g in MODEL_CARD_GLOBS),
                                   case_sensitive=False))
    for path in dict.fromkeys(cards):
        doc = _read_markdown(ctx, path)
        if isinstance(doc, ParseError):
            continue
        for heading in doc.headings:
            if heading.level < 7 and phrases_in(_RAI_HEADINGS, heading.text):
                out.append((path, heading.line, doc.section(heading)))
    return out


@check("responsible_ai")
def responsible_ai(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC009: a responsible-AI checklist covering fairness, transparency, privacy and
    accountability (docs/responsible_ai.md, a card section or the PR template)."""
    sources = _rai_sources(ctx)
    areas = responsible_ai_areas()
    contributing = bool(ctx.files(("CONTRIBUTING.md", ".github/CONTRIBUTING.md",
                                   "docs/CONTRIBUTING.md"), case_sensitive=False))
    bonus = T(" (+ CONTRIBUTING.md)", " (+ CONTRIBUTING.md)") if contributing else T("", "")
    if not sources:
        yield failed(T("no responsible-AI checklist (docs/responsible_ai.md, an ethics section "
                       "in the model card, or .github/pull_request_template.md)",
                       "no hay checklist de IA responsable (docs/responsible_ai.md, una sección "
                       "ética en la model card, o .github/pull_request_template.md)"),
                     fix=T("add docs/responsible_ai.md with Fairness, Transparency, Privacy and "
                           "Accountability items (guide 19.3), or put them in the PR template",
                           "añade docs/responsible_ai.md con ítems de Fairness, Transparencia, "
                           "Privacidad y Accountability (guía 19.3), o ponlos en la plantilla "
                           "de PR"))
        return
    covered: dict[str, tuple[str, int | None]] = {}
    for area in areas:
        for path, line, text in sources:
            if _mentions(text, area.keywords):
                covered[area.key] = (path, line)
                break
    missing = [a for a in areas if a.key not in covered]
    names = _join([a.name for a in areas if a.key in covered])
    where = sorted({p for p, _ in covered.values()})
    first = sources[0]
    if not missing:
        yield passed(T(f"all four areas ({names.en}) in {', '.join(where)}",
                       f"las cuatro áreas ({names.es}) en {', '.join(where)}") + bonus,
                     where[0], covered[areas[0].key][1])
    else:
        lack = _join([a.name for a in missing])
        yield failed(T(f"responsible-AI checklist lacks: {lack.en} (has: {names.en})",
                       f"al checklist de IA responsable le falta: {lack.es} (tiene: {names.es})"),
                     first[0], first[1],
                     fix=T(f"add items for {lack.en} (guide 19.3 checklist)",
                           f"añade ítems de {lack.es} (checklist de la guía 19.3)"))


# -- DOC010 demo -----------------------------------------------------------------------

DEMO_FILES = ("scripts/demo.sh", "scripts/*demo*.sh", "run_demo.sh", "demo.sh", "**/run_demo.sh",
              "**/demo.sh", "docker-compose.demo.yml", "docker-compose.demo.yaml",
              "compose.demo.yml", "compose.demo.yaml", "**/docker-compose.demo.y*ml")
_DEMO_TARGET = re.compile(r"(?:^|[-_])demo(?:$|[-_])", re.I)
_DEMO_MEDIA = re.compile(r"demo|video|youtube\.com|youtu\.be|loom\.com|vimeo\.com|asciinema|"
                         r"screenshot|captura|screencast|huggingface\.co/spaces|streamlit\.app|"
                         r"gradio\.live", re.I)


_LOCAL_URL = re.compile(r"^https?://(?:localhost|127\.0\.0\.1|0\.0\.0\.0)(?:[:/]|$)", re.I)


def _demo_entry(ctx: Context) -> tuple[str, int | None] | None:
    files = _no_template(ctx.repo.glob(DEMO_FILES, case_sensitive=False))
    if files:
        return files[0], None
    for path in ctx.repo.glob(("Makefile", "**/Makefile", "makefile", "GNUmakefile")):
        parsed = ctx.repo.parse(path, parse_makefile)
        if isinstance(parsed, Makefile):
            for name, target in parsed.targets.items():
                if _DEMO_TARGET.search(name):
                    return path, target.line
    return None


def _demo_media(doc: Markdown) -> int | None:
    readme = section_set("readme")
    demo_heads = find_sections(doc, readme["demo"])
    for link in doc.links:
        if _LOCAL_URL.match(link.url):
            continue  # a local server (http://localhost:8000/docs) shows no demo to a reader
        if (link.image and PurePosixPath(urlparse(link.url).path).suffix.lower() == ".gif") \
                or _DEMO_MEDIA.search(link.url + " " + link.text):
            return link.line
        if any(doc.span(h)[0] <= link.line <= doc.span(h)[1] for h in demo_heads):
            return link.line
    for number, text in doc.prose:
        if re.search(r"<video\b", text, re.I):
            return number
    return None


@check("demo_assets")
def demo_assets(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC010: a runnable demo (demo.sh, make demo, docker-compose.demo.yml) and a README
    demo link, GIF or screenshot; the video and the speech are manual."""
    entry = _demo_entry(ctx)
    if entry is None:
        yield failed(T("no demo entry point (scripts/demo.sh, run_demo.sh, make demo or "
                       "docker-compose.demo.yml)",
                       "no hay punto de entrada de demo (scripts/demo.sh, run_demo.sh, make "
                       "demo o docker-compose.demo.yml)"),
                     fix=T("add scripts/demo.sh (install, train, test, serve; the guide's "
                           "run_demo.sh) or a `make demo` target",
                           "añade scripts/demo.sh (instala, entrena, prueba, sirve; el "
                           "run_demo.sh de la guía) o un objetivo `make demo`"))
    else:
        yield passed(T(f"demo entry point {entry[0]}", f"punto de entrada de demo {entry[0]}"),
                     entry[0], entry[1])
    path = _readme(ctx)
    doc = _read_markdown(ctx, path) if path else None
    if path is None or doc is None:
        yield failed(T("no README.md to link the demo from",
                       "no hay README.md desde el que enlazar la demo"))
    elif isinstance(doc, ParseError):
        yield _unreadable(path, doc)
    else:
        line = _demo_media(doc)
        if line is None:
            yield failed(T("README has no demo link, GIF or screenshot",
                           "el README no tiene enlace, GIF ni captura de la demo"), path,
                         fix=T("add a demo GIF/screenshot or a link to the demo video to the "
                               "README",
                               "añade al README un GIF/captura o un enlace al vídeo de la demo"))
        else:
            yield passed(T("README shows the demo", "el README muestra la demo"), path, line)
    yield manual(T("record the 3-5 min demo video and rehearse the 5-7 min speech",
                   "graba el vídeo de demo de 3-5 min y ensaya el speech de 5-7 min"))
