from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from mlops_lint.catalog import Catalog, load_catalog
from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.engine import run
from mlops_lint.model import Finding, Status, T, failed, passed
from mlops_lint.repo import Repo
from mlops_lint.rules import Params, check
from mlops_lint.waivers import validate_adr
from test_core_catalog import RULE, rules_dir


@check("test_engine_crash")
def _crash(ctx: Context, params: None) -> Iterator[Finding]:
    raise RuntimeError("boom")
    yield  # pragma: no cover


@check("test_engine_nothing")
def _nothing(ctx: Context, params: None) -> Iterator[Finding]:
    return iter(())


class LineParams(Params):
    path: str
    line: int


@check("test_engine_line", LineParams)
def _line(ctx: Context, params: LineParams) -> Iterator[Finding]:
    yield failed(T("bad line", "línea mala"), ctx.path(params.path), params.line)


@check("test_engine_graded")
def _graded(ctx: Context, params: None) -> Iterator[Finding]:
    yield passed(T("level one ok", "nivel uno bien"), level=1)
    yield failed(T("level two bad", "nivel dos mal"), level=2)
    yield passed(T("every level", "todos"))


GRADED = """
phase: 2
rules:
  - id: TGR001
    title: {en: "G", es: "G"}
    fix: {en: "F", es: "F"}
    rationale: {en: "R", es: "R"}
    check: test_engine_graded
    levels:
      - {level: 1, text: {en: "a", es: "a"}}
      - {level: 2, gate: true, text: {en: "b", es: "b"}}
"""


def catalog_with(tmp_path: Path, *rules: tuple[str, str, str]) -> Catalog:
    text = "".join(RULE.format(id=i, check=c, params=p).split("rules:")[1] for i, c, p in rules)
    return load_catalog(rules_dir=rules_dir(tmp_path, a="phase: 1\nrules:" + text, b=GRADED))


def run_on(root: Path, catalog: Catalog, config: Config | None = None) -> dict[str, list]:
    out: dict[str, list] = {}
    for result in run(Repo(root), catalog, config or Config()).results:
        out.setdefault(result.rule, []).append(result)
    return out


def test_a_crashing_check_is_an_error_and_the_run_goes_on(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TCR001", "test_engine_crash", "{}"),
                           ("TNO001", "test_engine_nothing", "{}"),
                           ("TOK001", "file_exists", "{globs: [README.md]}"))
    results = run_on(make_repo({"README.md": "hi"}), catalog)
    assert [r.status for r in results["TCR001"]] == [Status.ERROR]
    assert "RuntimeError: boom" in results["TCR001"][0].message.en
    assert [r.status for r in results["TNO001"]] == [Status.ERROR]
    assert [r.status for r in results["TOK001"]] == [Status.PASS]


def test_graded_findings_expand_to_levels(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TOK001", "file_exists", "{globs: [README.md]}"))
    rows = run_on(make_repo({"x": ""}), catalog)["TGR001"]
    assert sorted((r.level, r.status.value, r.gate) for r in rows) == [
        (1, "pass", False), (1, "pass", False), (2, "fail", True), (2, "pass", True)]


def test_inline_suppression_on_the_line_or_the_line_before(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(
        tmp_path,
        ("TLA001", "test_engine_line", "{path: build.sh, line: 2}"),
        ("TLB001", "test_engine_line", "{path: build.sh, line: 4}"),
        ("TLC001", "test_engine_line", "{path: build.sh, line: 6}"),
        ("TLD001", "test_engine_line", "{path: build.sh, line: 7}"))
    # (Dockerfiles have comment lines only: tests/test_waivers.py)
    root = make_repo({"build.sh": "\n".join([
        "FROM python:3.11-slim",
        "USER root  # mlops-lint: ignore[TLA001]",
        "# mlops-lint: ignore[tlb001, OTHER]",
        "RUN x",
        "# mlops-lint: ignore[OTHER]",
        "RUN y",
        "RUN z  # mlops-lint: ignore",
    ])})
    rows = run_on(root, catalog)
    assert rows["TLA001"][0].status is Status.WAIVED and rows["TLA001"][0].waiver == "inline"
    assert rows["TLB001"][0].status is Status.WAIVED
    assert rows["TLC001"][0].status is Status.FAIL
    assert rows["TLD001"][0].status is Status.WAIVED


ADR = """# ADR-004: No DVC

## Estado
Aceptado

## Contexto
Los datos pesan 2 MB.

## Decisión
No usamos DVC.

## Consecuencias
Nada que versionar aparte.
"""


def test_valid_adr_waiver_waives_every_result(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TWV001", "file_exists", "{globs: [dvc.yaml]}"))
    root = make_repo({"docs/decisions/ADR-004.md": ADR})
    config = Config(waivers={"TWV001": "docs/decisions/ADR-004.md"})
    rows = run_on(root, catalog, config)["TWV001"]
    assert [r.status for r in rows] == [Status.WAIVED]
    assert rows[0].waiver == "docs/decisions/ADR-004.md"
    assert "waived by docs/decisions/ADR-004.md" in rows[0].message.en


@pytest.mark.parametrize("files, fragment", [
    ({}, "does not exist"),
    ({"docs/adr.md": "# ADR\n\n## Context\nx\n"}, "lacks sections: decision, consequences"),
])
def test_invalid_waiver_is_itself_a_finding(
        tmp_path: Path, make_repo: Callable[..., Path], files: dict, fragment: str) -> None:
    catalog = catalog_with(tmp_path, ("TWV001", "file_exists", "{globs: [dvc.yaml]}"))
    root = make_repo({"README.md": "x", **files})
    rows = run_on(root, catalog, Config(waivers={"TWV001": "docs/adr.md"}))["TWV001"]
    assert [r.status for r in rows] == [Status.FAIL, Status.FAIL]
    assert fragment in rows[1].message.en


def test_validate_adr_accepts_english_headings_with_content(
        make_repo: Callable[..., Path]) -> None:
    root = make_repo({"adr.md": "# x\n## Context\nc\n## Decision\nd\n## Consequences\ne\n",
                      "empty.md": "# x\n## Context\nc\n## Decision\n## Consequences\n"})
    assert validate_adr(Repo(root), "adr.md") is None
    problem = validate_adr(Repo(root), "empty.md")
    assert problem is not None and "empty sections: decision, consequences" in problem.en


def test_validate_adr_reads_the_sections_des001_reads(make_repo: Callable[..., Path]) -> None:
    """One definition of an ADR's sections: a waiver written as an RFC-style record
    (Motivation, Proposal, Drawbacks) is as valid as one DES001 counts."""
    root = make_repo({
        "rfc.md": "# x\n## Motivation\nm\n## Proposal\np\n## Drawbacks\nd\n",
        "half.md": "# x\n## Motivation\nm\n## Alternatives\na\n"})
    assert validate_adr(Repo(root), "rfc.md") is None
    problem = validate_adr(Repo(root), "half.md")
    assert problem is not None and "lacks sections: decision, consequences" in problem.en


def test_select_ignore_and_ignored_list(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TOK001", "file_exists", "{globs: [README.md]}"))
    outcome = run(Repo(make_repo({"README.md": ""})), catalog, Config(ignore=("TGR",)))
    assert {r.rule for r in outcome.results} == {"TOK001"}
    assert outcome.ignored == ("TGR001",)


def test_applies_if_skips_as_not_applicable(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    text = RULE.format(id="TAP001", check="file_exists", params="{globs: [x.tf]}") + \
        "    applies_if: ['**/*.tf']\n"
    catalog = load_catalog(rules_dir=rules_dir(tmp_path, a=text))
    rows = run_on(make_repo({"README.md": ""}), catalog)["TAP001"]
    assert [r.status for r in rows] == [Status.SKIP]
    assert "not applicable" in rows[0].message.en


def test_results_are_sorted_and_fingerprinted(tmp_path: Path,
                                              make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TLB001", "test_engine_line", "{path: a, line: 9}"),
                           ("TLA001", "test_engine_line", "{path: b, line: 1}"))
    results = run(Repo(make_repo({"a": "", "b": ""})), catalog, Config()).results
    assert [r.sort_key() for r in results] == sorted(r.sort_key() for r in results)
    again = run(Repo(make_repo({"a": "", "b": ""})), catalog, Config()).results
    assert [r.fingerprint for r in results] == [r.fingerprint for r in again]
    assert len({r.fingerprint for r in results}) == len(results)


def test_rules_left_out_by_select_are_not_reported_as_ignored(
        tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    catalog = catalog_with(tmp_path, ("TOK001", "file_exists", "{globs: [README.md]}"))
    outcome = run(Repo(make_repo({"README.md": ""})), catalog, Config(select=("TOK",)))
    assert outcome.ignored == ()
