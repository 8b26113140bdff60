"""The shape the code keeps (one rule, one place): no function above radon's
grade C and no module over 400 lines. A function or module that outgrows these is
split, not waived."""

from __future__ import annotations

from pathlib import Path

import pytest
from radon.complexity import cc_rank, cc_visit

SRC = Path(__file__).resolve().parents[1] / "src" / "mlops_lint"
MODULES = sorted(SRC.rglob("*.py"))
MAX_LINES = 400


def test_the_source_tree_is_found() -> None:
    assert len(MODULES) > 100


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_function_above_grade_c(path: Path) -> None:
    blocks = list(cc_visit(path.read_text(encoding="utf-8")))
    for block in list(blocks):  # methods and nested functions are graded on their own
        blocks += [*getattr(block, "methods", ()), *getattr(block, "closures", ())]
    worse = [f"{b.name}:{b.lineno} {cc_rank(b.complexity)} ({b.complexity})"
             for b in blocks if cc_rank(b.complexity) > "C"]
    assert worse == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(SRC)))
def test_no_module_over_400_lines(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_LINES
