"""Phase 6 checks: Kubernetes manifests, Kustomize overlays and Helm charts (K8S001-K8S007).

All of them are conditional: without any Kubernetes material in the repository they are
skipped as not applicable. Manifests are read by :mod:`mlops_lint.parsers.kubernetes`;
one finding is given per subject (workload, container, Secret, HPA, Ingress, chart),
with the line of its ``kind:`` or of the container's ``name:``.

Unrendered Helm templates and Kustomize patches are never dropped silently: every rule
lists them as ``skip`` with the reason, and reads what can be read without rendering
(the chart's ``Chart.yaml`` and ``values*.yaml``, and the template text for probes).
"""

from __future__ import annotations

import base64
import binascii
import functools
import posixpath
import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.dockerfile import parse_image
from mlops_lint.parsers.kubernetes import (
    DUMP,
    FIXTURE,
    HELM_TEMPLATE,
    PATCH,
    PATCH_NO_KIND,
    TEMPLATE,
    Container,
    HelmChart,
    K8sObject,
    Manifests,
    Unread,
    Workload,
    read_manifests,
    value_line,
    values_images,
    values_resources,
)
from mlops_lint.parsers.terraform import TfFile, terraform_files
from mlops_lint.rules import check

NOT_APPLICABLE = T(
    "not applicable: no Kubernetes manifests (apiVersion + kind), Kustomize overlays or Helm "
    "charts in the repository",
    "no aplica: no hay manifiestos Kubernetes (apiVersion + kind), overlays de Kustomize ni "
    "charts de Helm en el repositorio")
SERVING_KINDS = frozenset({"Deployment", "StatefulSet", "Rollout"})
SELECTOR_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"})
PULL_POLICIES = ("Always", "IfNotPresent", "Never")
HEALTH_PATH = re.compile(r"health|ready|live|ping|status", re.IGNORECASE)
_NONZERO = re.compile(r"[1-9]")
_PLACEHOLDER_IMAGE = re.compile(r"\{\{|\$\{|\$\(|^[A-Z_]+$|<[^>]+>")


def _manifests(ctx: Context) -> Manifests | None:
    found = read_manifests(ctx.repo)
    return found if found.present else None


NO_WORKLOADS = T(
    "no workload with containers among the manifests (Pod, Deployment, StatefulSet, "
    "DaemonSet, Job, CronJob, …) and nothing to read in Helm values",
    "no hay cargas con contenedores entre los manifiestos (Pod, Deployment, StatefulSet, "
    "DaemonSet, Job, CronJob, …) ni nada que leer en los values de Helm")
CheckBody = Callable[[Context, None], Iterator[Finding]]


def _complete(*levels: int) -> Callable[[CheckBody], CheckBody]:
    """Give every level criterion a result: a skip saying there was nothing to judge."""

    def wrap(func: CheckBody) -> CheckBody:
        @functools.wraps(func)
        def run(ctx: Context, params: None) -> Iterator[Finding]:
            seen: set[int | None] = set()
            for finding in func(ctx, params):
                seen.add(finding.level)
                yield finding
            if None in seen:
                return
            for level in levels or (None,):
                if level not in seen:
                    yield skipped(NO_WORKLOADS, level=level)

        return run

    return wrap


def _unread_text(item: Unread) -> T:
    detail = f" ({item.detail})" if item.detail else ""
    if item.reason == HELM_TEMPLATE:
        return T("Helm template (not rendered): its values are read from the chart's "
                 "values.yaml where possible",
                 "plantilla Helm (sin renderizar): sus valores se leen del values.yaml del "
                 "chart cuando es posible")
    if item.reason == PATCH_NO_KIND:
        return T(f"Kustomize patch without kind{detail}: a partial object merged into its "
                 "base, not evaluated on its own",
                 f"parche de Kustomize sin kind{detail}: un objeto parcial que se fusiona con "
                 "su base; no se evalúa por separado")
    if item.reason == FIXTURE:
        return T("under a test-data folder (testdata/, fixtures/): the input of a test, not a "
                 "deployment manifest; not evaluated",
                 "en una carpeta de datos de prueba (testdata/, fixtures/): la entrada de un "
                 "test, no un manifiesto de despliegue; no se evalúa")
    if item.reason == DUMP:
        return T(f"objects as a cluster returns them{detail} (resourceVersion, uid or a "
                 "filled-in status: kubectl get -o yaml output), not manifests to apply; not "
                 "evaluated",
                 f"objetos tal como los devuelve un clúster{detail} (resourceVersion, uid o un "
                 "status relleno: salida de kubectl get -o yaml), no manifiestos que aplicar; "
                 "no se evalúan")
    if item.reason == PATCH:
        return T(f"Kustomize patch{detail}: merged into its base, not evaluated on its own",
                 f"parche de Kustomize{detail}: se fusiona con su base; no se evalúa por "
                 "separado")
    return T("template placeholders ({{ }}) make it invalid YAML until rendered (not "
             "rendered)",
             "los marcadores de plantilla ({{ }}) la hacen YAML inválido hasta renderizarla "
             "(sin renderizar)")


def _unread(found: Manifests, level: int | None = None) -> Iterator[Finding]:
    for item in found.unread:
        yield skipped(_unread_text(item), item.path, level)


def _who(container: Container, workload: Workload) -> str:
    role = "init container" if container.init else "container"
    return f"{role} {container.name} ({workload.label})"


def _quien(container: Container, workload: Workload) -> str:
    role = "contenedor init" if container.init else "contenedor"
    return f"{role} {container.name} ({workload.label})"


def _mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _template_text(ctx: Context, chart: HelmChart) -> dict[str, str]:
    out = {}
    for path in chart.templates:
        text = ctx.repo.text(path)
        if isinstance(text, str):
            out[path] = text
    return out


def _pod_templates(ctx: Context, chart: HelmChart) -> list[str]:
    """Unrendered templates of ``chart`` that define containers."""
    return [p for p, text in _template_text(ctx, chart).items() if "containers:" in text]


def _values(chart: HelmChart) -> Iterator[tuple[str, Any]]:
    for path, data in chart.values:
        if not isinstance(data, ParseError):
            yield path, data


def _value_finding_line(ctx: Context, path: str, dotted: str) -> int | None:
    text = ctx.repo.text(path)
    return value_line(text, dotted) if isinstance(text, str) else None


# -- K8S001 ------------------------------------------------------------------------------


def _has_text_kind(texts: Iterable[str], kind: str) -> bool:
    pattern = re.compile(rf"^[ \t]*kind:[ \t]*[\"']?{kind}[\"']?[ \t]*$", re.M)
    return any(pattern.search(text) for text in texts)


def _workload_problems(workload: Workload) -> tuple[list[str], list[str]]:
    en: list[str] = []
    es: list[str] = []
    obj = workload.obj
    if obj.kind in SELECTOR_KINDS:
        selector = _mapping(_mapping(obj.spec.get("selector")).get("matchLabels"))
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
    return _mapping(_mapping(_mapping(template).get("metadata")).get("labels"))


def crd_pod_labels(obj: K8sObject) -> list[dict[str, Any]]:
    """The labels of the pods a known workload CRD creates: its pod templates' labels plus
    those its controller adds (LeaderWorkerSet, JobSet, RayCluster/RayService/RayJob), and
    the job-name labels the Job controller adds."""
    group, spec, name = _group(obj), obj.spec, obj.name
    out: list[dict[str, Any]] = []
    if obj.kind == "LeaderWorkerSet" and group.startswith("leaderworkerset."):
        templates = _mapping(spec.get("leaderWorkerTemplate"))
        added = {"leaderworkerset.sigs.k8s.io/name": name}
        for key in ("leaderTemplate", "workerTemplate"):
            if isinstance(templates.get(key), dict):
                out.append({**_labels_of(templates[key]), **added})
    elif obj.kind == "JobSet" and group.startswith("jobset."):
        for job in _items(spec.get("replicatedJobs")):
            pod = _mapping(_mapping(_mapping(job).get("template")).get("spec")).get("template")
            out.append({**_labels_of(pod), "jobset.sigs.k8s.io/jobset-name": name,
                        "jobset.sigs.k8s.io/replicatedjob-name": _mapping(job).get("name")})
    elif group == "ray.io" and obj.kind in ("RayCluster", "RayService", "RayJob"):
        cluster = spec if obj.kind == "RayCluster" else _mapping(
            spec.get("rayClusterConfig" if obj.kind == "RayService" else "rayClusterSpec"))
        added = {"ray.io/is-ray-node": "yes"} | (
            {"ray.io/cluster": name} if obj.kind == "RayCluster" else {})
        head = _mapping(cluster.get("headGroupSpec")).get("template")
        if isinstance(head, dict):
            out.append({**_labels_of(head), **added, "ray.io/node-type": "head"})
        for worker in _items(cluster.get("workerGroupSpecs")):
            template = _mapping(worker).get("template")
            out.append({**_labels_of(template), **added, "ray.io/node-type": "worker",
                        "ray.io/group": _mapping(worker).get("groupName")})
    elif obj.kind == "Job" and group == "batch":
        template = _mapping(spec.get("template"))
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
    selector = _mapping(service.spec.get("selector"))
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
        texts = [t for c in found.charts for t in _template_text(ctx, c).values()]
        kinds = frozenset(k for k in ("Deployment", "Service") if _has_text_kind(texts, k))
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


@check("k8s_valid_manifests")
@_complete()
def k8s_valid_manifests(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S001: Deployment + Service, selectors match, non-default namespace, app/version."""
    found = _manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from _invalid(found)
    yield from _unread(found)
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


# -- K8S002 ------------------------------------------------------------------------------


def _quantity(value: Any) -> str | None:
    """A resource quantity, or ``None`` when unset; "0" (any zero) counts as unset."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = str(value).strip()
    return text if _NONZERO.search(text) else None


@dataclass(frozen=True)
class _Defaults:
    name: str
    requests: dict[str, Any]
    limits: dict[str, Any]


def _limit_ranges(found: Manifests) -> dict[str | None, list[_Defaults]]:
    out: dict[str | None, list[_Defaults]] = {}
    for obj in found.of_kind("LimitRange"):
        for entry in _items(obj.spec.get("limits")):
            if not isinstance(entry, dict) or entry.get("type", "Container") != "Container":
                continue
            default = _mapping(entry.get("default"))
            request = {**default, **_mapping(entry.get("defaultRequest"))}
            out.setdefault(obj.namespace, []).append(_Defaults(obj.name, request, default))
    return out


@dataclass(frozen=True)
class _Resources:
    values: dict[str, str | None]  # requests.cpu, requests.memory, limits.cpu, limits.memory
    notes_en: tuple[str, ...]
    notes_es: tuple[str, ...]


def _effective(resources: Any, defaults: list[_Defaults]) -> _Resources:
    res = _mapping(resources)
    requests, limits = _mapping(res.get("requests")), _mapping(res.get("limits"))
    values: dict[str, str | None] = {}
    en: list[str] = []
    es: list[str] = []
    copied = []
    from_range: dict[str, list[str]] = {}
    for resource in ("cpu", "memory"):
        limit = _quantity(limits.get(resource))
        request = _quantity(requests.get(resource))
        if limit is None:
            for d in defaults:
                if _quantity(d.limits.get(resource)):
                    limit = _quantity(d.limits.get(resource))
                    from_range.setdefault(d.name, []).append(f"limits.{resource}")
                    break
        if request is None and _quantity(limits.get(resource)):
            request = _quantity(limits.get(resource))
            copied.append(resource)
        if request is None:
            for d in defaults:
                if _quantity(d.requests.get(resource)):
                    request = _quantity(d.requests.get(resource))
                    from_range.setdefault(d.name, []).append(f"requests.{resource}")
                    break
        values[f"requests.{resource}"] = request
        values[f"limits.{resource}"] = limit
    if copied:
        en.append(f"requests.{'/'.join(copied)} taken from limits (the API server copies "
                  "limits into unset requests)")
        es.append(f"requests.{'/'.join(copied)} tomados de limits (el API server copia los "
                  "limits en los requests sin definir)")
    for name, keys in from_range.items():
        en.append(f"{', '.join(keys)} from LimitRange {name}")
        es.append(f"{', '.join(keys)} del LimitRange {name}")
    return _Resources(values, tuple(en), tuple(es))


def _resource_findings(ctx: Context, eff: _Resources, who_en: str, who_es: str, path: str,
                       line: int | None) -> Iterator[Finding]:
    v = eff.values
    summary = (f"requests cpu {v['requests.cpu'] or '-'}, memory {v['requests.memory'] or '-'};"
               f" limits cpu {v['limits.cpu'] or '-'}, memory {v['limits.memory'] or '-'}")
    notes_en = "".join(f"; {n}" for n in eff.notes_en)
    notes_es = "".join(f"; {n}" for n in eff.notes_es)
    missing2 = [k for k in ("requests.cpu", "requests.memory", "limits.memory") if not v[k]]
    yield verdict(
        not missing2,
        T(f"{who_en}: {summary}{notes_en}", f"{who_es}: {summary}{notes_es}"),
        T(f"{who_en}: missing {', '.join(missing2)} (\"0\" counts as unset){notes_en}",
          f"{who_es}: falta(n) {', '.join(missing2)} (\"0\" cuenta como sin definir){notes_es}"),
        path, line, level=2)
    require_cpu = ctx.thresholds.k8s_require_cpu_limit
    missing3 = missing2 + (["limits.cpu"] if require_cpu and not v["limits.cpu"] else [])
    extra_en = "" if require_cpu or v["limits.cpu"] else \
        "; CPU limit not required (k8s-require-cpu-limit = false)"
    extra_es = "" if require_cpu or v["limits.cpu"] else \
        "; límite de CPU no exigido (k8s-require-cpu-limit = false)"
    yield verdict(
        not missing3,
        T(f"{who_en}: {summary}{notes_en}{extra_en}", f"{who_es}: {summary}{notes_es}{extra_es}"),
        T(f"{who_en}: missing {', '.join(missing3)}{notes_en}",
          f"{who_es}: falta(n) {', '.join(missing3)}{notes_es}"),
        path, line, level=3)


@check("k8s_resources")
@_complete(2, 3)
def k8s_resources(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S002: requests cpu/memory + memory limit (L2), and a CPU limit (L3)."""
    found = _manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from _unread(found)
    ranges = _limit_ranges(found)
    for workload in found.workloads:
        defaults = ranges.get(workload.obj.namespace, [])
        for c in workload.containers:
            eff = _effective(c.get("resources"), defaults)
            yield from _resource_findings(ctx, eff, _who(c, workload), _quien(c, workload),
                                          workload.path, c.line or workload.line)
    for chart in found.charts:
        yield from _chart_resources(ctx, chart)


def _chart_resources(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    settings = [(path, key, value) for path, data in _values(chart)
                for key, value in values_resources(data)]
    for path, key, value in settings:
        eff = _effective(value, [])
        yield from _resource_findings(
            ctx, eff, f"chart {chart.name} values {key}", f"chart {chart.name} values {key}",
            path, _value_finding_line(ctx, path, key))
    pods = _pod_templates(ctx, chart)
    if not settings and pods:
        texts = _template_text(ctx, chart)
        if any("requests:" in texts[p] for p in pods):
            yield skipped(T(f"chart {chart.name}: resources are written in the templates (not "
                            "rendered)",
                            f"chart {chart.name}: los recursos están en las plantillas (sin "
                            "renderizar)"), pods[0])
        else:
            where = chart.values[0][0] if chart.values else chart.chart_file
            yield failed(T(f"chart {chart.name}: no resources in values.yaml nor in the "
                           "templates",
                           f"chart {chart.name}: no hay resources en values.yaml ni en las "
                           "plantillas"), where, 1)


# -- K8S003 ------------------------------------------------------------------------------


PROBE_HANDLERS = ("grpc", "tcpSocket", "exec")


def _handlers(container: Container) -> str:
    """The non-HTTP handlers of the container's probes (``grpc``), for the message."""
    kinds = {h for key in ("readinessProbe", "livenessProbe")
             if isinstance(probe := container.get(key), dict)
             for h in PROBE_HANDLERS if isinstance(probe.get(h), dict)}
    return ", ".join(sorted(kinds))


def _probe_problems(container: Container, has_startup: bool) -> tuple[list[str], list[str]]:
    en: list[str] = []
    es: list[str] = []
    for key in ("readinessProbe", "livenessProbe"):
        probe = container.get(key)
        if not isinstance(probe, dict):
            continue
        http = probe.get("httpGet")
        if not isinstance(http, dict):
            # gRPC health checks, TCP connects and exec commands are probes in their own
            # right (a gRPC or TCP server has no HTTP route to probe)
            if not any(isinstance(probe.get(h), dict) for h in PROBE_HANDLERS):
                en.append(f"{key} has no handler (httpGet, grpc, tcpSocket or exec)")
                es.append(f"{key} no tiene handler (httpGet, grpc, tcpSocket o exec)")
        elif not HEALTH_PATH.search(str(http.get("path", ""))):
            en.append(f"{key} probes {http.get('path', '/')}, not a health route")
            es.append(f"{key} consulta {http.get('path', '/')}, no una ruta de salud")
        lack = [k for k in ("initialDelaySeconds", "periodSeconds") if k not in probe
                and not (k == "initialDelaySeconds" and has_startup)]
        if lack:
            en.append(f"{key} without {' and '.join(lack)}")
            es.append(f"{key} sin {' ni '.join(lack)}")
    return en, es


_HANDLER_NAMES = {"httpGet": "httpGet", "grpc": "gRPC", "tcpSocket": "TCP", "exec": "exec"}


def _probe_kinds(container: Container) -> list[str]:
    """The handler types of the container's probes (readiness, liveness, startup)."""
    return list(dict.fromkeys(
        h for key in ("readinessProbe", "livenessProbe", "startupProbe")
        if isinstance(probe := container.get(key), dict)
        for h in ("httpGet", *PROBE_HANDLERS) if isinstance(probe.get(h), dict)))


def _container_port(container: Container) -> str | None:
    for port in _items(container.get("ports")):
        value = _mapping(port).get("containerPort")
        if isinstance(value, int) and not isinstance(value, bool):
            return str(value)
    return None


def probe_fix(container: Container, missing: list[str], problems: list[str]) -> T:
    """The fix for one container, keeping the probe type it already uses (a gRPC server's
    grpc or exec grpc_health_probe check, a TCP check) instead of always httpGet."""
    kinds = _probe_kinds(container)
    port = _container_port(container)
    at = f" (port {port})" if port else ""
    if missing:
        wanted = " and ".join(missing)
        if kinds:
            kind = kinds[0]
            return T(f"Add {wanted} with the same {_HANDLER_NAMES[kind]} check the container "
                     "already uses, with initialDelaySeconds and periodSeconds.",
                     f"Añade {wanted} con la misma comprobación {_HANDLER_NAMES[kind]} que ya "
                     "usa el contenedor, con initialDelaySeconds y periodSeconds.")
        grpc = any("grpc" in str(_mapping(p).get("name", "")).lower()
                   for p in _items(container.get("ports")))
        if grpc:
            return T(f"Add {wanted} with a grpc check{at} (grpc: {{port: {port or '<port>'}}}), "
                     "initialDelaySeconds and periodSeconds.",
                     f"Añade {wanted} con una comprobación grpc{at} (grpc: {{port: "
                     f"{port or '<puerto>'}}}), initialDelaySeconds y periodSeconds.")
        return T(f"Add {wanted} with httpGet on /health (or /ready){at}, initialDelaySeconds "
                 "and periodSeconds.",
                 f"Añade {wanted} con httpGet en /health (o /ready){at}, initialDelaySeconds y "
                 "periodSeconds.")
    en: list[str] = []
    es: list[str] = []
    lacking = [k for k in ("initialDelaySeconds", "periodSeconds")
               if any("without" in p and k in p for p in problems)]
    if lacking:
        shown = ", ".join(_HANDLER_NAMES[k] for k in kinds) or "existing"
        startup = " (or a startupProbe to cover start-up)" \
            if "initialDelaySeconds" in lacking else ""
        arranque = " (o una startupProbe para el arranque)" \
            if "initialDelaySeconds" in lacking else ""
        en.append(f"keep the {shown} probes and add {' and '.join(lacking)}{startup}")
        es.append(f"conserva las sondas {shown} y añade {' y '.join(lacking)}{arranque}")
    if any("not a health route" in p for p in problems):
        en.append("point httpGet at a health route (/health, /ready)")
        es.append("apunta httpGet a una ruta de salud (/health, /ready)")
    if any("no handler" in p for p in problems):
        en.append("give each probe a handler (httpGet, grpc, tcpSocket or exec)")
        es.append("da a cada sonda un handler (httpGet, grpc, tcpSocket o exec)")
    text_en, text_es = "; ".join(en), "; ".join(es)
    return T(text_en[:1].upper() + text_en[1:] + ".", text_es[:1].upper() + text_es[1:] + ".")


@check("k8s_probes")
@_complete()
def k8s_probes(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S003: readiness + liveness probes on the containers of long-running workloads."""
    found = _manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from _unread(found)
    for workload in found.workloads:
        if not workload.long_running:
            yield skipped(T(f"{workload.label}: batch workload, probes not required",
                            f"{workload.label}: carga batch, no requiere probes"),
                          workload.path)
            continue
        for c in workload.containers:
            if c.init:
                continue
            missing = [k for k in ("readinessProbe", "livenessProbe")
                       if not isinstance(c.get(k), dict)]
            where = (workload.path, c.line or workload.line)
            if missing:
                yield failed(T(f"{_who(c, workload)}: no {' and no '.join(missing)}",
                               f"{_quien(c, workload)}: sin {' ni '.join(missing)}"), *where,
                             fix=probe_fix(c, missing, []))
                continue
            en, es = _probe_problems(c, isinstance(c.get("startupProbe"), dict))
            if en:
                yield warned(T(f"{_who(c, workload)}: " + "; ".join(en),
                               f"{_quien(c, workload)}: " + "; ".join(es)), *where,
                             fix=probe_fix(c, [], en))
            elif handlers := _handlers(c):
                yield passed(T(f"{_who(c, workload)}: readiness and liveness probes "
                               f"({handlers}), with delays and periods",
                               f"{_quien(c, workload)}: probes de readiness y liveness "
                               f"({handlers}), con retardos y periodos"), *where)
            else:
                yield passed(T(f"{_who(c, workload)}: readiness and liveness probes on a "
                               "health route, with delays and periods",
                               f"{_quien(c, workload)}: probes de readiness y liveness en una "
                               "ruta de salud, con retardos y periodos"), *where)
    for chart in found.charts:
        pods = _pod_templates(ctx, chart)
        if not pods:
            continue
        texts = [*_template_text(ctx, chart).values(),
                 *(ctx.repo.text(p) for p, _ in chart.values)]
        both = all(any(isinstance(t, str) and key in t for t in texts)
                   for key in ("readinessProbe", "livenessProbe"))
        yield verdict(
            both,
            T(f"chart {chart.name}: readinessProbe and livenessProbe in the templates/values "
              "(read as text, not rendered)",
              f"chart {chart.name}: readinessProbe y livenessProbe en plantillas/values "
              "(leído como texto, sin renderizar)"),
            T(f"chart {chart.name}: no readinessProbe/livenessProbe in its templates or values",
              f"chart {chart.name}: no hay readinessProbe/livenessProbe en sus plantillas ni "
              "values"), pods[0], None)


# -- K8S004 ------------------------------------------------------------------------------


def _image_problem(image: str | None, found: Manifests) -> tuple[Finding | None, str, str]:
    """(a warn finding for placeholders or None, problem en, problem es); empty = fine."""
    if not image:
        return None, "no image", "sin imagen"
    override = found.images_override(image)
    reference = image
    note = ""
    if override is not None:
        base = reference.split("@", 1)[0]
        if ":" in base.rsplit("/", 1)[-1]:
            base = base.rsplit(":", 1)[0]
        name = str(override.get("newName") or base)
        if override.get("digest"):
            reference = f"{name}@{override['digest']}"
        elif override.get("newTag") is not None:
            reference = f"{name}:{override['newTag']}"
        note = f" (kustomization images: {reference})"
    if _PLACEHOLDER_IMAGE.search(reference):
        return warned(T(f"image {reference} is set at deploy time (placeholder); cannot "
                        "check its tag",
                        f"la imagen {reference} se define al desplegar (marcador); no se puede "
                        "comprobar su tag")), "", ""
    ref = parse_image(reference)
    if ref.untagged:
        return None, f"image {reference} has no tag{note}", f"la imagen {reference} no tiene tag" \
            f"{note}"
    if ref.floating:
        return None, f"image {reference} uses :latest{note}", \
            f"la imagen {reference} usa :latest{note}"
    return None, "", ""


_SHELL_DEFAULT = re.compile(r"\$\{[A-Za-z_]\w{0,100}:?-([A-Za-z]{1,20})\}")


def _templated(value: object) -> bool:
    return isinstance(value, str) and any(m in value for m in ("${", "{{", "$("))


def _rendered_policy(value: object) -> object:
    """``${VAR:-Always}`` renders to its default when the variable is unset: judge that."""
    if isinstance(value, str):
        match = _SHELL_DEFAULT.fullmatch(value.strip())
        if match and match.group(1) in PULL_POLICIES:
            return match.group(1)
    return value


@check("k8s_images")
@_complete()
def k8s_images(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S004: tagged (or digest-pinned) images, not :latest; explicit imagePullPolicy."""
    found = _manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from _unread(found)
    for workload in found.workloads:
        for c in workload.containers:
            where = (workload.path, c.line or workload.line)
            warn, en, es = _image_problem(c.image, found)
            problems_en = [en] if en else []
            problems_es = [es] if es else []
            policy = _rendered_policy(c.get("imagePullPolicy"))
            if policy is None:
                problems_en.append("imagePullPolicy not set")
                problems_es.append("imagePullPolicy sin definir")
            elif _templated(policy):
                if warn is None and not problems_en:
                    warn = Finding(Status.WARN, T(
                        f"imagePullPolicy {policy!r} is a template variable: its value is "
                        "not known until the manifest is rendered",
                        f"imagePullPolicy {policy!r} es una variable de plantilla: su valor "
                        "no se conoce hasta renderizar el manifiesto"))
            elif policy not in PULL_POLICIES:
                problems_en.append(f"imagePullPolicy {policy!r} is not one of "
                                   f"{', '.join(PULL_POLICIES)}")
                problems_es.append(f"imagePullPolicy {policy!r} no es "
                                   f"{', '.join(PULL_POLICIES)}")
            if problems_en:
                yield failed(T(f"{_who(c, workload)}: " + "; ".join(problems_en),
                               f"{_quien(c, workload)}: " + "; ".join(problems_es)), *where)
            elif warn is not None:
                yield warned(T(f"{_who(c, workload)}: ", f"{_quien(c, workload)}: ") +
                             warn.message, *where)
            else:
                yield passed(T(f"{_who(c, workload)}: {c.image}, imagePullPolicy {policy}",
                               f"{_quien(c, workload)}: {c.image}, imagePullPolicy {policy}"),
                             *where)
    for chart in found.charts:
        yield from _chart_images(ctx, chart)


def _chart_images(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    for path, data in _values(chart):
        for key, value in values_images(data):
            line = _value_finding_line(ctx, path, key)
            who = f"chart {chart.name} values {key}"
            if isinstance(value, str):
                ref = parse_image(value)
                ok = not ref.floating
                yield verdict(ok, T(f"{who}: {value}", f"{who}: {value}"),
                              T(f"{who}: {value} has no fixed tag",
                                f"{who}: {value} no tiene un tag fijo"), path, line)
                continue
            tag = value.get("tag")
            digest = value.get("digest")
            policy = value.get("pullPolicy")
            en: list[str] = []
            es: list[str] = []
            source = ""
            if not digest and (tag is None or str(tag).strip() == ""):
                app = chart.app_version
                if app and app != "latest":
                    source = f" (tag defaults to Chart.yaml appVersion {app})"
                else:
                    en.append("empty tag and no appVersion in Chart.yaml")
                    es.append("tag vacío y sin appVersion en Chart.yaml")
            elif not digest and str(tag) == "latest":
                en.append("tag latest")
                es.append("tag latest")
            if policy is None:
                en.append("pullPolicy not set")
                es.append("pullPolicy sin definir")
            shown = f"{value.get('repository')}" + (f":{tag}" if tag else "") + (
                f"@{digest}" if digest else "")
            yield verdict(
                not en,
                T(f"{who}: {shown}{source}, pullPolicy {policy}",
                  f"{who}: {shown}{source}, pullPolicy {policy}"),
                T(f"{who}: " + "; ".join(en), f"{who}: " + "; ".join(es)), path, line)


# -- K8S005 ------------------------------------------------------------------------------


def _as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def _security_problems(pod: dict[str, Any], container: dict[str, Any]
                       ) -> tuple[list[str], list[str], str]:
    """Problems (en, es) and a summary of the effective security context."""
    def effective(key: str) -> Any:
        return container[key] if key in container else pod.get(key)

    user = _as_int(effective("runAsUser"))
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
    if container.get("allowPrivilegeEscalation") is not False:
        en.append("allowPrivilegeEscalation is not false")
        es.append("allowPrivilegeEscalation no es false")
    if container.get("readOnlyRootFilesystem") is not True:
        en.append("readOnlyRootFilesystem is not true")
        es.append("readOnlyRootFilesystem no es true")
    if container.get("privileged") is True:
        en.append("privileged: true")
        es.append("privileged: true")
    summary = (f"runAsNonRoot {str(non_root).lower()}, runAsUser "
               f"{user if user is not None else '-'}")
    return en, es, summary


@check("k8s_security_context")
@_complete()
def k8s_security_context(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S005: non-root (effective per container), no privilege escalation, read-only root."""
    found = _manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from _unread(found)
    for workload in found.workloads:
        pod = _mapping(workload.pod_spec.get("securityContext"))
        for c in workload.containers:
            en, es, summary = _security_problems(pod, _mapping(c.get("securityContext")))
            yield verdict(
                not en,
                T(f"{_who(c, workload)}: {summary}, no privilege escalation, read-only root "
                  "filesystem",
                  f"{_quien(c, workload)}: {summary}, sin escalada de privilegios, sistema de "
                  "archivos raíz de solo lectura"),
                T(f"{_who(c, workload)}: " + "; ".join(en),
                  f"{_quien(c, workload)}: " + "; ".join(es)),
                workload.path, c.line or workload.line)
    for chart in found.charts:
        yield from _chart_security(ctx, chart)


def _chart_security(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    seen = False
    for path, data in _values(chart):
        for key, holder in _security_holders(data):
            seen = True
            en, es, summary = _security_problems(_mapping(holder.get("podSecurityContext")),
                                                 _mapping(holder.get("securityContext")))
            who = f"chart {chart.name} values {key}securityContext"
            yield verdict(not en, T(f"{who}: {summary}", f"{who}: {summary}"),
                          T(f"{who}: " + "; ".join(en), f"{who}: " + "; ".join(es)),
                          path, _value_finding_line(ctx, path, f"{key}securityContext"))
    if not seen and _pod_templates(ctx, chart):
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


# -- K8S006 ------------------------------------------------------------------------------


_SENSITIVE_NAME = re.compile(
    r"(?:^|[_\-.])(?:pass(?:word|wd)?|pwd|secret|token|api[_-]?key|apikey|access[_-]?key|"
    r"secret[_-]?key|private[_-]?key|credentials?|client[_-]?secret|auth[_-]?token)"
    r"(?:$|[_\-.])", re.IGNORECASE)
_NOT_SENSITIVE_SUFFIX = re.compile(r"[_\-.](name|file|path|dir|id|arn|ref|url|uri|host|"
                                   r"enabled|length|ttl|expiry)$", re.IGNORECASE)
_SECRET_VALUE = re.compile(
    r"AKIA[0-9A-Z]{16}|ASIA[0-9A-Z]{16}|gh[pousr]_[A-Za-z0-9]{30,}|github_pat_\w{20,}|"
    r"sk-[A-Za-z0-9_-]{20,}|xox[abposr]-[A-Za-z0-9-]{10,}|-----BEGIN [A-Z ]*PRIVATE KEY-----|"
    r"AIza[0-9A-Za-z_-]{35}")
_URL_PASSWORD = re.compile(r"://[^/\s:@]+:([^/\s@]+)@")
_PLACEHOLDER = re.compile(
    r"^\s*$|^<.*>$|^\$\{.*\}$|^\$\(.*\)$|\{\{.*\}\}|^\$[A-Za-z_]\w*$|^__\w+__$|"
    r"^#\{.*\}#?$|^%\w+%$|^(?:change[-_ ]?me.*|changeit|"
    r"replace[-_ ]?(?:me|with).*|insert[-_ ].*|todo|tbd|x{3,}|\*+|dummy|example|placeholder|"
    r"secret|password|(?:your|my)[-_ ].*|[\w-]*[-_]here|none|null|redacted|fake.*|test|"
    r"base64.*)$", re.IGNORECASE)
SECRET_MANAGER_KINDS = {
    "ExternalSecret": "External Secrets Operator", "ClusterExternalSecret":
        "External Secrets Operator", "SecretStore": "External Secrets Operator",
    "ClusterSecretStore": "External Secrets Operator", "SealedSecret": "Sealed Secrets",
    "VaultStaticSecret": "Vault Secrets Operator", "VaultDynamicSecret":
        "Vault Secrets Operator", "VaultAuth": "Vault Secrets Operator",
    "SecretProviderClass": "Secrets Store CSI driver (cloud secret manager / Vault)",
}
SECRET_MANAGER_TF = ("aws_secretsmanager_secret", "google_secret_manager_secret",
                     "azurerm_key_vault_secret", "vault_kv_secret", "vault_generic_secret")


def sensitive_name(name: str) -> bool:
    return bool(_SENSITIVE_NAME.search(name)) and not _NOT_SENSITIVE_SUFFIX.search(name)


def secret_like_value(value: str) -> bool:
    """A value shaped like a credential (key prefixes, private keys, URL passwords)."""
    if _SECRET_VALUE.search(value):
        return True
    match = _URL_PASSWORD.search(value)
    return bool(match and not _PLACEHOLDER.search(match.group(1))
                and not match.group(1).startswith("$"))


def placeholder_value(name: str, value: str) -> bool:
    """An obvious stand-in rather than a credential: empty, ``<…>``, ``${…}``, ``$VAR``,
    ``changeme``, ``your-key-here``…, or a value that spells its own variable's name
    (``GOOGLE_API_KEY: GOOGLE_API_KEY_VAL``, replaced at deploy time)."""
    text = value.strip()[:200]
    if _PLACEHOLDER.search(text):
        return True
    key = re.sub(r"[^a-z0-9]", "", name.lower())
    return len(key) >= 4 and key in re.sub(r"[^a-z0-9]", "", text.lower()) and \
        re.fullmatch(r"[A-Za-z0-9_.-]{1,200}", text) is not None


def _env_findings(container: Container) -> tuple[list[str], list[str], list[str], int]:
    """(leaked literal names, placeholder literal names, names from Secrets, ConfigMap refs)."""
    leaked: list[str] = []
    placeholders: list[str] = []
    from_secret: list[str] = []
    config_refs = 0
    for item in _items(container.get("env")):
        if not isinstance(item, dict):
            continue
        name = str(item.get("name", ""))
        value_from = _mapping(item.get("valueFrom"))
        if "secretKeyRef" in value_from:
            from_secret.append(name)
        elif "configMapKeyRef" in value_from:
            config_refs += 1
        value = item.get("value")
        if value is None or isinstance(value, (dict, list)):
            continue
        text = str(value)
        if secret_like_value(text):
            leaked.append(name)
        elif sensitive_name(name):
            (placeholders if placeholder_value(name, text) else leaked).append(name)
    for source in _items(container.get("envFrom")):
        if isinstance(source, dict) and "secretRef" in source:
            from_secret.append(f"envFrom {_mapping(source['secretRef']).get('name', '')}")
        elif isinstance(source, dict) and "configMapRef" in source:
            config_refs += 1
    return leaked, placeholders, from_secret, config_refs


def _decoded(value: Any, encoded: bool) -> str:
    text = str(value) if value is not None else ""
    if not encoded:
        return text
    try:
        return base64.b64decode(text, validate=True).decode("utf-8", errors="replace")
    except (binascii.Error, ValueError):
        return text


def _secret_manifest(obj: K8sObject) -> Finding:
    real = []
    for key, encoded in (("data", True), ("stringData", False)):
        for name, value in _mapping(obj.doc.get(key)).items():
            text = _decoded(value, encoded).strip()
            if not _PLACEHOLDER.search(text):
                real.append(f"{key}.{name}")
    return verdict(
        not real,
        T(f"Secret {obj.name}: no real-looking values committed (empty or placeholders)",
          f"Secret {obj.name}: sin valores reales versionados (vacíos o marcadores)"),
        T(f"Secret {obj.name} commits real-looking values: {', '.join(real)}",
          f"el Secret {obj.name} versiona valores que parecen reales: {', '.join(real)}"),
        obj.path, obj.line,
        fix=T("Remove the Secret from git (and rotate the values); create it out of band or "
              "use SealedSecrets / External Secrets Operator.",
              "Quita el Secret de git (y rota los valores); créalo fuera del repositorio o usa "
              "SealedSecrets / External Secrets Operator."))


def _values_secrets(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    for path, data in _values(chart):
        for key, value in _scalar_leaves(data):
            last = key.rsplit(".", 1)[-1]
            text = str(value)
            if secret_like_value(text) or (sensitive_name(last) and not _PLACEHOLDER.search(
                    text) and not isinstance(value, bool)):
                yield failed(T(f"chart {chart.name} values {key} holds a literal secret",
                               f"chart {chart.name}: values {key} contiene un secreto "
                               "literal"), path, _value_finding_line(ctx, path, key))


def _scalar_leaves(data: Any, trail: str = "") -> Iterator[tuple[str, Any]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield from _scalar_leaves(value, f"{trail}.{key}" if trail else str(key))
    elif data is not None and not isinstance(data, list):
        yield trail, data


def _secret_manager_evidence(ctx: Context, found: Manifests) -> tuple[str, str, int | None] | None:
    for obj in found.objects:
        tool = SECRET_MANAGER_KINDS.get(obj.kind)
        if tool is not None:
            return f"{tool}: {obj.label}", obj.path, obj.line
        if any(str(k).startswith("vault.hashicorp.com/agent-inject")
               for k in _mapping(_mapping(pod_meta(obj)).get("annotations"))):
            return f"Vault Agent injector annotations on {obj.label}", obj.path, obj.line
        if "sops" in obj.doc and isinstance(obj.doc["sops"], dict):
            return f"SOPS-encrypted {obj.label}", obj.path, obj.line
    for workload in found.workloads:
        for volume in _items(workload.pod_spec.get("volumes")):
            driver = _mapping(_mapping(volume).get("csi")).get("driver")
            if driver == "secrets-store.csi.k8s.io":
                return (f"Secrets Store CSI volume in {workload.label}", workload.path,
                        workload.line)
    for chart in found.charts:
        for path, text in _template_text(ctx, chart).items():
            for kind, tool in SECRET_MANAGER_KINDS.items():
                if re.search(rf"^kind:[ \t]*{kind}[ \t]*$", text, re.M):
                    return f"{tool} in Helm template", path, None
    for tf in terraform_files(ctx.repo):
        if isinstance(tf, TfFile):
            for block in tf.blocks:
                if block.type == "resource" and block.labels and \
                        block.labels[0].startswith(SECRET_MANAGER_TF):
                    return (f"Terraform {block.labels[0]}.{'.'.join(block.labels[1:])}",
                            tf.path, block.line)
    return None


def pod_meta(obj: K8sObject) -> Any:
    """Pod template metadata of a workload object (or the object's own metadata)."""
    template = obj.spec.get("template")
    if obj.kind == "CronJob":
        template = _mapping(_mapping(obj.spec.get("jobTemplate")).get("spec")).get("template")
    if isinstance(template, dict):
        return {**obj.metadata, "annotations": {**obj.annotations, **_mapping(_mapping(
            template.get("metadata")).get("annotations"))}}
    return obj.metadata


@check("k8s_secrets")
@_complete(2, 3)
def k8s_secrets(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S006: no literal secrets, secretKeyRef/secretRef (L2); a secret manager (L3)."""
    found = _manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from _unread(found, level=2)
    uses_secrets = False
    for workload in found.workloads:
        for c in workload.containers:
            leaked, placeholders, from_secret, configs = _env_findings(c)
            uses_secrets = uses_secrets or bool(leaked or placeholders or from_secret)
            where = (workload.path, c.line or workload.line)
            if leaked:
                yield failed(T(f"{_who(c, workload)}: literal secret value(s) in env: "
                               f"{', '.join(leaked)}",
                               f"{_quien(c, workload)}: valor(es) secreto(s) literal(es) en "
                               f"env: {', '.join(leaked)}"), *where, level=2,
                             fix=T("Move the value into a Secret and reference it with "
                                   "valueFrom.secretKeyRef (or envFrom.secretRef); rotate it.",
                                   "Mueve el valor a un Secret y referéncialo con "
                                   "valueFrom.secretKeyRef (o envFrom.secretRef); rótalo."))
            elif placeholders:
                yield warned(T(f"{_who(c, workload)}: sensitive env set to a literal "
                               f"placeholder: {', '.join(placeholders)}",
                               f"{_quien(c, workload)}: env sensible con un marcador literal: "
                               f"{', '.join(placeholders)}"), *where, level=2)
            elif from_secret:
                yield passed(T(f"{_who(c, workload)}: secrets come from Secrets "
                               f"({', '.join(from_secret)})"
                               + (f"; {configs} ConfigMap reference(s)" if configs else ""),
                               f"{_quien(c, workload)}: los secretos vienen de Secrets "
                               f"({', '.join(from_secret)})"
                               + (f"; {configs} referencia(s) a ConfigMap" if configs else "")),
                             *where, level=2)
            else:
                yield passed(T(f"{_who(c, workload)}: no sensitive env values",
                               f"{_quien(c, workload)}: sin valores de env sensibles"),
                             *where, level=2)
    for obj in found.of_kind("Secret"):
        if obj.api_version == "v1":
            uses_secrets = True
            yield _with_level(_secret_manifest(obj), 2)
    for chart in found.charts:
        yield from (_with_level(f, 2) for f in _values_secrets(ctx, chart))
    evidence = _secret_manager_evidence(ctx, found)
    if evidence is not None:
        what, path, line = evidence
        yield passed(T(f"secrets managed outside git: {what}",
                       f"secretos gestionados fuera de git: {what}"), path, line, level=3)
    elif not uses_secrets:
        yield skipped(T("no secrets used by the manifests: no secret manager needed",
                        "los manifiestos no usan secretos: no hace falta un gestor de "
                        "secretos"), level=3)
    else:
        yield failed(T("no External Secrets Operator, SealedSecrets, Vault or cloud "
                       "secret-manager reference",
                       "no hay External Secrets Operator, SealedSecrets, Vault ni referencia a "
                       "un gestor de secretos cloud"), level=3)


def _with_level(finding: Finding, level: int) -> Finding:
    return Finding(finding.status, finding.message, finding.path, finding.line, level,
                   finding.fix)


# -- K8S007 ------------------------------------------------------------------------------


def _cpu_target(hpa: K8sObject) -> int | None:
    spec = hpa.spec
    if hpa.api_version == "autoscaling/v1":
        return _as_int(spec.get("targetCPUUtilizationPercentage"))
    for metric in _items(spec.get("metrics")):
        resource = _mapping(_mapping(metric).get("resource"))
        if resource.get("name") != "cpu":
            continue
        target = _mapping(resource.get("target"))
        value = target.get("averageUtilization", resource.get("targetAverageUtilization"))
        if _as_int(value) is not None:
            return _as_int(value)
    return None


def _hpa_finding(hpa: K8sObject, found: Manifests,
                 targets: frozenset[tuple[str, str]]) -> Finding:
    ref = _mapping(hpa.spec.get("scaleTargetRef"))
    target = f"{ref.get('kind', '?')} {ref.get('name', '?')}"
    try:
        exists = (ref.get("kind"), ref.get("name")) in targets
    except TypeError:  # an unhashable kind or name (malformed): compare one by one
        exists = any(w.kind == ref.get("kind") and w.obj.name == ref.get("name")
                     for w in found.workloads)
    low = _as_int(hpa.spec.get("minReplicas"))
    low = 1 if low is None else low
    high = _as_int(hpa.spec.get("maxReplicas"))
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
    tls = [t for t in _items(ingress.spec.get("tls")) if isinstance(t, dict)]
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
    low = _as_int(obj.spec.get("minReplicaCount"))
    high = _as_int(obj.spec.get("maxReplicaCount"))
    cpu = any(_mapping(t).get("type") == "cpu" for t in _items(obj.spec.get("triggers")))
    ok = low is not None and low >= 2 and high is not None and cpu
    return (passed if ok else warned)(
        T(f"KEDA ScaledObject {obj.name}: min {low}, max {high}, CPU trigger {cpu}",
          f"KEDA ScaledObject {obj.name}: min {low}, max {high}, disparador CPU {cpu}"),
        obj.path, obj.line)


def _chart_scaling(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    for path, data in _values(chart):
        if not isinstance(data, dict):
            continue
        auto = _mapping(data.get("autoscaling"))
        if auto:
            low = _as_int(auto.get("minReplicas")) or 1
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
                          path, _value_finding_line(ctx, path, "autoscaling"))
        ingress = _mapping(data.get("ingress"))
        # the chart's Ingress toggle: the standard block with `enabled` (an `ingress.port`
        # alone is some other gateway's setting, e.g. an Istio Gateway's port)
        if ingress and "enabled" in ingress:
            notes = {str(k) for k in _mapping(ingress.get("annotations"))}
            rate = any(re.search(r"limit-(rps|rpm|connections)|rate-limit", k) for k in notes)
            ok = ingress.get("enabled") is True and bool(ingress.get("tls")) and rate
            yield verdict(bool(ok),
                          T(f"chart {chart.name} values ingress: enabled, TLS, rate limit",
                            f"chart {chart.name} values ingress: habilitado, TLS, rate limit"),
                          T(f"chart {chart.name} values ingress: needs enabled: true, tls and "
                            "a rate-limit annotation",
                            f"chart {chart.name} values ingress: requiere enabled: true, tls y "
                            "una anotación de rate limit"),
                          path, _value_finding_line(ctx, path, "ingress"))


_TLS_KEY = re.compile(r"^[ \t]*-?[ \t]*tls[ \t]*:", re.M)


def _istio_gateways(ctx: Context, found: Manifests) -> list[tuple[str, str, int | None, bool]]:
    """(label, path, line, has TLS) of the Istio Gateways: manifests, and chart templates
    read as text."""
    out = [(f"Istio Gateway {o.name}", o.path, o.line, any(isinstance(srv, dict) and srv.get("tls")
                                        for srv in _items(o.spec.get("servers"))))
           for o in found.of_kind("Gateway") if o.api_version.startswith("networking.istio.io/")]
    for chart in found.charts:
        for path, text in _template_text(ctx, chart).items():
            if "networking.istio.io" in text and _has_text_kind([text], "Gateway"):
                out.append((f"Istio Gateway in chart {chart.name}", path, None,
                            bool(_TLS_KEY.search(text))))
    return out


_HPA_KIND = re.compile(r"^[ \t]*[\"']?kind[\"']?[ \t]*:[ \t]*[\"']?HorizontalPodAutoscaler"
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


@check("k8s_scaling_exposure")
@_complete()
def k8s_scaling_exposure(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S007: HPA (autoscaling/v2, min ≥ 2, max, CPU target); Ingress with TLS + rate limit."""
    found = _manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    templated = dict(_templated_hpas(ctx, found))
    yield from (f for f in _unread(found) if f.path not in templated)
    yield from templated.values()
    hpas = found.of_kind("HorizontalPodAutoscaler")
    kedas = [o for o in found.of_kind("ScaledObject") if o.api_version.startswith("keda.sh/")]
    ingresses = found.of_kind("Ingress")
    chart_findings = [f for chart in found.charts for f in _chart_scaling(ctx, chart)]
    yield from chart_findings
    targets = frozenset((w.kind, w.obj.name) for w in found.workloads)
    for hpa in hpas:
        yield _hpa_finding(hpa, found, targets)
    for keda in kedas:
        yield _keda_finding(keda)
    anchor = found.workloads[0] if found.workloads else None
    where: tuple[str | None, int | None] = (anchor.path, anchor.line) if anchor else (
        (found.charts[0].chart_file, 1) if found.charts else (None, None))
    if not hpas and not kedas and not chart_findings and not templated:
        yield failed(T("no HorizontalPodAutoscaler", "no hay HorizontalPodAutoscaler"), *where)
    for ingress in ingresses:
        yield _ingress_finding(ingress)
    if not ingresses and not any("ingress" in f.message.en for f in chart_findings):
        routes = found.of_kind("HTTPRoute")
        gateways = _istio_gateways(ctx, found)
        if gateways and not routes:
            name, path, line, tls = gateways[0]
            how_en = "servers with TLS" if tls else "no servers[].tls (plain HTTP)"
            how_es = "servidores con TLS" if tls else "sin servers[].tls (HTTP plano)"
            yield warned(T(f"{name} ({path}): {how_en}; rate limits live in Istio policies "
                           "(not checked)",
                           f"{name.replace('in chart', 'del chart')} ({path}): {how_es}; el "
                           "rate limit vive en las políticas de Istio (no comprobado)"),
                         path, line)
        elif routes:
            yield warned(T(f"Gateway API HTTPRoute {routes[0].name}: TLS and rate limits live "
                           "in the Gateway and its policies (not checked)",
                           f"HTTPRoute {routes[0].name} (Gateway API): TLS y rate limit viven "
                           "en el Gateway y sus políticas (no comprobado)"),
                         routes[0].path, routes[0].line)
        else:
            yield failed(T("no Ingress exposing the service with TLS and rate limits",
                           "no hay Ingress que exponga el servicio con TLS y rate limit"),
                         *where)
