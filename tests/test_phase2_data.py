"""DATA001 DVC initialised, DATA002 data under DVC, DATA003 remote, DATA004 pipeline."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import init_git, statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

DVC_CONFIG = "[core]\n    remote = storage\n['remote \"storage\"']\n    url = s3://bucket/dvc\n"
POINTER = "outs:\n- md5: 3f2a\n  size: 10\n  path: raw.csv\n"


def rows(results: list[Result]) -> list[tuple[int, str]]:
    return [(r.level, r.status.value) for r in results]


# -- DATA001 ---------------------------------------------------------------------------------


def test_data001(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({".dvc/config": DVC_CONFIG, ".dvcignore": ""},
                                    commits=["build: dvc"]), "DATA001")
    assert statuses(results) == ["pass"]
    # Data versioning is a level-2 practice of phase 2, weighed, not a gate (levels.md).
    assert (results[0].level, results[0].gate) == (2, False)
    no_ignore = results_for(make_repo({".dvc/config": ""}), "DATA001")
    assert statuses(no_ignore) == ["pass"] and ".dvcignore is missing" in no_ignore[0].message.en
    missing = results_for(make_repo({"data/raw.csv": "a,b\n"}), "DATA001")
    assert statuses(missing) == ["fail"] and "not initialised" in missing[0].message.en
    no_data = results_for(make_repo({"a": ""}), "DATA001")
    assert statuses(no_data) == ["skip"]
    assert no_data[0].message.en.startswith("not applicable: no data in the repository")
    root = make_repo({".dvc/config": "", "a": ""})
    init_git(root, add_all=False)
    assert statuses(results_for(root, "DATA001")) == ["warn"]


def test_data_paths_are_the_rules_applies_if() -> None:
    """The scaffold check reads the same data paths that make DATA001-DATA004 applicable."""
    from mlops_lint.catalog import load_catalog
    from mlops_lint.rules.data._shared import DATA_PATHS
    catalog = load_catalog()
    for rule_id in ("DATA001", "DATA002", "DATA003", "DATA004"):
        rule = catalog.by_id(rule_id)
        assert rule is not None and rule.applies_if == DATA_PATHS, rule_id


# -- DATA002 ---------------------------------------------------------------------------------


def test_data002_pointer_ignored_by_dvc_gitignore(make_repo: MakeRepo,
                                                  results_for: Results) -> None:
    root = make_repo({"data/raw.csv.dvc": POINTER.replace("raw.csv", "raw.csv"),
                      "data/.gitignore": "/raw.csv\n", "data/raw.csv": "a,b\n"},
                     commits=["data: add"])
    results = results_for(root, "DATA002")
    assert statuses(results) == ["pass"]
    assert (results[0].path, results[0].line) == ("data/raw.csv.dvc", 2)
    assert "data/raw.csv" in results[0].message.en


def test_data002_problems(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"data/raw.csv.dvc": POINTER, "data/raw.csv": "a\n",
                      "models/m.pkl.dvc": POINTER.replace("raw.csv", "m.pkl"),
                      "bad.dvc": "outs: [\n"}, commits=["chore: all in git"])
    results = results_for(root, "DATA002")
    table = sorted((r.status.value, r.path or "", r.message.en.split(":")[0]) for r in results)
    assert table == [
        ("fail", "bad.dvc", "cannot read the DVC pointer"),
        ("fail", "data/raw.csv.dvc", "data/raw.csv is versioned by DVC (data/raw.csv.dvc) and "
                                     "also tracked by git"),
        ("fail", "models/m.pkl.dvc", "models/m.pkl (models/m.pkl.dvc) is not gitignored"),
    ]


def test_data002_pointer_under_an_ignored_data_folder(make_repo: MakeRepo,
                                                      results_for: Results) -> None:
    root = make_repo({"data/raw.dvc": POINTER.replace("raw.csv", "raw"), ".gitignore": "data/\n",
                      "a.txt": ""})
    init_git(root, add_all=False)
    results = results_for(root, "DATA002")
    assert statuses(results) == ["fail"]  # data/ ignored wholesale: the pointer cannot be added
    assert results[0].path == "data/raw.dvc" and "can never be committed" in results[0].message.en
    assert "/data/*" in results[0].fix.en and "!/data/*.dvc" in results[0].fix.en
    # ignoring the data but not the pointers (what dvc add writes) lets the pointer in
    fixed = make_repo({"data/raw.dvc": POINTER.replace("raw.csv", "raw"),
                       ".gitignore": "/data/*\n!/data/*.dvc\n", "a.txt": ""})
    init_git(fixed, add_all=False)
    assert not any("can never be committed" in r.message.en
                   for r in results_for(fixed, "DATA002"))


def test_data002_pipeline_outs(make_repo: MakeRepo, results_for: Results) -> None:
    dvc_yaml = ("stages:\n  prepare:\n    cmd: python prep.py\n    deps: [prep.py]\n"
                "    outs:\n      - data/processed\n      - {models/m.pkl: {cache: true}}\n")
    pipeline = make_repo({"dvc.yaml": dvc_yaml, ".gitignore": "/data/processed\n"})
    results = results_for(pipeline, "DATA002")
    assert statuses(results) == ["pass"] and "data/processed" in results[0].message.en


def test_data002_untracked_pointer_warns(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"raw.csv.dvc": POINTER, ".gitignore": "/raw.csv\n", "a.txt": ""})
    init_git(root, add_all=False)
    results = results_for(root, "DATA002")
    assert sorted(statuses(results)) == ["pass", "warn"]
    assert "raw.csv.dvc is not committed" in next(
        r.message.en for r in results if r.status.value == "warn")


def test_data002_nothing(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"data/x.csv": "a\n"}), "DATA002")
    assert statuses(results) == ["fail"] and "no data versioned with DVC" in results[0].message.en


# -- DATA003 ---------------------------------------------------------------------------------


@pytest.mark.parametrize(("config", "expected", "words"), [
    (DVC_CONFIG, [(2, "pass"), (3, "pass")], "'storage' is remote storage (s3)"),
    ('[core]\nremote = local\n[remote "local"]\nurl = /tmp/dvc-storage\n',
     [(2, "pass"), (3, "fail")], "is a local path (/tmp/dvc-storage): level 2 at most"),
    ("[core]\nautostage = true\n", [(2, "fail"), (3, "fail")], "remotes defined: none"),
    ("[core]\nremote = gone\n['remote \"other\"']\nurl = gs://b\n", [(2, "fail"), (3, "fail")],
     "the default remote 'gone' has no url"),
    ("[core\nremote = x\n", [(2, "fail"), (3, "fail")], "cannot read .dvc/config"),
])
def test_data003(make_repo: MakeRepo, results_for: Results, config: str,
                 expected: list[tuple[int, str]], words: str) -> None:
    results = results_for(make_repo({".dvc/config": config}), "DATA003")
    assert rows(results) == expected
    assert any(words in r.message.en for r in results)


def test_data003_missing_config_and_local_file(make_repo: MakeRepo, results_for: Results) -> None:
    results = results_for(make_repo({"data/raw.csv": "a\n"}), "DATA003")
    assert rows(results) == [(2, "fail"), (3, "fail")] and "see DATA001" in results[0].message.en
    assert rows(results_for(make_repo({"a": ""}), "DATA003")) == [(2, "skip"), (3, "skip")]
    local = make_repo({".dvc/config": "[core]\n", ".dvc/config.local": "[core]\nremote = x\n"})
    assert "config.local is not committed" in results_for(local, "DATA003")[0].message.en


def test_dvc_initialised_in_a_sub_folder(make_repo: MakeRepo, results_for: Results) -> None:
    # dvc init run in a sub-folder (its .dvc/ beside its dvc.yaml), none at the root
    pipeline = "stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n"
    files = {"pyproject.toml": "[project]\nname = 'x'\n", "data/raw.csv": "a\n",
             "svc/.dvc/config": DVC_CONFIG, "svc/.dvcignore": "", "svc/dvc.yaml": pipeline,
             "svc/.dvc/config.local": "[core]\n"}
    root = make_repo(files)
    results = results_for(root, "DATA001")
    assert [(r.status.value, r.path) for r in results] == [("pass", "svc/.dvc/config")]
    assert results[0].message.en == "DVC is initialised (svc/.dvc/config)"
    results = results_for(root, "DATA003")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert {r.path for r in results} == {"svc/.dvc/config"}
    # a DVC config inside test data is a fixture, not the repository's DVC
    fixture = make_repo({"data/raw.csv": "a\n", "tests/fixtures/repo/.dvc/config": DVC_CONFIG})
    assert statuses(results_for(fixture, "DATA001")) == ["fail"]
    # a sub-folder config that does not parse is named
    broken = make_repo({"data/raw.csv": "a\n", "svc/.dvc/config": "[core\n"})
    assert "cannot read svc/.dvc/config" in results_for(broken, "DATA003")[0].message.en


# -- DATA004 ---------------------------------------------------------------------------------

PIPELINE = """\
stages:
  prepare:
    cmd: python src/prepare.py data/raw.csv
    deps:
      - src/prepare.py
      - data/raw.csv
    outs:
      - data/prepared.csv
  train:
    cmd: python -m churn.train --config params.yaml
    deps:
      - src/churn
      - data/prepared.csv
    params:
      - train.n_estimators
    outs:
      - models/model.joblib
  evaluate:
    cmd: ./scripts/evaluate.sh
    deps: [scripts/evaluate.sh, models/model.joblib]
    metrics:
      - metrics.json:
          cache: false
    plots:
      - plots/roc.json
"""


def test_data004_complete(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"dvc.yaml": PIPELINE, "params.yaml": "train:\n  n_estimators: 10\n",
                      "dvc.lock": "schema: '2.0'\n"}, commits=["build: pipeline"])
    results = results_for(root, "DATA004")
    assert rows(results) == [(2, "pass"), (3, "pass")]
    assert results[0].line == 2 and "plots declared" in results[1].message.en


def test_data004_defects(make_repo: MakeRepo, results_for: Results) -> None:
    broken = PIPELINE.replace("      - src/prepare.py\n", "").replace("          cache: false\n",
                                                                    "          cache: true\n")
    root = make_repo({"dvc.yaml": broken, "params.yaml": "x: 1\n"})
    results = results_for(root, "DATA004")
    assert rows(results) == [(2, "pass"), (3, "fail")]
    message = results[1].message.en
    assert "the script a stage runs is not among its deps: prepare (src/prepare.py)" in message
    assert "no stage declares metrics with cache: false" in message
    assert "dvc.lock is not committed" in message


def test_data004_level2_gaps(make_repo: MakeRepo, results_for: Results) -> None:
    one = "stages:\n  train:\n    cmd: python train.py\n    outs: [model.pkl]\n"
    results = results_for(make_repo({"dvc.yaml": one}), "DATA004")
    assert rows(results) == [(2, "fail"), (3, "fail")]
    message = results[0].message.en
    assert "1 stage(s); at least 2 are needed" in message
    assert "stages without cmd, deps and outs: train" in message
    assert "no stage lists params:" in message and "no params.yaml" in message
    assert "every stage needs deps" in results[1].message.en


def test_data004_foreach_custom_params_and_errors(make_repo: MakeRepo,
                                                  results_for: Results) -> None:
    foreach = ("stages:\n  build:\n    foreach: [a, b]\n    do:\n"
               "      cmd: python make.py ${item}\n"
               "      deps: [make.py]\n      outs:\n        - out/${item}\n"
               "      params:\n        - conf/p.yaml:\n            - seed\n"
               "  report:\n    cmd: [python report.py]\n    deps: [report.py, out]\n"
               "    metrics:\n      - m.json:\n          cache: false\n")
    root = make_repo({"dvc.yaml": foreach, "conf/p.yaml": "seed: 1\n", "dvc.lock": ""})
    assert rows(results_for(root, "DATA004")) == [(2, "pass"), (3, "pass")]  # no git: exists
    missing = results_for(make_repo({"data/raw.csv": "a\n"}), "DATA004")
    assert rows(missing) == [(2, "fail"), (3, "fail")]
    assert rows(results_for(make_repo({"a": ""}), "DATA004")) == [(2, "skip"), (3, "skip")]
    broken = results_for(make_repo({"dvc.yaml": "stages: [\n"}), "DATA004")
    assert statuses(broken) == ["fail", "fail"] and broken[0].path == "dvc.yaml"
