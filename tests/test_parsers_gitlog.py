"""Git history read in two subprocesses and memoized."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import git
from mlops_lint.parsers.gitlog import LOG_FORMAT, History, history, parse_log
from mlops_lint.repo import Repo


def test_parse_log_handles_odd_subjects() -> None:
    text = ("a" * 40 + "\x1f\x1f" + "chore: root\x1e\n"
            + "b" * 40 + "\x1f" + "a" * 40 + " " + "c" * 40 + "\x1f" + "Merge x\x1fy\x1e\n"
            + "broken record\x1e")
    commits = parse_log(text)
    assert [c.subject for c in commits] == ["chore: root", "Merge x\x1fy"]
    assert commits[0].parents == () and not commits[0].is_merge
    assert commits[1].is_merge and commits[1].short == "b" * 7
    assert LOG_FORMAT.startswith("--format=")


def test_history_of_a_repo(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"a.txt": "x"}, commits=["chore: one", "feat: two", "fix: three"])
    git(root, "tag", "v1.0.0")
    git(root, "tag", "nightly")
    repo = Repo(root)
    found = history(repo)
    assert isinstance(found, History)
    assert [c.subject for c in found.commits] == ["fix: three", "feat: two", "chore: one"]
    assert found.complete and not found.shallow
    assert found.tags == ("nightly", "v1.0.0") and found.semver_tags == ["v1.0.0"]
    assert found.non_merge(2) == list(found.commits[:2])
    assert history(repo) is found  # memoized: git runs once per run


def test_history_limit_and_reasons(make_repo: Callable[..., Path]) -> None:
    root = make_repo({"a.txt": "x"}, commits=["c1", "c2", "c3"])
    limited = history(Repo(root), limit=2)
    assert isinstance(limited, History) and len(limited.commits) == 2 and not limited.complete
    assert history(Repo(make_repo({"a.txt": "x"}))) == "not a git repository"
    empty = make_repo({"a.txt": "x"})
    git(empty, "init", "-q")
    assert history(Repo(empty)) == "no commits yet"
