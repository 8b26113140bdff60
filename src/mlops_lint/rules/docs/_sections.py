"""The card-section data of the docs rules: the English/Spanish synonym sets of
``rules/_data/card_sections.yaml`` (model card, dataset card and README sections, and the
responsible-AI areas), loaded once."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from mlops_lint.model import T
from mlops_lint.parsers.markdown import (
    Heading,
    section_matches,
)
from mlops_lint.parsers.yaml_file import load_yaml


@dataclass(frozen=True)
class Section:
    key: str
    name: T
    patterns: tuple[str, ...]
    vetoes: tuple[str, ...] = ()
    content: tuple[str, ...] = ()  # key phrases of its content, found under other headings

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
                                     tuple(str(v) for v in body.get("not", ())),
                                     tuple(str(c) for c in body.get("content", ())))
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
