"""Reading a NumPy .npz archive from outside without trusting it.

`np.load` decompresses every member it is asked for, whatever its size, and believes every
array header. Here the archive is checked in three passes, each before the next reads more:

1. the ZIP structure: a small central directory, at most MAX_MEMBERS members, each a `.npy`
   member stored or deflated at a sane ratio, lying inside the file;
2. the member names against a declarative layout (name → `Member`: dtype kind, shape, value
   check), then each member's .npy header (numpy.lib.format, a few hundred bytes, nothing
   decompressed beyond it): dtype and shape as the layout says, declared size exact;
3. only then the data, and the layout's value checks.

Anything wrong is a PresetError naming the file and the member. Memory stays within the sizes
the layout allows (plus the file itself); a header claiming 10¹² elements, an extra 4 GB member
or a ZIP bomb is refused after reading a few kilobytes.
"""

from __future__ import annotations

import math
import os
import stat
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from bptui.preset.errors import PresetError

MAX_MEMBERS = 64
MAX_DIRECTORY_BYTES = 64 * 1024
MAX_RATIO = 1100  # deflate cannot compress better than about 1032:1
DEFLATED_BUDGET = 64 << 20  # bytes deflated members may unpack to beyond 10× the file's size
KINDS = {"f": "float64", "i": "int64", "U": "text", "b": "bool", "u": "uint8 (bytes)"}


@dataclass(frozen=True)
class Member:
    """What one member must be.

    kind: the dtype kind ("f" float64, "i" int64, "b" bool, "U" text, "u" bytes); shape: ints,
    or names of dimensions shared between members whose allowed values the Layout gives (e.g.
    "m" for the batch size: every member using "m" must agree). check(array) returns what is
    wrong, or None. max_chars bounds a text member's length.
    """

    kind: str
    shape: tuple[int | str, ...]
    check: Callable[[np.ndarray], str | None] | None = None
    required: bool = True
    max_chars: int = 0


@dataclass(frozen=True)
class Layout:
    """Every member an archive may hold, and the allowed values of the named dimensions."""

    members: dict[str, Member]
    dims: dict[str, tuple[int, ...] | range]


@dataclass(frozen=True)
class Header:
    """A member's .npy header: where its data starts in the member, dtype, shape, order."""

    offset: int
    dtype: np.dtype
    shape: tuple[int, ...]
    fortran: bool

    @property
    def nbytes(self) -> int:
        """Bytes of data the header announces."""
        return math.prod(self.shape) * self.dtype.itemsize


class Archive:
    """An open .npz archive whose ZIP structure passed pass 1; use as a context manager."""

    def __init__(self, path: str | Path, what: str = "a bptui session file"):
        self.path = Path(path)
        self.source = str(path)
        self.what = what
        self.zip = self._open()
        try:
            self.infos = self._check_members()
        except BaseException:
            self.close()
            raise

    def close(self) -> None:
        """Close the archive and its file."""
        self.zip.close()
        self.handle.close()

    def __enter__(self) -> Archive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def error(self, key: str | None, message: str) -> PresetError:
        """A PresetError about this file."""
        return PresetError(self.source, key, message)

    # ----- pass 1: the ZIP structure ---------------------------------------------------------

    def _open(self) -> zipfile.ZipFile:
        try:
            info = os.stat(self.path)
        except FileNotFoundError:
            raise self.error(None, "no such file") from None
        except OSError as exc:
            raise self.error(None, f"cannot open ({exc.strerror})") from None
        if stat.S_ISDIR(info.st_mode):
            raise self.error(None, f"is a directory, not {self.what}")
        if not stat.S_ISREG(info.st_mode):
            raise self.error(None, f"is not a regular file (allowed: {self.what})")
        if info.st_size == 0:
            raise self.error(None, f"is empty, not {self.what}")
        self.size = info.st_size
        try:
            handle = open(self.path, "rb")
        except OSError as exc:
            raise self.error(None, f"cannot open ({exc.strerror})") from None
        try:
            magic = handle.read(len(npy.MAGIC_PREFIX))
            # zipfile's own reader of the end record (it handles comments and ZIP64)
            end = zipfile._EndRecData(handle)
        except OSError as exc:
            handle.close()
            raise self.error(None, f"cannot read ({exc.strerror})") from None
        if not end:
            handle.close()
            what = (
                "a single .npy array" if magic == npy.MAGIC_PREFIX else "not a .npz (ZIP) archive"
            )
            raise self.error(None, f"not {self.what} ({what})")
        if (
            end[zipfile._ECD_SIZE] > MAX_DIRECTORY_BYTES
            or end[zipfile._ECD_ENTRIES_TOTAL] > MAX_MEMBERS
        ):
            handle.close()
            raise self.error(
                None,
                f"not {self.what}: {end[zipfile._ECD_ENTRIES_TOTAL]} members in "
                f"a {end[zipfile._ECD_SIZE]:,}-byte directory (allowed: up to "
                f"{MAX_MEMBERS} members)",
            )
        try:
            archive = zipfile.ZipFile(handle)
        except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
            handle.close()
            raise self.error(None, f"not {self.what}: damaged archive ({exc})") from None
        self.handle = handle  # a ZipFile does not close a file object it was given
        return archive

    def _check_members(self) -> dict[str, zipfile.ZipInfo]:
        infos: dict[str, zipfile.ZipInfo] = {}
        deflated = 0
        for info in self.zip.infolist():
            key = info.filename[:-4] if info.filename.endswith(".npy") else info.filename
            where = f"member {key!r}"
            if not info.filename.endswith(".npy") or key in infos:
                reason = "is not a .npy array" if key not in infos else "appears twice"
                raise self.error(where, f"{reason} (allowed: .npy members, once each)")
            if info.flag_bits & 0x1:
                raise self.error(where, "is encrypted")
            if info.header_offset + info.compress_size > self.size:
                raise self.error(where, "lies beyond the end of the file (truncated?)")
            if info.compress_type == zipfile.ZIP_STORED:
                if info.compress_size != info.file_size:
                    raise self.error(
                        where,
                        f"stored with {info.compress_size:,} bytes but claims {info.file_size:,}",
                    )
            elif info.compress_type == zipfile.ZIP_DEFLATED:
                if info.file_size > MAX_RATIO * max(info.compress_size, 1):
                    raise self.error(
                        where,
                        f"unpacks {info.compress_size:,} bytes to "
                        f"{info.file_size:,} (allowed ratio: up to {MAX_RATIO}:1)",
                    )
                deflated += info.file_size
            else:
                raise self.error(
                    where,
                    f"uses ZIP compression method {info.compress_type} "
                    f"(allowed: stored or deflated)",
                )
            infos[key] = info
        if deflated > 10 * self.size + DEFLATED_BUDGET:
            raise self.error(
                None,
                f"compressed members unpack to {deflated:,} bytes, too many for "
                f"a {self.size:,}-byte file",
            )
        return infos

    # ----- pass 2: names and headers -----------------------------------------------------------

    def check_names(self, layout: Layout) -> None:
        """Every member known to the layout; every required member present."""
        for key in self.infos:
            if key not in layout.members:
                raise self.error(
                    f"member {key!r}",
                    f"is not part of {self.what} (allowed: {', '.join(layout.members)})",
                )
        for key, member in layout.members.items():
            if member.required and key not in self.infos:
                raise self.error(key, "missing")

    def header(self, key: str) -> Header:
        """The .npy header of member `key` (reads a few hundred bytes of it)."""
        try:
            with self.zip.open(self.infos[key]) as handle:
                version = npy.read_magic(handle)
                if version == (1, 0):
                    shape, fortran, dtype = npy.read_array_header_1_0(handle)
                elif version == (2, 0):
                    shape, fortran, dtype = npy.read_array_header_2_0(handle)
                else:
                    raise ValueError(
                        f"format version {version[0]}.{version[1]} (allowed: 1.0, 2.0)"
                    )
                return Header(handle.tell(), dtype, tuple(shape), bool(fortran))
        except (
            ValueError,
            TypeError,
            SyntaxError,
            EOFError,
            OSError,
            zipfile.BadZipFile,
            RuntimeError,
            NotImplementedError,
        ) as exc:
            raise self.error(key, f"is not a readable .npy array ({exc})") from None

    def check_header(
        self, key: str, member: Member, dims: dict[str, int], allowed: dict[str, tuple[int, ...]]
    ) -> Header:
        """The header of `key` as `member` says; binds the named dimensions it uses in `dims`."""
        head = self.header(key)
        dtype = head.dtype
        if (
            dtype.kind != member.kind
            or dtype.hasobject
            or (member.kind in "fi" and dtype.itemsize != 8)
            or (member.kind == "u" and dtype.itemsize != 1)
        ):
            raise self.error(
                key, f"has dtype {dtype} (allowed: {KINDS.get(member.kind, member.kind)})"
            )
        if member.kind == "U" and dtype.itemsize // 4 > member.max_chars:
            raise self.error(
                key,
                f"holds {dtype.itemsize // 4:,} characters (allowed: up to {member.max_chars:,})",
            )
        if len(head.shape) != len(member.shape):
            raise self.error(key, f"has shape {head.shape}, expected {describe(member.shape)}")
        for size, want in zip(head.shape, member.shape):
            if isinstance(want, int):
                ok = size == want
            elif want in dims:
                ok = size == dims[want]
            else:
                ok = size in allowed[want]
                if ok:
                    dims[want] = size
            if not ok:
                raise self.error(
                    key, f"has shape {head.shape}, expected {describe(member.shape, dims, allowed)}"
                )
        if self.infos[key].file_size != head.offset + head.nbytes:
            raise self.error(
                key,
                f"holds {self.infos[key].file_size:,} bytes, its header says "
                f"{head.offset + head.nbytes:,}",
            )
        return head

    # ----- pass 3: the data --------------------------------------------------------------------

    def read(self, key: str, head: Header) -> np.ndarray:
        """The array of member `key` (whose header passed check_header), native byte order."""
        try:
            with self.zip.open(self.infos[key]) as handle:
                handle.read(head.offset)
                data = handle.read(head.nbytes)
                handle.read(1)  # reach the end, so that zipfile checks the CRC
        except (OSError, EOFError, zipfile.BadZipFile, RuntimeError) as exc:
            raise self.error(key, f"damaged ({exc})") from None
        if len(data) != head.nbytes:
            raise self.error(key, "is truncated")
        array = np.frombuffer(data, dtype=head.dtype)
        array = array.reshape(head.shape, order="F" if head.fortran else "C")
        return np.array(array, dtype=head.dtype.newbyteorder("="), order="C")

    def load(self, layout: Layout, skip: tuple[str, ...] = ()) -> dict[str, np.ndarray]:
        """Passes 2 and 3 over the whole layout: the arrays by name, value-checked (but for the
        members in `skip`, already read)."""
        self.check_names(layout)
        dims: dict[str, int] = {}
        heads = {
            key: self.check_header(key, layout.members[key], dims, layout.dims)
            for key in layout.members
            if key in self.infos and key not in skip
        }
        arrays = {}
        for key, head in heads.items():
            arrays[key] = array = self.read(key, head)
            check = layout.members[key].check
            problem = check(array) if check is not None else None
            if problem:
                raise self.error(key, problem)
        return arrays


def describe(
    shape: tuple[int | str, ...],
    dims: dict[str, int] | None = None,
    allowed: dict[str, tuple[int, ...]] | None = None,
) -> str:
    """A shape for an error message, e.g. '(20, 4)' or '(20 or 21,)'."""
    parts = []
    for want in shape:
        if isinstance(want, int):
            parts.append(str(want))
        elif dims and want in dims:
            parts.append(str(dims[want]))
        elif allowed and want in allowed:
            values = allowed[want]
            if isinstance(values, range) and len(values) > 3:
                parts.append(f"{values.start}..{values.stop - 1}")
            else:
                parts.append(" or ".join(str(v) for v in values) or "none")
        else:
            parts.append(want)
    return f"({', '.join(parts)}{',' if len(parts) == 1 else ''})"


def finite(array: np.ndarray) -> str | None:
    """A value check: every entry a finite number."""
    if array.size and not np.isfinite(array).all():
        bad = int(np.flatnonzero(~np.isfinite(array.ravel()))[0])
        return f"entry {bad} is {array.ravel()[bad]} (allowed: finite numbers)"
    return None


def indices(limit: int) -> Callable[[np.ndarray], str | None]:
    """A value check: every entry an index 0..limit-1."""

    def check(array: np.ndarray) -> str | None:
        if array.size and (array.min() < 0 or array.max() >= limit):
            bad = array.min() if array.min() < 0 else array.max()
            return f"has row {bad} (allowed: 0..{limit - 1})"
        return None

    return check
