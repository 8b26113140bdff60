"""FIN001's fix: the kinds of FinOps evidence that fit what the repository deploys."""

from __future__ import annotations

import re

from mlops_lint import lazy_re
from mlops_lint.model import T
from mlops_lint.readers.deployment import Deployment

# a deploy command to a managed platform that can scale to zero
_MANAGED = lazy_re.compile(r"run deploy|fastapi deploy|functions deploy|app deploy|fly deploy|"
                           r"heroku|railway|webapp|lambda|serverless|sam deploy",
                           re.IGNORECASE)


def finops_fix(fact: Deployment) -> T:
    """Terraform budgets and tags where the repository provisions with Terraform, HPA/KEDA
    where it runs on Kubernetes, scale-to-zero on a managed platform; for a single-host
    stack (compose, a deploy job), the host's cost and a budget alert as code, never an
    autoscaler it has nothing to attach to."""
    kinds = {e.kind for e in fact.evidence}
    text = " ".join(e.detail for e in fact.infrastructure)
    managed = "platform" in kinds or bool(_MANAGED.search(text))
    single_host = not kinds & {"iac", "manifest"} and not managed
    en = ["a cost document or ADR with the monthly cost of what it runs" + (
        " (for a single host: its size and monthly price)" if single_host else "")]
    es = ["un documento de costes o ADR con el coste mensual de lo que ejecuta" + (
        " (para un solo host: su tamaño y precio mensual)" if single_host else "")]
    budgets = ("aws_budgets_budget, google_billing_budget or azurerm_consumption_budget at "
               "50/80/100 %")
    presupuestos = ("aws_budgets_budget, google_billing_budget o azurerm_consumption_budget "
                    "al 50/80/100 %")
    if "iac" in kinds:
        en += [f"a budget alert in its Terraform ({budgets})",
               "cost-allocation tags or labels (project, environment, owner; Terraform "
               "default_tags)"]
        es += [f"una alerta de presupuesto en su Terraform ({presupuestos})",
               "etiquetas de coste (project, environment, owner; default_tags de Terraform)"]
    else:
        en.append(f"a budget alert as code for the billing account it deploys to ({budgets})")
        es.append("una alerta de presupuesto como código para la cuenta de facturación a la "
                  f"que despliega ({presupuestos})")
    if "manifest" in kinds:
        en.append("autoscaling (a HorizontalPodAutoscaler or KEDA, minReplicaCount 0 for "
                  "non-prod)")
        es.append("autoescalado (un HorizontalPodAutoscaler o KEDA, minReplicaCount 0 fuera "
                  "de prod)")
    if managed:
        en.append("scale-to-zero for non-prod and a maximum instance count on the platform "
                  "(--min-instances 0, --max-instances)")
        es.append("escalado a cero fuera de prod y un máximo de instancias en la plataforma "
                  "(--min-instances 0, --max-instances)")
    return T("Add at least two of: " + "; ".join(en) + ".",
             "Añade al menos dos de: " + "; ".join(es) + ".")
