from __future__ import annotations

import pytest

from mlops_lint.catalog import Catalog, load_catalog
from mlops_lint.maturity import Criterion, assess, band, combine, evaluate_phase, gate
from mlops_lint.model import Result, Status, T

P, F, W, S, E, WV, M = (Status.PASS, Status.FAIL, Status.WARN, Status.SKIP, Status.ERROR,
                        Status.WAIVED, Status.MANUAL)


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


def crit(rule: str, level: int, status: Status, gate: bool = False,
         weight: float | None = None) -> Criterion:
    return Criterion(rule, level, gate, weight if weight is not None else (3 if gate else 1),
                     status)


def test_combine_takes_the_worst_subject() -> None:
    assert combine([P, F, P]) is F
    assert combine([P, W]) is W
    assert combine([P, E, F]) is E
    assert combine([S, M]) is M
    assert combine([S, P]) is P
    assert combine([]) is S


def test_level_needs_every_gate_and_seventy_percent(cat: Catalog) -> None:
    items = [crit("A001", 1, P, gate=True), crit("A002", 1, P), crit("A003", 1, F),
             crit("B001", 2, P), crit("B002", 2, P), crit("B003", 2, F),
             crit("C001", 3, P)]
    result = evaluate_phase(items, cat, 1)
    # L1: (3 + 1) / 5 = 80 %; L2: 2/3 = 67 % < 70 % → level 1
    assert result.level == 1
    assert result.ratios[0] == pytest.approx(0.8)
    assert result.blockers == ("A003", "B003")
    assert result.reason is not None and "67%" in result.reason.en
    assert result.score == round(60 * 0.8 + 25 * 2 / 3 + 15 * 1.0)


def test_a_failing_gate_blocks_even_with_a_high_ratio(cat: Catalog) -> None:
    items = [crit("A001", 1, F, gate=True, weight=1),
             *(crit(f"A{i:03}", 1, P) for i in range(2, 12))]
    result = evaluate_phase(items, cat, 1)
    assert result.level == 0
    assert result.blockers[0] == "A001"
    assert "gate" in result.reason.en  # type: ignore[union-attr]


def test_warn_is_half_credit_and_a_warning_gate_does_not_block(cat: Catalog) -> None:
    items = [crit("A001", 1, W, gate=True), crit("A002", 1, P)]
    result = evaluate_phase(items, cat, 1)
    assert result.ratios[0] == pytest.approx((1.5 + 1) / 4)
    assert result.level == 0  # 62.5 % < 70 %
    items = [crit("A001", 1, W, gate=True, weight=1), crit("A002", 1, P, weight=3)]
    assert evaluate_phase(items, cat, 1).level == 1  # 87.5 %


def test_levels_are_cumulative_and_empty_levels_are_not_reached(cat: Catalog) -> None:
    items = [crit("A001", 1, F, gate=True), crit("B001", 2, P), crit("C001", 3, P)]
    assert evaluate_phase(items, cat, 1).level == 0
    items = [crit("A001", 1, P), crit("C001", 3, P)]
    result = evaluate_phase(items, cat, 1)
    assert result.level == 1
    assert "insufficient evidence" in result.reason.en  # type: ignore[union-attr]


def test_skipped_waived_and_manual_leave_the_denominator(cat: Catalog) -> None:
    items = [crit("A001", 1, P), crit("A002", 1, S), crit("A003", 1, WV), crit("A004", 1, M)]
    result = evaluate_phase(items, cat, 1)
    assert result.ratios[0] == 1.0 and result.level == 1


def test_zero_weight_criteria_never_make_a_level_applicable(cat: Catalog) -> None:
    items = [crit("A001", 1, P), crit("OBS008", 2, P, weight=0)]
    assert evaluate_phase(items, cat, 1).level == 1


def test_phase_six_level_three_needs_k8s_or_iac(cat: Catalog) -> None:
    base = [crit("OBS001", 1, P, gate=True), crit("OBS002", 2, P), crit("OBS004", 3, P)]
    assert evaluate_phase(base, cat, 6).level == 2
    with_k8s = [*base, crit("K8S001", 2, P), crit("K8S005", 3, P)]
    assert evaluate_phase(with_k8s, cat, 6).level == 3
    weak_k8s = [*base, crit("K8S001", 2, F), crit("K8S005", 3, P), crit("OBS005", 2, P),
                crit("OBS006", 2, P), crit("OBS007", 2, P)]
    result = evaluate_phase(weak_k8s, cat, 6)
    assert result.level == 2 and "K8S or IAC" in result.reason.en  # type: ignore[union-attr]
    # the any-of constraint is phase 6's only: elsewhere K8S rules do not matter
    assert evaluate_phase(base, cat, 5).level == 3


@pytest.mark.parametrize("score, name", [(95, "exceptional"), (90, "exceptional"),
                                         (85, "excellent"), (70, "good"), (60, "acceptable"),
                                         (59.9, "in progress"), (0, "in progress")])
def test_bands(score: float, name: str) -> None:
    assert band(score)[0] == name


def result(rule: str, phase: int, level: int, status: Status, project: str = ".",
           gate: bool = False) -> Result:
    return Result(rule=rule, phase=phase, level=level, gate=gate, weight=3 if gate else 1,
                  status=status, severity="error", project=project, path=None, line=None,
                  message=T("m", "m"), fix=T("f", "f"), title=T("t", "t"))


def test_assess_takes_the_least_mature_project(cat: Catalog) -> None:
    rules = {r.id: r for r in cat.rules}
    project_rule = next(r for r in rules.values() if r.scope == "project" and r.phase == 7)
    rows = [result(project_rule.id, 7, 1, P, "a", gate=True),
            result(project_rule.id, 7, 1, F, "b", gate=True)]
    maturity = assess(rows, cat, ["a", "b"])
    phase7 = maturity.phases[6]
    assert phase7.projects == {"a": 1, "b": 0}
    assert phase7.level == 0
    assert phase7.blockers == (project_rule.id,)
    assert maturity.level == 0
    assert len(maturity.phases) == 7


def test_gate_default_and_configured(cat: Catalog) -> None:
    rows = [result("DOC004", 7, 1, F, gate=True)]
    maturity = assess(rows, cat, ["."])
    assert not gate(maturity, rows, None, None).passed
    assert gate(maturity, [result("DOC004", 7, 1, P)], None, None).passed
    assert gate(maturity, rows, 0, None).passed
    failing = gate(maturity, rows, {7: 1}, None)
    assert not failing.passed and "phase 7 is level 0, below 1" in failing.reason.en
    assert not gate(maturity, rows, None, 50).passed
    assert gate(maturity, rows, None, 0).passed
