"""Accuracy of the README rules on real stacks: a CI badge is only suggested where there is
CI (DOC002), and DOC003 sees wrapped architecture images and technology tables, and points
at what is missing."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

Results = Callable[..., list[Result]]
MakeRepo = Callable[..., Path]

WORKFLOW = "name: CI - Main/Release\non: push\njobs:\n  t:\n    runs-on: x\n    steps:\n" \
           "      - run: pytest\n"


def _ci_result(results: list[Result]) -> Result:
    return next(r for r in results if "coverage" not in r.message.en)


# -- DOC002 ---------------------------------------------------------------------------------


def test_doc002_no_ci_no_actions_badge_advice(make_repo: MakeRepo,
                                              results_for: Results) -> None:
    root = make_repo({"README.md": "# Fraud detection\n\nA model.\n", "src/main.py": ""})
    found = _ci_result(results_for(root, "DOC002"))
    assert found.status.value == "fail"
    assert "no CI configuration" in found.message.en
    assert "actions/workflows" not in found.fix.en and "set up CI first" in found.fix.en


def test_doc002_with_ci_the_badge_is_suggested(make_repo: MakeRepo,
                                               results_for: Results) -> None:
    root = make_repo({"README.md": "# x\n", ".github/workflows/ci.yml": WORKFLOW})
    found = _ci_result(results_for(root, "DOC002"))
    assert found.status.value == "fail" and found.message.en == "no CI status badge"
    assert "actions/workflows" in found.fix.en
    gitlab = make_repo({"README.md": "# x\n", ".gitlab-ci.yml": "test:\n  script: pytest\n"})
    found = _ci_result(results_for(gitlab, "DOC002"))
    assert "gitlab pipeline" in found.fix.en and "actions/workflows" not in found.fix.en


def test_doc002_workflow_name_with_a_slash(make_repo: MakeRepo, results_for: Results) -> None:
    badge = ("![Continuous Integration](https://github.com/o/r/workflows/"
             "CI%20-%20Main/Release/badge.svg)\n")
    root = make_repo({"README.md": "# x\n" + badge, ".github/workflows/ci.yml": WORKFLOW})
    found = _ci_result(results_for(root, "DOC002"))
    assert found.status.value == "pass" and "CI - Main/Release" in found.message.en
    # a badge for a workflow that does not exist still fails
    missing = make_repo({"README.md": "# x\n" + badge.replace("Main", "Nightly"),
                         ".github/workflows/ci.yml": WORKFLOW})
    assert _ci_result(results_for(missing, "DOC002")).status.value == "fail"


# -- DOC003 ---------------------------------------------------------------------------------

README = """\
# Online shop

A demo of eleven services.

## Architecture

The services talk over gRPC.

[![Architecture of
microservices](/docs/img/architecture-diagram.png)](/docs/img/architecture-diagram.png)

| Service | Language | Description |
| --- | --- | --- |
| frontend | Go | Serves the site |
| cartservice | C# | Stores carts |

## Screenshots

| Home | Checkout |
| --- | --- |
| [![Home](/docs/img/h.png)](/docs/img/h.png) | [![Out](/docs/img/o.png)](/docs/img/o.png) |

See the [Google Cloud docs](https://cloud.google.com/kubernetes-engine/docs/quickstart).
"""


def test_doc003_wrapped_image_and_technology_table(make_repo: MakeRepo,
                                                   results_for: Results) -> None:
    (result,) = results_for(make_repo({"README.md": README}), "DOC003")
    message = result.message.en
    assert message.startswith("2 of 5: architecture diagram, tech stack")
    assert "a link to the docs site" in message.split("missing:")[1]  # images and foreign docs
    assert result.status.value == "warn" and result.line is None
    with_docs = README + "\nRead the [development guide](/docs/development-guide.md).\n"
    (result,) = results_for(make_repo({"README.md": with_docs}), "DOC003")
    assert result.status.value == "pass" and result.line == 9


def test_doc003_edges(make_repo: MakeRepo, results_for: Results) -> None:
    # a wrapped image outside any architecture section, not named as one, is no diagram
    plain = "# x\n\n[![Our\nteam](/img/team.png)](/img/team.png)\n"
    (result,) = results_for(make_repo({"README.md": plain}), "DOC003")
    assert statuses([result]) == ["fail"]
    # a table with one technology row is no stack table
    one = "# x\n\n| Part | Language |\n| --- | --- |\n| api | Go |\n"
    (result,) = results_for(make_repo({"README.md": one}), "DOC003")
    assert "tech stack" in result.message.en.split("missing:")[1]
