"""OBS006: a scheduled workflow (or a Kubernetes CronJob) runs the drift check and uploads
its report.

Not applicable when nothing is deployed or the repository has no model to watch (no
project trains, loads or predicts with one, no model server runs, no model endpoint is
provisioned). Repository-wide.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.ci import Job, Workflow, workflows
from mlops_lint.readers.deployment import deployment
from mlops_lint.readers.served_model import served_model
from mlops_lint.readers.training import model_used, training
from mlops_lint.readers.unread import manifests_noted, noted, reports_unread
from mlops_lint.rules import rule
from mlops_lint.rules.obs._shared import code_model, drift_detector

UPLOAD = lazy_re.compile(r"upload-artifact|github-script|create-issue|peter-evans/create-issue|"
                         r"gh\s+issue\s+create|aws\s+s3\s+cp|gsutil\s+cp|mlflow|cml\s+comment",
                         re.IGNORECASE)


def _drift_scripts(ctx: Context) -> set[str]:
    model = code_model(ctx)
    return {m.path for m in model.modules.values() if drift_detector(model, m) is not None}


def _crons(wf: Workflow) -> list[str]:
    schedule = wf.on.get("schedule")
    if not isinstance(schedule, list):
        return []
    return [str(item.get("cron")) for item in schedule if isinstance(item, dict)
            and item.get("cron")]


def _model_in_repo(ctx: Context) -> str | None:
    """Where the repository has a model to watch: a project that trains one (modules or
    notebooks) or whose modules load or predict with one, a manifest, chart or image that
    runs a model server, or Terraform that provisions a model endpoint. ``None`` when there
    is none."""
    for project in ctx.repo.projects:
        pctx = Context(ctx.repo, project, ctx.config, ctx.rule_id)
        found = training(pctx)
        if found.module is not None:
            return f"training at {found.module.where}"
        if found.notebooks:
            return f"training in {found.notebooks[0]}"
        used = model_used(pctx)
        if used is not None:
            return f"a model used at {used.where}"
    return served_model(ctx.repo)


Scheduled = list[tuple[Workflow, list[str]]]  # workflows with their crons


def _workflows(ctx: Context) -> tuple[Scheduled, list[str]]:
    """The scheduled workflows, and the extras worth naming (a retrain workflow with
    inputs, CML reports)."""
    scheduled: Scheduled = []
    bonus: list[str] = []
    for wf in map(noted, workflows(ctx.repo)):
        if not isinstance(wf, Workflow):
            continue
        crons = _crons(wf)
        if crons:
            scheduled.append((wf, crons))
        dispatch = wf.on.get("workflow_dispatch")
        if isinstance(dispatch, dict) and dispatch.get("inputs") and "retrain" in (
                wf.path + str(wf.raw.get("name", ""))).lower():
            bonus.append(f"retrain workflow {wf.path}")
        if any("cml" in (s.uses or "") + (s.run or "") for j in wf.jobs for s in j.steps):
            bonus.append(f"CML reports ({wf.path})")
    return scheduled, bonus


def _job_finding(wf: Workflow, crons: list[str], job: Job, names: set[str],
                 extra: T) -> Finding | None:
    """A scheduled job that runs drift detection (a step naming drift or a drift script),
    with whether it uploads the report; None for another job."""
    texts = [job.id, job.name or "", str(wf.raw.get("name", ""))] + [
        (s.run or "") + " " + (s.name or "") for s in job.steps]
    runs_drift = any("drift" in t.lower() or any(n in t for n in names if n) for t in texts)
    if not runs_drift:
        return None
    uploads = any(UPLOAD.search((s.uses or "") + " " + (s.run or "")) for s in job.steps)
    message = T(f"{wf.path} job {job.id} runs drift detection on cron {', '.join(crons)}",
                f"{wf.path} job {job.id} ejecuta la detección de drift con cron "
                f"{', '.join(crons)}")
    if uploads:
        return passed(message + T(" and uploads the report", " y sube el informe") + extra,
                      wf.path, job.line)
    return warned(message + T(" but does not upload the report", " pero no sube el informe"),
                  wf.path, job.line,
                  fix=T("Add actions/upload-artifact for the drift report (and open an issue "
                        "on failure).",
                        "Añade actions/upload-artifact con el informe de drift (y abre un "
                        "issue si falla)."))


def _cronjobs(ctx: Context, extra: T) -> list[Finding]:
    """Kubernetes CronJobs whose containers run drift detection."""
    return [passed(T(f"{workload.label} runs drift detection",
                     f"{workload.label} ejecuta la detección de drift") + extra,
                   workload.path, workload.line)
            for workload in manifests_noted(ctx).workloads
            if workload.kind == "CronJob" and "drift" in json.dumps(
                [c.spec for c in workload.containers], default=str).lower()]


def _no_drift_schedule(ctx: Context, scheduled: Scheduled) -> Finding:
    fact = deployment(ctx.repo)
    if not fact.deploys:
        return skipped(fact.nothing_deployed(T(
            ", so there is no live model whose inputs could drift",
            ", así que no hay un modelo en servicio cuyos datos puedan derivar")))
    if _model_in_repo(ctx) is None:
        return skipped(T(
            "not applicable: no model in this repository (no project trains one, loads one "
            "or predicts with one, no manifest, chart or image runs a model server such as "
            "KServe, Seldon, vLLM or Triton, and no Terraform provisions a model endpoint), so "
            "there is no model whose inputs could drift",
            "no aplica: no hay modelo en este repositorio (ningún proyecto entrena, carga ni "
            "predice con uno, ningún manifiesto, chart o imagen ejecuta un servidor de modelos "
            "como KServe, Seldon, vLLM o Triton, y ningún Terraform aprovisiona un endpoint de "
            "modelo), así que no hay modelo cuyos datos puedan derivar"))
    if scheduled:
        wf = scheduled[0][0]
        return failed(T(f"scheduled workflow(s) ({', '.join(w.path for w, _ in scheduled)}) do "
                        "not run drift detection",
                        f"los workflows programados ({', '.join(w.path for w, _ in scheduled)}) "
                        "no ejecutan la detección de drift"), wf.path)
    return failed(T("no scheduled workflow (on.schedule cron) runs drift detection",
                    "ningún workflow programado (on.schedule cron) ejecuta la detección de "
                    "drift"),
                  fix=T("Add .github/workflows/drift-detection.yml with on.schedule "
                        "(cron '0 2 * * *') running the drift script and uploading its report.",
                        "Añade .github/workflows/drift-detection.yml con on.schedule (cron "
                        "'0 2 * * *') que ejecute el script de drift y suba el informe."))


@rule("OBS006")
@reports_unread
def scheduled_ml_workflows(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS006: a scheduled workflow runs the drift check and uploads its report."""
    scripts = _drift_scripts(ctx)
    names = {PurePosixPath(p).name for p in scripts} | {PurePosixPath(p).stem for p in scripts}
    scheduled, bonus = _workflows(ctx)
    extra = T(f" (also: {', '.join(bonus)})", f" (además: {', '.join(bonus)})") if bonus \
        else T("", "")
    results = [found for wf, crons in scheduled for job in wf.jobs
               if (found := _job_finding(wf, crons, job, names, extra)) is not None]
    results += _cronjobs(ctx, extra)
    if results:
        best = [r for r in results if r.status.value == "pass"]
        yield (best or results)[0]
        return
    yield _no_drift_schedule(ctx, scheduled)
