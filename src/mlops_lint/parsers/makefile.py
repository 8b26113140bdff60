"""Makefiles: targets and their recipe lines (what ``make <target>`` would run).

Simple variable assignments (``=``, ``:=``, ``::=``, ``?=``, ``+=``) are kept so recipe
lines can be expanded (``$(PYTHON) -m mypy`` reads as ``python -m mypy``); a recipe line
prefixed with ``-`` ignores its errors (``Target.lenient``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from mlops_lint import lazy_re

# targets, then ":" or "::" (not ":="), then prerequisites. The targets end on a
# non-space character and the "=" check is a lookahead: a lazy target list against "\s*"
# and "\s*" against "[^=]*" both backtracked quadratically on long runs of spaces.
_RULE = lazy_re.compile(r"^([A-Za-z0-9_.%/${}()\- ]*[A-Za-z0-9_.%/${}()\-])\s*::?(?!=)(?=[^=]*$)"
                        r"\s*([^=]*)$")
_ASSIGN = lazy_re.compile(
    r"^(?:export\s+|override\s+)?([A-Za-z_][A-Za-z0-9_.-]*)\s*(\?|:{1,3}|\+|!)?=\s*(.*)$")
_REF = lazy_re.compile(r"\$(?:\(([A-Za-z_][A-Za-z0-9_.-]*)\)|\{([A-Za-z_][A-Za-z0-9_.-]*)\})")


@dataclass
class Target:
    name: str
    line: int
    prerequisites: list[str]
    recipe: list[tuple[int, str]] = field(default_factory=list)
    lenient: set[int] = field(default_factory=set)  # recipe lines prefixed with ``-``


@dataclass
class Makefile:
    targets: dict[str, Target]
    variables: dict[str, str] = field(default_factory=dict)

    def expand(self, text: str, _depth: int = 0) -> str:
        """``$(VAR)``/``${VAR}`` replaced by their values (``$(MAKE)`` is ``make``)."""
        if _depth > 8 or "$" not in text:
            return text

        def sub(match: re.Match[str]) -> str:
            name = match.group(1) or match.group(2)
            if name == "MAKE":
                return "make"
            return self.variables.get(name, match.group(0))

        expanded = _REF.sub(sub, text)
        return expanded if expanded == text else self.expand(expanded, _depth + 1)

    def commands(self, target: str, _seen: frozenset[str] = frozenset()) -> list[tuple[int, str]]:
        """Recipe lines of ``target`` and, recursively, of its prerequisites."""
        found = self.targets.get(target)
        if found is None or target in _seen:
            return []
        out: list[tuple[int, str]] = []
        for prerequisite in found.prerequisites:
            out.extend(self.commands(prerequisite, _seen | {target}))
        return out + found.recipe


def _logical_lines(text: str) -> list[tuple[int, str]]:
    """Lines with backslash continuations joined, each with its first line number."""
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
    return logical


def _add_recipe_line(current: list[Target], number: int, line: str) -> None:
    command = line.strip()
    if not command or command.startswith("#"):
        return
    prefix = command[:len(command) - len(command.lstrip("@-+ "))]
    for target in current:
        target.recipe.append((number, command.lstrip("@-+ ")))
        if "-" in prefix:
            target.lenient.add(number)


def _assign(variables: dict[str, str], match: re.Match[str]) -> None:
    name, operator, value = match.groups()
    if operator == "+":
        variables[name] = (variables.get(name, "") + " " + value).strip()
    elif operator != "?" or name not in variables:
        variables[name] = value.strip()


def _start_rule(targets: dict[str, Target], number: int, match: re.Match[str]) -> list[Target]:
    prerequisites = match.group(2).split(";")[0].split()
    current = []
    for name in match.group(1).split():
        target = targets.setdefault(name, Target(name, number, []))
        target.prerequisites.extend(prerequisites)
        current.append(target)
    inline = match.group(2).split(";", 1)
    if len(inline) == 2 and inline[1].strip():
        for target in current:
            target.recipe.append((number, inline[1].strip()))
    return current


def parse_makefile(text: str) -> Makefile:
    targets: dict[str, Target] = {}
    variables: dict[str, str] = {}
    current: list[Target] = []
    for number, line in _logical_lines(text):
        if line.startswith("\t"):
            _add_recipe_line(current, number, line)
            continue
        stripped = line.split("#", 1)[0].rstrip()
        if not stripped:
            continue
        assignment = _ASSIGN.match(stripped)
        match = _RULE.match(stripped)
        if assignment:
            _assign(variables, assignment)
            current = []
        elif match and not stripped.startswith((".PHONY", "export ", "include ")):
            current = _start_rule(targets, number, match)
        elif match is None:
            current = []
    return Makefile(targets, variables)
