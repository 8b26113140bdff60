"""The fast complexity and Halstead walk gives exactly radon's numbers."""

from __future__ import annotations

import ast
import sysconfig
from pathlib import Path

import pytest
from radon.metrics import h_visit_ast
from radon.visitors import ComplexityVisitor

from mlops_lint.parsers.python_metrics import complexity_blocks, halstead_volume

TRICKY = '''\
import os


@decorator(lambda x: x if x else -x)
def outer(a, b=1 + 2, *args, c: int = 3 if os.sep else 4, **kw) -> int:
    assert a and b or c, "assert operands are not visited"
    total = 0
    for i in range(10):
        if i % 2 == 0 and i > 2:
            total += i
        elif not i:
            continue
    else:
        total -= 1
    while total > 100:
        total //= 2
    try:
        total = int("3")
    except ValueError:
        pass
    except (TypeError, KeyError):
        raise
    else:
        total += 1
    finally:
        total *= 1
    match total:
        case 0 | 1:
            pass
        case [x, *_] if x > 0:
            pass
        case _:
            pass

    def inner(y):
        return [z for z in y if z if z > 1] or {k: v for k, v in y}

    class Local:
        def method(self):
            return 1 if self else 2

    return total + inner([a]) + -a


class Outer(Base, metaclass=Meta):
    attr = 1 if True else 0

    async def method(self, x):
        async for item in x:
            if item:
                return item
        async with x as y:
            return y is not None

    class Inner:
        def deep(self):
            return lambda: 0 if self else 1

    if os.name == "nt":
        def maybe(self):
            return 1


async def only_body():
    await something() ; x = a < b <= c != d
    try:
        pass
    except* ValueError:
        pass


x = 1 if os.name else 2
y = [i for i in range(3) if i]
'''


def _radon(tree: ast.AST) -> tuple[list[tuple[object, ...]], int, float]:
    visitor = ComplexityVisitor.from_ast(tree)
    return ([tuple(b) for b in visitor.blocks], visitor.total_complexity,
            h_visit_ast(tree).total.volume)


def _ours(tree: ast.AST) -> tuple[list[tuple[object, ...]], int, float]:
    blocks, total = complexity_blocks(tree)
    return [tuple(b) for b in blocks], total, halstead_volume(tree)


def test_tricky_code_matches_radon() -> None:
    tree = ast.parse(TRICKY)
    assert _ours(tree) == _radon(tree)
    blocks, total = complexity_blocks(tree)
    assert total > 20 and {b.name for b in blocks} >= {"outer", "Outer", "method", "maybe"}


def test_empty_module() -> None:
    tree = ast.parse("")
    assert _ours(tree) == _radon(tree) == ([], 1, 0)


STDLIB = Path(sysconfig.get_paths()["stdlib"])
MODULES = ["argparse.py", "ast.py", "dataclasses.py", "difflib.py", "enum.py",
           "inspect.py", "json/decoder.py", "pathlib.py", "re/_parser.py", "shlex.py",
           "textwrap.py", "typing.py", "zipfile.py"]


@pytest.mark.parametrize("name", MODULES)
def test_standard_library_modules_match_radon(name: str) -> None:
    path = STDLIB / name
    if not path.is_file():  # pragma: no cover - an unusual Python installation
        pytest.skip(f"{path} not found")
    tree = ast.parse(path.read_text(encoding="utf-8"))
    assert _ours(tree) == _radon(tree)
