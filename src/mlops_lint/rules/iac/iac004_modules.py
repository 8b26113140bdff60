"""IAC004: modules of its own (``modules/<name>/`` with main.tf, variables.tf, outputs.tf)
called with a local ``source``; external modules pinned (``?ref=`` or ``version``).

A module whose blocks sit outside their conventional files warns (a naming convention);
a module without an interface, or that nothing calls, fails.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, warned
from mlops_lint.parsers.terraform import (
    Block,
    TfFile,
)
from mlops_lint.rules import rule
from mlops_lint.rules.iac._shared import (
    NOT_APPLICABLE,
    Config,
    TfDir,
    module_target,
    read_config,
)

_REGISTRY_SOURCE = lazy_re.compile(r"^(?:[\w.-]+\.[a-z]{2,}/)?[\w-]+/[\w-]+/[\w-]+(?://.*)?$")


def _module_pin(source: str, body: dict[str, Any]) -> tuple[str, str] | None:
    if source.startswith(("./", "../")):
        return None
    if source.startswith("git::") or "github.com/" in source or source.startswith("git@"):
        if "?ref=" not in source and "&ref=" not in source:
            return "git source without ?ref=", "fuente git sin ?ref="
        return None
    if _REGISTRY_SOURCE.match(source) and not body.get("version"):
        return "registry module without version", "módulo del registry sin version"
    return None


@dataclass(frozen=True)
class _Call:
    tf: TfFile
    block: Block
    source: str
    line: int | None

    @property
    def name(self) -> str:
        return self.block.labels[0] if self.block.labels else "?"

    @property
    def local(self) -> bool:
        return self.source.startswith(("./", "../"))

    @property
    def target(self) -> str:
        return module_target(self.tf.directory, self.source)


def _module_calls(config: Config) -> list[_Call]:
    return [_Call(tf, block, block.body["source"], tf.attribute_line(block, "source"))
            for tf in config.files for block in tf.of("module")
            if isinstance(block.body.get("source"), str)]


def _call_problems(config: Config, calls: list[_Call]) -> Iterator[Finding]:
    for call in calls:
        problem = _module_pin(call.source, call.block.body)
        if problem is not None:
            git = problem[0].startswith("git")
            yield failed(T(f"module {call.name}: {problem[0]} ({call.source})",
                           f"módulo {call.name}: {problem[1]} ({call.source})"),
                         call.tf.path, call.line,
                         fix=T(f"Pin module {call.name} to a tag: source = "
                               f"\"{call.source}?ref=<tag>\"." if git else
                               f"Pin module {call.name}: version = \"~> X.Y\" (the release "
                               "you tested).",
                               f"Fija el módulo {call.name} a una etiqueta: source = "
                               f"\"{call.source}?ref=<tag>\"." if git else
                               f"Fija el módulo {call.name}: version = \"~> X.Y\" (la versión "
                               "que probaste)."))
        if call.local and call.target not in config.dirs:
            yield failed(T(f"module {call.name}: source {call.source} has no .tf files",
                           f"módulo {call.name}: la fuente {call.source} no tiene archivos "
                           ".tf"), call.tf.path, call.line)


# the standard module structure: the blocks each file holds (output.tf and variable.tf
# are common spellings of the same convention)
_LAYOUT = (("variables.tf", "variable", ("variables.tf", "variable.tf")),
           ("outputs.tf", "output", ("outputs.tf", "output.tf")))


def _layout_gaps(module: TfDir) -> tuple[list[str], list[str], list[str], list[str]]:
    """(missing en/es: an interface the module does not declare at all; misplaced en/es:
    blocks declared outside their conventional file)."""
    missing_en: list[str] = []
    missing_es: list[str] = []
    misplaced_en: list[str] = []
    misplaced_es: list[str] = []
    for conventional, block, names in _LAYOUT:
        holders = sorted({PurePosixPath(f.path).name for f in module.files if f.of(block)})
        if not holders:
            missing_en.append(f"no {block} blocks ({conventional})")
            missing_es.append(f"sin bloques {block} ({conventional})")
        elif not any(h in names for h in holders):
            misplaced_en.append(f"its {block} blocks are declared in {', '.join(holders)}, not "
                                f"in {conventional}")
            misplaced_es.append(f"sus bloques {block} están en {', '.join(holders)}, no en "
                                f"{conventional}")
    if not any(PurePosixPath(f.path).name == "main.tf" for f in module.files):
        misplaced_en.append("no main.tf")
        misplaced_es.append("sin main.tf")
    return missing_en, missing_es, misplaced_en, misplaced_es


def _layout_fix(path: str, missing: list[str], uncalled: bool) -> T:
    """Only what is missing: the interface blocks the module lacks, a call (or removal)
    when nothing calls it."""
    en: list[str] = []
    es: list[str] = []
    wanted = [(b, f) for _, b, _ in _LAYOUT for f in (_LAYOUT_FILE[b],)
              if any(m.startswith(f"no {b} blocks") for m in missing)]
    if wanted:
        en.append(f"declare the module's interface in {path}: " + " and ".join(
            f"{b} blocks in {f}" for b, f in wanted))
        es.append(f"declara la interfaz del módulo en {path}: " + " y ".join(
            f"bloques {b} en {f}" for b, f in wanted))
    if uncalled:
        en.append(f"call {path} from a configuration (module \"<name>\" {{ source = \"…\" }}) "
                  "or remove it if it is unused")
        es.append(f"llama a {path} desde una configuración (module \"<nombre>\" {{ source = "
                  "\"…\" }}) o elimínalo si no se usa")
    sentence_en = "; ".join(en)
    sentence_es = "; ".join(es)
    return T(sentence_en[:1].upper() + sentence_en[1:] + ".",
             sentence_es[:1].upper() + sentence_es[1:] + ".")


_LAYOUT_FILE = {"variable": "variables.tf", "output": "outputs.tf"}


def _module_layout(config: Config, calls: list[_Call]) -> Iterator[Finding]:
    called = {c.target for c in calls if c.local}
    for _, module in sorted(config.dirs.items()):
        if PurePosixPath(module.path).parent.name != "modules":
            continue
        missing_en, missing_es, misplaced_en, misplaced_es = _layout_gaps(module)
        uncalled = module.path not in called
        head_en, head_es = f"module {module.path}: ", f"módulo {module.path}: "
        if missing_en or uncalled:
            en = missing_en + (["not called by any configuration"] if uncalled else [])
            es = missing_es + (["ninguna configuración lo llama"] if uncalled else [])
            yield failed(T(head_en + "; ".join(en + misplaced_en),
                           head_es + "; ".join(es + misplaced_es)), module.files[0].path, None,
                         fix=_layout_fix(module.path, missing_en, uncalled))
        elif misplaced_en:
            yield warned(T(head_en + "; ".join(misplaced_en) + " (the standard module "
                           "structure keeps them apart)",
                           head_es + "; ".join(misplaced_es) + " (la estructura estándar de "
                           "módulos los separa)"), module.files[0].path, None,
                         fix=T(f"Move the blocks into their conventional files in "
                               f"{module.path} (variables.tf, outputs.tf, main.tf); a naming "
                               "convention, the module's interface is already declared.",
                               f"Mueve los bloques a sus archivos convencionales en "
                               f"{module.path} (variables.tf, outputs.tf, main.tf); es una "
                               "convención de nombres, la interfaz del módulo ya está "
                               "declarada."))
        else:
            yield passed(T(head_en + "variables and outputs declared in their own files; "
                           "called", head_es + "variables y outputs declarados en sus propios "
                           "archivos; llamado"), module.files[0].path, None)


@rule("IAC004")
def terraform_modules(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC004: modules/<name>/ with main/variables/outputs, called with a local source."""
    config = read_config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    calls = _module_calls(config)
    yield from _call_problems(config, calls)
    yield from _module_layout(config, calls)
    local = [c for c in calls if c.local]
    if local:
        call = local[0]
        shown = call.target or "."
        yield passed(T(f"module {call.name} called from {call.tf.path} (source {shown})",
                       f"módulo {call.name} llamado desde {call.tf.path} (fuente "
                       f"{shown})"), call.tf.path, call.line)
    elif calls:
        call = calls[0]
        yield warned(T(f"reuses external modules (module {call.name}) but defines no "
                       "modules/<name>/ of its own",
                       f"reutiliza módulos externos (módulo {call.name}) pero no define "
                       "modules/<nombre>/ propios"), call.tf.path, call.line)
    elif config.files:
        yield failed(T("no module calls: every resource is declared inline",
                       "sin llamadas a módulos: todos los recursos se declaran en línea"),
                     config.files[0].path, None,
                     fix=T("Extract reusable parts into modules/<name>/ (main.tf, "
                           "variables.tf, outputs.tf) and call them with "
                           'module "<name>" { source = "../modules/<name>" }.',
                           "Extrae las partes reutilizables a modules/<nombre>/ (main.tf, "
                           "variables.tf, outputs.tf) y llámalas con "
                           'module "<nombre>" { source = "../modules/<nombre>" }.'))
