"""mypy's configuration, found the way mypy finds it.

mypy reads the first of ``mypy.ini``, ``.mypy.ini``, ``pyproject.toml`` (only when it
has a ``[tool.mypy]`` table) and ``setup.cfg`` (only with a ``[mypy]`` section) in the
directory it runs from; newer releases keep looking in parent directories up to the
repository root. The first file found is the only one read: a ``[tool.mypy]`` table is
ignored when a ``mypy.ini`` exists next to it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ini import Ini, as_flag, parse_ini
from mlops_lint.parsers.toml_file import dig

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

CANDIDATES = ("mypy.ini", ".mypy.ini", "pyproject.toml", "setup.cfg")


@dataclass(frozen=True)
class MypyConfig:
    path: str
    line: int | None
    section: str  # "[mypy]" or "[tool.mypy]"
    strict: bool
    disallow_untyped_defs: bool
    shadowed: tuple[str, ...] = ()  # other config files mypy ignores because of this one


def toml_table_line(text: str, table: str) -> int | None:
    """1-based line of ``[table]`` (or the first ``[table.sub]``) in TOML text."""
    pattern = re.compile(r"^\s*\[\s*" + re.escape(table).replace(r"\.", r"\s*\.\s*")
                         + r"\s*[\].]")
    for number, line in enumerate(text.splitlines(), start=1):
        if pattern.match(line):
            return number
    return None


def _from_ini(path: str, ini: Ini) -> MypyConfig:
    return MypyConfig(path, ini.line("mypy"), "[mypy]", ini.flag("mypy", "strict"),
                      ini.flag("mypy", "disallow_untyped_defs"))


def find_mypy_config(repo: Repo, directories: Iterable[str]) -> MypyConfig | ParseError | None:
    """The config mypy would use when run from the first of ``directories`` (nearest
    first, e.g. the project directory then the repository root)."""
    for directory in directories:
        prefix = "" if directory in ("", ".") else directory.rstrip("/") + "/"
        found: list[MypyConfig | ParseError] = []
        for name in CANDIDATES:
            path = prefix + name
            if not repo.exists(path):
                continue
            if name == "pyproject.toml":
                document = repo.toml(path)
                if isinstance(document, ParseError):
                    found.append(document)
                    continue
                table = dig(document, "tool", "mypy")
                if not isinstance(table, dict):
                    continue
                text = repo.text(path)
                line = toml_table_line(text, "tool.mypy") if isinstance(text, str) else None
                found.append(MypyConfig(path, line, "[tool.mypy]",
                                        as_flag(table.get("strict")),
                                        as_flag(table.get("disallow_untyped_defs"))))
                continue
            ini = repo.parse(path, parse_ini)
            if isinstance(ini, ParseError):
                found.append(ini)
                continue
            if name == "setup.cfg" and not ini.has("mypy"):
                continue
            found.append(_from_ini(path, ini))
        if found:
            first = found[0]
            if isinstance(first, MypyConfig) and len(found) > 1:
                others = tuple(f.path for f in found[1:])
                return MypyConfig(first.path, first.line, first.section, first.strict,
                                  first.disallow_untyped_defs, others)
            return first
    return None
