"""K8S001's Service selectors against the pod templates of their namespace, and the labels
of the pods that workload custom resources and their controllers create.

A selector that matches nothing fails only when the repository could hold those pods: a
selector on labels a controller adds (``job-name``, ``pod-template-hash``,
LeaderWorkerSet, JobSet, Ray), a folder with custom resources whose operators create pods,
or a folder with no workload at all is a skip saying it cannot be verified.
"""

from __future__ import annotations

import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.model import Finding, T, failed, skipped
from mlops_lint.parsers.kubernetes import K8sObject, Manifests, Workload
from mlops_lint.rules.k8s._shared import items, mapping

SELECTOR_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Rollout"})


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
_CONTROLLER_LABEL = lazy_re.compile(
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


def _selected(service: K8sObject, selector: dict[str, Any], pods: _Pods,
              crd_pods: list[tuple[str | None, dict[str, Any]]]) -> bool:
    """Whether a pod template, or the pods of a known workload CRD, in the Service's
    namespace carry every label of its selector."""
    for workload in pods.candidates(service.namespace, selector):
        labels = workload.pod_labels
        if workload.obj.namespace == service.namespace and all(
                labels.get(k) == v for k, v in selector.items()):
            return True
    for namespace, labels in crd_pods:
        if namespace == service.namespace and all(labels.get(k) == v
                                                  for k, v in selector.items()):
            return True
    return False


def _unverifiable(service: K8sObject, selector: dict[str, Any], head: T,
                  by_dir: dict[str, list[K8sObject]]) -> _Cannot | None:
    """Why an unmatched selector cannot be judged: labels a controller adds, custom
    resources whose operators create pods, or no workload beside the Service."""
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
    return None


def _service_problem(service: K8sObject, pods: _Pods,
                     crd_pods: list[tuple[str | None, dict[str, Any]]],
                     by_dir: dict[str, list[K8sObject]]) -> T | _Cannot | None:
    selector = mapping(service.spec.get("selector"))
    if not selector or (not pods.workloads and not crd_pods):
        return None
    if _selected(service, selector, pods, crd_pods):
        return None
    wanted = ", ".join(sorted(f"{k}={v}" for k, v in selector.items()))
    head = T(f"Service {service.name}: selector {wanted}", f"Service {service.name}: selector "
             f"{wanted}")
    cannot = _unverifiable(service, selector, head, by_dir)
    if cannot is not None:
        return cannot
    return head + T(" matches no pod template in its namespace",
                    " no coincide con ningún pod template de su namespace")


def service_findings(services: list[K8sObject], found: Manifests) -> Iterator[Finding]:
    """Each v1 Service's selector against the pod templates of its namespace."""
    pods = _Pods(found.workloads)
    by_dir: dict[str, list[K8sObject]] = {}
    crd_pods: list[tuple[str | None, dict[str, Any]]] = []
    for obj in found.objects:
        by_dir.setdefault(posixpath.dirname(obj.path), []).append(obj)
        crd_pods.extend((obj.namespace, labels) for labels in crd_pod_labels(obj))
    for service in services:
        problem = _service_problem(service, pods, crd_pods, by_dir)
        if isinstance(problem, _Cannot):
            yield skipped(problem.message, service.path)
        elif problem is not None:
            yield failed(problem, service.path, service.line)
