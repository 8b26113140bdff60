"""Whether a repository deploys anything: the shared subject of the delivery rules.

A rollback procedure (DEP002 level 3), a scheduled drift job (OBS006), an image build in
CI (CI009) and cost controls (FIN001) judge something that runs somewhere. A project
template generator, a documentation repository whose only Dockerfiles are templates to
copy, or a library has no such subject: those rules are not applicable there
(levels.md §6), and say why.

The evidence, read once per run for the whole repository:

* ``serving``: code of a web framework, model server or scoring script (the imports and
  entry points :mod:`mlops_lint.parsers.fastapi_app` recognises), or a dashboard app;
* ``image``: a Dockerfile of the repository's own (templates under ``templates/`` and
  scaffolds with ``{{ }}`` placeholders are not);
* ``manifest``: Kubernetes objects, Helm charts, kustomizations;
* ``compose``: a compose file of its own with services;
* ``platform``: serverless.yml, an ECS task definition, CloudFormation/SAM resources
  that run code, fly.toml, render.yaml, app.yaml, a Procfile;
* ``iac``: Terraform resources (or registry modules) that provision compute or a model
  endpoint;
* ``workflow``: a CI command that deploys (kubectl apply, helm upgrade, gcloud run
  deploy, terraform apply, fastapi deploy, docker compose up -d, …), a deploy action, or
  a CI job named for a deployment that does not publish documentation.

Files under documentation folders (``docs/``, ``doc/``, ``docs-*``) are examples for
readers, not deployments, and test files and fixtures are not either.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.globs import COMPOSE_FILES_ANYWHERE
from mlops_lint.model import T
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Workflow, ci_commands, environment_jobs, workflows
from mlops_lint.parsers.dockerfile import (
    DOCKERFILE_GLOBS,
    is_dockerfile,
    is_template_path,
)
from mlops_lint.parsers.fastapi_app import load_module
from mlops_lint.parsers.helm_templates import chart_workload
from mlops_lint.parsers.kubernetes import HELM_TEMPLATE, TEMPLATE, read_manifests
from mlops_lint.parsers.python_source import is_test_path
from mlops_lint.parsers.terraform import terraform_files
from mlops_lint.repo import Repo

# a CI command that deploys a service or applies infrastructure
DEPLOY_COMMAND = lazy_re.compile(
    r"gcloud\s+run\s+deploy|aws\s+ecs\s+(update-service|deploy)|kubectl\s+(apply|set\s+image|"
    r"rollout)|helm\s+(upgrade|install)|(serverless|sls)\s+deploy|fly(ctl)?\s+deploy|"
    r"az\s+containerapp|gcloud\s+app\s+deploy|copilot\s+deploy|az\s+ml\s+model\s+deploy|"
    r"az\s+ml\s+online-deployment\s+create|az\s+webapp\s+(create|deploy|config\s+container)|"
    r"sagemaker\s+create-endpoint", re.IGNORECASE)
# infrastructure applied from CI (not a deploy of a service by itself, but it provisions)
APPLY_COMMAND = lazy_re.compile(
    r"terraform\s+(-chdir=\S+\s+)?apply|terragrunt\s+(run-all\s+)?apply|pulumi\s+up|"
    r"cdk\s+deploy|sam\s+deploy|aws\s+cloudformation\s+(deploy|create-stack|update-stack)|"
    r"gcloud\s+functions\s+deploy|aws\s+lambda\s+update-function-code|skaffold\s+(run|deploy)",
    re.IGNORECASE)
# hosted platforms and servers deployed from a command (not a GitHub Pages site)
HOSTED_DEPLOY = lazy_re.compile(
    r"\b(fastapi|vercel|netlify|modal|bentoml|beam|railway|eb|heroku)\s+deploy\b|"
    r"\brailway\s+up\b|\bdocker\s+stack\s+deploy\b|\bheroku\s+container:release\b|"
    r"\baz\s+webapp\s+up\b|\banyscale\s+service\s+(rollout|deploy)\b|"
    r"\bsky\s+serve\s+up\b|\bdocker[\s-]compose\b[^\n;&|]*\bup\b[^\n;&|]*\s-d\b",
    re.IGNORECASE)
# a CI job named for a deployment ("deploy", "deploy-prod", a GitLab deploy stage), unless
# it publishes documentation
DEPLOY_JOB = lazy_re.compile(r"(^|[^a-z])deploy", re.IGNORECASE)
DOCS_JOB = lazy_re.compile(r"docs?\b|pages|documentation|site|gh-deploy|mkdocs|sphinx",
                           re.IGNORECASE)
DEPLOY_ACTIONS = ("google-github-actions/deploy-cloudrun", "google-github-actions/deploy-appengine",
                  "google-github-actions/deploy-cloud-functions", "aws-actions/amazon-ecs-deploy",
                  "azure/webapps-deploy", "azure/functions-action", "azure/k8s-deploy",
                  "azure/container-apps-deploy-action", "superfly/flyctl-actions",
                  "hashicorp/tfc-workflows-github", "aws-actions/aws-cloudformation-github-deploy")

# Terraform resources that run code or serve a model (costly and deployable), by prefix
COMPUTE_RESOURCES = (
    "aws_instance", "aws_launch_template", "aws_launch_configuration", "aws_autoscaling_group",
    "aws_ecs_service", "aws_ecs_task_definition", "aws_eks_cluster", "aws_eks_node_group",
    "aws_lambda_function", "aws_sagemaker_endpoint", "aws_sagemaker_model",
    "aws_apprunner_service", "aws_elastic_beanstalk_environment", "aws_batch_compute_environment",
    "aws_emr_cluster", "aws_db_instance", "aws_rds_cluster",
    "google_container_cluster", "google_container_node_pool", "google_cloud_run_service",
    "google_cloud_run_v2_service", "google_cloud_run_v2_job", "google_cloudfunctions_function",
    "google_cloudfunctions2_function", "google_compute_instance",
    "google_compute_instance_template", "google_compute_instance_group_manager",
    "google_compute_region_instance_group_manager", "google_vertex_ai_endpoint",
    "google_app_engine_", "google_dataproc_cluster", "google_sql_database_instance",
    "azurerm_kubernetes_cluster", "azurerm_linux_virtual_machine",
    "azurerm_windows_virtual_machine", "azurerm_virtual_machine", "azurerm_container_app",
    "azurerm_container_group", "azurerm_linux_web_app", "azurerm_windows_web_app",
    "azurerm_app_service", "azurerm_function_app", "azurerm_linux_function_app",
    "azurerm_machine_learning_compute", "azurerm_machine_learning_inference_cluster",
    "kubernetes_deployment", "kubernetes_stateful_set", "kubernetes_daemonset",
    "kubernetes_cron_job", "kubernetes_job", "helm_release", "digitalocean_droplet",
    "digitalocean_kubernetes_cluster", "digitalocean_app",
)
# registry modules that provision the same (terraform-aws-modules/eks/aws, …/gke, …)
COMPUTE_MODULE = lazy_re.compile(
    r"(^|[/_-])(eks|ecs|ec2-instance|autoscaling|lambda|gke|kubernetes-engine|aks|cloud-run|"
    r"cloud-function|vm|compute-instance|sagemaker|vertex|app-runner|beanstalk)([/_-]|$)",
    re.IGNORECASE)
CLOUDFORMATION_COMPUTE = lazy_re.compile(
    r"AWS::(Serverless::Function|Lambda::Function|EC2::Instance|ECS::Service|EKS::Cluster|"
    r"SageMaker::Endpoint|AutoScaling::AutoScalingGroup|AppRunner::Service)\b")
DOC_DIRS = frozenset({"docs", "doc", "documentation"})
MAX_SCAN = 256 * 1024

# the kinds of evidence that provision infrastructure someone pays for (FIN001's subject);
# serving code, an image and a local compose stack are not infrastructure by themselves
INFRASTRUCTURE = frozenset({"manifest", "platform", "iac", "workflow"})
KIND_NAMES: dict[str, tuple[str, str]] = {
    "serving": ("serving code", "código de servicio"),
    "image": ("a Dockerfile of its own", "un Dockerfile propio"),
    "manifest": ("Kubernetes manifests or Helm charts", "manifiestos de Kubernetes o charts "
                 "de Helm"),
    "compose": ("a compose stack", "un stack de compose"),
    "platform": ("a serverless or platform descriptor", "un descriptor serverless o de "
                 "plataforma"),
    "iac": ("Terraform that provisions compute or an endpoint", "Terraform que aprovisiona "
            "cómputo o un endpoint"),
    "workflow": ("a deploy job in CI", "un job de despliegue en CI"),
}


@dataclass(frozen=True)
class Evidence:
    kind: str
    path: str
    detail: str


@dataclass(frozen=True)
class Deployment:
    """What the repository deploys (empty when nothing), and the templates left aside."""

    evidence: tuple[Evidence, ...]
    templates: tuple[str, ...]  # Dockerfiles/compose files that are templates to copy
    examples: tuple[str, ...] = ()  # deployment files under documentation folders

    def of(self, kinds: Iterable[str] | None = None) -> list[Evidence]:
        wanted = frozenset(kinds) if kinds is not None else None
        return [e for e in self.evidence if wanted is None or e.kind in wanted]

    @property
    def deploys(self) -> bool:
        return bool(self.evidence)

    @property
    def infrastructure(self) -> list[Evidence]:
        return self.of(INFRASTRUCTURE)

    def nothing_deployed(self, then: T | None = None) -> T:
        """The reason to give when nothing is deployed (``then``: its consequence)."""
        return T("not applicable: nothing in this repository is deployed (no serving code, "
                 "no Dockerfile of its own, no Kubernetes, Helm, compose or serverless "
                 "descriptor, no Terraform that provisions compute, no deploy job in CI)",
                 "no aplica: nada de este repositorio se despliega (ni código de servicio, ni "
                 "Dockerfile propio, ni descriptor de Kubernetes, Helm, compose o serverless, "
                 "ni Terraform que aprovisione cómputo, ni job de despliegue en CI)") + (
            then or T("", "")) + self._templates() + self._examples()

    def no_infrastructure(self, then: T | None = None) -> T:
        """The reason to give when no infrastructure is provisioned (``then``: its
        consequence)."""
        found = sorted({e.kind for e in self.evidence})
        what = T("", "")
        if found:
            what = T(f"; it has only {_and([KIND_NAMES[k][0] for k in found], 'and')}",
                     f"; solo tiene {_and([KIND_NAMES[k][1] for k in found], 'y')}")
        return T("not applicable: this repository provisions no infrastructure (no Kubernetes "
                 "manifest or Helm chart, no serverless or platform descriptor, no Terraform "
                 "that provisions compute, no deploy job in CI)",
                 "no aplica: este repositorio no aprovisiona infraestructura (ni manifiesto de "
                 "Kubernetes o chart de Helm, ni descriptor serverless o de plataforma, ni "
                 "Terraform que aprovisione cómputo, ni job de despliegue en CI)") + what + (
            then or T("", "")) + self._examples()

    def _templates(self) -> T:
        if not self.templates:
            return T("", "")
        return T(f"; only templates ({_shown(self.templates)}); none is the project's own",
                 f"; solo plantillas ({_shown(self.templates)}); ninguna es propia del "
                 "proyecto")

    def _examples(self) -> T:
        if not self.examples:
            return T("", "")
        return T(f"; {_shown(self.examples)} are documentation examples",
                 f"; {_shown(self.examples)} son ejemplos de la documentación")


def _shown(paths: tuple[str, ...], limit: int = 3) -> str:
    return ", ".join(paths[:limit]) + (", …" if len(paths) > limit else "")


def _and(items: list[str], word: str) -> str:
    return items[0] if len(items) == 1 else f"{', '.join(items[:-1])} {word} {items[-1]}"


def in_docs(path: str) -> bool:
    """A file under a documentation folder (``docs/``, ``doc/``, ``docs-gb/``)."""
    for part in PurePosixPath(path).parts[:-1]:
        lower = part.lower()
        if lower in DOC_DIRS or lower.startswith(("docs-", "docs_")):
            return True
    return False


def deployment(repo: Repo) -> Deployment:
    """What ``repo`` deploys (memoized per run)."""
    cached = repo.memo.get("deployment:fact")
    if isinstance(cached, Deployment):
        return cached
    found: list[Evidence] = []
    templates: list[str] = []
    examples: list[str] = []
    _serving(repo, found)
    _images(repo, found, templates)
    _manifests(repo, found, examples)
    _compose(repo, found, templates)
    _platforms(repo, found)
    _terraform(repo, found)
    _workflows(repo, found)
    fact = Deployment(tuple(found), tuple(templates), tuple(sorted(set(examples))))
    repo.memo["deployment:fact"] = fact
    return fact


def skip_path(path: str) -> bool:
    """Documentation examples, test fixtures and scaffold files: not the repository's own
    deployment."""
    return in_docs(path) or is_test_path(path) or "{{" in path or "{%" in path


def _serving(repo: Repo, found: list[Evidence]) -> None:
    for path in repo.glob(["**/*.py"]):
        if skip_path(path):
            continue
        loaded = load_module(repo, path, path)
        if isinstance(loaded, ParseError):
            continue
        module, _ = loaded
        if module.recognised:
            _, label, line = module.recognised[0]
            found.append(Evidence("serving", path, f"{label} ({path}:{line})"))
            return


def _images(repo: Repo, found: list[Evidence], templates: list[str]) -> None:
    for path in repo.glob(DOCKERFILE_GLOBS, case_sensitive=False):
        if not is_dockerfile(path):
            continue
        if is_template_path(path, repo):
            templates.append(path)
        elif not skip_path(path):
            found.append(Evidence("image", path, path))
            return


def _manifests(repo: Repo, found: list[Evidence], examples: list[str]) -> None:
    manifests = read_manifests(repo)
    workloads = {id(w.obj) for w in manifests.workloads}
    # a workload names what runs better than a chart (whose templates hold the workload)
    # does, and a chart better than a NetworkPolicy or a ConfigMap does
    candidates = [(o.path, f"{o.label} ({o.path})") for o in manifests.objects
                  if id(o) in workloads]
    for chart in manifests.charts:
        workload = chart_workload(repo, chart)
        candidates.append((chart.chart_file, f"Helm chart {chart.name} ({chart.chart_file})"
                           + (f": {workload.kind} in {workload.path}" if workload else "")))
    candidates += [(o.path, f"{o.label} ({o.path})") for o in manifests.objects
                   if id(o) not in workloads]
    candidates += [(u.path, u.path) for u in manifests.unread
                   if u.reason in (HELM_TEMPLATE, TEMPLATE)]
    for path, detail in candidates:
        if in_docs(path):
            examples.append(path)
        elif not skip_path(path):
            found.append(Evidence("manifest", path, detail))
            return


def _compose(repo: Repo, found: list[Evidence], templates: list[str]) -> None:
    for path in repo.glob(COMPOSE_FILES_ANYWHERE):
        if is_template_path(path, repo):
            templates.append(path)
            continue
        if skip_path(path):
            continue
        doc = repo.yaml(path)
        services = doc.get("services") if isinstance(doc, dict) else None
        if isinstance(services, dict) and services:
            found.append(Evidence("compose", path, path))
            return


def _platforms(repo: Repo, found: list[Evidence]) -> None:
    for path in repo.glob(["**/serverless.yml", "**/serverless.yaml", "**/fly.toml",
                           "**/render.yaml", "**/app.yaml", "**/Procfile"]):
        if not skip_path(path):
            found.append(Evidence("platform", path, path))
            return
    for path in repo.glob(["**/*.json", "**/*.yaml", "**/*.yml", "**/*.template"]):
        if skip_path(path):
            continue
        text = repo.text(path)
        if not isinstance(text, str):
            continue
        head = text[:MAX_SCAN]
        if "containerDefinitions" in head:
            found.append(Evidence("platform", path, f"ECS task definition ({path})"))
            return
        match = CLOUDFORMATION_COMPUTE.search(head)
        if match:
            found.append(Evidence("platform", path, f"{match.group(0)} ({path})"))
            return


def _terraform(repo: Repo, found: list[Evidence]) -> None:
    for tf in terraform_files(repo):
        if isinstance(tf, ParseError) or skip_path(tf.path):
            continue
        for block in tf.of("resource"):
            name = block.labels[0] if block.labels else ""
            if name.startswith(COMPUTE_RESOURCES):
                found.append(Evidence("iac", tf.path, f"{block.address} ({tf.path})"))
                return
        for block in tf.of("module"):
            source = str(block.body.get("source", ""))
            if not source.startswith(".") and COMPUTE_MODULE.search(source):
                found.append(Evidence("iac", tf.path, f"{block.address} ({tf.path})"))
                return


def _workflows(repo: Repo, found: list[Evidence]) -> None:
    jobs: dict[tuple[str, str, str], list[str]] = {}  # (system, file, job) -> commands
    for command in ci_commands(repo):
        match = DEPLOY_COMMAND.search(command.text) or APPLY_COMMAND.search(command.text) or \
            HOSTED_DEPLOY.search(command.text)
        if match:
            found.append(Evidence("workflow", command.path,
                                  f"{' '.join(match.group(0).split())} ({command.path})"))
            return
        jobs.setdefault((command.system, command.path, command.job), []).append(command.text)
    action, named = _github_deploy(repo)
    if action is not None:
        found.append(action)
        return
    for (system, path, job_name), commands in sorted(jobs.items()):
        if named is None and system != "github" and (
                deploy_job(job_name, " ".join([path, *commands]))
                or job_name in environment_jobs(repo, system, path)):
            named = Evidence("workflow", path, f"job {job_name} ({path})")
    if named is not None:
        found.append(named)


def _github_deploy(repo: Repo) -> tuple[Evidence | None, Evidence | None]:
    """(a deploy action a GitHub workflow step uses, the first job named for a deployment)
    — the search stops at the first action."""
    named: Evidence | None = None
    for wf in workflows(repo):
        if not isinstance(wf, Workflow):
            continue
        for job in wf.jobs:
            for step in job.steps:
                if (step.uses or "").lower().startswith(DEPLOY_ACTIONS):
                    return Evidence("workflow", wf.path, f"{step.uses} ({wf.path})"), named
            texts = " ".join([wf.path, wf.name or ""] + [f"{s.uses or ''} {s.run or ''}"
                                                         for s in job.steps])
            if named is None and job.steps and deploy_job(f"{job.id} {job.name or ''}",
                                                           texts):
                named = Evidence("workflow", wf.path, f"job {job.id} ({wf.path})")
    return None, named


def deploy_job(name: str, text: str) -> bool:
    """A job named for a deployment that does not publish documentation (its name, file,
    actions and commands say nothing of docs or pages)."""
    return bool(DEPLOY_JOB.search(name)) and not DOCS_JOB.search(name) and \
        not DOCS_JOB.search(text[:4000])
