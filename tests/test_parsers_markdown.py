"""The Markdown reader: headings, fences, comments, tables, links, front matter, matching."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_lint.parsers.markdown import (
    Heading,
    cells,
    headings_matching,
    normalize,
    parse_markdown,
    phrase_in,
    section_matches,
    words,
)
from mlops_lint.rules.docs._placeholders import placeholders


def texts(doc_text: str) -> list[tuple[int, str]]:
    return [(h.level, h.text) for h in parse_markdown(doc_text).headings]


def test_atx_headings_with_closing_hashes_and_indent() -> None:
    doc = "# Title\n\n## Section ##\n   ### Indented\n    #### code, not a heading\n#hashtag\n"
    assert texts(doc) == [(1, "Title"), (2, "Section"), (3, "Indented")]


def test_setext_headings_need_a_paragraph_line_above() -> None:
    doc = "Model Card\n==========\n\nIntended Use\n------------\ntext\n\n---\n\n- item\n---\n"
    assert texts(doc) == [(1, "Model Card"), (2, "Intended Use")]
    assert parse_markdown(doc).headings[1].line == 4


def test_fenced_code_is_not_read_as_headings() -> None:
    doc = ("# Real\n```bash\n# Install\npip install x\n```\n~~~~\n## not\n~~~~\n"
           "  ```python\n# comment\n  ```\n## After\n")
    parsed = parse_markdown(doc)
    assert [(h.level, h.text) for h in parsed.headings] == [(1, "Real"), (2, "After")]
    assert [(b.lang, b.line, b.end) for b in parsed.code_blocks] == [
        ("bash", 2, 5), ("", 6, 8), ("python", 9, 11)]
    assert parsed.code_blocks[0].text == "# Install\npip install x"


def test_a_longer_fence_is_closed_only_by_a_fence_as_long() -> None:
    doc = "````markdown\n```python\n# x\n```\n# still code\n````\n# Out\n"
    parsed = parse_markdown(doc)
    assert texts(doc) == [(1, "Out")]
    assert "# still code" in parsed.code_blocks[0].text


def test_unclosed_fence_runs_to_the_end() -> None:
    parsed = parse_markdown("# A\n```\n# b\n")
    assert texts("# A\n```\n# b\n") == [(1, "A")]
    assert parsed.code_blocks[0].end == 3


def test_html_comments_are_ignored_even_over_several_lines() -> None:
    doc = ("# Card\n<!-- ## Hidden -->\n<!--\n## Also hidden\n{placeholder}\n-->\n"
           "visible <!-- inline --> text\n## Shown\n")
    parsed = parse_markdown(doc)
    assert texts(doc) == [(1, "Card"), (2, "Shown")]
    prose = dict(parsed.prose)
    assert 5 not in prose and "inline" not in prose[7]


def test_html_headings() -> None:
    assert texts('<h2 align="center">Model <b>Details</b></h2>\n') == [(2, "Model Details")]


def test_bold_labels_are_pseudo_headings_only_when_labels() -> None:
    doc = ("**Intended Use:** churn prediction\n- **Out-of-Scope**: credit decisions\n"
           "**Model Details**\n1. **Temporal**: trained until 2023\n"
           "**BankChurn** predicts churn.\n| **Name** | x |\n|---|---|\n| **Row** | y |\n")
    assert texts(doc) == [(7, "Intended Use"), (7, "Out-of-Scope"), (7, "Model Details"),
                          (7, "Temporal")]


def test_section_and_span_stop_at_same_or_higher_level() -> None:
    doc = "# T\n## A\ntext a\n### A.1\nsub\n**Label:** x\n## B\ntext b\n"
    parsed = parse_markdown(doc)
    a = parsed.headings[1]
    assert parsed.span(a) == (2, 6)
    assert "sub" in parsed.section(a) and "text b" not in parsed.section(a)
    label = parsed.headings[3]
    assert label.level == 7 and parsed.span(label) == (6, 6)
    assert [n for n, _ in parsed.prose_in(a)] == [3, 5, 6]


def test_tables_with_header_rows_and_escaped_pipes() -> None:
    doc = ("## Metrics\n\n| Metric | Train | Test |\n|:---|:---:|---:|\n| AUC | 0.89 | 0.87 |\n"
           "| F1 \\| macro | 0.75 | 0.71 |\n\nafter\n")
    parsed = parse_markdown(doc)
    (table,) = parsed.tables
    assert table.header == ("Metric", "Train", "Test")
    assert table.rows == (("AUC", "0.89", "0.87"), ("F1 | macro", "0.75", "0.71"))
    assert (table.line, table.end, table.row_line(1)) == (3, 6, 6)
    assert parsed.tables_in(parsed.headings[0]) == [table]


def test_table_without_outer_pipes_and_at_end_of_file() -> None:
    parsed = parse_markdown("a | b\n--- | ---\n1 | 2")
    assert parsed.tables[0].header == ("a", "b") and parsed.tables[0].rows == (("1", "2"),)


def test_a_dashes_line_under_a_pipe_line_is_not_a_setext_heading() -> None:
    parsed = parse_markdown("x | y\n---\n")
    assert not parsed.tables and parsed.headings == (Heading(2, "x | y", 1),)


def test_cells_split() -> None:
    assert cells("| a | b |") == ("a", "b")
    assert cells("a|b") == ("a", "b")


def test_links_images_badges_and_references() -> None:
    doc = (
        "[![CI](https://github.com/o/r/actions/workflows/ci.yml/badge.svg)](https://github.com/o/r/actions)\n"
        "![diagram](docs/arch.png) and [Model Card](docs/model_card.md)\n"
        "[![Cov][cov-badge]][cov-link] ![alt][img] [docs][] [shortcut]\n"
        '<a href="https://x.io"><img src="https://img/badge.svg" alt="Py"></a>\n'
        '<img src="demo.gif">\n'
        "see https://youtu.be/abc. `[not](a-link)`\n"
        "[cov-badge]: https://codecov.io/gh/o/r/badge.svg\n"
        "[cov-link]: https://codecov.io/gh/o/r\n"
        "[img]: pic.png\n[docs]: https://o.github.io/r\n[shortcut]: https://s.io\n"
    )
    links = parse_markdown(doc).links
    as_tuples = {(k.line, k.text, k.url, k.image, k.target) for k in links}
    assert (1, "CI", "https://github.com/o/r/actions/workflows/ci.yml/badge.svg", True,
            "https://github.com/o/r/actions") in as_tuples
    assert (1, "CI", "https://github.com/o/r/actions", False, None) in as_tuples
    assert (2, "diagram", "docs/arch.png", True, None) in as_tuples
    assert (2, "Model Card", "docs/model_card.md", False, None) in as_tuples
    assert (3, "Cov", "https://codecov.io/gh/o/r/badge.svg", True,
            "https://codecov.io/gh/o/r") in as_tuples
    assert (3, "alt", "pic.png", True, None) in as_tuples
    assert (3, "docs", "https://o.github.io/r", False, None) in as_tuples
    assert (3, "shortcut", "https://s.io", False, None) in as_tuples
    assert (4, "Py", "https://img/badge.svg", True, "https://x.io") in as_tuples
    assert (4, "Py", "https://x.io", False, None) in as_tuples
    assert (5, "", "demo.gif", True, None) in as_tuples
    assert (6, "", "https://youtu.be/abc", False, None) in as_tuples
    assert not any(k.url == "a-link" for k in links)
    assert not any(k.line >= 7 for k in links)


def test_front_matter_is_kept_apart() -> None:
    doc = "---\nlicense: mit\nmodel-index:\n  - name: m\n---\n# Card\n"
    parsed = parse_markdown(doc)
    assert parsed.front_matter == "license: mit\nmodel-index:\n  - name: m"
    assert parsed.front_matter_line == 5
    assert texts(doc) == [(1, "Card")]


def test_a_leading_thematic_break_is_not_front_matter() -> None:
    parsed = parse_markdown("---\n# Title\nSome text\n---\n")
    assert parsed.front_matter is None
    assert (1, "Title") in [(h.level, h.text) for h in parsed.headings]


def test_normalize_strips_accents_markup_numbering_and_anchors() -> None:
    assert normalize("## 5. Métricas de **Rendimiento**") == "metricas de rendimiento"
    assert normalize("10.2 Artefactos") == "artefactos"
    assert normalize("🚀 Quick Start {#quick}") == "quick start"
    assert normalize("IV. Limits") == "limits"
    assert normalize("[Model Card](docs/x.md)") == "model card"
    assert words("Out-of-Scope") == ("out", "of", "scope")


def test_phrase_matching_words_suffixes_and_whole_headings() -> None:
    assert phrase_in("Métricas", "5. Métricas de Rendimiento")
    assert phrase_in("metric", "Metrics")
    assert phrase_in("Limitation", "7.1 Limitaciones Técnicas") is False
    assert phrase_in("Limitaciones", "7.1 Limitaciones Técnicas")
    assert phrase_in("out of scope", "Out-of-Scope Use")
    assert phrase_in("uso", "Usuarios objetivo") is False  # suffix too long
    assert phrase_in("intended use", "Intended Uses") and phrase_in("uso", "Usos")
    assert not phrase_in("data", "Database")
    assert phrase_in("=Uses", "Uses") and not phrase_in("=Uses", "Out-of-Scope Uses")
    assert phrase_in("cuándo no usar", "CUANDO NO USAR")
    assert not phrase_in("", "anything")


def test_section_matches_with_vetoes() -> None:
    heading = Heading(2, "Not intended uses", 1)
    assert section_matches(heading, ["intended use"])
    assert not section_matches(heading, ["intended use"], ["not intended"])


def test_headings_matching_keeps_substring_semantics() -> None:
    doc = parse_markdown("# ADR\n## Contexto\n## Decisión\n## Consecuencias positivas\n")
    assert [h.text for h in headings_matching(doc, ["decision"])] == ["Decisión"]
    assert [h.text for h in headings_matching(doc, ["consecuencias", "consequences"])] == [
        "Consecuencias positivas"]


@settings(max_examples=150, deadline=None)
@given(st.lists(st.sampled_from([
    "# A", "## 5. Métricas", "text {x}", "```", "~~~", "    ```py", "---", "===", "| a | b |",
    "|---|---|", "<!--", "-->", "**Label:** x", "[l](u)", "![i][r]", "[r]: http://x",
    "<h2>H</h2>", "", "- item", "> quote", "<a href='x'><img src='y'></a>",
]) | st.text(max_size=40), max_size=40))
def test_parse_markdown_never_raises_and_lines_are_in_range(lines: list[str]) -> None:
    text = "\n".join(lines)
    doc = parse_markdown(text)
    total = len(text.splitlines())
    for heading in doc.headings:
        start, end = doc.span(heading)
        assert 1 <= start <= max(end, start) <= max(total, 1)
        assert doc.section(heading) is not None
        doc.tables_in(heading), doc.code_in(heading), doc.links_in(heading)
    assert all(1 <= n <= total for n, _ in doc.prose)
    assert all(1 <= k.line <= total for k in doc.links)
    placeholders(doc)
