"""K8S edge cases: secret managers, autoscalers and routes, Helm values, Knative, probes."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from conftest import statuses
from mlops_lint.config import Config
from mlops_lint.context import Context
from mlops_lint.model import Result
from mlops_lint.repo import Repo
from mlops_lint.rules import load_all
from test_phase6_k8s import CHART, container, dump, hpa, ingress, manifests, only, workload

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

USES_SECRET = container(env=[{"name": "DB_PASSWORD",
                              "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}])


def level3(results_for: ResultsFor, root: Path) -> list[Result]:
    return [r for r in results_for(root, "K8S006") if r.level == 3]


def test_secret_manager_evidence(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    sealed = {"apiVersion": "bitnami.com/v1alpha1", "kind": "SealedSecret",
              "metadata": {"name": "db"}, "spec": {"encryptedData": {"pw": "AgBy3i4OJSWK+"}}}
    vault = workload(containers=[USES_SECRET])
    vault["spec"]["template"]["metadata"]["annotations"] = {
        "vault.hashicorp.com/agent-inject": "true"}
    sops = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": "x"},
            "sops": {"mac": "ENC[AES256_GCM,data:abc]"}}
    csi = workload(containers=[USES_SECRET])
    csi["spec"]["template"]["spec"]["volumes"] = [
        {"name": "s", "csi": {"driver": "secrets-store.csi.k8s.io"}}]
    cases = {
        "Sealed Secrets": manifests(make_repo, workload(containers=[USES_SECRET]), sealed),
        "Vault Agent": manifests(make_repo, vault),
        "SOPS-encrypted": manifests(make_repo, workload(containers=[USES_SECRET]), sops),
        "Secrets Store CSI": manifests(make_repo, csi),
        "Terraform aws_secretsmanager_secret": manifests(
            make_repo, workload(containers=[USES_SECRET]),
            extra={"infra/secrets.tf": 'resource "aws_secretsmanager_secret" "db" {\n'
                                       '  name = "db"\n}\n'}),
    }
    for words, root in cases.items():
        (result,) = level3(results_for, root)
        assert result.status.value == "pass" and words in result.message.en, words


def test_secret_manager_in_helm_template_and_values_secrets(make_repo: MakeRepo,
                                                            results_for: ResultsFor) -> None:
    files = dict(CHART)
    files["charts/churn/templates/external.yaml"] = (
        "apiVersion: external-secrets.io/v1beta1\nkind: ExternalSecret\n"
        "metadata:\n  name: {{ .Release.Name }}\n")
    files["charts/churn/values.yaml"] += "db:\n  password: Zx81!kq\n  existingSecret: ''\n"
    root = make_repo(files)
    results = results_for(root, "K8S006")
    (leak,) = only(results, "fail", 2)
    assert leak.message.en == "chart churn values db.password holds a literal secret"
    assert leak.path == "charts/churn/values.yaml" and leak.line == 18
    (evidence,) = only(results, "pass", 3)
    assert "in Helm template" in evidence.message.en


def test_autoscaler_and_route_variants(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    keda = {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject",
            "metadata": {"name": "api"}, "spec": {"minReplicaCount": 2, "maxReplicaCount": 8,
                                                 "triggers": [{"type": "cpu"}]}}
    route = {"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute",
             "metadata": {"name": "api"}, "spec": {}}
    results = results_for(manifests(make_repo, workload(), keda, route), "K8S007")
    assert sorted(statuses(results)) == ["pass", "warn"]
    removed = hpa("autoscaling/v2beta2")
    orphan = hpa()
    orphan["spec"]["scaleTargetRef"]["name"] = "elsewhere"
    traefik = ingress({"traefik.ingress.kubernetes.io/router.middlewares": "default-rl@crd"})
    no_cert = ingress({"nginx.ingress.kubernetes.io/limit-rpm": "600"})
    no_cert["spec"]["tls"] = [{"hosts": ["api.example.com"]}]
    root = manifests(make_repo, workload(), removed, orphan, traefik, no_cert)
    messages = {r.status.value + ":" + r.message.en for r in results_for(root, "K8S007")}
    assert any(m.startswith("fail:") and "removed in Kubernetes 1.26" in m for m in messages)
    assert any(m.startswith("warn:") and "target is not among" in m for m in messages)
    assert any(m.startswith("warn:") and "Traefik middleware" in m for m in messages)
    assert any(m.startswith("warn:") and "without a certificate source" in m for m in messages)
    weak_keda = {**keda, "spec": {"minReplicaCount": 1}}
    assert statuses(results_for(manifests(make_repo, workload(), weak_keda, ingress()),
                                "K8S007")) == ["warn", "pass"]


def test_helm_values_variants(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    files = dict(CHART)
    files["charts/churn/values.yaml"] = (
        "image: ghcr.io/acme/api:2.0\nsidecar:\n  image: envoy\n"
        "ingress:\n  enabled: true\n  tls: [{hosts: [a]}]\n"
        "  annotations: {nginx.ingress.kubernetes.io/limit-rps: '10'}\n"
        "autoscaling: {enabled: false}\n")
    files["charts/churn/templates/deployment.yaml"] = (
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: {{ .Chart.Name }}\n          resources:\n            requests:\n"
        "              cpu: {{ .Values.cpu }}\n")
    files["charts/churn/Chart.yaml"] = "apiVersion: v2\nname: churn\n"
    root = make_repo(files)
    k8s004 = [r for r in results_for(root, "K8S004") if r.status.value != "skip"]
    assert sorted((r.status.value, r.message.en) for r in k8s004) == [
        ("fail", "chart churn values sidecar.image: envoy has no fixed tag"),
        ("pass", "chart churn values image: ghcr.io/acme/api:2.0")]
    k8s002 = only(results_for(root, "K8S002"), "skip")
    assert any("resources are written in the templates" in r.message.en for r in k8s002)
    k8s007 = sorted((r.status.value, r.message.en.split(":")[0])
                    for r in results_for(root, "K8S007") if r.status.value != "skip")
    assert k8s007 == [("fail", "chart churn values autoscaling"),
                      ("pass", "chart churn values ingress")]
    k8s001 = only(results_for(root, "K8S001"), "fail")
    assert [r.message.en for r in k8s001] == ["Chart.yaml lacks version"]


def test_values_ingress_without_enabled_is_not_an_ingress_toggle(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    files = dict(CHART)
    files["charts/churn/values.yaml"] += "ingress:\n  port: 80\n"
    files["charts/churn/templates/istio-canary.yaml"] = (
        "apiVersion: networking.istio.io/v1alpha3\nkind: Gateway\nmetadata:\n"
        "  name: gw\nspec:\n  selector:\n    istio: ingressgateway\n  servers:\n"
        "  - port:\n      number: {{ .Values.ingress.port }}\n      protocol: HTTP\n")
    results = results_for(make_repo(files), "K8S007")
    text = " | ".join(f"{r.status.value}:{r.message.en}" for r in results)
    assert "needs enabled: true" not in text, text
    assert "warn:Istio Gateway in chart churn" in text and "plain HTTP" in text, text


def test_broken_chart_and_knative(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    broken = make_repo({"charts/x/Chart.yaml": "name: [x\n"})
    (fail,) = only(results_for(broken, "K8S001"), "fail")
    assert fail.path == "charts/x/Chart.yaml" and "does not parse" in fail.message.en
    knative = {"apiVersion": "serving.knative.dev/v1", "kind": "Service",
               "metadata": {"name": "api", "namespace": "ml",
                            "labels": {"app": "api", "version": "1"}},
               "spec": {"template": {"metadata": {"labels": {"app": "api", "version": "1"}},
                                     "spec": {"containers": [container()]}}}}
    results = results_for(manifests(make_repo, knative), "K8S001")
    assert statuses(results) == ["pass", "pass"]


def test_probe_details(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    startup = container("a", startupProbe={"httpGet": {"path": "/health", "port": 1}},
                        readinessProbe={"httpGet": {"path": "/health", "port": 1},
                                        "periodSeconds": 5},
                        livenessProbe={"httpGet": {"path": "/health", "port": 1},
                                       "periodSeconds": 5})
    other_path = container("b", readinessProbe={"httpGet": {"path": "/predict", "port": 1},
                                                "initialDelaySeconds": 1, "periodSeconds": 1})
    root = manifests(make_repo, workload(containers=[startup, other_path]))
    results = results_for(root, "K8S003")
    assert statuses(results) == ["pass", "warn"]
    assert "probes /predict, not a health route" in results[1].message.en


def test_patch_with_kind_is_skipped(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({
        "k8s/app.yaml": dump(workload()),
        "k8s/kustomization.yaml": "resources: [app.yaml]\npatchesStrategicMerge: [mem.yaml]\n",
        "k8s/mem.yaml": dump({"apiVersion": "apps/v1", "kind": "Deployment",
                              "metadata": {"name": "api"}}),
    })
    (skip,) = only(results_for(root, "K8S005"), "skip")
    assert skip.message.en.startswith("Kustomize patch (document 1 (api))")


def test_checks_skip_when_called_without_material(make_repo: MakeRepo) -> None:
    """The checks are safe without their rule's applies_if guard (team rule packs)."""
    repo = Repo(make_repo({"README.md": "# x\n"}))
    registry = load_all()
    names = ("K8S001", "K8S002", "K8S003", "K8S004", "K8S005", "K8S006", "K8S007",
             "IAC001", "IAC002", "IAC003", "IAC004", "IAC005", "IAC006")
    for name in names:
        ctx = Context(repo, repo.projects[0], Config(), "X")
        findings: list[Any] = list(registry[name].func(ctx, None))
        assert [f.status.value for f in findings] == ["skip"], name
        assert "not applicable" in findings[0].message.en


def test_unreadable_files_where_manifests_live(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    root = make_repo({
        "k8s/app.yaml": dump(workload(), {"apiVersion": "v1", "kind": "Service",
                                          "metadata": {"name": "api", "namespace": "ml"},
                                          "spec": {"selector": {"app": "api"}}}),
        "k8s/blob.yaml": b"\x00\x01binary",
        "k8s/notes.yaml": "title: [unclosed\n",
        "charts/x/Chart.yaml": "apiVersion: v2\nname: x\nversion: 1.0.0\n",
        "charts/x/values.yaml": "image: {tag: [\n",
        "other/broken.yaml": "not: [k8s\n",  # not where manifests live, no apiVersion: ignored
    })
    failing = {r.path: r.message.en for r in only(results_for(root, "K8S001"), "fail")}
    assert set(failing) == {"k8s/blob.yaml", "k8s/notes.yaml", "charts/x/values.yaml"}
    assert "binary file" in failing["k8s/blob.yaml"]
    assert failing["charts/x/values.yaml"].startswith("values.yaml does not parse")


def test_manifests_without_workloads(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    secret_only = manifests(make_repo, {"apiVersion": "v1", "kind": "Secret",
                                        "metadata": {"name": "db", "namespace": "ml"},
                                        "stringData": {"password": ""}})
    for rule in ("K8S002", "K8S003", "K8S004", "K8S005"):
        results = results_for(secret_only, rule)
        assert set(statuses(results)) == {"skip"}, rule
        assert results[0].message.en.startswith("no workload with containers")
    k8s006 = results_for(secret_only, "K8S006")
    assert statuses(k8s006, 2) == ["pass"] and statuses(k8s006, 3) == ["fail"]
    only_kustomization = make_repo({"k8s/kustomization.yaml": "resources: []\n"})
    for rule in ("K8S001", "K8S006"):
        assert set(statuses(results_for(only_kustomization, rule))) == {"skip"}, rule


def test_odd_shapes_never_crash_a_check(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    odd = workload(containers=[1, "x", {"name": {"a": "b"}, "env": 3, "envFrom": "x",
                                        "resources": [1], "securityContext": 5,
                                        "readinessProbe": "x", "livenessProbe": {"httpGet": 2},
                                        "image": {"a": 1}, "imagePullPolicy": ["Always"]}],
                   pod_security={"runAsUser": "abc", "runAsNonRoot": "yes"})
    odd["spec"]["template"]["spec"]["volumes"] = 2
    odd["spec"]["selector"] = {"matchLabels": {1: "a", "b": 2}}
    docs = [
        odd,
        {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "s"},
         "spec": {"selector": {1: "a", "b": "c"}}},
        {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": "l"},
         "spec": {"limits": 3}},
        {"apiVersion": "autoscaling/v2", "kind": "HorizontalPodAutoscaler",
         "metadata": {"name": "h"}, "spec": {"metrics": "x", "minReplicas": "two",
                                             "scaleTargetRef": 4}},
        {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress", "metadata": {"name": "i",
                                                                              "annotations": 3},
         "spec": {"tls": 7}},
        {"apiVersion": "keda.sh/v1alpha1", "kind": "ScaledObject", "metadata": {"name": "k"},
         "spec": {"triggers": 1}},
        {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "x"}, "data": ["a"],
         "stringData": {"k": {"nested": 1}}},
        {"apiVersion": "v1", "kind": "List", "items": 5},
        {"apiVersion": 3, "kind": ["Deployment"]},
    ]
    root = make_repo({
        "k8s/odd.yaml": dump(*docs),
        "k8s/kustomization.yaml": "images: 3\npatches: {a: b}\nnamespace: [x]\n",
        "charts/c/Chart.yaml": "- just\n- a list\n",
        "charts/c/values.yaml": "resources: [1]\nimage: {repository: 3, tag: [1]}\n"
                                "securityContext: 4\nautoscaling: 3\ningress: {tls: 1}\n",
        "charts/c/templates/d.yaml": "containers: {{ .Values.x }}\n",
    })
    for rule in ("K8S001", "K8S002", "K8S003", "K8S004", "K8S005", "K8S006", "K8S007"):
        assert "error" not in statuses(results_for(root, rule)), rule
