"""The YAML reader refuses alias bombs, recursive aliases and deep nesting."""

from __future__ import annotations

import json

import pytest

from hostile import corpus
from mlops_lint.parsers.yaml_file import (
    MAX_DEPTH,
    REFUSE_DEPTH,
    YamlError,
    load_yaml,
    load_yaml_all,
    load_yaml_rt,
)

LOADERS = [load_yaml, load_yaml_all, load_yaml_rt]


@pytest.mark.parametrize("loader", LOADERS)
def test_alias_bomb_is_refused(loader: object) -> None:
    with pytest.raises(YamlError, match="alias bomb"):
        loader(corpus.alias_bomb())  # type: ignore[operator]


RECURSIVE = ["&a [*a]\n", "a: &m {b: *m}\n", "x: &l [1, [2, *l]]\n"]


@pytest.mark.parametrize("loader", [load_yaml, load_yaml_all])
@pytest.mark.parametrize("text", RECURSIVE)
def test_recursive_alias_is_refused(loader: object, text: str) -> None:
    with pytest.raises(YamlError, match="recursive"):
        loader(text)  # type: ignore[operator]


@pytest.mark.parametrize("text", RECURSIVE)
def test_round_trip_loader_never_returns_a_recursive_structure(text: str) -> None:
    """The round-trip loader leaves an unfinished alias as None, or is refused."""
    try:
        data = load_yaml_rt(text)
    except YamlError as exc:
        assert "recursive" in str(exc)
    else:
        json.dumps(data)  # raises ValueError on a circular reference


@pytest.mark.parametrize("loader", LOADERS)
def test_very_deep_flow_nesting_is_refused_before_parsing(loader: object) -> None:
    text = "a: 1\nb: " + "[" * 100_000 + "]" * 100_000 + "\n"
    with pytest.raises(YamlError, match=f"more than {REFUSE_DEPTH}") as info:
        loader(text)  # type: ignore[operator]
    assert info.value.line == 2


@pytest.mark.parametrize("loader", LOADERS)
def test_very_deep_block_nesting_is_refused_before_parsing(loader: object) -> None:
    with pytest.raises(YamlError, match="indented more than") as info:
        loader("a: 1\n" + corpus.deep_block_yaml())  # type: ignore[operator]
    assert info.value.line == 2


@pytest.mark.parametrize("loader", LOADERS)
def test_nesting_over_max_depth_is_refused_after_parsing(loader: object) -> None:
    depth = MAX_DEPTH + 20
    with pytest.raises(YamlError, match=f"more than {MAX_DEPTH} levels"):
        loader("[" * depth + "]" * depth)  # type: ignore[operator]


def test_deep_but_reasonable_nesting_loads() -> None:
    depth = MAX_DEPTH - 10
    data = load_yaml("[" * depth + "1" + "]" * depth)
    for _ in range(depth):
        data = data[0]
    assert data == 1
    block = "".join("  " * i + f"k{i}:\n" for i in range(80)) + "  " * 80 + "v\n"
    assert load_yaml(block)["k0"]["k1"]["k2"] is not None


def test_shared_aliases_and_merge_keys_still_load() -> None:
    text = ("base: &b {image: python, env: [A, B]}\n"
            "one: {<<: *b, name: one}\n"
            "two: *b\n"
            "list: [*b, *b, *b]\n")
    data = load_yaml(text)
    assert data["one"] == {"image": "python", "env": ["A", "B"], "name": "one"}
    assert data["two"] is data["base"]
    assert load_yaml(corpus.alias_bomb(levels=4, width=9))["a4"][0][0][0][0] == ["lol"] * 9


def test_ampersands_in_text_do_not_matter() -> None:
    assert load_yaml("run: make && make test\nurl: https://x.org/?a=1&b=2\n") == {
        "run": "make && make test", "url": "https://x.org/?a=1&b=2"}


def test_bomb_in_second_document_is_refused() -> None:
    with pytest.raises(YamlError, match="alias bomb"):
        load_yaml_all("a: 1\n---\n" + corpus.alias_bomb())
    assert load_yaml("a: 1\n---\n" + corpus.alias_bomb()) == {"a": 1}


def test_yaml_errors_keep_their_line() -> None:
    with pytest.raises(YamlError) as info:
        load_yaml("a: 1\nb: [\n")
    assert info.value.line is not None
