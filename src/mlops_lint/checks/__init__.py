"""Check functions, registered by name and referenced from the YAML catalog.

A check is a plain function ``(ctx, params) -> Iterable[Finding]`` decorated with
:func:`check`. ``params`` is an instance of the pydantic model given to the decorator
(validated when the catalog loads, so a bad rule pack fails early with its file and
rule id), or ``None`` for checks without parameters.

Every module in this package is imported by :func:`load_all`; adding a check means
adding a function to the module of its area (or a new module), nothing else. A run
imports only the modules of the checks it runs (:func:`spec_of`), found by reading the
modules' source for their ``@check("name"`` lines (:func:`check_index`); a name not
found there imports every module.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
from collections.abc import Callable, Iterable
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


def not_read(problem: ParseError, level: int | None = None) -> Finding:
    """A visible ``skip`` naming a file the check wanted but could not read.

    It does not change the verdict of the rule (a skip is the mildest status), but the
    report never drops the file silently.
    """
    return skipped(T(f"{problem.where()} not read: {problem.message}",
                     f"{problem.where()} no leído: {problem.message}"), problem.path, level)


_loaded = False
_index: dict[str, str] | None = None
_MARK = b'\n@check("'


def check_index() -> dict[str, str]:
    """Check name → the module of this package that defines it, read from the modules'
    source without importing them (``{}`` when a source cannot be read)."""
    global _index
    if _index is None:
        found: dict[str, str] = {}
        for module in pkgutil.iter_modules(__path__):
            if module.name.startswith("_"):
                continue
            where = getattr(module.module_finder, "path", None)
            try:
                with open(os.path.join(str(where), f"{module.name}.py"), "rb") as handle:
                    source = handle.read()
            except OSError:
                found = {}
                break
            at = source.find(_MARK)
            while at >= 0:
                start = at + len(_MARK)
                end = source.find(b'"', start, start + 100)
                if end > start:
                    found.setdefault(source[start:end].decode("ascii", "replace"),
                                     module.name)
                at = source.find(_MARK, start)
        _index = found
    return _index


def spec_of(name: str) -> CheckSpec | None:
    """The check called ``name``, its module imported if it was not yet."""
    if name not in REGISTRY:
        module = check_index().get(name)
        if module is not None:
            importlib.import_module(f"{__name__}.{module}")
        if name not in REGISTRY:
            load_all()
    return REGISTRY.get(name)



def load_all() -> dict[str, CheckSpec]:
    """Import every check module once and return the registry."""
    global _loaded
    if not _loaded:
        for module in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
            if not module.name.startswith("_"):
                importlib.import_module(f"{__name__}.{module.name}")
        _loaded = True
    return REGISTRY
