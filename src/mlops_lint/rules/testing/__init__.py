"""The test suite (phase 3): TEST001 its size, TEST002 shared fixtures, TEST003 the coverage
threshold, TEST004 measured coverage, TEST005 data tests, TEST006 model behaviour tests,
TEST007 integration tests, TEST008 isolation and markers, TEST009 load tests.

Tests are counted the way pytest collects them: files matching ``python_files``
(default ``test_*.py`` and ``*_test.py``) under ``testpaths`` when configured; module
level functions matching ``python_functions`` (default ``test*``) and methods of classes
matching ``python_classes`` (default ``Test*``, without ``__init__``) or deriving from
``unittest.TestCase``. A parametrized test counts once. Kinds of tests are recognised by
what they call and assert, not only by their file names. Nothing is run.

Every rule is project-scoped: in a monorepo each project (pyproject.toml/setup.cfg +
src/ or tests/) is judged on its own files. Static analysis only: nothing is imported,
trained or run; tests are never executed.

Shared within the family: the test inventory (``_shared``), the commands that run the
tests (``_commands``, TEST003 and TEST008) and the kinds of tests (``_kinds``, TEST005
and TEST006). The coverage ladder is the reader :mod:`mlops_lint.readers.coverage`
(shared with CI006); the served model, :mod:`mlops_lint.readers.deployment`.
"""
