"""IAC edge cases: other backends, keys, workspaces, GCE, module targets, CI triggers."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import statuses
from mlops_lint.model import Result
from test_phase6_iac import GITIGNORE, VERSIONS, WORKFLOW, guide_repo

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]


def state(make_repo: MakeRepo, results_for: ResultsFor, backend: str,
          extra: dict[str, str] | None = None) -> list[Result]:
    root = make_repo({"infra/main.tf": VERSIONS % backend, ".gitignore": GITIGNORE,
                      **(extra or {})})
    return [r for r in results_for(root, "IAC002") if r.path == "infra/main.tf"]


def test_cloud_remote_and_http_backends(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    cloud = state(make_repo, results_for, 'cloud {\n    organization = "acme"\n'
                                          '    workspaces {\n      name = "churn-prod"\n    }\n  }')
    assert statuses(cloud) == ["pass", "pass"]
    assert "key churn-prod" in cloud[1].message.en
    remote = state(make_repo, results_for, 'backend "remote" {\n    organization = "acme"\n'
                                           '    workspaces {\n      prefix = "churn-"\n    }\n  }')
    assert statuses(remote) == ["pass", "pass"]
    http = state(make_repo, results_for, 'backend "http" {\n'
                                         '    address = "https://state.example.com/churn"\n  }')
    assert statuses(http) == ["pass", "fail"]
    assert "no lock_address" in http[1].message.en


def test_key_supplied_at_init_and_workspaces(make_repo: MakeRepo,
                                             results_for: ResultsFor) -> None:
    bare = 'backend "s3" {\n    bucket = "b"\n    dynamodb_table = "l"\n    encrypt = true\n  }'
    results = state(make_repo, results_for, bare)
    assert statuses(results) == ["pass", "fail"]
    assert "no state key/prefix" in results[1].message.en
    with_workspaces = state(make_repo, results_for, bare, {
        "infra/locals.tf": 'locals {\n  env = terraform.workspace\n}\n'})
    assert statuses(with_workspaces) == ["pass", "pass"]
    assert "per-workspace state" in with_workspaces[1].message.en


def test_parameters_without_variables_and_gce(make_repo: MakeRepo,
                                              results_for: ResultsFor) -> None:
    gce = ('resource "google_compute_instance" "api" {\n  machine_type = var.type\n'
           '  network_interface {\n    network = "default"\n    access_config {}\n  }\n}\n')
    root = make_repo({"infra/main.tf": gce, "infra/outputs.tf": 'output "x" {\n  value = 1\n}\n'})
    messages = {r.status.value + ":" + r.message.en for r in results_for(root, "IAC003")}
    assert "fail:infra: no variables (variables.tf)" in messages
    assert ("warn:google_compute_instance.api: public IP without a google_compute_firewall"
            in messages)


def test_module_source_without_files(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({"infra/main.tf": 'module "api" {\n  source = "./modules/missing"\n}\n'})
    results = results_for(root, "IAC004")
    assert sorted(statuses(results)) == ["fail", "pass"]
    assert any("has no .tf files" in r.message.en and r.line == 2 for r in results)


def test_environments_from_tfvars_and_backend_files(make_repo: MakeRepo,
                                                    results_for: ResultsFor) -> None:
    root = make_repo({"infra/main.tf": VERSIONS % 'backend "s3" {}',
                      "infra/env/dev.tfvars": "size = 1\n", "infra/env/prod.tfvars": "size = 2\n",
                      "infra/env/dev.tfbackend": 'key = "dev"\n',
                      "infra/env/prod.tfbackend": 'key = "prod"\n'})
    (result,) = results_for(root, "IAC005")
    assert result.status.value == "pass" and "dev, prod" in result.message.en


def test_ci_apply_on_main_push_and_secrets(make_repo: MakeRepo,
                                           results_for: ResultsFor) -> None:
    apply_only = ("on:\n  push:\n    branches: [main]\n    paths: ['infra/**']\njobs:\n"
                  "  apply:\n    runs-on: x\n    environment: prod\n    env:\n"
                  "      AWS_ACCESS_KEY_ID: ${{ secrets.AWS_ACCESS_KEY_ID }}\n    steps:\n"
                  "      - run: terraform apply -auto-approve\n")
    root = guide_repo(make_repo, {".github/workflows/plan.yml": WORKFLOW.split("  apply:")[0],
                                  ".github/workflows/apply.yml": apply_only})
    (result,) = results_for(root, "IAC006")
    assert result.status.value == "pass", result.message.en
    assert "apply gated in 1 job(s)" in result.message.en
    assert "credentials via OIDC, secrets.*" in result.message.en


def test_ci_without_plan_on_pull_requests(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    lint_only = ("on: {pull_request: {paths: ['infra/**']}}\njobs:\n  fmt:\n    runs-on: x\n"
                 "    steps:\n      - run: terraform fmt -check\n")
    root = guide_repo(make_repo, {".github/workflows/tf.yml": lint_only})
    (result,) = results_for(root, "IAC006")
    assert result.status.value == "fail"
    assert result.message.en.startswith("no terraform plan on pull requests")


def test_odd_shapes_never_crash_a_check(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    odd = ('terraform {\n  backend = "s3"\n  required_providers = 3\n'
           '  required_version = ["x"]\n  cloud {\n    workspaces = 3\n  }\n}\n'
           'module "m" {\n  source = 3\n}\nvariable "v" {}\n'
           'resource "aws_instance" "i" {\n  ami = ["ami-123"]\n  instance_type = 3\n}\n'
           'output "o" {\n  value = 1\n}\n')
    workflow = ("on:\n  push: [main]\n  pull_request: {paths: 3}\nenv: 3\npermissions: 4\n"
                "jobs:\n  p:\n    env: [1]\n    environment: {name: prod}\n    steps:\n"
                "      - run: terraform plan && terraform apply\n        env: {A: 1}\n")
    root = make_repo({"infra/main.tf": odd, "infra/x.tfbackend": "key = [1]\n",
                      ".github/workflows/tf.yml": workflow})
    for rule in ("IAC001", "IAC002", "IAC003", "IAC004", "IAC005", "IAC006"):
        assert "error" not in statuses(results_for(root, rule)), rule


def test_module_source_resolving_to_the_repository_root(make_repo: MakeRepo,
                                                        results_for: ResultsFor) -> None:
    # a module repository: the module at the root, examples call it with ../../
    root = make_repo({"main.tf": 'resource "aws_vpc" "this" {\n  cidr_block = var.cidr\n}\n',
                      "variables.tf": 'variable "cidr" {\n  type = string\n}\n',
                      "outputs.tf": 'output "id" {\n  value = aws_vpc.this.id\n}\n',
                      "examples/simple/main.tf": 'module "vpc" {\n  source = "../../"\n'
                                                 '  cidr = "10.0.0.0/16"\n}\n',
                      "examples/ipam/main.tf": 'module "vpc" {\n  source = "../.."\n}\n',
                      "wrappers/main.tf": 'module "wrapper" {\n  source = "../"\n}\n'})
    results = results_for(root, "IAC004")
    assert not [r.message.en for r in results if r.status.value == "fail"], results
    assert [r.message.en for r in results if r.status.value == "pass"] == [
        "module vpc called from examples/ipam/main.tf (source .)"]
    # a source that climbs out of the repository has no .tf files to find
    outside = make_repo({"examples/x/main.tf": 'module "m" {\n  source = "../../../m"\n}\n'})
    assert any("has no .tf files" in r.message.en for r in results_for(outside, "IAC004"))
