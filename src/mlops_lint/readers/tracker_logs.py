"""Whether a tracker call records a setting rather than a result.

Azure ML's SDK v1 has one call, ``run.log(name, value)``, for every named value: the
training arguments are logged with it as well as the metrics. A call records a setting
when what it logs is read from the configuration (``args.lr``, ``params["lr"]``) or is the
variable of a loop over it (``for k, v in train_args.items(): run.log(k, v)``).
"""

from __future__ import annotations

import ast
import re

from mlops_lint import lazy_re
from mlops_lint.parsers.python_source import PythonIndex, call_arg
from mlops_lint.readers.training import parents

CONFIG_WORDS = lazy_re.compile(r"param|config|(?:^|_)conf(?:$|_)|cfg|hyper|args|settings",
                               re.IGNORECASE)


def _config_source(node: ast.expr | None) -> bool:
    """A value read from the configuration: ``args.lr``, ``params["lr"]``,
    ``train_args.items()``, ``vars(args).items()``."""
    for _ in range(20):
        if isinstance(node, ast.Call):
            func = node.func
            node = node.args[0] if isinstance(func, ast.Name) and func.id == "vars" and \
                node.args else func
        elif isinstance(node, ast.Subscript):
            node = node.value
        elif isinstance(node, ast.Attribute):
            if CONFIG_WORDS.search(node.attr):
                return True
            node = node.value
        else:
            break
    return isinstance(node, ast.Name) and bool(CONFIG_WORDS.search(node.id))


def logs_configuration(index: PythonIndex, call: ast.Call) -> bool:
    """``run.log(k, v)`` records a setting: its value is read from the configuration, or
    is the variable of a loop over it (``for k, v in train_args.items()``)."""
    value = call_arg(call, "value", 1)
    if value is None:
        return False
    if _config_source(value):
        return True
    names = {n.id for n in ast.walk(value) if isinstance(n, ast.Name)}
    node = parents(index).get(call)
    while node is not None and not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
        if isinstance(node, ast.For) and names & {
                n.id for n in ast.walk(node.target) if isinstance(n, ast.Name)}:
            return _config_source(node.iter)
        node = parents(index).get(node)
    return False
