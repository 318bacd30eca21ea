"""Text from files made safe to show and to use in file names.

Everything a file supplies (titles, descriptions, names, CSV headers, class labels, paths in
error messages) is untrusted: an escape sequence in a title would retitle or clear the user's
terminal. `printable` is the one place that makes such text visible instead of active; the preset
loader applies it once when a preset is read, and the sinks that print other text from outside
(errors, `bptui train`, `bptui --list`) apply it again (it is idempotent). `safe_stem` turns a
name into something that can only ever be a plain file name in the current folder.

`to_int` and `to_float` are the one way text becomes a number (`--steps`, CSV cells, a lesson's
`at`, a typed field): ASCII digits only, so `1_000`, Arabic-Indic `١٢`, full-width `１２` or a
superscript `²` are not numbers, although Python's int() and float() read the first three.
"""

from __future__ import annotations

import re

MAX_STEM = 64

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")
_INT = re.compile(r"[+-]?[0-9]+", re.ASCII)
_FLOAT = re.compile(
    r"[+-]?(?:(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:e[+-]?[0-9]+)?|inf|infinity|nan)",
    re.ASCII | re.IGNORECASE,
)


def printable(text: str) -> str:
    """`text` with every non-printable character (control characters such as ESC, BEL and
    newline, and invisible format characters such as U+202E) written as a Python escape, so it
    shows as e.g. `\\x1b` and never acts on the terminal. Idempotent; printable text is unchanged.
    """
    if text.isprintable():
        return text
    return "".join(
        ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii") for ch in text
    )


def multiline(text: str) -> str:
    """`printable` line by line, keeping the line breaks (and tabs as spaces): for Markdown."""
    return "\n".join(printable(line.replace("\t", "    ")) for line in text.split("\n"))


def paragraph(text: str) -> str:
    """Runs of whitespace (newlines too) as single spaces, then `printable`: for descriptions."""
    return printable(" ".join(text.split()))


def safe_stem(name: str, default: str = "preset") -> str:
    """A file-name stem made of [A-Za-z0-9._-] only: never a path, never `..`, never hidden,
    at most MAX_STEM characters; `default` if nothing usable is left."""
    stem = _DOTS.sub(".", _UNSAFE.sub("_", name)).strip("._-")[:MAX_STEM].rstrip(".")
    return stem or default


def to_int(text: str) -> int:
    """A whole number written in ASCII digits with an optional sign (surrounding whitespace
    is ignored): '12', '-3', '+007'. ValueError for anything else ('1_000', '١٢', '1.0', '²')."""
    stripped = text.strip()
    if not _INT.fullmatch(stripped):
        raise ValueError(f"not a whole number in ASCII digits: {text!r}")
    return int(stripped)


def to_float(text: str) -> float:
    """A decimal number written in ASCII: '1.5', '-.5', '3e-4', '7', 'inf', 'nan' (any case;
    the caller decides whether inf and nan are allowed; surrounding whitespace is ignored).
    ValueError for anything else ('1_000', '١٢', '0x10', '1,5')."""
    stripped = text.strip()
    if not _FLOAT.fullmatch(stripped):
        raise ValueError(f"not a number in ASCII digits: {text!r}")
    return float(stripped)


def plain_numbers(cells) -> bool:
    """Whether NumPy may convert these cells in bulk (it reads what float() reads): none has a
    character outside ASCII or an underscore, so nothing `to_float` refuses can slip through."""
    joined = "".join(cells)
    return joined.isascii() and "_" not in joined
