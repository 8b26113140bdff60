"""The hostile corpus: the real command line must survive every file and repository
shape in ``tests/hostile/corpus.py``.

Properties (no rule verdict is asserted, so rules may change freely):

* exit code 0 or 1, never 2 or a crash; no traceback on stderr; valid JSON on stdout;
* no check crashes (an ``error`` result saying "the check crashed");
* every problem file a rule asked for is named by at least one result (path or
  message) — a file no rule reads need not be reported (see docs/reliability.md);
* the rest of the repository is still checked: every selected rule has a result and
  the good files are read;
* alias bombs stay under 200 MB of peak RSS.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from hostile import corpus
from mlops_lint.catalog import load_catalog
from mlops_lint.config import Config
from mlops_lint.engine import run
from mlops_lint.parsers import ParseError
from mlops_lint.repo import Repo

DRIVER = Path(__file__).parent / "hostile" / "driver.py"
TIMEOUT_S = 120
RSS_LIMIT_MB = 200


@dataclass
class Outcome:
    rc: int
    stdout: str
    stderr: str
    parse_errors: dict[str, dict[str, Any]]
    maxrss_mb: float

    @property
    def report(self) -> dict[str, Any]:
        data: dict[str, Any] = json.loads(self.stdout)
        return data


def run_driver(target: Path, *extra: str, cwd: Path | None = None) -> Outcome:
    """The real command line (through the observing driver) on ``target``."""
    record = target.parent / f"{target.name}.record.json"
    done = subprocess.run(
        [sys.executable, str(DRIVER), str(record), "check", str(target), "--format", "json",
         *extra],
        capture_output=True, text=True, timeout=TIMEOUT_S, cwd=cwd or target.parent,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )
    data = json.loads(record.read_text(encoding="utf-8")) if record.exists() else {}
    record.unlink(missing_ok=True)
    return Outcome(done.returncode, done.stdout, done.stderr, data.get("parse_errors", {}),
                   data.get("maxrss_kb", 0) / 1024)


def run_cli(target: Path, *args: str) -> tuple[int, str, str, float]:
    """``python -m mlops_lint check`` in a fresh parent that reports the child's peak RSS."""
    wrapper = ("import resource, subprocess, sys\n"
               "done = subprocess.run(sys.argv[1:])\n"
               "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss\n"
               "sys.stderr.write(f'\\nPEAK_RSS_KB={peak}\\n')\n"
               "sys.exit(done.returncode)\n")
    done = subprocess.run(
        [sys.executable, "-c", wrapper, sys.executable, "-m", "mlops_lint", "check",
         str(target), *args],
        capture_output=True, text=True, timeout=TIMEOUT_S, cwd=target.parent)
    stderr, _, peak = done.stderr.rpartition("PEAK_RSS_KB=")
    return done.returncode, done.stdout, stderr, int(peak.strip() or 0) / 1024


def assert_survived(outcome: Outcome) -> dict[str, Any]:
    assert outcome.rc in (0, 1), f"exit {outcome.rc}; stderr:\n{outcome.stderr[-3000:]}"
    assert "Traceback" not in outcome.stderr, outcome.stderr[-3000:]
    report = outcome.report
    assert [p["phase"] for p in report["phases"]] == list(range(1, 8))
    crashed = [f"{r['rule']} ({r['path']}): {r['message']}" for r in report["results"]
               if r["status"] == "error" and "crashed" in r["message"]]
    assert not crashed, "checks crashed on hostile input:\n" + "\n".join(crashed)
    return report


def unreported(outcome: Outcome) -> list[str]:
    """Problem files a rule read but no result names."""
    results = outcome.report["results"]
    missing = []
    for path, entry in sorted(outcome.parse_errors.items()):
        if not any(r["path"] == path or path in (r["message"] or "") for r in results):
            missing.append(f"{path}: {entry['message']} (read by {', '.join(entry['rules'])}"
                           " without a result naming it)")
    return missing


# -- the hostile repository, with and without git ---------------------------------------

@pytest.fixture(scope="module")
def hostile_git(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Outcome]:
    root = corpus.build_hostile(tmp_path_factory.mktemp("hostile-git") / "repo")
    return root, run_driver(root)


@pytest.fixture(scope="module")
def hostile_walk(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Outcome]:
    root = corpus.build_hostile(tmp_path_factory.mktemp("hostile-walk") / "repo",
                                with_git=False, fifo=True)
    return root, run_driver(root)


@pytest.fixture(params=["hostile_git", "hostile_walk"])
def hostile(request: pytest.FixtureRequest) -> tuple[Path, Outcome]:
    value: tuple[Path, Outcome] = request.getfixturevalue(request.param)
    return value


def test_hostile_repository_does_not_crash(hostile: tuple[Path, Outcome]) -> None:
    assert_survived(hostile[1])


def test_every_problem_file_a_rule_reads_is_reported(hostile: tuple[Path, Outcome]) -> None:
    _, outcome = hostile
    assert outcome.parse_errors, "the observer saw no unreadable file: is it still wired?"
    missing = unreported(outcome)
    assert not missing, "problem files read but not reported:\n" + "\n".join(missing)


def test_problem_files_come_back_as_parse_errors(hostile: tuple[Path, Outcome]) -> None:
    """Whatever a rule read from the corpus and could not use is a planted problem."""
    planted = corpus.problem_paths()
    strays = sorted(set(hostile[1].parse_errors) - planted)
    assert not strays, f"good files reported as unreadable: {strays}"


def test_rest_of_repository_still_checked(hostile: tuple[Path, Outcome]) -> None:
    report = assert_survived(hostile[1])
    expected = {r.id for r in load_catalog().rules}
    seen = {r["rule"] for r in report["results"]}
    assert expected <= seen, f"rules without any result: {sorted(expected - seen)}"
    assert any(r["path"] == "README.md" and r["status"] != "error"
               for r in report["results"]), "the good README.md was not checked"


def test_problem_files_in_the_inventory(hostile_git: tuple[Path, Outcome]) -> None:
    """Odd names and symlinks are listed (not silently dropped) and read safely."""
    repo = Repo(hostile_git[0])
    assert "file with spaces.md" in repo.files
    assert "dír ñ/módulo é.py" in repo.files
    assert "src/hostile/caf\ufffd.py" in repo.files
    assert repo.text("src/hostile/caf\ufffd.py") == "x = 1\n"
    assert repo.text("docs/readme-link.md") == corpus.GOOD_README
    outside = repo.text("k8s/outside.yaml")
    assert isinstance(outside, ParseError) and "outside" in outside.message
    loop = repo.text("k8s/loop-a.yaml")
    assert isinstance(loop, ParseError) and "loop" in loop.message
    huge = repo.text(corpus.HUGE)
    assert isinstance(huge, ParseError) and "too large" in huge.message
    # directory symlinks are never followed: nothing listed through them
    assert not any(f.startswith(("dirloop/", "k8s/root/")) for f in repo.files)


def test_plain_cli_on_hostile_repository(hostile_git: tuple[Path, Outcome]) -> None:
    root = hostile_git[0]
    for fmt in ("json", "text"):
        rc, stdout, stderr, peak = run_cli(root, "--format", fmt)
        assert rc in (0, 1), stderr[-3000:]
        assert "Traceback" not in stderr, stderr[-3000:]
        assert stdout.strip()
        assert peak < RSS_LIMIT_MB, f"peak RSS {peak:.0f} MB"


def test_walk_mode_reads_fifo_without_hanging(hostile_walk: tuple[Path, Outcome]) -> None:
    repo = Repo(hostile_walk[0])
    assert not repo.is_git
    for name in corpus.FIFOS:
        assert name in repo.files
        result = repo.text(name)
        assert isinstance(result, ParseError) and "regular file" in result.message


def test_walk_mode_keeps_undecodable_names_readable(
        hostile_walk: tuple[Path, Outcome]) -> None:
    repo = Repo(hostile_walk[0])
    assert "src/hostile/caf\ufffd.py" in repo.files
    assert repo.text("src/hostile/caf\ufffd.py") == "x = 1\n"
    assert all("\udce9" not in f for f in repo.files)
    json.dumps(list(repo.files), ensure_ascii=False).encode("utf-8")  # printable


# -- alias bombs: bounded memory and time ------------------------------------------------

def test_alias_bombs_stay_under_memory_limit(tmp_path: Path) -> None:
    root = corpus.build_bombs(tmp_path / "bombs")
    rc, _, stderr, peak = run_cli(root, "--format", "json")
    assert rc in (0, 1), stderr[-3000:]
    assert "Traceback" not in stderr
    assert peak < RSS_LIMIT_MB, f"peak RSS {peak:.0f} MB on alias bombs"
    outcome = run_driver(root)
    assert_survived(outcome)
    missing = unreported(outcome)
    assert not missing, "alias bombs read but not reported:\n" + "\n".join(missing)


def test_alias_bomb_in_own_config_is_a_clean_usage_error(tmp_path: Path) -> None:
    root = corpus.build_no_git(tmp_path / "repo")
    (root / ".mlops-lint.yaml").write_text(corpus.alias_bomb(), encoding="utf-8")
    rc, _, stderr, peak = run_cli(root)
    assert rc == 2 and "Traceback" not in stderr and "mlops-lint: error" in stderr
    assert peak < RSS_LIMIT_MB


def test_deeply_nested_pyproject_does_not_crash(tmp_path: Path) -> None:
    root = corpus.build_no_git(tmp_path / "repo")
    (root / "pyproject.toml").write_text("x = " + "[" * corpus.NEST + "\n", encoding="utf-8")
    outcome = run_driver(root)
    assert_survived(outcome)


# -- odd repository shapes --------------------------------------------------------------

@pytest.mark.parametrize("shape", sorted(corpus.ODD_SHAPES))
def test_odd_repository_shapes(tmp_path: Path, shape: str) -> None:
    build: Callable[[Path], Path] = corpus.ODD_SHAPES[shape]
    root = build(tmp_path / shape)
    report = assert_survived(run_driver(root))
    assert report["results"], "no result at all"
    repo = Repo(root)
    if shape in ("shallow", "worktree"):
        assert repo.is_git and "README.md" in repo.files and repo.is_tracked("README.md")
        assert repo.git_info is not None and repo.git_info.shallow == (shape == "shallow")
    if shape in ("no-git", "dangling-git-file", "corrupt-git"):
        assert not repo.is_git and "README.md" in repo.files
        assert not any(f.startswith(".git/") for f in repo.files)
    if shape.startswith("empty"):
        assert repo.files == ()


# -- unreadable files -------------------------------------------------------------------

def test_unreadable_file_becomes_a_parse_error(make_repo: Callable[..., Path],
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    """``chmod 000`` does not stop root, so the refusal is simulated for one path."""
    root = make_repo(corpus.small_files())
    secret = (root / "README.md").resolve()
    real_open = open

    def guarded_open(file: Any, *args: Any, **kwargs: Any) -> Any:
        if Path(file).resolve() == secret:
            raise PermissionError(13, "Permission denied", str(file))
        return real_open(file, *args, **kwargs)

    monkeypatch.setattr("mlops_lint.safe_read.open", guarded_open, raising=False)
    repo = Repo(root)
    result = repo.text("README.md")
    assert isinstance(result, ParseError)
    assert result.message == "cannot read: Permission denied"
    assert repo.text("Dockerfile") == corpus.GOOD_DOCKERFILE
    outcome = run(Repo(root), load_catalog(), Config())
    assert not [r for r in outcome.results if r.status.value == "error"
                and "crashed" in r.message.en]
    assert any(r.path == "README.md" for r in outcome.results), \
        "the unreadable README.md is not named by any result"


@pytest.mark.skipif(hasattr(os, "geteuid") and os.geteuid() == 0,
                    reason="running as root: chmod 000 does not stop reads (the in-process "
                           "test above covers the code path)")
def test_chmod_000_file_through_cli(tmp_path: Path) -> None:  # pragma: no cover - non-root
    root = corpus.build_no_git(tmp_path / "repo")
    (root / "k8s" / "app.yaml").chmod(0)
    (root / "README.md").chmod(0)
    try:
        outcome = run_driver(root)
        assert_survived(outcome)
        assert not unreported(outcome)
    finally:
        (root / "k8s" / "app.yaml").chmod(0o644)
        (root / "README.md").chmod(0o644)
