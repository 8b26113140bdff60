"""Repository text made safe to show: what every report renderer applies to it.

Messages, paths, project names and rule-pack titles come from the linted repository.
Printed raw, an ESC sequence moves the cursor, rewrites earlier lines, sets the window
title or writes the clipboard (OSC 52); a bidi override (U+202E) reverses what a reader
sees; a lone surrogate (``"\\udc80"`` in a Python string) cannot be encoded and aborts
the output. :func:`clean` shows each of them as a visible escape (``\\x1b``,
``\\u202e``) and keeps everything else.
"""

from __future__ import annotations

import re

from mlops_lint import lazy_re

# C0 controls except tab and newline, DEL, C1 controls, bidi embeddings, overrides and
# isolates (and the Arabic letter mark), and lone surrogates
_UNSAFE = lazy_re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                          "\u2066-\u2069\ud800-\udfff]")
_UNSAFE_LINE = lazy_re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u202a-\u202e"
                               "\u2066-\u2069\ud800-\udfff]")


def _escape(match: re.Match[str]) -> str:
    code = ord(match.group(0))
    if code == 0x0A:
        return "\\n"
    if code == 0x0D:
        return "\\r"
    if code == 0x09:
        return "\\t"
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def clean(text: str, newlines: bool = True) -> str:
    """``text`` with control characters, bidi controls and lone surrogates shown as
    escapes; ``newlines=False`` escapes line breaks and tabs too (a one-line field)."""
    return (_UNSAFE if newlines else _UNSAFE_LINE).sub(_escape, text)


def encodable(text: str) -> str:
    """``text`` with lone surrogates replaced by U+FFFD, so it encodes as UTF-8 (for
    formats whose own escaping handles every other character, such as JSON)."""
    return re.sub("[\ud800-\udfff]", "\ufffd", text)
