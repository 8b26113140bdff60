"""The Terraform reader: python-hcl2 data without quotes, blocks with lines, errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from mlops_lint.parsers import ParseError
from mlops_lint.parsers.terraform import (
    TfFile,
    backend_configs,
    build_file,
    is_literal,
    nested,
    parse_hcl,
    terraform_files,
    unquote,
)
from mlops_lint.repo import Repo

MakeRepo = Callable[..., Path]

MAIN = """\
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = "~> 5.0"
    }
  }
  backend "s3" {
    bucket  = "tf-state"
    key     = "prod/terraform.tfstate"
    encrypt = true
  }
}

resource "aws_instance" "api" {
  ami           = "ami-0c55b159cbfafe1f0"
  instance_type = var.instance_type
  tags          = { Name = "api-${terraform.workspace}" }
}

resource "aws_instance" "worker" {
  ami = data.aws_ami.ubuntu.id
}
"""


def test_parse_hcl_strips_quotes_and_markers() -> None:
    data = parse_hcl(MAIN)
    (terraform,) = data["terraform"]
    assert terraform["required_version"] == ">= 1.5.0"
    assert "__is_block__" not in terraform
    [(label, backend)] = nested(terraform, "backend")
    assert label == "s3" and backend["encrypt"] is True
    assert backend["key"] == "prod/terraform.tfstate"
    [(none, providers)] = nested(terraform, "required_providers")
    assert none is None and providers["aws"]["version"] == "~> 5.0"


def test_blocks_labels_lines_and_attributes() -> None:
    tf = build_file("infra/main.tf", MAIN, parse_hcl(MAIN))
    assert [(b.type, b.labels, b.line) for b in tf.blocks] == [
        ("terraform", (), 1), ("resource", ("aws_instance", "api"), 16),
        ("resource", ("aws_instance", "worker"), 22)]
    api, worker = tf.of("resource")
    assert api.address == "aws_instance.api"
    assert tf.attribute_line(api, "instance_type") == 18
    assert tf.attribute_line(worker, "missing") == 22
    assert is_literal(api.body["ami"]) and not is_literal(api.body["instance_type"])
    assert not is_literal(worker.body["ami"])
    assert "terraform.workspace" in api.body["tags"]["Name"]
    assert tf.directory == "infra"


def test_unquote() -> None:
    assert unquote('"a"') == "a"
    assert unquote('"a" "b"') == '"a" "b"'
    assert unquote("plain") == "plain"


@pytest.mark.parametrize("text", ['resource "a" "b" {\n  x = \n}\n', "terraform {\n"])
def test_broken_hcl_raises_with_a_line(text: str) -> None:
    with pytest.raises(Exception) as info:
        parse_hcl(text)
    assert getattr(info.value, "line", None) is not None


def test_terraform_files_are_parsed_once(make_repo: MakeRepo) -> None:
    repo = Repo(make_repo({
        "infra/main.tf": MAIN,
        "infra/broken.tf": 'resource "x" "y" {\n',
        "infra/.terraform/modules/vendored/main.tf": "nonsense {",
        "infra/backends/dev.tfbackend": 'key = "dev/terraform.tfstate"\n',
    }))
    files = terraform_files(repo)
    assert terraform_files(repo) is files
    kinds = sorted((type(f).__name__, f.path) for f in files)
    assert kinds == [("ParseError", "infra/broken.tf"), ("TfFile", "infra/main.tf")]
    broken = next(f for f in files if isinstance(f, ParseError))
    assert broken.line is not None
    assert next(f for f in files if isinstance(f, TfFile)).of("terraform")
    assert backend_configs(repo) == [("infra/backends/dev.tfbackend",
                                      {"key": "dev/terraform.tfstate"})]
