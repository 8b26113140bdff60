"""What a deploy step of a CI pipeline checks afterwards (DEP002): a /health call, or a
smoke test of the live service.

A managed model endpoint (``az ml model deploy``, ``az ml online-deployment create``,
``sagemaker create-endpoint``) runs and checks the service itself, and the scoring script
it serves has no route of its own to wire; a smoke test that scores the live endpoint after
such a deploy is the post-deploy check, so the deploy is wired.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from mlops_lint import lazy_re
from mlops_lint.model import T

SMOKE = lazy_re.compile(r"\b(curl|wget|http|httpx|requests)\b", re.IGNORECASE)


# a deploy to a managed model endpoint: the platform runs and checks the service
MANAGED_MODEL_DEPLOY = lazy_re.compile(
    r"az\s+ml\s+model\s+deploy|az\s+ml\s+online-deployment\s+create|"
    r"sagemaker\s+create-endpoint", re.IGNORECASE)


def _d(en: str, es: str | None = None) -> T:
    return T(en, es if es is not None else en)


# a post-deploy test of the live service that is not a /health call: a smoke-test script
# or a scoring of the deployed endpoint
SMOKE_TEST = lazy_re.compile(r"smoke[_-]?tests?|score[_-]?(the[_-])?(service|endpoint)|"
                             r"scoring[_-]?(service|endpoint)", re.IGNORECASE)


def smoke_after(texts: Iterable[str]) -> str | None:
    """The first line of ``texts`` that runs a post-deploy smoke test."""
    for text in texts:
        for line in text[:20000].splitlines():
            stripped = line.strip()
            if stripped and not stripped.startswith("#") and SMOKE_TEST.search(stripped[:400]):
                return stripped if len(stripped) <= 80 else stripped[:79] + "…"
    return None


def _health_detail(smoke: bool, other: str | None) -> T:
    if smoke:
        return _d("smoke test on /health after deploy", "prueba de /health tras desplegar")
    if other:
        return T(f"smoke test after deploy ({other}), but no /health check",
                 f"prueba de humo tras desplegar ({other}), pero sin comprobar /health")
    return _d("no /health check after deploy", "sin comprobar /health tras desplegar")


def after_deploy(deploy: str, smoke: bool, other: str | None) -> tuple[bool | None, T]:
    """Whether the deploy ``deploy`` is wired to a health check (True), checked by another
    post-deploy test (None) or not at all (False), and the detail to report."""
    if other and not smoke and MANAGED_MODEL_DEPLOY.search(deploy):
        return True, T(f"a managed model endpoint, whose health the platform checks; smoke "
                       f"test scoring the live service after deploy ({other})",
                       f"un endpoint de modelo gestionado, cuya salud comprueba la "
                       f"plataforma; prueba de humo que puntúa el servicio desplegado "
                       f"({other})")
    return (None if other else smoke), _health_detail(smoke, other)
