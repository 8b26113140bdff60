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

import json
import posixpath
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.k8s_model import (
    CONTAINERS_KEY,
    DUMP,
    FIXTURE,
    HELM_TEMPLATE,
    K8S_TEXT,
    KIND_TEXT,
    KUSTOMIZATION_NAMES,
    MANIFEST_DIRS,
    MANIFEST_GLOBS,
    NOT_CLUSTER_GROUPS,
    NOT_CLUSTER_KINDS,
    PATCH,
    PATCH_NO_KIND,
    TEMPLATE,
    Container,
    HelmChart,
    K8sObject,
    Kustomization,
    Lines,
    Manifests,
    Unread,
    Workload,
    dig,
    document_spans,
    find_in,
    is_cluster_dump,
    is_fixture,
    key_value,
    pod_template,
    value_line,
    values_images,
    values_resources,
)

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

__all__ = [
    "DUMP", "FIXTURE", "HELM_TEMPLATE", "MANIFEST_GLOBS", "PATCH", "PATCH_NO_KIND", "TEMPLATE",
    "Container", "HelmChart", "K8sObject", "Manifests", "Unread", "Workload",
    "document_spans", "is_cluster_dump", "is_fixture", "pod_template", "read_manifests",
    "value_line", "values_images", "values_resources",
]


def _is_object(doc: Any) -> bool:
    return (isinstance(doc, dict) and isinstance(doc.get("apiVersion"), str)
            and isinstance(doc.get("kind"), str) and bool(doc.get("kind")))


def _cluster_object(doc: dict[str, Any]) -> bool:
    api = str(doc["apiVersion"])
    return not (api.startswith(NOT_CLUSTER_GROUPS) or
                (doc["kind"] in NOT_CLUSTER_KINDS and api == "v1"))


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
    namespace = dig(obj, "metadata", "namespace")
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


def _containers(template: dict[str, Any], lines: Lines | None, start: int,
                end: int) -> tuple[Container, ...]:
    spec = template.get("spec") if isinstance(template.get("spec"), dict) else {}
    out = []
    keys = {m.group(1): m.start() for m in (
        CONTAINERS_KEY.finditer(lines.text, start, end) if lines else ())}
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
                    offset = find_in(key_value("name", name), lines.text, from_here, end,
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
            elif expected or (K8S_TEXT.search(text) and KIND_TEXT.search(text)):
                self.found.errors.append(docs)
            return
        _read_documents(self.found, path, text, docs, path in self.patches, in_kustomize_dir,
                        self.kustomizations)


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
            if isinstance(text, str) and K8S_TEXT.search(text) and KIND_TEXT.search(text):
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
    lines: Lines | None = None
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
            lines = Lines(text, 1 if path.endswith(".json") else len(docs))
        start, end = lines.span(index)
        items = _without_dumps(found, path, lines, start, doc, index)
        nth: dict[str, int] = {}
        for item in items:
            _add_object(found, path, lines, (start, end), (doc, index), item, nth,
                        kustomizations)


def _without_dumps(found: Manifests, path: str, lines: Lines, start: int, doc: Any,
                   index: int) -> list[dict[str, Any]]:
    """The objects of a document (``List`` items expanded), cluster dumps listed as
    unread (once per file) and left out."""
    items = list(_expand(doc))
    dumps = [item for item in items if is_cluster_dump(item)]
    if dumps:
        if not any(u.path == path and u.reason == DUMP for u in found.unread[-8:]):
            found.unread.append(Unread(path, DUMP, lines.line(start),
                                       _doc_label(dumps[0], index)))
        items = [item for item in items if not is_cluster_dump(item)]
    return items


def _add_object(found: Manifests, path: str, lines: Lines, span: tuple[int, int],
                source: tuple[Any, int], item: dict[str, Any], nth: dict[str, int],
                kustomizations: dict[str, Kustomization]) -> None:
    """One object of the document ``source`` (its node, its index) spanning ``span`` of
    the text, with its line, and its workload when it carries a pod template."""
    start, end = span
    doc, index = source
    text = lines.text
    kind = str(item["kind"])
    offset = find_in(key_value("kind", kind), text, start, end, nth.get(kind, 0))
    nth[kind] = nth.get(kind, 0) + 1
    item_start = offset if offset is not None else start
    name = dig(item, "metadata", "name")
    obj = K8sObject(str(item["apiVersion"]), kind, str(name) if name else "",
                    _namespace(item, path, kustomizations), item, path,
                    lines.line(item_start) if offset is not None else None, index)
    found.objects.append(obj)
    template = pod_template(item)
    if template is None:
        return
    item_end = end
    following = find_in(KIND_TEXT, text, item_start + 1, end) if item is not doc else None
    if following is not None:
        item_end = following
    spec = template.get("spec")
    found.workloads.append(Workload(obj, template, spec if isinstance(spec, dict) else {},
                                    _containers(template, lines, item_start, item_end)))


def _doc_label(doc: Any, index: int) -> str:
    name = dig(doc, "metadata", "name") if isinstance(doc, dict) else None
    return f"document {index + 1}" + (f" ({name})" if name else "")
