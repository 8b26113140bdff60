"""Where the repository runs a model outside its Python code: a model-serving custom
resource (KServe, Seldon), a workload, Helm values or a Dockerfile running a model server
image (vLLM, Triton, TF Serving...), or Terraform provisioning a model endpoint."""

from __future__ import annotations

import json
import re

from mlops_lint import lazy_re
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import DOCKERFILE_GLOBS, is_dockerfile, parse_dockerfile
from mlops_lint.parsers.kubernetes import read_manifests
from mlops_lint.parsers.terraform import terraform_files
from mlops_lint.readers.deployment import MAX_SCAN, skip_path
from mlops_lint.repo import Repo

# what runs a model where no project's Python code trains or loads one: a model-serving
# custom resource, or the image of a model server
MODEL_SERVER_KINDS = frozenset({"InferenceService", "ServingRuntime", "ClusterServingRuntime",
                                "InferenceGraph", "TrainedModel", "SeldonDeployment"})
MODEL_SERVER_IMAGE = lazy_re.compile(
    r"vllm|tritonserver|tensorflow/serving|torchserve|text-generation-inference|"
    r"ollama/ollama|seldonio/|kserve/|mlserver|sglang|llama\.cpp|nvidia/nim|bentoml",
    re.IGNORECASE)

# Terraform resources that host a model (a managed endpoint)
MODEL_RESOURCES = ("aws_sagemaker_model", "aws_sagemaker_endpoint", "google_vertex_ai_endpoint",
                   "google_vertex_ai_deployment_resource_pool",
                   "azurerm_machine_learning_inference_cluster")




def served_model(repo: Repo) -> str | None:
    """Where the repository runs a model outside its Python code (memoized per run): a
    model-serving custom resource (KServe, Seldon), a workload, Helm values or a
    Dockerfile that runs a model server image (vLLM, Triton, TF Serving...), or Terraform
    that provisions a model endpoint (SageMaker, Vertex AI). Documentation examples, test
    fixtures and scaffolds are not the repository's own. ``None`` when there is none."""
    key = "deployment:served-model"
    if key in repo.memo:
        cached: str | None = repo.memo[key]
        return cached
    found = _served_model(repo)
    repo.memo[key] = found
    return found


def _served_model(repo: Repo) -> str | None:
    return (_served_in_manifests(repo) or _served_in_terraform(repo)
            or _served_in_dockerfiles(repo))


def _served_in_manifests(repo: Repo) -> str | None:
    """A model-serving custom resource, a workload running a model server image, or Helm
    values naming one."""
    manifests = read_manifests(repo)
    for obj in manifests.objects:
        if obj.kind in MODEL_SERVER_KINDS and not skip_path(obj.path):
            return f"{obj.label} ({obj.path})"
    for workload in manifests.workloads:
        for container in workload.containers:
            if MODEL_SERVER_IMAGE.search(container.image or "") and not skip_path(workload.path):
                return f"{workload.label} runs {container.image} ({workload.path})"
    for chart in manifests.charts:
        for path, values in chart.values:
            if isinstance(values, dict) and not skip_path(path) and MODEL_SERVER_IMAGE.search(
                    json.dumps(values, default=str)[:MAX_SCAN * 2]):
                return f"Helm chart {chart.name} ({path})"
    return None


def _served_in_terraform(repo: Repo) -> str | None:
    """A managed model endpoint provisioned by Terraform."""
    for tf in terraform_files(repo):
        if isinstance(tf, ParseError) or skip_path(tf.path):
            continue
        for block in tf.of("resource"):
            if block.labels and block.labels[0].startswith(MODEL_RESOURCES):
                return f"{block.address} ({tf.path})"
    return None


def _served_in_dockerfiles(repo: Repo) -> str | None:
    """A Dockerfile built on a model server image."""
    for path in repo.glob(DOCKERFILE_GLOBS, case_sensitive=False):
        if not is_dockerfile(path) or skip_path(path):
            continue
        parsed = repo.parse(path, parse_dockerfile)
        if isinstance(parsed, ParseError):
            continue
        for stage in parsed.stages:
            if MODEL_SERVER_IMAGE.search(stage.base or ""):
                return f"{path} builds on {stage.base}"
    return None
