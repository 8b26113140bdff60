"""Held-out data set aside without scikit-learn's splitters (ML005): a framework's split
(torch ``random_split``, a dataset's ``.train_test_split``, ``validation_split=``, a data
module's ``val_dataloader``), or a split written by hand (a random draw, slices bound to a
training and a held-out name, a split helper unpacked into both)."""

from __future__ import annotations

import ast
import re

from mlops_lint import lazy_re
from mlops_lint.parsers.python_source import PythonIndex, literal
from mlops_lint.readers.training import (
    last,
    method,
    nodes_of,
    receiver,
    scope_of,
    scope_walk,
    short,
    target_key,
)
from mlops_lint.rules.ml._shared import Analysis, call_name, sk

TRAIN_LIKE = lazy_re.compile(r"(^|_)(train|training|trn)(_|$|\d)|^x_?train|^train", re.IGNORECASE)


HELD_OUT_LIKE = lazy_re.compile(r"(^|_)(test|val|valid|validation|holdout|dev|eval)(_|$|\d)|"
                                r"^(test|val|valid|holdout|eval)", re.IGNORECASE)


RANDOM_DRAWS = frozenset({"random.random", "random.uniform", "numpy.random.rand",
                          "numpy.random.random", "numpy.random.uniform",
                          "numpy.random.random_sample"})


SPLIT_KEYWORDS = frozenset({"validation_split", "validation_data", "eval_dataset",
                            "val_dataloaders", "validation_dataset"})


HELD_OUT_METHODS = frozenset({"val_dataloader", "test_dataloader"})


def _names_in(node: ast.AST) -> set[str]:
    out: set[str] = set()
    for sub in ast.walk(node):
        if isinstance(sub, ast.Name):
            out.add(sub.id)
        elif isinstance(sub, ast.Attribute):
            out.add(sub.attr)
        elif isinstance(sub, ast.Constant) and isinstance(sub.value, str) and \
                len(sub.value) < 200:
            out.add(sub.value)
    return out


def _mentions_both(names: set[str]) -> bool:
    """Names (or strings) of a training set and of a held-out set."""
    words = {w for n in names for w in re.split(r"[/.\s]", n.lower()) if w}
    return any(TRAIN_LIKE.search(w) for w in words) and \
        any(HELD_OUT_LIKE.search(w) for w in words)


def _random_draw(index: PythonIndex, compare: ast.Compare) -> bool:
    """The comparison draws a random number (``random.random() > split``)."""
    draws = [c for c in ast.walk(compare) if isinstance(c, ast.Call) and (
        (index.qualname(c.func) or "") in RANDOM_DRAWS or
        (method(c) in ("random", "uniform", "rand") and
         isinstance(receiver(c), ast.Name) and "rng" in str(getattr(receiver(c), "id", ""))))]
    return bool(draws)


def _random_split(index: PythonIndex) -> tuple[int, str] | None:
    """A random draw compared with a ratio in code that writes a training and a held-out
    set."""
    names: dict[int, bool] = {}  # scope -> mentions a training and a held-out set
    for compare in nodes_of(index, ast.Compare):
        if not _random_draw(index, compare):
            continue
        scope = scope_of(index, compare)
        if id(scope) not in names:
            names[id(scope)] = _mentions_both(_names_in(scope))
        if names[id(scope)]:
            return compare.lineno, "a random split by hand"
    return None


def _split_assign(index: PythonIndex, node: ast.Assign,
                  sliced: dict[str, int]) -> tuple[int, str] | None:
    """A split helper unpacked into a training and a held-out name; else the names bound
    to slices go to ``sliced``."""
    pairs: list[tuple[ast.expr, ast.expr]] = []
    for target in node.targets:
        if isinstance(target, ast.Tuple) and isinstance(node.value, ast.Tuple) and \
                len(target.elts) == len(node.value.elts):
            pairs.extend(zip(target.elts, node.value.elts, strict=True))
        elif isinstance(target, ast.Tuple) and isinstance(node.value, ast.Call) and \
                "split" in call_name(index, node.value).lower() and \
                _mentions_both({target_key(e) or "" for e in target.elts}):
            return node.lineno, f"{call_name(index, node.value)}()"
        else:
            pairs.append((target, node.value))
    for target, value in pairs:
        key = target_key(target) if isinstance(target, ast.Name | ast.Attribute) else None
        if key and isinstance(value, ast.Subscript) and isinstance(value.slice, ast.Slice):
            sliced[key.rsplit(".", 1)[-1]] = node.lineno
    return None


def _sliced_split(index: PythonIndex, scope: ast.AST) -> tuple[int, str] | None:
    """Slices of one sequence bound to a training and a held-out name in ``scope``, or a
    split helper unpacked into both."""
    sliced: dict[str, int] = {}
    for node in scope_walk(scope):
        if not isinstance(node, ast.Assign):
            continue
        hit = _split_assign(index, node, sliced)
        if hit:
            return hit
    if _mentions_both(set(sliced)):
        return min(sliced.values()), "slices of the data by hand"
    return None


def _split_by_hand(index: PythonIndex) -> tuple[int, str] | None:
    """A split written by hand: a random draw compared with a ratio in code that writes a
    training and a held-out set (``fd = train if random.random() > split else test``),
    slices of one sequence bound to a training and a held-out name (``train = data[:n]``,
    ``val = data[n:]``), or a split helper unpacked into both (``train, test = split(d)``)."""
    found = _random_split(index)
    if found:
        return found
    for scope in [index.tree, *nodes_of(index, ast.FunctionDef, ast.AsyncFunctionDef)]:
        found = _sliced_split(index, scope)
        if found:
            return found
    return None


def framework_splits(an: Analysis) -> list[tuple[str, int, str]]:
    """Held-out data set aside without scikit-learn: torch ``random_split``, a dataset's
    ``.train_test_split``, a validation set given to training (``validation_split=``,
    ``validation_data=``, ``eval_dataset=``), a data module's ``val_dataloader`` /
    ``test_dataloader``, a ``split=`` of a named held-out split, or a split by hand."""
    out: list[tuple[str, int, str]] = []
    for index in an.indexes:
        for qual, call in index.calls:
            name = last(qual)
            if (name == "random_split" and qual.startswith("torch.")) or (
                    name == "train_test_split" and not sk(qual)):
                out.append((index.path, call.lineno, f"{short(call.func, 40)}()"))
        for call in nodes_of(index, ast.Call):
            for keyword in call.keywords:
                if keyword.arg in SPLIT_KEYWORDS:
                    out.append((index.path, call.lineno, f"{keyword.arg}="))
                elif keyword.arg == "split":
                    value = literal(keyword.value)
                    if isinstance(value, str) and len(value) < 100 and \
                            HELD_OUT_LIKE.search(value):
                        out.append((index.path, call.lineno, f"split={value!r}"))
        for node in nodes_of(index, ast.FunctionDef):
            if node.name in HELD_OUT_METHODS:
                out.append((index.path, node.lineno, f"{node.name}()"))
        hand = _split_by_hand(index)
        if hand:
            out.append((index.path, hand[0], hand[1]))
    return sorted(out)
