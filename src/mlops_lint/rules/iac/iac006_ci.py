"""IAC006: Terraform in CI: ``fmt -check``, ``validate`` and ``plan`` on pull requests
(paths-filtered, the plan uploaded or commented), ``apply`` restricted to main in a
protected environment, cloud credentials through OIDC or secrets.

The pre-commit-terraform hooks count as fmt/validate/tflint when a workflow runs
pre-commit. Terraform run by another CI system warns (its details are not checked); a
reusable module library has nothing to plan or apply.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.ci import Job, Step, Workflow, ci_commands, workflows
from mlops_lint.parsers.invocations import precommit_config
from mlops_lint.parsers.precommit import PreCommitConfig
from mlops_lint.rules import rule
from mlops_lint.rules.iac._shared import (
    NOT_APPLICABLE,
    infra_top,
    module_library,
    read_config,
)

_CREDENTIAL_ENV = lazy_re.compile(r"^(AWS_ACCESS_KEY_ID|AWS_SECRET_ACCESS_KEY|AWS_SESSION_TOKEN|"
                                  r"ARM_CLIENT_SECRET|ARM_ACCESS_KEY|GOOGLE_CREDENTIALS|"
                                  r"GOOGLE_APPLICATION_CREDENTIALS_JSON|TF_TOKEN_\w+|"
                                  r"DIGITALOCEAN_TOKEN)$")


# pre-commit-terraform hooks and what each one does
TERRAFORM_HOOKS = {"terraform_fmt": "fmt", "tofu_fmt": "fmt", "terragrunt_fmt": "fmt",
                   "terraform_validate": "validate", "tofu_validate": "validate",
                   "terragrunt_validate": "validate", "terraform_tflint": "tflint",
                   "tofu_tflint": "tflint"}


def _precommit_terraform(ctx: Context) -> dict[str, str]:
    """The pre-commit-terraform hooks ``.pre-commit-config.yaml`` declares (id → what it
    does)."""
    config = precommit_config(ctx.repo)
    if not isinstance(config, PreCommitConfig):
        return {}
    return {h.id: TERRAFORM_HOOKS[h.id] for h in config.hooks if h.id in TERRAFORM_HOOKS}


def _runs_precommit(step: Step) -> str | None:
    """The text naming the hooks a step runs through pre-commit (``pre-commit run``, the
    ``pre-commit/action`` or a composite action named ``…/pre-commit``), or None."""
    uses = (step.uses or "").split("@", 1)[0].lower()
    if uses == "pre-commit/action" or "pre-commit" in uses.rsplit("/", 1)[-1]:
        return " ".join(str(v) for v in step.with_.values())
    if step.run and re.search(r"\bpre-commit\s+run\b", step.run):
        return step.run
    return None


def _hook_ops(job: Job, hooks: dict[str, str]) -> dict[str, list[str]]:
    """What the job does to Terraform through pre-commit hooks: {fmt/validate/tflint:
    [hook ids]} (only the hooks it names, when it names some)."""
    out: dict[str, list[str]] = {}
    if not hooks:
        return out
    for step in job.steps:
        text = _runs_precommit(step)
        if text is None:
            continue
        named = [h for h in hooks if re.search(rf"(?<![\w-]){h}(?![\w-])", text)]
        for hook in named or list(hooks):
            ids = out.setdefault(hooks[hook], [])
            if hook not in ids:
                ids.append(hook)
    return out


def _runs(job: Job) -> str:
    return "\n".join(s.run or "" for s in job.steps)


def _uses(job: Job) -> list[str]:
    return [s.uses or "" for s in job.steps]


def _terraform_job(job: Job) -> bool:
    return bool(re.search(r"\b(terraform|tofu|terragrunt)\s", _runs(job))) or any(
        u.startswith(("hashicorp/setup-terraform", "dflook/terraform-", "opentofu/setup-"))
        for u in _uses(job))


def _does(job: Job, command: str) -> bool:
    if command == "fmt":
        text = _runs(job)
        return bool(re.search(r"\b(terraform|tofu)\s+fmt\b[^\n]*-check", text)) or any(
            u.startswith("dflook/terraform-fmt-check") for u in _uses(job))
    return bool(re.search(rf"\b(terraform|tofu|terragrunt)\s+(run-all\s+)?{command}\b",
                          _runs(job))) or any(u.startswith(f"dflook/terraform-{command}")
                                              for u in _uses(job))


def _main_only(wf: Workflow, job: Job) -> bool:
    condition = job.if_ or ""
    if re.search(r"refs/heads/(main|master)|ref_name\s*==\s*'(main|master)'", condition):
        return True
    triggers = set(wf.on)
    if triggers - {"push", "workflow_dispatch"}:
        return False
    branches = wf.on.get("push", {}).get("branches") if isinstance(wf.on.get("push"),
                                                                    dict) else None
    return isinstance(branches, list) and bool(branches) and set(map(str, branches)) <= {
        "main", "master"}


def _paths_filtered(wf: Workflow, tops: set[str]) -> bool:
    for trigger in ("pull_request", "push", "pull_request_target"):
        config = wf.on.get(trigger)
        paths = config.get("paths") if isinstance(config, dict) else None
        for pattern in paths if isinstance(paths, list) else []:
            text = str(pattern)
            if ".tf" in text or any(text.startswith(top + "/") or text == top
                                    for top in tops if top):
                return True
    return False


def _credentials(wf: Workflow) -> tuple[list[tuple[str, int | None]], list[str]]:
    """(literal credentials with their lines, credential mechanisms seen)."""
    literal: list[tuple[str, int | None]] = []
    seen: list[str] = []
    envs: list[tuple[dict[str, Any], int | None]] = [
        ({str(k): v for k, v in (wf.raw.get("env") or {}).items()}
         if isinstance(wf.raw.get("env"), dict) else {}, None)]
    for job in wf.jobs:
        job_env = job.raw.get("env")
        envs.append(({str(k): v for k, v in job_env.items()} if isinstance(job_env, dict)
                     else {}, job.line))
        for step in job.steps:
            envs.append((step.env, step.line))
            envs.append((step.with_, step.line))
            if "role-to-assume" in step.with_ or "workload_identity_provider" in step.with_:
                seen.append("OIDC")
    for env, line in envs:
        for name, value in env.items():
            text = str(value)
            if "secrets." in text:
                seen.append("secrets.*")
            elif (_CREDENTIAL_ENV.match(name) or name in ("aws-secret-access-key",
                                                          "aws-access-key-id",
                                                          "credentials_json")) \
                    and text and "${{" not in text:
                literal.append((name, line))
    permissions = wf.raw.get("permissions")
    if isinstance(permissions, dict) and permissions.get("id-token") == "write":
        seen.append("OIDC")
    return literal, sorted(set(seen))


def _no_terraform_workflow(ctx: Context, library: T | None = None) -> Finding:
    others = [c for c in ci_commands(ctx.repo) if c.system != "github"
              and re.search(r"\b(terraform|tofu)\s+(plan|validate)", c.text)]
    if others:
        return warned(T(f"Terraform runs in {others[0].system} CI ({others[0].path}); "
                        "path filters, plan upload and apply approval not checked",
                        f"Terraform se ejecuta en CI de {others[0].system} "
                        f"({others[0].path}); no se comprueban filtros de rutas, subida del "
                        "plan ni aprobación del apply"), others[0].path, others[0].line)
    if library is not None:
        return failed(T("no CI workflow runs Terraform (fmt -check, validate); plan and apply "
                        "do not apply to ", "ningún workflow de CI ejecuta Terraform (fmt "
                        "-check, validate); plan y apply no aplican a ") + library, None, None,
                      fix=T("Run terraform fmt -check and terraform validate (or the "
                            "pre-commit-terraform hooks terraform_fmt and terraform_validate) "
                            "on every pull request, for the modules and each example.",
                            "Ejecuta terraform fmt -check y terraform validate (o los hooks "
                            "terraform_fmt y terraform_validate de pre-commit-terraform) en cada "
                            "pull request, para los módulos y cada ejemplo."))
    return failed(T("no CI workflow runs Terraform (fmt -check, validate, plan)",
                    "ningún workflow de CI ejecuta Terraform (fmt -check, validate, plan)"),
                  None, None, fix=T(
                      "Add .github/workflows/terraform.yml: on pull_request with paths "
                      "[infra/**] run terraform fmt -check, validate and plan (upload the "
                      "plan); apply on main only, in a protected environment.",
                      "Añade .github/workflows/terraform.yml: en pull_request con paths "
                      "[infra/**] ejecuta terraform fmt -check, validate y plan (sube el "
                      "plan); apply solo en main, en un environment protegido."))


PLAN_PUBLISHERS = ("actions/upload-artifact", "actions/github-script", "dflook/terraform-plan",
                   "marocchino/sticky-pull-request")


def _uploaded(jobs: list[Job]) -> bool:
    """Whether a job uploads the plan or comments it on the pull request."""
    return any(u.startswith(PLAN_PUBLISHERS) for j in jobs for u in _uses(j)) or \
        any(re.search(r"gh\s+pr\s+comment|tfcmt", _runs(j)) for j in jobs)


def _done_on_prs(pr_jobs: list[Job], hooks: dict[str, str]) -> dict[str, bool]:
    """fmt / validate / plan: whether a pull-request job runs it (itself or through a
    pre-commit hook)."""
    return {c: any(_does(j, c) or c in _hook_ops(j, hooks) for j in pr_jobs)
            for c in ("fmt", "validate", "plan")}


@dataclass(frozen=True)
class _Pipeline:
    """What the GitHub workflows that run Terraform do, read together."""

    flows: list[Workflow]
    pr_flows: list[Workflow]
    done: dict[str, bool]  # fmt / validate / plan on pull requests
    uploaded: bool
    filtered: bool
    applies: list[tuple[Workflow, Job]]
    hooks: list[str] = field(default_factory=list)  # pre-commit hooks that run Terraform
    library: T | None = None  # a module library: nothing to plan or apply

    @staticmethod
    def read(flows: list[Workflow], tops: set[str], hooks: dict[str, str],
             library: T | None = None) -> _Pipeline:
        jobs = [(wf, j) for wf in flows for j in wf.jobs
                if _terraform_job(j) or _hook_ops(j, hooks)]
        pr_flows = [wf for wf in flows if {"pull_request", "pull_request_target"} & set(wf.on)]
        pr_jobs = [j for wf, j in jobs if wf in pr_flows]
        through = [h for _, j in jobs for ids in _hook_ops(j, hooks).values() for h in ids]
        return _Pipeline(
            flows, pr_flows, _done_on_prs(pr_jobs, hooks), _uploaded([j for _, j in jobs]),
            library is not None or any(_paths_filtered(wf, tops) for wf in pr_flows),
            [(wf, j) for wf, j in jobs if _does(j, "apply")], list(dict.fromkeys(through)),
            library)

    def hard(self) -> list[T]:
        """Problems that fail the rule."""
        out = []
        if not self.pr_flows:
            out.append(T("Terraform does not run on pull requests",
                         "Terraform no se ejecuta en pull requests"))
        elif not self.done["plan"] and self.library is None:
            out.append(T("no terraform plan on pull requests",
                         "sin terraform plan en pull requests"))
        for wf, job in self.applies:
            en = ([] if _main_only(wf, job) else ["not restricted to main"]) + (
                [] if job.raw.get("environment") else
                ["no environment: protection (manual approval)"])
            es = ([] if _main_only(wf, job) else ["no restringido a main"]) + (
                [] if job.raw.get("environment") else
                ["sin environment: protegido (aprobación manual)"])
            if en:
                out.append(T(f"apply job {job.id}: " + ", ".join(en),
                             f"job de apply {job.id}: " + ", ".join(es)))
        return out

    def soft(self) -> list[T]:
        """Refinements that are missing (a warning)."""
        out = []
        missing = " / ".join("fmt -check" if c == "fmt" else c for c in ("fmt", "validate")
                             if not self.done[c])
        if self.pr_flows and missing:
            out.append(T(f"no {missing}", f"sin {missing}"))
        if self.pr_flows and not self.filtered:
            out.append(T("not filtered on paths (infra/**)", "sin filtro de paths (infra/**)"))
        if self.done["plan"] and not self.uploaded:
            out.append(T("the plan is neither uploaded nor commented on the PR",
                         "el plan no se sube ni se comenta en el PR"))
        return out

    def summary(self, mechanisms: list[str]) -> T:
        steps = ", ".join(c for c in ("fmt", "validate", "plan") if self.done[c])
        paths = ", ".join(wf.path for wf in self.flows)
        how = ", ".join(sorted(set(mechanisms)))
        hooks = ", ".join(self.hooks)
        text = T(
            f"Terraform CI in {paths}: {steps or 'no checks'} on PRs"
            + (f" (pre-commit hooks {hooks})" if hooks else "")
            + (", plan uploaded" if self.uploaded else "")
            + (", paths-filtered" if self.filtered and self.library is None else "")
            + (f", apply gated in {len(self.applies)} job(s)" if self.applies else
               ", no apply in CI") + (f", credentials via {how}" if how else ""),
            f"CI de Terraform en {paths}: {steps or 'sin comprobaciones'} en PRs"
            + (f" (hooks de pre-commit {hooks})" if hooks else "")
            + (", plan subido" if self.uploaded else "")
            + (", filtrado por paths" if self.filtered and self.library is None else "")
            + (f", apply protegido en {len(self.applies)} job(s)" if self.applies else
               ", sin apply en CI") + (f", credenciales vía {how}" if how else ""))
        if self.library is not None and not self.done["plan"]:
            text = text + T("; plan and apply do not apply to ",
                            "; plan y apply no aplican a ") + self.library
        return text


def _literal_credentials(flows: list[Workflow], mechanisms: list[str]) -> Iterator[Finding]:
    for wf in flows:
        literal, seen = _credentials(wf)
        mechanisms.extend(seen)
        for name, line in literal:
            yield failed(T(f"literal cloud credential {name} in the workflow",
                           f"credencial cloud literal {name} en el workflow"), wf.path, line,
                         fix=T("Use OIDC (role-to-assume / workload_identity_provider) or "
                               "${{ secrets.* }}, and rotate the exposed credential.",
                               "Usa OIDC (role-to-assume / workload_identity_provider) o "
                               "${{ secrets.* }}, y rota la credencial expuesta."))


@rule("IAC006")
def terraform_ci(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC006: fmt/validate/plan on PRs (paths-filtered, plan uploaded); gated apply."""
    config = read_config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    hooks = _precommit_terraform(ctx)
    flows = [wf for wf in workflows(ctx.repo) if isinstance(wf, Workflow)
             and any(_terraform_job(j) or _hook_ops(j, hooks) for j in wf.jobs)]
    library = module_library(ctx, config)
    if not flows:
        yield _no_terraform_workflow(ctx, library)
        return
    tops = {t for t in (infra_top(f.path) for f in config.files) if t} | {
        d.path for d in config.roots}
    pipeline = _Pipeline.read(flows, tops, hooks, library)
    mechanisms: list[str] = []
    yield from _literal_credentials(flows, mechanisms)
    hard, soft = pipeline.hard(), pipeline.soft()
    where = (flows[0].path, flows[0].jobs[0].line if flows[0].jobs else None)
    if hard:
        yield failed(T.join(hard + soft), *where)
    elif soft:
        yield warned(T.join([pipeline.summary(mechanisms), *soft]), *where)
    else:
        yield passed(pipeline.summary(mechanisms), *where)
