"""The model card as DOC004-DOC006 read it: where the cards are (the spec's locations, a
template repository's scaffold, a Hugging Face README), and which template sections a card
has (:func:`model_card_report`: headings, ``Label: value`` lead fields under the title, the
``model-index`` of the front matter), with the problems of those it has."""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.markdown import (
    Heading,
    Markdown,
)
from mlops_lint.rules.docs._sections import SectionSet, section_set
from mlops_lint.rules.docs._shared import (
    MODEL_CARD_GLOBS,
    README_GLOBS,
    find,
    front_matter,
    is_hf_model_card,
    join,
    mentions,
    no_template,
    numeric_table,
    read_markdown,
    scaffold_files,
)


@dataclass(frozen=True)
class Cards:
    dedicated: list[str]
    templates: list[str]
    hf_readme: str | None
    scaffold: list[str] = field(default_factory=list)

    @property
    def all(self) -> list[str]:
        return self.dedicated or self.scaffold or ([self.hf_readme] if self.hf_readme else [])


def model_cards(ctx: Context) -> Cards:
    """The project's model cards: the spec's locations, else a card shipped by the
    scaffold of a template repository, else a Hugging Face README."""
    found = ctx.files(MODEL_CARD_GLOBS, case_sensitive=False)
    dedicated = no_template(found)
    templates = [p for p in found if p not in dedicated]
    hf = None
    readme = next(iter(ctx.files(README_GLOBS, case_sensitive=False)), None)
    if readme is not None and is_hf_model_card(front_matter(ctx, readme)):
        hf = readme
    scaffold = [] if dedicated else [p for p in scaffold_files(ctx, MODEL_CARD_GLOBS)
                                     if p not in found]
    return Cards(dedicated, templates, hf, scaffold)


def card_fix(ctx: Context) -> T:
    where = ctx.path("docs/model_card.md")
    return T(f"add {where} (the guide's template: docs/templates/model_card_template.md)",
             f"añade {where} (plantilla de la guía: docs/templates/model_card_template.md)")


def no_card(ctx: Context, level: int | None = None) -> Finding:
    return failed(T("no model card (see DOC004)", "no hay model card (ver DOC004)"),
                  level=level, fix=card_fix(ctx), see="DOC004")


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
                         "not for", "do not use", "no apto para", "no es para",
                         "no usar", "no debe usarse", "no debe utilizarse", "no recomendado",
                         "no previsto", "no se debe usar")


_LEAD_FIELD = lazy_re.compile(r"[ \t]{0,8}(?:[-*+][ \t]{1,4})?(?P<label>[^\W\d_][\w ()/-]{0,39}?)"
                              r"[ \t]{0,4}:[ \t]{0,8}(?P<value>\S.{0,299})")


_LEAD_VERSION = lazy_re.compile(
    r"[ \t]{0,8}(?:[-*+][ \t]{1,4})?(?:model[ \t]{1,4}|modelo[ \t]{1,4})?"
    r"versi[oó]n[ \t]{0,4}:?[ \t]{0,8}v?\d{1,6}(?:\.\d{1,6}){1,3}\b.{0,200}",
    re.IGNORECASE)


_MODEL_LABELS = frozenset({"model", "modelo", "model type", "tipo de modelo", "algorithm",
                           "algoritmo", "architecture", "arquitectura", "estimator"})


_DETAIL_LABELS = frozenset({"model", "modelo", "model name", "name", "nombre", "owner",
                            "owners", "responsable", "date", "fecha", "version", "versión",
                            "model version", "type", "tipo", "model type", "tipo de modelo",
                            "target", "task", "tarea", "license", "licencia", "developed by",
                            "desarrollado por", "framework", "algorithm", "algoritmo"})


_ALGORITHM = lazy_re.compile(r"classifier|regressor|regression|forest|boost|xgb|lgbm|svm|svc|knn|"
                             r"neighbo|tree|network|\bnet\b|transformer|bert|lstm|cnn|gpt|llama|"
                             r"logreg|voting|ensemble|stacking|k-?means|cluster|arima|prophet",
                             re.IGNORECASE)


_VERSION_VALUE = lazy_re.compile(r"v?\d{1,6}(?:\.\d{1,6}){1,3}\b")


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


def _section_text(doc: Markdown, headings: Iterable[Heading]) -> str:
    return "\n".join(doc.section(h) for h in headings)


def _out_of_scope(doc: Markdown, heads: dict[str, list[Heading]]) -> int | None:
    """An Intended use or Limitations section naming uses out of scope."""
    for key in ("intended_use", "limitations"):
        for heading in heads[key]:
            if mentions(doc.section(heading), _OUT_OF_SCOPE_PHRASES):
                return heading.line
    return None


def _monitoring_problem(text: str) -> T | None:
    lacks = []
    if not re.search(r"umbral|threshold|alert|alerta|[<>≥≤]\s*\d|\d\s*%", text, re.I):
        lacks.append(T("alert thresholds", "umbrales de alerta"))
    if not re.search(r"re-?entren|re-?train|retraining", text, re.I):
        lacks.append(T("retraining plan", "plan de reentrenamiento"))
    return T("no ", "sin ") + T.join(lacks, ", ") if lacks else None


def _versioning_problem(text: str) -> T | None:
    code = bool(re.search(r"\bcommit\b|\btag\b|\bsha\b|\bgit\b|\bv\d+\.\d+", text, re.I))
    model = bool(re.search(r"mlflow|run[ _-]?id|\bdvc\b|\bhash\b|registry|registro", text,
                           re.I))
    if code and model:
        return None
    return T("needs the code commit/tag and an MLflow run id or DVC hash",
             "necesita el commit/tag del código y un run id de MLflow o un hash de DVC")


def _numeric_tables(doc: Markdown, headings: list[Heading], min_rows: int = 1) -> bool:
    return any(numeric_table(t, min_rows) for h in headings for t in doc.tables_in(h))


def _problems(doc: Markdown, heads: dict[str, list[Heading]],
              lead: dict[str, tuple[int, str]], hf_numbers: bool) -> dict[str, T]:
    """Why sections the card has do not count (key -> reason)."""
    problems: dict[str, T] = {}
    if heads["metrics"] and not hf_numbers and not _numeric_tables(doc, heads["metrics"]):
        problems["metrics"] = T("no table with numeric values", "sin tabla con valores numéricos")
    if heads["fairness"] and not _numeric_tables(doc, heads["fairness"], 2):
        problems["fairness"] = T("no subgroup metrics table", "sin tabla de métricas por subgrupo")
    if heads["monitoring"]:
        monitoring = _monitoring_problem(_section_text(doc, heads["monitoring"]))
        if monitoring is not None:
            problems["monitoring"] = monitoring
    if heads["versioning"] or "versioning" in lead:
        text = _section_text(doc, heads["versioning"]) if heads["versioning"] else \
            lead["versioning"][1]
        versioning = _versioning_problem(text)
        if versioning is not None:
            problems["versioning"] = versioning
    return problems


def model_card_report(doc: Markdown, front: dict[str, Any] | None) -> CardReport:
    spec = section_set("model_card")
    heads = {key: find(doc, section) for key, section in spec.sections.items()}
    present = {key: found[0].line for key, found in heads.items() if found}
    lead = {k: v for k, v in lead_fields(doc).items() if k not in present}
    for key, (line, _) in lead.items():
        present[key] = line
    if "out_of_scope" not in present:
        out_of_scope = _out_of_scope(doc, heads)
        if out_of_scope is not None:
            present["out_of_scope"] = out_of_scope
    hf_numbers = _hf_metrics(front)
    if hf_numbers and "metrics" not in present:
        present["metrics"] = 0
    return CardReport(present, _problems(doc, heads, lead, hf_numbers))


def card_docs(ctx: Context) -> Iterator[tuple[str, Markdown | ParseError,
                                               dict[str, Any] | None]]:
    for path in model_cards(ctx).all:
        yield path, read_markdown(ctx, path), front_matter(ctx, path)


def detailed(keys: Iterable[str], spec: SectionSet, report: CardReport) -> T:
    parts = []
    for key in keys:
        name = spec[key].name
        problem = report.problems.get(key)
        parts.append(name + (T(" (", " (") + problem + T(")", ")") if problem else T("", "")))
    return join(parts)
