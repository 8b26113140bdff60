"""K8S004: tagged (or digest-pinned) images, not ``:latest``, and an explicit
``imagePullPolicy``.

A kustomization's ``images:`` override is applied before judging; an image or policy set
at deploy time (a template placeholder) warns because it cannot be checked; a shell
default (``${VAR:-Always}``) is judged by its default. Helm values images use the
chart's ``appVersion`` when the tag is empty.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, Status, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers.dockerfile import parse_image
from mlops_lint.parsers.kubernetes import (
    HelmChart,
    Manifests,
    values_images,
)
from mlops_lint.rules import rule
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    chart_values,
    complete,
    manifests,
    quien,
    unread,
    value_finding_line,
    who,
)

PULL_POLICIES = ("Always", "IfNotPresent", "Never")


_PLACEHOLDER_IMAGE = lazy_re.compile(r"\{\{|\$\{|\$\(|^[A-Z_]+$|<[^>]+>")


def _image_problem(image: str | None, found: Manifests) -> tuple[Finding | None, str, str]:
    """(a warn finding for placeholders or None, problem en, problem es); empty = fine."""
    if not image:
        return None, "no image", "sin imagen"
    override = found.images_override(image)
    reference = image
    note = ""
    if override is not None:
        base = reference.split("@", 1)[0]
        if ":" in base.rsplit("/", 1)[-1]:
            base = base.rsplit(":", 1)[0]
        name = str(override.get("newName") or base)
        if override.get("digest"):
            reference = f"{name}@{override['digest']}"
        elif override.get("newTag") is not None:
            reference = f"{name}:{override['newTag']}"
        note = f" (kustomization images: {reference})"
    if _PLACEHOLDER_IMAGE.search(reference):
        return warned(T(f"image {reference} is set at deploy time (placeholder); cannot "
                        "check its tag",
                        f"la imagen {reference} se define al desplegar (marcador); no se puede "
                        "comprobar su tag")), "", ""
    ref = parse_image(reference)
    if ref.untagged:
        return None, f"image {reference} has no tag{note}", f"la imagen {reference} no tiene tag" \
            f"{note}"
    if ref.floating:
        return None, f"image {reference} uses :latest{note}", \
            f"la imagen {reference} usa :latest{note}"
    return None, "", ""


_SHELL_DEFAULT = lazy_re.compile(r"\$\{[A-Za-z_]\w{0,100}:?-([A-Za-z]{1,20})\}")


def _templated(value: object) -> bool:
    return isinstance(value, str) and any(m in value for m in ("${", "{{", "$("))


def _rendered_policy(value: object) -> object:
    """``${VAR:-Always}`` renders to its default when the variable is unset: judge that."""
    if isinstance(value, str):
        match = _SHELL_DEFAULT.fullmatch(value.strip())
        if match and match.group(1) in PULL_POLICIES:
            return match.group(1)
    return value


@rule("K8S004")
@complete()
def k8s_images(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S004: tagged (or digest-pinned) images, not :latest; explicit imagePullPolicy."""
    found = manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from unread(found)
    for workload in found.workloads:
        for c in workload.containers:
            where = (workload.path, c.line or workload.line)
            warn, en, es = _image_problem(c.image, found)
            problems_en = [en] if en else []
            problems_es = [es] if es else []
            policy = _rendered_policy(c.get("imagePullPolicy"))
            if policy is None:
                problems_en.append("imagePullPolicy not set")
                problems_es.append("imagePullPolicy sin definir")
            elif _templated(policy):
                if warn is None and not problems_en:
                    warn = Finding(Status.WARN, T(
                        f"imagePullPolicy {policy!r} is a template variable: its value is "
                        "not known until the manifest is rendered",
                        f"imagePullPolicy {policy!r} es una variable de plantilla: su valor "
                        "no se conoce hasta renderizar el manifiesto"))
            elif policy not in PULL_POLICIES:
                problems_en.append(f"imagePullPolicy {policy!r} is not one of "
                                   f"{', '.join(PULL_POLICIES)}")
                problems_es.append(f"imagePullPolicy {policy!r} no es "
                                   f"{', '.join(PULL_POLICIES)}")
            if problems_en:
                yield failed(T(f"{who(c, workload)}: " + "; ".join(problems_en),
                               f"{quien(c, workload)}: " + "; ".join(problems_es)), *where)
            elif warn is not None:
                yield warned(T(f"{who(c, workload)}: ", f"{quien(c, workload)}: ") +
                             warn.message, *where)
            else:
                yield passed(T(f"{who(c, workload)}: {c.image}, imagePullPolicy {policy}",
                               f"{quien(c, workload)}: {c.image}, imagePullPolicy {policy}"),
                             *where)
    for chart in found.charts:
        yield from _chart_images(ctx, chart)


def _chart_images(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    for path, data in chart_values(chart):
        for key, value in values_images(data):
            line = value_finding_line(ctx, path, key)
            subject = f"chart {chart.name} values {key}"
            if isinstance(value, str):
                ref = parse_image(value)
                ok = not ref.floating
                yield verdict(ok, T(f"{subject}: {value}", f"{subject}: {value}"),
                              T(f"{subject}: {value} has no fixed tag",
                                f"{subject}: {value} no tiene un tag fijo"), path, line)
                continue
            tag = value.get("tag")
            digest = value.get("digest")
            policy = value.get("pullPolicy")
            en: list[str] = []
            es: list[str] = []
            source = ""
            if not digest and (tag is None or str(tag).strip() == ""):
                app = chart.app_version
                if app and app != "latest":
                    source = f" (tag defaults to Chart.yaml appVersion {app})"
                else:
                    en.append("empty tag and no appVersion in Chart.yaml")
                    es.append("tag vacío y sin appVersion en Chart.yaml")
            elif not digest and str(tag) == "latest":
                en.append("tag latest")
                es.append("tag latest")
            if policy is None:
                en.append("pullPolicy not set")
                es.append("pullPolicy sin definir")
            shown = f"{value.get('repository')}" + (f":{tag}" if tag else "") + (
                f"@{digest}" if digest else "")
            yield verdict(
                not en,
                T(f"{subject}: {shown}{source}, pullPolicy {policy}",
                  f"{subject}: {shown}{source}, pullPolicy {policy}"),
                T(f"{subject}: " + "; ".join(en), f"{subject}: " + "; ".join(es)), path, line)
