"""SEC001 .env handling, SEC002 hardcoded secrets (masked, never printed)."""

from __future__ import annotations

import base64
import hashlib
import json
import os
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import git, init_git, statuses, write_tree
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

# Built at run time so this file holds no secret-looking literal itself; the bodies are
# random-looking (a token whose body has no entropy, ghp_xxxx..., is a placeholder).
BODY = "aB3dE6gH9jK2mN5pQ8sT1vW4yZ7bC0dF3hJ6"  # 36 characters, mixed classes
AWS_KEY = "AKIA" + "QX7R2M9TZ4KP8LW3"
GITHUB_TOKEN = "ghp_" + BODY
HF_TOKEN = "hf_" + BODY[:34]
OPENAI_KEY = "sk-" + BODY + "Xy"
KEY_BODY = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n"
PRIVATE_KEY = ("-----BEGIN " + "RSA PRIVATE KEY-----\n" + KEY_BODY * 3
               + "-----END RSA PRIVATE KEY-----\n")
PASSWORD = "Tr0ub4dor" + "&3x"  # random-looking: 12 characters, classes change often
WEAK = "minio" + "admin99"  # low entropy: a default or a weak password


def found(results: list[Result]) -> list[tuple[str, str | None, int | None]]:
    return [(r.status.value, r.path, r.line) for r in results]


def messages(results: list[Result]) -> str:
    return " | ".join(r.message.en for r in results)


# -- SEC001 ----------------------------------------------------------------------------------


def test_sec001_env_example_present(make_repo: MakeRepo, results_for: Results) -> None:
    code = "import os\nURL = os.getenv('DB_URL')\n"
    root = make_repo({".gitignore": ".env\n", ".env": "X=1\n", ".env.example": "X=\n",
                      "src/p/db.py": code}, commits=["chore: init"])
    results = results_for(root, "SEC001")
    assert found(results) == [("pass", ".env.example", None)]


def test_sec001_committed_env_fails(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({".env": "X=1\n", "config/.env.prod": "Y=2\n", ".env.sample": "X=\n"},
                     commits=["chore: oops"])
    results = results_for(root, "SEC001")
    assert found(results) == [("fail", ".env", None), ("fail", "config/.env.prod", None)]
    assert "is committed" in results[0].message.en


def test_sec001_committed_env_says_what_it_holds(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    """Rotation is asked for only when the file holds something credential-like."""
    root = make_repo({".env": f"GH_TOKEN={GITHUB_TOKEN}\nDEBUG=1\n",
                      "a/.env": f"DB_PASSWORD={WEAK}\n", "b/.env": "DEBUG=1\nAPI_KEY=changeme\n"},
                     commits=["chore: oops"])
    by_path = {r.path: r for r in results_for(root, "SEC001")}
    leaked, weak, clean = by_path[".env"], by_path["a/.env"], by_path["b/.env"]
    assert "1 credential-like value(s) (ghp_****)" in leaked.message.en
    assert "rotate" in leaked.fix.en and "rota" in leaked.fix.es
    assert "low-entropy values (DB_PASSWORD=mi****)" in weak.message.en
    assert "rotate" not in weak.fix.en and "rota " not in weak.fix.es
    assert "holds no credential-like value" in clean.message.en
    assert "rotate" not in clean.fix.en and "git log -p -- b/.env" in clean.fix.en
    everything = " ".join(r.message.en + r.message.es + r.fix.en for r in by_path.values())
    assert GITHUB_TOKEN[4:] not in everything and WEAK not in everything


def test_sec001_present_but_not_ignored(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({".env": "X=1\n", "a.txt": ""})
    init_git(root, add_all=False)
    results = results_for(root, "SEC001")
    assert found(results) == [("warn", ".env", None)]
    assert "is not ignored" in results[0].message.en
    no_git = results_for(make_repo({".env": "X=1\n"}), "SEC001")
    assert statuses(no_git) == ["warn"]


# .env files are part of the workflow: a .gitignore line of the project's own, a README
# telling the reader to create one, a compose env_file:, a dotenv import
ENV_WORKFLOW = {".gitignore": "__pycache__/\n.env\n"}


@pytest.mark.parametrize(("files", "where"), [
    ({"src/p/a.py": "import os\nx = os.environ['TOKEN']\n", **ENV_WORKFLOW}, ("src/p/a.py", 2)),
    ({"app.py": "from os import getenv\nx = getenv('A')\n",
      "README.md": "Copy the settings into a `.env` file.\n"}, ("app.py", 2)),
    ({"s.py": "from pydantic_settings import BaseSettings\n\nclass S(BaseSettings):\n"
              "    port: int = 1\n", **ENV_WORKFLOW}, ("s.py", 3)),
    ({"docker-compose.yml": "services:\n  api:\n    image: x\n    env_file: .env\n"},
     ("docker-compose.yml", 4)),
    ({"main.py": "from dotenv import load_dotenv\nload_dotenv()\n"}, ("main.py", 2)),
])
def test_sec001_reading_env_needs_an_example(make_repo: MakeRepo, results_for: Results,
                                             files: dict[str, str],
                                             where: tuple[str, int]) -> None:
    results = results_for(make_repo(files), "SEC001")
    assert found(results) == [("warn", *where)]
    assert "no .env.example" in results[0].message.en


def test_sec001_committed_env_documents_the_variables(make_repo: MakeRepo,
                                                      results_for: Results) -> None:
    """A committed .env with placeholders documents the variables the code reads: the
    warning says they are documented only there, not that nothing documents them."""
    settings = ("from pydantic_settings import BaseSettings, SettingsConfigDict\n\n\n"
                "class Settings(BaseSettings):\n"
                "    model_config = SettingsConfigDict(env_file='../.env')\n"
                "    SECRET_KEY: str = 'changethis'\n")
    root = make_repo({".env": "SECRET_KEY=changethis\nPOSTGRES_PASSWORD=changethis\n",
                      "backend/app/config.py": settings}, commits=["chore: init"])
    results = results_for(root, "SEC001")
    assert found(results) == [("fail", ".env", None), ("warn", "backend/app/config.py", 4)]
    warn = results[1].message
    assert "no .env.example documenting them" not in warn.en
    assert "documented only in the committed .env, not in a .env.example" in warn.en
    assert "solo en el .env del repositorio" in warn.es


def test_sec001_tests_reading_env_do_not_count(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"tests/test_a.py": "import os\nos.environ['X'] = '1'\n"})
    assert statuses(results_for(root, "SEC001")) == ["pass"]


# -- SEC002 ----------------------------------------------------------------------------------


def test_sec002_clean_repo(make_repo: MakeRepo, results_for: Results) -> None:
    workflow = ("on: push\njobs:\n  d:\n    runs-on: ubuntu-latest\n    env:\n"
                "      API_KEY: ${{ secrets.API_KEY }}\n      TOKEN: $TOKEN\n    steps:\n"
                "      - uses: docker/login-action@v3\n        with:\n"
                "          password: ${{ secrets.GHCR_TOKEN }}\n")
    code = ("import os\nPASSWORD = os.environ['DB_PASSWORD']\napi_key: str = 'changeme'\n"
            "token = '<your-token>'\nsecret = 'REEMPLAZAR_CON_TU_SECRETO'\nmax_tokens = 512\n"
            "tokenizer = 'bert-base-uncased'\n"
            "KINDS = {'SealedSecret': 'Sealed Secrets controller'}\n"
            "masked_token = 'ab******'\n")
    root = make_repo({".github/workflows/cd.yml": workflow, "src/p/a.py": code,
                      ".env.example": "API_KEY=your-api-key\nDB_PASSWORD=\n",
                      "k8s/secret.yaml": "secretName: my-tls-cert\nkey: password\n",
                      "weights.bin": b"\x89PNG\0\0binary", "poetry.lock": "password = 'x'*9\n"},
                     commits=["chore: init"])
    results = results_for(root, "SEC002")
    assert statuses(results) == ["pass"]
    assert "1 binary or oversized file(s) not scanned" in results[0].message.en


def test_sec002_strong_patterns_are_masked(make_repo: MakeRepo, results_for: Results) -> None:
    files = {"src/p/keys.py": f"KEY_ID = '{AWS_KEY}'\n", "id_rsa": PRIVATE_KEY,
             "notebooks/n.ipynb": '{"cells": [{"source": "' + HF_TOKEN + '"}]}',
             "scripts/push.sh": f"curl -H 'Authorization: token {GITHUB_TOKEN}' x\n",
             "tests/test_llm.py": f"client = make('{OPENAI_KEY}')\n",
             "tests/test_db.py": "URL = 'postgresql://admin:" + PASSWORD + "@db/app'\n",
             "deploy.tf": 'url = "postgresql://admin:' + PASSWORD + '@db:5432/app"\n'}
    results = results_for(make_repo(files), "SEC002")
    table = sorted((r.path or "", r.status.value, r.message.en) for r in results)
    assert table == [
        ("deploy.tf", "fail",
         "possible random-looking password in a URL: postgresql://admin:Tr****@"),
        ("id_rsa", "fail", "possible private key: " + PRIVATE_KEY.splitlines()[0]),
        ("notebooks/n.ipynb", "fail", "possible Hugging Face token: hf_****"),
        ("scripts/push.sh", "fail", "possible GitHub token: ghp_****"),
        ("src/p/keys.py", "fail", "possible AWS access key id: AKIA****"),
        ("tests/test_db.py", "warn", "possible random-looking password in a URL in a test "
                                     "file: postgresql://admin:Tr****@"),
        ("tests/test_llm.py", "fail", "possible OpenAI API key: sk-****"),
    ]
    everything = " ".join(r.message.en + r.message.es for r in results)
    for secret in (AWS_KEY, GITHUB_TOKEN, HF_TOKEN, OPENAI_KEY, PASSWORD, KEY_BODY[:20]):
        assert secret not in everything and secret[5:] not in everything


def test_sec002_assignments(make_repo: MakeRepo, results_for: Results) -> None:
    code = (f"DB_PASSWORD = '{PASSWORD}'\nclient = Client(api_key='{PASSWORD}')\n"
            f"CONFIG = {{'secret_key': '{PASSWORD}'}}\n"
            f"def connect(password='{PASSWORD}'):\n    ...\n"
            f"import os\nTOKEN = os.getenv('HF_TOKEN', '{PASSWORD}')\n"
            "short = {'token': 'abc'}\n")
    files = {"src/p/settings.py": code,
             "config.yaml": f"db:\n  password: {PASSWORD}\n  user: admin\n",
             "infra/prod.tfvars": f'client_secret = "{PASSWORD}"\n',
             ".env.example": f"AWS_SECRET_ACCESS_KEY={PASSWORD}\n",
             "tests/test_db.py": f"password = '{PASSWORD}'\n"}
    results = results_for(make_repo(files), "SEC002")
    table = sorted((r.path or "", r.line or 0, r.status.value, r.message.en) for r in results)
    random = "possible random-looking literal for "
    assert table == [
        (".env.example", 1, "fail", random + "'AWS_SECRET_ACCESS_KEY' in an example or "
                                             "template file: AWS_SECRET_ACCESS_KEY = Tr****"),
        ("config.yaml", 2, "fail", random + "'password': password = Tr****"),
        ("infra/prod.tfvars", 1, "fail", random + "'client_secret': client_secret = Tr****"),
        ("src/p/settings.py", 1, "fail", random + "'DB_PASSWORD': DB_PASSWORD = Tr****"),
        ("src/p/settings.py", 2, "fail", random + "'api_key': api_key = Tr****"),
        ("src/p/settings.py", 3, "fail", random + "'secret_key': secret_key = Tr****"),
        ("src/p/settings.py", 4, "fail", random + "'password': password = Tr****"),
        ("src/p/settings.py", 7, "fail", random + "'HF_TOKEN': HF_TOKEN = Tr****"),
        ("tests/test_db.py", 1, "warn", random + "'password' in a test file: password = Tr****"),
    ]
    assert all("rotate" in r.fix.en for r in results if r.status.value == "fail")


def test_sec002_dockerfile(make_repo: MakeRepo, results_for: Results) -> None:
    dockerfile = (f"FROM python:3.11-slim\nARG PIP_INDEX_TOKEN\nENV API_KEY={PASSWORD} MODE=prod\n"
                  f"ENV DB_PASSWORD {WEAK}\nCOPY .env /app/.env\nCOPY .env.example /app/\n"
                  "ENV SECRET_KEY=${SECRET_KEY}\nARG HF_TOKEN=changeme\n")
    results = results_for(make_repo({"Dockerfile": dockerfile}), "SEC002")
    assert found(results) == [("fail", "Dockerfile", 3), ("fail", "Dockerfile", 4),
                              ("fail", "Dockerfile", 5)]
    assert results[0].message.en == ("possible ENV API_KEY bakes a secret into the image: "
                                     "ENV API_KEY=Tr****")
    assert "rotate" in results[0].fix.en
    assert results[1].message.en == ("possible ENV DB_PASSWORD bakes a low-entropy literal into "
                                     "the image: ENV DB_PASSWORD=mi****")
    assert "rotate" not in results[1].fix.en
    assert "COPY .env copies secrets" in results[2].message.en
    assert ".dockerignore" in results[2].fix.en


def test_sec002_untracked_files_and_inline_suppression(make_repo: MakeRepo,
                                                       results_for: Results) -> None:
    root = make_repo({"a.py": "x = 1\n"}, commits=["chore: init"])
    (root / "scratch.py").write_text(f"password = '{PASSWORD}'\n", encoding="utf-8")
    assert statuses(results_for(root, "SEC002")) == ["pass"]  # not tracked: not scanned
    (root / "b.py").write_text(f"password = '{PASSWORD}'  # mlops-lint: ignore[SEC002]\n",
                               encoding="utf-8")
    git(root, "add", "b.py")
    git(root, "commit", "-q", "-m", "test: fixture")
    assert statuses(results_for(root, "SEC002")) == ["waived"]


def test_sec002_caps_findings(make_repo: MakeRepo, results_for: Results) -> None:
    lines = "".join(f"K{i} = '{AWS_KEY[:-2]}{i:02d}'\n" for i in range(55))
    results = results_for(make_repo({"keys.py": lines}), "SEC002")
    assert len(results) == 51
    assert [r.message.en for r in results if r.path is None] == ["... and 5 more possible secrets"]


# -- SEC002 field-test regressions (minimal reproductions, never the original code) -----


def test_sec002_terraform_references_are_not_literals(make_repo: MakeRepo,
                                                      results_for: Results) -> None:
    root = make_repo({"infra/main.tf": (
        'resource "aws_db_instance" "db" {\n  password = var.db_password\n}\n'
        'resource "x" "y" {\n  for_each = var.m\n  secret = each.value\n'
        '  token = local.api_token\n}\n'),
        "infra/prod.tfvars": "db_token = module.vault.token_value\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    bad = make_repo({"infra/main.tf": 'resource "x" "y" {\n  password = "Sup3rS3cretValue"\n}\n'})
    assert statuses(results_for(bad, "SEC002")) == ["fail"]


def test_sec002_compose_defaults_inside_braces_are_placeholders(
        make_repo: MakeRepo, results_for: Results) -> None:
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


def test_sec002_markdown_prose_uses_only_strong_patterns(make_repo: MakeRepo,
                                                         results_for: Results) -> None:
    readme = ("# Deploy\n\nAdd secret: `GHCR_TOKEN`\n\nNeeds `permissions.id-token: write`.\n"
              'Create a token like "github_pat_11ABCDEFG..."\n'
              "Run `gcloud run deploy --secret=mlflow-tracking-token`\n"
              "password: hunter2hunter2\n")
    root = make_repo({"README.md": readme, "docs/setup.rst": "token = abcdef123456\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    bad = make_repo({"README.md": f"export GITHUB_TOKEN={GITHUB_TOKEN}\n"})
    assert statuses(results_for(bad, "SEC002")) == ["fail"]


def test_sec002_trailing_ellipsis_is_a_placeholder(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    root = make_repo({"config.yaml": 'api_token: "sk-abc123..."\nclient_secret: "9f8e7d…"\n'})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


def test_sec002_private_key_header_alone_is_not_a_key(make_repo: MakeRepo,
                                                      results_for: Results) -> None:
    root = make_repo({"scan.py": 'MARKER = "-----BEGIN PRIVATE KEY-----"\n',
                      "notes.yaml": "pattern: '-----BEGIN RSA PRIVATE KEY-----'\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    body = "MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC7VJTUt9Us8cKj\n" * 3
    bad = make_repo({"deploy/key.pem": (
        f"-----BEGIN PRIVATE KEY-----\n{body}-----END PRIVATE KEY-----\n")})
    results = results_for(bad, "SEC002")
    assert statuses(results) == ["fail"]
    assert "private key" in messages(results)


def test_sec002_gitleaks_allowlist_is_honoured(make_repo: MakeRepo,
                                               results_for: Results) -> None:
    files = {"src/settings.yaml": "api_token: Zq8xLm2Np4Rt\n",
             "fixtures/creds.yaml": "client_secret: Kp9wQe3Rt7Yu\n"}
    assert statuses(results_for(make_repo(files), "SEC002")) == ["fail", "fail"]
    allow = ('[allowlist]\ndescription = "fixtures"\npaths = ["""fixtures/.*"""]\n'
             "regexes = ['''Zq8xLm2Np4Rt''']\n")
    root = make_repo({**files, ".gitleaks.toml": allow})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


def test_sec002_a_token_without_entropy_is_a_placeholder(make_repo: MakeRepo,
                                                         results_for: Results) -> None:
    root = make_repo({"ci.yaml": "env:\n  GH: " + "ghp_" + "x" * 36 + "\n",
                      "app.yaml": "api_token: aaaaaaaaaaaa\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


# -- SEC002: known token formats ---------------------------------------------------------------


def _jwt(header: str) -> str:
    payload = base64.urlsafe_b64encode(b'{"sub": "42", "role": "svc"}').decode().rstrip("=")
    return f"{header}.{payload}." + BODY[:24]


SIGNED = base64.urlsafe_b64encode(b'{"alg": "HS256", "typ": "JWT"}').decode().rstrip("=")
UNSIGNED = base64.urlsafe_b64encode(b'{"alg": "none"}').decode().rstrip("=")


@pytest.mark.parametrize(("token", "flat", "name"), [
    (AWS_KEY, "AKIA" + "A" * 16, "AWS access key id: AKIA****"),
    (AWS_KEY, "AKIA" + "IOSFODNN7" + "EXAMPLE", "AWS access key id: AKIA****"),
    (HF_TOKEN, "hf_" + "0" * 34, "Hugging Face token: hf_****"),
    (OPENAI_KEY, "sk-" + "abcdefghjk" * 4, "OpenAI API key: sk-****"),  # no digit, no capital
    ("glpat-" + BODY[:20], "glpat-" + "a" * 20, "GitLab token: glpat-****"),
    ("AIza" + BODY[:35], "AIza" + "A" * 35, "Google API key: AIza****"),
    ("sk_" + "live_" + BODY[:28], "sk_" + "live_" + "0" * 28, "Stripe live key: sk_live_****"),
    ("xoxb-" + "1234567890-" + BODY[:24], "xoxb-" + "x" * 24, "Slack token: xoxb-****"),
    ("github_pat_" + BODY[:30], "github_pat_" + "A" * 30, "GitHub token: gith****"),
    (_jwt(SIGNED), _jwt(UNSIGNED), "JSON Web Token: eyJ****"),
])
def test_sec002_token_formats_need_a_random_body(make_repo: MakeRepo, results_for: Results,
                                                 token: str, flat: str, name: str) -> None:
    """Each format fails with a random body; a flat body (or an unsigned JWT) is a sample."""
    results = results_for(make_repo({"deploy/run.sh": f"curl -H 'X-Auth: {token}' x\n"}),
                          "SEC002")
    assert found(results) == [("fail", "deploy/run.sh", 1)]
    assert results[0].message.en == f"possible {name}"
    assert token[8:] not in results[0].message.en
    clean = make_repo({"deploy/run.sh": f"curl -H 'X-Auth: {flat}' x\n"})
    assert statuses(results_for(clean, "SEC002")) == ["pass"]


def test_sec002_jwt_needs_three_parts(make_repo: MakeRepo, results_for: Results) -> None:
    two_parts = _jwt(SIGNED).rsplit(".", 1)[0] + "."
    root = make_repo({"app.yaml": f"bearer: {two_parts}\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


def test_sec002_private_key_in_json_with_escaped_newlines(make_repo: MakeRepo,
                                                         results_for: Results) -> None:
    escaped = PRIVATE_KEY.replace("RSA ", "").replace("\n", "\\n")
    root = make_repo({"sa.json": '{"type": "service_account", "private_key": "' + escaped
                      + '"}\n'})
    results = results_for(root, "SEC002")
    assert found(results) == [("fail", "sa.json", 1)]
    assert results[0].message.en == "possible private key: -----BEGIN PRIVATE KEY-----"
    unterminated = make_repo({"key.pem": PRIVATE_KEY.split("-----END")[0]})
    assert statuses(results_for(unterminated, "SEC002")) == ["pass"]
    flat = make_repo({"key.pem": PRIVATE_KEY.replace(KEY_BODY, "A" * 64 + "\n")})
    assert statuses(results_for(flat, "SEC002")) == ["pass"]


def test_sec002_a_token_assignment_is_reported_once(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    root = make_repo({"ci.env": f"GITHUB_TOKEN={GITHUB_TOKEN}\n"})
    results = results_for(root, "SEC002")
    assert [r.message.en for r in results] == ["possible GitHub token: ghp_****"]


# -- SEC002: references, placeholders and names are not literals --------------------------------


def test_sec002_code_expressions_are_not_literals(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    """In languages whose strings are quoted, a bare value is an identifier or a call."""
    files = {"src/Store.cs": "string dbPassword = result.Payload.Data.ToStringUtf8();\n",
             "web/api.ts": "const apiKey = process.env.API_KEY;\nconst token = getToken(user);\n",
             "cmd/main.go": 'authKey := flag.String("auth-key", "", "key")\n',
             "conf/app.yaml": "password: os.getenv('DB_PASSWORD')\ntoken: os.environ['T']\n"}
    assert statuses(results_for(make_repo(files), "SEC002")) == ["pass"]
    bad = make_repo({"web/api.ts": f'const apiKey = "{PASSWORD}";\n'})
    assert found(results_for(bad, "SEC002")) == [("fail", "web/api.ts", 1)]


def test_sec002_hcl_interpolation_and_secret_manager_lookups(make_repo: MakeRepo,
                                                            results_for: Results) -> None:
    tf = ('data "aws_secretsmanager_secret_version" "db" {\n  secret_id = "prod/db"\n}\n'
          'resource "aws_db_instance" "db" {\n'
          "  password = data.aws_secretsmanager_secret_version.db.secret_string\n"
          '  master_password = "${var.prefix}-${random_password.db.result}"\n}\n')
    values = ("db:\n  password: vault:secret/data/app#db_password\n"
              "  api_token: arn:aws:secretsmanager:eu-west-1:123456789012:secret:app-token\n"
              "  secret: secret/data/app/prod#token\n"
              "  gcp_secret: projects/my-proj/secrets/db-pass/versions/latest\n")
    assert statuses(results_for(make_repo({"infra/db.tf": tf, "values.yaml": values}),
                                "SEC002")) == ["pass"]
    bad = make_repo({"infra/db.tf": f'resource "x" "y" {{\n  master_password = "{WEAK}"\n}}\n'})
    assert found(results_for(bad, "SEC002")) == [("fail", "infra/db.tf", 2)]


def test_sec002_kubernetes_env_entries(make_repo: MakeRepo, results_for: Results) -> None:
    """``- name: X_PASSWORD`` with ``value:`` below is a literal; ``valueFrom`` is not."""
    ok = ("env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n"
          "        name: db-credentials\n        key: password\n"
          "  - name: LOG_LEVEL\n    value: verbose-debug\n"
          "  - name: API_TOKEN\n    valueFrom: {secretKeyRef: {name: api, key: token}}\n"
          "  - name: MODE\n    value: production\n")
    assert statuses(results_for(make_repo({"k8s/deploy.yaml": ok}), "SEC002")) == ["pass"]
    bad = "env:\n  - name: DB_PASSWORD\n    value: " + WEAK + "\n"
    results = results_for(make_repo({"k8s/deploy.yaml": bad}), "SEC002")
    assert found(results) == [("fail", "k8s/deploy.yaml", 3)]
    assert "'DB_PASSWORD': DB_PASSWORD = mi****" in results[0].message.en


def test_sec002_kubernetes_secret_data_is_decoded(make_repo: MakeRepo,
                                                 results_for: Results) -> None:
    def secret(value: str) -> str:
        encoded = base64.b64encode(value.encode()).decode()
        return f"apiVersion: v1\nkind: Secret\nmetadata:\n  name: s\ndata:\n  password: {encoded}\n"

    placeholder = make_repo({"k8s/secret.yaml": secret("changeme")})
    assert statuses(results_for(placeholder, "SEC002")) == ["pass"]
    results = results_for(make_repo({"k8s/secret.yaml": secret(PASSWORD)}), "SEC002")
    assert found(results) == [("fail", "k8s/secret.yaml", 6)]
    assert "'password' (judged on the decoded text of its base64 value, shown encoded)" \
        in results[0].message.en


@pytest.mark.parametrize("value", [
    "changeme", "changethis", "<your-key>", "xxxxxxxx", "your_api_key_here", "my-example-key",
    "dummy-token", "aaaaaaaaaaaa", "abababab", "abc123XYZ987", "sk-1234567890", "not-needed",
    "${API_KEY}", "${{ secrets.API_KEY }}", "{{ .Values.token }}", "@DB_PASSWORD@",
    "__TOKEN__", "%(password)s", "REPLACE_WITH_TOKEN", "string", "required",
])
def test_sec002_placeholders_and_references(make_repo: MakeRepo, results_for: Results,
                                            value: str) -> None:
    root = make_repo({"config.yaml": f"api_token: '{value}'\n", "app.env": f"TOKEN={value}\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


@pytest.mark.parametrize("line", [
    "gcloud run deploy api --secret=mlflow-tracking-token\n",
    "kubectl create secret generic x --from-literal=key=value --secret-name=db-password\n",
    "secretKey: vllmApiKey\n",
    "client_secret: oauth-client-secret\n",
])
def test_sec002_the_name_of_a_secret_is_not_its_value(make_repo: MakeRepo,
                                                      results_for: Results, line: str) -> None:
    root = make_repo({"deploy.sh" if line.startswith(("gcloud", "kubectl")) else "v.yaml": line})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


def test_sec002_permissions_and_public_names(make_repo: MakeRepo, results_for: Results) -> None:
    workflow = ("on: push\npermissions:\n  id-token: write\n  contents: read\njobs:\n  a:\n"
                "    runs-on: ubuntu-latest\n    permissions: {id-token: write}\n"
                "    steps: [{run: echo}]\n")
    config = ('<dependentAssembly><assemblyIdentity name="System.Web" '
              'publicKeyToken="31bf3856ad364e35" /></dependentAssembly>\n')
    root = make_repo({".github/workflows/ci.yml": workflow, "Web.config": config})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


# -- SEC002: how sure a literal finding is ------------------------------------------------------


def test_sec002_weak_literal_is_not_called_a_leaked_credential(make_repo: MakeRepo,
                                                              results_for: Results) -> None:
    root = make_repo({"conf/db.yaml": f"password: {WEAK}\n",
                      "conf/api.yaml": f"api_key: {PASSWORD}\n"})
    weak, leaked = sorted(results_for(root, "SEC002"), key=lambda r: r.path != "conf/db.yaml")
    assert weak.message.en == ("possible low-entropy literal for 'password': "
                               "password = mi****")
    assert weak.message.es == ("posible literal de baja entropía para 'password': "
                               "password = mi****")
    assert "rotate" not in weak.fix.en and "rota" not in weak.fix.es
    assert "environment" in weak.fix.en and "gitleaks:allow" in weak.fix.en
    assert leaked.message.en.startswith("possible random-looking literal for 'api_key'")
    assert "rotate" in leaked.fix.en and "rota" in leaked.fix.es


def test_sec002_test_files(make_repo: MakeRepo, results_for: Results) -> None:
    """Weak literals are expected in tests; a random-looking one may be a fixture: warn."""
    root = make_repo({"tests/test_db.py": f"password = '{WEAK}'\n",
                      "tests/fixtures/app.yaml": f"token: {WEAK}\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    random = make_repo({"tests/test_api.py": f"client = Client(api_key='{PASSWORD}')\n"})
    results = results_for(random, "SEC002")
    assert found(results) == [("warn", "tests/test_api.py", 1)]
    assert "in a test file" in results[0].message.en
    assert "gitleaks:allow" in results[0].fix.en


@pytest.mark.parametrize(("path", "weak_status"), [
    ("docker-compose.dev.yml", "warn"),
    ("deploy/local/docker-compose.yml", "warn"),
    ("compose.test.yaml", "warn"),
    ("docker-compose.yml", "fail"),
    ("deploy/docker-compose.prod.yml", "fail"),
])
def test_sec002_local_development_compose(make_repo: MakeRepo, results_for: Results,
                                          path: str, weak_status: str) -> None:
    compose = ("services:\n  db:\n    image: postgres:16\n    environment:\n"
               f"      POSTGRES_PASSWORD: {WEAK}\n")
    results = results_for(make_repo({path: compose}), "SEC002")
    assert found(results) == [(weak_status, path, 5)]
    random = compose.replace(WEAK, PASSWORD)
    assert statuses(results_for(make_repo({path: random}), "SEC002")) == ["fail"]


def test_sec002_ci_service_container(make_repo: MakeRepo, results_for: Results) -> None:
    workflow = ("on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    services:\n"
                "      postgres:\n        image: postgres:16\n        env:\n"
                "          POSTGRES_PASSWORD: " + WEAK + "\n"
                "    env:\n      API_TOKEN: " + WEAK + "\n    steps:\n      - run: pytest\n")
    results = results_for(make_repo({".github/workflows/ci.yml": workflow}), "SEC002")
    assert found(results) == [("warn", ".github/workflows/ci.yml", 9),
                              ("fail", ".github/workflows/ci.yml", 11)]
    assert "in a CI service container" in results[0].message.en


def test_sec002_example_files(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({"infra/terraform.tfvars.template": f'admin_password = "{WEAK}"\n',
                      ".env.example": f"DB_PASSWORD={WEAK}\n"})
    assert statuses(results_for(root, "SEC002")) == ["warn", "warn"]


def test_sec002_url_passwords(make_repo: MakeRepo, results_for: Results) -> None:
    files = {"app/settings.yaml": f"db_url: postgresql://app:{WEAK}@db:5432/app\n",
             "docker-compose.dev.yml": f"x:\n  DB: postgresql://app:{WEAK}@db/app\n",
             "a.yaml": "u: redis://${USER}:${REDIS_PASSWORD}@cache:6379\n"
                       "v: https://<user>:<token>@example.org\n"}
    results = results_for(make_repo(files), "SEC002")
    assert found(results) == [("fail", "app/settings.yaml", 1),
                              ("warn", "docker-compose.dev.yml", 2)]
    assert results[0].message.en == ("possible low-entropy password in a URL: "
                                     "postgresql://app:mi****@")


# -- SEC002: the repository's own scanner configuration ----------------------------------------


def test_sec002_inline_allow_comments(make_repo: MakeRepo, results_for: Results) -> None:
    files = {"a.py": f"TOKEN = '{GITHUB_TOKEN}'  # gitleaks:allow\n",
             "b.yaml": f"password: {PASSWORD}  # pragma: allowlist secret\n",
             "c.yaml": f"# pragma: allowlist nextline secret\npassword: {PASSWORD}\n",
             "d.yaml": f"password: {PASSWORD}\n"}
    results = results_for(make_repo(files), "SEC002")
    assert found(results) == [("fail", "d.yaml", 1)]
    results = results_for(make_repo({k: v for k, v in files.items() if k != "d.yaml"}), "SEC002")
    assert statuses(results) == ["pass"]
    assert "3 possible secret(s) allow-listed" in results[0].message.en


def test_sec002_gitleaks_allowlists_table_array_and_conditions(make_repo: MakeRepo,
                                                               results_for: Results) -> None:
    files = {"src/settings.yaml": f"api_token: {PASSWORD}\n",
             "conf/a.yaml": "client_secret: Kp9wQe3Rt7Yu\n",
             "conf/b.yaml": f"db_password: {WEAK}\n",
             "conf/c.yaml": "secret_key: Zq8xLm2Np4Rt\n"}
    assert len(results_for(make_repo(files), "SEC002")) == 4
    config = ("[extend]\nuseDefault = true\n\n"
              "[[allowlists]]\nregexTarget = 'line'\nregexes = ['''api_token: Tr0''']\n\n"
              "[[allowlists]]\nstopwords = ['kp9wqe']\n\n"
              "[[allowlists]]\ncondition = 'AND'\npaths = ['''conf/b\\.yaml''']\n"
              "regexes = ['''^minio''']\n\n"
              "[[allowlists]]\ncondition = 'AND'\npaths = ['''conf/c\\.yaml''']\n"
              "regexes = ['''nomatch''']\n\n"
              "[[allowlists]]\ntargetRules = ['generic-api-key']\npaths = ['''conf/.*''']\n")
    results = results_for(make_repo({**files, ".gitleaks.toml": config}), "SEC002")
    assert found(results) == [("fail", "conf/c.yaml", 1)]


def test_sec002_unsafe_allowlist_pattern_is_skipped_and_said(make_repo: MakeRepo,
                                                            results_for: Results) -> None:
    config = "[allowlist]\nregexes = ['''(a+)+$''', '''Zq8x''']\n"
    files = {".gitleaks.toml": config, "conf/c.yaml": "secret_key: Zq8xLm2Np4Rt\n"}
    results = results_for(make_repo(files), "SEC002")
    assert statuses(results) == ["pass"]
    assert "pattern '(a+)+$' not applied: a repeated group repeats" in results[0].message.en
    files["conf/d.yaml"] = f"password: {PASSWORD}\n"
    results = results_for(make_repo(files), "SEC002")
    assert found(results) == [("warn", ".gitleaks.toml", None), ("fail", "conf/d.yaml", 1)]
    assert ".gitleaks.toml: pattern '(a+)+$' not applied" in results[0].message.en


def test_sec002_detect_secrets_baseline(make_repo: MakeRepo, results_for: Results) -> None:
    def sha1(text: str) -> str:
        return hashlib.sha1(text.encode(), usedforsecurity=False).hexdigest()

    baseline = {"version": "1.5.0", "filters_used": [
        {"path": "detect_secrets.filters.regex.should_exclude_file",
         "pattern": ["^fixtures/"]}],
        "results": {
            "conf/a.yaml": [{"type": "Secret Keyword", "filename": "conf/a.yaml",
                             "hashed_secret": sha1(PASSWORD), "line_number": 1}],
            "conf/b.yaml": [{"type": "Secret Keyword", "filename": "conf/b.yaml",
                             "hashed_secret": sha1(PASSWORD), "is_secret": True,
                             "line_number": 1}]}}
    files = {".secrets.baseline": json.dumps(baseline),
             "conf/a.yaml": f"password: {PASSWORD}\n", "conf/b.yaml": f"password: {PASSWORD}\n",
             "conf/c.yaml": f"password: {PASSWORD}\n", "fixtures/d.yaml": f"token: {PASSWORD}\n"}
    results = results_for(make_repo(files), "SEC002")
    assert found(results) == [("fail", "conf/b.yaml", 1), ("fail", "conf/c.yaml", 1)]


# -- SEC002: bounded work on hostile content ----------------------------------------------------


def test_sec002_adversarial_lines_finish_quickly(tmp_path: Path) -> None:
    """100 kB lines built to make the key/value, URL and token patterns backtrack: the
    scan must stay linear (the old key pattern needed minutes on the first one)."""
    size = 100_000
    lines = {
        "a.yaml": "password" + "a" * size,
        "b.yaml": "token " + "-a" * (size // 2),
        "c.yaml": "sk-" * (size // 3),
        "d.yaml": "a.a" * (size // 3) + "://",
        "e.yaml": "secret" + " " * size + "x",
        "f.yaml": "eyJ-" * (size // 4),
        "g.yaml": "-----BEGIN PRIVATE KEY-----\n" * (size // 28),
        "h.yaml": 'api_key = "' + "b" * size,
    }
    root = write_tree(tmp_path / "repo", lines)
    done = subprocess.run(
        [sys.executable, "-m", "mlops_lint", "check", str(root), "--select", "SEC002",
         "--format", "json", "--exit-zero"],
        capture_output=True, text=True, timeout=60,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)})
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert [r["status"] for r in report["results"]] == ["pass"]


# -- SEC002: configuration words that are not passwords ---------------------------------------

NSSWITCH = ("# /etc/nsswitch.conf\n\npasswd:         compat\ngroup:          compat\n"
            "shadow:         compat\ngshadow:        files\n\n"
            "hosts:          files dns mdns4_minimal [NOTFOUND=return]\n")


def test_sec002_nsswitch_databases_are_not_passwords(make_repo: MakeRepo,
                                                     results_for: Results) -> None:
    """``passwd: compat`` in an nsswitch.conf (a file, or a ConfigMap's data) names the
    sources of the passwd database, not a password."""
    embedded = ("apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: nsswitch\ndata:\n"
                "  nsswitch.conf: |\n" + "".join(f"    {line}\n" if line else "\n"
                                                  for line in NSSWITCH.splitlines()))
    root = make_repo({"etc/nsswitch.conf": NSSWITCH, "k8s/nss.yaml": embedded})
    assert statuses(results_for(root, "SEC002")) == ["pass"]
    # a weak literal under the same key, outside an nsswitch table, is still reported
    root = make_repo({"conf/users.yaml": f"user: admin\npasswd: {WEAK}\n"})
    assert found(results_for(root, "SEC002")) == [("fail", "conf/users.yaml", 2)]


@pytest.mark.parametrize("value", ["nvapi-NVKEY", "sk-YOURKEY", "ghp_TOKEN", "key-XXXXXXXX",
                                   "api_SECRET_KEY", "hf_APITOKEN", "acme-PASSWORD",
                                   "<YOUR_KEY>", "REPLACE_ME"])
def test_sec002_prefix_and_placeholder_word(make_repo: MakeRepo, results_for: Results,
                                            value: str) -> None:
    """A vendor prefix followed by an upper-case placeholder word is a value to replace."""
    entry = f"env:\n  - name: NGC_API_KEY\n    value: \"{value}\"\n"
    root = make_repo({"k8s/deploy.yaml": entry, "app.env": f"API_TOKEN={value}\n"})
    assert statuses(results_for(root, "SEC002")) == ["pass"]


def test_sec002_prefixed_random_token_is_still_caught(make_repo: MakeRepo,
                                                      results_for: Results) -> None:
    entry = f"env:\n  - name: NGC_API_KEY\n    value: \"nvapi-{BODY}\"\n"
    results = results_for(make_repo({"k8s/deploy.yaml": entry}), "SEC002")
    assert found(results) == [("fail", "k8s/deploy.yaml", 3)]
    assert "random-looking" in results[0].message.en
