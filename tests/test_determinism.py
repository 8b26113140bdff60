"""Determinism: byte-identical JSON and SARIF across runs, hash seeds and file-system order.

The target mixes a fixture repository (real content: many rules pass or fail) with the
hostile corpus (minus the 50 MB file), so that error paths are covered too.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hostile import corpus
from mlops_lint.catalog import load_catalog
from mlops_lint.config import Config
from mlops_lint.repo import Repo
from mlops_lint.report import FORMATS, renderer
from mlops_lint.runner import build_report

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"
STRICT = tuple(f for f in ("json", "sarif") if f in FORMATS)
MESSAGES = ("feat: start", "fix: a bug", "docs: readme", "wip")


def files_of(root: Path) -> dict[str, bytes]:
    out: dict[str, bytes] = {}
    for path in sorted(root.rglob("*")):
        if path.is_file() and not path.is_symlink() and ".git" not in path.parts:
            out[path.relative_to(root).as_posix()] = path.read_bytes()
    return out


def template(tmp: Path) -> dict[str, bytes]:
    """The target's files: the mid-level fixture plus the hostile corpus."""
    source = tmp / "template"
    shutil.copytree(FIXTURES / "mid-level", source,
                    ignore=shutil.ignore_patterns("expected.json", "commits.txt"))
    corpus.build_hostile(source / "hostile", with_git=False, huge=False)
    return files_of(source)


def materialize(root: Path, files: dict[str, bytes], reverse: bool, git: bool) -> Path:
    """Write ``files`` (in reverse order when asked) and optionally commit them."""
    root.mkdir(parents=True)
    names = sorted(files, reverse=reverse)
    for name in names:
        target = root / name
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(files[name])
    if git:
        corpus.git(root, "init", "-q", "-b", "main")
        corpus.git(root, "config", "commit.gpgsign", "false")
        for i, message in enumerate(MESSAGES):
            if i == 0:
                corpus.git(root, "add", "-A")
            corpus.git(root, "commit", "-q", "--allow-empty", "-m", message)
    return root


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("determinism")
    return materialize(base / "a" / "repo", template(base), reverse=False, git=True)


def run_cli(root: Path, out_dir: Path, seed: str) -> dict[str, bytes]:
    """Every strict format written by one ``check`` under PYTHONHASHSEED=seed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    args: list[str] = []
    for fmt in STRICT:
        args += ["--format", fmt, "--output", str(out_dir / fmt)]
    env = {**os.environ, "PYTHONHASHSEED": seed}
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "check", root.name, *args],
                          cwd=root.parent, env=env, capture_output=True, text=True,
                          timeout=120)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    return {fmt: (out_dir / fmt).read_bytes() for fmt in STRICT}


def test_identical_across_runs_and_hash_seeds(target: Path, tmp_path: Path) -> None:
    outputs = [run_cli(target, tmp_path / f"run{i}", seed)
               for i, seed in enumerate(("0", "4242", "random"))]
    assert outputs[0]["json"].count(b'"rule"') > 50, "too few results to prove anything"
    for fmt in STRICT:
        assert outputs[0][fmt] == outputs[1][fmt] == outputs[2][fmt], f"{fmt} differs"


@pytest.mark.parametrize("git", [False, True], ids=["walk", "git"])
def test_independent_of_file_creation_order(tmp_path: Path, git: bool) -> None:
    files = template(tmp_path)
    forward = materialize(tmp_path / "f" / "repo", files, reverse=False, git=git)
    backward = materialize(tmp_path / "b" / "repo", files, reverse=True, git=git)
    one, other = render_all(forward), render_all(backward)
    for fmt in STRICT:
        assert one[fmt] == other[fmt], f"{fmt} depends on file creation order"


class Reversed:
    """``os.scandir`` result served in reverse order (a context manager, like the real)."""

    def __init__(self, entries: list[Any]) -> None:
        self.entries: Iterator[Any] = iter(entries)

    def __iter__(self) -> Iterator[Any]:
        return self

    def __next__(self) -> Any:
        return next(self.entries)

    def __enter__(self) -> Reversed:
        return self

    def __exit__(self, *exc: object) -> None:
        return None

    def close(self) -> None:
        return None


def render_all(root: Path) -> dict[str, str]:
    config = Config().model_copy(update={"select": ("ALL",)})
    report = build_report(root, "repo", config, load_catalog())
    return {fmt: renderer(fmt)(report) for fmt in FORMATS}


@pytest.mark.parametrize("git", [False, True], ids=["walk", "git"])
def test_independent_of_listing_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                      git: bool) -> None:
    """Directory listings and ``git ls-files`` output served backwards change nothing."""
    root = materialize(tmp_path / "repo", template(tmp_path), reverse=False, git=git)
    normal = render_all(root)
    real_scandir, real_listdir, real_git = os.scandir, os.listdir, Repo.git

    def scandir(path: Any = ".") -> Reversed:
        with real_scandir(path) as it:
            return Reversed(list(it)[::-1])

    def listdir(path: Any = ".") -> list[Any]:
        return real_listdir(path)[::-1]

    def git_reversed(self: Repo, *args: str, **kwargs: Any) -> str | None:
        out = real_git(self, *args, **kwargs)
        if out is not None and args[:1] == ("ls-files",):
            return "\0".join(out.rstrip("\0").split("\0")[::-1]) + "\0"
        return out

    monkeypatch.setattr(os, "scandir", scandir)
    monkeypatch.setattr(os, "listdir", listdir)
    monkeypatch.setattr(Repo, "git", git_reversed)
    backwards = render_all(root)
    for fmt in STRICT:
        assert normal[fmt] == backwards[fmt], f"{fmt} depends on listing order"


def test_listing_order_patch_really_reverses(tmp_path: Path,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Guard for the test above: the patched listings are in fact reversed."""
    for name in ("a", "b", "c"):
        (tmp_path / name).write_text(name, encoding="utf-8")
    real_scandir = os.scandir
    monkeypatch.setattr(os, "scandir",
                        lambda p=".": Reversed(sorted(real_scandir(p), key=lambda e: e.name,
                                                      reverse=True)))
    names = [e.name for e in os.scandir(tmp_path)]
    assert names == ["c", "b", "a"]
    assert next(os.walk(tmp_path))[2] == ["c", "b", "a"]
