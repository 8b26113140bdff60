"""Benchmark of the git-history rules: ``python benchmarks/history_bench.py``.

Writes a repository with 5,000 commits (one ``git fast-import`` stream: a mix of
Conventional and free-form subjects, a pull-request merge every 25 commits, a release
tag every 500, 300 tracked files including a notebook and a few data files) into a
temporary directory, then times GIT002 + GIT005 + GIT006 together: a fresh ``Repo``
(inventory with one ``git ls-files``) and the engine running the three rules, which read
the history with one ``git log`` and one ``git for-each-ref`` and the file sizes with
``os.lstat``. Prints every run and the median; the target is under 0.3 s.

Options: ``--commits N`` (default 5000), ``--runs N`` (default 7), ``--keep DIR`` to
write the repository there and keep it.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from mlops_lint.catalog import load_catalog
from mlops_lint.config import Config
from mlops_lint.engine import run
from mlops_lint.repo import Repo

RULES = ("GIT002", "GIT005", "GIT006")
FILES = 300
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent-home", "LC_ALL": "C"}
SUBJECTS = ("feat(api): add batch endpoint {n}", "fix(train): seed the split {n}",
            "docs: model card metrics {n}", "ci: cache pip {n}", "refactor: pipeline {n}",
            "test: api contract {n}", "chore(deps): bump scikit-learn {n}", "wip",
            "update stuff {n}", "perf: vectorise scoring {n}")
TARGET_S = 0.3


def _blob(text: str) -> bytes:
    data = text.encode()
    return b"data %d\n%s\n" % (len(data), data)


def _path(i: int) -> str:
    if i == 0:
        return "notebooks/eda.ipynb"
    if i < 4:
        return f"tests/fixtures/sample{i}.csv"
    return f"src/pkg/module_{i:03d}.py"


def _content(i: int, n: int) -> str:
    if i == 0:
        return json.dumps({"cells": [{"cell_type": "code", "outputs": [], "source": str(n)}],
                           "nbformat": 4})
    if i < 4:
        return f"a,b\n{n},{i}\n"
    return f'"""Module {i}."""\n\nVALUE = {n}\n'


def fast_import_stream(commits: int) -> Iterator[bytes]:
    """A fast-import stream of exactly ``commits`` commits: an initial commit with every
    file, then one file per commit, with a side commit merged back every 25 commits."""
    when = 1_700_000_000
    mark = 0
    author = b"committer Bench <bench@example.com> %d +0000\n"
    main_head = 0
    on_main = next(m for m in range(commits + 1) if m + max(m - 1, 0) // 25 >= commits)
    for n in range(on_main):
        mark += 1
        merge = n > 0 and n % 25 == 0
        if merge:  # a side commit, merged by this one
            side = mark
            yield b"commit refs/heads/side\nmark :%d\n" % side
            yield author % (when + n)
            yield _blob(f"feat(data): side change {n}")
            yield b"from :%d\n" % main_head
            yield b"M 100644 inline %s\n" % _path(4 + n % (FILES - 4)).encode()
            yield _blob(_content(4, n))
            mark += 1
        yield b"commit refs/heads/main\nmark :%d\n" % mark
        yield author % (when + n)
        subject = (f"Merge pull request #{n // 25} from team/feature/f{n}" if merge
                   else SUBJECTS[n % len(SUBJECTS)].format(n=n))
        yield _blob(subject)
        if main_head:
            yield b"from :%d\n" % main_head
        if merge:
            yield b"merge :%d\n" % side
        if n == 0:
            for i in range(FILES):
                yield b"M 100644 inline %s\n" % _path(i).encode()
                yield _blob(_content(i, 0))
            yield b"M 100644 inline CHANGELOG.md\n" + _blob("# Changelog\n")
        else:
            i = 4 + n % (FILES - 4)
            yield b"M 100644 inline %s\n" % _path(i).encode()
            yield _blob(_content(i, n))
        main_head = mark
        if n and n % 500 == 0:
            yield b"tag v0.%d.0\nfrom :%d\n" % (n // 500, mark)
            yield b"tagger Bench <bench@example.com> %d +0000\n" % (when + n)
            yield _blob(f"release {n}")
    yield b"done\n"


def build(root: Path, commits: int) -> None:
    env = {**os.environ, **GIT_ENV}
    subprocess.run(["git", "init", "-q", "-b", "main", str(root)], check=True, env=env)
    stream = b"".join(fast_import_stream(commits))
    subprocess.run(["git", "-C", str(root), "fast-import", "--quiet", "--done"], input=stream,
                   check=True, env=env)
    subprocess.run(["git", "-C", str(root), "checkout", "-q", "-f", "main"], check=True, env=env)


def measure(root: Path, runs: int) -> list[float]:
    catalog = load_catalog()
    config = Config().model_copy(update={"select": RULES})
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        results = run(Repo(root), catalog, config).results
        times.append(time.perf_counter() - start)
    summary = sorted({(r.rule, r.level, r.status.value) for r in results})
    print("results:", ", ".join(f"{rule}@{level}={status}" for rule, level, status in summary))
    return times


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--commits", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--keep", type=Path, default=None)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="mlops-lint-history-") as scratch:
        root = args.keep or Path(scratch) / "repo"
        start = time.perf_counter()
        build(root, args.commits)
        count = subprocess.run(["git", "-C", str(root), "rev-list", "--count", "HEAD"],
                               capture_output=True, text=True, check=True).stdout.strip()
        print(f"generated {count} commits, {FILES + 1} files in "
              f"{time.perf_counter() - start:.2f} s")
        measure(root, 1)  # warm-up: imports, catalog, OS caches
        times = measure(root, args.runs)
    median = statistics.median(times)
    print("runs (s):", " ".join(f"{t:.3f}" for t in times))
    verdict = "OK" if median < TARGET_S else "SLOW"
    print(f"median {median:.3f} s for {' + '.join(RULES)} (target < {TARGET_S} s): {verdict}")
    return 0 if median < TARGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
