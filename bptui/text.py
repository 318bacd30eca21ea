"""Text from files made safe to show and to use in file names.

Everything a file supplies (titles, descriptions, names, CSV headers, class labels, paths in
error messages) is untrusted: an escape sequence in a title would retitle or clear the user's
terminal. `printable` is the one place that makes such text visible instead of active; the preset
loader applies it once when a preset is read, and the sinks that print other text from outside
(errors, `bptui train`, `bptui --list`) apply it again (it is idempotent). `safe_stem` turns a
name into something that can only ever be a plain file name in the current folder.
"""

from __future__ import annotations

import re

MAX_STEM = 64

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
_DOTS = re.compile(r"\.{2,}")


def printable(text: str) -> str:
    """`text` with every non-printable character (control characters such as ESC, BEL and
    newline, and invisible format characters such as U+202E) written as a Python escape, so it
    shows as e.g. `\\x1b` and never acts on the terminal. Idempotent; printable text is unchanged.
    """
    if text.isprintable():
        return text
    return "".join(ch if ch.isprintable() else ch.encode("unicode_escape").decode("ascii")
                   for ch in text)


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
