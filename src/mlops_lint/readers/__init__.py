"""Readers: facts about the repository that rules of several families share (the project's
deployment, its training code, its ADRs, templates, the tools its CI runs), each read once
per run and memoised on the repository.

A reader imports parsers, the repository and the model; it never imports a rule family.
A rule imports its own family, the readers, the parsers and the model.
"""
