"""The cells of a CSV file, read safely and fast.

Only a regular file within MAX_BYTES is opened (never a device, a FIFO or a directory: the file
is opened without blocking and checked with fstat before a byte is read), and reading stops as
soon as the file has more rows than allowed, so a file over the limit is never parsed whole.
The delimiter (`,` `;` or tab) is detected with csv.Sniffer on the first lines unless given.

Two readers give the same cells: numpy.loadtxt (its C parser) for the common clean file in which
every feature column is numeric, and csv.reader over the file object for everything else
(missing values, text columns, decimal commas, bad cells, which it locates by line). When the
fast reader meets anything unusual it gives up and the general reader reads the file again.

Both readers see the file followed by one more line holding END, a text no file can hold: a quote
that is opened and never closed swallows that line into its field, which is how an unterminated
quote is found (csv.reader and numpy.loadtxt both accept one silently at the end of the file).
"""

from __future__ import annotations

import csv
import io
import itertools
import math
import os
import re
import secrets
import stat
import warnings
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import TextIO

import numpy as np

from bptui.preset.embedded import EmbeddedFile
from bptui.preset.errors import PresetError, file_error
from bptui.text import plain_numbers, to_float

MAX_BYTES = 256 * 1024 * 1024  # file size
MAX_ROWS = 200_000  # data rows
MAX_COLUMNS = 10_000
MAX_CELLS = 20_000_000  # rows × columns: 160 MB as float64
DELIMITERS = (",", ";", "\t")
DECIMALS = (".", ",")
MISSING = frozenset({"", "na", "nan", "null"})  # missing values, compared in lower case
HEAD_CHARS = 16_384  # what the delimiter is detected on
MAX_HEAD_CHARS = 4 * 1024 * 1024  # a header line may be long (10,000 column names)
CHUNK_ROWS = 8192  # rows converted at a time by the general reader
GROUPED = {  # a number with thousands separators: (sign and first group, separator)
    mark: re.compile(rf"([+-]?\d{{1,3}})([{sep}])\d{{3}}(?:\2\d{{3}})*(?:[{mark}]\d*)?", re.ASCII)
    for mark, sep in ((".", ",' _"), (",", ".' _"))
}
END = f"\x00end of file {secrets.token_hex(16)}\x00"  # the line added after the file (above)


def is_missing(cell: str) -> bool:
    """Whether a stripped cell is a missing value: empty, NA, NaN or null in any case."""
    return cell.lower() in MISSING


@dataclass(eq=False)
class Cells:
    """The columns of a CSV file, n data rows.

    numbers: column index → (n,) float64, NaN where the file has a missing value or a cell that
    is not a finite number. texts: column index → n stripped strings (the target, and columns
    with no number in the first CHUNK_ROWS rows). lines: (n,) int64, the line each row starts on
    (None when the fast reader read a file with nothing to report). bad: column index → (how
    many cells of `numbers` are not finite numbers, (line, cell) of the first). Ignored columns
    are in neither dict.
    """

    header: tuple[str, ...]
    rows: int = 0
    numbers: dict[int, np.ndarray] = field(default_factory=dict)
    texts: dict[int, list[str]] = field(default_factory=dict)
    lines: np.ndarray | None = None
    bad: dict[int, tuple[int, tuple[int, str]]] = field(default_factory=dict)


def open_data(path: Path | EmbeddedFile, source: str) -> TextIO:
    """The file opened for reading as UTF-8 text (BOM skipped), if it is a regular file within
    MAX_BYTES; a PresetError otherwise. Never blocks (a FIFO without a writer is refused).
    A file a session carries is read from memory."""
    if isinstance(path, EmbeddedFile):
        if len(path.data) > MAX_BYTES:
            raise PresetError(
                source,
                None,
                f"{len(path.data):,} bytes is too large (allowed: up to {MAX_BYTES:,} bytes)",
            )
        return path.open_text()
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_NOCTTY", 0))
    except OSError as exc:
        raise file_error(source, exc, "CSV file") from None
    try:
        info = os.fstat(fd)
        if stat.S_ISDIR(info.st_mode):
            raise PresetError(source, None, "is a directory, not a CSV file")
        if not stat.S_ISREG(info.st_mode):
            raise PresetError(
                source,
                None,
                "is not a regular file (a device, pipe or socket cannot be a CSV file)",
            )
        if info.st_size > MAX_BYTES:
            raise PresetError(
                source,
                None,
                f"{info.st_size:,} bytes is too large (allowed: up to {MAX_BYTES:,} bytes)",
            )
        return open(fd, encoding="utf-8-sig", newline="", closefd=True)
    except BaseException:
        os.close(fd)
        raise


def sniff(head: str, decimal: str) -> str:
    """The delimiter of a file starting with `head`: csv.Sniffer restricted to `,` `;` tab (not
    `,` with decimal commas), else the candidate most frequent in the first line, else `,`."""
    candidates = "".join(d for d in DELIMITERS if not (decimal == "," and d == ","))
    sample = complete_lines(head[: 4 * HEAD_CHARS]) or head
    try:
        found = csv.Sniffer().sniff(sample, delimiters=candidates).delimiter
        if found in candidates:
            return found
    except csv.Error:
        pass
    first = sample.split("\n", 1)[0]
    best = max(candidates, key=first.count)
    return best if first.count(best) else candidates[0]


def complete_lines(text: str) -> str:
    """`text` up to and with its last line break ("" if it has none)."""
    return text[: max(text.rfind("\n"), text.rfind("\r")) + 1]


def sample_rows(head: str, delimiter: str, columns: int) -> list[list[str]]:
    """The complete data rows in `head` that have `columns` fields (what the reader and the
    decimal mark are chosen on)."""
    try:
        rows = list(csv.reader(io.StringIO(complete_lines(head), newline=""), delimiter=delimiter))
    except csv.Error:
        return []
    rows = [row for row in rows if not blank(row)]
    return [row for row in rows[1:] if len(row) == columns]


def guess_decimal(sample: list[list[str]], delimiter: str) -> str:
    """ "," when the delimiter is not a comma and numbers in the sample are written 3,14 and never
    3.14; else "."."""
    if delimiter == ",":
        return "."
    cells = [cell.strip() for row in sample for cell in row]
    commas = sum(1 for cell in cells if "," in cell and is_number(cell.replace(",", ".", 1)))
    dots = sum(1 for cell in cells if "." in cell and is_number(cell))
    return "," if commas and not dots else "."


def row_limit(columns: int) -> int:
    """Most data rows allowed for a file of `columns` columns."""
    return max(1, min(MAX_ROWS, MAX_CELLS // max(1, columns)))


def too_many_rows(source: str, columns: int) -> PresetError:
    """The error for a file with more rows than row_limit(columns)."""
    limit = row_limit(columns)
    why = f"{MAX_CELLS:,} cells in all" if limit < MAX_ROWS else f"{MAX_ROWS:,} rows"
    return PresetError(
        source,
        None,
        f"more than {limit:,} data rows is too many for {columns} columns (allowed: up to {why})",
    )


def decode_error(source: str) -> PresetError:
    """The error for a file that is not UTF-8."""
    return PresetError(source, None, "not UTF-8 text (save it as UTF-8 CSV)")


def read_head(f: TextIO, source: str) -> str:
    """The first HEAD_CHARS characters, more if needed to hold the first two lines (up to
    MAX_HEAD_CHARS): what the delimiter, the header and the reader are chosen on."""
    try:
        head = f.read(HEAD_CHARS)
        while head.count("\n") + head.count("\r") < 2 and len(head) < MAX_HEAD_CHARS:
            more = f.read(HEAD_CHARS)
            if not more:
                break
            head += more
        return head
    except UnicodeDecodeError:
        raise decode_error(source) from None
    except OSError as exc:
        raise file_error(source, exc, "CSV file") from None


def blank(row: list[str]) -> bool:
    """A record with no content (an empty line or only spaces)."""
    return not any(cell.strip() for cell in row)


def read_header(head: str, delimiter: str, source: str) -> tuple[tuple[str, ...], bool]:
    """(column names, whether the header is the whole first line: what the fast reader needs)."""
    reader = csv.reader(io.StringIO(head, newline=""), delimiter=delimiter)
    try:
        for row in reader:
            if not blank(row):
                return tuple(name.strip() for name in row), reader.line_num == 1
    except csv.Error as exc:
        raise PresetError(source, None, f"not valid CSV ({exc})") from None
    raise PresetError(source, None, "empty file (need a header row and data rows)")


def read_cells(
    f: TextIO,
    source: str,
    header: tuple[str, ...],
    delimiter: str,
    decimal: str,
    target: int,
    ignore: set[int],
    fast: bool,
) -> Cells:
    """Every data row of the open file `f`; the target column is kept as strings, columns in
    `ignore` are skipped. Tries the fast reader first if `fast`."""
    if fast:
        cells = read_fast(f, header, delimiter, target, ignore)
        if cells is not None:
            if cells.rows > row_limit(len(header)):
                raise too_many_rows(source, len(header))
            return cells
    f.seek(0)
    return read_general(f, source, header, delimiter, decimal, target, ignore)


# ----- the fast reader: numpy.loadtxt ------------------------------------------------------------


def read_fast(
    f: TextIO, header: tuple[str, ...], delimiter: str, target: int, ignore: set[int]
) -> Cells | None:
    """numpy.loadtxt over the whole file, the target column through a converter that keeps its
    text; None at anything the general reader must look at (a bad or missing cell, a ragged row,
    a text column)."""
    labels: list[str] = []

    def keep(cell: str) -> float:
        labels.append(cell.strip())
        return 0.0

    converters = {j: (lambda cell: 0.0) for j in ignore}
    converters[target] = keep
    limit = row_limit(len(header))
    end = delimiter.join(END if j == target else "0" for j in range(len(header))) + "\n"
    f.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", UserWarning)  # "input contained no data"
            array = np.loadtxt(
                itertools.chain(f, (end,)),
                delimiter=delimiter,
                comments=None,
                quotechar='"',
                skiprows=1,
                ndmin=2,
                max_rows=limit + 1,
                converters=converters,
            )
    except (ValueError, IndexError, UnicodeDecodeError, OSError):
        return None
    if array.shape[1] != len(header):
        return None
    if not labels or labels[-1] != END:  # more rows than allowed, or a quote never closed
        return Cells(header, array.shape[0]) if array.shape[0] > limit else None
    array, labels = array[:-1], labels[:-1]
    if array.shape[0] == 0:
        return None
    numeric = [j for j in range(len(header)) if j != target and j not in ignore]
    if not np.isfinite(array[:, numeric]).all() or any(is_missing(v) for v in set(labels)):
        return None
    cells = Cells(header, array.shape[0], texts={target: labels})
    cells.numbers = {j: np.ascontiguousarray(array[:, j]) for j in numeric}
    return cells


# ----- the general reader: csv.reader ----------------------------------------------------------


def read_general(
    f: TextIO,
    source: str,
    header: tuple[str, ...],
    delimiter: str,
    decimal: str,
    target: int,
    ignore: set[int],
) -> Cells:
    """csv.reader over the file object (quoted newlines survive), CHUNK_ROWS rows at a time."""
    reader = csv.reader(itertools.chain(f, (END + "\n",)), delimiter=delimiter)
    limit = row_limit(len(header))
    cells = Cells(header, texts={target: []})
    parts: dict[int, list[np.ndarray]] = {}
    lines: list[int] = []
    chunk: list[list[str]] = []
    seen_header = False
    previous = 0
    try:
        for row in reader:
            start, previous = previous + 1, reader.line_num
            if not row or not row[0].strip() and blank(row):
                continue
            if END in row[-1]:
                if row == [END]:
                    break
                raise PresetError(
                    source,
                    f"row {start}",
                    'not valid CSV (a quote (") opens a '
                    "field that is never closed: the file ends inside it)",
                )
            if not seen_header:
                seen_header = True
                continue
            if len(row) != len(header):
                raise PresetError(
                    source, f"row {start}", f"has {len(row)} fields, the header has {len(header)}"
                )
            if len(lines) == limit:
                raise too_many_rows(source, len(header))
            lines.append(start)
            chunk.append(row)
            if len(chunk) == CHUNK_ROWS:
                convert_chunk(cells, parts, chunk, lines, decimal, ignore)
                chunk = []
    except csv.Error as exc:
        raise PresetError(source, f"row {previous + 1}", f"not valid CSV ({exc})") from None
    except UnicodeDecodeError:
        raise decode_error(source) from None
    except OSError as exc:
        raise file_error(source, exc, "CSV file") from None
    if chunk:
        convert_chunk(cells, parts, chunk, lines, decimal, ignore)
    cells.rows = len(lines)
    cells.lines = np.array(lines, dtype=np.int64)
    cells.numbers = {j: np.concatenate(p) for j, p in parts.items() if j not in cells.texts}
    return cells


def convert_chunk(
    cells: Cells,
    parts: dict[int, list[np.ndarray]],
    chunk: list[list[str]],
    lines: list[int],
    decimal: str,
    ignore: set[int],
) -> None:
    """Append a chunk of rows to the columns: all numeric columns in one numpy conversion if
    that works, else column by column and cell by cell where that fails. A column without a
    number in the first chunk becomes a text column; in the others, cells that are not finite
    numbers are counted in cells.bad (what becomes of them is decided once the file is read)."""
    for j, store in cells.texts.items():
        store.extend(map(str.strip, map(itemgetter(j), chunk)))
    numeric = [j for j in range(len(cells.header)) if j not in ignore and j not in cells.texts]
    if not numeric:
        return
    if decimal == "." and plain_numbers(map("".join, chunk)):
        try:
            block = np.array(list(map(itemgetter(*numeric), chunk)), dtype=np.float64)
            block = block.reshape(len(chunk), len(numeric))
            if np.isfinite(block).all():
                for i, j in enumerate(numeric):
                    parts.setdefault(j, []).append(block[:, i])
                return
        except ValueError:
            pass
    offset = len(lines) - len(chunk)
    for j in numeric:
        column = tuple(map(itemgetter(j), chunk))
        values, bad = numbers_of(column, decimal)
        if bad:
            if offset == 0 and not np.isfinite(values).any():  # no number at all: text
                cells.texts[j] = [c.strip() for c in column]
                continue
            count, first = cells.bad.get(j, (0, (lines[offset + bad[0]], column[bad[0]].strip())))
            cells.bad[j] = (count + len(bad), first)
        parts.setdefault(j, []).append(values)


def numbers_of(column: tuple[str, ...] | list[str], decimal: str) -> tuple[np.ndarray, list[int]]:
    """(values (len,), indices of the cells that are not finite numbers): NaN in `values` for
    those and for missing cells. The one place where feature cells become numbers."""
    text = column if decimal == "." else tuple(cell.replace(",", ".") for cell in column)
    try:
        if not plain_numbers(text):
            raise ValueError("cells for to_float")
        values = np.array(text, dtype=np.float64)
        if np.isfinite(values).all():
            return values, []
    except ValueError:
        values = np.empty(len(column))
    bad = []
    for i, cell in enumerate(text):
        cell = cell.strip()
        if is_missing(cell):
            values[i] = math.nan
            continue
        try:
            values[i] = to_float(cell)
        except ValueError:
            values[i] = math.nan
        if not math.isfinite(values[i]):
            values[i] = math.nan
            bad.append(i)
    return values, bad


def not_a_number(
    source: str,
    line: int,
    name: str,
    cell: str,
    count: int = 1,
    decimal: str = ".",
    numeric: bool = False,
) -> PresetError:
    """The error for a feature cell that is not a finite number, the first of `count` in its
    column; `numeric`: the column is mostly numbers (treating such cells as missing is offered)."""
    grouped = GROUPED[decimal].fullmatch(cell)
    hint = (
        f"a thousands separator? write {shorten(cell.replace(grouped[2], ''))}; " if grouped else ""
    )
    others = f"{count:,} such cells in the column; " if count > 1 else ""
    fixes = (
        'fix the cell, treat such cells as missing with missing = "drop_rows" or "mean" (in '
        "the preset's [data], or --missing with --csv), or "
        if numeric
        else ""
    )
    return PresetError(
        source,
        f"row {line}, column {shorten(name)}",
        f"{shorten(cell)} is not a finite number ({hint}{others}features must be "
        f"numeric: {fixes}leave the column out with ignore = [{shorten(name)}] or "
        f"--ignore)",
    )


def is_grouped(cell: str, decimal: str) -> bool:
    """Whether the cell is a number written with thousands separators (5,185 or 1 000 000)."""
    return GROUPED[decimal].fullmatch(cell) is not None


def is_number(cell: str) -> bool:
    """Whether the cell is a number in ASCII (finite or not; `to_float`)."""
    try:
        to_float(cell)
    except ValueError:
        return False
    return True


def shorten(cell: str, width: int = 40) -> str:
    """A cell quoted for an error message, at most `width` characters."""
    text = repr(cell)
    return text if len(text) <= width else text[: width - 4] + "...'"
