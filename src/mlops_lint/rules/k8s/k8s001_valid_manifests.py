"""K8S001: a Deployment and a Service, selectors that match, a non-default namespace, app and
version labels (app only on one-off Jobs, CronJobs and Pods); manifests and Helm charts
that parse. A workload's fix names only what it lacks.

Serving resources an operator expands (SeldonDeployment, KServe InferenceService,
RayService) pass on their own. The Services' selectors are checked against the pod
templates in :mod:`mlops_lint.rules.k8s._selectors`.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.kubernetes import (
    HelmChart,
    K8sObject,
    Manifests,
    Workload,
)
from mlops_lint.rules import rule
from mlops_lint.rules.k8s._selectors import SELECTOR_KINDS, service_findings
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    complete,
    has_text_kind,
    manifests,
    mapping,
    template_text,
    unread,
)

SERVING_KINDS = frozenset({"Deployment", "StatefulSet", "Rollout"})
# one-off workloads: a model download Job, a debug or client Pod; no version to label
ONE_OFF_KINDS = frozenset({"Job", "CronJob", "Pod"})


def _workload_problems(workload: Workload) -> tuple[list[str], list[str]]:
    en: list[str] = []
    es: list[str] = []
    obj = workload.obj
    if obj.kind in SELECTOR_KINDS:
        selector = mapping(mapping(obj.spec.get("selector")).get("matchLabels"))
        labels = workload.pod_labels
        missing = sorted(f"{k}={v}" for k, v in selector.items() if labels.get(k) != v)
        if not selector:
            en.append("no spec.selector.matchLabels")
            es.append("sin spec.selector.matchLabels")
        elif missing:
            en.append(f"pod template labels lack selector labels {', '.join(missing)}")
            es.append(f"a las etiquetas del pod template les faltan las del selector "
                      f"{', '.join(missing)}")
    if not obj.namespace or obj.namespace == "default":
        en.append("no namespace (default namespace)" if not obj.namespace
                  else "namespace: default")
        es.append("sin namespace (namespace default)" if not obj.namespace
                  else "namespace: default")
    labels = {**obj.labels, **workload.pod_labels}
    wanted: tuple[tuple[str, tuple[str, str]], ...] = (
        ("app", ("app", "app.kubernetes.io/name")),
        ("version", ("version", "app.kubernetes.io/version")))
    if obj.kind in ONE_OFF_KINDS:
        wanted = wanted[:1]
    lack = [name for name, keys in wanted if not any(k in labels for k in keys)]
    if lack:
        alt = ", ".join(f"app.kubernetes.io/{'name' if n == 'app' else n}" for n in lack)
        en.append(f"missing label(s) {', '.join(lack)} (or {alt})")
        es.append(f"falta(n) la(s) etiqueta(s) {', '.join(lack)} (o {alt})")
    return en, es


def _workload_fix(workload: Workload, problems: list[str]) -> T:
    """The fix for what :func:`_workload_problems` found, and only that: a one-off Job
    or Pod is not asked for a Deployment and a Service."""
    en: list[str] = []
    es: list[str] = []
    text = " ".join(problems)
    if "selector" in text:
        en.append("keep spec.selector.matchLabels inside spec.template.metadata.labels")
        es.append("mantén spec.selector.matchLabels dentro de spec.template.metadata.labels")
    if "namespace" in text:
        en.append("set a non-default namespace (metadata.namespace or the kustomization's "
                  "namespace)")
        es.append("usa un namespace distinto de default (metadata.namespace o el namespace "
                  "de la kustomization)")
    if "missing label" in text:
        one_off = workload.obj.kind in ONE_OFF_KINDS
        en.append("label it with app (or app.kubernetes.io/name)" if one_off
                  else "label its pods with app and version (or app.kubernetes.io/name and "
                  "app.kubernetes.io/version)")
        es.append("etiquétalo con app (o app.kubernetes.io/name)" if one_off
                  else "etiqueta sus pods con app y version (o app.kubernetes.io/name y "
                  "app.kubernetes.io/version)")
    text_en, text_es = "; ".join(en), "; ".join(es)
    return T(text_en[:1].upper() + text_en[1:] + ".", text_es[:1].upper() + text_es[1:] + ".")


@dataclass(frozen=True)
class _Exposed:
    """The serving workloads and Services of the repository (also read from Helm text)."""

    serving: list[Workload]
    services: list[K8sObject]  # core v1 Services
    knative: list[K8sObject]
    template_kinds: frozenset[str]

    @staticmethod
    def read(ctx: Context, found: Manifests) -> _Exposed:
        texts = [t for c in found.charts for t in template_text(ctx, c).values()]
        kinds = frozenset(k for k in ("Deployment", "Service") if has_text_kind(texts, k))
        services = found.of_kind("Service")
        return _Exposed([w for w in found.workloads if w.kind in SERVING_KINDS],
                        [o for o in services if o.api_version == "v1"],
                        [o for o in services if o.api_version.startswith("serving.knative.dev/")],
                        kinds)

    @property
    def has_deploy(self) -> bool:
        return bool(self.serving or self.knative) or "Deployment" in self.template_kinds

    @property
    def has_service(self) -> bool:
        return bool(self.services or self.knative) or "Service" in self.template_kinds

    @property
    def names(self) -> str:
        labels = [w.label for w in self.serving] + [o.label for o in self.services + self.knative]
        return ", ".join(labels[:4])


# serving resources whose operator creates the Deployment (or pods) and the Service
_OPERATOR_SERVING = frozenset({("machinelearning.seldon.io", "SeldonDeployment"),
                               ("serving.kserve.io", "InferenceService"),
                               ("serving.kubeflow.org", "InferenceService"),
                               ("ray.io", "RayService")})


def _operator_managed(obj: K8sObject) -> bool:
    return (obj.api_version.split("/", 1)[0], obj.kind) in _OPERATOR_SERVING


def _where(seen: _Exposed, found: Manifests) -> tuple[str | None, int | None]:
    """The first serving workload, else the first object's file."""
    first = seen.serving[0] if seen.serving else None
    path = first.path if first else (found.objects[0].path if found.objects else None)
    line = first.line if first else None
    return path, line


def _serving(seen: _Exposed, found: Manifests) -> Finding:
    """The verdict on the serving pair: a Deployment (or StatefulSet/Rollout/Knative
    Service) and a Service, or an operator that creates both."""
    path, line = _where(seen, found)
    batch_only = bool(found.workloads) and not any(w.long_running for w in found.workloads)
    operated = [o for o in found.objects if _operator_managed(o)]
    if operated and not seen.has_deploy and not seen.has_service:
        names = ", ".join(list(dict.fromkeys(o.label for o in operated))[:4])
        return passed(T(f"operator-managed serving: {names} (its operator creates the "
                        "Deployment and Service)",
                        f"servicio gestionado por un operador: {names} (su operador crea el "
                        "Deployment y el Service)"), operated[0].path, operated[0].line)
    if seen.has_deploy and seen.has_service:
        return passed(T(f"Deployment and Service: {seen.names or 'in Helm templates'}",
                        f"Deployment y Service: {seen.names or 'en plantillas Helm'}"),
                      path, line)
    if not seen.has_deploy and batch_only:
        return warned(T("only batch workloads (Job/CronJob/Pod): no Deployment and Service "
                        "serve the model",
                        "solo cargas batch (Job/CronJob/Pod): ningún Deployment y Service "
                        "sirven el modelo"), found.workloads[0].path, found.workloads[0].line,
                      fix=T("If this cluster serves the model, add a Deployment and a Service "
                            "for the server; one-off Jobs and Pods (a model download, a "
                            "client) need none.",
                            "Si este clúster sirve el modelo, añade un Deployment y un Service "
                            "para el servidor; los Jobs y Pods puntuales (una descarga del "
                            "modelo, un cliente) no los necesitan."))
    lack = [n for n, ok in (("Deployment", seen.has_deploy),
                            ("Service", seen.has_service)) if not ok]
    return failed(T(f"no {' and no '.join(lack)} manifest",
                    f"no hay manifiesto {' ni '.join(lack)}"), path, line)


def _presence(ctx: Context, found: Manifests) -> Iterator[Finding]:
    """A Deployment (or StatefulSet/Rollout/Knative Service) and a Service."""
    seen = _Exposed.read(ctx, found)
    if not (found.workloads or found.objects or seen.template_kinds):
        return
    yield _serving(seen, found)
    yield from service_findings(seen.services, found)


def _invalid(found: Manifests) -> Iterator[Finding]:
    for error in found.errors:
        yield failed(T(f"invalid manifest: {error.message}", f"manifiesto inválido: "
                       f"{error.message}"), error.path, error.line,
                     fix=T("Fix the YAML/JSON syntax (kubectl apply --dry-run=client -f "
                           "<file> shows the error).",
                           "Corrige la sintaxis YAML/JSON (kubectl apply --dry-run=client -f "
                           "<archivo> muestra el error)."))


@rule("K8S001")
@complete()
def k8s_valid_manifests(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S001: Deployment + Service, selectors match, non-default namespace, app/version."""
    found = manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from _invalid(found)
    yield from unread(found)
    for chart in found.charts:
        yield from _chart_valid(chart)
    yield from _presence(ctx, found)
    for workload in found.workloads:
        en, es = _workload_problems(workload)
        yield verdict(
            not en,
            T(f"{workload.label}: selector matches the pod labels, namespace "
              f"{workload.obj.namespace}, app/version labels",
              f"{workload.label}: el selector coincide con las etiquetas del pod, namespace "
              f"{workload.obj.namespace}, etiquetas app/version"),
            T(f"{workload.label}: " + "; ".join(en), f"{workload.label}: " + "; ".join(es)),
            workload.path, workload.line, fix=_workload_fix(workload, en) if en else None)


def _chart_valid(chart: HelmChart) -> Iterator[Finding]:
    for path, data in chart.values:
        if isinstance(data, ParseError):
            yield failed(T(f"{path.rsplit('/', 1)[-1]} does not parse: {data.message}",
                           f"{path.rsplit('/', 1)[-1]} no se puede leer: {data.message}"),
                         path, data.line)
    if isinstance(chart.chart, ParseError):
        yield failed(T(f"Chart.yaml does not parse: {chart.chart.message}",
                       f"Chart.yaml no se puede leer: {chart.chart.message}"),
                     chart.chart_file, chart.chart.line)
        return
    lack = [k for k in ("apiVersion", "name", "version") if not chart.chart.get(k)]
    yield verdict(
        not lack,
        T(f"Helm chart {chart.name} {chart.chart.get('version')} (templates read statically "
          "through Chart.yaml and values.yaml)",
          f"chart Helm {chart.name} {chart.chart.get('version')} (plantillas leídas "
          "estáticamente a través de Chart.yaml y values.yaml)"),
        T(f"Chart.yaml lacks {', '.join(lack)}", f"a Chart.yaml le falta {', '.join(lack)}"),
        chart.chart_file, 1)
