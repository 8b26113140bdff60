"""K8S001-K8S007: Kubernetes manifests, Kustomize and Helm charts (repo-scoped, conditional)."""

from __future__ import annotations

import base64
import copy
import json
from collections.abc import Callable
from io import StringIO
from pathlib import Path
from typing import Any

import pytest
from ruamel.yaml import YAML

from conftest import statuses
from mlops_lint.config import Config, Thresholds
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

FULL = {"requests": {"cpu": "250m", "memory": "256Mi"},
        "limits": {"cpu": "500m", "memory": "512Mi"}}
PROBE = {"httpGet": {"path": "/health", "port": 8000}, "initialDelaySeconds": 10,
         "periodSeconds": 5}
HARDENED = {"allowPrivilegeEscalation": False, "readOnlyRootFilesystem": True}


def dump(*docs: Any) -> str:
    yaml = YAML(typ="safe", pure=True)
    yaml.default_flow_style = False
    out = StringIO()
    yaml.dump_all(list(docs), out)
    return out.getvalue()


def container(name: str = "api", **changes: Any) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "name": name, "image": "ghcr.io/acme/churn-api:1.2.0", "imagePullPolicy": "IfNotPresent",
        "resources": copy.deepcopy(FULL), "readinessProbe": dict(PROBE),
        "livenessProbe": dict(PROBE), "securityContext": dict(HARDENED),
    }
    for key, value in changes.items():
        if value is None:
            spec.pop(key, None)
        else:
            spec[key] = value
    return spec


def workload(kind: str = "Deployment", name: str = "api", containers: list[Any] | None = None,
             init: list[Any] | None = None, namespace: str | None = "ml",
             pod_security: dict[str, Any] | None = None,
             labels: dict[str, str] | None = None) -> dict[str, Any]:
    labels = {"app": name, "version": "1.2.0"} if labels is None else labels
    pod: dict[str, Any] = {
        "securityContext": {"runAsNonRoot": True, "runAsUser": 1000}
        if pod_security is None else pod_security,
        "containers": containers if containers is not None else [container()],
    }
    if init is not None:
        pod["initContainers"] = init
    template = {"metadata": {"labels": dict(labels)}, "spec": pod}
    metadata: dict[str, Any] = {"name": name, "labels": dict(labels)}
    if namespace is not None:
        metadata["namespace"] = namespace
    doc: dict[str, Any] = {"apiVersion": "apps/v1", "kind": kind, "metadata": metadata}
    if kind == "CronJob":
        pod["restartPolicy"] = "OnFailure"
        doc["apiVersion"] = "batch/v1"
        doc["spec"] = {"schedule": "0 3 * * *", "jobTemplate": {"spec": {"template": template}}}
    elif kind == "Job":
        pod["restartPolicy"] = "Never"
        doc["apiVersion"] = "batch/v1"
        doc["spec"] = {"template": template}
    else:
        doc["spec"] = {"selector": {"matchLabels": {"app": name}}, "template": template}
    return doc


def service(name: str = "api", namespace: str | None = "ml",
            selector: dict[str, str] | None = None) -> dict[str, Any]:
    metadata: dict[str, Any] = {"name": name}
    if namespace:
        metadata["namespace"] = namespace
    return {"apiVersion": "v1", "kind": "Service", "metadata": metadata,
            "spec": {"selector": selector or {"app": name}, "ports": [{"port": 80}]}}


def manifests(make_repo: MakeRepo, *docs: Any, extra: dict[str, str] | None = None) -> Path:
    return make_repo({"k8s/app.yaml": dump(*docs), **(extra or {})})


def only(results: list[Result], status: str, level: int | None = None) -> list[Result]:
    return [r for r in results if r.status.value == status and (level is None or r.level == level)]


ALL_RULES = ("K8S001", "K8S002", "K8S003", "K8S004", "K8S005", "K8S006", "K8S007")


# -- applicability ---------------------------------------------------------------------------


def test_not_applicable_without_kubernetes(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({
        ".github/workflows/ci.yml": "name: CI\non: [push]\njobs:\n  t: {runs-on: x, steps: []}\n",
        "docker-compose.yml": "services:\n  api: {image: 'a:latest'}\n",
        "configs/model.yaml": "kind: gbm\nparams: {depth: 3}\n",
    })
    for rule in ALL_RULES:
        results = results_for(root, rule)
        assert set(statuses(results)) == {"skip"}, rule
        assert "not applicable" in results[0].message.en


# -- K8S001 ----------------------------------------------------------------------------------


def test_k8s001_guide_manifests_pass(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = manifests(make_repo, {"apiVersion": "v1", "kind": "Namespace",
                                 "metadata": {"name": "ml"}}, workload(), service())
    results = results_for(root, "K8S001")
    assert statuses(results) == ["pass", "pass"]
    assert all(r.path == "k8s/app.yaml" and r.line for r in results)


def test_k8s001_selector_namespace_and_labels(make_repo: MakeRepo,
                                              results_for: ResultsFor) -> None:
    broken = workload(namespace=None, labels={"app": "api"})
    broken["spec"]["selector"]["matchLabels"] = {"app": "api", "tier": "web"}
    root = manifests(make_repo, broken, service(namespace=None, selector={"app": "other"}))
    results = results_for(root, "K8S001")
    failing = " | ".join(r.message.en for r in only(results, "fail"))
    assert "lack selector labels tier=web" in failing
    assert "no namespace" in failing
    assert "missing label(s) version" in failing
    assert "selector app=other matches no pod template" in failing


def test_k8s001_namespace_from_kustomization(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    root = make_repo({
        "k8s/app.yaml": dump(workload(namespace=None), service(namespace=None)),
        "k8s/kustomization.yaml": "namespace: ml-prod\nresources: [app.yaml]\n",
    })
    assert set(statuses(results_for(root, "K8S001"))) == {"pass"}


def test_k8s001_missing_service_and_batch_only(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    root = manifests(make_repo, workload())
    assert "no Service manifest" in only(results_for(root, "K8S001"), "fail")[0].message.en
    batch = manifests(make_repo, workload("CronJob", "retrain"))
    warn = only(results_for(batch, "K8S001"), "warn")
    assert warn and "only batch workloads" in warn[0].message.en


@pytest.mark.parametrize("api, kind", [("machinelearning.seldon.io/v1", "SeldonDeployment"),
                                       ("serving.kserve.io/v1beta1", "InferenceService"),
                                       ("ray.io/v1", "RayService")])
def test_k8s001_operator_managed_serving_is_not_a_missing_deployment(
        make_repo: MakeRepo, results_for: ResultsFor, api: str, kind: str) -> None:
    crd = {"apiVersion": api, "kind": kind, "metadata": {"name": "cassava"},
           "spec": {"predictors": [{"name": "default"}]}}
    results = results_for(manifests(make_repo, crd), "K8S001")
    text = " | ".join(r.message.en for r in results)
    assert "no Deployment" not in text and "no Service" not in text, text
    assert f"{kind} cassava" in text and "operator" in text, text
    # an operator-managed object does not stand for a Service a Deployment lacks
    root = manifests(make_repo, crd, workload())
    assert "no Service manifest" in only(results_for(root, "K8S001"), "fail")[0].message.en


def test_k8s001_invalid_manifest_has_a_line(make_repo: MakeRepo,
                                            results_for: ResultsFor) -> None:
    root = make_repo({"k8s/svc.yaml": "apiVersion: v1\nkind: Service\nmetadata:\n"
                                      "  name: api\n  labels: {a: [}\n"})
    (bad,) = only(results_for(root, "K8S001"), "fail")
    assert bad.path == "k8s/svc.yaml" and bad.line == 5
    assert "invalid manifest" in bad.message.en


# -- K8S002 ----------------------------------------------------------------------------------


def test_k8s002_full_resources_pass_both_levels(make_repo: MakeRepo,
                                                results_for: ResultsFor) -> None:
    results = results_for(manifests(make_repo, workload(), service()), "K8S002")
    assert statuses(results, 2) == ["pass"] and statuses(results, 3) == ["pass"]
    assert "requests cpu 250m, memory 256Mi" in results[0].message.en


def test_k8s002_limits_only_satisfy_requests(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    c = container(resources={"limits": {"cpu": "1", "memory": "1Gi"}})
    results = results_for(manifests(make_repo, workload(containers=[c])), "K8S002")
    assert statuses(results) == ["pass", "pass"]
    assert "taken from limits" in results[0].message.en


def test_k8s002_zero_counts_as_unset(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    c = container(resources={"requests": {"cpu": "0", "memory": "256Mi"},
                              "limits": {"cpu": "0m", "memory": 0}})
    results = results_for(manifests(make_repo, workload(containers=[c])), "K8S002")
    assert statuses(results, 2) == ["fail"]
    assert "missing requests.cpu, limits.memory" in results[0].message.en


def test_k8s002_init_containers_and_lines(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    init = container("migrate", resources=None)
    root = manifests(make_repo, workload(init=[init], containers=[container()]))
    results = results_for(root, "K8S002")
    failing = only(results, "fail", 2)
    assert len(failing) == 1 and "init container migrate" in failing[0].message.en
    text = (root / "k8s/app.yaml").read_text().splitlines()
    assert "name: migrate" in text[failing[0].line - 1]


def test_k8s002_limitrange_fills_defaults(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    limit_range = {"apiVersion": "v1", "kind": "LimitRange",
                   "metadata": {"name": "defaults", "namespace": "ml"},
                   "spec": {"limits": [{"type": "Container",
                                        "default": {"cpu": "500m", "memory": "512Mi"},
                                        "defaultRequest": {"cpu": "100m", "memory": "128Mi"}}]}}
    bare = workload(containers=[container(resources=None)])
    results = results_for(manifests(make_repo, limit_range, bare), "K8S002")
    assert statuses(results) == ["pass", "pass"]
    assert "from LimitRange defaults" in results[0].message.en
    elsewhere = copy.deepcopy(limit_range)
    elsewhere["metadata"]["namespace"] = "other"
    assert "fail" in statuses(results_for(manifests(make_repo, elsewhere, bare), "K8S002"))


def test_k8s002_cpu_limit_is_level_3_and_configurable(make_repo: MakeRepo,
                                                      results_for: ResultsFor) -> None:
    c = container(resources={"requests": {"cpu": "250m", "memory": "256Mi"},
                             "limits": {"memory": "512Mi"}})
    root = manifests(make_repo, workload(containers=[c]))
    results = results_for(root, "K8S002")
    assert statuses(results, 2) == ["pass"] and statuses(results, 3) == ["fail"]
    relaxed = Config(thresholds=Thresholds.model_validate({"k8s-require-cpu-limit": False}))
    results = results_for(root, "K8S002", config=relaxed)
    assert statuses(results) == ["pass", "pass"]
    level3 = next(r for r in results if r.level == 3)
    assert "k8s-require-cpu-limit = false" in level3.message.en


def test_k8s002_cronjob_list_and_json(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    cron = workload("CronJob", "retrain", containers=[container("train", resources=None)])
    listing = {"apiVersion": "v1", "kind": "List", "items": [cron, service()]}
    root = make_repo({"deploy/list.json": json.dumps(listing, indent=2)})
    results = results_for(root, "K8S002")
    (bad,) = only(results, "fail", 2)
    assert "container train (CronJob retrain)" in bad.message.en
    assert bad.path == "deploy/list.json"
    line = (root / "deploy/list.json").read_text().splitlines()[bad.line - 1]
    assert '"name": "train"' in line


# -- K8S003 ----------------------------------------------------------------------------------


def test_k8s003_probes(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    good = workload()
    missing = workload(name="worker", containers=[container("worker", readinessProbe=None)])
    exec_probe = workload(name="cli", containers=[container(
        "cli", livenessProbe={"exec": {"command": ["true"]}, "periodSeconds": 5})])
    job = workload("Job", "train", containers=[container("train", readinessProbe=None,
                                                         livenessProbe=None)])
    init = workload(name="ok", init=[container("setup", readinessProbe=None,
                                               livenessProbe=None)])
    root = manifests(make_repo, good, missing, exec_probe, job, init)
    results = results_for(root, "K8S003")
    by_status = {s: [r.message.en for r in only(results, s)] for s in ("pass", "fail", "warn",
                                                                       "skip")}
    assert len(by_status["pass"]) == 2  # api and ok's main container; the init one is exempt
    assert by_status["fail"] == ["container worker (Deployment worker): no readinessProbe"]
    assert "uses exec" not in by_status["warn"][0]  # an exec probe is a probe
    assert "initialDelaySeconds" in by_status["warn"][0]
    assert by_status["skip"] == ["Job train: batch workload, probes not required"]


def test_k8s003_grpc_tcp_and_exec_probes_are_probes(make_repo: MakeRepo,
                                                    results_for: ResultsFor) -> None:
    timing = {"initialDelaySeconds": 5, "periodSeconds": 10}
    grpc = workload(name="grpc", containers=[container(
        "server", readinessProbe={"grpc": {"port": 8080}, **timing},
        livenessProbe={"grpc": {"port": 8080}, **timing})])
    tcp = workload(name="redis", containers=[container(
        "redis", readinessProbe={"tcpSocket": {"port": 6379}, **timing},
        livenessProbe={"exec": {"command": ["redis-cli", "ping"]}, **timing})])
    empty = workload(name="empty", containers=[container(
        "x", readinessProbe={**timing}, livenessProbe={"grpc": {"port": 1}, **timing})])
    results = results_for(manifests(make_repo, grpc, tcp, empty), "K8S003")
    by_status = {s: [r.message.en for r in only(results, s)] for s in ("pass", "warn")}
    assert len(by_status["pass"]) == 2, results
    assert "(grpc)" in by_status["pass"][0] and "(exec, tcpSocket)" in by_status["pass"][1]
    assert by_status["warn"] == ["container x (Deployment empty): readinessProbe has no "
                                 "handler (httpGet, grpc, tcpSocket or exec)"]


# -- K8S004 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("image", "policy", "status", "words"), [
    ("ghcr.io/acme/api:1.2.0", "IfNotPresent", "pass", "imagePullPolicy IfNotPresent"),
    ("acme/api:latest", "Always", "fail", "uses :latest"),
    ("acme/api", "Always", "fail", "has no tag"),
    ("localhost:5000/acme/api", "Always", "fail", "has no tag"),  # a port is not a tag
    ("registry.local:5000/acme/api:2.1", "Always", "pass", "registry.local:5000"),
    ("acme/api:latest@sha256:" + "a" * 64, "IfNotPresent", "pass", "sha256"),
    ("acme/api:1.0", None, "fail", "imagePullPolicy not set"),
    ("acme/api:1.0", "Sometimes", "fail", "is not one of"),
    ("${IMAGE}", "Always", "warn", "placeholder"),
    # a templated policy: a shell default renders, anything else is not known yet
    ("acme/api:1.0", "${IMAGE_PULL_POLICY:-Always}", "pass", "imagePullPolicy Always"),
    ("acme/api:1.0", "${IMAGE_PULL_POLICY}", "warn", "template variable"),
    ("acme/api:1.0", "{{ .Values.pullPolicy }}", "warn", "template variable"),
    ("acme/api:1.0", "${IMAGE_PULL_POLICY:-Sometimes}", "warn", "template variable"),
])
def test_k8s004_images(make_repo: MakeRepo, results_for: ResultsFor, image: str,
                       policy: str | None, status: str, words: str) -> None:
    c = container(image=image, imagePullPolicy=policy)
    (result,) = results_for(manifests(make_repo, workload(containers=[c])), "K8S004")
    assert result.status.value == status
    assert words in result.message.en


def test_k8s004_kustomize_image_override(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    c = container(image="ghcr.io/acme/api")
    files = {"k8s/kustomization.yaml": "resources: [app.yaml]\nimages:\n"
                                       "  - {name: ghcr.io/acme/api, newTag: '1.3.0'}\n"}
    root = manifests(make_repo, workload(containers=[c]), extra=files)
    assert statuses(results_for(root, "K8S004")) == ["pass"]


# -- K8S005 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("pod", "own", "status", "words"), [
    ({"runAsNonRoot": True, "runAsUser": 1000}, {}, "pass", "runAsUser 1000"),
    ({"runAsNonRoot": True}, {}, "pass", "runAsNonRoot true"),
    ({"runAsUser": 1001}, {}, "pass", "runAsUser 1001"),
    ({"runAsNonRoot": True, "runAsUser": 0}, {}, "fail", "cannot start"),
    ({"runAsNonRoot": True}, {"runAsUser": 0}, "fail", "cannot start"),
    ({"runAsUser": 0}, {"runAsUser": 1000}, "pass", "runAsUser 1000"),  # container overrides
    ({"runAsUser": 0}, {}, "fail", "runs as root"),
    ({}, {}, "fail", "nothing stops it"),
    ({"runAsUser": 1000}, {"privileged": True}, "fail", "privileged"),
])
def test_k8s005_effective_security(make_repo: MakeRepo, results_for: ResultsFor,
                                   pod: dict[str, Any], own: dict[str, Any], status: str,
                                   words: str) -> None:
    c = container(securityContext={**HARDENED, **own})
    (result,) = results_for(manifests(make_repo, workload(containers=[c], pod_security=pod)),
                            "K8S005")
    assert result.status.value == status
    assert words in result.message.en


def test_k8s005_escalation_root_fs_and_init(make_repo: MakeRepo,
                                            results_for: ResultsFor) -> None:
    init = container("setup", securityContext={})
    root = manifests(make_repo, workload(init=[init]))
    results = results_for(root, "K8S005")
    (bad,) = only(results, "fail")
    assert "init container setup" in bad.message.en
    assert "allowPrivilegeEscalation is not false" in bad.message.en
    assert "readOnlyRootFilesystem is not true" in bad.message.en


# -- K8S006 ----------------------------------------------------------------------------------


def test_k8s006_env_secrets(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    leaked = container("a", env=[{"name": "DB_PASSWORD", "value": "s3cr3t-Pa55"},
                                 {"name": "LOG_LEVEL", "value": "INFO"}])
    shaped = container("b", env=[{"name": "STORAGE", "value": "AKIAIOSFODNN7EXAMPLE"}])
    url = container("c", env=[{"name": "DATABASE_URL",
                               "value": "postgresql://app:hunter2@db:5432/churn"}])
    placeholder = container("d", env=[{"name": "API_TOKEN", "value": "changeme"}])
    good = container("e", env=[
        {"name": "DB_PASSWORD", "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}},
        {"name": "MAX_TOKENS", "value": "512"}, {"name": "SECRET_NAME", "value": "db"}],
        envFrom=[{"secretRef": {"name": "api"}}, {"configMapRef": {"name": "cfg"}}])
    root = manifests(make_repo, workload(containers=[leaked, shaped, url, placeholder, good]))
    results = [r for r in results_for(root, "K8S006") if r.level == 2]
    assert statuses(results) == ["fail", "fail", "fail", "warn", "pass"]
    assert "DB_PASSWORD" in results[0].message.en and "LOG_LEVEL" not in results[0].message.en
    assert "secretKeyRef" not in results[4].message.en and "envFrom api" in results[4].message.en


@pytest.mark.parametrize("value", ["changeme", "<your-api-key>", "${API_KEY}", "$API_KEY",
                                   "GOOGLE_API_KEY_VAL", "__GOOGLE_API_KEY__",
                                   "your-api-key-here", "REPLACE_WITH_KEY", "#{ApiKey}#"])
def test_k8s006_placeholder_env_values_are_not_secrets(make_repo: MakeRepo,
                                                       results_for: ResultsFor,
                                                       value: str) -> None:
    env = [{"name": "GOOGLE_API_KEY", "value": value}]
    root = manifests(make_repo, workload(containers=[container("a", env=env)]))
    results = [r for r in results_for(root, "K8S006") if r.level == 2]
    assert statuses(results) == ["warn"], value
    assert "placeholder" in results[0].message.en
    # a value that merely shares a word with the name is still a literal
    leaked = [{"name": "GOOGLE_API_KEY", "value": "AIzaGoogle-4f9c2e1b7d"}]
    root = manifests(make_repo, workload(containers=[container("a", env=leaked)]))
    assert statuses([r for r in results_for(root, "K8S006") if r.level == 2]) == ["fail"]


def test_k8s006_committed_secret_manifests(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    real = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "db"},
            "data": {"password": base64.b64encode(b"Xk9#2pLq!").decode()}}
    template = {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": "tpl"},
                "stringData": {"password": "<set-me>", "user": ""}}
    root = manifests(make_repo, workload(), real, template)
    results = [r for r in results_for(root, "K8S006") if r.level == 2]
    messages = {r.status.value: r.message.en for r in results if "Secret" in r.message.en}
    assert "db commits real-looking values: data.password" in messages["fail"]
    assert "tpl" in messages["pass"]


def test_k8s006_level3_secret_manager(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    uses = container(env=[{"name": "DB_PASSWORD",
                           "valueFrom": {"secretKeyRef": {"name": "db", "key": "pw"}}}])
    external = {"apiVersion": "external-secrets.io/v1beta1", "kind": "ExternalSecret",
                "metadata": {"name": "db"}, "spec": {"secretStoreRef": {"name": "aws"}}}
    root = manifests(make_repo, workload(containers=[uses]), external)
    assert statuses(results_for(root, "K8S006"), 3) == ["pass"]
    without = manifests(make_repo, workload(containers=[uses]))
    assert statuses(results_for(without, "K8S006"), 3) == ["fail"]
    no_secrets = manifests(make_repo, workload())
    assert statuses(results_for(no_secrets, "K8S006"), 3) == ["skip"]


# -- K8S007 ----------------------------------------------------------------------------------


def hpa(api: str = "autoscaling/v2", low: int | None = 2) -> dict[str, Any]:
    spec: dict[str, Any] = {"scaleTargetRef": {"apiVersion": "apps/v1", "kind": "Deployment",
                                               "name": "api"}, "maxReplicas": 10}
    if low is not None:
        spec["minReplicas"] = low
    if api == "autoscaling/v1":
        spec["targetCPUUtilizationPercentage"] = 70
    else:
        spec["metrics"] = [{"type": "Resource", "resource": {
            "name": "cpu", "target": {"type": "Utilization", "averageUtilization": 70}}}]
    return {"apiVersion": api, "kind": "HorizontalPodAutoscaler",
            "metadata": {"name": "api", "namespace": "ml"}, "spec": spec}


def ingress(annotations: dict[str, str] | None = None, tls: bool = True) -> dict[str, Any]:
    spec: dict[str, Any] = {"rules": [{"host": "api.example.com"}]}
    if tls:
        spec["tls"] = [{"hosts": ["api.example.com"], "secretName": "api-tls"}]
    return {"apiVersion": "networking.k8s.io/v1", "kind": "Ingress",
            "metadata": {"name": "api", "namespace": "ml", "annotations": annotations if
                         annotations is not None else {
                             "cert-manager.io/cluster-issuer": "letsencrypt",
                             "nginx.ingress.kubernetes.io/limit-rps": "10"}},
            "spec": spec}


def test_k8s007_scaling_and_exposure(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    good = manifests(make_repo, workload(), service(), hpa(), ingress())
    assert statuses(results_for(good, "K8S007")) == ["pass", "pass"]
    weak = manifests(make_repo, workload(), hpa(low=None), ingress(annotations={}, tls=False))
    messages = [r.message.en for r in results_for(weak, "K8S007")]
    assert any("minReplicas 1 < 2" in m for m in messages)
    assert any("no spec.tls" in m and "no rate-limit" in m for m in messages)
    old = manifests(make_repo, workload(), hpa("autoscaling/v1"), ingress())
    assert statuses(results_for(old, "K8S007")) == ["warn", "pass"]
    none = manifests(make_repo, workload())
    assert [r.message.en for r in results_for(none, "K8S007")] == [
        "no HorizontalPodAutoscaler", "no Ingress exposing the service with TLS and rate limits"]


# -- Helm and Kustomize ----------------------------------------------------------------------

CHART = {
    "charts/churn/Chart.yaml": "apiVersion: v2\nname: churn\nversion: 0.3.0\nappVersion: '1.2.0'\n",
    "charts/churn/values.yaml": (
        "image:\n  repository: ghcr.io/acme/churn-api\n  tag: ''\n  pullPolicy: IfNotPresent\n"
        "resources: {}\npodSecurityContext:\n  runAsNonRoot: true\n  runAsUser: 1000\n"
        "securityContext:\n  allowPrivilegeEscalation: false\n  readOnlyRootFilesystem: true\n"
        "autoscaling:\n  enabled: true\n  minReplicas: 2\n  maxReplicas: 10\n"
        "  targetCPUUtilizationPercentage: 70\n"),
    "charts/churn/templates/deployment.yaml": (
        "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n"
        "  name: {{ include \"churn.fullname\" . }}\n"
        "spec:\n  template:\n    spec:\n      containers:\n        - name: api\n"
        "          image: \"{{ .Values.image.repository }}:{{ .Values.image.tag }}\"\n"
        "          readinessProbe: {httpGet: {path: /health, port: http}}\n"
        "          livenessProbe: {httpGet: {path: /health, port: http}}\n"
        "          resources:\n            {{- toYaml .Values.resources | nindent 12 }}\n"),
    "charts/churn/templates/service.yaml": (
        "apiVersion: v1\nkind: Service\nmetadata:\n  name: {{ .Release.Name }}\n"),
    "charts/churn/templates/_helpers.tpl": "{{- define \"churn.fullname\" -}}x{{- end }}\n",
}


def test_helm_chart_folder(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo(CHART)
    k8s001 = results_for(root, "K8S001")
    skips = only(k8s001, "skip")
    assert sorted(r.path for r in skips) == ["charts/churn/templates/deployment.yaml",
                                            "charts/churn/templates/service.yaml"]
    assert all(r.message.en.startswith("Helm template (not rendered)") for r in skips)
    assert statuses([r for r in k8s001 if r.status.value != "skip"]) == ["pass", "pass"]
    k8s002 = [r for r in results_for(root, "K8S002") if r.status.value != "skip"]
    assert statuses(k8s002) == ["fail", "fail"]  # resources: {} in values.yaml
    assert k8s002[0].path == "charts/churn/values.yaml" and k8s002[0].line == 5
    k8s004 = [r for r in results_for(root, "K8S004") if r.status.value != "skip"]
    assert statuses(k8s004) == ["pass"]
    assert "appVersion 1.2.0" in k8s004[0].message.en
    for rule in ("K8S003", "K8S005"):
        assert set(statuses([r for r in results_for(root, rule)
                             if r.status.value != "skip"])) == {"pass"}, rule
    k8s007 = [r for r in results_for(root, "K8S007") if r.status.value != "skip"]
    assert sorted((r.status.value, r.message.en.split(":")[0]) for r in k8s007) == [
        ("fail", "no Ingress exposing the service with TLS and rate limits"),
        ("pass", "chart churn values autoscaling")]


def test_helm_chart_latest_tag_and_no_probes(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    files = dict(CHART)
    files["charts/churn/values.yaml"] = "image:\n  repository: acme/api\n  tag: latest\n"
    files["charts/churn/templates/deployment.yaml"] = (
        "kind: Deployment\nspec:\n  template:\n    spec:\n      containers:\n"
        "        - name: {{ .Chart.Name }}\n")
    root = make_repo(files)
    assert "fail" in statuses(results_for(root, "K8S004"))
    assert "fail" in statuses(results_for(root, "K8S003"))
    assert "fail" in statuses(results_for(root, "K8S005"))


def test_kustomize_patch_without_kind_is_skipped(make_repo: MakeRepo,
                                                 results_for: ResultsFor) -> None:
    root = make_repo({
        "k8s/base/app.yaml": dump(workload(), service()),
        "k8s/base/kustomization.yaml": "resources: [app.yaml]\n",
        "k8s/overlays/prod/kustomization.yaml": "resources: [../../base]\npatches:\n"
                                                "  - path: patch-resources.yaml\n"
                                                "    target: {kind: Deployment, name: api}\n",
        "k8s/overlays/prod/patch-resources.yaml": "- op: replace\n  path: /spec/replicas\n"
                                                  "  value: 3\n",
    })
    for rule in ("K8S001", "K8S002"):
        skips = only(results_for(root, rule), "skip")
        assert skips and skips[0].path == "k8s/overlays/prod/patch-resources.yaml"
        assert "Kustomize patch without kind" in skips[0].message.en
    assert "fail" not in statuses(results_for(root, "K8S002"))
