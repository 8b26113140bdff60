"""DOC001: README.md with a one-line description, installation, a Quick Start code block and
usage; a LICENSE file.

Only a Markdown README at the root counts. The description is the first prose line of three
words or more before the first section (or in an About/Description section). A licence that
still holds the template's ``[year] [fullname]`` is a warning; the text after "END OF TERMS
AND CONDITIONS" is the licence's own instructions, not a hole.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    CodeBlock,
    Heading,
    Markdown,
)
from mlops_lint.rules import rule
from mlops_lint.rules.docs._sections import SectionSet, section_set
from mlops_lint.rules.docs._shared import (
    find_sections,
    join,
    read_markdown,
    readme_path,
    unreadable,
)

LICENSE_GLOBS = ("LICENSE", "LICENSE.*", "LICENCE", "LICENCE.*", "COPYING", "COPYING.*",
                 "LICENSE-*", "LICENSE_*", "LICENCE-*", "LICENCE_*", "COPYING-*",
                 "LICENSES/*")


_SHELL_LANGS = frozenset({"", "bash", "sh", "shell", "console", "zsh", "shell-session",
                          "powershell", "ps1", "cmd", "bat", "fish", "make", "text"})


_INSTALL_CMD = lazy_re.compile(
    r"\b(?:pip3?|uv\s+pip|python\s+-m\s+pip)\s+install\b|\bpoetry\s+install\b|\buv\s+sync\b|"
    r"\bpipenv\s+install\b|\b(?:conda|mamba|micromamba)\s+(?:env\s+create|create|install)\b|"
    r"\bmake\s+(?:install|setup|init|env|venv|dev)\b|\bdocker[ -]compose\b.*\bup\b|"
    r"\bdocker\s+(?:build|pull)\b|\bpixi\s+install\b|\bhatch\s+env\b", re.IGNORECASE)


_RUN_CMD = lazy_re.compile(
    r"\bmake\s+(?!install\b|setup\b)[\w-]+|\bpython3?\s+(?:-m\s+\w|\S+\.py)|\buvicorn\b|"
    r"\bgunicorn\b|\bstreamlit\s+run\b|\bdocker\s+run\b|\bdocker[ -]compose\b.*\bup\b|"
    r"\bcurl\b|\bpytest\b|\bmlflow\b|\bdvc\s+repro\b|\bjupyter\b|\bpoetry\s+run\b|"
    r"\buv\s+run\b|\bhttpie\b|\bhttp\s+(?:GET|POST)\b", re.IGNORECASE)


_LICENSES = (
    ("MIT", lazy_re.compile(r"Permission is hereby granted, free of charge|\bMIT License\b", re.I)),
    ("Apache-2.0", lazy_re.compile(r"Apache License,?\s+Version 2\.0|\bApache-2\.0\b", re.I)),
    ("AGPL-3.0", lazy_re.compile(r"GNU AFFERO GENERAL PUBLIC LICENSE", re.I)),
    ("LGPL", lazy_re.compile(r"GNU LESSER GENERAL PUBLIC LICENSE", re.I)),
    ("GPL", lazy_re.compile(r"GNU GENERAL PUBLIC LICENSE", re.I)),
    ("BSD", lazy_re.compile(r"Redistribution and use in source and binary forms", re.I)),
    ("MPL-2.0", lazy_re.compile(r"Mozilla Public License", re.I)),
    ("Unlicense", lazy_re.compile(r"This is free and unencumbered software", re.I)),
    ("CC", lazy_re.compile(r"Creative Commons", re.I)),
    ("proprietary", lazy_re.compile(r"All rights reserved|propietari|proprietary", re.I)),
)


# the standard text's own instructions for applying it (Apache's APPENDIX with
# "Copyright [yyyy] [name of copyright owner]", the GPL's "How to Apply These Terms" with
# "<year> <name of author>") follow this line: they are part of the licence, not holes
_END_OF_TERMS = lazy_re.compile(r"END OF TERMS AND CONDITIONS", re.I)


_LICENSE_HOLES = lazy_re.compile(r"\[(?:year|yyyy|fullname|full name|name of copyright owner|"
                                 r"nombre|año)\]|<year>|<copyright holders?>|\{year\}|"
                                 r"\{(?:fullname|author|name|nombre)\}", re.I)


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


def _first_line(*candidates: Sequence[Heading | CodeBlock]) -> int | None:
    """The line of the first item of the first non-empty candidate list."""
    for found in candidates:
        if found:
            return found[0].line
    return None


def _runs_something(block: CodeBlock) -> bool:
    """A code block that runs the project (make, python -m, uvicorn, curl...) or imports
    it in Python."""
    if _RUN_CMD.search(block.text):
        return True
    return block.lang in ("python", "py") and re.search(r"^\s*(?:import|from)\s", block.text,
                                                       re.M) is not None


def _command_lines(block: CodeBlock) -> int:
    return len([ln for ln in block.text.splitlines() if ln.strip()
                and not ln.strip().startswith("#")])


def readme_facts(doc: Markdown) -> ReadmeFacts:
    """Where the README gives a description, installation, a quick start and usage."""
    readme = section_set("readme")
    install_blocks = [b for b in _shell_blocks(doc) if _INSTALL_CMD.search(b.text)]
    install = _first_line(find_sections(doc, readme["install"]), install_blocks)
    quick_blocks = [b for h in find_sections(doc, readme["quickstart"]) for b in doc.code_in(h)]
    quickstart = _first_line(quick_blocks, [b for b in install_blocks if _command_lines(b) >= 2])
    usage = _first_line(find_sections(doc, readme["usage"]),
                        [b for b in doc.code_blocks if _runs_something(b)])
    return ReadmeFacts(_description(doc, readme), install, quickstart, usage)


def _license_kind(text: str) -> str | None:
    for name, pattern in _LICENSES:
        if pattern.search(text):
            return name
    return None


@rule("DOC001")
def readme_and_license(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC001: README.md with description, installation, quick start and usage; LICENSE."""
    path = readme_path(ctx)
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
        doc = read_markdown(ctx, path)
        if isinstance(doc, ParseError):
            yield unreadable(path, doc)
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
                    T(f"README lacks: {join(missing).en} (has: {join(present).en})",
                      f"al README le falta: {join(missing).es} (tiene: {join(present).es})"),
                    path, fix=T(f"add to {path}: {join(missing).en}",
                                f"añade a {path}: {join(missing).es}"))
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
        yield unreadable(path, text)
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
