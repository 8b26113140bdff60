"""Repository-supplied regexes (scanner allowlists) are compiled with a bound or refused."""

from __future__ import annotations

import pytest

from mlops_lint.model import T
from mlops_lint.parsers.safe_regex import CAPS, BoundedRegex, compile_bounded, shape


@pytest.mark.parametrize(("pattern", "repeats"), [
    (r"example\.com", 0),
    (r"\{SERVICE[_A-Z]*\}", 1),
    (r"templates/.*\.env\.example", 1),
    (r"(?i)^(test|fake)_[a-z]+_\d{2,4}$", 1),  # bounded {2,4} does not count
    (r".*foo.*bar.*", 3),
    (r"[(*+]{3}", 0),  # quantifier characters inside a class are literals
    (r"a{,5}b{3}", 0),
    (r"x{3,}", 1),
    (r"(ab)?c+?", 1),  # a lazy mark is not a second repetition
])
def test_shape_counts_unbounded_repetitions(pattern: str, repeats: int) -> None:
    assert shape(pattern) == (repeats, None)


@pytest.mark.parametrize(("pattern", "why"), [
    (r"(a+)+$", "repeated group"),
    (r"(a|aa)*b", "repeated group"),
    (r"(?:\w+\.)+com", "repeated group"),
    (r"((a)*)*", "repeated group"),
    (r"(a*){2,100}", "repeated group"),  # a large bound is as bad as none
    (r"(\w)\1", "backreference"),
    (r"(?P<x>a)(?P=x)", "backreference"),
    (r"foo(?=bar)", "lookaround"),
    (r"(?<!x)y", "lookaround"),
    (r"(ab", "parentheses"),
    (r"ab)", "parentheses"),
    (r"a*b*c*d*", "4 unbounded"),
    ("a" * 1001, "longer than"),
    (r"(?i)a(?s)b", "global flag"),  # Go allows it, Python 3.11 does not
    (r"a[", "cannot compile"),
])
def test_dangerous_or_unreadable_patterns_are_refused(pattern: str, why: str) -> None:
    refused = compile_bounded(pattern)
    assert isinstance(refused, T)
    assert why in refused.en
    assert refused.es


def test_search_is_capped_by_repetitions() -> None:
    simple = compile_bounded(r"token-\d+")
    three = compile_bounded(r"a.*b.*c.*d")
    assert isinstance(simple, BoundedRegex) and isinstance(three, BoundedRegex)
    assert simple.cap == CAPS[1] and three.cap == CAPS[3]
    assert three.search("a-b-c-d")
    assert not three.search("a" + "-" * 100 + "b-c-d")  # beyond the cap: not searched
    go_end = compile_bounded(r"secret\z")
    assert isinstance(go_end, BoundedRegex) and go_end.search("my-secret")
