"""The rule catalog as validated models: the built-in rules (``mlops_lint/rules``: each
family folder holds one YAML file per rule beside its module) and user rule packs (a
YAML file with ``phase:`` and a ``rules:`` list)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    field_validator,
    model_validator,
)

from mlops_lint import resources
from mlops_lint.globs import check_glob
from mlops_lint.model import T
from mlops_lint.rules import Params, check_index, spec_of


class CatalogError(Exception):
    """A rule file is invalid; the message names the file and the rule."""


DEFERRED = object()  # parameters validated when the rule first runs


class _Model(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class Text(_Model):
    en: str
    es: str

    def t(self) -> T:
        return T(self.en, self.es)


class Criterion(_Model):
    level: int = Field(ge=1, le=3)
    gate: bool = False
    weight: float | None = Field(None, ge=0)
    text: Text

    @property
    def effective_weight(self) -> float:
        if self.weight is not None:
            return self.weight
        return 3.0 if self.gate else 1.0


class Rule(_Model):
    id: str = Field(pattern=r"^[A-Z][A-Z0-9]{1,5}\d{3}$")
    phase: int = Field(ge=1, le=7)
    scope: Literal["project", "repo"] = "project"
    kind: str = "S"
    severity: Literal["error", "warning", "info"] = "error"
    scored: bool = True
    title: Text
    fix: Text
    rationale: Text
    example: str | None = None
    source: str = ""
    checklist: str | None = None
    threshold: str | None = None
    check: str  # the check's name; a built-in rule's own check is named by its id
    params: dict[str, Any] = Field(default_factory=dict)
    levels: tuple[Criterion, ...] = Field(min_length=1)
    applies_if: tuple[str, ...] = ()
    not_applicable: Text | None = None

    @model_validator(mode="before")
    @classmethod
    def _own_check(cls, data: Any) -> Any:
        if isinstance(data, dict) and "check" not in data and "id" in data:
            return {**data, "check": data["id"]}
        return data

    @field_validator("applies_if")
    @classmethod
    def _valid_globs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for glob in value:
            check_glob(glob)
        return value

    @model_validator(mode="after")
    def _distinct_levels(self) -> Rule:
        levels = [c.level for c in self.levels]
        if len(set(levels)) != len(levels):
            raise ValueError("each level may appear once in 'levels'")
        return self

    @property
    def graded(self) -> bool:
        return len(self.levels) > 1

    def criterion(self, level: int) -> Criterion:
        for crit in self.levels:
            if crit.level == level:
                return crit
        raise KeyError(level)


class Artefact(_Model):
    """One of a phase's core artefacts (levels.md point 1): present when a file matches one
    of ``files`` (at least ``min_bytes`` long, and holding a match of ``contains`` when
    given) or a result of one of ``rules`` (``RULE`` or ``RULE@LEVEL``) passes or warns.
    Any present artefact puts its phase at level 1."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    name: Text
    files: tuple[str, ...] = ()
    min_bytes: int = Field(0, ge=0)
    contains: str | None = None  # a plain alternation: no nested quantifiers
    rules: tuple[str, ...] = ()
    # rule-id prefixes of the criteria about this artefact: while no artefact claiming a
    # criterion is present, it leaves the phase's ratio (the phase's requirements say
    # what is missing instead of a wall of failures about it)
    criteria: tuple[str, ...] = ()
    # False: evidence a requirement can name, but not level-1 presence on its own (a
    # Dockerfile makes a service containerised; it is not a serving app)
    presence: bool = True

    @model_validator(mode="after")
    def _has_evidence(self) -> Artefact:
        if not self.files and not self.rules:
            raise ValueError("an artefact needs 'files' or 'rules'")
        return self


class Requirement(_Model):
    """Level ``level`` needs at least ``min`` of the artefacts ``of`` (all the phase's
    artefacts when empty) present: the rubric's "two or three of them" (phase 3) or
    "plus a model card, a data card or an ethics section" (phase 7)."""

    level: int = Field(ge=2, le=3)
    of: tuple[str, ...] = ()
    min: int = Field(1, ge=1)
    text: Text


class Phase(_Model):
    phase: int = Field(ge=1, le=7)
    name: Text
    artefacts: tuple[Artefact, ...] = Field(min_length=1)
    requires: tuple[Requirement, ...] = ()
    applies_if: tuple[str, ...] = ()  # globs: none matching → the phase is not applicable
    not_applicable: Text | None = None
    thresholds: dict[int, float] = Field(default_factory=dict)  # overrides model.thresholds

    @model_validator(mode="after")
    def _known_artefacts(self) -> Phase:
        ids = {a.id for a in self.artefacts}
        for requirement in self.requires:
            unknown = set(requirement.of) - ids
            if unknown:
                raise ValueError(f"requirement names unknown artefacts: {sorted(unknown)}")
        return self


class LevelModel(_Model):
    """The thresholds of the level model (levels.md): level L (2, 3) needs the weighted
    credit of the criteria of levels up to L at ``thresholds[L]`` or more."""

    thresholds: dict[int, float]


class _RuleFile(_Model):
    phase: int | None = Field(None, ge=1, le=7)
    rules: list[dict[str, Any]] = Field(default_factory=list)


class _PhaseFile(_Model):
    model: LevelModel
    critical: tuple[str, ...] = ()
    phases: list[Phase]


@dataclass(frozen=True)
class Catalog:
    rules: tuple[Rule, ...]
    phases: tuple[Phase, ...]
    params: dict[str, Params | None]
    thresholds: dict[int, float]
    critical: tuple[str, ...] = ()  # rule ids whose failures fail the default gate

    def params_for(self, rule: Rule) -> Params | None:
        """The parameters of the rule's check: validated when the catalog loaded, or
        now for a built-in rule that sets none (the check's module imported now)."""
        if rule.id not in self.params:
            self.params[rule.id] = _params(None, rule)
        return self.params[rule.id]

    def by_id(self, rule_id: str) -> Rule | None:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        return None

    def phase(self, number: int) -> Phase:
        return self.phases[number - 1]

    def select(self, select: Iterable[str], ignore: Iterable[str]) -> tuple[Rule, ...]:
        """Rules whose id starts with a selected prefix and with no ignored prefix."""
        sel = [s.upper() for s in select]
        ign = [s.upper() for s in ignore]

        def hit(rule_id: str, prefixes: list[str]) -> bool:
            return any(p == "ALL" or rule_id.startswith(p) for p in prefixes)

        return tuple(r for r in self.rules if hit(r.id, sel) and not hit(r.id, ign))

    def unknown_prefixes(self, prefixes: Iterable[str]) -> list[str]:
        return [p for p in prefixes if p.upper() != "ALL"
                and not any(r.id.startswith(p.upper()) for r in self.rules)]


def builtin_rules_dir() -> Path:
    """``rules/`` shipped in the wheel, or at the source checkout root when editable."""
    try:
        return resources.builtin_rules_dir()
    except FileNotFoundError as exc:
        raise CatalogError(str(exc)) from exc


# ``reader(path, parse)``: ``parse()``, or what it gave for this file before (a cache)
Reader = Callable[[Path, Callable[[], Any]], Any]


def _read_yaml(path: Path, reader: Reader | None = None) -> Any:
    if reader is not None:
        return reader(path, lambda: _read_yaml(path))
    from mlops_lint.parsers import ParseError
    from mlops_lint.parsers.yaml_file import YamlError, load_yaml
    from mlops_lint.safe_read import read_capped

    data = read_capped(path, str(path))
    if isinstance(data, ParseError):
        raise CatalogError(f"{path}: {data.message}")
    try:
        return load_yaml(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise CatalogError(f"{path}: cannot read: not UTF-8 text") from None
    except YamlError as exc:
        where = f"{path}:{exc.line}" if exc.line else str(path)
        raise CatalogError(f"{where}: invalid YAML: {exc}") from None


def _error(path: Path, rule_id: str | None, exc: ValidationError) -> CatalogError:
    first = exc.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    who = f" rule {rule_id}" if rule_id else ""
    return CatalogError(f"{path}:{who}: {loc}: {first['msg']}")


def _params(path: Path | None, rule: Rule) -> Params | None:
    """The rule's check parameters, validated (the check's module is imported)."""
    spec = spec_of(rule.check)
    if spec is None:
        raise CatalogError(f"{path}: rule {rule.id}: unknown check '{rule.check}'")
    if spec.params is not None:
        try:
            return spec.params.model_validate(rule.params)
        except ValidationError as exc:
            first = exc.errors()[0]
            loc = ".".join(str(p) for p in first["loc"])
            raise CatalogError(
                f"{path}: rule {rule.id}: params.{loc}: {first['msg']}") from None
    if rule.params:
        raise CatalogError(f"{path}: rule {rule.id}: check '{rule.check}' takes no params")
    return None


def _load_rule_file(path: Path, reader: Reader | None = None, eager: bool = True,
                    ) -> list[tuple[Rule, Params | object | None]]:
    """The rules of one file with their parameters. ``eager``: every check's parameters
    are validated now (a rule pack fails early, with its file and rule id); else (the
    built-in rules, which the test suite validates) a check's module is imported and
    its parameters validated when its rule first runs."""
    data = _read_yaml(path, reader)
    if isinstance(data, dict) and "id" in data:  # one built-in rule's metadata
        data = {"rules": [data]}
    try:
        parsed = _RuleFile.model_validate(data if data is not None else {})
    except ValidationError as exc:
        raise _error(path, None, exc) from None
    loaded: list[tuple[Rule, Params | object | None]] = []
    known = check_index()
    for raw in parsed.rules:
        rule_id = raw.get("id") if isinstance(raw, dict) else None
        if parsed.phase is not None and isinstance(raw, dict):
            raw = {"phase": parsed.phase, **raw}
        try:
            rule = Rule.model_validate(raw)
        except ValidationError as exc:
            raise _error(path, str(rule_id) if rule_id else None, exc) from None
        if eager or rule.check not in known:
            loaded.append((rule, _params(path, rule)))
        else:
            loaded.append((rule, DEFERRED))
    return loaded


def load_catalog(packs: Iterable[Path] = (), rules_dir: Path | None = None,
                 reader: Reader | None = None) -> Catalog:
    """Load the built-in catalog plus team rule packs; raise :class:`CatalogError`.
    ``reader`` reads the built-in rule files (the results cache keeps them parsed);
    rule packs are always parsed."""
    directory = rules_dir or builtin_rules_dir()
    phase_path = directory / "phases.yaml"
    try:
        phase_file = _PhaseFile.model_validate(_read_yaml(phase_path, reader))
    except ValidationError as exc:
        raise _error(phase_path, None, exc) from None
    phases = phase_file.phases
    if [p.phase for p in phases] != list(range(1, 8)):
        raise CatalogError(f"{phase_path}: phases must be 1..7 in order")
    files = sorted(p for p in directory.glob("*.yaml") if p.name != "phases.yaml")
    files += sorted(p for p in directory.glob("*/*.yaml")
                    if (p.parent / "__init__.py").is_file())  # one file per rule
    entries: list[tuple[Rule, Params | object | None]] = []
    seen: dict[str, Path] = {}
    packs = list(packs)
    for path in [*files, *packs]:
        builtin = path in files
        shipped = builtin and rules_dir is None  # the tool's own rules: validated by tests
        for rule, params in _load_rule_file(path, reader if builtin else None, not shipped):
            if rule.id in seen:
                raise CatalogError(
                    f"{path}: rule {rule.id}: id already defined in {seen[rule.id].name}")
            seen[rule.id] = path
            entries.append((rule, params))
    entries.sort(key=lambda e: (e[0].phase, e[0].id))
    return Catalog(tuple(r for r, _ in entries), tuple(phases),
                   {r.id: p for r, p in entries if p is not DEFERRED},  # type: ignore[misc]
                   dict(phase_file.model.thresholds), phase_file.critical)
