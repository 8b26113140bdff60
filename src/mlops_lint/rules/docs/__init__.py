"""Documentation, the final artefact (phase 7 "El Artefacto Final"): DOC001 README and
licence, DOC002 README badges, DOC003 README architecture and navigation, DOC004 model card
exists, DOC005 model card core sections, DOC006 complete model card, DOC007 dataset card,
DOC008 MkDocs site, DOC009 responsible-AI checklist, DOC010 demo assets.

Markdown is read as structure (:mod:`mlops_lint.parsers.markdown`): headings (ATX,
setext, HTML and bold labels), fenced code, tables and links. Card sections are matched
with the English/Spanish synonym sets of ``rules/_data/card_sections.yaml``
(:mod:`~mlops_lint.rules.docs._sections`).

Scope (rules.md §0.4): the cards (DOC004-DOC007) are checked per project; the README,
badges, docs site, responsible-AI checklist and demo (DOC001-DOC003, DOC008-DOC010) are
repository-wide, checked once at the root.
"""
