"""An ordinary small ML project gets the levels the rubric gives it, and the default gate
passes on it; a committed .env holding a credential fails the default gate."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from conftest import git

ORDINARY = {
    "README.md": "# Churn model\n\nPredicts which customers will leave. " * 12
                 + "\n\n## Usage\n\n`python -m churn.train`\n",
    "requirements.txt": "pandas==2.2.2\nscikit-learn==1.5.0\nfastapi==0.111.0\n",
    ".gitignore": "__pycache__/\n*.pyc\n.venv/\ndata/\nmodels/\n",
    "churn/__init__.py": "",
    "churn/train.py": (
        "import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n"
        "from sklearn.model_selection import train_test_split\n\n\n"
        "def load(path: str) -> pd.DataFrame:\n    return pd.read_csv(path)\n\n\n"
        "def train(df: pd.DataFrame) -> LogisticRegression:\n"
        "    x_train, x_test, y_train, y_test = train_test_split(\n"
        "        df.drop(columns='y'), df['y'], random_state=42)\n"
        "    model = LogisticRegression(random_state=42).fit(x_train, y_train)\n"
        "    joblib.dump(model, 'models/model.joblib')\n    return model\n"),
    "tests/test_train.py": (
        "import pandas as pd\nfrom churn.train import train\n\n\n"
        "def test_train_fits() -> None:\n"
        "    df = pd.DataFrame({'a': [0, 1] * 10, 'y': [0, 1] * 10})\n"
        "    assert train(df) is not None\n"),
    "Dockerfile": ("FROM python:3.11-slim\nWORKDIR /app\nCOPY requirements.txt .\n"
                   "RUN pip install --no-cache-dir -r requirements.txt\nCOPY churn/ churn/\n"
                   "CMD [\"python\", \"-m\", \"churn.train\"]\n"),
    ".github/workflows/ci.yml": (
        "name: ci\non: [push, pull_request]\njobs:\n  test:\n    runs-on: ubuntu-latest\n"
        "    steps:\n      - uses: actions/checkout@v4\n      - uses: actions/setup-python@v5\n"
        "        with: {python-version: '3.11'}\n      - run: pip install -r requirements.txt"
        " pytest ruff\n      - run: ruff check .\n      - run: pytest\n"),
}


def check(root: Path) -> tuple[int, dict[str, object]]:
    done = subprocess.run([sys.executable, "-m", "mlops_lint", "check", str(root), "--format",
                           "json"], capture_output=True, text=True, check=False)
    return done.returncode, json.loads(done.stdout)


def test_an_ordinary_project_gets_non_zero_levels_and_passes_the_default_gate(
        make_repo: Callable[..., Path]) -> None:
    root = make_repo(ORDINARY, commits=["feat: train a churn model"])
    code, report = check(root)
    levels = {p["phase"]: p["level"] for p in report["phases"]}  # type: ignore[attr-defined]
    # By the rubric: a typed package with ruff in CI (1: level 2), a pinned requirements
    # file (2), tests alone of pipeline/tracking/tests (3: level 1), CI running lint and
    # tests plus a Dockerfile (4), a descriptive README (7): started or better. No serving
    # app, no infrastructure: 0.
    assert levels[1] == 2 and levels[3] == 1
    assert levels[2] >= 1 and levels[4] >= 1 and levels[7] >= 1
    assert levels[5] == 0 and levels[6] == 0
    assert code == 0 and report["summary"]["gate"]["passed"]  # type: ignore[index]
    for phase in report["phases"]:  # type: ignore[attr-defined]
        low, high = 25 * min(phase["level"], 3), 25 * phase["level"] + 24 + (phase["level"] == 3)
        assert low <= phase["score"] <= high, phase


def test_a_committed_env_with_a_credential_fails_the_default_gate(
        make_repo: Callable[..., Path]) -> None:
    secret = "AWS_SECRET_ACCESS_KEY=wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY\n"
    files = {**ORDINARY, ".env": secret}
    root = make_repo(files, commits=["feat: train a churn model"])
    assert ".env" in git(root, "ls-files")
    code, report = check(root)
    assert code == 1
    gate = report["summary"]["gate"]  # type: ignore[index]
    assert not gate["passed"] and "SEC001" in gate["reason"]
