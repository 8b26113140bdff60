"""Regular expressions supplied by the repository under review, applied with a bound.

A scanner's configuration (``.gitleaks.toml``, ``.secrets.baseline``) carries regexes the
repository wrote; gitleaks runs them with Go's linear-time RE2, Python's ``re`` backtracks.
:func:`compile_bounded` reads the pattern's shape first and refuses what RE2 would refuse
(backreferences, lookarounds) and what can backtrack exponentially (a repeated group that
itself repeats or alternates, such as ``(a+)+`` or ``(a|aa)*``); each unbounded repetition
left multiplies the worst case by the text length, so the text a pattern is applied to is
cut to a length that keeps the work small, and a pattern with more than three is refused.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass

from mlops_lint import lazy_re
from mlops_lint.model import T

MAX_PATTERN = 1000
# longest text a pattern with 0/1, 2 or 3 unbounded repetitions is applied to: a search
# costs about length ** (repetitions + 1) steps in the worst case
CAPS = (4096, 4096, 256, 64)
_GLOBAL_FLAGS = lazy_re.compile(r"\(\?[aiLmsux]{1,7}\)")
LARGE_REPEAT = 32  # {m,n} with n above this counts as unbounded
_BRACES = lazy_re.compile(r"\{(?=,?\d)(\d{0,6})(,?)(\d{0,6})\}")  # {m}, {m,}, {m,n}, {,n}


@dataclass(frozen=True)
class BoundedRegex:
    source: str
    regex: re.Pattern[str]
    cap: int  # characters of a text the pattern is applied to

    def search(self, text: str) -> bool:
        return self.regex.search(text[:self.cap]) is not None


@dataclass
class _Group:
    risky: bool = False  # holds a repetition or an alternation, at any depth


def _class_end(pattern: str, start: int) -> int:
    """Index just past the character class opening at ``start``."""
    j = start + 1
    if pattern[j:j + 1] == "^":
        j += 1
    if pattern[j:j + 1] == "]":
        j += 1
    while j < len(pattern) and pattern[j] != "]":
        j += 2 if pattern[j] == "\\" else 1
    return j + 1


_BACKREFERENCE = T("it uses a backreference", "usa una referencia hacia atrás")
_UNBALANCED = T("its parentheses do not balance", "sus paréntesis no cuadran")
_NESTED = T("a repeated group repeats or alternates inside (exponential backtracking)",
            "un grupo repetido repite o alterna dentro (retroceso exponencial)")


def _group_problem(pattern: str, i: int) -> T | None:
    """Why the group opening at ``i`` is refused, or ``None``."""
    if pattern.startswith(("(?=", "(?!", "(?<=", "(?<!"), i):
        return T("it uses a lookaround", "usa una aserción de contexto")
    if pattern.startswith("(?P=", i):
        return _BACKREFERENCE
    if i and _GLOBAL_FLAGS.match(pattern, i):
        return T("it sets a global flag after its start (Go accepts that, Python does not)",
                 "activa una opción global después del inicio (Go lo acepta, Python no)")
    return None


def _quantifier(pattern: str, i: int) -> tuple[int, bool] | None:
    """(where it ends, whether it is unbounded) of a quantifier at ``i``, or ``None``."""
    c = pattern[i]
    if c == "{":
        braces = _BRACES.match(pattern, i)
        if braces is None:
            return None
        high = braces.group(3) if braces.group(2) else braces.group(1)
        return braces.end(), not high or int(high) > LARGE_REPEAT
    if c in "*+?":
        return i + 1, c != "?"
    return None


def shape(pattern: str) -> tuple[int, T | None]:
    """(unbounded repetitions, why the pattern is refused or ``None``); one linear pass."""
    repeats = 0
    stack = [_Group()]
    quantifiable: _Group | bool = False  # the atom before: a closed group, any atom, none
    i, n = 0, len(pattern)
    while i < n:
        c = pattern[i]
        if c == "\\":
            if pattern[i + 1:i + 2] in tuple("123456789") or pattern[i + 1:i + 2] == "k":
                return repeats, _BACKREFERENCE
            i, quantifiable = i + 2, True
        elif c == "[":
            i, quantifiable = _class_end(pattern, i), True
        elif c == "(":
            problem = _group_problem(pattern, i)
            if problem is not None:
                return repeats, problem
            stack.append(_Group())
            i, quantifiable = i + 1, False
        elif c == ")":
            if len(stack) == 1:
                return repeats, _UNBALANCED
            group = stack.pop()
            stack[-1].risky = stack[-1].risky or group.risky
            i, quantifiable = i + 1, group
        elif c == "|":
            stack[-1].risky = True
            i, quantifiable = i + 1, False
        elif (quantifier := _quantifier(pattern, i)) is None:
            i, quantifiable = i + 1, True
        else:
            i, unbounded = quantifier
            if quantifiable is False:  # a lazy or possessive mark after a quantifier
                continue
            if unbounded:
                if isinstance(quantifiable, _Group) and quantifiable.risky:
                    return repeats, _NESTED
                repeats += 1
                stack[-1].risky = True
            quantifiable = False
    if len(stack) != 1:
        return repeats, _UNBALANCED
    return repeats, None


def compile_bounded(pattern: str) -> BoundedRegex | T:
    """The pattern compiled with its length cap, or why it is refused."""
    if len(pattern) > MAX_PATTERN:
        return T(f"it is longer than {MAX_PATTERN} characters",
                 f"tiene más de {MAX_PATTERN} caracteres")
    repeats, problem = shape(pattern)
    if problem is not None:
        return problem
    if repeats >= len(CAPS):
        return T(f"it has {repeats} unbounded repetitions",
                 f"tiene {repeats} repeticiones sin límite")
    try:  # Go's \z is Python's \Z; "possible nested set" warnings are not ours to show
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            regex = re.compile(pattern.replace(r"\z", r"\Z"))
    except (re.error, RecursionError, OverflowError) as exc:
        return T(f"Python cannot compile it ({exc})", f"Python no puede compilarla ({exc})")
    return BoundedRegex(pattern, regex, CAPS[repeats])
