"""What the docs rules (DOC001-DOC010) share: where the README and the cards are, the
Markdown and its front matter read once, an unreadable file's finding, and the section
finders (a heading matching a section's synonyms and holding some content)."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import filter_paths
from mlops_lint.model import Finding, T, failed
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    Heading,
    Markdown,
    Table,
    parse_markdown,
    phrases_in,
)
from mlops_lint.parsers.yaml_file import load_yaml
from mlops_lint.rules.docs._sections import Section

README_GLOBS = ("README.md", "README.markdown", "README.mdown")


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


_NONE = T("none", "ninguna")


def join(items: list[T], empty: T = _NONE) -> T:
    return T.join(items, ", ") if items else empty


def read_markdown(ctx: Context, path: str) -> Markdown | ParseError:
    return ctx.repo.parse(path, parse_markdown)


def unreadable(path: str, error: ParseError, level: int | None = None) -> Finding:
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


def front_matter(ctx: Context, path: str) -> dict[str, Any] | None:
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


def no_template(paths: Iterable[str]) -> list[str]:
    return [p for p in paths if not any(w in p.lower() for w in TEMPLATE_WORDS)]


def scaffold_files(ctx: Context, globs: Iterable[str]) -> list[str]:
    """Files matching ``globs`` relative to a scaffold folder of a template repository
    (``templates/docs/model-card-template.md``): the card a generated project starts
    with, template words in its name included."""
    roots = ctx.repo.scaffold_roots
    if not roots:
        return []
    return filter_paths(ctx.repo.files, [f"{root}/{glob}" for root in roots for glob in globs],
                        case_sensitive=False)


def readme_path(ctx: Context) -> str | None:
    found = ctx.files(README_GLOBS, case_sensitive=False)
    return found[0] if found else None


_NUMBER = lazy_re.compile(r"(?<![\w{.])[-+]?\d+(?:[.,]\d+)?(?:\s*%)?")


def first_number(cell: str) -> tuple[float, bool] | None:
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
    rows = [r for r in table.rows if any(first_number(c) is not None for c in r[1:])]
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


def mentions(text: str, phrases: Iterable[str]) -> bool:
    lines = text.splitlines()
    wanted = tuple(phrases)
    return any(phrases_in(wanted, line) for line in lines)
