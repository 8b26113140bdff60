"""A one-rule team pack for the security tests, with the check and params each needs."""

from __future__ import annotations


def team_pack(check: str, params: str) -> str:
    """YAML of a rule pack holding TEAM001 (phase 4, level 2) running ``check``."""
    return f"""
phase: 4
rules:
  - id: TEAM001
    scope: repo
    title: {{en: "Team rule", es: "Regla del equipo"}}
    fix: {{en: "Do it", es: "Hazlo"}}
    rationale: {{en: "Because", es: "Porque"}}
    check: {check}
    params: {params}
    levels:
      - {{level: 2, text: {{en: "c", es: "c"}}}}
"""
