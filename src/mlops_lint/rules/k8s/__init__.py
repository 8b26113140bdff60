"""Kubernetes (phase 6, the infrastructure half): K8S001 valid manifests (a Deployment and a
Service, matching selectors, a namespace, app/version labels), K8S002 resource requests and
limits, K8S003 readiness and liveness probes, K8S004 pinned images and an explicit pull
policy, K8S005 a restrictive security context, K8S006 secrets out of the manifests, K8S007
autoscaling and an Ingress with TLS and a rate limit.

Every rule is conditional (rules.md §0.3 "cond."): without Kubernetes material (a YAML/JSON
document with apiVersion + kind, a kustomization or a Helm chart) it is skipped as not
applicable, and rules.md §2.4 (rules/phases.yaml) then asks phase 6 level 3 for the
Terraform group. All of them are repository rules (rules.md §0.4): k8s/ is shared at the
root of the guide's monorepo.

Kubernetes material is read statically by :mod:`mlops_lint.parsers.kubernetes`:
multi-document YAML, JSON, kind: List; the workloads are Pod, Deployment, ReplicaSet,
StatefulSet, DaemonSet, Job, CronJob and any kind with a pod template (Argo Rollout,
Knative Service); init containers included. One finding is given per subject (workload,
container, Secret, HPA, Ingress, chart), with the line of its ``kind:`` or of the
container's ``name:``.

Unrendered Helm templates ({{ }}) and Kustomize patches are never dropped silently: every
rule lists them as ``skip`` with the reason, and reads what can be read without rendering
(the chart's ``Chart.yaml`` and ``values*.yaml``, and the template text for probes).
"""
