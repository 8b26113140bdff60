"""Which project directories a CI command names: a set lookup of path-like tokens that
agrees with the regular expression it replaces, whatever the text."""

from __future__ import annotations

import re

from hypothesis import given, settings
from hypothesis import strategies as st

from mlops_lint.parsers.ci import PathNames

PROJECTS = ["services/api", "services/api-v2", "train", ".hidden", "a/b/c", "with space",
            "q'uote", "libs/x=y", "x.y"]


def expected(text: str, paths: list[str]) -> list[str]:
    return [p for p in paths if re.search(
        rf"(^|[\s/=\"'])\.?/?{re.escape(p)}(/|\s|$|[\"'])", text)]


CASES = [
    "cd services/api && pytest",
    "pytest services/api-v2/tests",
    "pytest ./services/api",
    "pytest .services/api",
    "pytest --rootdir=train",
    "pytest 'train'",
    'pytest "a/b/c/"',
    "python -m pytest repo/services/api/tests",
    "make -C with space test",
    "cd q'uote",
    "pytest libs/x=y/tests",
    "pytest services/apix",
    "pytest xservices/api",
    "pytest services/api\n",
    "pytest\tservices/api\ttrain",
    "pytest ../train",
    "pytest ./.hidden",
    "echo x.y.z && cd x.y",
    "",
    "train",
    "pytest services/api\u00a0next",
]


def test_the_usual_commands() -> None:
    names = PathNames(PROJECTS)
    for text in CASES:
        assert names.named(text) == expected(text, PROJECTS), text


def test_order_is_the_projects_order() -> None:
    names = PathNames(["b", "a"])
    assert names.named("cd a && cd b") == ["b", "a"]


ALPHABET = st.sampled_from([*list("ab/.=\"' \t\n-x"), "services", "api", "./", "\xa0"])


@settings(max_examples=300, deadline=None)
@given(st.lists(ALPHABET, max_size=25).map("".join),
       st.lists(st.lists(st.sampled_from([*list("ab/.=-x"), "services", "api", " "]),
                         min_size=1, max_size=5).map("".join), max_size=6))
def test_agrees_with_the_regular_expression(text: str, paths: list[str]) -> None:
    paths = list(dict.fromkeys(paths))
    assert PathNames(paths).named(text) == expected(text, paths)


def test_hundreds_of_projects_do_not_overflow_the_regex_cache() -> None:
    projects = [f"services/svc{i:04d}" for i in range(2000)]
    names = PathNames(projects)
    texts = [f"cd services/svc{i:04d} && pytest" for i in range(0, 2000, 7)]
    assert [names.named(t) for t in texts] == [[f"services/svc{i:04d}"]
                                               for i in range(0, 2000, 7)]
