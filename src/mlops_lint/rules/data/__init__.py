"""Data versioning with DVC (phase 2): DATA001 DVC initialised, DATA002 data under DVC and
not git, DATA003 a remote on real storage, DATA004 a ``dvc.yaml`` pipeline.

Repository-scoped: they run once at the root. ``.dvc/config`` is INI, ``*.dvc`` pointers,
``dvc.yaml`` and ``dvc.lock`` are YAML read with line numbers. Without DVC, DATA002-DATA004
say so once ("see DATA001"). A remote on a local path reaches level 2 at most; level 3
needs real storage.

DATA005 (phase 3, project-scoped) is the data rule of the modelling code: DataFrames
validated against a pandera or Great Expectations schema. It came from the ML module and
needs nothing of the ML family (it reads the project's sources, not the modelling
analysis).
"""
