"""Makefile targets, recipes, variables and error-ignoring prefixes."""

from __future__ import annotations

from mlops_lint.parsers.makefile import parse_makefile

MAKEFILE = """\
PYTHON ?= python3
PYTHON ?= ignored
SRC := src
FLAGS = --strict
FLAGS += --pretty
MYPY = $(PYTHON) -m mypy
export PATH := bin:$(PATH)
.PHONY: lint test check
lint: check  # comment
\t-$(MYPY) $(FLAGS) ${SRC}
\t@ruff check . \\
\t    --fix
check:
\t$(MAKE) typecheck
test: FOO=1
test:
\tpytest
install: ; pip install -e .
a b:
\techo both
"""


def test_targets_recipes_and_lines() -> None:
    mk = parse_makefile(MAKEFILE)
    assert set(mk.targets) == {"lint", "check", "test", "install", "a", "b"}
    lint = mk.targets["lint"]
    assert lint.line == 9 and lint.prerequisites == ["check"]
    assert lint.recipe[0] == (10, "$(MYPY) $(FLAGS) ${SRC}")
    assert lint.recipe[1][0] == 11 and lint.recipe[1][1].startswith("ruff check .")
    assert lint.lenient == {10}
    assert mk.targets["test"].recipe == [(17, "pytest")]
    assert mk.targets["install"].recipe == [(18, "pip install -e .")]
    assert mk.targets["a"].recipe == mk.targets["b"].recipe == [(20, "echo both")]


def test_variables_and_expansion() -> None:
    mk = parse_makefile(MAKEFILE)
    assert mk.variables["PYTHON"] == "python3"
    assert mk.variables["FLAGS"] == "--strict --pretty"
    assert mk.expand("$(MYPY) $(FLAGS) ${SRC}") == "python3 -m mypy --strict --pretty src"
    assert mk.expand("$(MAKE) x $(UNKNOWN)") == "make x $(UNKNOWN)"
    assert mk.expand("no variables") == "no variables"


def test_commands_follow_prerequisites_without_loops() -> None:
    mk = parse_makefile("a: b\n\techo a\nb: a\n\techo b\n")
    assert mk.commands("a") == [(4, "echo b"), (2, "echo a")]
    assert mk.commands("missing") == []
