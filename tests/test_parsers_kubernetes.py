"""The Kubernetes reader: documents, workloads, line numbers, Kustomize and Helm."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from mlops_lint.parsers.kubernetes import (
    HELM_TEMPLATE,
    PATCH,
    PATCH_NO_KIND,
    TEMPLATE,
    document_spans,
    read_manifests,
    value_line,
    values_images,
    values_resources,
)
from mlops_lint.repo import Repo

MakeRepo = Callable[..., Path]

MULTI = """\
# leading comment
---
apiVersion: v1
kind: Namespace
metadata:
  name: ml
---
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: ml
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api}
    spec:
      initContainers:
        - name: api
          image: busybox:1.36
      containers:
        - image: ghcr.io/acme/api:1.0
          name: api
        - name: "sidecar"
          image: envoy:1.29
"""


def read(make_repo: MakeRepo, files: dict[str, str]) -> tuple[Repo, object]:
    repo = Repo(make_repo(files))
    return repo, read_manifests(repo)


def test_document_spans_follow_the_loader() -> None:
    assert document_spans("a: 1\n", 1) == [(0, 5)]
    assert document_spans("---\na: 1\n---\n", 2) == [(0, 9), (9, 13)]
    assert document_spans("# c\n---\na: 1\n", 1) == [(4, 13)]
    assert document_spans("a: 1\n---\n---\nb: 2\n", 3) is not None
    assert document_spans("a: 1\n", 2) is None  # disagreement: search the whole text


def test_multi_document_lines_and_containers(make_repo: MakeRepo) -> None:
    _, found = read(make_repo, {"k8s/app.yaml": MULTI})
    assert [o.kind for o in found.objects] == ["Namespace", "Deployment"]
    deployment = found.objects[1]
    assert deployment.line == 9 and deployment.namespace == "ml"
    (workload,) = found.workloads
    init, main, sidecar = workload.containers
    assert (init.name, init.init, init.line) == ("api", True, 21)
    # the main container's name line comes after its image line; same name as the init one
    assert (main.name, main.init, main.line) == ("api", False, 25)
    assert (sidecar.name, sidecar.line) == ("sidecar", 26)
    assert workload.long_running


def test_list_json_and_cronjob(make_repo: MakeRepo) -> None:
    listing = {"apiVersion": "v1", "kind": "List", "items": [
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "api"}},
        {"apiVersion": "batch/v1", "kind": "CronJob", "metadata": {"name": "retrain"},
         "spec": {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": {"spec": {
             "restartPolicy": "OnFailure",
             "containers": [{"name": "train", "image": "acme/train:2"}]}}}}}},
    ]}
    _, found = read(make_repo, {"deploy/all.json": json.dumps(listing, indent=2)})
    assert [o.kind for o in found.objects] == ["Service", "CronJob"]
    (cron,) = found.workloads
    assert not cron.long_running
    (train,) = cron.containers
    text = json.dumps(listing, indent=2).splitlines()
    assert text[train.line - 1].strip().startswith('"name": "train"')


def test_pod_templates_of_other_kinds_and_restart_policy(make_repo: MakeRepo) -> None:
    rollout = ("apiVersion: argoproj.io/v1alpha1\nkind: Rollout\nmetadata: {name: api}\n"
               "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n"
               "          image: a:1\n")
    pod = ("apiVersion: v1\nkind: Pod\nmetadata: {name: once}\nspec:\n  restartPolicy: Never\n"
           "  containers: [{name: c, image: 'a:1'}]\n")
    _, found = read(make_repo, {"k8s/rollout.yaml": rollout, "k8s/pod.yaml": pod})
    kinds = {w.kind: w for w in found.workloads}
    assert set(kinds) == {"Rollout", "Pod"}
    assert kinds["Rollout"].long_running and not kinds["Pod"].long_running
    # a flow-style container has no "- name:" line: the containers key line is used
    assert kinds["Pod"].containers[0].line == 6


def test_other_yaml_is_not_a_manifest(make_repo: MakeRepo) -> None:
    files = {
        ".github/workflows/ci.yml": "name: CI\non: push\njobs: {b: {runs-on: x, steps: []}}\n",
        "docker-compose.yml": "services:\n  api:\n    image: a:1\n",
        "configs/train.yaml": "kind: classifier\nmodel: {apiVersion: 2}\n",
        "skaffold.yaml": "apiVersion: skaffold/v4beta6\nkind: Config\n",
        "kubeconfig.yaml": "apiVersion: v1\nkind: Config\nclusters: []\n",
        "package.json": '{"name": "x", "version": "1.0.0"}',
    }
    _, found = read(make_repo, files)
    assert not found.present


def test_invalid_and_templated_files(make_repo: MakeRepo) -> None:
    files = {
        "k8s/broken.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n  name: [x\n",
        "k8s/envsubst.yaml": "apiVersion: v1\nkind: Pod\nmetadata: {name: {{NAME}}}\n",
        "notes/other.yaml": "just: [broken\n",
    }
    _, found = read(make_repo, files)
    assert [e.path for e in found.errors] == ["k8s/broken.yaml"]
    assert found.errors[0].line is not None
    assert [(u.path, u.reason) for u in found.unread] == [("k8s/envsubst.yaml", TEMPLATE)]


def test_kustomize_patches_and_namespace(make_repo: MakeRepo) -> None:
    files = {
        "k8s/base/deploy.yaml": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a}\n"
                                "spec:\n  template:\n    spec:\n      containers: "
                                "[{name: a, image: 'x:1'}]\n",
        "k8s/overlays/prod/kustomization.yaml":
            "namespace: prod\nresources: [../../base]\npatches:\n  - path: resources.yaml\n"
            "patchesStrategicMerge: [replicas.yaml]\n"
            "images:\n  - {name: x, newTag: '2.0'}\n",
        "k8s/overlays/prod/resources.yaml": "metadata: {name: a}\nspec: {replicas: 3}\n",
        "k8s/overlays/prod/replicas.yaml": "apiVersion: apps/v1\nkind: Deployment\n"
                                           "metadata: {name: a}\nspec: {replicas: 3}\n",
        "k8s/overlays/prod/loose.yaml": "spec:\n  template: {}\n",
    }
    _, found = read(make_repo, files)
    reasons = sorted((u.path.rsplit("/", 1)[-1], u.reason) for u in found.unread)
    assert reasons == [("loose.yaml", PATCH_NO_KIND), ("replicas.yaml", PATCH),
                       ("resources.yaml", PATCH_NO_KIND)]
    assert [w.kind for w in found.workloads] == ["Deployment"]
    assert found.images_override("x:1") == {"name": "x", "newTag": "2.0"}
    assert found.images_override("y:1") is None
    # the base is not under the overlay, so its namespace is its own (none)
    assert found.workloads[0].obj.namespace is None


def test_helm_chart_reading(make_repo: MakeRepo) -> None:
    files = {
        "charts/api/Chart.yaml": "apiVersion: v2\nname: api\nversion: 0.1.0\nappVersion: '1.4'\n",
        "charts/api/values.yaml": "image:\n  repository: ghcr.io/acme/api\n  tag: ''\n"
                                  "worker:\n  resources:\n    limits: {memory: 1Gi}\n",
        "charts/api/values-prod.yaml": "resources:\n  requests: {cpu: 1}\n",
        "charts/api/templates/deployment.yaml": "kind: Deployment\nmetadata:\n"
                                                "  name: {{ .Release.Name }}\n",
        "charts/api/templates/static.yaml": "apiVersion: v1\nkind: ConfigMap\n"
                                            "metadata: {name: fixed}\n",
    }
    repo, found = read(make_repo, files)
    (chart,) = found.charts
    assert chart.name == "api" and chart.app_version == "1.4"
    assert [p.rsplit("/", 1)[-1] for p, _ in chart.values] == ["values.yaml", "values-prod.yaml"]
    assert [(u.path, u.reason) for u in found.unread] == [
        ("charts/api/templates/deployment.yaml", HELM_TEMPLATE)]
    assert [o.name for o in found.objects] == ["fixed"]  # a template without {{ }} is read
    values = chart.values[0][1]
    assert list(values_resources(values)) == [("worker.resources", {"limits": {"memory": "1Gi"}})]
    assert [k for k, _ in values_images(values)] == ["image"]
    text = repo.text("charts/api/values.yaml")
    assert isinstance(text, str)
    assert value_line(text, "worker.resources") == 5
    assert value_line(text, "missing.key") is None


def test_read_once_per_run(make_repo: MakeRepo) -> None:
    repo, found = read(make_repo, {"k8s/app.yaml": MULTI})
    assert read_manifests(repo) is found
