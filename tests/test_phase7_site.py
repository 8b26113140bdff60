"""DOC008-DOC010: MkDocs site, responsible-AI checklist, demo assets (repo-scoped)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result
from mlops_lint.rules.docs.doc008_mkdocs_site import load_mkdocs

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

# The guide's mkdocs.yml (19 "19.1"), trimmed; note the !!python/name: tag.
MKDOCS = """\
site_name: BankChurn Predictor
theme:
  name: material
  language: es
nav:
  - Home: index.md
  - API Reference:
    - Endpoints: api/endpoints.md
  - Model Card: model/model-card.md
markdown_extensions:
  - pymdownx.superfences:
      custom_fences:
        - name: mermaid
          class: mermaid
          format: !!python/name:pymdownx.superfences.fence_code_format
  - pymdownx.emoji:
      emoji_index: !!python/name:material.extensions.emoji.twemoji
plugins:
  - search
  - mkdocstrings:
      handlers:
        python:
          options:
            show_source: true
extra:
  analytics:
    property: !ENV [GOOGLE_ANALYTICS_KEY, ""]
"""
PAGES = {"docs/index.md": "# Home\n", "docs/api/endpoints.md": "# API\n",
         "docs/model/model-card.md": "# Card\n"}
DEPLOY = {".github/workflows/docs.yml": (
    "on: {push: {branches: [main]}}\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n"
    "      - uses: actions/checkout@v4\n      - run: pip install mkdocs-material\n"
    "      - run: mkdocs gh-deploy --force\n")}


def levels(results: list[Result]) -> dict[int, str]:
    return {r.level: r.status.value for r in results}


# -- DOC008 ----------------------------------------------------------------------------

def test_doc008_guide_config_at_root_passes_both_levels(make_repo: MakeRepo,
                                                        results_for: ResultsFor) -> None:
    root = make_repo({"mkdocs.yml": MKDOCS, **PAGES, **DEPLOY})
    results = results_for(root, "DOC008")
    assert levels(results) == {2: "pass", 3: "pass"}
    assert ".github/workflows/docs.yml" in next(r for r in results if r.level == 3).message.en


def test_doc008_config_in_docs_folder(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    # mkdocs.yml inside docs/: docs_dir is relative to it (default docs -> docs/docs/).
    nested = {f"docs/docs/{k.removeprefix('docs/')}": v for k, v in PAGES.items()}
    results = results_for(make_repo({"docs/mkdocs.yml": MKDOCS, **nested}), "DOC008")
    assert levels(results)[2] == "pass"
    # The guide's own layout: docs/mkdocs.yml with docs_dir: .. (the repository root).
    guide = MKDOCS.replace("nav:\n  - Home: index.md\n  - API Reference:\n"
                           "    - Endpoints: api/endpoints.md\n"
                           "  - Model Card: model/model-card.md\n",
                           "nav:\n  - Home: index.md\n") + "docs_dir: ..\n"
    results = results_for(make_repo({"docs/mkdocs.yml": guide, "index.md": "# Guía\n"}),
                          "DOC008")
    assert levels(results)[2] == "pass"
    lacking = results_for(make_repo({"docs/mkdocs.yml": MKDOCS, **PAGES}), "DOC008")
    level2 = next(r for r in lacking if r.level == 2)
    assert level2.status.value == "fail" and "docs/docs/index.md" in level2.message.en


def test_doc008_level_2_requirements(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    bare = "site_name: x\ntheme: readthedocs\n"
    results = results_for(make_repo({"mkdocs.yml": bare, **PAGES}), "DOC008")
    level2 = next(r for r in results if r.level == 2)
    assert level2.status.value == "fail"
    assert level2.message.en == "mkdocs.yml lacks: nav, theme.name: material (is 'readthedocs')"
    string_theme = MKDOCS.replace("theme:\n  name: material\n  language: es\n",
                                  "theme: material\n")
    results = results_for(make_repo({"mkdocs.yml": string_theme, **PAGES}), "DOC008")
    assert levels(results)[2] == "pass"


def test_doc008_nav_to_missing_pages_warns(make_repo: MakeRepo,
                                           results_for: ResultsFor) -> None:
    results = results_for(make_repo({"mkdocs.yml": MKDOCS, "docs/index.md": "# x\n"}),
                          "DOC008")
    level2 = next(r for r in results if r.level == 2)
    assert level2.status.value == "warn" and level2.line == 5
    assert "api/endpoints.md, model/model-card.md" in level2.message.en


def test_doc008_level_3_parts(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    plain = "site_name: x\ntheme: {name: material}\nnav: [index.md]\nplugins: [search]\n"
    results = results_for(make_repo({"mkdocs.yml": plain, "docs/index.md": "# x\n"}), "DOC008")
    level3 = next(r for r in results if r.level == 3)
    assert level3.status.value == "fail"
    for part in ("mkdocstrings", "mermaid", "workflow"):
        assert part in level3.message.en
    build = {".github/workflows/ci.yml": "on: push\njobs:\n  d:\n    steps:\n"
                                         "      - run: mkdocs build\n"}
    results = results_for(make_repo({"mkdocs.yml": MKDOCS, **PAGES, **build}), "DOC008")
    level3 = next(r for r in results if r.level == 3)
    assert level3.status.value == "warn" and level3.path == ".github/workflows/ci.yml"
    mermaid2 = MKDOCS.replace("  - search\n", "  - search\n  - mermaid2\n").replace(
        "        - name: mermaid\n", "        - name: other\n")
    pages = {".github/workflows/pages.yml": "on: push\njobs:\n  d:\n    steps:\n"
                                            "      - uses: actions/deploy-pages@v4\n"}
    results = results_for(make_repo({"mkdocs.yml": mermaid2, **PAGES, **pages}), "DOC008")
    assert levels(results)[3] == "pass"
    rtd = {".readthedocs.yaml": "version: 2\nmkdocs:\n  configuration: mkdocs.yml\n"}
    results = results_for(make_repo({"mkdocs.yml": MKDOCS, **PAGES, **rtd}), "DOC008")
    assert levels(results)[3] == "pass"


def test_doc008_missing_broken_and_sphinx(make_repo: MakeRepo,
                                          results_for: ResultsFor) -> None:
    results = results_for(make_repo({"README.md": "# x\n"}), "DOC008")
    assert levels(results) == {2: "fail", 3: "fail"}
    results = results_for(make_repo({"mkdocs.yml": "site_name: [x\n"}), "DOC008")
    assert levels(results) == {2: "fail", 3: "fail"}
    assert results[0].path == "mkdocs.yml" and results[0].line is not None
    results = results_for(make_repo({"mkdocs.yml": "- just\n- a list\n"}), "DOC008")
    assert "not a mapping" in results[0].message.en
    results = results_for(make_repo({"docs/conf.py": "project = 'x'\n"}), "DOC008")
    assert levels(results) == {2: "pass", 3: "fail"}


def test_doc008_built_sphinx_site_is_a_well_known_equivalent(make_repo: MakeRepo,
                                                             results_for: ResultsFor) -> None:
    """A Sphinx site built by Read the Docs (or CI) is a well-known equivalent of the
    guide's MkDocs (levels.md point 2): credited, with API pages (autodoc) at L3."""
    rtd = ("version: 2\nsphinx:\n  configuration: docs/source/conf.py\n"
           "  fail_on_warning: true\n")
    files = {"docs/source/conf.py": "extensions = ['sphinx.ext.autodoc']\n",
             ".readthedocs.yaml": rtd}
    results = results_for(make_repo(files), "DOC008")
    assert levels(results) == {2: "pass", 3: "pass"}, [r.message.en for r in results]
    l3 = next(r for r in results if r.level == 3)
    assert "no mkdocs.yml" not in l3.message.en
    assert "docs/source/conf.py" in l3.message.en and ".readthedocs.yaml" in l3.message.en
    assert "construido por" in l3.message.es
    ci = {"docs/conf.py": "project = 'x'\n", ".github/workflows/docs.yml": (
        "on: push\njobs:\n  docs:\n    runs-on: ubuntu-latest\n    steps:\n"
        "      - run: sphinx-build -W docs docs/_build\n")}
    results = results_for(make_repo(ci), "DOC008")
    assert levels(results) == {2: "pass", 3: "warn"}
    l3 = next(r for r in results if r.level == 3)
    assert ".github/workflows/docs.yml" in l3.message.en and "autodoc" in l3.message.en


def test_doc008_inherit_is_followed(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    child = "INHERIT: base.yml\nsite_name: child\n"
    base = MKDOCS.replace("site_name: BankChurn Predictor\n", "")
    results = results_for(make_repo({"mkdocs.yml": child, "base.yml": base, **PAGES}), "DOC008")
    assert levels(results)[2] == "pass"


def test_load_mkdocs_tolerates_tags() -> None:
    data = load_mkdocs(MKDOCS)
    assert data["extra"]["analytics"]["property"] == ["GOOGLE_ANALYTICS_KEY", ""]
    assert data["theme"]["name"] == "material"
    assert load_mkdocs("a: !custom {b: 1}\n") == {"a": {"b": 1}}


# -- DOC009 ----------------------------------------------------------------------------

RAI = """\
# Responsible AI checklist

## Fairness
- [x] Métricas calculadas por subgrupos demográficos

## Transparencia
- [x] Explicabilidad disponible (SHAP/LIME)

## Privacidad
- [x] No PII en features; cumplimiento GDPR documentado

## Accountability
- [x] Responsable del modelo identificado; proceso de escalación definido
"""


def test_doc009_checklist_file_passes(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    (result,) = results_for(make_repo({"docs/responsible_ai.md": RAI,
                                       "CONTRIBUTING.md": "# Contributing\n"}), "DOC009")
    assert result.status.value == "pass" and result.path == "docs/responsible_ai.md"
    assert result.message.en.endswith("(+ CONTRIBUTING.md)")


def test_doc009_pr_template_missing_areas(make_repo: MakeRepo,
                                          results_for: ResultsFor) -> None:
    template = "## Checklist\n- [ ] Fairness by subgroup checked\n- [ ] No PII in logs\n"
    (result,) = results_for(make_repo({".github/pull_request_template.md": template}), "DOC009")
    assert result.status.value == "fail"
    assert result.message.en == ("responsible-AI checklist lacks: Transparency, Accountability "
                                 "(has: Fairness, Privacy)")
    assert "Transparencia" in result.message.es


def test_doc009_model_card_ethics_section_and_pr_template_combine(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    card = ("# Card\n## Consideraciones Éticas\n### Fairness\n- Métricas por género\n"
            "### Privacidad\n- Datos pseudonimizados, GDPR\n### Transparencia\n- SHAP\n"
            "## Contacto\n- Responsable: ana@example.com\n")
    pr = "- [ ] Model owner reviewed; audit scheduled\n"
    (result,) = results_for(make_repo({"churn/docs/model_card.md": card,
                                       ".github/PULL_REQUEST_TEMPLATE/model.md": pr}), "DOC009")
    assert result.status.value == "pass"
    assert "churn/docs/model_card.md" in result.message.en
    (alone,) = results_for(make_repo({"docs/model_card.md": card}), "DOC009")
    assert alone.status.value == "fail" and "Accountability" in alone.message.en


def test_doc009_nothing_fails(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    (result,) = results_for(make_repo({"README.md": "# x\n"}), "DOC009")
    assert result.status.value == "fail"


# -- DOC010 ----------------------------------------------------------------------------

def test_doc010_script_and_gif(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({"scripts/demo.sh": "#!/bin/sh\nset -e\n",
                      "README.md": "# x\n\n![demo](docs/demo.gif)\n"})
    results = results_for(root, "DOC010")
    assert sorted(statuses(results)) == ["manual", "pass", "pass"]
    assert {r.path for r in results if r.status.value == "pass"} == {"scripts/demo.sh",
                                                                      "README.md"}


def test_doc010_make_target_compose_and_video_link(make_repo: MakeRepo,
                                                   results_for: ResultsFor) -> None:
    make = ".PHONY: demo\ninstall:\n\tpip install -e .\n\ndocker-demo: install\n\tdocker run x\n"
    readme = "# x\n\n## Demo\n\nWatch it [here](https://example.com/watch).\n"
    results = results_for(make_repo({"Makefile": make, "README.md": readme}), "DOC010")
    entry = next(r for r in results if r.path == "Makefile")
    assert entry.status.value == "pass" and entry.line == 5
    assert next(r for r in results if r.path == "README.md").line == 5
    compose = make_repo({"docker-compose.demo.yml": "services: {}\n",
                         "README.md": "# x\nVideo: https://youtu.be/abc\n"})
    assert sorted(statuses(results_for(compose, "DOC010"))) == ["manual", "pass", "pass"]


def test_doc010_nothing_fails(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    results = results_for(make_repo({"Makefile": "demonstrate:\n\techo\n",
                                     "README.md": "# x\n![logo](logo.png)\n"}), "DOC010")
    assert sorted(statuses(results)) == ["fail", "fail", "manual"]
    results = results_for(make_repo({"docs/templates/run_demo.sh": "#!/bin/sh\n"}), "DOC010")
    assert sorted(statuses(results)) == ["fail", "fail", "manual"]
