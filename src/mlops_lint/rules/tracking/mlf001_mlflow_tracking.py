"""MLF001: experiment tracking, judged on the tracker that reaches the highest level.

Any well-known tracker counts (MLflow through its API, autolog, an ``MLproject`` file or a
framework callback; W&B, DVCLive, Neptune, Comet, ClearML, Azure ML, SageMaker): what each
records comes from :func:`~mlops_lint.readers.tracking.tracking_verdicts`. The others seen
are named after the best one. Without any tracker, a project with no model of its own
(:func:`mlops_lint.readers.training.no_model_of_its_own`: a published library that fits
its callers' models, a documentation repository's teaching notebooks) is not applicable:
it has no training runs of its own to track.
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped
from mlops_lint.readers.tracking import tracking_verdicts
from mlops_lint.readers.training import (
    no_model_of_its_own,
    no_training,
    skips,
    training_errors,
)
from mlops_lint.rules import rule
from mlops_lint.rules.tracking._shared import source_errors


@rule("MLF001")
def mlflow_tracking(ctx: Context, params: None) -> Iterator[Finding]:
    """MLF001: runs of an experiment tracker with params and metrics (L1); artifacts, an
    explicit tracking location and the local run directory ignored (L2); tags and run
    names (L3). MLflow (its API, autolog, MLproject, framework callbacks), W&B, DVCLive,
    Neptune, Comet, ClearML, Azure ML and SageMaker count."""
    yield from source_errors(ctx)
    verdicts, errors = tracking_verdicts(ctx)
    yield from skips(errors)
    yield from training_errors(ctx)
    untrained = None if verdicts else no_training(
        ctx, T("there are no training runs to track", "no hay entrenamientos que seguir"),
        notebooks_count=True)
    if untrained is not None:
        yield untrained
        return
    borrowed = None if verdicts else no_model_of_its_own(ctx)
    if borrowed is not None:
        yield skipped(T("not applicable: ", "no aplica: ") + borrowed + T(
            "; it has no training runs of its own to track",
            "; no tiene entrenamientos propios que seguir"))
        return
    if not verdicts:
        for level in (1, 2, 3):
            yield failed(T("no experiment tracking in the project code (MLflow, W&B, DVCLive, "
                           "Neptune, Comet, ClearML, Azure ML or SageMaker runs)",
                           "no hay seguimiento de experimentos en el código del proyecto "
                           "(runs de MLflow, W&B, DVCLive, Neptune, Comet, ClearML, Azure ML o "
                           "SageMaker)"), level=level)
        return
    best = verdicts[0]
    others = [v.name for v in verdicts[1:]]
    via = T(f" (through {', '.join(best.via)})", f" (mediante {', '.join(best.via)})") \
        if best.via else T("", "")
    also = T(f"; also seen: {', '.join(others)}", f"; también: {', '.join(others)}") \
        if others else T("", "")
    path = best.anchor.path or None
    line = best.anchor.line or None
    missing_so_far: list[T] = []
    for level in (1, 2, 3):
        missing_so_far += best.missing[level]
        if missing_so_far:
            yield failed(T(f"{best.name} tracking", f"al seguimiento con {best.name}") + via +
                         T(" lacks: ", " le falta: ") + T.join(missing_so_far, ", ") + also,
                         path, line, level=level)
        else:
            done = T.join([label for lvl in range(1, level + 1) for label in best.done[lvl]],
                          ", ")
            yield passed(T(f"{best.name} tracking", f"el seguimiento con {best.name}") + via +
                         T(" has ", " tiene ") + done + also, path, line, level=level)
