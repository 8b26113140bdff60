"""Infrastructure as code with Terraform (phase 6, the infrastructure half): IAC001 the
baseline (files that parse, pinned Terraform and providers, under infra/ with a README),
IAC002 remote state (a remote backend, state out of git, locking, encryption, one key per
root module), IAC003 parameters (typed and described variables, outputs, nothing
hardcoded), IAC004 modules, IAC005 environments, IAC006 Terraform in CI.

Every rule is conditional (rules.md §0.3 "cond."): without ``*.tf`` files it is skipped
as not applicable, and rules.md §2.4 (rules/phases.yaml) then asks phase 6 level 3 for the
Kubernetes group. All of them are repository rules (rules.md §0.4): infra/ is shared at
the root of the guide's monorepo.

``.tf`` files are read with python-hcl2 (:mod:`mlops_lint.parsers.terraform`); a file that
does not parse is a failing IAC001 result with its path and line, and the other rules
read the files that do parse.

A *configuration directory* is a directory holding ``.tf`` files. It is a *child module*
when it lies under a ``modules/`` directory or another configuration calls it with a
local ``source``; every other configuration directory is a *root module* (something
``terraform init`` runs in: a stack, an environment).
"""
