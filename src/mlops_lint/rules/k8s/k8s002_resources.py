"""K8S002: requests for CPU and memory and a memory limit (level 2), and a CPU limit (level 3,
unless ``k8s-require-cpu-limit = false``).

The effective values are judged: the API server copies limits into unset requests, and a
LimitRange of the namespace fills in defaults; "0" counts as unset.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, skipped, verdict
from mlops_lint.parsers.kubernetes import (
    HelmChart,
    Manifests,
    values_resources,
)
from mlops_lint.rules import rule
from mlops_lint.rules.k8s._shared import (
    NOT_APPLICABLE,
    chart_values,
    complete,
    items,
    manifests,
    mapping,
    pod_templates,
    quien,
    template_text,
    unread,
    value_finding_line,
    who,
)

_NONZERO = lazy_re.compile(r"[1-9]")


def _quantity(value: Any) -> str | None:
    """A resource quantity, or ``None`` when unset; "0" (any zero) counts as unset."""
    if value is None or isinstance(value, (bool, dict, list)):
        return None
    text = str(value).strip()
    return text if _NONZERO.search(text) else None


@dataclass(frozen=True)
class _Defaults:
    name: str
    requests: dict[str, Any]
    limits: dict[str, Any]


def _limit_ranges(found: Manifests) -> dict[str | None, list[_Defaults]]:
    out: dict[str | None, list[_Defaults]] = {}
    for obj in found.of_kind("LimitRange"):
        for entry in items(obj.spec.get("limits")):
            if not isinstance(entry, dict) or entry.get("type", "Container") != "Container":
                continue
            default = mapping(entry.get("default"))
            request = {**default, **mapping(entry.get("defaultRequest"))}
            out.setdefault(obj.namespace, []).append(_Defaults(obj.name, request, default))
    return out


@dataclass(frozen=True)
class _Resources:
    values: dict[str, str | None]  # requests.cpu, requests.memory, limits.cpu, limits.memory
    notes_en: tuple[str, ...]
    notes_es: tuple[str, ...]


def _effective(resources: Any, defaults: list[_Defaults]) -> _Resources:
    res = mapping(resources)
    requests, limits = mapping(res.get("requests")), mapping(res.get("limits"))
    values: dict[str, str | None] = {}
    en: list[str] = []
    es: list[str] = []
    copied = []
    from_range: dict[str, list[str]] = {}
    for resource in ("cpu", "memory"):
        limit = _quantity(limits.get(resource))
        request = _quantity(requests.get(resource))
        if limit is None:
            for d in defaults:
                if _quantity(d.limits.get(resource)):
                    limit = _quantity(d.limits.get(resource))
                    from_range.setdefault(d.name, []).append(f"limits.{resource}")
                    break
        if request is None and _quantity(limits.get(resource)):
            request = _quantity(limits.get(resource))
            copied.append(resource)
        if request is None:
            for d in defaults:
                if _quantity(d.requests.get(resource)):
                    request = _quantity(d.requests.get(resource))
                    from_range.setdefault(d.name, []).append(f"requests.{resource}")
                    break
        values[f"requests.{resource}"] = request
        values[f"limits.{resource}"] = limit
    if copied:
        en.append(f"requests.{'/'.join(copied)} taken from limits (the API server copies "
                  "limits into unset requests)")
        es.append(f"requests.{'/'.join(copied)} tomados de limits (el API server copia los "
                  "limits en los requests sin definir)")
    for name, keys in from_range.items():
        en.append(f"{', '.join(keys)} from LimitRange {name}")
        es.append(f"{', '.join(keys)} del LimitRange {name}")
    return _Resources(values, tuple(en), tuple(es))


def accelerators(resources: Any) -> list[str]:
    """The accelerators a container asks for (``nvidia.com/gpu: 8``): the extended
    resources of its requests and limits whose name is a GPU or TPU."""
    res = mapping(resources)
    found: dict[str, str] = {}
    for part in ("limits", "requests"):
        for key, value in mapping(res.get(part)).items():
            name = str(key).lower()
            if "/" in name and any(w in name for w in ("gpu", "tpu", "neuron", "gaudi")) \
                    and _quantity(value):
                found.setdefault(str(key), str(value))
    return [f"{k}: {v}" for k, v in found.items()]


def _fix(missing: list[str], gpus: list[str]) -> T:
    """What to set: the missing keys; small example values only for an ordinary container,
    never for one that asks for accelerators (a model server sized for them)."""
    keys = ", ".join(missing)
    if gpus:
        shown = ", ".join(gpus)
        return T(f"Set {keys} sized for this accelerator workload ({shown}): from a measured "
                 "run, or the node's allocatable CPU and memory in proportion to the "
                 "accelerators it takes; small web-service values (256Mi) would get it "
                 "OOM-killed or throttled. Or a LimitRange with defaults in the namespace.",
                 f"Define {keys} dimensionados para esta carga con aceleradores ({shown}): "
                 "a partir de una ejecución medida, o la CPU y memoria asignables del nodo en "
                 "proporción a los aceleradores que usa; valores de un servicio web pequeño "
                 "(256Mi) harían que lo mate el OOM o lo estrangule. O un LimitRange con "
                 "valores por defecto en el namespace.")
    return T(f"Set {keys} from the container's measured usage (e.g. requests 250m/256Mi, "
             "limits 500m/512Mi for a small web service), or a LimitRange with defaults in "
             "the namespace.",
             f"Define {keys} según el consumo medido del contenedor (p. ej. requests "
             "250m/256Mi, limits 500m/512Mi para un servicio web pequeño), o un LimitRange "
             "con valores por defecto en el namespace.")


def _resource_findings(ctx: Context, eff: _Resources, who_en: str, who_es: str, path: str,
                       line: int | None, gpus: list[str] | None = None) -> Iterator[Finding]:
    v = eff.values
    summary = (f"requests cpu {v['requests.cpu'] or '-'}, memory {v['requests.memory'] or '-'};"
               f" limits cpu {v['limits.cpu'] or '-'}, memory {v['limits.memory'] or '-'}")
    notes_en = "".join(f"; {n}" for n in eff.notes_en)
    notes_es = "".join(f"; {n}" for n in eff.notes_es)
    missing2 = [k for k in ("requests.cpu", "requests.memory", "limits.memory") if not v[k]]
    yield verdict(
        not missing2,
        T(f"{who_en}: {summary}{notes_en}", f"{who_es}: {summary}{notes_es}"),
        T(f"{who_en}: missing {', '.join(missing2)} (\"0\" counts as unset){notes_en}",
          f"{who_es}: falta(n) {', '.join(missing2)} (\"0\" cuenta como sin definir){notes_es}"),
        path, line, level=2, fix=_fix(missing2, gpus or []))
    require_cpu = ctx.thresholds.k8s_require_cpu_limit
    missing3 = missing2 + (["limits.cpu"] if require_cpu and not v["limits.cpu"] else [])
    extra_en = "" if require_cpu or v["limits.cpu"] else \
        "; CPU limit not required (k8s-require-cpu-limit = false)"
    extra_es = "" if require_cpu or v["limits.cpu"] else \
        "; límite de CPU no exigido (k8s-require-cpu-limit = false)"
    yield verdict(
        not missing3,
        T(f"{who_en}: {summary}{notes_en}{extra_en}", f"{who_es}: {summary}{notes_es}{extra_es}"),
        T(f"{who_en}: missing {', '.join(missing3)}{notes_en}",
          f"{who_es}: falta(n) {', '.join(missing3)}{notes_es}"),
        path, line, level=3, fix=_fix(missing3, gpus or []))


@rule("K8S002")
@complete(2, 3)
def k8s_resources(ctx: Context, params: None) -> Iterator[Finding]:
    """K8S002: requests cpu/memory + memory limit (L2), and a CPU limit (L3)."""
    found = manifests(ctx)
    if found is None:
        yield skipped(NOT_APPLICABLE)
        return
    yield from unread(found)
    ranges = _limit_ranges(found)
    for workload in found.workloads:
        defaults = ranges.get(workload.obj.namespace, [])
        for c in workload.containers:
            eff = _effective(c.get("resources"), defaults)
            yield from _resource_findings(ctx, eff, who(c, workload), quien(c, workload),
                                          workload.path, c.line or workload.line,
                                          accelerators(c.get("resources")))
    for chart in found.charts:
        yield from _chart_resources(ctx, chart)


def _chart_resources(ctx: Context, chart: HelmChart) -> Iterator[Finding]:
    settings = [(path, key, value) for path, data in chart_values(chart)
                for key, value in values_resources(data)]
    for path, key, value in settings:
        eff = _effective(value, [])
        yield from _resource_findings(
            ctx, eff, f"chart {chart.name} values {key}", f"chart {chart.name} values {key}",
            path, value_finding_line(ctx, path, key), accelerators(value))
    pods = pod_templates(ctx, chart)
    if not settings and pods:
        texts = template_text(ctx, chart)
        if any("requests:" in texts[p] for p in pods):
            yield skipped(T(f"chart {chart.name}: resources are written in the templates (not "
                            "rendered)",
                            f"chart {chart.name}: los recursos están en las plantillas (sin "
                            "renderizar)"), pods[0])
        else:
            where = chart.values[0][0] if chart.values else chart.chart_file
            yield failed(T(f"chart {chart.name}: no resources in values.yaml nor in the "
                           "templates",
                           f"chart {chart.name}: no hay resources en values.yaml ni en las "
                           "plantillas"), where, 1)
