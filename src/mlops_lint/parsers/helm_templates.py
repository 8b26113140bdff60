"""The kinds a Helm chart's unrendered templates declare, read from their text.

A template (``{{ … }}``) is not YAML until rendered, so its objects are not read as
manifests; its top-level ``kind:`` lines still say what it deploys. An object wrapped in
``{{ if .Values.x.enabled }}`` is rendered only when that value is true: the chart's
``values.yaml`` gives the default. A guard more complex than one ``.Values`` path is
left undecided.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from mlops_lint import lazy_re
from mlops_lint.parsers.k8s_model import HelmChart, dig

if TYPE_CHECKING:
    from mlops_lint.repo import Repo

# a top-level ``kind: Deployment`` (column 0: not a nested ``kind:`` such as
# scaleTargetRef's)
_KIND = lazy_re.compile(r"^kind:[ \t]*[\"']?([A-Za-z][A-Za-z0-9]{0,62})[\"']?[ \t]*(?:#[^\n]*)?$",
                        re.M)
# the actions that open a block (if, with, range, define) and the end that closes one
_ACTION = lazy_re.compile(
    r"\{\{-?[ \t]*(if|with|range|define|block|end)\b([^}\n]{0,200}?)[ \t]*-?\}\}")
_VALUES_PATH = lazy_re.compile(r"\.Values\.([A-Za-z0-9_]{1,60}(?:\.[A-Za-z0-9_]{1,60}){0,8})")
_DOC_START = lazy_re.compile(r"^---[ \t]*$", re.M)


@dataclass(frozen=True)
class TemplateObject:
    path: str
    line: int
    kind: str
    guard: str | None  # the ``.Values`` path of a simple ``if`` guard, or its text
    enabled: bool | None  # rendered with the default values; None: cannot tell


def _truthy(value: Any) -> bool:
    return value not in (None, False, 0, "", [], {}) and str(value).lower() != "false"


def _enabled(condition: str, values: Any) -> tuple[str, bool | None]:
    """The guard's text and whether the default values satisfy it."""
    match = _VALUES_PATH.fullmatch(condition.strip())
    if match is None or not isinstance(values, dict):
        return condition.strip(), None
    value = dig(values, *match.group(1).split("."))
    return match.group(1), _truthy(value)


def _open_if(text: str, start: int, end: int) -> str | None:
    """The condition of the innermost ``if`` still open at ``end``."""
    stack: list[tuple[str, str]] = []
    for action in _ACTION.finditer(text, start, end):
        if action.group(1) == "end":
            if stack:
                stack.pop()
        else:
            stack.append((action.group(1), action.group(2)))
    conditions = [cond for word, cond in stack if word == "if"]
    return conditions[-1] if conditions else None


def template_objects(repo: Repo, chart: HelmChart) -> list[TemplateObject]:
    """The objects the chart's unrendered templates declare, with their guard."""
    values = chart.values[0][1] if chart.values else None
    out: list[TemplateObject] = []
    for path in chart.templates:
        text = repo.text(path)
        if not isinstance(text, str):
            continue
        starts = [0] + [m.end() for m in _DOC_START.finditer(text)]
        for kind in _KIND.finditer(text):
            doc_start = max(s for s in starts if s <= kind.start())
            guard: str | None = None
            enabled: bool | None = True
            condition = _open_if(text, doc_start, kind.start())
            if condition is not None:
                guard, enabled = _enabled(condition, values)
            out.append(TemplateObject(path, text.count("\n", 0, kind.start()) + 1,
                                      kind.group(1), guard, enabled))
    return out


# the kinds that run pods: a chart whose template declares one deploys a workload
WORKLOAD_KINDS = frozenset({"Deployment", "StatefulSet", "DaemonSet", "Job", "CronJob",
                            "Pod", "ReplicaSet", "Rollout"})


def chart_workload(repo: Repo, chart: HelmChart) -> TemplateObject | None:
    """The first workload the chart's templates render with the default values."""
    return next((o for o in template_objects(repo, chart)
                 if o.kind in WORKLOAD_KINDS and o.enabled is not False), None)
