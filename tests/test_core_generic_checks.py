"""The generic checks a team can use from a YAML rule pack, end to end through a pack."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint.catalog import CatalogError, load_catalog
from mlops_lint.config import Config
from mlops_lint.engine import run
from mlops_lint.model import Status
from mlops_lint.repo import Repo
from test_core_catalog import rules_dir

PACK = """
phase: 4
rules:
  - id: {id}
    scope: {scope}
    title: {{en: "Team rule", es: "Regla del equipo"}}
    fix: {{en: "Do it", es: "Hazlo"}}
    rationale: {{en: "Because", es: "Porque"}}
    check: {check}
    params: {params}
    levels:
      - {{level: 2, text: {{en: "c", es: "c"}}}}
"""


def outcome(tmp_path: Path, root: Path, check: str, params: str,
            scope: str = "project") -> list[tuple[str, str | None, int | None, str]]:
    pack = tmp_path / "pack.yaml"
    pack.write_text(PACK.format(id="TEAM001", scope=scope, check=check, params=params),
                    encoding="utf-8")
    catalog = load_catalog([pack], rules_dir=rules_dir(tmp_path))
    results = run(Repo(root), catalog, Config()).results
    return [(r.status.value, r.path, r.line, r.message.en) for r in results]


def test_file_exists(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"docs/a.md": "", "docs/b.md": ""})
    assert outcome(tmp_path, root, "file_exists", "{globs: ['docs/*.md']}")[0][:2] == (
        "pass", "docs/a.md")
    assert outcome(tmp_path, root, "file_exists", "{globs: ['docs/*.md'], min_count: 3}")[0][0] \
        == "fail"
    assert "no file matches" in outcome(tmp_path, root, "file_exists", "{globs: [x]}")[0][3]


def test_file_exists_is_relative_to_each_project(tmp_path: Path,
                                                  make_repo: Callable[..., Path]) -> None:
    root = make_repo({
        "a/pyproject.toml": "", "a/src/a/__init__.py": "", "a/LICENSE": "",
        "b/pyproject.toml": "", "b/tests/test_b.py": "",
    })
    rows = outcome(tmp_path, root, "file_exists", "{globs: [LICENSE]}")
    assert [r[:2] for r in rows] == [("pass", "a/LICENSE"), ("fail", None)]
    rows = outcome(tmp_path, root, "file_exists", "{globs: ['**/LICENSE']}", scope="repo")
    assert [r[:2] for r in rows] == [("pass", "a/LICENSE")]


@pytest.mark.parametrize("check, params, status, fragment", [
    ("toml_value", "{file: pyproject.toml, key: tool.mypy.strict, equals: true}", "pass", "True"),
    ("toml_value", "{file: pyproject.toml, key: tool.mypy.strict, equals: false}", "fail",
     "expected False"),
    ("toml_value", "{file: pyproject.toml, key: project.name, matches: '^ml'}", "pass", "mlx"),
    ("toml_value", "{file: pyproject.toml, key: project.name, matches: '^zz'}", "fail",
     "does not match"),
    ("toml_value", "{file: pyproject.toml, key: tool.ruff}", "fail", "is not set"),
    ("toml_value", "{file: missing.toml, key: a}", "fail", "does not exist"),
    ("toml_value", "{file: broken.toml, key: a}", "fail", "does not parse"),
    ("yaml_value", "{file: conf.yaml, key: stages.1.name, equals: train}", "pass", "train"),
    ("yaml_value", "{file: conf.yaml, key: stages.5.name}", "fail", "is not set"),
])
def test_key_value_checks(tmp_path: Path, make_repo: Callable[..., Path], check: str,
                          params: str, status: str, fragment: str) -> None:
    root = make_repo({
        "pyproject.toml": "[project]\nname = 'mlx'\n[tool.mypy]\nstrict = true\n",
        "broken.toml": "a = \n",
        "conf.yaml": "stages:\n  - name: prep\n  - name: train\n",
    })
    rows = outcome(tmp_path, root, check, params)
    assert rows[0][0] == status and fragment in rows[0][3], rows


def test_broken_file_is_reported_with_its_line(tmp_path: Path,
                                               make_repo: Callable[..., Path]) -> None:
    root = make_repo({"broken.toml": "a = 1\nb = \n"})
    rows = outcome(tmp_path, root, "toml_value", "{file: broken.toml, key: a}")
    assert rows[0][:3] == ("fail", "broken.toml", 2)


def test_text_matches_present_and_absent(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"a.py": "x = 1\nprint(x)\n", "b.py": "print(2)\n", "bin.py": b"\0\0"})
    rows = outcome(tmp_path, root, "text_matches", "{globs: ['*.py'], pattern: 'print\\('}")
    assert rows[0][:3] == ("pass", "a.py", 2)
    rows = outcome(tmp_path, root, "text_matches",
                   "{globs: ['*.py'], pattern: 'PRINT\\(', present: false, ignore_case: true}")
    assert [r[:3] for r in rows] == [("fail", "a.py", 2), ("fail", "b.py", 1)]
    rows = outcome(tmp_path, root, "text_matches", "{globs: ['*.py'], pattern: 'zzz'}")
    assert rows[0][0] == "fail"
    rows = outcome(tmp_path, root, "text_matches",
                   "{globs: ['*.py'], pattern: 'zzz', present: false}")
    assert rows[0][0] == "pass"


def test_a_bad_regex_in_a_pack_is_a_catalog_error(tmp_path: Path,
                                                  make_repo: Callable[..., Path]) -> None:
    with pytest.raises(CatalogError, match=r"TEAM001: params\.pattern"):
        outcome(tmp_path, make_repo({}), "text_matches", "{globs: ['*'], pattern: '('}")


def test_markdown_headings(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    root = make_repo({"docs/runbook.md": "# Runbook\n\n## Diagnóstico\n\n```\n# Escalation\n```\n",
                      "docs/bin.md": b"\0"})
    params = ("{globs: ['docs/*.md'], "
              "headings: [[Diagnosis, Diagnóstico], [Escalation, Escalación]]}")
    rows = outcome(tmp_path, root, "markdown_headings", params)
    assert rows[0][:2] == ("fail", "docs/bin.md")
    assert rows[1][:2] == ("fail", "docs/runbook.md") and "Escalation" in rows[1][3]
    root = make_repo({"docs/runbook.md": "Diagnosis\n---------\n\n**Escalación:** call\n"})
    assert outcome(tmp_path, root, "markdown_headings", params)[0][0] == "pass"
    assert outcome(tmp_path, make_repo({}), "markdown_headings", params)[0][0] == "fail"


def test_manual(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    rows = outcome(tmp_path, make_repo({}), "manual", "{}")
    assert rows[0][0] == Status.MANUAL.value
