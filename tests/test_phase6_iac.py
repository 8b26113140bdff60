"""IAC001-IAC006: Terraform (repo-scoped, conditional)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from conftest import statuses
from mlops_lint.model import Result

MakeRepo = Callable[..., Path]
ResultsFor = Callable[..., list[Result]]

VERSIONS = """\
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
  %s
}
"""
S3 = """backend "s3" {
    bucket         = "acme-tf-state"
    key            = "%s/terraform.tfstate"
    region         = "us-east-1"
    dynamodb_table = "terraform-locks"
    encrypt        = true
  }"""
VARIABLES = """\
variable "instance_type" {
  type        = string
  description = "EC2 type for the API"
  default     = "t3.small"
}
"""
OUTPUTS = 'output "api_url" {\n  value = module.api.url\n}\n'
MAIN = """\
module "api" {
  source        = "../../modules/api"
  instance_type = var.instance_type
}
"""
MODULE = {
    "infra/modules/api/main.tf": 'resource "aws_instance" "api" {\n  ami = data.aws_ami.u.id\n'
                                 "  instance_type          = var.instance_type\n"
                                 "  vpc_security_group_ids = [aws_security_group.api.id]\n}\n",
    "infra/modules/api/variables.tf": VARIABLES,
    "infra/modules/api/outputs.tf": 'output "url" {\n  value = aws_instance.api.public_dns\n}\n',
}
GITIGNORE = "*.tfstate\n*.tfstate.*\n.terraform/\n"


def env(name: str, backend: str | None = None) -> dict[str, str]:
    base = f"infra/environments/{name}/"
    return {base + "versions.tf": VERSIONS % (S3 % name if backend is None else backend),
            base + "main.tf": MAIN, base + "variables.tf": VARIABLES, base + "outputs.tf": OUTPUTS}


def guide_repo(make_repo: MakeRepo, extra: dict[str, str] | None = None,
               commits: list[str] | None = None) -> Path:
    files = {**env("dev"), **env("prod"), **MODULE, "infra/README.md": "# Infra\n",
             ".gitignore": GITIGNORE, **(extra or {})}
    return make_repo({k: v for k, v in files.items() if v is not None}, commits=commits)


WORKFLOW = """\
name: terraform
on:
  pull_request:
    paths: ["infra/**"]
  push:
    branches: [main]
    paths: ["infra/**"]
permissions:
  id-token: write
  contents: read
jobs:
  plan:
    runs-on: ubuntu-latest
    steps:
      - uses: actions/checkout@v4
      - uses: hashicorp/setup-terraform@v3
      - uses: aws-actions/configure-aws-credentials@v4
        with:
          role-to-assume: arn:aws:iam::123456789012:role/terraform
          aws-region: us-east-1
      - run: terraform fmt -check -recursive
      - run: terraform init && terraform validate
      - run: terraform plan -out=tfplan
      - uses: actions/upload-artifact@v4
        with: {name: tfplan, path: tfplan}
  apply:
    needs: plan
    if: github.ref == 'refs/heads/main' && github.event_name == 'push'
    environment: production
    runs-on: ubuntu-latest
    steps:
      - run: terraform apply -auto-approve tfplan
"""

IAC = ("IAC001", "IAC002", "IAC003", "IAC004", "IAC005", "IAC006")


def test_not_applicable_without_terraform(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({"README.md": "# x\n", "infra/notes.md": "terraform later\n"})
    for rule in IAC:
        results = results_for(root, rule)
        assert set(statuses(results)) == {"skip"}, rule
        assert "no Terraform" in results[0].message.en


def test_guide_layout_passes_everything(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = guide_repo(make_repo, {".github/workflows/terraform.yml": WORKFLOW},
                      commits=["chore: infra"])
    for rule in IAC:
        results = results_for(root, rule)
        assert set(statuses(results)) == {"pass"}, (rule, [r.message.en for r in results])


def test_iac001_broken_tf_is_a_visible_failure(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    root = guide_repo(make_repo, {"infra/environments/dev/broken.tf":
                                  'resource "aws_s3_bucket" "b" {\n  bucket = \n}\n'})
    failing = [r for r in results_for(root, "IAC001") if r.status.value == "fail"]
    assert [(r.path, r.line) for r in failing] == [("infra/environments/dev/broken.tf", 2)]
    assert "does not parse as HCL" in failing[0].message.en
    for rule in IAC[1:]:  # the other rules read the files that parse, without crashing
        assert "error" not in statuses(results_for(root, rule)), rule


@pytest.mark.parametrize(("versions", "status", "words"), [
    ('terraform {\n  required_providers {\n    aws = { source = "hashicorp/aws", '
     'version = "~> 5.0" }\n  }\n}\n', "fail", "no required_version"),
    ('terraform {\n  required_version = ">= 1.5"\n  required_providers {\n'
     '    aws = { source = "hashicorp/aws" }\n  }\n}\n', "fail", "provider aws: no version"),
    ('terraform {\n  required_version = ">= 1.5"\n  required_providers {\n'
     '    aws = { source = "hashicorp/aws", version = ">= 5.0" }\n  }\n}\n', "warn",
     "open-ended constraint"),
    ('terraform {\n  required_version = ">= 1.5"\n}\n', "fail", "no required_providers"),
])
def test_iac001_versions(make_repo: MakeRepo, results_for: ResultsFor, versions: str,
                         status: str, words: str) -> None:
    root = make_repo({"infra/main.tf": versions, "infra/README.md": "# infra\n"})
    results = results_for(root, "IAC001")
    (result,) = [r for r in results if r.path == "infra/main.tf"]
    assert result.status.value == status and words in result.message.en
    assert result.line == 1


def test_iac001_location_and_readme(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = make_repo({"main.tf": VERSIONS % ""})
    messages = {r.status.value + ":" + r.message.en for r in results_for(root, "IAC001")}
    assert any(m.startswith("fail:Terraform files outside infra/") for m in messages)
    assert any(m.startswith("fail:no README in .") for m in messages)


# -- IAC002 ----------------------------------------------------------------------------------


@pytest.mark.parametrize(("backend", "level2", "level3", "words"), [
    (S3 % "prod", "pass", "pass", "locking DynamoDB"),
    ('backend "s3" {\n    bucket = "b"\n    key = "prod/tf.tfstate"\n    use_lockfile = true\n'
     '    encrypt = true\n  }', "pass", "pass", "use_lockfile"),
    ('backend "s3" {\n    bucket = "b"\n    key = "prod/tf.tfstate"\n  }', "pass", "fail",
     "no state locking"),
    ('backend "gcs" {\n    bucket = "b"\n    prefix = "prod"\n  }', "pass", "pass",
     "encrypts at rest"),
    ('backend "local" {\n    path = "tf.tfstate"\n  }', "fail", "fail", "keeps the state"),
    ("", "fail", "fail", "no backend block"),
])
def test_iac002_backends(make_repo: MakeRepo, results_for: ResultsFor, backend: str,
                         level2: str, level3: str, words: str) -> None:
    root = make_repo({"infra/main.tf": VERSIONS % backend, ".gitignore": GITIGNORE})
    results = [r for r in results_for(root, "IAC002") if r.path == "infra/main.tf"]
    assert statuses(results, 2) == [level2]
    assert statuses(results, 3) == [level3]
    assert any(words in r.message.en for r in results)


def test_iac002_partial_backend_configuration(make_repo: MakeRepo,
                                              results_for: ResultsFor) -> None:
    root = make_repo({
        "infra/main.tf": VERSIONS % 'backend "s3" {}',
        "infra/prod.s3.tfbackend": 'bucket = "b"\nkey = "prod/tf.tfstate"\n'
                                   'dynamodb_table = "locks"\nencrypt = true\n',
        ".gitignore": GITIGNORE,
    })
    level3 = statuses(results_for(root, "IAC002"), 3)
    assert level3 == ["pass"]


def test_iac002_shared_state_key(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = guide_repo(make_repo, env("staging", backend=S3 % "prod"))
    failing = [r for r in results_for(root, "IAC002") if r.status.value == "fail"]
    assert len(failing) == 2 and all(r.level == 3 for r in failing)
    assert "state key prod/terraform.tfstate shared with" in failing[0].message.en


def test_iac002_state_out_of_git(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    root = guide_repo(make_repo, {".gitignore": "*.pyc\n",
                                  "infra/environments/dev/terraform.tfstate": "{}"},
                      commits=["chore: add state"])
    (hygiene,) = [r for r in results_for(root, "IAC002") if r.path == ".gitignore"]
    assert hygiene.status.value == "fail" and hygiene.level == 2
    assert "terraform.tfstate, terraform.tfstate.backup, .terraform not gitignored" in \
        hygiene.message.en
    assert "state committed to git: infra/environments/dev/terraform.tfstate" in \
        hygiene.message.en
    outside_git = guide_repo(make_repo)
    (ok,) = [r for r in results_for(outside_git, "IAC002") if r.path == ".gitignore"]
    assert ok.status.value == "pass" and "not a git repository" in ok.message.en


def test_iac002_bootstrap_keeps_local_state(make_repo: MakeRepo,
                                            results_for: ResultsFor) -> None:
    root = guide_repo(make_repo, {
        "infra/bootstrap/main.tf": 'resource "aws_dynamodb_table" "locks" {\n'
                                   '  name = "terraform-locks"\n  hash_key = "LockID"\n}\n'})
    skipped = [r for r in results_for(root, "IAC002") if r.status.value == "skip"]
    assert skipped and "bootstrap" in skipped[0].message.en


def test_iac002_iac005_backend_configs_and_init_options(make_repo: MakeRepo,
                                                       results_for: ResultsFor) -> None:
    hcl = ('bucket = "b"\nkey = "%s/tf.tfstate"\ndynamodb_table = "locks"\n'
           'encrypt = true\n')
    root = make_repo({"infra/aws/main.tf": VERSIONS % 'backend "s3" {}',
                      "infra/aws/backend-configs/dev.hcl": hcl % "dev",
                      "infra/aws/backend-configs/prod.hcl": hcl % "prod",
                      ".gitignore": GITIGNORE})
    level3 = [r for r in results_for(root, "IAC002") if r.level == 3]
    assert statuses(level3) == ["pass"] and "backend-configs/dev.hcl" in level3[0].message.en
    iac005 = results_for(root, "IAC005")
    assert statuses(iac005) == ["pass"] and "dev, prod" in iac005[0].message.en
    # the key passed by terraform init -backend-config in a Makefile, from the module folder
    makefile = ("init:\n\tterraform -chdir=infra init -backend-config=\"key=app/tf.tfstate\" "
                "-backend-config=\"dynamodb_table=locks\" -backend-config=encrypt=true\n")
    root = make_repo({"infra/main.tf": VERSIONS % 'backend "s3" {\n    bucket = "b"\n  }',
                      "Makefile": makefile, ".gitignore": GITIGNORE})
    level3 = [r for r in results_for(root, "IAC002") if r.level == 3]
    assert statuses(level3) == ["pass"], level3
    assert "key app/tf.tfstate" in level3[0].message.en
    # a file named by -backend-config in CI counts wherever it lives
    ci = ("on: push\njobs:\n  tf:\n    runs-on: x\n    steps:\n      - run: |\n"
          "          cd infra\n          terraform init -backend-config=../conf/prod.conf\n")
    root = make_repo({"infra/main.tf": VERSIONS % 'backend "s3" {}',
                      "conf/prod.conf": hcl % "prod", ".github/workflows/tf.yml": ci,
                      ".gitignore": GITIGNORE})
    level3 = [r for r in results_for(root, "IAC002") if r.level == 3]
    assert statuses(level3) == ["pass"] and "conf/prod.conf" in level3[0].message.en


# -- IAC003 ----------------------------------------------------------------------------------


def test_iac003_hardcoded_values_and_variables(make_repo: MakeRepo,
                                               results_for: ResultsFor) -> None:
    main = ('resource "aws_instance" "api" {\n  ami           = "ami-0c55b159cbfafe1f0"\n'
            '  instance_type = "t3.large"\n  associate_public_ip_address = true\n}\n')
    root = make_repo({"infra/main.tf": main,
                      "infra/variables.tf": 'variable "region" {\n  default = "eu-west-1"\n}\n'})
    results = results_for(root, "IAC003")
    found = {(r.status.value, r.line, r.message.en.split(":")[1].strip()[:24]) for r in results
             if r.path == "infra/main.tf" and r.line}
    assert ("fail", 2, "hardcoded AMI ami-0c55b1") in found
    assert ("warn", 3, "hardcoded instance_type ") in found
    assert ("fail", 1, "no security group attach") in found
    summary = next(r for r in results if "variables without type" in r.message.en)
    assert summary.status.value == "fail" and "no outputs" in summary.message.en
    assert "variables without description: region" in summary.message.en


# -- IAC004 ----------------------------------------------------------------------------------


def test_iac004_modules(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    incomplete = guide_repo(make_repo, {"infra/modules/api/outputs.tf": None})
    messages = [r.message.en for r in results_for(incomplete, "IAC004")
                if r.status.value == "fail"]
    assert messages == ["module infra/modules/api: no output blocks (outputs.tf)"]
    registry = make_repo({"infra/main.tf": 'module "vpc" {\n  source = '
                                           '"terraform-aws-modules/vpc/aws"\n}\n'
                                           'module "net" {\n  source = '
                                           '"git::https://github.com/acme/net.git"\n}\n'})
    messages = [r.message.en for r in results_for(registry, "IAC004")]
    assert any("registry module without version" in m for m in messages)
    assert any("git source without ?ref=" in m for m in messages)
    pinned = make_repo({"infra/main.tf": 'module "vpc" {\n  source = '
                                         '"terraform-aws-modules/vpc/aws"\n'
                                         '  version = "5.1.0"\n}\n'})
    assert statuses(results_for(pinned, "IAC004")) == ["warn"]
    inline = make_repo({"infra/main.tf": 'resource "aws_s3_bucket" "b" {\n  bucket = "x"\n}\n'})
    assert statuses(results_for(inline, "IAC004")) == ["fail"]


# -- IAC005 ----------------------------------------------------------------------------------


def test_iac005_environments_and_workspaces(make_repo: MakeRepo,
                                            results_for: ResultsFor) -> None:
    no_backend = guide_repo(make_repo, env("staging", backend=""))
    results = results_for(no_backend, "IAC005")
    assert sorted(statuses(results)) == ["fail", "pass", "pass"]
    workspace = make_repo({"infra/main.tf": 'locals {\n  env = terraform.workspace\n}\n'})
    (result,) = results_for(workspace, "IAC005")
    assert result.status.value == "pass" and result.line == 2
    tfvars = make_repo({"infra/main.tf": VERSIONS % 'backend "s3" {}',
                        "infra/dev.tfvars": 'instance_type = "t3.small"\n',
                        "infra/prod.tfvars": 'instance_type = "t3.large"\n'})
    assert statuses(results_for(tfvars, "IAC005")) == ["warn"]
    single = make_repo({"infra/main.tf": VERSIONS % S3 % "prod"})
    assert statuses(results_for(single, "IAC005")) == ["fail"]


# -- IAC006 ----------------------------------------------------------------------------------


def test_iac006_unprotected_apply_and_literal_credentials(make_repo: MakeRepo,
                                                          results_for: ResultsFor) -> None:
    workflow = WORKFLOW.replace("    environment: production\n", "").replace(
        "    if: github.ref == 'refs/heads/main' && github.event_name == 'push'\n", "").replace(
        "      - run: terraform apply", "      - env: {AWS_ACCESS_KEY_ID: AKIAIOSFODNN7EXAMPLE}\n"
        "        run: terraform apply")
    root = guide_repo(make_repo, {".github/workflows/terraform.yml": workflow})
    messages = sorted(r.message.en for r in results_for(root, "IAC006"))
    assert len(messages) == 2
    assert "apply job apply: not restricted to main, no environment" in messages[0]
    assert messages[1] == "literal cloud credential AWS_ACCESS_KEY_ID in the workflow"


def test_iac006_partial_workflow_warns(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    workflow = ("on: pull_request\njobs:\n  plan:\n    runs-on: ubuntu-latest\n    steps:\n"
                "      - run: terraform init && terraform plan\n")
    root = guide_repo(make_repo, {".github/workflows/tf.yml": workflow})
    (result,) = results_for(root, "IAC006")
    assert result.status.value == "warn"
    for words in ("no fmt -check / validate", "not filtered on paths",
                  "neither uploaded nor commented"):
        assert words in result.message.en
    no_pr = guide_repo(make_repo, {".github/workflows/tf.yml": workflow.replace(
        "pull_request", "workflow_dispatch")})
    assert "does not run on pull requests" in results_for(no_pr, "IAC006")[0].message.en


def test_iac006_missing_or_other_ci(make_repo: MakeRepo, results_for: ResultsFor) -> None:
    assert statuses(results_for(guide_repo(make_repo), "IAC006")) == ["fail"]
    gitlab = guide_repo(make_repo, {".gitlab-ci.yml": "plan:\n  script:\n"
                                                      "    - terraform plan\n"})
    (result,) = results_for(gitlab, "IAC006")
    assert result.status.value == "warn" and "gitlab" in result.message.en
