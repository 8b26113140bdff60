"""Conventional Commits subjects and messages (shared by GIT002 and the commit-msg hook)."""

from __future__ import annotations

import pytest

from mlops_lint.parsers.conventional import (
    EXAMPLE,
    TYPES,
    Verdict,
    check_message,
    check_subject,
    excluded,
)


@pytest.mark.parametrize("subject", [
    "feat: add endpoint", "fix(api): handle 422", "refactor(core/io)!: drop py3.9",
    "revert: feat: x", 'Revert "feat: add endpoint"', "chore(deps-dev): bump x", EXAMPLE,
    "build(ci.yml): cache pip",
])
def test_accepted(subject: str) -> None:
    assert check_subject(subject).ok


@pytest.mark.parametrize(("subject", "reason"), [
    ("wip", "says nothing"),
    ("final_final", "says nothing"),
    ("asdf", "says nothing"),
    ("Add endpoint", "no 'type: description' prefix"),
    ("Feat: add", "lower case"),
    ("feature: add", "unknown type"),
    ("feat:add", "exactly one space"),
    ("feat(): x", "empty scope"),
    ("feat:  x", "exactly one space"),
    ("", "empty"),
])
def test_rejected_with_reason(subject: str, reason: str) -> None:
    verdict = check_subject(subject)
    assert not verdict.ok and verdict.problem is not None and reason in verdict.problem.en
    assert verdict.problem.es


def test_parts_of_a_good_subject() -> None:
    verdict = check_subject("feat(api)!: break things\r\n")
    assert verdict == Verdict(True, None, "feat", "api", True)
    assert len(TYPES) == 11


def test_excluded_subjects() -> None:
    assert excluded("fixup! feat: x") and excluded("squash! y") and excluded("amend! z")
    assert excluded("Merge pull request #3 from a/feature/x")
    assert excluded("Merge branch 'main' into dev")
    assert not excluded("feat: merge two datasets")


def test_messages() -> None:
    assert check_message("# comment\n\nfeat: x\n\nbody\n").ok
    crowded = check_message("feat: x\nbody right away")
    assert not crowded.ok and crowded.problem is not None
    assert "blank line" in crowded.problem.en and crowded.type == "feat"
    assert not check_message("# only comments\n").ok
    assert not check_message("nope\n").ok
