"""Typed, range-checked reads from a parsed TOML table, with errors that name file and key."""

from __future__ import annotations

import difflib
import math
from pathlib import Path
from typing import Any

import numpy as np

from bptui.preset.errors import PresetError

_MISSING = object()


def describe(value: Any) -> str:
    """A short rendering of a bad value for an error message."""
    text = repr(value) if isinstance(value, str) else str(value)
    if isinstance(value, bool):
        text = "true" if value else "false"
    return text if len(text) <= 40 else text[:37] + "..."


def type_name(value: Any) -> str:
    """TOML's name for the type of a parsed value."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, float):
        return "a float"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "an array"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


class Table:
    """One TOML table being validated; `path` is its dotted name ('' for the top level)."""

    def __init__(self, source: str, path: str, data: dict):
        self.source = source
        self.path = path
        self.data = data

    def key(self, name: str) -> str:
        """The dotted key of `name` in this table."""
        return f"{self.path}.{name}" if self.path else name

    def error(self, name: str | None, message: str) -> PresetError:
        """A PresetError at key `name` of this table (the table itself if None)."""
        return PresetError(self.source, self.key(name) if name else (self.path or None), message)

    def check_keys(self, allowed: tuple[str, ...]) -> None:
        """Reject keys that are not in `allowed` (typos), suggesting the closest one."""
        for name in self.data:
            if name not in allowed:
                close = difflib.get_close_matches(name, allowed, n=1)
                hint = f"did you mean {close[0]}? " if close else ""
                raise self.error(name, f"unknown key ({hint}allowed: {', '.join(allowed)})")

    def has(self, name: str) -> bool:
        """Whether the key is present."""
        return name in self.data

    def raw(self, name: str, default: Any = _MISSING) -> Any:
        """The value, or the default; a missing key without a default is an error."""
        if name in self.data:
            return self.data[name]
        if default is _MISSING:
            raise self.error(name, "missing (required)")
        return default

    def table(self, name: str, required: bool = True) -> Table | None:
        """A sub-table."""
        value = self.raw(name, _MISSING if required else None)
        if value is None:
            return None
        if not isinstance(value, dict):
            raise self.error(name, f"expected a table, got {type_name(value)}")
        return Table(self.source, self.key(name), value)

    def string(self, name: str, default: Any = _MISSING, choices: tuple[str, ...] = ()) -> str:
        """A string, optionally one of `choices`."""
        value = self.raw(name, default)
        if not isinstance(value, str):
            raise self.error(name, f"expected a string, got {type_name(value)} {describe(value)}")
        if choices and value not in choices:
            close = difflib.get_close_matches(value, choices, n=1)
            hint = f"did you mean {close[0]!r}? " if close else ""
            raise self.error(
                name, f"{value!r} is not supported ({hint}allowed: {', '.join(choices)})"
            )
        return value

    def contained_path(self, name: str, base: Path, whose: str, otherwise: str) -> Path:
        """A file named by key `name`, relative to the folder `base` and inside it: never an
        absolute path or one leading out (a file cannot make bptui read the user's other
        files). `whose` names the folder in errors ("the preset's"), `otherwise` the way out."""
        relative = self.string(name)
        if not relative.strip():
            raise self.error(name, f"must not be empty (a file name relative to {whose} folder)")
        allowed = f"allowed: a file in {whose} folder or below it; {otherwise}"
        if Path(relative).is_absolute() or Path(relative).drive:
            raise self.error(name, f"{relative!r} is an absolute path ({allowed})")
        path = base / relative
        try:
            inside = path.resolve().is_relative_to(base.resolve())
        except (OSError, RuntimeError, ValueError):
            inside = False
        if not inside:
            raise self.error(name, f"{relative!r} is outside {whose} folder ({allowed})")
        return path

    def boolean(self, name: str, default: Any = _MISSING) -> bool:
        """true or false."""
        value = self.raw(name, default)
        if not isinstance(value, bool):
            raise self.error(
                name, f"expected true or false, got {type_name(value)} {describe(value)}"
            )
        return value

    def integer(
        self, name: str, default: Any = _MISSING, low: int | None = None, high: int | None = None
    ) -> int:
        """An integer within [low, high]."""
        value = self.raw(name, default)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self.error(name, f"expected an integer, got {type_name(value)} {describe(value)}")
        check_range(self, name, value, low, high)
        return value

    def number(
        self,
        name: str,
        default: Any = _MISSING,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
    ) -> float:
        """A finite number (integer or float) within the given bounds."""
        value = self.raw(name, default)
        return check_number(self, name, value, low, high, low_open, high_open)


def check_range(
    table: Table, name: str, value: float, low, high, low_open=False, high_open=False
) -> None:
    """Raise unless low ≤ value ≤ high (strict where open)."""
    below = low is not None and (value <= low if low_open else value < low)
    above = high is not None and (value >= high if high_open else value > high)
    if below or above:
        left = "" if low is None else f"{low} {'<' if low_open else '≤'} "
        right = "" if high is None else f" {'<' if high_open else '≤'} {high}"
        raise table.error(name, f"{describe(value)} is out of range (allowed: {left}{name}{right})")


def is_finite_number(value: Any) -> bool:
    """An int or float that is finite as a float64 (TOML integers may be arbitrarily large)."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return False
    try:
        return math.isfinite(float(value))
    except OverflowError:
        return False


def check_number(
    table: Table, name: str, value: Any, low=None, high=None, low_open=False, high_open=False
) -> float:
    """A finite int or float within bounds, as float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise table.error(name, f"expected a number, got {type_name(value)} {describe(value)}")
    if not is_finite_number(value):
        raise table.error(name, f"{describe(value)} is not a finite number")
    check_range(table, name, value, low, high, low_open, high_open)
    return float(value)


def read_matrix(table: Table, name: str, rows: int | None, cols: int | None) -> np.ndarray:
    """A rectangular array of finite numbers, optionally of a given shape."""
    value = table.raw(name)
    if not isinstance(value, list) or not value or not all(isinstance(r, list) for r in value):
        raise table.error(
            name, f"expected a non-empty array of rows, got {type_name(value)} {describe(value)}"
        )
    width = len(value[0])
    for i, row in enumerate(value):
        if len(row) != width or width == 0:
            raise table.error(
                name,
                f"row {i} has {len(row)} entries, row 0 has {width} (rows must "
                f"be non-empty and of equal length)",
            )
        for j, cell in enumerate(row):
            if not is_finite_number(cell):
                check_number(table, f"{name}[{i}][{j}]", cell)
    array = np.array(value, dtype=np.float64)
    if rows is not None and array.shape[0] != rows or cols is not None and array.shape[1] != cols:
        want = f"({rows if rows is not None else 'any'}, {cols if cols is not None else 'any'})"
        raise table.error(name, f"shape is ({array.shape[0]}, {array.shape[1]}), expected {want}")
    return array
