"""K8S001: a Deployment and a Service, selectors that match, a non-default namespace, app and
version labels; manifests and Helm charts that parse.

A Service whose selector matches no pod template fails only when the repository could
hold those pods: a selector on labels a controller adds (``job-name``,
``pod-template-hash``, LeaderWorkerSet, JobSet, Ray), a folder with custom resources whose
operators create pods, or a folder with no workload at all is a skip saying it cannot be
verified. Serving resources an operator expands (SeldonDeployment, KServe
InferenceService, RayService) pass on their own.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

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
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    complete,
    has_text_kind,
    items,
    manifests,
    mapping,
    template_text,
    unread,
)

SERVING_KINDS = frozenset({"Deployment", "StatefulSet", "Rollout"})


SELECTOR_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"})


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
    lack = [name for name, keys in (("app", ("app", "app.kubernetes.io/name")),
                                    ("version", ("version", "app.kubernetes.io/version")))
            if not any(k in labels for k in keys)]
    if lack:
        en.append(f"missing label(s) {', '.join(lack)} (or app.kubernetes.io/name, "
                  "app.kubernetes.io/version)")
        es.append(f"falta(n) la(s) etiqueta(s) {', '.join(lack)} (o app.kubernetes.io/name, "
                  "app.kubernetes.io/version)")
    return en, es


class _Pods:
    """Pod templates by (namespace, label, value): a Service looks at the templates that
    carry its selector's first label instead of every template of the repository (a
    monorepo has thousands of each)."""

    def __init__(self, workloads: list[Workload]) -> None:
        self.workloads = workloads
        self.by_label: dict[tuple[str | None, Any, Any], list[Workload]] = {}
        for workload in workloads:
            for key, value in workload.pod_labels.items():
                try:
                    self.by_label.setdefault((workload.obj.namespace, key, value),
                                             []).append(workload)
                except TypeError:  # an unhashable label value equals no hashable selector
                    continue

    def candidates(self, namespace: str | None, selector: dict[str, Any]) -> list[Workload]:
        key, value = next(iter(selector.items()))
        try:
            return self.by_label.get((namespace, key, value), [])
        except TypeError:  # an unhashable selector value: look at the whole namespace
            return [w for w in self.workloads if w.obj.namespace == namespace]


# labels a controller puts on the pods it creates (never written in a pod template)
_CONTROLLER_LABEL = re.compile(
    r"^(leaderworkerset\.sigs\.k8s\.io/|jobset\.sigs\.k8s\.io/|ray\.io/|"
    r"batch\.kubernetes\.io/|statefulset\.kubernetes\.io/|apps\.kubernetes\.io/pod-index$|"
    r"controller-uid$|job-name$|pod-template-hash$|rollouts-pod-template-hash$|"
    r"job-completion-index$)")


# custom resources that never create pods: their presence says nothing about a selector
_PODLESS_KINDS = frozenset({
    "ServiceMonitor", "PodMonitor", "PrometheusRule", "PodMonitoring", "Certificate",
    "Issuer", "ClusterIssuer", "VerticalPodAutoscaler", "HTTPRoute", "GRPCRoute", "Gateway",
    "GatewayClass", "VirtualService", "DestinationRule", "ExternalSecret", "SecretStore",
    "ClusterSecretStore", "BackendConfig", "FrontendConfig", "ManagedCertificate",
    "LocalQueue", "ClusterQueue", "ResourceFlavor", "ComputeClass", "HealthCheckPolicy",
    "GCPBackendPolicy", "ScaledObject", "Middleware", "IngressRoute"})


_BUILTIN_GROUPS = frozenset({"", "apps", "batch", "autoscaling", "networking.k8s.io", "policy",
                             "rbac.authorization.k8s.io", "storage.k8s.io", "scheduling.k8s.io",
                             "coordination.k8s.io", "apiextensions.k8s.io", "node.k8s.io",
                             "admissionregistration.k8s.io", "certificates.k8s.io",
                             "discovery.k8s.io", "events.k8s.io", "extensions",
                             "flowcontrol.apiserver.k8s.io", "apiregistration.k8s.io"})


def _group(obj: K8sObject) -> str:
    return obj.api_version.split("/", 1)[0] if "/" in obj.api_version else ""


def _labels_of(template: Any) -> dict[str, Any]:
    return mapping(mapping(mapping(template).get("metadata")).get("labels"))


def crd_pod_labels(obj: K8sObject) -> list[dict[str, Any]]:
    """The labels of the pods a known workload CRD creates: its pod templates' labels plus
    those its controller adds (LeaderWorkerSet, JobSet, RayCluster/RayService/RayJob), and
    the job-name labels the Job controller adds."""
    group, spec, name = _group(obj), obj.spec, obj.name
    out: list[dict[str, Any]] = []
    if obj.kind == "LeaderWorkerSet" and group.startswith("leaderworkerset."):
        templates = mapping(spec.get("leaderWorkerTemplate"))
        added = {"leaderworkerset.sigs.k8s.io/name": name}
        for key in ("leaderTemplate", "workerTemplate"):
            if isinstance(templates.get(key), dict):
                out.append({**_labels_of(templates[key]), **added})
    elif obj.kind == "JobSet" and group.startswith("jobset."):
        for job in items(spec.get("replicatedJobs")):
            pod = mapping(mapping(mapping(job).get("template")).get("spec")).get("template")
            out.append({**_labels_of(pod), "jobset.sigs.k8s.io/jobset-name": name,
                        "jobset.sigs.k8s.io/replicatedjob-name": mapping(job).get("name")})
    elif group == "ray.io" and obj.kind in ("RayCluster", "RayService", "RayJob"):
        cluster = spec if obj.kind == "RayCluster" else mapping(
            spec.get("rayClusterConfig" if obj.kind == "RayService" else "rayClusterSpec"))
        added = {"ray.io/is-ray-node": "yes"} | (
            {"ray.io/cluster": name} if obj.kind == "RayCluster" else {})
        head = mapping(cluster.get("headGroupSpec")).get("template")
        if isinstance(head, dict):
            out.append({**_labels_of(head), **added, "ray.io/node-type": "head"})
        for worker in items(cluster.get("workerGroupSpecs")):
            template = mapping(worker).get("template")
            out.append({**_labels_of(template), **added, "ray.io/node-type": "worker",
                        "ray.io/group": mapping(worker).get("groupName")})
    elif obj.kind == "Job" and group == "batch":
        template = mapping(spec.get("template"))
        out.append({**_labels_of(template), "job-name": name,
                    "batch.kubernetes.io/job-name": name})
    return out


@dataclass(frozen=True)
class _Cannot:
    """Why a Service selector cannot be checked against the repository's pod templates."""

    message: T


def _service_problem(service: K8sObject, pods: _Pods,
                     crd_pods: list[tuple[str | None, dict[str, Any]]],
                     by_dir: dict[str, list[K8sObject]]) -> T | _Cannot | None:
    selector = mapping(service.spec.get("selector"))
    if not selector or (not pods.workloads and not crd_pods):
        return None
    for workload in pods.candidates(service.namespace, selector):
        labels = workload.pod_labels
        if workload.obj.namespace == service.namespace and all(
                labels.get(k) == v for k, v in selector.items()):
            return None
    for namespace, labels in crd_pods:
        if namespace == service.namespace and all(labels.get(k) == v
                                                  for k, v in selector.items()):
            return None
    wanted = ", ".join(sorted(f"{k}={v}" for k, v in selector.items()))
    head = T(f"Service {service.name}: selector {wanted}", f"Service {service.name}: selector "
             f"{wanted}")
    controller = sorted(str(k) for k in selector if _CONTROLLER_LABEL.match(str(k)))
    if controller:
        return _Cannot(head + T(
            f" uses labels a controller adds to the pods it creates ({', '.join(controller)}), "
            "not written in any template here: cannot verify it matches",
            f" usa etiquetas que un controlador añade a los pods que crea "
            f"({', '.join(controller)}), no escritas en ninguna plantilla: no se puede "
            "verificar que coincida"))
    directory = posixpath.dirname(service.path)
    near = by_dir.get(directory, [])
    operated = sorted({o.kind for o in near if _group(o) not in _BUILTIN_GROUPS
                       and o.kind not in _PODLESS_KINDS})
    if operated:
        return _Cannot(head + T(
            f" matches no pod template, but {directory or '.'} declares custom resources "
            f"({', '.join(operated[:4])}) whose operators create and label pods: cannot "
            "verify",
            f" no coincide con ningún pod template, pero {directory or '.'} declara recursos "
            f"propios ({', '.join(operated[:4])}) cuyos operadores crean y etiquetan pods: no "
            "se puede verificar"))
    if not any(o.kind in ("Pod", "PodTemplate") or o.kind in SELECTOR_KINDS
               or o.kind in ("Job", "CronJob") for o in near):
        return _Cannot(head + T(
            f" matches no pod template, and {directory or '.'} defines no workload: its pods "
            "come from elsewhere (a Helm chart or manifests outside the repository); cannot "
            "verify",
            f" no coincide con ningún pod template, y {directory or '.'} no define ninguna "
            "carga: sus pods vienen de otro sitio (un chart de Helm o manifiestos fuera del "
            "repositorio); no se puede verificar"))
    return head + T(" matches no pod template in its namespace",
                    " no coincide con ningún pod template de su namespace")


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


def _presence(ctx: Context, found: Manifests) -> Iterator[Finding]:
    """A Deployment (or StatefulSet/Rollout/Knative Service) and a Service."""
    seen = _Exposed.read(ctx, found)
    if not (found.workloads or found.objects or seen.template_kinds):
        return
    first = seen.serving[0] if seen.serving else None
    path = first.path if first else (found.objects[0].path if found.objects else None)
    line = first.line if first else None
    batch_only = bool(found.workloads) and not any(w.long_running for w in found.workloads)
    operated = [o for o in found.objects if _operator_managed(o)]
    if operated and not seen.has_deploy and not seen.has_service:
        names = ", ".join(list(dict.fromkeys(o.label for o in operated))[:4])
        yield passed(T(f"operator-managed serving: {names} (its operator creates the "
                       "Deployment and Service)",
                       f"servicio gestionado por un operador: {names} (su operador crea el "
                       "Deployment y el Service)"), operated[0].path, operated[0].line)
    elif seen.has_deploy and seen.has_service:
        yield passed(T(f"Deployment and Service: {seen.names or 'in Helm templates'}",
                       f"Deployment y Service: {seen.names or 'en plantillas Helm'}"),
                     path, line)
    elif not seen.has_deploy and batch_only:
        yield warned(T("only batch workloads (Job/CronJob/Pod): no Deployment and Service "
                       "serve the model",
                       "solo cargas batch (Job/CronJob/Pod): ningún Deployment y Service "
                       "sirven el modelo"), found.workloads[0].path, found.workloads[0].line)
    else:
        lack = [n for n, ok in (("Deployment", seen.has_deploy),
                                ("Service", seen.has_service)) if not ok]
        yield failed(T(f"no {' and no '.join(lack)} manifest",
                       f"no hay manifiesto {' ni '.join(lack)}"), path, line)
    pods = _Pods(found.workloads)
    by_dir: dict[str, list[K8sObject]] = {}
    crd_pods: list[tuple[str | None, dict[str, Any]]] = []
    for obj in found.objects:
        by_dir.setdefault(posixpath.dirname(obj.path), []).append(obj)
        crd_pods.extend((obj.namespace, labels) for labels in crd_pod_labels(obj))
    for service in seen.services:
        problem = _service_problem(service, pods, crd_pods, by_dir)
        if isinstance(problem, _Cannot):
            yield skipped(problem.message, service.path)
        elif problem is not None:
            yield failed(problem, service.path, service.line)


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
            workload.path, workload.line)


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
