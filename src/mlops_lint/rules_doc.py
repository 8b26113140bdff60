"""The rule reference as Markdown (``mlops-lint rules --format markdown``).

``docs/rules.md`` is this function's output for the built-in catalog, in English; a test
regenerates it and fails when the checked-in copy is stale, so the reference never drifts
from the catalog. Each rule follows the shape of ruff's rule pages: what it checks (the
evidence per level), why it matters, an example, how to fix it, and its source in the
guide.
"""

from __future__ import annotations

from mlops_lint.catalog import Catalog, Rule, Text

_WORDS = {
    "en": {
        "title": "Rule reference",
        "intro": ("Generated from the rule catalog by `mlops-lint rules --format markdown`; "
                  "do not edit by hand. `mlops-lint explain ID` prints the same text for one "
                  "rule."),
        "phase": "Phase",
        "scope": "scope",
        "project": "each project",
        "repo": "the repository",
        "severity": "severity",
        "what": "What it checks",
        "gate": "gate",
        "why": "Why it matters",
        "example": "Example",
        "fix": "How to fix",
        "source": "Source in the guide",
        "threshold": "Threshold",
        "applies": "Applies only when these files exist",
        "rules": "rules",
    },
    "es": {
        "title": "Referencia de reglas",
        "intro": ("Generado del catálogo de reglas con `mlops-lint rules --format markdown "
                  "--lang es`; no se edita a mano. `mlops-lint explain ID` muestra el mismo "
                  "texto para una regla."),
        "phase": "Fase",
        "scope": "ámbito",
        "project": "cada proyecto",
        "repo": "el repositorio",
        "severity": "severidad",
        "what": "Qué comprueba",
        "gate": "puerta",
        "why": "Por qué importa",
        "example": "Ejemplo",
        "fix": "Cómo arreglarlo",
        "source": "Fuente en la guía",
        "threshold": "Umbral",
        "applies": "Solo aplica cuando existen estos archivos",
        "rules": "reglas",
    },
}


def _pick(text: Text, lang: str) -> str:
    return text.es if lang == "es" else text.en


def _anchor(rule: Rule) -> str:
    return rule.id.lower()


def _rule_section(rule: Rule, lang: str) -> list[str]:
    w = _WORDS[lang]
    lines = [f"### {rule.id} — {_pick(rule.title, lang)}", "",
             f"{w['scope']}: {w[rule.scope]} · {w['severity']}: {rule.severity}", "",
             f"**{w['what']}**", ""]
    for crit in rule.levels:
        gate = f" ({w['gate']})" if crit.gate else ""
        lines.append(f"- L{crit.level}{gate}: {_pick(crit.text, lang)}")
    if rule.applies_if:
        lines.append(f"- {w['applies']}: " + ", ".join(f"`{g}`" for g in rule.applies_if))
    lines += ["", f"**{w['why']}**", "", _pick(rule.rationale, lang), ""]
    if rule.example:
        lines += [f"**{w['example']}**", "", "```", rule.example.rstrip("\n"), "```", ""]
    lines += [f"**{w['fix']}**", "", _pick(rule.fix, lang), ""]
    source = [s for s in (rule.source, rule.checklist) if s]
    if rule.threshold:
        source.append(f"{w['threshold']}: {rule.threshold}")
    if source:
        lines += [f"**{w['source']}**: " + "; ".join(source), ""]
    return lines


def rules_markdown(catalog: Catalog, lang: str = "en") -> str:
    """The whole catalog as one Markdown document, by phase, with a table of contents."""
    w = _WORDS[lang]
    lines = [f"# {w['title']}", "", w["intro"], ""]
    by_phase = {p.phase: [r for r in catalog.rules if r.phase == p.phase]
                for p in catalog.phases}
    for phase in catalog.phases:
        rules = by_phase[phase.phase]
        links = ", ".join(f"[{r.id}](#{_anchor(r)})" for r in rules)
        lines.append(f"- **{w['phase']} {phase.phase} — {_pick(phase.name, lang)}** "
                     f"({len(rules)} {w['rules']}): {links}")
    lines.append("")
    for phase in catalog.phases:
        lines += [f"## {w['phase']} {phase.phase} — {_pick(phase.name, lang)}", ""]
        for rule in by_phase[phase.phase]:
            lines += _rule_section(rule, lang)
    return "\n".join(lines).rstrip("\n") + "\n"
