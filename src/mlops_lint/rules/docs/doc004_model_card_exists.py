"""DOC004: a model card exists (docs/model_card.md, MODEL_CARD.md, ...), or the README is a
Hugging Face model card (its front matter), or a template repository's scaffold ships one.
A file named like a template only is not a card."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed
from mlops_lint.parsers import ParseError
from mlops_lint.rules import rule
from mlops_lint.rules.docs._model_card import card_fix, model_cards
from mlops_lint.rules.docs._shared import unreadable


@rule("DOC004")
def model_card_exists(ctx: Context, params: None) -> Iterator[Finding]:
    """DOC004: docs/model_card.md, MODEL_CARD.md, ... or a Hugging Face README card."""
    cards = model_cards(ctx)
    if not cards.dedicated and cards.hf_readme:
        yield passed(T(f"{cards.hf_readme} is a Hugging Face model card (YAML front matter)",
                       f"{cards.hf_readme} es una model card de Hugging Face (front matter "
                       "YAML)"), cards.hf_readme)
        return
    if not cards.dedicated and cards.scaffold:
        for path in cards.scaffold:
            yield passed(T(f"model card {path}, shipped by the scaffold to every generated "
                           "project",
                           f"model card {path}, que la plantilla entrega a cada proyecto "
                           "generado"), path)
        return
    if not cards.dedicated:
        note = T(f" (only the template {cards.templates[0]})",
                 f" (solo la plantilla {cards.templates[0]})") if cards.templates else T("", "")
        yield failed(T("no model card", "no hay model card") + note,
                     cards.templates[0] if cards.templates else None, fix=card_fix(ctx))
        return
    for path in cards.dedicated:
        text = ctx.repo.text(path)
        if isinstance(text, ParseError):
            yield unreadable(path, text)
        elif not text.strip():
            yield failed(T(f"{path} is empty", f"{path} está vacía"), path, fix=card_fix(ctx))
        else:
            yield passed(T(f"model card {path}", f"model card {path}"), path)
