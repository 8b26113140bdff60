from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import git, init_git, write_tree
from mlops_lint.globs import compile_glob, filter_paths, matches
from mlops_lint.parsers import ParseError
from mlops_lint.repo import Repo
from mlops_lint.safe_read import MAX_READ_BYTES, decode


def test_walk_honours_gitignore_vendored_dirs_and_excludes(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        ".gitignore": "*.log\nbuild/\n!keep.log\n",
        "a.py": "", "debug.log": "", "keep.log": "", "build/x.py": "",
        "sub/.gitignore": "secret.txt\n", "sub/secret.txt": "", "sub/ok.txt": "",
        "node_modules/m/index.js": "", ".venv/lib/x.py": "", "pkg.egg-info/PKG-INFO": "",
        "notebooks/legacy/old.ipynb": "", "notebooks/new.ipynb": "",
    })
    repo = Repo(tmp_path, exclude=["notebooks/legacy/**"])
    assert not repo.is_git
    assert repo.files == (".gitignore", "a.py", "keep.log", "notebooks/new.ipynb",
                          "sub/.gitignore", "sub/ok.txt")


def test_git_inventory_lists_tracked_and_untracked_not_ignored_or_deleted(tmp_path: Path) -> None:
    write_tree(tmp_path, {".gitignore": "*.log\n", "tracked.py": "", "gone.py": ""})
    init_git(tmp_path)
    write_tree(tmp_path, {"new.py": "", "noise.log": ""})
    (tmp_path / "gone.py").unlink()
    repo = Repo(tmp_path)
    assert repo.is_git
    assert repo.files == (".gitignore", "new.py", "tracked.py")
    assert repo.is_tracked("tracked.py") and not repo.is_tracked("new.py")
    assert repo.git_info is not None and not repo.git_info.shallow


def test_a_subdirectory_of_a_git_repo_lists_paths_relative_to_itself(tmp_path: Path) -> None:
    write_tree(tmp_path, {"svc/app.py": "", "other.py": ""})
    init_git(tmp_path)
    repo = Repo(tmp_path / "svc")
    assert repo.files == ("app.py",)
    assert repo.is_tracked("app.py")


def test_git_command_failure_returns_none(tmp_path: Path) -> None:
    repo = Repo(tmp_path)
    assert repo.git("log") is None


def test_reads_are_safe(tmp_path: Path) -> None:
    outside = tmp_path / "outside.txt"
    outside.write_text("secret")
    root = tmp_path / "repo"
    write_tree(root, {
        "utf8.txt": "héllo", "bom.txt": b"\xef\xbb\xbfhi", "latin1.txt": b"caf\xe9",
        "utf16.txt": "hola".encode("utf-16"), "bin.py": b"\x00\x01\x02",
        "inside.txt": "in",
    })
    os.symlink(outside, root / "escape.txt")
    os.symlink(root / "inside.txt", root / "link.txt")
    os.symlink(root / "loop1", root / "loop2")
    os.symlink(root / "loop2", root / "loop1")
    with open(root / "big.txt", "wb") as handle:
        handle.truncate(MAX_READ_BYTES + 1)
    repo = Repo(root)
    assert repo.text("utf8.txt") == "héllo"
    assert repo.text("bom.txt") == "hi"
    assert repo.text("latin1.txt") == "caf\ufffd"
    assert repo.text("utf16.txt") == "hola"
    assert repo.text("link.txt") == "in"
    for path, fragment in [("bin.py", "binary"), ("escape.txt", "outside the repository"),
                           ("loop1", "symlink loop"), ("big.txt", "too large"),
                           ("missing.txt", "cannot read")]:
        problem = repo.text(path)
        assert isinstance(problem, ParseError), path
        assert fragment in problem.message, (path, problem.message)
        assert problem.path == path


def test_parse_caches_and_turns_errors_into_parse_errors(tmp_path: Path) -> None:
    write_tree(tmp_path, {"ok.toml": "a = 1\n", "bad.toml": "a = \n", "bad.py": "def (:\n",
                          "bad.yaml": "a: [\n"})
    repo = Repo(tmp_path)
    calls: list[str] = []

    def parser(text: str) -> str:
        calls.append(text)
        return text.upper()

    assert repo.parse("ok.toml", parser) == "A = 1\n"
    assert repo.parse("ok.toml", parser) == "A = 1\n"
    assert len(calls) == 1
    assert repo.toml("ok.toml") == {"a": 1}
    bad = repo.toml("bad.toml")
    assert isinstance(bad, ParseError) and bad.line == 1
    bad_py = repo.python("bad.py")
    assert isinstance(bad_py, ParseError) and bad_py.line == 1 and bad_py.where() == "bad.py:1"
    bad_yaml = repo.yaml("bad.yaml")
    assert isinstance(bad_yaml, ParseError) and bad_yaml.line is not None


def test_decode_replaces_undecodable_bytes() -> None:
    assert decode("x", b"ok \xff") == "ok \ufffd"
    assert isinstance(decode("x", b"a\x00b"), ParseError)


def test_projects_in_a_monorepo(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.ruff]\n",
        "projects/churn/pyproject.toml": "[project]\nname = 'bankchurn'\n",
        "projects/churn/src/churn/__init__.py": "",
        "projects/cars/setup.cfg": "[metadata]\nname = cars\n",
        "projects/cars/tests/test_x.py": "",
        "projects/notes/pyproject.toml": "",  # no src/ or tests/: not a project
        "README.md": "",
    })
    repo = Repo(tmp_path)
    assert [(p.path, p.name) for p in repo.projects] == [
        ("projects/cars", "cars"), ("projects/churn", "bankchurn")]
    churn = repo.projects[1]
    assert churn.files == ("projects/churn/pyproject.toml", "projects/churn/src/churn/__init__.py")
    assert churn.rel("src") == "projects/churn/src"
    assert churn.local(churn.files[0]) == "pyproject.toml"


def test_single_project_is_the_root(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "[project]\nname='solo'\n", "src/solo/__init__.py": ""})
    repo = Repo(tmp_path)
    assert [(p.path, p.name) for p in repo.projects] == [(".", "solo")]
    repo = Repo(write_tree(tmp_path / "nb", {"analysis.ipynb": "{}"}))
    assert [(p.path, p.name) for p in repo.projects] == [(".", "nb")]


def test_root_project_with_nested_projects_does_not_own_their_files(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "tests/test_a.py": "",
                          "libs/x/pyproject.toml": "", "libs/x/src/x/__init__.py": ""})
    repo = Repo(tmp_path)
    assert [p.path for p in repo.projects] == [".", "libs/x"]
    assert repo.projects[0].files == ("pyproject.toml", "tests/test_a.py")


@pytest.mark.parametrize("glob, path, expected", [
    ("**/Dockerfile", "Dockerfile", True),
    ("**/Dockerfile", "a/b/Dockerfile", True),
    ("**/Dockerfile", "a/Dockerfile.dev", False),
    ("docs/*.md", "docs/a/b.md", False),
    ("docs/**/*.md", "docs/a/b.md", True),
    ("docs/**/*.md", "docs/b.md", True),
    ("*.{yml,yaml}", "ci.yaml", True),
    ("[!.]*.py", ".hidden.py", False),
    ("file?.txt", "file1.txt", True),
    ("weird[", "weird[", True),
    ("brace{", "brace{", True),
    ("k8s/**", "k8s/a/b.yaml", True),
])
def test_globs(glob: str, path: str, expected: bool) -> None:
    assert bool(compile_glob(glob).match(path)) is expected


def test_glob_case_insensitivity() -> None:
    assert matches("docs/MODEL_CARD.md", ["docs/model_card.md"], case_sensitive=False)
    assert not matches("docs/MODEL_CARD.md", ["docs/model_card.md"])
    assert filter_paths(["a.py", "b.txt"], ["*.py"]) == ["a.py"]


def test_shallow_clone_is_detected(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    origin = make_repo({"a.txt": "1"}, commits=["chore: one", "chore: two", "chore: three"])
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", f"file://{origin}", str(clone))
    repo = Repo(clone)
    assert repo.git_info is not None and repo.git_info.shallow


def test_projects_inside_test_fixtures_are_data_not_projects(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": "[project]\nname='tool'\n", "src/tool/__init__.py": "",
        "tests/fixtures/sample/pyproject.toml": "", "tests/fixtures/sample/src/s/__init__.py": "",
        "fixtures/demo/pyproject.toml": "", "fixtures/demo/tests/test_x.py": "",
    })
    assert [p.path for p in Repo(tmp_path).projects] == ["."]


def test_each_file_belongs_to_the_deepest_project_above_it(tmp_path: Path) -> None:
    write_tree(tmp_path, {"pyproject.toml": "", "tests/test_a.py": "",
                          "libs/x/pyproject.toml": "", "libs/x/src/x/__init__.py": "",
                          "libs/x/plugins/y/pyproject.toml": "",
                          "libs/x/plugins/y/tests/test_y.py": "",
                          "libs/x-extra/pyproject.toml": "", "libs/x-extra/src/e.py": "",
                          "other/readme.md": ""})
    repo = Repo(tmp_path)
    owned = {p.path: p.files for p in repo.projects}
    assert owned == {
        ".": ("other/readme.md", "pyproject.toml", "tests/test_a.py"),
        "libs/x": ("libs/x/pyproject.toml", "libs/x/src/x/__init__.py"),
        "libs/x-extra": ("libs/x-extra/pyproject.toml", "libs/x-extra/src/e.py"),
        "libs/x/plugins/y": ("libs/x/plugins/y/pyproject.toml",
                             "libs/x/plugins/y/tests/test_y.py")}


def test_files_outside_every_project_belong_to_none(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/pyproject.toml": "", "a/src/m.py": "",
                          "b/pyproject.toml": "", "b/tests/test_b.py": "", "notes.md": ""})
    assert {p.path: p.files for p in Repo(tmp_path).projects} == {
        "a": ("a/pyproject.toml", "a/src/m.py"), "b": ("b/pyproject.toml", "b/tests/test_b.py")}


@pytest.mark.parametrize("globs", [
    ("svc/**/*.py",), ("svc/a/*.py", "svc/b/**"), ("svc/a/x.py", "other/**"),
    ("/svc/a/*.py",), ("svc/[ab]/*.py",), ("svc/{a,b}/x.py",), ("**/x.py",),
    ("svc/a",), ("svc/a/",), ("svc/a/**",), ("sv*/a/x.py",), ("svc\\/a/x.py",), (),
])
def test_glob_reads_only_the_literal_folder_and_finds_what_filter_paths_finds(
        tmp_path: Path, globs: tuple[str, ...]) -> None:
    files = ["svc/a/x.py", "svc/a/y.txt", "svc/a/deep/z.py", "svc/b/x.py", "svc/ab/x.py",
             "svc-b/a/x.py", "svcx/a/x.py", "other/o.py", "x.py", "svc/a"]
    write_tree(tmp_path, {f: "" for f in files if f != "svc/a"})
    repo = Repo(tmp_path)
    assert repo.glob(globs) == filter_paths(repo.files, globs)
    assert repo.glob(globs, case_sensitive=False) == filter_paths(repo.files, globs, False)


def test_has_dir_and_files_under(tmp_path: Path) -> None:
    write_tree(tmp_path, {"a/b/c.py": "", "a/bc.py": "", "ab/x.py": "", "z.py": ""})
    repo = Repo(tmp_path)
    assert repo.has_dir("a/b") and repo.has_dir("a/b/") and repo.has_dir("a")
    assert not repo.has_dir("a/bc") and not repo.has_dir("b") and not repo.has_dir("z.py")
    assert repo.files_under("a/") == ("a/b/c.py", "a/bc.py")
    assert repo.files_under("a/b") == ("a/b/c.py", "a/bc.py")
    assert repo.files_under("q/") == ()
    assert repo.files_under("") == repo.files


def _every_match(paths: list[str], globs: list[str], case_sensitive: bool) -> list[str]:
    return [p for p in paths if any(compile_glob(g, case_sensitive).match(p) for g in globs)]


@pytest.mark.parametrize("case_sensitive", [True, False])
def test_filter_paths_tail_check_finds_what_the_expressions_find(case_sensitive: bool) -> None:
    """The literal-tail test before the expression is a shortcut, never a filter of its
    own: the same paths, in the same order, as matching every path against every glob
    (letter case, Unicode case rules, braces, classes and escapes included)."""
    paths = ["Dockerfile", "svc/Dockerfile", "svc/dockerfile", "svc/Dockerfile.dev",
             "a/b.py", "a/B.PY", "a/b.pyc", "x.yml", "x.YAML", "docker-compose.prod.yml",
             "notes/KELVIN_\u212a", "notes/long_\u017f", "docs/ADR-1.md", "a/**", "[x].txt",
             "dir/sub/", "\u00e9t\u00e9.PY", "a*b", "README"]
    globs = [["**/Dockerfile"], ["**/*.py"], ["*.y*ml", "**/docker-compose*.y*ml"],
             ["**/*.{yml,yaml}"], ["notes/*k"], ["notes/*s"], ["**/ADR-*.md"], ["a/**"],
             ["\\[x].txt"], ["[x].txt"], ["a\\*b"], ["**"], ["README", "**/*.PY"]]
    for group in globs:
        assert filter_paths(paths, group, case_sensitive) == _every_match(
            paths, group, case_sensitive), group
