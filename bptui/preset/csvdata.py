"""A data set from a CSV file with a header row: numeric features and one target column.

What users' files hold is handled here: the delimiter and decimal commas (read by csvfile),
missing values (empty, NA, NaN, null) reported with their count and first rows or dropped or
filled as `missing` says, columns the user leaves out (`ignore`), and columns that only number
or name the rows, which are left out with a notice instead of being learned from: a column
named like an index (INDEX_NAMES, or no name) that counts the rows (0, 1, 2, … or 1, 2, 3, …),
and a column in which every cell is a different text and none is a number (an ID). A cell that
is not a number in a column of numbers is an error naming it, or a missing value when `missing`
says to drop or fill those.
"""

from __future__ import annotations

import difflib
import math
import os
import re
from dataclasses import dataclass
from itertools import compress
from pathlib import Path

import numpy as np

from bptui.preset import csvfile
from bptui.preset.csvfile import is_missing, shorten
from bptui.preset.errors import PresetError
from bptui.text import plain_numbers, to_float

MISSING_CHOICES = ("error", "drop_rows", "mean")
MIN_ROWS_FOR_ID = 3  # a column counting or naming fewer rows than this is not taken for an ID
SHOWN_ROWS = 5  # first rows named when reporting missing values
SHOWN_COLUMNS = 20  # column names listed in an error
MAYBE_NUMBER = re.compile(r"[+-]*(?:[.iInN]|\d|$)", re.ASCII)  # how a number may begin
INDEX_NAMES = frozenset(
    {  # compared stripped and in lower case
        "",
        "#",
        "id",
        "idx",
        "index",
        "row",
        "rowid",
        "row_id",
        "row id",
        "rownum",
        "row_num",
        "row_number",
        "row number",
        "no",
        "no.",
        "nr",
        "num",
        "number",
        "unnamed: 0",
        "level_0",
    }
)


@dataclass(frozen=True)
class CsvOptions:
    """How to read the file: the target column, delimiter and decimal mark (None: detect), what to
    do with missing values, and columns to leave out."""

    target: str
    delimiter: str | None = None
    decimal: str | None = None
    missing: str = "error"
    ignore: tuple[str, ...] = ()


@dataclass(frozen=True, eq=False)
class CsvTable:
    """x: (n, d) float64 features (NaN where missing = "mean" leaves a value to fill); labels: the
    n target values as text; features: the d feature names; notices: one line per column left out
    or rows dropped, for the user."""

    x: np.ndarray
    labels: list[str]
    features: tuple[str, ...]
    notices: tuple[str, ...] = ()


_cache: dict[tuple, CsvTable] = {}


def read_csv(path: Path, options: CsvOptions, keep: bool = False) -> CsvTable:
    """Read and clean the file; errors name the file and the row or column at fault.

    With `keep`, the result is remembered for one more read of the same unchanged file with the
    same options (a preset built from a CSV is validated by reading its data again).
    """
    source = str(path)
    key = cache_key(path, options)
    if key is not None and key in _cache:
        return _cache[key] if keep else _cache.pop(key)
    forget()
    with csvfile.open_data(path, source) as f:
        head = csvfile.read_head(f, source)
        delimiter = options.delimiter or csvfile.sniff(head, options.decimal or ".")
        header, one_line_header = csvfile.read_header(head, delimiter, source)
        target, ignore = check_header(source, header, options)
        sample = csvfile.sample_rows(head, delimiter, len(header))
        decimal = options.decimal or csvfile.guess_decimal(sample, delimiter)
        if decimal == delimiter:
            raise PresetError(
                source, None, f"the decimal mark {decimal!r} cannot also be the delimiter"
            )
        fast = one_line_header and decimal == "." and not text_columns(sample, target, ignore)
        cells = csvfile.read_cells(f, source, header, delimiter, decimal, target, ignore, fast)
    table = clean(source, cells, target, options.missing, decimal)
    if keep and key is not None:
        _cache[key] = table
    return table


def forget() -> None:
    """Drop a table kept by read_csv(keep=True)."""
    _cache.clear()


def cache_key(path: Path, options: CsvOptions) -> tuple | None:
    """What identifies one version of a file read one way (None if it cannot be stat'ed, or
    is carried by a session)."""
    if not isinstance(path, (str, os.PathLike)):
        return None
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (
        str(Path(path).resolve()),
        info.st_dev,
        info.st_ino,
        info.st_size,
        info.st_mtime_ns,
        options,
    )


def columns_text(header: tuple[str, ...]) -> str:
    """The column names for an error message, at most SHOWN_COLUMNS of them."""
    names = ", ".join(shorten(name, 30) for name in header[:SHOWN_COLUMNS])
    more = len(header) - SHOWN_COLUMNS
    return names + (f" and {more} more" if more > 0 else "")


def close_match(name: str, header: tuple[str, ...]) -> str:
    """ "; did you mean 'Name'?" for a header cell close to the column asked for, else "". The
    other cells are not shown: a file named by a preset or a session may be any file, and an
    error must not print what it holds."""
    cells = {cell.lower(): cell for cell in reversed(header[: csvfile.MAX_COLUMNS])}
    close = difflib.get_close_matches(name.lower(), cells, n=1, cutoff=0.75)
    return f"; did you mean {shorten(cells[close[0]], 30)}?" if close else ""


def check_header(source: str, header: tuple[str, ...], options: CsvOptions) -> tuple[int, set[int]]:
    """(index of the target column, indices of ignored columns), or an error."""
    if len(header) > csvfile.MAX_COLUMNS:
        raise PresetError(
            source,
            None,
            f"{len(header):,} columns is too many (allowed: up to {csvfile.MAX_COLUMNS:,})",
        )
    seen: set[str] = set()
    for name in header:
        if name in seen:
            raise PresetError(
                source,
                f"column {shorten(name)}",
                "appears more than once in the header (column names must be unique)",
            )
        seen.add(name)
    for name in (options.target, *options.ignore):
        if name not in seen:
            raise PresetError(
                source,
                f"column {shorten(name)}",
                f"{'target ' if name == options.target else ''}column not found "
                f"among the header's {len(header):,} "
                f"column{'s' if len(header) != 1 else ''}{close_match(name, header)}",
            )
    if options.target in options.ignore:
        raise PresetError(
            source, f"column {shorten(options.target)}", "is the target and cannot be ignored"
        )
    if len(header) < 2:
        raise PresetError(source, None, "need at least one feature column besides the target")
    return header.index(options.target), {header.index(name) for name in options.ignore}


def text_columns(sample: list[list[str]], target: int, ignore: set[int]) -> set[int]:
    """Feature columns with a cell in the sample rows that is not a plain number (a hint for
    choosing the reader; the general reader decides)."""
    found: set[int] = set()
    for row in sample:
        for j, cell in enumerate(row):
            if j == target or j in ignore or j in found:
                continue
            cell = cell.strip()
            if is_missing(cell) or not csvfile.is_number(cell):
                found.add(j)
    return found


def clean(source: str, cells: csvfile.Cells, target: int, missing: str, decimal: str) -> CsvTable:
    """Leave out row-number and ID columns, then handle cells that are not numbers and missing
    values as options.missing says."""
    n, header = cells.rows, cells.header
    if n == 0:
        raise PresetError(source, None, "no data rows after the header")
    notices = []
    kept = []
    for j, name in enumerate(header):
        if j == target:
            continue
        if j in cells.texts:
            if is_id(cells.texts[j], decimal):
                notices.append(
                    f"{source}: column {shorten(name)} has a different text in every "
                    f"row (an ID): left out"
                )
                continue
            numbers_of_texts(cells, j, decimal)
        if j not in cells.numbers:
            continue
        if is_row_number(name, cells.numbers[j]):
            first = int(cells.numbers[j][0])
            notices.append(
                f"{source}: column {shorten(name)} counts the rows ({first}.."
                f"{n - 1 + first}): left out (a row number says nothing about the data)"
            )
        else:
            kept.append(j)
    if not kept:
        left_out = [
            name
            for j, name in enumerate(header)
            if j != target and (j in cells.texts or j in cells.numbers)
        ]
        why = (
            f"; left out as row numbers or IDs: {columns_text(tuple(left_out))}" if left_out else ""
        )
        raise PresetError(
            source,
            None,
            f"no feature columns left besides the target (need at least one numeric column{why})",
        )
    bad = check_bad_cells(source, cells, kept, missing, decimal)
    if bad:
        notices.append(bad)
    x = np.empty((n, len(kept)))
    for i, j in enumerate(kept):
        x[:, i] = cells.numbers[j]
    x, labels, note = handle_missing(
        source, cells, x, cells.texts[target], [header[j] for j in kept], header[target], missing
    )
    if decimal == ",":
        dotted = [v.replace(",", ".") for v in labels]
        labels = dotted if numeric_targets(dotted) is not None else labels
    if note:
        notices.append(note)
    return CsvTable(x, labels, tuple(header[j] for j in kept), tuple(notices))


def is_id(values: list[str], decimal: str) -> bool:
    """A different text in every row (at least MIN_ROWS_FOR_ID rows), none of them a number,
    not even one written with thousands separators."""
    if len(values) < MIN_ROWS_FOR_ID or len(set(values)) != len(values):
        return False
    # Only a cell starting (after its sign) with a digit, a point, i (inf) or n (nan) can be a
    # number: the others (s001, P-17, ...) need not be tried, which is most of the time saved.
    maybe = list(filter(MAYBE_NUMBER.match, values))
    numbers, _ = csvfile.numbers_of(maybe, decimal)
    return not (np.isfinite(numbers).any() or any(csvfile.is_grouped(v, decimal) for v in maybe))


def numbers_of_texts(cells: csvfile.Cells, j: int, decimal: str) -> None:
    """Make text column j (not an ID) a column of numbers, its cells that are not numbers
    counted in cells.bad, like the columns that had numbers from their first rows."""
    values = cells.texts.pop(j)
    numbers, bad = csvfile.numbers_of(values, decimal)
    cells.numbers[j] = numbers
    lines = cells.lines if cells.lines is not None else np.arange(2, cells.rows + 2)
    if bad:
        cells.bad[j] = (len(bad), (int(lines[bad[0]]), values[bad[0]]))


def check_bad_cells(
    source: str, cells: csvfile.Cells, kept: list[int], missing: str, decimal: str
) -> str:
    """The notice for cells that are not numbers in the kept columns, left as NaN (missing
    values) when `missing` drops or fills those and their column is mostly numbers; otherwise
    the error for the first of them in the file. "" when there are none."""
    found = [(first, j, count) for j, (count, first) in cells.bad.items() if j in kept and count]
    if not found:
        return ""
    numeric = {j: count < np.isfinite(cells.numbers[j]).sum() for _, j, count in found}
    refused = sorted(f for f in found if missing == "error" or not numeric[f[1]])
    if refused:
        (line, cell), j, count = refused[0]
        raise csvfile.not_a_number(source, line, cells.header[j], cell, count, decimal, numeric[j])
    (line, cell), j, _ = min(found)
    total = sum(count for _, _, count in found)
    some = f"{total:,} cells that are" if total != 1 else "1 cell that is"
    return (
        f"{source}: {some} not a number (the first: row {line}, column "
        f"{shorten(cells.header[j])}, {shorten(cell)}) taken as missing"
    )


def is_row_number(name: str, values: np.ndarray) -> bool:
    """A column named like an index (INDEX_NAMES, or no name) holding 0, 1, …, n−1 or 1, 2, …, n in
    file order; a column of any other name is a feature, whatever it holds."""
    n = values.shape[0]
    if name.strip().lower() not in INDEX_NAMES or n < MIN_ROWS_FOR_ID:
        return False
    if values[0] not in (0.0, 1.0):
        return False
    return bool(np.array_equal(values, np.arange(n, dtype=np.float64) + values[0]))


def handle_missing(
    source: str,
    cells: csvfile.Cells,
    x: np.ndarray,
    labels: list[str],
    features: list[str],
    target: str,
    policy: str,
) -> tuple[np.ndarray, list[str], str]:
    """(x, labels, notice) after `policy`: "error" reports, "drop_rows" drops the rows,
    "mean" leaves NaN in x to be filled with training-row means (never a missing target)."""
    holes = np.isnan(x)
    absent = {v for v in set(labels) if is_missing(v)}
    no_target = (
        np.fromiter((v in absent for v in labels), dtype=bool, count=len(labels))
        if absent
        else np.zeros(len(labels), dtype=bool)
    )
    per_row = holes.any(axis=1) | no_target
    if not per_row.any():
        return x, labels, ""
    count = int(holes.sum() + no_target.sum())
    rows = np.flatnonzero(per_row)
    where = [features[i] for i in np.flatnonzero(holes.any(axis=0))]
    if no_target.any():
        where.append(target)
    lines = cells.lines if cells.lines is not None else np.arange(2, cells.rows + 2)
    row = rows[0]
    first = ([features[i] for i in np.flatnonzero(holes[row])] + [target])[0]
    shown = ", ".join(str(lines[i]) for i in rows[:SHOWN_ROWS])
    plural = "s" * (len(where) != 1)
    kinds = "empty, NA, NaN, null or not a number" if cells.bad else "empty, NA, NaN or null"
    what = (
        f"{count} missing value{'s' * (count != 1)} ({kinds}) in {len(rows)} "
        f"row{'s' * (len(rows) != 1)} (row{'s' * (len(rows) != 1)} {shown}"
        f"{', …' if len(rows) > SHOWN_ROWS else ''}; column{plural} "
        f"{', '.join(shorten(w, 30) for w in where[:5])}{', …' if len(where) > 5 else ''})"
    )
    if policy == "error" or policy == "mean" and no_target.any():
        if no_target.any():
            what += "; a missing target cannot be filled in"
            allowed = 'missing = "drop_rows" drops those rows'
        else:
            allowed = 'missing = "drop_rows" or "mean"'
        raise PresetError(
            source,
            f"row {lines[row]}, column {shorten(first)}",
            f"{what} (allowed: {allowed} (in the preset's [data], or --missing with "
            f"--csv), or fill them in)",
        )
    if policy == "mean":
        return x, labels, f"{source}: {what}: filled with the mean of their column"
    keep = ~per_row
    if not keep.any():
        raise PresetError(source, None, f"{what}: no rows left after dropping them")
    labels = list(compress(labels, keep.tolist()))
    return x[keep], labels, f"{source}: {what}: dropped"


def column_scale(x: np.ndarray) -> np.ndarray:
    """(d,) a power of two for each column of x (n, d) such that the column divided by it lies
    in [-2, 2] (NaN ignored): sums and squares of that cannot overflow, where values near the
    float64 limit (1.8e308) would. Dividing by a power of two is exact, so means and standard
    deviations computed this way are bit for bit those of the plain formulas when these work."""
    largest = np.abs(np.where(np.isnan(x), 0.0, x)).max(axis=0, initial=0.0)
    _, exponent = np.frexp(largest)  # largest = m · 2**exponent, 0.5 ≤ m < 1 (0 for 0)
    return np.ldexp(1.0, exponent - 1)


def fill_means(
    x_train: np.ndarray, x_test: np.ndarray, features: tuple[str, ...], source: str
) -> None:
    """Replace NaN in place by the column's mean over the training rows: (n_train, d), (n_test,
    d)."""
    holes = np.isnan(x_train)
    if not holes.any() and not np.isnan(x_test).any():
        return
    counts = (~holes).sum(axis=0)
    if (counts == 0).any():
        name = features[int(np.flatnonzero(counts == 0)[0])]
        raise PresetError(
            source,
            f"column {shorten(name)}",
            "has no values in the training rows to take a mean of",
        )
    scale = column_scale(x_train)
    means = (np.where(holes, 0.0, x_train) / scale).sum(axis=0) / counts * scale
    for x in (x_train, x_test):
        rows, cols = np.nonzero(np.isnan(x))
        x[rows, cols] = means[cols]


def standardize(
    x_train: np.ndarray, x_test: np.ndarray, features: tuple[str, ...], source: str
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(x_train, x_test, mean, std): both sets minus the training rows' mean, over their standard
    deviation (1 for a constant column), computed on the columns divided by their largest value
    so that nothing overflows; a held-out value too far out to scale is an error."""
    scale = column_scale(x_train)
    scaled = x_train / scale
    mean = scaled.mean(axis=0)
    std = scaled.std(axis=0)
    std[std == 0] = 1.0 / scale[std == 0]
    with np.errstate(over="ignore", invalid="ignore"):
        test = (x_test / scale - mean) / std
    if not np.isfinite(test).all():
        column = int(np.flatnonzero(~np.isfinite(test).all(axis=0))[0])
        value = x_test[~np.isfinite(test[:, column]), column][0]
        largest = np.abs(x_train[:, column]).max()
        raise PresetError(
            source,
            f"column {shorten(features[column])}",
            f"a held-out value ({value:.6g}) is too far outside the training values "
            f"(largest |value| {largest:.6g}) to normalize (allowed: normalize = "
            f"false, or fix the value)",
        )
    return (scaled - mean) / std, test, mean * scale, std * scale


def _number(text: str) -> float | None:
    try:
        value = to_float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def check_classes(source: str, target: str, classes: int, limit: int) -> None:
    """A target with more distinct labels than an output layer may have units (`limit`) is an
    error saying so (the output layer has a unit per class)."""
    if classes > limit:
        raise PresetError(
            source,
            f"column {shorten(target)}",
            f"has {classes:,} different values: too many classes for the target "
            f"(allowed: up to {limit:,}, one output unit each; is this the column to "
            f"predict?)",
        )


def class_order(labels: list[str]) -> list[str]:
    """Distinct labels, numerically sorted when all are numbers, else alphabetically."""
    distinct = set(labels)
    if all(_number(v) is not None for v in distinct):
        return sorted(distinct, key=float)
    return sorted(distinct)


def numeric_targets(labels: list[str]) -> np.ndarray | None:
    """The labels as floats (n,), or None if any is not a finite number."""
    try:
        if not plain_numbers(labels):
            raise ValueError("labels for to_float")
        values = np.array(labels, dtype=np.float64)
    except ValueError:
        return None
    return values if np.isfinite(values).all() else None
