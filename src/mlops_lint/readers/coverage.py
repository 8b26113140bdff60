"""How the coverage thresholds of the three levels are said, the same way by the rule on the
pytest configuration (TEST003) and the rule on CI (CI006)."""

from __future__ import annotations

from mlops_lint.model import T


def coverage_ladder(levels: tuple[int, int, int]) -> T:
    """The coverage thresholds of the three levels, said the same way by TEST003 and
    CI006: one number to set (the level-3 one), the ladder after it."""
    low, mid, top = levels
    return T(f"one threshold for every level and both the pytest configuration and CI: "
             f"{top} (level 1 needs ≥ {low}, level 2 ≥ {mid}, level 3 ≥ {top})",
             f"un único umbral para todos los niveles, en la configuración de pytest y en "
             f"la CI: {top} (el nivel 1 pide ≥ {low}, el 2 ≥ {mid}, el 3 ≥ {top})")
