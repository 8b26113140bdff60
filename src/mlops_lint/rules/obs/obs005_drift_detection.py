"""OBS005: drift detection (Evidently, KS test, PSI, NannyML, alibi-detect) with an output.

A drift module passes when it writes a report (or stores its metrics for a Grafana
dashboard beside it) and signals drift (a non-zero exit code or a drift flag); the best
of the project's drift modules is reported. Without any drift module, a repository that
deploys nothing (:func:`mlops_lint.readers.deployment.deployment`: notebooks on a fixed
dataset, a training pipeline) is not applicable: there is no live data to drift.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.fastapi_app import Module
from mlops_lint.readers.deployment import deployment
from mlops_lint.rules import rule
from mlops_lint.rules.obs._shared import code_model, drift_detector

DRIFT_FLAG = lazy_re.compile(r"^(dataset_)?drift(_detected|_flag)?$|^(is|has)_drift$|"
                             r"^drift_(share|score)$|^(recommend|needs|should)_retrain(ing)?$|"
                             r"^retrain_(recommended|needed|required)$", re.IGNORECASE)


ARTIFACT_CALLS = frozenset({"save_html", "save_json", "dump", "to_html", "to_json",
                            "write_text", "log_artifact", "to_csv", "savefig", "json"})


_SQL_WRITE = lazy_re.compile(r"^\s*(insert|upsert|replace)\s+into\b|^\s*copy\s+\w+\s+from\b",
                             re.IGNORECASE)


def _dashboard_near(ctx: Context, path: str) -> str | None:
    """A Grafana dashboard (JSON with panels) in the folder of ``path`` or below it."""
    directory = str(PurePosixPath(path).parent)
    globs = ["**/*.json"] if directory == "." else [f"{directory}/**/*.json"]
    for candidate in ctx.repo.glob(globs)[:500]:
        text = ctx.repo.text(candidate)
        if isinstance(text, str) and '"panels"' in text:
            return candidate
    return None


def _stores_rows(node: ast.Call) -> bool:
    """``cursor.execute("insert into …")`` or ``DataFrame.to_sql(…)``: metrics kept in a
    database."""
    name = node.func.attr if isinstance(node.func, ast.Attribute) else ""
    if name == "to_sql":
        return True
    return name in ("execute", "executemany") and bool(node.args) and isinstance(
        node.args[0], ast.Constant) and isinstance(node.args[0].value, str) and bool(
        _SQL_WRITE.search(node.args[0].value[:200]))


EXITS = ("sys.exit", "exit", "quit", "SystemExit", "os._exit")


def _exits_non_zero(module: Module, node: ast.Call) -> bool:
    qual = module.index.qualname(node.func) or ""
    return qual in EXITS and bool(node.args) and not (
        isinstance(node.args[0], ast.Constant) and node.args[0].value in (0, None))


def _sets_flag(node: ast.AST, read_keys: set[int]) -> bool:
    """A drift flag the script sets: a string key (not one read from a result) or a
    variable it assigns."""
    return (isinstance(node, ast.Constant) and isinstance(node.value, str)
            and id(node) not in read_keys and bool(DRIFT_FLAG.match(node.value))) or (
        isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store)
        and bool(DRIFT_FLAG.match(node.id)))


def _outputs(module: Module) -> tuple[bool, bool, bool]:
    """(writes a report, signals drift, stores metric rows in a database)."""
    artifact = signal = stored = False
    # a key read from a result (result["drift_score"]) is not a flag the script sets
    read_keys = {id(n.slice) for n in ast.walk(module.tree)
                 if isinstance(n, ast.Subscript) and isinstance(n.ctx, ast.Load)}
    for node in ast.walk(module.tree):
        if isinstance(node, ast.Call):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else (
                node.func.id if isinstance(node.func, ast.Name) else "")
            artifact |= name in ARTIFACT_CALLS
            stored |= _stores_rows(node)
            signal |= _exits_non_zero(module, node)
        elif _sets_flag(node, read_keys):
            signal = True
    return artifact, signal, stored


def _drift_modules(ctx: Context) -> list[_Drift]:
    """The modules of the project's code that detect drift, with their outputs."""
    model = code_model(ctx)
    found: list[_Drift] = []
    for module in sorted(model.modules.values(), key=lambda m: m.path):
        detector = drift_detector(model, module)
        if detector is None:
            continue
        artifact, signal, stored = _outputs(module)
        board = _dashboard_near(ctx, module.path) if stored and not artifact else None
        found.append(_Drift(module, detector, artifact or board is not None, signal, board))
    return found


def _report_part(best: _Drift, found: list[_Drift], others: int) -> T:
    """The first drift module (the best one first) that writes a report."""
    for drift in [best] + [d for d in found if d is not best]:
        if drift.artifact:
            return drift.output(drift is best)
    return T("no drift module writes an HTML/JSON report",
             "ningún módulo de drift escribe un informe HTML/JSON") if others \
        else T("writes no HTML/JSON report", "no escribe informe HTML/JSON")


def _signal_part(best: _Drift, found: list[_Drift], others: int) -> T:
    """The first drift module that signals drift."""
    signalling = next((d for d in found if d.signal), None)
    if signalling is not None:
        who = "it" if signalling is best else signalling.module.path
        quien = "" if signalling is best else f"{signalling.module.path} "
        return T(f"{who} signals drift (exit code or flag)",
                 f"{quien}señala el drift (código de salida o indicador)")
    return T("none signals drift (exit code or flag)" if others else
             "does not signal drift (exit code or flag)",
             "ninguno señala el drift (código de salida o indicador)" if others
             else "no señala el drift (código de salida o indicador)")


@rule("OBS005")
def drift_detection(ctx: Context, params: None) -> Iterator[Finding]:
    """OBS005: drift detection (Evidently, KS, PSI, NannyML, alibi-detect) with output."""
    found = _drift_modules(ctx)
    best = max(found, key=lambda d: int(d.artifact) + int(d.signal), default=None)
    if best is None and not (fact := deployment(ctx.repo)).deploys:
        yield skipped(fact.nothing_deployed(T(
            ", so there is no live data whose distribution could drift",
            ", así que no hay datos en vivo cuya distribución pueda derivar")))
        return
    if best is None:
        yield failed(T("no drift detection (Evidently DataDriftPreset, scipy ks_2samp, PSI, "
                       "NannyML, alibi-detect)",
                       "no hay detección de drift (Evidently DataDriftPreset, ks_2samp de "
                       "scipy, PSI, NannyML, alibi-detect)"),
                     fix=T("Add monitoring/check_drift.py comparing reference and current data, "
                           "writing an HTML/JSON report and exiting non-zero on drift.",
                           "Añade monitoring/check_drift.py que compare datos de referencia y "
                           "actuales, escriba un informe HTML/JSON y salga con código ≠ 0 si "
                           "hay drift."))
        return
    module, detector = best.module, best.detector
    if best.artifact and best.signal:
        yield passed(T(f"{detector} drift check writes a report and signals drift",
                       f"la comprobación de drift con {detector} escribe un informe y señala "
                       "el drift"), module.path)
        return
    others = len(found) - 1
    scope_en = f" (best of {len(found)} drift modules)" if others else ""
    scope_es = f" (la mejor de {len(found)} módulos de drift)" if others else ""
    parts = [_report_part(best, found, others), _signal_part(best, found, others)]
    yield warned(T(f"{detector} drift check in {module.path}{scope_en}: ",
                   f"comprobación de drift con {detector} en {module.path}{scope_es}: ")
                 + T.join(parts), module.path,
                 fix=T("Make one drift check do both: write the report (HTML/JSON, or metrics "
                       "kept for a dashboard) and signal drift with a non-zero exit code or a "
                       "drift flag that a scheduled job or alert acts on.",
                       "Haz que una comprobación de drift haga ambas cosas: escribir el informe "
                       "(HTML/JSON, o métricas guardadas para un dashboard) y señalar el drift "
                       "con un código de salida distinto de cero o un indicador sobre el que "
                       "actúe un job programado o una alerta."))


@dataclass(frozen=True)
class _Drift:
    module: Module
    detector: str
    artifact: bool
    signal: bool
    board: str | None  # a Grafana dashboard beside the metrics it stores

    def output(self, itself: bool) -> T:
        who_en = "it" if itself else self.module.path
        who_es = "" if itself else f"{self.module.path} "
        if self.board is not None:
            return T(f"{who_en} stores its drift metrics in a database shown by the Grafana "
                     f"dashboard {self.board}",
                     f"{who_es}guarda sus métricas de drift en una base de datos que muestra "
                     f"el dashboard de Grafana {self.board}")
        return T(f"{who_en} writes a report", f"{who_es}escribe un informe")
