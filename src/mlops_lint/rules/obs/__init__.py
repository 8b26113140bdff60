"""Operations (phase 6, the operations half): OBS001 logging framework, OBS002 structured
logging, OBS003 Prometheus metrics, OBS004 monitoring as code, OBS005 drift detection,
OBS006 scheduled ML workflows, OBS007 runbooks, OBS008 distributed tracing, and FIN001
FinOps evidence (rules.md §1 "Phase 6"; the Kubernetes and Terraform rules are the other
half of phase 6).

FIN001 has no family of its own: it lives here, with the operations rules it was written
with, and shares nothing with them beyond the readers.

Scopes (rules.md §0.4 fixes OBS004/OBS006 as repository rules; the rest is our choice):
code rules (OBS001, OBS002, OBS003, OBS005, OBS008) run per project and also read the
shared code outside every project in a monorepo (the guide's ``common_utils/logger.py``);
runbooks (OBS007) and FinOps evidence (FIN001) are repository-wide, like the monitoring
stack (OBS004) and scheduled workflows (OBS006). Monitoring files (Prometheus, alert
rules, Grafana dashboards), workflows, runbooks and cost evidence are read once for the
whole repository. The files a rule could not read are reported after its findings
(``reports_unread`` of :mod:`mlops_lint.readers.unread`).
"""
