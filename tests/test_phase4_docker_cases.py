"""DOCK001-DOCK008 on a corpus of Dockerfile cases, one small repository per case.

``CASES`` is also the corpus of docs/comparisons/docker.md (the same files are given to
hadolint and Checkov): keep each case a complete Dockerfile
and its expected verdicts next to it.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint.model import SEVERITY_ORDER, Result, Status

# A Dockerfile that passes every Dockerfile rule: the cases below vary one thing at a time.
GOOD = """\
FROM python:3.11-slim AS builder
WORKDIR /build
RUN apt-get update && apt-get install -y --no-install-recommends gcc \\
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN python -m venv /opt/venv && /opt/venv/bin/pip install --no-cache-dir -r requirements.txt

FROM python:3.11-slim AS runtime
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PATH=/opt/venv/bin:$PATH
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
RUN useradd --create-home --uid 1000 appuser
COPY src/ ./src/
USER appuser
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
CMD ["uvicorn", "src.app:app", "--host", "0.0.0.0", "--port", "8000"]
"""

RUNTIME_TAIL = """\
WORKDIR /app
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=40s --retries=3 \\
  CMD ["python", "-c", "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"]
CMD ["uvicorn", "src.app:app", "--host", "0.0.0.0", "--port", "8000"]
"""

# The guide's TPL/Dockerfile (docs/templates/Dockerfile): curl probe on a slim base.
GUIDE_TEMPLATE = """\
FROM python:3.10-slim as builder
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends \\
    gcc \\
    python3-dev \\
    && rm -rf /var/lib/apt/lists/*
RUN python -m venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY requirements.txt .
RUN pip install --no-cache-dir --upgrade pip && \\
    pip install --no-cache-dir -r requirements.txt

FROM python:3.10-slim as runtime
WORKDIR /app
COPY --from=builder /opt/venv /opt/venv
ENV PATH="/opt/venv/bin:$PATH"
COPY src/ ./src/
COPY models/ ./models/
COPY configs/ ./configs/
RUN useradd --create-home --shell /bin/bash appuser && \\
    chown -R appuser:appuser /app
USER appuser
ENV PYTHONPATH=/app \\
    PYTHONUNBUFFERED=1 \\
    PYTHONDONTWRITEBYTECODE=1
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=10s --start-period=5s --retries=3 \\
    CMD curl -f http://localhost:8000/health || exit 1
CMD ["uvicorn", "src.api.main:app", "--host", "0.0.0.0", "--port", "8000"]
"""

# The guide's Level 1 (13 "13.1"): full base, COPY . . before install, root, shell CMD.
LEVEL1 = """\
FROM python:3.11
COPY . .
RUN pip install -r requirements.txt
CMD python app.py
"""


def _single(base: str, body: str = "", user: str = "USER 1000") -> str:
    return f"FROM {base}\n{body}{user}\n{RUNTIME_TAIL}"


DIGEST = "sha256:" + "a" * 64

# name -> (Dockerfile, {rule: expected status | (level-2 status, level-3 status)})
CASES: dict[str, tuple[str, dict[str, str | tuple[str, str]]]] = {
    "good": (GOOD, {"DOCK001": "pass", "DOCK003": "pass", "DOCK004": "pass",
                    "DOCK005": "pass", "DOCK006": ("pass", "pass"), "DOCK007": "pass",
                    "DOCK008": "pass"}),
    "guide_template": (GUIDE_TEMPLATE, {"DOCK001": "pass", "DOCK003": "pass", "DOCK004": "pass",
                                        "DOCK005": "pass", "DOCK006": ("pass", "fail"),
                                        "DOCK007": "pass", "DOCK008": "pass"}),
    "level1": (LEVEL1, {"DOCK001": "fail", "DOCK003": "fail", "DOCK004": "fail",
                        "DOCK005": "fail", "DOCK006": ("fail", "fail"), "DOCK007": "fail",
                        "DOCK008": "fail"}),
    "user_0": (_single("python:3.11-slim", user="USER 0"), {"DOCK005": "fail"}),
    "user_root_group": (_single("python:3.11-slim", user="USER root:root"),
                        {"DOCK005": "fail"}),
    "user_0_group": (_single("python:3.11-slim", user="USER 0:1000"), {"DOCK005": "fail"}),
    "user_numeric": (_single("python:3.11-slim", user="USER 1000:1000"), {"DOCK005": "pass"}),
    "user_arg_resolved": (_single("python:3.11-slim", "ARG UID=1000\n", "USER ${UID}"),
                          {"DOCK005": "pass"}),
    "user_arg_root": (_single("python:3.11-slim", "ARG RUN_AS=root\n", "USER $RUN_AS"),
                      {"DOCK005": "fail"}),
    "user_arg_unresolved": (_single("python:3.11-slim", "ARG UID\n", "USER ${UID}"),
                            {"DOCK005": "warn"}),
    "user_env_default": (_single("python:3.11-slim", "", "USER ${APP_UID:-1000}"),
                         {"DOCK005": "pass"}),
    "user_not_created": (_single("python:3.11-slim", user="USER appuser"),
                         {"DOCK005": "warn"}),
    "distroless_nonroot": (_single("gcr.io/distroless/python3-debian12:nonroot", user=""),
                           {"DOCK003": "pass", "DOCK005": "pass"}),
    "distroless_default_user": (_single("gcr.io/distroless/python3-debian12:latest", user=""),
                                {"DOCK003": "fail", "DOCK005": "fail"}),
    "chainguard": (_single(f"cgr.dev/chainguard/python:latest@{DIGEST}", user=""),
                   {"DOCK003": "pass", "DOCK005": "pass"}),
    "chainguard_dev": (_single("cgr.dev/chainguard/python:latest-dev", user=""),
                       {"DOCK005": "fail"}),
    "scratch": ("FROM python:3.11-slim AS build\nRUN pip install --no-cache-dir pyinstaller\n"
                "FROM scratch\nCOPY --from=build /dist/app /app\n"
                "WORKDIR /\nEXPOSE 8000\nENTRYPOINT [\"/app\"]\n",
                {"DOCK001": "pass", "DOCK003": "pass", "DOCK004": "pass", "DOCK005": "fail"}),
    "builder_user_only": ("FROM python:3.11-slim AS builder\nRUN useradd builder\nUSER builder\n"
                          "RUN pip install --no-cache-dir --user uvicorn\n"
                          "FROM python:3.11-slim\nCOPY --from=builder /home/builder/.local "
                          "/usr/local\n" + RUNTIME_TAIL,
                          {"DOCK004": "pass", "DOCK005": "fail"}),
    "builder_ends_root": ("FROM python:3.11-slim AS builder\nUSER root\n"
                          "RUN pip install --no-cache-dir --prefix=/install uvicorn\n"
                          "FROM python:3.11-slim\nCOPY --from=builder /install /usr/local\n"
                          "USER 1000\n" + RUNTIME_TAIL,
                          {"DOCK005": "pass"}),
    "user_inherited_chain": ("FROM python:3.11-slim AS base\nRUN useradd -u 1000 app\nUSER app\n"
                             "FROM base AS final\n" + RUNTIME_TAIL,
                             {"DOCK005": "pass"}),
    "root_after_chain": ("FROM python:3.11-slim AS base\nUSER 1000\n"
                         "FROM base AS final\nUSER root\n" + RUNTIME_TAIL,
                         {"DOCK005": "fail"}),
    "heredoc": ("FROM python:3.11-slim\nRUN <<EOF\nset -e\nuseradd -u 1000 app\n"
                "apt-get update\napt-get install -y curl\nEOF\nUSER app\n" + RUNTIME_TAIL,
                {"DOCK001": "pass", "DOCK005": "pass", "DOCK007": "fail"}),
    "lowercase": ("from python:3.11-slim as runtime\nworkdir /app\n"
                  "run useradd -u 1000 app\nuser app\nexpose 8000\n"
                  "healthcheck --interval=30s --timeout=5s --start-period=20s --retries=3 "
                  "cmd [\"python\", \"-c\", \"print(1)\"]\n"
                  "cmd [\"python\", \"-m\", \"http.server\"]\n",
                  {"DOCK001": "pass", "DOCK003": "pass", "DOCK005": "pass",
                   "DOCK006": ("pass", "pass")}),
    "registry_port": (_single("localhost:5000/team/img"), {"DOCK003": "fail"}),
    "registry_port_tag": (_single("localhost:5000/team/python:3.11-slim"),
                          {"DOCK003": "pass"}),
    "registry_mirror_full": (_single("registry.example.com:443/mirror/python:3.11"),
                             {"DOCK003": "fail"}),
    "unknown_base": (_single("nvidia/cuda:12.2.0-runtime-ubuntu22.04"), {"DOCK003": "warn"}),
    "digest_pinned_slim": (_single(f"python:3.11-slim@{DIGEST}"), {"DOCK003": "pass"}),
    "latest_with_digest": (_single(f"python:latest@{DIGEST}"), {"DOCK003": "fail"}),
    "latest": (_single("python:latest"), {"DOCK003": "fail"}),
    "alpine": (_single("python:3.11-alpine"), {"DOCK003": "warn"}),
    "arg_base": ("ARG PY=3.11\nFROM python:${PY}-slim\nUSER 1000\n" + RUNTIME_TAIL,
                 {"DOCK003": "pass"}),
    "arg_base_unresolved": ("ARG BASE\nFROM ${BASE}\nUSER 1000\n" + RUNTIME_TAIL,
                            {"DOCK003": "warn"}),
    "platform_flag": ("FROM --platform=$BUILDPLATFORM python:3.11-slim AS builder\n"
                      "RUN pip install --no-cache-dir --prefix=/install uvicorn\n"
                      "FROM python:3.11-slim\nCOPY --from=builder /install /usr/local\n"
                      "USER 1000\n" + RUNTIME_TAIL,
                      {"DOCK003": "pass", "DOCK004": "pass"}),
    "healthcheck_builder_only": ("FROM python:3.11-slim AS builder\n"
                                 "HEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]\n"
                                 "FROM python:3.11-slim\nWORKDIR /app\nUSER 1000\nEXPOSE 8000\n"
                                 "CMD [\"python\", \"-m\", \"app\"]\n",
                                 {"DOCK006": ("fail", "fail")}),
    "healthcheck_inherited": ("FROM python:3.11-slim AS base\nHEALTHCHECK --interval=30s "
                              "--timeout=5s --start-period=10s --retries=3 CMD [\"python\", "
                              "\"-c\", \"print(1)\"]\nFROM base\nWORKDIR /app\nUSER 1000\n"
                              "EXPOSE 8000\nCMD [\"python\", \"-m\", \"app\"]\n",
                              {"DOCK006": ("pass", "pass")}),
    "healthcheck_none": ("FROM python:3.11-slim\nUSER 1000\nWORKDIR /app\nEXPOSE 8000\n"
                         "HEALTHCHECK NONE\nCMD [\"python\", \"-m\", \"app\"]\n",
                         {"DOCK006": ("fail", "fail")}),
    "healthcheck_none_then_cmd": (_single("python:3.11-slim", user="USER 1000\nHEALTHCHECK NONE"),
                                  {"DOCK006": ("pass", "pass")}),
    "healthcheck_no_flags": ("FROM python:3.11-slim\nUSER 1000\nWORKDIR /app\nEXPOSE 8000\n"
                             "HEALTHCHECK CMD [\"python\", \"-c\", \"print(1)\"]\n"
                             "CMD [\"python\", \"-m\", \"app\"]\n",
                             {"DOCK006": ("pass", "fail")}),
    "curl_installed": ("FROM python:3.11-slim\nRUN apt-get update && apt-get install -y "
                       "--no-install-recommends curl && rm -rf /var/lib/apt/lists/*\n"
                       "USER 1000\nWORKDIR /app\nEXPOSE 8000\n"
                       "HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 "
                       "CMD curl -f http://localhost:8000/health || exit 1\n"
                       "CMD [\"python\", \"-m\", \"app\"]\n",
                       {"DOCK006": ("pass", "pass"), "DOCK007": "pass"}),
    "curl_full_base": ("FROM python:3.11\nUSER 1000\nWORKDIR /app\nEXPOSE 8000\n"
                       "HEALTHCHECK --interval=30s --timeout=5s --start-period=10s --retries=3 "
                       "CMD curl -f http://localhost:8000/health\n"
                       "CMD [\"python\", \"-m\", \"app\"]\n",
                       {"DOCK006": ("pass", "pass"), "DOCK003": "fail", "DOCK008": "fail"}),
    "shell_probe_distroless": ("FROM gcr.io/distroless/python3-debian12:nonroot\nWORKDIR /app\n"
                               "EXPOSE 8000\nHEALTHCHECK --interval=30s --timeout=5s "
                               "--start-period=10s --retries=3 CMD python -c 'print(1)'\n"
                               "CMD [\"app.py\"]\n",
                               {"DOCK006": ("pass", "fail"), "DOCK005": "pass"}),
    "copy_or_true": (_single("python:3.11-slim",
                             "COPY models/ ./models/ 2>/dev/null || true\n"),
                     {"DOCK001": "fail"}),
    "shell_cmd": ("FROM python:3.11-slim\nUSER 1000\nWORKDIR /app\nEXPOSE 8000\n"
                  "CMD uvicorn app:app --host 0.0.0.0\n", {"DOCK001": "fail"}),
    "single_quoted_exec": ("FROM python:3.11-slim\nUSER 1000\nWORKDIR /app\nEXPOSE 8000\n"
                           "CMD ['uvicorn', 'app:app']\n", {"DOCK001": "fail"}),
    "copy_all_before_install": (_single("python:3.11-slim",
                                        "WORKDIR /app\nCOPY . .\n"
                                        "RUN pip install --no-cache-dir -r requirements.txt\n"),
                                {"DOCK007": "fail"}),
    "pip_cache_mount": (_single("python:3.11-slim",
                                "COPY requirements.txt .\nRUN --mount=type=cache,"
                                "target=/root/.cache/pip pip install -r requirements.txt\n"),
                        {"DOCK007": "pass"}),
    "pip_env_no_cache": (_single("python:3.11-slim",
                                 "ENV PIP_NO_CACHE_DIR=1\nCOPY requirements.txt .\n"
                                 "RUN pip install -r requirements.txt\n"),
                         {"DOCK007": "pass"}),
    "pip_cache_left": (_single("python:3.11-slim",
                               "COPY requirements.txt .\nRUN pip install -r requirements.txt\n"),
                       {"DOCK007": "fail"}),
    "apt_no_cleanup": (_single("python:3.11-slim",
                               "RUN apt-get update && apt-get install -y libgomp1\n"),
                       {"DOCK007": "fail"}),
    "apt_in_builder_only": ("FROM python:3.11-slim AS builder\nRUN apt-get update && "
                            "apt-get install -y gcc\nRUN pip install --prefix=/install "
                            "numpy\nFROM python:3.11-slim\nCOPY --from=builder /install "
                            "/usr/local\nUSER 1000\n" + RUNTIME_TAIL,
                            {"DOCK007": "pass", "DOCK008": "fail"}),
    "add_local": (_single("python:3.11-slim", "ADD app.py /app/\n"), {"DOCK007": "warn"}),
    "add_url_archive": (_single("python:3.11-slim",
                                "ADD https://example.com/model.bin /models/\n"
                                "ADD vendor.tar.gz /opt/\n"), {"DOCK007": "pass"}),
    "gcc_in_runtime": (_single("python:3.11-slim",
                               "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1\n"
                               "RUN apt-get update && apt-get install -y "
                               "--no-install-recommends gcc libpq-dev && rm -rf "
                               "/var/lib/apt/lists/*\n"), {"DOCK008": "fail"}),
    "unparseable": ("FROM python:3.11-slim\nRUNN pip install x\nCMD [\"python\"]\n",
                    {"DOCK001": "fail", "DOCK005": "skip", "DOCK006": ("skip", "skip")}),
    "unterminated_heredoc": ("FROM python:3.11-slim\nRUN <<EOF\necho hi\n",
                             {"DOCK001": "fail", "DOCK003": "skip"}),
}


def _worst(results: list[Result], level: int | None = None) -> str:
    chosen = [r.status for r in results if level is None or r.level == level]
    assert chosen, "no result"
    return min(chosen, key=SEVERITY_ORDER.index).value


@pytest.fixture(scope="module")
def case_results(tmp_path_factory: pytest.TempPathFactory) -> dict[str, list[Result]]:
    from conftest import check_repo, write_tree
    from mlops_lint.catalog import load_catalog

    catalog = load_catalog()
    out = {}
    for name, (text, _) in CASES.items():
        root = tmp_path_factory.mktemp(name)
        write_tree(root, {"Dockerfile": text, "requirements.txt": "fastapi\n"})
        out[name] = check_repo(root, catalog, ("DOCK",))
    return out


@pytest.mark.parametrize(
    ("name", "rule"),
    [(name, rule) for name, (_, expected) in CASES.items() for rule in expected])
def test_case(case_results: dict[str, list[Result]], name: str, rule: str) -> None:
    expected = CASES[name][1][rule]
    results = [r for r in case_results[name] if r.rule == rule]
    if isinstance(expected, tuple):
        got: str | tuple[str, str] = (_worst(results, 2), _worst(results, 3))
    else:
        got = _worst(results)
    assert got == expected, [(r.level, r.status.value, r.line, r.message.en) for r in results]


def test_corpus_is_large_enough() -> None:
    assert len(CASES) >= 20


def test_no_case_errors(case_results: dict[str, list[Result]]) -> None:
    errors = [(n, r.rule, r.message.en) for n, rs in case_results.items() for r in rs
              if r.status is Status.ERROR]
    assert errors == []


def test_messages_name_stage_and_line(case_results: dict[str, list[Result]]) -> None:
    fail = next(r for r in case_results["builder_user_only"]
                if r.rule == "DOCK005" and r.status is Status.FAIL)
    assert fail.path == "Dockerfile"
    assert "stage 2 (line 5)" in fail.message.en and "line 3" in fail.message.en
    assert "etapa" in fail.message.es


def test_unparseable_fails_with_line(case_results: dict[str, list[Result]]) -> None:
    fail = next(r for r in case_results["unparseable"] if r.rule == "DOCK001")
    assert fail.status is Status.FAIL and fail.line == 2
    skips = [r for r in case_results["unparseable"] if r.rule == "DOCK004"]
    assert skips and all(r.status is Status.SKIP and "does not parse" in r.message.en
                         for r in skips)


def test_builder_healthcheck_is_named(case_results: dict[str, list[Result]]) -> None:
    fail = next(r for r in case_results["healthcheck_builder_only"]
                if r.rule == "DOCK006" and r.level == 2)
    assert "builder stage" in fail.message.en and fail.line == 2


def test_write_cases(tmp_path: Path, make_repo: Callable[..., Path]) -> None:
    """Every case is a distinct Dockerfile (the comparison runs each one)."""
    texts = [text for text, _ in CASES.values()]
    assert len(set(texts)) == len(texts)
