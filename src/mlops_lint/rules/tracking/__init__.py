"""Experiment tracking and the model registry (phase 3): MLF001 experiment tracking,
MLF002 the model signature, MLF003 the model registry, MLF004 the promotion quality gate.

Calls are recognised through their resolved import (``import mlflow as mf`` then
``mf.start_run`` is ``mlflow.start_run``; ``from mlflow import log_metric`` too). The
code looked at is the project's library and script code (``scripts/promote_model.py``
included), never its tests.

Every rule is project-scoped: in a monorepo each project (pyproject.toml/setup.cfg +
src/ or tests/) is judged on its own files. "Project code" is every ``*.py`` of the
project outside tests, docs/, notebooks/, examples/ and benchmarks/. Static analysis
only: nothing is imported, trained or run.

What the project records with each tracker (MLflow and the others) is a reader,
:mod:`mlops_lint.readers.tracking` (with :mod:`~mlops_lint.readers.trackers` and
:mod:`~mlops_lint.readers.tracker_specs`): ML007 reads it too (metrics logged to a
tracker).
"""
