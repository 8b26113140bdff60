"""Reading a file of the untrusted repository: the whole path must resolve inside the
repository (no symlink out of it, no loop), the file must be regular (no FIFO, socket or
device that would block) and within :data:`MAX_READ_BYTES`; text is decoded with BOMs
honoured, binary refused and bad UTF-8 replaced. Every failure is a :class:`ParseError`
value naming the file, never an exception.
"""

from __future__ import annotations

import errno
import stat
from pathlib import Path

from mlops_lint.parsers import ParseError

MAX_READ_BYTES = 5 * 1024 * 1024
BINARY_SNIFF_BYTES = 8192


def read_capped(full: Path, shown: str) -> bytes | ParseError:
    """The bytes of the regular file ``full`` (at most :data:`MAX_READ_BYTES`), or why
    it cannot be read. ``shown`` names it in the message."""
    try:
        info = full.stat()
        if not stat.S_ISREG(info.st_mode):
            return ParseError(shown, "not a regular file (directory, FIFO, socket or "
                                     "device); not read")
        if info.st_size > MAX_READ_BYTES:
            return ParseError(
                shown, f"file too large to read ({info.st_size // (1024 * 1024)} MiB > "
                       f"{MAX_READ_BYTES // (1024 * 1024)} MiB)")
        with open(full, "rb") as handle:
            data = handle.read(MAX_READ_BYTES + 1)
    except OSError as exc:
        return ParseError(shown, f"cannot read: {exc.strerror or type(exc).__name__}")
    if len(data) > MAX_READ_BYTES:  # grew while read
        return ParseError(shown, "file too large to read")
    return data


def resolve_inside(root: Path, full: Path, shown: str) -> Path | ParseError:
    """``full`` with every symlink of its whole path resolved, when that stays inside
    ``root`` (itself resolved); else why it is refused."""
    try:
        target = full.resolve(strict=True)
    except RuntimeError:  # Python < 3.13: a symlink loop
        return ParseError(shown, "symlink loop; not read")
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            return ParseError(shown, "symlink loop; not read")
        return ParseError(shown, f"cannot read: {exc.strerror or type(exc).__name__}")
    if not target.is_relative_to(root):
        return ParseError(shown, "resolves outside the repository (through a symlink); "
                                 "not read")
    return target


def read_inside(root: Path, full: Path, shown: str) -> bytes | ParseError:
    """What every read of a repository file goes through: the whole path must resolve
    inside ``root`` and the file must be regular and within the size cap."""
    target = resolve_inside(root, full, shown)
    return target if isinstance(target, ParseError) else read_capped(target, shown)


def decode(path: str, data: bytes) -> str | ParseError:
    """Decode file bytes: BOMs honoured, binary refused, bad UTF-8 bytes replaced."""
    if data.startswith(b"\xef\xbb\xbf"):
        return data[3:].decode("utf-8", errors="replace")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16", errors="replace")
    if b"\0" in data[:BINARY_SNIFF_BYTES]:
        return ParseError(path, "binary file; not read as text")
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return data.decode("utf-8", errors="replace")
