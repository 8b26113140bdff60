"""OBS004's well-known equivalents of a Grafana dashboard and Prometheus alert rules on a
cloud stack (levels.md point 2), declared as code: Azure Monitor workbooks, portal
dashboards and alert rules (Terraform azurerm_*, ARM/Bicep Microsoft.Insights/*),
CloudWatch dashboards and alarms (Terraform aws_cloudwatch_*, CloudFormation), Google
Cloud Monitoring dashboards and alert policies (Terraform google_monitoring_*, their JSON
or YAML configs); the cloud stack a project is on, to name the fitting equivalent in a
fix; and the cluster alert rules kube-prometheus-stack ships (``defaultRules``).

Everything is read as text, bounded; nothing is run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.model import T
from mlops_lint.readers.unread import noted

_MAX_TEXT = 256 * 1024
_CODE_GLOBS = ["**/*.tf", "**/*.bicep", "**/*.json", "**/*.yml", "**/*.yaml", "**/*.template"]

CLOUD_DASHBOARD = lazy_re.compile(
    r"\b(azurerm_portal_dashboard|azurerm_application_insights_workbook|"
    r"azurerm_dashboard_grafana|aws_cloudwatch_dashboard|google_monitoring_dashboard)\b|"
    r"(Microsoft\.Insights/workbooks|Microsoft\.Portal/dashboards|"
    r"AWS::CloudWatch::Dashboard)|\"?(mosaicLayout|gridLayout)\"?\s{0,4}:",
    re.IGNORECASE)
CLOUD_ALERT = lazy_re.compile(
    r"\b(azurerm_monitor_metric_alert|azurerm_monitor_scheduled_query_rules_alert(?:_v2)?|"
    r"azurerm_monitor_activity_log_alert|aws_cloudwatch_metric_alarm|"
    r"aws_cloudwatch_composite_alarm|google_monitoring_alert_policy)\b|"
    r"(Microsoft\.Insights/(?:metricAlerts|scheduledQueryRules|activityLogAlerts)|"
    r"AWS::CloudWatch::(?:Alarm|CompositeAlarm))|"
    r"\"?(conditionThreshold|conditionMonitoringQueryLanguage|conditionPrometheusQueryLanguage)"
    r"\"?\s{0,4}:", re.IGNORECASE)


@dataclass(frozen=True)
class AsCode:
    path: str
    line: int
    what: str  # the resource type or key that shows it


def _first(ctx: Context, pattern: re.Pattern[str]) -> AsCode | None:
    for path in ctx.files(_CODE_GLOBS):
        if is_test_data(path):
            continue
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str):
            continue
        match = pattern.search(text[:_MAX_TEXT])
        if match is not None:
            what = next(g for g in match.groups() if g)
            return AsCode(path, text.count("\n", 0, match.start()) + 1, what)
    return None


def cloud_dashboard(ctx: Context) -> AsCode | None:
    """The first cloud monitoring dashboard or workbook declared as code."""
    return _first(ctx, CLOUD_DASHBOARD)


def cloud_alert(ctx: Context) -> AsCode | None:
    """The first cloud alert rule, alarm or alert policy declared as code."""
    return _first(ctx, CLOUD_ALERT)


# what shows a project's service is on a cloud's ML/monitoring stack: its dependencies
# and imports, and Terraform monitoring resources (a cluster provisioned on a cloud says
# nothing of where its metrics go); counted, bounded
_STACKS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("azure", lazy_re.compile(r"azureml|azure-ai-ml|azure\.ai\.ml|azure-monitor|azure\.monitor|"
                              r"opencensus-ext-azure|opencensus\.ext\.azure|applicationinsights|"
                              r"\bazurerm_(?:application_insights|log_analytics|monitor)",
                              re.IGNORECASE)),
    ("aws", lazy_re.compile(r"\bsagemaker\b|\baws_cloudwatch|\bcloudwatch\b", re.IGNORECASE)),
    ("gcp", lazy_re.compile(r"google-cloud-aiplatform|google\.cloud\.aiplatform|vertexai|"
                            r"google-cloud-monitoring|\bgoogle_monitoring_", re.IGNORECASE)),
)
_STACK_GLOBS = ["**/requirements*.txt", "**/*conda*.yml", "**/*conda*.yaml",
                "**/environment*.yml", "**/pyproject.toml", "**/setup.py", "**/*.tf",
                "**/*dependencies*.yml"]
_MAX_STACK_FILES = 200


def cloud_stack(ctx: Context) -> str | None:
    """``azure``, ``aws`` or ``gcp`` when the project's dependencies and Terraform show
    one cloud's stack more than the others; None when none shows."""
    counts = dict.fromkeys((name for name, _ in _STACKS), 0)
    for path in ctx.files(_STACK_GLOBS)[:_MAX_STACK_FILES]:
        if is_test_data(path):
            continue
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str):
            continue
        for name, pattern in _STACKS:
            counts[name] += len(pattern.findall(text[:_MAX_TEXT]))
    best = max(counts, key=lambda k: counts[k])
    return best if counts[best] else None


DASHBOARD_FIX = {
    "azure": T("Declare an Azure Monitor workbook (or portal dashboard) over the service's "
               "Application Insights data as code (azurerm_application_insights_workbook in "
               "Terraform, Microsoft.Insights/workbooks in ARM/Bicep) with latency (P95/P99), "
               "request rate and failure-rate charts.",
               "Declara como código un workbook de Azure Monitor (o un dashboard del portal) "
               "sobre los datos de Application Insights del servicio "
               "(azurerm_application_insights_workbook en Terraform, "
               "Microsoft.Insights/workbooks en ARM/Bicep) con latencia (P95/P99), tasa de "
               "peticiones y tasa de fallos."),
    "aws": T("Declare a CloudWatch dashboard as code (aws_cloudwatch_dashboard, or "
             "AWS::CloudWatch::Dashboard) with latency (P95/P99), invocations and error-rate "
             "widgets.",
             "Declara como código un dashboard de CloudWatch (aws_cloudwatch_dashboard, o "
             "AWS::CloudWatch::Dashboard) con latencia (P95/P99), invocaciones y errores."),
    "gcp": T("Declare a Cloud Monitoring dashboard as code (google_monitoring_dashboard, or "
             "its JSON for gcloud monitoring dashboards create) with latency (P95/P99), "
             "request count and error-rate charts.",
             "Declara como código un dashboard de Cloud Monitoring "
             "(google_monitoring_dashboard, o su JSON para gcloud monitoring dashboards "
             "create) con latencia (P95/P99), peticiones y errores."),
}


def alert_fix(stack: str | None, trains: bool) -> T:
    """Alert rules as code on the project's stack; the examples are a serving stack's
    (latency, errors, saturation) when the project trains nothing, drift when it does."""
    what = ("P99 latency, error rate, drift, down" if trains
            else "P99 latency, error rate, saturation or queue length, down")
    what_es = ("latencia P99, errores, drift, caída" if trains
               else "latencia P99, errores, saturación o cola, caída")
    if stack == "azure":
        return T(f"Declare Azure Monitor alert rules as code (azurerm_monitor_metric_alert or "
                 f"azurerm_monitor_scheduled_query_rules_alert_v2 in Terraform, "
                 f"Microsoft.Insights/metricAlerts or scheduledQueryRules in ARM/Bicep) on the "
                 f"Application Insights data: {what}, each with an action group and a runbook "
                 "link.",
                 f"Declara como código reglas de alerta de Azure Monitor "
                 f"(azurerm_monitor_metric_alert o azurerm_monitor_scheduled_query_rules_alert_v2 "
                 f"en Terraform, Microsoft.Insights/metricAlerts o scheduledQueryRules en "
                 f"ARM/Bicep) sobre los datos de Application Insights: {what_es}, cada una con "
                 "un action group y un enlace al runbook.")
    if stack == "aws":
        return T(f"Declare CloudWatch alarms as code (aws_cloudwatch_metric_alarm, or "
                 f"AWS::CloudWatch::Alarm): {what}, each with an SNS action and a runbook "
                 "link in its description.",
                 f"Declara como código alarmas de CloudWatch (aws_cloudwatch_metric_alarm, o "
                 f"AWS::CloudWatch::Alarm): {what_es}, cada una con una acción SNS y un "
                 "enlace al runbook en su descripción.")
    if stack == "gcp":
        return T(f"Declare Cloud Monitoring alert policies as code "
                 f"(google_monitoring_alert_policy): {what}, each with a notification "
                 "channel and documentation linking the runbook.",
                 f"Declara como código políticas de alerta de Cloud Monitoring "
                 f"(google_monitoring_alert_policy): {what_es}, cada una con un canal de "
                 "notificación y documentación que enlace el runbook.")
    return T(f"Add prometheus-rules.yaml: alerts with for:, labels.severity and "
             f"annotations.runbook_url ({what}).",
             f"Añade prometheus-rules.yaml: alertas con for:, labels.severity y "
             f"annotations.runbook_url ({what_es}).")


_DEFAULT_RULES = lazy_re.compile(r"^defaultRules:[ \t]*\n((?:[ \t]+[^\n]{0,200}\n|[ \t]*\n){0,60})",
                                 re.MULTILINE)
_CREATE_FALSE = lazy_re.compile(r"^[ \t]+create:[ \t]*false\b", re.MULTILINE)
_CHART_SECTIONS = lazy_re.compile(r"^(?:prometheus|alertmanager|grafana|prometheusOperator|"
                                  r"kubeStateMetrics):", re.MULTILINE)


def default_rules(ctx: Context) -> str | None:
    """The kube-prometheus-stack values file that keeps the chart's default (cluster)
    alert rules on: a top-level ``defaultRules`` block whose ``create`` is not false,
    beside the chart's other sections (prometheus, alertmanager, grafana). Read as text,
    since such values files often hold templated strings."""
    for path in ctx.files(["**/*.yml", "**/*.yaml"]):
        if is_test_data(path):
            continue
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or "defaultRules" not in text:
            continue
        head = text[:_MAX_TEXT]
        match = _DEFAULT_RULES.search(head)
        if match and not _CREATE_FALSE.search(match.group(1)) and _CHART_SECTIONS.search(head):
            return path
    return None
