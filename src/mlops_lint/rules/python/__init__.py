"""Python code quality and system design (phase 1, "El Puente hacia la Ingeniería": modern
Python, project structure, system design): PY001 packaging metadata, PY002 src layout,
PY003 type hints, PY004 mypy, PY005 docstrings, PY006 a Pydantic configuration, PY007
its validation, PY008 lint and format, PY009 production code hygiene, PY010 a task
runner, PY011 complexity; DES001 architecture decision records, DES002 an architecture
document and an ML Canvas.

Scope (rules.md §0.4): the PY rules run per project (each pyproject.toml + src/ or tests/
of a monorepo). The design documents (DES001, DES002) describe the whole system and are
repository-wide: they are looked for anywhere in the repository, once. DES names no
family of its own: the two design rules live here, with the phase they belong to.

Every Python file is parsed once per run (:func:`python_index`), and whole-project
analyses shared by several rules (the library file list, the type-hint census used by
the three levels of PY003, the Pydantic model inventory used by PY006 and PY007) are
memoized on the repository.

*Library code* is ``src/**`` of the project when it has a ``src/`` directory; otherwise
every Python file of the project except tests, ``docs/``, ``scripts/``, ``examples/``,
``notebooks/``, ``benchmarks/``, ``tools/`` and entry scripts (``setup.py``,
``noxfile.py``, ``conftest.py``, ``tasks.py``, ``manage.py``, ``fabfile.py``). Generated
code (protobuf/gRPC stubs, Django and Alembic migrations, files headed "generated") is
not the project's code and is left out.
"""
