"""TOML documents (pyproject.toml, ruff.toml, ...)."""

from __future__ import annotations

import sys
from typing import Any

from mlops_lint import lazy_re

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover - exercised on Python 3.10 only
    import tomli as tomllib

_LINE = lazy_re.compile(r"at line (\d+)")


class TomlError(ValueError):
    def __init__(self, message: str, line: int | None) -> None:
        super().__init__(message)
        self.line = line


def load_toml(text: str) -> dict[str, Any]:
    """Parse TOML text; raise :class:`TomlError` with the line on bad input."""
    try:
        document: dict[str, Any] = tomllib.loads(text)
        return document
    except tomllib.TOMLDecodeError as exc:
        match = _LINE.search(str(exc))
        raise TomlError(str(exc), int(match.group(1)) if match else None) from None
    except RecursionError:
        raise TomlError("nesting too deep to read", None) from None


def dig(document: object, *keys: str) -> object:
    """``document[k1][k2]...`` or ``None`` when any step is missing or not a table."""
    node = document
    for key in keys:
        if not isinstance(node, dict) or key not in node:
            return None
        node = node[key]
    return node
