#!/usr/bin/env python
"""Loading a large CSV: bptui against numpy.loadtxt on the same file, in the same run.

Writes a file of ROWS rows × COLS columns (COLS − 1 numeric features and a class label) in a
temporary directory, then times, best of --repeats:

- `numpy.loadtxt` of the numeric columns (the reference; it cannot read the text labels),
- `csv.reader` alone (a list of rows of strings, nothing converted),
- `csvdata.read_csv` (bptui's reader: checks, delimiter detection, features and labels),
- `preset_from_csv` (what `bptui --csv FILE --target label` does before the explorer opens:
  reading, validation, split, normalization),
- `read_csv` on the same file with one missing value, which takes the general reader
  (csv.reader and column-wise numpy conversion) and is then dropped with missing = "drop_rows",

and prints each time and its ratio to numpy.loadtxt. The goal: read_csv ≤ 2 × loadtxt.

Usage:  python benchmarks/csv_load.py [--rows 100000] [--cols 50] [--repeats 3]
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import numpy as np

from bptui.preset import csvdata
from bptui.preset.fromcsv import preset_from_csv


def write_file(path: Path, rows: int, cols: int, missing: bool) -> None:
    """Features as a spreadsheet writes them (up to 10 significant digits), label last."""
    rng = np.random.default_rng(0)
    x = rng.normal(size=(rows, cols - 1))
    labels = np.array(["setosa", "versicolor", "virginica"])[rng.integers(0, 3, rows)]
    with open(path, "w", encoding="utf-8") as f:
        f.write(",".join([f"x{j}" for j in range(cols - 1)] + ["label"]) + "\n")
        for i in range(rows):
            cells = [f"{v:.10g}" for v in x[i]]
            if missing and i == rows // 2:
                cells[0] = "NA"
            f.write(",".join(cells) + f",{labels[i]}\n")


def best(repeats: int, work) -> float:
    """The shortest of `repeats` runs, in seconds."""
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        work()
        times.append(time.perf_counter() - start)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--cols", type=int, default=50)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        clean, holey = Path(tmp) / "clean.csv", Path(tmp) / "missing.csv"
        write_file(clean, args.rows, args.cols, missing=False)
        write_file(holey, args.rows, args.cols, missing=True)
        numeric = list(range(args.cols - 1))

        def reader_only():
            with open(clean, newline="", encoding="utf-8") as f:
                return list(csv.reader(f))

        options = csvdata.CsvOptions("label")
        layers = f"{args.cols - 1},16,3"
        timings = [
            (
                "numpy.loadtxt (numeric columns)",
                best(
                    args.repeats,
                    lambda: np.loadtxt(clean, delimiter=",", skiprows=1, usecols=numeric),
                ),
            ),
            ("csv.reader alone", best(args.repeats, reader_only)),
            ("bptui read_csv", best(args.repeats, lambda: csvdata.read_csv(clean, options))),
            (
                "bptui preset_from_csv (--csv)",
                best(args.repeats, lambda: preset_from_csv(str(clean), "label", layers)),
            ),
            (
                "bptui read_csv, one NA, drop_rows",
                best(
                    args.repeats,
                    lambda: csvdata.read_csv(
                        holey, csvdata.CsvOptions("label", missing="drop_rows")
                    ),
                ),
            ),
        ]
    reference = timings[0][1]
    size = os.cpu_count()
    print(
        f"{args.rows:,} rows × {args.cols} columns, best of {args.repeats}, {size} CPUs, "
        f"load {os.getloadavg()[0]:.2f}, numpy {np.__version__}"
    )
    print("| reader | seconds | × loadtxt |\n| --- | ---: | ---: |")
    for name, seconds in timings:
        print(f"| {name} | {seconds:.3f} | {seconds / reference:.2f} |")
    ratio = timings[2][1] / reference
    print(f"\nread_csv / loadtxt = {ratio:.2f} (goal ≤ 2): {'met' if ratio <= 2 else 'NOT met'}")


if __name__ == "__main__":
    main()
