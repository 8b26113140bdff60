"""The one setup step of every command: find the repository, read and validate its
configuration, apply the command-line options, load the catalog with the rule packs the
configuration names, and check that every rule id it names exists. Any problem exits 2
with one line on stderr.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import click

from mlops_lint.parsers import ParseError

if TYPE_CHECKING:
    from mlops_lint.catalog import Catalog, Reader
    from mlops_lint.config import Config

EXIT_OK, EXIT_GATE, EXIT_USAGE = 0, 1, 2


def die(message: str) -> NoReturn:
    click.echo(f"mlops-lint: error: {message}", err=True)
    sys.exit(EXIT_USAGE)


def find_root(start: Path) -> Path:
    """The repository around ``start``: the nearest directory upwards holding ``.git``,
    else the nearest holding ``pyproject.toml`` or ``.mlops-lint.yaml``, else ``start``
    itself. Only the file system is read (no git process)."""
    here = start.resolve()
    chain = [here, *here.parents]
    for markers in ((".git",), ("pyproject.toml", ".mlops-lint.yaml", ".mlops-lint.yml")):
        for directory in chain:
            if any(os.path.lexists(directory / marker) for marker in markers):
                return directory
    return here


def did_you_mean(word: str, choices: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(word.upper(), choices, n=1, cutoff=0.6)
    return f" (did you mean {close[0]}?)" if close else ""


def rule_words(catalog: Catalog) -> list[str]:
    """Rule ids and their family prefixes (DOCK, K8S), for "did you mean"."""
    import re

    ids = [r.id for r in catalog.rules]
    families = sorted({m.group(0) for i in ids if (m := re.match(r"[A-Z]+(?:8S)?", i))})
    return [*families, *ids]


@dataclass(frozen=True)
class Setup:
    """What every command starts from: the repository, its validated configuration
    (command-line options applied) and the catalog with the configured rule packs."""

    root: Path
    display: str
    config: Config
    catalog: Catalog


@dataclass(frozen=True)
class Prepared:
    """The first half of :func:`setup`: the repository, its configuration (options
    applied) and the rule packs it names, before the catalog is loaded."""

    root: Path
    display: str
    config: Config
    packs: tuple[Path, ...]


def locate(path: str | None) -> tuple[Path, str]:
    """The repository to check and the name it is shown by."""
    if path is None:
        root = find_root(Path.cwd())
        try:
            display = os.path.relpath(root)
        except ValueError:  # another drive (Windows)
            display = str(root)
    else:
        root, display = Path(path), path
    return root, display


def prepare(path: str | None, config_file: str | None, **overrides: Any) -> Prepared:
    """Find the repository, read and validate the configuration, apply the options and
    find the rule packs. Any problem exits 2 in one line."""
    from mlops_lint.config import ConfigError, load_config

    root, display = locate(path)
    if not root.is_dir():
        die(f"path does not exist or is not a directory: {path}")
    try:
        config = load_config(root, Path(config_file) if config_file else None)
        config = config.with_overrides(**overrides)
    except ConfigError as exc:
        die(str(exc))
    packs = tuple(_pack(root, p, config.trusted) for p in config.rule_packs)
    return Prepared(root, display, config, packs)


def finish(prepared: Prepared, reader: Reader | None = None) -> Setup:
    """The second half of :func:`setup`: load the catalog and rule packs, and check that
    every rule id the configuration names exists. ``reader`` reads the built-in rule
    files (the results cache keeps them parsed)."""
    from mlops_lint.catalog import CatalogError, load_catalog

    root, config, packs = prepared.root, prepared.config, prepared.packs
    try:
        inside = root.resolve()
        try:
            catalog = load_catalog(packs, reader=reader)
        except CatalogError as exc:
            outside = next((p for p in packs if not p.resolve().is_relative_to(inside)), None)
            if outside is not None:  # never echo what was read outside the repository
                die(f"rule pack {outside}: invalid (details of a file outside the "
                     "repository are not shown)")
            raise exc from None
    except CatalogError as exc:
        die(str(exc))
    words = rule_words(catalog)
    unknown = catalog.unknown_prefixes([*config.select, *config.ignore])
    if unknown:
        die(f"unknown rule id or prefix: {unknown[0]}{did_you_mean(unknown[0], words)}")
    unknown_waivers = [w for w in config.waivers if catalog.by_id(w) is None]
    if unknown_waivers:
        first = unknown_waivers[0]
        die(f"waiver for unknown rule id: {first}{did_you_mean(first, words)}")
    return Setup(root, prepared.display, config, catalog)


def setup(path: str | None, config_file: str | None, **overrides: Any) -> Setup:
    """The one setup step of every command: find the repository, read and validate the
    configuration, apply the options, load the catalog and rule packs, and check that
    every rule id the configuration names exists. Any problem exits 2 in one line."""
    return finish(prepare(path, config_file, **overrides))


def _pack(root: Path, name: str, trusted: bool) -> Path:
    """A rule pack's path. Named by the repository's own configuration, it must resolve
    inside the repository; a ``--config`` file may name one anywhere."""
    from mlops_lint.safe_read import resolve_inside

    path = Path(name) if Path(name).is_absolute() else root / name
    if not path.is_file():
        die(f"rule pack not found: {path}")
    if not trusted:
        inside = resolve_inside(root.resolve(), path, name)
        if isinstance(inside, ParseError):
            die(f"rule pack {name}: {inside.message}")
    return path
