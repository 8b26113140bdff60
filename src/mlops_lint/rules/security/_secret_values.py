"""What a secret looks like: known token formats and the literals given to secret names.

Pure functions on text, shared by SEC001 and SEC002. Every regex here is linear on the
text it is given: no nested quantifiers, every repetition that can meet a long run of
the same characters is bounded, and a match attempt can only start where a key or a
token can start (a lookbehind rejects the middle of a word in constant time). Lines are
cut to :data:`MAX_LINE` characters before the key/value scan.

A value is classified, in this order, as:

* a *reference* (not a literal): ``$VAR``, ``${VAR}``, ``${VAR:-default}``,
  ``${{ secrets.X }}``, ``{{ template }}``, ``%(name)s``, ``@VAR@``, ``__VAR__``, an
  environment-variable name, a path, a URL, a YAML alias or tag, a secret-manager address
  (``vault:``, ``arn:aws:``, ``op://``, ``projects/…/secrets/…``, a lowercase
  ``secret/data/app#key`` path), or a code expression in a language whose literals are
  quoted;
* a *placeholder*: ``changeme``, ``changethis``, ``<your-key>``, ``your_api_key_here``,
  ``not-needed``, ``xxx``, ``***``, a value ending in ``...`` or ``…``, one made of one or
  two distinct characters or mostly of runs such as ``abc``/``123``/``987``,
  ``example``/``dummy``/``fake``/``sample``… anywhere in it, a word such as ``string``,
  ``required``, ``write``, or a lower-case prefix and an upper-case placeholder word
  (``nvapi-NVKEY``, ``hf_APITOKEN``);
* **random-looking** (high confidence): 12+ characters whose neighbours change class
  (lower, upper, digit, other) at least 30 % of the time, not parts made only of letters
  or digits (``custom_api_key``), with a Shannon entropy of at least 3.0 bits per
  character for hexadecimal (16+ characters), 3.3 below 20 characters and 3.5 from 20 on;
* a *secret's name* (not a value): a low-entropy identifier such as
  ``mlflow-tracking-token``, ``db-password`` or ``vllmApiKey`` with a secret word as one
  of its parts;
* otherwise a **weak literal**: 6+ characters of low entropy — a default, a test value or a
  weak password; reported, but the message does not claim a leaked credential.
"""

from __future__ import annotations

import base64
import binascii
import functools
import json
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from enum import Enum
from itertools import pairwise
from math import log2

from mlops_lint import lazy_re
from mlops_lint.model import T

MAX_LINE = 4096  # characters of a line read by the key/value scan
MAX_VALUE = 512


class Kind(str, Enum):
    TOKEN = "token"  # a known key or token format
    RANDOM = "random"  # a random-looking literal given to a secret name
    WEAK = "weak"  # a low-entropy literal given to a secret name


# -- entropy and value classification -------------------------------------------------------


def shannon(text: str) -> float:
    """Shannon entropy in bits per character."""
    if not text:
        return 0.0
    size = len(text)
    return -sum(n / size * log2(n / size) for n in Counter(text).values())


_HEX = lazy_re.compile(r"[0-9a-fA-F]+")
_SEGMENTS = lazy_re.compile(r"[^A-Za-z0-9]+")


def _char_class(c: str) -> int:
    return 0 if c.islower() else 1 if c.isupper() else 2 if c.isdigit() else 3


def class_changes(text: str) -> float:
    """Share of neighbouring characters of different classes (lower, upper, digit, other):
    about 0.5 or more in random tokens, 0.1-0.25 in words, names and human passwords."""
    if len(text) < 2:
        return 0.0
    classes = [_char_class(c) for c in text]
    return sum(a != b for a, b in pairwise(classes)) / (len(text) - 1)


def made_of_words(text: str) -> bool:
    """``custom_api_key``, ``nvapi-NVKEY``: every separated part is all letters or all
    digits (random tokens mix them inside their parts)."""
    return all(part.isalpha() or part.isdigit() for part in _SEGMENTS.split(text) if part)


def sequential_share(text: str) -> float:
    """Share of the characters in runs of 3+ consecutive ones (``abc``, ``123``, ``987``)."""
    size, covered, i = len(text), 0, 0
    while i < size - 1:
        step = ord(text[i + 1]) - ord(text[i])
        if step not in (1, -1) or not (text[i].isalnum() and text[i + 1].isalnum()):
            i += 1
            continue
        j = i + 1
        while j + 1 < size and text[j + 1].isalnum() and ord(text[j + 1]) - ord(text[j]) == step:
            j += 1
        if j - i >= 2:
            covered += j - i + 1
            j += 1
        i = j
    return covered / size if size else 0.0


def random_looking(value: str) -> bool:
    size = len(value)
    if size < 12 or size > MAX_VALUE or class_changes(value) < 0.3 or made_of_words(value):
        return False
    if _HEX.fullmatch(value):
        return size >= 16 and shannon(value) >= 3.0
    return shannon(value) >= (3.3 if size < 20 else 3.5)


_PLACEHOLDER = lazy_re.compile(
    r"^(?:change[-_ ]?(?:me|it|this)|replace[-_ ]?(?:me|this)|"
    r"not[-_ ]?(?:needed|used|required|set)|unused|ignored|anything|empty|"
    r"reemplazar.*|remplazar.*|your[-_ ].*|.*<.*>.*|"
    r"x{3,}|.*\*{3,}.*|\.{3,}|-+|todo|fixme|tbd|none|null|nil|undefined|true|false|redacted|"
    r"secret|secrets|password|passwd|token|string|str|bytes|required|optional|inherit|write|"
    r"read|readonly|enabled|disabled|hidden|masked|sensitive|default|bearer|"
    r"(?:insert|enter|put|add|set)[-_ ].*|.*[-_ ]here|"
    r".*(?:example|placeholder|dummy|fake|mock|sample|changeme|your[-_]?(?:token|key|secret"
    r"|password)).*)$", re.IGNORECASE)
# ``nvapi-NVKEY``, ``hf_APITOKEN``: a short lower-case vendor prefix, then an upper-case word
# naming what to put there (case-sensitive: a random token mixes cases inside its body)
_PREFIXED_PLACEHOLDER = lazy_re.compile(
    r"^[a-z][a-z0-9]{0,15}[-_][A-Z_]{0,20}(?:KEY|TOKEN|SECRET|PASSWORD|PASSWD|PWD|X{4,})"
    r"[A-Z_]{0,20}$")
_ENV_NAME = lazy_re.compile(r"^[A-Z][A-Z0-9_]+$")
_TEMPLATE = lazy_re.compile(r"^(?:@[\w.-]{1,80}@|__[\w.-]{1,80}__|%[\w.-]{1,80}%|#\{.{0,200}\})$")
_MANAGER_PREFIXES = ("vault:", "ref+", "arn:aws:", "arn:aws-", "sm:", "ssm:", "awssm:",
                     "gcpsm:", "secretsmanager:", "keyvault:", "azurekeyvault:",
                     "@microsoft.keyvault(", "secret:", "secretref:", "env:", "file:")
_LOWER_PATH = lazy_re.compile(
    r"[a-z0-9_.@-]{1,100}(?:/[a-z0-9_.@-]{1,100}){1,20}(?:[#:][\w.-]{1,100})?")
_CALL = lazy_re.compile(r"[A-Za-z_][\w.]{0,100}[(\[]")  # os.getenv(..., os.environ[...]
_NAME_PARTS = lazy_re.compile(r"[A-Za-z0-9]{1,60}(?:[-_.][A-Za-z0-9]{1,60}){1,12}")
SECRET_PARTS = frozenset({"password", "passwd", "pass", "pwd", "pw", "secret", "secrets",
                          "token", "tokens", "key", "keys", "apikey", "credential",
                          "credentials", "creds", "pat", "auth"})


def is_reference(value: str, bare: bool = False) -> bool:
    """A value that points at a secret (or is an expression) instead of holding one;
    ``bare``: an unquoted YAML word, where ``*alias``, ``&anchor``, ``!tag``, ``|`` and ``>``
    are syntax."""
    text = value.strip().strip("`")
    lower = text.lower()
    if not text or text[0] in "$/~{" or text.startswith(("./", "../")):
        return True
    if bare and (text[0] in "*&!|>" or _CALL.match(text)):
        return True
    if "{{" in text or "%(" in text or "${" in text or "://" in text:
        return True
    if _ENV_NAME.match(text) or _TEMPLATE.match(text) or lower.startswith(_MANAGER_PREFIXES):
        return True
    if lower.startswith(("secrets.", "env.", "vars.", "var.")):
        return True
    return _LOWER_PATH.fullmatch(text) is not None


def is_placeholder(value: str) -> bool:
    text = value.strip().strip("`")
    if text.endswith(("...", "…")) or len(set(text.lower())) <= 2:
        return True
    if sequential_share(text) >= 0.5:  # abc123, sk-1234567890, qwerty-like runs
        return True
    return (_PLACEHOLDER.match(text) is not None
            or _PREFIXED_PLACEHOLDER.match(text) is not None)


_CAMEL = lazy_re.compile(r"[a-z]{1,60}(?:[A-Z][a-z]{1,60}){1,12}")
_CAMEL_PARTS = lazy_re.compile(r"[A-Z]?[a-z]+")


def names_a_secret(value: str) -> bool:
    """``mlflow-tracking-token``, ``db_password``, ``vllmApiKey``: the name of a secret (a
    key of a Kubernetes Secret, a secret manager's id), not its value."""
    if _NAME_PARTS.fullmatch(value) is not None:
        parts = re.split(r"[-_.]", value)
    elif _CAMEL.fullmatch(value) is not None:  # camelCase, no digits
        parts = _CAMEL_PARTS.findall(value)
    else:
        return False
    return any(part.lower() in SECRET_PARTS for part in parts)


def classify(value: str, bare: bool = False) -> Kind | None:
    """``RANDOM`` or ``WEAK`` for a literal that may be a secret, ``None`` otherwise;
    ``bare``: the value was not quoted."""
    text = value.strip()
    if len(text) < 6 or len(text) > MAX_VALUE or any(c.isspace() for c in text):
        return None  # short, or prose
    if is_reference(text, bare) or is_placeholder(text):
        return None
    if random_looking(text):
        return Kind.RANDOM
    if names_a_secret(text):
        return None
    return Kind.WEAK


# -- secret names ----------------------------------------------------------------------------

SECRET_WORDS = ("password", "passwd", "pwd", "passphrase", "secret", "secretkey", "token",
                "apikey", "accesskey", "privatekey", "authkey", "clientsecret")
NOT_SECRET_NAMES = ("idtoken",)  # GitHub's `permissions: id-token: write`


@functools.lru_cache(maxsize=8192)  # pure; the same names come back in every file
def secret_name(key: str) -> bool:
    """A name ending in a secret word; not ``id-token`` (a workflow permission) nor a
    public one (``publicKeyToken``, ``public_key``)."""
    normal = re.sub(r"[^a-z0-9]", "", key.lower())
    return (normal.endswith(SECRET_WORDS) and not normal.endswith(NOT_SECRET_NAMES)
            and "public" not in normal)


def mask(text: str, keep: int = 2) -> str:
    return text[:keep] + "****"


# -- known token formats ---------------------------------------------------------------------


@dataclass(frozen=True)
class Pattern:
    name: T
    regex: str
    keep: int  # characters of the match shown before the mask
    prefix: int  # characters of the match before its random body
    min_entropy: float = 3.0


# A token starts where no token character precedes it: in a long run such as
# "sk-sk-sk-..." only the first position is tried, and a match consumes its run.
_START = r"(?<![A-Za-z0-9_-])"
TOKENS: tuple[Pattern, ...] = (
    Pattern(T("AWS access key id", "clave de acceso AWS"),
            r"\b(?:AKIA|ASIA|ABIA|ACCA)[0-9A-Z]{16}\b", 4, 4),
    Pattern(T("GitHub token", "token de GitHub"),
            _START + r"(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})\b",
            4, 4),
    Pattern(T("GitLab token", "token de GitLab"), _START + r"glpat-[A-Za-z0-9_-]{20,64}", 6, 6),
    Pattern(T("Hugging Face token", "token de Hugging Face"),
            _START + r"hf_[A-Za-z0-9]{34,40}\b", 3, 3),
    Pattern(T("OpenAI API key", "clave de API de OpenAI"),
            _START + r"sk-(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{32,300}", 3, 3),
    Pattern(T("Stripe live key", "clave live de Stripe"),
            _START + r"[sr]k_live_[A-Za-z0-9]{24,99}\b", 8, 8),
    Pattern(T("Google API key", "clave de API de Google"),
            _START + r"AIza[A-Za-z0-9_-]{35}(?![A-Za-z0-9_-])", 4, 4),
    Pattern(T("Slack token", "token de Slack"), _START + r"xox[abprs]-[A-Za-z0-9-]{10,250}", 5, 5),
    Pattern(T("JSON Web Token", "JSON Web Token"),
            _START + r"eyJ[A-Za-z0-9_-]{10,500}\.eyJ[A-Za-z0-9_-]{10,4000}\.[A-Za-z0-9_-]{16,1000}",
            3, 0),
)
AWS, GITHUB, GITLAB, HUGGING_FACE, OPENAI, STRIPE, GOOGLE, SLACK, JWT = TOKENS
PRIVATE_KEY = T("private key", "clave privada")
# Every pattern contains one of these; a text without any is skipped cheaply.
TOKEN_MARKERS = ("AKIA", "ASIA", "ABIA", "ACCA", "PRIVATE KEY", "ghp_", "gho_", "ghu_", "ghs_",
                 "ghr_", "github_pat_", "glpat-", "hf_", "sk-", "k_live_", "AIza", "xox", "eyJ")
_TOKEN_ANY = lazy_re.compile("|".join(f"(?P<p{i}>{p.regex})" for i, p in enumerate(TOKENS)))
_KEY_BEGIN = lazy_re.compile(r"-----BEGIN (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_END = lazy_re.compile(r"-----END (?:[A-Z0-9]{1,20} ){0,3}PRIVATE KEY(?: BLOCK)?-----")
_KEY_BODY = lazy_re.compile(r"[A-Za-z0-9+/=\s\\:,.()-]{64,16384}")  # base64, PEM headers, \n


@dataclass(frozen=True)
class TokenMatch:
    name: T
    start: int
    end: int
    text: str  # the whole match: never shown
    excerpt: str  # what a message may show


def _jwt_signed(token: str) -> bool:
    """The first part decodes to a JSON header naming a signing algorithm."""
    head = token.split(".", 1)[0]
    try:
        raw = base64.urlsafe_b64decode(head + "=" * (-len(head) % 4))
        header = json.loads(raw.decode("utf-8"))
    except (ValueError, binascii.Error, RecursionError):
        return False
    return isinstance(header, dict) and str(header.get("alg", "none")).lower() != "none"


def _credible(pattern: Pattern, text: str) -> bool:
    """Not AWS's documented EXAMPLE keys, not ``ghp_xxxx…``: the body must look random."""
    if "EXAMPLE" in text:
        return False
    if pattern is JWT:
        return _jwt_signed(text)
    body = text[pattern.prefix:]
    if pattern is OPENAI and not (any(c.isdigit() for c in body)
                                  and any(c.isupper() for c in body)):
        return False
    return shannon(body) >= pattern.min_entropy


def private_keys(text: str) -> Iterator[TokenMatch]:
    """``-----BEGIN … PRIVATE KEY-----`` with a body of 64+ random characters and its END
    line, as gitleaks requires; a header alone (a pattern, a docstring) is not a key. The
    search for END lines moves forward only, so the whole text is read once."""
    if "PRIVATE KEY" not in text:
        return
    heads = list(_KEY_BEGIN.finditer(text))
    end_at = -1
    for index, head in enumerate(heads):
        if end_at < head.end():
            end_at = text.find("-----END ", head.end())
            if end_at < 0:
                return
        following = heads[index + 1].start() if index + 1 < len(heads) else len(text)
        if following < end_at:
            continue  # another BEGIN before this key's END: a header alone
        end = _KEY_END.match(text, end_at)
        body = text[head.end():end_at]
        if end is None or len(body) > 16384 or not _KEY_BODY.fullmatch(body):
            continue
        if shannon(re.sub(r"\\n|\s", "", body)) >= 3.0:
            yield TokenMatch(PRIVATE_KEY, head.start(), end.end(), text[head.start():end.end()],
                             head.group(0))


def token_matches(text: str) -> Iterator[TokenMatch]:
    """Known key and token formats, in order of position."""
    if not any(marker in text for marker in TOKEN_MARKERS):
        return
    found = list(private_keys(text))
    for match in _TOKEN_ANY.finditer(text):
        pattern = TOKENS[int(str(match.lastgroup)[1:])]
        value = match.group(0)
        if _credible(pattern, value):
            found.append(TokenMatch(pattern.name, match.start(), match.end(), value,
                                    mask(value, pattern.keep)))
    yield from sorted(found, key=lambda m: m.start)
