"""FIN001: at least two kinds of FinOps evidence.

Kinds: a cost analysis (a document about costs with monthly amounts), budget alerts,
cost-allocation tags, scale-to-zero and autoscaling, read from documents, Terraform,
Kubernetes manifests, CloudFormation, serverless.yml and deploy commands. Not applicable
when the repository deploys or provisions nothing. Repository-wide.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import Workflow, workflows
from mlops_lint.parsers.helm_templates import template_objects
from mlops_lint.parsers.k8s_model import HelmChart
from mlops_lint.parsers.markdown import parse_markdown
from mlops_lint.parsers.terraform import TfFile, terraform_files
from mlops_lint.readers.deployment import deployment
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.unread import manifests_noted, noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.obs._fin_fix import finops_fix

# An amount: a currency then a number, or a number then a currency. The number side starts
# at the beginning of a run of digits, dots and commas (the lookbehind): a currency can
# only follow the end of such a run, and trying every digit of a long run as a start
# took quadratic time.
MONEY = lazy_re.compile(r"(\$|usd|us\$|€|eur)\s?~?\d|(?<![\d.,])[.,]*\d[\d.,]*\s?"
                        r"(\$|usd|€|eur|dólares|dollars)", re.IGNORECASE)


MONTH = lazy_re.compile(r"\bmes(es)?\b|mensual|month|/mo\b|per month|al mes", re.IGNORECASE)


COST_WORDS = lazy_re.compile(r"cost|coste|costo|finops|tco|presupuesto|budget|pricing|precio",
                             re.IGNORECASE)


BUDGET_RESOURCES = ("aws_budgets_budget", "google_billing_budget", "azurerm_consumption_budget")


AUTOSCALING_RESOURCES = ("aws_appautoscaling_target", "aws_appautoscaling_policy",
                         "aws_autoscaling_group", "aws_autoscaling_policy",
                         "google_compute_autoscaler", "google_compute_region_autoscaler",
                         "azurerm_monitor_autoscale_setting",
                         "kubernetes_horizontal_pod_autoscaler")


# managed Kubernetes that scales its nodes: GKE Autopilot (nodes provisioned and billed
# per pod), GKE cluster autoscaling (node auto-provisioning), node-pool ``autoscaling``
# blocks (GKE), AKS auto-scaling node pools
AUTOSCALING_FLAGS = frozenset({"enable_autopilot", "enable_auto_scaling", "auto_scaling_enabled"})


AUTOSCALING_BLOCKS = frozenset({"cluster_autoscaling", "autoscaling"})


COST_TAGS = {"project", "env", "environment", "owner", "team", "managedby", "managed-by",
             "managed_by", "costcenter", "cost-center", "cost_center", "stage"}


ZERO_KEYS = ("min_instance_count", "min_instances", "min_capacity", "min_replicas",
             "min_size", "minreplicacount", "minscale", "autoscaling.knative.dev/minscale",
             "min-instances")


def _unq(value: object) -> str:
    text = str(value)
    return text[1:-1] if len(text) >= 2 and text[0] == text[-1] == '"' else text


def _walk(node: Any, key: str = "") -> Iterator[tuple[str, Any]]:
    """Every (key, value) pair of nested dicts/lists, keys unquoted and lower case."""
    if isinstance(node, dict):
        for k, v in node.items():
            name = _unq(k).lower()
            yield name, v
            yield from _walk(v, name)
    elif isinstance(node, list):
        for item in node:
            yield from _walk(item, key)


KNATIVE_SCALE_KEYS = frozenset({"autoscaling.knative.dev/minscale",
                                "autoscaling.knative.dev/min-scale",
                                "autoscaling.knative.dev/maxscale",
                                "autoscaling.knative.dev/max-scale"})


def _keyed(node: Any, wanted: frozenset[str]) -> list[tuple[str, Any]]:
    """The (key, value) pairs of :func:`_walk` whose key is in ``wanted``, in the same
    order, found with a loop instead of nested generators (manifests have thousands)."""
    found: list[tuple[str, Any]] = []
    stack: list[tuple[str | None, Any]] = [(None, node)]
    while stack:
        name, item = stack.pop()
        if name is not None and name in wanted:
            found.append((name, item))
        if isinstance(item, dict):
            stack.extend(reversed([(_unq(k).lower(), v) for k, v in item.items()]))
        elif isinstance(item, list):
            stack.extend((None, v) for v in reversed(item))
    return found


def _true(value: Any) -> bool:
    return value is True or _unq(value).strip().lower() == "true"


def _enabled_block(value: Any) -> bool:
    """A Terraform block (python-hcl2 gives a list of dicts) that is not switched off:
    ``cluster_autoscaling { enabled = true … }``, ``autoscaling { min_node_count … }``."""
    for item in value if isinstance(value, list) else [value]:
        if isinstance(item, dict) and item:
            enabled = item.get("enabled")
            if enabled is None or _true(enabled):
                return True
    return False


def _node_autoscaling(body: Any) -> str | None:
    """How a cluster or node-pool resource scales its nodes, if it does."""
    for key, value in _walk(body):
        if key in AUTOSCALING_FLAGS and _true(value):
            return f"{key} = true"
        if key in AUTOSCALING_BLOCKS and _enabled_block(value):
            return f"{key} {{…}}"
    return None


def _zero(value: Any) -> bool:
    return _unq(value).strip() in ("0",) if not isinstance(value, bool) else False


def _cost_tags(mapping: Any) -> set[str]:
    if not isinstance(mapping, dict):
        return set()
    return {_unq(k).lower() for k in mapping} & COST_TAGS


KIND_NAMES = {"cost analysis": "análisis de costes", "budget alerts": "alertas de presupuesto",
              "cost-allocation tags": "etiquetas de coste", "scale-to-zero": "escalado a cero",
              "autoscaling": "autoescalado"}


@dataclass
class _Evidence:
    found: dict[str, tuple[str, int | None, str]]

    def add(self, kind: str, path: str, detail: str, line: int | None = None) -> None:
        self.found.setdefault(kind, (path, line, detail))


def _serverless_to_zero(body: Any) -> bool:
    """A SageMaker serverless variant (``serverless_config``) scales to zero when idle,
    unless ``provisioned_concurrency`` (other than 0) keeps instances warm."""
    for key, value in _walk(body):
        if key != "serverless_config":
            continue
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, dict) and _zero(item.get("provisioned_concurrency", 0)):
                return True
    return False


# functions billed per invocation, with no instance running while idle (provisioned
# concurrency, kept warm, is the exception)
SERVERLESS_FUNCTIONS = frozenset({"aws_lambda_function", "google_cloudfunctions_function",
                                  "google_cloudfunctions2_function"})


def _tf_blocks(tf: TfFile, ev: _Evidence) -> None:
    """Budgets, autoscaling resources, clusters and node pools that scale their nodes,
    SageMaker serverless variants, serverless functions (unless kept warm)."""
    warm = any(b.labels and b.labels[0] == "aws_lambda_provisioned_concurrency_config"
               for b in tf.of("resource"))
    for block in tf.of("resource"):
        name = block.labels[0] if block.labels else ""
        if name.startswith(BUDGET_RESOURCES):
            ev.add("budget alerts", tf.path, block.address, block.line)
        if name.startswith(AUTOSCALING_RESOURCES):
            ev.add("autoscaling", tf.path, block.address, block.line)
        scaler = _node_autoscaling(block.body)
        if scaler:
            ev.add("autoscaling", tf.path, f"{block.address} {scaler}", block.line)
        if name == "aws_sagemaker_endpoint_configuration" and _serverless_to_zero(block.body):
            ev.add("scale-to-zero", tf.path, f"{block.address} serverless_config",
                   block.line)
        if name in SERVERLESS_FUNCTIONS and not warm:
            ev.add("scale-to-zero", tf.path,
                   f"{block.address} (a serverless function scales to zero)", block.line)
    for block in tf.of("module"):
        scaler = _node_autoscaling(block.body)
        if scaler:
            ev.add("autoscaling", tf.path, f"{block.address} {scaler}", block.line)


def _tf_settings(tf: TfFile, ev: _Evidence) -> None:
    """Cost tags, zero minimums and maximum counts anywhere in the file."""
    for key, value in _walk(tf.data):
        if key == "default_tags":
            tags = {t for item in (value if isinstance(value, list) else [value])
                    if isinstance(item, dict) for t in _cost_tags(item.get("tags"))}
            if len(tags) >= 2:
                ev.add("cost-allocation tags", tf.path,
                       f"default_tags ({', '.join(sorted(tags))})")
        elif key in ("tags", "labels", "common_tags") and len(_cost_tags(value)) >= 2:
            ev.add("cost-allocation tags", tf.path,
                   f"{key} ({', '.join(sorted(_cost_tags(value)))})")
        elif key in ZERO_KEYS and _zero(value):
            ev.add("scale-to-zero", tf.path, f"{key} = 0")
        elif key in ("max_instance_count", "max_instances", "max_capacity",
                     "max_replicas"):
            ev.add("autoscaling", tf.path, key)


def _terraform_evidence(ctx: Context, ev: _Evidence) -> None:
    for tf in map(noted, terraform_files(ctx.repo)):
        if isinstance(tf, ParseError):
            continue  # reported by the IaC rules
        _tf_blocks(tf, ev)
        _tf_settings(tf, ev)


def _keda_to_zero(kind: str, spec: Any) -> str | None:
    """A KEDA ``ScaledObject`` scales to zero unless ``minReplicaCount`` (default 0) says
    otherwise; an ``HTTPScaledObject`` of the HTTP add-on unless ``replicas.min`` (default
    0) does."""
    if not isinstance(spec, dict):
        return None
    if kind == "ScaledObject":
        value = spec.get("minReplicaCount", 0)
        return "KEDA minReplicaCount: 0" if _zero(value) else None
    if kind == "HTTPScaledObject":
        replicas = spec.get("replicas")
        value = replicas.get("min", 0) if isinstance(replicas, dict) else 0
        return "KEDA HTTPScaledObject replicas.min: 0" if _zero(value) else None
    return None


AUTOSCALER_KINDS = frozenset({"HorizontalPodAutoscaler", "ScaledObject",
                              "VerticalPodAutoscaler", "HTTPScaledObject"})


def _chart_autoscalers(ctx: Context, charts: list[HelmChart], ev: _Evidence) -> None:
    """Autoscalers in a chart's unrendered templates that the default values render (a
    guard such as ``{{ if .Values.hpa.enabled }}`` true in values.yaml) or whose guard
    cannot be told; one switched off by default is not evidence."""
    for chart in charts:
        for obj in template_objects(ctx.repo, chart):
            if obj.kind not in AUTOSCALER_KINDS or obj.enabled is False:
                continue
            how = "" if obj.guard is None else (
                f", enabled by default: {obj.guard}: true" if obj.enabled
                else f", rendered if {obj.guard}")
            ev.add("autoscaling", obj.path, f"{obj.kind} (Helm template{how})", obj.line)


def _manifest_evidence(ctx: Context, ev: _Evidence) -> None:
    manifests = manifests_noted(ctx)
    _chart_autoscalers(ctx, manifests.charts, ev)
    for obj in manifests.objects:
        if obj.kind in AUTOSCALER_KINDS:
            ev.add("autoscaling", obj.path, obj.label, obj.line)
        zero = _keda_to_zero(obj.kind, obj.spec)
        if zero:
            ev.add("scale-to-zero", obj.path, zero, obj.line)
        for key, value in _keyed(obj.doc, KNATIVE_SCALE_KEYS):
            if key in ("autoscaling.knative.dev/minscale", "autoscaling.knative.dev/min-scale") \
                    and _zero(value):
                ev.add("scale-to-zero", obj.path, "Knative minScale 0", obj.line)
            if key in ("autoscaling.knative.dev/maxscale", "autoscaling.knative.dev/max-scale"):
                ev.add("autoscaling", obj.path, "Knative maxScale", obj.line)
        tags = _cost_tags(obj.labels)
        if len(tags) >= 2:
            ev.add("cost-allocation tags", obj.path, f"labels ({', '.join(sorted(tags))})",
                   obj.line)
    for path in ctx.files(["**/*.yml", "**/*.yaml", "**/*.json", "**/*.template"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str) and "AWS::Budgets::Budget" in text:
            ev.add("budget alerts", path, "AWS::Budgets::Budget (CloudFormation)")
    for path in ctx.files(["**/serverless.yml", "**/serverless.yaml"]):
        ev.add("scale-to-zero", path, "serverless functions scale to zero")


def _command_evidence(ctx: Context, ev: _Evidence) -> None:
    commands: list[tuple[str, int | None, str]] = []
    for wf in map(noted, workflows(ctx.repo)):
        if isinstance(wf, Workflow):
            commands += [(wf.path, s.line, s.run or "") for j in wf.jobs for s in j.steps]
    for path in ctx.files(["Makefile", "**/Makefile", "**/*.sh"]):
        text = noted(ctx.repo.text(path))
        if isinstance(text, str):
            commands += [(path, n, t) for n, t in enumerate(text.splitlines(), start=1)]
    for path, line, text in commands:
        if re.search(r"--min-instances[=\s]+0\b", text):
            ev.add("scale-to-zero", path, "--min-instances 0", line)
        if re.search(r"--max-instances[=\s]+\d", text):
            ev.add("autoscaling", path, "--max-instances", line)


def _doc_evidence(ctx: Context, ev: _Evidence) -> None:
    for path in ctx.files(["**/*.md"]):
        doc = noted(ctx.repo.parse(path, parse_markdown))
        if isinstance(doc, ParseError):
            continue
        headers = [" ".join(t.header) for t in doc.tables]
        about_cost = bool(COST_WORDS.search(path)) or any(
            COST_WORDS.search(text) for text in [h.text for h in doc.headings] + headers)
        if not about_cost:
            continue
        money = [(n, t) for n, t in doc.prose if MONEY.search(t)]
        monthly = any(MONTH.search(t) for _, t in doc.prose) or any(
            MONTH.search(text) for text in [h.text for h in doc.headings] + headers)
        if money and monthly:
            ev.add("cost analysis", path, "monthly costs", money[0][0])


@rule("FIN001")
@reports_unread
def finops_evidence(ctx: Context, params: None) -> Iterator[Finding]:
    """FIN001: at least two kinds of FinOps evidence."""
    ev = _Evidence({})
    _doc_evidence(ctx, ev)
    _terraform_evidence(ctx, ev)
    _manifest_evidence(ctx, ev)
    _command_evidence(ctx, ev)
    items = sorted(ev.found.items())
    listed = T("; ".join(f"{kind}: {detail} ({path})" for kind, (path, _, detail) in items),
               "; ".join(f"{KIND_NAMES[kind]}: {detail} ({path})"
                         for kind, (path, _, detail) in items))
    fact = deployment(ctx.repo)
    doc_repo = project_kind(ctx.repo).no_code()
    if len(ev.found) < 2 and doc_repo is not None and not fact.infrastructure:
        yield skipped(T("not applicable: ", "no aplica: ") + doc_repo + T(
            " that provisions nothing, so there is no cloud cost to control (cost text in its "
            "pages is teaching, not evidence)", " que no aprovisiona nada, así que no hay coste "
            "de nube que controlar (el texto de costes de sus páginas es enseñanza, no "
            "evidencia)"))
    elif len(ev.found) >= 2:
        path, line, _ = min(ev.found.values(), key=lambda e: (e[0], e[1] or 0))
        yield passed(T(f"{len(ev.found)} kinds of FinOps evidence: ",
                       f"{len(ev.found)} tipos de evidencia FinOps: ") + listed, path, line)
    elif ev.found:
        path, line, _ = next(iter(ev.found.values()))
        yield warned(T("only one kind of FinOps evidence: ",
                       "solo un tipo de evidencia FinOps: ") + listed, path, line)
    elif not fact.infrastructure:
        yield skipped(fact.no_infrastructure(T(", so there is no cloud cost to control",
                                               ", así que no hay coste de nube que controlar")))
    else:
        where = fact.infrastructure[0]
        yield failed(T("no FinOps evidence (cost analysis, budget alerts, cost tags, "
                       "scale-to-zero, autoscaling) for what the repository deploys or "
                       f"provisions: {where.detail}",
                       "sin evidencia FinOps (análisis de costes, alertas de presupuesto, "
                       "etiquetas de coste, escalado a cero, autoescalado) para lo que el "
                       f"repositorio despliega o aprovisiona: {where.detail}"),
                     fix=finops_fix(fact))
