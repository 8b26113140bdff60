"""Model endpoints a platform serves, declared as code (Terraform, CloudFormation, an
Azure ML endpoint YAML, a KServe/Seldon/Ray Serve resource): with no serving code they are
the serving layer (API001) and the platform gives the health route (API002, DEP002) and
the inference route (API003).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, passed
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.kubernetes import read_manifests
from mlops_lint.parsers.terraform import terraform_files
from mlops_lint.readers.deployment import in_docs


@dataclass(frozen=True)
class ManagedEndpoint:
    """A model endpoint a platform serves, declared as code (Terraform, CloudFormation,
    an Azure ML endpoint YAML, a KServe/Seldon/Ray Serve resource)."""

    platform: str
    what: str  # the resource (address, kind and name)
    path: str
    line: int | None
    health: str  # the platform's health route or probes
    infer: str  # the platform's inference route

    @property
    def label(self) -> str:
        return f"{self.platform} {self.what} ({self.path}" + (
            f":{self.line})" if self.line else ")")


# Terraform resource -> (platform, how its health is checked, its inference route)
ENDPOINT_RESOURCES = {
    "aws_sagemaker_endpoint": ("SageMaker endpoint", "the platform probes the container's "
                               "GET /ping", "POST /invocations"),
    "google_vertex_ai_endpoint": ("Vertex AI endpoint", "the platform probes the container's "
                                  "health route (AIP_HEALTH_ROUTE)",
                                  "POST :predict (AIP_PREDICT_ROUTE)"),
}


ENDPOINT_KINDS = {
    "InferenceService": ("KServe", "the platform probes GET /v2/health/live and "
                         "/v2/health/ready (or the V1 model route)",
                         "POST /v2/models/{name}/infer (or V1 :predict)"),
    "SeldonDeployment": ("Seldon Core", "the platform sets the container's readiness and "
                         "liveness probes", "POST /api/v1.0/predictions"),
    "RayService": ("Ray Serve", "the platform probes GET /-/healthz",
                   "the deployment's HTTP route"),
}


AZURE_ONLINE = lazy_re.compile(r"(managed|kubernetes)OnlineEndpoint\.schema\.json|"
                               r"Microsoft\.MachineLearningServices/workspaces/onlineEndpoints",
                               re.IGNORECASE)


SAGEMAKER_CFN = lazy_re.compile(r"AWS::SageMaker::Endpoint\b")


MAX_KIND_SCAN = 64 * 1024


def managed_endpoints(ctx: Context) -> list[ManagedEndpoint]:
    """The project's model endpoints declared as code (levels.md §2: SageMaker endpoints
    and the like serve the model; the platform provides the health and inference routes);
    computed once per project for the run."""
    key = f"serving:endpoints:{ctx.project.path}:{len(ctx.project.files)}"
    cached = ctx.repo.memo.get(key)
    if cached is None:
        cached = ctx.repo.memo[key] = _managed_endpoints(ctx)
    result: list[ManagedEndpoint] = cached
    return result


def _managed_endpoints(ctx: Context) -> list[ManagedEndpoint]:
    # the project's own files (a repository-wide rule: every file); examples in the
    # documentation are not endpoints of the project
    own = {f for f in ctx.project.files if not in_docs(f)}
    found: list[ManagedEndpoint] = []
    for tf in terraform_files(ctx.repo):
        if isinstance(tf, ParseError) or tf.path not in own:
            continue
        for block in tf.of("resource"):
            spec = ENDPOINT_RESOURCES.get(block.labels[0] if block.labels else "")
            if spec is not None:
                found.append(ManagedEndpoint(spec[0], block.address, tf.path, block.line,
                                             spec[1], spec[2]))
    for obj in read_manifests(ctx.repo).objects:
        kind = ENDPOINT_KINDS.get(obj.kind)
        if kind is not None and obj.path in own:
            found.append(ManagedEndpoint(kind[0], obj.label, obj.path, obj.line, kind[1],
                                         kind[2]))
    for path in sorted(own):
        if not path.endswith((".yml", ".yaml", ".json", ".bicep", ".template")):
            continue
        text = ctx.repo.text(path)
        if not isinstance(text, str):
            continue
        head = text[:MAX_KIND_SCAN]
        if "nlineEndpoint" not in head and "AWS::SageMaker::Endpoint" not in head:
            continue  # the cheap test first: most YAML files are neither
        if AZURE_ONLINE.search(head):
            found.append(ManagedEndpoint("Azure ML online endpoint", "", path, None,
                                         "the platform probes the deployment's liveness and "
                                         "readiness routes", "POST /score"))
        elif SAGEMAKER_CFN.search(head):
            found.append(ManagedEndpoint("SageMaker endpoint", "AWS::SageMaker::Endpoint",
                                         path, None, ENDPOINT_RESOURCES[
                                             "aws_sagemaker_endpoint"][1], "POST /invocations"))
    return found


def endpoint_pass(endpoints: list[ManagedEndpoint], head: T, tail: T) -> Finding:
    first = endpoints[0]
    more = T(f" (and {len(endpoints) - 1} more)", f" (y {len(endpoints) - 1} más)") \
        if len(endpoints) > 1 else T("", "")
    return passed(head + T.same(first.label) + tail + more, first.path, first.line)
