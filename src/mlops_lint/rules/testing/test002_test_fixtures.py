"""TEST002: a conftest.py shares at least one pytest fixture, and the synthetic data the
tests draw is seeded."""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, warned
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.readers.training import (
    last,
)
from mlops_lint.rules import rule
from mlops_lint.rules.testing._shared import (
    fixture_functions,
    no_python,
    suite,
)

RANDOM_STDLIB = frozenset({"random", "randint", "choice", "choices", "shuffle", "uniform",
                           "gauss", "sample", "normalvariate"})


def _unseeded_random(index: PythonIndex) -> int | None:
    """Line of random data drawn without a seed in a conftest."""
    seeded_np = any(q in ("numpy.random.seed",) for q, _ in index.calls)
    seeded_std = any(q == "random.seed" for q, _ in index.calls)
    for qual, call in index.calls:
        if qual.startswith("numpy.random."):
            name = last(qual)
            if name in ("default_rng", "RandomState", "Generator", "PCG64", "SeedSequence"):
                if not call.args and not call.keywords:
                    return call.lineno
            elif name != "seed" and not seeded_np:
                return call.lineno
        elif (qual.startswith("random.") and last(qual) in RANDOM_STDLIB and
              not seeded_std) or (qual.startswith("sklearn.datasets.make_") and not any(
                  k.arg == "random_state" for k in call.keywords)):
            return call.lineno
    return None


@rule("TEST002")
def shared_fixtures(ctx: Context, params: None) -> Iterator[Finding]:
    """TEST002: a conftest.py shares >= 1 pytest fixture; synthetic data is seeded."""
    found = suite(ctx)
    absent = no_python(ctx) if not found.conftests else None
    if absent is not None:
        yield absent
        return
    if not found.conftests:
        detail = T("" if found.cases else " (and no tests at all)",
                   "" if found.cases else " (y ningún test)")
        yield failed(T("no conftest.py with shared fixtures", "no hay conftest.py con fixtures "
                       "compartidas") + detail,
                     fix=T("create tests/conftest.py with @pytest.fixture functions "
                           "(sample data seeded with np.random.default_rng(42))",
                           "crea tests/conftest.py con funciones @pytest.fixture (datos de "
                           "ejemplo con semilla np.random.default_rng(42))"))
        return
    total = 0
    for index in found.conftests:
        fixtures = fixture_functions(index)
        total += len(fixtures)
        if not fixtures:
            continue
        line = _unseeded_random(index)
        if line is not None:
            yield warned(T(f"{index.path} draws random data without a seed (line {line}): "
                           "tests are not reproducible",
                           f"{index.path} genera datos aleatorios sin semilla (línea {line}): "
                           "los tests no son reproducibles"), index.path, line,
                         fix=T("rng = np.random.default_rng(42)",
                               "rng = np.random.default_rng(42)"))
        else:
            names = ", ".join(f.name for f in fixtures[:5])
            yield passed(T(f"{index.path} shares {len(fixtures)} fixture(s): {names}",
                           f"{index.path} comparte {len(fixtures)} fixture(s): {names}"),
                         index.path, fixtures[0].lineno)
    if total == 0:
        first = found.conftests[0]
        yield failed(T(f"{first.path} defines no @pytest.fixture",
                       f"{first.path} no define ningún @pytest.fixture"), first.path, 1)
