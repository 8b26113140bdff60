"""DES002: an architecture document with a diagram (L2) and a quantified ML Canvas (L3).

A diagram is a Mermaid, PlantUML, Graphviz/D2 or text-drawing block, or an image, in
the architecture document or section. Where a project of the repository trains or uses
a model (:mod:`mlops_lint.readers.training`) is read to judge the ML Canvas.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T, failed, passed, skipped, warned
from mlops_lint.parsers.markdown import Markdown, headings_matching, parse_markdown
from mlops_lint.readers.training import model_used, training
from mlops_lint.rules import rule

ARCH_GLOBS = ("**/docs/ARCHITECTURE.md", "**/docs/architecture*.md", "**/docs/architecture/*.md",
              "ARCHITECTURE.md", "**/docs/arquitectura*.md", "**/docs/design*.md")
CANVAS_GLOBS = ("**/ML_CANVAS.md", "**/ml_canvas*.md", "**/ml-canvas*.md", "**/MLCANVAS.md",
                "**/canvas*.md")
CANVAS_SECTIONS: dict[str, tuple[str, ...]] = {
    "business": ("problema de negocio", "business problem", "problem statement", "problema"),
    "value": ("propuesta de valor", "value proposition"),
    "data": ("datos disponibles", "available data", "data sources", "fuentes de datos", "datos",
             "data"),
    "features": ("features candidatas", "candidate features", "features", "caracteristicas"),
    "model": ("modelo", "model", "modeling", "modelado"),
    "metrics": ("metricas de exito", "success metrics", "metrics", "metricas"),
    "risks": ("riesgos", "risks", "mitigaciones", "mitigations"),
    "deployment": ("plan de despliegue", "deployment plan", "despliegue", "deployment",
                   "deploy"),
}
_NUMBER = lazy_re.compile(r"(?<![\w.])\d+(?:[.,]\d+)?\s*(?:%|ms|s\b|k\b|m\b|\$|usd|€)?|\$\s*\d",
                          re.IGNORECASE)
_DIAGRAM_TEXT = lazy_re.compile(r"[┌└├│─]|\+-{3,}\+|-->|==>")


def _has_diagram(doc: Markdown, start: int, end: int) -> str | None:
    for block in doc.code_blocks:
        if start <= block.line <= end:
            lang = block.lang.lower()
            if lang.startswith("mermaid"):
                return "mermaid"
            if lang in ("plantuml", "puml") or "@startuml" in block.text:
                return "PlantUML"
            if lang.startswith(("dot", "graphviz", "d2")):
                return lang
            if _DIAGRAM_TEXT.search(block.text):
                return "text diagram"
    for link in doc.links:
        if start <= link.line <= end and (link.image or re.search(
                r"\.(png|svg|jpe?g|gif|drawio|puml|excalidraw)$", link.url, re.IGNORECASE)):
            return "image"
    if any("@startuml" in line for line in doc.lines[start - 1:end]):
        return "PlantUML"
    return None


def _image_above(doc: Markdown, line: int) -> tuple[str, int] | None:
    """An image (not a linked badge) between the previous heading and the heading at
    ``line``: shown just above a section, it may or may not be that section's diagram."""
    previous = max((h.line for h in doc.headings if h.line < line), default=0)
    for link in doc.links:
        if previous < link.line < line and link.image and link.target is None and not \
                re.search(r"badge|shields\.io", link.url, re.IGNORECASE):
            return link.url, link.line
    return None


# phase 1's subject (rules/phases.yaml applies_if)
PHASE1_CODE = ("**/*.py", "**/*.ipynb", "**/pyproject.toml", "**/setup.py")
ARCHITECTURE_FIX = T(
    "Write docs/ARCHITECTURE.md (or an Architecture section in the README) with a diagram of "
    "the system's parts and how they connect (a mermaid C4 Context + Containers diagram, "
    "PlantUML or an image).",
    "Escribe docs/ARCHITECTURE.md (o una sección Arquitectura en el README) con un diagrama "
    "de las partes del sistema y cómo se conectan (un diagrama mermaid C4 Contexto + "
    "Contenedores, PlantUML o una imagen).")
CANVAS_FIX = T(
    "Write docs/ML_CANVAS.md with the 8 canvas sections (business problem, value "
    "proposition, data, features, model, success metrics, risks, deployment) and quantified "
    "business, model and system metrics.",
    "Escribe docs/ML_CANVAS.md con las 8 secciones del canvas (problema de negocio, "
    "propuesta de valor, datos, features, modelo, métricas de éxito, riesgos, despliegue) y "
    "métricas cuantificadas de negocio, modelo y sistema.")


def _model_anywhere(ctx: Context) -> T | None:
    """Where some project of the repository trains a model (modules or notebooks) or loads
    or predicts with one; None when none does."""
    for project in ctx.repo.projects:
        pctx = Context(ctx.repo, project, ctx.config, ctx.rule_id)
        found = training(pctx)
        if found.module is not None:
            return T(f"trained at {found.module.where}",
                     f"entrenado en {found.module.where}")
        if found.notebooks:
            return T(f"trained in {found.notebooks[0]}", f"entrenado en {found.notebooks[0]}")
        used = model_used(pctx)
        if used is not None:
            return T(f"used at {used.where}", f"usado en {used.where}")
    return None


Candidate = tuple[str, int, int, Markdown]  # path, first line, last line, document


def _candidates(ctx: Context) -> list[Candidate]:
    """Architecture documents, and the README's Architecture sections."""
    candidates: list[Candidate] = []
    for path in ctx.files(ARCH_GLOBS, case_sensitive=False):
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, Markdown):
            candidates.append((path, 1, len(doc.lines), doc))
    readme = ctx.first("README.md", "readme.md", "Readme.md")
    if readme:
        doc = ctx.repo.parse(readme, parse_markdown)
        if isinstance(doc, Markdown):
            for heading in headings_matching(doc, ("architecture", "arquitectura")):
                candidates.append((readme, heading.line, doc.span(heading)[1], doc))
    return candidates


# an image file named as an architecture or system-design diagram
_DIAGRAM_NAME = lazy_re.compile(r"architect|arquitect|system[-_ ]?(?:design|overview)",
                                re.IGNORECASE)
_IMAGE_FILE = lazy_re.compile(r"\.(?:png|svg|jpe?g|gif|webp|drawio|excalidraw)$", re.IGNORECASE)
MAX_DOCS = 200


def _named_diagram(ctx: Context) -> tuple[str, int, str] | None:
    """An image named as an architecture diagram (``docs/assets/architecture.svg``,
    ``img/system-design.png``) that the README or a document of the docs embeds, whatever
    the document's name: the document, the line and the image."""
    readme = ctx.first("README.md", "readme.md", "Readme.md")
    docs = ctx.files(["docs/**/*.md", "doc/**/*.md"], case_sensitive=False)[:MAX_DOCS]
    for path in [*([readme] if readme else []), *docs]:
        doc = ctx.repo.parse(path, parse_markdown)
        if not isinstance(doc, Markdown):
            continue
        for link in doc.links:
            url = link.url.split("?", 1)[0].split("#", 1)[0]
            name = PurePosixPath(url).name
            if _IMAGE_FILE.search(name) and _DIAGRAM_NAME.search(name):
                return path, link.line, url
    return None


def _article(word: str) -> str:
    return "an" if word[:1].lower() in "aeiou" else "a"


def _architecture(ctx: Context, candidates: list[Candidate],
                  with_diagram: list[tuple[Candidate, str]]) -> Finding:
    """Level 2: an architecture document with a diagram, or an architecture diagram the
    README or the docs embed under another document's name."""
    if with_diagram:
        (path, line, _, _), kind = with_diagram[0]
        return passed(T(f"architecture document {path} with {_article(kind)} {kind} diagram",
                        f"documento de arquitectura {path} con un diagrama {kind}"), path, line,
                      level=2)
    named = _named_diagram(ctx)
    if named is not None:
        path, line, url = named
        return passed(T(f"{path}:{line} embeds the architecture diagram {url}",
                        f"{path}:{line} incluye el diagrama de arquitectura {url}"), path, line,
                      level=2)
    if candidates and (above := next(
            ((c, image) for c in candidates if c[1] > 1 and (image := _image_above(c[3], c[1]))),
            None)):
        (path, line, _, _), (url, at) = above
        return warned(T(f"{path}:{line} describes the architecture with no diagram in that "
                        f"section; the image {url} ({path}:{at}) shown just above it is not "
                        "identified as an architecture diagram",
                        f"{path}:{line} describe la arquitectura sin diagrama en esa sección; la "
                        f"imagen {url} ({path}:{at}) que aparece justo encima no se identifica "
                        "como diagrama de arquitectura"), path, line, level=2,
                      fix=T("if that image is the architecture diagram, move it into the "
                            "section (or name it architecture); otherwise add a mermaid or "
                            "PlantUML diagram there",
                            "si esa imagen es el diagrama de arquitectura, muévela a la sección "
                            "(o llámala architecture); si no, añade allí un diagrama mermaid o "
                            "PlantUML"))
    if candidates:
        path, line, _, _ = candidates[0]
        return failed(T(f"{path} describes the architecture but has no diagram (mermaid, "
                        "PlantUML or an image)", f"{path} describe la arquitectura pero no tiene "
                        "diagrama (mermaid, PlantUML o imagen)"), path, line, level=2)
    return failed(T("no architecture document (docs/ARCHITECTURE.md or a README "
                    "Architecture section)", "no hay documento de arquitectura "
                    "(docs/ARCHITECTURE.md o sección Arquitectura del README)"), level=2,
                  fix=ARCHITECTURE_FIX)


def _no_canvas(ctx: Context) -> Finding:
    """Level 3 without an ML Canvas: not applicable unless a project has a model."""
    model = _model_anywhere(ctx)
    if model is None:
        return skipped(T("not applicable: no project of the repository trains a model, "
                         "loads one or predicts with one, so there is no ML Canvas to "
                         "write (it frames a model's business problem, data and metrics)",
                         "no aplica: ningún proyecto del repositorio entrena un modelo, lo "
                         "carga ni predice con él, así que no hay ML Canvas que escribir "
                         "(enmarca el problema de negocio, los datos y las métricas de un "
                         "modelo)"), level=3)
    return failed(T("no ML Canvas (docs/ML_CANVAS.md, or a document with 6 of the 8 canvas "
                    "sections) for the model (", "no hay ML Canvas (docs/ML_CANVAS.md, o un "
                    "documento con 6 de las 8 secciones del canvas) para el modelo (")
                  + model + T(")", ")"), level=3, fix=CANVAS_FIX)


def _canvas(path: str, found: set[str], doc: Markdown, diagram: bool) -> Finding:
    """Level 3: the ML Canvas has its sections and quantified metrics, and the
    architecture its diagram."""
    problems = []
    if len(found) < 6:
        missing = [k for k in CANVAS_SECTIONS if k not in found]
        problems.append(T(f"only {len(found)}/8 canvas sections (missing {', '.join(missing)})",
                          f"solo {len(found)}/8 secciones del canvas (faltan "
                          f"{', '.join(missing)})"))
    numbers = len(_NUMBER.findall("\n".join(t for _, t in doc.prose)
                                  + "\n".join(" ".join(r) for tb in doc.tables
                                              for r in tb.rows)))
    if numbers < 3:
        problems.append(T("the metrics are not quantified (business, model and system targets "
                          "with numbers)", "las métricas no están cuantificadas (objetivos de "
                          "negocio, modelo y sistema con números)"))
    if not diagram:
        problems.append(T("no architecture diagram (level 2)", "no hay diagrama de "
                          "arquitectura (nivel 2)"))
    if problems:
        return failed(T.join(problems), path, 1, level=3)
    return passed(T(f"ML Canvas {path} with {len(found)}/8 sections and quantified metrics",
                    f"ML Canvas {path} con {len(found)}/8 secciones y métricas "
                    "cuantificadas"), path, 1, level=3)


@rule("DES002")
def design_docs(ctx: Context, params: None) -> Iterator[Finding]:
    """DES002: architecture doc with a diagram (L2) and a quantified ML Canvas (L3)."""
    candidates = _candidates(ctx)
    if not candidates and _find_canvas(ctx) is None and not ctx.repo.glob(PHASE1_CODE):
        yield skipped(T("not applicable: no design document and no Python code in the "
                        "repository (no .py, notebook or Python packaging file), so phase 1, "
                        "whose design documents these are, does not apply",
                        "no aplica: no hay documento de diseño ni código Python en el "
                        "repositorio (ni .py, ni notebook, ni archivo de empaquetado Python), "
                        "así que la fase 1, a la que pertenecen estos documentos, no aplica"))
        return
    with_diagram = [(c, kind) for c in candidates if (kind := _has_diagram(c[3], c[1], c[2]))]
    architecture = _architecture(ctx, candidates, with_diagram)
    yield architecture
    canvas = _find_canvas(ctx)
    if canvas is None:
        yield _no_canvas(ctx)
        return
    path, found, doc = canvas
    yield _canvas(path, found, doc, architecture.status is Status.PASS)


def _canvas_sections(doc: Markdown) -> set[str]:
    return {key for key, names in CANVAS_SECTIONS.items() if headings_matching(doc, names)}


def _find_canvas(ctx: Context) -> tuple[str, set[str], Markdown] | None:
    named = ctx.files(CANVAS_GLOBS, case_sensitive=False)
    best: tuple[str, set[str], Markdown] | None = None
    for path in named:
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, Markdown):
            found = _canvas_sections(doc)
            if best is None or len(found) > len(best[1]):
                best = (path, found, doc)
    if best is not None:
        return best
    for path in ctx.files(["docs/**/*.md"]):
        if "card" in PurePosixPath(path).name.lower():
            continue
        doc = ctx.repo.parse(path, parse_markdown)
        if isinstance(doc, Markdown):
            found = _canvas_sections(doc)
            if len(found) >= 6 and {"business", "value"} <= found:
                return path, found, doc
    return None
