"""What the Kubernetes rules (K8S001-K8S007) share: the manifests read once, the
not-applicable and nothing-to-judge results, the unread files listed as skips, how a
container is named in a message, and the chart's template text and values.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, skipped
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.kubernetes import (
    DUMP,
    FIXTURE,
    HELM_TEMPLATE,
    PATCH,
    PATCH_NO_KIND,
    Container,
    HelmChart,
    Manifests,
    Unread,
    Workload,
    read_manifests,
    value_line,
)

NOT_APPLICABLE = T(
    "not applicable: no Kubernetes manifests (apiVersion + kind), Kustomize overlays or Helm "
    "charts in the repository",
    "no aplica: no hay manifiestos Kubernetes (apiVersion + kind), overlays de Kustomize ni "
    "charts de Helm en el repositorio")


def manifests(ctx: Context) -> Manifests | None:
    found = read_manifests(ctx.repo)
    return found if found.present else None


NO_WORKLOADS = T(
    "no workload with containers among the manifests (Pod, Deployment, StatefulSet, "
    "DaemonSet, Job, CronJob, …) and nothing to read in Helm values",
    "no hay cargas con contenedores entre los manifiestos (Pod, Deployment, StatefulSet, "
    "DaemonSet, Job, CronJob, …) ni nada que leer en los values de Helm")


CheckBody = Callable[[Context, None], Iterator[Finding]]


def complete(*levels: int) -> Callable[[CheckBody], CheckBody]:
    """Give every level criterion a result: a skip saying there was nothing to judge."""

    def wrap(func: CheckBody) -> CheckBody:
        @functools.wraps(func)
        def run(ctx: Context, params: None) -> Iterator[Finding]:
            seen: set[int | None] = set()
            for finding in func(ctx, params):
                seen.add(finding.level)
                yield finding
            if None in seen:
                return
            for level in levels or (None,):
                if level not in seen:
                    yield skipped(NO_WORKLOADS, level=level)

        return run

    return wrap


def _unread_text(item: Unread) -> T:
    detail = f" ({item.detail})" if item.detail else ""
    if item.reason == HELM_TEMPLATE:
        return T("Helm template (not rendered): its values are read from the chart's "
                 "values.yaml where possible",
                 "plantilla Helm (sin renderizar): sus valores se leen del values.yaml del "
                 "chart cuando es posible")
    if item.reason == PATCH_NO_KIND:
        return T(f"Kustomize patch without kind{detail}: a partial object merged into its "
                 "base, not evaluated on its own",
                 f"parche de Kustomize sin kind{detail}: un objeto parcial que se fusiona con "
                 "su base; no se evalúa por separado")
    if item.reason == FIXTURE:
        return T("under a test-data folder (testdata/, fixtures/): the input of a test, not a "
                 "deployment manifest; not evaluated",
                 "en una carpeta de datos de prueba (testdata/, fixtures/): la entrada de un "
                 "test, no un manifiesto de despliegue; no se evalúa")
    if item.reason == DUMP:
        return T(f"objects as a cluster returns them{detail} (resourceVersion, uid or a "
                 "filled-in status: kubectl get -o yaml output), not manifests to apply; not "
                 "evaluated",
                 f"objetos tal como los devuelve un clúster{detail} (resourceVersion, uid o un "
                 "status relleno: salida de kubectl get -o yaml), no manifiestos que aplicar; "
                 "no se evalúan")
    if item.reason == PATCH:
        return T(f"Kustomize patch{detail}: merged into its base, not evaluated on its own",
                 f"parche de Kustomize{detail}: se fusiona con su base; no se evalúa por "
                 "separado")
    return T("template placeholders ({{ }}) make it invalid YAML until rendered (not "
             "rendered)",
             "los marcadores de plantilla ({{ }}) la hacen YAML inválido hasta renderizarla "
             "(sin renderizar)")


def unread(found: Manifests, level: int | None = None) -> Iterator[Finding]:
    for item in found.unread:
        yield skipped(_unread_text(item), item.path, level)


def who(container: Container, workload: Workload) -> str:
    role = "init container" if container.init else "container"
    return f"{role} {container.name} ({workload.label})"


def quien(container: Container, workload: Workload) -> str:
    role = "contenedor init" if container.init else "contenedor"
    return f"{role} {container.name} ({workload.label})"


def mapping(value: Any) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def template_text(ctx: Context, chart: HelmChart) -> dict[str, str]:
    out = {}
    for path in chart.templates:
        text = ctx.repo.text(path)
        if isinstance(text, str):
            out[path] = text
    return out


def pod_templates(ctx: Context, chart: HelmChart) -> list[str]:
    """Unrendered templates of ``chart`` that define containers."""
    return [p for p, text in template_text(ctx, chart).items() if "containers:" in text]


def chart_values(chart: HelmChart) -> Iterator[tuple[str, Any]]:
    for path, data in chart.values:
        if not isinstance(data, ParseError):
            yield path, data


def value_finding_line(ctx: Context, path: str, dotted: str) -> int | None:
    text = ctx.repo.text(path)
    return value_line(text, dotted) if isinstance(text, str) else None


def has_text_kind(texts: Iterable[str], kind: str) -> bool:
    pattern = re.compile(rf"^[ \t]*kind:[ \t]*[\"']?{kind}[\"']?[ \t]*$", re.M)
    return any(pattern.search(text) for text in texts)


def as_int(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    return None


def hardening_gaps(context: dict[str, Any]) -> tuple[list[str], list[str]]:
    """What a container's ``securityContext`` leaves open besides its user (English,
    Spanish): privilege escalation allowed, a writable root filesystem, privileged mode."""
    en: list[str] = []
    es: list[str] = []
    if context.get("allowPrivilegeEscalation") is not False:
        en.append("allowPrivilegeEscalation is not false")
        es.append("allowPrivilegeEscalation no es false")
    if context.get("readOnlyRootFilesystem") is not True:
        en.append("readOnlyRootFilesystem is not true")
        es.append("readOnlyRootFilesystem no es true")
    if context.get("privileged") is True:
        en.append("privileged: true")
        es.append("privileged: true")
    return en, es
