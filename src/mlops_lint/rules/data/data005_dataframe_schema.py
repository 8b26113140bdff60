"""DATA005: DataFrames are validated against a schema (pandera or Great Expectations) in
the project code, the library declared as a run-time dependency.

A pandera ``DataFrameModel``/``SchemaModel`` subclass, a function under a pandera check
decorator, a ``DataFrameSchema``/``SeriesSchema`` or any Great Expectations call counts
(resolved through the file's imports). Phase 3 and project-scoped, unlike the DVC rules
of this family; it reads the project's sources as the ML rules do, without their
modelling analysis. A project with no data is not applicable, and so is a documentation
repository (:mod:`mlops_lint.readers.project_kind`): its teaching notebooks are not project
code with a package to declare the library in. Nor is a published library with no
dataset of its own (:func:`mlops_lint.readers.training.library_without_data`): it checks
its callers' inputs, which are not its raw data.

Without a schema in the project code, a data test suite that validates the dataset with
pandera or Great Expectations (``ge.dataset.PandasDataset`` and its expectations in a
``tests/`` file or a conftest) is the equivalent: it passes when the library is declared
(a development group is enough for tests).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import PythonIndex, is_test_path, python_index
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.training import (
    DATAFRAME_MODULES,
    DEV_GROUPS,
    FUNCTION_NODES,
    declared,
    dependency_errors,
    last,
    library_without_data,
    method,
    no_data,
    nodes_of,
    parse_skip,
    source_files,
    training_errors,
    uses_any,
)
from mlops_lint.rules import rule

PANDERA_DECORATORS = ("check_types", "check_input", "check_output", "check_io")


def _pandera_node(index: PythonIndex, node: ast.AST) -> bool:
    """A DataFrameModel subclass or a function under a pandera check decorator."""
    if isinstance(node, ast.ClassDef):
        return any((index.qualname(b) or "").startswith("pandera.") and
                   last(index.qualname(b)) in ("DataFrameModel", "SchemaModel")
                   for b in node.bases)
    if isinstance(node, FUNCTION_NODES):
        targets = [d.func if isinstance(d, ast.Call) else d for d in node.decorator_list]
        return any((index.qualname(t) or "").startswith("pandera.") and
                   last(index.qualname(t)) in PANDERA_DECORATORS for t in targets)
    return False  # pragma: no cover - only classes and functions are passed


def _schema_hit(index: PythonIndex) -> tuple[str, str, int] | None:
    """(library, path, line) of the first schema validation in the file."""
    for node in nodes_of(index, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef):
        if _pandera_node(index, node):
            return "pandera", index.path, node.lineno
    for qual, call in index.calls:
        if qual.startswith("pandera.") and last(qual) in ("DataFrameSchema", "SeriesSchema"):
            return "pandera", index.path, call.lineno
        if qual.startswith(("great_expectations.", "gx.")):
            return "great-expectations", index.path, call.lineno
    return None


def _test_hit(ctx: Context) -> tuple[str, str, int] | None:
    """(library, path, line) of the first schema validation in the project's tests."""
    for path in ctx.files(["**/*.py"]):
        if not is_test_path(ctx.project.local(path)):
            continue
        index = python_index(ctx.repo, path)
        if isinstance(index, PythonIndex) and uses_any(index, ("pandera", "great_expectations")):
            hit = _schema_hit(index)
            if hit is not None:
                return hit
    return None


def _names(library: str) -> tuple[str, ...]:
    return ("pandera",) if library == "pandera" else ("great-expectations",
                                                       "great_expectations")


def _in_tests(ctx: Context, hit: tuple[str, str, int]) -> Finding:
    """The verdict on a schema validation found in the data tests."""
    library, path, line = hit
    if declared(ctx, *_names(library)) is None:
        return failed(T(f"{library} validates the data in the tests at {path}:{line} but is "
                        "not declared as a dependency",
                        f"{library} valida los datos en los tests en {path}:{line} pero no "
                        "está declarado como dependencia"), path, line,
                      fix=T(f"declare {_names(library)[0]} with the test dependencies",
                            f"declara {_names(library)[0]} con las dependencias de test"))
    return passed(T(f"{library} validates the dataset's schema in the data tests at "
                    f"{path}:{line}, declared as a dependency",
                    f"{library} valida el esquema del dataset en los tests de datos en "
                    f"{path}:{line}, declarado como dependencia"), path, line)


TABLE_READS = frozenset({"read_csv", "read_parquet", "read_excel", "read_feather", "read_table",
                         "read_json", "scan_csv", "scan_parquet"})
NOTEBOOK_READS = lazy_re.compile(r"\.read_(?:csv|parquet|excel|json|feather|table)\(")
CONDA_FILES = ("environment*.yml", "environment*.yaml", "**/environment*.yml",
               "**/environment*.yaml", "**/*conda*.yml", "**/*conda*.yaml")


def _schema_home(ctx: Context) -> T:
    """Where the schema belongs: beside the package of the module that reads the raw
    table (``src/<pkg>/``, ``<pkg>/``), else of the first module; in a notebook-only
    project, the notebook that loads the data."""
    indexes = source_files(ctx).indexes
    reader = next((i for i in indexes for qual, call in i.calls
                   if last(qual) in TABLE_READS or method(call) in TABLE_READS), None)
    chosen = reader or (indexes[0] if indexes else None)
    if chosen is None:
        notebooks = ctx.files(["**/*.ipynb"])
        notebook = next((n for n in notebooks if isinstance(text := ctx.repo.text(n), str)
                         and NOTEBOOK_READS.search(text)), notebooks[0] if notebooks else None)
        where = f" ({notebook})" if notebook else ""
        return T(f"In the notebook that loads the raw data{where}, declare a pandera "
                 "DataFrameSchema and validate the DataFrame right after loading it "
                 "(schema.validate(df))",
                 f"En el notebook que carga los datos{where}, declara un DataFrameSchema de "
                 "pandera y valida el DataFrame nada más cargarlo (schema.validate(df))")
    parts = PurePosixPath(ctx.project.local(chosen.path)).parts[:-1]
    folder = "/".join(parts[:2] if parts[:1] == ("src",) else parts[:1])
    home = ctx.path(f"{folder}/schemas.py" if folder else "schemas.py")
    return T(f"Declare a pandera DataFrameModel in {home} for the raw data and validate it "
             "when loading (Schema.validate(df) or @pa.check_types)",
             f"Declara un DataFrameModel de pandera en {home} para los datos en bruto y "
             "valídalo al cargarlos (Schema.validate(df) o @pa.check_types)")


def _dependency_home(ctx: Context) -> str:
    """Where the project declares its dependencies, to add pandera to."""
    pyproject = ctx.first("pyproject.toml")
    document = ctx.repo.toml(pyproject) if pyproject else None
    if isinstance(document, dict) and "project" in document:
        return f"[project].dependencies of {pyproject}"
    if isinstance(document, dict) and "poetry" in document.get("tool", {}):
        return f"[tool.poetry.dependencies] of {pyproject}"
    found = ctx.files(["requirements.in", "requirements.txt", "requirements*.txt"]) or \
        ctx.files(CONDA_FILES)
    return found[0] if found else ctx.path("requirements.txt")


FRAME_ROOTS = ("pandas", "polars", "pyspark", "dask", "modin", "cudf")
NOTEBOOK_FRAMES = lazy_re.compile(
    r"\b(?:import|from)\s+(?:pandas|polars|pyspark|dask|modin|cudf)\b")


def _no_dataframe(ctx: Context) -> T | None:
    """Why the project builds or reads no DataFrame, or None: its data are the arrays of a
    scikit-learn toy dataset (``load_*``, ``fetch_*``, ``make_*`` without
    ``as_frame=True``), its modules call no DataFrame library (an import alone is not a
    DataFrame) and import no validation library, and its notebooks import no DataFrame
    library."""
    imported: str | None = None
    arrays: str | None = None
    for index in source_files(ctx).indexes:
        if uses_any(index, ("pandera", "great_expectations")):
            return None  # a validation library imported: data are meant to be validated
        for qual, call in index.calls:
            if qual.split(".", 1)[0] in FRAME_ROOTS or any(
                    k.arg == "as_frame" for k in call.keywords):
                return None
            if arrays is None and qual.startswith("sklearn.datasets.") and \
                    last(qual).startswith(("load_", "fetch_", "make_")):
                arrays = f"{qual}() at {index.path}:{call.lineno}"
        if imported is None and any(index.imports(m) for m in DATAFRAME_MODULES):
            imported = index.path
    if arrays is None:
        return None  # where the data come from is not shown: they may be DataFrames
    for notebook in ctx.files(["**/*.ipynb"]):
        text = ctx.repo.text(notebook)
        if isinstance(text, str) and NOTEBOOK_FRAMES.search(text):
            return None
    also = T(f"; {imported} imports one but never calls it",
             f"; {imported} importa una pero nunca la llama") if imported else T("", "")
    return T(f"not applicable: the project's data are the arrays of {arrays}, and it builds "
             "or reads no DataFrame (no call to pandas, polars, Spark or Dask in its "
             "modules, no DataFrame library in its notebooks",
             f"no aplica: los datos del proyecto son los arrays de {arrays}, y no construye ni "
             "lee ningún DataFrame (ninguna llamada a pandas, polars, Spark o Dask en sus "
             "módulos, ninguna librería de DataFrames en sus notebooks") + also + T(
        "), so there is no DataFrame to validate", "), así que no hay DataFrames que validar")


def _no_schema(ctx: Context) -> Finding:
    deps = _dependency_home(ctx)
    return failed(T("no DataFrame schema validation (pandera DataFrameModel/DataFrameSchema "
                    "or Great Expectations) in the project code",
                    "no hay validación de esquema de DataFrames (pandera DataFrameModel/"
                    "DataFrameSchema o Great Expectations) en el código del proyecto"),
                  fix=_schema_home(ctx) + T(f", and add pandera to {deps}.",
                                            f", y añade pandera a {deps}."))


@rule("DATA005")
def dataframe_schema(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA005: a pandera schema or Great Expectations suite validates DataFrames in src."""
    sources = source_files(ctx)
    yield from (parse_skip(e) for e in sources.errors)
    hit = next((h for index in sources.indexes
                if uses_any(index, ("pandera", "great_expectations"))
                for h in [_schema_hit(index)] if h), None)
    tested = _test_hit(ctx) if hit is None else None
    if tested is not None:
        yield from (parse_skip(e) for e in dependency_errors(ctx))
        yield _in_tests(ctx, tested)
        return
    if hit is None:
        yield from training_errors(ctx)
        untrained = no_data(ctx, T("there is no DataFrame to validate",
                                   "no hay DataFrames que validar"))
        if untrained is not None:
            yield untrained
            return
        documentation = project_kind(ctx.repo).no_code()
        if documentation is not None:
            yield skipped(T("not applicable: ", "no aplica: ") + documentation + T(
                ", so there is no project code whose DataFrames a schema would validate",
                ", así que no hay código de proyecto cuyos DataFrames validaría un esquema"))
            return
        data_free = library_without_data(ctx)
        if data_free is not None:
            yield skipped(T("not applicable: ", "no aplica: ") + data_free + T(
                ", so there is no raw dataset of its own to put a schema on (its callers' "
                "inputs are theirs)", ", así que no hay un dataset propio al que ponerle un "
                "esquema (las entradas de quien la usa son suyas)"))
            return
        frameless = _no_dataframe(ctx)
        yield skipped(frameless) if frameless is not None else _no_schema(ctx)
        return
    library, path, line = hit
    yield from (parse_skip(e) for e in dependency_errors(ctx))
    names = _names(library)
    found = declared(ctx, *names)
    if found is None:
        yield failed(T(f"{library} is used at {path}:{line} but not declared as a dependency",
                       f"{library} se usa en {path}:{line} pero no está declarado como "
                       "dependencia"), path, line,
                     fix=T(f"add {names[0]} to [project].dependencies",
                           f"añade {names[0]} a [project].dependencies"))
        return
    _, groups = found
    if groups <= DEV_GROUPS:
        yield warned(T(f"{library} validates data at {path}:{line} but is declared only as a "
                       f"development dependency ({', '.join(sorted(groups))}); the library "
                       "code needs it at run time",
                       f"{library} valida datos en {path}:{line} pero solo está declarado como "
                       f"dependencia de desarrollo ({', '.join(sorted(groups))}); el código "
                       "de la librería lo necesita en ejecución"), path, line)
        return
    yield passed(T(f"{library} schema validation at {path}:{line}, declared as a dependency",
                   f"validación de esquema con {library} en {path}:{line}, declarado como "
                   "dependencia"), path, line)
