"""The forked parse worker: same results as parsing in-process, and no stray process."""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint import prefetch
from mlops_lint.catalog import Catalog
from mlops_lint.config import Config
from mlops_lint.engine import run
from mlops_lint.parsers.ci import parse_workflow
from mlops_lint.parsers.terraform import parse_hcl
from mlops_lint.parsers.yaml_file import load_yaml_all
from mlops_lint.repo import Repo

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"),
                                reason="the parse worker is only forked on Linux")


@pytest.fixture(autouse=True)
def _opt_in(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(prefetch.ENV, "1")

DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api-{n}
spec:
  replicas: 2
  template:
    spec:
      containers:
        - name: api
          image: registry.example.com/api:{n}.0.1
          resources:
            requests: {{cpu: 100m, memory: 128Mi}}
            limits: {{cpu: 500m, memory: 256Mi}}
          readinessProbe:
            httpGet: {{path: /health, port: 8000}}
---
apiVersion: v1
kind: Service
metadata:
  name: api-{n}
spec:
  selector: {{app: api-{n}}}
  ports: [{{port: 80, targetPort: 8000}}]
"""
WORKFLOW = """\
name: ci
on: [push]
jobs:
  test:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with: {python-version: "3.11"}
      - run: pytest -q
"""


def _big_repo(tmp_path: Path, broken: bool = False) -> Path:
    for n in range(160):  # about 130 KiB of manifests: enough for a worker
        target = tmp_path / "deploy" / f"api-{n}.yaml"
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(DEPLOYMENT.format(n=n), encoding="utf-8")
    if broken:
        (tmp_path / "deploy" / "bad.yaml").write_text("apiVersion: v1\nkind: [\n",
                                                      encoding="utf-8")
    (tmp_path / ".github" / "workflows").mkdir(parents=True)
    (tmp_path / ".github" / "workflows" / "ci.yml").write_text(WORKFLOW, encoding="utf-8")
    (tmp_path / "infra").mkdir()
    (tmp_path / "infra" / "main.tf").write_text(
        'resource "aws_s3_bucket" "models" {\n  bucket = "models"\n}\n', encoding="utf-8")
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "svc"\n', encoding="utf-8")
    return tmp_path


def _reaped(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return False


def test_parse_key_is_the_cache_key(tmp_path: Path) -> None:
    repo = Repo(_big_repo(tmp_path))
    repo.parse("deploy/api-0.yaml", load_yaml_all)
    assert prefetch.parse_key("deploy/api-0.yaml", load_yaml_all) in repo.parsed_keys()


def test_planned_groups_follow_the_order_checks_need_them(tmp_path: Path) -> None:
    repo = Repo(_big_repo(tmp_path))
    (workflows, manifests, terraform), weight = prefetch.planned(repo)
    assert workflows == [(".github/workflows/ci.yml", parse_workflow)]
    assert len(manifests) == 160 and all(parser is load_yaml_all for _, parser in manifests)
    assert terraform == [("infra/main.tf", parse_hcl)]
    assert weight >= prefetch.MIN_BYTES


def test_worker_results_equal_in_process_parses(tmp_path: Path) -> None:
    root = _big_repo(tmp_path, broken=True)
    ahead = Repo(root)
    worker = prefetch.start(ahead)
    assert worker is not None and ahead.worker is worker
    assert prefetch.start(ahead) is None  # one worker per repository
    here = Repo(root)
    jobs = [job for group in prefetch.planned(here)[0] for job in group]
    assert ("deploy/bad.yaml", load_yaml_all) in jobs
    for path, parser in jobs:
        assert ahead.parse(path, parser) == here.parse(path, parser), path
    assert not worker.pending and worker.stream is None  # everything delivered: reaped
    assert _reaped(worker.pid)
    prefetch.stop(ahead)
    assert ahead.worker is None


def test_a_dead_worker_means_parsing_in_process(tmp_path: Path) -> None:
    root = _big_repo(tmp_path)
    repo = Repo(root)
    worker = prefetch.start(repo)
    assert worker is not None
    os.kill(worker.pid, signal.SIGKILL)
    assert repo.parse("deploy/api-3.yaml", load_yaml_all) == Repo(root).yaml_all(
        "deploy/api-3.yaml")
    assert not worker.pending and _reaped(worker.pid)
    prefetch.stop(repo)


def test_stop_ends_an_unfinished_worker(tmp_path: Path) -> None:
    repo = Repo(_big_repo(tmp_path))
    worker = prefetch.start(repo)
    assert worker is not None
    prefetch.stop(repo)
    assert repo.worker is None and _reaped(worker.pid)
    assert repo.parse("infra/main.tf", parse_hcl) == Repo(tmp_path).parse("infra/main.tf",
                                                                           parse_hcl)


@pytest.mark.parametrize("setup", [
    lambda repo, mp: mp.delenv(prefetch.ENV),
    lambda repo, mp: mp.setenv(prefetch.ENV, "0"),
    lambda repo, mp: mp.setattr(prefetch, "MIN_BYTES", 10**9),
    lambda repo, mp: [repo.parse(p, f) for g in prefetch.planned(repo)[0] for p, f in g],
])
def test_no_worker_when_disabled_small_or_already_parsed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
        setup: Callable[[Repo, pytest.MonkeyPatch], object]) -> None:
    repo = Repo(_big_repo(tmp_path))
    setup(repo, monkeypatch)
    assert prefetch.start(repo) is None and repo.worker is None


def test_a_run_gives_the_same_report_with_and_without_the_worker(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, catalog: Catalog) -> None:
    root = _big_repo(tmp_path, broken=True)
    started: list[object] = []
    original = prefetch.start

    def spy(repo: Repo) -> object:
        worker = original(repo)
        started.append(worker)
        return worker

    monkeypatch.setattr(prefetch, "start", spy)
    ahead = run(Repo(root), catalog, Config())
    assert started and started[0] is not None
    monkeypatch.setenv(prefetch.ENV, "0")
    alone = run(Repo(root), catalog, Config())
    assert started[1] is None
    assert ahead.results == alone.results
    assert _reaped(started[0].pid)  # type: ignore[attr-defined]
