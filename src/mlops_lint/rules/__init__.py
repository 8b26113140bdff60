"""The rules: one module per rule, grouped by family, plus the generic checks rule packs use.

Layout::

    rules/
      phases.yaml            the phases, their artefacts and the level thresholds
      _data/                 knowledge the rules read (base images, card sections, ...)
      generic.py             the generic checks (file_exists, ...) team rule packs use
      <family>/__init__.py   the family: its maintainers' notes in the docstring
      <family>/_shared.py    what the family's rules share
      <family>/<id>_<name>.py   one rule: its check, registered by the rule id
      <family>/<id>_<name>.yaml the same rule's metadata (phase, title, levels, fix, why)

A rule's check is a plain function ``(ctx, params) -> Iterable[Finding]`` decorated with
:func:`rule` (``@rule("DOCK005")``); a generic check uses :func:`check` and a name.
``params`` is an instance of the pydantic model given to the decorator (validated when
the catalog loads, so a bad rule pack fails early with its file and rule id), or ``None``.

A rule imports its family's ``_shared``, the readers (:mod:`mlops_lint.readers`, facts
shared by several families), the parsers and the model, never another family. A run
imports only the modules of the rules it runs (:func:`spec_of`), found by reading the
modules' source for their ``@rule("ID"`` or ``@check("name"`` lines
(:func:`check_index`); a name not found there imports every module.
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ConfigDict

from mlops_lint.model import Finding, T, skipped
from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.context import Context

P = TypeVar("P")
CheckFunc = Callable[["Context", Any], Iterable[Finding]]


class Params(BaseModel):
    """Base class for check parameters: unknown keys are errors."""

    model_config = ConfigDict(extra="forbid", frozen=True, populate_by_name=True)


@dataclass(frozen=True)
class CheckSpec:
    name: str
    func: CheckFunc
    params: type[Params] | None
    doc: str


REGISTRY: dict[str, CheckSpec] = {}


AnyCheck = Callable[..., Iterable[Finding]]


def check(name: str, params: type[Params] | None = None) -> Callable[[AnyCheck], AnyCheck]:
    """Register ``func`` as the check called ``name`` in rule files."""

    def register(func: AnyCheck) -> AnyCheck:
        if name in REGISTRY and REGISTRY[name].func is not func:
            raise RuntimeError(f"check '{name}' registered twice")
        REGISTRY[name] = CheckSpec(name, func, params, (func.__doc__ or "").strip())
        return func

    return register


def rule(rule_id: str, params: type[Params] | None = None) -> Callable[[AnyCheck], AnyCheck]:
    """Register ``func`` as the check of the built-in rule ``rule_id`` (its metadata, the
    YAML file beside the module, names no ``check:``)."""
    return check(rule_id, params)


def not_read(problem: ParseError, level: int | None = None) -> Finding:
    """A visible ``skip`` naming a file the check wanted but could not read.

    It does not change the verdict of the rule (a skip is the mildest status), but the
    report never drops the file silently.
    """
    return skipped(T(f"{problem.where()} not read: {problem.message}",
                     f"{problem.where()} no leído: {problem.message}"), problem.path, level)


_loaded = False
_index: dict[str, str] | None = None
_MARKS = (b'\n@check("', b'\n@rule("')
_HERE = os.path.dirname(os.path.abspath(__file__))


def _modules() -> Iterator[tuple[str, str]]:
    """(dotted name, source path) of every module that may register a check: the generic
    checks and each family's public modules."""
    yield f"{__name__}.generic", os.path.join(_HERE, "generic.py")
    for family in sorted(os.listdir(_HERE)):
        folder = os.path.join(_HERE, family)
        if family.startswith(("_", ".")) or not os.path.isfile(
                os.path.join(folder, "__init__.py")):
            continue
        for name in sorted(os.listdir(folder)):
            if name.endswith(".py") and not name.startswith("_"):
                yield f"{__name__}.{family}.{name[:-3]}", os.path.join(folder, name)


def check_index() -> dict[str, str]:
    """Check name (a rule id, or a generic check's name) → the dotted module that defines
    it, read from the modules' source without importing them (``{}`` when a source
    cannot be read)."""
    global _index
    if _index is None:
        found: dict[str, str] = {}
        for module, path in _modules():
            try:
                with open(path, "rb") as handle:
                    source = handle.read()
            except OSError:
                found = {}
                break
            for mark in _MARKS:
                at = source.find(mark)
                while at >= 0:
                    start = at + len(mark)
                    end = source.find(b'"', start, start + 100)
                    if end > start:
                        found.setdefault(source[start:end].decode("ascii", "replace"), module)
                    at = source.find(mark, start)
        _index = found
    return _index


def spec_of(name: str) -> CheckSpec | None:
    """The check called ``name``, its module imported if it was not yet."""
    if name not in REGISTRY:
        module = check_index().get(name)
        if module is not None:
            importlib.import_module(module)
        if name not in REGISTRY:
            load_all()
    return REGISTRY.get(name)


def load_all() -> dict[str, CheckSpec]:
    """Import every check module once and return the registry."""
    global _loaded
    if not _loaded:
        for module, _path in _modules():
            importlib.import_module(module)
        _loaded = True
    return REGISTRY
