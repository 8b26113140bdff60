"""Field-test regressions (batch A): false positives and negatives seen on real repositories.

Each case is a minimal synthetic reproduction, never the original code.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

GHP = "ghp_" + "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dF3hJ6"  # 36 characters after the prefix


def _messages(results: list[Result]) -> str:
    return " | ".join(str(r.message) for r in results)


# -- SEC002 ----------------------------------------------------------------------------------


@pytest.mark.xfail(strict=True, reason="field-test false positive, not fixed yet")
def test_sec002_terraform_references_are_not_literals(make_repo: MakeRepo,
                                                      results_for: ResultsFor) -> None:
    root = make_repo({"infra/main.tf": (
        'resource "aws_db_instance" "db" {\n  password = var.db_password\n}\n'
        'resource "x" "y" {\n  for_each = var.m\n  secret = each.value\n'
        '  token = local.api_token\n}\n'),
        "infra/prod.tfvars": "db_token = module.vault.token_value\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    bad = make_repo({"infra/main.tf": 'resource "x" "y" {\n  password = "Sup3rS3cretValue"\n}\n'})
    assert statuses(results_for(bad, "SEC002")) == ["fail"]


@pytest.mark.xfail(strict=True, reason="field-test false positive, not fixed yet")
def test_sec002_compose_defaults_inside_braces_are_placeholders(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({
        "docker-compose.yml": (
            "services:\n  minio:\n    environment:\n"
            "      - MINIO_ROOT_PASSWORD=${MINIO_ROOT_PASSWORD:-minioadmin}\n"
            "      - DB_URL=postgresql://${U:-mlflow}:${P:-xsecret}@db:5432/mlflow\n"),
        ".env.example": "API_TOKEN=${API_TOKEN:-devtoken123}\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    bad = make_repo({"docker-compose.yml": (
        "services:\n  minio:\n    environment:\n      - MINIO_ROOT_PASSWORD=minioadmin99\n")})
    assert statuses(results_for(bad, "SEC002")) == ["fail"]


@pytest.mark.xfail(strict=True, reason="field-test false positive, not fixed yet")
def test_sec002_markdown_prose_uses_only_strong_patterns(make_repo: MakeRepo,
                                                         results_for: ResultsFor) -> None:
    readme = ("# Deploy\n\nAdd secret: `GHCR_TOKEN`\n\nNeeds `permissions.id-token: write`.\n"
              'Create a token like "github_pat_11ABCDEFG..."\n'
              "Run `gcloud run deploy --secret=mlflow-tracking-token`\n"
              "password: hunter2hunter2\n")
    root = make_repo({"README.md": readme, "docs/setup.rst": "token = abcdef123456\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    bad = make_repo({"README.md": f"export GITHUB_TOKEN={GHP}\n"})
    assert statuses(results_for(bad, "SEC002")) == ["fail"]


@pytest.mark.xfail(strict=True, reason="field-test false positive, not fixed yet")
def test_sec002_trailing_ellipsis_is_a_placeholder(make_repo: MakeRepo,
                                                   results_for: ResultsFor) -> None:
    root = make_repo({"config.yaml": 'api_token: "sk-abc123..."\nclient_secret: "9f8e7d…"\n'})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


@pytest.mark.xfail(strict=True, reason="field-test false positive, not fixed yet")
def test_sec002_private_key_header_alone_is_not_a_key(make_repo: MakeRepo,
                                                      results_for: ResultsFor) -> None:
    root = make_repo({"scan.py": 'MARKER = "-----BEGIN PRIVATE KEY-----"\n',
                      "notes.yaml": "pattern: '-----BEGIN RSA PRIVATE KEY-----'\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n" * 3
    bad = make_repo({"deploy/key.pem": (
        f"-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n")})
    results = results_for(bad, "SEC002")
    assert statuses(results) == ["fail"]
    assert "private key" in _messages(results)


@pytest.mark.xfail(strict=True, reason="field-test false positive, not fixed yet")
def test_sec002_gitleaks_allowlist_is_honoured(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    files = {"src/settings.yaml": "api_token: Zq8xLm2Np4Rt\n",
             "fixtures/creds.yaml": "client_secret: Kp9wQe3Rt7Yu\n"}
    assert statuses(results_for(make_repo(files), "SEC002")) == ["fail", "fail"]
    allow = ('[allowlist]\ndescription = "fixtures"\npaths = ["""fixtures/.*"""]\n'
             "regexes = ['''Zq8xLm2Np4Rt''']\n")
    root = make_repo({**files, ".gitleaks.toml": allow})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


@pytest.mark.xfail(strict=True, reason="field-test false positive, not fixed yet")
def test_sec002_a_token_without_entropy_is_a_placeholder(make_repo: MakeRepo,
                                                         results_for: ResultsFor) -> None:
    root = make_repo({"ci.yaml": "env:\n  GH: " + "ghp_" + "x" * 36 + "\n",
                      "app.yaml": "api_token: aaaaaaaaaaaa\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


def test_git001_env_and_ENV_are_virtual_environments(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    base = "__pycache__/\n*.py[cod]\n.env\ndata/\n*.pkl\nmodels/\nmlruns/\n.coverage\nhtmlcov/\n"
    for venv in ("env/\n", "ENV/\n"):
        root = make_repo({".gitignore": base + venv})
        assert "virtual" not in _messages(results_for(root, "GIT001"))
