"""Regressions found by running mlops-lint on public ML repositories (docs/field-tests.md).

Each case is a minimal synthetic reproduction of what a real repository had, never its
code: a data-science project template README (tree in an indented block, template footer), a
README titled "... Demo Project" whose Swagger link is local, a tree pasted outside any
code block, a box-drawing chart that is no directory tree.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result
from mlops_lint.parsers.markdown import parse_markdown

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

MIT = "MIT License\n\nCopyright (c) 2024 Ana Pérez\n\nPermission is hereby granted...\n"

CCDS_README = """\
fraud-detection
==============================

Detecting card fraud with gradient boosting and a recall-first threshold.

Project Organization
------------

    ├── LICENSE
    ├── Makefile           <- Makefile with commands like `make data` or `make train`
    ├── README.md          <- The top-level README for developers using this project.
    ├── data
    │   └── raw            <- The original, immutable data dump.
    └── src                <- Source code for use in this project.

--------

<p><small>Project based on the <a target="_blank" href="{FOOTER_URL}">data \
science project template</a>.</small></p>
""".replace("{FOOTER_URL}", "https://template-docs.example.org/project-template/")


def _message(results: list[Result]) -> str:
    return " | ".join(r.message.en for r in results)


# -- the Markdown reader: indented code blocks -------------------------------------------


def test_an_indented_block_after_a_blank_line_is_code() -> None:
    doc = parse_markdown("# T\n\nText.\n\n    ├── src\n    # not a heading\n\n    └── tests\n"
                         "\nAfter.\n")
    assert [(b.lang, b.line, b.end) for b in doc.code_blocks] == [("", 5, 8)]
    assert doc.code_blocks[0].text == "├── src\n# not a heading\n\n└── tests"
    assert [h.text for h in doc.headings] == ["T"]
    assert (10, "After.") in doc.prose and all(n not in (5, 6, 8) for n, _ in doc.prose)


def test_indented_paragraphs_of_a_list_item_are_not_code() -> None:
    doc = parse_markdown("- item one\n\n    still item one\n\n1. second\n   lazy\n\n"
                         "        deep code in the item\n\nBack to prose.\n\n    code again\n")
    assert [(b.line, b.text) for b in doc.code_blocks] == [
        (8, " deep code in the item"), (12, "code again")]  # "1. " is 3 columns
    assert (3, "    still item one") in doc.prose


def test_an_indented_line_continuing_a_paragraph_is_not_code() -> None:
    doc = parse_markdown("Some text\n    continued, not code\n")
    assert doc.code_blocks == ()


# -- DOC003 -------------------------------------------------------------------------------


def test_doc003_sees_the_cookiecutter_tree_but_not_its_footer_link(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({"README.md": CCDS_README, "LICENSE": MIT})
    results = results_for(root, "DOC003")
    message = _message(results)
    # one signal (the tree) out of five: a warning, and the footer is no docs-site link
    assert statuses(results) == ["warn"]
    assert "1 of 5: project structure tree" in message
    assert "missing: architecture diagram, metrics table, a link to the docs site" in message


def test_doc003_a_footer_link_alone_is_no_navigation(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    readme = ("# Fraud\n\nDetecting card fraud with gradient boosting.\n\n"
              "Project built with [MkDocs Material](https://squidfunk.github.io/mkdocs-material/)"
              ".\n")
    assert statuses(results_for(make_repo({"README.md": readme}), "DOC003")) == ["fail"]
    # the same link presented as this project's documentation still counts
    own = readme.replace("Project built with [MkDocs Material]", "See the [documentation]")
    message = _message(results_for(make_repo({"README.md": own}), "DOC003"))
    assert "1 of 5: links to model card" in message


def test_doc003_a_tree_pasted_outside_a_code_block_counts(make_repo: MakeRepo,
                                                          results_for: ResultsFor) -> None:
    readme = ("# Fraud\n\nDetecting card fraud with gradient boosting.\n\n\n"
              "├── LICENSE\n├── Makefile             <- Commands\n├── data\n"
              "│   ├── raw              <- Original data\n└── src\n")
    message = _message(results_for(make_repo({"README.md": readme}), "DOC003"))
    assert "1 of 5: project structure tree" in message


def test_doc003_a_box_drawing_chart_is_no_tree(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    chart = ("```\n┌──────────────────┐\n│   FOUR PILLARS   │\n├──────────────────┤\n"
             "│ theory, practice │\n└──────────────────┘\n```\n")
    readme = "# Guide\n\nA study guide for MLOps.\n\n## Pillars\n\n" + chart
    assert statuses(results_for(make_repo({"README.md": readme}), "DOC003")) == ["fail"]
    tree = "```\n.\n├── src\n└── tests\n```\n"
    message = _message(results_for(make_repo({"README.md": readme + tree}), "DOC003"))
    assert "1 of 5: project structure tree" in message


def test_doc003_a_title_is_not_an_architecture_section(make_repo: MakeRepo,
                                                       results_for: ResultsFor) -> None:
    readme = ("# Architecture Playground\n\nA sandbox to try serving patterns.\n\n"
              "## Install\n\n```bash\npip install -r requirements.txt\n```\n")
    assert statuses(results_for(make_repo({"README.md": readme}), "DOC003")) == ["fail"]


# -- DOC010 -------------------------------------------------------------------------------

DEMO_TITLED = """\
# MLOps Demo Project (WIP)

A demo of MLOps practices: DVC, MLflow and a FastAPI model server.

## API Usage

1. **Start the server**: `make serve`
2. **Access Swagger UI**: open [http://localhost:8000/docs](http://localhost:8000/docs).
"""


def test_doc010_a_readme_titled_demo_has_no_demo_media(make_repo: MakeRepo,
                                                       results_for: ResultsFor) -> None:
    root = make_repo({"README.md": DEMO_TITLED, "scripts/demo.sh": "#!/bin/sh\nmake serve\n"})
    results = [r for r in results_for(root, "DOC010") if r.status.value != "manual"]
    assert sorted(statuses(results)) == ["fail", "pass"]
    assert "README has no demo link, GIF or screenshot" in _message(results)


def test_doc010_a_demo_section_link_still_counts(make_repo: MakeRepo,
                                                 results_for: ResultsFor) -> None:
    readme = DEMO_TITLED + "\n## Demo\n\n[Watch the walkthrough](https://example.org/v/42)\n"
    root = make_repo({"README.md": readme, "scripts/demo.sh": "#!/bin/sh\nmake serve\n"})
    results = [r for r in results_for(root, "DOC010") if r.status.value != "manual"]
    assert statuses(results) == ["pass", "pass"]
