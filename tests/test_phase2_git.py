"""GIT001-GIT007: .gitignore, Conventional Commits, pre-commit, large files, releases, git."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import git, init_git, statuses
from mlops_lint.config import Config, Thresholds
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

GITIGNORE = """\
__pycache__/
*.py[cod]
.venv/
.env
!.env.example
data/
*.joblib
mlruns/
.coverage
htmlcov/
"""


# ML code that trains and tracks with MLflow: every .gitignore group applies
ML_CODE = "import mlflow\nfrom sklearn.linear_model import Ridge\n"


def rows(results: list[Result]) -> list[tuple[int, str]]:
    return [(r.level, r.status.value) for r in results]


# -- GIT001 ----------------------------------------------------------------------------------


def test_git001_complete(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({".gitignore": GITIGNORE, "train.py": ML_CODE}), "GIT001")
    assert statuses(results) == ["pass"]
    assert "level-2 extras missing: *.pem / *.key, .ipynb_checkpoints/" in results[0].message.en


def test_git001_missing_groups(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({".gitignore": "*.pyc\n.env\n", "train.py": ML_CODE}),
                          "GIT001")
    assert statuses(results) == ["fail"]
    assert results[0].message.en == ("the .gitignore does not cover virtual environments, data, "
                                     "models, MLflow runs, coverage reports")
    assert "mlruns/" in results[0].fix.en
    assert statuses(results_for(make_repo({"a.py": ""}), "GIT001")) == ["fail"]


def test_git001_dvc_nested_gitignore_covers_data(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    ignore = GITIGNORE.replace("data/\n", "") + "*.pem\n*.key\n.ipynb_checkpoints/\n"
    root = make_repo({".gitignore": ignore, "datasets/.gitignore": "/train.csv\n",
                      "datasets/train.csv.dvc": "outs:\n- md5: abc\n  path: train.csv\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["pass"] and "extras" not in results[0].message.en


def test_git001_env_example_must_not_be_ignored(make_repo: MakeRepo,
                                                results_for: Results) -> None:
    ignore = GITIGNORE.replace(".env\n!.env.example\n", ".env*\n")
    results = results_for(make_repo({".gitignore": ignore, "train.py": ML_CODE}), "GIT001")
    assert "!.env.example" in results[0].message.en


# -- GIT002 ----------------------------------------------------------------------------------

GOOD = ["feat: add training", "fix(api): handle 422", "docs: readme", "test: more",
        "refactor!: rename", "chore(deps): bump"]


def test_git002_levels(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"a": ""}, commits=GOOD), "GIT002")
    assert rows(results) == [(1, "pass"), (2, "pass"), (3, "pass")]
    assert "6/6 (100%)" in results[0].message.en
    mixed = [*GOOD, "wip", "Update README.md"]  # 6/8 = 75 %
    results = results_for(make_repo({"a": ""}, commits=mixed), "GIT002")
    assert rows(results) == [(1, "pass"), (2, "fail"), (3, "fail")]
    text = results[1].message.en
    assert "6/8 (75%)" in text and "'Update README.md' (no 'type: description' prefix)" in text
    assert "'wip' ('wip' says nothing" in text and "1 say nothing" in text


def test_git002_thresholds_are_configurable(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"a": ""}, commits=[*GOOD, "wip", "stuff"])
    lax = Config(thresholds=Thresholds.model_validate({"conventional-commits": [0.5, 0.7, 0.75]}))
    assert rows(results_for(root, "GIT002", config=lax)) == [(1, "pass"), (2, "pass"),
                                                             (3, "pass")]


def test_git002_excludes_merges_fixups_and_accepts_reverts(make_repo: MakeRepo,
                                                           results_for: Results) -> None:
    root = make_repo({"a": ""}, commits=[*GOOD[:4], "fixup! feat: add training",
                                         'Revert "docs: readme"'])
    git(root, "checkout", "-q", "-b", "feature/x")
    git(root, "commit", "-q", "--allow-empty", "-m", "feat: on a branch")
    git(root, "checkout", "-q", "main")
    git(root, "commit", "-q", "--allow-empty", "-m", "ci: on main")
    env_merge = ["-c", "user.name=t", "-c", "user.email=t@t"]
    git(root, *env_merge, "merge", "-q", "--no-ff", "feature/x", "-m", "Merge branch 'feature/x'")
    results = results_for(root, "GIT002")
    assert rows(results)[2] == (3, "pass")
    assert "7/7 (100%)" in results[0].message.en  # merge and fixup! left out


def test_git002_skips(make_repo: MakeRepo, results_for: Results, tmp_path: Path) -> None:
    short = results_for(make_repo({"a": ""}, commits=["feat: a", "wip"]), "GIT002")
    assert statuses(short) == ["skip"] * 3
    assert "history too short: 2 scorable commits" in short[0].message.en
    no_git = results_for(make_repo({"a": ""}), "GIT002")
    assert statuses(no_git) == ["skip"] * 3 and no_git[0].message.en == "not a git repository"
    origin = make_repo({"a": ""}, commits=GOOD * 3)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "2", f"file://{origin}", str(clone))
    shallow = results_for(clone, "GIT002")
    assert statuses(shallow) == ["skip"] * 3
    assert shallow[0].message.en == "history too short (shallow clone?)"
    deeper = tmp_path / "deeper"
    git(tmp_path, "clone", "-q", "--depth", "8", f"file://{origin}", str(deeper))
    assert statuses(results_for(deeper, "GIT002")) == ["skip"] * 3  # < 100 commits
    empty = make_repo({"a": ""})
    git(empty, "init", "-q")
    assert results_for(empty, "GIT002")[0].message.en == "no commits yet"


# -- GIT003 / GIT004 -----------------------------------------------------------------------------

PRECOMMIT = """\
repos:
  - repo: https://github.com/pre-commit/pre-commit-hooks
    rev: v4.5.0
    hooks:
      - id: trailing-whitespace
      - id: end-of-file-fixer
      - id: check-yaml
      - id: check-added-large-files
        args: ['--maxkb={maxkb}']
      - id: check-merge-conflict
      - id: detect-private-key
  - repo: https://github.com/astral-sh/ruff-pre-commit
    rev: {ruff_rev}
    hooks:
      - id: ruff
      - id: ruff-format
  - repo: https://github.com/pre-commit/mirrors-mypy
    rev: v1.7.0
    hooks:
      - id: mypy
  - repo: https://github.com/compilerla/conventional-pre-commit
    rev: v3.0.0
    hooks:
      - id: conventional-pre-commit
        stages: [commit-msg]
"""


def config(maxkb: int = 1000, ruff_rev: str = "v0.1.6") -> str:
    return PRECOMMIT.format(maxkb=maxkb, ruff_rev=ruff_rev)


def test_git003_complete(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({".pre-commit-config.yaml": config(), "a.py": ""}), "GIT003")
    assert sorted(statuses(results)) == ["manual", "pass"]
    passed = next(r for r in results if r.status.value == "pass")
    assert (passed.path, passed.line) == (".pre-commit-config.yaml", 5)


def test_git003_problems(make_repo: MakeRepo, results_for: Results) -> None:
    text = config(maxkb=5000, ruff_rev="main").replace("      - id: check-yaml\n", "") \
        .replace("      - id: ruff-format\n", "")
    results = results_for(make_repo({".pre-commit-config.yaml": text, "a.py": ""}), "GIT003")
    failed = next(r for r in results if r.status.value == "fail")
    message = failed.message.en
    assert "missing pre-commit-hooks: check-yaml" in message
    assert "no linter + formatter hooks" in message
    assert "rev not pinned to a release tag: https://github.com/astral-sh/ruff-pre-commit@main" \
        in message
    assert "allows 5000 KB, above the 1000 KB limit" in message
    black = config().replace("id: ruff-format", "id: black").replace("id: ruff\n",
                                                                     "id: isort\n")
    assert "pass" in statuses(results_for(make_repo({".pre-commit-config.yaml": black,
                                                     "a.py": ""}), "GIT003"))


@pytest.mark.parametrize(("files", "words"), [
    ({}, "no .pre-commit-config.yaml"),
    ({".pre-commit-config.yaml": "repos: [\n"}, "cannot read .pre-commit-config.yaml"),
])
def test_git003_004_missing_or_broken(make_repo: MakeRepo, results_for: Results,
                                      files: dict[str, str], words: str) -> None:
    for rule in ("GIT003", "GIT004"):
        results = results_for(make_repo(files), rule)
        assert statuses(results) == ["fail"] and words in results[0].message.en


def test_git004_complete_and_gaps(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({".pre-commit-config.yaml": config(), "src/a.py": ""}),
                          "GIT004")
    assert statuses(results) == ["pass"] and "(conventional-pre-commit)" in results[0].message.en
    bare = config().replace("      - id: detect-private-key\n", "") \
        .replace("        stages: [commit-msg]\n", "        stages: [pre-push]\n") \
        .replace("      - id: mypy\n", "      - id: mypy\n        files: ^nothing/\n")
    results = results_for(make_repo({".pre-commit-config.yaml": bare, "src/a.py": ""}), "GIT004")
    message = results[0].message.en
    assert statuses(results) == ["fail"]
    assert "mypy hook's files/exclude/types select none" in message
    assert "no secrets hook" in message and "no commit-message enforcer" in message


def test_git004_alternatives(make_repo: MakeRepo, results_for: Results) -> None:
    text = config().replace("id: detect-private-key", "id: detect-secrets").replace(
        "      - id: conventional-pre-commit\n        stages: [commit-msg]\n",
        "      - id: bandit\n")
    files = {".pre-commit-config.yaml": text, "src/a.py": "",
             "commitlint.config.js": "module.exports = {}\n"}
    results = results_for(make_repo(files), "GIT004")
    assert statuses(results) == ["fail"] and "without a .secrets.baseline" in results[0].message.en
    results = results_for(make_repo({**files, ".secrets.baseline": "{}"}), "GIT004")
    assert statuses(results) == ["pass"] and "bonus: bandit" in results[0].message.en
    cz = {".pre-commit-config.yaml": text.replace("id: bandit", "id: no-commit-to-branch"),
          "src/a.py": "", ".secrets.baseline": "{}", "pyproject.toml": "[tool.commitizen]\n"}
    assert statuses(results_for(make_repo(cz), "GIT004")) == ["pass"]
    no_mypy = config().replace("id: mypy", "id: pyupgrade")
    results = results_for(make_repo({".pre-commit-config.yaml": no_mypy, "src/a.py": ""}),
                          "GIT004")
    assert "no mypy hook" in results[0].message.en


# -- GIT005 ----------------------------------------------------------------------------------

NOTEBOOK = {"cells": [{"cell_type": "code", "outputs": [{"text": "1"}], "source": "1"},
                      {"cell_type": "code", "outputs": [], "source": "2"},
                      {"cell_type": "markdown", "source": "x"}], "nbformat": 4}


def test_git005_clean_repo_passes(make_repo: MakeRepo, results_for: Results) -> None:
    clean = dict(NOTEBOOK, cells=[{"cell_type": "code", "outputs": [], "source": "1"}])
    root = make_repo({"src/a.py": "x = 1\n", "tests/fixtures/sample.csv": "a,b\n1,2\n",
                      "nb.ipynb": json.dumps(clean),
                      "fixtures/bad-repo/nb.ipynb": json.dumps(NOTEBOOK)}, commits=["chore: init"])
    results = results_for(root, "GIT005")
    assert statuses(results) == ["pass"] and "4 files tracked" in results[0].message.en


def test_git005_findings(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"model.pkl": b"\x80\x04binary", "data/raw.csv": "a\n",
                      "mlruns/0/meta.yaml": "x: 1\n", "big.bin": b"\0" * 1_100_000,
                      "analysis.ipynb": json.dumps(NOTEBOOK), "broken.ipynb": "{not json",
                      "src/a.py": ""}, commits=["chore: init"])
    results = results_for(root, "GIT005")
    table = {(r.path, r.status.value) for r in results}
    assert table == {("model.pkl", "fail"), ("data/raw.csv", "fail"),
                     ("mlruns/0/meta.yaml", "fail"), ("big.bin", "fail"),
                     ("analysis.ipynb", "warn"), ("broken.ipynb", "warn")}
    notebook = next(r for r in results if r.path == "analysis.ipynb")
    assert notebook.message.en == "1/2 code cells keep their outputs"
    big = next(r for r in results if r.path == "big.bin")
    assert big.message.en == "big.bin is 1074 KB (limit 1000 KB) and tracked"
    lax = Config(thresholds=Thresholds.model_validate({"large-file-kb": 2000}))
    assert "big.bin" not in {r.path for r in results_for(root, "GIT005", config=lax)}


def test_git005_lfs_untracked_and_no_git(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({".gitattributes": "*.onnx filter=lfs diff=lfs merge=lfs -text\n",
                      "models/m.onnx": b"\0" * 2_000_000, "src/a.py": ""},
                     commits=["chore: init"])
    (root / "scratch.csv").write_text("a\n", encoding="utf-8")  # untracked: not judged
    assert statuses(results_for(root, "GIT005")) == ["pass"]
    plain = make_repo({".gitignore": "*.csv\n", "ignored.csv": "a\n", "kept.parquet": "x"})
    results = results_for(plain, "GIT005")
    assert [(r.path, r.status.value) for r in results] == [("kept.parquet", "fail")]
    assert "is not ignored in git" in results[0].message.en


def test_git005_caps_findings(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({f"d{i}.csv": "a\n" for i in range(25)})
    results = results_for(root, "GIT005")
    assert len(results) == 21
    assert [r.message.en for r in results if r.path is None] == [
        "... and 5 more large or data files"]


# -- GIT006 ----------------------------------------------------------------------------------


def pr_history(root: Path, merges: int, referenced: int) -> None:
    init_git(root, ["chore: init"])
    env = ["-c", "user.name=t", "-c", "user.email=t@t"]
    for i in range(merges):
        git(root, "checkout", "-q", "-b", f"b{i}")
        git(root, "commit", "-q", "--allow-empty", "-m", f"feat: change {i}")
        git(root, "checkout", "-q", "main")
        message = (f"Merge pull request #{i} from me/feature/x{i}" if i < referenced
                   else f"Merge branch 'b{i}'")
        git(root, *env, "merge", "-q", "--no-ff", f"b{i}", "-m", message)


def test_git006_complete(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"CHANGELOG.md": "# Changelog\n"})
    pr_history(root, merges=3, referenced=2)
    git(root, "tag", "v0.1.0")
    results = results_for(root, "GIT006")
    assert statuses(results) == ["pass", "pass", "pass"]
    assert any("2/3 merge/squash commits" in r.message.en for r in results)


def test_git006_failures(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"a": ""})
    pr_history(root, merges=3, referenced=1)
    git(root, "tag", "release-candidate")
    results = results_for(root, "GIT006")
    messages = sorted(r.message.en for r in results if r.status.value == "fail")
    assert messages == ["no CHANGELOG.md", "no semver release tag (v1.2.3)",
                        "only 1/3 merge/squash commits reference a PR (#N) or a feature/, fix/, "
                        "refactor/, experiment/ branch (needs 50 %)"]


def test_git006_squash_merges_and_direct_pushes(make_repo: MakeRepo,
                                                results_for: Results) -> None:
    squash = make_repo({"CHANGES.md": ""}, commits=[f"feat: thing {i} (#{i})" for i in range(5)])
    git(squash, "tag", "1.0.0")
    assert statuses(results_for(squash, "GIT006")) == ["pass"] * 3
    direct = results_for(make_repo({"a": ""}, commits=GOOD), "GIT006")
    assert any("every change went straight to the branch" in r.message.en for r in direct)


def test_git006_skips(make_repo: MakeRepo, results_for: Results, tmp_path: Path) -> None:
    assert results_for(make_repo({"a": ""}), "GIT006")[0].message.en == "not a git repository"
    short = results_for(make_repo({"a": ""}, commits=["a", "b"]), "GIT006")
    assert statuses(short) == ["skip"] and "2 commits" in short[0].message.en
    origin = make_repo({"a": ""}, commits=GOOD)
    clone = tmp_path / "shallow"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    assert results_for(clone, "GIT006")[0].message.en == "history too short (shallow clone?)"
    deeper = tmp_path / "deeper"
    git(tmp_path, "clone", "-q", "--depth", "6", f"file://{origin}", str(deeper))
    assert results_for(deeper, "GIT006")[0].message.en == "history too short (shallow clone?)"


# -- GIT007 ----------------------------------------------------------------------------------


def test_git007(make_repo: MakeRepo, results_for: Results, tmp_path: Path) -> None:
    repo = make_repo({"a.py": "", "sub/b.py": ""}, commits=["chore: init"])
    results = results_for(repo, "GIT007")
    assert statuses(results) == ["pass"] and "2 tracked files" in results[0].message.en
    assert statuses(results_for(repo / "sub", "GIT007")) == ["pass"]  # a subdirectory counts
    results = results_for(make_repo({"a.py": ""}), "GIT007")
    assert statuses(results) == ["fail"] and "history rules" in results[0].message.en
    clone = tmp_path / "c"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{repo}", str(clone))
    assert "(shallow clone)" in results_for(clone, "GIT007")[0].message.en


def test_without_pre_commit_config_the_whole_hook_list_is_named(
        make_repo: Callable[..., Path], results_for: Callable[..., list[Result]]) -> None:
    root = make_repo({"train.py": "import pandas\n"})
    git003 = results_for(root, "GIT003")
    git004 = results_for(root, "GIT004")
    assert {r.status.value for r in git003 + git004} == {"fail"}
    assert all("trailing-whitespace, end-of-file-fixer, check-yaml" in r.message.en
               and "ruff + ruff-format" in r.message.en for r in git003)
    assert all("mirrors-mypy" in r.message.en and "gitleaks" in r.message.en
               and "commit-msg" in r.message.en and "hace falta" in r.message.es
               for r in git004)
