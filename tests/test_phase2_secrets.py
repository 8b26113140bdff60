"""SEC001 .env handling, SEC002 hardcoded secrets (masked, never printed)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import git, init_git, statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

# Built at run time so this file holds no secret-looking literal itself.
AWS_KEY = "AKIA" + "QX7" * 5 + "Z"
GITHUB_TOKEN = "ghp_" + "aB3" * 12
HF_TOKEN = "hf_" + "Zq9" * 12
OPENAI_KEY = "sk-" + "Ab1" * 12
PRIVATE_KEY = "-----BEGIN " + "RSA PRIVATE KEY-----\nMIIB\n-----END RSA PRIVATE KEY-----\n"
PASSWORD = "Tr0ub4dor" + "&3x"


def found(results: list[Result]) -> list[tuple[str, str | None, int | None]]:
    return [(r.status.value, r.path, r.line) for r in results]


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
    assert "is committed" in results[0].message.en and "rotate" in results[0].fix.en


def test_sec001_present_but_not_ignored(make_repo: MakeRepo, results_for: Results) -> None:
    root = make_repo({".env": "X=1\n", "a.txt": ""})
    init_git(root, add_all=False)
    results = results_for(root, "SEC001")
    assert found(results) == [("fail", ".env", None)]
    assert "is not ignored" in results[0].message.en
    no_git = results_for(make_repo({".env": "X=1\n"}), "SEC001")
    assert statuses(no_git) == ["fail"]


@pytest.mark.parametrize(("files", "where"), [
    ({"src/p/a.py": "import os\nx = os.environ['TOKEN']\n"}, ("src/p/a.py", 2)),
    ({"app.py": "from os import getenv\nx = getenv('A')\n"}, ("app.py", 2)),
    ({"s.py": "from pydantic_settings import BaseSettings\n\nclass S(BaseSettings):\n"
              "    port: int = 1\n"}, ("s.py", 3)),
    ({"docker-compose.yml": "services:\n  api:\n    image: x\n    env_file: .env\n"},
     ("docker-compose.yml", 4)),
    ({"main.py": "from dotenv import load_dotenv\nload_dotenv()\n"}, ("main.py", 2)),
])
def test_sec001_reading_env_needs_an_example(make_repo: MakeRepo, results_for: Results,
                                             files: dict[str, str],
                                             where: tuple[str, int]) -> None:
    results = results_for(make_repo(files), "SEC001")
    assert found(results) == [("fail", *where)]
    assert "no .env.example" in results[0].message.en


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
    table = sorted((r.path or "", r.message.en) for r in results)
    assert table == [
        ("deploy.tf", "possible password in a URL: postgresql://admin:Tr****@"),
        ("id_rsa", "possible private key: " + PRIVATE_KEY.splitlines()[0]),
        ("notebooks/n.ipynb", "possible Hugging Face token: hf_****"),
        ("scripts/push.sh", "possible GitHub token: ghp_****"),
        ("src/p/keys.py", "possible AWS access key id: AKIA****"),
        ("tests/test_llm.py", "possible OpenAI API key: sk-****"),
    ]
    everything = " ".join(r.message.en + r.message.es for r in results)
    for secret in (AWS_KEY, GITHUB_TOKEN, HF_TOKEN, OPENAI_KEY, PASSWORD):
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
    table = sorted((r.path or "", r.line or 0, r.message.en) for r in results)
    assert table == [
        (".env.example", 1, "possible literal value for 'AWS_SECRET_ACCESS_KEY': "
                            "AWS_SECRET_ACCESS_KEY = Tr****"),
        ("config.yaml", 2, "possible literal value for 'password': password = Tr****"),
        ("infra/prod.tfvars", 1, "possible literal value for 'client_secret': "
                                 "client_secret = Tr****"),
        ("src/p/settings.py", 1, "possible literal value for 'DB_PASSWORD': DB_PASSWORD = Tr****"),
        ("src/p/settings.py", 2, "possible literal value for 'api_key': api_key = Tr****"),
        ("src/p/settings.py", 3, "possible literal value for 'secret_key': secret_key = Tr****"),
        ("src/p/settings.py", 4, "possible literal value for 'password': password = Tr****"),
        ("src/p/settings.py", 7, "possible literal value for 'HF_TOKEN': HF_TOKEN = Tr****"),
    ]


def test_sec002_dockerfile(make_repo: MakeRepo, results_for: Results) -> None:
    dockerfile = (f"FROM python:3.11-slim\nARG PIP_INDEX_TOKEN\nENV API_KEY={PASSWORD} MODE=prod\n"
                  f"ENV DB_PASSWORD {PASSWORD}\nCOPY .env /app/.env\nCOPY .env.example /app/\n"
                  "ENV SECRET_KEY=${SECRET_KEY}\n")
    results = results_for(make_repo({"Dockerfile": dockerfile}), "SEC002")
    assert found(results) == [("fail", "Dockerfile", 3), ("fail", "Dockerfile", 4),
                              ("fail", "Dockerfile", 5)]
    assert results[0].message.en == ("possible ENV API_KEY bakes a secret into the image: "
                                     "ENV API_KEY=Tr****")
    assert "COPY .env copies secrets" in results[2].message.en


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
