"""Command line: ``mlops-lint check | rules | explain``.

Heavy modules are imported inside the commands so that ``--version`` starts fast.
Exit codes: 0 gate holds, 1 gate fails, 2 usage or configuration error.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import click

from mlops_lint import __version__
from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.catalog import Catalog
    from mlops_lint.config import Config

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2
FORMAT_NAMES = ("text", "json", "sarif", "github", "markdown", "html")


def _die(message: str) -> NoReturn:
    click.echo(f"mlops-lint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def _split(values: tuple[str, ...]) -> tuple[str, ...] | None:
    items = tuple(v.strip() for value in values for v in value.split(",") if v.strip())
    return items or None


def _parse_min_level(values: tuple[str, ...]) -> int | dict[int, int] | None:
    if not values:
        return None
    single: int | None = None
    per_phase: dict[int, int] = {}
    for value in values:
        try:
            if "=" in value:
                phase, level = value.split("=", 1)
                per_phase[int(phase)] = int(level)
            else:
                single = int(value)
        except ValueError:
            _die(f"--min-level expects N or PHASE=N, got '{value}'")
    if single is not None and per_phase:
        return {p: per_phase.get(p, single) for p in range(1, 8)}
    return single if single is not None else per_phase


def _load(path: Path, config_file: Path | None) -> tuple[Config, Catalog]:
    from mlops_lint.catalog import CatalogError, load_catalog
    from mlops_lint.config import ConfigError, load_config

    try:
        config = load_config(path, config_file)
        packs = [_pack(path, p, config.trusted) for p in config.rule_packs]
        root = path.resolve()
        try:
            catalog = load_catalog(packs)
        except CatalogError as exc:
            outside = next((p for p in packs if not p.resolve().is_relative_to(root)), None)
            if outside is not None:  # never echo what was read outside the repository
                _die(f"rule pack {outside}: invalid (details of a file outside the "
                     "repository are not shown)")
            raise exc from None
    except (ConfigError, CatalogError) as exc:
        _die(str(exc))
    return config, catalog


def _pack(root: Path, name: str, trusted: bool) -> Path:
    """A rule pack's path. Named by the repository's own configuration, it must resolve
    inside the repository; a ``--config`` file may name one anywhere."""
    from mlops_lint.repo import resolve_inside

    path = Path(name) if Path(name).is_absolute() else root / name
    if not path.is_file():
        _die(f"rule pack not found: {path}")
    if not trusted:
        inside = resolve_inside(root.resolve(), path, name)
        if isinstance(inside, ParseError):
            _die(f"rule pack {name}: {inside.message}")
    return path


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, "--version", prog_name="mlops-lint")
def cli() -> None:
    """Lint a machine-learning repository against a seven-phase MLOps guide.

    The seven phases and the rules come from the Spanish-language guide
    DuqueOM/Guia_MLOps and its checklist; the mapping of its modules onto seven
    phases is this tool's own framing, not the guide's text.
    """


@cli.command()
@click.argument("path", required=False, default=".")
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
def check(path: str, formats: tuple[str, ...], outputs: tuple[str, ...], select: tuple[str, ...],
          ignore: tuple[str, ...], min_level: tuple[str, ...], fail_under: float | None,
          exit_zero: bool, baseline: str | None, write_baseline: str | None, lang: str | None,
          config_file: str | None, coverage_report: str | None) -> None:
    """Lint the repository at PATH (default: the current directory)."""
    from mlops_lint.runner import execute

    root = Path(path)
    if not root.is_dir():
        _die(f"path does not exist or is not a directory: {path}")
    config, catalog = _load(root, Path(config_file) if config_file else None)
    from mlops_lint.config import ConfigError

    try:
        config = config.with_overrides(
            select=_split(select), ignore=_split(ignore), min_level=_parse_min_level(min_level),
            fail_under=fail_under, lang=lang, coverage_report=coverage_report)
    except ConfigError as exc:
        _die(str(exc))
    unknown = catalog.unknown_prefixes([*config.select, *config.ignore])
    if unknown:
        _die(f"unknown rule id or prefix: {unknown[0]}")
    unknown_waivers = [w for w in config.waivers if catalog.by_id(w) is None]
    if unknown_waivers:
        _die(f"waiver for unknown rule id: {unknown_waivers[0]}")
    if len(outputs) > max(len(formats), 1):
        _die("more --output files than --format options")
    chosen = formats or ("text",)
    targets = [(fmt, outputs[i] if i < len(outputs) else None) for i, fmt in enumerate(chosen)]
    color = (sys.stdout.isatty() and "NO_COLOR" not in os.environ
             and os.environ.get("TERM") != "dumb")
    try:
        passed = execute(root, path, config, catalog, targets, color,
                         Path(baseline) if baseline else None,
                         Path(write_baseline) if write_baseline else None)
    except (OSError, ValueError) as exc:
        _die(str(exc))
    sys.exit(EXIT_OK if passed or exit_zero else EXIT_GATE)


@cli.command()
@click.option("--phase", type=click.IntRange(1, 7), help="Only rules of this phase.")
@click.option("--format", "fmt", type=click.Choice(["text", "json"]), default="text")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en")
def rules(phase: int | None, fmt: str, lang: str) -> None:
    """List the rule catalog."""
    import json

    from mlops_lint.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog()
    except CatalogError as exc:
        _die(str(exc))
    chosen = [r for r in catalog.rules if phase is None or r.phase == phase]
    if fmt == "json":
        payload = [r.model_dump(mode="json") for r in chosen]
        click.echo(json.dumps(payload, indent=2, ensure_ascii=False))
        return
    for rule in chosen:
        levels = ",".join(f"L{c.level}{'G' if c.gate else ''}" for c in rule.levels)
        title = rule.title.es if lang == "es" else rule.title.en
        click.echo(f"{rule.id:<8} {rule.phase}  {levels:<12} {rule.scope:<7} {title}")


@cli.command()
@click.argument("rule_id")
@click.option("--lang", type=click.Choice(["en", "es"]), default="en")
def explain(rule_id: str, lang: str) -> None:
    """Explain one rule: rationale, evidence per level, fix and guide source."""
    from mlops_lint.catalog import CatalogError, load_catalog

    try:
        catalog = load_catalog()
    except CatalogError as exc:
        _die(str(exc))
    rule = catalog.by_id(rule_id.upper())
    if rule is None:
        _die(f"unknown rule id: {rule_id}")
    es = lang == "es"

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
@click.argument("path", required=False, default=".")
@click.option("--output", type=click.Path(dir_okay=False),
              help="Write the SVG to FILE instead of stdout.")
@click.option("--lang", type=click.Choice(["en", "es"]), help="Language of the label.")
@click.option("--config", "config_file", type=click.Path(dir_okay=False),
              help="Explicit configuration file.")
def badge(path: str, output: str | None, lang: str | None, config_file: str | None) -> None:
    """Write a README badge (SVG): "MLOps maturity | L2 · 78"."""
    from mlops_lint.badge import render_badge
    from mlops_lint.config import ConfigError
    from mlops_lint.runner import build_report

    root = Path(path)
    if not root.is_dir():
        _die(f"path does not exist or is not a directory: {path}")
    config, catalog = _load(root, Path(config_file) if config_file else None)
    try:
        config = config.with_overrides(lang=lang)
    except ConfigError as exc:  # pragma: no cover - --lang is validated by click
        _die(str(exc))
    report = build_report(root, path, config, catalog)
    svg = render_badge(report.maturity.level, report.maturity.score, config.lang)
    if output is None:
        click.echo(svg, nl=False)
        return
    try:
        Path(output).write_text(svg, encoding="utf-8")
    except OSError as exc:
        _die(str(exc))


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
        _die(f"cannot read the commit message file: {exc}")
    if lang is None:
        try:
            lang = load_config(Path(".")).lang
        except ConfigError:
            lang = "en"
    outcome = judge(text, "es" if lang == "es" else "en")
    if not outcome.ok:
        click.echo(outcome.text, err=True, nl=False)
        sys.exit(EXIT_GATE)


def main() -> None:
    cli()
