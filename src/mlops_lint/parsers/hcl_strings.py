"""HCL string values as python-hcl2 resolves them: its escape sequences, the text its lexer
keeps verbatim (``$${...}``, ``%%{...}``), and its ``${...}`` form of an expression. Used by
the tree-sitter reader (:mod:`mlops_lint.parsers.hcl_treesitter`) to give the same values.
"""

from __future__ import annotations

from mlops_lint import lazy_re

# python-hcl2's escape handling (hcl2.utils.process_escape_sequences), applied to the
# literal text of a quoted string when its value (not its source) is asked for.
_SIMPLE_ESCAPES = {"n": "\n", "r": "\r", "t": "\t", '"': '"', "\\": "\\"}
_HEX = frozenset("0123456789abcdefABCDEF")
# Text python-hcl2's lexer keeps verbatim inside a string (its ESCAPED_INTERPOLATION and
# ESCAPED_DIRECTIVE tokens): escapes are not resolved there.
_ESCAPED_MARKERS = lazy_re.compile(r"\$\$\{[^}]*\}|%%\{[^}]*\}")


def _unescape(value: str) -> str:
    if "\\" not in value:
        return value
    parts: list[str] = []
    index, length = 0, len(value)
    while index < length:
        char = value[index]
        if char != "\\" or index + 1 >= length:
            parts.append(char)
            index += 1
            continue
        marker = value[index + 1]
        if marker in _SIMPLE_ESCAPES:
            parts.append(_SIMPLE_ESCAPES[marker])
            index += 2
            continue
        if marker in ("u", "U"):
            width = 4 if marker == "u" else 8
            digits = value[index + 2:index + 2 + width]
            if len(digits) == width and all(c in _HEX for c in digits):
                codepoint = int(digits, 16)
                if codepoint <= 0x10FFFF and not 0xD800 <= codepoint < 0xE000:
                    parts.append(chr(codepoint))
                    index += 2 + width
                    continue
        parts.append(char)
        parts.append(marker)
        index += 2
    return "".join(parts)


def literal_value(raw: str) -> str:
    """The value of a run of literal string text, as python-hcl2 resolves it."""
    if "\\" not in raw:
        return raw
    out: list[str] = []
    last = 0
    for match in _ESCAPED_MARKERS.finditer(raw):
        out.append(_unescape(raw[last:match.start()]))
        out.append(match.group())
        last = match.end()
    out.append(_unescape(raw[last:]))
    return "".join(out)


def to_dollar_string(value: str) -> str:
    """``hcl2.utils.to_dollar_string``."""
    return value if value.startswith("${") and value.endswith("}") else f"${{{value}}}"
