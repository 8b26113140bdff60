"""OBS003's well-known equivalent of Prometheus for a scoring script a platform serves
(levels.md point 2): an Azure ML ``init()``/``run()`` script or a SageMaker
``model_fn``/``predict_fn`` handler has no web app of its own, so it cannot expose
``/metrics``; the platform records its request rate, latency and failures instead
(Application Insights when the deployment enables it, CloudWatch for every SageMaker
endpoint).

Deployment configurations are read as text, bounded; nothing is run.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.globs import is_test_data
from mlops_lint.parsers.fastapi_app import SCORING_SCRIPTS, ServingModel
from mlops_lint.readers.unread import noted

_MAX_TEXT = 256 * 1024

AZURE_SCRIPT = "Azure ML scoring script (init/run)"

# Application Insights enabled on an Azure ML deployment: a v1 deployment config
# (appInsightsEnabled), a v2 online deployment (app_insights_enabled) or the SDK's
# deploy_configuration(enable_app_insights=True)
APP_INSIGHTS = lazy_re.compile(
    r"[\"']?\b(appInsightsEnabled|app_insights_enabled|enable_app_insights)[\"']?"
    r"[ \t]{0,4}[:=][ \t]{0,4}[\"']?(true)\b", re.IGNORECASE)


@dataclass(frozen=True)
class ScoringScript:
    """A scoring script the platform serves, and where the platform records its metrics
    (``metrics`` is None when it is not enabled)."""

    label: str
    path: str
    line: int
    metrics: str | None


def _app_insights(ctx: Context) -> str | None:
    for path in ctx.files(["**/*.yml", "**/*.yaml", "**/*.json", "**/*.py"]):
        if is_test_data(path):
            continue
        text = noted(ctx.repo.text(path))
        if not isinstance(text, str) or "nsights" not in text:
            continue
        match = APP_INSIGHTS.search(text[:_MAX_TEXT])
        if match is not None:
            line = text.count("\n", 0, match.start()) + 1
            return f"Application Insights ({path}:{line}: {match.group(1)})"
    return None


def scoring_script(ctx: Context, model: ServingModel) -> ScoringScript | None:
    """The first scoring script of the project's code, with the platform's metrics."""
    found = sorted((path, line, name) for name, (path, line) in model.frameworks.items()
                   if name in SCORING_SCRIPTS)
    if not found:
        return None
    path, line, label = found[0]
    metrics = _app_insights(ctx) if label == AZURE_SCRIPT else \
        "CloudWatch (every SageMaker endpoint publishes its invocations, errors and latency)"
    return ScoringScript(label, path, line, metrics)
