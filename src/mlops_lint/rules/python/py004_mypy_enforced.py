"""PY004: L2 mypy configured (untyped defs disallowed; a lax config warns); L3 mypy run
automatically where failures block (a pre-commit hook that matches files or a blocking
CI step).

Without a configuration where mypy looks from the project root, a sub-folder package's
own is read (:func:`mlops_lint.readers.python_project.package_dirs`). A hook whose
filters select no Python file is shown with them (:mod:`mlops_lint.readers.hook_filters`).
"""

from __future__ import annotations

from collections.abc import Iterator

from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers import ParseError
from mlops_lint.parsers.ci import CI_NAMES
from mlops_lint.parsers.invocations import MYPY, Invocation, tool_runs
from mlops_lint.parsers.mypy_config import MypyConfig, find_mypy_config
from mlops_lint.readers.ci_config import ci_system
from mlops_lint.readers.hook_filters import multiline_filter_hint, shown_filter
from mlops_lint.readers.python_project import code_dirs, package_dirs
from mlops_lint.readers.templates import is_template, template_reason
from mlops_lint.rules import rule
from mlops_lint.rules.python._shared import dirs


def _dead_hook_reason(run: Invocation) -> T:
    hook = run.hook
    assert hook is not None
    if run.problem:
        return T(f"the pre-commit mypy hook ({run.describe()}) has an {run.problem}",
                 f"el hook mypy de pre-commit ({run.describe()}) tiene una expresión inválida: "
                 f"{run.problem}")
    filters = ", ".join(f"{k}: {shown_filter(v)}" for k, v in (
        ("files", hook.files), ("exclude", hook.exclude if not hook.files else None),
        ("types", ",".join(hook.types))) if v) or "its filters"
    hint = multiline_filter_hint(hook)
    return T(f"the pre-commit mypy hook ({run.describe()}) never runs: {filters} matches none "
             "of the repository's Python files",
             f"el hook mypy de pre-commit ({run.describe()}) nunca se ejecuta: {filters} no "
             "coincide con ningún archivo Python del repositorio") + (
        T(" (", " (") + hint + T(")", ")") if hint else T("", ""))


def _config_fix(ctx: Context) -> T:
    """Where to add the configuration: the project's pyproject.toml when it has one."""
    pyproject = ctx.path("pyproject.toml")
    where = f"[tool.mypy] in {pyproject}" if ctx.repo.exists(pyproject) else \
        f"a [mypy] section in {ctx.path('mypy.ini')}"
    donde = f"[tool.mypy] en {pyproject}" if ctx.repo.exists(pyproject) else \
        f"una sección [mypy] en {ctx.path('mypy.ini')}"
    return T(f"Add {where} with strict = true (or disallow_untyped_defs = true), then run "
             "mypy automatically (see level 3).",
             f"Añade {donde} con strict = true (o disallow_untyped_defs = true) y ejecuta "
             "mypy automáticamente (ver nivel 3).")


_CODE_CHECKS = ("flake8", "ruff", "pylint", "black", "pytest", "lint")


def _checks_code(ctx: Context, path: str) -> bool:
    """A CI file that already lints or tests the code: where a mypy step belongs."""
    text = ctx.repo.text(path)
    return isinstance(text, str) and any(w in text[:200_000] for w in _CODE_CHECKS)


def _run_fix(ctx: Context) -> T:
    """Run mypy on the project's own code folders, in the CI system the repository has."""
    command = "mypy " + " ".join(code_dirs(ctx.project.files, ctx.project.path))
    found = ci_system(ctx.repo)
    if found is None:
        where, donde = "a CI step", "un paso de CI"
    else:
        system, files = found
        files = sorted(files, key=lambda f: not _checks_code(ctx, f))
        shown = ", ".join(files[:2]) + (", …" if len(files) > 2 else "")
        name = CI_NAMES.get(system, system)
        kind, tipo = ("workflow", "workflow") if system == "github" else ("pipeline", "pipeline")
        where = f"a step of the {name} {kind} ({shown})" if shown else f"a {name} step"
        donde = f"un paso del {tipo} de {name} ({shown})" if shown else f"un paso de {name}"
    return T(f"Run `{command}` as {where} whose failure fails the build (no "
             "continue-on-error, no || true), or add the mirrors-mypy pre-commit hook and "
             "run pre-commit in CI.",
             f"Ejecuta `{command}` como {donde} cuyo fallo rompa el build (sin "
             "continue-on-error ni || true), o añade el hook mirrors-mypy de pre-commit y "
             "ejecuta pre-commit en CI.")


def _mypy_config_problem(config: MypyConfig | ParseError | None,
                         fix: T | None = None) -> Finding | None:
    """A level-2 failure about the configuration itself, or None when it is usable."""
    if config is None:
        return failed(T("no mypy configuration ([tool.mypy], mypy.ini, .mypy.ini or setup.cfg "
                        "[mypy])", "no hay configuración de mypy ([tool.mypy], mypy.ini, "
                        ".mypy.ini o setup.cfg [mypy])"), level=2, fix=fix)
    if isinstance(config, ParseError):
        return failed(T(f"the mypy configuration does not parse: {config.message}",
                        f"la configuración de mypy no se puede leer: {config.message}"),
                      config.path, config.line, level=2)
    if not (config.strict or config.disallow_untyped_defs):
        return warned(T(f"{config.section} in {config.path} sets neither strict = true nor "
                        "disallow_untyped_defs = true: untyped functions are not checked",
                        f"{config.section} en {config.path} no fija strict = true ni "
                        "disallow_untyped_defs = true: las funciones sin tipos no se "
                        "comprueban"), config.path, config.line, level=2)
    return None


def _not_enforced(dead: list[Invocation], swallowed: list[Invocation],
                  fix: T | None = None) -> Finding:
    """Level 3: why no run enforces mypy: hooks that never run, swallowed failures, or
    no automatic run."""
    reasons = [_dead_hook_reason(r) for r in dead]
    if swallowed:
        reasons.append(T(f"mypy runs in {swallowed[0].describe()} but its failures are "
                         "ignored (continue-on-error, || true, set +e or a '-' recipe "
                         "prefix), which is not enforcement",
                         f"mypy se ejecuta en {swallowed[0].describe()} pero se ignoran sus "
                         "fallos (continue-on-error, || true, set +e o prefijo '-'), lo que "
                         "no es hacerlo cumplir"))
    if not reasons:
        reasons.append(T("mypy is not run automatically by CI or a pre-commit hook",
                         "mypy no se ejecuta automáticamente en CI ni en un hook de "
                         "pre-commit"))
    culprit = next(iter(dead or swallowed), None)
    return failed(T.join(reasons), culprit.path if culprit else None,
                  culprit.line if culprit else None, level=3, fix=fix)


def _mypy_configured(config: MypyConfig) -> Finding:
    shadow = T(f" ({', '.join(config.shadowed)} ignored: mypy reads only {config.path})",
               f" ({', '.join(config.shadowed)} se ignora: mypy solo lee {config.path})"
               ) if config.shadowed else T("", "")
    mode = "strict = true" if config.strict else "disallow_untyped_defs = true"
    return passed(T(f"{config.section} in {config.path} sets {mode}",
                    f"{config.section} en {config.path} fija {mode}") + shadow,
                  config.path, config.line, level=2)


def _mypy_runs(config: MypyConfig | None, run: Invocation) -> Finding:
    """Level 3 (levels.md, phase 1): the type checker runs automatically and blocks."""
    strict = (config is not None and config.strict) or "--strict" in run.argv
    advice = T("", "") if strict else T(
        " (not strict: strict = true or --strict checks more)",
        " (no estricto: strict = true o --strict comprueban más)")
    return passed(T(f"mypy runs and blocks in {run.describe()}",
                    f"mypy se ejecuta y bloquea en {run.describe()}") + advice,
                  run.path, run.line, level=3)


@rule("PY004")
def mypy_enforced(ctx: Context, params: None) -> Iterator[Finding]:
    """PY004: L2 mypy configured (untyped defs disallowed; a lax config warns); L3 mypy
    run automatically where failures block (a pre-commit hook that matches files or a
    blocking CI step)."""
    config = find_mypy_config(ctx.repo, dirs(ctx))
    if config is None:
        # none where mypy would look from the project root: a sub-folder package's own
        # (mypy run from that folder reads it)
        for directory in package_dirs(ctx):
            config = find_mypy_config(ctx.repo, [directory])
            if config is not None:
                break
    runs = tool_runs(ctx.repo, MYPY, dirs(ctx))
    live = [r for r in runs if r.checks_files]
    automatic = [r for r in live if r.blocking and r.where in ("ci", "pre-commit")]
    problem = _mypy_config_problem(config, _config_fix(ctx))
    if isinstance(config, ParseError) and config.path and is_template(ctx.repo, config.path):
        yield skipped(template_reason(config.path), config.path, level=2)
    elif problem is not None:
        yield problem
    elif isinstance(config, MypyConfig):
        yield _mypy_configured(config)
    if automatic:
        yield _mypy_runs(config if isinstance(config, MypyConfig) else None, automatic[0])
    else:
        yield _not_enforced([r for r in runs if not r.checks_files],
                            [r for r in live if not r.blocking], _run_fix(ctx))
