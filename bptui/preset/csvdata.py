"""Reading a data set from a CSV file with a header row: numeric features and one target column."""

from __future__ import annotations

import csv
import math
from pathlib import Path

import numpy as np

from bptui.preset.errors import PresetError

MAX_ROWS = 200_000


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def read_csv(path: Path, target: str, key: str = "data.csv"
             ) -> tuple[np.ndarray, list[str], list[str], tuple[str, ...]]:
    """(features (n, d) float64, target values as text (n,), class-name order, feature names).

    Errors name the CSV file and the row or column at fault.
    """
    source = str(path)
    try:
        text = path.read_bytes().decode("utf-8-sig")
    except FileNotFoundError:
        raise PresetError(source, None, "no such file") from None
    except IsADirectoryError:
        raise PresetError(source, None, "is a directory, not a CSV file") from None
    except UnicodeDecodeError as exc:
        raise PresetError(source, None, f"not UTF-8 text (byte {exc.start})") from None
    except OSError as exc:
        raise PresetError(source, None, f"cannot read: {exc.strerror}") from None
    try:
        rows = [row for row in csv.reader(text.splitlines()) if row and any(c.strip() for c in row)]
    except csv.Error as exc:
        raise PresetError(source, None, f"not valid CSV ({exc})") from None
    if not rows:
        raise PresetError(source, None, "empty file (need a header row and data rows)")
    header = [name.strip() for name in rows[0]]
    body = rows[1:]
    if not body:
        raise PresetError(source, None, "no data rows after the header")
    if len(body) > MAX_ROWS:
        raise PresetError(source, None, f"{len(body)} rows is too many (allowed: up to {MAX_ROWS})")
    repeated = sorted({name for name in header if header.count(name) > 1})
    if repeated:
        raise PresetError(source, f"column {repeated[0]!r}",
                          "appears more than once in the header (column names must be unique)")
    if target not in header:
        raise PresetError(source, f"column {target!r}",
                          f"target column not found (columns: {', '.join(header)})")
    if len(header) < 2:
        raise PresetError(source, None, "need at least one feature column besides the target")
    t_index = header.index(target)
    features = [name for name in header if name != target]
    x = np.empty((len(body), len(features)))
    labels = []
    for r, row in enumerate(body, start=2):
        if len(row) != len(header):
            raise PresetError(source, f"row {r}",
                              f"has {len(row)} fields, the header has {len(header)}")
        c_out = 0
        for c, cell in enumerate(row):
            if c == t_index:
                labels.append(cell.strip())
                continue
            value = _number(cell.strip())
            if value is None:
                raise PresetError(source, f"row {r}, column {header[c]!r}",
                                  f"{cell.strip()!r} is not a finite number (features must be numeric)")
            x[r - 2, c_out] = value
            c_out += 1
    if any(label == "" for label in labels):
        row = labels.index("") + 2
        raise PresetError(source, f"row {row}, column {target!r}", "empty target value")
    return x, labels, features, tuple(header)


def class_order(labels: list[str]) -> list[str]:
    """Distinct labels, numerically sorted when all are numbers, else alphabetically."""
    distinct = set(labels)
    if all(_number(v) is not None for v in distinct):
        return sorted(distinct, key=float)
    return sorted(distinct)


def numeric_targets(labels: list[str]) -> np.ndarray | None:
    """The labels as floats (n,), or None if any is not a number."""
    values = [_number(v) for v in labels]
    if any(v is None for v in values):
        return None
    return np.array(values, dtype=np.float64)
