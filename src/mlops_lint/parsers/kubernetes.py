"""Kubernetes manifests, Kustomize overlays and Helm charts, read statically.

What counts as a manifest: a YAML (``.yaml``/``.yml``, multi-document) or JSON document
that is a mapping with a string ``apiVersion`` and a string ``kind``. Workflows, compose
files and other YAML have no such pair and are never mistaken for manifests; a few
configuration files that do carry the pair but are not cluster objects (kubeconfig,
Skaffold, kind/k3d cluster configs) are left out too. ``kind: List`` (and ``*List``)
documents are expanded into their items.

Workloads are the objects carrying a pod template: Pod, Deployment, ReplicaSet,
StatefulSet, DaemonSet, Job, CronJob (``spec.jobTemplate.spec.template``) and any other
kind with ``spec.template.spec.containers`` (an Argo Rollout, a Knative Service).

What cannot be read as manifests is kept, with the reason, instead of being dropped:

* Helm templates (``templates/`` of a chart, with ``{{ … }}``) are not valid YAML until
  rendered; they are listed as unread. A chart's ``Chart.yaml`` and ``values*.yaml`` are
  parsed, so the resources, images, probes and security settings they hold can be read.
* Kustomize patches (files a ``kustomization.yaml`` lists under ``patches``,
  ``patchesStrategicMerge`` or ``patchesJson6902``, and kind-less fragments next to a
  kustomization) are partial objects merged into a base, so they are listed as unread.

Line numbers come from a cheap text scan, not from a second (round-trip) parse: the
text is split at ``---`` document markers, and the ``kind:`` line of each object and the
``name:`` line of each container are searched inside their own document.
"""

from __future__ import annotations

import bisect
import json
import posixpath
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

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
_SERVER_FIELDS = ("resourceVersion", "uid", "selfLink", "managedFields")

_DOC_MARK = re.compile(r"^---(?=[ \t]|$)", re.M)
_HAS_CONTENT = re.compile(r"^(?![ \t]*(?:#|$)|%|\.\.\.)", re.M)
_K8S_TEXT = re.compile(r"^[ \t]*[\"']?apiVersion[\"']?[ \t]*:", re.M)
_KIND_TEXT = re.compile(r"^[ \t]*[\"']?kind[\"']?[ \t]*:", re.M)
_CONTAINERS_KEY = re.compile(r"[\"']?(initContainers|containers)[\"']?[ \t]*:")


# -- model ---------------------------------------------------------------------------


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


# -- line numbers --------------------------------------------------------------------


class _Lines:
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
    marks = [m.start() for m in _DOC_MARK.finditer(text)]
    head_end = marks[0] if marks else len(text)
    starts = [0] if _HAS_CONTENT.search(text, 0, head_end) else []
    starts.extend(marks)
    if len(starts) != documents:
        return None
    ends = [*starts[1:], len(text)]
    return list(zip(starts, ends, strict=True))


def _key_value(key: str, value: str) -> re.Pattern[str]:
    """A ``key: value`` line in YAML (block or ``- `` item) or JSON (``"key": "value",``)."""
    return re.compile(
        rf"^[ \t]*(?:-[ \t]+)?[\"']?{re.escape(key)}[\"']?[ \t]*:[ \t]*[\"']?{re.escape(value)}"
        rf"[\"']?[ \t]*(?:,[ \t]*)?(?:#.*)?$", re.M)


def _find(pattern: re.Pattern[str], text: str, start: int, end: int, nth: int = 0) -> int | None:
    for i, match in enumerate(pattern.finditer(text, start, end)):
        if i == nth:
            return match.start()
    return None


# -- reading ---------------------------------------------------------------------------


def _is_object(doc: Any) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("apiVersion"), str)
            and isinstance(doc.get("kind"), str) and bool(doc.get("kind")))


def _cluster_object(doc: dict[str, Any]) -> bool:
    api = str(doc["apiVersion"])
    return not (api.startswith(NOT_CLUSTER_GROUPS) or
                (doc["kind"] in NOT_CLUSTER_KINDS and api == "v1"))


def _dig(node: Any, *keys: str) -> Any:
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
        template = _dig(doc, "spec", "jobTemplate", "spec", "template")
    elif kind == "PodTemplate":
        template = doc.get("template")
    else:
        template = _dig(doc, "spec", "template")
    if isinstance(template, dict) and isinstance(_dig(template, "spec", "containers"), list):
        return template
    return None


def _expand(doc: dict[str, Any]) -> Iterator[dict[str, Any]]:
    kind = str(doc["kind"])
    items = doc.get("items")
    if kind.endswith("List") and isinstance(items, list):
        for item in items:
            if _is_object(item):
                yield from _expand(item)
    else:
        yield doc


def _kustomization(repo: Repo, path: str) -> Kustomization | ParseError:
    data = repo.yaml(path)
    if isinstance(data, ParseError):
        return data
    data = data if isinstance(data, dict) else {}
    directory = posixpath.dirname(path)

    def resolve(rel: Any) -> str | None:
        if not isinstance(rel, str) or "://" in rel:
            return None
        return posixpath.normpath(posixpath.join(directory, rel))

    patches: set[str] = set()
    for key in ("patchesStrategicMerge", "patches", "patchesJson6902"):
        entries = data.get(key)
        for entry in entries if isinstance(entries, list) else []:
            target = resolve(entry.get("path")) if isinstance(entry, dict) else resolve(entry)
            if target:
                patches.add(target)
    images: dict[str, dict[str, Any]] = {}
    entries = data.get("images")
    for entry in entries if isinstance(entries, list) else []:
        if isinstance(entry, dict) and isinstance(entry.get("name"), str):
            images[entry["name"]] = entry
    namespace = data.get("namespace")
    return Kustomization(path, directory, str(namespace) if namespace else None, images,
                         frozenset(patches))


def _chart(repo: Repo, chart_file: str) -> HelmChart:
    directory = posixpath.dirname(chart_file) or "."
    prefix = "" if directory == "." else directory + "/"
    chart = repo.yaml(chart_file)
    chart_data: dict[str, Any] | ParseError = (
        chart if isinstance(chart, (dict, ParseError)) else
        ParseError(chart_file, "Chart.yaml is not a mapping"))
    values = []
    for name in ("values.yaml", "values.yml"):
        if repo.exists(prefix + name):
            values.append((prefix + name, repo.yaml(prefix + name)))
    for path in repo.glob([prefix + "values*.yaml", prefix + "values*.yml"]):
        if path not in (v[0] for v in values):
            values.append((path, repo.yaml(path)))
    templates, static = [], []
    for path in repo.glob([prefix + "templates/**/*.yaml", prefix + "templates/**/*.yml"]):
        text = repo.text(path)
        if isinstance(text, str) and "{{" not in text:
            static.append(path)
        else:
            templates.append(path)
    return HelmChart(directory, chart_file, chart_data, tuple(values), tuple(templates),
                     tuple(static))


def _namespace(obj: dict[str, Any], path: str,
               kustomizations: dict[str, Kustomization]) -> str | None:
    namespace = _dig(obj, "metadata", "namespace")
    if isinstance(namespace, str) and namespace:
        return namespace
    directory = posixpath.dirname(path)
    while True:
        kustomization = kustomizations.get(directory)
        if kustomization is not None and kustomization.namespace:
            return kustomization.namespace
        if not directory:
            return None
        directory = posixpath.dirname(directory)


def _containers(template: dict[str, Any], lines: _Lines | None, start: int,
                end: int) -> tuple[Container, ...]:
    spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    out = []
    keys = {m.group(1): m.start() for m in (
        _CONTAINERS_KEY.finditer(lines.text, start, end) if lines else ())}
    for key, init in (("initContainers", True), ("containers", False)):
        items = spec.get(key) if isinstance(spec, dict) else None
        if not isinstance(items, list):
            continue
        seen: dict[str, int] = {}
        for item in items:
            if not isinstance(item, dict):
                continue
            name = str(item.get("name", "")) if item.get("name") is not None else ""
            line = None
            if lines is not None:
                from_here = keys.get(key, start)
                offset = None
                if name:
                    offset = _find(_key_value("name", name), lines.text, from_here, end,
                                   seen.get(name, 0))
                    seen[name] = seen.get(name, 0) + 1
                if offset is None:
                    offset = keys.get(key)
                line = lines.line(offset) if offset is not None else None
            out.append(Container(name or "(unnamed)", item, init, line))
    return tuple(out)


def _looks_like_patch(doc: Any) -> bool:
    if isinstance(doc, list):
        return any(isinstance(op, dict) and "op" in op and "path" in op for op in doc)
    return isinstance(doc, dict) and ("spec" in doc or "metadata" in doc)


def _read_kustomizations(repo: Repo, found: Manifests) -> dict[str, Kustomization]:
    by_dir: dict[str, Kustomization] = {}
    for path in repo.files:
        if PurePosixPath(path).name in KUSTOMIZATION_NAMES:
            parsed = _kustomization(repo, path)
            if isinstance(parsed, ParseError):
                found.errors.append(parsed)
            else:
                by_dir[parsed.directory] = parsed
                found.kustomizations.append(parsed)
    return by_dir


@dataclass
class _Reader:
    """One pass over the repository's YAML/JSON files, knowing its charts and overlays."""

    repo: Repo
    found: Manifests
    kustomizations: dict[str, Kustomization]

    def __post_init__(self) -> None:
        charts = self.found.charts
        self.patches = frozenset(p for k in self.found.kustomizations for p in k.patches)
        self.chart_dirs = {c.directory for c in charts}
        self.templates = {t for c in charts for t in c.templates}
        self.chart_data = {c.chart_file for c in charts} | {v[0] for c in charts for v in c.values}

    def expected(self, path: str) -> bool:
        """Where manifests live: an unreadable or broken file there is reported."""
        return path in self.patches or _in_chart(path, self.chart_dirs) or \
            not MANIFEST_DIRS.isdisjoint(PurePosixPath(path).parts[:-1])

    def read(self, path: str) -> None:
        if path in self.chart_data or PurePosixPath(path).name in KUSTOMIZATION_NAMES:
            return
        if path in self.templates:
            self.found.unread.append(Unread(path, HELM_TEMPLATE))
            return
        expected = self.expected(path)
        text = self.repo.text(path)
        if isinstance(text, ParseError):
            if expected:
                self.found.errors.append(text)
            return
        in_kustomize_dir = posixpath.dirname(path) in self.kustomizations
        if not (expected or in_kustomize_dir or ("apiVersion" in text and "kind" in text)):
            return
        docs = _load(self.repo, path)
        if isinstance(docs, ParseError):
            if "{{" in text:
                self.found.unread.append(Unread(path, TEMPLATE, docs.line))
            elif expected or (_K8S_TEXT.search(text) and _KIND_TEXT.search(text)):
                self.found.errors.append(docs)
            return
        _read_documents(self.found, path, text, docs, path in self.patches, in_kustomize_dir,
                        self.kustomizations)


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
    if any(meta.get(key) for key in _SERVER_FIELDS):
        return True
    status = doc.get("status")
    return isinstance(status, dict) and bool(status) and bool(meta.get("creationTimestamp"))


def read_manifests(repo: Repo) -> Manifests:
    """Every manifest, kustomization and chart of the repository (memoized per run)."""
    cached = repo.memo.get("k8s:manifests")
    if cached is not None:
        result: Manifests = cached
        return result
    found = Manifests()
    kustomizations = _read_kustomizations(repo, found)
    chart_files = [p for p in repo.glob(["Chart.yaml", "**/Chart.yaml", "Chart.yml",
                                         "**/Chart.yml"]) if not is_fixture(p)]
    found.charts = [_chart(repo, path) for path in chart_files]
    reader = _Reader(repo, found, kustomizations)
    for path in repo.glob(MANIFEST_GLOBS):
        if is_fixture(path):
            text = repo.text(path)
            if isinstance(text, str) and _K8S_TEXT.search(text) and _KIND_TEXT.search(text):
                found.unread.append(Unread(path, FIXTURE))
            continue
        reader.read(path)
    repo.memo["k8s:manifests"] = found
    return found


def _in_chart(path: str, chart_dirs: set[str]) -> bool:
    return any(d == "." or path.startswith(d + "/") for d in chart_dirs)


def _load(repo: Repo, path: str) -> list[Any] | ParseError:
    if path.endswith(".json"):
        data = repo.parse(path, json.loads)
        return data if isinstance(data, ParseError) else [data]
    return repo.yaml_all(path)


def _read_documents(found: Manifests, path: str, text: str, docs: list[Any], is_patch: bool,
                    in_kustomize_dir: bool, kustomizations: dict[str, Kustomization]) -> None:
    lines: _Lines | None = None
    for index, doc in enumerate(docs):
        if is_patch:
            reason = PATCH if _is_object(doc) else PATCH_NO_KIND
            found.unread.append(Unread(path, reason, None, _doc_label(doc, index)))
            continue
        if not _is_object(doc):
            if in_kustomize_dir and _looks_like_patch(doc):
                found.unread.append(Unread(path, PATCH_NO_KIND, None, _doc_label(doc, index)))
            continue
        if not _cluster_object(doc):
            continue
        if lines is None:
            lines = _Lines(text, 1 if path.endswith(".json") else len(docs))
        start, end = lines.span(index)
        nth: dict[str, int] = {}
        items = list(_expand(doc))
        dumps = [item for item in items if is_cluster_dump(item)]
        if dumps:
            if not any(u.path == path and u.reason == DUMP for u in found.unread[-8:]):
                found.unread.append(Unread(path, DUMP, lines.line(start),
                                           _doc_label(dumps[0], index)))
            items = [item for item in items if not is_cluster_dump(item)]
        for item in items:
            kind = str(item["kind"])
            offset = _find(_key_value("kind", kind), text, start, end, nth.get(kind, 0))
            nth[kind] = nth.get(kind, 0) + 1
            item_start = offset if offset is not None else start
            name = _dig(item, "metadata", "name")
            obj = K8sObject(str(item["apiVersion"]), kind, str(name) if name else "",
                            _namespace(item, path, kustomizations), item, path,
                            lines.line(item_start) if offset is not None else None, index)
            found.objects.append(obj)
            template = pod_template(item)
            if template is not None:
                item_end = end
                following = _find(_KIND_TEXT, text, item_start + 1, end) if item is not doc \
                    else None
                if following is not None:
                    item_end = following
                spec = template.get("spec")
                found.workloads.append(Workload(
                    obj, template, spec if isinstance(spec, dict) else {},
                    _containers(template, lines, item_start, item_end)))


def _doc_label(doc: Any, index: int) -> str:
    name = _dig(doc, "metadata", "name") if isinstance(doc, dict) else None
    return f"document {index + 1}" + (f" ({name})" if name else "")


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
