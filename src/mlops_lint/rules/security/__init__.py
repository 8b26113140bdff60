"""Security: SEC006 no unsafe deserialisation or eval in serving code (phase 5).

SEC006 reads the serving layer of :mod:`mlops_lint.readers.serving`, shared with the API
rules (rules/api).
"""
