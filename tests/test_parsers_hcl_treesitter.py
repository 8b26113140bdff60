"""The tree-sitter HCL reader gives python-hcl2's data, and python-hcl2 stays the fallback."""

from __future__ import annotations

from typing import Any

import pytest

from mlops_lint.parsers import hcl_treesitter, terraform
from mlops_lint.parsers.terraform import _clean, _hcl2, parse_hcl

pytestmark = pytest.mark.skipif(not hcl_treesitter.available(),
                                reason="tree-sitter-hcl is not installed")


def hcl2_data(text: str) -> Any:
    loads, options = _hcl2()
    data = loads(text, serialization_options=options) if options is not None else loads(text)
    return _clean(data)


def fast_data(text: str) -> Any:
    data = hcl_treesitter.load(text)
    assert data is not None
    return _clean(data)


REPRESENTATIVE = {
    "blocks and labels": '''\
terraform {
  required_version = ">= 1.5.0"
  required_providers {
    aws = { source = "hashicorp/aws", version = "~> 5.0" }
  }
  backend "s3" {
    bucket  = "tf-state"
    encrypt = true
  }
}
provider "aws" { region = var.region }
resource "aws_instance" "api" {
  ami   = "ami-1"
  count = 2
  lifecycle { prevent_destroy = true }
}
resource "aws_instance" "api" { ami = "ami-2" }
module "net" {
  source = "./modules/net"
}
locals {}
data aws_ami ubuntu { most_recent = true }
''',
    "literals": '''\
a = 1
b = -3
c = 1.50
d = -2.5
e = 1.5e3
f = 2.5E-2
g = true
h = false
i = null
j = "plain"
k = ""
l = "caf\\u00e9 \\"quoted\\" tab\\t back\\\\slash"
m = "日本語"
n = "$${not_interpolated} and %%{ not_a_directive }"
''',
    "expressions": '''\
a = var.x
b = bare_name
c = local.items[0].name
d = aws_instance.web[*].id
e = aws_instance.web.*.private_ip
f = module.vpc.subnets.1
g = (var.a)
h = (var.a).b
i = var.a ? "yes" : "no"
j = !var.enabled
k = -var.offset
l = a  +  b * (c - d) / 2 % 3
m = x == "a" && y != "b" || z >= 1 && w <= 2 || u < 3 || v > 4
n = merge(local.a, { x = 1 }, var.b...)
o = format("%s-%s", var.env, "app")
p = length([])
q = provider::aws::arn_parse(var.arn)
r = upper("${var.name}-x")
s = [for s in var.list : upper(s) if s != ""]
t = { for k, v in var.map : k => v... if v != null }
u = { for i, s in var.list : s => i }
v = try(var.a.b, null)
w = -1.5e3
x = [-1, -1.5, 2]
''',
    "strings with interpolation": '''\
a = "${var.a}"
b = "prefix-${var.a}-${local.b}-suffix"
c = "${var.a}${var.b}"
d = "${ upper(var.a) }"
e = "${"nested-${var.x}"}"
f = "${var.list[0]} and ${true} and ${1.50} and ${-3} and ${null}"
g = "path/${each.key}/${count.index + 1}"
h = "${ {a = "s", b = [1, 2]} }"
i = "${[for x in var.l : x]}"
''',
    "collections": '''\
a = [1, "two", true, null, [3, 4], { five = 5 }]
b = {
  plain    = 1
  "quoted" = 2
  (var.k)  = 3
  4        = "four"
  var.key  = 5
  nested   = { deeper = { deepest = [] } }
  colon : "c"
}
c = {}
d = [
  "trailing",
  "comma",
]
e = { a = 1, b = 2, a = 3 }
''',
    "heredocs": '''\
a = <<EOT
line one ${var.x}
  indented
EOT
b = <<-EOT
    trimmed
      more
    EOT
policy = <<POLICY
{"Version": "2012-10-17"}
POLICY
''',
    "comments": '''\
# a comment
// another
/* block
   comment */
resource "x" "y" { # trailing
  a = 1 # after
  b = [1, # inside
       2]
  c = f(a, /* mid */ b)
}
''',
    "crlf": 'resource "x" "y" {\r\n  a = "b"\r\n  c = <<EOT\r\nbody\r\nEOT\r\n}\r\n',
    "keywords as names": '''\
resource "snowflake" "x" {
  for_each = var.m
  in = 1
  dynamic "setting" {
    for_each = var.settings
    content { name = setting.value }
  }
}
''',
}


@pytest.mark.parametrize("name", sorted(REPRESENTATIVE))
def test_same_data_as_python_hcl2(name: str) -> None:
    text = REPRESENTATIVE[name]
    expected = hcl2_data(text)
    got = fast_data(text)
    assert got == expected
    assert repr(got) == repr(expected)  # same types (1 vs 1.0 vs True) and key order


def test_values_are_typed_and_expressions_wrapped() -> None:
    literals = fast_data(REPRESENTATIVE["literals"])
    assert (literals["a"], literals["b"], literals["c"], literals["e"]) == (1, -3, 1.5, "${1.5e3}")
    assert literals["g"] is True and literals["i"] is None
    assert literals["l"] == 'café "quoted" tab\t back\\slash'
    data = fast_data(REPRESENTATIVE["expressions"])
    assert data["a"] == "${var.x}" and data["b"] == "bare_name"
    assert data["c"] == "${local.items[0].name}"
    assert data["e"] == "${aws_instance.web.*.private_ip}"
    assert data["n"] == "${merge(local.a, {x = 1}, var.b ...)}"
    assert data["l"] == "${a + b * (c - d) / 2 % 3}"
    assert data["w"] == "${-1.5e3}" and data["x"] == [-1, -1.5, 2]


@pytest.mark.parametrize("text", [
    'resource "a" "b" {\n  x = \n}\n',
    "terraform {\n",
    'x = "unterminated\n',
    'a = "%{ if var.x }yes%{ else }no%{ endif }"\n',
    'a = "${~ var.x ~}"\n',
])
def test_unmodelled_or_broken_text_is_left_to_python_hcl2(text: str) -> None:
    with pytest.raises(hcl_treesitter.Unsupported):
        hcl_treesitter.load(text)


@pytest.mark.parametrize("text", [
    'a = "%{ if var.x }yes%{ else }no%{ endif }"\n',
    "a = 1e3\n",  # tree-sitter-hcl wants a fraction before the exponent
    'a = "unknown \\q escape"\n',  # tree-sitter-hcl refuses it, python-hcl2 keeps it
])
def test_what_tree_sitter_refuses_reads_through_the_fallback(text: str) -> None:
    with pytest.raises(hcl_treesitter.Unsupported):
        hcl_treesitter.load(text)
    assert parse_hcl(text) == hcl2_data(text)


def test_syntax_errors_are_python_hcl2s(monkeypatch: pytest.MonkeyPatch) -> None:
    text = 'resource "a" "b" {\n  x = \n}\n'
    with pytest.raises(Exception) as fast:
        parse_hcl(text)
    monkeypatch.setattr(terraform, "_fast_reader", lambda: None)
    with pytest.raises(Exception) as slow:
        parse_hcl(text)
    assert type(fast.value) is type(slow.value) and str(fast.value) == str(slow.value)
    assert getattr(fast.value, "line", None) == getattr(slow.value, "line", None) is not None


def test_attribute_and_block_of_one_name_fail_as_in_python_hcl2() -> None:
    text = 'a = 1\na { b = 2 }\n'
    with pytest.raises(RuntimeError, match="Attribute a is already defined"):
        hcl_treesitter.load(text)
    with pytest.raises(Exception, match="Attribute a is already defined"):
        hcl2_data(text)


def test_without_tree_sitter_python_hcl2_reads_everything(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = REPRESENTATIVE["blocks and labels"]
    monkeypatch.setattr(hcl_treesitter, "_parser", lambda: None)
    assert hcl_treesitter.load(text) is None
    terraform._fast_reader.cache_clear()
    try:
        assert terraform._fast_reader() is None
        assert parse_hcl(text) == hcl2_data(text)
    finally:
        terraform._fast_reader.cache_clear()


def test_environment_variable_forces_python_hcl2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MLOPS_LINT_HCL_READER", "python-hcl2")
    terraform._fast_reader.cache_clear()
    try:
        assert terraform._fast_reader() is None
    finally:
        monkeypatch.delenv("MLOPS_LINT_HCL_READER")
        terraform._fast_reader.cache_clear()
    assert terraform._fast_reader() is not None


def test_unexpected_reader_failure_falls_back(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(text: str) -> dict[str, Any]:
        raise IndexError("unexpected tree shape")

    monkeypatch.setattr(terraform, "_fast_reader", lambda: broken)
    text = REPRESENTATIVE["collections"]
    assert parse_hcl(text) == hcl2_data(text)
