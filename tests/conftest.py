"""Shared test helpers: build small repositories in tmp_path and run rules on them."""

from __future__ import annotations

import atexit
import os
import shutil
import subprocess
import tempfile
from collections.abc import Callable, Iterable, Mapping
from pathlib import Path

import pytest

from mlops_lint.catalog import Catalog, load_catalog
from mlops_lint.config import Config
from mlops_lint.engine import run
from mlops_lint.maturity import Maturity, assess
from mlops_lint.model import Result
from mlops_lint.presence import Inventory
from mlops_lint.repo import Repo

FileTree = Mapping[str, "str | bytes"]

# No test reads or writes the user's results cache: the cache is off (the cache tests
# turn it on with a directory of their own), and would live in a throwaway directory.
os.environ["MLOPS_LINT_NO_CACHE"] = "1"
os.environ["MLOPS_LINT_CACHE_DIR"] = tempfile.mkdtemp(prefix="mlops-lint-test-cache-")
atexit.register(shutil.rmtree, os.environ["MLOPS_LINT_CACHE_DIR"], True)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    return load_catalog()


def write_tree(root: Path, files: FileTree) -> Path:
    """Write ``{relative path: text or bytes}`` under ``root``."""
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")
    return root


GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent-home",
}


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout


def init_git(root: Path, messages: Iterable[str] = ("chore: initial commit",),
             add_all: bool = True) -> Path:
    """``git init`` + one commit per message (the first commit adds every file)."""
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    first = True
    for message in messages:
        if first and add_all:
            git(root, "add", "-A")
        git(root, "commit", "-q", "--allow-empty", "-m", message)
        first = False
    return root


@pytest.fixture
def make_repo(tmp_path: Path) -> Callable[..., Path]:
    """``make_repo(files, commits=None)``: a repo in tmp_path, a git repo when commits given."""
    counter = {"n": 0}

    def build(files: FileTree, commits: Iterable[str] | None = None) -> Path:
        counter["n"] += 1
        root = tmp_path / f"repo{counter['n']}"
        root.mkdir()
        write_tree(root, files)
        if commits is not None:
            init_git(root, commits)
        return root

    return build


def check_repo(root: Path, catalog: Catalog, select: Iterable[str] = ("ALL",),
               config: Config | None = None) -> list[Result]:
    """Run the selected rules on ``root`` and return their results."""
    base = config or Config()
    cfg = base.model_copy(update={"select": tuple(select)})
    return list(run(Repo(root, cfg.exclude), catalog, cfg).results)


def maturity_of(root: Path, catalog: Catalog, results: Iterable[Result],
                config: Config | None = None) -> Maturity:
    """The maturity of ``results`` as a ``check`` run computes it: with the repository's
    files and each project's, which presence (level 1) and applicability are matched
    against."""
    repo = Repo(root, (config or Config()).exclude)
    inventory = Inventory(tuple(repo.files), {p.path: p.files for p in repo.projects},
                          repo.size, repo.plain_text)
    return assess(results, catalog, [p.path for p in repo.projects], inventory)


@pytest.fixture
def results_for(catalog: Catalog) -> Callable[..., list[Result]]:
    """``results_for(root, "DOCK005", config=None)``: results of one rule (or prefix)."""

    def go(root: Path, rule: str, config: Config | None = None) -> list[Result]:
        return check_repo(root, catalog, (rule,), config)

    return go


def statuses(results: Iterable[Result], level: int | None = None) -> list[str]:
    return [r.status.value for r in results if level is None or r.level == level]
