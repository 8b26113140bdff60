"""Where a literal is given to a name in a line of text: ``key = value`` pairs, passwords
in URLs, the service containers of a CI file, a Kubernetes Secret's base64 values, and
which syntax a file's name implies (prose, quoted literals, bare words). Pure functions on
text, bounded like :mod:`._secret_values`; values are judged by
:func:`~mlops_lint.rules.security._secret_values.classify`.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from pathlib import PurePosixPath

from mlops_lint import lazy_re
from mlops_lint.rules.security._secret_values import MAX_LINE, Kind, classify, mask, secret_name

# A key (after an optional "-" or "--" of a command-line flag) starts where no key
# character precedes it and not right after "${" (the name inside an interpolation), so
# in a long run of key characters only its first position is tried; the key is at most
# 100 characters, and quoted and bare values are bounded too.
ASSIGN = lazy_re.compile(
    r"""(?<![\w.-])(?<!\$\{)-{0,2}(?P<key>[A-Za-z_][\w.-]{0,99})["']?[ \t]{0,32}"""
    r"""(?::=|=>|=|:)[ \t]{0,32}"""
    r"""(?:"(?P<dq>[^"\n]{0,512})"|'(?P<sq>[^'\n]{0,512})'|(?P<bare>[^\s"',;#}\]]{1,512}))""")
_URL_CREDENTIAL = lazy_re.compile(
    r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,30}://(?P<user>[^\s:/@'\"]{0,256}):"
    r"(?P<pw>[^\s@/'\"]{1,256})@")
_HINT = lazy_re.compile(r"pass|secret|token|api.?key|access.?key|private.?key|auth.?key|pwd",
                        re.IGNORECASE)


class Syntax(str, Enum):
    PROSE = "prose"  # documentation: only known token formats
    QUOTED = "quoted"  # code, JSON, TOML, HCL: only quoted strings are literals
    BARE = "bare"  # YAML, .env, shell, ini: an unquoted word is a literal too


PROSE_SUFFIXES = frozenset({".md", ".markdown", ".mdx", ".rst", ".adoc", ".asciidoc", ".txt",
                            ".rtf", ".tex", ".org", ".html", ".htm"})
QUOTED_SUFFIXES = frozenset({
    ".json", ".jsonc", ".json5", ".ipynb", ".toml", ".tf", ".tfvars", ".hcl", ".nomad",
    ".js", ".jsx", ".ts", ".tsx", ".mjs", ".cjs", ".vue", ".svelte", ".go", ".java", ".kt",
    ".kts", ".scala", ".groovy", ".gradle", ".cs", ".fs", ".vb", ".rb", ".php", ".rs",
    ".swift", ".m", ".mm", ".c", ".cc", ".cpp", ".cxx", ".h", ".hpp", ".dart", ".lua", ".r",
    ".jl", ".pl", ".pm", ".ex", ".exs", ".erl", ".clj", ".hs", ".sql", ".sol", ".zig",
})
_REQUIREMENTS = lazy_re.compile(r"^(?:requirements|constraints)[\w.-]*\.txt$", re.IGNORECASE)


def syntax_of(path: str) -> Syntax:
    name = PurePosixPath(path).name
    suffix = PurePosixPath(path).suffix.lower()
    if suffix in PROSE_SUFFIXES and not _REQUIREMENTS.match(name):
        return Syntax.PROSE
    if suffix in QUOTED_SUFFIXES or name in ("Jenkinsfile", "Vagrantfile"):
        return Syntax.QUOTED
    return Syntax.BARE


def may_hint(text: str) -> bool:
    lower = text.lower()
    return any(word in lower for word in ("pass", "secret", "token", "key", "pwd"))


def hinted_lines(lines: list[str]) -> Iterator[tuple[int, str]]:
    """(number, line) of the lines where a secret word appears, in order: one search over
    the text instead of one per line."""
    joined = "\n".join(lines)
    number, position, last = 1, 0, 0
    for match in _HINT.finditer(joined):
        number += joined.count("\n", position, match.start())
        position = match.start()
        if number != last:
            last = number
            yield number, lines[number - 1]


@dataclass(frozen=True)
class Literal:
    line: int
    key: str
    value: str
    kind: Kind
    decoded: bool = False  # the value was base64 (a Kubernetes Secret's data)


_B64 = lazy_re.compile(r"[A-Za-z0-9+/]{8,1024}={0,2}")


def _decoded(value: str) -> str | None:
    """The text a base64 value carries, if it is printable UTF-8."""
    if len(value) % 4 or not _B64.fullmatch(value):
        return None
    try:
        text = base64.b64decode(value, validate=True).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError):
        return None
    return text.strip() if text.strip().isprintable() else None


KUBERNETES_SECRET = lazy_re.compile(r"^kind:[ \t]{0,8}Secret[ \t]{0,8}$", re.MULTILINE)


# Kubernetes and compose list entries: "- name: DB_PASSWORD" then "value: ..." below it
_NAME_ENTRY = lazy_re.compile(
    r"[ \t]{0,200}(?:-[ \t]{1,8})?name:[ \t]{0,8}[\"']?(?P<key>[\w.-]{1,100})"
    r"[\"']?[ \t]{0,8}(?:#.{0,4000})?")
_VALUE_ENTRY = lazy_re.compile(r"[ \t]{0,200}value:[ \t]{0,8}")


def _literal_of(number: int, key: str, quoted: str | None, bare: str | None,
                syntax: Syntax, base64_values: bool) -> Literal | None:
    if quoted is None and syntax is Syntax.QUOTED:
        return None  # an identifier or expression: var.x, os.getenv(...), config.get
    value = quoted if quoted is not None else bare
    if value is None:
        return None
    decoded = _decoded(value.strip()) if base64_values else None
    kind = (classify(decoded) if decoded is not None
            else classify(value, bare=quoted is None))
    return Literal(number, key, value.strip(), kind, decoded is not None) if kind else None


def _value_below(lines: list[str], number: int) -> tuple[int, str | None, str | None] | None:
    """The ``value:`` of a ``- name:`` entry, within the next three lines."""
    for below in range(number, min(number + 3, len(lines))):
        line = lines[below][:MAX_LINE]
        if line.lstrip().startswith("-"):
            return None  # the next entry
        head = _VALUE_ENTRY.match(line)
        if head is None:
            continue
        value = ASSIGN.match("value: " + line[head.end():])
        if value is None:
            return None
        quoted = value.group("dq") if value.group("dq") is not None else value.group("sq")
        return below + 1, quoted, value.group("bare")
    return None


# /etc/nsswitch.conf: "passwd: compat" lists where the passwd database is looked up
NSS_SOURCES = frozenset({"files", "compat", "db", "dns", "nis", "nisplus", "ldap", "sss",
                         "systemd", "winbind", "wins", "hesiod", "cache", "extrausers",
                         "altfiles", "usrfiles", "myhostname", "mymachines", "resolve",
                         "mdns", "mdns4", "mdns6", "mdns_minimal", "mdns4_minimal",
                         "mdns6_minimal", "lookup", "nss_wrapper", "oslogin"})
_NSS_ENTRY = lazy_re.compile(r"[ \t]{0,200}(?:passwd|shadow|gshadow|group)[ \t]{0,32}:[ \t]{1,32}"
                             r"(?P<sources>[^#\n]{1,400}?)[ \t]{0,32}(?:#.{0,4000})?")
_NSS_ACTION = lazy_re.compile(
    r"\[!?[A-Za-z]{1,20}=[A-Za-z]{1,20}(?: !?[A-Za-z]{1,20}=[A-Za-z]{1,20})"
    r"{0,8}\]")
_NSS_CONTEXT = lazy_re.compile(
    r"nsswitch|^[ \t]{0,200}(?:hosts|group|networks)[ \t]{0,32}:[ \t]{1,32}"
    r"(?:files|compat|db|dns)\b", re.IGNORECASE | re.MULTILINE)


def nsswitch_entry(line: str) -> bool:
    """``passwd:  compat``, ``shadow: files sss``: an nsswitch database and its sources."""
    entry = _NSS_ENTRY.fullmatch(line)
    if entry is None:
        return False
    words = _NSS_ACTION.sub(" ", entry.group("sources")).split()
    return bool(words) and all(word.lower() in NSS_SOURCES for word in words)


def line_literals(text: str, syntax: Syntax, base64_values: bool = False
                  ) -> Iterator[Literal]:
    """Literals given to secret-named keys, line by line (``QUOTED``: quoted values only).
    ``base64_values``: a value that decodes from base64 to text is judged by that text."""
    lines = text.splitlines()
    nsswitch = syntax is Syntax.BARE and _NSS_CONTEXT.search(text) is not None
    for number, full in hinted_lines(lines):
        line = full[:MAX_LINE]
        if nsswitch and nsswitch_entry(line):
            continue  # an nsswitch.conf table (a file, or embedded in a ConfigMap)
        if syntax is Syntax.QUOTED and '\\"' in line:  # JSON-escaped code (notebooks)
            line = line.replace('\\"', '"')
        entry = _NAME_ENTRY.fullmatch(line) if syntax is Syntax.BARE else None
        if entry is not None and secret_name(entry.group("key")):
            below = _value_below(lines, number)
            if below is not None:
                found = _literal_of(below[0], entry.group("key"), below[1], below[2], syntax,
                                    base64_values)
                if found is not None:
                    yield found
            continue
        for match in ASSIGN.finditer(line):
            key = match.group("key")
            if not secret_name(key):
                continue
            quoted = match.group("dq") if match.group("dq") is not None else match.group("sq")
            found = _literal_of(number, key, quoted, match.group("bare"), syntax,
                                base64_values)
            if found is not None:
                yield found


@dataclass(frozen=True)
class UrlPassword:
    line: int
    start: int
    password: str
    shown: str  # the URL up to the @ with the password masked
    kind: Kind


def url_passwords(text: str) -> Iterator[UrlPassword]:
    if "://" not in text:
        return
    for number, full in enumerate(text.splitlines(), start=1):
        if "://" not in full:
            continue
        for match in _URL_CREDENTIAL.finditer(full[:MAX_LINE]):
            user, password = match.group("user"), match.group("pw")
            if "$" in user or "{" in user or "<" in user:
                continue  # a templated URL: the password is a reference too
            kind = classify(password)
            if kind is not None:
                shown = match.group(0).replace(password, mask(password))
                yield UrlPassword(number, match.start(), password, shown, kind)


_SERVICES = lazy_re.compile(r"^([ \t]*)(?:-[ \t]+)?services:[ \t]*(?:#.*)?$")


def service_lines(text: str) -> set[int]:
    """Lines inside ``services:`` blocks of a CI file (throwaway containers for jobs)."""
    inside: set[int] = set()
    indent: int | None = None
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if indent is not None:
            if not stripped or stripped.startswith("#"):
                continue
            if len(line) - len(line.lstrip()) > indent:
                inside.add(number)
                continue
            indent = None
        match = _SERVICES.match(line[:MAX_LINE])
        if match:
            indent = len(match.group(1).expandtabs())
    return inside
