"""SEC001 accuracy: a .env.example is required only where .env files are part of the
workflow; variables declared where the code runs (Kubernetes, compose) document them."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

Maker = Callable[..., Path]
Results = Callable[..., list[Result]]

READER = {"src/email/server.py": "import os\nport = os.environ.get('PORT', '8080')\n"}
K8S = ("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: email}\nspec:\n  template:\n"
       "    spec:\n      containers:\n        - name: server\n          image: email:1\n"
       "          env:\n            - name: PORT\n              value: '8080'\n")
# the block GitHub's Python .gitignore template ships: .env among virtualenv folders
STOCK_GITIGNORE = ("__pycache__/\n# Environments\n.env\n.venv\nenv/\nvenv/\nENV/\n")


def test_sec001_variables_declared_in_kubernetes_pass(make_repo: Maker,
                                                      results_for: Results) -> None:
    other = K8S.replace("name: email}", "name: cart}").replace("name: PORT", "name: REDIS")
    rows = results_for(make_repo({**READER, "kustomize/base/cart.yaml": other,
                                  "kustomize/base/email.yaml": K8S}), "SEC001")
    assert statuses(rows) == ["pass"]
    # the manifest that declares a variable the code reads by name is the one cited
    assert "declared where it runs (kustomize/base/email.yaml:8, PORT)" in rows[0].message.en
    assert rows[0].path == "kustomize/base/email.yaml"
    # edge: a manifest declaring other variables documents nothing the code reads
    rows = results_for(make_repo({**READER, "kustomize/base/cart.yaml": other}), "SEC001")
    assert statuses(rows) == ["pass"] and "cart.yaml" not in rows[0].message.en
    assert "no .env file is part of the workflow" in rows[0].message.en


def test_sec001_no_env_workflow_passes_without_an_example(make_repo: Maker,
                                                          results_for: Results) -> None:
    rows = results_for(make_repo({**READER, ".gitignore": STOCK_GITIGNORE}), "SEC001")
    assert statuses(rows) == ["pass"]
    assert "no .env file is part of the workflow" in rows[0].message.en


@pytest.mark.parametrize("extra, what", [
    ({".gitignore": "*.pyc\n.env\n"}, ".env in .gitignore"),
    ({"Makefile": "run:\n\tdocker run --env-file .env app\n"}, "--env-file"),
    ({"scripts/run.sh": "#!/bin/sh\nsource .env\npython -m app\n"}, "source .env"),
    ({"README.md": "# App\nCreate a `.env` file with PORT.\n"}, "a .env file in the docs"),
    ({"src/email/settings.py": "from pydantic_settings import BaseSettings, "
                               "SettingsConfigDict\n\nclass S(BaseSettings):\n"
                               "    model_config = SettingsConfigDict(env_file='.env')\n"},
     "pydantic-settings env_file"),
    ({"src/email/cfg.py": "from decouple import config\nX = config('X')\n"}, "decouple"),
])
def test_sec001_env_workflow_needs_an_example(make_repo: Maker, results_for: Results,
                                              extra: dict[str, str], what: str) -> None:
    rows = results_for(make_repo({**READER, **extra}), "SEC001")
    assert statuses(rows) == ["warn"], rows[0].message.en
    assert ".env files are part of the workflow" in rows[0].message.en
    assert what in rows[0].message.en
    example = {**READER, **extra, ".env.example": "PORT=8080\n"}
    assert statuses(results_for(make_repo(example), "SEC001")) == ["pass"]


def test_sec001_env_workflow_wins_over_declared_variables(make_repo: Maker,
                                                          results_for: Results) -> None:
    """Edge: compose loads a .env (env_file:) while Kubernetes declares the same
    variables: the .env still needs its example."""
    compose = "services:\n  api:\n    image: x\n    env_file: .env\n"
    rows = results_for(make_repo({**READER, "k8s/d.yaml": K8S, "compose.yml": compose}),
                       "SEC001")
    assert statuses(rows) == ["warn"]


def test_sec001_property_names_ending_in_env_are_not_env_files(make_repo: Maker,
                                                               results_for: Results) -> None:
    doc = "| `servingEngineSpec.env` | list | extra variables |\n| `modelSpec[].env` | list |\n"
    rows = results_for(make_repo({**READER, "helm/README.md": doc}), "SEC001")
    assert statuses(rows) == ["pass"]
