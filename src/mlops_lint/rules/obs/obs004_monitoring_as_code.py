"""OBS004: Prometheus scrape config, actionable alert rules and a Grafana dashboard.

Scrape targets may be declared as operator resources (ServiceMonitor, PodMonitor, Managed
Prometheus PodMonitoring), read as text so Helm templates count, test data excluded. An
alert is actionable with ``for:``, ``labels.severity`` and ``annotations.runbook_url``; a
dashboard needs latency, throughput and error-rate panels. Repository-wide.

Not applicable to a published library or a Terraform module library
(:mod:`mlops_lint.readers.project_kind`) that has none of the three: nothing of such a
repository runs as a service, so there is no target to scrape, alert on or chart. The
same holds for a repository that deploys nothing at all
(:func:`mlops_lint.readers.deployment.deployment`: a training pipeline, a tutorial).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.model import Finding, Status, T, failed, passed, skipped
from mlops_lint.readers.deployment import deployment
from mlops_lint.readers.project_files import as_list
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.training import training
from mlops_lint.readers.unread import noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.obs._cloud_monitoring import (
    DASHBOARD_FIX,
    alert_fix,
    cloud_alert,
    cloud_dashboard,
    cloud_stack,
    default_rules,
)
from mlops_lint.rules.obs._shared import alert_rules, yaml_docs

PANEL_NAMES = {"latency": "latencia", "throughput": "throughput", "error rate": "errores"}


PANEL_KINDS = {
    "latency": lazy_re.compile(r"latenc|duration|histogram_quantile|p9\d|response.?time", re.I),
    "throughput": lazy_re.compile(r"throughput|rps|qps|req(uest)?s?\s*/\s*s|request.?rate|"
                                  r"rate\([^)]*_total|predictions|requests", re.I),
    "error rate": lazy_re.compile(r"error|5xx|status=~\\?\"5|fail", re.I),
}


def _panels(node: Any) -> Iterator[dict[str, Any]]:
    if isinstance(node, dict):
        for panel in as_list(node.get("panels")):
            if isinstance(panel, dict):
                yield panel
                yield from _panels(panel)
        for row in as_list(node.get("rows")):
            yield from _panels(row)


def grafana_dashboards(ctx: Context) -> list[tuple[str, set[str]]]:
    out = []
    for path in ctx.files(["**/*.json"]):
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or '"panels"' not in text:
            continue
        doc = noted(ctx.repo.parse(path, json.loads))
        if not isinstance(doc, dict):
            continue
        board = doc.get("dashboard") if isinstance(doc.get("dashboard"), dict) else doc
        kinds: set[str] = set()
        for panel in _panels(board):
            texts = [str(panel.get("title", ""))] + [
                str(t.get("expr", "")) + " " + str(t.get("legendFormat", ""))
                for t in as_list(panel.get("targets")) if isinstance(t, dict)]
            for kind, pattern in PANEL_KINDS.items():
                if any(pattern.search(t) for t in texts):
                    kinds.add(kind)
        out.append((path, kinds))
    return out


# Scrape targets declared as Kubernetes resources, the equivalent of scrape_configs:
# Prometheus Operator's ServiceMonitor/PodMonitor, Google Managed Prometheus' PodMonitoring.
# Read as text so Helm templates count too; a top-level ``kind:`` line, bounded.
SCRAPE_RESOURCE = lazy_re.compile(r"^kind:[ \t]{0,8}[\"']?(ServiceMonitor|PodMonitor|PodMonitoring|"
                                  r"ClusterPodMonitoring)[\"']?[ \t]{0,8}$", re.MULTILINE)


def scrape_resources(ctx: Context) -> list[tuple[str, int, str]]:
    """(path, line, kind) of the scrape resources of the repository's own manifests."""
    found = []
    for path in ctx.files(["**/*.yml", "**/*.yaml", "**/*.tpl"]):
        if is_test_data(path):
            continue
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or "Monitor" not in text:
            continue
        match = SCRAPE_RESOURCE.search(text)
        if match is not None:
            found.append((path, text.count("\n", 0, match.start()) + 1, match.group(1)))
    return found


def _scrape(ctx: Context) -> Finding:
    """A Prometheus scrape config, or scrape targets declared as operator resources."""
    scrape = [(path, doc) for path, doc in yaml_docs(ctx, ("scrape_configs",))
              if isinstance(doc, dict) and isinstance(doc.get("scrape_configs"), list)]
    resources = [] if scrape else scrape_resources(ctx)
    if scrape:
        path, doc = scrape[0]
        jobs = [str(j.get("job_name")) for j in doc["scrape_configs"] if isinstance(j, dict)]
        return passed(T(f"Prometheus scrape config: {', '.join(jobs) or 'no job'} (/metrics)",
                        f"configuración de scrape de Prometheus: {', '.join(jobs) or 'sin job'} "
                        "(/metrics)"), path)
    if resources:
        path, line, kind = resources[0]
        more = f" (+{len(resources) - 1})" if len(resources) > 1 else ""
        return passed(T(f"scrape targets declared as {kind} resources{more}, the operator's "
                        "equivalent of scrape_configs",
                        f"objetivos de scrape declarados como recursos {kind}{more}, el "
                        "equivalente del operador a scrape_configs"), path, line)
    return failed(T("no Prometheus scrape config (prometheus*.yml with scrape_configs)",
                    "no hay configuración de scrape de Prometheus (prometheus*.yml con "
                    "scrape_configs)"),
                  fix=T("Add infra/prometheus-config.yaml with a scrape job for /metrics.",
                        "Añade infra/prometheus-config.yaml con un job de scrape de "
                        "/metrics."))


def _trains(ctx: Context) -> bool:
    """Whether any project of the repository trains a model (its alerts may watch drift)."""
    return any(training(Context(ctx.repo, p, ctx.config, ctx.rule_id)).anywhere
               for p in ctx.repo.projects)


def _no_alerts(ctx: Context) -> Finding:
    """No service alert rules: a cloud alert as code passes; the chart's cluster rules
    are named; the fix fits the stack and what the project runs."""
    cloud = cloud_alert(ctx)
    if cloud is not None:
        return passed(T(f"alert rules declared as code on the cloud stack: {cloud.what} "
                        f"(the stack's equivalent of Prometheus alert rules)",
                        f"reglas de alerta declaradas como código en la nube: {cloud.what} "
                        "(el equivalente del stack a las reglas de alerta de Prometheus)"),
                      cloud.path, cloud.line)
    prometheus = bool(scrape_resources(ctx)) or bool(grafana_dashboards(ctx))
    fix = alert_fix(None if prometheus else cloud_stack(ctx), _trains(ctx))
    cluster = default_rules(ctx)
    if cluster is not None:
        return failed(T(f"no alert rules for the service (groups[].rules[].alert); only the "
                        f"cluster rules kube-prometheus-stack ships (defaultRules.create in "
                        f"{cluster}), which watch Kubernetes and its nodes, not the service",
                        f"no hay reglas de alerta para el servicio (groups[].rules[].alert); "
                        f"solo las reglas de clúster que trae kube-prometheus-stack "
                        f"(defaultRules.create en {cluster}), que vigilan Kubernetes y sus "
                        "nodos, no el servicio"), cluster, fix=fix)
    return failed(T("no alert rules (groups[].rules[].alert)",
                    "no hay reglas de alerta (groups[].rules[].alert)"), fix=fix)


def _alerts(ctx: Context) -> Iterator[Finding]:
    """Each alert that lacks something, then the actionable ones."""
    alerts = alert_rules(ctx)
    if not alerts:
        yield _no_alerts(ctx)
        return
    complete = [a for a in alerts if not a.missing]
    for alert in alerts:
        if alert.missing:
            yield failed(T(f"alert {alert.name} lacks {', '.join(alert.missing)}",
                           f"a la alerta {alert.name} le falta {', '.join(alert.missing)}"),
                         alert.path, alert.line)
    if complete:
        first = complete[0]
        yield passed(T(f"{len(complete)} actionable alert(s) (for, severity, runbook_url)",
                       f"{len(complete)} alerta(s) accionable(s) (for, severity, "
                       "runbook_url)"), first.path, first.line)


def _dashboard(ctx: Context) -> Finding:
    """A Grafana dashboard with latency, throughput and error-rate panels."""
    boards = grafana_dashboards(ctx)
    full = [(p, k) for p, k in boards if len(k) == 3]
    if full:
        return passed(T("Grafana dashboard with latency, throughput and error-rate panels",
                        "dashboard de Grafana con paneles de latencia, throughput y errores"),
                      full[0][0])
    if boards:
        path, kinds = max(boards, key=lambda b: len(b[1]))
        lacking = sorted(set(PANEL_KINDS) - kinds)
        return failed(T(f"dashboard lacks {', '.join(lacking)} panels",
                        "al dashboard le faltan paneles de "
                        f"{', '.join(PANEL_NAMES[k] for k in lacking)}"), path)
    cloud = cloud_dashboard(ctx)
    if cloud is not None:
        return passed(T(f"dashboard declared as code on the cloud stack: {cloud.what} (the "
                        "stack's equivalent of a Grafana dashboard)",
                        f"dashboard declarado como código en la nube: {cloud.what} (el "
                        "equivalente del stack a un dashboard de Grafana)"),
                      cloud.path, cloud.line)
    stack = cloud_stack(ctx)
    if stack is not None:
        return failed(T("no dashboard as code (a Grafana JSON, or the cloud stack's own: an "
                        "Azure Monitor workbook, a CloudWatch or Cloud Monitoring dashboard)",
                        "no hay dashboard como código (un JSON de Grafana, o el propio de la "
                        "nube: un workbook de Azure Monitor, un dashboard de CloudWatch o de "
                        "Cloud Monitoring)"), fix=DASHBOARD_FIX[stack])
    return failed(T("no Grafana dashboard (grafana/**/*.json)",
                    "no hay dashboard de Grafana (grafana/**/*.json)"),
                  fix=T("Export the Grafana dashboard as JSON (grafana/dashboards/api.json) "
                        "with latency (P95/P99), throughput and error-rate panels.",
                        "Exporta el dashboard de Grafana a JSON (grafana/dashboards/api.json) "
                        "con paneles de latencia (P95/P99), throughput y errores."))


@rule("OBS004")
@reports_unread
def monitoring_as_code(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS004: Prometheus scrape config, actionable alert rules and a Grafana dashboard."""
    found = [_scrape(ctx), *_alerts(ctx), _dashboard(ctx)]
    if all(f.status == Status.FAIL and f.path is None for f in found):
        then = T(", so nothing runs to scrape, alert on or chart",
                 ", así que nada se ejecuta que recoger, alertar o graficar")
        reason = project_kind(ctx.repo).runs_nothing()
        if reason is not None:
            yield skipped(T("not applicable: ", "no aplica: ") + reason + then)
            return
        fact = deployment(ctx.repo)
        if not fact.deploys:
            yield skipped(fact.nothing_deployed(then))
            return
    yield from found
