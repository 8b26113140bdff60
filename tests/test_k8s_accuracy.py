"""Kubernetes findings say only what the manifests show: pods of workload CRDs and the
labels their controllers add, test fixtures and cluster dumps that are no manifests,
probe fixes that keep the probe type the container uses."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

LWS = """\
apiVersion: leaderworkerset.x-k8s.io/v1
kind: LeaderWorkerSet
metadata:
  name: vllm
  namespace: serving
spec:
  leaderWorkerTemplate:
    size: 2
    leaderTemplate:
      metadata:
        labels:
          role: leader
      spec:
        containers:
          - name: leader
            image: vllm/vllm-openai:v0.8.5
    workerTemplate:
      spec:
        containers:
          - name: worker
            image: vllm/vllm-openai:v0.8.5
---
apiVersion: v1
kind: Service
metadata:
  name: vllm-leader
  namespace: serving
spec:
  ports: [{port: 8080}]
  selector:
    leaderworkerset.sigs.k8s.io/name: vllm
    role: leader
"""
DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: api
  namespace: serving
  labels: {app: api, version: v1}
spec:
  selector:
    matchLabels: {app: api}
  template:
    metadata:
      labels: {app: api, version: v1}
    spec:
      containers:
        - name: api
          image: ghcr.io/acme/api:1.0.0
"""


def _service_findings(results: list[Result]) -> list[Result]:
    return [r for r in results if "selector" in r.message.en and "Service" in r.message.en]


def test_a_leaderworkerset_selector_matches(make_repo: MakeRepo,
                                            results_for: ResultsFor) -> None:
    root = make_repo({"k8s/vllm.yaml": LWS})
    assert _service_findings(results_for(root, "K8S001")) == []


def test_a_wrong_role_on_a_leaderworkerset_is_unverifiable(make_repo: MakeRepo,
                                                           results_for: ResultsFor) -> None:
    root = make_repo({"k8s/vllm.yaml": LWS.replace("role: leader\n", "role: head\n", 1)})
    found = _service_findings(results_for(root, "K8S001"))
    assert statuses(found) == ["skip"]
    assert "controller adds" in found[0].message.en
    assert "leaderworkerset.sigs.k8s.io/name" in found[0].message.en


def test_jobset_and_job_controller_labels(make_repo: MakeRepo,
                                          results_for: ResultsFor) -> None:
    job = """\
apiVersion: batch/v1
kind: Job
metadata: {name: finetune, namespace: train}
spec:
  template:
    spec:
      containers: [{name: t, image: "ghcr.io/acme/t:1"}]
---
apiVersion: v1
kind: Service
metadata: {name: headless, namespace: train}
spec:
  clusterIP: None
  selector: {job-name: finetune}
"""
    root = make_repo({"k8s/job.yaml": job})
    assert _service_findings(results_for(root, "K8S001")) == []


def test_pods_of_an_operator_cannot_be_verified(make_repo: MakeRepo,
                                                results_for: ResultsFor) -> None:
    cluster = """\
apiVersion: postgresql.cnpg.io/v1
kind: Cluster
metadata: {name: pg, namespace: db}
spec: {instances: 3}
---
apiVersion: v1
kind: Service
metadata: {name: pg-ilb, namespace: db}
spec:
  selector: {cnpg.io/cluster: pg, role: primary}
"""
    root = make_repo({"manifests/cluster.yaml": cluster, "manifests/app.yaml": DEPLOYMENT})
    found = _service_findings(results_for(root, "K8S001"))
    assert statuses(found) == ["skip"]
    assert "custom resources (Cluster)" in found[0].message.en


def test_a_service_beside_a_workload_that_does_not_match_fails(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    service = """\
apiVersion: v1
kind: Service
metadata: {name: api, namespace: serving}
spec:
  selector: {app: apii}
"""
    root = make_repo({"k8s/deployment.yaml": DEPLOYMENT, "k8s/service.yaml": service})
    found = _service_findings(results_for(root, "K8S001"))
    assert statuses(found) == ["fail"]
    assert "matches no pod template in its namespace" in found[0].message.en
    # alone in its folder, the pods may come from a chart installed elsewhere
    root = make_repo({"k8s/app/deployment.yaml": DEPLOYMENT, "k8s/ilb/service.yaml": service})
    found = _service_findings(results_for(root, "K8S001"))
    assert statuses(found) == ["skip"]
    assert "defines no workload" in found[0].message.en


# -- fixtures and cluster dumps ---------------------------------------------------------

HPA_V1 = """\
apiVersion: autoscaling/v1
kind: HorizontalPodAutoscaler
metadata:
  name: api
  namespace: serving
{extra}spec:
  scaleTargetRef: {{apiVersion: apps/v1, kind: Deployment, name: api}}
  minReplicas: 2
  maxReplicas: 10
  targetCPUUtilizationPercentage: 70
"""
DUMPED = "  resourceVersion: \"123\"\n  uid: 0b6c8d2e-1\n"


def test_test_data_manifests_are_not_deployments(make_repo: MakeRepo,
                                                 results_for: ResultsFor) -> None:
    root = make_repo({"k8s/deployment.yaml": DEPLOYMENT,
                      "api/testdata/hpa/hpa-v1.yaml": HPA_V1.format(extra="")})
    results = results_for(root, "K8S007")
    fixture = [r for r in results if r.path == "api/testdata/hpa/hpa-v1.yaml"]
    assert statuses(fixture) == ["skip"]
    assert "test-data folder" in fixture[0].message.en
    assert not any("autoscaling/v1" in r.message.en for r in results)


def test_kubectl_dumps_are_not_manifests(make_repo: MakeRepo,
                                         results_for: ResultsFor) -> None:
    root = make_repo({"k8s/deployment.yaml": DEPLOYMENT,
                      "k8s/hpa.yaml": HPA_V1.format(extra=DUMPED)})
    results = results_for(root, "K8S007")
    assert not any("autoscaling/v1" in r.message.en for r in results)
    dumped = [r for r in results if r.path == "k8s/hpa.yaml"]
    assert statuses(dumped) == ["skip"] and "kubectl get -o yaml" in dumped[0].message.en
    # a dry-run output (status: {}, creationTimestamp: null) is still a manifest
    dry = HPA_V1.format(extra="  creationTimestamp: null\n") + "status: {}\n"
    root = make_repo({"k8s/deployment.yaml": DEPLOYMENT, "k8s/hpa.yaml": dry})
    assert any("autoscaling/v1" in r.message.en for r in results_for(root, "K8S007"))


# -- probe fixes --------------------------------------------------------------------------

GRPC = """\
apiVersion: apps/v1
kind: Deployment
metadata: {name: payments, namespace: shop, labels: {app: payments, version: v1}}
spec:
  selector: {matchLabels: {app: payments}}
  template:
    metadata: {labels: {app: payments, version: v1}}
    spec:
      containers:
        - name: server
          image: ghcr.io/acme/payments:1.0.0
          ports: [{containerPort: 50051}]
          readinessProbe:
            exec: {command: ["/bin/grpc_health_probe", "-addr=:50051"]}
          livenessProbe:
            exec: {command: ["/bin/grpc_health_probe", "-addr=:50051"]}
"""


def test_probe_fix_keeps_the_probe_type(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    found = [r for r in results_for(make_repo({"k8s/payments.yaml": GRPC}), "K8S003")
             if r.status.value == "warn"]
    assert len(found) == 1
    assert found[0].fix.en.startswith(
        "Keep the exec probes and add initialDelaySeconds and periodSeconds")
    assert "httpGet" not in found[0].fix.en
    only_readiness = GRPC.replace(
        "          livenessProbe:\n            exec: {command: [\"/bin/grpc_health_probe\", "
        "\"-addr=:50051\"]}\n", "")
    found = [r for r in results_for(make_repo({"k8s/payments.yaml": only_readiness}),
                                    "K8S003") if r.status.value == "fail"]
    assert "same exec check" in found[0].fix.en
    none = only_readiness.replace(
        "          readinessProbe:\n            exec: {command: [\"/bin/grpc_health_probe\", "
        "\"-addr=:50051\"]}\n", "")
    found = [r for r in results_for(make_repo({"k8s/payments.yaml": none}), "K8S003")
             if r.status.value == "fail"]
    assert "tcpSocket: {port: 50051}" in found[0].fix.en
