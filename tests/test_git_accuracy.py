"""Accuracy of the git rules on real stacks: .gitignore groups only where their subject
exists (GIT001), pre-commit findings that point at the right hook and name what is wrong
(GIT004), release notes kept as GitHub Releases (GIT006)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

PY_IGNORE = "__pycache__/\n*.py[cod]\n.venv/\n.env\n.coverage\nhtmlcov/\n"


# -- GIT001: per-group applicability ----------------------------------------------------------


def test_git001_terraform_module_is_not_applicable(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    root = make_repo({".gitignore": ".terraform/\n*.tfstate\n*.tfvars\n",
                      "main.tf": 'resource "aws_vpc" "this" {}\n', "README.md": "# vpc\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["skip"]
    assert "not applicable" in results[0].message.en
    # without any .gitignore, the absence is still reported
    bare = make_repo({"main.tf": 'resource "aws_vpc" "this" {}\n'})
    assert statuses(results_for(bare, "GIT001")) == ["fail"]


def test_git001_python_without_ml_needs_only_python_groups(make_repo: MakeRepo,
                                                           results_for: Results) -> None:
    root = make_repo({".gitignore": PY_IGNORE, "app/main.py": "import fastapi\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["pass"]
    assert "models" not in results[0].message.en and "MLflow" not in results[0].message.en
    lacking = make_repo({".gitignore": "*.pyc\n", "app/main.py": "import fastapi\n"})
    results = results_for(lacking, "GIT001")
    assert statuses(results) == ["fail"]
    assert results[0].message.en == ("the .gitignore does not cover virtual environments, "
                                     "secrets, coverage reports")


def test_git001_mlflow_group_only_with_mlflow(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    ignore = PY_IGNORE + "data/\nmodels/\n*.pkl\n"
    azure = make_repo({".gitignore": ignore,
                       "train.py": "from azureml.core import Run\nfrom sklearn.linear_model "
                                   "import Ridge\n"})
    results = results_for(azure, "GIT001")
    assert statuses(results) == ["pass"] and "MLflow" not in results[0].message.en
    # declared in a requirements file: MLflow runs land in mlruns/
    declared = make_repo({".gitignore": ignore, "requirements.txt": "mlflow==2.9\n",
                          "train.py": "from sklearn.linear_model import Ridge\n"})
    results = results_for(declared, "GIT001")
    assert statuses(results) == ["fail"] and "MLflow runs" in results[0].message.en
    assert "mlruns/" in results[0].fix.en
    imported = make_repo({".gitignore": ignore, "train.py": "import mlflow.sklearn\n"})
    assert "MLflow runs" in results_for(imported, "GIT001")[0].message.en
    conda = make_repo({".gitignore": ignore, "train.py": "import sklearn\n",
                       "environment.yml": "dependencies:\n  - mlflow-skinny=2.9\n"})
    assert "MLflow runs" in results_for(conda, "GIT001")[0].message.en
    # another package whose name contains mlflow is not MLflow
    other = make_repo({".gitignore": ignore, "requirements.txt": "mlflow-export-import\n",
                       "train.py": "import sklearn\n"})
    assert statuses(results_for(other, "GIT001")) == ["pass"]


def test_git001_small_committed_sample_data_is_advice(make_repo: MakeRepo,
                                                      results_for: Results) -> None:
    ignore = PY_IGNORE + "*.pkl\nmodels/\n"
    sample = "age,bmi,target\n" + "50,24.1,1\n" * 200
    root = make_repo({".gitignore": ignore, "train.py": "import sklearn\n",
                      "data/diabetes.csv": sample, "data/bad_schema.csv": "a,b\n1,2\n"})
    results = results_for(root, "GIT001")
    assert statuses(results) == ["pass"]
    assert "2 committed data file(s)" in results[0].message.en
    assert "small sample data" in results[0].message.en
    # large committed data: the data group is required
    big = make_repo({".gitignore": ignore, "train.py": "import sklearn\n",
                     "data/raw/train.csv": "1,2,3\n" * 400_000})
    results = results_for(big, "GIT001")
    assert statuses(results) == ["fail"] and results[0].message.en.endswith("cover data")
    # ML code and no data in the repository: data will be downloaded, so required
    none = make_repo({".gitignore": ignore, "train.py": "import torch\n"})
    assert "cover data" in results_for(none, "GIT001")[0].message.en


def test_git001_models_need_ml_code_or_models(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    plain = make_repo({".gitignore": PY_IGNORE, "cli.py": "import argparse\n"})
    assert statuses(results_for(plain, "GIT001")) == ["pass"]
    with_model = make_repo({".gitignore": PY_IGNORE, "cli.py": "import argparse\n",
                            "models/model.onnx": "x"})
    results = results_for(with_model, "GIT001")
    assert statuses(results) == ["fail"] and "models" in results[0].message.en
    notebook = make_repo({".gitignore": PY_IGNORE,
                          "eda.ipynb": '{"cells": [{"source": ["import pandas as pd\\n"]}]}'})
    assert "data" in results_for(notebook, "GIT001")[0].message.en
