"""IAC003: typed and described variables and outputs in each root module; no hardcoded AMI
IDs or instance sizes; instances with a security group (or a firewall).

In a reusable module library the modules' interfaces are judged instead of the usage
examples, which pass values rather than declare an interface.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from mlops_lint import lazy_re
from mlops_lint.context import Context
from mlops_lint.model import Finding, T, failed, passed, skipped, verdict, warned
from mlops_lint.parsers.terraform import (
    Block,
    TfFile,
    is_literal,
    nested,
)
from mlops_lint.rules import rule
from mlops_lint.rules.iac._shared import (
    NOT_APPLICABLE,
    Config,
    TfDir,
    as_true,
    is_example,
    module_library,
    read_config,
)

INSTANCE_TYPE_ATTRS = ("instance_type", "instance_class", "machine_type", "vm_size",
                       "node_type")


AMI_ATTRS = ("ami", "image_id")


_AMI = lazy_re.compile(r"^ami-[0-9a-f]{8,17}$")


def _parameters(directory: TfDir) -> Finding:
    path, line = directory.anchor
    variables = directory.blocks("variable")
    outputs = directory.blocks("output")
    en: list[str] = []
    es: list[str] = []
    if not variables:
        en.append("no variables (variables.tf)")
        es.append("sin variables (variables.tf)")
    untyped = [b.labels[0] for _, b in variables if "type" not in b.body]
    undescribed = [b.labels[0] for _, b in variables if not b.body.get("description")]
    if untyped:
        en.append(f"variables without type: {', '.join(untyped[:5])}")
        es.append(f"variables sin type: {', '.join(untyped[:5])}")
    if undescribed:
        en.append(f"variables without description: {', '.join(undescribed[:5])}")
        es.append(f"variables sin description: {', '.join(undescribed[:5])}")
    if not outputs:
        en.append("no outputs (outputs.tf)")
        es.append("sin outputs (outputs.tf)")
    first = next(((tf, b) for tf, b in variables
                  if "type" not in b.body or not b.body.get("description")), None)
    if first is not None:  # cite the first offending variable, not the first variable
        path, line = first[0].path, first[1].line
    where = f"{directory.shown}: "
    return verdict(
        not en,
        T(f"{where}{len(variables)} typed and described variable(s), {len(outputs)} output(s)",
          f"{where}{len(variables)} variable(s) con tipo y descripción, {len(outputs)} "
          "output(s)"),
        T(where + "; ".join(en), where + "; ".join(es)), path, line,
        fix=_parameters_fix(first[1] if first else None, bool(variables), bool(outputs)))


def _type_of(default: Any) -> str:
    """The Terraform type a literal default suggests (``string`` when there is none)."""
    if isinstance(default, bool):
        return "bool"
    if isinstance(default, (int, float)):
        return "number"
    if isinstance(default, list):
        return "list(string)"
    if isinstance(default, dict):
        return "map(string)"
    return "string"


def _parameters_fix(first: Block | None, has_variables: bool, has_outputs: bool) -> T:
    """A provider-neutral fix naming only what the finding names, with the first offending
    variable as its example."""
    en: list[str] = []
    es: list[str] = []
    if first is not None:
        name = first.labels[0] if first.labels else "name"
        body = first.body
        declared = body.get("type")
        kind = (declared.removeprefix("${").removesuffix("}") if isinstance(declared, str)
                else _type_of(body.get("default")))
        lines = ([] if "type" in body else [f"type = {kind}"]) + (
            [] if body.get("description") else ['description = "..."'])
        add = " and ".join(f"`{x}`" for x in lines)
        add_es = " y ".join(f"`{x}`" for x in lines)
        en.append(f'Give each listed variable a type and a description: add {add} to '
                  f'variable "{name}", and likewise to the others')
        es.append(f"Da a cada variable de la lista un type y una description: añade "
                  f'{add_es} a la variable "{name}", y lo mismo a las demás')
    elif not has_variables:
        en.append("Declare the configuration's inputs as typed, described variables "
                  "(variables.tf)")
        es.append("Declara las entradas de la configuración como variables con tipo y "
                  "descripción (variables.tf)")
    if not has_outputs:
        en.append("declare what other configurations need as outputs (outputs.tf)")
        es.append("declara como outputs lo que necesitan otras configuraciones "
                  "(outputs.tf)")
    return T(_sentence(en), _sentence(es))


def _sentence(parts: list[str]) -> str:
    text = "; ".join(parts)
    return text[:1].upper() + text[1:] + "."


def _ami_and_sizes(tf: TfFile, block: Block) -> Iterator[Finding]:
    body = block.body
    rtype = block.labels[0] if block.labels else ""
    for attr in AMI_ATTRS:
        value = body.get(attr)
        if is_literal(value) and _AMI.match(str(value)):
            yield failed(T(f"{block.address}: hardcoded AMI {value}",
                           f"{block.address}: AMI fija {value}"),
                         tf.path, tf.attribute_line(block, attr),
                         fix=T('Look the AMI up with data "aws_ami" (filters on name and '
                               "owner) or pass it as a variable.",
                               'Busca la AMI con data "aws_ami" (filtros de nombre y '
                               "propietario) o pásala como variable."))
    sizes = (*INSTANCE_TYPE_ATTRS, *(("size",) if "virtual_machine" in rtype else ()))
    for attr in sizes:
        value = body.get(attr)
        if is_literal(value) and value:
            yield warned(T(f"{block.address}: hardcoded {attr} {value}",
                           f"{block.address}: {attr} fijo {value}"),
                         tf.path, tf.attribute_line(block, attr),
                         fix=T(f"Make {attr} a variable (with the per-environment value in a "
                               ".tfvars file).",
                               f"Convierte {attr} en una variable (con el valor de cada "
                               "entorno en un .tfvars)."))


def _exposure(tf: TfFile, block: Block, firewall: bool) -> Iterator[Finding]:
    body = block.body
    rtype = block.labels[0] if block.labels else ""
    if rtype in ("aws_instance", "aws_launch_template") and not any(
            k in body for k in ("vpc_security_group_ids", "security_groups",
                                "network_interface", "network_interfaces")):
        public = as_true(body.get("associate_public_ip_address"))
        yield (failed if public else warned)(
            T(f"{block.address}: no security group attached (the VPC default group applies)"
              + (" on a public instance" if public else ""),
              f"{block.address}: sin security group (aplica el grupo por defecto de la VPC)"
              + (" en una instancia pública" if public else "")),
            tf.path, block.line,
            fix=T(f"Attach an aws_security_group to {block.address} "
                  "(vpc_security_group_ids) that opens only the ports it serves.",
                  f"Asocia un aws_security_group a {block.address} "
                  "(vpc_security_group_ids) que abra solo los puertos que sirve."))
    if rtype == "google_compute_instance" and not firewall and any(
            "access_config" in ni for _, ni in nested(body, "network_interface")):
        yield warned(T(f"{block.address}: public IP without a google_compute_firewall",
                       f"{block.address}: IP pública sin google_compute_firewall"),
                     tf.path, block.line,
                     fix=T("Declare a google_compute_firewall that opens only the ports "
                           "the instance serves (or drop its access_config).",
                           "Declara un google_compute_firewall que abra solo los puertos "
                           "que sirve la instancia (o quita su access_config)."))


def _hardcoded(config: Config) -> Iterator[Finding]:
    firewall = any(b.labels and b.labels[0] in ("google_compute_firewall",
                                                "azurerm_network_security_group",
                                                "aws_security_group")
                   for f in config.files for b in f.of("resource"))
    for tf in config.files:
        for block in tf.of("resource"):
            yield from _ami_and_sizes(tf, block)
            yield from _exposure(tf, block, firewall)


@rule("IAC003")
def terraform_parameters(ctx: Context, params: None) -> Iterator[Finding]:
    """IAC003: typed/described variables and outputs; no hardcoded AMIs or sizes; SGs."""
    config = read_config(ctx)
    if config is None:
        yield skipped(NOT_APPLICABLE)
        return
    if not config.dirs:
        yield skipped(T("no .tf file parses (see IAC001)", "ningún .tf se puede leer (ver "
                        "IAC001)"))
        return
    library = module_library(ctx, config)
    for directory in config.roots:
        if library is not None and is_example(directory.path):
            yield skipped(T.same(f"{directory.shown}: ") + T("a usage example of ",
                                                             "un ejemplo de uso de ")
                          + library + T(": it passes values to the modules instead of "
                                        "declaring an interface; the modules' variables and "
                                        "outputs are judged instead",
                                        ": pasa valores a los módulos en lugar de declarar "
                                        "una interfaz; se juzgan en su lugar las variables y "
                                        "outputs de los módulos"), directory.anchor[0])
            continue
        yield _parameters(directory)
    if library is not None:  # the library's interface: its modules' variables and outputs
        for _, directory in sorted(config.dirs.items()):
            if directory.module and not is_example(directory.path):
                yield _parameters(directory)
    problems = list(_hardcoded(config))
    yield from problems
    if not problems:
        yield passed(T("no hardcoded AMI IDs or instance types; instances have security "
                       "groups", "sin AMIs ni tipos de instancia fijos; las instancias tienen "
                       "security groups"), config.files[0].path, None)
