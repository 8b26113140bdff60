"""Build hostile repositories in a temporary directory (nothing large is committed).

:func:`build_hostile` writes one repository full of files that break parsers: broken,
binary, huge, oddly encoded, alias bombs, deep nesting, symlinks that leave the
repository or loop, odd file names. Files sit where rules look for them (``Dockerfile``,
``k8s/``, ``.github/workflows/``, ``infra/*.tf``, ``src/``, ``docs/``...), so that a rule
that reads one must report it. A few good files sit beside them: the rest of the
repository must still be checked.

:data:`TYPE_CONFUSED` files parse but hold the wrong types (``needs: 3``,
``containers: 3``, ``images: 3``): readers that trust the shape of the data crash there.

The other builders make odd repository shapes: empty, without git, a shallow clone, a
worktree (``.git`` is a file), a ``.git`` file pointing nowhere, a corrupt ``.git``.
"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Mapping
from pathlib import Path

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Test", "GIT_AUTHOR_EMAIL": "test@example.com",
    "GIT_COMMITTER_NAME": "Test", "GIT_COMMITTER_EMAIL": "test@example.com",
    "GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent-home",
}
HUGE_BYTES = 50 * 1024 * 1024
BINARY = bytes(range(256)) * 64  # NUL bytes up front: read as binary
NEST = 100_000  # nesting depth of the "deep" files


def git(root: Path, *args: str) -> str:
    env = {**os.environ, **GIT_ENV}
    done = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True,
                          env=env, check=True)
    return done.stdout


def alias_bomb(levels: int = 9, width: int = 9) -> str:
    """'Billion laughs': ``width ** levels`` leaves once every alias is expanded."""
    lines = [f"a0: &a0 [{', '.join(['lol'] * width)}]"]
    for i in range(1, levels + 1):
        lines.append(f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * width)}]")
    return "\n".join(lines) + "\n"


def deep_flow_yaml(depth: int = NEST) -> str:
    return "key: " + "[" * depth + "]" * depth + "\n"


def deep_block_yaml(depth: int = 3000) -> str:
    return "- " * depth + "x\n"


def huge_text(path: Path, size: int = HUGE_BYTES) -> None:
    """A real text file (not a sparse one of NULs) written in 1 MiB chunks."""
    line = b"# a line of padding text to make this file very large indeed\n"
    chunk = line * (1024 * 1024 // len(line) + 1)
    chunk = chunk[:1024 * 1024]
    with open(path, "wb") as handle:
        for _ in range(size // len(chunk)):
            handle.write(chunk)


GOOD_README = """# Hostile model

A repository built to break linters.

## Installation

```bash
pip install -e .
```

## Usage

```bash
python -m hostile
```

## License

MIT
"""

GOOD_K8S = """apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
spec:
  replicas: 2
  selector: {matchLabels: {app: api}}
  template:
    metadata: {labels: {app: api}}
    spec:
      containers:
        - name: api
          image: registry.example.com/api:1.2.3
          resources:
            requests: {cpu: 100m, memory: 128Mi}
            limits: {cpu: 500m, memory: 512Mi}
"""

GOOD_WORKFLOW = """name: ci
on: [push, pull_request]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: pip install -e . && pytest
"""

GOOD_DOCKERFILE = """FROM python:3.11-slim AS runtime
WORKDIR /app
COPY . .
RUN pip install --no-cache-dir .
USER 1000
CMD ["python", "-m", "hostile"]
"""

#: path -> content; every one of these is a problem file
PROBLEM_FILES: dict[str, str | bytes] = {
    # TOML
    "pyproject.toml": "[project\nname = 'hostile'\n",
    "ruff.toml": "line-length = = 3\n",
    ".gitleaks.toml": BINARY,
    "services/api/pyproject.toml": "[project]\nname = \"api\"\n" + "x = " + "[" * NEST + "\n",
    # YAML
    ".github/workflows/broken.yml": "on: push\njobs:\n  a: [unclosed\n\tb: tab\n",
    ".github/workflows/binary.yml": BINARY,
    ".github/workflows/bomb.yml": "on: push\n" + alias_bomb(),
    ".github/workflows/deep.yml": deep_flow_yaml(),
    ".github/workflows/cycle.yml": "on: &a {push: *a}\njobs: &j {x: *j}\n",
    ".gitlab-ci.yml": alias_bomb(),
    ".pre-commit-config.yaml": deep_block_yaml(),
    "mkdocs.yml": "site_name: x\nmarkdown_extensions:\n  - pymdownx.emoji:\n"
                  "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n",
    "docker-compose.yml": "services: &s\n  api: {build: ., depends_on: *s}\n",
    "dvc.yaml": "stages:\n  train: {cmd: [\n",
    "params.yaml": alias_bomb(12, 4),
    "k8s/bomb.yaml": alias_bomb(),
    "k8s/deep.yaml": deep_flow_yaml(),
    "k8s/broken.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: x\n---\n: : :\n",
    "k8s/binary.yaml": BINARY,
    "k8s/dupkeys.yaml": "apiVersion: v1\nkind: Pod\nkind: Service\n",
    "charts/app/Chart.yaml": "apiVersion: v2\nname: {{ .Values.name }}\n",
    "charts/app/templates/deploy.yaml": "{{- if .Values.on }}\nkind: {{ .Values.kind }}\n",
    # Dockerfiles
    "Dockerfile": "RUN echo before from\nFROM\nBOGUS instruction\n",
    "docker/Dockerfile.binary": BINARY,
    "docker/Dockerfile.utf16": GOOD_DOCKERFILE.encode("utf-16"),
    "docker/Dockerfile.heredoc": "FROM python:3.11\nRUN <<EOF\necho never closed\n",
    # HCL
    "infra/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n',
    "infra/binary.tf": BINARY,
    "infra/deep.tf": "locals {\n  x = " + "[" * 3000 + "]" * 3000 + "\n}\n",
    "terraform/vars.tf": 'variable "x" { default = "\\u{zz}" }}}\n',
    # JSON
    "notebooks/broken.ipynb": '{"cells": [ {"cell_type": "code", "outputs": [',
    "notebooks/deep.ipynb": "[" * NEST + "]" * NEST,
    "notebooks/binary.ipynb": BINARY,
    "coverage.json": '{"totals": {"percent_covered": "NaN"',
    # Python
    "src/hostile/broken.py": "def f(:\n    return\n",
    "src/hostile/binary.py": BINARY,
    "src/hostile/deep.py": "x = " + "+".join(["1"] * 50_000) + "\n",
    "src/hostile/parens.py": "x = " + "(" * 5000 + ")" * 5000 + "\n",
    "src/hostile/nulls.py": "x = 1\n\0\0\0\n",
    "setup.py": "from setuptools import setup\nsetup(name='hostile', version=\n",
    "tests/test_broken.py": "def test_(:\n",
    # Markdown and text
    "docs/model_card.md": "# Model card\n\n## Intended use\n\nÜnïcödé\n".encode("utf-16"),
    "docs/data_card.md": BINARY,
    "requirements.txt": "numpy==1.26.0\nscikit-learn\n".encode("utf-16"),
    "requirements-dev.txt": "pytest  # caf\xe9 d\xe9j\xe0 vu\n".encode("latin-1"),
    "Makefile": "test:\n\tpytest  # caf\xe9\n".encode("latin-1"),
    "CHANGELOG.md": b"\xff\xfe" + b"\x00\xd8" * 10,  # UTF-16 BOM, lone surrogates
    ".gitignore": b"build/\n\xff\xfe\xfd\n",
}

#: valid syntax, wrong types: a reader that trusts the shape of the data crashes
TYPE_CONFUSED: dict[str, str | bytes] = {
    ".github/workflows/types.yml": "on: 3\njobs:\n  a:\n    needs: 3\n    runs-on: [1, {a: b}]\n"
                                   "    steps: {x: 1}\n  b: [1]\n  c:\n    needs: [[1]]\n"
                                   "    steps: [1, null, {run: [1]}, {uses: 3, with: [1]}]\n",
    ".github/dependabot.yml": "version: x\nupdates: 3\n",
    ".circleci/config.yml": "jobs: 3\nworkflows: [1]\n",
    "k8s/types.yaml": "apiVersion: v1\nkind: Pod\nmetadata: 3\nspec:\n  containers: 3\n---\n"
                      "apiVersion: apps/v1\nkind: Deployment\nspec: {template: {spec: "
                      "{containers: [1, null, {name: 3, image: [1], resources: [1], "
                      "securityContext: 3, ports: 3, env: {a: 1}}]}}}\n---\n"
                      "apiVersion: v1\nkind: List\nitems: 3\n",
    "k8s/overlay/kustomization.yaml": "resources: 3\nimages: 3\npatches: 7\nnamespace: [1]\n",
    "compose.yaml": "services: {api: [1], web: {ports: 3, healthcheck: [1], depends_on: 3, "
                    "build: [1], volumes: 3, environment: 3}}\n",
    "services/odd/pyproject.toml": "[project]\nname = 3\ndependencies = \"x\"\n"
                                   "optional-dependencies = [1]\n"
                                   "[tool.pytest.ini_options]\naddopts = 3\n"
                                   "[tool.mypy]\nstrict = \"yes\"\n[tool.ruff]\n"
                                   "line-length = \"x\"\n[tool.coverage.report]\n"
                                   "fail_under = \"high\"\n",
    "services/odd/src/odd/__init__.py": "",
    "services/odd/tests/test_odd.py": "def test_odd():\n    pass\n",
    "configs/train.yaml": "- 1\n- [2]\n",
    "docs/model_card_front.md": "---\n- not a mapping\n---\n# Model card\n",
}

#: good files: they must still be read and checked
GOOD_FILES: dict[str, str | bytes] = {
    "README.md": GOOD_README,
    "k8s/good.yaml": GOOD_K8S,
    ".github/workflows/ok.yml": GOOD_WORKFLOW,
    "docker/Dockerfile": GOOD_DOCKERFILE,
    "src/hostile/__init__.py": '"""Hostile."""\n',
    "src/hostile/ok.py": "import json\n\n\ndef load(p):\n    return json.loads(p)\n",
    "tests/test_ok.py": "def test_ok():\n    assert True\n",
    "file with spaces.md": "# spaces\n",
    "dír ñ/módulo é.py": "x = 'ñ'\n",
    "docs/ünïcödé card.md": "# Model card\n",
}

#: symlinks, name -> target (relative targets are relative to the link's directory)
SYMLINKS: dict[str, str] = {
    "k8s/outside.yaml": "/etc/passwd",
    "Dockerfile.outside": "/etc/hostname",
    "docs/zero.md": "/dev/zero",
    "k8s/loop-a.yaml": "loop-b.yaml",
    "k8s/loop-b.yaml": "loop-a.yaml",
    "src/hostile/self.py": "self.py",
    "dirloop": ".",
    "k8s/root": "/",
    "k8s/dangling.yaml": "does-not-exist.yaml",
    "docs/readme-link.md": "../README.md",  # inside the repository: a normal read
}

#: the 50 MB text file
HUGE = "k8s/huge.yaml"
#: a file name that is not valid UTF-8
BAD_NAME = b"src/hostile/caf\xe9.py"


def write(root: Path, files: Mapping[str, str | bytes]) -> None:
    for rel, content in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            target.write_bytes(content)
        else:
            target.write_text(content, encoding="utf-8")


def build_hostile(root: Path, *, with_git: bool = True, huge: bool = True,
                  fifo: bool = False) -> Path:
    """The hostile repository at ``root`` (created). With git, one commit holds the good
    files and the hostile ones stay untracked (git lists them all the same)."""
    root.mkdir(parents=True, exist_ok=True)
    write(root, GOOD_FILES)
    if with_git:
        git(root, "init", "-q", "-b", "main")
        git(root, "config", "commit.gpgsign", "false")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "feat: good files")
    write(root, PROBLEM_FILES)
    write(root, TYPE_CONFUSED)
    for name, target in SYMLINKS.items():
        link = root / name
        link.parent.mkdir(parents=True, exist_ok=True)
        os.symlink(target, link)
    if huge:
        huge_text(root / HUGE)
    bad = os.path.join(os.fsencode(root), BAD_NAME)
    with open(bad, "wb") as handle:
        handle.write(b"x = 1\n")
    if fifo:
        for name in FIFOS:
            os.mkfifo(root / name)
    return root


FIFOS = ("docs/pipe.md", "Dockerfile.fifo")


def problem_paths() -> set[str]:
    """Paths of every planted problem file (as the tool names them)."""
    names = set(PROBLEM_FILES) | set(TYPE_CONFUSED) | {HUGE, *FIFOS}
    names |= {n for n in SYMLINKS if n not in ("docs/readme-link.md", "dirloop", "k8s/root")}
    return names


# -- odd repository shapes -------------------------------------------------------------

def small_files() -> dict[str, str | bytes]:
    return {"README.md": GOOD_README, "Dockerfile": GOOD_DOCKERFILE, "k8s/app.yaml": GOOD_K8S,
            ".github/workflows/ci.yml": GOOD_WORKFLOW, "src/pkg/__init__.py": "x = 1\n"}


def build_empty_git(root: Path) -> Path:
    """``git init`` and nothing else: no commit, no file."""
    root.mkdir(parents=True)
    git(root, "init", "-q", "-b", "main")
    return root


def build_empty_dir(root: Path) -> Path:
    root.mkdir(parents=True)
    return root


def build_no_git(root: Path) -> Path:
    root.mkdir(parents=True)
    write(root, small_files())
    return root


def _source_repo(root: Path, commits: int = 3) -> Path:
    root.mkdir(parents=True)
    write(root, small_files())
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "commit.gpgsign", "false")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "feat: first")
    for i in range(1, commits):
        (root / f"notes{i}.md").write_text(f"# note {i}\n", encoding="utf-8")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", f"docs: note {i}")
    return root


def build_shallow(root: Path) -> Path:
    """A ``git clone --depth 1`` of a three-commit repository."""
    source = _source_repo(root.parent / (root.name + "-source"))
    subprocess.run(["git", "clone", "-q", "--depth", "1", f"file://{source}", str(root)],
                   check=True, capture_output=True, env={**os.environ, **GIT_ENV})
    return root


def build_worktree(root: Path) -> Path:
    """A linked worktree: its ``.git`` is a file pointing at the main repository."""
    source = _source_repo(root.parent / (root.name + "-main"))
    git(source, "worktree", "add", "-q", "-b", "wt", str(root))
    return root


def build_dangling_git_file(root: Path) -> Path:
    """A ``.git`` file whose ``gitdir:`` does not exist."""
    build_no_git(root)
    (root / ".git").write_text("gitdir: /nonexistent/worktrees/gone\n", encoding="utf-8")
    return root


def build_corrupt_git(root: Path) -> Path:
    """A ``.git`` directory with a garbage HEAD."""
    _source_repo(root)
    (root / ".git" / "HEAD").write_bytes(BINARY)
    return root


def build_bombs(root: Path) -> Path:
    """Alias bombs wherever a rule may load YAML; the memory test runs on this."""
    root.mkdir(parents=True)
    bomb = alias_bomb()
    write(root, {
        "README.md": GOOD_README,
        "k8s/bomb.yaml": bomb, "k8s/bomb2.yml": "---\n" + bomb + "---\n" + bomb,
        ".github/workflows/bomb.yml": "on: push\n" + bomb,
        ".gitlab-ci.yml": bomb, "azure-pipelines.yml": bomb, ".circleci/config.yml": bomb,
        "docker-compose.yml": bomb, "params.yaml": bomb, "dvc.yaml": bomb, "mkdocs.yml": bomb,
        ".pre-commit-config.yaml": bomb, "prometheus.yml": bomb, "alert_rules.yml": bomb,
        "charts/app/values.yaml": bomb, "charts/app/Chart.yaml": bomb,
        "configs/train.yaml": bomb, ".github/dependabot.yml": bomb,
        "docs/model_card.md": "---\n" + bomb + "---\n# Model card\n",
    })
    git(root, "init", "-q", "-b", "main")
    return root


ODD_SHAPES = {
    "empty-git": build_empty_git,
    "empty-dir": build_empty_dir,
    "no-git": build_no_git,
    "shallow": build_shallow,
    "worktree": build_worktree,
    "dangling-git-file": build_dangling_git_file,
    "corrupt-git": build_corrupt_git,
}
