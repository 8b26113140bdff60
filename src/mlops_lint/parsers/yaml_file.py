"""YAML documents, read with ruamel.yaml's safe loader (C-backed when available).

Duplicate keys are errors, as for every YAML 1.2 reader.

Plain Python data comes out: dicts, lists, strings, numbers, booleans. YAML 1.2 rules
apply (``on:`` stays a string), but callers that accept hand-written files also accept
the YAML 1.1 reading where ``on`` is ``True``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.error import MarkedYAMLError, YAMLError

try:  # the C-backed parser: several times faster on large manifests
    from ruamel.yaml.cyaml import CSafeLoader as _SafeLoader
except ImportError:  # pragma: no cover - only without ruamel.yaml.clib
    from ruamel.yaml.loader import SafeLoader as _SafeLoader  # type: ignore[assignment]

MAX_DEPTH = 200


class YamlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def _convert(exc: Exception) -> YamlError:
    line = None
    if isinstance(exc, MarkedYAMLError) and exc.problem_mark is not None:
        line = exc.problem_mark.line + 1
    message = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    if isinstance(exc, MarkedYAMLError) and exc.problem:
        message = str(exc.problem)
    return YamlError(message, line)


def _documents(text: str) -> Iterator[Any]:
    loader = _SafeLoader(text)
    try:
        while loader.check_data():
            yield loader.get_data()
    finally:
        loader.dispose()


def load_yaml(text: str) -> Any:
    """Parse a single YAML document (the first one of a stream)."""
    try:
        for document in _documents(text):
            return document
        return None
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _convert(exc) from None


def load_yaml_all(text: str) -> list[Any]:
    """Parse every document of a (possibly multi-document) YAML stream."""
    try:
        return list(_documents(text))
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _convert(exc) from None


def load_yaml_rt(text: str) -> Any:
    """Parse one document with the round-trip loader, which keeps line numbers.

    Mappings and sequences behave like ``dict`` and ``list``; use :func:`line_of` for
    positions. Slower than :func:`load_yaml`: use it for small files that need lines.
    """
    yaml = YAML(typ="rt")
    yaml.allow_duplicate_keys = False
    try:
        return yaml.load(text)
    except (YAMLError, ValueError, TypeError, RecursionError) as exc:
        raise _convert(exc) from None


def line_of(node: Any, key: Any = None, index: int | None = None) -> int | None:
    """1-based line of a round-trip node, of its ``key`` or of its item ``index``."""
    lc = getattr(node, "lc", None)
    if lc is None:
        return None
    try:
        if key is not None:
            return int(lc.key(key)[0]) + 1
        if index is not None:
            return int(lc.item(index)[0]) + 1
        return int(lc.line) + 1
    except (KeyError, IndexError, TypeError, AttributeError):
        return None
