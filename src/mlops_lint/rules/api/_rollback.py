"""DEP002's level 3: a rollback procedure: a Makefile ``rollback`` target, an explicit
rollback command in the documents (``kubectl rollout undo``, ``helm rollback``...), or a
rollback section whose text or code gives the deploy command to go back with. A rollback
only mentioned warns.
"""

from __future__ import annotations

import re

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.makefile import Makefile, parse_makefile
from mlops_lint.parsers.markdown import parse_markdown
from mlops_lint.readers.unread import noted
from mlops_lint.rules.api._shared import doc_text

ROLLBACK_EXPLICIT = re.compile(
    r"kubectl\s+rollout\s+undo|helm\s+rollback|make\s+rollback|(serverless|sls)\s+rollback|"
    r"argocd\s+app\s+rollback|fly(ctl)?\s+releases?\s+rollback", re.IGNORECASE)


ROLLBACK_GENERIC = re.compile(
    r"update-traffic|aws\s+ecs\s+update-service|lambda\s+update-alias|deploy\s+--image|"
    r"kubectl\s+set\s+image|docker\s+(compose\s+)?(up|pull|run)|git\s+revert|"
    r"gcloud\s+run\s+deploy", re.IGNORECASE)


ROLLBACK_FIX = T("Add a Rollback section to RUNBOOK.md or docs/runbooks/ with the exact command "
                 "(kubectl rollout undo deployment/<app>, helm rollback, make rollback).",
                 "Añade una sección Rollback en RUNBOOK.md o docs/runbooks/ con el comando "
                 "exacto (kubectl rollout undo deployment/<app>, helm rollback, make rollback).")


ROLLBACK_WORDS = re.compile(r"roll\s?-?back|revertir|reversi[oó]n|versi[oó]n anterior",
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
                      mention[0], mention[1], level=3, fix=ROLLBACK_FIX)
    return failed(T("no documented rollback procedure (RUNBOOK.md, docs/runbooks/)",
                    "no hay procedimiento de rollback documentado (RUNBOOK.md, docs/runbooks/)"),
                  level=3, fix=ROLLBACK_FIX)
