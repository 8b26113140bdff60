"""Makefiles: targets and their recipe lines (what ``make <target>`` would run)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

_RULE = re.compile(r"^([A-Za-z0-9_.%/${}()\- ]+?)\s*::?(?!=)\s*([^=]*)$")


@dataclass
class Target:
    name: str
    line: int
    prerequisites: list[str]
    recipe: list[tuple[int, str]] = field(default_factory=list)


@dataclass
class Makefile:
    targets: dict[str, Target]

    def commands(self, target: str, _seen: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
        """Recipe lines of ``target`` and, recursively, of its prerequisites."""
        found = self.targets.get(target)
        if found is None or target in _seen:
            return []
        out: list[tuple[int, str]] = []
        for prerequisite in found.prerequisites:
            out.extend(self.commands(prerequisite, _seen | {target}))
        return out + found.recipe


def parse_makefile(text: str) -> Makefile:
    targets: dict[str, Target] = {}
    current: list[Target] = []
    logical: list[tuple[int, str]] = []
    buffer, start = "", 0
    for number, raw in enumerate(text.splitlines(), start=1):
        if not buffer:
            start = number
        if raw.endswith("\\"):
            buffer += raw[:-1] + " "
            continue
        logical.append((start, buffer + raw))
        buffer = ""
    if buffer:
        logical.append((start, buffer))
    for number, line in logical:
        if line.startswith("\t"):
            command = line.strip()
            if command and not command.startswith("#"):
                for target in current:
                    target.recipe.append((number, command.lstrip("@-+ ")))
            continue
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        match = _RULE.match(stripped)
        if match and not stripped.startswith((".PHONY", "export ", "include ")):
            names = match.group(1).split()
            prerequisites = match.group(2).split(";")[0].split()
            current = []
            for name in names:
                target = targets.setdefault(name, Target(name, number, []))
                target.prerequisites.extend(prerequisites)
                current.append(target)
            inline = match.group(2).split(";", 1)
            if len(inline) == 2 and inline[1].strip():
                for target in current:
                    target.recipe.append((number, inline[1].strip()))
        elif match is None:
            current = []
    return Makefile(targets)
