"""The effective configuration shown to a person (``check --show-config``) and where it
came from: a ``[tool.mlops-lint]`` TOML table ready to paste into pyproject.toml.
"""

from __future__ import annotations

import json
import re
from typing import Any

from mlops_lint.config import Config


def _toml_value(value: object) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return repr(value)
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, (list, tuple)):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f"{_toml_key(k)} = {_toml_value(v)}"
                               for k, v in value.items()) + "}"
    raise TypeError(f"no TOML form for {type(value).__name__}")  # pragma: no cover


def _toml_key(key: object) -> str:
    text = str(key)
    return text if re.fullmatch(r"[A-Za-z0-9_-]+", text) else json.dumps(text)


def describe_source(source: str | None, lang: str = "en") -> str:
    """Where a configuration came from, for a person."""
    if source is not None:
        return source
    if lang == "es":
        return "valores por defecto (sin [tool.mlops-lint] en pyproject.toml ni .mlops-lint.yaml)"
    return "defaults (no [tool.mlops-lint] in pyproject.toml, no .mlops-lint.yaml)"


def render_config(config: Config, options: bool = False) -> str:
    """The effective configuration as a ``[tool.mlops-lint]`` TOML table (valid TOML,
    ready to paste into pyproject.toml), after a comment naming its source (and whether
    command-line options changed it)."""
    es = config.lang == "es"
    data = config.model_dump(by_alias=True, exclude={"source"})
    lines = [f"# {'origen' if es else 'source'}: {describe_source(config.source, config.lang)}"]
    if options:
        lines.append("# + opciones de la línea de órdenes" if es else "# + command-line options")
    lines.append("[tool.mlops-lint]")
    tables: list[tuple[str, dict[str, Any]]] = []
    for key, value in data.items():
        if value is None:
            lines.append(f"# {key}: {'sin definir' if es else 'not set'}")
        elif isinstance(value, dict) and key in ("waivers", "thresholds"):
            tables.append((key, value))
        else:
            lines.append(f"{key} = {_toml_value(value)}")
    for name, table in tables:
        lines += ["", f"[tool.mlops-lint.{name}]"]
        lines += [f"{_toml_key(k)} = {_toml_value(v)}" for k, v in table.items()]
    return "\n".join(lines) + "\n"
