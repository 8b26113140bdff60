"""Rules evaluated in forked workers (``check --jobs N``): the same report whatever the
number of workers, a dead worker's rules evaluated in-process, no stray process."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from mlops_lint import pool
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config
from mlops_lint.report import renderer
from mlops_lint.runner import build_report
from test_fixtures import CASES, materialize

linux = pytest.mark.skipif(not pool.forkable(), reason="workers are only forked on Linux")


def no_children_left() -> bool:
    try:
        os.waitpid(-1, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


@pytest.fixture
def started(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Worker pools of any size; records how many workers each run started."""
    monkeypatch.setenv(pool.MIN_FILES_ENV, "0")
    counts: list[int] = []
    original = pool.evaluate

    def spy(*args: Any, **kwargs: Any) -> pool.Outcome:
        outcome = original(*args, **kwargs)
        counts.append(outcome.workers)
        return outcome

    monkeypatch.setattr(pool, "evaluate", spy)
    return counts


@linux
@pytest.mark.parametrize("name", CASES)
def test_fixture_reports_identical_with_1_2_4_workers(name: str, tmp_path: Path,
                                                      catalog: Catalog,
                                                      started: list[int]) -> None:
    root = materialize(name, tmp_path)
    reports = {}
    for jobs in (1, 2, 4):
        report = build_report(root, name, Config(), catalog, jobs=jobs)
        reports[jobs] = {fmt: renderer(fmt)(report) for fmt in ("json", "sarif", "text")}
    assert started == [2, 4], "the pool did not run"
    assert reports[2] == reports[1]
    assert reports[4] == reports[1]
    assert no_children_left()


@linux
def test_a_dead_workers_chunks_are_left_to_the_caller() -> None:
    def work(item: int) -> int:
        if item == 2:
            os._exit(3)  # a crash in the worker (a segfault in a parser, the OOM killer)
        return item * 10

    outcome = pool.evaluate([[0, 1], [2, 3], [4]], work, 2)
    assert outcome.workers == 2
    assert outcome.results.get(0) == 0 and outcome.results.get(1) == 10
    assert 2 not in outcome.results and 3 not in outcome.results
    assert no_children_left()


@linux
def test_every_chunk_delivered_once_in_order_of_handing_out() -> None:
    seen: list[list[int]] = []
    outcome = pool.evaluate([[i, i + 100] for i in range(7)], lambda i: -i, 3,
                            state=lambda: os.getpid(), delivered=lambda c: seen.append(list(c)))
    assert outcome.results == {i: -i for c in range(7) for i in (c, c + 100)}
    assert sorted(map(tuple, seen)) == [(i, i + 100) for i in range(7)]
    assert len(outcome.states) == 7 and os.getpid() not in outcome.states
    assert no_children_left()


@linux
def test_rules_a_worker_did_not_deliver_run_in_process(tmp_path: Path, catalog: Catalog,
                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    root = materialize(CASES[0], tmp_path)
    expected = renderer("json")(build_report(root, "x", Config(), catalog, jobs=1))
    monkeypatch.setenv(pool.MIN_FILES_ENV, "0")
    monkeypatch.setattr(pool, "_receive", lambda stream: None)  # every worker "dies"
    assert renderer("json")(build_report(root, "x", Config(), catalog, jobs=2)) == expected
    assert no_children_left()


def test_workers_only_where_they_pay(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(pool.MIN_FILES_ENV, raising=False)
    monkeypatch.setattr(pool, "forkable", lambda: True)
    assert pool.workers_for(1, 10_000) == 0
    assert pool.workers_for(2, pool.MIN_FILES - 1) == 0
    assert pool.workers_for(3, pool.MIN_FILES) == 3
    assert pool.workers_for(None, 10_000) == 0  # in-process unless asked
    monkeypatch.setattr(pool, "available_cpus", lambda: 16)
    assert pool.workers_for(pool.AUTO, pool.MIN_FILES) == pool.MAX_JOBS
    monkeypatch.setattr(pool, "available_cpus", lambda: 1)
    assert pool.workers_for(pool.AUTO, 10_000) == 0
    monkeypatch.setattr(pool, "forkable", lambda: False)  # macOS, Windows, threads
    assert pool.workers_for(4, 10_000) == 0


def test_forkable_only_without_threads_on_linux(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(sys, "platform", "win32")
    assert not pool.forkable()
    monkeypatch.setattr(sys, "platform", "darwin")
    assert not pool.forkable()


@pytest.mark.parametrize(("value", "expected"), [
    (None, 1), ("auto", pool.AUTO), ("0", pool.AUTO), ("", 1), ("1", 1), (" 4 ", 4), (2, 2)])
def test_parse_jobs(value: str | int | None, expected: int) -> None:
    assert pool.parse_jobs(value) == expected


@pytest.mark.parametrize("value", ["-1", "two", "1.5"])
def test_parse_jobs_refuses(value: str) -> None:
    with pytest.raises(ValueError, match="jobs"):
        pool.parse_jobs(value)


@pytest.mark.parametrize(("args", "env"), [(["--jobs", "x"], {}),
                                           ([], {pool.ENV: "many"})])
def test_cli_refuses_a_bad_jobs_value(tmp_path: Path, args: list[str],
                                      env: dict[str, str]) -> None:
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "check", str(tmp_path), *args],
                          capture_output=True, text=True, timeout=60,
                          env={**os.environ, **env, "MLOPS_LINT_NO_CACHE": "1"})
    assert done.returncode == 2, done.stderr
    assert "jobs" in done.stderr.lower()
