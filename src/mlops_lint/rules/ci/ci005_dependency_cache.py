"""CI005: jobs that install Python dependencies cache them (``setup-python`` cache,
``actions/cache`` keyed on ``hashFiles`` of the lockfile, ``setup-uv`` cache). GitHub
Actions only.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.ci import Job, Workflow, parse_action
from mlops_lint.rules import rule
from mlops_lint.rules.ci._shared import github_only, joined

_INSTALLS = lazy_re.compile(r"\b(pip3?|pip3\.\d+)\s+install\b|\bpoetry\s+install\b|\buv\s+sync\b|"
                            r"\buv\s+pip\s+install\b|\bpipenv\s+(install|sync)\b|\bpdm\s+(install|"
                            r"sync)\b|\bconda\s+(env\s+create|install)\b|\bmamba\s+(env\s+create|"
                            r"install)\b|\bhatch\s+env\s+create\b|\btox\b|\bnox\b")
_DEP_FILES = lazy_re.compile(r"requirements|pyproject|\.lock|lock\.|setup\.(py|cfg)|Pipfile|"
                             r"environment\.ya?ml|constraints", re.IGNORECASE)


def _cache_of(job: Job) -> tuple[str | None, T | None]:
    """(how the job caches dependencies, a weakness of that cache) — (None, None) when
    it does not."""
    weak: T | None = None
    for step in job.steps:
        if not step.uses:
            continue
        action = parse_action(step.uses)
        if "setup-python" in action.name:
            cache = str(step.with_.get("cache", "")).strip()
            if cache in ("pip", "poetry", "pipenv"):
                return f"setup-python cache: {cache}", None
        elif action.name in ("actions/cache", "actions/cache/restore"):
            key = str(step.with_.get("key", ""))
            if "hashFiles(" in key and _DEP_FILES.search(key):
                return f"actions/cache keyed on {key.strip()[:70]}", None
            weak = T(f"actions/cache key '{key.strip()[:60]}' does not hash the dependency "
                     "files (hashFiles('**/requirements*.txt', '**/pyproject.toml')): the cache "
                     "goes stale", f"la clave de actions/cache '{key.strip()[:60]}' no hashea "
                     "los archivos de dependencias (hashFiles('**/requirements*.txt', "
                     "'**/pyproject.toml')): la caché queda obsoleta")
        elif action.name.startswith("astral-sh/setup-uv"):
            enable = str(step.with_.get("enable-cache", "")).strip().lower()
            if enable == "true":
                return "setup-uv enable-cache: true", None
            if enable in ("", "auto") and (action.major or 0) >= 6:
                return "setup-uv v6+ (enable-cache: auto)", None
        elif action.name.startswith(("conda-incubator/setup-miniconda",
                                     "mamba-org/setup-micromamba")) and any(
                k in step.with_ for k in ("cache-environment", "cache-downloads")):
            return f"{action.name} cache", None
    return None, weak


Cached = list[tuple[Workflow, Job, str]]
Uncached = list[tuple[Workflow, Job]]
Weak = list[tuple[Workflow, Job, T]]


def _sorted_by_cache(installing: Uncached) -> tuple[Cached, Uncached, Weak]:
    """The installing jobs that cache (and how), those that do not, and among those the
    ones whose cache is weak (and why)."""
    cached: Cached = []
    uncached: Uncached = []
    weak: Weak = []
    for wf, job in installing:
        how, weakness = _cache_of(job)
        if how:
            cached.append((wf, job, how))
        else:
            uncached.append((wf, job))
            if weakness:
                weak.append((wf, job, weakness))
    return cached, uncached, weak


@rule("CI005")
def ci_dependency_cache(ctx: Context, params: None) -> Iterator[Finding]:
    """CI005: jobs that install Python dependencies cache them (setup-python cache,
    actions/cache keyed on hashFiles of the lockfile, setup-uv cache)."""
    found = github_only(ctx, T("setup-python/actions-cache caching",
                                "La caché de setup-python/actions-cache"))
    if not found or not isinstance(found[0], Workflow):
        yield from (f for f in found if isinstance(f, Finding))
        return
    installing: list[tuple[Workflow, Job]] = [
        (wf, job) for wf in found if isinstance(wf, Workflow) for job in wf.jobs
        if any(step.run and _INSTALLS.search(step.run) for step in job.steps)]
    if not installing:
        yield skipped(T("no job installs Python dependencies (pip/poetry/uv/pipenv install)",
                        "ningún job instala dependencias de Python (pip/poetry/uv/pipenv "
                        "install)"))
        return
    cached, uncached, weak = _sorted_by_cache(installing)
    fix = T("add 'cache: pip' to actions/setup-python (or actions/cache keyed on "
            "hashFiles('**/requirements*.txt', '**/pyproject.toml'))",
            "añade 'cache: pip' a actions/setup-python (o actions/cache con clave "
            "hashFiles('**/requirements*.txt', '**/pyproject.toml'))")
    if cached:
        wf, job, how = cached[0]
        others = T(f"; without cache: {joined(j.id for _, j in uncached)}",
                   f"; sin caché: {joined(j.id for _, j in uncached)}") if uncached else T("", "")
        yield passed(T(f"job {job.id} caches dependencies ({how})",
                       f"el job {job.id} cachea las dependencias ({how})") + others,
                     wf.path, job.line)
        return
    if weak:
        wf, job, weakness = weak[0]
        yield warned(weakness, wf.path, job.line, fix=fix)
        return
    wf, job = uncached[0]
    yield failed(T(f"no job caches its Python dependencies ({joined(j.id for _, j in uncached)}"
                   " install them on every run)",
                   f"ningún job cachea sus dependencias de Python "
                   f"({joined(j.id for _, j in uncached)} las instalan en cada ejecución)"),
                 wf.path, job.line, fix=fix)
