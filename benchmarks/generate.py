"""Synthetic ML monorepos for the benchmark: ``scale`` × 13 services.

At scale 1 (the target case of the performance issue): 13 Python projects, 65
Dockerfiles, 1,001 Kubernetes documents, 14 workflows, 39 Terraform files, ~300 files
in all, and 60 commits of history written with ``git fast-import``. Scale 10 and 100
multiply the services, so every kind of file grows by the same factor.

Content is generated from a fixed seed: the same scale gives the same tree.
"""

from __future__ import annotations

import os
import random
import subprocess
from collections.abc import Iterator
from pathlib import Path

SERVICES_PER_SCALE = 13
K8S_FILES = ("deployment", "service", "hpa", "configmap", "networkpolicy", "pdb", "cronjob")
K8S_DOCS_PER_FILE = 11  # 7 files × 11 documents × 13 services = 1,001 documents
DOCKERFILES = ("Dockerfile", "Dockerfile.dev", "docker/Dockerfile.gpu",
               "docker/Dockerfile.batch", "docker/Dockerfile.slim")
COMMITS = 60
GIT_ENV = {"GIT_CONFIG_NOSYSTEM": "1", "HOME": "/nonexistent-home", "LC_ALL": "C"}
MESSAGES = ("feat(api): add batch endpoint", "fix(train): seed the split",
            "docs: model card metrics", "ci: cache pip", "refactor(features): pipeline",
            "test: api contract", "chore(deps): bump scikit-learn", "perf: vectorise scoring",
            "build: slim runtime image", "update stuff")


def pyproject(name: str) -> str:
    return f'''[project]
name = "{name}"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["fastapi>=0.110", "scikit-learn>=1.4", "pandas>=2.2", "mlflow>=2.12",
                "pydantic>=2.6", "uvicorn>=0.29"]

[project.optional-dependencies]
dev = ["pytest>=8", "pytest-cov>=5", "ruff>=0.4", "mypy>=1.10"]

[tool.ruff]
line-length = 100

[tool.mypy]
strict = true

[tool.pytest.ini_options]
addopts = "--cov={name} --cov-fail-under=80"

[tool.coverage.run]
branch = true
'''


def module(name: str, index: int, rng: random.Random) -> str:
    body = [f'"""{name} module {index}."""', "", "from __future__ import annotations", "",
            "import logging", "from dataclasses import dataclass", "",
            "import numpy as np", "import pandas as pd",
            "from sklearn.compose import ColumnTransformer",
            "from sklearn.ensemble import RandomForestClassifier",
            "from sklearn.model_selection import train_test_split",
            "from sklearn.pipeline import Pipeline",
            "from sklearn.preprocessing import StandardScaler", "",
            "LOG = logging.getLogger(__name__)", ""]
    for f in range(rng.randint(4, 8)):
        body += [f"def step_{index}_{f}(frame: pd.DataFrame, threshold: float = 0.{f + 1}) "
                 "-> pd.DataFrame:",
                 f'    """Step {f} of the feature pipeline."""',
                 "    frame = frame.copy()",
                 f"    if frame.empty or threshold > {f + 2}:",
                 "        LOG.warning('empty frame')",
                 "        return frame",
                 "    for column in frame.select_dtypes('number').columns:",
                 "        frame[column] = np.clip(frame[column], 0, threshold * 100)",
                 "    return frame", "", ""]
    body += ["def build_pipeline(columns: list[str], seed: int = 42) -> Pipeline:",
             "    pre = ColumnTransformer([('num', StandardScaler(), columns)])",
             "    return Pipeline([('pre', pre), ('model', RandomForestClassifier(",
             "        n_estimators=200, random_state=seed))])", "", "",
             "def split(frame: pd.DataFrame, target: str, seed: int = 42):",
             "    return train_test_split(frame.drop(columns=[target]), frame[target],",
             "                            test_size=0.2, random_state=seed,",
             "                            stratify=frame[target])",
             "", "", "@dataclass", "class Settings:", "    threshold: float = 0.5",
             "    model_path: str = 'models/model.joblib'", ""]
    return "\n".join(body)


def api_module(name: str) -> str:
    return f'''"""HTTP API of {name}."""

from __future__ import annotations

from fastapi import FastAPI, HTTPException
from pydantic import BaseModel, Field

app = FastAPI(title="{name}")


class Features(BaseModel):
    age: float = Field(ge=0, le=120)
    income: float = Field(ge=0)


class Prediction(BaseModel):
    score: float


@app.get("/health")
def health() -> dict[str, str]:
    return {{"status": "ok"}}


@app.post("/predict", response_model=Prediction)
def predict(features: Features) -> Prediction:
    if features.income < 0:
        raise HTTPException(status_code=422, detail="income must be positive")
    return Prediction(score=min(1.0, features.income / 1e6))
'''


def test_module(name: str, index: int) -> str:
    return f'''"""Tests {index} of {name}."""

import pandas as pd
import pytest


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({{"age": [30, 40, 50], "income": [1.0, 2.0, 3.0], "y": [0, 1, 0]}})


def test_shape(frame: pd.DataFrame) -> None:
    assert frame.shape == (3, 3)


@pytest.mark.parametrize("value", [0, 1, 2])
def test_values(frame: pd.DataFrame, value: int) -> None:
    assert frame["age"].iloc[value] > 0
'''


def dockerfile(name: str, variant: int) -> str:
    base = ("python:3.11-slim", "python:3.11-slim@sha256:" + "ab" * 32,
            "nvidia/cuda:12.2.0-runtime-ubuntu22.04", "python:3.11", "python:3.12-slim")
    return f'''# syntax=docker/dockerfile:1
ARG PYTHON_IMAGE={base[variant % len(base)]}
FROM ${{PYTHON_IMAGE}} AS build
WORKDIR /build
COPY pyproject.toml ./
COPY src ./src
RUN pip install --no-cache-dir build && python -m build --wheel

FROM {base[(variant + 1) % len(base)]} AS runtime
LABEL org.opencontainers.image.title="{name}"
ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN groupadd -g 1000 app && useradd -u 1000 -g app app
WORKDIR /app
COPY --from=build /build/dist/*.whl /tmp/
RUN pip install --no-cache-dir /tmp/*.whl && rm -rf /tmp/*.whl
USER {"app" if variant % 3 else "root"}
EXPOSE 8000
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \\
  CMD python -c "import urllib.request; urllib.request.urlopen('http://localhost:8000/health')"
CMD ["uvicorn", "{name}.api:app", "--host", "0.0.0.0", "--port", "8000"]
'''


def k8s_doc(name: str, kind: str, index: int, rng: random.Random) -> str:
    meta = f"""metadata:
  name: {name}-{kind}-{index}
  namespace: {name}
  labels:
    app.kubernetes.io/name: {name}
    app.kubernetes.io/component: {kind}
"""
    if kind in ("deployment", "cronjob", "pdb") and index % 2 == 0:
        cpu = rng.choice(["100m", "250m", "500m"])
        return f"""apiVersion: apps/v1
kind: Deployment
{meta}spec:
  replicas: {rng.randint(2, 6)}
  selector:
    matchLabels: {{app.kubernetes.io/name: {name}}}
  template:
    metadata:
      labels: {{app.kubernetes.io/name: {name}}}
    spec:
      serviceAccountName: {name}
      securityContext: {{runAsNonRoot: true, runAsUser: 1000, fsGroup: 1000}}
      containers:
        - name: api
          image: registry.example.com/{name}:1.{index}.0
          ports: [{{containerPort: 8000, name: http}}]
          resources:
            requests: {{cpu: {cpu}, memory: 256Mi}}
            limits: {{cpu: "1", memory: 512Mi}}
          readinessProbe:
            httpGet: {{path: /health, port: http}}
            periodSeconds: 10
          livenessProbe:
            httpGet: {{path: /health, port: http}}
            initialDelaySeconds: 20
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            capabilities: {{drop: [ALL]}}
          env:
            - name: MODEL_PATH
              value: /models/model.joblib
            - name: LOG_LEVEL
              valueFrom: {{configMapKeyRef: {{name: {name}-config, key: level}}}}
"""
    if kind == "service" or kind == "deployment":
        return f"""apiVersion: v1
kind: Service
{meta}spec:
  selector: {{app.kubernetes.io/name: {name}}}
  ports:
    - {{name: http, port: 80, targetPort: http}}
"""
    if kind == "hpa":
        return f"""apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
{meta}spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: {name}}}
  minReplicas: 2
  maxReplicas: {rng.randint(5, 20)}
  metrics:
    - type: Resource
      resource: {{name: cpu, target: {{type: Utilization, averageUtilization: 70}}}}
"""
    if kind == "networkpolicy":
        return f"""apiVersion: networking.k8s.io/v1
kind: NetworkPolicy
{meta}spec:
  podSelector: {{matchLabels: {{app.kubernetes.io/name: {name}}}}}
  policyTypes: [Ingress]
  ingress:
    - from: [{{namespaceSelector: {{matchLabels: {{team: ml}}}}}}]
"""
    return f"""apiVersion: v1
kind: ConfigMap
{meta}data:
  level: INFO
  threshold: "0.{index}"
  features: "age,income,tenure,region"
"""


def workflow(name: str) -> str:
    return f"""name: {name}
on:
  push:
    paths: ["services/{name}/**"]
  pull_request:
    paths: ["services/{name}/**"]
permissions:
  contents: read
concurrency:
  group: {name}-${{{{ github.ref }}}}
  cancel-in-progress: true
jobs:
  test:
    runs-on: ubuntu-latest
    timeout-minutes: 20
    strategy:
      matrix: {{python: ["3.10", "3.11", "3.12"]}}
    defaults: {{run: {{working-directory: services/{name}}}}}
    steps:
      - uses: actions/checkout@b4ffde65f46336ab88eb53be808477a3936bae11
      - uses: actions/setup-python@v5
        with: {{python-version: "${{{{ matrix.python }}}}", cache: pip}}
      - run: pip install -e ".[dev]"
      - run: ruff check src tests
      - run: mypy src
      - run: pytest --cov --cov-fail-under=80
  image:
    needs: test
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - run: docker build -t {name}:${{{{ github.sha }}}} services/{name}
      - uses: aquasecurity/trivy-action@0.20.0
        with:
          image-ref: "{name}:${{{{ github.sha }}}}"
          exit-code: "1"
          severity: "CRITICAL,HIGH"
"""


def terraform(name: str) -> dict[str, str]:
    return {
        "main.tf": f'''terraform {{
  required_version = ">= 1.6"
  backend "s3" {{
    bucket = "tf-state"
    key    = "{name}/terraform.tfstate"
    region = "eu-west-1"
  }}
}}

resource "aws_s3_bucket" "models" {{
  bucket = "{name}-models"
  tags   = {{ team = "ml", service = "{name}" }}
}}

resource "aws_s3_bucket_versioning" "models" {{
  bucket = aws_s3_bucket.models.id
  versioning_configuration {{ status = "Enabled" }}
}}
''',
        "variables.tf": '''variable "region" {
  type    = string
  default = "eu-west-1"
}

variable "replicas" {
  type    = number
  default = 2
}
''',
        "outputs.tf": '''output "bucket" {
  value = aws_s3_bucket.models.bucket
}
''',
    }


def root_files(services: int) -> dict[str, str]:
    return {
        "README.md": "# ML platform monorepo\n\n## Installation\n\n```bash\nmake install\n```\n\n"
                     "## Usage\n\n```bash\nmake test\n```\n\n## License\n\nMIT\n",
        "LICENSE": "MIT License\n",
        "Makefile": "install:\n\tpip install -e services/*\n\ntest:\n\tpytest services\n\n"
                    "lint:\n\truff check services\n",
        ".gitignore": "__pycache__/\n*.pyc\n.venv/\nmlruns/\ndata/raw/\n*.joblib\n",
        ".pre-commit-config.yaml": "repos:\n  - repo: https://github.com/astral-sh/ruff-pre-commit"
                                   "\n    rev: v0.4.4\n    hooks:\n      - id: ruff\n"
                                   "  - repo: https://github.com/gitleaks/gitleaks\n"
                                   "    rev: v8.18.2\n    hooks:\n      - id: gitleaks\n",
        "mkdocs.yml": "site_name: ML platform\nnav:\n  - Home: index.md\n",
        "docs/index.md": f"# Platform\n\n{services} services.\n",
        "CHANGELOG.md": "# Changelog\n",
        ".github/workflows/ci.yml": "name: ci\non: [push, pull_request]\njobs:\n  lint:\n"
                                    "    runs-on: ubuntu-latest\n    steps:\n"
                                    "      - uses: actions/checkout@v4\n"
                                    "      - run: pip install pre-commit && pre-commit run -a\n",
    }


def tree(scale: int) -> Iterator[tuple[str, str]]:
    """Every (path, content) of the repository at ``scale``."""
    rng = random.Random(scale)
    services = SERVICES_PER_SCALE * scale
    yield from root_files(services).items()
    for s in range(services):
        name = f"svc{s:04d}"
        base = f"services/{name}"
        yield f"{base}/pyproject.toml", pyproject(name)
        yield f"{base}/README.md", f"# {name}\n\nService {s}.\n"
        yield f"{base}/src/{name}/__init__.py", f'"""{name}."""\n'
        yield f"{base}/src/{name}/api.py", api_module(name)
        for m in range(6):
            yield f"{base}/src/{name}/module{m}.py", module(name, m, rng)
        yield f"{base}/tests/conftest.py", "import pytest\n"
        for t in range(3):
            yield f"{base}/tests/test_module{t}.py", test_module(name, t)
        for v, docker in enumerate(DOCKERFILES):
            yield f"{base}/{docker}", dockerfile(name, v + s)
        for kind in K8S_FILES:
            docs = [k8s_doc(name, kind, i, rng) for i in range(K8S_DOCS_PER_FILE)]
            yield f"k8s/{name}/{kind}.yaml", "---\n".join(docs)
        for tf, text in terraform(name).items():
            yield f"infra/{name}/{tf}", text
        yield f".github/workflows/{name}.yml", workflow(name)


def _git(root: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["git", "-C", str(root), *args], input=stdin, check=True,
                   capture_output=True, env={**os.environ, **GIT_ENV})


def generate(root: Path, scale: int) -> dict[str, int]:
    """Write the repository at ``root`` (a fresh git repository) and return its counts."""
    root.mkdir(parents=True)
    _git(root, "init", "-q", "-b", "main")
    stream = bytearray()
    counts = {"files": 0, "dockerfiles": 0, "k8s_documents": 0, "python_files": 0,
              "workflows": 0, "terraform_files": 0, "commits": COMMITS}
    stamp = 1_700_000_000

    def commit(message: str) -> None:
        """A commit on main; fast-import chains it to the previous one of the stream."""
        nonlocal stamp
        stamp += 3600
        msg = message.encode()
        stream.extend(b"commit refs/heads/main\n")
        stream.extend(b"mark :%d\n" % (stamp - 1_700_000_000))
        stream.extend(f"author Bench <bench@example.com> {stamp} +0000\n".encode())
        stream.extend(f"committer Bench <bench@example.com> {stamp} +0000\n".encode())
        stream.extend(b"data %d\n%s\n" % (len(msg), msg))

    commit("feat: initial platform")
    for path, text in tree(scale):
        data = text.encode()
        stream.extend(b"M 100644 inline %s\ndata %d\n%s\n" % (path.encode(), len(data), data))
        counts["files"] += 1
        counts["dockerfiles"] += "Dockerfile" in path
        counts["k8s_documents"] += text.count("\napiVersion:") + text.startswith(
            "apiVersion:") if path.startswith("k8s/") else 0
        counts["python_files"] += path.endswith(".py")
        counts["workflows"] += path.startswith(".github/workflows/")
        counts["terraform_files"] += path.endswith(".tf")
    changelog = "# Changelog\n"
    for i in range(1, COMMITS):
        changelog += f"- change {i}\n"
        data = changelog.encode()
        commit(MESSAGES[i % len(MESSAGES)])
        stream.extend(b"M 100644 inline CHANGELOG.md\ndata %d\n%s\n" % (len(data), data))
    stream.extend(b"reset refs/tags/v0.1.0\nfrom :%d\n\n" % (stamp - 1_700_000_000))
    _git(root, "fast-import", "--quiet", stdin=bytes(stream))
    _git(root, "reset", "-q", "--hard", "main")
    return counts
