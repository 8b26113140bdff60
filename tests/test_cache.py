"""The results cache across runs: hits, misses, bypass, damage, concurrency, location."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner, Result

from conftest import git, init_git
from hostile import corpus
from mlops_lint import cache, cache_entry, cache_key, engine
from mlops_lint.cli import cli
from mlops_lint.repo import Repo

FILES = {
    "pyproject.toml": '[project]\nname = "demo"\nversion = "0.1.0"\n',
    "README.md": "# Demo\n\nA demo.\n",
    "src/demo/__init__.py": "",
    "src/demo/app.py": "def add(a: int, b: int) -> int:\n    return a + b\n",
    "tests/test_app.py": "from demo.app import add\n\n\ndef test_add():\n"
                         "    assert add(1, 2) == 3\n",
    "Dockerfile": "FROM python:3.11-slim\nCOPY . /app\nCMD [\"python\", \"-m\", \"demo\"]\n",
}


@pytest.fixture
def cache_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The cache turned on, in a directory of this test's own."""
    directory = tmp_path / "cache"
    monkeypatch.delenv("MLOPS_LINT_NO_CACHE", raising=False)
    monkeypatch.setenv("MLOPS_LINT_CACHE_DIR", str(directory))
    return directory


class Counter:
    """Counts rule evaluations; ``forbid`` makes any evaluation fail the test."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.calls = 0
        self.forbidden = False
        original = engine.run

        def counted(*args: Any, **kwargs: Any) -> engine.Run:
            if self.forbidden:
                raise AssertionError("rules were evaluated on a cache hit")
            self.calls += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(engine, "run", counted)


@pytest.fixture
def evaluations(monkeypatch: pytest.MonkeyPatch) -> Iterator[Counter]:
    yield Counter(monkeypatch)


def check(root: Path, *args: str) -> Result:
    return CliRunner().invoke(cli, ["check", str(root), *args])


def entries(directory: Path) -> list[str]:
    folder = directory / f"v{cache.SCHEMA}"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("fmt", ["json", "sarif", "text", "markdown", "html"])
def test_an_unchanged_repository_is_a_hit_that_evaluates_no_rule(
        make_repo: Callable[..., Path], cache_dir: Path, evaluations: Counter,
        fmt: str) -> None:
    root = make_repo(FILES, commits=["feat: first"])
    uncached = check(root, "--format", fmt, "--no-cache")
    first = check(root, "--format", fmt)
    assert evaluations.calls == 2
    evaluations.forbidden = True
    second = check(root, "--format", fmt)
    assert second.exception is None, second.output
    assert first.output == second.output == uncached.output
    assert first.exit_code == second.exit_code == uncached.exit_code


def test_a_new_format_reuses_the_stored_run(make_repo: Callable[..., Path], cache_dir: Path,
                                            evaluations: Counter) -> None:
    root = make_repo(FILES)
    expected = check(root, "--format", "sarif", "--no-cache").output
    check(root, "--format", "json")
    evaluations.forbidden = True
    assert check(root, "--format", "sarif").output == expected
    assert check(root, "--format", "text", "--all").exit_code in (0, 1)


def test_text_views_and_files_replay_exactly(make_repo: Callable[..., Path], cache_dir: Path,
                                             evaluations: Counter, tmp_path: Path) -> None:
    root = make_repo(FILES)
    runs = []
    for _ in range(2):
        out = tmp_path / f"report{len(runs)}.json"
        res = CliRunner().invoke(cli, ["check", str(root), "--format", "json", "--output",
                                       str(out), "--format", "text", "--quiet"])
        runs.append((res.output, res.stderr if hasattr(res, "stderr") else "",
                     out.read_text(encoding="utf-8"), res.exit_code))
        evaluations.forbidden = True
    first, second = runs
    assert first[0] == second[0] and first[2] == second[2] and first[3] == second[3]


def test_baseline_runs_use_the_stored_results(make_repo: Callable[..., Path], cache_dir: Path,
                                              evaluations: Counter, tmp_path: Path) -> None:
    root = make_repo(FILES)
    baseline = tmp_path / "baseline.json"
    assert check(root, "--write-baseline", str(baseline)).exception is None
    evaluations.forbidden = True
    cached = check(root, "--baseline", str(baseline), "--format", "json")
    evaluations.forbidden = False
    plain = check(root, "--baseline", str(baseline), "--format", "json", "--no-cache")
    assert cached.output == plain.output and cached.exit_code == plain.exit_code == 0


def test_a_run_with_a_baseline_stores_the_results_without_it(
        make_repo: Callable[..., Path], cache_dir: Path, evaluations: Counter,
        tmp_path: Path) -> None:
    root = make_repo(FILES)
    baseline = tmp_path / "baseline.json"
    check(root, "--write-baseline", str(baseline), "--no-cache")
    with_baseline = check(root, "--baseline", str(baseline), "--format", "json")
    assert '"baselined": true' in with_baseline.output
    evaluations.forbidden = True
    plain = check(root, "--format", "json")
    evaluations.forbidden = False
    assert plain.output == check(root, "--format", "json", "--no-cache").output
    assert '"baselined": true' not in plain.output


def _edit(root: Path) -> None:
    # same size as before: only the content (and times) tell
    (root / "src/demo/app.py").write_text(
        "def add(a: int, b: int) -> int:\n    return b + a\n", encoding="utf-8")


def _add(root: Path) -> None:
    (root / "src/demo/extra.py").write_text("X = 1\n", encoding="utf-8")


def _remove(root: Path) -> None:
    (root / "README.md").unlink()


def _configure(root: Path) -> None:
    with (root / "pyproject.toml").open("a", encoding="utf-8") as handle:
        handle.write('\n[tool.mlops-lint]\nignore = ["DOCK"]\n')


def _configure_yaml(root: Path) -> None:
    (root / ".mlops-lint.yaml").write_text("lang: es\n", encoding="utf-8")


def _commit(root: Path) -> None:
    git(root, "commit", "-q", "--allow-empty", "-m", "wip")


def _stage(root: Path) -> None:
    (root / "notes.txt").write_text("n\n", encoding="utf-8")
    git(root, "add", "notes.txt")


def _tag(root: Path) -> None:
    git(root, "tag", "v1.0.0")


@pytest.mark.parametrize("change", [_edit, _add, _remove, _configure, _configure_yaml,
                                    _commit, _stage, _tag])
def test_a_change_is_a_miss(make_repo: Callable[..., Path], cache_dir: Path,
                            evaluations: Counter, change: Callable[[Path], None]) -> None:
    root = make_repo(FILES, commits=["feat: first"])
    check(root, "--format", "json")
    check(root, "--format", "json")
    assert evaluations.calls == 1
    change(root)
    after = check(root, "--format", "json")
    assert evaluations.calls == 2
    assert after.output == check(root, "--format", "json", "--no-cache").output


def test_a_new_tool_version_is_a_miss(make_repo: Callable[..., Path], cache_dir: Path,
                                      evaluations: Counter,
                                      monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(FILES)
    check(root, "--format", "json")
    monkeypatch.setattr(cache_key, "__version__", "999.0.0")
    check(root, "--format", "json")
    assert evaluations.calls == 2


@pytest.mark.parametrize("options", [("--select", "DOCK"), ("--lang", "es"),
                                     ("--min-level", "1"), ("--ignore", "PY")])
def test_options_that_change_results_are_part_of_the_key(
        make_repo: Callable[..., Path], cache_dir: Path, evaluations: Counter,
        options: tuple[str, str]) -> None:
    root = make_repo(FILES)
    check(root, "--format", "json")
    changed = check(root, "--format", "json", *options)
    assert evaluations.calls == 2
    evaluations.forbidden = True
    assert check(root, "--format", "json", *options).output == changed.output


def test_an_external_coverage_report_is_checked_again(make_repo: Callable[..., Path],
                                                      cache_dir: Path, evaluations: Counter,
                                                      tmp_path: Path) -> None:
    root = make_repo(FILES)
    report = tmp_path / "coverage.json"
    report.write_text('{"totals": {"percent_covered": 50.0}}', encoding="utf-8")
    check(root, "--format", "json", "--coverage-report", str(report))
    check(root, "--format", "json", "--coverage-report", str(report))
    assert evaluations.calls == 1
    report.write_text('{"totals": {"percent_covered": 95.0}}', encoding="utf-8")
    check(root, "--format", "json", "--coverage-report", str(report))
    assert evaluations.calls == 2


def test_files_probed_outside_the_listing_are_checked_again(
        make_repo: Callable[..., Path], cache_dir: Path) -> None:
    root = make_repo({**FILES, ".gitignore": "coverage.xml\n"}, commits=["feat: first"])
    repo = Repo(root)
    repo.abspath("coverage.xml").is_file()
    assert repo.probed == {"coverage.xml"}
    walked = Repo(root, walk_only=True)
    key = cache.run_key(walked, ".", {}, None, os.environ)
    store = cache.Cache(cache_dir)
    store.store_run(key, engine.Run((), repo.projects, ()), repo, ())
    assert store.lookup(key, walked) is not None
    (root / "coverage.xml").write_text("<coverage/>", encoding="utf-8")
    assert store.lookup(key, walked) is None


def test_a_recent_file_is_compared_by_content(tmp_path: Path) -> None:
    path = tmp_path / "f.txt"
    path.write_text("a", encoding="utf-8")
    keying = cache_key._Keying()
    keying.stat(str(path))
    assert keying.racy == {str(path): cache_key.file_digest(str(path))}
    stamp = path.stat().st_mtime_ns
    path.write_text("b", encoding="utf-8")
    os.utime(path, ns=(stamp, stamp))  # same size, same modification time
    header = {"probes": {}, "racy": keying.racy, "packs": {}, "ignored_dvc": None}
    walked = Repo(tmp_path, walk_only=True)
    assert not cache._still_valid(header, cache_key.Key("x", {}, True), walked)


def test_no_cache_flag_and_variable(make_repo: Callable[..., Path], cache_dir: Path,
                                    evaluations: Counter,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_repo(FILES)
    check(root, "--no-cache")
    check(root, "--no-cache")
    assert evaluations.calls == 2 and entries(cache_dir) == []
    monkeypatch.setenv("MLOPS_LINT_NO_CACHE", "1")
    check(root)
    check(root)
    assert evaluations.calls == 4 and entries(cache_dir) == []
    monkeypatch.setenv("MLOPS_LINT_NO_CACHE", "0")
    check(root)
    check(root)
    assert evaluations.calls == 5 and entries(cache_dir)


@pytest.mark.parametrize("damage", [b"", b"not json\n{}", b'{"schema": 1}\n',
                                    b'{"schema": 1, "sha256": "0"}\n[]'])
def test_a_damaged_entry_is_a_miss(make_repo: Callable[..., Path], cache_dir: Path,
                                   evaluations: Counter, damage: bytes) -> None:
    root = make_repo(FILES)
    expected = check(root, "--format", "json").output
    for name in entries(cache_dir):
        (cache_dir / f"v{cache.SCHEMA}" / name).write_bytes(damage)
    again = check(root, "--format", "json")
    assert again.exception is None and again.output == expected
    assert evaluations.calls == 2
    evaluations.forbidden = True
    assert check(root, "--format", "json").output == expected  # stored again, whole


def test_a_body_that_is_not_a_run_is_a_miss(make_repo: Callable[..., Path], cache_dir: Path,
                                            evaluations: Counter) -> None:
    root = make_repo(FILES)
    expected = check(root, "--format", "sarif").output
    folder = cache_dir / f"v{cache.SCHEMA}"
    for name in entries(cache_dir):
        if name.endswith(".run"):
            header, _ = cache_entry.unpack((folder / name).read_bytes()) or ({}, b"")
            header.pop("sha256", None)
            (folder / name).write_bytes(cache_entry.pack(header, b'{"results": [[1, 2]]}'))
    assert check(root, "--format", "json").exception is None
    assert check(root, "--format", "sarif").output == expected
    assert evaluations.calls == 2


RUNNER = """
import sys
from mlops_lint import engine
if sys.argv[2] == "forbid":
    engine.run = lambda *args, **kwargs: sys.exit(99)
from mlops_lint.cli import main
sys.argv = ["mlops-lint", "check", sys.argv[1], "--format", "json", "--exit-zero"]
main()
"""


def test_a_truncated_run_is_evaluated_again(make_repo: Callable[..., Path], cache_dir: Path,
                                             evaluations: Counter) -> None:
    root = make_repo(FILES)
    expected = check(root, "--format", "sarif", "--no-cache").output
    check(root, "--format", "json")
    folder = cache_dir / f"v{cache.SCHEMA}"
    for name in entries(cache_dir):
        if name.endswith(".run"):  # header whole, results cut short
            data = (folder / name).read_bytes()
            (folder / name).write_bytes(data[:-20])
    assert check(root, "--format", "sarif").output == expected
    assert evaluations.calls == 3


def _subprocess_check(root: Path, cache_dir: Path, mode: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if k != "MLOPS_LINT_NO_CACHE"}
    env["MLOPS_LINT_CACHE_DIR"] = str(cache_dir)
    src = str(Path(cache.__file__).resolve().parents[1])
    env["PYTHONPATH"] = src + os.pathsep + env.get("PYTHONPATH", "")
    return subprocess.Popen([sys.executable, "-c", RUNNER, str(root), mode], env=env,
                            cwd=root.parent, stdout=subprocess.PIPE, stderr=subprocess.PIPE)


def test_concurrent_runs_write_one_whole_entry(make_repo: Callable[..., Path],
                                               cache_dir: Path) -> None:
    root = make_repo(FILES, commits=["feat: first"])
    runs = [_subprocess_check(root, cache_dir, "evaluate") for _ in range(2)]
    outputs = [run.communicate(timeout=300) for run in runs]
    assert [run.returncode for run in runs] == [0, 0], outputs[0][1][-500:]
    assert outputs[0][0] == outputs[1][0]
    names = entries(cache_dir)
    assert not [n for n in names if n.startswith(".tmp-")]
    assert len([n for n in names if n.endswith(".run")]) == 1
    hit = _subprocess_check(root, cache_dir, "forbid")
    out, err = hit.communicate(timeout=300)
    assert hit.returncode == 0, err[-500:]
    assert out == outputs[0][0]


def test_the_cache_is_never_inside_the_target(make_repo: Callable[..., Path],
                                              monkeypatch: pytest.MonkeyPatch,
                                              evaluations: Counter) -> None:
    root = make_repo(FILES)
    monkeypatch.delenv("MLOPS_LINT_NO_CACHE", raising=False)
    for inside in (root / ".cache", root, root / "src" / "demo"):
        monkeypatch.setenv("MLOPS_LINT_CACHE_DIR", str(inside))
        before = sorted(p for p in root.rglob("*"))
        check(root)
        check(root)
        assert sorted(p for p in root.rglob("*")) == before
    assert evaluations.calls == 6
    assert cache.Cache.open(root, {"MLOPS_LINT_CACHE_DIR": str(root / "x")}) is None


def test_the_user_cache_directory_per_platform(tmp_path: Path) -> None:
    home = tmp_path / "home"
    assert cache.default_dir({}, "linux", home) == home / ".cache" / "mlops-lint"
    assert cache.default_dir({"XDG_CACHE_HOME": "/xdg"}, "linux", home) == \
        Path("/xdg/mlops-lint")
    assert cache.default_dir({"XDG_CACHE_HOME": "relative"}, "linux", home) == \
        home / ".cache" / "mlops-lint"
    assert cache.default_dir({}, "darwin", home) == home / "Library" / "Caches" / "mlops-lint"
    assert cache.default_dir({"LOCALAPPDATA": str(tmp_path / "L")}, "win32", home) == \
        tmp_path / "L" / "mlops-lint" / "Cache"
    assert cache.default_dir({"MLOPS_LINT_CACHE_DIR": str(tmp_path / "c")}, "linux", home) \
        == tmp_path / "c"


def test_eviction_keeps_the_most_recent_entries(tmp_path: Path) -> None:
    store = cache.Cache(tmp_path)
    store.dir.mkdir(parents=True)
    for i in range(10):
        for suffix in (".run", ".json-x.out"):
            path = store.dir / f"{i:040d}{suffix}"
            path.write_bytes(b"x" * 100)
            os.utime(path, ns=(i * 10**9, i * 10**9))
    stale = store.dir / ".tmp-left-over"
    stale.write_bytes(b"")
    os.utime(stale, (0, 0))
    store.evict(max_bytes=10**9, max_files=6)
    kept = sorted(p.name for p in store.dir.iterdir())
    assert kept == sorted(f"{i:040d}{s}" for i in (7, 8, 9) for s in (".run", ".json-x.out"))
    store.evict(max_bytes=250, max_files=100)
    assert len(list(store.dir.iterdir())) == 2
    assert store.clear() == 2 and not list(store.dir.iterdir())


def test_a_git_work_tree_file_names_its_git_directory(tmp_path: Path) -> None:
    (tmp_path / "main").mkdir()
    main = init_git(tmp_path / "main")
    linked = tmp_path / "linked"
    git(main, "worktree", "add", "-q", str(linked), "-b", "other")
    git_dir, common = cache_key._git_dir(linked) or ("", "")
    assert Path(common) == (main / ".git").resolve()
    assert Path(git_dir).parent == (main / ".git" / "worktrees").resolve()
    keying = cache_key._Keying()
    state = cache_key._git_state(keying, linked)
    assert state["HEAD"].startswith("ref: refs/heads/other")
    assert any(ref[0] == "refs/heads/other" for ref in state["refs"])


def test_the_catalog_read_through_the_cache_is_the_same(tmp_path: Path) -> None:
    from mlops_lint.catalog import load_catalog

    store = cache.Cache(tmp_path)
    plain = load_catalog()
    assert load_catalog(reader=store.parsed) == plain  # parsed and stored
    stored = [p for p in store.dir.iterdir() if p.name.startswith("parsed-")]
    assert stored
    calls: list[Path] = []

    def parse_forbidden(path: Path, parse: Callable[[], Any]) -> Any:
        calls.append(path)
        return store.parsed(path, lambda: pytest.fail(f"{path} parsed again"))

    assert load_catalog(reader=parse_forbidden) == plain
    assert calls
    for path in stored:
        path.write_bytes(b"{}\n[]")  # damaged: parsed again
    assert load_catalog(reader=store.parsed) == plain


def test_plain_data_keeps_its_types_through_json() -> None:
    data = {2: 0.5, "2": [1, True, None, "x", {False: {"k": 1.25}}], "e": {}, "l": []}
    assert cache_entry.untag(cache_entry.tag(data)) == data
    assert [type(k) for k in cache_entry.untag(cache_entry.tag(data))] == [int, str, str, str]
    with pytest.raises(TypeError):
        cache_entry.tag({"when": object()})


def test_the_check_index_names_every_registered_check() -> None:
    from mlops_lint.rules import REGISTRY, check_index, load_all

    load_all()
    assert check_index() == {name: spec.func.__module__ for name, spec in REGISTRY.items()
                             if spec.func.__module__.startswith("mlops_lint.rules.")}


def test_every_built_in_rule_has_valid_parameters() -> None:
    from mlops_lint.catalog import _params, load_catalog

    catalog = load_catalog()
    for rule in catalog.rules:  # what a rule pack gets at load, built-in rules at run time
        _params(None, rule)


SELECTED = """
import sys
from mlops_lint.cli import main
from mlops_lint.rules import check_index
sys.argv = ["mlops-lint", "check", sys.argv[1], "--no-cache", "--select", sys.argv[2]]
try:
    main()
except SystemExit:
    pass
modules = set(check_index().values())
print(sorted(m for m in sys.modules if m in modules))
"""


@pytest.mark.parametrize("select", ["DOCK", "K8S", "DATA001"])
def test_a_selection_imports_only_the_checks_it_runs(tmp_path: Path, select: str) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "train.csv").write_text("a,b\n1,2\n", encoding="utf-8")
    from mlops_lint.catalog import load_catalog
    from mlops_lint.rules import check_index

    src = str(Path(cache.__file__).resolve().parents[1])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    done = subprocess.run([sys.executable, "-c", SELECTED, str(tmp_path), select],
                          capture_output=True, text=True, env=env, check=True)
    wanted = sorted({check_index()[rule.check] for rule in load_catalog().rules
                     if rule.id.startswith(select)})
    assert wanted
    assert done.stdout.strip().splitlines()[-1] == repr(wanted)


def test_replayed_bytes_match_what_the_text_stream_writes(monkeypatch: pytest.MonkeyPatch
                                                          ) -> None:
    import io

    text = "é ✓ line\r\nnext\n"

    def written(stream: io.TextIOBase) -> bytes:
        stream.flush()
        if isinstance(stream, io.TextIOWrapper):
            raw = stream.buffer
            assert isinstance(raw, io.BytesIO)
            return raw.getvalue()
        assert isinstance(stream, io.StringIO)
        return stream.getvalue().encode("utf-8")

    def streams() -> list[io.TextIOBase]:
        return [io.TextIOWrapper(io.BytesIO(), encoding="utf-8"),
                io.TextIOWrapper(io.BytesIO(), encoding="utf-16"), io.StringIO()]

    for replayed, direct in zip(streams(), streams(), strict=True):
        monkeypatch.setattr(sys, "stdout", replayed)
        cache._write_stdout(text.encode("utf-8"))  # what a hit writes
        direct.write(text)  # what the run that stored it wrote
        assert written(replayed) == written(direct)


def test_links_leading_outside_are_keyed_by_their_text_never_read(
        make_repo: Callable[..., Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
        ) -> None:
    outside = tmp_path / "secret.txt"
    outside.write_text("top secret", encoding="utf-8")
    root = make_repo({"README.md": "# x\n"})
    (root / "link.txt").symlink_to(outside)
    (root / "inside.txt").symlink_to(root / "README.md")
    fifo = root / "pipe"
    os.mkfifo(fifo)
    opened: list[str] = []
    real_open = os.open

    def watched(path: Any, *args: Any, **kwargs: Any) -> int:
        opened.append(os.path.realpath(path))
        return real_open(path, *args, **kwargs)

    monkeypatch.setattr(os, "open", watched)
    keying = cache_key._Keying()
    assert keying.entry(str(root), str(root / "link.txt")) == [
        "outside", str(outside), True]
    assert isinstance(keying.entry(str(root), str(root / "inside.txt"))[0], int)
    assert keying.entry(str(root), str(root / "pipe")) is not None  # a FIFO: never waited on
    assert keying.racy.get(str(root / "pipe")) is None
    assert str(outside.resolve()) not in opened
    assert str((root / "README.md").resolve()) in opened  # recent, inside: by content
    outside.write_text("changed", encoding="utf-8")
    assert keying.entry(str(root), str(root / "link.txt")) == [
        "outside", str(outside), True]


@pytest.mark.parametrize("shape", ["hostile-git", "hostile-no-git", *sorted(corpus.ODD_SHAPES)])
def test_hostile_and_odd_repositories_replay_exactly(tmp_path: Path, shape: str) -> None:
    root = tmp_path / "target"
    if shape.startswith("hostile"):
        corpus.build_hostile(root, with_git=shape == "hostile-git", huge=False, fifo=True)
    else:
        root = corpus.ODD_SHAPES[shape](root) or root
    cache_dir = tmp_path / "cache"
    first = _subprocess_check(root, cache_dir, "evaluate")
    out1, err1 = first.communicate(timeout=300)
    assert first.returncode == 0, err1[-800:]
    second = _subprocess_check(root, cache_dir, "evaluate")
    out2, _ = second.communicate(timeout=300)
    assert out2 == out1
    if any(name.endswith(".run") for name in entries(cache_dir)):  # cacheable: a hit
        third = _subprocess_check(root, cache_dir, "forbid")
        out3, err3 = third.communicate(timeout=300)
        assert third.returncode == 0, err3[-800:]
        assert out3 == out1
