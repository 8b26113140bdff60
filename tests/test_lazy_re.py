"""Expressions compiled on first use behave as compiled ones, and all of them compile."""

from __future__ import annotations

import importlib
import pickle
import pkgutil
import re

import mlops_lint
from mlops_lint import lazy_re


def test_compiles_on_first_use_only() -> None:
    pattern = lazy_re.compile(r"(?P<word>[a-z]+)-(\d+)", re.IGNORECASE)
    assert "_real" not in vars(pattern)
    assert pattern.pattern == r"(?P<word>[a-z]+)-(\d+)"  # known without compiling
    assert "_real" not in vars(pattern)
    match = pattern.search("x ABC-12 y")
    assert match is not None and match.group("word") == "ABC"
    assert "_real" in vars(pattern)


def test_behaves_as_the_compiled_pattern() -> None:
    text = "a-1 b-22 C-333"
    lazy = lazy_re.compile(r"([a-z])-(\d+)", re.I)
    real = re.compile(r"([a-z])-(\d+)", re.I)
    assert [m.span() for m in lazy.finditer(text)] == [m.span() for m in real.finditer(text)]
    assert lazy.findall(text) == real.findall(text)
    assert lazy.sub(r"\2", text) == real.sub(r"\2", text)
    assert lazy.split(text) == real.split(text)
    assert lazy.fullmatch("a-1") is not None and lazy.match("-1") is None
    assert (lazy.flags, lazy.groups, lazy.groupindex) == (real.flags, real.groups, real.groupindex)


def test_an_invalid_expression_fails_on_use_not_on_import() -> None:
    broken = lazy_re.compile(r"(unclosed")
    try:
        broken.search("x")
    except re.error:
        pass
    else:
        raise AssertionError("an invalid expression must raise re.error when used")


def test_pickles_as_the_same_expression() -> None:
    copy = pickle.loads(pickle.dumps(lazy_re.compile(r"\d+", re.M)))
    assert copy.pattern == r"\d+" and copy.findall("1 2") == ["1", "2"]


def test_every_expression_of_the_package_compiles() -> None:
    for module in pkgutil.walk_packages(mlops_lint.__path__, "mlops_lint."):
        if module.name.endswith("__main__"):
            continue
        importlib.import_module(module.name)
    made = [p for p in lazy_re.MADE if not p.pattern.startswith("(unclosed")]
    assert len(made) > 300  # the package's own constant expressions
    for pattern in made:
        assert isinstance(pattern.flags, int), pattern.pattern  # compiling raises re.error
