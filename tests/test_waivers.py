"""Waivers and suppressions: inline ``mlops-lint: ignore[...]`` comments in Dockerfiles,
YAML, TOML, HCL and Python; ADR waivers ("radical justification") checked for
existence and structure, an invalid waiver being itself a finding."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from mlops_lint.config import Config
from mlops_lint.model import Status
from mlops_lint.report import renderer
from test_report_common import make_catalog, report_for, rule


def one(path: str, line: int | None, rule_id: str = "TSU001") -> dict[str, Any]:
    return rule(rule_id, 4, [{"path": path, "line": line, "en": "bad", "es": "mal"}])


def status_of(tmp_path: Path, files: dict[str, str], *rules: dict[str, Any],
              config: Config | None = None) -> dict[str, list[Status]]:
    catalog = make_catalog(tmp_path, list(rules))
    report = report_for(_repo(tmp_path, files), catalog, config)
    out: dict[str, list[Status]] = {}
    for result in report.results:
        out.setdefault(result.rule, []).append(result.status)
    return out


def _repo(tmp_path: Path, files: dict[str, str]) -> Path:
    from conftest import write_tree

    root = tmp_path / "repo"
    root.mkdir(exist_ok=True)
    return write_tree(root, files)


@pytest.mark.parametrize("path, text, line", [
    ("Dockerfile", "FROM x\n# mlops-lint: ignore[TSU001]\nUSER root\n", 3),
    ("k8s/deploy.yaml", "spec:\n  # mlops-lint: ignore[TSU001]\n  containers: []\n", 3),
    ("k8s/deploy.yml", "a: 1\nb: 2  # mlops-lint: ignore[TSU001, OTHER001]\n", 2),
    ("pyproject.toml", "[tool.coverage]\nfail_under = 50  # mlops-lint: ignore[TSU001]\n", 2),
    ("infra/main.tf", 'provider "aws" {\n  # mlops-lint: ignore[TSU001]\n  region = "x"\n}\n',
     3),
    ("infra/main.tf", 'terraform {\n  backend "local" {}  // mlops-lint: ignore[TSU001]\n}\n',
     2),
    ("infra/vars.tf", '/* mlops-lint: ignore[TSU001] */\nvariable "x" {}\n', 2),
    ("src/app/train.py", "def train(x):  # mlops-lint: ignore[TSU001]\n    return x\n", 1),
    ("src/app/train.py", "# mlops-lint: ignore\nimport pickle\n", 2),
    ("src/app/train.py", "x = 1  # mlops-lint: ignore[tsu001]\n", 1),
])
def test_inline_suppression_in_every_file_kind(tmp_path: Path, path: str, text: str,
                                               line: int) -> None:
    got = status_of(tmp_path, {path: text}, one(path, line))
    assert got["TSU001"] == [Status.WAIVED]


@pytest.mark.parametrize("text, line", [
    ("a\nb  # mlops-lint: ignore[OTHER001]\n", 2),       # another rule
    ("# mlops-lint: ignore[TSU001]\na\nb\n", 3),          # two lines above
    ("a  # mlops-lint: ignored, we fixed it\n", 1),       # not the directive
    ("a  # mlops-lint: ignore-this\n", 1),
    ("a  # mlops-lint: ignore[TSU001\n", 1),              # unclosed bracket
    ("a  # mlops-lint: ignore[]\n", 1),                   # names no rule
    ("a  # hadolint ignore=DL3002\n", 1),                 # other tools' directives
    ("a\nb\n# mlops-lint: ignore[TSU001]\n", 2),          # the line after
])
def test_what_does_not_suppress(tmp_path: Path, text: str, line: int) -> None:
    got = status_of(tmp_path, {"Dockerfile": text}, one("Dockerfile", line))
    assert got["TSU001"] == [Status.FAIL]


# --- Dockerfiles: comment lines only, above the instruction (as hadolint's) ----------


@pytest.mark.parametrize("text, line", [
    # stacked with hadolint's directive, either order
    ("FROM x\n# mlops-lint: ignore[TSU001]\n# hadolint ignore=DL3002\nUSER root\n", 4),
    ("FROM x\n# hadolint ignore=DL3002\n# mlops-lint: ignore[TSU001]\nUSER root\n", 4),
    # a finding on a continuation line: the directive goes above the instruction
    ("FROM x\n# mlops-lint: ignore[TSU001]\nRUN apt-get update \\\n    && apt-get install -y"
     " curl\n", 4),
    # a comment line inside the continuation is skipped, as Docker skips it
    ("FROM x\n# mlops-lint: ignore[TSU001]\nRUN a \\\n# note\n    && b\n", 5),
    # indented comment lines are comments too
    ("FROM x\n  # mlops-lint: ignore\nUSER root\n", 3),
    # not parsable (an unknown instruction): the continuation is followed back
    ("FROM x\nBOGUS y\n# mlops-lint: ignore[TSU001]\nRUN a \\\n    b\n", 5),
])
def test_dockerfile_directive_above_the_instruction(tmp_path: Path, text: str,
                                                    line: int) -> None:
    got = status_of(tmp_path, {"Dockerfile": text}, one("Dockerfile", line))
    assert got["TSU001"] == [Status.WAIVED]


@pytest.mark.parametrize("text, line", [
    # Docker has no trailing comments: this is part of the instruction
    ("FROM python:3.11-slim\nUSER root  # mlops-lint: ignore[TSU001]\n", 2),
    ("FROM x\nRUN a \\\n    && b  # mlops-lint: ignore\n", 2),
    # a trailing directive on the instruction above is not a comment line either
    ("FROM x\nUSER root  # mlops-lint: ignore[TSU001]\nCMD [\"a\"]\n", 3),
    # a blank line ends the comment block
    ("FROM x\n# mlops-lint: ignore[TSU001]\n\nUSER root\n", 4),
])
def test_dockerfile_directive_that_docker_does_not_read_as_a_comment(
        tmp_path: Path, text: str, line: int) -> None:
    got = status_of(tmp_path, {"Dockerfile": text}, one("Dockerfile", line))
    assert got["TSU001"] == [Status.FAIL]


@pytest.mark.parametrize("line", [0, 4, 99])
def test_dockerfile_line_outside_the_file_is_not_suppressed(tmp_path: Path, line: int) -> None:
    text = "# mlops-lint: ignore\nFROM x\n# mlops-lint: ignore\n"
    got = status_of(tmp_path, {"Dockerfile": text}, one("Dockerfile", line))
    assert got["TSU001"] == [Status.FAIL]


def test_trailing_directive_in_a_dockerfile_says_why_it_does_not_suppress(
        tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path, [one("Dockerfile", 2)])
    root = _repo(tmp_path, {"Dockerfile": "FROM x\nUSER root  # mlops-lint: ignore[TSU001]\n"})
    (result,) = report_for(root, catalog).results
    assert result.status is Status.FAIL
    assert "the 'mlops-lint: ignore' at the end of line 2 does not suppress it" in \
        result.message.en
    assert "put it on a comment line of its own above the instruction" in result.message.en
    assert "al final de la línea 2 no lo suprime" in result.message.es


def test_dockerfile_whole_file_finding_after_a_syntax_directive(tmp_path: Path) -> None:
    # the parser directive must stay first: the ignore goes in the comments after it
    text = "# syntax=docker/dockerfile:1\n# mlops-lint: ignore[TSU001]\n\nFROM x\n"
    assert status_of(tmp_path, {"Dockerfile": text}, one("Dockerfile", None)) == \
        {"TSU001": [Status.WAIVED]}
    late = "FROM x\n# mlops-lint: ignore[TSU001]\nRUN a\n"
    assert status_of(tmp_path, {"Dockerfile": late}, one("Dockerfile", None)) == \
        {"TSU001": [Status.FAIL]}


def test_real_dockerfile_rules_honour_the_line_before_form(
        make_repo: Any, results_for: Any) -> None:
    final = "FROM python:3.11-slim\nWORKDIR /app\nCOPY . .\nCMD [\"python\", \"app.py\"]\n"
    above = make_repo({"Dockerfile": "# hadolint ignore=DL3006\n"
                                     "# mlops-lint: ignore[DOCK005]\n" + final})
    assert [r.status for r in results_for(above, "DOCK005") if r.status.is_problem
            or r.status is Status.WAIVED] == [Status.WAIVED]
    trailing = make_repo({"Dockerfile": final.replace(
        "WORKDIR /app\n", "WORKDIR /app\nUSER root  # mlops-lint: ignore[DOCK005]\n")})
    rows = [r for r in results_for(trailing, "DOCK005") if r.status.is_problem]
    assert rows and all("does not suppress it" in r.message.en for r in rows)


def test_a_finding_about_a_whole_file_is_suppressed_on_its_first_line(tmp_path: Path) -> None:
    files = {"Dockerfile": "# mlops-lint: ignore[TSU001]\nFROM x\n", "other.py": "x\n"}
    got = status_of(tmp_path, files, one("Dockerfile", None),
                    one("other.py", None, "TSU002"))
    assert got == {"TSU001": [Status.WAIVED], "TSU002": [Status.FAIL]}


def test_suppression_is_per_file_and_leaves_passes_alone(tmp_path: Path) -> None:
    files = {"a.py": "x  # mlops-lint: ignore\n", "b.py": "x\n"}
    catalog_rules = [
        rule("TSP001", 1, [{"path": "a.py", "line": 1, "en": "bad", "es": "mal"},
                           {"path": "b.py", "line": 1, "en": "bad", "es": "mal"},
                           {"status": "pass", "path": "a.py", "line": 1, "en": "ok",
                            "es": "ok"}])]
    catalog = make_catalog(tmp_path, catalog_rules)
    report = report_for(_repo(tmp_path, files), catalog)
    got = sorted((r.path, r.status.value, r.waiver) for r in report.results)
    assert got == [("a.py", "pass", None), ("a.py", "waived", "inline"),
                   ("b.py", "fail", None)]
    waived = next(r for r in report.results if r.status is Status.WAIVED)
    assert waived.message.en == "suppressed inline: bad"
    assert waived.message.es == "suprimido en línea: mal"


ADR_ES = """# ADR-004: Sin DVC

## Estado
Aceptado

## Contexto
Los datos pesan 2 MB y cambian una vez al año.

## Decisión
No usamos DVC; el CSV vive en git.

## Consecuencias
Si los datos crecen por encima de 50 MB, revisamos esta decisión.
"""
ADR_EN_LABELS = """# Use plain git for data

**Context:** the dataset is 2 MB.
**Decision:** keep it in git.
**Consequences:** revisit above 50 MB.
"""
ADR_ALL_H1 = "# Context\nsmall data\n# Decision\nno DVC\n# Consequences\nnone\n"


@pytest.mark.parametrize("adr", [ADR_ES, ADR_EN_LABELS, ADR_ALL_H1])
def test_a_valid_adr_waives_the_rule(tmp_path: Path, adr: str) -> None:
    # requirements.txt and pre-commit: phase 2 is present (level 1) and has the two
    # artefacts its level 2 needs.
    files = {"docs/decisions/ADR-004.md": adr, "README.md": "x",
             "requirements.txt": "pandas==2.2.2\n", ".pre-commit-config.yaml": "repos: []\n"}
    config = Config(waivers={"TWA001": "./docs/decisions/ADR-004.md"})
    catalog = make_catalog(tmp_path, [
        rule("TWA001", 2, [{"en": "no DVC", "es": "sin DVC"}], scope="repo",
             levels=((2, True),)),
        rule("TWB001", 2, [{"status": "pass", "en": "ok", "es": "ok"}], scope="repo"),
        rule("TWD001", 2, [{"status": "pass", "en": "ok", "es": "ok"}], scope="repo",
             levels=((2, False),)),
        rule("TWC001", 2, [{"en": "no lock", "es": "sin lock"}], scope="repo",
             levels=((3, False),))],
        critical=("TWA001",))
    unwaived = report_for(_repo(tmp_path, files), catalog)
    assert unwaived.maturity.phases[1].level == 1 and not unwaived.gate.passed
    report = report_for(_repo(tmp_path, files), catalog, config)
    rows = [r for r in report.results if r.rule == "TWA001"]
    assert [r.status for r in rows] == [Status.WAIVED]
    assert rows[0].waiver == "docs/decisions/ADR-004.md"
    assert rows[0].message.en == "waived by docs/decisions/ADR-004.md (was: no DVC)"
    # The waived gate leaves the denominator: phase 2 reaches level 2 on TWB001/TWD001,
    # and a waived critical rule no longer fails the default gate.
    assert report.maturity.phases[1].level == 2 and report.gate.passed
    text = renderer("markdown")(report)
    assert "🛡️ waived (1)" in text and "waived by docs/decisions/ADR-004.md" in text


@pytest.mark.parametrize("files, fragment, anchored", [
    ({}, "waiver ADR docs/adr.md does not exist", False),
    ({"docs/adr.md": "# ADR\n\n## Context\nx\n"}, "lacks sections: decision, consequences",
     True),
    ({"docs/adr.md": "# Decision: use git, consequences: none, context: tiny\n\nText.\n"},
     "lacks sections: context, decision, consequences", True),
    ({"docs/adr.md": "## Contexto\nx\n## Consecuencias\ny\n"}, "lacks sections: decision",
     True),
])
def test_an_invalid_waiver_is_a_finding(tmp_path: Path, files: dict[str, str], fragment: str,
                                        anchored: bool) -> None:
    catalog = make_catalog(tmp_path, [
        rule("TWI001", 2, [{"en": "no DVC", "es": "sin DVC"}], scope="repo",
             levels=((1, True),))], critical=("TWI001",))
    config = Config(waivers={"TWI001": "docs/adr.md"})
    report = report_for(_repo(tmp_path, {"README.md": "x", **files}), catalog, config)
    rows = [r for r in report.results if r.rule == "TWI001"]
    assert [r.status for r in rows] == [Status.FAIL, Status.FAIL]  # the rule is not waived
    invalid = next(r for r in rows if "waiver" in r.message.en)
    assert fragment in invalid.message.en
    assert invalid.path == ("docs/adr.md" if anchored else None)
    assert invalid.line == (1 if anchored else None)
    assert "or remove the waiver of TWI001" in invalid.fix.en
    assert "el ADR de la excepción docs/adr.md" in invalid.message.es or \
        "al ADR de la excepción docs/adr.md" in invalid.message.es
    assert not report.gate.passed  # a critical rule that is not waived fails the gate
    sarif = renderer("sarif")(report)
    assert "docs/adr.md" in sarif or "README.md" in sarif


def test_an_unreadable_adr_is_an_invalid_waiver(tmp_path: Path) -> None:
    from conftest import write_tree

    root = write_tree(tmp_path / "repo", {"docs/adr.md": b"\x00\x01\x02binary\x00" * 50})
    catalog = make_catalog(tmp_path, [rule("TWU001", 2, [{"en": "x", "es": "x"}])])
    report = report_for(root, catalog, Config(waivers={"TWU001": "docs/adr.md"}))
    invalid = [r for r in report.results if "waiver" in r.message.en]
    assert len(invalid) == 1 and "cannot be read" in invalid[0].message.en
    assert "no se puede leer" in invalid[0].message.es


def test_ignore_list_is_shown_as_unjustified(tmp_path: Path) -> None:
    catalog = make_catalog(tmp_path, [rule("TIG001", 1, [{"en": "bad", "es": "mal"}]),
                                      rule("TIG002", 1, [{"status": "pass", "en": "ok",
                                                          "es": "ok"}])])
    report = report_for(_repo(tmp_path, {"x": ""}), catalog, Config(ignore=("TIG001",)))
    assert {r.rule for r in report.results} == {"TIG002"}
    for fmt, phrase in (("text", "Ignored without justification: TIG001"),
                        ("markdown", "Ignored without justification: TIG001"),
                        ("html", "Ignored without justification")):
        assert phrase in renderer(fmt)(report), fmt
