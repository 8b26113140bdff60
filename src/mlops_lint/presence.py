"""Presence evidence of a phase's artefacts: which files of the repository (or of a
project) match an artefact's globs, size floor and ``contains`` pattern, and which passing
rules stand for it. Level 1 of a phase is this presence (``levels.md``).
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint.catalog import Phase
from mlops_lint.globs import filter_paths
from mlops_lint.repo import SCAFFOLD_DIRS


@dataclass(frozen=True)
class Inventory:
    """The files of the repository and of each project (repository paths), and how to
    know a file's size and text: what presence evidence is matched against."""

    files: tuple[str, ...]
    projects: dict[str, tuple[str, ...]]
    size: Callable[[str], int]
    text: Callable[[str], str]
    scaffolds: tuple[str, ...] = ()  # scaffold folders of a template repository

    def is_reader_template(self, path: str) -> bool:
        """A file under a ``templates/`` folder that is no project's scaffold
        (``docs/templates/docker-compose.yml``): a template for readers to copy, not
        the repository's own artefact."""
        parts = PurePosixPath(path).parts[:-1]
        return any(p.lower() in SCAFFOLD_DIRS for p in parts) and not any(
            path.startswith(root + "/") for root in self.scaffolds)


@dataclass(frozen=True)
class Evidence:
    """Why an artefact counts as present: a file, or a rule's passing result."""

    artefact: str
    kind: str  # "file" | "rule"
    ref: str


MAX_SCANNED = 1 << 20  # characters of a file searched for an artefact's ``contains``


class PathIndex:
    """Which files match a set of globs, pass an artefact's size and template filters, or
    contain its pattern: decided once per file for a whole assessment, so that the
    per-project evaluations (each over its own files and the shared ones) do not redo
    projects × files glob matches and text searches."""

    def __init__(self, inv: Inventory, files: Iterable[str] = ()) -> None:
        self.inv = inv
        universe = dict.fromkeys(inv.files)
        for owned in inv.projects.values():
            universe.update(dict.fromkeys(owned))
        universe.update(dict.fromkeys(files))
        self.universe: tuple[str, ...] = tuple(universe)
        self._universe_set = frozenset(self.universe)
        self._globbed: dict[tuple[str, ...], frozenset[str]] = {}
        self._eligible: dict[tuple[tuple[str, ...], int], frozenset[str]] = {}
        self._contains: dict[tuple[str, str], bool] = {}
        self._sets: dict[int, tuple[Sequence[str], frozenset[str]]] = {}

    def fileset(self, files: Sequence[str]) -> frozenset[str]:
        """``files`` as a set (memoized by identity: the callers reuse their lists)."""
        known = self._sets.get(id(files))
        if known is not None and known[0] is files:
            return known[1]
        made = frozenset(files)
        if not made <= self._universe_set:  # files the inventory does not list
            self.universe = (*self.universe, *sorted(made - self._universe_set))
            self._universe_set = frozenset(self.universe)
            self._globbed.clear()
            self._eligible.clear()
        self._sets[id(files)] = (files, made)
        return made

    def globbed(self, globs: Sequence[str]) -> frozenset[str]:
        key = tuple(globs)
        found = self._globbed.get(key)
        if found is None:
            found = self._globbed[key] = frozenset(filter_paths(self.universe, key))
        return found

    def eligible(self, globs: Sequence[str], min_bytes: int) -> frozenset[str]:
        key = (tuple(globs), min_bytes)
        found = self._eligible.get(key)
        if found is None:
            found = self._eligible[key] = frozenset(
                f for f in self.globbed(globs)
                if (not min_bytes or self.inv.size(f) >= min_bytes)
                and not self.inv.is_reader_template(f))
        return found

    def contains(self, pattern: re.Pattern[str], path: str) -> bool:
        key = (pattern.pattern, path)
        found = self._contains.get(key)
        if found is None:
            found = self._contains[key] = pattern.search(
                self.inv.text(path)[:MAX_SCANNED]) is not None
        return found


def presence(phase: Phase, good: frozenset[str], inv: Inventory,
             files: Sequence[str], index: PathIndex | None = None) -> tuple[Evidence, ...]:
    """The phase's artefacts found: the first file and every passing rule of each
    (``good``: ``RULE`` and ``RULE@LEVEL`` of any phase with a passing or warning result
    in scope)."""
    index = index or PathIndex(inv, files)
    fileset = index.fileset(files)
    found: list[Evidence] = []
    for artefact in phase.artefacts:
        for rule in artefact.rules:
            if rule in good:
                found.append(Evidence(artefact.id, "rule", rule))
        if artefact.files:
            hits = sorted(index.eligible(artefact.files, artefact.min_bytes or 0) & fileset)
            if artefact.contains:
                pattern = re.compile(artefact.contains)
                hits = [next((f for f in hits if index.contains(pattern, f)), "")]
            if hits and hits[0]:
                found.append(Evidence(artefact.id, "file", hits[0]))
    return tuple(found)
