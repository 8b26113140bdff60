"""DOC007: a dataset card. Level 2: a feature-description table and the target
distribution; level 3: at least ``min_sections`` (9) of the 12 template sections, PII,
collection, splits, biases, ethics, maintenance and licence included, and no placeholders.

A Hugging Face dataset README (``data/README.md`` or the root's, by its front matter) is a
card when no dedicated one exists.

Without a card, a project with no dataset is not applicable: it trains no model (modules
or notebooks), its modules use no DataFrame library (the data facts of
:func:`mlops_lint.readers.training.no_data`), and it holds no dataset (no DVC-tracked data
and no data files outside its tests and docs); a project that only deploys a pretrained
model is one. So is a documentation repository (:mod:`mlops_lint.readers.project_kind`)
that holds no dataset file: its teaching notebooks' data is an example, not a dataset of
its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from pydantic import Field

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    Markdown,
    phrases_in,
)
from mlops_lint.parsers.python_source import is_test_path
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.training import no_data, not_project_dir
from mlops_lint.rules import Params, rule
from mlops_lint.rules.docs._placeholders import placeholder_findings
from mlops_lint.rules.docs._sections import section_set
from mlops_lint.rules.docs._shared import (
    DATA_CARD_GLOBS,
    HF_DATASET_KEYS,
    HF_MODEL_KEYS,
    find,
    front_matter,
    mentions,
    no_template,
    numeric_table,
    read_markdown,
    scaffold_files,
    unreadable,
)


class DataCardParams(Params):
    min_sections: int = Field(9, ge=1, le=12)


_FEATURE_NAME_COL = lazy_re.compile(r"feature|variable|columna|column|campo|field|atributo|"
                                    r"attribute|nombre|name", re.I)


_FEATURE_DESC_COL = lazy_re.compile(r"descrip|tipo|type|dtype|significado|meaning|definici|unidad|"
                                    r"unit|rango|range", re.I)


_TARGET_WORDS = ("target", "objetivo", "label", "etiqueta", "clase", "class", "churn")


_DISTRIBUTION = lazy_re.compile(r"distribu|balance|proporci|ratio|%", re.I)


def is_hf_dataset_card(data: dict[str, Any] | None) -> bool:
    return bool(data) and bool(set(data or {}) & HF_DATASET_KEYS) \
        and not set(data or {}) & HF_MODEL_KEYS


def data_cards(ctx: Context) -> list[str]:
    found = no_template(ctx.files(DATA_CARD_GLOBS, case_sensitive=False))
    if found:
        return found
    shipped = scaffold_files(ctx, DATA_CARD_GLOBS)
    if shipped:
        return shipped
    for readme in ctx.files(("data/README.md", "README.md"), case_sensitive=False):
        if is_hf_dataset_card(front_matter(ctx, readme)):
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


def _by_content(doc: Markdown, present: dict[str, int]) -> dict[str, int]:
    """Sections missing by heading whose content is under another heading ("imputed",
    "outliers filtered" under Quality Considerations is the preprocessing section's)."""
    found = {}
    for key, section in section_set("dataset_card").sections.items():
        if key in present or not section.content:
            continue
        holder = next((h for h in doc.headings if mentions(doc.section(h), section.content)),
                      None)
        if holder is not None:
            found[key] = holder.line
    return found


def dataset_card_report(doc: Markdown, front: dict[str, Any] | None) -> dict[str, int]:
    """Sections present (key -> line) of a dataset card, PII and licence facts included."""
    spec = section_set("dataset_card")
    present = {}
    for key, section in spec.sections.items():
        found = find(doc, section)
        if found:
            present[key] = found[0].line
    present.update(_by_content(doc, present))
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


# files that hold or version a dataset
DATASET_GLOBS = ("**/*.dvc", "**/dvc.yaml", "**/*.csv", "**/*.tsv", "**/*.parquet",
                 "**/*.jsonl", "**/*.arrow", "**/*.feather", "**/*.avro", "**/*.npz")


def _dataset_file(ctx: Context) -> str | None:
    """A DVC file or a data file of the project (not under tests, docs or examples)."""
    for path in ctx.files(DATASET_GLOBS):
        local = ctx.project.local(path)
        if is_test_path(local) or "tests" in local.split("/")[:-1]:
            continue
        if not any(not_project_dir(p) or p.startswith(".") for p in local.split("/")[:-1]):
            return path
    return None


def _no_dataset(ctx: Context) -> Finding | None:
    if _dataset_file(ctx) is not None:
        return None
    if (documentation := project_kind(ctx.repo).no_code()) is not None:
        return skipped(T("not applicable: ", "no aplica: ") + documentation + T(
            " with no dataset file of its own, so there is no dataset to describe in a card",
            " sin archivos de datos propios, así que no hay dataset que describir en una "
            "card"))
    return no_data(ctx, T("there is no dataset to describe in a card (nor DVC-tracked data "
                          "or data files)", "no hay dataset que describir en una card (ni "
                          "datos versionados con DVC ni archivos de datos)"))


@rule("DOC007", DataCardParams)
def dataset_card(ctx: Context, params: DataCardParams) -> Iterator[Finding]:
    """DOC007: L2 a data card with a feature table and the target distribution; L3 >= 9
    of the 12 template sections incl. PII, collection, splits, biases, ethics, maintenance
    and licence, and no placeholders."""
    cards = data_cards(ctx)
    if not cards and (absent := _no_dataset(ctx)) is not None:
        yield absent
        return
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
        doc = read_markdown(ctx, path)
        if isinstance(doc, ParseError):
            yield unreadable(path, doc)
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
        present = dataset_card_report(doc, front_matter(ctx, path))
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
        yield from placeholder_findings(ctx, path, doc, 3)
