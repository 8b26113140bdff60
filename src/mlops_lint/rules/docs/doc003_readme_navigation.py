"""DOC003: the README helps a reader find their way: at least ``min_signals`` (3) of five
signals: an architecture diagram, a project structure tree, a metrics table, links to the
model card / data card / docs site, the tech stack.

A link on a line crediting a template or a tool (the cookiecutter footer) and an absolute
link to another product's ``/docs/`` are not this project's documentation; an image under
``docs/`` is a picture, not a docs link. Without enough signals the finding is about the
README (no line), with the signals missing.

A metrics table is a Markdown table of metrics: a header naming a metric column or a metric,
or a first-column label that is a metric name (``F1``, ``Test RMSE``), with numbers; a row
label that merely contains a metric-like word inside an identifier (``map_public_ip``, an
``Inputs`` table of a Terraform module) is not one. A repository with no model (it trains,
loads and serves none, or is a Terraform module library) is not asked for model-card or
data-card links: the links signal then names only the docs site.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from urllib.parse import urlparse

from pydantic import Field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    Heading,
    Markdown,
    Table,
    normalize,
)
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.served_model import served_model
from mlops_lint.readers.training import model_used, training
from mlops_lint.rules import Params, rule
from mlops_lint.rules.docs._sections import SectionSet, section_set
from mlops_lint.rules.docs._shared import (
    find_sections,
    join,
    numeric_table,
    read_markdown,
    readme_path,
    unreadable,
)


class NavigationParams(Params):
    min_signals: int = Field(3, ge=1, le=5)


_METRIC_WORDS = lazy_re.compile(
    r"\b(?:accuracy|exactitud|precisi[oó]n|precision|recall|f1|auc|roc|rmse|mae|mape|r2|r²|"
    r"coverage|cobertura|latency|latencia|mse|log[- ]?loss|map|ndcg|bleu|rouge|score)\b", re.I)


_CARD_LINK = lazy_re.compile(r"model[_-]?card|data(?:set)?[_-]?card|datasheet|github\.io|"
                             r"readthedocs\.io|(?:^|/)docs/|(?:^|/)site/", re.I)


_ARCH_IMAGE = lazy_re.compile(r"architect|arquitect|diagram|\bc4\b", re.I)


# A directory-tree line: a branch then a name (not a box-drawing rule such as ├────┤).
_TREE_LINE = lazy_re.compile(r"(?:[├└]─{2,}|\|--|`--)[ \t]*[^\s─━┤┼┐┘│|]")


# A line crediting a template or a tool: its links are someone else's site, not this
# project's docs (a project template's footer links the template's own site).
_ATTRIBUTION = lazy_re.compile(
    r"\b(?:based on|generated (?:with|by|from)|powered by|made with|built with|created with|"
    r"scaffolded (?:with|from)|cookiecutter|basado en|generado con|hecho con)\b", re.I)


_IMAGE_FILE = lazy_re.compile(r"\.(?:png|jpe?g|gif|svg|webp|bmp)(?:[?#].*)?$", re.I)


# an image written over several lines (``[![Architecture of\nservices](img.png)](...)``),
# which a line-by-line link reader misses; alt text bounded, at most one line break
_WRAPPED_IMAGE = lazy_re.compile(r"!\[[^\[\]\n]{0,200}\n[^\[\]\n]{0,200}\]\(\s*([^()\s]{1,500})|"
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


_OWN_DOCS_HOST = lazy_re.compile(r"github\.io|readthedocs\.io|model[_-]?card|data(?:set)?[_-]?card|"
                                 r"datasheet", re.I)


def _foreign_docs(url: str) -> bool:
    """An absolute link whose only docs signal is a ``/docs/`` path: another product's
    documentation (cloud.google.com/.../docs/...), not this project's."""
    return bool(urlparse(url).netloc) and not _OWN_DOCS_HOST.search(url)


def _stack_table(table: Table) -> bool:
    return len(table.rows) >= 2 and any(normalize(h) in _STACK_COLUMNS for h in table.header)


# markup around a cell's text: HTML tags, code and emphasis marks, a link's target
_CELL_MARKUP = lazy_re.compile(r"<[^<>]{0,300}>|\]\([^()]{0,500}\)|[`*\[\]]")
_METRIC_COLUMN = frozenset({"metric", "metrics", "metrica", "metricas", "measure"})


_QUALIFIERS = frozenset({"test", "val", "valid", "validation", "train", "macro", "micro",
                         "weighted", "avg", "mean", "top1", "top5"})


def _metric_label(cell: str) -> bool:
    """A cell naming a metric (``F1``, ``AUC-ROC``, ``Test RMSE``, ``roc_auc``): a short
    label, not an identifier (``map_public_ip``) that happens to hold one."""
    text = _CELL_MARKUP.sub(" ", cell.replace("\\_", "_")).strip()
    if not text or len(text.split()) > 5:
        return False
    for word in text.split():
        if "_" in word and not all(p.lower() in _QUALIFIERS or _METRIC_WORDS.fullmatch(p)
                                   for p in word.split("_") if p):
            return False
    return bool(_METRIC_WORDS.search(text.replace("_", " ")))


def _metric_table(table: Table) -> bool:
    header = any(normalize(h) in _METRIC_COLUMN or _metric_label(h) for h in table.header)
    labels = any(_metric_label(r[0]) for r in table.rows if r)
    return (header or labels) and numeric_table(table)


def _prose_tree(doc: Markdown) -> list[int]:
    """First line of a directory tree written outside a code block (three tree lines
    within six), as READMEs pasted from cookiecutter templates often have."""
    tree = [n for n, text in doc.prose if _TREE_LINE.search(text)]
    for i in range(len(tree) - 2):
        if tree[i + 2] - tree[i] <= 6:
            return [tree[i]]
    return []


def _in_sections(doc: Markdown, line: int, headings: list[Heading]) -> bool:
    return any(doc.span(h)[0] <= line <= doc.span(h)[1] for h in headings)


def _architecture(doc: Markdown, readme: SectionSet) -> int | None:
    """A mermaid block, an architecture image (in an Architecture section or named so) or
    a code block in an Architecture section."""
    arch_heads = find_sections(doc, readme["architecture"])
    mermaid = [b for b in doc.code_blocks if b.lang == "mermaid"]
    arch_images = [k for k in doc.links if k.image and (
        _in_sections(doc, k.line, arch_heads) or _ARCH_IMAGE.search(k.url + " " + k.text))]
    arch_blocks = [b for h in arch_heads for b in doc.code_in(h)]
    wrapped = [line for h in arch_heads for line, _ in _wrapped_images(doc, *doc.span(h))]
    wrapped += [line for line, url in _wrapped_images(doc, 1, len(doc.lines))
                if _ARCH_IMAGE.search(url)]
    return min([*(b.line for b in mermaid), *(k.line for k in arch_images),
                *(b.line for b in arch_blocks), *wrapped], default=None)


def _structure(doc: Markdown, readme: SectionSet) -> int | None:
    """A directory tree (in a code block or in prose) or a block in a Structure section."""
    trees = [b for b in doc.code_blocks if _TREE_LINE.search(b.text)]
    struct_heads = find_sections(doc, readme["structure"])
    struct_blocks = [b for h in struct_heads for b in doc.code_in(h)]
    return min([b.line for b in (*trees, *struct_blocks)] + _prose_tree(doc), default=None)


def _docs_link(doc: Markdown) -> int | None:
    """A link to a card or to this project's docs site."""
    lines = doc.lines
    # a link to an image file under docs/ is a picture, not the documentation
    links = next((k for k in doc.links if not k.image and _CARD_LINK.search(k.url)
                  and not _IMAGE_FILE.search(k.url) and not _foreign_docs(k.url)
                  and not _ATTRIBUTION.search(lines[k.line - 1])), None)
    return links.line if links is not None else None


def _tech_stack(doc: Markdown, readme: SectionSet) -> int | None:
    stack_head = next((h for h in find_sections(doc, readme["tech_stack"])), None)
    stack_table = next((t for t in doc.tables if _stack_table(t)), None)
    return min([x.line for x in (stack_head, stack_table) if x is not None], default=None)


def navigation_signals(doc: Markdown) -> dict[str, int | None]:
    """DOC003's five signals and where each is (line), ``None`` when absent."""
    readme = section_set("readme")
    metrics = next((t for t in doc.tables if _metric_table(t)), None)
    return {
        "architecture": _architecture(doc, readme),
        "structure": _structure(doc, readme),
        "metrics": metrics.line if metrics is not None else None,
        "links": _docs_link(doc),
        "tech_stack": _tech_stack(doc, readme),
    }


_SIGNAL_NAMES = {
    "architecture": T("architecture diagram", "diagrama de arquitectura"),
    "structure": T("project structure tree", "árbol de estructura del proyecto"),
    "metrics": T("metrics table", "tabla de métricas"),
    "links": T("links to model card / data card / docs site",
               "enlaces a model card / data card / sitio de docs"),
    "tech_stack": T("tech stack", "stack tecnológico"),
}
# the links signal of a repository with no model: no card to link
_DOCS_LINK = T("a link to the docs site", "un enlace al sitio de docs")


def _modelless(ctx: Context) -> bool:
    """The repository has no model to write a card for: a Terraform module library, or no
    project trains, loads or serves one."""
    if project_kind(ctx.repo).module_library is not None:
        return True
    return not training(ctx).anywhere and model_used(ctx) is None and \
        served_model(ctx.repo) is None


@rule("DOC003", NavigationParams)
def readme_navigation(ctx: Context, params: NavigationParams) -> Iterator[Finding]:
    """DOC003: at least 3 of architecture diagram, tree, metrics table, doc links, stack."""
    path = readme_path(ctx)
    if path is None:
        yield failed(T("no README.md", "no hay README.md"))
        return
    doc = read_markdown(ctx, path)
    if isinstance(doc, ParseError):
        yield unreadable(path, doc)
        return
    signals = navigation_signals(doc)
    have = [k for k, v in signals.items() if v is not None]
    lacking = [k for k, v in signals.items() if v is None]
    names = dict(_SIGNAL_NAMES)
    if "links" in lacking and _modelless(ctx):
        names["links"] = _DOCS_LINK
    have_t = join([names[k] for k in have])
    lack_t = join([names[k] for k in lacking])
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
