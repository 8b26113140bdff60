"""The CI reader: workflows (triggers, jobs, steps, defaults), action references and the
commands of other CI systems."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import (
    build_workflow,
    ci_commands,
    jenkins_commands,
    other_ci_files,
    parse_action,
    parse_workflow,
    swallows_failure,
    workflows,
)
from mlops_lint.repo import Repo

Maker = Callable[..., Path]

WORKFLOW = """\
name: CI
on:
  push:
    branches: [main]
  pull_request:
defaults:
  run:
    shell: bash
jobs:
  lint:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - name: Lint
        run: ruff check .
        continue-on-error: true
  test:
    needs: [lint]
    defaults:
      run:
        working-directory: proj
    strategy:
      matrix:
        python-version: ["3.11"]
    steps:
      - id: t
        run: pytest
        shell: sh
  build:
    needs: test
    steps: []
  reuse:
    uses: ./.github/workflows/reusable.yml
"""


def test_workflow_model() -> None:
    wf = build_workflow("w.yml", parse_workflow(WORKFLOW))
    assert wf.name == "CI"
    assert set(wf.on) == {"push", "pull_request"}
    assert wf.on["pull_request"] == {}
    lint, test, build, reuse = wf.jobs
    assert lint.steps[1].name == "Lint" and lint.steps[1].continue_on_error
    assert lint.steps[1].shell == "bash" and lint.steps[1].line == 14
    assert test.steps[0].working_directory == "proj" and test.steps[0].shell == "sh"
    assert test.steps[0].id == "t" and test.matrix == {"python-version": ["3.11"]}
    assert wf.ancestors("build") == {"lint", "test"}
    assert wf.job("missing") is None and wf.ancestors("missing") == set()
    assert reuse.uses == "./.github/workflows/reusable.yml" and lint.uses is None
    assert build.steps == () and test.key_line("strategy") == 22
    assert wf.key_line("defaults") == 6 and wf.key_line("nope") is None


@pytest.mark.parametrize("raw,expected", [
    ({True: {"push": None, "pull_request": {"branches": ["main"]}}},
     {"push": {}, "pull_request": {"branches": ["main"]}}),
    ({"on": "push"}, {"push": {}}),
    ({"on": ["push", "pull_request", {"x": 1}]}, {"push": {}, "pull_request": {}}),
    ({"on": 3}, {}),
])
def test_triggers_yaml_11_and_odd_shapes(raw: dict[object, object],
                                         expected: dict[str, object]) -> None:
    assert build_workflow("w.yml", raw).on == expected


def test_hostile_types_are_ignored() -> None:
    raw = parse_workflow("on: push\njobs:\n  a:\n    needs: 3\n    steps: {x: 1}\n"
                         "    strategy: [1]\n  b: [1]\n  c:\n    needs: [a, {x: 1}]\n"
                         "    steps:\n      - 3\n      - {name: {a: b}, run: [1]}\n")
    wf = build_workflow("w.yml", raw)
    assert [j.id for j in wf.jobs] == ["a", "c"]
    assert wf.jobs[0].needs == () and wf.jobs[0].steps == () and wf.jobs[0].strategy == {}
    assert wf.jobs[1].needs == ("a",)
    step = wf.jobs[1].steps[0]
    assert step.name is None and step.run is None
    with pytest.raises(ValueError):
        parse_workflow("- a list\n")


@pytest.mark.parametrize("uses,kind,name,ref,pinned,floating,major", [
    ("actions/checkout@v4", "action", "actions/checkout", "v4", False, False, 4),
    ("actions/checkout@v4.1.2", "action", "actions/checkout", "v4.1.2", False, False, 4),
    ("github/codeql-action/analyze@v3", "action", "github/codeql-action/analyze", "v3",
     False, False, 3),
    ("aquasecurity/trivy-action@master", "action", "aquasecurity/trivy-action", "master",
     False, True, None),
    ("Some/Action", "action", "some/action", None, False, True, None),
    ("actions/setup-python@" + "0" * 40, "action", "actions/setup-python", "0" * 40, True,
     False, None),
    ("pypa/gh-action-pypi-publish@release/v1", "action", "pypa/gh-action-pypi-publish",
     "release/v1", False, False, None),
    ("./.github/actions/x", "local", "./.github/actions/x", None, False, False, None),
    ("docker://alpine:3.19", "docker", "alpine:3.19", None, False, False, None),
])
def test_parse_action(uses: str, kind: str, name: str, ref: str | None, pinned: bool,
                      floating: bool, major: int | None) -> None:
    action = parse_action(uses)
    assert (action.kind, action.name, action.ref) == (kind, name, ref)
    assert (action.pinned, action.floating, action.major) == (pinned, floating, major)


def test_action_repo_drops_the_sub_path() -> None:
    assert parse_action("github/codeql-action/init@v3").repo == "github/codeql-action"


@pytest.mark.parametrize("text,swallowed", [
    ("pytest || true", True), ("flake8 || echo failed", True), ("x || :", True),
    ("x || exit 0", True), ("set +e\npytest", True), ("pytest || exit 1", False),
    ("pytest", False),
])
def test_swallows_failure(text: str, swallowed: bool) -> None:
    assert swallows_failure(text) is swallowed


def test_jenkins_commands_single_and_triple_quoted() -> None:
    text = "node {\n  sh 'pytest -q'\n  sh(script: \"flake8\")\n  sh '''\n    ruff check\n'''\n}\n"
    found = [(c.text.strip(), c.line) for c in jenkins_commands("Jenkinsfile", text)]
    assert found == [("pytest -q", 2), ("flake8", 3), ("ruff check", 4)]


def test_ci_commands_of_every_system(make_repo: Maker) -> None:
    root = make_repo({
        ".github/workflows/ci.yml": WORKFLOW,
        ".github/workflows/broken.yml": "on: [\n",
        ".gitlab-ci.yml": "lint:\n  script: [flake8]\n  allow_failure: true\n"
                          "test:\n  script:\n    - pytest || true\n",
        ".circleci/config.yml": "jobs:\n  t:\n    steps:\n      - run:\n"
                                "          command: pytest\n",
        "azure-pipelines.yml": "steps:\n  - script: pytest\n    continueOnError: true\n",
        "Jenkinsfile": "sh 'make test'\n",
        ".travis.yml": "script: [1, 2]\n",
    })
    repo = Repo(root)
    assert sorted(other_ci_files(repo)) == ["azure", "circleci", "gitlab", "jenkins", "travis"]
    got = {(c.system, c.text.strip(), c.blocking, c.cwd) for c in ci_commands(repo)}
    assert ("github", "ruff check .", False, None) in got
    assert ("github", "pytest", True, "proj") in got
    assert ("gitlab", "flake8", False, None) in got
    assert ("gitlab", "pytest || true", False, None) in got
    assert ("circleci", "pytest", True, None) in got
    assert ("azure", "pytest", False, None) in got
    assert ("jenkins", "make test", True, None) in got
    assert ci_commands(repo) is ci_commands(repo)  # parsed once per run
    broken = [w for w in workflows(repo) if isinstance(w, ParseError)]
    assert broken and broken[0].line is not None
