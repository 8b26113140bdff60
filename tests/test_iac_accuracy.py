"""Terraform findings about what a configuration is: module outputs read from the blocks,
not a file name; a reusable module library is not a deployment (examples keep local
state, nothing to plan or apply); Terraform run in CI through pre-commit hooks counts."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

VERSIONS = """\
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    google = { source = "hashicorp/google", version = "~> 5.0" }
  }
}
"""
NETWORK = 'resource "google_compute_network" "vpc" {\n  name = var.name\n}\n'
VARIABLE = 'variable "name" {\n  type = string\n}\n'
OUTPUT = 'output "network_name" {\n  value = google_compute_network.vpc.name\n}\n'
ROOT = ('module "network" {\n  source = "./modules/network"\n  name = "vpc"\n}\n'
        'terraform {\n  backend "gcs" {\n    bucket = "acme-state"\n    prefix = "prod"\n'
        '  }\n}\n')


def _module(results: list[Result]) -> list[Result]:
    return [r for r in results if r.message.en.startswith("module modules/network")]


def test_output_tf_satisfies_the_module_layout(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    root = make_repo({"main.tf": ROOT, "modules/network/main.tf": NETWORK,
                      "modules/network/variables.tf": VARIABLE,
                      "modules/network/output.tf": OUTPUT})
    assert statuses(_module(results_for(root, "IAC004"))) == ["pass"]


def test_outputs_in_main_tf_are_a_convention_warning(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    root = make_repo({"main.tf": ROOT, "modules/network/main.tf": NETWORK + OUTPUT,
                      "modules/network/variables.tf": VARIABLE})
    found = _module(results_for(root, "IAC004"))
    assert statuses(found) == ["warn"]
    assert "output blocks are declared in main.tf, not in outputs.tf" in found[0].message.en
    assert "Extract" not in found[0].fix.en and "outputs.tf" in found[0].fix.en


def test_a_module_without_outputs_fails(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({"main.tf": ROOT, "modules/network/main.tf": NETWORK,
                      "modules/network/variables.tf": VARIABLE})
    found = _module(results_for(root, "IAC004"))
    assert statuses(found) == ["fail"]
    assert "no output blocks" in found[0].message.en


LIBRARY = {
    "main.tf": NETWORK, "variables.tf": VARIABLE, "outputs.tf": OUTPUT, "versions.tf": VERSIONS,
    "examples/simple/main.tf": 'module "vpc" {\n  source = "../../"\n  name = "demo"\n}\n',
    "examples/simple/versions.tf": VERSIONS,
    "wrappers/main.tf": 'module "wrapper" {\n  source = "../"\n  name = "w"\n}\n',
    ".gitignore": "**/.terraform/*\n*.tfstate\n*.tfstate.*\n",
}
PRECOMMIT = """\
repos:
  - repo: https://github.com/antonbabenko/pre-commit-terraform
    rev: v1.105.0
    hooks:
      - id: terraform_fmt
      - id: terraform_validate
      - id: terraform_tflint
"""
PRECOMMIT_WORKFLOW = """\
on:
  pull_request:
    branches: [main]
jobs:
  pre-commit:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v5
      - uses: acme/terraform-composite-actions/pre-commit@v1.14.0
        with:
          terraform-version: 1.9.0
"""


def test_library_examples_keep_local_state(make_repo: MakeRepo,
                                           results_for: ResultsFor) -> None:
    results = results_for(make_repo(LIBRARY), "IAC002")
    example = [r for r in results if r.message.en.startswith("examples/simple")]
    assert example and set(statuses(example)) == {"skip"}
    assert "usage example of a reusable module library" in example[0].message.en
    wrapper = [r for r in results if r.message.en.startswith("wrappers")]
    assert wrapper and set(statuses(wrapper)) == {"skip"}
    # `**/.terraform/*` keeps .terraform out of git: the hygiene check passes
    assert "pass" in statuses(results, 2)


def test_a_deployment_with_a_backend_still_needs_one_everywhere(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    files = {**LIBRARY, "live/main.tf": ROOT.replace("./modules/network", "../")}
    results = results_for(make_repo(files), "IAC002")
    example = [r for r in results if r.message.en.startswith("examples/simple")]
    assert "fail" in statuses(example)


def test_terraform_through_precommit_hooks_in_ci(make_repo: MakeRepo,
                                                 results_for: ResultsFor) -> None:
    root = make_repo({**LIBRARY, ".pre-commit-config.yaml": PRECOMMIT,
                      ".github/workflows/pre-commit.yml": PRECOMMIT_WORKFLOW})
    found = results_for(root, "IAC006")
    assert statuses(found) == ["pass"]
    message = found[0].message.en
    assert "fmt, validate on PRs" in message and "terraform_fmt" in message
    assert "plan and apply do not apply to a reusable module library" in message


def test_precommit_run_names_the_hooks(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    workflow = PRECOMMIT_WORKFLOW.replace(
        "      - uses: acme/terraform-composite-actions/pre-commit@v1.14.0\n"
        "        with:\n          terraform-version: 1.9.0\n",
        "      - run: pip install pre-commit && pre-commit run terraform_validate --all-files\n")
    root = make_repo({**LIBRARY, ".pre-commit-config.yaml": PRECOMMIT,
                      ".github/workflows/pre-commit.yml": workflow})
    found = results_for(root, "IAC006")
    assert statuses(found) == ["warn"]
    assert "no fmt -check" in found[0].message.en


def test_no_terraform_in_ci_for_a_library_asks_for_no_plan(make_repo: MakeRepo,
                                                          results_for: ResultsFor) -> None:
    found = results_for(make_repo(LIBRARY), "IAC006")
    assert statuses(found) == ["fail"]
    assert "(fmt -check, validate); plan and apply do not apply" in found[0].message.en
    assert "plan" not in found[0].fix.en


def test_hooks_without_a_ci_run_do_not_count(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    workflow = PRECOMMIT_WORKFLOW.replace("acme/terraform-composite-actions/pre-commit",
                                          "actions/setup-python")
    root = make_repo({**LIBRARY, ".pre-commit-config.yaml": PRECOMMIT,
                      ".github/workflows/pre-commit.yml": workflow})
    assert statuses(results_for(root, "IAC006")) == ["fail"]


# -- IAC003: a library's examples are usage; its modules are the interface ------------------


def test_iac003_library_examples_are_usage_and_modules_are_judged(
        make_repo: MakeRepo, results_for: ResultsFor) -> None:
    results = results_for(make_repo(LIBRARY), "IAC003")
    example = [r for r in results if r.message.en.startswith("examples/simple")]
    assert statuses(example) == ["skip"]
    assert "usage example of a reusable module library" in example[0].message.en
    assert "the modules' variables and outputs are judged instead" in example[0].message.en
    # the root module is the library's interface: judged, and typed (a description lacks)
    root = [r for r in results if r.message.en.startswith(".: ")]
    assert statuses(root) == ["fail"]
    assert "variables without description: name" in root[0].message.en


def test_iac003_library_module_fully_declared_passes(make_repo: MakeRepo,
                                                     results_for: ResultsFor) -> None:
    described = 'variable "name" {\n  type = string\n  description = "Network name"\n}\n'
    results = results_for(make_repo({**LIBRARY, "variables.tf": described}), "IAC003")
    assert statuses([r for r in results if r.message.en.startswith(".: ")]) == ["pass"]
    # a wrapper is a configuration of its own (this one declares nothing): still judged
    wrapper = [r for r in results if r.message.en.startswith("wrappers")]
    assert statuses(wrapper) == ["fail"]


def test_iac003_examples_of_a_deployment_are_still_judged(make_repo: MakeRepo,
                                                          results_for: ResultsFor) -> None:
    """Edge: with a backend somewhere the repository deploys; examples are configurations."""
    files = {**LIBRARY, "live/main.tf": ROOT.replace("./modules/network", "../")}
    results = results_for(make_repo(files), "IAC003")
    example = [r for r in results if r.message.en.startswith("examples/simple")]
    assert statuses(example) == ["fail"]
    assert "no variables (variables.tf)" in example[0].message.en


def test_iac003_cites_the_first_offending_variable(make_repo: MakeRepo,
                                                   results_for: ResultsFor) -> None:
    """The line is the first variable lacking a type or description, not the first one."""
    variables = ('variable "project_id" {\n  type = string\n  description = "Project"\n}\n\n'
                 'variable "cluster_name" {\n  type = string\n}\n')
    root = make_repo({"infra/main.tf": NETWORK, "infra/variables.tf": variables,
                      "infra/outputs.tf": OUTPUT})
    failed = [r for r in results_for(root, "IAC003") if r.status.value == "fail"]
    assert [(r.path, r.line) for r in failed] == [("infra/variables.tf", 6)]
    assert 'variable "cluster_name"' in failed[0].fix.en
    assert "AMI" not in failed[0].fix.en and "security group" not in failed[0].fix.en
