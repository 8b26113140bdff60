"""Git hygiene (phase 2): GIT001 a .gitignore for what the repository has, GIT002
Conventional Commits, GIT003 pre-commit hygiene hooks, GIT004 pre-commit mypy, secrets and
commit-message hooks, GIT005 no large or data files in git, GIT006 release hygiene (semver
tags, a changelog, pull requests), GIT007 a git repository.

All repository-scoped (rules.md §0.4): they run once at the root. History is read once
per run (:func:`mlops_lint.parsers.gitlog.history`: one ``git log`` and one
``git for-each-ref``), file sizes come from ``os.lstat`` of the tracked files (no
subprocess), and ``.gitignore`` files are matched with git's rules by pathspec. Without
git, GIT007 fails and the history rules (GIT002, GIT006) skip with "not a git
repository"; GIT005 then judges the files ``.gitignore`` would let in.
"""
