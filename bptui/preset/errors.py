"""The one error type for bad input, printed as one line: `FILE: KEY: what is wrong (allowed)`
(or `--OPTION KEY: ...` for a key given on the command line)."""

from __future__ import annotations

from bptui.text import printable

one_line = printable  # the name this module has always exported


class PresetError(Exception):
    """A problem with a preset, CSV or session file, located by file and (dotted) key."""

    def __init__(self, source: str, key: str | None, message: str):
        super().__init__(message)
        self.source = source
        self.key = key
        self.message = message

    def __str__(self) -> str:
        joint = " " if self.source.startswith("--") else ": "  # `--set training.l2: ...`
        where = f"{self.source}{joint}{self.key}" if self.key else self.source
        return one_line(f"{where}: {self.message}")


def file_error(source: str, exc: OSError, what: str) -> PresetError:
    """The error for a `what` file ("preset file", "CSV file") that cannot be opened or read."""
    if isinstance(exc, FileNotFoundError):
        return PresetError(source, None, "no such file")
    if isinstance(exc, IsADirectoryError):
        return PresetError(source, None, f"is a directory, not a {what}")
    if isinstance(exc, PermissionError):
        return PresetError(source, None, "permission denied")
    return PresetError(source, None, f"cannot read ({exc.strerror})")
