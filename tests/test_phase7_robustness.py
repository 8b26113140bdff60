"""Phase 7 rules on unreadable or odd input: findings with paths, never errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

BINARY = b"\x00\x01\x02binary"


def test_binary_files_are_reported_not_crashed(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    root = make_repo({
        "pyproject.toml": "[project]\nname='x'\n", "src/x/__init__.py": "",
        "README.md": BINARY, "LICENSE": BINARY, "docs/model_card.md": BINARY,
        "docs/data_card.md": BINARY, "docs/responsible_ai.md": BINARY,
        "mkdocs.yml": BINARY,
    })
    results = results_for(root, "DOC")
    assert results and all(r.status.value != "error" for r in results)
    unreadable = {(r.rule, r.path) for r in results
                  if r.status.value == "fail" and "cannot be read" in r.message.en}
    for rule, path in (("DOC001", "README.md"), ("DOC001", "LICENSE"),
                       ("DOC002", "README.md"), ("DOC003", "README.md"),
                       ("DOC004", "docs/model_card.md"), ("DOC005", "docs/model_card.md"),
                       ("DOC006", "docs/model_card.md"), ("DOC007", "docs/data_card.md"),
                       ("DOC010", "README.md")):
        assert (rule, path) in unreadable, (rule, path)
    mkdocs = [r for r in results if r.rule == "DOC008"]
    assert {r.status.value for r in mkdocs} == {"fail"} and mkdocs[0].path == "mkdocs.yml"


def test_odd_encodings_and_huge_lines_are_read(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    card = ("# Model Card\n## Model Details\n" + "x" * 200_000 + "\n").encode("utf-8")
    root = make_repo({"pyproject.toml": "", "src/x/__init__.py": "",
                      "docs/model_card.md": b"\xef\xbb\xbf" + card,
                      "README.md": "# T\n\nCaf\xe9 ol\xe9 caf\xe9 \udcff".encode(
                          "utf-8", "surrogateescape")})
    results = results_for(root, "DOC00")
    assert all(r.status.value != "error" for r in results)
    doc005 = next(r for r in results if r.rule == "DOC005")
    assert "present: Model details" in doc005.message.en


def test_mkdocs_yaml_oddities(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    for text in ("site_name: x\nnav: !!python/object:os.system {}\ntheme: material\n",
                 "INHERIT: missing.yml\n", "INHERIT: base.yml\n", "theme:\n  - a\n",
                 "plugins: {mkdocstrings: {}}\nmarkdown_extensions: {pymdownx.superfences: "
                 "{custom_fences: [{name: mermaid}]}}\nsite_name: x\nnav: [a.md]\n"
                 "theme: {name: material}\n"):
        root = make_repo({"mkdocs.yml": text, "base.yml": "[broken\n", "docs/index.md": "#\n"})
        results = results_for(root, "DOC008")
        assert results and all(r.status.value != "error" for r in results), text
