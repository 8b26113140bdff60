"""``mlops-lint init``: the guide's templates for what a repository lacks, written only
when asked and never over an existing file (or anything the rules accept in its place);
the rules recognise what it writes."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import check_repo, statuses
from mlops_lint.catalog import Catalog
from mlops_lint.cli import cli
from mlops_lint.scaffold import _templates, template_text

TARGETS = {
    "docs/decisions/ADR-001-record-architecture-decisions.md": "adr.md",
    "Makefile": "Makefile",
    ".pre-commit-config.yaml": "pre-commit-config.yaml",
    ".dockerignore": "dockerignore",
    ".github/workflows/mlops-lint.yml": "workflow.yml",
    "docs/model_card.md": "model_card.md",
    "docs/data_card.md": "data_card.md",
}


def init(*args: str) -> tuple[int, str]:
    result = CliRunner().invoke(cli, ["init", *args])
    return result.exit_code, result.output


def test_init_on_an_empty_directory_writes_every_template(tmp_path: Path) -> None:
    code, out = init(str(tmp_path))
    assert code == 0, out
    written = {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()}
    assert written == set(TARGETS)
    by_source = {t.source: t for t in _templates()}
    for target, source in TARGETS.items():
        text = (tmp_path / target).read_text(encoding="utf-8")
        assert text == template_text(by_source[source], "en")
        assert f"{target} " in out
    assert out.count("written: ") == 7
    assert "7 file(s) written, 0 skipped" in out


def test_init_never_overwrites_and_says_skipped(tmp_path: Path) -> None:
    for target in TARGETS:
        path = tmp_path / target
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("mine\n", encoding="utf-8")
    before = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    code, out = init(str(tmp_path))
    assert code == 0
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == before
    assert out.count("skipped: the file exists") == 7 and "written: " not in out
    assert "0 file(s) written, 7 skipped" in out


def test_an_equivalent_file_elsewhere_counts_as_present(tmp_path: Path) -> None:
    (tmp_path / "MODEL_CARD.md").write_text("# card\n", encoding="utf-8")
    (tmp_path / "docs" / "adr").mkdir(parents=True)
    (tmp_path / "docs" / "adr" / "0001-use-dvc.md").write_text("# ADR\n", encoding="utf-8")
    (tmp_path / "makefile").write_text("all:\n", encoding="utf-8")
    # the guide's templates copied into docs/templates/ are not the repository's own cards
    (tmp_path / "docs" / "templates").mkdir()
    (tmp_path / "docs" / "templates" / "data_card_template.md").write_text("x", "utf-8")
    code, out = init(str(tmp_path))
    assert code == 0
    assert "skipped: MODEL_CARD.md exists" in out
    assert "skipped: docs/adr/0001-use-dvc.md exists" in out
    assert "skipped: makefile exists" in out
    assert not (tmp_path / "docs" / "model_card.md").exists()
    assert not (tmp_path / "docs" / "decisions").exists()
    assert not (tmp_path / "Makefile").exists() or (tmp_path / "makefile").samefile(
        tmp_path / "Makefile")  # a case-insensitive file system
    assert (tmp_path / "docs" / "data_card.md").is_file()


def test_links_are_never_followed(tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / "Makefile").symlink_to(outside / "Makefile")        # dangling
    (repo / "docs").symlink_to(outside, target_is_directory=True)  # leads out
    code, out = init(str(repo))
    assert code == 0, out
    assert not (outside / "Makefile").exists()
    assert list(outside.iterdir()) == []
    assert "docs/model_card.md" in out and "outside the repository" in out
    assert os.readlink(repo / "Makefile") == str(outside / "Makefile")


def test_phase_and_language(tmp_path: Path) -> None:
    code, out = init(str(tmp_path), "--phase", "7", "--lang", "es")
    assert code == 0
    assert {str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*") if p.is_file()} == {
        "docs/model_card.md", "docs/data_card.md"}
    assert "## 2. Propósito del Modelo" in (tmp_path / "docs/model_card.md").read_text("utf-8")
    assert "escrito: una model card" in out and "2 archivo(s) escritos" in out
    code, out = init(str(tmp_path), "--phase", "3")
    assert code == 0 and "No template for this phase." in out


def test_init_validates_the_configuration_like_every_command(tmp_path: Path) -> None:
    (tmp_path / ".mlops-lint.yaml").write_text("lang: fr\n", encoding="utf-8")
    code, out = init(str(tmp_path))
    assert code == 2 and "invalid value for 'lang'" in out
    assert not (tmp_path / "Makefile").exists()


@pytest.mark.parametrize("lang", ["en", "es"])
def test_templates_are_package_data_in_both_languages(lang: str) -> None:
    for template in _templates():
        text = template_text(template, lang)  # type: ignore[arg-type]
        assert text.endswith("\n") and len(text) > 100
    makefile = template_text(next(t for t in _templates() if t.source == "Makefile"),
                             lang)  # type: ignore[arg-type]
    recipes = [line for line in makefile.splitlines() if line[:1].isspace()]
    assert recipes and all(line.startswith("\t") for line in recipes)
    workflow = template_text(next(t for t in _templates() if t.source == "workflow.yml"),
                             lang)  # type: ignore[arg-type]
    assert "uses: YOUR-ORG/mlops-lint@v0.1.0" in workflow and "min-level:" in workflow
    assert "YOUR-ORG/mlops-lint" in workflow.split("name:")[0]  # the comment explains it


def test_the_rules_recognise_what_init_writes(tmp_path: Path, catalog: Catalog,
                                              make_repo: Callable[..., Path]) -> None:
    root = make_repo({"Dockerfile": "FROM python:3.11-slim\n",
                      "src/demo/__init__.py": "x: int = 1\n"})
    assert init(str(root))[0] == 0
    rows = check_repo(root, catalog, ("DES001", "PY010", "GIT003", "DOCK002", "DOC004",
                                      "DOC007", "CI001"))

    def lowest(rule: str) -> list[str]:
        """Statuses of the rule's lowest level (the levels are the catalog's business)."""
        mine = [r for r in rows if r.rule == rule and r.status.value != "manual"]
        return statuses(mine, min(r.level for r in mine))

    for rule in ("DES001", "PY010", "GIT003", "DOCK002", "DOC004", "CI001"):
        assert lowest(rule) == ["pass"], rule
    # the Makefile has every target the guide names, at every level
    assert set(statuses(r for r in rows if r.rule == "PY010")) == {"pass"}
    # the cards still hold placeholders: level 3 says so
    doc7 = [r for r in rows if r.rule == "DOC007" and r.level == 3 and r.status.is_problem]
    assert any("placeholder" in r.message.en for r in doc7)
