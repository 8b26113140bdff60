"""K8S007: a HorizontalPodAutoscaler (autoscaling/v2, ``minReplicas`` >= 2, ``maxReplicas``, a
CPU target) and an Ingress with TLS and a rate limit.

KEDA ScaledObjects and a chart's ``autoscaling`` values count as autoscalers; an HPA in an
unrendered Helm template is a skip (it exists, its settings cannot be verified). Without
an Ingress, an Istio Gateway or a Gateway API HTTPRoute warns: TLS and rate limits live in
their policies, which are not checked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers.kubernetes import (
    HELM_TEMPLATE,
    TEMPLATE,
    HelmChart,
    K8sObject,
    Manifests,
)
from mlops_lint.rules import rule
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    as_int,
    chart_values,
    complete,
    has_text_kind,
    items,
    manifests,
    mapping,
    template_text,
    unread,
    value_finding_line,
)


def _cpu_target(hpa: K8sObject) -> int | None:
    spec = hpa.spec
    if hpa.api_version == "autoscaling/v1":
        return as_int(spec.get("targetCPUUtilizationPercentage"))
    for metric in items(spec.get("metrics")):
        resource = mapping(mapping(metric).get("resource"))
        if resource.get("name") != "cpu":
            continue
        target = mapping(resource.get("target"))
        value = target.get("averageUtilization", resource.get("targetAverageUtilization"))
        if as_int(value) is not None:
            return as_int(value)
    return None


def _hpa_finding(hpa: K8sObject, found: Manifests,
                 targets: frozenset[tuple[str, str]]) -> Finding:
    ref = mapping(hpa.spec.get("scaleTargetRef"))
    target = f"{ref.get('kind', '?')} {ref.get('name', '?')}"
    try:
        exists = (ref.get("kind"), ref.get("name")) in targets
    except TypeError:  # an unhashable kind or name (malformed): compare one by one
        exists = any(w.kind == ref.get("kind") and w.obj.name == ref.get("name")
                     for w in found.workloads)
    low = as_int(hpa.spec.get("minReplicas"))
    low = 1 if low is None else low
    high = as_int(hpa.spec.get("maxReplicas"))
    cpu = _cpu_target(hpa)
    en: list[str] = []
    es: list[str] = []
    if hpa.api_version.startswith("autoscaling/v2beta"):
        en.append(f"{hpa.api_version} was removed in Kubernetes 1.26: use autoscaling/v2")
        es.append(f"{hpa.api_version} se eliminó en Kubernetes 1.26: usa autoscaling/v2")
    if low < 2:
        en.append(f"minReplicas {low} < 2")
        es.append(f"minReplicas {low} < 2")
    if high is None or high < low:
        en.append("no valid maxReplicas")
        es.append("sin maxReplicas válido")
    if cpu is None:
        en.append("no CPU utilisation target")
        es.append("sin objetivo de utilización de CPU")
    summary = f"HPA {hpa.name} → {target}: min {low}, max {high}, CPU {cpu}%"
    where = (hpa.path, hpa.line)
    if en:
        return failed(T(f"{summary}: " + "; ".join(en), f"{summary}: " + "; ".join(es)), *where,
                      level=None)
    if hpa.api_version == "autoscaling/v1":
        return warned(T(f"{summary}: autoscaling/v1 (use autoscaling/v2 for metrics and "
                        "behavior)", f"{summary}: autoscaling/v1 (usa autoscaling/v2 para "
                                     "metrics y behavior)"), *where)
    if not exists:
        return warned(T(f"{summary}: the target is not among the manifests",
                        f"{summary}: el objetivo no está entre los manifiestos"), *where)
    return passed(T(summary, summary), *where)


def _ingress_annotations(ingress: K8sObject) -> tuple[list[str], list[str], list[str]]:
    """(cert-manager annotations, rate-limit annotations, Traefik middleware annotations)."""
    keys = [str(k) for k in ingress.annotations]
    return ([k for k in keys if k.startswith("cert-manager.io/") or k == "kubernetes.io/tls-acme"],
            [k for k in keys if re.search(r"limit-(rps|rpm|connections)|rate-limit", k)],
            [k for k in keys if k.endswith("router.middlewares")])


def _ingress_finding(ingress: K8sObject) -> Finding:
    tls = [t for t in items(ingress.spec.get("tls")) if isinstance(t, dict)]
    cert_manager, rate, middleware = _ingress_annotations(ingress)
    en: list[str] = []
    es: list[str] = []
    if not tls:
        en.append("no spec.tls")
        es.append("sin spec.tls")
    if not rate and not middleware:
        en.append("no rate-limit annotation (e.g. nginx.ingress.kubernetes.io/limit-rps)")
        es.append("sin anotación de rate limit (p. ej. nginx.ingress.kubernetes.io/limit-rps)")
    where = (ingress.path, ingress.line)
    label = f"Ingress {ingress.name}"
    if en:
        return failed(T(f"{label}: " + "; ".join(en), f"{label}: " + "; ".join(es)), *where)
    if not cert_manager and not any(t.get("secretName") for t in tls):
        return warned(T(f"{label}: TLS without a certificate source (no cert-manager "
                        "annotation, no secretName)",
                        f"{label}: TLS sin origen del certificado (sin anotación de "
                        "cert-manager ni secretName)"), *where)
    if not rate:
        return warned(T(f"{label}: TLS; rate limiting delegated to a Traefik middleware (not "
                        "checked)", f"{label}: TLS; el rate limit se delega en un middleware "
                                    "de Traefik (no comprobado)"), *where)
    return passed(T(f"{label}: TLS ({', '.join(cert_manager) or 'secretName'}), rate limit "
                    f"({', '.join(rate)})",
                    f"{label}: TLS ({', '.join(cert_manager) or 'secretName'}), rate limit "
                    f"({', '.join(rate)})"), *where)


def _keda_finding(obj: K8sObject) -> Finding:
    low = as_int(obj.spec.get("minReplicaCount"))
    high = as_int(obj.spec.get("maxReplicaCount"))
    cpu = any(mapping(t).get("type") == "cpu" for t in items(obj.spec.get("triggers")))
    ok = low is not None and low >= 2 and high is not None and cpu
    return (passed if ok else warned)(
        T(f"KEDA ScaledObject {obj.name}: min {low}, max {high}, CPU trigger {cpu}",
          f"KEDA ScaledObject {obj.name}: min {low}, max {high}, disparador CPU {cpu}"),
        obj.path, obj.line)


def _chart_scaling(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    for path, data in chart_values(chart):
        if not isinstance(data, dict):
            continue
        auto = mapping(data.get("autoscaling"))
        if auto:
            low = as_int(auto.get("minReplicas")) or 1
            ok = auto.get("enabled") is True and low >= 2 and auto.get("maxReplicas") and \
                auto.get("targetCPUUtilizationPercentage")
            yield verdict(bool(ok),
                          T(f"chart {chart.name} values autoscaling: min {low}, max "
                            f"{auto.get('maxReplicas')}, CPU "
                            f"{auto.get('targetCPUUtilizationPercentage')}%",
                            f"chart {chart.name} values autoscaling: min {low}, max "
                            f"{auto.get('maxReplicas')}, CPU "
                            f"{auto.get('targetCPUUtilizationPercentage')}%"),
                          T(f"chart {chart.name} values autoscaling: needs enabled: true, "
                            "minReplicas ≥ 2, maxReplicas and targetCPUUtilizationPercentage",
                            f"chart {chart.name} values autoscaling: requiere enabled: true, "
                            "minReplicas ≥ 2, maxReplicas y targetCPUUtilizationPercentage"),
                          path, value_finding_line(ctx, path, "autoscaling"))
        ingress = mapping(data.get("ingress"))
        # the chart's Ingress toggle: the standard block with `enabled` (an `ingress.port`
        # alone is some other gateway's setting, e.g. an Istio Gateway's port)
        if ingress and "enabled" in ingress:
            notes = {str(k) for k in mapping(ingress.get("annotations"))}
            rate = any(re.search(r"limit-(rps|rpm|connections)|rate-limit", k) for k in notes)
            ok = ingress.get("enabled") is True and bool(ingress.get("tls")) and rate
            yield verdict(bool(ok),
                          T(f"chart {chart.name} values ingress: enabled, TLS, rate limit",
                            f"chart {chart.name} values ingress: habilitado, TLS, rate limit"),
                          T(f"chart {chart.name} values ingress: needs enabled: true, tls and "
                            "a rate-limit annotation",
                            f"chart {chart.name} values ingress: requiere enabled: true, tls y "
                            "una anotación de rate limit"),
                          path, value_finding_line(ctx, path, "ingress"))


_TLS_KEY = lazy_re.compile(r"^[ \t]*-?[ \t]*tls[ \t]*:", re.M)


def _istio_gateways(ctx: Context, found: Manifests) -> list[tuple[str, str, int | None, bool]]:
    """(label, path, line, has TLS) of the Istio Gateways: manifests, and chart templates
    read as text."""
    out = [(f"Istio Gateway {o.name}", o.path, o.line, any(isinstance(srv, dict) and srv.get("tls")
                                        for srv in items(o.spec.get("servers"))))
           for o in found.of_kind("Gateway") if o.api_version.startswith("networking.istio.io/")]
    for chart in found.charts:
        for path, text in template_text(ctx, chart).items():
            if "networking.istio.io" in text and has_text_kind([text], "Gateway"):
                out.append((f"Istio Gateway in chart {chart.name}", path, None,
                            bool(_TLS_KEY.search(text))))
    return out


_HPA_KIND = lazy_re.compile(r"^[ \t]*[\"']?kind[\"']?[ \t]*:[ \t]*[\"']?HorizontalPodAutoscaler"
                            r"[\"']?[ \t]*(#.*)?$", re.M)


def _templated_hpas(ctx: Context, found: Manifests) -> Iterator[tuple[str, Finding]]:
    """HPAs written in unrendered templates (``{{- if .Values.hpa.enabled }}``): their
    ``kind:`` line is read as text; min/max/CPU cannot be verified without rendering."""
    for item in found.unread:
        if item.reason not in (HELM_TEMPLATE, TEMPLATE):
            continue
        text = ctx.repo.text(item.path)
        match = _HPA_KIND.search(text) if isinstance(text, str) else None
        if match is None or not isinstance(text, str):
            continue
        line = text.count("\n", 0, match.start()) + 1
        yield item.path, skipped(T(
            f"HorizontalPodAutoscaler defined in a Helm template (kind at line {line}, not "
            "rendered): it exists, but autoscaling/v2, minReplicas ≥ 2, maxReplicas and the "
            "CPU target cannot be verified without rendering (helm template)",
            f"HorizontalPodAutoscaler definido en una plantilla Helm (kind en la línea {line}, "
            "sin renderizar): existe, pero autoscaling/v2, minReplicas ≥ 2, maxReplicas y el "
            "objetivo de CPU no se pueden verificar sin renderizar (helm template)"),
            item.path)


Where = tuple[str | None, int | None]


def _anchor(found: Manifests) -> Where:
    """Where a missing autoscaler or Ingress is reported: the first workload, else the
    first chart."""
    anchor = found.workloads[0] if found.workloads else None
    return (anchor.path, anchor.line) if anchor else (
        (found.charts[0].chart_file, 1) if found.charts else (None, None))


def _autoscalers(found: Manifests, where: Where, elsewhere: bool) -> Iterator[Finding]:
    """The HPAs and KEDA ScaledObjects; a failure when there is none and no chart value or
    Helm template (``elsewhere``) declares one."""
    hpas = found.of_kind("HorizontalPodAutoscaler")
    kedas = [o for o in found.of_kind("ScaledObject") if o.api_version.startswith("keda.sh/")]
    targets = frozenset((w.kind, w.obj.name) for w in found.workloads)
    for hpa in hpas:
        yield _hpa_finding(hpa, found, targets)
    for keda in kedas:
        yield _keda_finding(keda)
    if not hpas and not kedas and not elsewhere:
        yield failed(T("no HorizontalPodAutoscaler", "no hay HorizontalPodAutoscaler"), *where)


def _no_ingress(ctx: Context, found: Manifests, where: Where) -> Finding:
    """Without an Ingress: an Istio Gateway or a Gateway API HTTPRoute warns (their
    policies are not checked); nothing at all fails."""
    routes = found.of_kind("HTTPRoute")
    gateways = _istio_gateways(ctx, found)
    if gateways and not routes:
        name, path, line, tls = gateways[0]
        how_en = "servers with TLS" if tls else "no servers[].tls (plain HTTP)"
        how_es = "servidores con TLS" if tls else "sin servers[].tls (HTTP plano)"
        return warned(T(f"{name} ({path}): {how_en}; rate limits live in Istio policies "
                        "(not checked)",
                        f"{name.replace('in chart', 'del chart')} ({path}): {how_es}; el "
                        "rate limit vive en las políticas de Istio (no comprobado)"),
                      path, line)
    if routes:
        return warned(T(f"Gateway API HTTPRoute {routes[0].name}: TLS and rate limits live "
                        "in the Gateway and its policies (not checked)",
                        f"HTTPRoute {routes[0].name} (Gateway API): TLS y rate limit viven "
                        "en el Gateway y sus políticas (no comprobado)"),
                      routes[0].path, routes[0].line)
    return failed(T("no Ingress exposing the service with TLS and rate limits",
                    "no hay Ingress que exponga el servicio con TLS y rate limit"),
                  *where)


@rule("K8S007")
@complete()
def k8s_scaling_exposure(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S007: HPA (autoscaling/v2, min ≥ 2, max, CPU target); Ingress with TLS + rate limit."""
    found = manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    templated = dict(_templated_hpas(ctx, found))
    yield from (f for f in unread(found) if f.path not in templated)
    yield from templated.values()
    ingresses = found.of_kind("Ingress")
    chart_findings = [f for chart in found.charts for f in _chart_scaling(ctx, chart)]
    yield from chart_findings
    where = _anchor(found)
    yield from _autoscalers(found, where, bool(chart_findings or templated))
    for ingress in ingresses:
        yield _ingress_finding(ingress)
    if not ingresses and not any("ingress" in f.message.en for f in chart_findings):
        yield _no_ingress(ctx, found, where)
