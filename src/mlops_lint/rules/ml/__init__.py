"""The modelling code (phase 3): ML001 the unified scikit-learn Pipeline, ML002 the
ColumnTransformer, ML003 custom transformers, ML004 seeds, ML005 leakage guards, ML006
cross-validation, ML007 the saved artefact and its metrics.

Static analysis of the shared per-file AST, with import aliases resolved
(``from sklearn.pipeline import Pipeline as P`` and ``import sklearn.pipeline as skp``
both read as ``sklearn.pipeline.Pipeline``). Values are followed through simple
assignments (``pipe = Pipeline(...)``; ``pipe.fit(...)``), attributes of ``self`` within
a class, and functions that return them (``build_pipeline()`` called elsewhere), up to
three calls deep. Nothing is imported or run. The code looked at is the project's
library and script code: every ``*.py`` outside tests, docs, notebooks and examples.

Every rule is project-scoped: in a monorepo each project (pyproject.toml/setup.cfg +
src/ or tests/) is judged on its own files. "Project code" is every ``*.py`` of the
project outside tests, docs/, notebooks/, examples/ and benchmarks/ (library code and
scripts such as ``scripts/promote_model.py``). Static analysis only: nothing is imported,
trained or run.

DATA005 (DataFrame schemas), which lived in the same module, is in the data family
(``rules/data/``): it needs nothing of this family. ML007 reads what the experiment
trackers record through the reader :mod:`mlops_lint.readers.tracking`, shared with the
tracking family.
"""
