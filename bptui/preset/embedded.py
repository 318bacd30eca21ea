"""Files carried inside another file: a session holds a copy of its preset's CSV data.

A preset normally reads its data from its own folder (`Preset.base`, a Path). A preset that
comes out of a session reads it from the session instead: its `base` is an `EmbeddedFolder`,
which holds exactly the files the session carries and nothing else, so a session file can never
make bptui read a file of the user's (it names no folder on disk), and it resumes wherever it is
moved, on any machine.
"""

from __future__ import annotations

import errno
import io
import os
import stat
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO


@dataclass(frozen=True, eq=False)
class EmbeddedFile:
    """One carried file: `name` as the preset names it, its bytes, and `where` for messages
    (e.g. "s.npz (data.csv)")."""

    name: str
    data: bytes
    where: str

    def __str__(self) -> str:
        return self.where

    def open_text(self) -> TextIO:
        """The file as UTF-8 text (a BOM skipped), as a CSV file on disk is opened."""
        return io.TextIOWrapper(io.BytesIO(self.data), encoding="utf-8-sig", newline="")


@dataclass(frozen=True, eq=False)
class EmbeddedFolder:
    """The files a session carries, by the name its preset gives them; `where` is the session
    file, for messages."""

    where: str
    files: dict[str, bytes] = field(default_factory=dict)

    def __str__(self) -> str:
        return self.where

    def file(self, name: str) -> EmbeddedFile | None:
        """The carried file `name`, if there is one."""
        data = self.files.get(name)
        return None if data is None else EmbeddedFile(name, data, f"{self.where} ({name})")


Folder = Path | EmbeddedFolder  # where a preset's data files are found


def read_file(base: Folder, name: str, limit: int) -> bytes:
    """The bytes of the data file `name` of a preset whose files are in `base`: a regular file
    of at most `limit` bytes (never a FIFO or a device, which could block or never end); an
    OSError naming the file otherwise."""
    if isinstance(base, EmbeddedFolder):
        found = base.file(name)
        if found is None:
            raise FileNotFoundError(errno.ENOENT, "not in the session", f"{base} ({name})")
        return found.data
    path = base / name
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    with os.fdopen(fd, "rb") as handle:
        info = os.fstat(fd)
        if not stat.S_ISREG(info.st_mode):
            raise OSError(errno.EINVAL, "not a regular file", str(path))
        data = handle.read(limit + 1) if info.st_size <= limit else b""
        if info.st_size > limit or len(data) > limit:
            raise OSError(errno.EFBIG, f"larger than {limit:,} bytes", str(path))
        return data
