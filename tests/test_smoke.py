from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses


def test_model_card_found_case_insensitive(make_repo: Callable[..., Path],
                                           results_for: Callable[..., list]) -> None:
    root = make_repo({"docs/Model_Card.md": "# Model card\n"})
    assert statuses(results_for(root, "DOC004")) == ["pass"]


def test_model_card_missing_fails(make_repo: Callable[..., Path],
                                  results_for: Callable[..., list]) -> None:
    root = make_repo({"README.md": "# x\n"})
    assert statuses(results_for(root, "DOC004")) == ["fail"]
