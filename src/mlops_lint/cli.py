"""Command line: ``mlops-lint check | rules | explain | badge | init | commit-msg``.

Every command starts from one setup step (:func:`setup`): the repository, its validated
configuration and the catalog with its rule packs.

Heavy modules are imported inside the commands so that ``--version`` starts fast.
Exit codes: 0 gate holds, 1 gate fails, 2 usage or configuration error.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import click

from mlops_lint import __version__
from mlops_lint.startup import (
    EXIT_GATE,
    EXIT_OK,
    EXIT_USAGE,
    did_you_mean,
    die,
    find_root,
    finish,
    locate,
    prepare,
    rule_words,
    setup,
)

if TYPE_CHECKING:
    from mlops_lint.cache import Cached

FORMAT_NAMES = ("text", "json", "sarif", "github", "markdown", "html")


def _split(values: tuple[str, ...]) -> tuple[str, ...] | None:
    items = tuple(v.strip() for value in values for v in value.split(",") if v.strip())
    return items or None


def _parse_min_level(values: tuple[str, ...]) -> int | dict[int, int] | None:
    from mlops_lint.config import parse_min_level

    try:
        return parse_min_level(values)
    except ValueError as exc:
        die(f"--min-level {exc}")


def _parse_phases(values: tuple[str, ...]) -> frozenset[int]:
    chosen = set()
    for item in _split(values) or ():
        if not item.isdigit() or not 1 <= int(item) <= 7:
            die(f"--phase {item}: a phase is a number from 1 to 7")
        chosen.add(int(item))
    return frozenset(chosen)


def _options(select: tuple[str, ...], ignore: tuple[str, ...], min_level: tuple[str, ...],
             fail_under: float | None, lang: str | None,
             coverage_report: str | None) -> dict[str, Any]:
    """The command-line options that override the configuration (``None``: not given)."""
    return {"select": _split(select), "ignore": _split(ignore),
            "min_level": _parse_min_level(min_level), "fail_under": fail_under,
            "lang": lang, "coverage_report": coverage_report}


def _progress_wanted(environ: Mapping[str, str], tty: bool) -> bool:
    """Progress lines on stderr: only on a terminal, never in CI or a dumb terminal."""
    return tty and not environ.get("CI") and environ.get("TERM") != "dumb"


def use_color(environ: Mapping[str, str], tty: bool) -> bool:
    """Colour on a terminal; ``NO_COLOR`` (set and not empty) turns it off, else
    ``FORCE_COLOR`` (set, not empty, not ``0``/``false``) turns it on, even in a pipe."""
    if environ.get("NO_COLOR"):
        return False
    if environ.get("FORCE_COLOR", "").lower() not in ("", "0", "false"):
        return True
    return tty and environ.get("TERM") != "dumb"


def terminal_width() -> int:
    """Columns to wrap the text report to: ``COLUMNS``, else the terminal's, else 100."""
    import shutil

    return max(shutil.get_terminal_size((100, 24)).columns, 40)


def _workers(jobs: str | None) -> int:
    """The worker count from ``--jobs`` or the environment; a bad value exits 2."""
    from mlops_lint.pool import ENV as JOBS_ENV
    from mlops_lint.pool import parse_jobs

    try:
        return parse_jobs(jobs if jobs is not None else os.environ.get(JOBS_ENV))
    except ValueError as exc:
        die(f"--jobs: {exc}" if jobs is not None else f"{JOBS_ENV}: {exc}")


def _lookup(path: str | None, config_file: str | None,
            given: dict[str, Any]) -> Cached | None:
    """The results cache's entry for this run, looked up from the options as given: a
    hit needs no configuration parsed nor catalog loaded."""
    from mlops_lint.cache import lookup

    root, display = locate(path)
    if not root.is_dir():  # the error comes where it always did
        return None
    return lookup(root, display, given, config_file, os.environ)


def _view(quiet: bool, show_all: bool, phases: tuple[str, ...]) -> tuple[str, frozenset[int]]:
    """The text report's view and the phases it lists; incompatible options exit 2."""
    chosen = _parse_phases(phases)
    if quiet and (show_all or chosen):
        die("--quiet cannot be combined with --all or --phase")
    return ("quiet" if quiet else "all" if show_all else "default"), chosen


def _targets(formats: tuple[str, ...],
             outputs: tuple[str, ...]) -> list[tuple[str, str | None]]:
    """(format, output file or stdout) pairs, in the order given."""
    if len(outputs) > max(len(formats), 1):
        die("more --output files than --format options")
    chosen = formats or ("text",)
    return [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(chosen)]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlops-lint")
def cli() -> None:
    """Lint a machine-learning repository against a seven-phase MLOps guide.

    The seven phases and the rules come from the Spanish-language guide
    DuqueOM/Guia_MLOps and its checklist; the mapping of its modules onto seven
    phases is this tool's own framing, not the guide's text.
    """


@cli.command()
@click.argument("path", required=False)
@click.option("--format", "formats", multiple=True, type=click.Choice(FORMAT_NAMES),
              help="Report format; repeat with --output to write several.")
@click.option("--output", "outputs", multiple=True, type=click.Path(dir_okay=False),
              help="Write the report to FILE (pairs with --format in order).")
@click.option("--select", multiple=True, help="Rule ids or prefixes to run (comma-separated).")
@click.option("--ignore", multiple=True, help="Rule ids or prefixes to skip (comma-separated).")
@click.option("--min-level", "min_level", multiple=True,
              help="Gate: N for every phase, or PHASE=N (repeatable).")
@click.option("--fail-under", type=float, help="Gate on the overall /100 score.")
@click.option("--exit-zero", is_flag=True, help="Always exit 0 (report only).")
@click.option("--baseline", type=click.Path(dir_okay=False), help="Only new failures count.")
@click.option("--write-baseline", type=click.Path(dir_okay=False),
              help="Record current failures to FILE.")
@click.option("--lang", type=click.Choice(["en", "es"]), help="Language of the report.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Explicit configuration file.")
@click.option("--coverage-report", type=click.Path(dir_okay=False),
              help="A coverage.xml or coverage.json to use as evidence.")
@click.option("--show-config", is_flag=True,
              help="Print the effective configuration and where it came from, then exit.")
@click.option("--all", "show_all", is_flag=True,
              help="Text report: list every finding (default: what fails the gate and the "
                   "blockers of each phase's next level, the rest as a count).")
@click.option("--phase", "phases", multiple=True,
              help="Text report: every finding of phase N only (repeatable or N,M).")
@click.option("--quiet", "-q", is_flag=True,
              help="Text report: the phase table and the gate result only.")
@click.option("--no-cache", "no_cache", is_flag=True,
              help="Neither read nor write the results cache (also MLOPS_LINT_NO_CACHE=1).")
@click.option("--jobs", "-j", "jobs", metavar="N",
              help="Worker processes evaluating the rules: N, or 'auto' (one per CPU, up "
                   "to 4); default 1, in-process; also MLOPS_LINT_JOBS. Linux only, "
                   "repositories of 300 files or more. The report is the same whatever N.")
def check(path: str | None, formats: tuple[str, ...], outputs: tuple[str, ...],
          select: tuple[str, ...], ignore: tuple[str, ...], min_level: tuple[str, ...],
          fail_under: float | None, exit_zero: bool, baseline: str | None,
          write_baseline: str | None, lang: str | None, config_file: str | None,
          coverage_report: str | None, show_config: bool, show_all: bool,
          phases: tuple[str, ...], quiet: bool, no_cache: bool, jobs: str | None) -> None:
    """Lint the repository at PATH (default: the repository around the current
    directory: the nearest parent with .git, else with pyproject.toml).

    Results are cached in the user cache directory: a re-run on an unchanged
    repository evaluates no rule and prints the same report (--no-cache to bypass)."""
    workers = _workers(jobs)
    if show_config:
        from mlops_lint.config_render import render_config

        options = _options(select, ignore, min_level, fail_under, lang, coverage_report)
        given = any(value is not None for value in options.values())
        click.echo(render_config(setup(path, config_file, **options).config, given), nl=False)
        return
    cached = None if no_cache else _lookup(path, config_file, {
        "select": select, "ignore": ignore, "min_level": min_level, "fail_under": fail_under,
        "lang": lang, "coverage_report": coverage_report})
    reader = cached.cache.parsed if cached is not None else None
    ready = None
    if cached is None or cached.hit is None:
        options = _options(select, ignore, min_level, fail_under, lang, coverage_report)
        prepared = prepare(path, config_file, **options)
        if cached is not None:
            cached.packs = prepared.packs
        ready = finish(prepared, reader)
    targets = _targets(formats, outputs)
    view, chosen_phases = _view(quiet, show_all, phases)
    color = use_color(os.environ, sys.stdout.isatty())
    width = terminal_width()
    try:
        passed = None
        if cached is not None and baseline is None and write_baseline is None:
            from mlops_lint.cache import replay

            passed = replay(cached, targets, color, width, view, chosen_phases)
        if passed is None:
            from mlops_lint.runner import execute

            if ready is None:
                options = _options(select, ignore, min_level, fail_under, lang,
                                   coverage_report)
                ready = finish(prepare(path, config_file, **options), reader)
            passed = execute(ready.root, ready.display, ready.config, ready.catalog, targets,
                             color, Path(baseline) if baseline else None,
                             Path(write_baseline) if write_baseline else None,
                             width, view, chosen_phases,
                             _progress_wanted(os.environ, sys.stderr.isatty()), cached,
                             workers)
    except (OSError, ValueError) as exc:
        die(str(exc))
    sys.exit(EXIT_OK if passed or exit_zero else EXIT_GATE)


@cli.command()
@click.option("--phase", type=click.IntRange(1, 7), help="Only rules of this phase.")
@click.option("--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              help="markdown: the rule reference (docs/rules.md is its output).")
@click.option("--lang", type=click.Choice(["en", "es"]), help="Language of the titles.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Explicit configuration file (its rule packs are listed too).")
def rules(phase: int | None, fmt: str, lang: str | None, config_file: str | None) -> None:
    """List the rule catalog, with the rule packs of the current repository."""
    import json

    ready = setup(None, config_file, lang=lang)
    chosen = [r for r in ready.catalog.rules if phase is None or r.phase == phase]
    if fmt == "json":
        payload = [r.model_dump(mode="json") for r in chosen]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    if fmt == "markdown":
        from dataclasses import replace

        from mlops_lint.rules_doc import rules_markdown

        catalog = replace(ready.catalog, rules=tuple(chosen), phases=tuple(
            p for p in ready.catalog.phases if phase is None or p.phase == phase))
        click.echo(rules_markdown(catalog, ready.config.lang), nl=False)
        return
    for rule in chosen:
        levels = ",".join(f"L{c.level}{'G' if c.gate else ''}" for c in rule.levels)
        title = rule.title.es if ready.config.lang == "es" else rule.title.en
        click.echo(f"{rule.id:<8} {rule.phase}  {levels:<12} {rule.scope:<7} {title}")


@cli.command()
@click.argument("rule_id")
@click.option("--lang", type=click.Choice(["en", "es"]), help="Language of the text.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Explicit configuration file (its rule packs can be explained too).")
def explain(rule_id: str, lang: str | None, config_file: str | None) -> None:
    """Explain one rule: rationale, evidence per level, fix and guide source."""
    ready = setup(None, config_file, lang=lang)
    catalog = ready.catalog
    rule = catalog.by_id(rule_id.upper())
    if rule is None:
        die(f"unknown rule id: {rule_id}{did_you_mean(rule_id, rule_words(catalog))}")
    es = ready.config.lang == "es"

    def pick(text: object) -> str:
        return str(getattr(text, "es" if es else "en"))

    phase = catalog.phase(rule.phase)
    lines = [
        f"{rule.id} — {pick(rule.title)}",
        f"{'Fase' if es else 'Phase'} {rule.phase} ({pick(phase.name)}); "
        f"{'ámbito' if es else 'scope'}: {rule.scope}; {'tipo' if es else 'kind'}: {rule.kind}",
        "",
        ("Por qué importa:" if es else "Why it matters:"),
        f"  {pick(rule.rationale)}",
        "",
        ("Evidencia por nivel:" if es else "Evidence per level:"),
    ]
    for crit in rule.levels:
        gate = (" (puerta)" if es else " (gate)") if crit.gate else ""
        lines.append(f"  L{crit.level}{gate}: {pick(crit.text)}")
    lines += ["", ("Cómo arreglarlo:" if es else "How to fix:"), f"  {pick(rule.fix)}"]
    if rule.example:
        lines += ["", ("Ejemplo:" if es else "Example:"), *("  " + x for x in
                                                           rule.example.splitlines())]
    lines += ["", ("Fuente en la guía:" if es else "Guide source:"), f"  {rule.source}"]
    if rule.checklist:
        lines.append(f"  {rule.checklist}")
    if rule.threshold:
        lines.append(f"  {'Umbral' if es else 'Threshold'}: {rule.threshold}")
    click.echo("\n".join(lines))


@cli.command()
@click.argument("path", required=False)
@click.option("--output", type=click.Path(dir_okay=False),
              help="Write the SVG to FILE instead of stdout.")
@click.option("--lang", type=click.Choice(["en", "es"]), help="Language of the label.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Explicit configuration file.")
def badge(path: str | None, output: str | None, lang: str | None,
          config_file: str | None) -> None:
    """Write a README badge (SVG): "MLOps maturity | L2 · 78"."""
    from mlops_lint.badge import render_badge
    from mlops_lint.runner import build_report

    ready = setup(path, config_file, lang=lang)
    report = build_report(ready.root, ready.display, ready.config, ready.catalog)
    svg = render_badge(report.maturity.level, report.maturity.score, ready.config.lang)
    if output is None:
        click.echo(svg, nl=False)
        return
    try:
        Path(output).write_text(svg, encoding="utf-8")
    except OSError as exc:
        die(str(exc))


@cli.command()
@click.argument("path", required=False)
@click.option("--phase", "phases", multiple=True, type=click.IntRange(1, 7),
              help="Only the templates of this phase (repeatable; default: every phase).")
@click.option("--lang", type=click.Choice(["en", "es"]), help="Language of the templates.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Explicit configuration file.")
def init(path: str | None, phases: tuple[int, ...], lang: str | None,
         config_file: str | None) -> None:
    """Write the guide's templates the repository lacks: ADR, Makefile, pre-commit,
    .dockerignore, CI gate workflow, model card, data card. Never over an existing
    file; `check` itself never writes."""
    from mlops_lint.model import T
    from mlops_lint.scaffold import scaffold

    ready = setup(path, config_file, lang=lang)
    lang_ = ready.config.lang
    outcomes = scaffold(ready.root, set(phases) or None, lang_, ready.config.exclude)
    for outcome in outcomes:
        click.echo(f"  {outcome.template.target:<56} {outcome.reason(lang_)}")
    written = sum(o.written for o in outcomes)
    failed = [o for o in outcomes if not o.written and o.reason.en.startswith("not written")]
    if not outcomes:
        click.echo(T("No template for this phase.", "No hay plantilla para esta fase.")(lang_))
    click.echo(T(f"{written} file(s) written, {len(outcomes) - written} skipped. Fill in the "
                 "{placeholders}; mlops-lint check shows what is left.",
                 f"{written} archivo(s) escritos, {len(outcomes) - written} omitidos. Rellena "
                 "los {marcadores}; mlops-lint check muestra lo que falta.")(lang_))
    if failed:
        sys.exit(EXIT_USAGE)


@cli.command("commit-msg")
@click.argument("message_file", type=click.Path(dir_okay=False))
@click.option("--lang", type=click.Choice(["en", "es"]),
              help="Language of the explanation (default: the repository's configuration).")
def commit_msg(message_file: str, lang: str | None) -> None:
    """Check a commit message file against Conventional Commits (the commit-msg hook)."""
    from mlops_lint.commit_msg import judge, read_message
    from mlops_lint.config import ConfigError, load_config

    try:
        text = read_message(Path(message_file))
    except OSError as exc:
        die(f"cannot read the commit message file: {exc}")
    if lang is None:
        try:
            lang = load_config(find_root(Path.cwd())).lang
        except ConfigError:
            lang = "en"
    outcome = judge(text, "es" if lang == "es" else "en")
    if not outcome.ok:
        click.echo(outcome.text, err=True, nl=False)
        sys.exit(EXIT_GATE)


def main() -> None:
    cli()
