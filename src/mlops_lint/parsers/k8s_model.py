"""The model of a repository's Kubernetes configuration (:mod:`~mlops_lint.parsers.kubernetes`
reads it): objects, workloads and their containers, what could not be read and why,
Kustomizations, Helm charts and their values; and the cheap text scan that gives
objects and containers their line numbers."""

from __future__ import annotations

import bisect
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.parsers import ParseError

MANIFEST_GLOBS = ("**/*.yaml", "**/*.yml", "**/*.json")


KUSTOMIZATION_NAMES = frozenset({"kustomization.yaml", "kustomization.yml", "Kustomization"})


POD_TEMPLATE_KINDS = frozenset({"Deployment", "ReplicaSet", "StatefulSet", "DaemonSet", "Job",
                                "ReplicationController"})


BATCH_KINDS = frozenset({"Job", "CronJob"})


# Directories where YAML files are expected to be manifests (rules.md §6 "Infra").
MANIFEST_DIRS = frozenset({"k8s", "kubernetes", "kube", "manifests", "deploy", "deployment",
                           "deployments", "charts", "helm", "kustomize", "overlays"})


# apiVersion groups of configuration files that carry apiVersion + kind but are no
# cluster objects (tool configs), and kinds that are client-side only.
NOT_CLUSTER_GROUPS = ("skaffold/", "kind.x-k8s.io/", "k3d.io/", "ctlptl.dev/", "kuttl.dev/",
                      "kubeadm.k8s.io/", "kubelet.config.k8s.io/", "kubeproxy.config.k8s.io/",
                      "client.authentication.k8s.io/")


NOT_CLUSTER_KINDS = frozenset({"Config"})  # kubeconfig (apiVersion v1, kind Config)


# Unread reasons (checks turn them into bilingual text).
HELM_TEMPLATE = "helm-template"


TEMPLATE = "template"  # {{ }} placeholders outside a chart: does not parse until rendered


PATCH = "kustomize-patch"


PATCH_NO_KIND = "kustomize-patch-no-kind"


FIXTURE = "fixture"  # under a test-data folder: input of a test, not a deployment manifest


DUMP = "cluster-dump"  # `kubectl get -o yaml` output: what a cluster held, not what to apply


# Folders of test inputs: manifests there feed a test (a parser's, a linter's), they are
# not deployed. ``tests/`` itself is not one of them: end-to-end suites deploy from it.
FIXTURE_DIRS = frozenset({"testdata", "test_data", "test-data", "fixtures", "__fixtures__",
                          "test-fixtures", "test_fixtures", "__snapshots__"})


# metadata a cluster adds to every object it stores (never written by hand)
SERVER_FIELDS = ("resourceVersion", "uid", "selfLink", "managedFields")


DOC_MARK = lazy_re.compile(r"^---(?=[ \t]|$)", re.M)


HAS_CONTENT = lazy_re.compile(r"^(?![ \t]*(?:#|$)|%|\.\.\.)", re.M)


K8S_TEXT = lazy_re.compile(r"^[ \t]*[\"']?apiVersion[\"']?[ \t]*:", re.M)


KIND_TEXT = lazy_re.compile(r"^[ \t]*[\"']?kind[\"']?[ \t]*:", re.M)


CONTAINERS_KEY = lazy_re.compile(r"[\"']?(initContainers|containers)[\"']?[ \t]*:")


@dataclass(frozen=True)
class Container:
    name: str
    spec: dict[str, Any]
    init: bool
    line: int | None

    def get(self, key: str) -> Any:
        return self.spec.get(key)

    @property
    def image(self) -> str | None:
        image = self.spec.get("image")
        return str(image) if isinstance(image, (str, int, float)) else None


@dataclass(frozen=True)
class K8sObject:
    api_version: str
    kind: str
    name: str
    namespace: str | None  # metadata.namespace, else a covering kustomization's namespace
    doc: dict[str, Any]
    path: str
    line: int | None
    doc_index: int

    @property
    def metadata(self) -> dict[str, Any]:
        meta = self.doc.get("metadata")
        return meta if isinstance(meta, dict) else {}

    @property
    def labels(self) -> dict[str, Any]:
        labels = self.metadata.get("labels")
        return labels if isinstance(labels, dict) else {}

    @property
    def annotations(self) -> dict[str, Any]:
        annotations = self.metadata.get("annotations")
        return annotations if isinstance(annotations, dict) else {}

    @property
    def spec(self) -> dict[str, Any]:
        spec = self.doc.get("spec")
        return spec if isinstance(spec, dict) else {}

    @property
    def label(self) -> str:
        return f"{self.kind} {self.name}".strip()


@dataclass(frozen=True)
class Workload:
    obj: K8sObject
    template: dict[str, Any]  # the pod template (metadata + spec); the Pod itself for a Pod
    pod_spec: dict[str, Any]
    containers: tuple[Container, ...]

    @property
    def kind(self) -> str:
        return self.obj.kind

    @property
    def path(self) -> str:
        return self.obj.path

    @property
    def line(self) -> int | None:
        return self.obj.line

    @property
    def label(self) -> str:
        return self.obj.label

    @property
    def pod_labels(self) -> dict[str, Any]:
        meta = self.template.get("metadata")
        labels = meta.get("labels") if isinstance(meta, dict) else None
        return labels if isinstance(labels, dict) else {}

    @property
    def long_running(self) -> bool:
        """Serving-style workloads: not Jobs, CronJobs or run-to-completion Pods."""
        if self.kind in BATCH_KINDS:
            return False
        if self.kind == "Pod":
            return str(self.pod_spec.get("restartPolicy", "Always")) == "Always"
        return True


@dataclass(frozen=True)
class Unread:
    """A file or document seen but not evaluated, and why (one of the reason codes)."""

    path: str
    reason: str
    line: int | None = None
    detail: str = ""


@dataclass(frozen=True)
class Kustomization:
    path: str
    directory: str
    namespace: str | None
    images: dict[str, dict[str, Any]]  # image name -> {newName, newTag, digest}
    patches: frozenset[str]  # repository paths of patch files


@dataclass(frozen=True)
class HelmChart:
    directory: str
    chart_file: str
    chart: dict[str, Any] | ParseError
    values: tuple[tuple[str, Any], ...]  # (path, parsed data or ParseError), values.yaml first
    templates: tuple[str, ...]  # unrendered template files ({{ }})
    static_templates: tuple[str, ...]  # template files without placeholders (read as YAML)

    @property
    def name(self) -> str:
        if isinstance(self.chart, dict) and self.chart.get("name"):
            return str(self.chart["name"])
        return PurePosixPath(self.directory).name if self.directory != "." else "chart"

    @property
    def app_version(self) -> str | None:
        if isinstance(self.chart, dict) and self.chart.get("appVersion") is not None:
            return str(self.chart["appVersion"])
        return None


@dataclass
class Manifests:
    objects: list[K8sObject] = field(default_factory=list)
    workloads: list[Workload] = field(default_factory=list)
    charts: list[HelmChart] = field(default_factory=list)
    kustomizations: list[Kustomization] = field(default_factory=list)
    unread: list[Unread] = field(default_factory=list)
    errors: list[ParseError] = field(default_factory=list)  # k8s-looking files that do not parse

    @property
    def present(self) -> bool:
        """Whether the repository has any Kubernetes material at all."""
        return bool(self.objects or self.charts or self.kustomizations or self.unread
                    or self.errors)

    def of_kind(self, *kinds: str) -> list[K8sObject]:
        return [o for o in self.objects if o.kind in kinds]

    def images_override(self, image: str) -> dict[str, Any] | None:
        """A kustomization ``images:`` entry that rewrites ``image`` (by name)."""
        name = image.split("@", 1)[0]
        last = name.rsplit("/", 1)[-1]
        if ":" in last:
            name = name.rsplit(":", 1)[0]
        for kustomization in self.kustomizations:
            entry = kustomization.images.get(name)
            if entry is not None:
                return entry
        return None


class Lines:
    """Offsets to 1-based line numbers, and per-document spans, for one file's text."""

    def __init__(self, text: str, documents: int) -> None:
        self.text = text
        self._newlines = [m.start() for m in re.finditer("\n", text)]
        self.spans = document_spans(text, documents)

    def line(self, offset: int) -> int:
        return bisect.bisect_left(self._newlines, offset) + 1

    def span(self, index: int) -> tuple[int, int]:
        if self.spans is None or index >= len(self.spans):
            return 0, len(self.text)
        return self.spans[index]


def document_spans(text: str, documents: int) -> list[tuple[int, int]] | None:
    """Character spans of the YAML documents of ``text``, when the ``---`` markers
    account for exactly ``documents`` documents (else ``None``: search the whole text)."""
    marks = [m.start() for m in DOC_MARK.finditer(text)]
    head_end = marks[0] if marks else len(text)
    starts = [0] if HAS_CONTENT.search(text, 0, head_end) else []
    starts.extend(marks)
    if len(starts) != documents:
        return None
    ends = [*starts[1:], len(text)]
    return list(zip(starts, ends, strict=True))


@lru_cache(maxsize=4096)
def key_value(key: str, value: str) -> re.Pattern[str]:
    """A ``key: value`` line in YAML (block or ``- `` item) or JSON (``"key": "value",``)."""
    return re.compile(
        rf"^[ \t]*(?:-[ \t]+)?[\"']?{re.escape(key)}[\"']?[ \t]*:[ \t]*[\"']?{re.escape(value)}"
        rf"[\"']?[ \t]*(?:,[ \t]*)?(?:#.*)?$", re.M)


def find_in(pattern: re.Pattern[str], text: str, start: int, end: int, nth: int = 0) -> int | None:
    for i, match in enumerate(pattern.finditer(text, start, end)):
        if i == nth:
            return match.start()
    return None


def values_resources(data: Any, trail: str = "") -> Iterator[tuple[str, Any]]:
    """``resources`` settings in Helm values: (dotted key path, mapping or None)."""
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{trail}.{key}" if trail else str(key)
            if key == "resources" and (value is None or isinstance(value, dict)):
                yield where, value
            else:
                yield from values_resources(value, where)


def values_images(data: Any, trail: str = "") -> Iterator[tuple[str, Any]]:
    """Image settings in Helm values: ``image:`` strings or ``{repository, tag, ...}``."""
    if isinstance(data, dict):
        for key, value in data.items():
            where = f"{trail}.{key}" if trail else str(key)
            image_string = key == "image" and isinstance(value, str)
            image_map = isinstance(value, dict) and "repository" in value and (
                key == "image" or "tag" in value)
            if image_string or image_map:
                yield where, value
            else:
                yield from values_images(value, where)


def value_line(text: str, dotted: str) -> int | None:
    """Line of the last key of ``dotted`` in a values file (a text scan: the first line
    declaring that key after the lines declaring its parents)."""
    offset = 0
    found = None
    for key in dotted.split("."):
        match = re.compile(rf"^[ \t]*[\"']?{re.escape(key)}[\"']?[ \t]*:", re.M).search(
            text, offset)
        if match is None:
            return None
        offset = match.end()
        found = match.start()
    return None if found is None else text.count("\n", 0, found) + 1


def dig(node: Any, *keys: str) -> Any:
    for key in keys:
        if not isinstance(node, dict):
            return None
        node = node.get(key)
    return node


def pod_template(doc: dict[str, Any]) -> dict[str, Any] | None:
    """The pod template of a workload document (the Pod itself for ``kind: Pod``)."""
    kind = doc.get("kind")
    if kind == "Pod":
        return doc
    if kind == "CronJob":
        template = dig(doc, "spec", "jobTemplate", "spec", "template")
    elif kind == "PodTemplate":
        template = doc.get("template")
    else:
        template = dig(doc, "spec", "template")
    if isinstance(template, dict) and isinstance(dig(template, "spec", "containers"), list):
        return template
    return None


def is_fixture(path: str) -> bool:
    """A file under a test-data folder (``testdata/``, ``test/fixtures/``, ``__fixtures__/``)."""
    return not FIXTURE_DIRS.isdisjoint(PurePosixPath(path).parts[:-1])


def is_cluster_dump(doc: dict[str, Any]) -> bool:
    """An object as a cluster returns it (``kubectl get -o yaml``): server-set metadata
    (resourceVersion, uid, selfLink, managedFields) or a filled-in ``status`` with a
    creation time. ``status: {}`` and ``creationTimestamp: null`` of a dry-run are not."""
    meta = doc.get("metadata")
    if not isinstance(meta, dict):
        return False
    if any(meta.get(key) for key in SERVER_FIELDS):
        return True
    status = doc.get("status")
    return isinstance(status, dict) and bool(status) and bool(meta.get("creationTimestamp"))
