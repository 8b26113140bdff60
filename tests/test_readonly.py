"""Read-only and no execution: ``check`` never changes, imports or runs the target.

* the whole target tree (contents, modes, symlink targets, ``.git`` included) hashes the
  same before and after ``check`` in every report format;
* the only subprocess is ``git -C <root> -c core.fsmonitor=false <read-only command>``;
* no target code runs: every trap below writes a marker file if it is imported or run
  (``conftest.py``, ``setup.py``, modules shadowing what the tool imports, git hooks,
  ``core.fsmonitor``, clean filters, textconv drivers).
"""

from __future__ import annotations

import hashlib
import os
import shutil
import stat
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from hostile import corpus
from mlops_lint import __version__
from mlops_lint.catalog import load_catalog
from mlops_lint.config import Config
from mlops_lint.report import FORMATS, renderer
from mlops_lint.runner import build_report

READ_ONLY_GIT = frozenset({
    "rev-parse", "ls-files", "log", "for-each-ref", "cat-file", "ls-tree", "rev-list",
    "show", "diff", "blame", "describe", "shortlog", "count-objects", "check-ignore",
    "grep", "name-rev", "merge-base", "show-ref", "var", "config", "remote",
})
CONFIG_READS = ("--get", "--get-all", "--get-regexp", "--list", "-l")
SHADOWED = ("json", "click", "yaml", "ruamel", "pydantic", "pathspec", "hcl2", "tomllib",
            "tomli", "dockerfile_parse", "radon", "sitecustomize", "usercustomize",
            "conftest", "setup", "noxfile", "mlops_lint_plugin", "typing_extensions")


def trap(marker_dir: Path, name: str) -> str:
    """Python source that leaves ``marker_dir/name`` behind when it runs."""
    return (f"import pathlib\npathlib.Path({str(marker_dir)!r}, {name!r}).write_text('ran')\n")


def shell_trap(marker_dir: Path, name: str) -> str:
    return f"#!/bin/sh\ntouch '{marker_dir}/{name}'\ncat\n"


def build_target(root: Path, markers: Path) -> Path:
    """A git repository full of traps, plus some hostile files (no 50 MB one)."""
    markers.mkdir(parents=True, exist_ok=True)
    corpus.build_hostile(root, huge=False)
    files: dict[str, str | bytes] = {f"{name}.py": trap(markers, name) for name in SHADOWED}
    files.update({
        "src/hostile/__main__.py": trap(markers, "pkg-main"),
        "src/hostile/train.py": trap(markers, "train"),
        "tests/conftest.py": trap(markers, "tests-conftest"),
        "docs/conf.py": trap(markers, "sphinx-conf"),
        "mlops_lint_plugins.pth": f"import pathlib; pathlib.Path({str(markers)!r}, 'pth')"
                                  ".write_text('ran')\n",
        "Makefile.sh": shell_trap(markers, "makefile"),
        ".gitattributes": "*.py filter=trap diff=trap\n*.yaml filter=trap diff=trap\n",
    })
    corpus.write(root, files)
    hooks = root / ".git" / "hooks"
    for hook in ("pre-commit", "post-checkout", "post-index-change", "pre-auto-gc",
                 "reference-transaction", "post-rewrite", "fsmonitor-watchman"):
        (hooks / hook).write_text(shell_trap(markers, f"hook-{hook}"), encoding="utf-8")
        (hooks / hook).chmod(0o755)
    script = markers.parent / "trap.sh"
    script.write_text(shell_trap(markers, "git-config-command"), encoding="utf-8")
    script.chmod(0o755)
    corpus.git(root, "add", "-A")
    corpus.git(root, "commit", "-q", "-m", "feat: traps")
    for key, value in (("core.fsmonitor", str(script)), ("filter.trap.clean", str(script)),
                       ("filter.trap.smudge", str(script)), ("diff.trap.textconv", str(script)),
                       ("core.pager", str(script)), ("gpg.program", str(script)),
                       ("core.hooksPath", str(hooks))):
        corpus.git(root, "config", key, value)
    # touch tracked files so git would re-hash them (and run clean filters) if it looked
    for path in (root / "src" / "hostile").glob("*.py"):
        if not path.is_symlink():
            os.utime(path, (1, 1))
    for path in list(markers.iterdir()):
        path.unlink()  # traps fired by building the fixture itself do not count
    return root


def tree_hash(root: Path) -> dict[str, tuple[int, str]]:
    """Mode and content digest of every entry under ``root`` (symlinks not followed)."""
    entries: dict[str, tuple[int, str]] = {}
    for dirpath, dirnames, filenames in os.walk(root, followlinks=False):
        dirnames.sort()
        for name in [*dirnames, *filenames]:
            full = os.path.join(dirpath, name)
            rel = os.path.relpath(full, root)
            info = os.lstat(full)
            if stat.S_ISLNK(info.st_mode):
                digest = "link:" + os.readlink(full)
            elif stat.S_ISREG(info.st_mode):
                with open(full, "rb") as handle:
                    digest = hashlib.sha256(handle.read()).hexdigest()
            else:
                digest = "dir" if stat.S_ISDIR(info.st_mode) else "special"
            entries[rel] = (info.st_mode, digest)
    return entries


@pytest.fixture(scope="module")
def target(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    base = tmp_path_factory.mktemp("readonly")
    markers = base / "markers"
    return build_target(base / "target", markers), markers


def cli(root: Path, *args: str, cwd: Path,
        console: bool = False) -> subprocess.CompletedProcess[str]:
    command = ([str(Path(sys.executable).with_name("mlops-lint"))] if console
               else [sys.executable, "-m", "mlops_lint"])
    env = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    return subprocess.run([*command, "check", str(root), *args], capture_output=True,
                          text=True, timeout=120, cwd=cwd, env=env)


@pytest.mark.parametrize("fmt", sorted(FORMATS))
def test_check_leaves_the_tree_untouched_in_every_format(target: tuple[Path, Path],
                                                         fmt: str, tmp_path: Path) -> None:
    root, markers = target
    before = tree_hash(root)
    done = cli(root, "--format", fmt, cwd=root.parent)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert done.stdout
    out = tmp_path / f"report.{fmt}"
    done = cli(root, "--format", fmt, "--output", str(out), "--write-baseline",
               str(tmp_path / "baseline.json"), cwd=tmp_path)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert out.stat().st_size > 0
    after = tree_hash(root)
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert not changed, f"check --format {fmt} changed the target: {changed[:20]}"
    assert not list(markers.iterdir()), f"target code ran: {sorted(os.listdir(markers))}"


def test_console_script_run_from_inside_the_target(target: tuple[Path, Path]) -> None:
    """The usual CI call, ``cd repo && mlops-lint check .``: nothing of the repo runs."""
    root, markers = target
    script = Path(sys.executable).with_name("mlops-lint")
    if not script.exists():
        pytest.skip("mlops-lint console script not installed beside this interpreter")
    before = tree_hash(root)
    done = cli(Path("."), "--format", "json", cwd=root, console=True)
    assert done.returncode in (0, 1), done.stderr[-2000:]
    assert tree_hash(root) == before
    assert not list(markers.iterdir()), f"target code ran: {sorted(os.listdir(markers))}"


def test_python_dash_m_from_inside_the_target(target: tuple[Path, Path]) -> None:
    """``python -m`` puts the current directory first on sys.path: the entry point drops
    it, so a target's json.py or click.py cannot shadow the tool's imports."""
    root, markers = target
    try:
        done = cli(Path("."), "--format", "json", cwd=root)
        assert done.returncode in (0, 1)
        assert not list(markers.iterdir()), f"target code ran: {sorted(os.listdir(markers))}"
    finally:
        for path in list(markers.iterdir()):
            path.unlink()


class Recorder:
    """Records every process the tool starts; only git may run."""

    def __init__(self) -> None:
        self.calls: list[list[str]] = []
        self.forbidden: list[str] = []
        self.inside_popen = False


@pytest.fixture
def recorder(monkeypatch: pytest.MonkeyPatch) -> Iterator[Recorder]:
    rec = Recorder()
    real_popen = subprocess.Popen

    class WatchedPopen(real_popen):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *a: Any, **k: Any) -> None:
            argv = [args] if isinstance(args, (str, bytes)) else [str(x) for x in args]
            rec.calls.append(argv)
            if k.get("shell"):
                rec.forbidden.append(f"shell=True: {argv}")
            rec.inside_popen = True
            try:
                super().__init__(args, *a, **k)
            finally:
                rec.inside_popen = False

    def refuse(name: str) -> Any:
        real = getattr(os, name)

        def guarded(*a: Any, **k: Any) -> Any:
            if not rec.inside_popen:
                rec.forbidden.append(f"os.{name}{a[:2]}")
                raise AssertionError(f"os.{name} called")
            return real(*a, **k)
        return guarded

    monkeypatch.setattr(subprocess, "Popen", WatchedPopen)
    for name in ("system", "popen", "execv", "execve", "execvp", "execvpe", "execl",
                 "execlp", "spawnv", "spawnve", "spawnvp", "posix_spawn", "posix_spawnp",
                 "fork", "forkpty"):
        if hasattr(os, name):
            monkeypatch.setattr(os, name, refuse(name))
    yield rec


def test_only_read_only_git_runs_in_process(target: tuple[Path, Path],
                                            recorder: Recorder) -> None:
    root, markers = target
    before_modules = set(sys.modules)
    config = Config().model_copy(update={"select": ("ALL",)})
    report = build_report(root, str(root), config, load_catalog())
    texts = {fmt: renderer(fmt)(report) for fmt in FORMATS}
    assert all(texts.values())
    assert not recorder.forbidden, recorder.forbidden
    assert recorder.calls, "no git call at all: the target is a git repository"
    resolved = str(root.resolve())
    for argv in recorder.calls:
        assert argv[:7] == ["git", "-C", resolved, "-c", "core.fsmonitor=false",
                            "-c", "i18n.logOutputEncoding=UTF-8"], argv
        command = argv[7]
        assert command in READ_ONLY_GIT, f"git {command} is not a read-only command: {argv}"
        if command == "config":
            assert any(a in CONFIG_READS for a in argv[8:]), argv
        if command == "remote":
            assert argv[8:9] in ([], ["-v"], ["get-url"]), argv
    loaded = {name: getattr(sys.modules[name], "__file__", None) or ""
              for name in set(sys.modules) - before_modules}
    inside = sorted(n for n, f in loaded.items() if f and f.startswith(resolved))
    assert not inside, f"target modules imported: {inside}"
    assert not list(markers.iterdir()), f"target code ran: {sorted(os.listdir(markers))}"


def test_version_needs_no_target(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "--version"], cwd=tmp_path,
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0 and __version__ in done.stdout


def test_tree_hash_sees_changes(tmp_path: Path) -> None:
    """The hash used above notices content, mode and symlink changes."""
    root = corpus.build_no_git(tmp_path / "repo")
    os.symlink("README.md", root / "link")
    base = tree_hash(root)
    (root / "README.md").write_text("changed", encoding="utf-8")
    assert tree_hash(root) != base
    base = tree_hash(root)
    (root / "README.md").chmod(0o600)
    assert tree_hash(root) != base
    base = tree_hash(root)
    (root / "link").unlink()
    os.symlink("Dockerfile", root / "link")
    assert tree_hash(root) != base
    shutil.rmtree(root / "k8s")
    assert "k8s" not in tree_hash(root)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers: Linux only")
def test_workers_only_read(target: tuple[Path, Path], recorder: Recorder, tmp_path: Path,
                           monkeypatch: pytest.MonkeyPatch) -> None:
    """With ``--jobs``, the tool forks workers of its own (``mlops_lint.pool``) and
    nothing else; the workers start no process but read-only git either, change
    nothing and run no target code (what they refuse is written to a file, their only
    way to tell: the recorder's list lives in each worker's own memory)."""
    from mlops_lint import pool

    root, markers = target
    told = tmp_path / "forbidden-in-workers.txt"
    parent = os.getpid()
    import posix

    real_fork = posix.fork  # os.fork is refused by the recorder
    forks: list[str] = []

    def fork() -> int:
        caller = sys._getframe(1).f_code.co_filename
        forks.append(caller)
        assert caller == pool.__file__, f"fork from {caller}"
        return real_fork()

    watched = subprocess.Popen

    class Told(watched):  # type: ignore[misc, valid-type]
        def __init__(self, args: Any, *a: Any, **k: Any) -> None:
            argv = [str(x) for x in args]
            if os.getpid() != parent and (argv[:1] != ["git"] or argv[7] not in READ_ONLY_GIT):
                with open(told, "a", encoding="utf-8") as out:
                    out.write(f"{argv}\n")
            super().__init__(args, *a, **k)

    monkeypatch.setattr(os, "fork", fork)
    monkeypatch.setattr(subprocess, "Popen", Told)
    monkeypatch.setenv(pool.MIN_FILES_ENV, "0")
    before = tree_hash(root)
    config = Config().model_copy(update={"select": ("ALL",)})
    report = build_report(root, str(root), config, load_catalog(), jobs=2)
    assert renderer("json")(report)
    assert len(forks) == 2, forks
    assert not recorder.forbidden, recorder.forbidden
    assert not told.exists(), told.read_text(encoding="utf-8")
    # an os.exec*/spawn/system in a worker raises there and shows as a crashed check
    crashed = [r.message.en for r in report.results if "AssertionError" in r.message.en]
    assert not crashed, crashed
    assert tree_hash(root) == before
    assert not list(markers.iterdir()), f"target code ran: {sorted(os.listdir(markers))}"
