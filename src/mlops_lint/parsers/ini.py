"""INI files (``mypy.ini``, ``setup.cfg``, ``tox.ini``, ``.flake8``, ``.dvc/config``).

Read with :mod:`configparser` without interpolation (``%`` is literal, as in the tools
that own these files). Duplicate sections or keys are tolerated: the last one wins, as
in most readers of these files.
"""

from __future__ import annotations

import configparser
from dataclasses import dataclass

from mlops_lint import lazy_re

_SECTION = lazy_re.compile(r"^\s*\[(?P<name>[^\]]+)\]\s*(?:[#;].*)?$")
_TRUE = frozenset({"1", "yes", "true", "on"})


@dataclass(frozen=True)
class Ini:
    parser: configparser.ConfigParser
    section_lines: dict[str, int]  # section name -> 1-based line of its header

    def has(self, section: str) -> bool:
        return self.parser.has_section(section)

    def get(self, section: str, key: str) -> str | None:
        if not self.parser.has_section(section):
            return None
        value = self.parser.get(section, key, fallback=None)
        return value.strip() if isinstance(value, str) else None

    def flag(self, section: str, key: str) -> bool:
        """A boolean option (``True``/``true``/``1``/``yes``/``on``)."""
        value = self.get(section, key)
        return value is not None and value.lower() in _TRUE

    def line(self, section: str) -> int | None:
        return self.section_lines.get(section)

    def sections(self) -> list[str]:
        return self.parser.sections()


def parse_ini(text: str) -> Ini:
    """Parse INI text; ``configparser.Error`` (with ``lineno`` when known) on bad input."""
    parser = configparser.ConfigParser(interpolation=None, strict=False,
                                       comment_prefixes=("#", ";"),
                                       inline_comment_prefixes=(" #", " ;"))  # keys lower-cased
    parser.read_string(text)
    lines: dict[str, int] = {}
    for number, raw in enumerate(text.splitlines(), start=1):
        match = _SECTION.match(raw)
        if match:
            lines.setdefault(match.group("name").strip(), number)
    return Ini(parser, lines)


def as_flag(value: object) -> bool:
    """A TOML or INI boolean: ``true`` or one of the INI spellings of true."""
    if isinstance(value, bool):
        return value
    return isinstance(value, str) and value.strip().lower() in _TRUE
