"""DEP002's level 3: a rollback procedure: a Makefile ``rollback`` target, an explicit
rollback command in the documents (``kubectl rollout undo``, ``helm rollback``...), or a
rollback section whose text or code gives the deploy command to go back with. A rollback
only mentioned warns.
"""

from __future__ import annotations

import re

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import ci_commands
from mlops_lint.parsers.kubernetes import read_manifests
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.markdown import parse_markdown
from mlops_lint.readers.deployment import deployment
from mlops_lint.readers.unread import noted
from mlops_lint.rules.api._shared import doc_text

ROLLBACK_EXPLICIT = lazy_re.compile(
    r"kubectl\s+rollout\s+undo|helm\s+rollback|make\s+rollback|(serverless|sls)\s+rollback|"
    r"argocd\s+app\s+rollback|fly(ctl)?\s+releases?\s+rollback", re.IGNORECASE)


ROLLBACK_GENERIC = lazy_re.compile(
    r"update-traffic|aws\s+ecs\s+update-service|lambda\s+update-alias|deploy\s+--image|"
    r"kubectl\s+set\s+image|docker\s+(compose\s+)?(up|pull|run)|git\s+revert|"
    r"gcloud\s+run\s+deploy", re.IGNORECASE)


# how to go back on each platform a repository deploys to, found in its CI commands and
# deployment evidence (bounded, case-insensitive patterns); the first that match are named
_PLATFORM_ROLLBACKS: tuple[tuple[re.Pattern[str], str, str], ...] = (
    (lazy_re.compile(r"\bhelm\s+(upgrade|install)\b|Helm chart", re.IGNORECASE),
     "helm rollback <release> <revision>", "helm rollback <release> <revision>"),
    (lazy_re.compile(r"\bkubectl\s+(apply|set\s+image|rollout)\b|^(Deployment|StatefulSet|"
                     r"DaemonSet|Rollout|Service|Knative)\b"),
     "kubectl rollout undo deployment/<app>", "kubectl rollout undo deployment/<app>"),
    (lazy_re.compile(r"\baws\s+lambda\s+update-function-(code|configuration)\b|aws_lambda_function|"
                     r"AWS::(Serverless::Function|Lambda::Function)", re.IGNORECASE),
     "re-point the Lambda function to the previous release: re-run the same aws lambda "
     "update-function-code/update-function-configuration with the previous image or "
     "settings (e.g. the previous run id), or publish versions and move an alias back "
     "(aws lambda update-alias --function-version <previous>)",
     "vuelve a apuntar la función Lambda a la versión anterior: repite el mismo aws lambda "
     "update-function-code/update-function-configuration con la imagen o los ajustes "
     "anteriores (p. ej. el run id anterior), o publica versiones y mueve un alias atrás "
     "(aws lambda update-alias --function-version <anterior>)"),
    (lazy_re.compile(r"\baws\s+ecs\b|aws_ecs_service|ECS task definition", re.IGNORECASE),
     "aws ecs update-service --task-definition <family>:<previous revision>",
     "aws ecs update-service --task-definition <familia>:<revisión anterior>"),
    (lazy_re.compile(r"\bgcloud\s+run\b|google_cloud_run", re.IGNORECASE),
     "gcloud run services update-traffic <service> --to-revisions <previous>=100",
     "gcloud run services update-traffic <servicio> --to-revisions <anterior>=100"),
    (lazy_re.compile(r"\b(serverless|sls)\s+deploy\b|serverless\.ya?ml", re.IGNORECASE),
     "serverless rollback --timestamp <previous>", "serverless rollback --timestamp <anterior>"),
    (lazy_re.compile(r"\bfly(ctl)?\s+deploy\b|fly\.toml", re.IGNORECASE),
     "fly deploy --image <previous image>", "fly deploy --image <imagen anterior>"),
    (lazy_re.compile(r"\b(scp|rsync)\b|\bssh\s+\S", re.IGNORECASE),
     "redeploy the previous release: re-run the deploy job on the previous tagged commit, "
     "or keep the previous release on the server and switch back to it",
     "redespliega la versión anterior: vuelve a ejecutar el job de despliegue sobre el "
     "commit etiquetado anterior, o conserva la versión anterior en el servidor y vuelve a "
     "ella"),
    (lazy_re.compile(r"\bterraform\s+(-chdir=\S+\s+)?apply\b|^aws_|^google_|^azurerm_",
                     re.IGNORECASE),
     "terraform apply with the previous release's variables (image tag, model version)",
     "terraform apply con las variables de la versión anterior (tag de imagen, versión del "
     "modelo)"),
    (lazy_re.compile(r"\bdocker[\s-]compose\b|compose", re.IGNORECASE),
     "docker compose up -d with the previous image tag",
     "docker compose up -d con el tag de imagen anterior"),
)
_MAX_PLATFORMS = 3
_MAX_TEXTS = 400


def _deploy_texts(ctx: Context) -> list[str]:
    """What says where the repository deploys: its CI commands and the deployment evidence
    (each evidence's detail, and its kind's first word for manifests)."""
    texts = [c.text[:2000] for c in ci_commands(ctx.repo)[:_MAX_TEXTS]]
    for evidence in deployment(ctx.repo).evidence:
        if evidence.kind in ("manifest", "platform", "iac", "compose", "workflow"):
            texts.append(evidence.detail)
            texts.append(evidence.path)
    manifests = read_manifests(ctx.repo)
    texts += [w.label for w in manifests.workloads[:_MAX_TEXTS] if w.long_running]
    texts += [f"Helm chart {c.name}" for c in manifests.charts]
    return texts


def rollback_fix(ctx: Context) -> T:
    """The rollback section to write, with the commands of the platforms the repository
    deploys to; when it shows no deploy target, going back to the previous image tag."""
    texts = _deploy_texts(ctx)
    found = [(en, es) for pattern, en, es in _PLATFORM_ROLLBACKS
             if any(pattern.search(t) for t in texts)]
    head = T("Add a Rollback section to RUNBOOK.md or docs/runbooks/ with the exact command "
             "for where it deploys: ",
             "Añade una sección Rollback en RUNBOOK.md o docs/runbooks/ con el comando exacto "
             "para donde despliega: ")
    if found:
        # a Lambda, ECS or Cloud Run rollback is more specific than the Terraform applying it
        if len(found) > 1 and found[-1][0].startswith("docker compose"):
            found = found[:-1]
        if len(found) > 1 and any(en.startswith("terraform apply") for en, _ in found):
            found = [f for f in found if not f[0].startswith("terraform apply")]
        found = found[:_MAX_PLATFORMS]
        return head + T("; ".join(en for en, _ in found) + ".",
                        "; ".join(es for _, es in found) + ".")
    return T("Nothing shows where it is deployed (no manifest, platform descriptor or deploy "
             "job): tag each released image with a version and document going back as "
             "running the previous tag (docker run <image>:<previous-tag>) in RUNBOOK.md.",
             "Nada indica dónde se despliega (ni manifiesto, ni descriptor de plataforma, ni "
             "job de despliegue): etiqueta cada imagen publicada con una versión y documenta "
             "la vuelta atrás como ejecutar el tag anterior (docker run <imagen>:<tag-anterior>) "
             "en RUNBOOK.md.")


ROLLBACK_WORDS = lazy_re.compile(r"roll\s?-?back|revertir|reversi[oó]n|versi[oó]n anterior",
                                 re.IGNORECASE)


def rollback(ctx: Context) -> Finding:
    """L3: a rollback procedure: an explicit command, or a rollback section with commands."""
    for path in ctx.files(["Makefile", "**/Makefile"]):
        makefile = noted(ctx.repo.parse(path, parse_makefile))
        if isinstance(makefile, Makefile) and "rollback" in makefile.targets:
            return passed(T("Makefile has a rollback target", "el Makefile tiene un objetivo "
                            "rollback"), path, makefile.targets["rollback"].line, level=3)
    docs = ctx.files(["**/*.md"], case_sensitive=False)
    ordered = sorted(docs, key=lambda p: ("runbook" not in p.lower(), p))
    mention: tuple[str, int] | None = None
    documented = T("rollback procedure documented with a command",
                   "procedimiento de rollback documentado con un comando")
    for path in ordered:
        doc = noted(ctx.repo.parse(path, parse_markdown))
        if isinstance(doc, ParseError):
            continue
        for number, text in doc_text(ctx, path) or []:
            if ROLLBACK_EXPLICIT.search(text):
                return passed(documented, path, number, level=3)
        for heading in doc.headings:
            if not ROLLBACK_WORDS.search(heading.text):
                continue
            mention = mention or (path, heading.line)
            texts = [t for _, t in doc.prose_in(heading)] + [c.text for c in doc.code_in(heading)]
            if any(ROLLBACK_GENERIC.search(t) for t in texts):
                return passed(documented, path, heading.line, level=3)
        if mention is None:
            for number, text in doc.prose:
                if ROLLBACK_WORDS.search(text):
                    mention = (path, number)
                    break
    if mention is not None:
        return warned(T("rollback is mentioned but no procedure (command) is given",
                        "se menciona el rollback pero no hay procedimiento (comando)"),
                      mention[0], mention[1], level=3, fix=rollback_fix(ctx))
    return failed(T("no documented rollback procedure (RUNBOOK.md, docs/runbooks/)",
                    "no hay procedimiento de rollback documentado (RUNBOOK.md, docs/runbooks/)"),
                  level=3, fix=rollback_fix(ctx))
