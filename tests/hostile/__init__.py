"""The hostile corpus: repositories built at test time to break a linter."""
