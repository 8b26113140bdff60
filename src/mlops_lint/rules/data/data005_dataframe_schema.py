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
"""

from __future__ import annotations

import ast
from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.python_source import PythonIndex
from mlops_lint.readers.project_kind import project_kind
from mlops_lint.readers.training import (
    DEV_GROUPS,
    FUNCTION_NODES,
    declared,
    dependency_errors,
    last,
    library_without_data,
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


@rule("DATA005")
def dataframe_schema(ctx: Context, params: None) -> Iterator[Finding]:
    """DATA005: a pandera schema or Great Expectations suite validates DataFrames in src."""
    sources = source_files(ctx)
    yield from (parse_skip(e) for e in sources.errors)
    hit = next((h for index in sources.indexes
                if uses_any(index, ("pandera", "great_expectations"))
                for h in [_schema_hit(index)] if h), None)
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
        yield failed(T("no DataFrame schema validation (pandera DataFrameModel/DataFrameSchema "
                       "or Great Expectations) in the project code",
                       "no hay validación de esquema de DataFrames (pandera DataFrameModel/"
                       "DataFrameSchema o Great Expectations) en el código del proyecto"))
        return
    library, path, line = hit
    yield from (parse_skip(e) for e in dependency_errors(ctx))
    names = ("pandera",) if library == "pandera" else ("great-expectations",
                                                       "great_expectations")
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
