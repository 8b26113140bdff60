"""OBS008: OpenTelemetry, Jaeger or Datadog APM tracing (informational, weight 0).
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, passed, skipped
from mlops_lint.rules import rule
from mlops_lint.rules.obs._shared import code_model


@rule("OBS008")
def distributed_tracing(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS008: OpenTelemetry or a Jaeger exporter (informational, weight 0)."""
    model = code_model(ctx)
    for module in sorted(model.modules.values(), key=lambda m: m.path):
        for lib, label in (("opentelemetry", "OpenTelemetry"), ("jaeger_client", "Jaeger"),
                           ("ddtrace", "Datadog APM")):
            if module.index.imports(lib):
                yield passed(T(f"{label} tracing in {module.path}",
                               f"trazas con {label} en {module.path}"), module.path)
                return
    yield skipped(T("optional (informational): no OpenTelemetry or Jaeger instrumentation",
                    "opcional (informativo): sin instrumentación OpenTelemetry ni Jaeger"))
