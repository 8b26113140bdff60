"""K8S005: containers that cannot run as root, with no privilege escalation and a read-only
root filesystem.

The security context is the effective one per container (the container's settings over
the pod's); ``runAsNonRoot: true`` with ``runAsUser: 0`` is a contradiction (the pod
cannot start). Helm values are read wherever they hold a ``securityContext``.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, skipped, verdict
from mlops_lint.parsers.kubernetes import (
    HelmChart,
)
from mlops_lint.rules import rule
from mlops_lint.rules.k8s._node_agent import node_agent_verdict, system_host_mounts
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    as_int,
    chart_values,
    complete,
    hardening_gaps,
    manifests,
    mapping,
    pod_templates,
    quien,
    unread,
    value_finding_line,
    who,
)


def _security_problems(pod: dict[str, Any], container: dict[str, Any]
                       ) -> tuple[list[str], list[str], str]:
    """Problems (en, es) and a summary of the effective security context."""
    def effective(key: str) -> Any:
        return container[key] if key in container else pod.get(key)

    user = as_int(effective("runAsUser"))
    non_root = effective("runAsNonRoot") is True
    en: list[str] = []
    es: list[str] = []
    if non_root and user == 0:
        en.append("runAsNonRoot: true with runAsUser: 0 is a contradiction: the pod cannot "
                  "start")
        es.append("runAsNonRoot: true con runAsUser: 0 es una contradicción: el pod no puede "
                  "arrancar")
    elif user == 0:
        en.append("runs as root (runAsUser: 0)")
        es.append("se ejecuta como root (runAsUser: 0)")
    elif not (user is not None and user > 0) and not non_root:
        en.append("nothing stops it from running as root (no runAsNonRoot: true, no "
                  "runAsUser > 0)")
        es.append("nada impide que se ejecute como root (sin runAsNonRoot: true ni "
                  "runAsUser > 0)")
    more_en, more_es = hardening_gaps(container)
    en += more_en
    es += more_es
    summary = (f"runAsNonRoot {str(non_root).lower()}, runAsUser "
               f"{user if user is not None else '-'}")
    return en, es, summary


@rule("K8S005")
@complete()
def k8s_security_context(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S005: non-root (effective per container), no privilege escalation, read-only root."""
    found = manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from unread(found)
    for workload in found.workloads:
        pod = mapping(workload.pod_spec.get("securityContext"))
        for c in workload.containers:
            mounts = system_host_mounts(workload.pod_spec, c.get("volumeMounts"))
            if mounts:
                yield node_agent_verdict(who(c, workload), quien(c, workload), mounts,
                                         mapping(c.get("securityContext")), workload.path,
                                         c.line or workload.line)
                continue
            en, es, summary = _security_problems(pod, mapping(c.get("securityContext")))
            yield verdict(
                not en,
                T(f"{who(c, workload)}: {summary}, no privilege escalation, read-only root "
                  "filesystem",
                  f"{quien(c, workload)}: {summary}, sin escalada de privilegios, sistema de "
                  "archivos raíz de solo lectura"),
                T(f"{who(c, workload)}: " + "; ".join(en),
                  f"{quien(c, workload)}: " + "; ".join(es)),
                workload.path, c.line or workload.line)
    for chart in found.charts:
        yield from _chart_security(ctx, chart)


def _chart_security(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    seen = False
    for path, data in chart_values(chart):
        for key, holder in _security_holders(data):
            seen = True
            en, es, summary = _security_problems(mapping(holder.get("podSecurityContext")),
                                                 mapping(holder.get("securityContext")))
            subject = f"chart {chart.name} values {key}securityContext"
            yield verdict(not en, T(f"{subject}: {summary}", f"{subject}: {summary}"),
                          T(f"{subject}: " + "; ".join(en), f"{subject}: " + "; ".join(es)),
                          path, value_finding_line(ctx, path, f"{key}securityContext"))
    if not seen and pod_templates(ctx, chart):
        where = chart.values[0][0] if chart.values else chart.chart_file
        yield failed(T(f"chart {chart.name}: no securityContext in values.yaml",
                       f"chart {chart.name}: no hay securityContext en values.yaml"), where, 1)


def _security_holders(data: Any, trail: str = "") -> Iterator[tuple[str, dict[str, Any]]]:
    """Mappings of Helm values holding ``securityContext`` (and its ``podSecurityContext``)."""
    if isinstance(data, dict):
        if "securityContext" in data:
            yield trail, data
        for key, value in data.items():
            if key not in ("securityContext", "podSecurityContext"):
                yield from _security_holders(value, f"{trail}{key}.")
