"""DOCK001-DOCK011 beyond the single-Dockerfile corpus: project scoping, .dockerignore,
multi-stage edge cases, compose, CI scans and image-size evidence."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result
from mlops_lint.rules.docker.dock002_dockerignore import ignored, parse_dockerignore
from mlops_lint.rules.docker.dock010_image_size import read_image_size

Runner = Callable[..., list[Result]]
Maker = Callable[..., Path]

GOOD = """\
FROM python:3.11-slim AS builder
COPY requirements.txt .
RUN pip install --no-cache-dir --prefix=/install -r requirements.txt
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY --from=builder /install /usr/local
COPY src/ ./src/
USER 1000
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
CMD ["uvicorn", "src.app:app", "--host", "0.0.0.0"]
"""
GOOD_IGNORE = ".git\n.venv\n**/__pycache__\ndata/\ntests/\nnotebooks/\n.env\nmlruns/\n.dvc/\n"


def worst(results: list[Result], level: int | None = None) -> str:
    found = statuses(results, level)
    for status in ("error", "fail", "warn", "pass", "waived", "manual", "skip"):
        if status in found:
            return status
    raise AssertionError("no result")


# -- no Dockerfile, project scoping ---------------------------------------------------


def test_no_dockerfile(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"README.md": "# x\n"})
    results = results_for(root, "DOCK")
    by_rule = {rule: worst([r for r in results if r.rule == rule])
               for rule in {r.rule for r in results}}
    assert by_rule["DOCK001"] == "fail"
    # the absence is reported once, by DOCK001; the rules about a Dockerfile point at it
    for rule in ("DOCK002", "DOCK003", "DOCK004", "DOCK005", "DOCK006", "DOCK007", "DOCK008",
                 "DOCK009"):
        assert by_rule[rule] == "skip", rule
    assert by_rule["DOCK010"] == "skip"
    # no Dockerfile and no serving app: nothing for a compose stack to run
    assert by_rule["DOCK011"] == "skip"
    dock005 = [r for r in results if r.rule == "DOCK005"]
    assert "see DOCK001" in dock005[0].message.en
    # without DOCK001 in the run, each rule still says that there is no Dockerfile
    alone = results_for(root, "DOCK005")
    assert statuses(alone) == ["fail"] and "see DOCK001" in alone[0].message.en


MONOREPO = {
    "pyproject.toml": "",
    "churn/pyproject.toml": "[project]\nname='churn'\n",
    "churn/src/churn/__init__.py": "",
    "churn/Dockerfile": GOOD,
    "fraud/pyproject.toml": "[project]\nname='fraud'\n",
    "fraud/src/fraud/__init__.py": "",
    "Dockerfile": GOOD.replace("USER 1000\n", ""),
}


def test_monorepo_own_dockerfile_and_shared_root(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo(MONOREPO)
    results = results_for(root, "DOCK005")
    churn = [r for r in results if r.project == "churn"]
    fraud = [r for r in results if r.project == "fraud"]
    assert [r.path for r in churn] == ["churn/Dockerfile"] and worst(churn) == "pass"
    # fraud has no Dockerfile of its own: the root Dockerfile (outside every project) is used
    assert [r.path for r in fraud] == ["Dockerfile"] and worst(fraud) == "fail"


def test_devcontainer_and_non_dockerfiles_not_judged(make_repo: Maker,
                                                     results_for: Runner) -> None:
    root = make_repo({"Dockerfile": GOOD, ".devcontainer/Dockerfile": "FROM python:3.11\n",
                      "Dockerfile.md": "# notes\n", "docker/api.Dockerfile": GOOD})
    dock001 = results_for(root, "DOCK001")
    assert {(r.path, r.status.value) for r in dock001} == {
        ("Dockerfile", "pass"), ("docker/api.Dockerfile", "pass"),
        (".devcontainer/Dockerfile", "skip")}
    assert {r.path for r in results_for(root, "DOCK005")} == {"Dockerfile",
                                                             "docker/api.Dockerfile"}


def test_every_dockerfile_is_judged(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"Dockerfile": GOOD, "Dockerfile.dev": "FROM python:3.11-slim\n"
                      "CMD [\"python\"]\n"})
    results = results_for(root, "DOCK005")
    assert {(r.path, r.status.value) for r in results} == {("Dockerfile", "pass"),
                                                          ("Dockerfile.dev", "fail")}


# -- DOCK001 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("tail", "expected", "needle"), [
    ('ENTRYPOINT ["uvicorn"]\nCMD app:app --host 0.0.0.0\n', "fail", "CMD at line"),
    ('ENTRYPOINT uvicorn app:app\n', "fail", "ENTRYPOINT at line"),
    ("", "fail", "no CMD or ENTRYPOINT"),
    ('ENTRYPOINT ["uvicorn"]\nCMD ["app:app"]\n', "pass", "exec-form ENTRYPOINT"),
])
def test_dock001_entrypoint_and_cmd(make_repo: Maker, results_for: Runner, tail: str,
                                    expected: str, needle: str) -> None:
    text = "FROM python:3.11-slim\nWORKDIR /app\nEXPOSE 8000\n" + tail
    results = results_for(make_repo({"Dockerfile": text}), "DOCK001")
    assert worst(results) == expected
    assert any(needle in r.message.en for r in results)


def test_dock001_workdir_and_expose_inherited(make_repo: Maker, results_for: Runner) -> None:
    text = ("FROM python:3.11-slim AS base\nWORKDIR /app\nEXPOSE 8000\n"
            "FROM base\nCMD [\"python\"]\n")
    assert statuses(results_for(make_repo({"Dockerfile": text}), "DOCK001")) == ["pass"]
    missing = "FROM python:3.11-slim\nCOPY app.py .\nCMD [\"python\", \"-m\", \"http.server\"]\n"
    results = results_for(make_repo({"Dockerfile": missing}), "DOCK001")
    messages = sorted(r.message.en for r in results)
    assert len(messages) == 2
    assert "has no EXPOSE" in messages[0] and "sets no WORKDIR" in messages[1]
    assert "COPY at line 2 copies to a relative destination (.)" in messages[1]


def test_dock001_no_expose_is_not_called_a_service_port_when_nothing_runs(
        make_repo: Maker, results_for: Runner) -> None:
    # a build-agent image: no CMD, no ENTRYPOINT, no EXPOSE
    text = "FROM python:3.11-slim\nWORKDIR /app\nRUN pip install --no-cache-dir ruff\n"
    results = results_for(make_repo({"Dockerfile": text}), "DOCK001")
    messages = [r.message.en for r in results]
    assert not any("service port" in m for m in messages)
    assert any("nothing shows a service" in r.message.en and r.status.value == "skip"
               for r in results)
    assert any("no CMD or ENTRYPOINT" in m for m in messages)  # that one still fails


def test_dock001_copy_operator_fix(make_repo: Maker, results_for: Runner) -> None:
    text = GOOD.replace("COPY src/ ./src/", "COPY configs/ ./configs/ || true")
    results = results_for(make_repo({"Dockerfile": text}), "DOCK001")
    fail = [r for r in results if r.status.value == "fail"]
    assert len(fail) == 1 and fail[0].line == 8 and "||" in fail[0].message.en
    assert "operadores" in fail[0].fix.es


# -- DOCK002 ---------------------------------------------------------------------------


def test_dockerignore_missing(make_repo: Maker, results_for: Runner) -> None:
    results = results_for(make_repo({"Dockerfile": GOOD}), "DOCK002")
    assert statuses(results, 1) == ["fail"] and statuses(results, 2) == ["fail"]


def test_dockerignore_complete(make_repo: Maker, results_for: Runner) -> None:
    results = results_for(make_repo({"Dockerfile": GOOD, ".dockerignore": GOOD_IGNORE}),
                          "DOCK002")
    assert statuses(results, 1) == ["pass"] and statuses(results, 2) == ["pass"]


def test_dockerignore_root_only_pycache_does_not_count(make_repo: Maker,
                                                       results_for: Runner) -> None:
    text = ".git\n.venv\n__pycache__\n*.pyc\ndata\ntests\n"
    results = results_for(make_repo({"Dockerfile": GOOD, ".dockerignore": text}), "DOCK002")
    fail = [r for r in results if r.level == 2]
    assert [r.status.value for r in fail] == ["fail"]
    assert "4 of the 9" in fail[0].message.en and "**/__pycache__" in fail[0].message.en


def test_dockerignore_per_dockerfile_and_subdir(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"docker/Dockerfile": GOOD, "docker/Dockerfile.dockerignore": GOOD_IGNORE})
    results = results_for(root, "DOCK002")
    assert {r.path for r in results} == {"docker/Dockerfile.dockerignore"}
    assert statuses(results, 2) == ["pass"]


GO_SERVICE = """\
FROM golang:1.22-alpine AS builder
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -o /go/bin/frontend .
FROM gcr.io/distroless/static
COPY --from=builder /go/bin/frontend /frontend
USER 65532
ENTRYPOINT ["/frontend"]
"""


def test_dockerignore_of_a_non_python_service_needs_only_what_applies(
        make_repo: Maker, results_for: Runner) -> None:
    files = {"svc/Dockerfile": GO_SERVICE, "svc/main.go": "package main\n",
             "svc/.dockerignore": "vendor/\n"}
    level2 = [r for r in results_for(make_repo(files), "DOCK002") if r.level == 2]
    assert [r.status.value for r in level2] == ["fail"]
    text = level2[0].message.en
    assert "a Go image" in text and ".git" in text and ".env" in text, text
    for python_entry in ("venv", "mlruns", ".dvc", "notebooks", "__pycache__", "data/"):
        assert python_entry not in text, text
    # .git and .env excluded: enough for a Go service with nothing else in its context
    files["svc/.dockerignore"] = "vendor/\n.git\n.env\n"
    level2 = [r for r in results_for(make_repo(files), "DOCK002") if r.level == 2]
    assert [r.status.value for r in level2] == ["pass"], level2[0].message.en
    # a data/ folder is the service's own runtime data (COPY . . ships it): not required
    files["svc/data/rates.json"] = "{}\n"
    level2 = [r for r in results_for(make_repo(files), "DOCK002") if r.level == 2]
    assert [r.status.value for r in level2] == ["pass"], level2[0].message.en
    # ML artefacts the context holds still count: a notebook beside it must be excluded
    files["svc/notebooks/eda.ipynb"] = "{}\n"
    level2 = [r for r in results_for(make_repo(files), "DOCK002") if r.level == 2]
    assert [r.status.value for r in level2] == ["fail"]
    assert "notebooks/*.ipynb" in level2[0].message.en


def test_dockerignore_matching() -> None:
    rules = parse_dockerignore("# c\n/data\n**/*.pyc\n!data/keep.csv\n*.ipynb\n\n")
    assert ignored(rules, "data/raw.csv")
    assert not ignored(rules, "data/keep.csv")
    assert ignored(rules, "src/a/b.pyc")
    assert ignored(rules, "eda.ipynb") and not ignored(rules, "notebooks/eda.ipynb")
    assert not ignored(parse_dockerignore("[a-c]x\n"), "dx")
    assert ignored(parse_dockerignore("[!a]x\n"), "bx")
    assert ignored(parse_dockerignore("file?.txt\n"), "file1.txt")


# -- DOCK004 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("text", "expected"), [
    ("FROM python:3.11-slim AS builder\nFROM builder\nCMD [\"x\"]\n", "fail"),
    ("FROM python:3.11-slim AS builder\nFROM python:3.11-slim\n"
     "COPY --from=ghcr.io/astral-sh/uv:0.4 /uv /bin/uv\n", "fail"),
    ("FROM python:3.11-slim\nRUN pip wheel -w /w x\nFROM python:3.11-slim\n"
     "COPY --from=0 /w /w\n", "warn"),
    ("FROM python:3.11-slim AS builder\nFROM python:3.11-slim AS base\n"
     "COPY --from=builder /w /w\nFROM base\nCMD [\"x\"]\n", "pass"),
    ("FROM python:3.11-slim AS builder\nFROM python:3.11-slim\nCOPY --from=builder /w /w\n"
     "RUN apt-get update && apt-get install -y --no-install-recommends build-essential "
     "&& rm -rf /var/lib/apt/lists/*\n", "warn"),
])
def test_dock004(make_repo: Maker, results_for: Runner, text: str, expected: str) -> None:
    assert worst(results_for(make_repo({"Dockerfile": text}), "DOCK004")) == expected


# -- DOCK006 and compose ---------------------------------------------------------------

COMPOSE_API = """\
services:
  api:
    build: .
    ports: ["8000:8000"]
    healthcheck:
      test: ["CMD", "curl", "-f", "http://localhost:8000/health"]
      interval: 30s
      timeout: 5s
      start_period: 20s
      retries: 3
"""


def test_dock006_compose_healthcheck_covers_dockerfile(make_repo: Maker,
                                                       results_for: Runner) -> None:
    text = "FROM python:3.11-slim\nUSER 1000\nCMD [\"python\"]\n"
    root = make_repo({"Dockerfile": text, "docker-compose.yml": COMPOSE_API})
    results = results_for(root, "DOCK006")
    assert statuses(results, 2) == ["pass"]
    level3 = [r for r in results if r.level == 3]
    # the compose probe runs curl inside the slim image, which lacks it
    assert [r.status.value for r in level3] == ["fail"] and "curl" in level3[0].message.en
    assert level3[0].path == "docker-compose.yml"


def test_dock006_compose_for_another_dockerfile(make_repo: Maker, results_for: Runner) -> None:
    text = "FROM python:3.11-slim\nUSER 1000\nCMD [\"python\"]\n"
    compose = COMPOSE_API.replace("build: .", "build: {context: ./worker}")
    root = make_repo({"Dockerfile": text, "docker-compose.yml": compose})
    assert statuses(results_for(root, "DOCK006"), 2) == ["fail"]


def test_dock006_compose_without_flags(make_repo: Maker, results_for: Runner) -> None:
    text = "FROM python:3.11-slim\nUSER 1000\nCMD [\"python\"]\n"
    compose = ("services:\n  api:\n    build:\n      context: .\n      dockerfile: Dockerfile\n"
               "    healthcheck:\n      test: [\"CMD-SHELL\", \"python -c 'print(1)'\"]\n")
    results = results_for(make_repo({"Dockerfile": text, "compose.yaml": compose}), "DOCK006")
    assert statuses(results, 2) == ["pass"] and statuses(results, 3) == ["fail"]


def test_dock006_unknown_probe_warns(make_repo: Maker, results_for: Runner) -> None:
    text = ("FROM python:3.11-slim\nHEALTHCHECK --interval=5s --timeout=2s --start-period=5s "
            "--retries=2 CMD [\"grpc_health_probe\", \"-addr=:50051\"]\nCMD [\"python\"]\n")
    assert statuses(results_for(make_repo({"Dockerfile": text}), "DOCK006"), 3) == ["warn"]
    copied = text.replace("CMD [\"python\"]", "COPY --from=ghcr.io/grpc-ecosystem/probe:1 "
                          "/ko-app/grpc_health_probe /bin/grpc_health_probe\nCMD [\"python\"]")
    assert statuses(results_for(make_repo({"Dockerfile": copied}), "DOCK006"), 3) == ["pass"]


def test_dock006_wget_on_alpine(make_repo: Maker, results_for: Runner) -> None:
    text = ("FROM python:3.11-alpine\nHEALTHCHECK --interval=5s --timeout=2s --start-period=5s "
            "--retries=2 CMD wget -qO- http://localhost:8000/health\nCMD [\"python\"]\n")
    assert statuses(results_for(make_repo({"Dockerfile": text}), "DOCK006"), 3) == ["pass"]


# -- DOCK007 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("body", "expected"), [
    ("COPY pyproject.toml poetry.lock ./\nRUN pip install --no-cache-dir poetry && "
     "poetry install --no-root\nCOPY . .\n", "pass"),
    ("COPY src ./src\nCOPY requirements.txt .\nRUN pip install --no-cache-dir -r "
     "requirements.txt\n", "fail"),
    ("RUN --mount=type=bind,source=requirements.txt,target=/tmp/r.txt pip install "
     "--no-cache-dir -r /tmp/r.txt\nCOPY . .\n", "pass"),
    ("COPY requirements.txt .\nRUN uv pip install --system -r requirements.txt\n", "fail"),
    ("COPY requirements.txt .\nRUN uv pip install --system --no-cache -r requirements.txt\n",
     "pass"),
    ("RUN apk add curl\n", "fail"),
    ("RUN pip install --no-cache uvicorn\n", "pass"),
    ("RUN pip install --no-c uvicorn\n", "fail"),
    ("RUN apk add --no-cache curl\n", "pass"),
    ("RUN --mount=type=cache,target=/var/lib/apt apt-get update && apt-get install -y "
     "--no-install-recommends curl\n", "pass"),
    ("COPY . .\nRUN pip install --no-cache-dir uvicorn\n", "pass"),
])
def test_dock007(make_repo: Maker, results_for: Runner, body: str, expected: str) -> None:
    text = f"FROM python:3.11-slim\nWORKDIR /app\n{body}CMD [\"python\"]\n"
    assert worst(results_for(make_repo({"Dockerfile": text}), "DOCK007")) == expected


def test_dock007_builder_copy_all_fails_with_stage(make_repo: Maker,
                                                   results_for: Runner) -> None:
    text = ("FROM python:3.11-slim AS builder\nCOPY . .\nRUN pip wheel -r requirements.txt "
            "-w /w && pip install -r requirements.txt\nFROM python:3.11-slim\n"
            "COPY --from=builder /w /w\n")
    results = results_for(make_repo({"Dockerfile": text}), "DOCK007")
    fail = [r for r in results if r.status.value == "fail"]
    assert len(fail) == 1 and fail[0].line == 2 and "stage 'builder'" in fail[0].message.en


# -- DOCK008 ---------------------------------------------------------------------------


def test_dock008_env_inherited_and_zero(make_repo: Maker, results_for: Runner) -> None:
    text = ("FROM python:3.11-slim AS base\nENV PYTHONDONTWRITEBYTECODE=1\n"
            "FROM base\nENV PYTHONUNBUFFERED=0\n")
    assert statuses(results_for(make_repo({"Dockerfile": text}), "DOCK008")) == ["pass"]
    missing = "FROM python:3.11-slim\nENV PYTHONUNBUFFERED=1\n"
    results = results_for(make_repo({"Dockerfile": missing}), "DOCK008")
    assert statuses(results) == ["fail"] and "PYTHONDONTWRITEBYTECODE" in results[0].message.en


# -- DOCK009 ---------------------------------------------------------------------------

TRIVY = """\
on: [push]
jobs:
  image:
    runs-on: ubuntu-latest
    steps:
      - uses: aquasecurity/trivy-action@0.28.0
        with:
          image-ref: app:latest
          {severity}
"""
HADOLINT_HOOK = """\
repos:
  - repo: https://github.com/hadolint/hadolint
    rev: v2.12.0
    hooks:
      - id: hadolint-docker
"""


@pytest.mark.parametrize(("files", "expected"), [
    ({".github/workflows/ci.yml": TRIVY.format(severity="severity: CRITICAL,HIGH"),
      ".pre-commit-config.yaml": HADOLINT_HOOK}, "pass"),
    ({".github/workflows/ci.yml": TRIVY.format(severity="format: table"),
      ".pre-commit-config.yaml": HADOLINT_HOOK}, "warn"),
    ({".github/workflows/ci.yml": TRIVY.format(severity="severity: CRITICAL,HIGH")}, "fail"),
    ({".github/workflows/ci.yml": TRIVY.format(severity="scan-type: fs"),
      ".pre-commit-config.yaml": HADOLINT_HOOK}, "fail"),
    ({".gitlab-ci.yml": "scan:\n  script:\n    - trivy image --severity HIGH,CRITICAL app\n"
                        "    - hadolint Dockerfile\n"}, "pass"),
    ({".github/workflows/ci.yml": "on: [push]\njobs:\n  l:\n    runs-on: x\n    steps:\n"
      "      - uses: hadolint/hadolint-action@v3.1.0\n      - run: grype app:1 --fail-on high\n"},
     "pass"),
])
def test_dock009(make_repo: Maker, results_for: Runner, files: dict[str, str],
                 expected: str) -> None:
    root = make_repo({"Dockerfile": GOOD, **files})
    assert worst(results_for(root, "DOCK009")) == expected


# -- DOCK010 ---------------------------------------------------------------------------


@pytest.mark.parametrize(("name", "content", "expected"), [
    ("reports/docker-image-inspect.json", json.dumps([{"Id": "x", "Size": 412_000_000}]),
     ["pass", "pass", "fail"]),
    ("reports/image-size.txt", "1.2 GB\n", ["fail", "fail", "fail"]),
    ("reports/docker-image-size.json", json.dumps({"size_mb": 150}), ["pass", "pass", "pass"]),
    ("reports/image-size.json", json.dumps({"size": "640MB"}), ["pass", "fail", "fail"]),
    ("image-size.txt", "180MiB", ["pass", "pass", "pass"]),
])
def test_dock010_evidence(make_repo: Maker, results_for: Runner, name: str, content: str,
                          expected: list[str]) -> None:
    results = results_for(make_repo({"Dockerfile": GOOD, name: content}), "DOCK010")
    assert [worst(results, level) for level in (1, 2, 3)] == expected


@pytest.mark.parametrize("content", ["{not json", json.dumps({"other": 1}), "no number"])
def test_dock010_unusable_evidence_skips(make_repo: Maker, results_for: Runner,
                                         content: str) -> None:
    name = "reports/image-size.txt" if content == "no number" else "reports/image-size.json"
    results = results_for(make_repo({name: content}), "DOCK010")
    assert set(statuses(results)) == {"skip"}


def test_dock010_no_evidence_skips(make_repo: Maker, results_for: Runner) -> None:
    results = results_for(make_repo({"Dockerfile": GOOD}), "DOCK010")
    assert set(statuses(results)) == {"skip"} and len(results) == 3


# -- DOCK011 ---------------------------------------------------------------------------

FULL_STACK = """\
services:
  api:
    build: .
    ports: ["8000:8000"]
    env_file: .env
    environment:
      MLFLOW_TRACKING_URI: http://mlflow:5000
      API_TOKEN: ${API_TOKEN}
    volumes:
      - ./models:/app/models:ro
    healthcheck:
      test: ["CMD", "python", "-c", "print(1)"]
    depends_on:
      mlflow:
        condition: service_healthy
    networks: [ml]
  mlflow:
    image: ghcr.io/mlflow/mlflow:v2.9.2
    volumes:
      - mlruns:/mlruns
    networks: [ml]
  prometheus:
    image: prom/prometheus:v2.48.0
    profiles: [monitoring]
networks:
  ml: {}
volumes:
  mlruns: {}
"""


def test_dock011_full_stack(make_repo: Maker, results_for: Runner) -> None:
    results = results_for(make_repo({"docker-compose.yml": FULL_STACK}), "DOCK011")
    assert statuses(results, 2) == ["pass"] and statuses(results, 3) == ["pass"]


def test_dock011_guide_template(make_repo: Maker, results_for: Runner) -> None:
    template = ("version: '3.8'\nservices:\n  app:\n    build: .\n    image: ml-app:latest\n"
                "    ports:\n      - \"8000:8000\"\n    environment:\n"
                "      - PYTHONUNBUFFERED=1\n      - DB_PASSWORD=hunter22\n")
    results = results_for(make_repo({"docker-compose.yml": template}), "DOCK011")
    level2 = [r for r in results if r.level == 2]
    assert [r.status.value for r in level2] == ["fail"]
    assert "healthcheck" in level2[0].message.en and "version:" in level2[0].message.en
    level3 = [r for r in results if r.level == 3]
    assert [r.status.value for r in level3] == ["fail"]
    assert "app.DB_PASSWORD" in level3[0].message.en


def test_dock011_writable_model_mount(make_repo: Maker, results_for: Runner) -> None:
    stack = FULL_STACK.replace("./models:/app/models:ro", "./models:/app/models")
    results = results_for(make_repo({"docker-compose.yml": stack}), "DOCK011")
    assert statuses(results, 3) == ["fail"] and "./models:/app/models" in results[-1].message.en


def test_dock011_missing_and_broken(make_repo: Maker, results_for: Runner) -> None:
    assert statuses(results_for(make_repo({"Dockerfile": GOOD}), "DOCK011")) == ["fail", "fail"]
    broken = results_for(make_repo({"docker-compose.yml": "services: [\n"}), "DOCK011")
    assert statuses(broken) == ["fail", "fail"] and broken[0].line is not None


def test_dock011_monorepo_root_compose(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({**MONOREPO, "docker-compose.demo.yml": FULL_STACK})
    results = results_for(root, "DOCK011")
    assert {r.project for r in results} == {"churn", "fraud"}
    assert set(statuses(results)) == {"pass"}


def test_dock011_profiles_only_for_optional_services_that_exist(make_repo: Maker,
                                                                 results_for: Runner) -> None:
    # api + database + MLflow: nothing optional, so no profiles are asked for
    core = FULL_STACK.replace("  prometheus:\n    image: prom/prometheus:v2.48.0\n"
                              "    profiles: [monitoring]\n",
                              "  db:\n    image: postgres:16\n")
    results = results_for(make_repo({"docker-compose.yml": core}), "DOCK011")
    assert statuses(results, 3) == ["pass"], [r.message.en for r in results]
    # an admin tool and a dashboard without profiles are named, with their file and line
    extra = core.replace("  db:\n", "  adminer:\n    image: adminer\n"
                         "  grafana:\n    image: grafana/grafana:10.2.0\n  db:\n")
    results = results_for(make_repo({"docker-compose.yml": extra}), "DOCK011")
    text = " ".join(r.message.en for r in results if r.level == 3)
    assert statuses(results, 3) == ["fail"]
    assert "monitoring" not in text and "adminer" in text and "grafana" in text, text
    assert "docker-compose.yml:" in text, text


def test_dock011_problems_cite_the_compose_file_they_are_in(make_repo: Maker,
                                                            results_for: Runner) -> None:
    demo = ("services:\n  api:\n    build: .\n    ports: [\"8000:8000\"]\n"
            "    healthcheck:\n      test: [\"CMD\", \"true\"]\nnetworks:\n  ml: {}\n")
    full = ("services:\n  api:\n    build: .\n  grafana:\n    image: grafana/grafana\n"
            "    profiles: [monitoring]\n    environment:\n"
            "      - GF_SECURITY_ADMIN_PASSWORD=admin\n"
            "  proxy:\n    image: nginx\n    volumes:\n      - ./models:/srv/models\n"
            "    depends_on:\n      - api\n")
    root = make_repo({"docker-compose.demo.yml": demo, "docker-compose.yml": full})
    level3 = [r for r in results_for(root, "DOCK011") if r.level == 3]
    assert [r.status.value for r in level3] == ["fail"]
    text = level3[0].message.en
    assert level3[0].path == "docker-compose.yml", level3[0].path
    assert "docker-compose.demo.yml" not in text, text
    assert "grafana.GF_SECURITY_ADMIN_PASSWORD (docker-compose.yml:8)" in text, text
    assert "./models:/srv/models (docker-compose.yml:12)" in text, text
    assert "proxy (docker-compose.yml:13)" in text, text


# -- helpers ---------------------------------------------------------------------------


def test_read_image_size_units(make_repo: Maker) -> None:
    from mlops_lint.rules.docker.dock010_image_size import _size_from_json, _size_from_text

    assert _size_from_text("412MB") == 412_000_000
    assert _size_from_text("1.5 GiB") == int(1.5 * 2**30)
    assert _size_from_text("123456") == 123456
    assert _size_from_json([{"VirtualSize": 5}]) == 5
    assert _size_from_json({"size_gb": 1}) == 10**9
    assert _size_from_json([1, 2]) is None
    assert read_image_size is not None


def test_exclusions_are_honoured(make_repo: Maker, results_for: Runner) -> None:
    from mlops_lint.config import Config

    root = make_repo({"Dockerfile": GOOD, "vendor/Dockerfile": "FROM python:3.11\n"})
    config = Config.model_validate({"exclude": ["vendor/**"]})
    assert {r.path for r in results_for(root, "DOCK005", config)} == {"Dockerfile"}


@pytest.mark.parametrize(("user", "expected"), [
    ("ARG UID=1000\nUSER ${UID}:${GID}", "pass"),
    ("ARG GID=0\nUSER ${UID}:${GID}", "warn"),
    ("USER root:${GID}", "fail"),
])
def test_dock005_only_the_user_part_decides(make_repo: Maker, results_for: Runner, user: str,
                                            expected: str) -> None:
    text = f"FROM python:3.11-slim\n{user}\nCMD [\"python\"]\n"
    assert worst(results_for(make_repo({"Dockerfile": text}), "DOCK005")) == expected


def test_dock008_scratch_needs_no_python_env(make_repo: Maker, results_for: Runner) -> None:
    text = "FROM python:3.11-slim AS b\nFROM scratch\nCOPY --from=b /app /app\n"
    assert statuses(results_for(make_repo({"Dockerfile": text}), "DOCK008")) == ["pass"]


def test_dock007_env_applies_only_after_it_is_set(make_repo: Maker,
                                                  results_for: Runner) -> None:
    text = ("FROM python:3.11-slim\nCOPY requirements.txt .\nRUN pip install -r requirements.txt\n"
            "ENV PIP_NO_CACHE_DIR=1\nRUN pip install uvicorn\n")
    results = results_for(make_repo({"Dockerfile": text}), "DOCK007")
    assert [(r.status.value, r.line) for r in results] == [("fail", 3)]


def test_dock006_reports_flags_and_missing_binary(make_repo: Maker, results_for: Runner) -> None:
    text = ("FROM python:3.11-slim\nUSER nobody\n"
            "HEALTHCHECK CMD curl -f http://localhost:8000/health\nCMD [\"python\"]\n")
    level3 = [r for r in results_for(make_repo({"Dockerfile": text}), "DOCK006") if r.level == 3]
    messages = " | ".join(r.message.en for r in level3)
    assert {r.status.value for r in level3} == {"fail"}
    assert "--interval" in messages and "curl" in messages


def test_dock007_wildcard_manifests(make_repo: Maker, results_for: Runner) -> None:
    text = ("FROM python:3.11-slim\nCOPY requirements.txt requirements.in* ./\n"
            "RUN pip install --no-cache-dir -r requirements.txt\nCOPY . .\n")
    assert statuses(results_for(make_repo({"Dockerfile": text}), "DOCK007")) == ["pass"]


def test_dock001_inline_comment_on_copy(make_repo: Maker, results_for: Runner) -> None:
    text = GOOD.replace("COPY src/ ./src/", "COPY src/ ./src/   # the code")
    fail = [r for r in results_for(make_repo({"Dockerfile": text}), "DOCK001")
            if r.status.value == "fail"]
    assert len(fail) == 1 and "# the code" in fail[0].message.en


def test_dock004_waived_by_adr(make_repo: Maker, results_for: Runner) -> None:
    from mlops_lint.config import Config

    adr = ("# ADR-007: single-stage image\n\n## Context\nPure-Python wheels only.\n\n"
           "## Decision\nOne stage on python:3.11-slim.\n\n## Consequences\nNo compilers.\n")
    single = "FROM python:3.11-slim\nCMD [\"python\"]\n"
    root = make_repo({"Dockerfile": single, "docs/decisions/ADR-007.md": adr})
    config = Config.model_validate({"waivers": {"DOCK004": "docs/decisions/ADR-007.md"}})
    assert set(statuses(results_for(root, "DOCK004", config))) == {"waived"}


@pytest.mark.parametrize(("text", "line"), [("", None), ("\r\n# nothing\r\n", None),
                                            ("FROM python:3.11-slim\r\nRUNX x\r\n", 2)])
def test_dock001_empty_and_crlf(make_repo: Maker, results_for: Runner, text: str,
                                line: int | None) -> None:
    results = results_for(make_repo({"Dockerfile": text}), "DOCK001")
    assert [(r.status.value, r.line) for r in results] == [("fail", line)]


@pytest.mark.parametrize(("healthcheck", "level2", "level3"), [
    ("{disable: true, test: [CMD, python, -c, 'print(1)']}", "fail", "fail"),
    ("{test: [NONE]}", "fail", "fail"),
    ("{test: python -c 'print(1)', interval: 5s, timeout: 2s, start_period: 5s, retries: 2}",
     "pass", "pass"),
    ("{test: {bad: 1}, interval: 5s, timeout: 2s, start_period: 5s, retries: 2}",
     "pass", "warn"),
])
def test_dock006_compose_healthcheck_shapes(make_repo: Maker, results_for: Runner,
                                            healthcheck: str, level2: str, level3: str) -> None:
    text = "FROM python:3.11-slim\nUSER 1000\nCMD [\"python\"]\n"
    compose = f"services:\n  api:\n    build: .\n    healthcheck: {healthcheck}\n"
    results = results_for(make_repo({"Dockerfile": text, "compose.yaml": compose}), "DOCK006")
    assert (worst(results, 2), worst(results, 3)) == (level2, level3)


@pytest.mark.parametrize("compose", ["- a\n- b\n", "services: [api]\nnetworks: [x]\n",
                                     "services:\n  api: 3\n"])
def test_dock011_type_confused_compose(make_repo: Maker, results_for: Runner,
                                       compose: str) -> None:
    results = results_for(make_repo({"docker-compose.yml": compose}), "DOCK011")
    assert statuses(results) == ["fail", "fail"]


def test_dock005_unresolved_base_without_user(make_repo: Maker, results_for: Runner) -> None:
    text = "ARG BASE\nFROM ${BASE}\nCMD [\"python\"]\n"
    assert statuses(results_for(make_repo({"Dockerfile": text}), "DOCK005")) == ["warn"]


# -- what the image runs: batch/CLI images, non-Python images ---------------------------

BATCH = """\
FROM python:3.11-slim
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
WORKDIR /app
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt
COPY jobs/ ./jobs/
USER 1000
CMD ["python", "-u", "jobs/train.py", "--epochs", "3"]
"""


def test_dock001_batch_and_cli_images_need_no_expose(make_repo: Maker,
                                                      results_for: Runner) -> None:
    train = "import argparse\nimport pandas as pd\n\ndef main() -> None:\n    pass\n"
    root = make_repo({"Dockerfile": BATCH, "jobs/train.py": train})
    results = results_for(root, "DOCK001")
    assert statuses(results) == ["skip", "pass"], [r.message.en for r in results]
    assert "jobs/train.py imports no web or network server" in results[0].message.en
    assert "EXPOSE" not in results[1].message.en
    # the same command running a script that serves is a server: EXPOSE is required
    serve = "from fastapi import FastAPI\napp = FastAPI()\n"
    root = make_repo({"Dockerfile": BATCH, "jobs/train.py": serve})
    assert "no EXPOSE" in " ".join(r.message.en for r in results_for(root, "DOCK001"
                                                                       ) if r.status.value
                                   == "fail")
    # a command-line tool (a headless load test, a module run with -m)
    cli = BATCH.replace('CMD ["python", "-u", "jobs/train.py", "--epochs", "3"]',
                        'ENTRYPOINT locust --headless -u 10 -f locustfile.py')
    assert "skip" in statuses(results_for(make_repo({"Dockerfile": cli}), "DOCK001"))
    module = BATCH.replace('"-u", "jobs/train.py", "--epochs", "3"', '"-m", "jobs.train"')
    assert statuses(results_for(make_repo({"Dockerfile": module, "jobs/train.py": train}),
                                "DOCK001")) == ["skip", "pass"]
    # a script that is not in the repository cannot be read: EXPOSE is still asked for
    assert worst(results_for(make_repo({"Dockerfile": BATCH}), "DOCK001")) == "fail"


GO_IMAGE = """\
FROM golang:1.22-alpine AS builder
WORKDIR /src
COPY . .
RUN CGO_ENABLED=0 go build -o /server .
FROM alpine:3.20
WORKDIR /app
COPY --from=builder /server /app/server
USER 1000
EXPOSE 8080
ENTRYPOINT ["/app/server"]
"""


def test_python_advice_only_for_python_images(make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"Dockerfile": GO_IMAGE})
    dock008 = results_for(root, "DOCK008")
    assert statuses(dock008) == ["skip"]
    assert "a Go image (copied from stage 'builder' (base golang:1.22-alpine))" in \
        dock008[0].message.en
    dock003 = results_for(root, "DOCK003")
    assert worst(dock003) == "pass" and "ML wheels" not in dock003[0].message.en
    for base in ("node:20-slim", "eclipse-temurin:21-jre",
                 "mcr.microsoft.com/dotnet/aspnet:8.0"):
        text = f"FROM {base}\nWORKDIR /app\nUSER 1000\nEXPOSE 80\nCMD [\"run\"]\n"
        assert worst(results_for(make_repo({"Dockerfile": text}), "DOCK008")) == "skip", base
    # Python installed on a generic base is a Python image: the advice applies
    python_on_alpine = GO_IMAGE.replace("WORKDIR /app\n",
                                        "WORKDIR /app\nRUN apk add --no-cache python3\n")
    assert worst(results_for(make_repo({"Dockerfile": python_on_alpine}), "DOCK008")) == \
        "fail"
    # a bare base with nothing to tell keeps the advice
    bare = "FROM debian:12-slim\nWORKDIR /app\nUSER 1000\nEXPOSE 80\nCMD [\"./run\"]\n"
    assert worst(results_for(make_repo({"Dockerfile": bare}), "DOCK008")) == "fail"
    # a builder's own tooling (python3 for node-gyp) does not make the runtime a Python image
    node = ("FROM node:20-alpine AS builder\nRUN apk add --no-cache python3 make g++\n"
            "COPY package*.json ./\nRUN npm install --only=production\n"
            "FROM alpine:3.20\nRUN apk add --no-cache nodejs\nWORKDIR /app\n"
            "COPY --from=builder /node_modules ./node_modules\nUSER 1000\nEXPOSE 7000\n"
            'ENTRYPOINT ["node", "server.js"]\n')
    results = results_for(make_repo({"Dockerfile": node}), "DOCK008")
    assert statuses(results) == ["skip"] and "a Node.js image" in results[0].message.en
    # a Go image with a compiler in its runtime stage still fails on the tooling
    tooling = GO_IMAGE.replace("FROM alpine:3.20\n", "FROM alpine:3.20\nRUN apk add gcc\n")
    assert worst(results_for(make_repo({"Dockerfile": tooling}), "DOCK008")) == "fail"


# -- templates/: a template repository's service is its project ------------------------

_SERVICE_PYPROJECT = '[project]\nname = "svc"\nversion = "0.1.0"\n'


def test_a_project_under_templates_owns_its_dockerfile(make_repo: Maker,
                                                       results_for: Runner) -> None:
    files = {"templates/service/pyproject.toml": _SERVICE_PYPROJECT,
             "templates/service/src/{service}/__init__.py": "",
             "templates/service/tests/test_x.py": "",
             "templates/service/Dockerfile": GOOD,
             "templates/service/docker-compose.yml": "services:\n  api:\n    build: .\n",
             "docs/templates/Dockerfile": "FROM python:3.8\n"}
    root = make_repo(files)
    results = results_for(root, "DOCK005")
    assert [(r.project, r.path, r.status.value) for r in results] == [
        ("templates/service", "templates/service/Dockerfile", "pass")]
    assert any(r.path == "templates/service/docker-compose.yml"
               for r in results_for(root, "DOCK011"))
    # a scaffold (placeholders a generator fills) is never the repository's own
    scaffold = dict(files)
    scaffold["templates/service/Dockerfile"] = GOOD.replace(
        "src.app:app", "{{ cookiecutter.package }}.app:app")
    results = results_for(make_repo(scaffold), "DOCK005")
    assert [r.status.value for r in results] == ["fail"]
    assert "no Dockerfile of this project's own" in results[0].message.en
    cookie = {"{{cookiecutter.slug}}/Dockerfile": GOOD, "README.md": "# x\n"}
    assert "no Dockerfile" in results_for(make_repo(cookie), "DOCK005")[0].message.en


def test_dock001_names_the_reader_templates_when_the_project_has_no_dockerfile(
        make_repo: Maker, results_for: Runner) -> None:
    root = make_repo({"docs/templates/Dockerfile": GOOD,
                      "docs/templates/Dockerfile_template": GOOD, "README.md": "# guide\n"})
    for rule in ("DOCK001", "DOCK002", "DOCK009"):
        results = results_for(root, rule)
        assert {r.status.value for r in results} == {"fail"}, rule
        text = results[0].message.en
        assert "no Dockerfile in this project" not in text, text
        assert "docs/templates/Dockerfile, docs/templates/Dockerfile_template" in text, text
        assert "none is the project's own" in text, text
    # without templates the plain message stays
    bare = results_for(make_repo({"README.md": "# x\n"}), "DOCK001")
    assert "no Dockerfile in this project" in bare[0].message.en


def test_scaffold_text_is_not_github_helm_or_go_templates() -> None:
    from mlops_lint.parsers.dockerfile import is_scaffold_text

    assert is_scaffold_text("FROM {{ base_image }}\n")
    assert is_scaffold_text("{% if gpu %}RUN x{% endif %}\n")
    assert is_scaffold_text("COPY {{cookiecutter.repo_name}} .\n")
    assert not is_scaffold_text("run: echo ${{ matrix.python }}\n")
    assert not is_scaffold_text("image: {{ .Values.image }}\n")
    assert not is_scaffold_text("HEALTHCHECK CMD docker inspect --format '{{.State}}' x\n")
    assert not is_scaffold_text("summary: {{ $labels.instance }} is down\n")


def test_dock003_untagged_base_is_called_full_only_when_it_is(make_repo: Maker,
                                                               results_for: Runner) -> None:
    def message(base: str) -> str:
        text = f"FROM {base}\nWORKDIR /app\nUSER 1000\nEXPOSE 80\nCMD [\"python\", \"a.py\"]\n"
        return results_for(make_repo({"Dockerfile": text}), "DOCK003")[0].message.en

    assert "means :latest, and a full image" in message("python")
    conda = message("conda/miniconda3")
    assert "means :latest)" in conda and "full image" not in conda


def test_the_only_project_in_a_sub_folder_gets_the_root_container_files(
        make_repo: Maker, results_for: Runner) -> None:
    compose = ("services:\n  api:\n    build: .\n    healthcheck:\n"
               "      test: [\"CMD\", \"curl\", \"-f\", \"http://localhost:8000/health\"]\n")
    root = make_repo({"service/pyproject.toml": _SERVICE_PYPROJECT,
                      "service/src/svc/__init__.py": "", "service/tests/test_x.py": "",
                      "Dockerfile": GOOD, "docker-compose.yml": compose})
    results = results_for(root, "DOCK011")
    assert {r.project for r in results} == {"service"}
    assert "no compose file" not in " ".join(r.message.en for r in results)
    dock005 = results_for(root, "DOCK005")
    assert [(r.path, r.status.value) for r in dock005] == [("Dockerfile", "pass")]
